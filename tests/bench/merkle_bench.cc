// The Merkle log as the node uses it: roots of large trees, appends to the
// CompactRange that each committed block extends, and inclusion / consistency
// proofs served from persisted perfect subtrees (modelled by an in-memory node
// table filled by CompactRange's on_node, the way the store fills LevelDB), and
// verification. Each tree node costs one hash of 65 bytes: compare the rates with
// `openssl speed -bytes 64 sha256` on the same machine.
#include <benchmark/benchmark.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "common/check.h"
#include "crypto/merkle.h"

namespace evidence::crypto {
namespace {

constexpr uint64_t kProofTreeSize = 1'000'000;

std::vector<Digest> LeafHashes(const MerkleHasher& hasher, uint64_t count) {
  std::vector<Digest> leaves;
  leaves.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    leaves.push_back(hasher.HashLeaf(AsBytes("record " + std::to_string(i))));
  }
  return leaves;
}

const std::vector<Digest>& Leaves(HashAlgorithm algorithm) {
  static const std::vector<Digest> sha256 =
      LeafHashes(MerkleHasher(HashAlgorithm::kSha256), kProofTreeSize);
  static const std::vector<Digest> sm3 =
      LeafHashes(MerkleHasher(HashAlgorithm::kSm3), kProofTreeSize);
  return algorithm == HashAlgorithm::kSm3 ? sm3 : sha256;
}

// Every perfect subtree of the 10^6-leaf tree, keyed by (level, index).
class NodeTable {
 public:
  NodeTable() : range_(MerkleHasher(HashAlgorithm::kSha256)) {
    nodes_.reserve(2 * kProofTreeSize);
    for (const Digest& leaf : Leaves(HashAlgorithm::kSha256)) {
      range_.Append(leaf, [this](uint32_t level, uint64_t index, const Digest& hash) {
        nodes_.emplace(Key(level, index), hash);
      });
    }
  }

  SubtreeHashFn Serve() const {
    return [this](uint64_t begin, uint64_t end) -> Result<Digest> {
      uint32_t level = std::countr_zero(end - begin);
      auto found = nodes_.find(Key(level, begin >> level));
      if (found == nodes_.end()) return Status::NotFound("node not stored");
      return found->second;
    };
  }
  Digest Root(uint64_t size) const {
    return MerkleRoot(range_hasher_, std::span(Leaves(HashAlgorithm::kSha256)).first(size));
  }

