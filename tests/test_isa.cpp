// The instruction set (isa.def via isa.hpp) and the chip plan: encode -> decode round trips over every op and every
// field extreme, the validator's refusals, the narrowest layout, and the plan's memory map and block parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <tuple>

#include "hardwire/gen/chip_plan.hpp"
#include "hardwire/gen/energy.hpp"
#include "hardwire/gen/isa.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/gen/program.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/golden/ops.hpp"
#include "support/seed.hpp"

using namespace hardwire;
using namespace hardwire::gen;

namespace {

uint32_t max_of(int bits) { return bits >= 32 ? UINT32_MAX : (1u << bits) - 1u; }

// Every field the op uses set to `pick(field width)`.
template <typename F>
isa::Instr filled(isa::Op op, const isa::Layout& l, F pick) {
  isa::Instr i;
  i.op = op;
  for (const auto& f : isa::fields())
    if (isa::info(op).uses[static_cast<size_t>(f.field)]) i.set(f.field, pick(l.width[static_cast<size_t>(f.field)]));
  return i;
}

void expect_round_trip(const isa::Instr& i, const isa::Layout& l) {
  auto w = isa::encode(i, l);
  ASSERT_TRUE(w.is_ok()) << w.message() << " for " << isa::format(i);
  EXPECT_EQ(w->size(), static_cast<size_t>((l.word_bits() + 31) / 32));
  auto back = isa::decode(*w, l);
  ASSERT_TRUE(back.is_ok()) << back.message();
  EXPECT_EQ(*back, i) << isa::format(i) << " decoded as " << isa::format(*back);
}

const golden::QModel& tiny() {
  static const golden::QModel m = [] {
    auto src = resolve_model("tiny");
    auto fm = load_float_model(*src);
    return *quantize(*fm, {});
  }();
  return m;
}

isa::Layout tiny_layout_or_widest() {
  auto plan = plan_chip(tiny(), {});
  return plan.is_ok() ? plan->program.layout : isa::widest_layout();
}

}  // namespace

TEST(Isa, DefinitionIsConsistent) {
  std::set<uint32_t> codes;
  std::set<std::string> names;
  for (const auto& o : isa::ops()) {
    EXPECT_TRUE(codes.insert(o.code).second) << o.mnemonic;
    EXPECT_TRUE(names.insert(o.mnemonic).second) << o.mnemonic;
    EXPECT_NE(o.code, 0u) << "code 0 is reserved (an all-zero word is not an instruction)";
    EXPECT_EQ(isa::op_from_code(o.code), o.op);
  }
  EXPECT_EQ(isa::op_from_code(0), std::nullopt);
  EXPECT_EQ(static_cast<int>(isa::fields().size()), isa::kNumFields);
  for (size_t k = 0; k < isa::fields().size(); ++k) EXPECT_EQ(static_cast<size_t>(isa::fields()[k].field), k);
}

TEST(Isa, RoundTripEveryOpAtFieldExtremes) {
  for (const isa::Layout& l : {isa::widest_layout(), tiny_layout_or_widest()}) {
    for (const auto& o : isa::ops()) {
      expect_round_trip(filled(o.op, l, [](int) { return 0u; }), l);
      expect_round_trip(filled(o.op, l, [](int w) { return max_of(w); }), l);
      expect_round_trip(filled(o.op, l, [](int w) { return max_of(w) & 0x55555555u; }), l);
      expect_round_trip(filled(o.op, l, [](int w) { return max_of(w) & 0xaaaaaaaau; }), l);
      // One field at its maximum, all others 0: catches overlapping fields.
      for (const auto& f : isa::fields()) {
        if (!o.uses[static_cast<size_t>(f.field)]) continue;
        isa::Instr i;
        i.op = o.op;
        i.set(f.field, max_of(l.width[static_cast<size_t>(f.field)]));
        expect_round_trip(i, l);
      }
    }
  }
}

TEST(Isa, RoundTripRandomLayouts) {
  const uint64_t seed = hw_test::test_seed();
  HW_SEED_TRACE();
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 200; ++trial) {
    isa::Layout l;
    for (const auto& f : isa::fields())
      l.width[static_cast<size_t>(f.field)] = f.fixed_width > 0 ? f.fixed_width : 1 + static_cast<int>(rng() % 32);
    for (const auto& o : isa::ops())
      expect_round_trip(filled(o.op, l, [&](int w) { return static_cast<uint32_t>(rng()) & max_of(w); }), l);
  }
}

