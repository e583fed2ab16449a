// The deterministic cluster simulator behind `evidence-sim`: many consensus
// cores in one thread on a simulated network and clock, all randomness from one
// std::mt19937_64 seeded by the run's seed (so a seed replays exactly).
//
// A run: a fault phase (loss, duplication, reordering, delay, partitions that
// heal, crashes and restarts from the simulated WAL, mid-outbox crashes, clock
// skew, Byzantine validators), then a fault-free phase in which every honest
// validator must commit `heights` more heights. With `set_changes`, validator
// set changes (a node joins, an honest member leaves, a power changes, a vote
// key is rotated) are committed at the first heights and decide two heights
// later (docs/governance.md §3), while the faults run. Checked after every
// step: agreement, validity, commit certificates (> 2/3 of the power of the set
// in force at that height, valid signatures under its keys), vote safety across
// restarts, membership (an honest node signs at a height only as the member it
// is there, with that member's key, and proposes only in that set's turn),
// evidence soundness; at the end, liveness of every honest node, members and
// observers.
//
// Thread-safety: a Simulation is single-threaded; separate runs share nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "node/consensus/core.h"
#include "tests/consensus/planted_bugs.h"

namespace evidence::sim {

struct SimConfig {
  uint32_t validators = 4;
  uint32_t byzantine = 1;
  uint32_t heights = 3;  // heights every honest validator must commit after the heal
  uint32_t set_changes = 0;  // at most this many validator set changes (0: a fixed set)
  consensus::PlantedBug bug = consensus::PlantedBug::kNone;
  bool verbose = false;  // print every event to stdout
};

struct SimResult {
  bool ok = true;
  std::string invariant;  // the broken invariant, when !ok
  std::string detail;
  std::vector<std::string> trace;  // the last events before the failure
  // Measurements.
  uint64_t events = 0;
  uint64_t heights_committed = 0;  // highest height committed by an honest validator
  uint64_t max_rounds_after_heal = 0;  // most rounds one honest validator needed per height
  int64_t sim_time_ms = 0;
};

// Rounds an honest validator may need to commit one height after the heal
// (docs/consensus.md explains the bound).
inline constexpr uint64_t kLivenessRoundsMax = 12;

SimResult RunSimulation(const SimConfig& config, uint64_t seed);

}  // namespace evidence::sim
