// Seeds for random tests: printed by every test that uses one, replayed with HARDWIRE_SEED=N.
//
//   const uint64_t seed = hw_test::test_seed();   // prints "[   SEED   ] HARDWIRE_SEED=N (Suite.Test)"
//   std::mt19937_64 rng(seed);
//
// Without HARDWIRE_SEED the base seed is drawn once per process from std::random_device, so every run explores new
// cases; each test mixes the base seed with its own name, so one HARDWIRE_SEED replays every test of a run.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "hardwire/seed.hpp"

namespace hw_test {

inline uint64_t base_seed() {
  static const uint64_t seed = []() -> uint64_t {
    std::string error;
    const auto parsed = hardwire::seed_from_env(error);
    if (!parsed) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      std::exit(2);
    }
    return *parsed;
  }();
  return seed;
}

inline uint64_t test_seed() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "";
  uint64_t h = base_seed() ^ 0xcbf29ce484222325ull;  // FNV-1a over the test name
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  std::printf("[   SEED   ] HARDWIRE_SEED=%llu (%s)\n", static_cast<unsigned long long>(base_seed()), name.c_str());
  std::fflush(stdout);
  ::testing::Test::RecordProperty("HARDWIRE_SEED", std::to_string(base_seed()));
  return h;
}

// Adds the replay hint to every failure message in scope.
#define HW_SEED_TRACE() \
  SCOPED_TRACE("replay with HARDWIRE_SEED=" + std::to_string(::hw_test::base_seed()))

}  // namespace hw_test
