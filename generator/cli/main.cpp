// hardwire — command-line front end. A thin layer: parse arguments, call the libraries, print.
//
// Every user error (bad model, bad option value, unreadable file) ends as one line "hardwire: error: ..." on stderr
// and exit status 1; a command line CLI11 cannot parse (unknown command or option, a value of the wrong type) ends as
// one such line naming the command's --help, with exit status 2.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <mutex>
#include <thread>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "hardwire/gen/design.hpp"
#include "hardwire/gen/energy.hpp"
#include "hardwire/gen/fidelity.hpp"
#include "hardwire/gen/files.hpp"
#include "hardwire/gen/report.hpp"
#include "hardwire/gen/synth.hpp"
#include "hardwire/gen/sweep.hpp"
#include "hardwire/gen/llama2c.hpp"
#include "hardwire/gen/model_info.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/gen/outdir.hpp"
#include "hardwire/gen/process.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/golden/compare.hpp"
#include "hardwire/golden/ops.hpp"
#include "hardwire/seed.hpp"
#include "hardwire/verif/sim.hpp"

namespace {

using namespace hardwire;

int fail(const std::string& message) {
  std::fflush(stdout);
  fmt::print(stderr, "hardwire: error: {}\n", message);
  return 1;
}

// Unwrap a Result<T> into `lhs`, or end the command with its error (exit status 1).
#define HW_ASSIGN_OR_FAIL(lhs, expr) HW_ASSIGN_OR_FAIL_IMPL_(HW_STATUS_CONCAT_(hw_cli_result_, __LINE__), lhs, expr)
#define HW_ASSIGN_OR_FAIL_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                            \
  if (!tmp.is_ok()) return fail(tmp.message()); \
  lhs = std::move(*tmp)
// End the command with the error of a Status (or Result) expression.
#define HW_OK_OR_FAIL(expr)                                 \
  do {                                                      \
    auto hw_cli_status_ = (expr);                           \
    if (!hw_cli_status_.is_ok()) return fail(hw_cli_status_.message()); \
  } while (0)

std::string with_commas(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return (v < 0 ? "-" : "") + out;
}

std::string bytes_h(int64_t b) {
  if (b >= (int64_t{1} << 30)) return fmt::format("{:.2f} GiB", static_cast<double>(b) / (1 << 30));
  if (b >= (int64_t{1} << 20)) return fmt::format("{:.2f} MiB", static_cast<double>(b) / (1 << 20));
  if (b >= (int64_t{1} << 10)) return fmt::format("{:.1f} KiB", static_cast<double>(b) / (1 << 10));
  return fmt::format("{} B", b);
}

// Energy figures in the unit that reads best: pJ, nJ, uJ, mJ.
std::string joules_h(double pj) {
  if (pj >= 1e9) return fmt::format("{:.3f} mJ", pj / 1e9);
  if (pj >= 1e6) return fmt::format("{:.3f} uJ", pj / 1e6);
  if (pj >= 1e3) return fmt::format("{:.3f} nJ", pj / 1e3);
  return fmt::format("{:.3f} pJ", pj);
}

// The energy table of `sim` and `synth`: per token, every item with its count, energy each and share.
void print_energy(const gen::EnergyReport& e) {
  std::vector<const gen::EnergyItem*> items;
  for (const auto& i : e.items) items.push_back(&i);
  std::stable_sort(items.begin(), items.end(), [](const auto* a, const auto* b) { return a->pj() > b->pj(); });
  fmt::print("  {:<22} {:>14} {:>11} {:>12} {:>7}  {}\n", "item", "per token", "each", "energy", "share", "one is");
  for (const auto* i : items)
    fmt::print("  {:<22} {:>14} {:>11} {:>12} {:>6.1f}%  {}\n", i->name, with_commas(static_cast<int64_t>(i->count + 0.5)),
               joules_h(i->pj_each), joules_h(i->pj()), 100.0 * i->pj() / e.pj_per_token, i->basis);
  fmt::print("  (per-event energies: Horowitz, ISSCC 2014, 45 nm 0.9 V; at {}: x {:.3g}, node/45 nm x (Vdd/0.9 V)^2; "
             "datapath and memories only, no clock tree, flip-flops, wires or leakage: docs/architecture.md#energy)\n",
             e.node, e.scale);
}

nlohmann::json energy_json(const gen::EnergyReport& e, const std::string& how, double clock_mhz, double cycles) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : e.items)
    items.push_back({{"name", i.name}, {"count_per_token", i.count}, {"pj_each", i.pj_each}, {"pj_per_token", i.pj()},
                     {"basis", i.basis}});
  nlohmann::json j = {{"how", how},
                      {"node", e.node},
                      {"node_scale", e.scale},
                      {"pj_per_token", e.pj_per_token},
                      {"tokens_per_joule", e.tokens_per_joule()},
                      {"items", items}};
  if (clock_mhz > 0) {
    j["clock_mhz"] = clock_mhz;
    j["watts"] = e.watts(clock_mhz, cycles);
  }
  return j;
}

// Printable form of a token's text: control bytes escaped.
std::string printable(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '\n') o += "\\n";
    else if (c < 0x20 || c == 0x7f) o += fmt::format("\\x{:02x}", c);
    else o += static_cast<char>(c);
  }
  return o;
}

Result<golden::Widths> effective_widths(const gen::ModelSource& src, const std::string& cli) {
  golden::Widths w = src.widths.value_or(golden::Widths{});
  if (cli.empty()) return w;
  return gen::parse_widths(cli, w);
}

// A model resolved, loaded and quantized with its effective widths (what golden, generate and synth start from).
struct Prepared {
  gen::ModelSource src;
  golden::Widths widths;
  golden::FloatModel fm;
  golden::QModel qm;
};
// --max-memory, when given ("" = this machine's physical memory).
std::string g_max_memory;
// --seq-len, when given (0 = the model's own positions).
int64_t g_seq_len = 0;
// The option as a command line gives it (regenerate commands, report's steps).
std::string seq_len_option() { return g_seq_len > 0 ? " --seq-len " + std::to_string(g_seq_len) : std::string(); }

// The memory limit (bytes) and where it comes from: --max-memory, else this machine's physical memory.
struct MemoryLimit {
  int64_t bytes = 0;
  std::string source;
};
Result<MemoryLimit> memory_limit() {
  if (g_max_memory.empty()) return MemoryLimit{gen::physical_memory_bytes(), "this machine's memory"};
  auto v = gen::parse_size(g_max_memory);
  if (!v) return v.error();
  return MemoryLimit{*v, "--max-memory " + g_max_memory};
}

// Refuses a model that would not fit in memory, before anything of its size is allocated.
Status check_fits(const gen::ModelSource& src, const golden::Widths& widths, bool writes_design, int64_t finetune = 0) {
  auto limit = memory_limit();
  if (!limit) return limit.error();
  return gen::check_memory(gen::compute_info(src, widths), writes_design, limit->bytes, limit->source, finetune);
}

// The prompt plus `steps` generated tokens must fit in seq_len positions (no overflow for any int64 steps).
Status check_positions(int64_t prompt_tokens, int64_t steps, int64_t seq_len) {
  if (steps < 1) return Error{"--steps must be at least 1"};
  if (prompt_tokens > seq_len)
    return Error{fmt::format("the prompt is {} tokens, more than the model's seq_len of {}; shorten the prompt",
                             prompt_tokens, seq_len)};
  const int64_t max_steps = seq_len - prompt_tokens + 1;
  if (steps > max_steps) {
    const std::string need = steps > INT64_MAX - prompt_tokens ? "more than " + std::to_string(seq_len)
                                                               : std::to_string(prompt_tokens + steps - 1);
    return Error{fmt::format("prompt ({} tokens) and {} steps need {} positions but the model's seq_len is {}; use at "
                             "most --steps {}",
                             prompt_tokens, steps, need, seq_len, max_steps)};
  }
  return Status::ok();
}

// What `golden` and `sim` decode from: the tokenizer (when given), the prompt's token ids (BOS alone, or BOS + the
// encoded text), checked to fit seq_len with `steps` generated tokens; and how tokens and text are shown.
struct Prompt {
  std::optional<gen::Tokenizer> tok;
  std::vector<int64_t> ids;
  int64_t size() const { return static_cast<int64_t>(ids.size()); }
  // Token t (after prev) as a table cell: its id, and its text when there is a tokenizer.
  std::string cell(int64_t prev, int64_t t) const {
    return tok ? fmt::format("{:>5} {:<12}", t, "'" + printable(tok->decode(prev, t)) + "'") : fmt::format("{:>5}", t);
  }
  int cell_width(int without_tokenizer) const { return tok ? 18 : without_tokenizer; }
  // The prompt's text followed by `generated`, printable (needs the tokenizer).
  std::string text(const std::vector<int64_t>& generated) const {
    std::string s;
    int64_t prev = ids.front();
    for (size_t i = 1; i < ids.size(); ++i) s += tok->decode(prev, ids[i]), prev = ids[i];
    for (int64_t t : generated) s += tok->decode(prev, t), prev = t;
    return printable(s);
  }
};

Result<Prompt> read_prompt(const std::string& tokenizer_path, const std::string& text, int64_t steps,
                           const gen::ModelSource& src) {
  const golden::Shape& shape = src.shape;
  Prompt p;
  if (!tokenizer_path.empty()) {
    auto t = gen::read_tokenizer(tokenizer_path, shape.vocab, src.bos);
    if (!t) return t.error();
    p.tok = std::move(*t);
  }
  if (steps < 1) return Error{"--steps must be at least 1"};
  if (text.empty()) {
    p.ids = {src.bos};
  } else {
    if (!p.tok) return Error{"--prompt needs --tokenizer to turn the text into token ids"};
    HW_ASSIGN_OR_RETURN(p.ids, p.tok->encode(text, true, shape.seq_len));
  }
  HW_TRY(check_positions(p.size(), steps, shape.seq_len));
  return p;
}

// The fine-tune's steps (--finetune), checked.
Status check_finetune(int64_t steps) {
  if (steps < 0 || steps > gen::kMaxDistillSteps)
    return Error{fmt::format("--finetune {} is out of range: give the number of fine-tuning steps, 0 (none) to {} "
                             "(numerics §2: about 1,000 suffice for stories260K)", steps, gen::kMaxDistillSteps)};
  return {};
}

// The machine's hardware threads (at least 1): the default of every --threads and --jobs.
int machine_threads() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

Result<Prepared> prepare(const std::string& model, const std::string& widths_arg, bool writes_design,
                         const golden::WeightFormat& weights = {}, int64_t finetune = 0) {
  HW_TRY(check_finetune(finetune));
  auto src = gen::resolve_model(model, g_seq_len);
  if (!src) return src.error();
  auto widths = effective_widths(*src, widths_arg);
  if (!widths) return widths.error();
  HW_TRY(check_fits(*src, *widths, writes_design, finetune));
  auto fm = gen::load_float_model(*src);
  if (!fm) return fm.error();
  gen::QuantConfig qc;
  qc.widths = *widths;
  qc.weights = weights;
  qc.finetune.steps = finetune;
  qc.finetune.threads = machine_threads();
  auto qm = gen::quantize(*fm, qc);
  if (!qm) return qm.error();
  return Prepared{std::move(*src), *widths, std::move(*fm), std::move(*qm)};
}

// Hardware options of generate and synth, checked; the regenerate command names them all.
// The hardware options that generate, synth and sim share.
struct HwArgs {
  std::string array = "8x8";
  int64_t bank_depth = 4096;
  int64_t weight_port = 0;  // 0: R x C
  int64_t kv_port = 0;      // 0: the whole KV row
  int weight_bits = 8;      // the weight format (numerics §2)
  int64_t weight_group = 0;
  bool weight_zero_point = false;
  int64_t finetune = 0;     // fine-tuning steps (numerics §2); generate and sim
  bool shape_only = false;  // generate: no weight-dependent images (synth's designs are always so)
  golden::WeightFormat weights() const { return {weight_bits, weight_group, weight_zero_point}; }
  // The weight format's options as a command line gives them (none at the default int8 per row), and the fine-tune's.
  std::string format_options() const {
    return (weight_bits != 8 ? " --weight-bits " + std::to_string(weight_bits) : std::string()) +
           (weight_group != 0 ? " --weight-group " + std::to_string(weight_group) : std::string()) +
           (weight_zero_point ? " --weight-zero-point" : "") +
           (finetune != 0 ? " --finetune " + std::to_string(finetune) : std::string());
  }
};

