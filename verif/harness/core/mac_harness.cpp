// hw_core_mac against its contract: groups of element pairs (EMBED: sum of b; SWIGLU: sum of silu_l(a) * b with a
// random SiLU image and layer, golden::silu_lookup's interpolation for a 16-bit gate) with random gaps; one sum per
// group, wrapped to MAC_ACC_W bits. Configuration: HW_MAC_ACC_W, HW_N_LAYERS, HW_GATE_W, HW_SILU_FILE (written here).
#include <cstdio>
#include <memory>
#include <vector>

#include "Vhw_core_mac.h"
#include "silu_image.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kAccW = HW_MAC_ACC_W, kLayers = HW_N_LAYERS, kGateW = HW_GATE_W;
struct Item {
  int64_t a = 0, b = 0;
  bool first = false, last = false;
};
std::string show(const int64_t& v) { return std::to_string(v); }
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_mac MAC_ACC_W=" + std::to_string(kAccW) + " N_LAYERS=" + std::to_string(kLayers) +
                            " GATE_W=" + std::to_string(kGateW);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  const std::vector<golden::SiluTable> silu = verif::write_silu_image(HW_SILU_FILE, kLayers, rng);
  if (silu.empty()) return verif::finish(block, seed, 0, 1, "cannot write " + std::string(HW_SILU_FILE));
  auto top = std::make_unique<Vhw_core_mac>();
  verif::Sink<int64_t> sums(block, seed ^ 1, show, false);
  verif::reset(*top);
  long long cycles = 0;
  for (int instr = 0; instr < 600; ++instr) {
    const int mode = static_cast<int>(rng() % 2);  // 0 EMBED, 1 SWIGLU
    const int layer = static_cast<int>(rng() % kLayers);
    verif::Source<Item> items(seed ^ (0x100u + static_cast<unsigned>(instr)));
    const int groups = 1 + static_cast<int>(rng() % 6);
    for (int g = 0; g < groups; ++g) {
      const int n = 1 + static_cast<int>(rng() % 9);
      int64_t acc = 0;
      for (int i = 0; i < n; ++i) {
        Item it;
        it.first = i == 0;
        it.last = i == n - 1;
        it.a = verif::sext(rng(), 17);
        it.b = verif::sext(rng(), 17);
        // The gate is the low GATE_W bits of A (the upper bits are not read).
        const int64_t f = mode == 0 ? 1
                                    : golden::silu_lookup(verif::sext(verif::mask(it.a, kGateW), kGateW),
                                                          silu[static_cast<size_t>(layer)], kGateW);
        acc += f * it.b;
        items.push(it);
      }
      sums.expect(verif::sext(verif::mask(acc, kAccW), kAccW));
    }
    while (!sums.done() && cycles < 10000000) {
      const Item* it = items.drive();
      top->embed_i = mode == 0;
      top->swiglu_i = mode == 1;
      top->silu_layer_i = static_cast<uint32_t>(layer);
      top->elem_pop_i = it != nullptr;
      top->pair_first_i = it && it->first;
      top->pair_last_i = it && it->last;
      top->pair_a_i = it ? static_cast<uint32_t>(verif::mask(it->a, 17)) : 0;
      top->pair_b_i = it ? static_cast<uint32_t>(verif::mask(it->b, 17)) : 0;
      verif::settle_low(*top);
      if (top->acc_valid_o) sums.check(verif::sext(static_cast<uint64_t>(top->acc_o), kAccW));
      verif::rising_edge(*top);
      if (it) items.accept();
      ++cycles;
    }
  }
  top->final();
  return verif::finish(block, seed, sums.checked(), sums.failed(), std::to_string(cycles) + " cycles");
}