TEST(Isa, ValidatorRefusals) {
  const isa::Layout l = isa::widest_layout();
  isa::Instr i;
  i.op = isa::Op::kOutput;
  i.rq_base = 3;  // OUTPUT does not read rq_base
  auto st = isa::validate(i, l);
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.message(), "OUTPUT does not use field rq_base, which must be 0 (is 3)");
  isa::Layout narrow = l;
  narrow.width[static_cast<size_t>(isa::Field::a_base)] = 4;
  isa::Instr j;
  j.op = isa::Op::kNorm;
  j.a_base = 16;
  st = isa::validate(j, narrow);
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.message(), "NORM field a_base = 16 does not fit its 4 bits");
  EXPECT_FALSE(isa::encode(j, narrow).is_ok());
  isa::Instr bad;
  bad.op = static_cast<isa::Op>(15);
  EXPECT_EQ(isa::validate(bad, l).message(), "op code 15 is not in isa.def");
  // Decoding: a word of the wrong size, bits above the word, an unknown op code.
  isa::Instr ok;
  ok.op = isa::Op::kNorm;
  auto w = isa::encode(ok, narrow);
  ASSERT_TRUE(w.is_ok());
  auto longer = *w;
  longer.push_back(0);
  EXPECT_FALSE(isa::decode(longer, narrow).is_ok());
  if (narrow.word_bits() % 32 != 0) {
    auto high = *w;
    high.back() |= 1u << (narrow.word_bits() % 32);
    EXPECT_EQ(isa::decode(high, narrow).message(), "instruction word has bits above its width");
  }
  auto zero = *w;
  for (auto& x : zero) x = 0;
  EXPECT_EQ(isa::decode(zero, narrow).message(), "op code 0 is not in isa.def");
}

TEST(Isa, LayoutIsTheNarrowestThatHoldsTheProgram) {
  auto plan = plan_chip(tiny(), {});
  ASSERT_TRUE(plan.is_ok()) << plan.message();
  const auto& p = plan->program;
  for (const auto& f : isa::fields()) {
    uint32_t hi = 0;
    for (const auto& i : p.code) hi = std::max(hi, i.get(f.field));
    int need = 0;
    while (need < 32 && (hi >> need) != 0) ++need;
    const int w = p.layout.width[static_cast<size_t>(f.field)];
    if (f.fixed_width > 0) EXPECT_EQ(w, f.fixed_width) << f.name;
    else EXPECT_EQ(w, std::max(1, need)) << f.name;
  }
  for (const auto& i : p.code) EXPECT_TRUE(isa::validate(i, p.layout).is_ok()) << isa::format(i);
  EXPECT_LT(p.layout.word_bits(), 14 * 32);
}

TEST(Isa, SystemVerilogPackageAndDocsTableCoverEveryOpAndField) {
  const auto pkg = vlog::emit(isa::sv_package(isa::widest_layout()));
  const auto md = isa::markdown();
  for (const auto& o : isa::ops()) {
    EXPECT_NE(pkg.find(std::string("Op") + o.name + " "), std::string::npos) << o.name;
    EXPECT_NE(md.find(std::string("| ") + o.mnemonic + " |"), std::string::npos) << o.mnemonic;
  }
  for (const auto& f : isa::fields()) {
    EXPECT_NE(pkg.find(std::string(" ") + f.name + ";"), std::string::npos) << f.name;
    EXPECT_NE(md.find(std::string("`") + f.name + "`"), std::string::npos) << f.name;
  }
}

// ---- the chip plan ---------------------------------------------------------------------------------------------------

TEST(ChipPlan, MemoryMapIsContiguousAndDisjoint) {
  auto plan = plan_chip(tiny(), {{4, 8}, 256});
  ASSERT_TRUE(plan.is_ok());
  const auto& s = tiny().shape;
  const auto& mm = plan->map;
  const std::vector<std::pair<int64_t, int64_t>> regions = {
      {mm.x, s.dim},         {mm.xn, s.dim},         {mm.q, s.dim},           {mm.k, s.kv_dim()},
      {mm.v, s.kv_dim()},    {mm.att, s.dim},        {mm.t, s.dim},
      {mm.gate, s.hidden_dim}, {mm.up, s.hidden_dim}, {mm.h, s.hidden_dim},   {mm.logits, s.vocab}};
  // Every region starts a scratchpad word of V = 8 lanes (4x8: C is a power of two), right after the one before.
  const int64_t V = mm.vector_lanes;
  EXPECT_EQ(V, 8);
  const auto word_up = [&](int64_t a) { return (a + V - 1) / V * V; };
  int64_t at = 0;
  for (const auto& [base, n] : regions) {
    EXPECT_EQ(base, word_up(at));
    at = base + n;
  }
  EXPECT_EQ(mm.scratch_words, word_up(at));
  EXPECT_EQ(plan_chip(tiny(), {{3, 5}, 256})->map.vector_lanes, 1);  // C = 5: one element per word
  // The default KV port: the whole row (every KV head in one word).
  EXPECT_EQ(mm.lanes, s.kv_dim());
  EXPECT_EQ(mm.kv_row_words, 1);
  EXPECT_EQ(mm.q_lanes, s.dim);
  EXPECT_EQ(mm.kv_words, 2 * s.n_layers * s.seq_len);
}

