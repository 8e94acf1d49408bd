// hardwire/gen/synth.hpp — area estimates of a generated design with yosys (`hardwire synth`).
//
// Each block is synthesized hierarchically: every unique module once, its figures multiplied by its instance
// count (`stat -top`), which matches a flat synthesis within ~2% at a fraction of the time and memory. SRAM macros
// (hw_sram) are black boxes; their area comes from the analytic SRAM model below, never from flip-flops.
// Figures per block: cells and flip-flops of the generic netlist, yosys' transistor estimate (`stat -tech cmos`),
// area in um^2 after mapping to a liberty library (the built-in generic 45 nm library unless --liberty is given),
// and the logic depth in gate levels (`ltp -noff`, per module: paths across module boundaries are not included).
// Timing, where the liberty library has timing tables (osu018 has, the built-in library has not): ABC maps with
// delay-driven buffering and gate sizing (`map; buffer; upsize; dnsize`), and OpenSTA (`sta`) times each block's
// flattened netlist register to register, with the block's ports and its memory macros' pins (black boxes, made
// ports) as ideal boundaries at the clock edge: the critical path in ns of the block's own logic, not counting a
// macro's access time or wires between blocks (no wire-load model, no placement). Flip-flop outputs are not
// buffered (ABC sees only the logic between them), so a register with a large fanout shows its load on its Q pin;
// the report names the path's first net and its fanout.
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
#include <map>
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

// What `hardwire synth` reads of a liberty library: each cell's area, whether the cells have timing tables, and the
// smallest buffer (one input, one output whose function is that input), used to give the timing netlist no
// port-to-port wires.
struct LibertyInfo {
  std::map<std::string, double> areas;
  bool timing = false;
  std::string buffer, buffer_in, buffer_out;                   // the smallest buffer
  std::string strong_buffer, strong_in, strong_out;            // the largest (fanout trees)
  std::map<std::string, std::vector<std::string>> input_pins;  // per cell
};
LibertyInfo read_liberty_info(const std::string& text);

// Fanout repair of a flat structural netlist (yosys write_verilog of cells of `lib`, one module): every net with
// more than `max_fanout` cell-input loads is split by a tree of lib.strong_buffer cells, each driving at most
// max_fanout loads, so that no pin drives more (what a placement tool's buffering does; ABC buffers only the logic
// between flip-flops, so a register's fanout is otherwise the load of its Q pin). Module ports keep the original
// net. Returns the netlist and the number of buffers inserted (`inserted`).
std::string repair_fanout(const std::string& netlist, const LibertyInfo& lib, int max_fanout, int64_t& inserted);

struct SynthOptions {
  std::string liberty;  // path; empty: the built-in library
  std::string work_dir; // where scripts and logs go (kept)
  std::string cache_dir; // per-block results (see above); empty: no cache
  int jobs = 1;          // blocks synthesized at once (one yosys process each)
  std::vector<std::string> only;  // block keys to synthesize (BlockReport::key); empty: every block
  SramModel sram;
};

struct BlockReport {
  std::string key;          // "gemv", "core_writeback", ...: what --blocks names
  std::string name;         // "matrix engine 8x8"
  std::string module;       // top module synthesized
  std::string note;
  int64_t instances = 1;    // how many the accelerator holds
  int64_t cells = 0, flops = 0, transistors = 0;
  double area_um2 = 0;
  int logic_depth = 0;
  double seconds = 0;       // this run's time for the block (a cache hit: the lookup)
  bool cached = false;      // read from the cache
  // Timing (a liberty library with timing only; critical_ns < 0 otherwise): the longest register-to-register (or
  // port/macro pin) path, its first net and that net's fanout, and the cells on it.
  double critical_ns = -1;
  std::string critical_from;
  int critical_fanout = 0, critical_cells = 0;
  int64_t fanout_buffers = 0;  // buffers repair_fanout added (their area is in area_um2)
};

struct MemoryReport {
  std::string name;
  int64_t bits = 0;
  double area_um2 = 0;
  std::string note;
};

struct SynthReport {
  std::string liberty_name;
  bool timing = false;      // the library has timing: every block has critical_ns
  // The slowest block (by critical_ns) and the clock it allows; fmax_mhz = 0 without timing.
  const BlockReport* slowest() const;
  double fmax_mhz() const;
  std::vector<BlockReport> blocks;
  std::vector<MemoryReport> memories;
  SramModel sram;
};

// Synthesizes the blocks of the design in `design_dir` (the output of `hardwire generate`).
Result<SynthReport> synthesize_design(const std::string& design_dir, const SynthOptions& options);

std::string synth_markdown(const SynthReport& r);
std::string synth_json(const SynthReport& r);

}  // namespace hardwire::gen
