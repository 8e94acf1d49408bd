#include "hardwire/gen/synth.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

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

// Whether `text` has a `cell (` group opening at `pos` (not `cell_rise (`, `cell_footprint`, a longer word).
bool cell_group_at(const std::string& text, size_t pos) {
  if (pos > 0 && (std::isalnum(static_cast<unsigned char>(text[pos - 1])) || text[pos - 1] == '_')) return false;
  size_t p = pos + 4;
  while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
  return p < text.size() && text[p] == '(';
}

// The name inside the parentheses that follow `pos`, without blanks and quotes; `close` gets the ')'.
std::string group_name(const std::string& text, size_t pos, size_t& close) {
  const size_t open = text.find('(', pos);
  close = open == std::string::npos ? std::string::npos : text.find(')', open);
  if (close == std::string::npos) return "";
  std::string clean;
  for (char c : text.substr(open + 1, close - open - 1))
    if (!std::isspace(static_cast<unsigned char>(c)) && c != '"') clean += c;
  return clean;
}

// The value of `attr : value;` inside `seg`, without blanks and quotes ("" when absent).
std::string attribute(const std::string& seg, const std::string& attr) {
  for (size_t p = seg.find(attr); p != std::string::npos; p = seg.find(attr, p + 1)) {
    size_t q = p + attr.size();
    while (q < seg.size() && std::isspace(static_cast<unsigned char>(seg[q]))) ++q;
    if (q >= seg.size() || seg[q] != ':') continue;
    const size_t end = seg.find(';', q);
    std::string v;
    for (char c : seg.substr(q + 1, end == std::string::npos ? std::string::npos : end - q - 1))
      if (!std::isspace(static_cast<unsigned char>(c)) && c != '"') v += c;
    return v;
  }
  return "";
}

}  // namespace

LibertyInfo read_liberty_info(const std::string& text) {
  LibertyInfo info;
  info.timing = text.find("cell_rise") != std::string::npos;
  for (size_t l = text.find("library"); l != std::string::npos; l = text.find("library", l + 7)) {
    size_t q = l + 7;
    while (q < text.size() && std::isspace(static_cast<unsigned char>(text[q]))) ++q;
    if (q < text.size() && text[q] == '(') {
      size_t close = 0;
      info.name = group_name(text, l, close);
      break;
    }
  }
  std::vector<size_t> cells;
  for (size_t p = text.find("cell"); p != std::string::npos; p = text.find("cell", p + 4))
    if (cell_group_at(text, p)) cells.push_back(p);
  double buf_area = 0, strong_area = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    size_t close = 0;
    const std::string name = group_name(text, cells[i], close);
    if (name.empty()) continue;
    const std::string seg =
        text.substr(close, (i + 1 < cells.size() ? cells[i + 1] : text.size()) - close);
    // The cell's own area comes before its first pin.
    const size_t first_pin = seg.find("pin");
    const std::string area = attribute(seg.substr(0, first_pin), "area");
    if (area.empty()) continue;
    const double a = std::strtod(area.c_str(), nullptr);
    info.areas[name] = a;
    // A buffer: one input pin, one output pin whose function is that input.
    std::vector<std::string> ins, outs, funcs;
    for (size_t p = seg.find("pin"); p != std::string::npos; p = seg.find("pin", p + 3)) {
      if ((p > 0 && (std::isalnum(static_cast<unsigned char>(seg[p - 1])) || seg[p - 1] == '_')) ||
          (p + 3 < seg.size() && (std::isalnum(static_cast<unsigned char>(seg[p + 3])) || seg[p + 3] == '_')))
        continue;  // related_pin, pins
      size_t pclose = 0;
      const std::string pin = group_name(seg, p, pclose);
      if (pin.empty()) continue;  // "pin" without a (name): not a pin group
      const size_t next = seg.find("pin", pclose);
      const std::string body = seg.substr(pclose, next == std::string::npos ? std::string::npos : next - pclose);
      const std::string dir = attribute(body, "direction");
      if (dir == "input") ins.push_back(pin);
      if (dir == "output") {
        outs.push_back(pin);
        funcs.push_back(attribute(body, "function"));
      }
    }
    info.input_pins[name] = ins;
    if (ins.size() == 1 && outs.size() == 1 && funcs[0] == ins[0]) {
      if (info.buffer.empty() || a < buf_area) {
        info.buffer = name;
        info.buffer_in = ins[0];
        info.buffer_out = outs[0];
        buf_area = a;
      }
      if (info.strong_buffer.empty() || a > strong_area) {
        info.strong_buffer = name;
        info.strong_in = ins[0];
        info.strong_out = outs[0];
        strong_area = a;
      }
    }
  }
  return info;
}

