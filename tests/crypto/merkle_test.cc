#include "crypto/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "common/encoding.h"

namespace evidence::crypto {
namespace {

const MerkleHasher kSha256Hasher(HashAlgorithm::kSha256);

// ---------------------------------------------------------------------------
// Reference: RFC 6962 §2.1 written out literally (recursive, over the leaf
// hashes; MTH of one leaf is its leaf hash). MTH results are memoised by range
// only to keep the exhaustive tests fast; the definitions are unchanged.
// ---------------------------------------------------------------------------
class ReferenceTree {
 public:
  ReferenceTree(MerkleHasher hasher, std::vector<Digest> leaf_hashes)
      : hasher_(hasher), leaves_(std::move(leaf_hashes)) {}

  // The largest power of two smaller than n (n > 1).
  static uint64_t K(uint64_t n) {
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  // MTH(D[begin:end]).
  Digest Mth(uint64_t begin, uint64_t end) {
    if (begin == end) return hasher_.EmptyRoot();
    if (end - begin == 1) return leaves_.at(begin);
    auto found = memo_.find({begin, end});
    if (found != memo_.end()) return found->second;
    uint64_t k = K(end - begin);
    Digest hash = hasher_.HashChildren(Mth(begin, begin + k), Mth(begin + k, end));
    memo_[{begin, end}] = hash;
    return hash;
  }

  // PATH(m, D[begin:end]) (RFC 6962 §2.1.1), m relative to begin.
  std::vector<Digest> Path(uint64_t m, uint64_t begin, uint64_t end) {
    uint64_t n = end - begin;
    if (n == 1) return {};
    uint64_t k = K(n);
    std::vector<Digest> path;
    if (m < k) {
      path = Path(m, begin, begin + k);
      path.push_back(Mth(begin + k, end));
    } else {
      path = Path(m - k, begin + k, end);
      path.push_back(Mth(begin, begin + k));
    }
    return path;
  }

  // SUBPROOF(m, D[begin:end], b) (RFC 6962 §2.1.2), m relative to begin.
  std::vector<Digest> Subproof(uint64_t m, uint64_t begin, uint64_t end, bool b) {
    uint64_t n = end - begin;
    if (m == n) return b ? std::vector<Digest>{} : std::vector<Digest>{Mth(begin, end)};
    uint64_t k = K(n);
    std::vector<Digest> proof;
    if (m <= k) {
      proof = Subproof(m, begin, begin + k, b);
      proof.push_back(Mth(begin + k, end));
    } else {
      proof = Subproof(m - k, begin + k, end, false);
      proof.push_back(Mth(begin, begin + k));
    }
    return proof;
  }

  // PROOF(m, D[n]); RFC 6962 defines it for 0 < m < n, we take it as empty otherwise.
  std::vector<Digest> Proof(uint64_t m, uint64_t n) {
    if (m == 0 || m == n) return {};
    return Subproof(m, 0, n, true);
  }

  const std::vector<Digest>& leaves() const { return leaves_; }

 private:
  MerkleHasher hasher_;
  std::vector<Digest> leaves_;
  std::map<std::pair<uint64_t, uint64_t>, Digest> memo_;
};

// Which side each inclusion-path element goes on ('R' = right of the running
// hash, 'L' = left), leaf first: a verifier given (m, n) computes exactly this.
std::string PathShape(uint64_t m, uint64_t n) {
  if (n == 1) return "";
  uint64_t k = ReferenceTree::K(n);
  return m < k ? PathShape(m, k) + "R" : PathShape(m - k, n - k) + "L";
}

// The role of each consistency-proof element: 'T' the old subtree itself, 'R' a
// right sibling (new root only), 'L' a left sibling (both roots). A leading '*'
// marks that the old root seeds the computation (no 'T').
std::string SubproofShape(uint64_t m, uint64_t n, bool b) {
  if (m == n) return b ? "*" : "T";
  uint64_t k = ReferenceTree::K(n);
  return m <= k ? SubproofShape(m, k, b) + "R" : SubproofShape(m - k, n - k, false) + "L";
}
std::string ConsistencyShape(uint64_t m, uint64_t n) {
  if (m == 0 || m == n) return "";
  return SubproofShape(m, n, true);
}

// Distinct, deterministic leaf hashes.
std::vector<Digest> MakeLeafHashes(const MerkleHasher& hasher, uint64_t count) {
  std::vector<Digest> leaves;
  for (uint64_t i = 0; i < count; ++i) leaves.push_back(hasher.HashLeaf(AsBytes(std::to_string(i))));
  return leaves;
}

// A node table filled by CompactRange's on_node, served as a SubtreeHashFn for a
// tree of `size` leaves; it fails the test on any request that is not a perfect,
// aligned subtree inside the tree, and counts requests.
class NodeTable {
 public:
  explicit NodeTable(const std::vector<Digest>& leaves) : range_(kSha256Hasher) {
    for (const Digest& leaf : leaves) {
      range_.Append(leaf, [this](uint32_t level, uint64_t index, const Digest& hash) {
        nodes_[{level, index}] = hash;
      });
    }
  }

