// Runs the real `evidence merkle` binary (EVIDENCE_BIN_DIR/evidence) on the RFC
// 6962 vectors and on unusable input, checking stdout and the exit codes
// (0 the proof holds, 1 it does not, 2 unusable input).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/merkle.h"
#include "tests/testing/process.h"

namespace evidence::crypto {
namespace {

using evidence::testing::RunEvidence;
using evidence::testing::RunResult;

// A temporary file with the given content, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char path[] = "/tmp/evidence_merkle_leaves_XXXXXX";
    int fd = ::mkstemp(path);
    EXPECT_GE(fd, 0);
    path_ = path;
    EXPECT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    ::close(fd);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

boost::json::value LoadVectors() {
  std::ifstream in(std::string(EVIDENCE_VECTORS_DIR) + "/rfc6962-transparency-dev.json",
                   std::ios::binary);
  EXPECT_TRUE(in) << "cannot open rfc6962-transparency-dev.json";
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return boost::json::parse(buffer.str());
}

std::string JoinProof(const boost::json::array& proof) {
  std::string joined;
  for (const boost::json::value& hash : proof) {
    if (!joined.empty()) joined += ",";
    joined += std::string(hash.as_string());
  }
  return joined;
}

// Flips the last hex digit of the first hash in a comma-separated proof.
std::string TamperFirst(std::string proof) {
  size_t at = std::min(proof.find(','), proof.size()) - 1;
  proof[at] = proof[at] == '0' ? '1' : '0';
  return proof;
}

const char kRoot8[] = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
const char kLeaf0Hash[] = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
const char kLeaf0Proof[] =
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7,"
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,"
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4";

TEST(MerkleCliTest, VectorRoots) {
  boost::json::value vectors = LoadVectors();
  const boost::json::array& cases = vectors.at("roots").as_array();
  size_t checked = 0;
  for (const boost::json::value& test : cases) {
    std::string lf, crlf;
    for (const boost::json::value& leaf : test.at("leaves").as_array()) {
      lf += std::string(leaf.as_string()) + "\n";
      crlf += std::string(leaf.as_string()) + "\r\n";
    }
    std::string expected = std::string(test.at("root").as_string()) + "\n";
    for (const std::string& content : {lf, crlf}) {
      TempFile file(content);
      RunResult run = RunEvidence({"merkle", "root", "--leaves", file.path()});
      EXPECT_EQ(run.exit_code, 0) << run.err;
      EXPECT_EQ(run.out, expected) << test.at("leaves").as_array().size() << " leaves";
    }
    // Without the final newline the last line is still a leaf (unless it is empty).
    if (!lf.empty() && lf.size() > 1) {
      TempFile file(lf.substr(0, lf.size() - 1));
      RunResult run = RunEvidence({"merkle", "root", "--leaves", file.path()});
      EXPECT_EQ(run.out, expected);
    }
    ++checked;
  }
  std::printf("cli rfc6962 vectors: roots %zu of %zu checked\n", checked, cases.size());
  EXPECT_EQ(checked, cases.size()) << "a root vector was skipped";
}

TEST(MerkleCliTest, VectorInclusionProofs) {
  boost::json::value vectors = LoadVectors();
  const boost::json::array& cases = vectors.at("inclusion").as_array();
  size_t valid = 0, invalid = 0, tampered = 0;
  for (const boost::json::value& test : cases) {
    std::string proof = JoinProof(test.at("proof").as_array());
    std::string index = std::to_string(test.at("index").to_number<uint64_t>());
    std::string size = std::to_string(test.at("size").to_number<uint64_t>());
    std::string leaf(test.at("leaf_hash").as_string());
    std::string root(test.at("root").as_string());
    auto run = [&](const std::string& the_index, const std::string& the_proof) {
      return RunEvidence({"merkle", "verify-inclusion", "--leaf-hash", leaf, "--index", the_index,
                          "--size", size, "--root", root, "--proof", the_proof});
    };
    RunResult result = run(index, proof);
    if (test.at("valid").as_bool()) {
      EXPECT_EQ(result.exit_code, 0) << index << "/" << size << ": " << result.err;
      EXPECT_EQ(result.out.rfind("OK", 0), 0u) << result.out;
      ++valid;
    } else {
      EXPECT_EQ(result.exit_code, 1) << index << "/" << size << ": " << result.out;
      ++invalid;
      continue;
    }
    // Derived invalid cases: a changed hash, the leaf moved past the end.
    if (!proof.empty()) {
      result = run(index, TamperFirst(proof));
      EXPECT_EQ(result.exit_code, 1) << result.out;
      EXPECT_NE(result.err.find("root mismatch"), std::string::npos) << result.err;
      ++tampered;
    }
    result = run(size, proof);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("not in a tree"), std::string::npos) << result.err;
    ++tampered;
  }
  std::printf("cli rfc6962 vectors: inclusion %zu valid -> exit 0, %zu invalid -> exit 1, of %zu; "
              "%zu tampered -> exit 1\n",
              valid, invalid, cases.size(), tampered);
  EXPECT_EQ(valid + invalid, cases.size()) << "an inclusion vector was skipped";
}

TEST(MerkleCliTest, VectorConsistencyProofs) {
  boost::json::value vectors = LoadVectors();
  const boost::json::array& cases = vectors.at("consistency").as_array();
  size_t valid = 0, invalid = 0, tampered = 0;
  for (const boost::json::value& test : cases) {
    std::string proof = JoinProof(test.at("proof").as_array());
    std::string size1 = std::to_string(test.at("size1").to_number<uint64_t>());
    std::string size2 = std::to_string(test.at("size2").to_number<uint64_t>());
    std::string root1(test.at("root1").as_string());
    std::string root2(test.at("root2").as_string());
    auto run = [&](const std::string& the_root1, const std::string& the_proof) {
      return RunEvidence({"merkle", "verify-consistency", "--size1", size1, "--root1", the_root1,
                          "--size2", size2, "--root2", root2, "--proof", the_proof});
    };
    RunResult result = run(root1, proof);
    if (test.at("valid").as_bool()) {
      EXPECT_EQ(result.exit_code, 0) << size1 << " -> " << size2 << ": " << result.err;
      EXPECT_EQ(result.out.rfind("OK", 0), 0u) << result.out;
      ++valid;
    } else {
      EXPECT_EQ(result.exit_code, 1) << size1 << " -> " << size2 << ": " << result.out;
      ++invalid;
      continue;
    }
    result = run(root1, proof.empty() ? std::string(kRoot8) : proof + "," + kRoot8);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("wrong consistency proof length"), std::string::npos) << result.err;
    ++tampered;
    result = run(TamperFirst(root1), proof);
    EXPECT_EQ(result.exit_code, 1);
    ++tampered;
  }
  std::printf("cli rfc6962 vectors: consistency %zu valid -> exit 0, %zu invalid -> exit 1, of "
              "%zu; %zu tampered -> exit 1\n",
              valid, invalid, cases.size(), tampered);
  EXPECT_EQ(valid + invalid, cases.size()) << "a consistency vector was skipped";
}

