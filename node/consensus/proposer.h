// Weighted round-robin proposer selection (Tendermint's proposer-priority
// algorithm): at each step every validator's priority grows by its power, the
// highest priority proposes (ties: lowest index) and loses the total power.
// Over any window of steps each validator proposes in proportion to its power.
//
// Step k = (height - 1) + round, so proposer(h, r + 1) == proposer(h + 1, r), as in
// CometBFT where priorities advance once per height and once per round.
//
// Thread-safety: not thread-safe (memoizes the last computed steps).
// Invariant: the priorities always sum to zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace evidence::consensus {

class ProposerSchedule {
 public:
  explicit ProposerSchedule(std::vector<uint64_t> powers);

  // Walks the schedule from the nearest remembered step: O(height + round) from
  // genesis at worst, O(round) within the height last asked for. Callers bound
  // the rounds they ask about (ConsensusCore: its future-rounds window).
  uint32_t ProposerAt(uint64_t height, uint32_t round);

  // Advances applied since the last reset (for tests: the work done).
  uint64_t steps_done() const { return steps_done_; }

 private:
  void Reset();
  void Advance();

  std::vector<uint64_t> powers_;
  int64_t total_power_ = 0;
  std::vector<int64_t> priorities_;
  uint64_t steps_done_ = 0;  // number of Advance() calls applied to priorities_
  uint32_t last_proposer_ = 0;
  // State at round 0 of the last height asked for, so that rounds of one height
  // can be asked in any order without replaying from genesis.
  std::vector<int64_t> checkpoint_priorities_;
  uint64_t checkpoint_steps_ = 0;
  uint32_t checkpoint_proposer_ = 0;
};

}  // namespace evidence::consensus
