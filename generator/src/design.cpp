#include "hardwire/gen/design.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "hardwire/gen/files.hpp"
#include "hardwire/gen/hex_image.hpp"
#include "hardwire/gen/layout.hpp"
#include "hardwire/gen/manifest.hpp"
#include "hardwire/gen/outdir.hpp"
#include "hardwire/gen/program.hpp"
#include "hardwire/gen/templates.hpp"
#include "hardwire/gen/verilog.hpp"
#include "hardwire/golden/ops.hpp"

namespace hardwire::gen {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using vlog::Expr;

Result<ArrayShape> parse_array(const std::string& text) {
  const auto x = text.find('x');
  auto bad = [&] {
    return Error{"array '" + text + "' must be RxC with 1 <= R, C <= 256, e.g. --array 8x8 or --array 4x8"};
  };
  if (x == std::string::npos || x == 0 || x + 1 >= text.size()) return bad();
  ArrayShape a;
  try {
    size_t u1 = 0, u2 = 0;
    a.rows = std::stoll(text.substr(0, x), &u1);
    a.cols = std::stoll(text.substr(x + 1), &u2);
    if (u1 != x || u2 != text.size() - x - 1) return bad();
  } catch (const std::exception&) {
    return bad();
  }
  if (a.rows < 1 || a.rows > 256 || a.cols < 1 || a.cols > 256) return bad();
  return a;
}

Status check_bank_depth(int64_t d) {
  if (d == 0 || (d >= 16 && d <= (int64_t{1} << 24) && (d & (d - 1)) == 0)) return Status::ok();
  return Error{"SRAM bank depth " + std::to_string(d) +
               " must be 0 (one bank) or a power of two from 16 to 16777216 words, e.g. --sram-bank-depth 4096"};
}

std::string comment_safe(const std::string& text) {
  static const char kHex[] = "0123456789abcdef";
  std::string o;
  for (unsigned char c : text) {
    if (c == '\n') o += "\\n";
    else if (c < 0x20 || c == 0x7f) o += std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
    else o += static_cast<char>(c);
  }
  return o;
}

std::string shell_word(const std::string& word) {
  bool plain = !word.empty();
  for (unsigned char c : word)
    plain = plain && (std::isalnum(c) || std::string_view("_./=,:+@%-").find(static_cast<char>(c)) != std::string_view::npos);
  if (plain) return word;
  std::string o = "'";
  for (char c : word) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return o + "'";
}

std::string fnv1a64_hex(const std::string& data) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : data) h = (h ^ c) * 0x100000001b3ull;
  static const char kHex[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) s[static_cast<size_t>(i)] = kHex[h & 0xf];
  return s;
}

namespace {

// Weight banks in every PE of the generated design: with 3, decode (M = 1) tile loads run two tiles ahead of the
// array and reach ~1.0-1.04 x the weight-bandwidth bound where C <= R + 2 (bench/README.md).
constexpr int kWeightBanks = 3;

int clog2(int64_t v) {
  int b = 0;
  while ((int64_t{1} << b) < v) ++b;
  return b;
}

class Emitter {
 public:
  Emitter(const ModelSource& src, const golden::QModel& m, const GenerateOptions& o) : src_(src), m_(m), o_(o) {}

  Result<GenerateSummary> run();

 private:
  std::string banner(const std::string& what) const {
    std::string b;
    b += "// " + std::string(100, '=') + "\n";
    b += "// hardwire " HARDWIRE_VERSION " - generated file, do not edit.\n";
    b += "// Regenerate: " + comment_safe(o_.regenerate_command) + "\n";
    b += "// Model: " + comment_safe(src_.name) + " (" + m_.shape.to_string() + ")\n";
    b += "// Array " + std::to_string(o_.array.rows) + "x" + std::to_string(o_.array.cols) + ", widths " +
         widths_text() + "\n";
    b += "// " + what + "\n";
    b += "// " + std::string(100, '=') + "\n";
    return b;
  }
  std::string widths_text() const { return widths_to_string(m_.widths); }
  void add(const std::string& path, std::string content) { files_.emplace_back(path, std::move(content)); }
  std::string package_ref(const std::string& name) const { return "hardwire_cfg_pkg::" + name; }

  void collect_matrices();
  void emit_images();
  void emit_package();
  void emit_wrappers();
  std::string manifest();

