// core_tb.cpp — Verilator testbench of a generated accelerator (hwc_top). `hardwire sim` compiles it together with
// the design's RTL and drives it over a line protocol on stdin/stdout; it knows nothing of the model beyond the
// ports, so the golden comparison stays in one place (verif/sim/sim.cpp).
//
//   stdin:  step <token> <pos>        run one decode step
//           quit
//   stdout: ready                     once, after reset
//           t <pc> <idx> <value>      a result the core wrote (debug tap dbg_res: dbg_res_lanes_o results a cycle)
//           a <pc> <idx> <value>      an attention score (debug tap dbg_aux; idx = head x (pos + 1) + t)
//           p <pc> <idx> <value>      a probability PV took (debug tap dbg_prob; likewise)
//           o <value>                 a logit of the host stream (out_lanes_o per beat), in order
//           k <token>                 the last beat: the argmax token
//           c <pc> <cycles>           cycles charged to each instruction (the oldest in flight; waits for the host excluded)
//           e <index> <count>         cycles in which activity event <index> (dbg_ev_o bit, hw_isa_pkg::Ev*) was raised
//           end <cycles> <stall>      the step's busy cycles, and the cycles it waited for the host (dbg_host_wait_o)
//           error <text>              then exit 2
// Options: --seed N (stall patterns), --stall 0|1 (random valid/ready on the host ports), --trace FILE (FST; the
// model must be built with --trace-fst), --max-cycles N (per step; a hang is an error), --coverage FILE (line and
// toggle coverage written at exit; the model must be built with --coverage-line --coverage-toggle).
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "Vhwc_top.h"
#include "harness.hpp"  // verif/common/harness.hpp, written beside this file by `hardwire sim`
#include "verilated.h"

// 32-bit lane i of a port of any width: Verilator holds up to 64 bits in an integer, wider ports as VlWide words.
template <class T>
uint32_t lane32(const T& port, unsigned i) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<uint32_t>(static_cast<uint64_t>(port) >> (32 * i));
  } else {
    return port[i];
  }
}
#ifdef HW_TRACE
#include "verilated_fst_c.h"
#endif
#if VM_COVERAGE
#include "verilated_cov.h"
#endif

namespace {

// The host ports' valid/ready pattern: verif/common/harness.hpp's StallPattern, or always high.
class Stall {
 public:
  Stall(uint64_t seed, bool on) : pattern_(seed), on_(on) {}
  bool next() { return !on_ || pattern_.next(); }

 private:
  hardwire::verif::StallPattern pattern_;
  bool on_;
};

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1;
  bool stall = false;
  std::string trace, coverage;
  uint64_t max_cycles = 50'000'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 0);
    else if (k == "--stall") stall = std::atoi(argv[i + 1]) != 0;
    else if (k == "--trace") trace = argv[i + 1];
    else if (k == "--max-cycles") max_cycles = std::strtoull(argv[i + 1], nullptr, 0);
    else if (k == "--coverage") coverage = argv[i + 1];
  }
  static char outbuf[1 << 20];
  std::setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

  auto ctx = std::make_unique<VerilatedContext>();
  ctx->randSeed(static_cast<int>(seed & 0x7fffffff));
  ctx->randReset(2);  // random initial values where the model was built with --x-initial unique
  auto top = std::make_unique<Vhwc_top>(ctx.get());
#ifdef HW_TRACE
  std::unique_ptr<VerilatedFstC> tfp;
  if (!trace.empty()) {
    ctx->traceEverOn(true);
    tfp = std::make_unique<VerilatedFstC>();
    top->trace(tfp.get(), 99);
    tfp->open(trace.c_str());
  }
#else
  if (!trace.empty()) {
    std::printf("error this simulator was built without --trace-fst\n");
    return 2;
  }