// --kv-port: whole KV heads dividing the KV row; the KV word and the q word follow.
TEST(ChipPlan, KvPortSetsTheKvWords) {
  const auto& s = tiny().shape;
  const int64_t head = 2 * s.head_size();
  for (int64_t heads = 1; heads <= s.n_kv_heads; ++heads) {
    if (s.n_kv_heads % heads != 0) continue;
    auto plan = plan_chip(tiny(), {{8, 8}, 256, 0, heads * head});
    ASSERT_TRUE(plan.is_ok()) << heads;
    EXPECT_EQ(plan->kv_port_bytes(), heads * head);
    EXPECT_EQ(plan->map.lanes, heads * s.head_size());
    EXPECT_EQ(plan->map.kv_row_words, s.n_kv_heads / heads);
    EXPECT_EQ(plan->map.q_lanes, heads * s.head_size() * s.kv_mul());
    EXPECT_EQ(plan->map.kv_words, 2 * s.n_layers * s.seq_len * (s.n_kv_heads / heads));
  }
  for (const int64_t bad : {head / 2, head + 2, -head, 2 * s.kv_dim() + head}) {
    const auto plan = plan_chip(tiny(), {{8, 8}, 256, 0, bad});
    ASSERT_FALSE(plan.is_ok()) << bad;
    EXPECT_EQ(plan.message(), "KV port " + std::to_string(bad) + " bytes per cycle must be whole KV heads of 2 x head_size = " +
                                  std::to_string(head) + " bytes that divide the KV row of 2 x kv_dim = " +
                                  std::to_string(2 * s.kv_dim()) + " bytes, e.g. --kv-port " + std::to_string(2 * s.kv_dim()));
  }
}

// --weight-port: a multiple of C from C to R x C; P = port / C banks, each matrix ceil(N/C) * ceil(K/P) words per bank,
// one image per macro of every bank.
TEST(ChipPlan, WeightPortSetsTheBanks) {
  for (const int64_t port : {int64_t{8}, int64_t{24}, int64_t{64}}) {
    auto plan = plan_chip(tiny(), {{8, 8}, 64, port});
    ASSERT_TRUE(plan.is_ok()) << port;
    const int64_t p = port / 8;
    EXPECT_EQ(plan->weight_port_rows, p);
    EXPECT_EQ(plan->weight_port_bytes(), port);
    int64_t words = 0;
    for (const auto& m : plan->matrices) {
      EXPECT_EQ(m.words, ((m.rows + 7) / 8) * ((m.cols + p - 1) / p)) << m.name;
      words += m.words;
    }
    EXPECT_EQ(plan->weight_words, words);
    EXPECT_EQ(plan->weight_macros_per_bank(), (words + 63) / 64);
    ASSERT_EQ(static_cast<int64_t>(plan->weight_images.size()), p * plan->weight_macros_per_bank());
    EXPECT_EQ(plan->weight_images.front(), "mem/weights_p0_bank0.hex");
    EXPECT_EQ(plan->weight_images.back(), "mem/weights_p" + std::to_string(p - 1) + "_bank" +
                                              std::to_string(plan->weight_macros_per_bank() - 1) + ".hex");
    EXPECT_EQ(plan->block("hw_gemv").values.front(), (std::pair<std::string, int64_t>{"P", p}));
  }
  EXPECT_EQ(plan_chip(tiny(), {{8, 8}, 0, 0})->weight_port_rows, 8);  // 0: R x C
  EXPECT_EQ(plan_chip(tiny(), {{8, 8}, 0, 8})->weight_images, std::vector<std::string>{"mem/weights_p0.hex"});
  for (const int64_t bad : {int64_t{4}, int64_t{12}, int64_t{72}, int64_t{-8}}) {
    const auto plan = plan_chip(tiny(), {{8, 8}, 0, bad});
    ASSERT_FALSE(plan.is_ok()) << bad;
    EXPECT_EQ(plan.message(), "weight port " + std::to_string(bad) +
                                  " bytes per cycle must be a multiple of C = 8 from 8 to R x C = 64 on a 8x8 array, "
                                  "e.g. --weight-port 64");
  }
}

