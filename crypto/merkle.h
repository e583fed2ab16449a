// The RFC 6962 / RFC 9162 Merkle tree (Certificate Transparency hashing) over the
// chain's hash function:
//   empty tree root = H()
//   leaf hash       = H(0x00 || leaf)
//   interior node   = H(0x01 || left || right)
// Trees of any size n: the left subtree holds the largest power of two < n leaves.
//
// Provides roots, inclusion proofs (RFC 9162 §2.1.3) and consistency proofs
// (§2.1.4), making and checking them, and CompactRange: the append-only state
// of a growing log in O(log n) memory (the "frontier" of perfect subtrees).
//
// All arithmetic is on uint64_t sizes and indexes, without recursion; proofs and
// checks are correct for every size up to 2^64 - 1.
//
// Thread-safety: all functions are pure and thread-safe (each thread hashes with
// its own OpenSSL context). A CompactRange is not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "common/status.h"
#include "crypto/hash.h"

namespace evidence::crypto {

class MerkleHasher {
 public:
  explicit MerkleHasher(HashAlgorithm algorithm) : algorithm_(algorithm) {}
  HashAlgorithm algorithm() const { return algorithm_; }
  Digest EmptyRoot() const;
  Digest HashLeaf(ByteView leaf) const;
  Digest HashChildren(const Digest& left, const Digest& right) const;

 private:
  HashAlgorithm algorithm_;
};

// Root of the tree whose leaf hashes are given (in order).
Digest MerkleRoot(const MerkleHasher& hasher, std::span<const Digest> leaf_hashes);

// Inclusion proof for leaf `index` in the tree of the given leaf hashes.
// Requires index < leaf_hashes.size().
std::vector<Digest> MakeInclusionProof(const MerkleHasher& hasher,
                                       std::span<const Digest> leaf_hashes, uint64_t index);

// Consistency proof between the first `old_size` leaves and all of them.
// Requires old_size <= leaf_hashes.size(). Empty when old_size is 0 or equal.
std::vector<Digest> MakeConsistencyProof(const MerkleHasher& hasher,
                                         std::span<const Digest> leaf_hashes, uint64_t old_size);

// Same proofs computed from a source of subtree hashes (e.g. a store that keeps
// the nodes CompactRange::Append reports): `subtree(begin, end)` must return the
// root of leaves [begin, end).
//
// It is only ever asked for perfect, aligned subtrees: begin = k * 2^j and
// end = (k + 1) * 2^j <= size, i.e. the node at (level j, index k) exactly as
// CompactRange's on_node reported it when it completed (j = 0: a leaf hash). An
// incomplete subtree on the right edge of the tree is composed here from the
// perfect subtrees that tile it, so a store persists each complete node once and
// never stores anything that changes as the log grows.
//
// Calls: an inclusion proof asks for at most 2 * log2(size) nodes, a consistency
// proof at most 2 * log2(new_size) + 1 (each proof has at most one incomplete
// right-edge element, made of at most log2(size) perfect subtrees). An error from
// `subtree` is returned with the range as context.
using SubtreeHashFn = std::function<Result<Digest>(uint64_t begin, uint64_t end)>;
Result<std::vector<Digest>> MakeInclusionProof(const MerkleHasher& hasher,
                                               const SubtreeHashFn& subtree, uint64_t index,
                                               uint64_t size);
Result<std::vector<Digest>> MakeConsistencyProof(const MerkleHasher& hasher,
                                                 const SubtreeHashFn& subtree, uint64_t old_size,
                                                 uint64_t new_size);

// Number of hashes in the inclusion proof of leaf `index` in a tree of `size`
// leaves (requires index < size), and in the consistency proof from `old_size`
// to `new_size` (requires old_size <= new_size; 0 when old_size is 0 or equal).
uint64_t InclusionProofSize(uint64_t index, uint64_t size);
uint64_t ConsistencyProofSize(uint64_t old_size, uint64_t new_size);

// Checks (RFC 9162 §2.1.3.2 / §2.1.4.2). Return ok only when the proof holds;
// the error message says why not: kInvalidArgument when the claim cannot hold
// whatever the hashes (index >= size, old size > new size, wrong proof length),
// kCorruption when the hashes do not lead to the given root(s).
// Consistency from size 0 holds with an empty proof when old_root is H() (the
// empty tree's root); between equal sizes with an empty proof and equal roots.
Status VerifyInclusion(const MerkleHasher& hasher, const Digest& leaf_hash, uint64_t index,
                       uint64_t size, std::span<const Digest> proof, const Digest& root);
Status VerifyConsistency(const MerkleHasher& hasher, uint64_t old_size, const Digest& old_root,
                         uint64_t new_size, const Digest& new_root,
                         std::span<const Digest> proof);

// Root implied by an inclusion proof (for callers that compare it themselves);
// errors as VerifyInclusion for index >= size and a wrong proof length.
Result<Digest> RootFromInclusionProof(const MerkleHasher& hasher, const Digest& leaf_hash,
                                      uint64_t index, uint64_t size,
                                      std::span<const Digest> proof);

// Append-only Merkle accumulator: the roots of the perfect subtrees that make up
// a log of `size()` leaves, one per set bit of size, largest first.
class CompactRange {
 public:
  explicit CompactRange(MerkleHasher hasher) : hasher_(hasher) {}
  // Restores from a saved frontier; refuses a frontier whose length is not popcount(size).
  static Result<CompactRange> FromFrontier(MerkleHasher hasher, uint64_t size,
                                           std::vector<Digest> frontier);

  void Append(const Digest& leaf_hash);
  // Calls `on_node(level, index, hash)` for every perfect subtree completed by the
  // append, bottom up: level 0 = the leaf itself (index = its leaf index), then each
  // node (level, index) covering leaves [index * 2^level, (index + 1) * 2^level)
  // that this leaf completes. Lets a store persist every node once; these are the
  // nodes a SubtreeHashFn is asked for. Aborts if the log already has 2^64 - 1 leaves.
  void Append(const Digest& leaf_hash,
              const std::function<void(uint32_t level, uint64_t index, const Digest&)>& on_node);

  uint64_t size() const { return size_; }
  const std::vector<Digest>& frontier() const { return frontier_; }
  Digest Root() const;

 private:
  MerkleHasher hasher_;
  uint64_t size_ = 0;
  std::vector<Digest> frontier_;  // largest subtree first
};

}  // namespace evidence::crypto