  SubtreeHashFn Serve(uint64_t size) {
    return [this, size](uint64_t begin, uint64_t end) -> Result<Digest> {
      ++calls_;
      EXPECT_LT(begin, end);
      EXPECT_LE(end, size) << "asked for a node beyond the tree";
      uint64_t width = end - begin;
      EXPECT_TRUE(std::has_single_bit(width)) << "[" << begin << ", " << end << ") is not perfect";
      EXPECT_EQ(begin % width, 0u) << "[" << begin << ", " << end << ") is not aligned";
      uint32_t level = std::countr_zero(width);
      auto found = nodes_.find({level, begin >> level});
      if (found == nodes_.end()) return Status::NotFound("no such node");
      return found->second;
    };
  }

  uint64_t calls() const { return calls_; }
  void ResetCalls() { calls_ = 0; }

 private:
  CompactRange range_;
  std::map<std::pair<uint32_t, uint64_t>, Digest> nodes_;
  uint64_t calls_ = 0;
};

Digest Flip(Digest digest, size_t byte) {
  digest[byte % kDigestBytes] ^= 0x01;
  return digest;
}

// ---------------------------------------------------------------------------
// Hashing basics.
// ---------------------------------------------------------------------------
TEST(MerkleTest, HasherDomainSeparation) {
  Digest left = kSha256Hasher.HashLeaf(AsBytes("a"));
  Digest right = kSha256Hasher.HashLeaf(AsBytes("b"));
  EXPECT_EQ(kSha256Hasher.EmptyRoot(), Hash(HashAlgorithm::kSha256, std::string_view()));
  EXPECT_EQ(left, Hash(HashAlgorithm::kSha256, std::string_view("\x00" "a", 2)));
  std::string node = "\x01";
  node.append(reinterpret_cast<const char*>(left.data()), left.size());
  node.append(reinterpret_cast<const char*>(right.data()), right.size());
  EXPECT_EQ(kSha256Hasher.HashChildren(left, right), Hash(HashAlgorithm::kSha256, node));
  EXPECT_EQ(MerkleRoot(kSha256Hasher, {}), kSha256Hasher.EmptyRoot());
}

TEST(MerkleTest, Sm3TreeSmoke) {
  MerkleHasher sm3(HashAlgorithm::kSm3);
  EXPECT_EQ(sm3.algorithm(), HashAlgorithm::kSm3);
  EXPECT_EQ(DigestHex(sm3.EmptyRoot()),
            "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
  EXPECT_EQ(sm3.HashLeaf(AsBytes("abc")), Hash(HashAlgorithm::kSm3, std::string_view("\0abc", 4)));
  std::vector<Digest> leaves = MakeLeafHashes(sm3, 7);
  ReferenceTree reference(sm3, leaves);
  Digest root = MerkleRoot(sm3, leaves);
  EXPECT_EQ(root, reference.Mth(0, 7));
  EXPECT_NE(root, MerkleRoot(kSha256Hasher, MakeLeafHashes(kSha256Hasher, 7)));
  for (uint64_t i = 0; i < 7; ++i) {
    EXPECT_TRUE(VerifyInclusion(sm3, leaves[i], i, 7, MakeInclusionProof(sm3, leaves, i), root).ok());
  }
  std::vector<Digest> proof = MakeConsistencyProof(sm3, leaves, 3);
  EXPECT_TRUE(VerifyConsistency(sm3, 3, reference.Mth(0, 3), 7, root, proof).ok());
  // A SHA-256 verifier refuses the SM3 proof.
  EXPECT_FALSE(VerifyConsistency(kSha256Hasher, 3, reference.Mth(0, 3), 7, root, proof).ok());
}

// ---------------------------------------------------------------------------
// RFC 6962 vectors (transparency-dev/merkle).
// ---------------------------------------------------------------------------
boost::json::value LoadVectors() {
  std::ifstream in(std::string(EVIDENCE_VECTORS_DIR) + "/rfc6962-transparency-dev.json",
                   std::ios::binary);
  EXPECT_TRUE(in) << "cannot open rfc6962-transparency-dev.json";
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return boost::json::parse(buffer.str());
}

Digest HexDigest(const boost::json::value& value) {
  Result<Digest> digest = DigestFromHex(value.as_string());
  EVIDENCE_CHECK_MSG(digest.ok(), "bad digest in vector file");
  return *digest;
}

std::vector<Digest> HexDigests(const boost::json::value& value) {
  std::vector<Digest> digests;
  for (const boost::json::value& item : value.as_array()) digests.push_back(HexDigest(item));
  return digests;
}

// Proofs derived from a valid one that must all be refused: a flipped byte in
// each element, one element dropped (first, last) or added (front, back).
std::vector<std::vector<Digest>> TamperedProofs(const std::vector<Digest>& proof) {
  std::vector<std::vector<Digest>> tampered;
  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<Digest> copy = proof;
    copy[i] = Flip(copy[i], i * 7);
    tampered.push_back(copy);
  }
  if (!proof.empty()) {
    tampered.emplace_back(proof.begin() + 1, proof.end());
    tampered.emplace_back(proof.begin(), proof.end() - 1);
  }
  std::vector<Digest> longer = proof;
  longer.push_back(kSha256Hasher.EmptyRoot());
  tampered.push_back(longer);
  longer = proof;
  longer.insert(longer.begin(), kSha256Hasher.EmptyRoot());
  tampered.push_back(longer);
  return tampered;
}

TEST(MerkleVectorsTest, Roots) {
  boost::json::value vectors = LoadVectors();
  const boost::json::array& cases = vectors.at("roots").as_array();
  size_t checked = 0;
  for (const boost::json::value& test : cases) {
    std::vector<Digest> leaf_hashes;
    for (const boost::json::value& leaf : test.at("leaves").as_array()) {
      Result<Bytes> data = HexDecode(leaf.as_string());
      ASSERT_TRUE(data.ok());
      leaf_hashes.push_back(kSha256Hasher.HashLeaf(*data));
    }
    Digest expected = HexDigest(test.at("root"));
    EXPECT_EQ(MerkleRoot(kSha256Hasher, leaf_hashes), expected) << leaf_hashes.size() << " leaves";
    CompactRange range(kSha256Hasher);
    for (const Digest& leaf : leaf_hashes) range.Append(leaf);
    EXPECT_EQ(range.Root(), expected);
    ++checked;
  }
  std::printf("rfc6962 vectors: roots %zu of %zu checked\n", checked, cases.size());
  EXPECT_GT(checked, 0u);
  EXPECT_EQ(checked, cases.size()) << "a root vector was skipped";
}

// The 8-leaf tree of the vector file, to regenerate the vector proofs.
std::vector<Digest> VectorLeafHashes(const boost::json::value& vectors) {
  const boost::json::array& roots = vectors.at("roots").as_array();
  std::vector<Digest> leaf_hashes;
  for (const boost::json::value& leaf : roots.back().at("leaves").as_array()) {
    leaf_hashes.push_back(kSha256Hasher.HashLeaf(*HexDecode(leaf.as_string())));
  }
  return leaf_hashes;
}

TEST(MerkleVectorsTest, Inclusion) {
  boost::json::value vectors = LoadVectors();
  std::vector<Digest> tree = VectorLeafHashes(vectors);
  const boost::json::array& cases = vectors.at("inclusion").as_array();
  size_t valid = 0, invalid = 0, tampered_refused = 0;
  for (const boost::json::value& test : cases) {
    Digest leaf_hash = HexDigest(test.at("leaf_hash"));
    uint64_t index = test.at("index").to_number<uint64_t>();
    uint64_t size = test.at("size").to_number<uint64_t>();
    Digest root = HexDigest(test.at("root"));
    std::vector<Digest> proof = HexDigests(test.at("proof"));
    std::string name = "inclusion index " + std::to_string(index) + " size " + std::to_string(size);
    Status status = VerifyInclusion(kSha256Hasher, leaf_hash, index, size, proof, root);
    if (!test.at("valid").as_bool()) {
      EXPECT_FALSE(status.ok()) << name << " must be refused";
      ++invalid;
      continue;
    }
    EXPECT_TRUE(status.ok()) << name << ": " << status.ToString();
    ++valid;
    // Our generator makes the same proof from the vector leaves.
    if (size <= tree.size()) {
      std::span<const Digest> prefix(tree.data(), size);
      EXPECT_EQ(MakeInclusionProof(kSha256Hasher, prefix, index), proof) << name;
      EXPECT_EQ(MerkleRoot(kSha256Hasher, prefix), root) << name;
    }
    for (const std::vector<Digest>& bad : TamperedProofs(proof)) {
      EXPECT_FALSE(VerifyInclusion(kSha256Hasher, leaf_hash, index, size, bad, root).ok()) << name;
      ++tampered_refused;
    }
    EXPECT_FALSE(VerifyInclusion(kSha256Hasher, Flip(leaf_hash, 0), index, size, proof, root).ok());
    EXPECT_FALSE(VerifyInclusion(kSha256Hasher, leaf_hash, index, size, proof, Flip(root, 9)).ok());
    EXPECT_FALSE(VerifyInclusion(kSha256Hasher, leaf_hash, size, size, proof, root).ok());
    tampered_refused += 3;
  }
  std::printf("rfc6962 vectors: inclusion %zu valid verified, %zu invalid refused, of %zu; "
              "%zu tampered variants refused\n",
              valid, invalid, cases.size(), tampered_refused);
  EXPECT_GT(valid, 0u);
  EXPECT_EQ(valid + invalid, cases.size()) << "an inclusion vector was skipped";
}

TEST(MerkleVectorsTest, Consistency) {
  boost::json::value vectors = LoadVectors();
  std::vector<Digest> tree = VectorLeafHashes(vectors);
  const boost::json::array& cases = vectors.at("consistency").as_array();
  size_t valid = 0, invalid = 0, tampered_refused = 0;
  for (const boost::json::value& test : cases) {
    uint64_t size1 = test.at("size1").to_number<uint64_t>();
    uint64_t size2 = test.at("size2").to_number<uint64_t>();
    Digest root1 = HexDigest(test.at("root1"));
    Digest root2 = HexDigest(test.at("root2"));
    std::vector<Digest> proof = HexDigests(test.at("proof"));
    std::string name = "consistency " + std::to_string(size1) + " -> " + std::to_string(size2);
    Status status = VerifyConsistency(kSha256Hasher, size1, root1, size2, root2, proof);
    if (!test.at("valid").as_bool()) {
      EXPECT_FALSE(status.ok()) << name << " must be refused";
      ++invalid;
      continue;
    }
    EXPECT_TRUE(status.ok()) << name << ": " << status.ToString();
    ++valid;
    if (size2 <= tree.size()) {
      std::span<const Digest> prefix(tree.data(), size2);
      EXPECT_EQ(MakeConsistencyProof(kSha256Hasher, prefix, size1), proof) << name;
    }
    for (const std::vector<Digest>& bad : TamperedProofs(proof)) {
      EXPECT_FALSE(VerifyConsistency(kSha256Hasher, size1, root1, size2, root2, bad).ok()) << name;
      ++tampered_refused;
    }
    EXPECT_FALSE(VerifyConsistency(kSha256Hasher, size1, Flip(root1, 3), size2, root2, proof).ok());
    EXPECT_FALSE(VerifyConsistency(kSha256Hasher, size1, root1, size2, Flip(root2, 3), proof).ok());
    tampered_refused += 2;
  }
  std::printf("rfc6962 vectors: consistency %zu valid verified, %zu invalid refused, of %zu; "
              "%zu tampered variants refused\n",
              valid, invalid, cases.size(), tampered_refused);
  EXPECT_GT(valid, 0u);
  EXPECT_EQ(valid + invalid, cases.size()) << "a consistency vector was skipped";
}

// ---------------------------------------------------------------------------
// Exhaustive agreement with the reference for every tree size 1..300.
// ---------------------------------------------------------------------------
constexpr uint64_t kMaxSize = 300;

// Every way of mis-stating an inclusion proof that the verifier must refuse.
void ExpectInclusionTamperingRefused(const Digest& leaf, uint64_t index, uint64_t size,
                                     const std::vector<Digest>& proof, const Digest& root) {
  for (const std::vector<Digest>& bad : TamperedProofs(proof)) {
    ASSERT_FALSE(VerifyInclusion(kSha256Hasher, leaf, index, size, bad, root).ok())
        << "tampered proof accepted, index " << index << " size " << size;
  }
  EXPECT_FALSE(VerifyInclusion(kSha256Hasher, Flip(leaf, 5), index, size, proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(kSha256Hasher, leaf, index, size, proof, Flip(root, 31)).ok());
  // Another index or size is refused unless the verifier's computation is the
  // same for it (same path shape), which is inherent to RFC 9162 verification.
  std::string shape = PathShape(index, size);
  std::vector<std::pair<uint64_t, uint64_t>> others = {
      {index + 1, size}, {index, size + 1}, {index + 1, size + 1}};
  if (index > 0) others.push_back({index - 1, size});
  if (size > index + 1) others.push_back({index, size - 1});
  for (auto [other_index, other_size] : others) {
    if (other_index < other_size && PathShape(other_index, other_size) == shape) continue;
    EXPECT_FALSE(VerifyInclusion(kSha256Hasher, leaf, other_index, other_size, proof, root).ok())
        << "index " << index << " size " << size << " accepted as " << other_index << "/"
        << other_size;
  }
}

TEST(MerklePropertyTest, InclusionProofsAgreeWithReferenceAndVerify) {
  std::vector<Digest> leaves = MakeLeafHashes(kSha256Hasher, kMaxSize);
  ReferenceTree reference(kSha256Hasher, leaves);
  NodeTable table(leaves);
  size_t proofs = 0;
  for (uint64_t size = 1; size <= kMaxSize; ++size) {
    std::span<const Digest> tree(leaves.data(), size);
    Digest root = MerkleRoot(kSha256Hasher, tree);
    ASSERT_EQ(root, reference.Mth(0, size)) << "size " << size;
    for (uint64_t index = 0; index < size; ++index) {
      std::vector<Digest> expected = reference.Path(index, 0, size);
      ASSERT_EQ(MakeInclusionProof(kSha256Hasher, tree, index), expected)
          << "index " << index << " size " << size;
      table.ResetCalls();
      Result<std::vector<Digest>> served =
          MakeInclusionProof(kSha256Hasher, table.Serve(size), index, size);
      ASSERT_TRUE(served.ok()) << served.status().ToString();
      ASSERT_EQ(*served, expected) << "index " << index << " size " << size;
      EXPECT_LE(table.calls(), 2u * std::bit_width(size));
      EXPECT_EQ(InclusionProofSize(index, size), expected.size());
      Status status = VerifyInclusion(kSha256Hasher, leaves[index], index, size, expected, root);
      ASSERT_TRUE(status.ok()) << status.ToString();
      Result<Digest> implied =
          RootFromInclusionProof(kSha256Hasher, leaves[index], index, size, expected);
      ASSERT_TRUE(implied.ok());
      EXPECT_EQ(*implied, root);
      ExpectInclusionTamperingRefused(leaves[index], index, size, expected, root);
      ++proofs;
    }
  }
  EXPECT_EQ(proofs, kMaxSize * (kMaxSize + 1) / 2);
}

void ExpectConsistencyTamperingRefused(uint64_t old_size, const Digest& old_root,
                                       uint64_t new_size, const Digest& new_root,
                                       const std::vector<Digest>& proof) {
  for (const std::vector<Digest>& bad : TamperedProofs(proof)) {
    ASSERT_FALSE(VerifyConsistency(kSha256Hasher, old_size, old_root, new_size, new_root, bad).ok())
        << "tampered proof accepted, " << old_size << " -> " << new_size;
  }
  EXPECT_FALSE(
      VerifyConsistency(kSha256Hasher, old_size, Flip(old_root, 1), new_size, new_root, proof).ok());
  // Nothing binds the new root to the empty tree: any root extends it.
  if (old_size > 0) {
    EXPECT_FALSE(
        VerifyConsistency(kSha256Hasher, old_size, old_root, new_size, Flip(new_root, 2), proof)
            .ok());
  }
  std::string shape = ConsistencyShape(old_size, new_size);
  std::vector<std::pair<uint64_t, uint64_t>> others = {{old_size, new_size + 1},
                                                      {old_size + 1, new_size + 1}};
  if (old_size < new_size) others.push_back({old_size + 1, new_size});
  if (old_size > 0) others.push_back({old_size - 1, new_size});
  if (new_size > old_size) others.push_back({old_size, new_size - 1});
  for (auto [other_old, other_new] : others) {
    if (other_old <= other_new && ConsistencyShape(other_old, other_new) == shape &&
        (other_old == other_new) == (old_size == new_size) && (other_old == 0) == (old_size == 0)) {
      continue;
    }
    EXPECT_FALSE(
        VerifyConsistency(kSha256Hasher, other_old, old_root, other_new, new_root, proof).ok())
        << old_size << " -> " << new_size << " accepted as " << other_old << " -> " << other_new;
  }
}

TEST(MerklePropertyTest, ConsistencyProofsAgreeWithReferenceAndVerify) {
  std::vector<Digest> leaves = MakeLeafHashes(kSha256Hasher, kMaxSize);
  ReferenceTree reference(kSha256Hasher, leaves);
  NodeTable table(leaves);
  size_t proofs = 0;
  for (uint64_t new_size = 1; new_size <= kMaxSize; ++new_size) {
    std::span<const Digest> tree(leaves.data(), new_size);
    Digest new_root = reference.Mth(0, new_size);
    for (uint64_t old_size = 0; old_size <= new_size; ++old_size) {
      Digest old_root = reference.Mth(0, old_size);
      std::vector<Digest> expected = reference.Proof(old_size, new_size);
      std::string name = std::to_string(old_size) + " -> " + std::to_string(new_size);
      ASSERT_EQ(MakeConsistencyProof(kSha256Hasher, tree, old_size), expected) << name;
      table.ResetCalls();
      Result<std::vector<Digest>> served =
          MakeConsistencyProof(kSha256Hasher, table.Serve(new_size), old_size, new_size);
      ASSERT_TRUE(served.ok()) << served.status().ToString();
      ASSERT_EQ(*served, expected) << name;
      EXPECT_LE(table.calls(), 2u * std::bit_width(new_size) + 1);
      EXPECT_EQ(ConsistencyProofSize(old_size, new_size), expected.size()) << name;
      Status status =
          VerifyConsistency(kSha256Hasher, old_size, old_root, new_size, new_root, expected);
      ASSERT_TRUE(status.ok()) << name << ": " << status.ToString();
      ExpectConsistencyTamperingRefused(old_size, old_root, new_size, new_root, expected);
      ++proofs;
    }
  }
  EXPECT_EQ(proofs, kMaxSize * (kMaxSize + 3) / 2);
}

// ---------------------------------------------------------------------------
// Error messages and edge cases.
// ---------------------------------------------------------------------------
TEST(MerkleTest, VerifyInclusionSaysWhy) {
  std::vector<Digest> leaves = MakeLeafHashes(kSha256Hasher, 5);
  Digest root = MerkleRoot(kSha256Hasher, leaves);
  std::vector<Digest> proof = MakeInclusionProof(kSha256Hasher, leaves, 2);
  Status status = VerifyInclusion(kSha256Hasher, leaves[2], 5, 5, proof, root);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("leaf index 5 is not in a tree of 5 leaves"), std::string::npos)
      << status.message();
  status = VerifyInclusion(kSha256Hasher, leaves[2], 2, 5, std::span(proof).first(2), root);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("wrong inclusion proof length: got 2 hashes"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("needs exactly 3"), std::string::npos);
  status = VerifyInclusion(kSha256Hasher, leaves[3], 2, 5, proof, root);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("root mismatch"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(DigestHex(root)), std::string::npos);
  EXPECT_FALSE(VerifyInclusion(kSha256Hasher, leaves[0], 0, 0, {}, root).ok());
  EXPECT_FALSE(RootFromInclusionProof(kSha256Hasher, leaves[0], 0, 0, {}).ok());
  // A one-leaf tree: empty proof, root is the leaf hash.
  EXPECT_TRUE(VerifyInclusion(kSha256Hasher, leaves[0], 0, 1, {}, leaves[0]).ok());
}

TEST(MerkleTest, VerifyConsistencySaysWhy) {
  std::vector<Digest> leaves = MakeLeafHashes(kSha256Hasher, 7);
  Digest root3 = MerkleRoot(kSha256Hasher, std::span(leaves).first(3));
  Digest root7 = MerkleRoot(kSha256Hasher, leaves);
  std::vector<Digest> proof = MakeConsistencyProof(kSha256Hasher, leaves, 3);
  Status status = VerifyConsistency(kSha256Hasher, 7, root7, 3, root3, proof);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("old tree size 7 is larger than new tree size 3"),
            std::string::npos);
  status = VerifyConsistency(kSha256Hasher, 3, root3, 7, root7, std::span(proof).first(1));
  EXPECT_NE(status.message().find("wrong consistency proof length: got 1 hashes"),
            std::string::npos)
      << status.message();
  status = VerifyConsistency(kSha256Hasher, 3, root7, 7, root7, proof);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("old root mismatch"), std::string::npos) << status.message();
  status = VerifyConsistency(kSha256Hasher, 3, root3, 7, root3, proof);
  EXPECT_NE(status.message().find("new root mismatch"), std::string::npos) << status.message();
  // Equal sizes: empty proof and equal roots.
  EXPECT_TRUE(VerifyConsistency(kSha256Hasher, 7, root7, 7, root7, {}).ok());
  EXPECT_FALSE(VerifyConsistency(kSha256Hasher, 7, root7, 7, root3, {}).ok());
  EXPECT_FALSE(VerifyConsistency(kSha256Hasher, 7, root7, 7, root7, proof).ok());
  // From the empty tree: empty proof, and the old root must be H().
  Digest empty = kSha256Hasher.EmptyRoot();
  EXPECT_TRUE(VerifyConsistency(kSha256Hasher, 0, empty, 7, root7, {}).ok());
  EXPECT_TRUE(VerifyConsistency(kSha256Hasher, 0, empty, 0, empty, {}).ok());
  EXPECT_FALSE(VerifyConsistency(kSha256Hasher, 0, root3, 7, root7, {}).ok());
  EXPECT_FALSE(VerifyConsistency(kSha256Hasher, 0, empty, 7, root7, proof).ok());
}

TEST(MerkleTest, SubtreeSourceErrorsAndBadSizes) {
  SubtreeHashFn failing = [](uint64_t, uint64_t) -> Result<Digest> {
    return Status::IoError("disk on fire");
  };
  Result<std::vector<Digest>> proof = MakeInclusionProof(kSha256Hasher, failing, 3, 10);
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.status().code(), StatusCode::kIoError);
  EXPECT_NE(proof.status().message().find("disk on fire"), std::string::npos);
  EXPECT_FALSE(MakeConsistencyProof(kSha256Hasher, failing, 3, 10).ok());
  EXPECT_EQ(MakeInclusionProof(kSha256Hasher, failing, 10, 10).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeConsistencyProof(kSha256Hasher, failing, 11, 10).status().code(),
            StatusCode::kInvalidArgument);
  // Trivial consistency proofs need no subtree at all.
  EXPECT_TRUE(MakeConsistencyProof(kSha256Hasher, failing, 0, 10)->empty());
  EXPECT_TRUE(MakeConsistencyProof(kSha256Hasher, failing, 10, 10)->empty());
  EXPECT_TRUE(MakeInclusionProof(kSha256Hasher, failing, 0, 1)->empty());
}