// The weight format (numerics §2) sizes the weight memory, the multipliers and accumulators, and the group-scale
// ROM; a group must be whole input words of the engine.
TEST(ChipPlan, WeightFormatSetsTheMemoryAndTheEngine) {
  const ChipPlan int8 = *plan_chip(tiny().shape, tiny().widths, {{8, 8}, 0, 0});
  for (const golden::WeightFormat f : {golden::WeightFormat{4, 16}, golden::WeightFormat{6, 0},
                                       golden::WeightFormat{4, 64}, golden::WeightFormat{4, 8, true}}) {
    const auto plan = plan_chip(tiny().shape, tiny().widths, {{8, 8}, 0, 0, 0, f});
    ASSERT_TRUE(plan.is_ok()) << plan.message();
    EXPECT_EQ(plan->weights, f);
    EXPECT_EQ(plan->weight_words, int8.weight_words);  // the same words, each narrower
    EXPECT_EQ(plan->group_words, f.group / 8);
    int64_t gs_words = 0;
    for (const auto& m : plan->matrices) {
      EXPECT_EQ(m.acc_bits, golden::accumulator_bits(m.act_bits, m.cols, f)) << m.name;
      const int64_t ng = f.group ? (m.cols + f.group - 1) / f.group : 0;
      EXPECT_EQ(m.gs_words, ((m.rows + 7) / 8) * ng) << m.name;
      EXPECT_EQ(m.gs_base, gs_words) << m.name;
      gs_words += m.gs_words;
    }
    EXPECT_EQ(plan->group_scale_words, gs_words);
    const auto mems = plan->memories();
    EXPECT_EQ(mems.front().name, "weight SRAM");
    EXPECT_EQ(mems.front().bits, int8.memories().front().bits / 8 * f.bits);
    EXPECT_EQ(mems.front().macros.front().width, 8 * f.bits);
    EXPECT_EQ(std::count_if(mems.begin(), mems.end(), [](const MemoryDesc& m) { return m.name == "group scales"; }),
              f.group ? 1 : 0);
    const auto gemv = plan->block("hw_gemv").values;
    EXPECT_EQ(gemv[2], (std::pair<std::string, int64_t>{"W_BITS", f.bits}));
    EXPECT_EQ(gemv[3], (std::pair<std::string, int64_t>{"GROUP_WORDS", f.group / 8}));
    EXPECT_EQ(gemv[4], (std::pair<std::string, int64_t>{"ZERO_POINT", f.zero_point ? 1 : 0}));
    if (f.group) {  // a group's entry: its scale's byte, and its zero point's bits with zero points
      const auto gs = std::find_if(mems.begin(), mems.end(), [](const MemoryDesc& m) { return m.name == "group scales"; });
      EXPECT_EQ(gs->bits, gs_words * 8 * (8 + (f.zero_point ? f.bits : 0)));
    }
    EXPECT_EQ(gemv[5], (std::pair<std::string, int64_t>{"GS_DEPTH", gs_words}));
    // Each MATVEC names its matrix's first group-scale word.
    for (size_t i = 0; i < plan->program.size(); ++i) {
      if (plan->program.code[i].op == isa::Op::kMatvec) {
        EXPECT_EQ(plan->program.code[i].gs_base,
                  plan->matrices[static_cast<size_t>(plan->program.notes[i].matrix)].gs_base);
      }
    }
  }
  // A group of 12 inputs is not whole words of 8 inputs; with a weight port of 24 bytes (3 rows) 16 is not either.
  auto bad = plan_chip(tiny().shape, tiny().widths, {{8, 8}, 0, 0, 0, {4, 12}});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.message(), "--weight-group 12 must be a multiple of the weight port's 8 rows (the matrix engine takes "
                           "8 inputs per cycle), e.g. --weight-group 16");
  bad = plan_chip(tiny().shape, tiny().widths, {{8, 8}, 0, 24, 0, {4, 16}});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.message(), "--weight-group 16 must be a multiple of the weight port's 3 rows (the matrix engine takes "
                           "3 inputs per cycle), e.g. --weight-group 18");
  EXPECT_TRUE(plan_chip(tiny().shape, tiny().widths, {{8, 8}, 0, 24, 0, {4, 18}}).is_ok());
  EXPECT_FALSE(plan_chip(tiny().shape, tiny().widths, {{8, 8}, 0, 0, 0, {5, 0}}).is_ok());
}

