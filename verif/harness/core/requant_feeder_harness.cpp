// hw_core_requant_feeder against golden::requantize_sat: per instruction a source (MATVEC: per-channel parameters at
// rq_base + index; PV or MAC: one parameter word at rq_base), a result width 8/16/32 and a random requant ROM image
// (multipliers across the normalized range and below, shifts 1..62); accumulators at the sources' full widths with
// random gaps. Each instruction starts with a SETUP cycle, after which param_o must hold word rq_base (what
// hw_core_elementwise's lanes use) until the first value. Configuration: HW_ACC_W, HW_MAC_ACC_W, HW_RQ_ACC_W, HW_RQ_DEPTH, HW_RQ_FILE (written here).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include "Vhw_core_requant_feeder.h"
#include "hardwire/golden/ops.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kAccW = HW_ACC_W, kMacW = HW_MAC_ACC_W, kDepth = HW_RQ_DEPTH;
std::string show(const int64_t& v) { return std::to_string(v); }
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_requant_feeder ACC_W=" + std::to_string(kAccW) + " MAC_ACC_W=" + std::to_string(kMacW);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  std::vector<golden::Requant> rom(kDepth);
  {
    FILE* f = std::fopen(HW_RQ_FILE, "w");
    if (!f) return verif::finish(block, seed, 0, 1, "cannot write " + std::string(HW_RQ_FILE));
    for (auto& r : rom) {
      r.mult = (rng() % 8 == 0) ? static_cast<int32_t>(rng() % (1u << 30)) : static_cast<int32_t>((1u << 30) + rng() % (1u << 30));
      r.rshift = 1 + static_cast<int32_t>(rng() % 62);
      std::fprintf(f, "%010llx\n", static_cast<unsigned long long>(int64_t{r.mult} | (int64_t{r.rshift} << 31)));
    }
    std::fclose(f);
  }
  auto top = std::make_unique<Vhw_core_requant_feeder>();
  verif::Sink<int64_t> outs(block, seed ^ 1, show, false);
  verif::reset(*top);
  long long cycles = 0;
  static const int kBits[] = {8, 16, 32};
  long long param_checked = 0, param_failed = 0;
  for (int instr = 0; instr < 400; ++instr) {
    const int source = static_cast<int>(rng() % 3);  // 0 MATVEC, 1 PV, 2 MAC
    const int bits = kBits[rng() % 3];
    const int n = 1 + static_cast<int>(rng() % static_cast<uint64_t>(source == 0 ? std::min(40, kDepth) : 40));
    const int64_t base = static_cast<int64_t>(rng() % static_cast<uint64_t>(kDepth - (source == 0 ? n : 1) + 1));
    verif::Source<int64_t> accs(seed ^ (0x100u + static_cast<unsigned>(instr)));
    const int w = source == 0 ? kAccW : kMacW;
    for (int i = 0; i < n; ++i) {
      const int sub = 1 + static_cast<int>(rng() % static_cast<uint64_t>(w));
      const int64_t acc = (rng() % 10 == 0) ? ((rng() & 1) ? golden::min_of(w) : golden::max_of(w))
                                            : verif::sext(rng(), sub);
      accs.push(acc);
      outs.expect(golden::requantize_sat(acc, rom[static_cast<size_t>(base + (source == 0 ? i : 0))], bits));
    }
    // SETUP: nothing flows; the ROM reads word base.
    top->setup_i = 1;
    top->matvec_i = source == 0;
    top->pv_i = source == 1;
    top->rq_base_i = static_cast<uint32_t>(base);
    top->out_bits_i = static_cast<uint8_t>(bits);
    top->matvec_valid_i = top->pv_valid_i = top->mac_valid_i = 0;
    top->matvec_index_i = 0;
    verif::settle_low(*top);
    verif::rising_edge(*top);
    ++cycles;
    top->setup_i = 0;
    int index = 0;
    bool first = true;
    while (!outs.done() && cycles < 10000000) {
      const int64_t* a = accs.drive();
      top->matvec_i = source == 0;
      top->pv_i = source == 1;
      top->rq_base_i = static_cast<uint32_t>(base);
      top->out_bits_i = static_cast<uint8_t>(bits);
      top->matvec_valid_i = a && source == 0;
      top->matvec_acc_i = a ? verif::mask(*a, kAccW) : 0;
      top->matvec_index_i = static_cast<uint32_t>(index);
      top->pv_valid_i = a && source == 1;
      top->pv_acc_i = a ? verif::mask(*a, kMacW) : 0;
      top->mac_valid_i = a && source == 2;
      top->mac_acc_i = a ? verif::mask(*a, kMacW) : 0;
      verif::settle_low(*top);
      if (first) {
        const golden::Requant& r = rom[static_cast<size_t>(base)];
        const uint64_t want = static_cast<uint64_t>(int64_t{r.mult} | (int64_t{r.rshift} << 31));
        ++param_checked;
        if (static_cast<uint64_t>(top->param_o) != want) {
          if (++param_failed <= 5)
            std::printf("[%s] param_o after SETUP of word %lld: got %010llx, want %010llx\n", block.c_str(),
                        static_cast<long long>(base), static_cast<unsigned long long>(top->param_o),
                        static_cast<unsigned long long>(want));
        }
        first = false;
      }
      if (top->out_valid_o) outs.check(static_cast<int32_t>(top->out_o));
      verif::rising_edge(*top);
      if (a) {
        accs.accept();
        ++index;
      }
      ++cycles;
    }
  }
  top->final();
  return verif::finish(block, seed, outs.checked() + param_checked, outs.failed() + param_failed,
                       std::to_string(cycles) + " cycles, " + std::to_string(param_checked) + " parameter words after SETUP");
}
