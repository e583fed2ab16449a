// The chains behind the receipt vectors (tests/vectors/receipts/, and the worked
// examples of docs/receipt-format.md in docs/receipt-examples/): small chains
// built in memory from the fixed test keys, and the golden receipts of their
// records. Everything is deterministic: Ed25519 signs deterministically, and
// P-256 and SM2 draw their nonces from UseFixedRandomSource's stream, reseeded
// by name before each chain and each case that signs, so that adding a case
// changes no other file.
//
// Chains (genesis file stems):
//   sha256-ed25519  "sishui-evidence", SHA-256, Ed25519, power 1 each: block 1 two
//                   records; block 2 the worked example, a batch of three; block 3
//                   a record at every v1 limit; block 4 a batch of one.
//   sm3-sm2         "sishui-evidence-gm", SM3, SM2 keys, documents digested with
//                   SM3: block 1 one record; block 2 the example, a batch of two.
//   p256-weighted   "county-p256-test", SHA-256, P-256, powers 2,1,1,2: block 1
//                   one record (tree of one, empty proof) whose commit's times are
//                   out of index order; block 2 a record whose signature has a high
//                   S, committed by validators 0, 1 and 3 with tied times.
//   governed        "sishui-evidence-governed", SHA-256, Ed25519, a version-2 genesis
//                   (admin keys, threshold 3 of 4): receipts v2 across governance
//                   changes (docs/receipt-format.md §11), see BuildGoverned.
//   governed-trusted-time "sishui-evidence-trusted-time": a version-2 genesis with
//                   the court's TSA CA and a witness; receipts v2 across add-witness,
//                   set-tsa-ca and remove-witness, see BuildTrustedTime.
//
// Thread-safety: none (tests only; the random source is process-wide).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/receipt.h"
#include "tests/ledger/test_chain.h"

namespace evidence::vectors {

// Replaces OpenSSL's random source for the whole process with SHA-256 in
// counter mode over `seed`. For test vectors only: nothing real may be signed
// in such a process. Call again to restart the stream from another seed.
void UseFixedRandomSource(std::string_view seed);

// The same P-256 DER signature with S replaced by n - S when S is low: ECDSA
// does not fix the sign of S, and verifiers must accept both
// (docs/receipt-format.md §1).
Bytes HighS(const Bytes& der);

// One chain and where each of its records went.
class VectorChain {
 public:
  VectorChain(std::string name, ledger::testing::TestChainOptions options);

  const std::string& name() const { return name_; }
  ledger::testing::TestChain& chain() { return chain_; }
  const ledger::testing::TestChain& chain() const { return chain_; }
  crypto::HashAlgorithm hash() const { return chain_.hash(); }

  // Appends the next block with these records (and governance action leaves),
  // committed as `plan` says.
  void Commit(const std::vector<ledger::Record>& records,
              const ledger::testing::CommitPlan& plan = {},
              const std::vector<std::string>& actions = {});
  // From block `from_height` on, validator `index` votes with `key` (after a
  // rotate-validator-keys action that takes effect there).
  void UseVoteKey(uint32_t index, crypto::PrivateKey key, uint64_t from_height);
  // The receipt of a committed record (proof in its own block's tree head):
  // version 2 with every governance block of the chain when its block is of
  // version 2, as ledger::BuildReceipt makes it.
  ledger::Receipt ReceiptOf(const ledger::Record& record) const;
  // Signs the receipt's commit again, over its header as it now is (each
  // signature keeps its validator and timestamp).
  void Recommit(ledger::Receipt& receipt) const;
  // The same for any header and its commit (e.g. a governance block's), by the
  // vote keys of the validators of that height.
  void Recommit(const ledger::BlockHeader& header, ledger::Commit& commit) const;
  // A record of `agency` for this document (digest with `digest_algorithm`), unsigned.
  ledger::Record DocumentRecord(size_t agency, const std::string& case_id, const std::string& kind,
                                const std::string& stage, const std::string& title,
                                const std::string& document,
                                crypto::HashAlgorithm digest_algorithm) const;

