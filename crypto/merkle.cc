#include "crypto/merkle.h"

#include <algorithm>
#include <array>
#include <bit>
#include <optional>
#include <string>
#include <utility>

#include "common/check.h"

namespace evidence::crypto {
namespace {

// One reusable OpenSSL context per thread and algorithm: a Merkle tree hashes
// millions of 65-byte messages, and creating a context for each dominates.
Hasher& ThreadHasher(HashAlgorithm algorithm) {
  thread_local std::optional<Hasher> sha256;
  thread_local std::optional<Hasher> sm3;
  std::optional<Hasher>& slot = algorithm == HashAlgorithm::kSm3 ? sm3 : sha256;
  if (!slot) slot.emplace(algorithm);
  return *slot;
}

// A range of leaves [begin, end) of the tree.
struct LeafRange {
  uint64_t begin;
  uint64_t end;
};

// RFC 6962 split point of a (sub)tree of n >= 2 leaves: the largest power of two < n.
uint64_t SplitPoint(uint64_t n) {
  EVIDENCE_CHECK(n >= 2);
  return std::bit_floor(n - 1);
}

// The nodes of an inclusion proof (RFC 9162 §2.1.3.1 PATH), leaf side first: the
// siblings of the nodes on the path from leaf `index` up to the root.
//
// Every range [b, e) of the RFC tree has b a multiple of bit_ceil(e - b): it is
// either a perfect aligned subtree or sits on the right edge (e == size).
std::vector<LeafRange> InclusionRanges(uint64_t index, uint64_t size) {
  EVIDENCE_CHECK(index < size);
  std::vector<LeafRange> ranges;
  uint64_t begin = 0;
  uint64_t end = size;
  while (end - begin > 1) {
    uint64_t middle = begin + SplitPoint(end - begin);
    if (index < middle) {
      ranges.push_back({middle, end});
      end = middle;
    } else {
      ranges.push_back({begin, middle});
      begin = middle;
    }
  }
  std::reverse(ranges.begin(), ranges.end());
  return ranges;
}

// The nodes of a consistency proof (RFC 9162 §2.1.4.1 SUBPROOF), in proof order.
// Requires 0 < old_size < new_size.
std::vector<LeafRange> ConsistencyRanges(uint64_t old_size, uint64_t new_size) {
  EVIDENCE_CHECK(0 < old_size && old_size < new_size);
  std::vector<LeafRange> ranges;
  uint64_t begin = 0;
  uint64_t end = new_size;
  // True while the current range's old part is a root the verifier already holds
  // (the whole old tree): SUBPROOF's flag b.
  bool old_root_known = true;
  while (old_size != end) {
    uint64_t middle = begin + SplitPoint(end - begin);
    if (old_size <= middle) {
      ranges.push_back({middle, end});
      end = middle;
    } else {
      ranges.push_back({begin, middle});
      begin = middle;
      old_root_known = false;
    }
  }
  if (!old_root_known) ranges.push_back({begin, end});
  std::reverse(ranges.begin(), ranges.end());
  return ranges;
}

// Root of leaves [range.begin, range.end), a range of the RFC tree (see
// InclusionRanges), asking `subtree` only for perfect aligned subtrees: the range
// itself when perfect, else the perfect subtrees that tile it, largest first,
// folded from the right as RFC 6962 MTH does.
Result<Digest> HashRange(const MerkleHasher& hasher, const SubtreeHashFn& subtree,
                         LeafRange range) {
  EVIDENCE_CHECK(range.begin < range.end);
  std::array<Digest, 64> parts;
  size_t count = 0;
  for (uint64_t begin = range.begin; begin < range.end;) {
    uint64_t width = std::bit_floor(range.end - begin);
    EVIDENCE_CHECK(begin % width == 0);  // aligned: the range is a node of the RFC tree
    EVIDENCE_CHECK(count < parts.size());
    Result<Digest> part = subtree(begin, begin + width);
    if (!part.ok()) {
      return part.status().WithContext("subtree [" + std::to_string(begin) + ", " +
                                       std::to_string(begin + width) + ")");
    }
    parts[count++] = *part;
    begin += width;
  }
  Digest root = parts[count - 1];
  for (size_t i = count - 1; i-- > 0;) root = hasher.HashChildren(parts[i], root);
  return root;
}

Result<std::vector<Digest>> HashRanges(const MerkleHasher& hasher, const SubtreeHashFn& subtree,
                                       const std::vector<LeafRange>& ranges) {
  std::vector<Digest> proof;
  proof.reserve(ranges.size());
  for (const LeafRange& range : ranges) {
    EVIDENCE_ASSIGN_OR_RETURN(Digest hash, HashRange(hasher, subtree, range));
    proof.push_back(hash);
  }
  return proof;
}

// Serves subtree hashes straight from the leaf hashes (O(end - begin) each; the
// proofs ask for disjoint ranges, so a whole proof costs O(n)).
SubtreeHashFn SpanSubtrees(const MerkleHasher& hasher, std::span<const Digest> leaf_hashes) {
  return [&hasher, leaf_hashes](uint64_t begin, uint64_t end) -> Result<Digest> {
    EVIDENCE_CHECK(begin < end && end <= leaf_hashes.size());
    return MerkleRoot(hasher, leaf_hashes.subspan(begin, end - begin));
  };
}

std::string Hex(const Digest& digest) { return DigestHex(digest); }

}  // namespace

Digest MerkleHasher::EmptyRoot() const { return ThreadHasher(algorithm_).Finish(); }

Digest MerkleHasher::HashLeaf(ByteView leaf) const {
  Hasher& hasher = ThreadHasher(algorithm_);
  hasher.Update(uint8_t{0x00});
  hasher.Update(leaf);
  return hasher.Finish();
}

Digest MerkleHasher::HashChildren(const Digest& left, const Digest& right) const {
  std::array<uint8_t, 1 + 2 * kDigestBytes> message;
  message[0] = 0x01;
  std::copy(left.begin(), left.end(), message.begin() + 1);
  std::copy(right.begin(), right.end(), message.begin() + 1 + kDigestBytes);
  return ThreadHasher(algorithm_).Update(ByteView(message)).Finish();
}

Digest MerkleRoot(const MerkleHasher& hasher, std::span<const Digest> leaf_hashes) {
  CompactRange range(hasher);
  for (const Digest& leaf_hash : leaf_hashes) range.Append(leaf_hash);
  return range.Root();
}

uint64_t InclusionProofSize(uint64_t index, uint64_t size) {
  EVIDENCE_CHECK(index < size);
  // Levels below the node where the paths to `index` and to the last leaf split,
  // plus one left sibling per set bit of index above it (RFC 9162 §2.1.3.2).
  uint64_t inner = std::bit_width(index ^ (size - 1));
  uint64_t border = std::popcount(inner == 64 ? 0 : index >> inner);
  return inner + border;
}

uint64_t ConsistencyProofSize(uint64_t old_size, uint64_t new_size) {
  EVIDENCE_CHECK(old_size <= new_size);
  if (old_size == 0 || old_size == new_size) return 0;
  return ConsistencyRanges(old_size, new_size).size();
}

std::vector<Digest> MakeInclusionProof(const MerkleHasher& hasher,
                                       std::span<const Digest> leaf_hashes, uint64_t index) {
  EVIDENCE_CHECK(index < leaf_hashes.size());
  Result<std::vector<Digest>> proof =
      MakeInclusionProof(hasher, SpanSubtrees(hasher, leaf_hashes), index, leaf_hashes.size());
  EVIDENCE_CHECK(proof.ok());
  return std::move(proof).value();
}

std::vector<Digest> MakeConsistencyProof(const MerkleHasher& hasher,
                                         std::span<const Digest> leaf_hashes, uint64_t old_size) {
  EVIDENCE_CHECK(old_size <= leaf_hashes.size());
  Result<std::vector<Digest>> proof = MakeConsistencyProof(
      hasher, SpanSubtrees(hasher, leaf_hashes), old_size, leaf_hashes.size());
  EVIDENCE_CHECK(proof.ok());
  return std::move(proof).value();
}

Result<std::vector<Digest>> MakeInclusionProof(const MerkleHasher& hasher,
                                               const SubtreeHashFn& subtree, uint64_t index,
                                               uint64_t size) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is not in a tree of " + std::to_string(size) + " leaves");
  }
  return HashRanges(hasher, subtree, InclusionRanges(index, size));
}

