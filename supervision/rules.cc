#include "supervision/rules.h"

#include <algorithm>
#include <set>

#include "common/check.h"
#include "common/limits.h"
#include "crypto/hash.h"
#include "ledger/errors.h"
#include "ledger/record.h"
#include "supervision/toml_fields.h"

namespace evidence::supervision {

// Generated from configs/supervision-rules.toml (supervision/CMakeLists.txt).
std::string_view BuiltInRulesText();

namespace {

namespace tf = toml_fields;

constexpr std::string_view kFormat = "evidence-supervision-rules/1";
constexpr int64_t kMsPerHour = 3'600'000;
constexpr int64_t kLateHoursMax = 24 * 366;

constexpr std::array<std::string_view, kRuleCount> kRuleNames = {
    "decision_within_90_days",
    "legal_review_before_major_decision",
    "service_within_7_working_days",
    "publicity_within_7_working_days",
    "hearing_request_within_5_working_days",
    "hearing_notice_7_working_days_before",
    "reconsideration_acceptance_within_5_working_days",
    "reconsideration_reply_within_17_working_days",
    "reconsideration_decision_within_60_days",
    "missing_stage",
    "out_of_order",
    "late_recording",
};

bool IsDeadlineRule(RuleId id) {
  switch (id) {
    case RuleId::kDecisionWithin90Days:
    case RuleId::kServiceWithin7WorkingDays:
    case RuleId::kPublicityWithin7WorkingDays:
    case RuleId::kHearingRequestWithin5WorkingDays:
    case RuleId::kHearingNotice7WorkingDaysBefore:
    case RuleId::kReconsiderationAcceptanceWithin5WorkingDays:
    case RuleId::kReconsiderationReplyWithin17WorkingDays:
    case RuleId::kReconsiderationDecisionWithin60Days:
      return true;
    case RuleId::kLegalReviewBeforeMajorDecision:
    case RuleId::kMissingStage:
    case RuleId::kOutOfOrder:
    case RuleId::kLateRecording:
      return false;
  }
  return false;
}

bool IsStageId(std::string_view id) {
  if (id.empty() || id.size() > limits::kStageBytesMax) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

Result<std::string> BoundedText(const toml::table& table, std::string_view key,
                                const std::string& where) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string text, tf::String(table, key, where));
  if (text.empty() || text.size() > kRuleTextBytesMax) {
    return tf::Invalid(where + "." + std::string(key),
                       "must be 1 to " + std::to_string(kRuleTextBytesMax) + " bytes");
  }
  return text;
}

Result<Track> ReadTrack(const toml::table& table, const std::string& where) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string track, tf::String(table, "track", where));
  if (track == "enforcement") return Track::kEnforcement;
  if (track == "reconsideration") return Track::kReconsideration;
  if (track == "none") return Track::kNone;
  return tf::Invalid(where + ".track", "must be \"enforcement\", \"reconsideration\" or \"none\"");
}