  const ModelSource& src_;
  const golden::QModel& m_;
  const GenerateOptions& o_;
  std::vector<std::pair<std::string, std::string>> files_;
  Program prog_;
  std::vector<MatrixSite> mats_;
  int act_w_ = 8, acc_w_ = 8, mac_acc_w_ = 34, rq_acc_w_ = 34;
  int64_t k_max_ = 1, n_max_ = 1, weight_words_ = 0, rq_words_ = 0, emb_words_per_row_ = 0;
  std::vector<std::pair<int, int>> requant_pairs_;  // distinct (acc bits, out bits)
  std::vector<std::string> rtl_files_;
  std::vector<std::string> weight_images_;
  bool banked_ = false;
  std::string content_hash_;
  std::string damaged_note_;
};

void Emitter::collect_matrices() {
  prog_ = build_program(m_, o_.array.rows, o_.array.cols);
  mats_ = prog_.matrices;
  std::set<std::pair<int, int>> pairs;
  for (auto& s : mats_) {
    const int64_t K = s.lin->w.cols(), N = s.lin->w.rows();
    act_w_ = std::max(act_w_, s.act_bits);
    k_max_ = std::max(k_max_, K);
    n_max_ = std::max(n_max_, N);
    const int acc = golden::accumulator_bits(s.act_bits, K);
    acc_w_ = std::max(acc_w_, acc);
    pairs.insert({acc, s.out_bits});
    weight_words_ += s.words;
    rq_words_ += N;
  }
  requant_pairs_.assign(pairs.begin(), pairs.end());
  // The core's own accumulators (attention, SwiGLU, embedding; numerics §8, §10, §11), as signed widths.
  const auto& s = m_.shape;
  const auto& w = m_.widths;
  const int score = w.q + w.k + clog2(s.head_size());
  const int pv = w.v + 9 + clog2(s.seq_len);
  const int swiglu = golden::kSiluBits + w.up;
  mac_acc_w_ = std::max({34, score, pv, swiglu});
  rq_acc_w_ = std::max(acc_w_, mac_acc_w_);
}

void Emitter::emit_images() {
  const int64_t R = o_.array.rows, C = o_.array.cols;
  // Weights, every matrix in tile order at its base.
  LaneWords all;
  all.lanes = C;
  all.lane_bits = 8;
  for (const auto& s : mats_) {
    const LaneWords w = gemm_weight_words(s.lin->w, R, C);
    all.values.insert(all.values.end(), w.values.begin(), w.values.end());
  }
  const auto banks = hex_image_banks(all, o_.sram_bank_depth);
  banked_ = banks.size() > 1;
  for (size_t b = 0; b < banks.size(); ++b) {
    const std::string path = banked_ ? "mem/weights_bank" + std::to_string(b) + ".hex" : "mem/weights.hex";
    weight_images_.push_back(path);
    add(path, banner("Weight SRAM image" + (banked_ ? ", bank " + std::to_string(b) + " (words from " +
                                                          std::to_string(static_cast<int64_t>(b) * o_.sram_bank_depth) + ")"
                                                    : std::string()) +
                     ": " + std::to_string(C) + " int8 lanes per word (lane 0 = lowest byte); memory map in manifest.json") +
                  banks[b]);
  }
  // Embedding rows: row t at words t*ceil(dim/C) .., lane c of word j = E[t][j*C + c].
  emb_words_per_row_ = (m_.shape.dim + C - 1) / C;
  LaneWords emb;
  emb.lanes = C;
  emb.lane_bits = 8;
  emb.values.assign(static_cast<size_t>(m_.shape.vocab * emb_words_per_row_ * C), 0);
  for (int64_t t = 0; t < m_.shape.vocab; ++t)
    for (int64_t i = 0; i < m_.shape.dim; ++i)
      emb.values[static_cast<size_t>((t * emb_words_per_row_ + i / C) * C + i % C)] = m_.embedding(t, i);
  add("mem/embedding.hex", banner("Token embedding: row t at words t*" + std::to_string(emb_words_per_row_) +
                                  ", " + std::to_string(C) + " int8 lanes per word") +
                               hex_image(emb));
  // Requantization parameters: one 40-bit word per output channel, {rshift[36:31], mult[30:0]}.
  std::vector<int64_t> rq;
  auto put = [&](const golden::Requant& r) { rq.push_back(int64_t{r.mult} | (int64_t{r.rshift} << 31)); };
  for (const auto& s : mats_)
    for (const auto& r : s.lin->rq) put(r);
  for (const auto& r : m_.embed_rq) put(r);
  for (const auto& L : m_.layers) {
    put(L.score);
    put(L.att_out);
    put(L.h);
  }
  add("mem/requant.hex", banner("Requantization parameters: {rshift[36:31], mult[30:0]} per word; map in manifest.json") +
                             hex_image(rq, 40));
  add("mem/exp2.hex", banner("Softmax exp2 fraction table: round(2^15 * 2^(-f/256)), f = 0..255 (numerics §9)") +
                          hex_image(exp2_table_words(), 16));
  for (size_t l = 0; l < m_.layers.size(); ++l) {
    const auto& t = m_.layers[l].silu;
    add("mem/silu_L" + std::to_string(l) + ".hex",
        banner("SiLU table of layer " + std::to_string(l) + ", indexed by gate + 128 (numerics §11)") +
            hex_image(std::vector<int64_t>(t.begin(), t.end()), 16));
  }
  // The core's tables: all SiLU tables in one ROM (layer l at words l*256), the norm constants, the program.
  std::vector<int64_t> silu_all;
  for (const auto& L : m_.layers) silu_all.insert(silu_all.end(), L.silu.begin(), L.silu.end());
  add("mem/silu.hex", banner("SiLU tables of all layers: layer l at words l*256, indexed by gate + 128 (numerics §11)") +
                          hex_image(silu_all, 16));
  add("mem/norms.hex", banner("RMSNorm constants {eps[39:0], 2'b0, shift[5:0], gain[23:0]}: per layer attention, "
                              "ffn; then final (numerics §6)") +
                           norm_hex_words(m_));
  add("mem/program.hex", banner("Microcode of one decode step: " + std::to_string(prog_.instrs.size()) +
                                " instructions of 14 x 32-bit fields (field 0 lowest); listing in manifest.json "
                                "\"program\", format in docs/architecture.md") +
                             program_hex_words(prog_));
  std::vector<int64_t> cs, sn;
  for (Eigen::Index p = 0; p < m_.rope_cos.rows(); ++p)
    for (Eigen::Index j = 0; j < m_.rope_cos.cols(); ++j) {
      cs.push_back(m_.rope_cos(p, j));
      sn.push_back(m_.rope_sin(p, j));
    }
  add("mem/rope_cos.hex", banner("RoPE cos table, Q1.14, word pos*(head_size/2) + pair (numerics §7)") + hex_image(cs, 16));
  add("mem/rope_sin.hex", banner("RoPE sin table, Q1.14, word pos*(head_size/2) + pair (numerics §7)") + hex_image(sn, 16));
}

void Emitter::emit_package() {
  const auto& s = m_.shape;
  const auto& w = m_.widths;
  vlog::Package p;
  p.name = "hardwire_cfg_pkg";
  p.comment = "Constants of this model and this accelerator configuration (see manifest.json for the same data).";
  auto u = [&](const std::string& name, int64_t v, const std::string& c = "") {
    p.params.push_back({"int unsigned", name, Expr::num(v), c});
  };
  u("Dim", s.dim, "model shape");
  u("HiddenDim", s.hidden_dim);
  u("NumLayers", s.n_layers);
  u("NumHeads", s.n_heads);
  u("NumKvHeads", s.n_kv_heads);
  u("HeadSize", s.head_size());
  u("Vocab", s.vocab);
  u("SeqLen", s.seq_len);
  u("ResW", w.res, "activation widths per site (docs/numerics.md §1)");
  u("XnW", w.xn);
  u("QW", w.q);
  u("KW", w.k);
  u("VW", w.v);
  u("AttW", w.att);
  u("UpW", w.up);
  u("HW", w.h);
  u("ArrayRows", o_.array.rows, "systolic array R x C");
  u("ArrayCols", o_.array.cols);
  u("ActW", act_w_, "array activation width: the widest matmul input");
  u("AccW", acc_w_, "array accumulator width: the widest accumulator bound (numerics §4)");
  u("KMax", k_max_, "largest reduction (matrix columns)");
  u("NMax", n_max_, "largest output (matrix rows)");
  u("WeightWords", weight_words_, "weight SRAM words of ArrayCols bytes");
  u("WeightBankDepth", banked_ ? o_.sram_bank_depth : 0, "words per weight SRAM bank (0: one bank)");
  u("WeightBanks", kWeightBanks, "weight banks in every PE (3: a decode tile loads while the bank before it drains)");
  for (const auto& m : mats_) {
    std::string id = "WBase";
    for (char c : m.name) id += (c == '.') ? '_' : c;
    u(id, m.base, m.name == mats_.front().name ? "weight memory map: first word of each matrix" : "");
  }
  const auto& mm = prog_.map;
  u("AttLanes", mm.lanes, "accelerator core (hw_core): attention lanes (16-bit), memories and accumulators");
  u("MacAccW", mac_acc_w_, "attention / SwiGLU / embedding accumulator width");
  u("RqAccW", rq_acc_w_, "requantizer input width");
  u("RopeW", std::max(w.q, w.k), "RoPE unit width: max(q, k)");
  u("ScratchWords", mm.scratch_words, "activation scratchpad, 32-bit words");
  u("KvWords", mm.kv_words, "KV cache words of AttLanes x 16 bits: K then V, per layer seq_len x n_kv_heads heads");
  u("EmbWords", s.vocab * mm.emb_words_per_row, "embedding SRAM words of ArrayCols bytes");
  u("EmbWordsPerRow", mm.emb_words_per_row);
  u("RequantWords", mm.requant_words);
  u("NormWords", mm.norm_words);
  u("ProgramWords", static_cast<int64_t>(prog_.instrs.size()), "microcode instructions per decode step");
  p.params.push_back({"", "WeightImage", Expr::str(banked_ ? "mem/weights" : "mem/weights.hex"),
                      banked_ ? "memory images (weights: per-bank prefix, hw_sram reads <prefix>_bank<b>.hex)"
                              : "memory images"});
  p.params.push_back({"", "Exp2Image", Expr::str("mem/exp2.hex"), ""});
  p.params.push_back({"", "EmbImage", Expr::str("mem/embedding.hex"), ""});
  p.params.push_back({"", "RequantImage", Expr::str("mem/requant.hex"), ""});
  p.params.push_back({"", "NormImage", Expr::str("mem/norms.hex"), ""});
  p.params.push_back({"", "SiluImage", Expr::str("mem/silu.hex"), ""});
  p.params.push_back({"", "RopeCosImage", Expr::str("mem/rope_cos.hex"), ""});
  p.params.push_back({"", "RopeSinImage", Expr::str("mem/rope_sin.hex"), ""});
  p.params.push_back({"", "ProgramImage", Expr::str("mem/program.hex"), ""});
  add("rtl/hardwire_cfg_pkg.sv", banner("Configuration package (generated).") + vlog::emit(p));
}

void Emitter::emit_wrappers() {
  using vlog::Connection;
  using vlog::Dir;
  using vlog::Instance;
  using vlog::Module;
  using vlog::Port;
  const int64_t R = o_.array.rows, C = o_.array.cols;
  // The GEMM engine, decode configuration (one activation row per job).
  {
    const int64_t m_max = 1;
    const int64_t kt_max = (k_max_ + R - 1) / R;
    const int waddr = std::max(1, clog2(weight_words_));
    const int xaddr = std::max(1, clog2(m_max * kt_max));
    const int dimw = clog2(std::max({m_max, k_max_, n_max_}) + 1);
    Module mod;
    mod.name = "hwc_gemm";
    mod.comment = "hw_gemm configured for this model: every weight of every layer in the weight SRAM (mem/weights*),\n"
                  "one activation row per job (decode). A job multiplies the matrix at w_base_i (see the WBase*\n"
                  "constants of hardwire_cfg_pkg) by the activation row in the X buffer.";
    mod.ports = {{Dir::kInput, "clk_i", 1, false, ""},
                 {Dir::kInput, "rst_ni", 1, false, ""},
                 {Dir::kInput, "wmem_we_i", 1, false, "host write into the weight SRAM"},
                 {Dir::kInput, "wmem_addr_i", waddr, false, ""},
                 {Dir::kInput, "wmem_data_i", static_cast<int>(C * 8), false, ""},
                 {Dir::kInput, "xmem_we_i", 1, false, "host write into the activation buffer"},
                 {Dir::kInput, "xmem_addr_i", xaddr, false, ""},
                 {Dir::kInput, "xmem_data_i", static_cast<int>(R * act_w_), false, ""},
                 {Dir::kInput, "start_i", 1, false, "job"},
                 {Dir::kInput, "m_i", dimw, false, ""},
                 {Dir::kInput, "k_i", dimw, false, ""},
                 {Dir::kInput, "n_i", dimw, false, ""},
                 {Dir::kInput, "w_base_i", waddr, false, ""},
                 {Dir::kOutput, "busy_o", 1, false, ""},
                 {Dir::kOutput, "out_valid_o", 1, false, "results: ArrayCols accumulators per beat"},
                 {Dir::kInput, "out_ready_i", 1, false, ""},
                 {Dir::kOutput, "out_data_o", static_cast<int>(C * acc_w_), false, ""},
                 {Dir::kOutput, "out_last_o", 1, false, ""}};
    Instance inst;
    inst.module = "hw_gemm";
    inst.name = "u_gemm";
    inst.params = {{"R", Expr::id(package_ref("ArrayRows"))},   {"C", Expr::id(package_ref("ArrayCols"))},
                   {"A_W", Expr::id(package_ref("ActW"))},       {"ACC_W", Expr::id(package_ref("AccW"))},
                   {"M_MAX", Expr::num(m_max)},                  {"K_MAX", Expr::id(package_ref("KMax"))},
                   {"N_MAX", Expr::id(package_ref("NMax"))},     {"W_DEPTH", Expr::id(package_ref("WeightWords"))},
                   {"W_BANK_DEPTH", Expr::id(package_ref("WeightBankDepth"))},
                   {"NUM_BANKS", Expr::id(package_ref("WeightBanks"))},
                   {"W_FILE", Expr::id(package_ref("WeightImage"))}};
    for (const auto& p : mod.ports) inst.ports.push_back({p.name, Expr::id(p.name)});
    mod.instances.push_back(inst);
    add("rtl/hwc_gemm.sv", banner("Wrapper (generated): the GEMM engine for this model.") + vlog::emit(mod));
    rtl_files_.push_back("rtl/hwc_gemm.sv");
  }
  // The softmax unit for rows up to seq_len.
  {
    Module mod;
    mod.name = "hwc_softmax";
    mod.comment = "hw_softmax configured for rows of up to seq_len scores.";
    mod.ports = {{Dir::kInput, "clk_i", 1, false, ""},         {Dir::kInput, "rst_ni", 1, false, ""},
                 {Dir::kInput, "in_valid_i", 1, false, ""},    {Dir::kOutput, "in_ready_o", 1, false, ""},
                 {Dir::kInput, "z_i", 16, true, "Q7.8 log2-domain score"}, {Dir::kInput, "in_last_i", 1, false, ""},
                 {Dir::kOutput, "out_valid_o", 1, false, ""},  {Dir::kInput, "out_ready_i", 1, false, ""},
                 {Dir::kOutput, "p_o", 8, false, "probability, unsigned Q0.8"},
                 {Dir::kOutput, "out_last_o", 1, false, ""}};
    Instance inst;
    inst.module = "hw_softmax";
    inst.name = "u_softmax";
    inst.params = {{"MAX_LEN", Expr::id(package_ref("SeqLen"))}, {"EXP2_FILE", Expr::id(package_ref("Exp2Image"))}};
    for (const auto& p : mod.ports) inst.ports.push_back({p.name, Expr::id(p.name)});
    mod.instances.push_back(inst);
    add("rtl/hwc_softmax.sv", banner("Wrapper (generated): the softmax unit for this model.") + vlog::emit(mod));
    rtl_files_.push_back("rtl/hwc_softmax.sv");
  }
  // The RMSNorm unit: residual in, normalized vector out (numerics §6); the norm constants of each site are in
  // the manifest's memory_map.norms.
  {
    Module mod;
    mod.name = "hwc_rmsnorm";
    mod.comment = "hw_rmsnorm configured for vectors of dim residual values.";
    mod.ports = {{Dir::kInput, "clk_i", 1, false, ""},
                 {Dir::kInput, "rst_ni", 1, false, ""},
                 {Dir::kInput, "in_valid_i", 1, false, ""},
                 {Dir::kOutput, "in_ready_o", 1, false, ""},
                 {Dir::kInput, "x_i", m_.widths.res, true, "residual stream"},
                 {Dir::kInput, "gain_i", 24, false, "norm constants, sampled with the first element"},
                 {Dir::kInput, "shift_i", 6, false, ""},
                 {Dir::kInput, "eps_i", 40, false, ""},
                 {Dir::kOutput, "out_valid_o", 1, false, ""},
                 {Dir::kInput, "out_ready_i", 1, false, ""},
                 {Dir::kOutput, "y_o", m_.widths.xn, true, "normalized, before gamma"},
                 {Dir::kOutput, "out_last_o", 1, false, ""}};
    Instance inst;
    inst.module = "hw_rmsnorm";
    inst.name = "u_rmsnorm";
    inst.params = {{"DIM", Expr::id(package_ref("Dim"))},
                   {"IN_W", Expr::id(package_ref("ResW"))},
                   {"OUT_W", Expr::id(package_ref("XnW"))}};
    for (const auto& p : mod.ports) inst.ports.push_back({p.name, Expr::id(p.name)});
    mod.instances.push_back(inst);
    add("rtl/hwc_rmsnorm.sv", banner("Wrapper (generated): the RMSNorm unit for this model.") + vlog::emit(mod));
    rtl_files_.push_back("rtl/hwc_rmsnorm.sv");
  }
  // The whole accelerator: hw_core configured for this model.
  {
    const auto& s = m_.shape;
    const int tokw = std::max(1, clog2(s.vocab));
    const int posw = std::max(1, clog2(s.seq_len));
    const int pcw = std::max(1, clog2(static_cast<int64_t>(prog_.instrs.size())));
    Module mod;
    mod.name = "hwc_top";
    mod.comment = "The accelerator for this model: hw_core with every weight in on-chip SRAM (mem/weights*,\n"
                  "mem/embedding.hex), the KV cache on chip and the decode step as microcode (mem/program.hex).\n"
                  "Host: (token, pos) in; vocab int32 logits, then the argmax token (out_last_o) out.";
    mod.ports = {{Dir::kInput, "clk_i", 1, false, ""},
                 {Dir::kInput, "rst_ni", 1, false, ""},
                 {Dir::kInput, "in_valid_i", 1, false, "one decode step per request"},
                 {Dir::kOutput, "in_ready_o", 1, false, ""},
                 {Dir::kInput, "in_token_i", tokw, false, ""},
                 {Dir::kInput, "in_pos_i", posw, false, ""},
                 {Dir::kOutput, "out_valid_o", 1, false, "logits, then the argmax token"},
                 {Dir::kInput, "out_ready_i", 1, false, ""},
                 {Dir::kOutput, "out_data_o", 32, false, ""},
                 {Dir::kOutput, "out_last_o", 1, false, ""},
                 {Dir::kOutput, "busy_o", 1, false, "status and debug taps"},
                 {Dir::kOutput, "pc_o", pcw, false, ""},
                 {Dir::kOutput, "dbg_res_valid_o", 1, false, ""},
                 {Dir::kOutput, "dbg_res_idx_o", 32, false, ""},
                 {Dir::kOutput, "dbg_res_data_o", 32, false, ""},
                 {Dir::kOutput, "dbg_aux_valid_o", 1, false, ""},
                 {Dir::kOutput, "dbg_aux_idx_o", 32, false, ""},
                 {Dir::kOutput, "dbg_aux_data_o", 32, false, ""},
                 {Dir::kOutput, "dbg_prob_valid_o", 1, false, ""},
                 {Dir::kOutput, "dbg_prob_addr_o", 32, false, ""},
                 {Dir::kOutput, "dbg_prob_data_o", 32, false, ""}};
    Instance inst;
    inst.module = "hw_core";
    inst.name = "u_core";
    auto pk = [&](const char* n) { return Expr::id(package_ref(n)); };
    inst.params = {{"R", pk("ArrayRows")},           {"C", pk("ArrayCols")},
                   {"A_W", pk("ActW")},              {"ACC_W", pk("AccW")},
                   {"K_MAX", pk("KMax")},            {"N_MAX", pk("NMax")},
                   {"W_DEPTH", pk("WeightWords")},   {"W_BANK_DEPTH", pk("WeightBankDepth")},
                   {"NUM_BANKS", pk("WeightBanks")}, {"W_FILE", pk("WeightImage")},
                   {"DIM", pk("Dim")},
                   {"N_LAYERS", pk("NumLayers")},    {"HEAD_SIZE", pk("HeadSize")},
                   {"N_HEADS", pk("NumHeads")},      {"N_KV_HEADS", pk("NumKvHeads")},
                   {"LANES", pk("AttLanes")},        {"VOCAB", pk("Vocab")},
                   {"SEQ_LEN", pk("SeqLen")},        {"RES_W", pk("ResW")},
                   {"XN_W", pk("XnW")},              {"ROPE_W", pk("RopeW")},
                   {"MAC_ACC_W", pk("MacAccW")},     {"RQ_ACC_W", pk("RqAccW")},
                   {"SCRATCH_DEPTH", pk("ScratchWords")}, {"KV_DEPTH", pk("KvWords")},
                   {"EMB_DEPTH", pk("EmbWords")},    {"EMB_WPR", pk("EmbWordsPerRow")},
                   {"EMB_FILE", pk("EmbImage")},     {"RQ_DEPTH", pk("RequantWords")},
                   {"RQ_FILE", pk("RequantImage")},  {"NORM_DEPTH", pk("NormWords")},
                   {"NORM_FILE", pk("NormImage")},   {"SILU_FILE", pk("SiluImage")},
                   {"EXP2_FILE", pk("Exp2Image")},   {"COS_FILE", pk("RopeCosImage")},
                   {"SIN_FILE", pk("RopeSinImage")}, {"PROG_DEPTH", pk("ProgramWords")},
                   {"PROG_FILE", pk("ProgramImage")}};
    for (const auto& p : mod.ports) inst.ports.push_back({p.name, Expr::id(p.name)});
    mod.instances.push_back(inst);
    add("rtl/hwc_top.sv", banner("Top level (generated): the whole accelerator for this model.") + vlog::emit(mod));
    rtl_files_.push_back("rtl/hwc_top.sv");
  }
  // One requantize unit per distinct (accumulator, output) width pair of the model's matrix products.
  for (const auto& [acc, out] : requant_pairs_) {
    Module mod;
    mod.name = "hwc_requant_a" + std::to_string(acc) + "_o" + std::to_string(out);
    mod.comment = "hw_requant for " + std::to_string(acc) + "-bit accumulators to " + std::to_string(out) +
                  "-bit outputs.";
    mod.ports = {{Dir::kInput, "clk_i", 1, false, ""},      {Dir::kInput, "rst_ni", 1, false, ""},
                 {Dir::kInput, "in_valid_i", 1, false, ""}, {Dir::kOutput, "in_ready_o", 1, false, ""},
                 {Dir::kInput, "acc_i", acc, true, ""},     {Dir::kInput, "mult_i", 31, false, ""},
                 {Dir::kInput, "rshift_i", 6, false, ""},   {Dir::kOutput, "out_valid_o", 1, false, ""},
                 {Dir::kInput, "out_ready_i", 1, false, ""}, {Dir::kOutput, "y_o", out, true, ""}};
    Instance inst;
    inst.module = "hw_requant";
    inst.name = "u_requant";
    inst.params = {{"ACC_W", Expr::num(acc)}, {"OUT_W", Expr::num(out)}};
    for (const auto& p : mod.ports) inst.ports.push_back({p.name, Expr::id(p.name)});
    mod.instances.push_back(inst);
    const std::string path = "rtl/" + mod.name + ".sv";
    add(path, banner("Wrapper (generated): a requantize unit.") + vlog::emit(mod));
    rtl_files_.push_back(path);
  }
}

std::string Emitter::manifest() {
  const auto& s = m_.shape;
  ordered_json j;
  j["hardwire_version"] = HARDWIRE_VERSION;
  j["regenerate"] = o_.regenerate_command;
  j["model"] = {{"name", src_.name},
                {"source", src_.describe()},
                {"shape",
                 {{"dim", s.dim}, {"hidden_dim", s.hidden_dim}, {"n_layers", s.n_layers}, {"n_heads", s.n_heads},
                  {"n_kv_heads", s.n_kv_heads}, {"vocab_size", s.vocab}, {"seq_len", s.seq_len}}},
                {"shared_classifier", src_.shared_classifier}};
  const auto& w = m_.widths;
  j["widths"] = {{"res", w.res}, {"xn", w.xn}, {"q", w.q},     {"k", w.k},
                 {"v", w.v},     {"att", w.att}, {"up", w.up}, {"h", w.h}};
  j["hardware"] = {{"array", {{"rows", o_.array.rows}, {"cols", o_.array.cols}}},
                   {"act_bits", act_w_},
                   {"acc_bits", acc_w_},
                   {"weight_banks_per_pe", kWeightBanks},
                   {"core", {{"mac_acc_bits", mac_acc_w_}, {"requant_acc_bits", rq_acc_w_}}},
                   {"weight_sram", {{"word_bytes", o_.array.cols}, {"words", weight_words_},
                                    {"bank_depth", banked_ ? o_.sram_bank_depth : weight_words_},
                                    {"banks", weight_images_.size()}, {"images", weight_images_}}}};
  ordered_json mats = ordered_json::array();
  for (const auto& m : mats_) {
    mats.push_back({{"name", m.name}, {"base", m.base}, {"words", m.words}, {"rows", m.lin->w.rows()},
                    {"cols", m.lin->w.cols()}, {"act_bits", m.act_bits}, {"out_bits", m.out_bits},
                    {"acc_bits", golden::accumulator_bits(m.act_bits, m.lin->w.cols())}, {"requant_base", m.rq_base}});
  }
  ordered_json norms = ordered_json::array();
  auto norm = [&](const std::string& name, const golden::NormParams& p) {
    norms.push_back({{"name", name}, {"gain", p.gain}, {"shift", p.shift}, {"eps", p.eps}});
  };
  for (size_t l = 0; l < m_.layers.size(); ++l) {
    norm("L" + std::to_string(l) + ".attn.norm", m_.layers[l].att_norm);
    norm("L" + std::to_string(l) + ".ffn.norm", m_.layers[l].ffn_norm);
  }
  norm("final.norm", m_.final_norm);
  j["memory_map"] = {
      {"weights", mats},
      {"embedding", {{"image", "mem/embedding.hex"}, {"words_per_row", emb_words_per_row_}, {"rows", s.vocab}}},
      {"requant",
       {{"image", "mem/requant.hex"},
        {"word", "{rshift[36:31], mult[30:0]}"},
        {"matrices_words", rq_words_},
        {"embedding_base", rq_words_},
        {"per_layer_base", rq_words_ + s.vocab},
        {"per_layer_order", {"score", "att_out", "h"}}}},
      {"norms", norms}};
  const auto& mm = prog_.map;
  j["memory_map"]["scratchpad"] = {{"word_bits", 32}, {"words", mm.scratch_words},
                                   {"x", mm.x}, {"xn", mm.xn}, {"q", mm.q}, {"k", mm.k}, {"v", mm.v}, {"p", mm.p},
                                   {"att", mm.att}, {"t", mm.t}, {"gate", mm.gate}, {"up", mm.up}, {"h", mm.h},
                                   {"logits", mm.logits}};
  j["memory_map"]["kv_cache"] = {
      {"word_bits", 16 * mm.lanes}, {"lanes", mm.lanes}, {"words", mm.kv_words}, {"head_words", mm.head_words},
      {"row_words", mm.kv_row_words},
      {"layout", "K of layer l at l*seq_len*row_words, V at (n_layers+l)*seq_len*row_words; position pos at "
                 "+pos*row_words, kv head g at +g*head_words; element d of a head in word d/lanes, lane d%lanes"}};
  j["memory_map"]["q_buffer"] = {{"word_bits", 16 * mm.lanes}, {"words", mm.q_words},
                                 {"layout", "head h at h*head_words, element d in word d/lanes, lane d%lanes"}};
  j["memory_map"]["norm_rom"] = {{"image", "mem/norms.hex"}, {"words", mm.norm_words}};
  ordered_json prog = ordered_json::array();
  for (size_t pc = 0; pc < prog_.instrs.size(); ++pc) {
    const auto& i = prog_.instrs[pc];
    ordered_json e = {{"pc", pc}, {"op", op_name(i.op)}, {"text", i.text}, {"phase", phase_name(i.phase)}};
    if (!i.tap.empty()) e["writes"] = i.tap;
    prog.push_back(e);
  }
  j["program"] = {{"image", "mem/program.hex"}, {"instructions", prog}};
  ordered_json tables = {{"exp2", "mem/exp2.hex"}, {"rope_cos", "mem/rope_cos.hex"}, {"rope_sin", "mem/rope_sin.hex"}};
  ordered_json silu = ordered_json::array();
  for (size_t l = 0; l < m_.layers.size(); ++l) silu.push_back("mem/silu_L" + std::to_string(l) + ".hex");
  tables["silu"] = silu;
  tables["silu_all"] = "mem/silu.hex";
  j["tables"] = tables;
  j["modules"] = {{"top", "hwc_top"}, {"gemm", "hwc_gemm"}, {"softmax", "hwc_softmax"}, {"rmsnorm", "hwc_rmsnorm"}};
  ordered_json rq = ordered_json::array();
  for (const auto& [acc, out] : requant_pairs_) rq.push_back("hwc_requant_a" + std::to_string(acc) + "_o" + std::to_string(out));
  j["modules"]["requant"] = rq;
  j["file_list"] = "files.f";
  j["unit_file_list"] = "units.vc";
  ordered_json files = ordered_json::array();
  std::string all;
  for (const auto& [path, content] : files_) {
    files.push_back({{"path", path}, {"bytes", content.size()}, {"fnv1a64", fnv1a64_hex(content)}});
    all += path + '\n' + fnv1a64_hex(content) + '\n';
  }
  j["files"] = files;
  content_hash_ = fnv1a64_hex(all);
  j["content_hash"] = content_hash_;
  return j.dump(2) + "\n";
}

Result<GenerateSummary> Emitter::run() {
  collect_matrices();
  emit_images();
  emit_package();
  // Templates, verbatim below a banner, in name order.
  for (const auto& [name, text] : embedded_templates()) {
    add("rtl/" + name, banner("Template rtl_templates/" + name + " (hand-written), copied verbatim below.") + text);
  }
  emit_wrappers();
  // files.f: the accelerator, hwc_top its only top. units.vc: that plus the units configured on their own.
  std::string flist = banner("RTL file list of the accelerator (top: hwc_top): run tools from this directory (memory "
                             "images are read relative to it).");
  flist += "rtl/hardwire_cfg_pkg.sv\n";
  for (const auto& [name, text] : embedded_templates()) flist += "rtl/" + name + "\n";
  std::string units = banner("RTL file list of the accelerator plus its units configured on their own (tops: hwc_top, "
                             "hwc_gemm, hwc_softmax, hwc_rmsnorm, hwc_requant_*); give --top-module.");
  units += "-f files.f\n";
  for (const auto& f : rtl_files_) (f == "rtl/hwc_top.sv" ? flist : units) += f + "\n";
  add("units.vc", units);
  // The file list itself is a text file with // comments, which verilator -f and yosys accept.
  add("files.f", flist);
  std::sort(files_.begin(), files_.end());
  add("manifest.json", manifest());

  // Reuse: the directory is ours (check_owned), its manifest has this content hash and every file it lists is
  // there with its size. A file of the right size but other content is kept (fault injection edits images in
  // place) and reported; a missing or resized one means a damaged design, which is regenerated.
  auto state = check_owned(o_.out_dir, "output directory");
  if (!state) return state.error();
  if (o_.reuse_unchanged && *state == DirState::kOwned) {
    auto man = read_manifest(o_.out_dir);
    if (man && man->content_hash == content_hash_) {
      auto integrity = check_design_files(o_.out_dir, *man);
      if (integrity.damaged.empty()) {
        GenerateSummary sum;
        for (const auto& [path, content] : files_) {
          ++sum.files;
          sum.bytes += static_cast<int64_t>(content.size());
        }
        sum.weight_words = weight_words_;
        sum.content_hash = content_hash_;
        sum.reused = true;
        sum.edited = integrity.edited;
        return sum;
      }
      damaged_note_ = integrity.damaged;
    }
  }
  auto staged = StagedDir::create(o_.out_dir, "output directory");
  if (!staged) return staged.error();
  GenerateSummary sum;
  for (const auto& [path, content] : files_) {
    HW_TRY((*staged)->write(path, content));
    ++sum.files;
    sum.bytes += static_cast<int64_t>(content.size());
  }
  HW_TRY((*staged)->commit({"sim"}));
  sum.damaged = damaged_note_;
  sum.weight_words = weight_words_;
  sum.content_hash = content_hash_;
  return sum;
}

}  // namespace

Result<GenerateSummary> generate_design(const ModelSource& src, const golden::QModel& model,
                                        const GenerateOptions& options) {
  Emitter e(src, model, options);
  return e.run();
}

}  // namespace hardwire::gen