Result<gen::GenerateOptions> design_options(const std::string& model, const std::string& widths_arg,
                                            const HwArgs& hw, const std::string& out_dir) {
  auto array = gen::parse_array(hw.array);
  if (!array) return array.error();
  HW_TRY(gen::check_bank_depth(hw.bank_depth));
  HW_TRY(gen::check_weight_port(*array, hw.weight_port));
  gen::GenerateOptions opt;
  opt.array = *array;
  opt.weights = hw.weights();
  HW_TRY(gen::check_weight_format(opt.weights, (hw.weight_port == 0 ? array->rows * array->cols : hw.weight_port) /
                                                   array->cols));
  opt.sram_bank_depth = hw.bank_depth;
  opt.weight_port = hw.weight_port == 0 ? array->rows * array->cols : hw.weight_port;
  opt.kv_port = hw.kv_port;
  opt.out_dir = out_dir;
  opt.regenerate_command = "hardwire generate --model " + gen::shell_word(model) + seq_len_option() + " --array " +
                           gen::shell_word(hw.array) +
                           (widths_arg.empty() ? "" : " --widths " + gen::shell_word(widths_arg)) +
                           " --weight-port " + std::to_string(opt.weight_port) +
                           (hw.kv_port ? " --kv-port " + std::to_string(hw.kv_port) : "") + hw.format_options() +
                           " --sram-bank-depth " + std::to_string(hw.bank_depth) +
                           (hw.shape_only ? " --shape-only" : "");
  return opt;
}

// The chip plan from the model's shape and widths alone: weights are neither read nor made (a checkpoint's header
// gives its shape), so a model of any size plans in milliseconds.
struct ShapePlan {
  gen::ModelSource src;
  golden::Widths widths;
  gen::ChipPlan plan;
};
Result<ShapePlan> plan_from_shape(const std::string& model, const std::string& widths_arg,
                                  const gen::GenerateOptions& opt) {
  auto src = gen::resolve_model(model, g_seq_len);
  if (!src) return src.error();
  auto widths = effective_widths(*src, widths_arg);
  if (!widths) return widths.error();
  auto limit = memory_limit();
  if (!limit) return limit.error();
  HW_TRY(gen::check_shape_design_memory(src->shape, limit->bytes, limit->source));
  auto plan = gen::plan_chip(src->shape, *widths,
                             {opt.array, opt.sram_bank_depth, opt.weight_port, opt.kv_port, opt.weights});
  if (!plan) return plan.error();
  return ShapePlan{std::move(*src), *widths, std::move(*plan)};
}

Status write_json(const std::string& path, const nlohmann::json& j) {
  return gen::write_file_atomic(path, j.dump(2) + "\n", "JSON report");
}