Result<KindInfo> ReadKind(std::string_view kind, const toml::table& table) {
  const std::string where = "kinds." + std::string(kind);
  if (!ledger::IsRecordKind(kind)) return tf::Invalid(where, "is not a record kind");
  EVIDENCE_RETURN_IF_ERROR(tf::OnlyKeys(table, {"label_zh", "label_en", "track", "stages"}, where));
  KindInfo info;
  info.kind = std::string(kind);
  EVIDENCE_ASSIGN_OR_RETURN(info.label_zh, BoundedText(table, "label_zh", where));
  EVIDENCE_ASSIGN_OR_RETURN(info.label_en, BoundedText(table, "label_en", where));
  EVIDENCE_ASSIGN_OR_RETURN(info.track, ReadTrack(table, where));
  const toml::array* stages = tf::Array(table, "stages");
  if (stages == nullptr) return tf::Invalid(where + ".stages", "must be an array");
  if (stages->size() > kStagesPerKindMax) return tf::Invalid(where + ".stages", "is too long");
  std::set<std::string> seen;
  for (size_t i = 0; i < stages->size(); ++i) {
    const std::string at = where + ".stages[" + std::to_string(i) + "]";
    const toml::table* stage = (*stages)[i].as_table();
    if (stage == nullptr) return tf::Invalid(at, "must be { id, zh, en }");
    EVIDENCE_RETURN_IF_ERROR(tf::OnlyKeys(*stage, {"id", "zh", "en"}, at));
    StageInfo entry;
    EVIDENCE_ASSIGN_OR_RETURN(entry.id, tf::String(*stage, "id", at));
    if (!IsStageId(entry.id) || entry.id == kStageUnspecified || entry.id == kStageOther) {
      return tf::Invalid(at + ".id", "must be 1 to 64 of a-z and _ (and not unspecified or other)");
    }
    if (!seen.insert(entry.id).second) return tf::Invalid(at + ".id", "repeats " + entry.id);
    EVIDENCE_ASSIGN_OR_RETURN(entry.label_zh, BoundedText(*stage, "zh", at));
    EVIDENCE_ASSIGN_OR_RETURN(entry.label_en, BoundedText(*stage, "en", at));
    info.stages.push_back(std::move(entry));
  }
  return info;
}

// [["a"], ["b", "c"]] as groups of stage ids of `track`'s kinds.
Result<std::vector<StageGroup>> ReadGroups(const toml::node& node, const std::set<std::string>& known,
                                           const std::string& where) {
  const toml::array* groups = node.as_array();
  if (groups == nullptr || groups->size() > kStagesPerKindMax) {
    return tf::Invalid(where, "must be an array of arrays of stage ids, e.g. [[\"filing\"]]");
  }
  std::vector<StageGroup> out;
  for (size_t i = 0; i < groups->size(); ++i) {
    const toml::array* group = (*groups)[i].as_array();
    const std::string at = where + "[" + std::to_string(i) + "]";
    if (group == nullptr || group->empty() || group->size() > kStagesPerKindMax) {
      return tf::Invalid(at, "must be a non-empty array of stage ids");
    }
    StageGroup stages;
    for (const toml::node& stage : *group) {
      const auto* id = stage.as_string();
      if (id == nullptr || !known.contains(id->get())) {
        return tf::Invalid(at, "names a stage that no kind of the track has");
      }
      stages.push_back(id->get());
    }
    out.push_back(std::move(stages));
  }
  return out;
}

std::set<std::string> StagesOfTrack(const std::vector<KindInfo>& kinds, Track track) {
  std::set<std::string> out;
  for (const KindInfo& kind : kinds) {
    if (kind.track != track) continue;
    for (const StageInfo& stage : kind.stages) out.insert(stage.id);
  }
  return out;
}

Result<std::map<std::string, std::vector<StageGroup>>> ReadOrder(const toml::table& table,
                                                                 std::string_view key,
                                                                 const std::set<std::string>& known,
                                                                 const std::string& where) {
  const std::string at = where + "." + std::string(key);
  const toml::table* order = tf::Table(table, key);
  if (order == nullptr) return tf::Invalid(at, "must be a table of stage = [[groups]]");
  std::map<std::string, std::vector<StageGroup>> out;
  for (const auto& [stage, groups] : *order) {
    const std::string id(stage.str());
    if (!known.contains(id)) return tf::Invalid(at + "." + id, "is not a stage of the track");
    EVIDENCE_ASSIGN_OR_RETURN(out[id], ReadGroups(groups, known, at + "." + id));
  }
  return out;
}