 private:
  struct Placed {
    uint64_t height;
    uint64_t leaf_index;
  };
  std::string name_;
  ledger::testing::TestChain chain_;
  std::vector<crypto::Digest> leaf_hashes_;
  std::vector<ledger::BlockHeader> headers_;  // by height - 1
  std::vector<ledger::Commit> commits_;       // by height - 1
  std::map<crypto::Digest, Placed> placed_;   // by record id
  std::vector<ledger::GovernanceBlock> governance_;  // the blocks with actions
  struct VoteKeyChange {
    uint32_t index;
    uint64_t from_height;
    crypto::PrivateKey key;
  };
  std::vector<VoteKeyChange> vote_keys_;
  const crypto::PrivateKey& VoteKey(uint32_t index, uint64_t height) const;
  ledger::Commit SignCommit(const ledger::BlockHeader& header,
                            const ledger::testing::CommitPlan& plan) const;
};

// A receipt every verifier must accept.
struct Golden {
  std::string name;         // case name, also the example directory of the page's examples
  std::string description;
  const VectorChain* chain;
  std::string document;     // document file name (in documents/)
  ledger::Receipt receipt;
  int64_t existed_by_ms;    // what it proves, stated by design (checked against the code)
  // Receipts v2: the notes and warnings it gives (a key revoked after the
  // record; compromised from before its claimed time), checked the same way.
  size_t notes = 0;
  size_t warnings = 0;
};

struct Corpus {
  std::map<std::string, std::unique_ptr<VectorChain>> chains;  // by genesis name
  std::map<std::string, std::string> documents;                // file name -> bytes
  std::vector<Golden> goldens;
  const Golden& golden(const std::string& name) const;
};

// A fixed institution CA certificate (P-256, CA:TRUE, made once with openssl
// req -x509), the TSA CA of the trusted-time members of version 2.
inline constexpr std::string_view kCourtCaPem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB7TCCAZOgAwIBAgIUBjiThzkpamU8oOvJQuRAYt7BYQ0wCgYIKoZIzj0EAwIw\n"
    "QzEeMBwGA1UECgwV5rOX5rC05Y6/5Lq65rCR5rOV6ZmiMSEwHwYDVQQDDBjms5fm\n"
    "sLTljr/kurrmsJHms5XpmaIgQ0EwIBcNMjYxMjA2MjEwNDEwWhgPMjEyNjExMTIy\n"
    "MTA0MTBaMEMxHjAcBgNVBAoMFeazl+awtOWOv+S6uuawkeazlemZojEhMB8GA1UE\n"
    "AwwY5rOX5rC05Y6/5Lq65rCR5rOV6ZmiIENBMFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
    "AQcDQgAEHkjRFOvIvyL7u74C3rcgHOEpYBDPcD+Bd2eHIHUsoqLTSg2wDp3ooZc6\n"
    "LaLT5cZVCrgH7ysN5Bi9rTVqU5eybqNjMGEwHQYDVR0OBBYEFBHvJ8DCx8BODiNm\n"
    "K2m6u4uFayl4MB8GA1UdIwQYMBaAFBHvJ8DCx8BODiNmK2m6u4uFayl4MA8GA1Ud\n"
    "EwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMAoGCCqGSM49BAMCA0gAMEUCIBE3\n"
    "vq+5f/PioPPWunwmottc+Et64yAfUKYDwCJC40ceAiEApFiZ03KvPB6mBS8AtBL7\n"
    "zYsz/bjcP3fFFoDFd9Ti/4E=\n"
    "-----END CERTIFICATE-----\n";

// A second CA of the court (made the same way), the one set-tsa-ca puts in
// place of the first.
inline constexpr std::string_view kCourtCa2Pem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB8DCCAZegAwIBAgIUGvwY+FA45jN9Pnb09STCJHnYY4wwCgYIKoZIzj0EAwIw\n"
    "RTEeMBwGA1UECgwV5rOX5rC05Y6/5Lq65rCR5rOV6ZmiMSMwIQYDVQQDDBrms5fm\n"
    "sLTljr/kurrmsJHms5XpmaIgQ0EgMjAgFw0yNjEyMDcwMTI0NTZaGA8yMTI2MTEx\n"
    "MzAxMjQ1NlowRTEeMBwGA1UECgwV5rOX5rC05Y6/5Lq65rCR5rOV6ZmiMSMwIQYD\n"
    "VQQDDBrms5fmsLTljr/kurrmsJHms5XpmaIgQ0EgMjBZMBMGByqGSM49AgEGCCqG\n"
    "SM49AwEHA0IABKjRWRJpfu+ztsNk54TiARXF2e0cYAmoMCjPDPLqGjnq+V++Q3OA\n"
    "nIvxB/+CGwRzETx/SSjz0RdytUtXkoSHmRijYzBhMB0GA1UdDgQWBBRFTBc0CmEi\n"
    "NI3xOxCBg9jaXZS+fDAfBgNVHSMEGDAWgBRFTBc0CmEiNI3xOxCBg9jaXZS+fDAP\n"
    "BgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAgNHADBE\n"
    "AiBSPVxIIoo6Env6hd/sRHuqgB1yhxn65wfkgM0E8OZ6TwIgEtLJBRE07MtoDAaA\n"
    "f3ShFxCp6KINRMKI1Deo6spZxCc=\n"
    "-----END CERTIFICATE-----\n";

// Builds the chains and the golden receipts (the same bytes on every run).
Corpus BuildCorpus();

// The three goldens that docs/receipt-format.md works through, in page order.
inline constexpr const char* kExampleNames[] = {"sha256-ed25519-single", "sha256-ed25519-batched",
                                                "sm3-sm2-single"};

}  // namespace evidence::vectors