Result<std::vector<Digest>> MakeConsistencyProof(const MerkleHasher& hasher,
                                                 const SubtreeHashFn& subtree, uint64_t old_size,
                                                 uint64_t new_size) {
  if (old_size > new_size) {
    return Status::InvalidArgument("old tree size " + std::to_string(old_size) +
                                   " is larger than new tree size " + std::to_string(new_size));
  }
  if (old_size == 0 || old_size == new_size) return std::vector<Digest>{};
  return HashRanges(hasher, subtree, ConsistencyRanges(old_size, new_size));
}

Result<Digest> RootFromInclusionProof(const MerkleHasher& hasher, const Digest& leaf_hash,
                                      uint64_t index, uint64_t size,
                                      std::span<const Digest> proof) {
  if (index >= size) {
    return Status::InvalidArgument("leaf index " + std::to_string(index) +
                                   " is not in a tree of " + std::to_string(size) +
                                   " leaves (the index must be less than the size)");
  }
  uint64_t expected = InclusionProofSize(index, size);
  if (proof.size() != expected) {
    return Status::InvalidArgument(
        "wrong inclusion proof length: got " + std::to_string(proof.size()) +
        " hashes, leaf " + std::to_string(index) + " of a tree of " + std::to_string(size) +
        " leaves needs exactly " + std::to_string(expected));
  }
  // RFC 9162 §2.1.3.2, steps 2-5.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Digest root = leaf_hash;
  for (const Digest& sibling : proof) {
    EVIDENCE_CHECK(sn != 0);  // impossible once the length is exact
    if ((fn & 1) != 0 || fn == sn) {
      root = hasher.HashChildren(sibling, root);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      root = hasher.HashChildren(root, sibling);
    }
    fn >>= 1;
    sn >>= 1;
  }
  EVIDENCE_CHECK(sn == 0);
  return root;
}

