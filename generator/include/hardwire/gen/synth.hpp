// hardwire/gen/synth.hpp — area estimates of a generated design with yosys (`hardwire synth`).
//
// Each block is synthesized hierarchically: every unique module once, its figures multiplied by its instance
// count (`stat -top`), which matches a flat synthesis within ~2% at a fraction of the time and memory. SRAM macros
// (hw_sram) are black boxes; their area comes from the analytic SRAM model below, never from flip-flops.
// Figures per block: cells and flip-flops of the generic netlist, yosys' transistor estimate (`stat -tech cmos`),
// area in um^2 after mapping to a liberty library (the built-in generic 45 nm library unless --liberty is given),
// and the logic depth in gate levels (`ltp -noff`, per module: paths across module boundaries are not included).
//
// Cache: with SynthOptions::cache_dir set, a block's figures are stored under <cache_dir>/synth/<key>.json, the key
// an FNV-1a 64 hash of everything that decides its figures (the script with its paths made relative, the text of
// every file it reads less the generated banner, the liberty file, yosys' version; memory images are read only by
// the black-boxed hw_sram and are left out): a block whose unit and parameters another run
// already synthesized (the same design, or a design that shares the unit) is read back instead of synthesized, with
// the same figures. Entries are written atomically and only ever by this function; an unreadable entry is
// synthesized again and replaced.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hardwire/status.hpp"

namespace hardwire::gen {

// SRAM area model: bits x bit-cell area x periphery overhead. Defaults: the 45 nm 6T cell of 0.346 um^2 (Intel,
// IEDM 2007) and x1.5 for decoders, sense amplifiers and I/O (array efficiency of 60-70% is typical: x1.4-1.7).
struct SramModel {
  double bitcell_um2 = 0.346;
  double periphery = 1.5;
  double area(int64_t bits) const { return static_cast<double>(bits) * bitcell_um2 * periphery; }
};

struct SynthOptions {
  std::string liberty;  // path; empty: the built-in library
  std::string work_dir; // where scripts and logs go (kept)
  std::string cache_dir; // per-block results (see above); empty: no cache
  SramModel sram;
};

struct BlockReport {
  std::string name;         // "matrix engine 8x8"
  std::string module;       // top module synthesized
  std::string note;
  int64_t instances = 1;    // how many the accelerator holds
  int64_t cells = 0, flops = 0, transistors = 0;
  double area_um2 = 0;
  int logic_depth = 0;
  double seconds = 0;       // this run's time for the block (a cache hit: the lookup)
  bool cached = false;      // read from the cache
};

struct MemoryReport {
  std::string name;
  int64_t bits = 0;
  double area_um2 = 0;
  std::string note;
};

struct SynthReport {
  std::string liberty_name;
  std::vector<BlockReport> blocks;
  std::vector<MemoryReport> memories;
  SramModel sram;
};

// Synthesizes the blocks of the design in `design_dir` (the output of `hardwire generate`).
Result<SynthReport> synthesize_design(const std::string& design_dir, const SynthOptions& options);

std::string synth_markdown(const SynthReport& r);
std::string synth_json(const SynthReport& r);

}  // namespace hardwire::gen
