// evidence-sim: runs the deterministic consensus simulator over a range of seeds.
//   evidence-sim --validators N --byzantine F --seeds A-B --heights H [--set-changes C] [--bug NAME]
//   evidence-sim --list-bugs
// Exit 0 when every seed passes; at the first failing seed, print the seed, the
// broken invariant and the last events, and exit 1 (2 for unusable arguments).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>

#include "tests/sim/sim.h"

namespace {

bool ParseSeeds(const std::string& text, uint64_t& first, uint64_t& last) {
  size_t dash = text.find('-');
  std::string a = text.substr(0, dash);
  std::string b = dash == std::string::npos ? a : text.substr(dash + 1);
  auto parse = [](const std::string& s, uint64_t& out) {
    auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), out);
    return error == std::errc() && end == s.data() + s.size() && !s.empty();
  };
  return parse(a, first) && parse(b, last) && first <= last;
}


// Runs the seeds in order; stops at the first failure (exit 1), else prints the
// measurements (exit 0).
int RunSeeds(const evidence::sim::SimConfig& config, uint64_t first, uint64_t last,
             const std::string& bug_name) {
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpu_start = std::clock();
  uint64_t max_rounds = 0, max_rounds_seed = 0, events = 0;
  std::array<uint64_t, 16> rounds_histogram{};
  for (uint64_t seed = first; seed <= last; ++seed) {
    evidence::sim::SimResult result = evidence::sim::RunSimulation(config, seed);
    events += result.events;
    if (result.max_rounds_after_heal > max_rounds) {
      max_rounds = result.max_rounds_after_heal;
      max_rounds_seed = seed;
    }
    rounds_histogram[std::min<uint64_t>(result.max_rounds_after_heal, rounds_histogram.size() - 1)]++;
    if (!result.ok) {
      std::printf("FAIL seed %llu (after %llu seeds): %s: %s\n", static_cast<unsigned long long>(seed),
                  static_cast<unsigned long long>(seed - first + 1), result.invariant.c_str(),
                  result.detail.c_str());
      std::printf("last events:\n");
      for (const std::string& line : result.trace) std::printf("  %s\n", line.c_str());
      std::printf("replay: evidence-sim --validators %u --byzantine %u --heights %u --set-changes %u "
                  "--seeds %llu%s%s --verbose\n",
                  config.validators, config.byzantine, config.heights, config.set_changes,
                  static_cast<unsigned long long>(seed), bug_name.empty() ? "" : " --bug ", bug_name.c_str());
      return 1;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  uint64_t count = last - first + 1;
  std::printf("ok: %llu seeds (n=%u f=%u heights=%u) in %.2fs (%.2fs CPU), %.1f seeds/s "
              "(%.1f per CPU second), %llu events, max rounds per height after heal %llu (seed %llu)\n",
              static_cast<unsigned long long>(count), config.validators, config.byzantine, config.heights,
              seconds, cpu_seconds, count / std::max(seconds, 1e-9), count / std::max(cpu_seconds, 1e-9),
              static_cast<unsigned long long>(events), static_cast<unsigned long long>(max_rounds),
              static_cast<unsigned long long>(max_rounds_seed));
  std::printf("seeds by the most rounds one honest validator needed for a height after the heal:");
  for (size_t rounds = 0; rounds < rounds_histogram.size(); ++rounds) {
    if (rounds_histogram[rounds] != 0) {
      std::printf(" %zu:%llu", rounds, static_cast<unsigned long long>(rounds_histogram[rounds]));
    }
  }
  std::printf("\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"evidence-sim: deterministic BFT consensus simulator"};
  evidence::sim::SimConfig config;
  std::string seeds = "1-100";
  std::string bug_name;
  bool list_bugs = false;
  app.add_option("--validators", config.validators, "number of validators")->check(CLI::Range(1, 64));
  app.add_option("--byzantine", config.byzantine, "number of Byzantine validators");
  app.add_option("--seeds", seeds, "seed range A-B (inclusive), or one seed");
  app.add_option("--heights", config.heights, "heights every honest validator commits after the heal")
      ->check(CLI::Range(1, 1000));
  app.add_option("--set-changes", config.set_changes,
                 "validator set changes committed in each run (1 to this many; 0: none)")
      ->check(CLI::Range(0, 16));
  app.add_option("--bug", bug_name, "plant a bug in the honest validators (see --list-bugs)");
  app.add_flag("--list-bugs", list_bugs, "print the bugs that can be planted, one a line");
  app.add_flag("--verbose", config.verbose, "print every event");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (list_bugs) {
    for (const auto& info : evidence::consensus::PlantedBugs()) std::printf("%s\n", std::string(info.name).c_str());
    return 0;
  }
  if (!bug_name.empty()) {
    auto bug = evidence::consensus::ParsePlantedBug(bug_name);
    if (!bug.ok()) {
      std::fprintf(stderr, "evidence-sim: %s\n", bug.status().message().c_str());
      return 2;
    }
    config.bug = *bug;
  }
  uint64_t first = 0, last = 0;
  if (!ParseSeeds(seeds, first, last)) {
    std::fprintf(stderr, "evidence-sim: --seeds must be A-B with A <= B, e.g. 1-1000\n");
    return 2;
  }
  if (config.byzantine * 3 >= config.validators) {
    std::fprintf(stderr, "evidence-sim: needs validators >= 3 * byzantine + 1\n");
    return 2;
  }
  return RunSeeds(config, first, last, bug_name);
}