// The plan from the shape alone is the plan of the integer model, less the weights: the same matrix sites, memory
// map, program, blocks and memories on several arrays and ports; only the model's plan points at weights.
TEST(ChipPlan, ShapeAlonePlansTheSameChip) {
  const auto blocks_text = [](const ChipPlan& p) {
    std::string t;
    for (const auto& b : p.blocks()) {
      t += b.module + " x" + std::to_string(b.instances);
      for (const auto& [k, v] : b.values) t += " " + k + "=" + std::to_string(v);
      t += "\n";
    }
    for (const auto& m : p.memories()) t += m.name + " " + std::to_string(m.bits) + " " + m.note + "\n";
    return t;
  };
  const PlanOptions configs[] = {{{8, 8}, 256}, {{4, 8}, 64, 8}, {{3, 5}, 0}, {{16, 16}, 4096, 32}};
  for (const auto& o : configs) {
    auto from_model = plan_chip(tiny(), o);
    auto from_shape = plan_chip(tiny().shape, tiny().widths, o);
    ASSERT_TRUE(from_model.is_ok() && from_shape.is_ok());
    const ChipPlan &a = *from_model, &b = *from_shape;
    ASSERT_EQ(a.matrices.size(), b.matrices.size());
    for (size_t i = 0; i < a.matrices.size(); ++i) {
      const MatrixSite &x = a.matrices[i], &y = b.matrices[i];
      EXPECT_EQ(std::tie(x.name, x.rows, x.cols, x.base, x.words, x.rq_base, x.act_bits, x.out_bits, x.acc_bits),
                std::tie(y.name, y.rows, y.cols, y.base, y.words, y.rq_base, y.act_bits, y.out_bits, y.acc_bits));
      EXPECT_NE(x.lin, nullptr);
      EXPECT_EQ(y.lin, nullptr) << "a plan from the shape has no weights";
      EXPECT_EQ(x.lin->w.rows(), x.rows);
      EXPECT_EQ(x.lin->w.cols(), x.cols);
    }
    EXPECT_EQ(a.weight_images, b.weight_images);
    EXPECT_EQ(program_listing(a.program), program_listing(b.program));
    EXPECT_EQ(blocks_text(a), blocks_text(b));
    EXPECT_EQ(a.step_bounds(3).total.latency_cycles, b.step_bounds(3).total.latency_cycles);
  }
  // A model far too large to quantize here plans from its shape (Llama-3.1-8B on 32x32).
  golden::Shape big;
  big.dim = 4096, big.hidden_dim = 14336, big.n_layers = 32, big.n_heads = 32, big.n_kv_heads = 8;
  big.vocab = 128256, big.seq_len = 8192;
  auto plan = plan_chip(big, golden::Widths{}, {{32, 32}, 4096});
  ASSERT_TRUE(plan.is_ok()) << plan.message();
  EXPECT_EQ(plan->weight_bytes, 8029995008 - 128256 * 4096);  // every matrix (the embedding has its own SRAM)
  EXPECT_EQ(plan->k_max, 14336);
  EXPECT_EQ(plan->n_max, 128256);
}

