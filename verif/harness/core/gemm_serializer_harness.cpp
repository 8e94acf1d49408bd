// hw_core_gemm_serializer against its contract: ceil(n_out / C) result beats of C accumulators, offered with random
// valid gaps (held until taken), leave one accumulator per cycle with its output index, padding lanes of the last
// beat skipped. Configuration: HW_C, HW_ACC_W.
#include <memory>
#include <vector>

#include "Vhw_core_gemm_serializer.h"
#include "ports.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kC = HW_C, kAccW = HW_ACC_W;
struct Out {
  int64_t acc = 0, index = 0;
  bool operator==(const Out&) const = default;
};
std::string show(const Out& o) { return "output " + std::to_string(o.index) + " = " + std::to_string(o.acc); }
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_gemm_serializer C=" + std::to_string(kC) + " ACC_W=" + std::to_string(kAccW);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_core_gemm_serializer>();
  verif::Sink<Out> outs(block, seed ^ 1, show, false);
  verif::reset(*top);
  long long cycles = 0;
  for (int instr = 0; instr < 300; ++instr) {
    const int n_out = 1 + static_cast<int>(rng() % (4 * kC + 3));
    verif::Source<std::vector<int64_t>> beats(seed ^ (0x100u + static_cast<unsigned>(instr)));
    for (int b = 0; b * kC < n_out; ++b) {
      std::vector<int64_t> lanes(kC);
      for (int l = 0; l < kC; ++l) {
        lanes[static_cast<size_t>(l)] = verif::sext(rng(), kAccW);
        if (b * kC + l < n_out) outs.expect(Out{lanes[static_cast<size_t>(l)], b * kC + l});
      }
      beats.push(lanes);
    }
    top->n_out_i = static_cast<uint32_t>(n_out);
    const int setup = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < setup; ++c, ++cycles) {
      top->setup_i = 1;
      top->beat_valid_i = 0;
      verif::settle_low(*top);
      verif::rising_edge(*top);
    }
    top->setup_i = 0;
    while (!outs.done() && cycles < 10000000) {
      const auto* b = beats.drive();
      top->beat_valid_i = b != nullptr;
      if (b) verif::set_lanes(top->beat_i, b->data(), kC, kAccW);
      verif::settle_low(*top);
      const bool taken = b && top->beat_ready_o;
      if (top->valid_o) outs.check(Out{verif::get_lane(top->acc_o, 0, kAccW), static_cast<int64_t>(top->index_o)});
      verif::rising_edge(*top);
      if (taken) beats.accept();
      ++cycles;
    }
    // The last beat's final lane leaves in the cycle its valid drops.
    for (int c = 0; c < 2; ++c, ++cycles) {
      top->beat_valid_i = 0;
      verif::settle_low(*top);
      if (top->valid_o) outs.check(Out{verif::get_lane(top->acc_o, 0, kAccW), static_cast<int64_t>(top->index_o)});
      verif::rising_edge(*top);
    }
  }
  top->final();
  return verif::finish(block, seed, outs.checked(), outs.failed(), std::to_string(cycles) + " cycles");
}
