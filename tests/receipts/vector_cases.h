// The cases of the receipt verification corpus (tests/vectors/receipts/): every
// golden receipt, and receipts and genesis files changed so that exactly one
// rule of docs/receipt-format.md §7 decides the answer, each with the check code
// and exit status a conforming verifier must give. Three verifiers are held to
// these answers: `evidence verify` (C++), the page's Appendix B (Python) and the
// portal's (JavaScript).
//
// Thread-safety: none (tests only).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/receipts/vector_chains.h"

namespace evidence::vectors {

struct VectorCase {
  std::string name;          // also the receipt's file name: receipts/<name>.json
  std::string description;   // what was changed and why that is the answer
  std::string receipt_text;
  std::string genesis;       // file name in genesis/
  std::string document;      // file name in documents/
  crypto::HashAlgorithm digest_algorithm = crypto::HashAlgorithm::kSha256;  // of the base golden
  int exit_status = 0;       // 0 valid, 1 invalid, 2 unusable input
  std::string code;          // the first failed check's code; empty when valid
  std::optional<int64_t> existed_by_ms;  // valid cases: what the receipt proves
  // Receipts v2 and the governed chain (manifest-v2.json): a valid receipt's
  // count of notes and warnings.
  bool receipt_v2_corpus = false;
  size_t notes = 0;
  size_t warnings = 0;
};

struct VectorSet {
  std::vector<VectorCase> cases;
  std::map<std::string, std::string> genesis_files;  // file name -> text
};

// The exit status docs/receipt-format.md §7 gives a check code ("" = valid).
int ExitStatusOf(const std::string& code);

VectorSet BuildCases(const Corpus& corpus);

}  // namespace evidence::vectors
