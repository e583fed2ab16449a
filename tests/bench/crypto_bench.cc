// Throughput of the chain's hash functions and of signing and verifying with
// each key algorithm, as the rest of the system uses them (crypto/ API, not raw
// OpenSSL). Compare with `openssl speed sha256 sm3 ecdsap256 ed25519 sm2` on the
// same machine: scripts/bench.sh reports the ratios.
#include <benchmark/benchmark.h>

#include <string>

#include "common/check.h"
#include "crypto/hash.h"
#include "crypto/signature.h"

namespace evidence::crypto {
namespace {

void BM_Hash(benchmark::State& state, HashAlgorithm algorithm) {
  const Bytes data(static_cast<size_t>(state.range(0)), 0x5a);
  for (auto _ : state) {
    Digest digest = Hash(algorithm, data);
    benchmark::DoNotOptimize(digest);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK_CAPTURE(BM_Hash, sha256, HashAlgorithm::kSha256)->Arg(64)->Arg(1024)->Arg(1 << 20);
BENCHMARK_CAPTURE(BM_Hash, sm3, HashAlgorithm::kSm3)->Arg(64)->Arg(1024)->Arg(1 << 20);

// A typical record signing input: a few hundred bytes of JCS.
const std::string kMessage = "EVIDENCE-RECORD/v1\n" + std::string(400, 'r');

PrivateKey MustGenerate(SignatureAlgorithm algorithm) {
  auto key = PrivateKey::Generate(algorithm);
  EVIDENCE_CHECK(key.ok());
  return std::move(key).value();
}

void BM_Sign(benchmark::State& state, SignatureAlgorithm algorithm) {
  const PrivateKey key = MustGenerate(algorithm);
  for (auto _ : state) {
    auto signature = key.Sign(AsBytes(kMessage));
    EVIDENCE_CHECK(signature.ok());
    benchmark::DoNotOptimize(signature);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_Sign, p256, SignatureAlgorithm::kP256);
BENCHMARK_CAPTURE(BM_Sign, ed25519, SignatureAlgorithm::kEd25519);
BENCHMARK_CAPTURE(BM_Sign, sm2, SignatureAlgorithm::kSm2);

void BM_Verify(benchmark::State& state, SignatureAlgorithm algorithm) {
  const PrivateKey key = MustGenerate(algorithm);
  auto signature = key.Sign(AsBytes(kMessage));
  EVIDENCE_CHECK(signature.ok());
  const PublicKey& public_key = key.public_key();
  for (auto _ : state) {
    bool valid = public_key.Verify(AsBytes(kMessage), *signature);
    EVIDENCE_CHECK(valid);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_Verify, p256, SignatureAlgorithm::kP256);
BENCHMARK_CAPTURE(BM_Verify, ed25519, SignatureAlgorithm::kEd25519);
BENCHMARK_CAPTURE(BM_Verify, sm2, SignatureAlgorithm::kSm2);
// Verification from several threads on one shared key (the mempool's worker pool).
BENCHMARK_CAPTURE(BM_Verify, p256_threads, SignatureAlgorithm::kP256)->Threads(2);

}  // namespace
}  // namespace evidence::crypto