std::string repair_fanout(const std::string& netlist, const LibertyInfo& lib, int max_fanout, int64_t& inserted) {
  HW_CHECK(max_fanout >= 2 && !lib.strong_buffer.empty(), "repair_fanout: a fanout of 2 or more and a buffer cell");
  inserted = 0;
  // Cell instances: "  TYPE name (" then one ".PIN(net)" per line, then "  );". A load is an input pin of a
  // library cell; where it sits in the text is kept so that its net can be replaced.
  struct Load {
    size_t begin, end;  // the net's text inside ".PIN(...)"
  };
  std::map<std::string, std::vector<Load>> loads;
  std::vector<std::string> order;  // nets in order of first load: deterministic output
  const std::vector<std::string>* pins = nullptr;
  size_t first_cell = std::string::npos;
  for (size_t pos = 0; pos < netlist.size();) {
    size_t eol = netlist.find('\n', pos);
    if (eol == std::string::npos) eol = netlist.size();
    const std::string_view line(netlist.data() + pos, eol - pos);
    if (line.size() > 4 && line.substr(0, 2) == "  " && line[2] != ' ' && line.back() == '(') {
      const size_t sp = line.find(' ', 2);
      const std::string type(line.substr(2, sp - 2));
      const auto it = lib.input_pins.find(type);
      pins = it == lib.input_pins.end() ? nullptr : &it->second;
      if (pins && first_cell == std::string::npos) first_cell = pos;
    } else if (pins && line.size() > 6 && line.substr(0, 5) == "    .") {
      const size_t open = line.find('(');
      const size_t close = line.rfind(')');
      const std::string pin(line.substr(5, open - 5));
      if (open != std::string::npos && close != std::string::npos && close > open &&
          std::find(pins->begin(), pins->end(), pin) != pins->end()) {
        std::string net(line.substr(open + 1, close - open - 1));
        while (!net.empty() && net.back() == ' ') net.pop_back();
        if (!net.empty() && !std::isdigit(static_cast<unsigned char>(net[0]))) {  // not a constant
          auto& v = loads[net];
          if (v.empty()) order.push_back(net);
          v.push_back({pos + open + 1, pos + close});
        }
      }
    } else if (line == "  );") {
      pins = nullptr;
    }
    pos = eol + 1;
  }
  // Each net with too many loads: a tree whose leaves each drive at most max_fanout of them.
  std::vector<std::pair<Load, std::string>> edits;  // replace the load's text by a new net
  std::string wires, cells;
  for (const auto& net : order) {
    const auto& l = loads[net];
    if (static_cast<int>(l.size()) <= max_fanout) continue;
    // Leaves: each group of at most max_fanout loads moves to a buffer's output. Then, level by level, each
    // buffer's input is the net itself where the level fits under one driver, else a buffer of the level above.
    const auto new_net = [&] { return "hw_fo_" + std::to_string(inserted++); };
    const size_t f = static_cast<size_t>(max_fanout);
    std::vector<std::string> level;
    for (size_t i = 0; i < l.size(); i += f) {
      level.push_back(new_net());
      for (size_t k = i; k < std::min(l.size(), i + f); ++k) edits.push_back({l[k], level.back()});
    }
    while (true) {
      std::vector<std::string> drivers(level.size(), net), upper;
      if (level.size() > f) {
        for (size_t i = 0; i < level.size(); i += f) {
          upper.push_back(new_net());
          for (size_t k = i; k < std::min(level.size(), i + f); ++k) drivers[k] = upper.back();
        }
      }
      for (size_t k = 0; k < level.size(); ++k) {
        wires += "  wire " + level[k] + ";\n";
        cells += "  " + lib.strong_buffer + " " + level[k] + "_buf (\n    ." + lib.strong_in + "(" + drivers[k] +
                 (drivers[k].front() == '\\' ? " " : "") + "),\n    ." + lib.strong_out + "(" + level[k] + ")\n  );\n";
      }
      if (upper.empty()) break;
      level = std::move(upper);
    }
  }
  if (edits.empty()) return netlist;
  std::sort(edits.begin(), edits.end(), [](const auto& a, const auto& b) { return a.first.begin < b.first.begin; });
  std::string out;
  out.reserve(netlist.size() + cells.size() + wires.size() + edits.size() * 8);
  size_t at = 0;
  for (const auto& [load, net] : edits) {
    if (at <= first_cell && first_cell < load.begin) {
      out.append(netlist, at, first_cell - at);
      out += wires + cells;
      at = first_cell;
    }
    out.append(netlist, at, load.begin - at);
    out += net;
    at = load.end;
  }
  out.append(netlist, at, std::string::npos);
  return out;
}