Status ReadDeadline(RuleId id, const toml::table& table, const std::string& where,
                    RuleSettings& rule) {
  EVIDENCE_ASSIGN_OR_RETURN(int64_t limit, tf::Integer(table, "limit_days", 1, kRuleLimitDaysMax, where));
  rule.limit_days = static_cast<int>(limit);
  EVIDENCE_ASSIGN_OR_RETURN(rule.working_days, tf::Boolean(table, "working_days", where));
  EVIDENCE_ASSIGN_OR_RETURN(rule.roll_to_working_day,
                            tf::BooleanOr(table, "roll_to_working_day", false, where));
  if (id == RuleId::kHearingRequestWithin5WorkingDays) {
    rule.flag_missing = false;
  } else {
    EVIDENCE_ASSIGN_OR_RETURN(rule.flag_missing, tf::Boolean(table, "flag_missing", where));
  }
  if (id == RuleId::kReconsiderationDecisionWithin60Days) {
    EVIDENCE_ASSIGN_OR_RETURN(int64_t extended, tf::Integer(table, "extended_limit_days", limit,
                                                            kRuleLimitDaysMax, where));
    rule.extended_limit_days = static_cast<int>(extended);
  }
  return Status::Ok();
}

Status ReadLateRecording(const toml::table& table, const std::string& where,
                         const std::vector<KindInfo>& kinds, RuleSettings& rule) {
  EVIDENCE_ASSIGN_OR_RETURN(int64_t hours, tf::Integer(table, "hours", 1, kLateHoursMax, where));
  rule.late_after_ms = hours * kMsPerHour;
  EVIDENCE_ASSIGN_OR_RETURN(rule.exempt_before_genesis,
                            tf::Boolean(table, "exempt_before_genesis", where));
  const toml::table* by_stage = tf::Table(table, "hours_by_stage");
  if (by_stage == nullptr) return Status::Ok();
  std::set<std::string> known;
  for (const KindInfo& kind : kinds) {
    for (const StageInfo& stage : kind.stages) known.insert(stage.id);
  }
  for (const auto& [stage, value] : *by_stage) {
    const std::string at = where + ".hours_by_stage." + std::string(stage.str());
    if (!known.contains(std::string(stage.str()))) return tf::Invalid(at, "is not a stage of any kind");
    const auto* stage_hours = value.as_integer();
    if (stage_hours == nullptr || stage_hours->get() < 1 || stage_hours->get() > kLateHoursMax) {
      return tf::Invalid(at, "must be a number of hours from 1 to " + std::to_string(kLateHoursMax));
    }
    rule.late_after_ms_by_stage[std::string(stage.str())] = stage_hours->get() * kMsPerHour;
  }
  return Status::Ok();
}