// ---------------------------------------------------------------------------
// Sizes near 2^64: no overflow, exact lengths, proofs verify. Subtrees come from
// an oracle that names every perfect node by its range; the reference root
// splits only the ranges that contain the leaf or straddle the old size.
// ---------------------------------------------------------------------------
Digest OracleNode(uint64_t begin, uint64_t end) {
  std::string name = std::to_string(begin) + ":" + std::to_string(end);
  return kSha256Hasher.HashLeaf(AsBytes(name));
}

Digest OracleRoot(uint64_t begin, uint64_t end, std::initializer_list<uint64_t> points) {
  uint64_t width = end - begin;
  bool splits = false;  // a point is an interior boundary of the range
  for (uint64_t point : points) splits = splits || (begin < point && point < end);
  if (std::has_single_bit(width) && !splits) return OracleNode(begin, end);
  uint64_t k = std::bit_floor(width - 1);
  return kSha256Hasher.HashChildren(OracleRoot(begin, begin + k, points),
                                    OracleRoot(begin + k, end, points));
}

TEST(MerkleTest, HugeTreesWithoutOverflow) {
  SubtreeHashFn oracle = [](uint64_t begin, uint64_t end) -> Result<Digest> {
    EXPECT_TRUE(std::has_single_bit(end - begin) && begin % (end - begin) == 0);
    return OracleNode(begin, end);
  };
  const uint64_t kMax = UINT64_MAX;
  const uint64_t sizes[] = {kMax, kMax - 1, uint64_t{1} << 63, (uint64_t{1} << 63) + 1,
                            (uint64_t{1} << 32) + 5};
  for (uint64_t size : sizes) {
    for (uint64_t index : {uint64_t{0}, uint64_t{1}, size / 2, size - 2, size - 1}) {
      Result<std::vector<Digest>> proof = MakeInclusionProof(kSha256Hasher, oracle, index, size);
      ASSERT_TRUE(proof.ok());
      EXPECT_EQ(proof->size(), InclusionProofSize(index, size));
      EXPECT_LE(proof->size(), 64u);
      // Splitting at index and index + 1 makes the leaf a node of the reference.
      Digest root = OracleRoot(0, size, {index, index + 1});
      Status status = VerifyInclusion(kSha256Hasher, OracleNode(index, index + 1), index, size,
                                      *proof, root);
      EXPECT_TRUE(status.ok()) << "index " << index << " size " << size << ": "
                               << status.ToString();
    }
    for (uint64_t old_size : {uint64_t{1}, uint64_t{3}, size / 2, size - 1}) {
      Result<std::vector<Digest>> proof =
          MakeConsistencyProof(kSha256Hasher, oracle, old_size, size);
      ASSERT_TRUE(proof.ok());
      EXPECT_EQ(proof->size(), ConsistencyProofSize(old_size, size));
      Status status = VerifyConsistency(kSha256Hasher, old_size, OracleRoot(0, old_size, {old_size}),
                                        size, OracleRoot(0, size, {old_size}), *proof);
      EXPECT_TRUE(status.ok()) << old_size << " -> " << size << ": " << status.ToString();
    }
  }
}