namespace {

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
  nlohmann::json j = {{"module", r.module}, {"cells", r.cells}, {"flip_flops", r.flops}, {"transistors", r.transistors},
                      {"area_um2", r.area_um2}, {"logic_depth", r.logic_depth}, {"synthesis_seconds", r.seconds}};
  if (r.critical_ns >= 0)
    j["timing"] = {{"critical_ns", r.critical_ns}, {"from", r.critical_from}, {"fanout", r.critical_fanout},
                   {"cells", r.critical_cells}, {"fanout_buffers", r.fanout_buffers}};
  return j;
}
bool read_cache_entry(const std::string& path, const std::string& module, bool timing, BlockReport& r) {
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
    if (timing) {
      const auto& t = j.at("timing");
      r.critical_ns = t.at("critical_ns").get<double>();
      r.critical_from = t.at("from").get<std::string>();
      r.critical_fanout = t.at("fanout").get<int>();
      r.critical_cells = t.at("cells").get<int>();
      r.fanout_buffers = t.at("fanout_buffers").get<int64_t>();
    }
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
};

// The sta script and its parser: a change to either is a change of the cached figures.
constexpr int kStaScriptVersion = 1;
constexpr double kStaPeriodNs = 1000.0;  // far above any block's path: the slack gives the path
constexpr int kMaxFanout = 16;           // loads per pin after repair_fanout

