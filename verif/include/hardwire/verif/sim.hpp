// hardwire/verif/sim.hpp — runs a generated accelerator (hwc_top) in Verilator, token by token, against the golden
// model: `hardwire sim` and the end-to-end regression use it.
//
// build_simulator() compiles the design directory's RTL with the testbench verif/sim/core_tb.cpp (carried inside
// the library) into <design>/sim/obj*/hwc_sim, and reuses that binary while the design's content hash, the
// testbench and the flags are unchanged. run_sim() starts it, feeds the prompt, then greedy-decodes with the chip
// choosing every next token, and compares at every step every tensor the chip wrote (debug taps, named by the
// program's notes), the logits and the token with golden::IntDecoder. The first difference ends the run and is
// reported by step, layer/op tensor name and index.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hardwire/gen/chip_plan.hpp"
#include "hardwire/gen/energy.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "hardwire/status.hpp"

namespace hardwire::verif {

struct SimBuildOptions {
  std::string design_dir;   // a `hardwire generate` output (manifest.json, files.f, mem/)
  bool trace = false;       // build with FST tracing (a separate binary)
  bool x_unique = false;    // --x-assign unique --x-initial unique (random initial values, X-propagation check)
  bool coverage = false;    // --coverage-line --coverage-toggle (a separate binary)
  bool force_rebuild = false;  // ignore a cached binary
  int jobs = 2;
};
struct SimBuild {
  std::string exe;
  bool reused = false;
  double seconds = 0;
};
Result<SimBuild> build_simulator(const SimBuildOptions& o);

struct StepReport {
  int64_t step = 0, pos = 0;
  int64_t token_in = 0;     // fed at pos
  int64_t token_out = 0;    // the chip's argmax
  bool prompt = false;      // token_in came from the prompt (its successor is forced unless it is the last)
  uint64_t cycles = 0;      // busy cycles, host waits excluded
  uint64_t held = 0;        // cycles the host held the output stream back (random stalls)
  std::array<uint64_t, gen::kNumPhases> phase_cycles{};
  // What the chip did: its activity events (dbg_ev_o, counted by the testbench) and the results, scores and logits
  // its debug taps and host stream showed (gen::step_activity computes the same from the program).
  gen::Activity activity;
  bool bit_exact = false;       // every tensor, the logits and the token matched golden
};

struct Mismatch {
  int64_t step = 0, pos = 0, pc = -1;
  std::string instr;        // program listing text of the instruction that wrote it
  std::string tensor;       // golden trace name ("L1.ffn.gate", "logits", "token")
  int64_t index = 0;
  int64_t chip = 0, golden = 0;
  std::string note;         // e.g. "the chip wrote 31 of 32 values"
};
std::string describe(const Mismatch& m);

struct SimOptions {
  std::string exe, design_dir;
  std::vector<int64_t> prompt;  // at least one token (BOS)
  int64_t steps = 1;            // tokens to generate after the prompt
  uint64_t seed = 1;            // host-port stall patterns
  bool stall = true;
  std::string trace_path;       // FST output (needs a trace build)
  std::string coverage_path;    // Verilator coverage data written when the simulator exits (needs a coverage build)
  std::function<void(const StepReport&)> on_step;
};
struct SimReport {
  std::vector<StepReport> steps;
  std::vector<int64_t> generated;   // the chip's tokens after the prompt
  std::optional<Mismatch> mismatch;
};
Result<SimReport> run_sim(const golden::QModel& model, const gen::ChipPlan& plan, const SimOptions& o);

}  // namespace hardwire::verif
