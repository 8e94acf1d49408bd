// hw_core_reader against its contract: random instructions (bases, inner/outer strides, loop lengths; EMBED with
// its lane walk; vector ops; PV reads waiting on a random pv_ready; reads held at random, as hw_core's scoreboard
// holds them), memories modelled as one-cycle-latency SRAMs with address-derived contents, the element stream taken with a random ready. Checked: every scalar element pair
// (A word, B word or the sign-extended embedding byte, first/last) in order, and for vector ops every read's
// addresses and marks; in word mode (V > 1: MATVEC's input a scratchpad word at a time) every word read's address
// (both sources V apart, ceil(n_inner / V) per row) and marks. Nothing is lost however the consumer stalls. Configuration: HW_C,
// HW_V.
#include <memory>
#include <vector>

#include "Vhw_core_reader.h"
#include "ports.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kC = HW_C, kV = HW_V;
struct Elem {
  int64_t a = 0, b = 0;
  bool first = false, last = false;
  bool operator==(const Elem&) const = default;
};
std::string show(const Elem& e) {
  return "{a " + std::to_string(e.a) + ", b " + std::to_string(e.b) + (e.first ? ", first" : "") + (e.last ? ", last" : "") + "}";
}
uint32_t mem_a(uint32_t addr) { return addr * 2654435761u + 17u; }
uint32_t mem_b(uint32_t addr) { return addr * 2246822519u + 5u; }
int64_t emb_byte(uint32_t addr, int lane) { return static_cast<int8_t>((addr * 31u + static_cast<uint32_t>(lane) * 7u) & 0xffu); }
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_reader C=" + std::to_string(kC) + " V=" + std::to_string(kV);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_core_reader>();
  verif::Sink<Elem> elems(block, seed ^ 1, show);
  verif::Sink<Elem> reads(block + " vector reads", seed ^ 2, show, false);
  verif::StallPattern busy(seed ^ 3);
  verif::reset(*top);
  long long cycles = 0, violations = 0;
  for (int instr = 0; instr < 400; ++instr) {
    // 0 scalar, 1 EMBED, 2 SCORES-like vector, 3 PV, 4 word mode (V > 1 only)
    const int kind = static_cast<int>(rng() % (kV > 1 ? 5 : 4));
    const bool embed = kind == 1, vector = kind >= 2, pv = kind == 3, words = kind == 4;
    const uint32_t a_base = static_cast<uint32_t>(rng() % 1000), b_base = static_cast<uint32_t>(rng() % 1000);
    const uint32_t a_si = static_cast<uint32_t>(rng() % 3), a_so = static_cast<uint32_t>(rng() % 5);
    const uint32_t b_si = static_cast<uint32_t>(rng() % 3), b_so = static_cast<uint32_t>(rng() % 5);
    const uint32_t n_inner = embed ? 1 : 1 + static_cast<uint32_t>(rng() % (words ? 40 : 6));
    const uint32_t n_outer = words ? 1 : 1 + static_cast<uint32_t>(rng() % (embed ? 40 : 8));
    const uint32_t n_reads = words ? (n_inner + kV - 1) / kV : n_inner;
    for (uint32_t o = 0; o < n_outer; ++o)
      for (uint32_t i = 0; i < n_reads; ++i) {
        const uint32_t a = a_base + o * a_so + i * (words ? kV : a_si);
        const uint32_t b = embed ? b_base + o / kC : b_base + o * b_so + i * (words ? kV : b_si);
        Elem e{0, 0, i == 0, i == n_reads - 1};
        if (vector) {
          reads.expect(Elem{a, b, e.first, e.last});
        } else {
          e.a = static_cast<int32_t>(mem_a(a));
          e.b = embed ? emb_byte(b, static_cast<int>(o % kC)) : static_cast<int32_t>(mem_b(b));
          elems.expect(e);
        }
      }
    auto drive_instr = [&] {
      top->embed_i = embed;
      top->pv_i = pv;
      top->vector_i = vector;
      top->words_i = words;
      top->word_credit_i = 1;
      top->a_base_i = a_base;
      top->a_stride_inner_i = a_si;
      top->a_stride_outer_i = a_so;
      top->b_base_i = b_base;
      top->b_stride_inner_i = b_si;
      top->b_stride_outer_i = b_so;
      top->n_inner_i = n_inner;
      top->n_outer_i = n_outer;
    };
    const int setup = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < setup; ++c, ++cycles) {
      drive_instr();
      top->setup_i = 1;
      top->start_i = c == setup - 1;
      top->elem_ready_i = 0;
      top->pv_ready_i = 0;
      top->hold_i = 0;
      verif::settle_low(*top);
      verif::rising_edge(*top);
    }
    uint32_t last_a = 0, last_b = 0;  // addresses issued last cycle
    bool issued = false;
    while ((!elems.done() || !reads.done() || issued) && cycles < 10000000) {
      drive_instr();
      top->setup_i = 0;
      top->start_i = 0;
      top->pv_ready_i = !pv || busy.next();
      top->hold_i = rng() % 4 == 0;  // hw_core's scoreboard holds a read at random
      // The memories answer last cycle's reads.
      top->a_rdata_i = mem_a(last_a);
      top->b_rdata_i = mem_b(last_b);
      std::vector<int64_t> bytes(kC);
      for (int l = 0; l < kC; ++l) bytes[static_cast<size_t>(l)] = emb_byte(last_b, l);
      verif::set_lanes(top->emb_rdata_i, bytes.data(), kC, 8);
      top->elem_ready_i = elems.ready();
      verif::settle_low(*top);
      if (top->read_valid_o && vector)
        reads.check(Elem{last_a, last_b, top->read_first_o != 0, top->read_last_o != 0});
      if (top->elem_valid_o && top->elem_ready_i)
        elems.check(Elem{static_cast<int32_t>(top->elem_a_o), static_cast<int32_t>(top->elem_b_o), top->elem_first_o != 0,
                         top->elem_last_o != 0});
      issued = top->issue_o;
      if (pv && top->issue_o && !top->pv_ready_i && violations++ < 5)
        std::printf("[%s] MISMATCH: a PV read issued without pv_ready\n", block.c_str());
      if (top->issue_o && top->hold_i && violations++ < 5)
        std::printf("[%s] MISMATCH: a read issued while held\n", block.c_str());
      last_a = top->a_addr_o;
      last_b = top->b_addr_o;
      verif::rising_edge(*top);
      ++cycles;
    }
  }
  top->final();
  return verif::finish(block, seed, elems.checked() + reads.checked(), elems.failed() + reads.failed() + violations,
                       std::to_string(cycles) + " cycles");
}
