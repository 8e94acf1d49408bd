#include "hardwire/gen/synth.hpp"

#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hardwire/gen/design.hpp"
#include "hardwire/gen/files.hpp"
#include "hardwire/gen/process.hpp"
#include "hardwire/gen/templates.hpp"

namespace hardwire::gen {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_text(const std::string& path) {
  auto d = read_file(path, "file");
  return d ? std::string(d->begin(), d->end()) : std::string();
}

// Cell areas of a liberty file: the first `area` after each `cell (NAME)`.
std::map<std::string, double> liberty_areas(const std::string& text) {
  std::map<std::string, double> areas;
  size_t pos = 0;
  while ((pos = text.find("cell", pos)) != std::string::npos) {
    const size_t open = text.find('(', pos), close = text.find(')', open);
    if (open == std::string::npos || close == std::string::npos) break;
    std::string name = text.substr(open + 1, close - open - 1);
    std::string clean;
    for (char c : name)
      if (!std::isspace(static_cast<unsigned char>(c)) && c != '"') clean += c;
    const size_t next = text.find("cell", close);
    const size_t a = text.find("area", close);
    if (a != std::string::npos && (next == std::string::npos || a < next)) {
      const size_t colon = text.find(':', a);
      areas[clean] = std::strtod(text.c_str() + colon + 1, nullptr);
    }
    pos = close;
  }
  return areas;
}

// yosys 0.23's `stat -json -top` prints stray hierarchy lines inside the JSON; keep only JSON lines.
Result<json> read_stat_json(const std::string& path) {
  std::istringstream in(read_text(path));
  std::string line, clean;
  while (std::getline(in, line)) {
    const size_t p = line.find_first_not_of(" \t");
    if (p == std::string::npos) continue;
    const char c = line[p];
    if (c == '"' || c == '{' || c == '}' || c == '[' || c == ']') clean += line + "\n";
  }
  try {
    return json::parse(clean);
  } catch (const std::exception& e) {
    return Error{"cannot parse yosys statistics '" + path + "': " + e.what()};
  }
}

// Replaces every occurrence of `from` in `s` by `to`.
std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

// A generated file's text without its banner (the "// ====" lines and what they enclose: the regenerate command,
// the model), which names the design and not what yosys synthesizes.
std::string without_banner(const std::string& text) {
  const std::string rule = "// ====";
  if (text.rfind(rule, 0) != 0) return text;
  const size_t close = text.find("\n" + rule, rule.size());
  if (close == std::string::npos) return text;
  const size_t end = text.find('\n', close + 1);
  return end == std::string::npos ? std::string() : text.substr(end + 1);
}

// A cached block's figures (synth.hpp: the cache).
nlohmann::json cache_entry(const BlockReport& r) {
  return {{"module", r.module}, {"cells", r.cells}, {"flip_flops", r.flops}, {"transistors", r.transistors},
          {"area_um2", r.area_um2}, {"logic_depth", r.logic_depth}, {"synthesis_seconds", r.seconds}};
}
bool read_cache_entry(const std::string& path, const std::string& module, BlockReport& r) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  try {
    const json j = json::parse(read_text(path));
    if (j.at("module").get<std::string>() != module) return false;
    r.cells = j.at("cells").get<int64_t>();
    r.flops = j.at("flip_flops").get<int64_t>();
    r.transistors = j.at("transistors").get<int64_t>();
    r.area_um2 = j.at("area_um2").get<double>();
    r.logic_depth = j.at("logic_depth").get<int>();
    return true;
  } catch (const std::exception&) {
    return false;  // unreadable: synthesized again and replaced
  }
}

struct Block {
  std::string key, name, module, note;
  std::vector<std::pair<std::string, std::string>> params;
  int64_t instances = 1;
  std::vector<std::string> files;        // templates synthesized (packages first)
  std::vector<std::string> black_boxes;  // templates read as black boxes: units reported as blocks of their own
  std::vector<std::string> no_images;    // image parameters set to "": ROMs whose contents depend on weights, which
                                         // a shape-only design does not have (the macro is a black box either way)
};

}  // namespace

