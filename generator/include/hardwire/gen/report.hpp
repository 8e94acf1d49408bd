// hardwire/gen/report.hpp — `hardwire report`: one page about one design, from the JSON that `info`, `synth` and
// (optionally) `sim` write: the model's shape, area by unit and memory, fmax, cycles per token by phase against the
// decode bounds, tokens/s, energy per token and tokens/J, and three plots (area, cycles by phase, energy by item).
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "hardwire/status.hpp"

namespace hardwire::gen {

struct DesignReportInput {
  std::string title;          // "stories260K on 16x16, weight port 256 B, KV port 64 B"
  std::string command;        // the command that regenerates the report
  nlohmann::json info, synth; // `hardwire info --json`, `hardwire synth --json`
  nlohmann::json sim;         // `hardwire sim --json`, or null (no simulation: the bounds alone)
  // Without sim: the decode bounds per phase, mean over a full context ({phase: {compute_cycles, weight_cycles,
  // kv_cycles, latency_cycles}}); with sim, its bounds_by_phase are used.
  nlohmann::json bounds_by_phase;
  double clock_mhz = 0;       // tokens/s where the library has no timing (0: 1000, stated as assumed)
};

// report.md and the gnuplot scripts and data (gnuplot/<name>.gp, .dat) of the plots area, cycles and energy, which
// render_gnuplot draws into plots/<name>.svg and .png. Fails on JSON that lacks what the page needs.
Result<std::map<std::string, std::string>> design_report_files(const DesignReportInput& in);

}  // namespace hardwire::gen
