// Supervision report benchmarks (issue 14): a report over a year of 100,000 case
// trails (about 800,000 records) read from a store through its indexes
// (agency+time, then case), and over one month of it. The store is built once
// per run from demo trails (supervision/demo.h: commit minutes to hours after
// each act, one block per hour, a few planted violations) under /dev/shm when it
// exists, and removed at exit. Counters: cases, records and findings per second.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "common/time_text.h"
#include "ledger/batch.h"
#include "ledger/store.h"
#include "supervision/demo.h"
#include "supervision/store_report.h"
#include "tests/ledger/test_chain.h"

namespace evidence::supervision {
namespace {

namespace fs = std::filesystem;

constexpr size_t kChunks = 10;
constexpr size_t kCasesPerChunk = 10'000;
constexpr int64_t kHourMs = 3'600'000;

int64_t At(const char* text) { return *ParseRfc3339Ms(text); }

class YearStore {
 public:
  static YearStore& Get() {
    static YearStore* store = new YearStore();
    return *store;
  }
  const ledger::Store& store() const { return *store_; }
  size_t records() const { return records_; }

 private:
  YearStore() : chain_(Options()) {
    const fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    directory_ = (base / ("supervision-bench-" + std::to_string(::getpid()))).string();
    fs::remove_all(directory_);
    store_ = ledger::Store::Open(directory_, chain_.genesis()).value();
    for (size_t chunk = 0; chunk < kChunks; ++chunk) AppendChunk(chunk);
    std::atexit([] { fs::remove_all(Get().directory_); });
  }

  static ledger::testing::TestChainOptions Options() {
    ledger::testing::TestChainOptions options;
    options.genesis_time_ms = At("2025-01-01T00:00:00+08:00");
    return options;
  }

  // One chunk of cases, committed in blocks of the records due in the same hour.
  void AppendChunk(size_t chunk) {
    DemoOptions options;
    options.agency = chain_.agency_id(0);
    options.cases = kCasesPerChunk;
    options.seed = chunk + 1;
    options.first_number = static_cast<uint32_t>(100'000 * (chunk + 1));
    options.plant = {{RuleId::kDecisionWithin90Days, 20}, {RuleId::kServiceWithin7WorkingDays, 20},
                     {RuleId::kReconsiderationReplyWithin17WorkingDays, 10}, {RuleId::kLateRecording, 10}};
    options.end_ms = At("2026-11-30T00:00:00+08:00");
    options.genesis_time_ms = chain_.genesis().genesis_time_ms();
    DemoPlan plan = PlanDemoCases(RuleSet::Default(), WorkingCalendar::Default(), options).value();
    std::multimap<int64_t, std::pair<const DemoCase*, const DemoRecord*>> by_commit;
    for (const DemoCase& demo : plan.cases) {
      for (const DemoRecord& record : demo.records) by_commit.emplace(record.commit_ms, std::pair(&demo, &record));
    }
    for (auto it = by_commit.begin(); it != by_commit.end();) {
      const int64_t hour = it->first / kHourMs;
      std::vector<ledger::Record> records;
      int64_t latest = it->first;
      for (; it != by_commit.end() && it->first / kHourMs == hour; ++it) {
        records.push_back(RecordOf(*it->second.first, *it->second.second));
        latest = it->first;
      }
      if (!ledger::SignBatch(chain_.hash(), chain_.agency_key(0), records).ok()) std::abort();
      ledger::Block block = chain_.MakeNextBlock(records);
      ledger::Commit commit = chain_.MakeCommit(block.header.height,
                                                ledger::BlockHash(chain_.hash(), block.header), latest - 3000);
      if (!store_->Append(block, commit).ok()) std::abort();
      chain_.Advance(block, commit);
      records_ += records.size();
    }
  }

  ledger::Record RecordOf(const DemoCase& demo, const DemoRecord& planned) const {
    ledger::Record record;
    record.chain_id = chain_.genesis().chain_id();
    record.kind = planned.kind;
    record.case_id = demo.case_id;
    record.stage = planned.stage;
    record.agency = chain_.agency_id(0);
    record.digest = ledger::FormatDocumentDigest(
        crypto::HashAlgorithm::kSha256, crypto::Hash(crypto::HashAlgorithm::kSha256, planned.content));
    record.size = planned.size;
    record.media_type = planned.media_type;
    record.title = planned.title;
    record.time_ms = planned.time_ms;
    return record;
  }

  ledger::testing::TestChain chain_;
  std::string directory_;
  std::unique_ptr<ledger::Store> store_;
  size_t records_ = 0;
};

void Report(benchmark::State& state, const char* from, const char* to) {
  const ledger::Store& store = YearStore::Get().store();
  const ReportRequest request{*ParseCivilDate(from), *ParseCivilDate(to), std::nullopt};
  int64_t cases = 0, records = 0, findings = 0;
  for (auto _ : state) {
    auto report = BuildReportFromStore(store, RuleSet::Default(), WorkingCalendar::Default(), request,
                                       At("2026-12-01T00:00:00+08:00"));
    if (!report.ok()) {
      state.SkipWithError(report.status().ToString().c_str());
      return;
    }
    const auto& totals = report->at("summary").at("totals");
    cases += totals.at("cases").to_number<int64_t>();
    records += totals.at("records").to_number<int64_t>();
    findings += report->at("findings_total").to_number<int64_t>();
    benchmark::DoNotOptimize(report);
  }
  state.counters["cases_per_report"] = static_cast<double>(cases) / state.iterations();
  state.counters["records_per_report"] = static_cast<double>(records) / state.iterations();
  state.counters["findings_per_report"] = static_cast<double>(findings) / state.iterations();
  state.counters["cases_per_second"] = benchmark::Counter(static_cast<double>(cases), benchmark::Counter::kIsRate);
  state.counters["records_per_second"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  state.counters["store_records"] = static_cast<double>(YearStore::Get().records());
}

void SupervisionReportYear100kCases(benchmark::State& state) { Report(state, "2025-11-01", "2026-11-30"); }
void SupervisionReportOneMonth(benchmark::State& state) { Report(state, "2026-06-01", "2026-06-30"); }

BENCHMARK(SupervisionReportYear100kCases)->Unit(benchmark::kSecond)->Iterations(2)->UseRealTime();
BENCHMARK(SupervisionReportOneMonth)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

}  // namespace
}  // namespace evidence::supervision