// ---------------------------------------------------------------------------
// CompactRange.
// ---------------------------------------------------------------------------
TEST(CompactRangeTest, RootAndReportedNodesAtEverySize) {
  std::vector<Digest> leaves = MakeLeafHashes(kSha256Hasher, kMaxSize);
  ReferenceTree reference(kSha256Hasher, leaves);
  CompactRange range(kSha256Hasher);
  EXPECT_EQ(range.Root(), kSha256Hasher.EmptyRoot());
  std::set<std::pair<uint32_t, uint64_t>> reported;
  for (uint64_t i = 0; i < kMaxSize; ++i) {
    std::vector<std::pair<uint32_t, uint64_t>> now;
    range.Append(leaves[i], [&](uint32_t level, uint64_t index, const Digest& hash) {
      uint64_t begin = index << level;
      uint64_t end = (index + 1) << level;
      EXPECT_EQ(hash, reference.Mth(begin, end)) << "node " << level << "/" << index;
      EXPECT_TRUE(reported.insert({level, index}).second) << "reported twice";
      now.push_back({level, index});
    });
    uint64_t size = i + 1;
    // Exactly the perfect subtrees ending at this leaf, bottom up.
    std::vector<std::pair<uint32_t, uint64_t>> expected;
    for (uint32_t level = 0; level < 64 && size % (uint64_t{1} << level) == 0; ++level) {
      expected.push_back({level, (size >> level) - 1});
    }
    EXPECT_EQ(now, expected) << "size " << size;
    EXPECT_EQ(range.size(), size);
    EXPECT_EQ(range.frontier().size(), static_cast<size_t>(std::popcount(size)));
    EXPECT_EQ(range.Root(), MerkleRoot(kSha256Hasher, std::span(leaves).first(size)));
    EXPECT_EQ(range.Root(), reference.Mth(0, size));
  }
  // Every perfect subtree of the final tree was reported, nothing else.
  size_t perfect = 0;
  for (uint32_t level = 0; (uint64_t{1} << level) <= kMaxSize; ++level) {
    perfect += kMaxSize >> level;
  }
  EXPECT_EQ(reported.size(), perfect);
}

