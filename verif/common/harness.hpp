// verif/common/harness.hpp — what every Verilator harness shares: the seed (printed; HARDWIRE_SEED replays it),
// random valid/ready stall patterns, clocking, and the one-line mismatch report.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "verilated.h"
#if __has_include("hardwire/seed.hpp")
#include "hardwire/seed.hpp"
#else
#include "seed.hpp"  // the copy embedded beside this file in a `hardwire sim` build
#endif

namespace hardwire::verif {

// The seed of this run: HARDWIRE_SEED if set, else fresh from std::random_device. Printed once, first. A malformed
// HARDWIRE_SEED ends the run (exit 2) with the reason.
inline uint64_t harness_seed(const std::string& block) {
  std::string error;
  const auto parsed = hardwire::seed_from_env(error);
  if (!parsed) {
    std::fprintf(stderr, "[%s] error: %s\n", block.c_str(), error.c_str());
    std::exit(2);
  }
  const uint64_t seed = *parsed;
  std::printf("[%s] HARDWIRE_SEED=%llu\n", block.c_str(), static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  return seed;
}

// Hands the run's seed to Verilator and asks for random initial values (they matter where the model was built with
// --x-initial unique; elsewhere they are ignored).
inline void seed_verilator(uint64_t seed, int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Verilated::randSeed(static_cast<int>(seed & 0x7fffffff));
  Verilated::randReset(2);
}

// A valid or ready line that toggles randomly. Its probability of being high changes every few hundred cycles
// between always, mostly, half and rarely, so both full-throughput and heavily stalled stretches occur.
class StallPattern {
 public:
  explicit StallPattern(uint64_t seed) : rng_(seed) { pick(); }
  bool next() {
    if (--left_ == 0) pick();
    return p_ >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng_) < p_;
  }

 private:
  void pick() {
    static constexpr double kLevels[] = {1.0, 1.0, 0.9, 0.5, 0.1};
    p_ = kLevels[rng_() % 5];
    left_ = 50 + static_cast<int>(rng_() % 400);
  }
  std::mt19937_64 rng_;
  double p_ = 1.0;
  int left_ = 1;
};

// Sign-extends the low `bits` of v.
inline int64_t sext(uint64_t v, int bits) {
  const uint64_t m = uint64_t{1} << (bits - 1);
  v &= bits == 64 ? ~uint64_t{0} : ((uint64_t{1} << bits) - 1);
  return static_cast<int64_t>((v ^ m) - m);
}
inline uint64_t mask(int64_t v, int bits) {
  return static_cast<uint64_t>(v) & (bits == 64 ? ~uint64_t{0} : ((uint64_t{1} << bits) - 1));
}

// Clock helpers for a Verilated top with clk_i / rst_ni.
template <class Top>
void settle_low(Top& top) {
  top.clk_i = 0;
  top.eval();
}
template <class Top>
void rising_edge(Top& top) {
  top.clk_i = 1;
  top.eval();
}
template <class Top>
void reset(Top& top, int cycles = 4) {
  top.rst_ni = 0;
  for (int i = 0; i < cycles; ++i) {
    settle_low(top);
    rising_edge(top);
  }
  top.rst_ni = 1;
  settle_low(top);
}

// Prints the verdict line ctest and people read, and returns the process exit code.
inline int finish(const std::string& block, uint64_t seed, long long checked, long long failed, const std::string& extra) {
  std::printf("[%s] %lld checked, %lld mismatched%s%s (HARDWIRE_SEED=%llu)\n", block.c_str(), checked, failed,
              extra.empty() ? "" : "; ", extra.c_str(), static_cast<unsigned long long>(seed));
  std::printf("%lld passed, %lld failed\n", checked - failed, failed);
  return failed == 0 && checked > 0 ? 0 : 1;
}

}  // namespace hardwire::verif