// Times one block's netlist (<base>.net.v, written by its yosys script) with OpenSTA: a clock on clk_i, every other
// port (the block's own and its macros' pins, less their clocks) constrained at the clock edge, the worst setup path
// of the clock's group. Fills r.critical_*.
Status time_block(const std::string& lib_path, const LibertyInfo& lib, const std::string& base, const Block& b,
                  BlockReport& r) {
  // Fanout trees first (repair_fanout): the buffers are part of the block, so their area is added to it.
  auto net = read_file(base + ".net.v", "timing netlist");
  if (!net) return net.error();
  int64_t buffers = 0;
  HW_TRY(write_file_atomic(base + ".net.v",
                           repair_fanout(std::string(net->begin(), net->end()), lib, kMaxFanout, buffers),
                           "timing netlist"));
  r.fanout_buffers = buffers;
  r.area_um2 += static_cast<double>(buffers) * lib.areas.at(lib.strong_buffer);
  std::string tcl;
  tcl += "read_liberty {" + lib_path + "}\n";
  tcl += "read_verilog {" + base + ".net.v}\n";
  tcl += "link_design " + b.module + "\n";
  tcl += "create_clock -name clk -period " + std::to_string(kStaPeriodNs) + " [get_ports clk_i]\n";
  tcl += "foreach p [all_inputs] { if {[get_name $p] != \"clk_i\"} { catch {set_input_delay 0 -clock clk $p} } }\n";
  tcl += "foreach p [all_outputs] { if {![string match \"*.clk_i\" [get_name $p]]} { catch {set_output_delay 0 "
         "-clock clk $p} } }\n";
  tcl += "report_checks -path_delay max -digits 3 -group_count 1 -fields {nets fanout}\n";
  HW_TRY(write_file_atomic(base + ".sta.tcl", tcl, "sta script"));
  const std::string out = base + ".sta.txt";
  auto rc = run_command("sta -no_init -exit '" + base + ".sta.tcl' > '" + out + "' 2>&1");
  if (!rc) return rc.error();
  if (!rc->ok) return Error{"sta failed on block '" + b.name + "' (" + rc->how + "); see " + out};
  // The clock's group (not **async_default**, the reset's recovery checks): its slack gives the path; its nets
  // (lines "<fanout> <name> (net)") name the start, and its cells are the lines with a delay, a time and a pin.
  std::istringstream in(read_text(out));
  bool group = false, found = false;
  int nets = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Path Group:", 0) == 0) {
      if (found) break;
      group = line.find("Path Group: clk") == 0;
      nets = 0;
      continue;
    }
    if (!group) continue;
    if (line.size() > 6 && line.compare(line.size() - 6, 6, " (net)") == 0) {
      std::istringstream ls(line);
      int fanout = 0;
      std::string name;
      ls >> fanout >> name;
      if (nets++ == 0) {
        r.critical_from = name;
        r.critical_fanout = fanout;
      } else {
        ++r.critical_cells;
      }
      continue;
    }
    const auto sl = line.find("slack (");
    if (sl != std::string::npos) {
      r.critical_ns = kStaPeriodNs - std::strtod(line.c_str(), nullptr);
      found = true;
    }
  }
  if (!found)
    return Error{"sta reported no path of clk_i on block '" + b.name + "'; see " + out};
  return Status::ok();
}

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
  const LibertyInfo lib = read_liberty_info(read_text(lib_path));
  const auto& areas = lib.areas;
  if (areas.empty()) return Error{"liberty file '" + lib_path + "' defines no cell areas"};
  // The SRAM bit cell: --node, else the library's node where hardwire knows it, else 45 nm (said in the report).
  SramModel sram;
  std::string node_why;
  if (!opt.node.empty()) {
    HW_ASSIGN_OR_RETURN(sram, sram_model_for_node(opt.node));
    node_why = "--node " + opt.node;
  } else if (const std::string n = liberty_node(lib.name); !n.empty()) {
    HW_ASSIGN_OR_RETURN(sram, sram_model_for_node(n));
    node_why = "the node of " + lib.name;
  } else {
    HW_ASSIGN_OR_RETURN(sram, sram_model_for_node("45nm"));
    node_why = "assumed: the node of " + lib.name + " is not known to hardwire (--node sets it)";
  }
  if (lib.timing && lib.buffer.empty())
    return Error{"liberty file '" + lib_path + "' has timing but no buffer cell (one input, output = input): "
                 "hardwire synth needs one to write the netlist it times"};

  // Every block's parameters and every memory come from the chip plan, as the manifest records them.
  if (!m.contains("blocks") || !m.contains("memories"))
    return Error{"manifest '" + design_dir + "/manifest.json' has no block configurations (written by an older "
                 "hardwire): regenerate the design with `hardwire generate`"};
  std::vector<Block> blocks;
  std::set<std::string> templates;  // module names of the templates (the rest are generated packages)
  for (const auto& [file, text] : embedded_templates()) templates.insert(file.substr(0, file.rfind('.')));
  auto block = [&](const std::string& key, const std::string& name, const std::string& module, const std::string& note,
                   std::vector<std::string> files, std::vector<std::string> black_boxes = {},
                   const std::string& manifest_key = "") -> Status {
    const auto it = m["blocks"].find(manifest_key.empty() ? module : manifest_key);
    if (it == m["blocks"].end() || !it->contains("parameters") || !it->contains("instances"))
      return Error{"manifest '" + design_dir + "/manifest.json' has no configuration of " + module +
                   ": regenerate the design with `hardwire generate`"};
    // What yosys reads: the generated packages named, then the templates named and everything they instantiate
    // (template_closure), less the black boxes and the memories (read as black boxes).
    std::set<std::string> stop(black_boxes.begin(), black_boxes.end());
    stop.insert("hw_sram");
    std::vector<std::string> read, roots;
    for (const auto& f : files) (templates.count(f) ? roots : read).push_back(f);
    for (const auto& f : template_closure(roots, stop)) read.push_back(f);
    Block b{key, name, module, note, {}, (*it)["instances"].get<int64_t>(), std::move(read), std::move(black_boxes)};
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
               "step FSM, program counter, decoded instruction registers and the draining instruction's; program ROM as a "
               "macro",
               {"hardwire_cfg_pkg", "hw_isa_pkg", "hw_core_sequencer"}));
  HW_TRY(block("core_reader", "core: element reader", "hw_core_reader",
               "two-loop address generator, read credits, 4-entry element FIFO", {"hw_core_reader"}));
  HW_TRY(block("core_mac", "core: scalar MAC", "hw_core_mac", "EMBED/SWIGLU multiply-accumulate (V = 1); "
               "SiLU ROM as a macro", {"hw_core_mac"}));
  if (m["blocks"].contains("hw_core_elementwise")) {
    HW_TRY(block("core_elementwise", "core: EMBED/SWIGLU lanes", "hw_core_elementwise",
                 "one SiLU lookup, multiplier and requantizer per lane (C); SiLU ROM copies as macros",
                 {"hw_core_elementwise"}));
  }
  HW_TRY(block("core_attention", "core: attention", "hw_core_attention",
               "all heads: q.K multipliers, score requantizers, PV multipliers and dim accumulators, V output "
               "requantizers; the softmax units as black boxes (reported above)",
               {"hw_core_attention"}, {"hw_softmax"}));
  HW_TRY(block("core_gemm_packer", "core: GEMM packer", "hw_core_gemm_packer", "activations into hw_gemv's X buffer",
               {"hw_core_gemm_packer"}));
  // The matrix engine's output side: C-wide beats requantized whole where the scratchpad has C lanes, else serialized.
  if (m["blocks"].contains("hw_core_matvec_requant")) {
    HW_TRY(block("core_matvec_requant", "core: matrix requantizer", "hw_core_matvec_requant",
                 "one requantizer per lane (C), vector parameter ROM as a macro",
                 {"hw_core_matvec_requant"}));
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
               {"hw_core_requant_feeder"}, {"hw_requant"}));
  HW_TRY(block("core_output", "core: output + argmax", "hw_core_output",
               "host stream (V logits per beat, 8-word FIFO where V > 1) and running argmax (a log2(V)-level compare "
               "tree per beat)",
               {"hw_core_output"}));
  HW_TRY(block("core_writeback", "core: writeback", "hw_core_writeback",
               "dispatch, result select and saturation, result counters, the running instruction's result queue "
               "(V > 1), write ports", {"hw_core_writeback"}));

  // --blocks: only the blocks named (by key), in the design's order.
  if (!opt.only.empty()) {
    std::string keys;
    for (const auto& b : blocks) keys += (keys.empty() ? "" : ", ") + b.key;
    for (const auto& k : opt.only)
      if (std::none_of(blocks.begin(), blocks.end(), [&](const Block& b) { return b.key == k; }))
        return Error{"no block '" + k + "' in this design: choose among " + keys};
    blocks.erase(std::remove_if(blocks.begin(), blocks.end(),
                                [&](const Block& b) {
                                  return std::find(opt.only.begin(), opt.only.end(), b.key) == opt.only.end();
                                }),
                 blocks.end());
  }
  if (opt.memories_only) blocks.clear();
  SynthReport rep;
  rep.liberty_name = lib_name;
  rep.sram = sram;
  rep.partial = !opt.only.empty() || opt.memories_only;
  rep.node_why = node_why;
  const std::string rtl = fs::absolute(design_dir).string() + "/rtl/";
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
  if (lib.timing) {
    auto v = run_command("sta -version > '" + work + "/sta_version.txt' 2>&1");
    if (!v) return v.error();
    if (!v->ok)
      return Error{"cannot run sta (OpenSTA), which times the blocks for a liberty library with timing: install it "
                   "(scripts/setup.sh installs opensta), or use a library without timing"};
    if (!key_common.empty()) key_common += "--sta\n" + read_text(work + "/sta_version.txt") + "\n";
  }
  rep.timing = lib.timing;
  // One job per block; --jobs of them run at once (each a yosys process, then an sta process).
  std::vector<BlockReport> reports(blocks.size());
  std::vector<Status> statuses(blocks.size(), Status::ok());
  auto run_block = [&](const Block& b, BlockReport& r) -> Status {
    const auto t0 = std::chrono::steady_clock::now();
    std::string chparam;
    for (const auto& [k, v] : b.params) chparam += " -set " + k + " " + v;
    const std::string base = work + "/" + b.key;
    std::string script;
    // The memories: black boxes, their ports only (hw_sram.sv leaves its body out under this define).
    script += "read_verilog -sv -lib -DHARDWIRE_SRAM_BLACKBOX " + rtl + "hw_sram.sv\n";
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
    // yosys may derive the top under a $paramod name (hw_core_attention does): give it the module's name back.
    script += "rename -top " + b.module + "\n";
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
    if (lib.timing) {
      // Delay-driven: map, then buffer high-fanout nets, upsize cells on the critical path and downsize the rest.
      script += "abc -liberty " + lib_path + " -script +strash;dretime;map;topo;buffer;upsize;dnsize\n";
    } else {
      // -fast: yosys 0.23's full ABC script does not finish (> 20 min) on a requantizer whose product exceeds 64
      // bits (the core's, when attention accumulators pass 32 bits); -fast maps it in seconds, at ~2% more cells
      // on the other blocks. One script for every block keeps the figures comparable.
      script += "abc -fast -liberty " + lib_path + "\n";
    }
    script += "opt_clean\n";
    script += "tee -q -o " + base + ".lib.json stat -json -top " + b.module + "\n";
    if (lib.timing) {
      // The netlist sta times: flat, each memory macro or sub-block black box turned into ports of the block (its
      // instance renamed first: generate-block names such as gen_bank[0] do not survive as port names), every
      // wire one bit, and a buffer wherever a port would be wired straight to another port or a constant.
      script += "design -push-copy\n";
      script += "flatten\n";
      script += "rename -hide t:hw_* t:$paramod*\n";
      script += "rename -enumerate -pattern macro_% t:hw_* t:$paramod*\n";
      script += "expose -evert t:hw_* t:$paramod*\n";
      script += "splitnets -ports\nsplitnets\n";
      script += "insbuf -buf " + lib.buffer + " " + lib.buffer_in + " " + lib.buffer_out + "\n";
      script += "opt_clean\n";
      script += "write_verilog -noattr -noexpr " + base + ".net.v\n";
      script += "design -pop\n";
    }
    r.key = b.key;
    r.name = b.name;
    r.module = b.module;
    r.note = b.note;
    r.instances = b.instances;
    std::string entry;
    if (!cache_dir.empty()) {
      // Everything yosys reads: the script (paths made relative) and every template's text (less the banner, which
      // names the design). Memory images are read only by the black-boxed hw_sram and do not enter the figures.
      std::string key = key_common + "--script\n" + replace_all(replace_all(script, rtl, "$RTL/"), work + "/", "$WORK/");
      if (lib.timing)
        key += "--sta script " + std::to_string(kStaScriptVersion) + " fanout " + std::to_string(kMaxFanout) + "\n";
      std::vector<std::string> read = {"hw_sram"};
      read.insert(read.end(), b.black_boxes.begin(), b.black_boxes.end());
      read.insert(read.end(), b.files.begin(), b.files.end());
      for (const auto& f : read) key += "--file " + f + "\n" + without_banner(read_text(rtl + f + ".sv")) + "\n";
      entry = cache_dir + "/" + fnv1a64_hex(key) + ".json";
      if (read_cache_entry(entry, b.module, lib.timing, r)) {
        r.cached = true;
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return Status::ok();
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
    if (lib.timing) HW_TRY(time_block(lib_path, lib, base, b, r));
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!entry.empty()) HW_TRY(write_file_atomic(entry, cache_entry(r).dump(2) + "\n", "synthesis cache entry"));
    return Status::ok();
  };
  // The blocks that are the most logic go first (attention, the matrix engine, the lane-wide units), so that the
  // last job to start is a short one and the jobs finish together.
  std::vector<size_t> order(blocks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const std::vector<std::string> kLargestFirst = {"core_attention", "gemv", "core_matvec_requant", "rmsnorm", "rope"};
  auto rank = [&](size_t i) {
    const auto it = std::find(kLargestFirst.begin(), kLargestFirst.end(), blocks[i].key);
    return static_cast<size_t>(it - kLargestFirst.begin());
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rank(a) < rank(b); });
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (size_t n; !failed && (n = next++) < blocks.size();) {
      const size_t i = order[n];
      statuses[i] = run_block(blocks[i], reports[i]);
      if (!statuses[i].is_ok()) failed = true;
    }
  };
  const int jobs = std::max(1, std::min<int>(opt.jobs, static_cast<int>(blocks.size())));
  std::vector<std::thread> pool;
  for (int j = 1; j < jobs; ++j) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (const auto& st : statuses)
    if (!st.is_ok()) return st.error();
  rep.blocks = std::move(reports);

  // Memories: every macro priced by its shape (SramModel) at the node's bit cell.
  for (const auto& x : m["memories"]) {
    if (!x.contains("macros"))
      return Error{"manifest '" + design_dir + "/manifest.json' has no macro shapes (written by an older hardwire): "
                   "regenerate the design with `hardwire generate`"};
    MemoryReport mr{x["name"], x["bits"], 0, 0, 0, x["note"]};
    for (const auto& mac : x["macros"]) {
      const int64_t count = mac["count"], words = mac["words"], width = mac["width"];
      if (count <= 0 || words <= 0 || width <= 0) continue;  // a memory the design does not have
      int64_t split = 0;
      const double one = rep.sram.memory_area(words, width, split);
      mr.macros += count * split;
      mr.area_um2 += static_cast<double>(count) * one;
      mr.bitcell_um2 += static_cast<double>(count * words * width) * rep.sram.bitcell_um2;
    }
    rep.memories.push_back(mr);
  }
  return rep;
}

