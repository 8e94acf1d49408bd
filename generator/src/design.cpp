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
#include "hardwire/gen/chip_plan.hpp"
#include "hardwire/gen/isa.hpp"
#include "hardwire/gen/program.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/gen/templates.hpp"
#include "hardwire/gen/verilog.hpp"
#include "hardwire/golden/ops.hpp"

namespace hardwire::gen {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using vlog::Expr;

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

class Emitter {
 public:
  // m: the integer model, or nullptr for a shape-only design (no weight-dependent images).
  Emitter(const ModelSource& src, const golden::QModel* m, const ChipPlan& plan, const GenerateOptions& o)
      : src_(src), m_(m), plan_(plan), o_(o) {}

  Result<GenerateSummary> run();

 private:
  std::string banner(const std::string& what) const {
    std::string b;
    b += "// " + std::string(100, '=') + "\n";
    b += "// hardwire " HARDWIRE_VERSION " - generated file, do not edit.\n";
    b += "// Regenerate: " + comment_safe(regenerate()) + "  (DIR: the directory holding this file)\n";
    b += "// Model: " + comment_safe(src_.name) + " (" + plan_.shape.to_string() + ")" +
         (m_ ? "" : ", shape only: no weight-dependent images") + "\n";
    b += "// Array " + std::to_string(plan_.array.rows) + "x" + std::to_string(plan_.array.cols) + ", widths " +
         widths_to_string(plan_.widths) + "\n";
    b += "// " + what + "\n";
    b += "// " + std::string(100, '=') + "\n";
    return b;
  }
  // The command that regenerates the design, with the output directory as DIR: the same design gives the same
  // files wherever it is written.
  std::string regenerate() const { return o_.regenerate_command + " --out DIR"; }
  void add(const std::string& path, std::string content) { files_.emplace_back(path, std::move(content)); }

  void emit_weight_images();  // weights, embedding, requantization, SiLU and norm constants (needs the model)
  void emit_tables();         // what the shape alone decides: the program, the exp2 and RoPE tables
  void emit_packages();
  void emit_top();
  std::string manifest();

