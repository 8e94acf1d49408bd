// hw_core_lane_packer against its contract: heads of HEAD_SIZE 16-bit values, packed LANES per word, a head starting
// a new word, lanes past the head zero; elements arrive with random gaps, instructions of 1..4 heads (word mode,
// HW_WORDS: 1..9 heads as scratchpad words of V elements, the last one padded with random lanes, issued on credit with
// random gaps; the packed words in order, none past n_out). Configuration: HW_LANES, HW_HEAD_SIZE, HW_V, HW_WORDS.
#include <memory>
#include <vector>

#include "Vhw_core_lane_packer.h"
#include "ports.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kLanes = HW_LANES, kHead = HW_HEAD_SIZE, kV = HW_V;
constexpr bool kWords = HW_WORDS != 0;
using Word = std::vector<int64_t>;
std::string show(const Word& w) {
  std::string s = "{";
  for (size_t i = 0; i < w.size(); ++i) s += (i ? " " : "") + std::to_string(w[i]);
  return s + "}";
}
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_lane_packer LANES=" + std::to_string(kLanes) + " HEAD_SIZE=" + std::to_string(kHead) +
                            (kWords ? " V=" + std::to_string(kV) + " words" : "");
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_core_lane_packer>();
  verif::Sink<Word> words(block, seed ^ 1, show, false);
  top->clk_i = 0;
  top->setup_i = 1;
  top->pack_i = 0;
  top->elem_pop_i = 0;
  top->word_valid_i = 0;
  top->n_out_i = 0;
  verif::reset(*top);
  long long cycles = 0;
  for (int instr = 0; instr < 300; ++instr) {
    const int heads = 1 + static_cast<int>(rng() % (kWords ? 9 : 4));
    verif::Source<int64_t> elems(seed ^ (0x100u + static_cast<unsigned>(instr)));
    std::vector<int64_t> all;  // word mode: the elements of every head
    for (int h = 0; h < heads; ++h) {
      std::vector<int64_t> v(kHead);
      for (auto& x : v) x = static_cast<int16_t>(rng());
      for (int w = 0; w * kLanes < kHead; ++w) {
        Word word(kLanes, 0);
        for (int l = 0; l < kLanes && w * kLanes + l < kHead; ++l) word[static_cast<size_t>(l)] = v[static_cast<size_t>(w * kLanes + l)];
        words.expect(word);
      }
      for (auto x : v) elems.push(x);
      all.insert(all.end(), v.begin(), v.end());
    }
    const int64_t n_out = heads * ((kHead + kLanes - 1) / kLanes);
    top->n_out_i = static_cast<uint32_t>(n_out);
    // SETUP for 1..3 cycles, then the elements.
    const int setup = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < setup; ++c, ++cycles) {
      top->setup_i = 1;
      top->pack_i = 1;
      top->elem_pop_i = 0;
      verif::settle_low(*top);
      verif::rising_edge(*top);
    }
    if (kWords) {
      // Scratchpad words (32-bit lanes), issued on credit, their data the cycle after the issue.
      verif::Source<std::vector<int64_t>> scratch(seed ^ (0x200u + static_cast<unsigned>(instr)));
      for (size_t i = 0; i < all.size(); i += kV) {
        std::vector<int64_t> w(kV);
        for (int l = 0; l < kV; ++l)
          w[static_cast<size_t>(l)] = i + l < all.size() ? (all[i + l] & 0xffff) | (static_cast<int64_t>(rng() & 0xffff) << 16)
                                                         : static_cast<int64_t>(static_cast<uint32_t>(rng()));
        scratch.push(std::move(w));
      }
      std::vector<int64_t> in_flight;
      bool flight = false;
      int idle = 0;
      while ((!scratch.empty() || flight || idle < kV + 2) && cycles < 10000000) {
        top->setup_i = 0;
        top->pack_i = 1;
        top->elem_pop_i = 0;
        top->word_valid_i = flight;
        if (flight) verif::set_lanes(top->word_i, in_flight.data(), kV, 32);
        verif::settle_low(*top);
        const std::vector<int64_t>* w = top->word_credit_o ? scratch.drive() : nullptr;
        if (top->write_o) {
          Word got(kLanes);
          for (int l = 0; l < kLanes; ++l) got[static_cast<size_t>(l)] = verif::get_lane(top->word_o, l, 16);
          words.check(got);
        }
        verif::rising_edge(*top);
        flight = w != nullptr;
        if (w) {
          in_flight = *w;
          scratch.accept();
        }
        if (scratch.empty() && !flight) ++idle;
        ++cycles;
      }
      continue;
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