int SramModel::column_mux(int64_t words, int64_t width) const {
  // The power of two m <= kMaxColumnMux (and <= words) whose array ceil(W / m) x B m is closest to square (the
  // smaller m on a tie).
  int best = 1;
  double best_skew = 1e300;
  for (int m = 1; m <= kMaxColumnMux && m <= std::max<int64_t>(words, 1); m *= 2) {
    const double rows = static_cast<double>((words + m - 1) / m), cols = static_cast<double>(width * m);
    const double skew = std::abs(std::log2(rows / cols));
    if (skew < best_skew - 1e-9) best = m, best_skew = skew;
  }
  return best;
}

double SramModel::macro_area(int64_t words, int64_t width) const {
  const int m = column_mux(words, width);
  const double rows = static_cast<double>((words + m - 1) / m), cols = static_cast<double>(width * m);
  return bitcell_um2 * (rows * cols + kRowCells * rows + kColCells * cols + kMacroCells);
}

double SramModel::memory_area(int64_t words, int64_t width, int64_t& macros) const {
  const int64_t across = (width + kMaxWidth - 1) / kMaxWidth, down = (words + kMaxWords - 1) / kMaxWords;
  macros = across * down;
  return static_cast<double>(macros) * macro_area((words + down - 1) / down, (width + across - 1) / across);
}