  const ModelSource& src_;
  const golden::QModel* m_;
  const ChipPlan& plan_;
  const GenerateOptions& o_;
  std::vector<std::pair<std::string, std::string>> files_;
  vlog::Package cfg_;  // hardwire_cfg_pkg, kept to check the top's parameters against it
  std::string content_hash_;
  std::string damaged_note_;
};

void Emitter::emit_weight_images() {
  HW_CHECK(m_ != nullptr, "weight images need the integer model");
  const golden::QModel& model = *m_;
  HW_CHECK(model.weights == plan_.weights, "the plan holds the integer model's weight format");
  const int64_t C = plan_.array.cols;
  const int bits = plan_.weights.bits;
  const auto& mm = plan_.map;
  // Weights: every matrix at its base in each of the P weight banks (gen::gemv_weight_words), each bank split into
  // macros of weight_bank_depth words.
  const int64_t P = plan_.weight_port_rows;
  std::vector<LaneWords> bank(static_cast<size_t>(P));
  for (auto& b : bank) {
    b.lanes = C;
    b.lane_bits = bits;
  }
  LaneWords gs;  // the group scales (and zero points) of every matrix (formats with groups)
  gs.lanes = C;
  gs.lane_bits = golden::group_entry_bits(plan_.weights);
  for (const auto& s : plan_.matrices) {
    if (plan_.group_words > 0) {
      HW_CHECK(gs.words() == s.gs_base, "group-scale words in plan order");
      const auto g = gemv_group_scale_words(s.lin->group_scale, s.cols, P, C, plan_.group_words, s.lin->zero_point, bits);
      gs.values.insert(gs.values.end(), g.values.begin(), g.values.end());
    }
    const auto w = gemv_weight_words(s.lin->w, P, C, bits, s.lin->zero_point, s.lin->group);
    for (int64_t j = 0; j < P; ++j)
      bank[static_cast<size_t>(j)].values.insert(bank[static_cast<size_t>(j)].values.end(),
                                                 w[static_cast<size_t>(j)].values.begin(),
                                                 w[static_cast<size_t>(j)].values.end());
  }
  size_t image = 0;
  for (int64_t j = 0; j < P; ++j) {
    const auto macros = hex_image_banks(bank[static_cast<size_t>(j)], plan_.weight_bank_depth);
    HW_CHECK(bank[static_cast<size_t>(j)].words() == plan_.weight_words &&
                 static_cast<int64_t>(macros.size()) == plan_.weight_macros_per_bank(),
             "the weight images match the plan's banks");
    for (size_t b = 0; b < macros.size(); ++b, ++image) {
      HW_CHECK(image < plan_.weight_images.size(), "one image name per weight macro");
      add(plan_.weight_images[image],
          banner("Weight bank " + std::to_string(j) + " of " + std::to_string(P) +
                 (macros.size() > 1 ? ", macro " + std::to_string(b) + " (words from " +
                                          std::to_string(static_cast<int64_t>(b) * plan_.weight_bank_depth) + ")"
                                    : std::string()) +
                 ": " + std::to_string(C) + " " + std::to_string(bits) + "-bit codes per word (lane 0 = lowest " +
                 std::to_string(bits) + " bits), code c of word nt*KG + g = W[nt*" + std::to_string(C) + " + c][g*" +
                 std::to_string(P) + " + " + std::to_string(j) + "]; memory map in manifest.json") +
              macros[b]);
    }
  }
  HW_CHECK(image == plan_.weight_images.size(), "every weight image written");
  if (plan_.group_words > 0) {
    HW_CHECK(gs.words() == plan_.group_scale_words, "the group-scale image matches the plan");
    add("mem/group_scales.hex",
        banner("Group scales (numerics §2): every matrix from its gs_base, entry c of word nt*NG + gi = gs[nt*" +
               std::to_string(C) + " + c][gi]" +
               (plan_.weights.zero_point ? " (bits 7:0), its zero point z above (" + std::to_string(bits) + " bits)"
                                         : std::string()) +
               ", a group is " + std::to_string(plan_.weights.group) + " inputs; map in manifest.json") +
            hex_image(gs));
  }
  // Embedding rows: row t at words t*ceil(dim/C) .., lane c of word j = E[t][j*C + c].
  LaneWords emb;
  emb.lanes = C;
  emb.lane_bits = 8;
  emb.values.assign(static_cast<size_t>(mm.emb_words * C), 0);
  for (int64_t t = 0; t < model.shape.vocab; ++t)
    for (int64_t i = 0; i < model.shape.dim; ++i)
      emb.values[static_cast<size_t>((t * mm.emb_words_per_row + i / C) * C + i % C)] = model.embedding(t, i);
  add("mem/embedding.hex", banner("Token embedding: row t at words t*" + std::to_string(mm.emb_words_per_row) +
                                  ", " + std::to_string(C) + " int8 lanes per word") +
                               hex_image(emb));
  // Requantization parameters: one 40-bit word per output channel, {rshift[36:31], mult[30:0]}.
  std::vector<int64_t> rq;
  auto word = [](const golden::Requant& r) { return int64_t{r.mult} | (int64_t{r.rshift} << 31); };
  auto put = [&](const golden::Requant& r) { rq.push_back(word(r)); };
  const int64_t V = mm.vector_lanes;
  if (V > 1) {
    // The matrices' per-channel parameters: V channels per word, each matrix from a word of its own.
    LaneWords rqv;
    rqv.lanes = V;
    rqv.lane_bits = MemoryMap::kRqvLaneBits;
    for (const auto& s : plan_.matrices) {
      HW_CHECK(rqv.words() == s.rq_base, "vector requant words in plan order");
      HW_CHECK(s.out_bits >= 2 && s.out_bits <= 32, "a matrix's result width fits the channel's 6-bit field");
      const int64_t words = (s.rq_base + (s.rows + V - 1) / V) * V;
      const int64_t out_bits = int64_t{s.out_bits} << 40;
      // Lanes past the matrix's rows get mult 0, rshift 1 (a valid parameter whose result is 0, never written).
      rqv.values.resize(static_cast<size_t>(words), (int64_t{1} << 31) | out_bits);
      for (int64_t n = 0; n < s.rows; ++n)
        rqv.values[static_cast<size_t>(s.rq_base * V + n)] = word(s.lin->rq[static_cast<size_t>(n)]) | out_bits;
    }
    HW_CHECK(rqv.words() == mm.rqv_words, "the vector requant image matches the plan");
    add("mem/requant_vec.hex",
        banner("Matrix requantization parameters, " + std::to_string(V) +
               " channels per word (lane = channel mod V, {out_bits[45:40], 3'b0, rshift[36:31], mult[30:0]} per lane); map "
               "in manifest.json") +
            hex_image(rqv));
  } else {
    for (const auto& s : plan_.matrices)
      for (const auto& r : s.lin->rq) put(r);
  }
  for (const auto& r : model.embed_rq) put(r);
  for (const auto& L : model.layers) {
    put(L.score);
    put(L.att_out);
    put(L.h);
  }
  HW_CHECK(static_cast<int64_t>(rq.size()) == mm.requant_words, "the requant image matches the plan");
  add("mem/requant.hex", banner("Requantization parameters: {rshift[36:31], mult[30:0]} per word; map in manifest.json") +
                             hex_image(rq, 40));
  // The core's tables: all SiLU tables in one ROM (layer l at words l*256), the norm constants.
  std::vector<int64_t> silu_all;
  for (const auto& L : model.layers)
    for (size_t i = 0; i + 1 < L.silu.size(); ++i) silu_all.push_back(golden::silu_rom_word(L.silu, i));
  HW_CHECK(static_cast<int64_t>(silu_all.size()) == mm.silu_words, "the SiLU image matches the plan");
  add("mem/silu.hex", banner("SiLU tables of all layers: layer l at words l*256, word i = {SILU[i+1], SILU[i]} (the "
                             "gate's top 8 bits + 128 index it, its low bits interpolate: numerics §11)") +
                          hex_image(silu_all, golden::kSiluRomWordBits));
  add("mem/norms.hex", banner("RMSNorm constants {eps[39:0], 2'b0, shift[5:0], gain[23:0]}: per layer attention, "
                              "ffn; then final (numerics §6)") +
                           norm_hex_words(model));
}

void Emitter::emit_tables() {
  add("mem/exp2.hex", banner("Softmax exp2 fraction table: round(2^15 * 2^(-f/256)), f = 0..255 (numerics §9)") +
                          hex_image(exp2_table_words(), 16));
  const Program& prog = plan_.program;
  add("mem/program.hex", banner("Microcode of one decode step: " + std::to_string(prog.size()) + " instructions of " +
                                std::to_string(prog.layout.word_bits()) +
                                " bits (hw_isa_pkg::instr_t); listing in program.lst, instruction set in "
                                "docs/architecture.md") +
                             program_hex_words(prog));
  add("program.lst", banner("Listing of mem/program.hex: the instruction layout, then every instruction with its "
                            "encoding, fields and what it does") +
                         program_listing(prog));
  // The model's tables, or (shape only) the same tables computed from the shape (gen::rope_tables, as the quantizer
  // does).
  golden::MatI16 cos, sin;
  if (!m_) rope_tables(plan_.shape.seq_len, plan_.shape.head_size(), src_.rope, cos, sin);
  add("mem/rope_cos.hex", banner("RoPE cos table, Q1.14: word pos, pair j in lane j (numerics §7)") +
                              hex_image(rope_table_words(m_ ? m_->rope_cos : cos)));
  add("mem/rope_sin.hex", banner("RoPE sin table, Q1.14: word pos, pair j in lane j (numerics §7)") +
                              hex_image(rope_table_words(m_ ? m_->rope_sin : sin)));
}

void Emitter::emit_packages() {
  const auto& s = plan_.shape;
  const auto& w = plan_.widths;
  const auto& mm = plan_.map;
  vlog::Package& p = cfg_;
  p.name = "hardwire_cfg_pkg";
  p.comment = "Constants of this model and this accelerator configuration (the chip plan; manifest.json has the same data).";
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
  u("GateW", w.gate);
  u("UpW", w.up);
  u("HW", w.h);
  u("ArrayRows", plan_.array.rows, "array R x C");
  u("ArrayCols", plan_.array.cols);
  u("WeightPortRows", plan_.weight_port_rows, "weight banks read every cycle (multiplier rows of the matrix engine)");
  u("WeightPortBytes", plan_.weight_port_bytes(), "weight port: weights (codes) read per cycle");
  u("WeightBits", plan_.weights.bits, "weight code width (numerics §2)");
  u("WeightGroupWords", plan_.group_words, "matrix-engine input words per group scale (0: none)");
  u("WeightZeroPoint", plan_.weights.zero_point ? 1 : 0, "unsigned codes with a zero point per group (numerics §2)");
  u("GroupScaleWords", plan_.group_scale_words, "group-scale ROM words of ArrayCols entries (0: none)");
  u("ActW", plan_.act_bits, "array activation width: the widest matmul input");
  u("AccW", plan_.acc_bits, "array accumulator width: the widest accumulator bound (numerics §4)");
  u("KMax", plan_.k_max, "largest reduction (matrix columns)");
  u("NMax", plan_.n_max, "largest output (matrix rows)");
  u("WeightWords", plan_.weight_words, "words of ArrayCols codes in every weight bank");
  u("WeightBankDepth", plan_.weight_bank_depth, "words per macro of a weight bank (0: one macro)");
  for (const auto& m : plan_.matrices) {
    std::string id = "WBase";
    for (char c : m.name) id += (c == '.') ? '_' : c;
    u(id, m.base, &m == &plan_.matrices.front() ? "weight memory map: first word of each matrix" : "");
  }
  u("AttLanes", mm.lanes, "accelerator core (hw_core): KV-cache word lanes (16-bit), whole KV heads");
  u("AttQHeads", mm.q_heads_per_word, "query heads per KV-cache word (attention results per score beat)");
  u("KvPortBytes", plan_.kv_port_bytes(), "KV port: bytes of the KV cache read per cycle");
  u("MacAccW", plan_.mac_acc_bits, "attention / SwiGLU / embedding accumulator width");
  u("SoftmaxSumLanes", plan_.softmax_sum_lanes, "softmax exp-sum elements per cycle (per head)");
  u("NormSteps", plan_.norm_steps, "RMSNorm root digits and quotient bits per cycle");
  u("RqAccW", plan_.requant_acc_bits, "requantizer input width");
  u("RopeW", plan_.rope_bits, "RoPE unit width: max(q, k)");
  u("ScratchWords", mm.scratch_words, "activation scratchpad, 32-bit words");
  u("KvRowWords", mm.kv_row_words, "KV-cache words per position: NumKvHeads x HeadSize / AttLanes");
  u("KvPosWords", mm.kv_pos_words, "KV-cache words per position of a layer: its K row, then its V row");
  u("KvWords", mm.kv_words, "KV cache words of AttLanes x 16 bits: per layer and position, the K row then the V row");
  u("EmbWords", mm.emb_words, "embedding SRAM words of ArrayCols bytes");
  u("EmbWordsPerRow", mm.emb_words_per_row);
  u("RequantWords", mm.requant_words);
  u("VectorLanes", mm.vector_lanes, "scratchpad elements per word; results of the matrix engine per cycle");
  u("RqVecWords", mm.rqv_words, "vector requant ROM words (VectorLanes channels each; 0: none)");
  u("RqVecLaneBits", MemoryMap::kRqvLaneBits, "vector requant ROM bits per channel ({out_bits, rshift, mult})");
  u("NormWords", mm.norm_words);
  u("ProgramWords", static_cast<int64_t>(plan_.program.size()), "microcode instructions per decode step");
  p.params.push_back({"", "WeightImage", Expr::str("mem/weights"),
                      "memory images (weights: the prefix of mem/weights_p<bank>[_bank<macro>].hex)"});
  p.params.push_back({"", "GroupScaleImage", Expr::str(plan_.group_words > 0 ? "mem/group_scales.hex" : ""), ""});
  p.params.push_back({"", "Exp2Image", Expr::str("mem/exp2.hex"), ""});
  p.params.push_back({"", "EmbImage", Expr::str("mem/embedding.hex"), ""});
  p.params.push_back({"", "RequantImage", Expr::str("mem/requant.hex"), ""});
  p.params.push_back({"", "RqVecImage", Expr::str(mm.vector_lanes > 1 ? "mem/requant_vec.hex" : ""), ""});
  p.params.push_back({"", "NormImage", Expr::str("mem/norms.hex"), ""});
  p.params.push_back({"", "SiluImage", Expr::str("mem/silu.hex"), ""});
  p.params.push_back({"", "RopeCosImage", Expr::str("mem/rope_cos.hex"), ""});
  p.params.push_back({"", "RopeSinImage", Expr::str("mem/rope_sin.hex"), ""});
  p.params.push_back({"", "ProgramImage", Expr::str("mem/program.hex"), ""});
  add("rtl/hardwire_cfg_pkg.sv", banner("Configuration package (generated from the chip plan).") + vlog::emit(p));
  add("rtl/hw_isa_pkg.sv", banner("Instruction-set package (generated from isa.def, field widths of this program).") +
                               vlog::emit(isa::sv_package(plan_.program.layout)));
}

void Emitter::emit_top() {
  using vlog::Dir;
  using vlog::Instance;
  using vlog::Module;
  const auto& s = plan_.shape;
  const auto bits = index_bits;
  Module mod;
  mod.name = "hwc_top";
  mod.comment = "The accelerator for this model: hw_core with every weight in on-chip SRAM (mem/weights*,\n"
                "mem/embedding.hex), the KV cache on chip and the decode step as microcode (mem/program.hex).\n"
                "Host: (token, pos) in; vocab int32 logits (out_lanes_o per beat), then the argmax token (out_last_o)\n"
                "out.";
  mod.ports = {{Dir::kInput, "clk_i", 1, false, ""},
               {Dir::kInput, "rst_ni", 1, false, ""},
               {Dir::kInput, "in_valid_i", 1, false, "one decode step per request"},
               {Dir::kOutput, "in_ready_o", 1, false, ""},
               {Dir::kInput, "in_token_i", bits(s.vocab), false, ""},
               {Dir::kInput, "in_pos_i", bits(s.seq_len), false, ""},
               {Dir::kOutput, "out_valid_o", 1, false, "logits, then the argmax token"},
               {Dir::kInput, "out_ready_i", 1, false, ""},
               {Dir::kOutput, "out_data_o", static_cast<int>(32 * plan_.map.vector_lanes), false, ""},
               {Dir::kOutput, "out_lanes_o", bits(plan_.map.vector_lanes + 1), false, ""},
               {Dir::kOutput, "out_last_o", 1, false, ""},
               {Dir::kOutput, "busy_o", 1, false, "status and debug taps"},
               {Dir::kOutput, "pc_o", bits(static_cast<int64_t>(plan_.program.size())), false, ""},
               {Dir::kOutput, "dbg_res_valid_o", 1, false, ""},
               {Dir::kOutput, "dbg_oldest_pc_o", bits(static_cast<int64_t>(plan_.program.size())), false,
                "the oldest instruction in flight (cycles are charged to it)"},
               {Dir::kOutput, "dbg_res_pc_o", bits(static_cast<int64_t>(plan_.program.size())), false,
                "the instruction whose results these are"},
               {Dir::kOutput, "dbg_res_idx_o", 32, false, ""},
               {Dir::kOutput, "dbg_res_lanes_o", bits(plan_.map.vector_lanes + 1), false, ""},
               {Dir::kOutput, "dbg_res_data_o", static_cast<int>(32 * plan_.map.vector_lanes), false, ""},
               {Dir::kOutput, "dbg_aux_valid_o", 1, false, "attention scores: position, first head, values"},
               {Dir::kOutput, "dbg_aux_pos_o", 32, false, ""},
               {Dir::kOutput, "dbg_aux_head_o", 32, false, ""},
               {Dir::kOutput, "dbg_aux_data_o", static_cast<int>(32 * plan_.map.q_heads_per_word), false, ""},
               {Dir::kOutput, "dbg_prob_valid_o", 1, false, "probabilities PV takes: likewise"},
               {Dir::kOutput, "dbg_prob_pos_o", 32, false, ""},
               {Dir::kOutput, "dbg_prob_head_o", 32, false, ""},
               {Dir::kOutput, "dbg_prob_data_o", static_cast<int>(32 * plan_.map.q_heads_per_word), false, ""},
               {Dir::kOutput, "dbg_host_wait_o", 1, false, "the chip waits for the host"},
               {Dir::kOutput, "dbg_ev_o", isa::kNumEvents, false, "activity events (hw_isa_pkg::Ev*)"}};
  Instance inst;
  inst.module = "hw_core";
  inst.name = "u_core";
  // hw_core's parameters are the plan's (ChipPlan::blocks), passed as the package constants that hold them.
  static const std::pair<const char*, const char*> kConstant[] = {
      {"W_ROWS", "WeightPortRows"}, {"C", "ArrayCols"},         {"W_BITS", "WeightBits"},
      {"W_GROUP_WORDS", "WeightGroupWords"}, {"W_ZERO_POINT", "WeightZeroPoint"}, {"GS_DEPTH", "GroupScaleWords"},
      {"A_W", "ActW"},
      {"ACC_W", "AccW"},            {"K_MAX", "KMax"},          {"N_MAX", "NMax"},
      {"W_DEPTH", "WeightWords"},   {"W_BANK_DEPTH", "WeightBankDepth"},
      {"DIM", "Dim"},               {"N_LAYERS", "NumLayers"},  {"HEAD_SIZE", "HeadSize"},
      {"N_HEADS", "NumHeads"},      {"N_KV_HEADS", "NumKvHeads"}, {"LANES", "AttLanes"},
      {"VOCAB", "Vocab"},           {"SEQ_LEN", "SeqLen"},      {"RES_W", "ResW"},
      {"XN_W", "XnW"},              {"GATE_W", "GateW"},        {"ROPE_W", "RopeW"},        {"MAC_ACC_W", "MacAccW"},
      {"SM_LANES", "SoftmaxSumLanes"}, {"NORM_STEPS", "NormSteps"}, {"RQ_ACC_W", "RqAccW"},       {"SCRATCH_DEPTH", "ScratchWords"}, {"KV_DEPTH", "KvWords"},
      {"EMB_DEPTH", "EmbWords"},    {"EMB_WPR", "EmbWordsPerRow"}, {"RQ_DEPTH", "RequantWords"},
      {"V_LANES", "VectorLanes"},   {"RQV_DEPTH", "RqVecWords"}, {"RQV_LANE_W", "RqVecLaneBits"},
      {"NORM_DEPTH", "NormWords"},  {"PROG_DEPTH", "ProgramWords"}};
  const BlockParams core = plan_.block("hw_core");
  HW_CHECK(core.values.size() == std::size(kConstant), "every hw_core parameter has a package constant");
  for (size_t i = 0; i < core.values.size(); ++i) {
    const auto& [param, value] = core.values[i];
    HW_CHECK(param == kConstant[i].first, "hw_core parameters in plan order");
    bool found = false;
    for (const auto& lp : cfg_.params)
      if (lp.name == kConstant[i].second) found = lp.value.render() == std::to_string(value);
    HW_CHECK(found, "the package constant of an hw_core parameter holds the plan's value");
    inst.params.push_back({param, Expr::id(cfg_.name + "::" + kConstant[i].second)});
  }
  static const std::pair<const char*, const char*> kImage[] = {
      {"W_FILE", "WeightImage"},   {"GS_FILE", "GroupScaleImage"}, {"EMB_FILE", "EmbImage"},
      {"RQ_FILE", "RequantImage"},
      {"RQV_FILE", "RqVecImage"},
      {"NORM_FILE", "NormImage"},  {"SILU_FILE", "SiluImage"},   {"EXP2_FILE", "Exp2Image"},
      {"COS_FILE", "RopeCosImage"}, {"SIN_FILE", "RopeSinImage"}, {"PROG_FILE", "ProgramImage"}};
  for (const auto& [param, constant] : kImage) inst.params.push_back({param, Expr::id(cfg_.name + "::" + constant)});
  for (const auto& p : mod.ports) inst.ports.push_back({p.name, Expr::id(p.name)});
  mod.instances.push_back(inst);
  add("rtl/hwc_top.sv", banner("Top level (generated): the whole accelerator for this model.") + vlog::emit(mod));
}

std::string Emitter::manifest() {
  const auto& s = plan_.shape;
  const auto& mm = plan_.map;
  ordered_json j;
  j["hardwire_version"] = HARDWIRE_VERSION;
  j["regenerate"] = regenerate();
  j["model"] = {{"name", src_.name},
                {"source", src_.describe()},
                {"shape",
                 {{"dim", s.dim}, {"hidden_dim", s.hidden_dim}, {"n_layers", s.n_layers}, {"n_heads", s.n_heads},
                  {"n_kv_heads", s.n_kv_heads}, {"vocab_size", s.vocab}, {"seq_len", s.seq_len}}},
                {"shared_classifier", src_.shared_classifier}};
  // A shape-only design (hardwire generate --shape-only, and hardwire synth's) has the RTL, the program and the
  // shape's tables, but no image that depends on weights: it synthesizes, it does not simulate.
  j["shape_only"] = m_ == nullptr;
  const auto& w = plan_.widths;
  j["widths"] = nlohmann::json::object();
  for (const auto& [name, member] : golden::kWidthSites) j["widths"][name] = w.*member;
  j["hardware"] = {{"array", {{"rows", plan_.array.rows}, {"cols", plan_.array.cols}}},
                   {"act_bits", plan_.act_bits},
                   {"acc_bits", plan_.acc_bits},
                   {"weight_port_bytes", plan_.weight_port_bytes()},
                   {"weights", {{"bits", plan_.weights.bits}, {"group", plan_.weights.group},
                                {"zero_point", plan_.weights.zero_point},
                                {"group_scale_words", plan_.group_scale_words},
                                {"group_entry_bits", golden::group_entry_bits(plan_.weights)}}},
                   {"kv_port_bytes", plan_.kv_port_bytes()},
                   {"core", {{"mac_acc_bits", plan_.mac_acc_bits}, {"requant_acc_bits", plan_.requant_acc_bits}}},
                   {"weight_sram", {{"banks", plan_.weight_port_rows}, {"word_codes", plan_.array.cols},
                                    {"word_bits", plan_.array.cols * plan_.weights.bits},
                                    {"words_per_bank", plan_.weight_words},
                                    {"macro_depth", plan_.weight_bank_depth > 0 ? plan_.weight_bank_depth : plan_.weight_words},
                                    {"macros_per_bank", plan_.weight_macros_per_bank()},
                                    {"images", plan_.weight_images}}}};
  // Every block's parameters, as hwc_top instantiates them (`hardwire synth` elaborates each block with these).
  ordered_json blocks = ordered_json::object();
  for (const auto& b : plan_.blocks()) {
    ordered_json v = ordered_json::object();
    for (const auto& [k, x] : b.values) v[k] = x;
    blocks[b.module] = {{"instances", b.instances}, {"parameters", v}};
  }
  j["blocks"] = blocks;
  ordered_json memories = ordered_json::array();
  for (const auto& m : plan_.memories()) {
    ordered_json macros = ordered_json::array();
    for (const auto& x : m.macros) macros.push_back({{"count", x.count}, {"words", x.words}, {"width", x.width}});
    memories.push_back({{"name", m.name}, {"bits", m.bits}, {"note", m.note}, {"macros", macros}});
  }
  j["memories"] = memories;
  ordered_json mats = ordered_json::array();
  for (const auto& m : plan_.matrices) {
    mats.push_back({{"name", m.name}, {"base", m.base}, {"words", m.words}, {"rows", m.rows}, {"cols", m.cols},
                    {"act_bits", m.act_bits}, {"out_bits", m.out_bits}, {"acc_bits", m.acc_bits},
                    {"requant_base", m.rq_base}, {"group_scale_base", m.gs_base}, {"group_scale_words", m.gs_words}});
  }
  ordered_json norms = ordered_json::array();
  auto norm = [&](const std::string& name, const golden::NormParams& p) {
    norms.push_back({{"name", name}, {"gain", p.gain}, {"shift", p.shift}, {"eps", p.eps}});
  };
  if (m_) {
    for (size_t l = 0; l < m_->layers.size(); ++l) {
      norm("L" + std::to_string(l) + ".attn.norm", m_->layers[l].att_norm);
      norm("L" + std::to_string(l) + ".ffn.norm", m_->layers[l].ffn_norm);
    }
    norm("final.norm", m_->final_norm);
  }
  j["memory_map"] = {
      {"weights", mats},
      {"embedding", {{"image", "mem/embedding.hex"}, {"words_per_row", mm.emb_words_per_row}, {"rows", s.vocab},
                     {"words", mm.emb_words}}},
      {"requant",
       {{"image", "mem/requant.hex"},
        {"word", "{rshift[36:31], mult[30:0]}"},
        {"words", mm.requant_words},
        {"matrices_words", mm.rq_matrices_words},
        {"embedding_base", mm.rq_embedding_base},
        {"per_layer_base", mm.rq_layer_base},
        {"per_layer_order", {"score", "att_out", "h"}},
        {"vector_image", mm.vector_lanes > 1 ? "mem/requant_vec.hex" : ""},
        {"vector_lanes", mm.vector_lanes},
        {"vector_words", mm.rqv_words}}},
      {"norms", norms}};
  j["memory_map"]["scratchpad"] = {{"word_bits", 32}, {"words", mm.scratch_words},
                                   {"x", mm.x}, {"xn", mm.xn}, {"q", mm.q}, {"k", mm.k}, {"v", mm.v},
                                   {"att", mm.att}, {"t", mm.t}, {"gate", mm.gate}, {"up", mm.up}, {"h", mm.h},
                                   {"logits", mm.logits}};
  j["memory_map"]["kv_cache"] = {
      {"word_bits", 16 * mm.lanes}, {"lanes", mm.lanes}, {"words", mm.kv_words},
      {"kv_heads_per_word", mm.kv_heads_per_word}, {"row_words", mm.kv_row_words},
      {"port_bytes", plan_.kv_port_bytes()},
      {"layout", "K of layer l at l*seq_len*row_words, V at (n_layers+l)*seq_len*row_words; position pos at "
                 "+pos*row_words; element e of the row (kv head e/head_size) in word e/lanes, lane e%lanes"}};
  j["memory_map"]["q_buffer"] = {{"word_bits", 16 * mm.q_lanes}, {"words", mm.q_words},
                                 {"layout", "element e of q (head e/head_size) in word e/q_lanes, lane e%q_lanes: "
                                            "word w holds the query heads of KV word w"}};
  j["memory_map"]["norm_rom"] = {{"image", "mem/norms.hex"}, {"words", mm.norm_words}};
  j["memory_map"]["silu_rom"] = {{"image", "mem/silu.hex"}, {"words", mm.silu_words}};
  const Program& prog = plan_.program;
  ordered_json instrs = ordered_json::array();
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const auto& n = prog.notes[pc];
    ordered_json e = {{"pc", pc}, {"op", isa::mnemonic(prog.code[pc].op)}, {"text", n.text},
                      {"phase", phase_name(n.phase)}};
    if (!n.tap.empty()) e["writes"] = n.tap;
    instrs.push_back(e);
  }
  ordered_json layout = ordered_json::object();
  for (const auto& f : isa::fields()) layout[f.name] = prog.layout.width[static_cast<size_t>(f.field)];
  j["program"] = {{"image", "mem/program.hex"}, {"listing", "program.lst"}, {"word_bits", prog.layout.word_bits()},
                  {"field_bits", layout}, {"instructions", instrs}};
  j["tables"] = {{"exp2", "mem/exp2.hex"}, {"rope_cos", "mem/rope_cos.hex"}, {"rope_sin", "mem/rope_sin.hex"},
                 {"silu", "mem/silu.hex"}};
  j["top"] = "hwc_top";
  j["file_list"] = "files.f";
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
  if (m_) emit_weight_images();
  emit_tables();
  emit_packages();
  // The templates the accelerator instantiates, verbatim below a banner: every block of the plan and what its
  // template instantiates (lanes, memories, FIFOs, the core's helper package), packages first (files.f is read in
  // order), in name order (template_closure's). The library's other modules (hw_gemm and its systolic array, for
  // M > 1) are not part of this chip.
  std::map<std::string, const std::string*> text;
  for (const auto& [name, t] : embedded_templates()) text[name] = &t;
  std::vector<std::string> roots;
  for (const auto& b : plan_.blocks()) {
    HW_CHECK(text.count(b.template_name() + ".sv"), "every module of the plan is a template");
    roots.push_back(b.template_name());
  }
  std::vector<std::string> templates;  // file names
  for (const auto& t : template_closure(roots)) templates.push_back(t + ".sv");
  for (const auto& name : templates) {
    add("rtl/" + name, banner("Template rtl_templates/" + name + " (hand-written), copied verbatim below.") +
                           *text.at(name));
  }
  emit_top();
  // files.f: the packages, the templates and the top (hwc_top); a text file with // comments, which verilator -f and
  // yosys accept.
  std::string flist = banner("RTL file list of the accelerator (top: hwc_top): run tools from this directory (memory "
                             "images are read relative to it).");
  flist += "rtl/hardwire_cfg_pkg.sv\nrtl/hw_isa_pkg.sv\n";
  for (const auto& name : templates) flist += "rtl/" + name + "\n";
  flist += "rtl/hwc_top.sv\n";
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
        sum.weight_words = plan_.weight_words;
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
  sum.weight_words = plan_.weight_words;
  sum.content_hash = content_hash_;
  return sum;
}

}  // namespace