Result<RuleSettings> ReadRule(RuleId id, const toml::table& table,
                              const std::vector<KindInfo>& kinds) {
  const std::string where = "rules." + std::string(RuleName(id));
  std::vector<std::string_view> keys = {"enabled", "title_zh", "title_en", "basis"};
  if (IsDeadlineRule(id)) {
    keys.insert(keys.end(), {"limit_days", "working_days", "roll_to_working_day"});
    // A party need not ask for a hearing: a missing request is never a finding.
    if (id != RuleId::kHearingRequestWithin5WorkingDays) keys.push_back("flag_missing");
    if (id == RuleId::kReconsiderationDecisionWithin60Days) keys.push_back("extended_limit_days");
  }
  if (id == RuleId::kMissingStage) keys.push_back("required");
  if (id == RuleId::kOutOfOrder) keys.insert(keys.end(), {"enforcement", "reconsideration"});
  if (id == RuleId::kLateRecording) {
    keys.insert(keys.end(), {"hours", "exempt_before_genesis", "hours_by_stage"});
  }
  for (const auto& [key, value] : table) {
    if (std::find(keys.begin(), keys.end(), key.str()) == keys.end()) {
      return tf::Invalid(where + "." + std::string(key.str()), "is not a setting of this rule");
    }
  }
  RuleSettings rule;
  EVIDENCE_ASSIGN_OR_RETURN(rule.enabled, tf::Boolean(table, "enabled", where));
  EVIDENCE_ASSIGN_OR_RETURN(rule.title_zh, BoundedText(table, "title_zh", where));
  EVIDENCE_ASSIGN_OR_RETURN(rule.title_en, BoundedText(table, "title_en", where));
  EVIDENCE_ASSIGN_OR_RETURN(rule.basis, BoundedText(table, "basis", where));
  if (IsDeadlineRule(id)) EVIDENCE_RETURN_IF_ERROR(ReadDeadline(id, table, where, rule));
  const std::set<std::string> enforcement = StagesOfTrack(kinds, Track::kEnforcement);
  const std::set<std::string> reconsideration = StagesOfTrack(kinds, Track::kReconsideration);
  if (id == RuleId::kMissingStage) {
    const toml::node* required = table.get("required");
    if (required == nullptr) return tf::Invalid(where + ".required", "is missing");
    EVIDENCE_ASSIGN_OR_RETURN(rule.required, ReadGroups(*required, enforcement, where + ".required"));
  }
  if (id == RuleId::kOutOfOrder) {
    EVIDENCE_ASSIGN_OR_RETURN(rule.must_follow_enforcement,
                              ReadOrder(table, "enforcement", enforcement, where));
    EVIDENCE_ASSIGN_OR_RETURN(rule.must_follow_reconsideration,
                              ReadOrder(table, "reconsideration", reconsideration, where));
  }
  if (id == RuleId::kLateRecording) {
    EVIDENCE_RETURN_IF_ERROR(ReadLateRecording(table, where, kinds, rule));
  }
  return rule;
}