Result<SramModel> sram_model_for_node(const std::string& node) {
  SramModel s;
  s.node = node;
  if (node == "45nm") {
    s.bitcell_um2 = 0.346, s.source = "Intel 45 nm 6T cell, IEDM 2007";
  } else if (node == "7nm") {
    s.bitcell_um2 = 0.027, s.source = "TSMC N7 high-density 6T cell";
  } else if (node == "5nm") {
    s.bitcell_um2 = 0.021, s.source = "TSMC N5 high-density 6T cell";
  } else if (node == "180nm") {
    s.bitcell_um2 = 0.346 * 16, s.source = "the 45 nm cell scaled by (180/45)^2 (an assumption, not a published cell)";
  } else {
    return Error{"unknown --node '" + node + "': choose 180nm, 45nm, 7nm or 5nm"};
  }
  return s;
}

std::string liberty_node(const std::string& library_name) {
  if (library_name == "osu018_stdcells") return "180nm";
  if (library_name == "hardwire_generic45") return "45nm";
  return "";
}

const BlockReport* SynthReport::slowest() const {
  const BlockReport* worst = nullptr;
  for (const auto& b : blocks)
    if (b.critical_ns >= 0 && (!worst || b.critical_ns > worst->critical_ns)) worst = &b;
  return worst;
}