TEST(ChipPlan, MatrixSitesByKindAndBlocksFromOneSource) {
  auto plan = plan_chip(tiny(), {{8, 8}, 256});
  ASSERT_TRUE(plan.is_ok());
  int64_t next = 0;
  for (const auto& m : plan->matrices) {
    EXPECT_EQ(m.base, next) << m.name;
    next += m.words;
  }
  EXPECT_EQ(next, plan->weight_words);
  EXPECT_EQ(plan->matrix(1, MatrixKind::kW3).name, "L1.w3");
  EXPECT_EQ(plan->matrix(1, MatrixKind::kW3).lin, &tiny().layers[1].w3);
  EXPECT_EQ(plan->classifier().name, "cls");
  EXPECT_EQ(static_cast<int64_t>(plan->weight_images.size()), 8 * ((plan->weight_words + 255) / 256));  // 8 banks
  // Every MATVEC reads the matrix its note names (or, fused, the two).
  int fused = 0;
  for (size_t pc = 0; pc < plan->program.size(); ++pc) {
    const auto& i = plan->program.code[pc];
    if (i.op != isa::Op::kMatvec) continue;
    const auto& note = plan->program.notes[pc];
    const auto& m = plan->matrices[static_cast<size_t>(note.matrix)];
    EXPECT_EQ(i.w_base, m.base);
    EXPECT_EQ(i.rq_base, m.rq_base);
    EXPECT_EQ(i.n_inner, m.cols);
    if (note.fused.empty()) {
      EXPECT_EQ(i.n_out, m.rows);
      continue;
    }
    // Fused: each the next matrix in the weight memory, after the rows before it padded to whole tiles of C (= 8)
    // rows; the vector requant ROM gives each channel its width, so wv (8-bit results) joins wq+wk (16).
    ++fused;
    const MatrixSite* prev = &m;
    int64_t at = 0;
    for (const auto& f : note.fused) {
      const auto& mf = plan->matrices[static_cast<size_t>(f.matrix)];
      EXPECT_EQ(f.matrix, (prev - plan->matrices.data()) + 1);
      EXPECT_EQ(mf.base, prev->base + prev->words);
      at += (prev->rows + 7) / 8 * 8;
      EXPECT_EQ(f.at, at);
      EXPECT_EQ(f.count, mf.rows);
      EXPECT_EQ(mf.cols, m.cols);
      prev = &mf;
    }
    EXPECT_EQ(i.n_out, note.fused.back().at + note.fused.back().count);
    EXPECT_LE(i.n_out, plan->n_max);
    EXPECT_EQ(note.fused.size(), 2u) << note.text;
    EXPECT_EQ(prev->kind, MatrixKind::kWv) << note.text;
  }
  EXPECT_EQ(fused, tiny().shape.n_layers);  // wq+wk+wv of every layer; w1+w3 exceed N_MAX = vocab here
  const auto core = plan->block("hw_core");
  auto value = [&](const std::string& k) {
    for (const auto& [n, v] : core.values)
      if (n == k) return v;
    ADD_FAILURE() << k;
    return int64_t{-1};
  };
  EXPECT_EQ(value("KV_DEPTH"), plan->map.kv_words);
  EXPECT_EQ(value("SCRATCH_DEPTH"), plan->map.scratch_words);
  EXPECT_EQ(value("PROG_DEPTH"), static_cast<int64_t>(plan->program.size()));
  EXPECT_EQ(value("W_BANK_DEPTH"), 256);
  EXPECT_EQ(value("W_ROWS"), 8);  // the default weight port: R x C
  EXPECT_EQ(plan->weight_port_bytes(), 64);
  // Bounds: compute = MACs / (R C), weights = bytes / weight port, KV = bytes read / KV port; phases add up.
  const auto& s = tiny().shape;
  for (int64_t pos : {int64_t{0}, s.seq_len - 1}) {
    const auto b = plan->step_bounds(pos);
    EXPECT_DOUBLE_EQ(b.total.weight_cycles, static_cast<double>(plan->weight_bytes) / 64.0);
    EXPECT_EQ(b.total.macs, plan->matmul_macs + golden::compute_stats(s, true).attention_macs_at(pos));
    EXPECT_DOUBLE_EQ(b.total.compute_cycles, static_cast<double>(b.total.macs) / 64.0);
    const auto& att = b.phase[static_cast<size_t>(Phase::kAttention)];
    EXPECT_EQ(att.kv_bytes, s.n_layers * (pos + 1) * plan->map.kv_row_words * 2 * plan->kv_port_bytes());
    EXPECT_DOUBLE_EQ(b.total.kv_cycles, static_cast<double>(att.kv_bytes) / static_cast<double>(plan->kv_port_bytes()));
    gen::Bounds sum;
    for (const auto& ph : b.phase) sum += ph;
    EXPECT_EQ(sum.macs, b.total.macs);
    EXPECT_GT(b.total.latency_cycles, 0);
    EXPECT_DOUBLE_EQ(sum.latency_cycles, b.total.latency_cycles);  // the chain, charged to its phases
    EXPECT_GT(b.phase[static_cast<size_t>(Phase::kNorm)].latency_cycles, 0);  // every norm is on the chain
    // The logits leave with the classifier where it streams them to the host (V > 1), else by OUTPUT.
    EXPECT_GT(b.phase[static_cast<size_t>(plan->map.vector_lanes > 1 ? Phase::kClassifier : Phase::kOutput)].latency_cycles,
              0);
    EXPECT_EQ(b.phase[static_cast<size_t>(Phase::kClassifier)].weight_bytes, plan->classifier().rows * plan->classifier().cols);
  }
  // The floor grows with the attention rows (softmax passes, the sum over positions).
  EXPECT_GT(plan->step_bounds(s.seq_len - 1).total.latency_cycles, plan->step_bounds(0).total.latency_cycles);
}