 private:
  static uint64_t Key(uint32_t level, uint64_t index) {
    return (static_cast<uint64_t>(level) << 56) | index;
  }
  CompactRange range_;
  MerkleHasher range_hasher_{HashAlgorithm::kSha256};
  std::unordered_map<uint64_t, Digest> nodes_;
};

const NodeTable& Table() {
  static const NodeTable table;
  return table;
}

void BM_MerkleRoot(benchmark::State& state, HashAlgorithm algorithm) {
  const MerkleHasher hasher(algorithm);
  std::span<const Digest> leaves =
      std::span(Leaves(algorithm)).first(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    Digest root = MerkleRoot(hasher, leaves);
    benchmark::DoNotOptimize(root);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
  state.SetLabel("items = leaves");
}
BENCHMARK_CAPTURE(BM_MerkleRoot, sha256, HashAlgorithm::kSha256)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MerkleRoot, sm3, HashAlgorithm::kSm3)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

// Appends with (range(0) == 1) and without a node callback; the callback stores
// each node the way a block's WriteBatch would collect them.
void BM_CompactRangeAppend(benchmark::State& state) {
  const MerkleHasher hasher(HashAlgorithm::kSha256);
  const std::vector<Digest>& leaves = Leaves(HashAlgorithm::kSha256);
  const bool collect = state.range(0) == 1;
  CompactRange range(hasher);
  std::vector<Digest> batch;
  batch.reserve(1024);
  auto on_node = [&batch](uint32_t, uint64_t, const Digest& hash) {
    if (batch.size() == batch.capacity()) batch.clear();
    batch.push_back(hash);
  };
  size_t next = 0;
  for (auto _ : state) {
    if (collect) {
      range.Append(leaves[next], on_node);
    } else {
      range.Append(leaves[next]);
    }
    next = next + 1 == leaves.size() ? 0 : next + 1;
  }
  benchmark::DoNotOptimize(range.Root());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel(collect ? "appends, nodes collected" : "appends");
}
BENCHMARK(BM_CompactRangeAppend)->Arg(0)->Arg(1);

// Indexes spread over the whole tree.
uint64_t Spread(uint64_t i, uint64_t size) { return (i * 7'919 + 13) % size; }

void BM_InclusionProofFromNodes(benchmark::State& state) {
  const MerkleHasher hasher(HashAlgorithm::kSha256);
  const SubtreeHashFn subtree = Table().Serve();
  uint64_t i = 0;
  for (auto _ : state) {
    auto proof = MakeInclusionProof(hasher, subtree, Spread(i++, kProofTreeSize), kProofTreeSize);
    EVIDENCE_CHECK(proof.ok());
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel("proofs, 10^6 leaves");
}
BENCHMARK(BM_InclusionProofFromNodes);

void BM_ConsistencyProofFromNodes(benchmark::State& state) {
  const MerkleHasher hasher(HashAlgorithm::kSha256);
  const SubtreeHashFn subtree = Table().Serve();
  uint64_t i = 0;
  for (auto _ : state) {
    uint64_t old_size = 1 + Spread(i++, kProofTreeSize - 1);
    auto proof = MakeConsistencyProof(hasher, subtree, old_size, kProofTreeSize);
    EVIDENCE_CHECK(proof.ok());
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel("proofs, 10^6 leaves");
}
BENCHMARK(BM_ConsistencyProofFromNodes);

constexpr size_t kVerifyCases = 256;

void BM_VerifyInclusion(benchmark::State& state) {
  const MerkleHasher hasher(HashAlgorithm::kSha256);
  const Digest root = Table().Root(kProofTreeSize);
  std::vector<std::pair<uint64_t, std::vector<Digest>>> cases;
  for (size_t i = 0; i < kVerifyCases; ++i) {
    uint64_t index = Spread(i, kProofTreeSize);
    cases.emplace_back(index, *MakeInclusionProof(hasher, Table().Serve(), index, kProofTreeSize));
  }
  const std::vector<Digest>& leaves = Leaves(HashAlgorithm::kSha256);
  size_t i = 0;
  for (auto _ : state) {
    const auto& [index, proof] = cases[i++ % kVerifyCases];
    EVIDENCE_CHECK(VerifyInclusion(hasher, leaves[index], index, kProofTreeSize, proof, root).ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel("verifications, 10^6 leaves");
}
BENCHMARK(BM_VerifyInclusion);

void BM_VerifyConsistency(benchmark::State& state) {
  const MerkleHasher hasher(HashAlgorithm::kSha256);
  const Digest new_root = Table().Root(kProofTreeSize);
  struct Case {
    uint64_t old_size;
    Digest old_root;
    std::vector<Digest> proof;
  };
  std::vector<Case> cases;
  for (size_t i = 0; i < kVerifyCases / 8; ++i) {  // old roots cost O(n) each to set up
    uint64_t old_size = 1 + Spread(i, kProofTreeSize - 1);
    cases.push_back({old_size, Table().Root(old_size),
                     *MakeConsistencyProof(hasher, Table().Serve(), old_size, kProofTreeSize)});
  }
  size_t i = 0;
  for (auto _ : state) {
    const Case& test = cases[i++ % cases.size()];
    EVIDENCE_CHECK(VerifyConsistency(hasher, test.old_size, test.old_root, kProofTreeSize,
                                     new_root, test.proof)
                       .ok());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel("verifications, 10^6 leaves");
}
BENCHMARK(BM_VerifyConsistency);

}  // namespace
}  // namespace evidence::crypto