double SynthReport::fmax_mhz() const {
  const BlockReport* w = slowest();
  return w && w->critical_ns > 0 ? 1000.0 / w->critical_ns : 0.0;
}

std::string synth_markdown(const SynthReport& r) {
  std::string o;
  char buf[1024];
  o += "Logic (yosys, hierarchical; area with " + r.liberty_name + "):\n\n";
  o += r.timing ? "| block | instances | cells | flip-flops | transistors (est.) | area um^2 | logic depth | critical "
                  "path ns | path starts at (fanout) | note |\n|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n"
                : "| block | instances | cells | flip-flops | transistors (est.) | area um^2 | logic depth | note |\n"
                  "|---|---:|---:|---:|---:|---:|---:|---|\n";
  double logic = 0;
  for (const auto& b : r.blocks) {
    std::snprintf(buf, sizeof buf, "| %s | %lld | %lld | %lld | %lld | %.0f | %d |", b.name.c_str(),
                  static_cast<long long>(b.instances), static_cast<long long>(b.cells),
                  static_cast<long long>(b.flops), static_cast<long long>(b.transistors), b.area_um2, b.logic_depth);
    o += buf;
    if (r.timing) {
      std::snprintf(buf, sizeof buf, " %.3f | %s (%d), %d cells |", b.critical_ns, b.critical_from.c_str(),
                    b.critical_fanout, b.critical_cells);
      o += buf;
    }
    o += " " + b.note + " |\n";
    logic += b.area_um2 * static_cast<double>(b.instances);
  }
  if (const BlockReport* w = r.slowest()) {
    std::snprintf(buf, sizeof buf,
                  "\nTiming (OpenSTA, per block, ports and memory-macro pins ideal at the clock edge; no wires): "
                  "slowest block %s, %.3f ns: fmax %.1f MHz.\n",
                  w->name.c_str(), w->critical_ns, r.fmax_mhz());
    o += buf;
  } else if (r.timing) {
    o += "\nTiming: none (no block was synthesized).\n";
  } else {
    o += "\nTiming: none (the cell library has areas only; give a liberty file with timing, e.g. --liberty "
         "/usr/share/qflow/tech/osu018/osu018_stdcells.lib).\n";
  }
  std::snprintf(buf, sizeof buf,
                "\nMemories (macro model at %s: %.3f um^2 bit cell, %s; %s; each macro folded near square, plus "
                "%.0f bit cells of periphery per row, %.0f per column and %.0f per macro):\n\n",
                r.sram.node.c_str(), r.sram.bitcell_um2, r.sram.source.c_str(), r.node_why.c_str(), SramModel::kRowCells,
                SramModel::kColCells, SramModel::kMacroCells);
  o += buf;
  o += "| memory | bits | macros | area um^2 | bit cells % | note |\n|---|---:|---:|---:|---:|---|\n";
  double memory = 0;
  for (const auto& mm : r.memories) {
    std::snprintf(buf, sizeof buf, "| %s | %lld | %lld | %.0f | %.0f | %s |\n", mm.name.c_str(),
                  static_cast<long long>(mm.bits), static_cast<long long>(mm.macros), mm.area_um2,
                  mm.area_um2 > 0 ? 100.0 * mm.bitcell_um2 / mm.area_um2 : 0.0, mm.note.c_str());
    o += buf;
    memory += mm.area_um2;
  }
  std::snprintf(buf, sizeof buf,
                "\nTotal: logic %.3f mm^2 (%s), memories %.3f mm^2.\n", logic / 1e6,
                r.partial ? (r.blocks.empty() ? "none synthesized: --memories-only" : "of the blocks synthesized (--blocks)")
                          : "matrix engine + softmax + RMSNorm + RoPE + requantize + core",
                memory / 1e6);
  o += buf;
  return o;
}

