// Runs the built `evidence` binary: `evidence keygen` and `evidence hash`.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/signature.h"
#include "tests/testing/process.h"

namespace evidence::crypto {
namespace {

using evidence::testing::ReadFile;
using evidence::testing::RunResult;

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

class CliTest : public ::testing::Test {
 protected:
  std::string File(const std::string& name) const { return dir_.File(name); }
  RunResult Run(const std::vector<std::string>& args) const {
    return evidence::testing::RunEvidence(args);
  }

 private:
  evidence::testing::TempDir dir_;
};

mode_t Mode(const std::string& path) {
  struct stat info {};
  EVIDENCE_CHECK(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

TEST_F(CliTest, KeygenWritesPrivateKeyAndPrintsKeyId) {
  for (const char* algorithm : {"p256", "ed25519", "sm2"}) {
    SCOPED_TRACE(algorithm);
    const std::string key_path = File(std::string(algorithm) + ".pem");
    const std::string public_path = File(std::string(algorithm) + ".pub.pem");
    RunResult run = Run({"keygen", "--alg", algorithm, "--out", key_path, "--pub", public_path});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.err, "");
    ASSERT_EQ(run.out.size(), 65u) << run.out;
    const std::string key_id = run.out.substr(0, 64);
    EXPECT_EQ(run.out.back(), '\n');

    EXPECT_EQ(Mode(key_path), 0600u);
    auto key = PrivateKey::LoadPem(key_path);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(SignatureAlgorithmName(key->algorithm()), algorithm);
    EXPECT_EQ(key->key_id(), key_id);

    auto public_key = PublicKey::LoadPem(public_path);
    ASSERT_TRUE(public_key.ok()) << public_key.status().ToString();
    EXPECT_EQ(public_key->key_id(), key_id);
    auto signature = key->Sign(AsBytes("cli"));
    ASSERT_TRUE(signature.ok());
    EXPECT_TRUE(public_key->Verify(AsBytes("cli"), *signature));
  }
}

TEST_F(CliTest, KeygenNeverOverwrites) {
  const std::string key_path = File("agency.pem");
  ASSERT_EQ(Run({"keygen", "--alg", "ed25519", "--out", key_path}).exit_code, 0);
  const std::string before = ReadFile(key_path);
  RunResult again = Run({"keygen", "--alg", "ed25519", "--out", key_path});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.out, "");
  EXPECT_NE(again.err.find("evidence keygen: "), std::string::npos) << again.err;
  EXPECT_NE(again.err.find(key_path), std::string::npos) << again.err;
  EXPECT_EQ(ReadFile(key_path), before);

  // An existing --pub file: fails, and no new private key is left behind.
  const std::string public_path = File("taken.pub.pem");
  WriteFile(public_path, "keep me");
  RunResult taken = Run({"keygen", "--alg", "p256", "--out", File("new.pem"), "--pub", public_path});
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_NE(taken.err.find(public_path), std::string::npos) << taken.err;
  EXPECT_FALSE(std::filesystem::exists(File("new.pem")));
  EXPECT_EQ(ReadFile(public_path), "keep me");
}

TEST_F(CliTest, KeygenRefusesUnusableArguments) {
  EXPECT_EQ(Run({"keygen", "--alg", "rsa", "--out", File("k.pem")}).exit_code, 2);
  EXPECT_EQ(Run({"keygen", "--alg", "p256"}).exit_code, 2);
  EXPECT_EQ(Run({"keygen", "--out", File("k.pem")}).exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(File("k.pem")));
}

TEST_F(CliTest, HashPrintsDigestLines) {
  WriteFile(File("abc.txt"), "abc");
  WriteFile(File("empty"), "");
  RunResult sha = Run({"hash", File("abc.txt"), File("empty")});
  ASSERT_EQ(sha.exit_code, 0) << sha.err;
  EXPECT_EQ(sha.out,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  " +
                File("abc.txt") +
                "\nsha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  " +
                File("empty") + "\n");
  RunResult sm3 = Run({"hash", "--alg", "sm3", File("abc.txt")});
  ASSERT_EQ(sm3.exit_code, 0) << sm3.err;
  EXPECT_EQ(sm3.out, "sm3:66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0  " +
                         File("abc.txt") + "\n");
}

TEST_F(CliTest, HashStreamsLargeFiles) {
  // Several read chunks and a partial last one.
  std::string content;
  for (int i = 0; i < 300'000; ++i) content += static_cast<char>((i * 31 + 7) & 0xff);
  WriteFile(File("large.bin"), content);
  for (HashAlgorithm algorithm : {HashAlgorithm::kSha256, HashAlgorithm::kSm3}) {
    const std::string name(HashAlgorithmName(algorithm));
    RunResult run = Run({"hash", "--alg", name, File("large.bin")});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, name + ":" + DigestHex(Hash(algorithm, content)) + "  " +
                           File("large.bin") + "\n");
  }
}

TEST_F(CliTest, HashReportsMissingFilesAndGoesOn) {
  WriteFile(File("a"), "abc");
  RunResult run = Run({"hash", File("missing"), File("a")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  " +
                         File("a") + "\n");
  EXPECT_NE(run.err.find("evidence hash: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(File("missing")), std::string::npos) << run.err;
}

TEST_F(CliTest, HashRefusesUnusableArguments) {
  EXPECT_EQ(Run({"hash"}).exit_code, 2);
  WriteFile(File("a"), "abc");
  EXPECT_EQ(Run({"hash", "--alg", "md5", File("a")}).exit_code, 2);
}

}  // namespace
}  // namespace evidence::crypto
