// hardwire/gen/synth.hpp — area estimates of a generated design with yosys (`hardwire synth`).
//
// Each block is synthesized hierarchically: every unique module once, its figures multiplied by its instance
// count (`stat -top`), which matches a flat synthesis within ~2% at a fraction of the time and memory. SRAM macros
// (hw_sram) are black boxes; their area comes from the analytic SRAM model below, never from flip-flops.
// Figures per block: cells and flip-flops of the generic netlist, yosys' transistor estimate (`stat -tech cmos`),
// area in um^2 after mapping to a liberty library (the built-in generic 45 nm library unless --liberty is given),
// and the logic depth in gate levels (`ltp -noff`, per module: paths across module boundaries are not included).
// Timing, where the liberty library has timing tables (osu018 has, the built-in library has not): ABC maps with
// delay-driven buffering and gate sizing (`map; topo; buffer; upsize; dnsize`); the block's netlist is flattened,
// its memory macros and sub-block black boxes become ports, every net with more than 16 loads gets a tree of the
// library's strongest buffer (repair_fanout: ABC buffers only the logic between flip-flops, so a register's fanout
// would otherwise load its Q pin; the buffers' area is added to the block), and OpenSTA (`sta`) times it: the worst
// setup path of clk_i, every port and macro pin at the clock edge (ideal clock, no wire load, no placement), so the
// critical path of the block's own logic, not counting a macro's access time or wires between blocks.
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

// SRAM macro model (docs/user-guide.md, "Memory area"): a macro of W words x B bits is folded by a column mux m (a
// power of two up to 32, the one that brings its physical array closest to square, as memory compilers do) into
// rows = ceil(W / m) by cols = B x m bit cells, and costs, in bit-cell areas,
//     rows x cols  +  kRowCells x rows  +  kColCells x cols  +  kMacroCells
// (row decoders and word-line drivers per row; precharge, column mux, sense amplifier and write driver per column;
// control, timing and address/data latches per macro). With these constants a 32 Kbit macro (512 x 64) reaches an
// array efficiency of 56% and a 256 Kbit one (4096 x 64) 82%, bracketing the 60-70% that is typical (array
// efficiency of compiled macros), while a 16 x 32 macro is 5% bit cells: many small banks cost their periphery.
// A memory larger than the largest compiled macro (kMaxWords x kMaxWidth) is several macros.
// The bit cell is the node's (`--node`): 45 nm 0.346 um^2 (Intel, IEDM 2007), 7 nm 0.027 um^2 (TSMC N7 HD), 5 nm
// 0.021 um^2 (TSMC N5 HD), 180 nm 5.54 um^2 (the 45 nm cell scaled by (180/45)^2: an assumption, stated as such).
struct SramModel {
  std::string node = "45nm";
  double bitcell_um2 = 0.346;
  std::string source = "Intel 45 nm 6T cell, IEDM 2007";
  static constexpr double kRowCells = 40, kColCells = 60, kMacroCells = 8000;
  static constexpr int kMaxColumnMux = 32;
  // The largest macro a compiler makes: a memory that the RTL holds in one hw_sram beyond either is priced as the
  // fewest equal macros within both (words split across macros, bits side by side).
  static constexpr int64_t kMaxWords = 16384, kMaxWidth = 256;
  int column_mux(int64_t words, int64_t width) const;
  double macro_area(int64_t words, int64_t width) const;  // um^2 of one macro within the limits
  // um^2 of one memory of `words` x `width` bits, split as above; `macros` gets how many.
  double memory_area(int64_t words, int64_t width, int64_t& macros) const;
};
// The nodes `--node` accepts: "180nm", "45nm", "7nm", "5nm"; an error naming them for any other.
Result<SramModel> sram_model_for_node(const std::string& node);
// The node of a liberty library that hardwire knows ("180nm" for the OSU 0.18 um library, "45nm" for the built-in
// one), or "" where it does not (the report then states the node it assumed).
std::string liberty_node(const std::string& library_name);

// What `hardwire synth` reads of a liberty library: each cell's area, whether the cells have timing tables, and the
// smallest buffer (one input, one output whose function is that input), used to give the timing netlist no
// port-to-port wires.
struct LibertyInfo {
  std::map<std::string, double> areas;
  bool timing = false;
  std::string name;                                            // library (NAME)
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
  bool memories_only = false;     // no logic at all: the memory macros alone (seconds at any model size)
  std::string node;      // SRAM bit-cell node (sram_model_for_node); empty: the library's (liberty_node), else 45nm
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
  int64_t macros = 0;       // macro count
  double area_um2 = 0;      // every macro, periphery included (SramModel)
  double bitcell_um2 = 0;   // the bit cells alone
  std::string note;
};

struct SynthReport {
  std::string liberty_name;
  bool timing = false;      // the library has timing: every block has critical_ns
  bool partial = false;     // only some blocks (--blocks)
  // The slowest block (by critical_ns) and the clock it allows; fmax_mhz = 0 without timing.
  const BlockReport* slowest() const;
  double fmax_mhz() const;
  std::vector<BlockReport> blocks;
  std::vector<MemoryReport> memories;
  SramModel sram;
  std::string node_why;     // how the node was chosen ("--node", "the library's", "assumed: ...")
};

// Synthesizes the blocks of the design in `design_dir` (the output of `hardwire generate`).
Result<SynthReport> synthesize_design(const std::string& design_dir, const SynthOptions& options);

std::string synth_markdown(const SynthReport& r);
std::string synth_json(const SynthReport& r);

}  // namespace hardwire::gen