Result<GenerateSummary> generate_design(const ModelSource& src, const golden::QModel& model,
                                        const GenerateOptions& options) {
  auto plan = plan_chip(model, {options.array, options.sram_bank_depth, options.weight_port, options.kv_port,
                                options.weights});
  if (!plan) return plan.error();
  return generate_design(src, model, *plan, options);
}

namespace {
// The plan a design is written from was planned with the options it is written with.
bool plan_of(const ChipPlan& plan, const GenerateOptions& options) {
  return plan.array.rows == options.array.rows && plan.array.cols == options.array.cols &&
         (options.weight_port == 0 || plan.weight_port_bytes() == options.weight_port) &&
         (options.kv_port == 0 || plan.kv_port_bytes() == options.kv_port) && plan.weights == options.weights;
}
}  // namespace

Result<GenerateSummary> generate_design(const ModelSource& src, const golden::QModel& model, const ChipPlan& plan,
                                        const GenerateOptions& options) {
  HW_CHECK(plan_of(plan, options), "generate_design: the plan is of this array, weight port, KV port and weight format");
  HW_CHECK(plan.matrices.empty() || plan.matrices.front().lin != nullptr,
           "generate_design: a plan of the integer model (plan_chip(QModel)), whose sites hold the weights");
  Emitter e(src, &model, plan, options);
  return e.run();
}

Result<GenerateSummary> generate_shape_design(const ModelSource& src, const ChipPlan& plan,
                                              const GenerateOptions& options) {
  HW_CHECK(plan_of(plan, options),
           "generate_shape_design: the plan is of this array, weight port, KV port and weight format");
  Emitter e(src, nullptr, plan, options);
  return e.run();
}

}  // namespace hardwire::gen
