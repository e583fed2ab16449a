#include "node/consensus/proposer.h"

#include "common/check.h"

namespace evidence::consensus {

ProposerSchedule::ProposerSchedule(std::vector<uint64_t> powers) : powers_(std::move(powers)) {
  EVIDENCE_CHECK(!powers_.empty());
  for (uint64_t power : powers_) {
    EVIDENCE_CHECK(power > 0 && power < (1ull << 60));
    total_power_ += static_cast<int64_t>(power);
  }
  Reset();
}

void ProposerSchedule::Reset() {
  priorities_.assign(powers_.size(), 0);
  steps_done_ = 0;
}

void ProposerSchedule::Advance() {
  uint32_t best = 0;
  for (std::size_t i = 0; i < priorities_.size(); ++i) {
    priorities_[i] += static_cast<int64_t>(powers_[i]);
    if (priorities_[i] > priorities_[best]) best = static_cast<uint32_t>(i);
  }
  priorities_[best] -= total_power_;
  last_proposer_ = best;
  ++steps_done_;
}

uint32_t ProposerSchedule::ProposerAt(uint64_t height, uint32_t round) {
  EVIDENCE_CHECK(height >= 1);
  uint64_t needed = height + round;  // step k = height - 1 + round needs k + 1 advances
  if (steps_done_ > needed) {
    if (checkpoint_steps_ != 0 && checkpoint_steps_ <= needed) {
      priorities_ = checkpoint_priorities_;
      steps_done_ = checkpoint_steps_;
      last_proposer_ = checkpoint_proposer_;
    } else {
      Reset();
    }
  }
  while (steps_done_ < needed) {
    Advance();
    if (steps_done_ == height && checkpoint_steps_ != height) {
      checkpoint_priorities_ = priorities_;
      checkpoint_steps_ = steps_done_;
      checkpoint_proposer_ = last_proposer_;
    }
  }
  return last_proposer_;
}

}  // namespace evidence::consensus
