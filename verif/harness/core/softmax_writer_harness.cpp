// hw_core_softmax_writer against its contract: SCORES rows are queued only when the softmax and the row queue have
// room (row_free_o; softmax readiness random), up to 4 in flight; probabilities of the queued rows arrive in order
// with random gaps and are written at base + t, never in a cycle with hold_i (random), which holds them back;
// drained_o once every row is written; PVs start (pv_start_i) at random while pv_row_ready_o, which must be high
// exactly while more rows are written than PVs started. Rows of 1..70 probabilities.
#include <memory>
#include <vector>

#include "Vhw_core_softmax_writer.h"
#include "stream.hpp"

using namespace hardwire;

namespace {
struct Write {
  int64_t addr = 0, data = 0;
  bool operator==(const Write&) const = default;
};
std::string show(const Write& w) { return "[" + std::to_string(w.addr) + "] = " + std::to_string(w.data); }
struct Prob {
  int row = 0;
  int64_t p = 0;
  bool last = false;
};
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_softmax_writer";
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_core_softmax_writer>();
  verif::Sink<Write> writes(block, seed ^ 1, show, false);
  verif::StallPattern softmax_ready(seed ^ 2), want_row(seed ^ 3);
  verif::Source<Prob> probs(seed ^ 4);
  verif::reset(*top);
  const int rows = 400;
  std::vector<int64_t> bases;
  long long cycles = 0, drained_errors = 0, pv_checked = 0;
  int queued = 0;  // rows pushed so far
  int rows_written = 0, pvs = 0;
  verif::StallPattern hold(seed ^ 5), pv_want(seed ^ 6);
  while ((queued < rows || !writes.done()) && cycles < 10000000) {
    // One row's SCORES in SETUP when it wants to start: it starts once row_free_o.
    const bool setup = queued < rows && want_row.next();
    const Prob* pr = probs.drive();
    if (pr && pr->row >= queued) pr = nullptr;  // probabilities come only for started rows
    top->setup_i = setup;
    top->scores_i = 1;
    const int64_t base = static_cast<int64_t>(rng() % 100000);
    top->row_base_i = static_cast<uint32_t>(base);
    top->softmax_in_ready_i = softmax_ready.next();
    top->prob_valid_i = pr != nullptr;
    top->prob_last_i = pr && pr->last;
    top->prob_i = pr ? static_cast<uint8_t>(pr->p) : 0;
    const bool held = !hold.next();
    top->hold_i = held;
    const bool pv_ready = rows_written > pvs;
    const bool pv_start = pv_ready && pv_want.next();
    top->pv_start_i = pv_start;
    verif::settle_low(*top);
    ++pv_checked;
    if ((top->pv_row_ready_o != 0) != pv_ready) {
      ++drained_errors;
      if (drained_errors <= 5)
        std::printf("[%s] MISMATCH: pv_row_ready_o %d with %d rows written and %d PVs started\n", block.c_str(),
                    top->pv_row_ready_o, rows_written, pvs);
    }
    const bool pushed = setup && top->row_free_o;
    if (top->we_o) writes.check(Write{static_cast<int64_t>(top->addr_o), static_cast<int64_t>(top->data_o)});
    verif::rising_edge(*top);
    if (pr && !held) {
      if (pr->last) ++rows_written;
      probs.accept();
    }
    if (pv_start) ++pvs;
    if (pushed) {
      const int len = 1 + static_cast<int>(rng() % 70);
      for (int t = 0; t < len; ++t) {
        const int64_t p = static_cast<int64_t>(rng() % 256);
        probs.push(Prob{queued, p, t == len - 1});
        writes.expect(Write{base + t, p});
      }
      ++queued;
    }
    ++cycles;
  }
  // Everything written: the queue is empty and a new row may start.
  top->setup_i = 0;
  top->prob_valid_i = 0;
  top->softmax_in_ready_i = 1;
  verif::settle_low(*top);
  if (!top->drained_o || !top->row_free_o) {
    ++drained_errors;
    std::printf("[%s] MISMATCH: not drained after every row was written\n", block.c_str());
  }
  top->final();
  return verif::finish(block, seed, writes.checked() + pv_checked, writes.failed() + drained_errors,
                       std::to_string(queued) + " rows, " + std::to_string(cycles) + " cycles");
}