Result<SynthReport> synthesize_design(const std::string& design_dir, const SynthOptions& opt) {
  auto mtext = read_file(design_dir + "/manifest.json", "manifest");
  if (!mtext) return Error{mtext.message() + " (run `hardwire generate` first)"};
  json m;
  try {
    m = json::parse(mtext->begin(), mtext->end());
  } catch (const std::exception& e) {
    return Error{"manifest '" + design_dir + "/manifest.json' is not valid JSON: " + e.what()};
  }
  std::error_code ec;
  fs::create_directories(opt.work_dir, ec);
  if (ec) return Error{"cannot create work directory '" + opt.work_dir + "': " + ec.message()};
  const std::string work = fs::absolute(opt.work_dir).string();

  // Cell library.
  std::string lib_path = opt.liberty, lib_name;
  if (lib_path.empty()) {
    const auto& [name, text] = embedded_cell_library().front();
    lib_path = work + "/" + name;
    HW_TRY(write_file_atomic(lib_path, text, "cell library"));
    lib_name = name + " (built-in; NanGate FreePDK45 cell areas)";
  } else {
    if (!fs::exists(lib_path)) return Error{"cannot open liberty file '" + lib_path + "': no such file"};
    lib_path = fs::absolute(lib_path).string();
    lib_name = lib_path;
  }
  const auto areas = liberty_areas(read_text(lib_path));
  if (areas.empty()) return Error{"liberty file '" + lib_path + "' defines no cell areas"};

  // Every block's parameters and every memory come from the chip plan, as the manifest records them.
  if (!m.contains("blocks") || !m.contains("memories"))
    return Error{"manifest '" + design_dir + "/manifest.json' has no block configurations (written by an older "
                 "hardwire): regenerate the design with `hardwire generate`"};
  std::vector<Block> blocks;
  auto block = [&](const std::string& key, const std::string& name, const std::string& module, const std::string& note,
                   std::vector<std::string> files, std::vector<std::string> black_boxes = {},
                   const std::string& manifest_key = "", std::vector<std::string> no_images = {}) -> Status {
    const auto it = m["blocks"].find(manifest_key.empty() ? module : manifest_key);
    if (it == m["blocks"].end() || !it->contains("parameters") || !it->contains("instances"))
      return Error{"manifest '" + design_dir + "/manifest.json' has no configuration of " + module +
                   ": regenerate the design with `hardwire generate`"};
    Block b{key, name, module, note, {}, (*it)["instances"].get<int64_t>(), std::move(files), std::move(black_boxes),
            std::move(no_images)};
    for (const auto& [k, v] : (*it)["parameters"].items()) b.params.emplace_back(k, std::to_string(v.get<int64_t>()));
    blocks.push_back(std::move(b));
    return Status::ok();
  };
  const json gemv = m["blocks"].value("hw_gemv", json::object()).value("parameters", json::object());
  const std::string pxc =
      gemv.is_object() ? std::to_string(gemv.value("P", 0)) + "x" + std::to_string(gemv.value("C", 0)) : "";
  // The arithmetic units are read together, as one elaboration context (yosys' figures for a module vary by ~1-3%
  // with what else is read; the core's units are read on their own).
  const std::vector<std::string> kUnits = {"hw_fifo", "hw_gemv", "hw_requant", "hw_softmax", "hw_rmsnorm", "hw_rope"};
  HW_TRY(block("gemv", "matrix engine " + pxc, "hw_gemv",
               "multipliers (one per weight byte read per cycle), column adder trees, accumulators, issue control, "
               "output FIFO; weight banks and X buffer as macros",
               kUnits));
  HW_TRY(block("softmax", "softmax unit (one per head)", "hw_softmax", "row buffer and exp2 tables as macros", kUnits));
  HW_TRY(block("rmsnorm", "RMSNorm unit", "hw_rmsnorm", "isqrt + divider + scaling; vector buffer as a macro",
               kUnits));
  HW_TRY(block("rope", "RoPE unit", "hw_rope", "cos/sin tables as macros", kUnits));
  HW_TRY(block("requant", "requantize unit", "hw_requant",
               "accumulators -> 32 bits; one for every matrix, attention and SwiGLU output", kUnits));
  // hw_core is a structural top: its units are the blocks.
  HW_TRY(block("core_sequencer", "core: sequencer + decoder", "hw_core_sequencer",
               "step FSM, program counter, decoded instruction registers; program ROM as a macro",
               {"hardwire_cfg_pkg", "hw_isa_pkg", "hw_core_sequencer"}));
  HW_TRY(block("core_reader", "core: element reader", "hw_core_reader",
               "two-loop address generator, read credits, 4-entry element FIFO", {"hw_fifo", "hw_core_reader"}));
  HW_TRY(block("core_mac", "core: scalar MAC", "hw_core_mac", "EMBED/SWIGLU multiply-accumulate (V = 1); "
               "SiLU ROM as a macro", {"hw_core_mac"}, {}, "", {"SILU_FILE"}));
  if (m["blocks"].contains("hw_core_elementwise")) {
    HW_TRY(block("core_elementwise", "core: EMBED/SWIGLU lanes", "hw_core_elementwise",
                 "one SiLU lookup, multiplier and requantizer per lane (C); SiLU ROM copies as macros",
                 {"hw_core_pkg", "hw_requant", "hw_core_elementwise"}, {}, "", {"SILU_FILE"}));
  }
  HW_TRY(block("core_attention", "core: attention", "hw_core_attention",
               "all heads: q.K multipliers, score requantizers, PV multipliers and dim accumulators, V output "
               "requantizers; the softmax units as black boxes (reported above)",
               {"hw_core_pkg", "hw_requant", "hw_core_attention"}, {"hw_softmax"}));
  HW_TRY(block("core_gemm_packer", "core: GEMM packer", "hw_core_gemm_packer", "activations into hw_gemv's X buffer",
               {"hw_core_gemm_packer"}));
  // The matrix engine's output side: C-wide beats requantized whole where the scratchpad has C lanes, else serialized.
  if (m["blocks"].contains("hw_core_matvec_requant")) {
    HW_TRY(block("core_matvec_requant", "core: matrix requantizer", "hw_core_matvec_requant",
                 "one requantizer per lane (C), vector parameter ROM as a macro",
                 {"hw_core_pkg", "hw_requant", "hw_core_matvec_requant"}, {}, "", {"RQV_FILE"}));
  } else {
    HW_TRY(block("core_gemm_serializer", "core: GEMM serializer", "hw_core_gemm_serializer",
                 "C-wide result beats, one output per cycle", {"hw_core_gemm_serializer"}));
  }
  HW_TRY(block("core_lane_packer", "core: KV lane packer", "hw_core_lane_packer",
               m["blocks"].contains("hw_core_lane_packer#q") ? "COPYKV words" : "COPYKV and PACKQ words (two)",
               {"hw_core_lane_packer"}));
  if (m["blocks"].contains("hw_core_lane_packer#q")) {
    HW_TRY(block("core_q_packer", "core: q lane packer", "hw_core_lane_packer", "PACKQ words", {"hw_core_lane_packer"},
                 {}, "hw_core_lane_packer#q"));
  }
  HW_TRY(block("core_requant_feeder", "core: requant feeder", "hw_core_requant_feeder",
               "source select, parameter ROM read, saturation; hw_requant and the ROM as black boxes",
               {"hw_core_pkg", "hw_core_requant_feeder"}, {"hw_requant"}, "", {"RQ_FILE"}));
  HW_TRY(block("core_output", "core: output + argmax", "hw_core_output",
               "host stream (V logits per beat, 8-word FIFO where V > 1) and running argmax (a log2(V)-level compare "
               "tree per beat)",
               {"hw_fifo", "hw_core_output"}));
  HW_TRY(block("core_writeback", "core: writeback", "hw_core_writeback",
               "dispatch, result select and saturation, result counters, write ports", {"hw_core_pkg", "hw_core_writeback"}));

  SynthReport rep;
  rep.liberty_name = lib_name;
  rep.sram = opt.sram;
  const std::string rtl = fs::absolute(design_dir).string() + "/rtl/";
  // yosys 0.23 runs $readmemh even for a black-box hw_sram, with the template's default image name, relative to
  // its working directory: give it the real tables there.
  // The core's memories name their images as mem/...: a link to the design's mem/ serves them.
  fs::remove(fs::path(work) / "mem", ec);
  fs::create_directory_symlink(fs::absolute(design_dir) / "mem", fs::path(work) / "mem", ec);
  if (ec) return Error{"cannot link the memory images into '" + work + "': " + ec.message()};
  for (const char* table : {"exp2.hex", "rope_cos.hex", "rope_sin.hex"}) {
    fs::copy_file(fs::absolute(design_dir) / "mem" / table, fs::path(work) / table, fs::copy_options::overwrite_existing,
                  ec);
    if (ec) return Error{"cannot copy the table " + std::string(table) + " into '" + work + "': " + ec.message()};
  }
  // The cache key's common part: the format, yosys' version and the cell library.
  std::string cache_dir, key_common;
  if (!opt.cache_dir.empty()) {
    cache_dir = opt.cache_dir + "/synth";
    fs::create_directories(cache_dir, ec);
    if (ec) return Error{"cannot create the synthesis cache '" + cache_dir + "': " + ec.message() +
                         " (choose another with --cache DIR, or --no-cache)"};
    auto v = run_command("yosys -V > '" + work + "/yosys_version.txt' 2>&1");
    if (!v) return v.error();
    if (v->how == "exit 127") return Error{"cannot run yosys (is it installed? scripts/setup.sh installs it)"};
    key_common = "hardwire synth cache 1\n" + read_text(work + "/yosys_version.txt") + "\n--liberty\n" +
                 read_text(lib_path) + "\n";
  }
  for (const auto& b : blocks) {
    const auto t0 = std::chrono::steady_clock::now();
    std::string chparam;
    for (const auto& [k, v] : b.params) chparam += " -set " + k + " " + v;
    for (const auto& k : b.no_images) chparam += " -set " + k + " \"\"";
    const std::string base = work + "/" + b.key;
    std::string script;
    script += "read_verilog -sv -lib " + rtl + "hw_sram.sv\n";
    if (!b.black_boxes.empty()) {
      script += "read_verilog -sv -lib";
      for (const auto& f : b.black_boxes) script += " " + rtl + f + ".sv";
      script += "\n";
    }
    script += "read_verilog -sv";
    for (const auto& f : b.files) script += " " + rtl + f + ".sv";
    script += "\n";
    script += "chparam" + chparam + " " + b.module + "\n";
    script += "hierarchy -top " + b.module + "\n";
    script += "synth -top " + b.module + "\n";
    script += "tee -q -o " + base + ".cmos.json stat -json -top " + b.module + " -tech cmos\n";
    // Logic depth of the block's own logic: ltp would treat instances of other modules (SRAM macros, sub-blocks
    // reported on their own) as combinational and chain through them, so a copy of the design without them is
    // measured; their outputs become path starts.
    script += "design -push-copy\n";
    script += "delete t:hw_* t:$paramod*\n";
    script += "tee -q -o " + base + ".ltp.txt ltp -noff\n";
    script += "design -pop\n";
    script += "dfflegalize -cell $_DFF_P_ 01 -cell $_DFF_PN0_ 01\n";
    script += "dfflibmap -liberty " + lib_path + "\n";
    // -fast: yosys 0.23's full ABC script does not finish (> 20 min) on a requantizer whose product exceeds 64
    // bits (the core's, when attention accumulators pass 32 bits); -fast maps it in seconds, at ~2% more cells
    // on the other blocks. One script for every block keeps the figures comparable.
    script += "abc -fast -liberty " + lib_path + "\n";
    script += "opt_clean\n";
    script += "tee -q -o " + base + ".lib.json stat -json -top " + b.module + "\n";
    BlockReport r;
    r.name = b.name;
    r.module = b.module;
    r.note = b.note;
    r.instances = b.instances;
    std::string entry;
    if (!cache_dir.empty()) {
      // Everything yosys reads: the script (paths made relative) and every template's text (less the banner, which
      // names the design). Memory images are read only by the black-boxed hw_sram and do not enter the figures.
      std::string key = key_common + "--script\n" + replace_all(replace_all(script, rtl, "$RTL/"), work + "/", "$WORK/");
      std::vector<std::string> read = {"hw_sram"};
      read.insert(read.end(), b.black_boxes.begin(), b.black_boxes.end());
      read.insert(read.end(), b.files.begin(), b.files.end());
      for (const auto& f : read) key += "--file " + f + "\n" + without_banner(read_text(rtl + f + ".sv")) + "\n";
      entry = cache_dir + "/" + fnv1a64_hex(key) + ".json";
      if (read_cache_entry(entry, b.module, r)) {
        r.cached = true;
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        rep.blocks.push_back(r);
        continue;
      }
    }
    HW_TRY(write_file_atomic(base + ".ys", script, "yosys script"));
    const std::string cmd = "cd '" + work + "' && yosys -q -l " + base + ".log -s " + base + ".ys > /dev/null 2>&1";
    auto rc = run_command(cmd);  // its own process group: an interrupt stops it (process.hpp)
    if (!rc) return rc.error();
    if (rc->how == "exit 127") return Error{"cannot run yosys (is it installed? scripts/setup.sh installs it)"};
    if (!rc->ok) return Error{"yosys failed on block '" + b.name + "' (" + rc->how + "); see " + base + ".log"};
    auto cm = read_stat_json(base + ".cmos.json");
    auto lb = read_stat_json(base + ".lib.json");
    if (!cm) return cm.error();
    if (!lb) return lb.error();
    const auto& d = (*cm)["design"];
    r.cells = d["num_cells"];
    for (const auto& [type, n] : d["num_cells_by_type"].items()) {
      if (type.rfind("hw_", 0) == 0 || type.rfind("$paramod", 0) == 0) r.cells -= n.get<int64_t>();  // black boxes
      if (type.find("DFF") != std::string::npos || type.find("DLATCH") != std::string::npos) r.flops += n.get<int64_t>();
    }
    r.transistors = std::strtoll(d["estimated_num_transistors"].get<std::string>().c_str(), nullptr, 10);
    for (const auto& [type, n] : (*lb)["design"]["num_cells_by_type"].items()) {
      auto it = areas.find(type);
      if (it != areas.end()) r.area_um2 += it->second * n.get<double>();
    }
    std::istringstream lt(read_text(base + ".ltp.txt"));
    for (std::string line; std::getline(lt, line);) {
      const auto p = line.find("(length=");
      if (p != std::string::npos) r.logic_depth = std::max(r.logic_depth, std::atoi(line.c_str() + p + 8));
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!entry.empty()) HW_TRY(write_file_atomic(entry, cache_entry(r).dump(2) + "\n", "synthesis cache entry"));
    rep.blocks.push_back(r);
  }

  // Memories, from the SRAM model.
  for (const auto& x : m["memories"]) {
    const int64_t bits = x["bits"];
    rep.memories.push_back({x["name"], bits, opt.sram.area(bits), x["note"]});
  }
  return rep;
}

