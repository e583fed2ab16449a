// RuleSet: the supervision rules file (configs/supervision-rules.toml, built in;
// a node may load another): the stage vocabulary of every record kind and the
// settings of each supervision rule, with its legal basis as text.
//
// The stage vocabulary is an admission rule for new submissions (CheckStage):
// records already in the log were accepted under older rules and stay valid, so
// nothing that checks blocks or receipts may call it.
//
// Rule ids (RuleName) are fixed and part of the report format; what each rule
// checks is in supervision/engine.h and docs/supervision.md. Every kind accepts
// the stages "unspecified" and "other" besides its own list.
//
// Parse checks the whole file: known keys only, every rule present with its
// required settings, limits within bounds, stage ids of the form [a-z_]{1,64},
// out-of-order and missing-stage groups naming stages of the track's kinds.
//
// Thread-safety: immutable after Parse; Default() is initialised once.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace evidence::supervision {

enum class RuleId : uint8_t {
  kDecisionWithin90Days,
  kLegalReviewBeforeMajorDecision,
  kServiceWithin7WorkingDays,
  kPublicityWithin7WorkingDays,
  kHearingRequestWithin5WorkingDays,
  kHearingNotice7WorkingDaysBefore,
  kReconsiderationAcceptanceWithin5WorkingDays,
  kReconsiderationReplyWithin17WorkingDays,
  kReconsiderationDecisionWithin60Days,
  kMissingStage,
  kOutOfOrder,
  kLateRecording,
};
inline constexpr size_t kRuleCount = 12;
inline constexpr std::array<RuleId, kRuleCount> kAllRules = {
    RuleId::kDecisionWithin90Days,
    RuleId::kLegalReviewBeforeMajorDecision,
    RuleId::kServiceWithin7WorkingDays,
    RuleId::kPublicityWithin7WorkingDays,
    RuleId::kHearingRequestWithin5WorkingDays,
    RuleId::kHearingNotice7WorkingDaysBefore,
    RuleId::kReconsiderationAcceptanceWithin5WorkingDays,
    RuleId::kReconsiderationReplyWithin17WorkingDays,
    RuleId::kReconsiderationDecisionWithin60Days,
    RuleId::kMissingStage,
    RuleId::kOutOfOrder,
    RuleId::kLateRecording,
};

// "decision_within_90_days", ...
std::string_view RuleName(RuleId rule);
std::optional<RuleId> RuleFromName(std::string_view name);
inline size_t RuleIndex(RuleId rule) { return static_cast<size_t>(rule); }

// Which rules look at a kind's records.
enum class Track { kEnforcement, kReconsideration, kNone };

inline constexpr std::string_view kStageUnspecified = "unspecified";
inline constexpr std::string_view kStageOther = "other";
inline constexpr size_t kStagesPerKindMax = 64;
inline constexpr size_t kRuleTextBytesMax = 4096;   // a title or a legal basis
inline constexpr int kRuleLimitDaysMax = 3650;
inline constexpr size_t kRulesFileBytesMax = 1 << 20;

struct StageInfo {
  std::string id;
  std::string label_zh;
  std::string label_en;
};

struct KindInfo {
  std::string kind;  // a record kind (ledger::IsRecordKind)
  std::string label_zh;
  std::string label_en;
  Track track = Track::kNone;
  std::vector<StageInfo> stages;  // without "unspecified" and "other"
};

// One of several stages: a group such as ["decision", "major_decision"].
using StageGroup = std::vector<std::string>;

struct RuleSettings {
  bool enabled = true;
  std::string title_zh;
  std::string title_en;
  std::string basis;  // the legal basis, quoted
  // Deadline rules.
  int limit_days = 0;
  int extended_limit_days = 0;       // reconsideration decision after an extension
  bool working_days = false;         // limit counted in working days, else calendar days
  bool roll_to_working_day = false;  // a calendar period ending on a rest day ends on the next working day
  bool flag_missing = true;          // an act still missing after its due day is a finding
  // missing_stage: one record of each group.
  std::vector<StageGroup> required;
  // out_of_order: per track, stage -> groups it must not precede.
  std::map<std::string, std::vector<StageGroup>> must_follow_enforcement;
  std::map<std::string, std::vector<StageGroup>> must_follow_reconsideration;
  // late_recording.
  int64_t late_after_ms = 0;
  std::map<std::string, int64_t> late_after_ms_by_stage;
  bool exempt_before_genesis = true;
};

class RuleSet {
 public:
  static Result<RuleSet> Parse(std::string_view toml_text);
  // Reads and parses a rules file (at most kRulesFileBytesMax); errors name it.
  static Result<RuleSet> Load(const std::string& path);
  // The built-in rules (configs/supervision-rules.toml at build time).
  static const RuleSet& Default();
  static std::string_view DefaultText();

  int utc_offset_minutes() const { return utc_offset_minutes_; }
  const std::vector<KindInfo>& kinds() const { return kinds_; }
  const KindInfo* FindKind(std::string_view kind) const;
  Track TrackOf(std::string_view kind) const;
  const RuleSettings& rule(RuleId id) const { return rules_[RuleIndex(id)]; }
  // Lower-case hex SHA-256 of the file's text (reports name the rules they used).
  const std::string& sha256_hex() const { return sha256_hex_; }

  // Ok when `stage` is in the vocabulary of `kind` (a kind the file does not list
  // accepts any stage); else record.unknown_stage naming the valid stages.
  Status CheckStage(std::string_view kind, std::string_view stage) const;
  // "filing (立案), investigation (调查取证), ..., unspecified, other".
  std::string StageList(std::string_view kind) const;
  // The Chinese label of a stage of a kind ("" when unknown).
  std::string_view StageLabelZh(std::string_view kind, std::string_view stage) const;

 private:
  int utc_offset_minutes_ = 480;
  std::vector<KindInfo> kinds_;
  std::array<RuleSettings, kRuleCount> rules_;
  std::string sha256_hex_;
};

}  // namespace evidence::supervision
