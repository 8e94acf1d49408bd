// hw_core_elementwise against golden::requantize_sat: per instruction a mode (EMBED: y = requant(1 * E[l]) of the
// embedding word's int8 lanes; SWIGLU: y = requant(silu_layer(gate[l]) * up[l]) with a random SiLU image and layer,
// golden::silu_lookup's interpolation for a 16-bit gate), a random requant word on param_i and a result width
// 8/16/32; words with random gaps (the reader's read slots), gate and up at their full GATE_W- and 17-bit ranges
// (extremes included), every lane of every result word checked in order, and valid_o exactly 4 cycles after each
// word. Configuration: HW_V, HW_N_LAYERS, HW_GATE_W, HW_SILU_FILE (written here).
#include <cstdio>
#include <deque>
#include <memory>
#include <vector>

#include "Vhw_core_elementwise.h"
#include "hardwire/golden/ops.hpp"
#include "ports.hpp"
#include "silu_image.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kV = HW_V, kLayers = HW_N_LAYERS, kGateW = HW_GATE_W, kLatency = 4;
struct Word {
  std::vector<int64_t> y;  // kV expected results
  long long due;           // the cycle valid_o must show them
};
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_elementwise V=" + std::to_string(kV) + " N_LAYERS=" + std::to_string(kLayers) +
                            " GATE_W=" + std::to_string(kGateW);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  const std::vector<golden::SiluTable> silu = verif::write_silu_image(HW_SILU_FILE, kLayers, rng);
  if (silu.empty()) return verif::finish(block, seed, 0, 1, "cannot write " + std::string(HW_SILU_FILE));
  auto top = std::make_unique<Vhw_core_elementwise>();
  verif::reset(*top);
  std::deque<Word> pending;
  long long cycles = 0, checked = 0, failed = 0;
  auto report = [&](const std::string& what) {
    if (++failed <= 8) std::printf("[%s] cycle %lld: %s\n", block.c_str(), cycles, what.c_str());
  };
  static const int kBits[] = {8, 16, 32};
  for (int instr = 0; instr < 500; ++instr) {
    const bool swiglu = rng() % 2;
    const int layer = static_cast<int>(rng() % kLayers), bits = kBits[rng() % 3];
    golden::Requant rq;
    rq.mult = (rng() % 8 == 0) ? static_cast<int32_t>(rng() % (1u << 30)) : static_cast<int32_t>((1u << 30) + rng() % (1u << 30));
    rq.rshift = 1 + static_cast<int32_t>(rng() % 40);
    const int words = 1 + static_cast<int>(rng() % 12);
    for (int w = 0; w < words || !pending.empty();) {
      const bool issue = w < words && rng() % 3 != 0;
      std::vector<int64_t> a(kV), b(kV), e(kV), y(kV);
      for (int l = 0; l < kV; ++l) {
        const int kind = static_cast<int>(rng() % 8);
        a[static_cast<size_t>(l)] = kind == 0 ? golden::min_of(kGateW) : kind == 1 ? golden::max_of(kGateW) : verif::sext(rng(), kGateW);
        b[static_cast<size_t>(l)] = kind == 2 ? -65536 : kind == 3 ? 65535 : verif::sext(rng(), 17);
        e[static_cast<size_t>(l)] = kind == 4 ? -128 : verif::sext(rng(), 8);
        const int64_t f = swiglu ? golden::silu_lookup(a[static_cast<size_t>(l)], silu[static_cast<size_t>(layer)], kGateW) : 1;
        y[static_cast<size_t>(l)] =
            golden::requantize_sat(f * (swiglu ? b[static_cast<size_t>(l)] : e[static_cast<size_t>(l)]), rq, bits);
        // The scratchpad holds elements as 32-bit words: the upper bits of A and B are not read.
        a[static_cast<size_t>(l)] = verif::mask(a[static_cast<size_t>(l)], kGateW) | (static_cast<int64_t>(rng() & 0xffffff) << kGateW);
        b[static_cast<size_t>(l)] = verif::mask(b[static_cast<size_t>(l)], 32);
        e[static_cast<size_t>(l)] = verif::mask(e[static_cast<size_t>(l)], 8);
      }
      top->swiglu_i = swiglu;
      top->silu_layer_i = static_cast<uint32_t>(layer);
      top->param_i = static_cast<uint64_t>(int64_t{rq.mult} | (int64_t{rq.rshift} << 31));
      top->out_bits_i = static_cast<uint8_t>(bits);
      top->word_valid_i = issue;
      verif::set_lanes(top->a_word_i, a.data(), kV, 32);
      verif::set_lanes(top->b_word_i, b.data(), kV, 32);
      verif::set_lanes(top->emb_word_i, e.data(), kV, 8);
      verif::settle_low(*top);
      const bool due = !pending.empty() && pending.front().due == cycles;
      if (top->valid_o != due) report(std::string("valid_o ") + (top->valid_o ? "high" : "low") + " unexpectedly");
      if (due) {
        for (int l = 0; l < kV; ++l) {
          const int64_t got = static_cast<int32_t>(verif::get_lane(top->results_o, l, 32));
          ++checked;
          if (got != pending.front().y[static_cast<size_t>(l)])
            report("lane " + std::to_string(l) + ": got " + std::to_string(got) + ", want " +
                   std::to_string(pending.front().y[static_cast<size_t>(l)]));
        }
        pending.pop_front();
      }
      if (issue) {
        pending.push_back({y, cycles + kLatency});
        ++w;
      }
      verif::rising_edge(*top);
      ++cycles;
    }
  }
  top->final();
  return verif::finish(block, seed, checked, failed, std::to_string(cycles) + " cycles");
}
