// Requantize unit (rtl_templates/hw_requant.sv) against golden::requantize_sat: random accumulators including the
// extremes of ACC_W, multipliers across the normalized range and below it, every shift 1..62, exact rounding ties
// (which random operands almost never hit), random stalls on both
// handshakes. Configuration (compile definitions): HW_ACC_W, HW_OUT_W.
#include <algorithm>
#include <memory>
#include <vector>

#include "Vhw_requant.h"
#include "hardwire/golden/ops.hpp"
#include "stream.hpp"
#include "verilated.h"

using namespace hardwire;

namespace {
constexpr int kAccW = HW_ACC_W;
constexpr int kOutW = HW_OUT_W;
constexpr long long kItems = 40000;

struct Item {
  int64_t acc;
  golden::Requant rq;
};
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl requant ACC_W=" + std::to_string(kAccW) + " OUT_W=" + std::to_string(kOutW);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_requant>();

  // Stimulus: a third extremes, the rest uniform over the accumulator range scaled to interesting magnitudes.
  std::vector<Item> items;
  const int64_t amin = golden::min_of(kAccW), amax = golden::max_of(kAccW);
  for (long long i = 0; i < kItems; ++i) {
    Item it;
    switch (rng() % 6) {
      case 0: it.acc = (rng() & 1) ? amin : amax; break;
      case 1: it.acc = static_cast<int64_t>(rng() % 5) - 2; break;
      default: {
        const int bits = 1 + static_cast<int>(rng() % static_cast<uint64_t>(kAccW));
        it.acc = std::uniform_int_distribution<int64_t>(golden::min_of(bits), golden::max_of(bits))(rng);
      }
    }
    it.rq.mult = (rng() % 8 == 0) ? static_cast<int32_t>(rng() % (1u << 30))
                                  : static_cast<int32_t>((1u << 30) + rng() % (1u << 30));
    it.rq.rshift = 1 + static_cast<int32_t>(rng() % 62);
    if (rng() % 8 == 0) {
      // An exact rounding tie: mult = 2^30 and acc = odd * 2^(rshift - 31) put the product at 2^(rshift-1) mod
      // 2^rshift (random operands almost never do).
      const int max_r = std::min(62, 31 + kAccW - 2);
      it.rq.mult = 1 << 30;
      it.rq.rshift = 31 + static_cast<int32_t>(rng() % static_cast<uint64_t>(max_r - 31 + 1));
      const int room = kAccW - 2 - (it.rq.rshift - 31);
      const int64_t odd = 2 * static_cast<int64_t>(rng() % (uint64_t{1} << std::min(room, 20))) + 1;
      it.acc = ((rng() & 1) ? odd : -odd) * (int64_t{1} << (it.rq.rshift - 31));
    }
    items.push_back(it);
  }
  verif::Source<Item> in(seed ^ 0x1111);
  verif::Sink<int64_t> out(block, seed ^ 0x2222, [](const int64_t& y) { return std::to_string(y); });
  for (const Item& it : items) {
    in.push(it);
    out.expect(golden::requantize_sat(it.acc, it.rq, kOutW));
  }

  verif::reset(*top);
  long long cycles = 0;
  while (!out.done() && cycles < kItems * 40) {
    const Item* it = in.drive();
    top->in_valid_i = it != nullptr;
    if (it) {
      top->acc_i = verif::mask(it->acc, kAccW);
      top->mult_i = static_cast<uint32_t>(it->rq.mult);
      top->rshift_i = static_cast<uint8_t>(it->rq.rshift);
    }
    top->out_ready_i = out.ready();
    verif::settle_low(*top);
    const bool in_fire = it && top->in_ready_o;
    if (top->out_valid_o && top->out_ready_i) out.check(verif::sext(static_cast<uint64_t>(top->y_o), kOutW));
    verif::rising_edge(*top);
    if (in_fire) in.accept();
    ++cycles;
  }
  top->final();
  return verif::finish(block, seed, out.checked(), out.failed(), std::to_string(cycles) + " cycles");
}