// hw_core starts a PV as soon as "its" probability row is written, counting rows and PVs (hw_core_softmax_writer):
// that needs the program to pair them in order. Every layer's k-th PV reads the row its k-th SCORES writes, and no
// PV reads a row of a SCORES that is not yet paired; V = 1 and V > 1 arrays alike.
// hw_core_attention holds one softmax row per head: the PV right after a SCORES takes every probability it made, over
// the same layer's V rows with the same walk (KV words per position, positions 0..pos), before the next SCORES.
TEST(Program, EveryScoresIsFollowedByItsPv) {
  int64_t fused_copies = 0;
  for (const gen::ArrayShape array : {gen::ArrayShape{8, 8}, gen::ArrayShape{3, 5}, gen::ArrayShape{16, 16}}) {
    for (const int64_t kv_port : {int64_t{0}, 2 * tiny().shape.head_size()}) {
      auto plan = plan_chip(tiny(), {array, 256, 0, kv_port});
      ASSERT_TRUE(plan.is_ok()) << plan.message();
      const auto& code = plan->program.code;
      const auto& mm = plan->map;
      int64_t layers = 0;
      for (size_t pc = 0; pc < code.size(); ++pc) {
        const auto& in = code[pc];
        if (in.op == isa::Op::kPv) {
          ASSERT_GT(pc, 0u);
          EXPECT_EQ(code[pc - 1].op, isa::Op::kScores) << "a PV not right after a SCORES at pc " << pc;
        }
        if (in.op != isa::Op::kScores) continue;
        ASSERT_LT(pc + 1, code.size());
        const auto& pv = code[pc + 1];
        ASSERT_EQ(pv.op, isa::Op::kPv) << "SCORES at pc " << pc;
        const int64_t l = plan->program.notes[pc].layer;
        EXPECT_EQ(in.b_base, mm.k_base(l));
        EXPECT_EQ(pv.b_base, mm.v_base(l));
        EXPECT_EQ(in.n_inner, mm.kv_row_words);
        EXPECT_EQ(pv.n_inner, in.n_inner);
        EXPECT_EQ(in.n_outer, gen::kPosPlusOne);
        EXPECT_EQ(pv.n_outer, gen::kPosPlusOne);
        EXPECT_EQ(pv.b_stride_inner, in.b_stride_inner);
        EXPECT_EQ(pv.b_stride_outer, in.b_stride_outer);
        EXPECT_EQ(in.b_stride_outer, mm.kv_pos_words);
        EXPECT_EQ(mm.kv_pos_words, 2 * mm.kv_row_words);
        EXPECT_EQ(mm.v_base(l), mm.k_base(l) + mm.kv_row_words) << "a position's V row right after its K row";
        // The position's K and V rows written by one COPYKV where k and v lie side by side (else one each).
        ASSERT_GE(pc, 1u);
        const auto& copy = code[pc - 1];
        ASSERT_EQ(copy.op, isa::Op::kCopyKv) << "SCORES at pc " << pc;
        if (mm.v == mm.k + tiny().shape.kv_dim()) {
          EXPECT_EQ(copy.a_base, mm.k);
          EXPECT_EQ(copy.n_inner, 2 * tiny().shape.kv_dim());
          EXPECT_EQ(copy.n_out, mm.kv_pos_words);
          EXPECT_EQ(copy.dst, mm.k_base(l));
          ++fused_copies;
        } else {
          ASSERT_GE(pc, 2u);
          EXPECT_EQ(code[pc - 2].op, isa::Op::kCopyKv);
          EXPECT_EQ(code[pc - 2].dst, mm.k_base(l));
          EXPECT_EQ(copy.dst, mm.v_base(l));
        }
        EXPECT_EQ(pv.n_out, tiny().shape.dim);
        EXPECT_EQ(pv.dst, mm.att);
        EXPECT_EQ(l, layers++);
      }
      EXPECT_EQ(layers, tiny().shape.n_layers);
    }
  }
  EXPECT_GT(fused_copies, 0) << "some array places k and v side by side";
}

