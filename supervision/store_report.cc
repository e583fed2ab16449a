#include "supervision/store_report.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "common/check.h"
#include "common/time_text.h"
#include "ledger/vote.h"
#include "supervision/engine.h"

namespace evidence::supervision {
namespace {

// How often (in records) step 1 looks at the cancel flag; step 2 looks once a case.
constexpr size_t kCancelCheckEvery = 4096;

// Interns the few distinct kinds, stages and agencies of many records.
class Strings {
 public:
  uint32_t Intern(const std::string& text) {
    auto [it, added] = index_.emplace(text, static_cast<uint32_t>(texts_.size()));
    if (added) texts_.push_back(text);
    return it->second;
  }
  const std::string& Text(uint32_t index) const { return texts_.at(index); }

 private:
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<std::string> texts_;
};

struct CompactRecord {
  crypto::Digest id{};
  uint64_t leaf_index = 0;
  uint64_t height = 0;
  int64_t time_ms = 0;
  uint32_t kind = 0;
  uint32_t stage = 0;
  uint32_t agency = 0;
};

class TrailReader {
 public:
  explicit TrailReader(const ledger::Store& store) : store_(store) {}

  Result<CompactRecord> Read(uint64_t leaf_index, std::string* case_id) {
    EVIDENCE_ASSIGN_OR_RETURN(ledger::StoredRecord stored, store_.GetRecordAt(leaf_index));
    CompactRecord out;
    out.id = stored.id;
    out.leaf_index = leaf_index;
    out.height = stored.height;
    out.time_ms = stored.record.time_ms;
    out.kind = strings_.Intern(stored.record.kind);
    out.stage = strings_.Intern(stored.record.stage);
    out.agency = strings_.Intern(stored.record.agency);
    if (case_id != nullptr) *case_id = std::move(stored.record.case_id);
    return out;
  }

  Result<TrailRecord> Expand(const CompactRecord& record) {
    TrailRecord out;
    out.id = record.id;
    out.leaf_index = record.leaf_index;
    out.kind = strings_.Text(record.kind);
    out.stage = strings_.Text(record.stage);
    out.agency = strings_.Text(record.agency);
    out.time_ms = record.time_ms;
    EVIDENCE_ASSIGN_OR_RETURN(out.committed_ms, CommitTime(record.height));
    return out;
  }

 private:
  Result<int64_t> CommitTime(uint64_t height) {
    auto cached = commit_times_.find(height);
    if (cached != commit_times_.end()) return cached->second;
    EVIDENCE_ASSIGN_OR_RETURN(ledger::Commit commit, store_.GetCommit(height));
    const int64_t time = ledger::CommitMedianTimeMs(store_.genesis().validator_set(), commit);
    commit_times_.emplace(height, time);
    return time;
  }