// The stages the engine itself refers to must exist where it looks for them.
Status CheckEngineStages(const std::vector<KindInfo>& kinds) {
  const std::set<std::string> enforcement = StagesOfTrack(kinds, Track::kEnforcement);
  const std::set<std::string> reconsideration = StagesOfTrack(kinds, Track::kReconsideration);
  for (std::string_view stage : {"filing", "notification", "hearing_request", "hearing_notice",
                                 "hearing", "legal_review", "decision", "major_decision", "service",
                                 "publicity", "closing"}) {
    if (!enforcement.contains(std::string(stage))) {
      return tf::Invalid("kinds", "no kind of track enforcement has the stage " + std::string(stage));
    }
  }
  for (std::string_view stage :
       {"application", "acceptance", "refusal", "reply", "extension", "decision"}) {
    if (!reconsideration.contains(std::string(stage))) {
      return tf::Invalid("kinds",
                         "no kind of track reconsideration has the stage " + std::string(stage));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view RuleName(RuleId rule) { return kRuleNames[RuleIndex(rule)]; }

std::optional<RuleId> RuleFromName(std::string_view name) {
  for (RuleId rule : kAllRules) {
    if (RuleName(rule) == name) return rule;
  }
  return std::nullopt;
}

Result<RuleSet> RuleSet::Parse(std::string_view toml_text) {
  EVIDENCE_ASSIGN_OR_RETURN(toml::table root, tf::ParseText(toml_text, "supervision rules"));
  EVIDENCE_RETURN_IF_ERROR(tf::OnlyKeys(root, {"format", "utc_offset_minutes", "kinds", "rules"}, ""));
  EVIDENCE_ASSIGN_OR_RETURN(std::string format, tf::String(root, "format", ""));
  if (format != kFormat) return tf::Invalid("format", "must be \"" + std::string(kFormat) + "\"");
  RuleSet rules;
  EVIDENCE_ASSIGN_OR_RETURN(int64_t offset, tf::Integer(root, "utc_offset_minutes", -720, 840, ""));
  rules.utc_offset_minutes_ = static_cast<int>(offset);
  const toml::table* kinds = tf::Table(root, "kinds");
  if (kinds == nullptr) return tf::Invalid("kinds", "must be a table of [kinds.<kind>] tables");
  for (const auto& [kind, table] : *kinds) {
    if (!table.is_table()) return tf::Invalid("kinds." + std::string(kind.str()), "must be a table");
    EVIDENCE_ASSIGN_OR_RETURN(KindInfo info, ReadKind(kind.str(), *table.as_table()));
    rules.kinds_.push_back(std::move(info));
  }
  EVIDENCE_RETURN_IF_ERROR(CheckEngineStages(rules.kinds_));
  const toml::table* rule_tables = tf::Table(root, "rules");
  if (rule_tables == nullptr) return tf::Invalid("rules", "must be a table of [rules.<id>] tables");
  for (const auto& [name, table] : *rule_tables) {
    if (!RuleFromName(name.str())) {
      return tf::Invalid("rules." + std::string(name.str()), "is not a rule id");
    }
  }
  for (RuleId id : kAllRules) {
    const toml::table* table = tf::Table(*rule_tables, RuleName(id));
    if (table == nullptr) {
      return tf::Invalid("rules." + std::string(RuleName(id)),
                         "is missing (every rule needs its table; set enabled = false to turn it off)");
    }
    EVIDENCE_ASSIGN_OR_RETURN(rules.rules_[RuleIndex(id)], ReadRule(id, *table, rules.kinds_));
  }
  rules.sha256_hex_ = crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, toml_text));
  return rules;
}

Result<RuleSet> RuleSet::Load(const std::string& path) {
  EVIDENCE_ASSIGN_OR_RETURN(std::string text, tf::ReadFile(path, kRulesFileBytesMax));
  auto rules = Parse(text);
  if (!rules.ok()) return rules.status().WithContext(path);
  return rules;
}

std::string_view RuleSet::DefaultText() { return BuiltInRulesText(); }

const RuleSet& RuleSet::Default() {
  static const RuleSet* rules = [] {
    Result<RuleSet> parsed = Parse(BuiltInRulesText());
    EVIDENCE_CHECK_MSG(parsed.ok(), "the built-in configs/supervision-rules.toml does not parse");
    return new RuleSet(std::move(parsed).value());
  }();
  return *rules;
}

const KindInfo* RuleSet::FindKind(std::string_view kind) const {
  for (const KindInfo& info : kinds_) {
    if (info.kind == kind) return &info;
  }
  return nullptr;
}

Track RuleSet::TrackOf(std::string_view kind) const {
  const KindInfo* info = FindKind(kind);
  return info == nullptr ? Track::kNone : info->track;
}

Status RuleSet::CheckStage(std::string_view kind, std::string_view stage) const {
  const KindInfo* info = FindKind(kind);
  if (info == nullptr || stage == kStageUnspecified || stage == kStageOther) return Status::Ok();
  for (const StageInfo& known : info->stages) {
    if (known.id == stage) return Status::Ok();
  }
  return ledger::LedgerError(
      ledger::ErrorCode::kRecordUnknownStage,
      "stage \"" + std::string(stage.substr(0, limits::kStageBytesMax)) +
          "\" is not a stage of kind " + std::string(kind) + "; use one of: " + StageList(kind));
}

std::string RuleSet::StageList(std::string_view kind) const {
  std::string out;
  if (const KindInfo* info = FindKind(kind)) {
    for (const StageInfo& stage : info->stages) {
      out += stage.id + " (" + stage.label_zh + "), ";
    }
  }
  return out + std::string(kStageUnspecified) + ", " + std::string(kStageOther);
}

std::string_view RuleSet::StageLabelZh(std::string_view kind, std::string_view stage) const {
  if (const KindInfo* info = FindKind(kind)) {
    for (const StageInfo& known : info->stages) {
      if (known.id == stage) return known.label_zh;
    }
  }
  if (stage == kStageUnspecified) return "未指明";
  if (stage == kStageOther) return "其他";
  return "";
}

}  // namespace evidence::supervision
