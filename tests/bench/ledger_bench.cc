// Ledger benchmarks (issue 3): store append throughput with 1k- and 10k-record
// blocks, inclusion and consistency proofs at 10^6 records, audit speed as a
// ratio of this machine's signature-verify rate, and bytes on disk per record.
//
// Appends and proofs use records with placeholder signatures (the store does not
// verify signatures; validation does, and is measured by the audit benchmark with
// real Ed25519 signatures). Stores live under $TMPDIR and are removed at exit.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "ledger/audit.h"
#include "ledger/store.h"
#include "tests/ledger/test_chain.h"

namespace evidence::ledger {
namespace {

namespace fs = std::filesystem;
using testing::TestChain;

std::string TempDir(const std::string& name) {
  fs::path path = fs::temp_directory_path() / ("ledger-bench-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(path);
  return path.string();
}

uint64_t DirectoryBytes(const std::string& directory) {
  uint64_t total = 0;
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

// Records with a placeholder 64-byte signature: the shape and size of real ones.
std::vector<Record> FakeRecords(const TestChain& chain, uint64_t first_seed, size_t count) {
  std::vector<Record> records;
  records.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    Record r = chain.UnsignedRecord(i % 2, "(2026)鲁0831行罚" + std::to_string((first_seed + i) / 8) + "号",
                                    first_seed + i);
    r.sig.value.assign(64, static_cast<uint8_t>(i));
    records.push_back(std::move(r));
  }
  return records;
}

void AppendBlocks(benchmark::State& state) {
  const size_t per_block = static_cast<size_t>(state.range(0));
  TestChain chain;
  std::string directory = TempDir("append-" + std::to_string(per_block));
  auto store = Store::Open(directory, chain.genesis()).value();
  uint64_t seed = 0, records = 0;
  for (auto _ : state) {
    state.PauseTiming();
    TestChain::Step step = chain.Next(FakeRecords(chain, seed, per_block));
    seed += per_block;
    state.ResumeTiming();
    Status status = store->Append(step.block, step.commit);
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    records += per_block;
  }
  state.counters["records_per_s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  store.reset();
  state.counters["disk_bytes_per_record"] = static_cast<double>(DirectoryBytes(directory)) / records;
  fs::remove_all(directory);
}
BENCHMARK(AppendBlocks)->Arg(1000)->Iterations(30)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(AppendBlocks)->Arg(10000)->Iterations(5)->Unit(benchmark::kMillisecond)->UseRealTime();

// One store of 10^6 records (100 blocks of 10^4), built once.
struct MillionStore {
  MillionStore() : directory(TempDir("million")) {
    store = Store::Open(directory, chain.genesis()).value();
    for (uint64_t b = 0; b < 100; ++b) {
      TestChain::Step step = chain.Next(FakeRecords(chain, b * 10000, 10000));
      EVIDENCE_CHECK(store->Append(step.block, step.commit).ok());
    }
    bytes_on_disk = DirectoryBytes(directory);
  }
  ~MillionStore() {
    store.reset();
    fs::remove_all(directory);
  }
  TestChain chain;
  std::string directory;
  std::unique_ptr<Store> store;
  uint64_t bytes_on_disk = 0;
};

MillionStore& Million() {
  static MillionStore million;
  return million;
}

void InclusionProofAtMillion(benchmark::State& state) {
  Store& store = *Million().store;
  uint64_t size = store.head().size;
  std::mt19937_64 random(1);
  for (auto _ : state) {
    uint64_t index = random() % size;
    auto proof = store.InclusionProof(index, size);
    if (!proof.ok()) state.SkipWithError(proof.status().ToString().c_str());
    benchmark::DoNotOptimize(proof);
  }
  state.counters["tree_size"] = static_cast<double>(size);
  state.counters["disk_bytes_per_record"] = static_cast<double>(Million().bytes_on_disk) / size;
}
BENCHMARK(InclusionProofAtMillion)->Unit(benchmark::kMicrosecond);

void ConsistencyProofAtMillion(benchmark::State& state) {
  Store& store = *Million().store;
  uint64_t size = store.head().size;
  std::mt19937_64 random(2);
  for (auto _ : state) {
    uint64_t old_size = 1 + random() % (size - 1);
    auto proof = store.ConsistencyProof(old_size, size);
    if (!proof.ok()) state.SkipWithError(proof.status().ToString().c_str());
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(ConsistencyProofAtMillion)->Unit(benchmark::kMicrosecond);

// The look-up every gossiped record and every block leaf costs on every node:
// is this record id committed? Nearly always no, so the misses are what count.
void ContainsRecordMissAtMillion(benchmark::State& state) {
  Store& store = *Million().store;
  std::mt19937_64 random(3);
  for (auto _ : state) {
    crypto::Digest id;
    for (uint8_t& byte : id) byte = static_cast<uint8_t>(random());
    auto contains = store.ContainsRecord(id);
    if (!contains.ok() || *contains) state.SkipWithError("a random id was found");
    benchmark::DoNotOptimize(contains);
  }
}
BENCHMARK(ContainsRecordMissAtMillion)->Unit(benchmark::kMicrosecond);

// Audit of 20 blocks of 1000 really signed records, with the machine's
// Ed25519 verify rate measured in the same run.
void AuditSpeed(benchmark::State& state) {
  TestChain chain;
  std::string directory = TempDir("audit");
  {
    auto store = Store::Open(directory, chain.genesis()).value();
    for (uint64_t b = 0; b < 20; ++b) {
      std::vector<Record> records;
      for (uint64_t i = 0; i < 1000; ++i) records.push_back(chain.MakeRecord(i % 2, "case", b * 1000 + i));
      TestChain::Step step = chain.Next(records);
      EVIDENCE_CHECK(store->Append(step.block, step.commit).ok());
    }
  }
  Record sample = chain.MakeRecord(0, "case", 7);
  Bytes message = RecordSigningBytes(sample);
  const crypto::PublicKey& key = chain.agency_key(0).public_key();
  auto start = std::chrono::steady_clock::now();
  int verifies = 0;
  for (; verifies < 4000; ++verifies) benchmark::DoNotOptimize(key.Verify(message, sample.sig.value));
  double verify_per_s = verifies / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t records = 0;
  double seconds = 0;
  for (auto _ : state) {
    auto begin = std::chrono::steady_clock::now();
    AuditReport report = Audit(directory, chain.genesis());
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    if (!report.ok) state.SkipWithError(report.reason.c_str());
    records += report.records_checked;
  }
  double records_per_s = records / seconds;
  state.counters["records_per_s"] = records_per_s;
  state.counters["ed25519_verify_per_s"] = verify_per_s;
  // 1.0 would mean the audit runs as fast as signature verification alone allows.
  state.counters["ratio_to_verify_limit"] = records_per_s / verify_per_s;
  fs::remove_all(directory);
}
BENCHMARK(AuditSpeed)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace evidence::ledger