Status VerifyInclusion(const MerkleHasher& hasher, const Digest& leaf_hash, uint64_t index,
                       uint64_t size, std::span<const Digest> proof, const Digest& root) {
  EVIDENCE_ASSIGN_OR_RETURN(Digest computed,
                            RootFromInclusionProof(hasher, leaf_hash, index, size, proof));
  if (computed != root) {
    return Status::Corruption("root mismatch: the inclusion proof of leaf " +
                              std::to_string(index) + " leads to root " + Hex(computed) +
                              ", expected " + Hex(root));
  }
  return Status::Ok();
}

namespace {

// VerifyConsistency when one of the trees is trivial (old empty, or both equal).
Status VerifyTrivialConsistency(const MerkleHasher& hasher, uint64_t old_size,
                                const Digest& old_root, uint64_t new_size, const Digest& new_root,
                                std::span<const Digest> proof) {
  if (!proof.empty()) {
    return Status::InvalidArgument(
        "wrong consistency proof length: got " + std::to_string(proof.size()) + " hashes, from " +
        std::to_string(old_size) + " to " + std::to_string(new_size) + " leaves needs exactly 0");
  }
  if (old_size == 0 && old_root != hasher.EmptyRoot()) {
    return Status::Corruption("root mismatch: the root of the empty tree is " +
                              Hex(hasher.EmptyRoot()) + ", got old root " + Hex(old_root));
  }
  if (old_size == new_size && old_root != new_root) {
    return Status::Corruption("root mismatch: two trees of the same size " +
                              std::to_string(old_size) + " have different roots " +
                              Hex(old_root) + " and " + Hex(new_root));
  }
  return Status::Ok();
}

}  // namespace

