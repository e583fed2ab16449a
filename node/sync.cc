#include "node/sync.h"

#include <algorithm>
#include <functional>

#include "common/check.h"

namespace evidence::node {

SyncTracker::SyncTracker(std::vector<uint64_t> powers, std::optional<uint32_t> self_index,
                         int64_t request_timeout_ms)
    : powers_(std::move(powers)),
      heights_(powers_.size()),
      self_index_(self_index),
      request_timeout_ms_(request_timeout_ms) {
  EVIDENCE_CHECK(request_timeout_ms > 0);
  for (uint64_t power : powers_) total_power_ += power;
  EVIDENCE_CHECK(total_power_ > 0);
}

void SyncTracker::SetPowers(std::vector<uint64_t> powers) {
  EVIDENCE_CHECK(powers.size() == powers_.size());
  uint64_t total = 0;
  for (uint64_t power : powers) total += power;
  if (total == 0) return;
  powers_ = std::move(powers);
  total_power_ = total;
}

void SyncTracker::OnPeerHeight(uint32_t peer_index, uint64_t height) {
  if (peer_index >= heights_.size() || peer_index == self_index_) return;
  std::optional<uint64_t>& known = heights_[peer_index];
  if (!known || *known < height) known = height;
}

void SyncTracker::OnPeerDisconnected(uint32_t peer_index) {
  if (peer_index >= heights_.size()) return;
  heights_[peer_index].reset();
  if (outstanding_peer_ == peer_index) outstanding_peer_.reset();
}

void SyncTracker::OnResponse(uint32_t peer_index) {
  if (outstanding_peer_ == peer_index) outstanding_peer_.reset();
}

uint64_t SyncTracker::best_peer_height() const {
  uint64_t best = 0;
  for (const std::optional<uint64_t>& height : heights_) {
    if (height) best = std::max(best, *height);
  }
  return best;
}

uint64_t SyncTracker::trusted_height() const {
  std::vector<std::pair<uint64_t, uint64_t>> reports;  // (height, power)
  for (size_t i = 0; i < heights_.size(); ++i) {
    if (heights_[i]) reports.emplace_back(*heights_[i], powers_[i]);
  }
  std::sort(reports.begin(), reports.end(), std::greater<>());
  uint64_t power = 0;
  for (const auto& [height, peer_power] : reports) {
    power += peer_power;
    if (3 * power > total_power_) return height;
  }
  return 0;
}

std::optional<SyncTarget> SyncTracker::Next(uint64_t own_height, int64_t now_ms) {
  if (!behind(own_height)) {
    outstanding_peer_.reset();
    return std::nullopt;
  }
  if (outstanding_peer_) {
    if (now_ms - outstanding_since_ms_ < request_timeout_ms_) return std::nullopt;
    outstanding_peer_.reset();
  }
  // Every peer that has our next block, starting after the last one asked.
  std::vector<uint32_t> candidates;
  for (uint32_t i = 0; i < heights_.size(); ++i) {
    if (heights_[i] && *heights_[i] > own_height) candidates.push_back(i);
  }
  EVIDENCE_CHECK(!candidates.empty());
  uint32_t peer = candidates[rotation_++ % candidates.size()];
  uint64_t available = *heights_[peer] - own_height;
  SyncTarget target{peer, SyncRequest{own_height + 1,
                                      static_cast<uint32_t>(std::min<uint64_t>(
                                          available, kSyncBlocksMax))}};
  outstanding_peer_ = peer;
  outstanding_since_ms_ = now_ms;
  return target;
}

}  // namespace evidence::node