#endif
  uint64_t time = 0;
  auto tick = [&](bool high) {
    top->clk_i = high;
    top->eval();
#ifdef HW_TRACE
    if (tfp) tfp->dump(time);
#endif
    ++time;
  };

  top->rst_ni = 0;
  top->in_valid_i = 0;
  top->out_ready_i = 0;
  for (int i = 0; i < 4; ++i) {
    tick(false);
    tick(true);
  }
  top->rst_ni = 1;
  tick(false);
  std::printf("ready\n");
  std::fflush(stdout);

  // The attention taps' lanes: 32 bits each (Verilator holds a port in 4-byte words).
  const unsigned kQHeads = static_cast<unsigned>(sizeof(top->dbg_aux_data_o) / 4);
  Stall in_stall(seed * 2 + 1, stall), out_stall(seed * 2 + 2, stall);
  std::vector<uint64_t> pc_cycles;
  // The activity events: one bit each of dbg_ev_o (at most 32 of them, as the harness reads one lane).
  const unsigned kEvents = static_cast<unsigned>(8 * sizeof(top->dbg_ev_o));
  std::vector<uint64_t> ev_counts;
  char line[256];
  while (std::fgets(line, sizeof line, stdin)) {
    unsigned long long tok = 0, pos = 0;
    if (std::strncmp(line, "quit", 4) == 0) break;
    if (std::sscanf(line, "step %llu %llu", &tok, &pos) != 2) {
      std::printf("error bad command: %s", line);
      std::fflush(stdout);
      return 2;
    }
    pc_cycles.assign(1, 0);
    ev_counts.assign(kEvents, 0);
    bool sent = false, done = false;
    uint64_t cycles = 0, held = 0;
    while (!done) {
      top->in_valid_i = !sent && in_stall.next();
      top->in_token_i = static_cast<std::remove_reference_t<decltype(top->in_token_i)>>(tok);
      top->in_pos_i = static_cast<std::remove_reference_t<decltype(top->in_pos_i)>>(pos);
      top->out_ready_i = out_stall.next();
      tick(false);
      const bool busy = top->busy_o;
      // A cycle is charged to the oldest instruction in flight (the one the step waits on): the draining one while
      // the next runs beside it.
      const unsigned pc = top->dbg_oldest_pc_o;
      if (top->dbg_res_valid_o)
        for (unsigned l = 0; l < static_cast<unsigned>(top->dbg_res_lanes_o); ++l)
          std::printf("t %u %u %d\n", static_cast<unsigned>(top->dbg_res_pc_o), top->dbg_res_idx_o + l,
                      static_cast<int32_t>(lane32(top->dbg_res_data_o, l)));
      // Attention taps: QHeads heads from the first, at one position.
      if (top->dbg_aux_valid_o)
        for (unsigned l = 0; l < kQHeads; ++l)
          std::printf("a %u %llu %d\n", pc, (top->dbg_aux_head_o + l) * (pos + 1) + top->dbg_aux_pos_o,
                      static_cast<int32_t>(lane32(top->dbg_aux_data_o, l)));
      if (top->dbg_prob_valid_o)
        for (unsigned l = 0; l < kQHeads; ++l)
          std::printf("p %u %llu %d\n", pc, (top->dbg_prob_head_o + l) * (pos + 1) + top->dbg_prob_pos_o,
                      static_cast<int32_t>(lane32(top->dbg_prob_data_o, l)));
      if (const uint32_t ev = lane32(top->dbg_ev_o, 0))
        for (unsigned b = 0; b < kEvents && b < 32; ++b) ev_counts[b] += (ev >> b) & 1u;
      if (top->in_valid_i && top->in_ready_o) sent = true;
      if (top->out_valid_o) {
        if (top->out_ready_i) {
          if (top->out_last_o) {
            std::printf("k %u\n", lane32(top->out_data_o, 0));
            done = true;
          } else {
            for (unsigned l = 0; l < static_cast<unsigned>(top->out_lanes_o); ++l)
              std::printf("o %d\n", static_cast<int32_t>(lane32(top->out_data_o, l)));
          }
        }
      }
      // A host wait (the chip cannot go on until the host takes a beat) is not the chip's time.
      if (top->dbg_host_wait_o) ++held;
      if (busy && !top->dbg_host_wait_o) {
        if (pc >= pc_cycles.size()) pc_cycles.resize(pc + 1, 0);
        ++pc_cycles[pc];
        ++cycles;
      }
      tick(true);
      if (cycles + held > max_cycles) {
        std::printf("error no output after %llu cycles (pc %u): the core hangs\n",
                    static_cast<unsigned long long>(cycles + held), pc);
        std::fflush(stdout);
        return 2;
      }
    }
    for (size_t pc = 0; pc < pc_cycles.size(); ++pc)
      if (pc_cycles[pc]) std::printf("c %zu %llu\n", pc, static_cast<unsigned long long>(pc_cycles[pc]));
    for (unsigned b = 0; b < kEvents; ++b)
      if (ev_counts[b]) std::printf("e %u %llu\n", b, static_cast<unsigned long long>(ev_counts[b]));
    std::printf("end %llu %llu\n", static_cast<unsigned long long>(cycles), static_cast<unsigned long long>(held));
    std::fflush(stdout);
  }
#ifdef HW_TRACE
  if (tfp) tfp->close();
#endif
  top->final();
#if VM_COVERAGE
  if (!coverage.empty()) ctx->coveragep()->write(coverage.c_str());
#else
  if (!coverage.empty()) {
    std::fprintf(stderr, "this simulator was built without coverage\n");
    return 2;
  }
#endif
  return 0;
}