  const ledger::Store& store_;
  Strings strings_;
  std::unordered_map<uint64_t, int64_t> commit_times_;
};

Status TooMany(const Status& status) {
  return Status::ResourceExhausted(status.message() +
                                   ": the period is too large for one report; narrow it or "
                                   "ask for one agency (agency=...)");
}

}  // namespace

Result<boost::json::object> BuildReportFromStore(const ledger::Store& store, const RuleSet& rules,
                                                 const WorkingCalendar& calendar,
                                                 const ReportRequest& request, int64_t as_of_ms,
                                                 const StoreReportOptions& options) {
  EVIDENCE_CHECK(request.from_day <= request.to_day);
  // Pin the log first: everything read below is at or before this head.
  const ledger::TreeHead head = store.head();
  const int offset = rules.utc_offset_minutes();
  const int64_t from_ms = StartOfCivilDayMs(request.from_day, offset);
  const int64_t to_ms = StartOfCivilDayMs(request.to_day + 1, offset);

  std::vector<std::string> agencies;
  if (request.agency) {
    agencies.push_back(*request.agency);
  } else {
    for (const ledger::GenesisAgency& agency : store.genesis().agencies()) {
      agencies.push_back(agency.id);
    }
  }
  // 1. The period's records, through the agency+time index.
  std::vector<uint64_t> period_leaves;
  for (const std::string& agency : agencies) {
    auto leaves = store.AgencyLeafIndexes(agency, from_ms, to_ms,
                                          options.period_records_max - period_leaves.size());
    if (!leaves.ok()) {
      return leaves.status().code() == StatusCode::kResourceExhausted ? TooMany(leaves.status())
                                                                       : leaves.status();
    }
    period_leaves.insert(period_leaves.end(), leaves->begin(), leaves->end());
  }
  std::sort(period_leaves.begin(), period_leaves.end());
  auto cancelled = [&options] {
    return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed);
  };
  const Status kCancelled = Status::Unavailable("the supervision report was cancelled: the node is stopping");
  TrailReader reader(store);
  std::vector<std::string> case_order;
  std::unordered_map<std::string, std::vector<CompactRecord>> cases;
  for (size_t i = 0; i < period_leaves.size(); ++i) {
    const uint64_t leaf = period_leaves[i];
    if (i % kCancelCheckEvery == 0 && cancelled()) return kCancelled;
    if (leaf >= head.size) continue;  // appended after the head was pinned
    std::string case_id;
    EVIDENCE_ASSIGN_OR_RETURN(CompactRecord record, reader.Read(leaf, &case_id));
    auto [it, added] = cases.try_emplace(case_id);
    if (added) case_order.push_back(case_id);
    it->second.push_back(record);
  }
  period_leaves = {};

  ReportBuilder builder(rules, calendar, request, {as_of_ms, store.genesis().genesis_time_ms()},
                        options.limits);
  for (const std::string& case_id : case_order) {
    if (cancelled()) return kCancelled;
    // 2. The whole trail through the case index; records read in step 1 are reused.
    std::vector<CompactRecord> known = std::move(cases[case_id]);
    cases.erase(case_id);
    std::unordered_map<uint64_t, const CompactRecord*> by_leaf;
    for (const CompactRecord& record : known) by_leaf.emplace(record.leaf_index, &record);
    auto leaves = store.CaseLeafIndexes(case_id, options.case_records_max);
    if (!leaves.ok()) {
      return leaves.status().code() == StatusCode::kResourceExhausted
                 ? Status::ResourceExhausted("case " + case_id + " has " +
                                             leaves.status().message())
                 : leaves.status();
    }
    CaseTrail trail;
    trail.case_id = case_id;
    for (uint64_t leaf : *leaves) {
      if (leaf >= head.size) continue;
      auto found = by_leaf.find(leaf);
      CompactRecord record;
      if (found != by_leaf.end()) {
        record = *found->second;
      } else {
        std::string own_case;
        EVIDENCE_ASSIGN_OR_RETURN(record, reader.Read(leaf, &own_case));
        // A damaged index entry could name another case's leaf (as Store::ScanIndex checks).
        if (own_case != case_id) {
          return Status::Corruption("the case index of " + case_id + " names leaf " +
                                    std::to_string(leaf) + ", a record of another case");
        }
      }
      // 3. Commit time, per height.
      EVIDENCE_ASSIGN_OR_RETURN(TrailRecord expanded, reader.Expand(record));
      trail.records.push_back(std::move(expanded));
    }
    if (trail.records.empty()) {
      return Status::Corruption("case " + case_id + " is in the agency index but not the case index");
    }
    builder.Add(trail, EvaluateCase(rules, calendar, trail, {as_of_ms, store.genesis().genesis_time_ms()}));
  }

  ReportSource source;
  source.chain_id = store.genesis().chain_id();
  source.height = head.height;
  source.tree_size = head.size;
  source.tree_root_hex = crypto::DigestHex(head.root);
  for (const ledger::GenesisAgency& agency : store.genesis().agencies()) {
    source.agency_names[agency.id] = agency.name;
  }
  return builder.Finish(source);
}

}  // namespace evidence::supervision