Status VerifyConsistency(const MerkleHasher& hasher, uint64_t old_size, const Digest& old_root,
                         uint64_t new_size, const Digest& new_root,
                         std::span<const Digest> proof) {
  if (old_size > new_size) {
    return Status::InvalidArgument("old tree size " + std::to_string(old_size) +
                                   " is larger than new tree size " + std::to_string(new_size));
  }
  if (old_size == 0 || old_size == new_size) {
    return VerifyTrivialConsistency(hasher, old_size, old_root, new_size, new_root, proof);
  }
  uint64_t expected = ConsistencyProofSize(old_size, new_size);
  if (proof.size() != expected) {
    return Status::InvalidArgument(
        "wrong consistency proof length: got " + std::to_string(proof.size()) + " hashes, from " +
        std::to_string(old_size) + " to " + std::to_string(new_size) + " leaves needs exactly " +
        std::to_string(expected));
  }
  // RFC 9162 §2.1.4.2. When old_size is a power of two the old root is the
  // implicit first element of the path.
  bool old_is_perfect = std::has_single_bit(old_size);
  std::span<const Digest> rest = old_is_perfect ? proof : proof.subspan(1);
  Digest old_computed = old_is_perfect ? old_root : proof[0];
  Digest new_computed = old_computed;
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  for (const Digest& node : rest) {
    EVIDENCE_CHECK(sn != 0);  // impossible once the length is exact
    if ((fn & 1) != 0 || fn == sn) {
      old_computed = hasher.HashChildren(node, old_computed);
      new_computed = hasher.HashChildren(node, new_computed);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      new_computed = hasher.HashChildren(new_computed, node);
    }
    fn >>= 1;
    sn >>= 1;
  }
  EVIDENCE_CHECK(sn == 0);
  if (old_computed != old_root) {
    return Status::Corruption("old root mismatch: the consistency proof leads to " +
                              Hex(old_computed) + " for size " + std::to_string(old_size) +
                              ", expected " + Hex(old_root));
  }
  if (new_computed != new_root) {
    return Status::Corruption("new root mismatch: the consistency proof leads to " +
                              Hex(new_computed) + " for size " + std::to_string(new_size) +
                              ", expected " + Hex(new_root));
  }
  return Status::Ok();
}

Result<CompactRange> CompactRange::FromFrontier(MerkleHasher hasher, uint64_t size,
                                                std::vector<Digest> frontier) {
  uint64_t expected = std::popcount(size);
  if (frontier.size() != expected) {
    return Status::InvalidArgument("a frontier of a log of " + std::to_string(size) +
                                   " leaves has " + std::to_string(expected) + " hashes, got " +
                                   std::to_string(frontier.size()));
  }
  CompactRange range(hasher);
  range.size_ = size;
  range.frontier_ = std::move(frontier);
  return range;
}

void CompactRange::Append(const Digest& leaf_hash) { Append(leaf_hash, nullptr); }

void CompactRange::Append(
    const Digest& leaf_hash,
    const std::function<void(uint32_t level, uint64_t index, const Digest&)>& on_node) {
  EVIDENCE_CHECK_MSG(size_ != UINT64_MAX, "a Merkle log holds at most 2^64 - 1 leaves");
  Digest node = leaf_hash;
  uint32_t level = 0;
  uint64_t index = size_;
  if (on_node) on_node(level, index, node);
  // Each set low bit of the old size is a perfect subtree to the left that the
  // new node completes into its parent.
  while ((index & 1) != 0) {
    EVIDENCE_CHECK(!frontier_.empty());
    node = hasher_.HashChildren(frontier_.back(), node);
    frontier_.pop_back();
    index >>= 1;
    ++level;
    if (on_node) on_node(level, index, node);
  }
  frontier_.push_back(node);
  ++size_;
  EVIDENCE_CHECK(frontier_.size() == static_cast<size_t>(std::popcount(size_)));
}

Digest CompactRange::Root() const {
  if (frontier_.empty()) return hasher_.EmptyRoot();
  Digest root = frontier_.back();
  for (size_t i = frontier_.size() - 1; i-- > 0;) root = hasher_.HashChildren(frontier_[i], root);
  return root;
}

}  // namespace evidence::crypto
