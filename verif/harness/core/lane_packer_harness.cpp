// hw_core_lane_packer against its contract: heads of HEAD_SIZE 16-bit values, packed LANES per word, a head starting
// a new word, lanes past the head zero; elements arrive with random gaps, instructions of 1..4 heads. Configuration:
// HW_LANES, HW_HEAD_SIZE.
#include <memory>
#include <vector>

#include "Vhw_core_lane_packer.h"
#include "ports.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kLanes = HW_LANES, kHead = HW_HEAD_SIZE;
using Word = std::vector<int64_t>;
std::string show(const Word& w) {
  std::string s = "{";
  for (size_t i = 0; i < w.size(); ++i) s += (i ? " " : "") + std::to_string(w[i]);
  return s + "}";
}
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_lane_packer LANES=" + std::to_string(kLanes) + " HEAD_SIZE=" + std::to_string(kHead);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_core_lane_packer>();
  verif::Sink<Word> words(block, seed ^ 1, show, false);
  top->clk_i = 0;
  top->setup_i = 1;
  top->pack_i = 0;
  top->elem_pop_i = 0;
  verif::settle_low(*top);
  verif::rising_edge(*top);
  long long cycles = 0;
  for (int instr = 0; instr < 300; ++instr) {
    const int heads = 1 + static_cast<int>(rng() % 4);
    verif::Source<int64_t> elems(seed ^ (0x100u + static_cast<unsigned>(instr)));
    for (int h = 0; h < heads; ++h) {
      std::vector<int64_t> v(kHead);
      for (auto& x : v) x = static_cast<int16_t>(rng());
      for (int w = 0; w * kLanes < kHead; ++w) {
        Word word(kLanes, 0);
        for (int l = 0; l < kLanes && w * kLanes + l < kHead; ++l) word[static_cast<size_t>(l)] = v[static_cast<size_t>(w * kLanes + l)];
        words.expect(word);
      }
      for (auto x : v) elems.push(x);
    }
    // SETUP for 1..3 cycles, then the elements.
    const int setup = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < setup; ++c, ++cycles) {
      top->setup_i = 1;
      top->pack_i = 1;
      top->elem_pop_i = 0;
      verif::settle_low(*top);
      verif::rising_edge(*top);
    }
    while (!elems.empty() && cycles < 10000000) {
      const int64_t* e = elems.drive();
      top->setup_i = 0;
      top->pack_i = 1;
      top->elem_pop_i = e != nullptr;
      top->elem_i = e ? static_cast<uint16_t>(*e) : 0;
      verif::settle_low(*top);
      if (top->write_o) {
        Word got(kLanes);
        for (int l = 0; l < kLanes; ++l) got[static_cast<size_t>(l)] = verif::get_lane(top->word_o, l, 16);
        words.check(got);
      }
      verif::rising_edge(*top);
      if (e) elems.accept();
      ++cycles;
    }
  }
  top->final();
  return verif::finish(block, seed, words.checked(), words.failed(), std::to_string(cycles) + " cycles");
}