std::string synth_json(const SynthReport& r) {
  nlohmann::ordered_json j;
  j["liberty"] = r.liberty_name;
  j["partial"] = r.partial;
  if (const BlockReport* w = r.slowest())
    j["timing"] = {{"available", true}, {"tool", "OpenSTA"}, {"slowest_block", w->name},
                   {"critical_ns", w->critical_ns}, {"fmax_mhz", r.fmax_mhz()}};
  else
    j["timing"] = {{"available", false},
                   {"why", r.timing ? "no block was synthesized" : "the cell library has no timing tables"}};
  j["sram_model"] = {{"node", r.sram.node},
                     {"bitcell_um2", r.sram.bitcell_um2},
                     {"source", r.sram.source},
                     {"chosen", r.node_why},
                     {"row_periphery_cells", SramModel::kRowCells},
                     {"column_periphery_cells", SramModel::kColCells},
                     {"macro_periphery_cells", SramModel::kMacroCells}};
  j["blocks"] = nlohmann::ordered_json::array();
  for (const auto& b : r.blocks) {
    j["blocks"].push_back({{"key", b.key}, {"name", b.name}, {"module", b.module}, {"instances", b.instances}, {"cells", b.cells},
                           {"flip_flops", b.flops}, {"transistors", b.transistors}, {"area_um2", b.area_um2},
                           {"logic_depth", b.logic_depth}, {"seconds", b.seconds}, {"cached", b.cached}, {"note", b.note}});
    if (b.critical_ns >= 0)
      j["blocks"].back()["timing"] = {{"critical_ns", b.critical_ns}, {"from", b.critical_from},
                                      {"fanout", b.critical_fanout}, {"cells", b.critical_cells},
                                      {"fanout_buffers", b.fanout_buffers}};
  }
  j["memories"] = nlohmann::ordered_json::array();
  for (const auto& m : r.memories)
    j["memories"].push_back({{"name", m.name}, {"bits", m.bits}, {"macros", m.macros}, {"area_um2", m.area_um2},
                             {"bitcell_area_um2", m.bitcell_um2}, {"note", m.note}});
  return j.dump(2) + "\n";
}

}  // namespace hardwire::gen
