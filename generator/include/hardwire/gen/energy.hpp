// hardwire/gen/energy.hpp — energy per token of a generated chip: what it does in a decode step (activity), priced
// per event from published figures (docs/architecture.md, "Energy").
//
// Activity is counted two ways that a test holds equal (tests/test_sim.cpp): by the RTL in a `sim` run (hw_core's
// dbg_ev_o bits, the events of events.def, and the results each instruction wrote, from the debug taps), and from the
// program alone (step_activity), which is how a shape too large to simulate is estimated.
//
// Pricing (price_activity): Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014, at
// 45 nm and 0.9 V: integer add 8 bits 0.03 pJ, 32 bits 0.1 pJ; integer multiply 8 bits 0.2 pJ, 32 bits 3.1 pJ; SRAM
// read of 64 bits from an 8 KB array 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ. Between the published points energy is
// interpolated on a log-log line (multiply: in the product of the operand widths; add: in the width; SRAM: in the
// bytes of the macro read), beyond them extrapolated along the nearest segment. An SRAM write costs what a read of
// the same macro costs (an assumption: the paper gives reads). Other nodes: every energy x (node / 45 nm) x
// (Vdd / 0.9 V)^2 (capacitance with the feature size, CV^2), Vdd 1.8 V at 180 nm, 0.9 V at 45 nm, 0.75 V at 7 nm and
// 0.70 V at 5 nm: a stated rule, not a measurement. Not modelled: clock tree and flip-flops, wires between units,
// control, leakage; so the figure is the datapath's and the memories' dynamic energy, a lower bound of the chip's.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hardwire/gen/chip_plan.hpp"
#include "hardwire/gen/isa.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

// What one decode step (or a sum of steps) does.
struct Activity {
  std::array<int64_t, isa::kNumEvents> events{};  // index: isa::Event (dbg_ev_o bit)
  std::map<isa::Op, int64_t> results;             // results written per op (MATVEC, EMBED, NORM, ROPE, SWIGLU,
                                                  // RESADD, PV: elements, padding rows of fused MATVECs included)
  int64_t scores = 0;                             // attention scores into the softmax rows (heads x positions)
  int64_t logits = 0;                             // logits streamed to the host (the argmax compares them)
  int64_t steps = 0;                              // decode steps summed
  Activity& operator+=(const Activity& o);
  bool operator==(const Activity&) const = default;
};
// Ops whose results Activity::results counts (the others' work is in events or scores).
bool counts_results(isa::Op op);

// The activity of the decode step at `pos`, from the program: what hw_core does for each instruction (the reader's
// issues, the matrix engine's issues, the words written), as the RTL does it.
Activity step_activity(const ChipPlan& plan, int64_t pos);
// The mean over positions 0..positions-1 (a full context when positions = seq_len) as a sum with steps = positions.
Activity context_activity(const ChipPlan& plan, int64_t positions);

// Energies at 45 nm (Horowitz, ISSCC 2014; see above), pJ.
double multiply_pj(int a_bits, int b_bits);
double add_pj(int bits);
double sram_read_pj(int64_t words, int64_t width_bits);  // one access of a memory of words x width bits: its macro
                                                          // (SramModel's largest: 16K words x 256 bits) by size,
                                                          // width / 64 reads of 64 bits
// The node's scale factor (above); an error naming the nodes for any other.
Result<double> energy_node_scale(const std::string& node);

struct EnergyItem {
  std::string name;   // "weight SRAM reads"
  double count = 0;   // per token
  double pj_each = 0; // at the node
  std::string basis;  // what one costs, from which figures
  double pj() const { return count * pj_each; }
};
struct EnergyReport {
  std::string node;
  double scale = 1;               // energy at the node / at 45 nm
  std::vector<EnergyItem> items;  // per token
  double pj_per_token = 0;
  double tokens_per_joule() const { return pj_per_token > 0 ? 1e12 / pj_per_token : 0; }
  // Average power while decoding at `clock_mhz`, `cycles_per_token` cycles each: W.
  double watts(double clock_mhz, double cycles_per_token) const;
};
// Prices `a` (per token: its counts / a.steps) on `plan`'s memories and datapath at `node`.
Result<EnergyReport> price_activity(const ChipPlan& plan, const Activity& a, const std::string& node);

}  // namespace hardwire::gen
