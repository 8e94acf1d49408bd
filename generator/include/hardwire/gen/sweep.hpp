// hardwire/gen/sweep.hpp — `hardwire sweep`: a design-space grid for one model, each point estimated on its own.
//
// A sweep is a grid (arrays x weight ports x KV ports x activation widths x weight formats). Each point is one shell command line —
// `hardwire synth ... --json synth.json` and, with steps, `hardwire sim ... --json sim.json` — writing into its own
// directory <out>/points/<id>, where <id> is a content hash of what the point depends on (its command text, the
// model file's and the liberty file's size and modification time): a point whose results are there is not run again.
// The same command lines run locally in parallel (`--jobs`), or are written one per line (`--emit-jobs FILE`) for GNU
// parallel, a Slurm array or a CI matrix, after which `--collect` merges the result files. The report
// (<out>/report/: sweep.csv, sweep.json, report.md, the gnuplot scripts and data, and the plots as SVG and PNG) is a
// pure function of the points' files, so the local run and emit/run/collect give the same report.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hardwire/status.hpp"

namespace hardwire::gen {

struct SweepGrid {
  std::string model;                      // as the CLI takes it: a preset name or a file
  int64_t seq_len = 0;                    // > 0: every point chips this many positions (--seq-len); 0: the model's
  std::vector<std::string> arrays;        // "RxC"
  std::vector<std::string> weight_ports;  // "c", "<n>c", "rc" or bytes
  std::vector<std::string> kv_ports;      // "row", "head" or bytes
  std::vector<std::string> widths;        // --widths specs; "" (or "default") for the default widths
  std::vector<std::string> weight_formats = {"8"};  // "<bits>[g<group>]": 8, 6, 4, 4g16 (numerics §2)
  int64_t bank_depth = 4096;
  int64_t steps = 0;                      // > 0: also `sim --steps` (cycles measured, not bounded)
  std::string liberty, node;              // passed to synth ("" : its defaults)
  std::vector<std::string> blocks;        // synth --blocks ({}: every block)
  bool memories_only = false;             // synth --memories-only
  double clock_mhz = 0;                   // tokens/s at this clock where synth has no timing (0: 1000, assumed)
};

struct SweepPoint {
  std::string id;     // content hash (16 hex digits)
  std::string label;  // "16x16 wp256 kv64"
  std::string array, widths;
  int64_t rows = 0, cols = 0, weight_port = 0, kv_port = 0;
  int64_t seq_len = 0;  // positions chipped (the grid's seq_len, else the model's)
  int64_t weight_bits = 8, weight_group = 0;
  bool weight_zero_point = false;
  std::string command;  // one shell line: runs the point, writes into <out>/points/<id>
};

// The grid's points (in grid order), each validated against the model's shape. A port that does not fit an array
// (e.g. "4c" on a 2-row array), or a group that is not whole words of a port, leaves that point out with a line in
// `skipped`; an error if the grid is empty, a
// token is malformed or nothing is left. `exe` is the hardwire binary the commands run; `out` the sweep directory
// (made absolute in the commands).
Result<std::vector<SweepPoint>> sweep_points(const SweepGrid& grid, const std::string& exe, const std::string& out,
                                             std::vector<std::string>& skipped);

// Claims `out` (an owned hardwire directory) and writes every point's <out>/points/<id>/point.json (its parameters
// and command), leaving points that already have results as they are.
Status prepare_sweep(const std::string& out, const SweepGrid& grid, const std::vector<SweepPoint>& points);
// Whether the point's result files are all there.
bool point_done(const std::string& out, const SweepPoint& p, const SweepGrid& grid);

// The emitted jobs file: a banner line (hardwire refuses to overwrite a file without it), then one command per point.
std::string jobs_file_text(const std::vector<SweepPoint>& points);
inline constexpr const char* kJobsBanner = "# hardwire sweep jobs";

// Reads every point of <out>/points with results and writes <out>/report/ (CSV, JSON, Markdown, plots with gnuplot).
// `summary` gets a short text for the terminal. Fails if no point has results, or gnuplot fails.
Status collect_sweep(const std::string& out, std::string& summary);

// Runs gnuplot on `files` (relative paths: gnuplot/<name>.gp scripts and their data) in a temporary directory beside
// `beside`, each script <name> of `plots` writing plots/<name>.svg and plots/<name>.png; returns those files' bytes
// ("plots/<name>.svg" -> data). An error names a missing gnuplot (the package to install) or gnuplot's message.
Result<std::map<std::string, std::string>> render_gnuplot(const std::string& beside,
                                                         const std::map<std::string, std::string>& files,
                                                         const std::vector<std::string>& plots);
// A gnuplot script that draws `body` (its set commands and plot) as plots/<name>.svg, then as plots/<name>.png.
std::string gnuplot_both(const std::string& name, const std::string& body);

}  // namespace hardwire::gen