// Every kind of unusable input exits 2 and says what is wrong on stderr.
TEST(MerkleCliTest, UnusableInputExitsTwo) {
  std::string short_hash(kRoot8, 62);  // 31 bytes
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"--leaf-hash", "abc", "--index", "0", "--size", "8", "--root", kRoot8, "--proof",
        kLeaf0Proof},
       "--leaf-hash"},
      {{"--leaf-hash", kLeaf0Hash, "--index", "0", "--size", "8", "--root", short_hash, "--proof",
        kLeaf0Proof},
       "--root must be a 32-byte hash"},
      {{"--leaf-hash", kLeaf0Hash, "--index", "0", "--size", "8", "--root", kRoot8, "--proof",
        std::string(kLeaf0Proof) + ",,"},
       "is empty"},
      {{"--leaf-hash", kLeaf0Hash, "--index", "0", "--size", "8", "--root", kRoot8, "--proof",
        ","},
       "--proof element 1 is empty"},
      {{"--leaf-hash", kLeaf0Hash, "--index", "0", "--size", "8", "--proof", kLeaf0Proof},
       "--root is required"},
      {{"--leaf-hash", kLeaf0Hash, "--index", "zero", "--size", "8", "--root", kRoot8, "--proof",
        kLeaf0Proof},
       "--index"},
      {{"--leaf-hash", kLeaf0Hash, "--index", "0", "--size", "18446744073709551616", "--root",
        kRoot8, "--proof", kLeaf0Proof},
       "--size"},
      {{"--leaf-hash", kLeaf0Hash, "--index", "0", "--size", "8", "--root", kRoot8, "--proof",
        kLeaf0Proof, "--alg", "md5"},
       "unknown hash algorithm"},
  };
  for (const Case& test : cases) {
    std::vector<std::string> args = {"merkle", "verify-inclusion"};
    args.insert(args.end(), test.args.begin(), test.args.end());
    RunResult run = RunEvidence(args);
    EXPECT_EQ(run.exit_code, 2) << test.message << ": " << run.err;
    EXPECT_NE(run.err.find(test.message), std::string::npos) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
  }
  RunResult run = RunEvidence({"merkle", "verify-consistency", "--size1", "1", "--root1",
                               kLeaf0Hash, "--size2", "8", "--root2", kRoot8});
  EXPECT_EQ(run.exit_code, 2) << "missing --proof";
  run = RunEvidence({"merkle", "verify-consistency", "--size1", "-1", "--root1", kLeaf0Hash,
                     "--size2", "8", "--root2", kRoot8, "--proof", kLeaf0Proof});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  run = RunEvidence({"merkle"});
  EXPECT_EQ(run.exit_code, 2);
}

TEST(MerkleCliTest, LeavesFileEdgeCases) {
  auto root_of = [](const std::string& content) {
    TempFile file(content);
    return RunEvidence({"merkle", "root", "--leaves", file.path()});
  };
  const MerkleHasher hasher(HashAlgorithm::kSha256);
  EXPECT_EQ(root_of("").out, DigestHex(hasher.EmptyRoot()) + "\n");
  // One empty line is one empty leaf; two are two.
  Digest empty_leaf = hasher.HashLeaf({});
  EXPECT_EQ(root_of("\n").out, DigestHex(empty_leaf) + "\n");
  EXPECT_EQ(root_of("\n\n").out, DigestHex(hasher.HashChildren(empty_leaf, empty_leaf)) + "\n");
  // Upper-case hex is the same leaf.
  EXPECT_EQ(root_of("ABCD\n").out, root_of("abcd\n").out);
  // Bad lines are unusable input, named by line number.
  for (std::string bad : {"00\nabc\n", "00\n 00\n", "00\nzz\n", "00\n00\r"}) {
    RunResult run = root_of(bad);
    EXPECT_EQ(run.exit_code, 2) << bad;
    EXPECT_NE(run.err.find("line 2"), std::string::npos) << run.err;
  }
  RunResult run = RunEvidence({"merkle", "root", "--leaves", "/nonexistent/leaves.txt"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("cannot open"), std::string::npos) << run.err;
  // SM3 chains.
  TempFile file("616263\n");
  run = RunEvidence({"merkle", "root", "--alg", "sm3", "--leaves", file.path()});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, DigestHex(MerkleHasher(HashAlgorithm::kSm3).HashLeaf(AsBytes("abc"))) + "\n");
}

}  // namespace
}  // namespace evidence::crypto