std::string synth_markdown(const SynthReport& r) {
  std::string o;
  char buf[512];
  o += "Logic (yosys, hierarchical; area with " + r.liberty_name + "):\n\n";
  o += "| block | instances | cells | flip-flops | transistors (est.) | area um^2 | logic depth | note |\n";
  o += "|---|---:|---:|---:|---:|---:|---:|---|\n";
  double logic = 0;
  for (const auto& b : r.blocks) {
    std::snprintf(buf, sizeof buf, "| %s | %lld | %lld | %lld | %lld | %.0f | %d | %s |\n", b.name.c_str(),
                  static_cast<long long>(b.instances), static_cast<long long>(b.cells),
                  static_cast<long long>(b.flops), static_cast<long long>(b.transistors), b.area_um2, b.logic_depth,
                  b.note.c_str());
    o += buf;
    logic += b.area_um2 * static_cast<double>(b.instances);
  }
  std::snprintf(buf, sizeof buf, "\nMemories (analytic: bits x %.3f um^2 bit cell x %.2f periphery):\n\n",
                r.sram.bitcell_um2, r.sram.periphery);
  o += buf;
  o += "| memory | bits | area um^2 | note |\n|---|---:|---:|---|\n";
  double memory = 0;
  for (const auto& mm : r.memories) {
    std::snprintf(buf, sizeof buf, "| %s | %lld | %.0f | %s |\n", mm.name.c_str(), static_cast<long long>(mm.bits),
                  mm.area_um2, mm.note.c_str());
    o += buf;
    memory += mm.area_um2;
  }
  std::snprintf(buf, sizeof buf,
                "\nTotal: logic %.3f mm^2 (matrix engine + softmax + RMSNorm + RoPE + requantize + core), memories %.3f mm^2.\n",
                logic / 1e6, memory / 1e6);
  o += buf;
  return o;
}

std::string synth_json(const SynthReport& r) {
  nlohmann::ordered_json j;
  j["liberty"] = r.liberty_name;
  j["sram_model"] = {{"bitcell_um2", r.sram.bitcell_um2}, {"periphery", r.sram.periphery}};
  j["blocks"] = nlohmann::ordered_json::array();
  for (const auto& b : r.blocks) {
    j["blocks"].push_back({{"name", b.name}, {"module", b.module}, {"instances", b.instances}, {"cells", b.cells},
                           {"flip_flops", b.flops}, {"transistors", b.transistors}, {"area_um2", b.area_um2},
                           {"logic_depth", b.logic_depth}, {"seconds", b.seconds}, {"cached", b.cached}, {"note", b.note}});
  }
  j["memories"] = nlohmann::ordered_json::array();
  for (const auto& m : r.memories)
    j["memories"].push_back({{"name", m.name}, {"bits", m.bits}, {"area_um2", m.area_um2}, {"note", m.note}});
  return j.dump(2) + "\n";
}

}  // namespace hardwire::gen
