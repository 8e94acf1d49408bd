// hw_core_gemm_packer against its contract: an activation vector of K elements (1..K_MAX, K not a multiple of P
// included) with random gaps becomes X-buffer writes, one per element: word k / P holding the elements of that word
// so far (higher lanes zero), then one start pulse the cycle after the last write. In word mode (HW_WORDS = 1) the
// vector comes as ceil(K / P) scratchpad words of P 32-bit elements with random gaps and random high bits: each
// becomes one X-buffer word of their low A_W bits, the lanes past K zero, and the start pulse comes the cycle after the
// first word (the engine's early start: it consumes no faster than the reader delivers). Configuration: HW_P, HW_A_W, HW_X_ADDR_W,
// HW_K_MAX, HW_WORDS.
#include <memory>
#include <vector>

#include "Vhw_core_gemm_packer.h"
#include "ports.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kP = HW_P, kAW = HW_A_W, kKMax = HW_K_MAX, kWords = HW_WORDS;
static_assert((kKMax + kP - 1) / kP <= (1 << HW_X_ADDR_W), "X_ADDR_W must address ceil(K_MAX / P) words");
struct Write {
  int64_t addr = 0;  // -1: the start pulse
  std::vector<int64_t> lanes;
  bool operator==(const Write&) const = default;
};
std::string show(const Write& w) {
  if (w.addr < 0) return "start";
  std::string s = "word " + std::to_string(w.addr) + " {";
  for (size_t i = 0; i < w.lanes.size(); ++i) s += (i ? " " : "") + std::to_string(w.lanes[i]);
  return s + "}";
}
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_gemm_packer P=" + std::to_string(kP) + " A_W=" + std::to_string(kAW) +
                            (kWords ? " word mode" : "");
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_core_gemm_packer>();
  verif::Sink<Write> writes(block, seed ^ 1, show, false);
  verif::reset(*top);
  long long cycles = 0;
  auto cycle = [&](bool setup, const int64_t* e, bool last, const std::vector<int64_t>* word = nullptr, int k = 0) {
    top->setup_i = setup;
    top->matvec_i = 1;
    top->elem_pop_i = e != nullptr;
    top->elem_last_i = last && e;
    top->elem_i = e ? static_cast<uint32_t>(verif::mask(*e, kAW)) : 0;
    top->n_inner_i = static_cast<uint32_t>(k);
    top->word_valid_i = word != nullptr;
    top->word_last_i = last && word;
    std::vector<int64_t> zero(kP, 0);
    verif::set_lanes(top->word_i, word ? word->data() : zero.data(), kP, 32);
    verif::settle_low(*top);
    if (top->start_o) writes.check(Write{-1, {}});
    if (top->xmem_we_o) {
      Write w{static_cast<int64_t>(top->xmem_addr_o), std::vector<int64_t>(kP)};
      for (int l = 0; l < kP; ++l) w.lanes[static_cast<size_t>(l)] = verif::get_lane(top->xmem_data_o, l, kAW);
      writes.check(w);
    }
    verif::rising_edge(*top);
    ++cycles;
  };
  for (int instr = 0; instr < 300 && kWords; ++instr) {
    const int k = 1 + static_cast<int>(rng() % kKMax), n = (k + kP - 1) / kP;
    verif::Source<std::vector<int64_t>> words(seed ^ (0x100u + static_cast<unsigned>(instr)));
    for (int w = 0; w < n; ++w) {
      std::vector<int64_t> word(kP), lanes(kP, 0);
      for (int j = 0; j < kP; ++j) {
        word[static_cast<size_t>(j)] = static_cast<int64_t>(static_cast<uint32_t>(rng()));  // high bits: noise
        if (w * kP + j < k) lanes[static_cast<size_t>(j)] = verif::sext(static_cast<uint64_t>(word[static_cast<size_t>(j)]), kAW);
      }
      words.push(word);
      writes.expect(Write{w, lanes});
      if (w == 0) writes.expect(Write{-1, {}});  // the cycle after the first word, before the next word's write
    }
    const int setup = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < setup; ++c) cycle(true, nullptr, false, nullptr, k);
    while (!words.empty()) {
      const auto* w = words.drive();
      cycle(false, nullptr, w && words.pending() == 1, w, k);
      if (w) words.accept();
    }
    cycle(false, nullptr, false, nullptr, k);  // the start pulse, where the vector is one word
  }
  for (int instr = 0; instr < 300 && !kWords; ++instr) {
    const int k = 1 + static_cast<int>(rng() % kKMax);
    verif::Source<int64_t> elems(seed ^ (0x100u + static_cast<unsigned>(instr)));
    std::vector<int64_t> lanes(kP, 0);
    for (int i = 0; i < k; ++i) {
      const int64_t v = verif::sext(rng(), kAW);
      elems.push(v);
      if (i % kP == 0) lanes.assign(kP, 0);
      lanes[static_cast<size_t>(i % kP)] = v;
      writes.expect(Write{i / kP, lanes});
    }
    writes.expect(Write{-1, {}});
    const int setup = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < setup; ++c) cycle(true, nullptr, false);
    while (!elems.empty()) {
      const int64_t* e = elems.drive();
      cycle(false, e, e && elems.pending() == 1);
      if (e) elems.accept();
    }
    cycle(false, nullptr, false);  // the start pulse
  }
  top->final();
  return verif::finish(block, seed, writes.checked(), writes.failed(), std::to_string(cycles) + " cycles");
}