TEST(CompactRangeTest, FrontierRoundTripsAndIsChecked) {
  std::vector<Digest> leaves = MakeLeafHashes(kSha256Hasher, kMaxSize);
  CompactRange range(kSha256Hasher);
  for (uint64_t size = 0; size <= kMaxSize; ++size) {
    Result<CompactRange> restored = CompactRange::FromFrontier(kSha256Hasher, size, range.frontier());
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    EXPECT_EQ(restored->size(), size);
    EXPECT_EQ(restored->Root(), range.Root());
    // The restored range keeps growing exactly like the original.
    if (size + 3 <= kMaxSize) {
      CompactRange continued = range;
      for (uint64_t i = size; i < size + 3; ++i) {
        continued.Append(leaves[i]);
        restored->Append(leaves[i]);
      }
      EXPECT_EQ(restored->Root(), continued.Root());
      EXPECT_EQ(restored->frontier(), continued.frontier());
    }
    // A frontier one hash too long or too short is refused.
    std::vector<Digest> longer = range.frontier();
    longer.push_back(leaves[0]);
    Result<CompactRange> refused = CompactRange::FromFrontier(kSha256Hasher, size, longer);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    if (!range.frontier().empty()) {
      std::vector<Digest> shorter(range.frontier().begin() + 1, range.frontier().end());
      EXPECT_FALSE(CompactRange::FromFrontier(kSha256Hasher, size, shorter).ok());
    }
    if (size < kMaxSize) range.Append(leaves[size]);
  }
  EXPECT_FALSE(CompactRange::FromFrontier(kSha256Hasher, UINT64_MAX, {}).ok());
}

}  // namespace
}  // namespace evidence::crypto