// ---------------------------------------------------------------------------------------------------------------
int cmd_info(const std::string& model, const std::string& widths_arg, const HwArgs& hw, const std::string& json_path) {
  HW_ASSIGN_OR_FAIL(auto src, gen::resolve_model(model, g_seq_len));
  HW_ASSIGN_OR_FAIL(auto widths, effective_widths(src, widths_arg));
  HW_ASSIGN_OR_FAIL(auto array, gen::parse_array(hw.array));
  HW_OK_OR_FAIL(gen::check_weight_port(array, hw.weight_port));
  HW_OK_OR_FAIL(gen::check_kv_port(src.shape, hw.kv_port));
  const int64_t port = hw.weight_port == 0 ? array.rows * array.cols : hw.weight_port;
  HW_OK_OR_FAIL(gen::check_weight_format(hw.weights(), port / array.cols));
  const int64_t kv_port = hw.kv_port == 0 ? 2 * src.shape.kv_dim() : hw.kv_port;
  const gen::ModelInfo m = gen::compute_info(src, widths, hw.weights());
  const auto& s = m.shape;
  fmt::print("model          {}\n", src.describe());
  fmt::print("shape          {}\n", s.to_string());
  fmt::print("               head size {}, kv dim {}, {} query heads per kv head\n", s.head_size(), s.kv_dim(),
             s.kv_mul());
  fmt::print("classifier     {}\n", m.shared_classifier ? "shared with the token embedding" : "separate matrix");
  fmt::print("parameters     {} (embedding {}, {} per layer, classifier {})\n", with_commas(m.stats.params_total),
             with_commas(m.stats.params_embedding), with_commas(m.stats.params_per_layer),
             with_commas(m.stats.params_classifier));
  fmt::print("weight bytes   {} ({}) int8 on chip: embedding {}, layers {}, classifier {}\n",
             with_commas(m.weight_bytes), bytes_h(m.weight_bytes), with_commas(m.weight_bytes_embedding),
             with_commas(m.weight_bytes_layers), with_commas(m.weight_bytes_classifier));
  const golden::WeightFormat& f = m.weights;
  const std::string format = gen::weight_format_text(f);
  fmt::print("weight memory  {} bits ({}) in the chip's format ({}): codes {}, group entries {}; the embedding "
             "table {} more (int8)\n",
             with_commas(m.weight_memory_bits()), bytes_h((m.weight_memory_bits() + 7) / 8), format,
             with_commas(m.matrix_code_bits), with_commas(m.group_entry_bits), with_commas(m.embedding_bits));
  fmt::print("constants      {} requantization entries, {} of tables (SiLU, exp2, RoPE)\n",
             with_commas(m.requant_params), bytes_h(m.table_bytes));
  fmt::print("MACs/token     {} in matrix products; with attention {} at pos 0, {} at pos {}, {} on average\n",
             with_commas(m.stats.matmul_macs_per_token), with_commas(m.macs_per_token_min),
             with_commas(m.macs_per_token_max), s.seq_len - 1, with_commas(m.macs_per_token_mean));
  fmt::print("KV cache       {} ({}): {} layers x {} positions x {} (K {}-bit, V {}-bit)\n",
             with_commas(m.kv_cache_bytes), bytes_h(m.kv_cache_bytes), s.n_layers, s.seq_len, s.kv_dim(),
             m.widths.k, m.widths.v);
  fmt::print("widths         {}\n", gen::widths_to_string(m.widths));
  // Decode bounds of a chip for this model (the same formulas as ChipPlan::step_bounds, for the matrix products).
  const double weight_cycles = static_cast<double>(m.stats.matmul_macs_per_token) / static_cast<double>(port);
  const double compute_cycles =
      static_cast<double>(m.macs_per_token_mean) / static_cast<double>(array.rows * array.cols);
  // KV rows (K and V of every layer) of positions 0..pos, mean over positions.
  const double kv_cycles = static_cast<double>(s.n_layers) * static_cast<double>(s.seq_len + 1) / 2.0 * 2.0 *
                           static_cast<double>(2 * s.kv_dim()) / static_cast<double>(kv_port);
  // The port reads P x C codes a cycle whatever their width: the bound in cycles is the same at every width.
  const std::string port_text =
      f.bits == 8 ? fmt::format("{} bytes per cycle ({} banks of {} bytes)", port, port / array.cols, array.cols)
                  : fmt::format("{} {}-bit codes per cycle ({} bits; {} banks of {} codes)", port, f.bits,
                                port * f.bits, port / array.cols, array.cols);
  fmt::print("chip           {}x{} array, weight port {}: weight-delivery bound {:.0f} cycles/token, compute bound "
             "{:.0f} (mean over positions)\n",
             array.rows, array.cols, port_text, weight_cycles, compute_cycles);
  fmt::print("               KV port {} bytes per cycle: KV-delivery bound {:.0f} cycles/token (mean over positions)\n",
             kv_port, kv_cycles);
  if (!json_path.empty()) {
    nlohmann::json j = {
        {"model", src.describe()},
        {"shape",
         {{"dim", s.dim}, {"hidden_dim", s.hidden_dim}, {"n_layers", s.n_layers}, {"n_heads", s.n_heads},
          {"n_kv_heads", s.n_kv_heads}, {"vocab_size", s.vocab}, {"seq_len", s.seq_len}}},
        {"shared_classifier", m.shared_classifier},
        {"parameters", m.stats.params_total},
        {"weight_bytes", m.weight_bytes},
        {"weight_format", {{"bits", f.bits}, {"group", f.group}, {"zero_point", f.zero_point}, {"text", format}}},
        {"weight_memory_bits",
         {{"codes", m.matrix_code_bits}, {"group_entries", m.group_entry_bits}, {"total", m.weight_memory_bits()}}},
        {"embedding_bits", m.embedding_bits},
        {"requant_params", m.requant_params},
        {"table_bytes", m.table_bytes},
        {"matmul_macs_per_token", m.stats.matmul_macs_per_token},
        {"macs_per_token", {{"min", m.macs_per_token_min}, {"max", m.macs_per_token_max}, {"mean", m.macs_per_token_mean}}},
        {"kv_cache_bytes", m.kv_cache_bytes},
        {"widths", gen::widths_to_string(m.widths)},
        {"chip",
         {{"array", {{"rows", array.rows}, {"cols", array.cols}}},
          {"weight_port_bytes", port},
          {"weight_cycles", weight_cycles},
          {"kv_port_bytes", kv_port},
          {"kv_cycles_mean", kv_cycles},
          {"compute_cycles_mean", compute_cycles}}}};
    HW_OK_OR_FAIL(write_json(json_path, j));
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
int cmd_golden(const std::string& model, const std::string& widths_arg, const std::string& tok_path,
               const std::string& prompt, int64_t steps, const std::string& json_path) {
  using clock = std::chrono::steady_clock;
  HW_ASSIGN_OR_FAIL(auto src, gen::resolve_model(model, g_seq_len));
  HW_ASSIGN_OR_FAIL(const golden::Widths widths, effective_widths(src, widths_arg));
  HW_ASSIGN_OR_FAIL(const Prompt prompt_in, read_prompt(tok_path, prompt, steps, src));
  const std::vector<int64_t>& prompt_ids = prompt_in.ids;
  const int64_t P = prompt_in.size();
  HW_OK_OR_FAIL(check_fits(src, widths, false));

  const auto t0 = clock::now();
  HW_ASSIGN_OR_FAIL(const golden::FloatModel fm, gen::load_float_model(src));
  gen::QuantConfig qc;
  qc.widths = widths;
  HW_ASSIGN_OR_FAIL(const golden::QModel qm, gen::quantize(fm, qc));
  const auto t1 = clock::now();
  fmt::print("model    {}\nshape    {}\nwidths   {}\n", src.describe(), src.shape.to_string(),
             gen::widths_to_string(widths));
  fmt::print("loaded and quantized in {:.2f} s; decoding {} steps from {}\n",
             std::chrono::duration<double>(t1 - t0).count(), steps,
             prompt.empty() ? std::string("BOS") : fmt::format("a {}-token prompt", P));

  const golden::CompareResult r = golden::compare_decode(fm, qm, prompt_ids, steps);
  const auto t2 = clock::now();
  auto show = [&](int64_t prev, int64_t t) { return prompt_in.cell(prev, t); };
  const int col = prompt_in.cell_width(8);
  fmt::print("\n{:>11}  {:<{}}  {}\n", "", "free-running greedy", 2 * col + 2, "teacher-forced on float tokens");
  fmt::print(" step   pos  {:<{}}  {:<{}}  top-1   logit cosine\n", "float", col, "integer", col);
  for (int64_t i = 0; i < steps; ++i) {
    const auto u = static_cast<size_t>(i);
    const int64_t fprev = i == 0 ? prompt_ids.back() : r.float_tokens[u - 1];
    const int64_t iprev = i == 0 ? prompt_ids.back() : r.int_tokens[u - 1];
    const std::string mark = i == r.first_divergence ? "   <- first divergence" : "";
    fmt::print("{:>5} {:>5}  {:<{}}  {:<{}}  {:<6}  {:.5f}{}\n", i, P - 1 + i, show(fprev, r.float_tokens[u]), col,
               show(iprev, r.int_tokens[u]), col, r.top1_agree[u] ? "same" : "DIFF", r.cosine[u], mark);
  }
  if (prompt_in.tok) fmt::print("\nfloat:   {}\ninteger: {}\n", prompt_in.text(r.float_tokens), prompt_in.text(r.int_tokens));
  fmt::print("\nfree-running greedy: ");
  if (r.first_divergence < 0)
    fmt::print("identical for all {} steps\n", steps);
  else
    fmt::print("first divergence at step {} (float {}, integer {})\n", r.first_divergence,
               r.float_tokens[static_cast<size_t>(r.first_divergence)],
               r.int_tokens[static_cast<size_t>(r.first_divergence)]);
  int64_t agree = 0;
  for (bool b : r.top1_agree) agree += b;
  fmt::print("teacher-forced on the float sequence: top-1 agreement {}/{} ({:.1f}%), logit cosine min {:.5f} mean {:.5f}\n",
             agree, steps, 100.0 * r.top1_agreement(), r.min_cosine(), r.mean_cosine());
  fmt::print("decode time {:.2f} s (three passes: float, integer, integer teacher-forced)\n",
             std::chrono::duration<double>(t2 - t1).count());
  if (!json_path.empty()) {
    nlohmann::json j = {{"model", src.describe()},
                        {"widths", gen::widths_to_string(widths)},
                        {"steps", steps},
                        {"prompt", r.prompt},
                        {"float_tokens", r.float_tokens},
                        {"integer_tokens", r.int_tokens},
                        {"first_divergence", r.first_divergence},
                        {"top1_agreement", r.top1_agreement()},
                        {"cosine", r.cosine},
                        {"min_cosine", r.min_cosine()},
                        {"mean_cosine", r.mean_cosine()}};
    HW_OK_OR_FAIL(write_json(json_path, j));
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
struct FidelityArgs {
  std::string model = gen::kDefaultModel, widths, tokenizer, prompts, json;
  std::string calibration = "mse", rounding = "gptq";
  int weight_bits = 8;
  int64_t weight_group = 0;
  bool weight_zero_point = false;
  int64_t samples = 64, prompt_tokens = 24, steps = 200;
  int64_t finetune = 0;  // fine-tuning steps of the chip's codes (numerics §2)
  uint64_t seed = 1;
  int threads = 0;  // 0: the machine's cores
  bool ablate = false, per_prompt = false;
};

// The quantization options of the command line, checked.
Result<gen::QuantConfig> quant_config(const golden::Widths& widths, const std::string& calibration,
                                      const std::string& rounding, const golden::WeightFormat& weights = {}) {
  gen::QuantConfig qc;
  qc.widths = widths;
  qc.weights = weights;
  HW_TRY(gen::validate_weight_format(qc.weights));
  HW_ASSIGN_OR_RETURN(qc.clip, gen::parse_clip(calibration));
  HW_ASSIGN_OR_RETURN(qc.rounding, gen::parse_rounding(rounding));
  return qc;
}

// A prompt file: one prompt per line (blank lines skipped), each encoded with BOS by the tokenizer.
Result<std::vector<std::vector<int64_t>>> read_prompt_file(const std::string& path, const gen::Tokenizer& tok,
                                                           int64_t seq_len) {
  HW_ASSIGN_OR_RETURN(const std::vector<char> bytes, gen::read_file(path, "prompt file"));
  std::vector<std::vector<int64_t>> out;
  std::string line;
  int64_t line_no = 0;
  auto flush = [&]() -> Status {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) {
      auto ids = tok.encode(line, true, seq_len);
      if (!ids) return Error{fmt::format("{} line {}: {}", path, line_no, ids.message())};
      out.push_back(std::move(*ids));
    }
    line.clear();
    return Status::ok();
  };
  for (char c : bytes) {
    if (c == '\0') return Error{fmt::format("{} is not a text file (a NUL byte on line {}); give one prompt per line", path, line_no + 1)};
    if (c == '\n') {
      HW_TRY(flush());
    } else {
      line += c;
    }
  }
  if (!line.empty()) HW_TRY(flush());
  if (out.empty()) return Error{path + " holds no prompt; give one prompt per line"};
  return out;
}

int cmd_fidelity(const FidelityArgs& a) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  HW_ASSIGN_OR_FAIL(auto src, gen::resolve_model(a.model, g_seq_len));
  HW_ASSIGN_OR_FAIL(const golden::Widths widths, effective_widths(src, a.widths));
  HW_ASSIGN_OR_FAIL(const gen::QuantConfig qc,
                    quant_config(widths, a.calibration, a.rounding, {a.weight_bits, a.weight_group, a.weight_zero_point}));
  HW_OK_OR_FAIL(check_finetune(a.finetune));
  if (a.threads < 0) return fail(fmt::format("--threads {} is negative: give 1 or more (0: the machine's cores)", a.threads));
  if (a.steps < 1) return fail("--steps must be at least 1");
  if (a.prompts.empty() && a.samples < 1) return fail(fmt::format("--samples {} gives no prompts: give 1 or more", a.samples));
  if (a.prompts.empty() && (a.prompt_tokens < 1 || a.prompt_tokens > src.shape.seq_len))
    return fail(fmt::format("--prompt-tokens {} is out of range: give 1 to the model's seq_len of {}", a.prompt_tokens,
                            src.shape.seq_len));
  if (!a.prompts.empty() && a.tokenizer.empty())
    return fail("--prompts needs --tokenizer to turn each line into token ids");
  std::optional<gen::Tokenizer> tok;
  if (!a.tokenizer.empty()) {
    HW_ASSIGN_OR_FAIL(tok, gen::read_tokenizer(a.tokenizer, src.shape.vocab, src.bos));
  }
  HW_OK_OR_FAIL(check_fits(src, widths, false, a.finetune));
  const int threads = a.threads > 0 ? a.threads : machine_threads();
  HW_ASSIGN_OR_FAIL(const golden::FloatModel fm, gen::load_float_model(src));

  std::vector<std::vector<int64_t>> prompts;
  std::string origin;
  if (!a.prompts.empty()) {
    HW_ASSIGN_OR_FAIL(prompts, read_prompt_file(a.prompts, *tok, src.shape.seq_len));
    origin = fmt::format("{} prompt{} from {}", prompts.size(), prompts.size() == 1 ? "" : "s", a.prompts);
  } else {
    if (a.prompt_tokens + a.steps - 1 > src.shape.seq_len)
      return fail(fmt::format("--prompt-tokens {} and --steps {} need {} positions but the model's seq_len is {}; use "
                              "fewer steps", a.prompt_tokens, a.steps, a.prompt_tokens + a.steps - 1, src.shape.seq_len));
    prompts = gen::sample_prompts(fm, a.samples, a.prompt_tokens, a.seed, threads);
    origin = fmt::format("{} prompts of {} tokens sampled from the float model at temperature 1, seed {} (--seed {} "
                         "replays them; calibration uses its own sequences, numerics §13)",
                         a.samples, a.prompt_tokens, a.seed, a.seed);
  }

  // The chip's model and, with --ablate, every variant, all from one calibration.
  const gen::CalibrationData cal = gen::calibrate(fm, qc);
  struct Config {
    std::string name, what;
    gen::QuantConfig qc;
  };
  const std::string format = gen::weight_format_text(qc.weights);
  std::vector<Config> configs{{"chip", fmt::format("{}, widths {}, calibration {}, rounding {}", format,
                                                   gen::widths_to_string(widths), gen::to_string(qc.clip),
                                                   gen::to_string(qc.rounding)), qc}};
  gen::DistillReport ft_rep;
  configs[0].qc.finetune.steps = a.finetune;
  configs[0].qc.finetune.threads = threads;
  configs[0].qc.finetune_report = &ft_rep;
  if (a.finetune > 0) configs[0].what += fmt::format(", fine-tuned {} steps", a.finetune);
  if (a.ablate) {
    const auto& sites = golden::kWidthSites;
    for (const auto& [name, member] : sites) {
      gen::QuantConfig c = qc;
      const int w = c.widths.*member == 8 ? 16 : 8;
      c.widths.*member = w;
      configs.push_back({fmt::format("{}={}", name, w), fmt::format("{} {} to {} bits", name,
                                                                     w > qc.widths.*member ? "raised" : "lowered", w), c});
    }
    for (int w : {16, 8}) {
      gen::QuantConfig c = qc;
      for (const auto& [name, member] : sites) c.widths.*member = w;
      configs.push_back({fmt::format("all {}", w), fmt::format("every configurable site at {} bits", w), c});
    }
    gen::QuantConfig c = qc;
    c.clip = qc.clip == gen::Clip::kMse ? gen::Clip::kMaxAbs : gen::Clip::kMse;
    configs.push_back({fmt::format("calib {}", gen::to_string(c.clip)), fmt::format("activation scales by {}", gen::to_string(c.clip)), c});
    c = qc;
    c.rounding = qc.rounding == gen::Rounding::kGptq ? gen::Rounding::kNearest : gen::Rounding::kGptq;
    configs.push_back({fmt::format("round {}", gen::to_string(c.rounding)), fmt::format("weights rounded {}", gen::to_string(c.rounding)), c});
    if (a.finetune > 0) configs.push_back({"no finetune", "the codes as rounded, not fine-tuned", qc});
  }
  std::vector<golden::QModel> qms(configs.size());
  golden::FloatModel weights_only;
  std::vector<std::string> errors(configs.size());
  gen::parallel_for(static_cast<int64_t>(configs.size()), threads, [&](int64_t k) {
    const auto i = static_cast<size_t>(k);
    auto q = gen::quantize(fm, cal, configs[i].qc, i == 0 && a.ablate ? &weights_only : nullptr);
    if (q) qms[i] = std::move(*q);
    else errors[i] = configs[i].name + ": " + q.message();
  });
  for (const auto& e : errors)
    if (!e.empty()) return fail(e);
  std::vector<gen::FidelityVariant> variants;
  for (size_t i = 0; i < configs.size(); ++i) {
    variants.push_back({configs[i].name, configs[i].what, &qms[i], nullptr});
    if (i == 0 && a.ablate)
      variants.push_back({"weights only", format + " (this rounding), float activations: the weight format's ceiling",
                          nullptr, &weights_only});
  }
  const auto t1 = clock::now();
  HW_ASSIGN_OR_FAIL(const gen::FidelityRun run, gen::evaluate_fidelity(fm, variants, prompts, a.steps, threads));
  const auto t2 = clock::now();

  fmt::print("model    {}\nshape    {}\nchip     {}\nprompts  {}\nsteps    {} greedy per prompt; the integer model "
             "teacher-forced on the float reference's tokens ({} threads)\n",
             src.describe(), src.shape.to_string(), variants[0].what, origin, a.steps, threads);
  auto prompt_text = [&](const std::vector<int64_t>& ids) {
    if (!tok) {
      std::string s;
      for (int64_t t : ids) s += (s.empty() ? "" : " ") + std::to_string(t);
      return s;
    }
    std::string s;
    for (size_t i = 1; i < ids.size(); ++i) s += tok->decode(ids[i - 1], ids[i]);
    return printable(s);
  };
  const gen::FidelitySummary& chip = run.variants[0];
  if (a.per_prompt || !a.ablate) {
    fmt::print("\n{:>4}  {:>9}  {:>7}  {:>9}  {:>9}  {}\n", "#", "first div", "top-1", "cosine", "KL", "prompt");
    for (size_t i = 0; i < prompts.size(); ++i) {
      const auto& r = chip.prompts[i];
      fmt::print("{:>4}  {:>9}  {:>6.1f}%  {:>9.6f}  {:>9.2e}  {}\n", i + 1,
                 r.diverged ? std::to_string(r.first_divergence) : "none", 100.0 * static_cast<double>(r.agree) / static_cast<double>(a.steps),
                 r.mean_cosine, r.mean_kl, prompt_text(prompts[i]));
    }
  }
  fmt::print("\n{:<14} {:>15} {:>15} {:>7} {:>6} {:>10} {:>10} {:>10}  {}\n", "variant", "top-1 ± se", "mean div ± se",
             "median", "never", "mean cos", "min cos", "mean KL", "what");
  for (const auto& v : run.variants)
    fmt::print("{:<14} {:>7.2f}% ± {:<4.2f} {:>8.1f} ± {:<4.1f} {:>7.1f} {:>6} {:>10.6f} {:>10.6f} {:>10.2e}  {}\n",
               v.variant.name, 100.0 * v.top1, 100.0 * v.top1_stderr, v.mean_divergence, v.divergence_stderr,
               v.median_divergence, v.never_diverged,
               v.mean_cosine, v.min_cosine, v.mean_kl, v.variant.what);
  fmt::print("\n(first divergence: the first of the {} steps whose greedy token differs from the float model's; a prompt "
             "that never diverges counts as {}; \"never\" counts them. top-1, cosine and KL are teacher-forced; ± se: "
             "the standard error over the prompts, in points.)\n",
             a.steps, a.steps);
  {
    // Where the chip's top-1 is lost: by how sure the float model was (its top-1 probability minus its runner-up's).
    int64_t all = 0, missed = 0;
    for (size_t k = 0; k < gen::kMarginBins; ++k) {
      all += chip.by_margin.steps[k];
      missed += chip.by_margin.steps[k] - chip.by_margin.agree[k];
    }
    fmt::print("\nthe chip's top-1 by the float model's margin (its top-1 probability minus its runner-up's):\n"
               "{:<14} {:>8} {:>7} {:>8} {:>9} {:>15}\n", "margin", "steps", "share", "top-1", "missed", "share of missed");
    for (size_t k = 0; k < gen::kMarginBins; ++k) {
      const int64_t st = chip.by_margin.steps[k], miss = st - chip.by_margin.agree[k];
      const double frac = all ? static_cast<double>(st) / static_cast<double>(all) : 0.0;
      fmt::print("{:<14} {:>8} {:>6.1f}% {:>7.2f}% {:>9} {:>14.1f}%\n",
                 fmt::format("[{:.2f}, {:.2f}{}", gen::kMarginEdges[k], gen::kMarginEdges[k + 1], k + 1 == gen::kMarginBins ? "]" : ")"),
                 st, 100.0 * frac, st ? 100.0 * static_cast<double>(chip.by_margin.agree[k]) / static_cast<double>(st) : 100.0,
                 miss, missed ? 100.0 * static_cast<double>(miss) / static_cast<double>(missed) : 0.0);
    }
  }
  if (a.finetune > 0)
    fmt::print("fine-tuned {} steps on {} sequences of {} tokens the float model wrote (seed {:#x}): KL over them "
               "{:.5f} -> {:.5f}; {} of {} codes changed, {} frozen for oscillating\n", ft_rep.steps, ft_rep.sequences,
               ft_rep.tokens_per_sequence, configs[0].qc.finetune.seed, ft_rep.first_loss, ft_rep.last_loss,
               with_commas(ft_rep.changed_codes), with_commas(ft_rep.total_codes), with_commas(ft_rep.frozen_codes));
  fmt::print("quantized in {:.2f} s, evaluated in {:.2f} s\n", std::chrono::duration<double>(t1 - t0).count(),
             std::chrono::duration<double>(t2 - t1).count());

  if (!a.json.empty()) {
    // Per margin bin: its edges, the steps in it and the agreements among them.
    auto by_margin = [](const gen::MarginCounts& m) {
      nlohmann::json bins = nlohmann::json::array();
      for (size_t k = 0; k < gen::kMarginBins; ++k)
        bins.push_back({{"margin_from", gen::kMarginEdges[k]}, {"margin_to", gen::kMarginEdges[k + 1]},
                        {"steps", m.steps[k]}, {"agree", m.agree[k]}});
      return bins;
    };
    nlohmann::json vs = nlohmann::json::array();
    for (const auto& v : run.variants) {
      nlohmann::json per = nlohmann::json::array();
      for (const auto& r : v.prompts)
        per.push_back({{"first_divergence", r.diverged ? nlohmann::json(r.first_divergence) : nlohmann::json(nullptr)},
                       {"top1", static_cast<double>(r.agree) / static_cast<double>(a.steps)},
                       {"mean_cosine", r.mean_cosine},
                       {"min_cosine", r.min_cosine},
                       {"mean_kl", r.mean_kl},
                       {"by_margin", by_margin(r.by_margin)}});
      vs.push_back({{"name", v.variant.name},
                    {"what", v.variant.what},
                    {"top1", v.top1},
                    {"top1_stderr", v.top1_stderr},
                    {"mean_first_divergence", v.mean_divergence},
                    {"first_divergence_stderr", v.divergence_stderr},
                    {"median_first_divergence", v.median_divergence},
                    {"never_diverged", v.never_diverged},
                    {"mean_cosine", v.mean_cosine},
                    {"min_cosine", v.min_cosine},
                    {"mean_kl", v.mean_kl},
                    {"by_margin", by_margin(v.by_margin)},
                    {"prompts", per}});
    }
    nlohmann::json j = {{"model", src.describe()},
                        {"widths", gen::widths_to_string(widths)},
                        {"weight_bits", qc.weights.bits},
                        {"weight_group", qc.weights.group},
                        {"weight_zero_point", qc.weights.zero_point},
                        {"calibration", gen::to_string(qc.clip)},
                        {"rounding", gen::to_string(qc.rounding)},
                        {"finetune", {{"steps", a.finetune},
                                      {"sequences", ft_rep.sequences},
                                      {"tokens_per_sequence", ft_rep.tokens_per_sequence},
                                      {"loss_before", ft_rep.first_loss},
                                      {"loss_after", ft_rep.last_loss},
                                      {"changed_codes", ft_rep.changed_codes},
                                      {"frozen_codes", ft_rep.frozen_codes},
                                      {"total_codes", ft_rep.total_codes}}},
                        {"steps", a.steps},
                        {"prompt_source", a.prompts.empty() ? "sampled" : "file"},
                        {"seed", a.prompts.empty() ? nlohmann::json(a.seed) : nlohmann::json(nullptr)},
                        {"prompts", run.prompts},
                        {"float_tokens", run.float_tokens},
                        {"variants", vs}};
    HW_OK_OR_FAIL(write_json(a.json, j));
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
int cmd_generate(const std::string& model, const std::string& widths_arg, const HwArgs& hw,
                 const std::string& out_dir) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  if (out_dir.empty()) return fail("--out is required: the directory to write the design into");
  HW_ASSIGN_OR_FAIL(auto opt, design_options(model, widths_arg, hw, out_dir));
  if (hw.shape_only && hw.finetune != 0)
    return fail("--finetune trains the weights' codes but --shape-only writes no weights; drop one of them");
  std::string name;
  gen::GenerateSummary sum;
  if (hw.shape_only) {
    HW_ASSIGN_OR_FAIL(auto sp, plan_from_shape(model, widths_arg, opt));
    HW_ASSIGN_OR_FAIL(sum, gen::generate_shape_design(sp.src, sp.plan, opt));
    name = sp.src.name;
  } else {
    HW_ASSIGN_OR_FAIL(auto p, prepare(model, widths_arg, true, opt.weights, hw.finetune));
    HW_ASSIGN_OR_FAIL(sum, gen::generate_design(p.src, p.qm, opt));
    name = p.src.name;
  }
  fmt::print("generated {}{} for {} on a {}x{} array, weight port {} bytes per cycle ({} banks of {} words): {} files, "
             "{} bytes, content hash {} ({:.2f} s)\n",
             out_dir, hw.shape_only ? " (shape only: no weight-dependent images)" : "", name, opt.array.rows,
             opt.array.cols, opt.weight_port, opt.weight_port / opt.array.cols, with_commas(sum.weight_words),
             sum.files, with_commas(sum.bytes), sum.content_hash,
             std::chrono::duration<double>(clock::now() - t0).count());
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The synthesis cache's default directory: $HARDWIRE_CACHE_DIR, else $XDG_CACHE_HOME/hardwire, else
// $HOME/.cache/hardwire (empty where none is set: no cache).
std::string default_cache_dir() {
  if (const char* d = std::getenv("HARDWIRE_CACHE_DIR"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::string(d) + "/hardwire";
  if (const char* d = std::getenv("HOME"); d && *d) return std::string(d) + "/.cache/hardwire";
  return "";
}

int cmd_synth(const std::string& model, const std::string& widths_arg, const HwArgs& hw, const std::string& liberty, const std::string& json_path, const std::string& md_path,
              const std::string& work_arg, const std::string& cache_arg, bool no_cache, int jobs,
              const std::vector<std::string>& only, const std::string& node, bool memories_only) {
  using clock = std::chrono::steady_clock;
  namespace fs = std::filesystem;
  const auto t0 = clock::now();
  if (jobs < 1 || jobs > 64) return fail(fmt::format("--jobs {} is out of range: give 1 to 64 blocks at once", jobs));
  if (!node.empty()) HW_OK_OR_FAIL(gen::sram_model_for_node(node).status());
  if (memories_only && !only.empty())
    return fail("--memories-only synthesizes no block: give it or --blocks, not both");
  const bool keep = !work_arg.empty();
  const std::string work =
      keep ? work_arg : (fs::temp_directory_path() / ("hardwire-synth-" + std::to_string(::getpid()))).string();
  // Area does not depend on the weights (every memory is a black box sized by the plan): the design is planned from
  // the shape and written without weight-dependent images, so no weight of the model is read or made.
  HwArgs shape_hw = hw;
  shape_hw.shape_only = true;
  HW_ASSIGN_OR_FAIL(auto opt, design_options(model, widths_arg, shape_hw, work + "/design"));
  HW_ASSIGN_OR_FAIL(auto p, plan_from_shape(model, widths_arg, opt));
  std::error_code ec;
  std::optional<gen::TempGuard> temp_work;  // the default work directory is a temporary: removed on an interrupt
  if (!keep) temp_work.emplace(work);
  HW_OK_OR_FAIL(gen::claim_directory(work, {"design", "yosys"}, "work directory"));
  HW_ASSIGN_OR_FAIL(auto gen_ok, gen::generate_shape_design(p.src, p.plan, opt));
  gen::SynthOptions so;
  so.liberty = liberty;
  so.work_dir = work + "/yosys";
  so.cache_dir = no_cache ? "" : cache_arg.empty() ? default_cache_dir() : cache_arg;
  so.jobs = jobs;
  so.only = only;
  so.node = node;
  so.memories_only = memories_only;
  auto rep = gen::synthesize_design(opt.out_dir, so);
  if (!rep) {
    // A tool's failure points into the work directory ("...; see <log>"): kept for it. Any other error (a bad
    // option, an unreadable library) leaves nothing behind.
    const bool points_into = rep.message().find("; see ") != std::string::npos;
    if (keep || points_into) return fail(rep.message() + (keep ? "" : " (work directory kept: " + work + ")"));
    fs::remove_all(work, ec);
    return fail(rep.message());
  }
  if (!keep) fs::remove_all(work, ec);
  const std::string md = gen::synth_markdown(*rep);
  fmt::print("{} on a {}x{} array, weight port {} bytes per cycle, KV port {} bytes per cycle ({})\n\n{}",
             p.src.describe(), opt.array.rows, opt.array.cols, opt.weight_port,
             opt.kv_port ? opt.kv_port : 2 * p.src.shape.kv_dim(), gen::widths_to_string(p.widths), md);
  const auto hits = std::count_if(rep->blocks.begin(), rep->blocks.end(), [](const auto& b) { return b.cached; });
  fmt::print("\nsynthesized {} blocks ({}) in {:.1f} s{}\n", rep->blocks.size(),
             so.cache_dir.empty() ? std::string("no cache")
                                  : fmt::format("{} read from the cache {}", hits, so.cache_dir),
             std::chrono::duration<double>(clock::now() - t0).count(),
             keep ? "; scripts, logs and netlist statistics in " + work : "");
  // Tokens per second at fmax: the cycles per token are the simulator's to measure (`hardwire sim --clock-mhz`);
  // here their lower bound (the largest of ChipPlan::step_bounds, mean over a full context) gives an upper bound.
  std::string json_text = gen::synth_json(*rep);
  const int64_t seq = p.plan.shape.seq_len;
  double bound = 0;  // the largest decode bound, mean over a full context
  for (int64_t pos = 0; pos < seq; ++pos) bound += p.plan.step_bounds(pos).total.bound() / static_cast<double>(seq);
  if (rep->timing && rep->slowest()) {
    const double tps = rep->fmax_mhz() * 1e6 / bound;
    fmt::print("at fmax {:.1f} MHz: at most {:.0f} tokens/s (the largest decode bound, {:.0f} cycles/token mean over "
               "positions 0..{}; `hardwire sim --clock-mhz {:.1f}` measures the chip's cycles)\n",
               rep->fmax_mhz(), tps, bound, seq - 1, rep->fmax_mhz());
    auto j = nlohmann::ordered_json::parse(json_text);
    j["timing"]["bound_cycles_per_token"] = bound;
    j["timing"]["tokens_per_second_at_most"] = tps;
    json_text = j.dump(2) + "\n";
  }
  // Energy per token from the counts the program implies (not simulated), mean over a full context, at the node of
  // the memory model; power at fmax where there is timing.
  {
    HW_ASSIGN_OR_FAIL(const gen::EnergyReport energy,
                      gen::price_activity(p.plan, gen::context_activity(p.plan, seq), rep->sram.node));
    const double fmax = rep->timing && rep->slowest() ? rep->fmax_mhz() : -1;
    fmt::print("\nenergy per token (computed from the program, not simulated: mean over positions 0..{}, at {}): {} = "
               "{} tokens/J{}\n",
               seq - 1, rep->sram.node, joules_h(energy.pj_per_token), with_commas(std::llround(energy.tokens_per_joule())),
               fmax > 0 ? fmt::format("; at most {:.1f} mW at fmax (at the decode bound's {:.0f} cycles/token)",
                                      1e3 * energy.watts(fmax, bound), bound)
                        : std::string());
    print_energy(energy);
    auto j = nlohmann::ordered_json::parse(json_text);
    j["decode_bound_cycles_per_token"] = bound;  // the largest decode bound, mean over a full context
    j["energy"] = nlohmann::ordered_json::parse(energy_json(energy, "computed", fmax, bound).dump());
    json_text = j.dump(2) + "\n";
  }
  if (!json_path.empty())
    HW_OK_OR_FAIL(gen::write_file_atomic(json_path, json_text, "JSON report"));
  if (!md_path.empty())
    HW_OK_OR_FAIL(gen::write_file_atomic(md_path, md, "Markdown report"));
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
struct SweepArgs {
  gen::SweepGrid grid;
  std::string widths_list, out, emit_jobs;
  bool collect = false;
  int jobs = 0;  // 0: the machine's cores
};

int cmd_sweep(SweepArgs a) {
  namespace fs = std::filesystem;
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  if (a.out.empty()) return fail("--out is required: the sweep's directory (points and report)");
  a.out = gen::strip_trailing_slashes(a.out);
  if (a.collect) {
    std::string summary;
    HW_OK_OR_FAIL(gen::collect_sweep(a.out, summary));
    fmt::print("{}\nreport: {}/report/report.md (sweep.csv, sweep.json, plots/*.svg|png)\n", summary, a.out);
    return 0;
  }
  if (a.jobs < 0) return fail(fmt::format("--jobs {} is negative: give 1 or more (0: the machine's cores)", a.jobs));
  const int jobs = a.jobs > 0 ? a.jobs : machine_threads();
  if (!a.widths_list.empty()) {
    a.grid.widths.clear();
    std::string cur;
    for (char c : a.widths_list + ";") {
      if (c == ';') {
        a.grid.widths.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
  }
  if (!a.grid.node.empty())
    if (auto n = gen::sram_model_for_node(a.grid.node); !n) return fail(n.message());
  if (a.grid.clock_mhz != 0 && !(a.grid.clock_mhz > 0 && a.grid.clock_mhz <= 1e6))
    return fail(fmt::format("--clock-mhz {} is out of range: give the clock assumed where the library has no timing, "
                            "in MHz, above 0",
                            a.grid.clock_mhz));
  std::error_code ec;
  const std::string exe = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) return fail("cannot find the hardwire binary (/proc/self/exe): " + ec.message());
  std::vector<std::string> skipped;
  HW_ASSIGN_OR_FAIL(const auto points, gen::sweep_points(a.grid, exe, a.out, skipped));
  for (const auto& s : skipped) fmt::print("skipped  {}\n", s);
  HW_OK_OR_FAIL(gen::prepare_sweep(a.out, a.grid, points));
  std::vector<const gen::SweepPoint*> todo;
  for (const auto& p : points)
    if (!gen::point_done(a.out, p, a.grid)) todo.push_back(&p);
  if (!a.emit_jobs.empty()) {
    if (fs::exists(a.emit_jobs, ec)) {
      std::ifstream f(a.emit_jobs);
      std::string first;
      std::getline(f, first);
      if (first.rfind(gen::kJobsBanner, 0) != 0)
        return fail("--emit-jobs: '" + a.emit_jobs + "' exists and is not a jobs file hardwire wrote; choose another "
                    "name or remove it");
    }
    std::vector<gen::SweepPoint> list;
    for (const auto* p : todo) list.push_back(*p);
    HW_OK_OR_FAIL(gen::write_file_atomic(a.emit_jobs, gen::jobs_file_text(list), "jobs file"));
    fmt::print("{} point{} of {} to run (the others have results): one command per line in {}\n"
               "run them (e.g. `parallel -j N < {}`, or with --sshlogin on hosts that see {}), then "
               "`hardwire sweep --collect --out {}`\n",
               list.size(), list.size() == 1 ? "" : "s", points.size(), a.emit_jobs, a.emit_jobs, a.out, a.out);
    return 0;
  }
  fmt::print("{} design point{} ({} with results already), {} at a time\n", points.size(), points.size() == 1 ? "" : "s",
             points.size() - todo.size(), jobs);
  std::mutex mu;
  std::vector<std::string> failures;
  size_t next = 0, finished = 0;
  auto worker = [&] {
    for (;;) {
      const gen::SweepPoint* p = nullptr;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (next >= todo.size()) return;
        p = todo[next++];
      }
      const auto ts = clock::now();
      auto rc = gen::run_command(p->command);
      const double sec = std::chrono::duration<double>(clock::now() - ts).count();
      std::lock_guard<std::mutex> lock(mu);
      ++finished;
      const bool ok = rc && rc->ok;
      fmt::print("[{}/{}] {:<28} {} ({:.1f} s)\n", finished, todo.size(), p->label, ok ? "done" : "FAILED", sec);
      std::fflush(stdout);
      if (!ok)
        failures.push_back(p->label + ": " + (rc ? rc->how : rc.message()) + "; see " + a.out + "/points/" + p->id +
                           "/synth.log" + (a.grid.steps > 0 ? " and sim.log" : ""));
    }
  };
  std::vector<std::thread> pool;
  for (int i = 0; i < std::min<int>(jobs, static_cast<int>(todo.size())); ++i) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (!failures.empty()) {
    std::string all;
    for (const auto& f : failures) all += (all.empty() ? "" : "; ") + f;
    return fail(fmt::format("{} of {} points failed: {}", failures.size(), todo.size(), all));
  }
  std::string summary;
  HW_OK_OR_FAIL(gen::collect_sweep(a.out, summary));
  fmt::print("{}\nreport: {}/report/report.md (sweep.csv, sweep.json, plots/*.svg|png) in {:.1f} s\n", summary, a.out,
             std::chrono::duration<double>(clock::now() - t0).count());
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
struct ReportArgs {
  std::string model, widths, out, liberty, node;
  HwArgs hw;
  std::vector<std::string> blocks;
  bool memories_only = false;
  int64_t steps = 0;
  double clock_mhz = 0;
  int jobs = 0;
};

// The last lines of a tool's log, for an error message.
std::string log_tail(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(l);
  std::string o;
  for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i) o += (o.empty() ? "" : " / ") + lines[i];
  return o;
}

int cmd_report(const ReportArgs& a) {
  namespace fs = std::filesystem;
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  if (a.out.empty()) return fail("--out is required: the report's directory");
  if (a.steps < 0) return fail(fmt::format("--steps {} is negative: give 0 (no simulation) or more", a.steps));
  if (a.clock_mhz != 0 && !(a.clock_mhz > 0 && a.clock_mhz <= 1e6))
    return fail(fmt::format("--clock-mhz {} is out of range: give the clock assumed where the library has no timing, "
                            "in MHz, above 0",
                            a.clock_mhz));
  if (!a.node.empty())
    if (auto n = gen::sram_model_for_node(a.node); !n) return fail(n.message());
  std::error_code ec;
  if (!a.liberty.empty() && !fs::is_regular_file(a.liberty, ec))
    return fail("--liberty '" + a.liberty + "' is not a file: give a liberty (.lib) file");
  const std::string out = gen::strip_trailing_slashes(a.out);
  HW_ASSIGN_OR_FAIL(auto opt, design_options(a.model, a.widths, a.hw, out));
  HW_ASSIGN_OR_FAIL(auto p, plan_from_shape(a.model, a.widths, opt));
  HW_OK_OR_FAIL(gen::check_steps_fit(a.steps, p.plan.shape.seq_len));
  HW_ASSIGN_OR_FAIL(const auto state, gen::check_owned(out, "report directory"));
  (void)state;
  const std::string exe = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) return fail("cannot find the hardwire binary (/proc/self/exe): " + ec.message());

  // The tools, each writing its JSON into a temporary directory beside the report (removed whatever happens).
  const std::string tmp = gen::temp_name_beside(out, "work");
  gen::TempGuard guard(tmp);
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) return fail("cannot create '" + tmp + "': " + ec.message());
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(dir, e);
    }
  } cleanup{tmp};
  const bool model_file = fs::exists(a.model, ec);  // a file or a Hugging Face directory: absolute, from tmp
  const std::string model_arg = gen::shell_word(model_file ? fs::absolute(a.model).string() : a.model);
  const std::string hw_opts = seq_len_option() + " --array " + gen::shell_word(a.hw.array) + " --weight-port " +
                              std::to_string(opt.weight_port) + " --kv-port " +
                              std::to_string(a.hw.kv_port ? a.hw.kv_port : 2 * p.src.shape.kv_dim()) +
                              a.hw.format_options() + " --sram-bank-depth " + std::to_string(a.hw.bank_depth) +
                              (a.widths.empty() ? "" : " --widths " + gen::shell_word(a.widths));
  std::string synth_opts = hw_opts + " --jobs " + std::to_string(a.jobs > 0 ? a.jobs : machine_threads());
  if (!a.liberty.empty()) synth_opts += " --liberty " + gen::shell_word(fs::absolute(a.liberty).string());
  if (!a.node.empty()) synth_opts += " --node " + gen::shell_word(a.node);
  if (!a.blocks.empty()) {
    std::string b;
    for (const auto& k : a.blocks) b += (b.empty() ? "" : ",") + k;
    synth_opts += " --blocks " + gen::shell_word(b);
  }
  if (a.memories_only) synth_opts += " --memories-only";
  const std::string in_tmp = "cd " + gen::shell_word(tmp) + " && " + gen::shell_word(exe);
  struct Step {
    std::string what, cmd, log;
  };
  std::vector<Step> steps = {
      {"info", in_tmp + " info --model " + model_arg + hw_opts.substr(0, hw_opts.find(" --sram-bank-depth")) +
                   (a.widths.empty() ? "" : " --widths " + gen::shell_word(a.widths)) + " --json info.json > info.log 2>&1",
       "info.log"},
      {"synth", in_tmp + " synth --model " + model_arg + synth_opts + " --json synth.json > synth.log 2>&1", "synth.log"}};
  if (a.steps > 0)
    steps.push_back({"sim", in_tmp + " sim --model " + model_arg + hw_opts + " --steps " + std::to_string(a.steps) +
                                " --no-stall" + (a.node.empty() ? "" : " --node " + gen::shell_word(a.node)) +
                                " --out design --json sim.json > sim.log 2>&1",
                     "sim.log"});
  for (const auto& st : steps) {
    fmt::print("{:<6} ...", st.what);
    std::fflush(stdout);
    const auto ts = clock::now();
    HW_ASSIGN_OR_FAIL(const auto rc, gen::run_command(st.cmd));
    if (!rc.ok) {
      fmt::print("\n");
      return fail("hardwire " + st.what + " failed (" + rc.how + "): " + log_tail(tmp + "/" + st.log));
    }
    fmt::print(" {:.1f} s\n", std::chrono::duration<double>(clock::now() - ts).count());
  }
  gen::DesignReportInput in;
  in.title = p.src.name + " on " + a.hw.array + ", weight port " + std::to_string(opt.weight_port) +
             (a.hw.weight_bits == 8 ? " B" : " " + std::to_string(a.hw.weight_bits) + "-bit codes") + ", KV port " +
             std::to_string(a.hw.kv_port ? a.hw.kv_port : 2 * p.src.shape.kv_dim()) + " B";
  in.command = "hardwire report --model " + gen::shell_word(a.model) + hw_opts +
               (a.liberty.empty() ? "" : " --liberty " + gen::shell_word(a.liberty)) +
               (a.node.empty() ? "" : " --node " + a.node) + (a.memories_only ? " --memories-only" : "") +
               (a.steps > 0 ? " --steps " + std::to_string(a.steps) : "") + " --out " + gen::shell_word(out);
  in.clock_mhz = a.clock_mhz;
  std::map<std::string, std::string> raw;
  try {
    for (const char* name : {"info.json", "synth.json", "sim.json"}) {
      std::ifstream f(tmp + "/" + name, std::ios::binary);
      if (!f) continue;
      raw[name] = std::string(std::istreambuf_iterator<char>(f), {});
    }
    in.info = nlohmann::json::parse(raw.at("info.json"));
    in.synth = nlohmann::json::parse(raw.at("synth.json"));
    if (raw.count("sim.json")) in.sim = nlohmann::json::parse(raw.at("sim.json"));
  } catch (const std::exception& e) {
    return fail(std::string("cannot read the tools' JSON: ") + e.what());
  }
  // Without a simulation: the decode bounds per phase, mean over a full context.
  const int64_t seq = p.plan.shape.seq_len;
  std::array<gen::Bounds, gen::kNumPhases> pb{};
  for (int64_t pos = 0; pos < seq; ++pos) {
    const gen::StepBounds sb = p.plan.step_bounds(pos);
    for (size_t i = 0; i < gen::kNumPhases; ++i) pb[i] += sb.phase[i];
  }
  for (size_t i = 0; i < gen::kNumPhases; ++i) {
    const double n = static_cast<double>(seq);
    in.bounds_by_phase[gen::phase_name(static_cast<gen::Phase>(i))] = {
        {"compute_cycles", pb[i].compute_cycles / n}, {"weight_cycles", pb[i].weight_cycles / n},
        {"kv_cycles", pb[i].kv_cycles / n}, {"latency_cycles", pb[i].latency_cycles / n}};
  }
  HW_ASSIGN_OR_FAIL(const auto files, gen::design_report_files(in));
  const std::vector<std::string> plots = {"area", "cycles", "energy"};
  HW_ASSIGN_OR_FAIL(const auto pictures, gen::render_gnuplot(out, files, plots));
  HW_ASSIGN_OR_FAIL(auto staged, gen::StagedDir::create(out, "report directory"));
  for (const auto& [rel, text] : files) HW_OK_OR_FAIL(staged->write(rel, text));
  for (const auto& [rel, data] : pictures) HW_OK_OR_FAIL(staged->write(rel, data));
  for (const auto& [name, text] : raw) HW_OK_OR_FAIL(staged->write(name, text));
  HW_OK_OR_FAIL(staged->commit({}));
  fmt::print("report: {}/report.md (plots/area, cycles, energy .svg/.png; info.json, synth.json{}) in {:.1f} s\n", out,
             raw.count("sim.json") ? ", sim.json" : "", std::chrono::duration<double>(clock::now() - t0).count());
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
struct SimArgs {
  std::string model, widths, tokenizer, prompt, out, json;
  HwArgs hw;
  int64_t steps = 32;
  bool trace = false, no_stall = false, x_unique = false;
  std::string coverage;
  double clock_mhz = -1;  // given (> 0): tokens/s at this clock (e.g. synth's fmax)
  std::string node = "45nm";  // energy: the node its per-event energies are scaled to
  int jobs = 2;
};

int cmd_sim(const SimArgs& a) {
  using clock = std::chrono::steady_clock;
  namespace fs = std::filesystem;
  if (a.clock_mhz != -1 && !(a.clock_mhz > 0 && a.clock_mhz <= 1e6))
    return fail(fmt::format("--clock-mhz {} is out of range: give the chip's clock in MHz (e.g. the fmax that "
                            "`hardwire synth --liberty` reports), above 0",
                            a.clock_mhz));
  if (auto scale = gen::energy_node_scale(a.node); !scale) return fail(scale.message());
  HW_ASSIGN_OR_FAIL(auto src0, gen::resolve_model(a.model, g_seq_len));
  std::string dir = a.out;
  if (dir.empty()) {
    std::string name;
    for (char c : fs::path(src0.name).stem().string()) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    dir = "out/sim-" + name + "-" + a.hw.array + (a.hw.weight_port ? "-wp" + std::to_string(a.hw.weight_port) : "") +
          (a.hw.kv_port ? "-kv" + std::to_string(a.hw.kv_port) : "") +
          (a.hw.weight_bits != 8 ? "-w" + std::to_string(a.hw.weight_bits) : "") +
          (a.hw.weight_group ? "-g" + std::to_string(a.hw.weight_group) : "") + (a.hw.weight_zero_point ? "z" : "") +
          (a.hw.finetune ? "-ft" + std::to_string(a.hw.finetune) : "");
  }
  HW_ASSIGN_OR_FAIL(auto opt, design_options(a.model, a.widths, a.hw, dir));
  opt.reuse_unchanged = true;
  HW_ASSIGN_OR_FAIL(const Prompt prompt_in, read_prompt(a.tokenizer, a.prompt, a.steps, src0));
  const std::vector<int64_t>& prompt_ids = prompt_in.ids;
  const int64_t P = prompt_in.size();
  std::string seed_error;
  const bool seed_given = std::getenv("HARDWIRE_SEED") && *std::getenv("HARDWIRE_SEED");
  const auto seed_v = seed_from_env(seed_error);
  if (!seed_v) return fail(seed_error);
  const uint64_t seed = seed_given ? *seed_v : (*seed_v & 0xffffffffffffull);  // fresh seeds: 48 bits, short to type

  const auto t0 = clock::now();
  HW_ASSIGN_OR_FAIL(auto p, prepare(a.model, a.widths, true, opt.weights, a.hw.finetune));
  HW_ASSIGN_OR_FAIL(auto plan, gen::plan_chip(p.qm, {opt.array, opt.sram_bank_depth, opt.weight_port, opt.kv_port,
                                                     opt.weights}));
  HW_ASSIGN_OR_FAIL(auto sum, gen::generate_design(p.src, p.qm, plan, opt));
  fmt::print("model    {}\nshape    {}\nwidths   {}\n", p.src.describe(), p.src.shape.to_string(),
             gen::widths_to_string(p.widths));
  fmt::print("design   {} ({}x{} array, weight port {} bytes per cycle, KV port {} bytes per cycle, {} instructions per "
             "token, content hash {}{})\n",
             dir, opt.array.rows, opt.array.cols, plan.weight_port_bytes(), plan.kv_port_bytes(), plan.program.size(),
             sum.content_hash,
             sum.reused ? ", reused" : "");
  if (!sum.damaged.empty())
    fmt::print("note     the design in {} was damaged ({}); regenerated it\n", dir, sum.damaged);
  for (const auto& f : sum.edited)
    fmt::print("note     {} differs from manifest.json (edited in place?); simulating it as it is\n", f);
  fmt::print("building the simulator with Verilator (cached in {}/sim) ...\n", dir);
  std::fflush(stdout);
  verif::SimBuildOptions bo;
  bo.design_dir = dir;
  bo.trace = a.trace;
  bo.x_unique = a.x_unique;
  bo.coverage = !a.coverage.empty();
  bo.jobs = a.jobs;
  HW_ASSIGN_OR_FAIL(auto build, verif::build_simulator(bo));
  std::string shown = fs::path(build.exe).lexically_relative(fs::current_path()).string();
  if (shown.empty() || shown.rfind("..", 0) == 0) shown = build.exe;
  fmt::print("simulator {} ({})\n", shown,
             build.reused ? std::string("reused") : fmt::format("built in {:.1f} s", build.seconds));
  fmt::print("HARDWIRE_SEED={} (host-port stall pattern{}; replay with HARDWIRE_SEED={})\n\n", seed,
             a.no_stall ? ", disabled by --no-stall" : "", seed);

  const int col = prompt_in.cell_width(6);
  fmt::print(" step   pos  {:<{}}  {:<{}}  {:>9}  check\n", "in", col, "out (chip)", col, "cycles");
  auto show = [&](int64_t prev, int64_t t) { return prompt_in.cell(prev, t); };
  verif::SimOptions so;
  so.exe = build.exe;
  so.design_dir = dir;
  so.prompt = prompt_ids;
  so.steps = a.steps;
  so.seed = seed;
  so.stall = !a.no_stall;
  if (a.trace) so.trace_path = dir + "/sim/trace.fst";
  so.coverage_path = a.coverage;
  int64_t prev = prompt_ids.front();
  so.on_step = [&](const verif::StepReport& r) {
    fmt::print("{:>5} {:>5}  {:<{}}  {:<{}}  {:>9}  {}\n", r.step, r.pos, show(prev, r.token_in), col,
               show(r.token_in, r.token_out), col, r.cycles, r.bit_exact ? "bit-exact" : "MISMATCH");
    prev = r.token_in;
    std::fflush(stdout);
  };
  const auto t1 = clock::now();
  HW_ASSIGN_OR_FAIL(auto rep, verif::run_sim(p.qm, plan, so));
  const double sim_s = std::chrono::duration<double>(clock::now() - t1).count();
  if (rep.mismatch) {
    fmt::print("\n");
    return fail("not bit-exact: " + verif::describe(*rep.mismatch) + fmt::format(" (HARDWIRE_SEED={})", seed));
  }
  const int64_t n = static_cast<int64_t>(rep.steps.size());
  fmt::print("\n{} positions ({} prompt token{}, {} generated) bit-exact against the golden model: every tensor the chip "
             "wrote, the logits and the token at every step\n",
             n, P, P == 1 ? "" : "s", a.steps);
  if (prompt_in.tok) fmt::print("text: {}\n", prompt_in.text(rep.generated));

  // Performance: mean over the simulated positions, per phase, next to its bounds (ChipPlan::step_bounds).
  const int64_t R = opt.array.rows, C = opt.array.cols;
  const double dn = static_cast<double>(n);
  std::array<double, gen::kNumPhases> phase{};
  std::array<gen::Bounds, gen::kNumPhases> pb{};
  gen::Bounds tb;
  double cycles = 0, held = 0;
  auto scaled = [&](gen::Bounds x) {
    x.compute_cycles /= dn, x.weight_cycles /= dn, x.kv_cycles /= dn, x.latency_cycles /= dn;
    return x;
  };
  for (const auto& r : rep.steps) {
    const gen::StepBounds sb = plan.step_bounds(r.pos);
    for (size_t i = 0; i < gen::kNumPhases; ++i) {
      phase[i] += static_cast<double>(r.phase_cycles[i]) / dn;
      pb[i] += scaled(sb.phase[i]);
    }
    tb += scaled(sb.total);
    cycles += static_cast<double>(r.cycles) / dn;
    held += static_cast<double>(r.held);
  }
  const double bound = tb.bound();
  fmt::print("\ncycles per token (mean over {} positions, host waits excluded), next to each phase's bounds:\n", n);
  fmt::print("  {:<12} {:>10} {:>7}  {:>10} {:>10} {:>10} {:>10}  {:>7}\n", "phase", "cycles", "share", "compute",
             "weights", "KV cache", "latency", "ratio");
  auto ratio = [](double c, double b) { return b > 0 ? fmt::format("{:>7.2f}", c / b) : std::string("      -"); };
  for (size_t i = 0; i < gen::kNumPhases; ++i)
    fmt::print("  {:<12} {:>10.0f} {:>6.1f}%  {:>10.0f} {:>10.0f} {:>10.0f} {:>10.0f}  {}\n",
               gen::phase_name(static_cast<gen::Phase>(i)), phase[i], 100.0 * phase[i] / cycles, pb[i].compute_cycles,
               pb[i].weight_cycles, pb[i].kv_cycles, pb[i].latency_cycles, ratio(phase[i], pb[i].bound()));
  fmt::print("  {:<12} {:>10.0f} {:>7}  {:>10.0f} {:>10.0f} {:>10.0f} {:>10.0f}  {}\n", "total", cycles, "",
             tb.compute_cycles, tb.weight_cycles, tb.kv_cycles, tb.latency_cycles, ratio(cycles, bound));
  fmt::print("bounds   compute: {} MACs/token / ({}x{}) = {:.0f} cycles\n", with_commas(tb.macs / n), R, C,
             tb.compute_cycles);
  fmt::print("         weights: {} weight bytes / {} bytes per cycle = {:.0f} cycles\n", with_commas(plan.weight_bytes),
             plan.weight_port_bytes(), tb.weight_cycles);
  fmt::print("         KV cache: {} bytes read / {} bytes per cycle = {:.0f} cycles\n", with_commas(tb.kv_bytes / n),
             plan.kv_port_bytes(), tb.kv_cycles);
  fmt::print("         latency: the program's dependency chain, each unit's fixed latency, reductions at array width = "
             "{:.0f} cycles\n",
             tb.latency_cycles);
  fmt::print("achieved {:.0f} cycles/token = {:.2f} x the largest bound ({:.2f} x compute, {:.2f} x weights)\n", cycles,
             cycles / bound, cycles / tb.compute_cycles, cycles / tb.weight_cycles);
  if (a.clock_mhz > 0)
    fmt::print("at {:.1f} MHz: {:.0f} tokens/s ({:.0f} cycles/token; {:.3f} ms per token)\n", a.clock_mhz,
               a.clock_mhz * 1e6 / cycles, cycles, cycles / (a.clock_mhz * 1e3));
  // Energy: what the chip did (its counted events, results and scores), priced per event.
  gen::Activity activity;
  for (const auto& r : rep.steps) activity += r.activity;
  HW_ASSIGN_OR_FAIL(const gen::EnergyReport energy, gen::price_activity(plan, activity, a.node));
  fmt::print("\nenergy per token (simulated: the events the chip counted over {} positions, priced at {}): {} = {} "
             "tokens/J{}\n",
             n, a.node, joules_h(energy.pj_per_token), with_commas(std::llround(energy.tokens_per_joule())),
             a.clock_mhz > 0 ? fmt::format("; {:.1f} mW at {:.1f} MHz", 1e3 * energy.watts(a.clock_mhz, cycles), a.clock_mhz)
                             : std::string());
  print_energy(energy);
  fmt::print("simulated {} positions in {:.1f} s: {:.2f} tokens/s of simulation ({:.0f} cycles/s; host held the output "
             "{:.0f} cycles)\n",
             n, sim_s, dn / sim_s, cycles * dn / sim_s, held);
  if (a.trace) fmt::print("waveform {}/sim/trace.fst\n", dir);
  fmt::print("total time {:.1f} s\n", std::chrono::duration<double>(clock::now() - t0).count());

  if (!a.json.empty()) {
    nlohmann::json phases = nlohmann::json::object(), by_phase = nlohmann::json::object();
    for (size_t i = 0; i < gen::kNumPhases; ++i) {
      const char* name = gen::phase_name(static_cast<gen::Phase>(i));
      phases[name] = phase[i];
      by_phase[name] = {{"cycles", phase[i]},
                        {"compute_cycles", pb[i].compute_cycles},
                        {"weight_cycles", pb[i].weight_cycles},
                        {"kv_cycles", pb[i].kv_cycles},
                        {"latency_cycles", pb[i].latency_cycles},
                        {"ratio_to_bound", pb[i].bound() > 0 ? nlohmann::json(phase[i] / pb[i].bound()) : nlohmann::json()}};
    }
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& r : rep.steps)
      steps.push_back({{"pos", r.pos}, {"token_in", r.token_in}, {"token_out", r.token_out}, {"cycles", r.cycles}});
    nlohmann::json j = {{"model", p.src.describe()},
                        {"array", {{"rows", R}, {"cols", C}}},
                        {"weight_port_bytes", plan.weight_port_bytes()},
                        {"kv_port_bytes", plan.kv_port_bytes()},
                        {"widths", gen::widths_to_string(p.widths)},
                        {"content_hash", sum.content_hash},
                        {"seed", seed},
                        {"positions", n},
                        {"bit_exact", true},
                        {"generated", rep.generated},
                        {"cycles_per_token", cycles},
                        {"cycles_per_token_by_phase", phases},
                        {"bounds",
                         {{"compute_cycles", tb.compute_cycles},
                          {"macs_mean", static_cast<double>(tb.macs) / dn},
                          {"matmul_macs", plan.matmul_macs},
                          {"weight_bandwidth_cycles", tb.weight_cycles},
                          {"weight_bytes", plan.weight_bytes},
                          {"weight_port_bytes", plan.weight_port_bytes()},
                          {"kv_cycles", tb.kv_cycles},
                          {"kv_bytes_mean", static_cast<double>(tb.kv_bytes) / dn},
                          {"kv_port_bytes", plan.kv_port_bytes()},
                          {"latency_cycles", tb.latency_cycles}}},
                        {"bounds_by_phase", by_phase},
                        {"ratio_to_bound", cycles / bound},
                        {"ratio_to_compute", cycles / tb.compute_cycles},
                        {"ratio_to_bandwidth", cycles / tb.weight_cycles},
                        {"clock_mhz", a.clock_mhz > 0 ? nlohmann::json(a.clock_mhz) : nlohmann::json()},
                        {"tokens_per_second",
                         a.clock_mhz > 0 ? nlohmann::json(a.clock_mhz * 1e6 / cycles) : nlohmann::json()},
                        {"energy", energy_json(energy, "simulated", a.clock_mhz, cycles)},
                        {"sim_seconds", sim_s},
                        {"sim_tokens_per_second", dn / sim_s},
                        {"steps", steps}};
    HW_OK_OR_FAIL(write_json(a.json, j));
  }
  return 0;
}

// A command line CLI11 could not parse: one line naming the problem and where the options are listed; exit 2.
int usage_error(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  std::string commands;
  for (const CLI::App* c : app.get_subcommands([](const CLI::App*) { return true; }))
    commands += (commands.empty() ? "" : ", ") + c->get_name();
  const std::vector<CLI::App*> parsed = app.get_subcommands();
  std::string message;
  if (parsed.empty()) {
    const bool named = argc > 1 && argv[1][0] != '-';
    message = named ? "unknown command '" + std::string(argv[1]) + "'; the commands are " + commands
                    : "give a command: " + commands + " ('hardwire --help' says what each does)";
  } else {
    message = e.what() + std::string("; 'hardwire ") + parsed.front()->get_name() + " --help' lists its options";
  }
  fail(message);
  return 2;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"hardwire: turn a transformer model into its own chip (model-specific accelerator RTL)"};
  app.require_subcommand(1);
  std::string presets;
  for (const auto& p : gen::presets()) presets += std::string(presets.empty() ? "" : ", ") + p.name;
  const std::string model_help = "model: a preset (" + presets + "), a .json shape file, a llama2.c checkpoint or a "
                                 "Hugging Face model directory (config.json + model.safetensors)";
  const std::string widths_help = "activation widths per site, e.g. res=16,k=8 (sites res xn q k v att gate up h; 8 or 16)";

  std::string model = gen::kDefaultModel, widths, tokenizer, prompt, json;
  int64_t steps = 32;
  HwArgs hw;
  const std::string port_help =
      "bytes of weights read per cycle: a multiple of C from C to R x C (default R x C: every multiplier busy)";
  const std::string bits_help = "weight code width: 4, 6 or 8 (numerics §2); every matrix, the classifier included";
  const std::string group_help = "inputs per 8-bit group scale (a multiple of the weight port's rows); 0: one scale per row";
  const std::string zero_help = "unsigned codes with a zero point per group (asymmetric; needs --weight-group, 4 or 6 "
                                "bits; numerics §2)";
  const std::string finetune_help = "fine-tune the codes by distillation from the float model for this many steps "
                                    "(numerics §2; about 0.3 s each on stories260K, two cores); 0: rounding alone";
  const std::string kv_port_help =
      "bytes of the KV cache read per cycle: whole KV heads (2 x head_size bytes each) dividing the KV row "
      "(default 2 x kv_dim: every KV head at once)";

  CLI::App* info = app.add_subcommand("info", "shape, parameter count, weight bytes, MACs per token, KV-cache bytes");
  info->add_option("--model,-m", model, model_help)->capture_default_str();
  info->add_option("--widths", widths, widths_help);
  info->add_option("--array,-a", hw.array, "array RxC, for the decode bounds")->capture_default_str();
  info->add_option("--weight-port", hw.weight_port, port_help);
  info->add_option("--kv-port", hw.kv_port, kv_port_help);
  info->add_option("--weight-bits", hw.weight_bits, bits_help)->capture_default_str();
  info->add_option("--weight-group", hw.weight_group, group_help)->capture_default_str();
  info->add_flag("--weight-zero-point", hw.weight_zero_point, zero_help);
  info->add_option("--json", json, "also write the figures as JSON to this file");

  CLI::App* gold = app.add_subcommand("golden", "greedy decode with the integer golden and the float reference");
  gold->add_option("--model,-m", model, model_help)->capture_default_str();
  gold->add_option("--widths", widths, widths_help);
  gold->add_option("--tokenizer,-t", tokenizer, "llama2.c tokenizer.bin (prints tokens as text, encodes --prompt)");
  gold->add_option("--prompt,-p", prompt, "prompt text (needs --tokenizer); default: start from BOS");
  gold->add_option("--steps,-n", steps, "tokens to generate")->capture_default_str();
  gold->add_option("--json", json, "also write tokens and agreement figures as JSON to this file");

  FidelityArgs fa;
  CLI::App* fid = app.add_subcommand("fidelity", "the integer model against the float model over many prompts: first "
                                                 "divergence, top-1, logit cosine, KL; --ablate: what each site costs");
  fid->add_option("--model,-m", fa.model, model_help)->capture_default_str();
  fid->add_option("--widths", fa.widths, widths_help);
  fid->add_option("--calibration", fa.calibration, "activation scales: mse (clip where the squared error is least) or max")->capture_default_str();
  fid->add_option("--rounding", fa.rounding, "weight rounding: gptq (error-compensating) or nearest")->capture_default_str();
  fid->add_option("--weight-bits", fa.weight_bits, "weight code width: 4, 6 or 8 (numerics §2)")->capture_default_str();
  fid->add_option("--weight-group", fa.weight_group,
                  "inputs per 8-bit group scale (0: one scale per row; else 8 or more)")->capture_default_str();
  fid->add_flag("--weight-zero-point", fa.weight_zero_point, zero_help);
  fid->add_option("--tokenizer,-t", fa.tokenizer, "llama2.c tokenizer.bin (prompts as text; needed by --prompts)");
  fid->add_option("--prompts", fa.prompts, "a text file, one prompt per line (default: prompts sampled from the float model)");
  fid->add_option("--samples", fa.samples, "prompts to sample from the float model at temperature 1")->capture_default_str();
  fid->add_option("--prompt-tokens", fa.prompt_tokens, "tokens per sampled prompt, BOS included")->capture_default_str();
  fid->add_option("--seed", fa.seed, "seed of the sampled prompts (printed; replays them)")->capture_default_str();
  fid->add_option("--steps,-n", fa.steps, "greedy steps per prompt")->capture_default_str();
  fid->add_option("--threads,-j", fa.threads, "prompts evaluated at once (default: the machine's cores)");
  fid->add_flag("--ablate", fa.ablate, "also each width site toggled 8/16, all 16, all 8, the other calibration and "
                                       "rounding, and int8 weights with float activations");
  fid->add_option("--finetune", fa.finetune, "fine-tune the chip's codes by distillation for this many steps "
                                             "(numerics §2); --ablate adds the codes as rounded")->capture_default_str();
  fid->add_flag("--per-prompt", fa.per_prompt, "print the per-prompt table also with --ablate");
  fid->add_option("--json", fa.json, "also write every figure, per prompt and overall, as JSON to this file");

  std::string out;
  const std::string bank_help = "words per weight SRAM macro (power of two; 0: one macro per weight bank)";
  CLI::App* generate = app.add_subcommand("generate", "write the configured RTL, memory images and manifest.json");
  generate->add_option("--model,-m", model, model_help)->capture_default_str();
  generate->add_option("--widths", widths, widths_help);
  generate->add_option("--array,-a", hw.array, "array RxC, e.g. 8x8 or 4x8")->capture_default_str();
  generate->add_option("--weight-port", hw.weight_port, port_help);
  generate->add_option("--kv-port", hw.kv_port, kv_port_help);
  generate->add_option("--weight-bits", hw.weight_bits, bits_help)->capture_default_str();
  generate->add_option("--weight-group", hw.weight_group, group_help)->capture_default_str();
  generate->add_flag("--weight-zero-point", hw.weight_zero_point, zero_help);
  generate->add_option("--finetune", hw.finetune, finetune_help)->capture_default_str();
  generate->add_option("--sram-bank-depth", hw.bank_depth, bank_help)->capture_default_str();
  generate->add_option("--out,-o", out, "output directory (replaced if it is a previous hardwire output)")->required();
  generate->add_flag("--shape-only", hw.shape_only,
                     "plan from the shape alone and write the RTL, program and tables without any weight-dependent "
                     "image (for synthesis and lint of a model of any size; such a design does not simulate)");

  std::string liberty, md, work, cache;
  bool no_cache = false;
  CLI::App* synth = app.add_subcommand("synth", "area per block (yosys, hierarchical), memories by macro, critical paths with a timing library (OpenSTA), energy per token");
  synth->add_option("--model,-m", model, model_help)->capture_default_str();
  synth->add_option("--widths", widths, widths_help);
  synth->add_option("--array,-a", hw.array, "array RxC")->capture_default_str();
  synth->add_option("--weight-port", hw.weight_port, port_help);
  synth->add_option("--kv-port", hw.kv_port, kv_port_help);
  synth->add_option("--weight-bits", hw.weight_bits, bits_help)->capture_default_str();
  synth->add_option("--weight-group", hw.weight_group, group_help)->capture_default_str();
  synth->add_flag("--weight-zero-point", hw.weight_zero_point, zero_help);
  synth->add_option("--sram-bank-depth", hw.bank_depth, bank_help)->capture_default_str();
  synth->add_option("--liberty", liberty,
                    "liberty file for area in um^2, and with timing tables (e.g. "
                    "/usr/share/qflow/tech/osu018/osu018_stdcells.lib) critical paths and fmax by OpenSTA (default: "
                    "the built-in generic 45 nm library, areas only)");
  synth->add_option("--json", json, "also write the report as JSON to this file");
  synth->add_option("--md", md, "also write the Markdown tables to this file");
  synth->add_option("--work", work, "keep the generated design, yosys scripts and logs in this directory");
  synth->add_option("--cache", cache,
                    "per-block synthesis results are kept and reused here (default: $HARDWIRE_CACHE_DIR, else "
                    "$XDG_CACHE_HOME/hardwire, else ~/.cache/hardwire)");
  synth->add_flag("--no-cache", no_cache, "synthesize every block, read and write no cache");
  int synth_jobs = machine_threads();
  synth->add_option("--jobs,-j", synth_jobs, "blocks synthesized at once (default: this machine's cores)");
  std::vector<std::string> synth_only;
  synth->add_option("--blocks", synth_only,
                    "synthesize only these blocks (keys as in the JSON report, e.g. gemv,core_writeback); fmax is "
                    "then over them")->delimiter(',');
  bool synth_memories_only = false;
  synth->add_flag("--memories-only", synth_memories_only,
                  "price the memory macros only, synthesize no logic (seconds for a model of any size)");
  std::string synth_node;
  synth->add_option("--node", synth_node,
                    "SRAM bit-cell node of the memory macro model: 180nm, 45nm, 7nm or 5nm (default: the library's "
                    "where known — osu018 180nm, the built-in library 45nm — else 45nm)");

  SweepArgs wa;
  wa.grid.weight_ports = {"rc"};
  wa.grid.kv_ports = {"row"};
  wa.grid.widths = {""};
  CLI::App* sweep = app.add_subcommand("sweep", "a design-space grid for one model: area, fmax, tokens/s and energy per "
                                                "point, CSV/JSON/Markdown and plots");
  sweep->add_option("--model,-m", wa.grid.model, model_help)->default_val(gen::kDefaultModel);
  sweep->add_option("--arrays", wa.grid.arrays, "arrays RxC, comma-separated (e.g. 8x8,16x16,32x32)")->delimiter(',');
  sweep->add_option("--weight-ports", wa.grid.weight_ports,
                    "weight ports per array: c, <n>c (n x C), rc (R x C) or bytes, comma-separated (default rc)")
      ->delimiter(',');
  sweep->add_option("--kv-ports", wa.grid.kv_ports,
                    "KV ports: row (every KV head), head (one KV head) or bytes, comma-separated (default row)")
      ->delimiter(',');
  sweep->add_option("--widths", wa.widths_list,
                    "activation widths to sweep, ';'-separated specs as for generate (e.g. 'default;res=16,xn=16')");
  sweep->add_option("--weight-formats", wa.grid.weight_formats,
                    "weight formats: bits (8, 6, 4), optionally g<inputs per group scale> and then z (zero points), "
                    "comma-separated (e.g. 8,6g32,4g16,4g8z; default 8)")
      ->delimiter(',')
      ->capture_default_str();
  sweep->add_option("--sram-bank-depth", wa.grid.bank_depth, bank_help)->capture_default_str();
  sweep->add_option("--steps", wa.grid.steps,
                    "also simulate N steps per point (cycles measured instead of the decode bound)")->capture_default_str();
  sweep->add_option("--liberty", wa.grid.liberty, "cell library for synth (default: the built-in generic one)");
  sweep->add_option("--node", wa.grid.node, "SRAM and energy node: 180nm, 45nm, 7nm or 5nm (default: synth's)");
  sweep->add_option("--blocks", wa.grid.blocks, "synthesize only these blocks per point (synth --blocks)")->delimiter(',');
  sweep->add_flag("--memories-only", wa.grid.memories_only, "price memories only, no logic synthesis (seconds)");
  sweep->add_option("--clock-mhz", wa.grid.clock_mhz,
                    "clock for tokens/s where the library has no timing (default 1000, stated as assumed)");
  sweep->add_option("--jobs,-j", wa.jobs, "points run at once (default: the machine's cores)");
  sweep->add_option("--out,-o", wa.out, "the sweep's directory: points/<id>/ and report/")->required();
  sweep->add_option("--emit-jobs", wa.emit_jobs,
                    "write the points still to run, one shell command per line, to this file instead of running them");
  sweep->add_flag("--collect", wa.collect, "merge the points' result files in --out into the report; run nothing");

  ReportArgs ra;
  CLI::App* report = app.add_subcommand("report", "one Markdown page about one design: shape, area by unit, fmax, "
                                                  "cycles by phase against the bounds, tokens/s, energy, plots");
  report->add_option("--model,-m", ra.model, model_help)->default_val(gen::kDefaultModel);
  report->add_option("--widths", ra.widths, widths_help);
  report->add_option("--array,-a", ra.hw.array, "array RxC")->capture_default_str();
  report->add_option("--weight-port", ra.hw.weight_port, port_help);
  report->add_option("--kv-port", ra.hw.kv_port, kv_port_help);
  report->add_option("--weight-bits", ra.hw.weight_bits, bits_help)->capture_default_str();
  report->add_option("--weight-group", ra.hw.weight_group, group_help)->capture_default_str();
  report->add_flag("--weight-zero-point", ra.hw.weight_zero_point, zero_help);
  report->add_option("--sram-bank-depth", ra.hw.bank_depth, bank_help)->capture_default_str();
  report->add_option("--liberty", ra.liberty, "cell library for synth (default: the built-in generic one)");
  report->add_option("--node", ra.node, "SRAM and energy node: 180nm, 45nm, 7nm or 5nm (default: synth's)");
  report->add_option("--blocks", ra.blocks, "synthesize only these blocks (synth --blocks)")->delimiter(',');
  report->add_flag("--memories-only", ra.memories_only, "price memories only, no logic synthesis");
  report->add_option("--steps", ra.steps, "also simulate N steps (cycles and energy measured)")->capture_default_str();
  report->add_option("--clock-mhz", ra.clock_mhz, "clock for tokens/s where the library has no timing (default 1000, assumed)");
  report->add_option("--jobs,-j", ra.jobs, "blocks synthesized at once (default: the cores)");
  report->add_option("--out,-o", ra.out, "the report's directory")->required();

  SimArgs sa;
  CLI::App* sim = app.add_subcommand("sim", "run the whole accelerator in Verilator, token by token, bit-exact against golden");
  sim->add_option("--model,-m", sa.model, model_help)->default_val(gen::kDefaultModel);
  sim->add_option("--widths", sa.widths, widths_help);
  sim->add_option("--array,-a", sa.hw.array, "array RxC")->capture_default_str();
  sim->add_option("--weight-port", sa.hw.weight_port, port_help);
  sim->add_option("--kv-port", sa.hw.kv_port, kv_port_help);
  sim->add_option("--weight-bits", sa.hw.weight_bits, bits_help)->capture_default_str();
  sim->add_option("--weight-group", sa.hw.weight_group, group_help)->capture_default_str();
  sim->add_flag("--weight-zero-point", sa.hw.weight_zero_point, zero_help);
  sim->add_option("--finetune", sa.hw.finetune, finetune_help)->capture_default_str();
  sim->add_option("--sram-bank-depth", sa.hw.bank_depth, bank_help)->capture_default_str();
  sim->add_option("--tokenizer,-t", sa.tokenizer, "llama2.c tokenizer.bin (prints tokens as text, encodes --prompt)");
  sim->add_option("--prompt,-p", sa.prompt, "prompt text (needs --tokenizer); default: start from BOS");
  sim->add_option("--steps,-n", sa.steps, "tokens to generate (the chip picks each next token)")->capture_default_str();
  sim->add_option("--out,-o", sa.out, "design directory (default out/sim-<model>-<RxC>); reused while unchanged");
  sim->add_flag("--trace", sa.trace, "write an FST waveform to <design>/sim/trace.fst (slow; separate build)");
  sim->add_flag("--no-stall", sa.no_stall, "no random stalls on the host ports");
  sim->add_option("--jobs,-j", sa.jobs, "parallel C++ compiles for the Verilator build")->capture_default_str();
  sim->add_option("--json", sa.json, "also write the figures as JSON to this file");
  sim->add_option("--clock-mhz", sa.clock_mhz,
                  "the chip's clock in MHz (e.g. synth's fmax): also print tokens/s = clock / cycles per token");
  sim->add_option("--node", sa.node,
                  "node the energy per token is given at: 180nm, 45nm, 7nm or 5nm (per-event energies are 45 nm's, "
                  "scaled)")->capture_default_str();
  sim->add_flag("--x-unique", sa.x_unique,
                "build with --x-assign unique --x-initial unique: random initial values and X assignments (separate "
                "build), to catch state used before reset");
  sim->add_option("--coverage", sa.coverage,
                  "build with Verilator line and toggle coverage (separate build) and write the coverage data to this "
                  "file (verilator_coverage reads it; scripts/coverage.sh merges the regression's)");
  for (CLI::App* c : {info, gold, fid, generate, synth, sim, sweep, report})
    c->add_option("--seq-len", g_seq_len,
                  "chip this many positions (the KV cache's depth) instead of the model's own (e.g. a Hugging Face "
                  "model's max_position_embeddings)")
        ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  for (CLI::App* c : {gold, fid, generate, synth, sim, sweep, report})
    c->add_option("--max-memory", g_max_memory,
                  "refuse models estimated to need more memory than this (e.g. 16G; default: this machine's memory)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --help-all: the text, exit 0
    return usage_error(app, e, argc, argv);
  }
  if (sim->parsed()) return cmd_sim(sa);
  if (sweep->parsed()) {
    wa.grid.seq_len = g_seq_len;
    return cmd_sweep(wa);
  }
  if (report->parsed()) return cmd_report(ra);
  if (info->parsed()) return cmd_info(model, widths, hw, json);
  if (fid->parsed()) return cmd_fidelity(fa);
  if (gold->parsed()) return cmd_golden(model, widths, tokenizer, prompt, steps, json);
  if (generate->parsed()) return cmd_generate(model, widths, hw, out);
  if (synth->parsed()) return cmd_synth(model, widths, hw, liberty, json, md, work, cache, no_cache, synth_jobs, synth_only, synth_node,
                                         synth_memories_only);
  return 1;
}

int main(int argc, char** argv) {
  hardwire::gen::install_signal_handlers();
  try {
    return run_cli(argc, argv);
  } catch (const std::bad_alloc&) {
    return fail("out of memory: the command needed more memory than the machine could give; use a smaller model, "
                "or close other programs");
  } catch (const std::exception& e) {
    return fail(std::string("internal error: ") + e.what() + "; please report it with the command you ran");
  }
}
