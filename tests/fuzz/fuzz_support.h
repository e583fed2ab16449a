// Shared pieces of the libFuzzer targets (tests/fuzz/*_fuzz.cc): a fixed chain
// (genesis, agency and validator keys from the fixed test keys, so every run and
// every seed corpus is byte-for-byte reproducible), and a scratch directory for
// targets whose decoder reads a file.
//
// A target checks properties with FUZZ_EXPECT, which aborts (a finding) when a
// property fails; bad input must never get that far.
//
// Thread-safety: libFuzzer calls a target from one thread; these are not
// thread-safe.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tests/ledger/test_chain.h"

namespace evidence::fuzz {

// The chain every target checks against (ledger::testing::TestChain with
// fixed_keys: sha256, Ed25519, 4 validators, 2 agencies), built once.
const ledger::testing::TestChain& FixedChain();

// The fixed chain's first blocks, each with the state it extends: block 1 (two
// single records), block 2 (a batch of three), block 3 (empty of records, with
// the last commit). `before.contains_record` knows the records of the blocks
// before it only.
struct FixedStep {
  ledger::ChainState before;
  ledger::Block block;
  ledger::Commit commit;
};
const std::vector<FixedStep>& FixedHistory();

// A directory private to this process (under $TMPDIR or /tmp), created once and
// removed at exit.
const std::string& ScratchDirectory();

// Writes `bytes` to ScratchDirectory()/name (replacing it) and returns the path.
std::string WriteScratchFile(const std::string& name, std::string_view bytes);

[[noreturn]] void PropertyFailed(const char* file, int line, const char* condition);

}  // namespace evidence::fuzz

// A property every accepted input must have (round trips, invariants).
#define FUZZ_EXPECT(condition)                                                          \
  do {                                                                                  \
    if (!(condition)) ::evidence::fuzz::PropertyFailed(__FILE__, __LINE__, #condition); \
  } while (false)