// The energy model's per-event figures pass through Horowitz's published points (ISSCC 2014, 45 nm) exactly and lie
// on the stated log-log lines between them; the node rule is node / 45 nm x (Vdd / 0.9 V)^2.
TEST(Energy, PublishedPointsAndNodeRule) {
  EXPECT_DOUBLE_EQ(multiply_pj(8, 8), 0.2);
  EXPECT_NEAR(multiply_pj(32, 32), 3.1, 1e-12);
  EXPECT_DOUBLE_EQ(add_pj(8), 0.03);
  EXPECT_NEAR(add_pj(32), 0.1, 1e-12);
  EXPECT_NEAR(sram_read_pj(1024, 64), 10.0, 1e-9);      // 8 KB macro, 64 bits
  EXPECT_NEAR(sram_read_pj(4096, 64), 20.0, 1e-9);      // 32 KB
  // 512 KB, on the line from 32 KB (20 pJ) to 1 MB (100 pJ): 20 x 16^(ln 5 / ln 32) per 64 bits.
  EXPECT_NEAR(sram_read_pj(16384, 256), 4 * 20.0 * std::pow(16.0, std::log(5.0) / std::log(32.0)), 1e-9);
  EXPECT_NEAR(sram_read_pj(2048, 128), 40.0, 1e-9);     // 32 KB, two 64-bit reads
  EXPECT_LT(multiply_pj(8, 16), multiply_pj(16, 16));
  // A memory past the largest macro (16K words x 256 bits) is read from one macro of that size.
  EXPECT_DOUBLE_EQ(sram_read_pj(1 << 20, 256), sram_read_pj(16384, 256));
  EXPECT_DOUBLE_EQ(*energy_node_scale("45nm"), 1.0);
  EXPECT_NEAR(*energy_node_scale("7nm"), 7.0 / 45 * (0.75 / 0.9) * (0.75 / 0.9), 1e-12);
  EXPECT_NEAR(*energy_node_scale("180nm"), 16.0, 1e-12);
  EXPECT_EQ(energy_node_scale("3nm").message(), "unknown --node '3nm': choose 180nm, 45nm, 7nm or 5nm");
}

// The activity the program implies: every weight byte read once per step (padding of partial tiles included), the KV
// rows of every layer, one norm-ROM read per instruction; a full context sums its steps. The RTL's counts are held to
// these at every step of every `sim` run (verif/sim/sim.cpp).
TEST(Energy, StepActivityFromTheProgram) {
  for (const gen::ArrayShape array : {gen::ArrayShape{8, 8}, gen::ArrayShape{3, 5}}) {
    auto plan = plan_chip(tiny(), {array, 256});
    ASSERT_TRUE(plan.is_ok()) << plan.message();
    const auto& s = tiny().shape;
    for (int64_t pos : {int64_t{0}, int64_t{9}}) {
      const Activity a = step_activity(*plan, pos);
      const auto ev = [&](isa::Event e) { return a.events[static_cast<size_t>(e)]; };
      EXPECT_GE(ev(isa::Event::kWeightRead) * plan->weight_port_bytes(), plan->weight_bytes);
      EXPECT_EQ(ev(isa::Event::kKvRead), 2 * s.n_layers * (pos + 1) * plan->map.kv_row_words);
      EXPECT_EQ(ev(isa::Event::kKvWrite), 2 * s.n_layers * plan->map.kv_row_words);
      EXPECT_EQ(ev(isa::Event::kNormRead), static_cast<int64_t>(plan->program.size()));
      EXPECT_EQ(ev(isa::Event::kEmbRead), plan->map.vector_lanes > 1 ? plan->map.emb_words_per_row : s.dim);
      EXPECT_EQ(a.scores, s.n_layers * s.n_heads * (pos + 1));
      EXPECT_EQ(a.logits, s.vocab);
      EXPECT_EQ(a.results.at(isa::Op::kResadd), 2 * s.n_layers * s.dim);
    }
    Activity sum = step_activity(*plan, 0);
    sum += step_activity(*plan, 1);
    EXPECT_EQ(context_activity(*plan, 2), sum);
    EXPECT_EQ(sum.steps, 2);
    // Priced: every item positive, the total their sum, 7 nm cheaper by the node rule.
    auto e45 = price_activity(*plan, sum, "45nm");
    auto e7 = price_activity(*plan, sum, "7nm");
    ASSERT_TRUE(e45.is_ok() && e7.is_ok());
    double total = 0;
    for (const auto& i : e45->items) {
      EXPECT_GT(i.pj(), 0) << i.name;
      total += i.pj();
    }
    EXPECT_NEAR(e45->pj_per_token, total, 1e-6 * total);
    EXPECT_NEAR(e7->pj_per_token, e45->pj_per_token * *energy_node_scale("7nm"), 1e-6 * total);
    EXPECT_NEAR(e45->watts(100, 1000), e45->pj_per_token * 1e-12 * 1e5, 1e-15);
  }
}
