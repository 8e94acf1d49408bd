// hw_core_sequencer against the ISA definition: the program of a generated design (tiny on 8x8, its hw_isa_pkg and
// mem/program.hex) runs step after step at random (token, pos); at every instruction the phases are checked cycle by
// cycle (FETCH for the step's first instruction only, the others fetched during their predecessor's EXEC; DECODE with
// the norm ROM index, in a cycle of its own only for the step's first instruction and after an op_done in the first
// EXEC cycle, else in the predecessor's op_done cycle; SETUP until the start condition, EXEC until op_done) and the decoded
// fields and op bits against isa::decode of the same word with the token and position applied (pos + 1 for 0
// lengths, the flags' base adjustments). Start conditions and op_done come at random times.
// With HW_OVERLAP (the sequencer's OVERLAP): reads_done, an empty writeback queue and the draining instruction's done
// come at random too; in EXEC (not its first cycle) the next word is decoded while this one drains exactly when no
// other drains, its reads are done, the queue is empty, it is not done, and the two may overlap (the rule restated
// below); the draining slot then shows this instruction's fields until old_done, and op_done ends an instruction only
// once nothing drains.
// Configuration: HW_DESIGN_MODEL, HW_DESIGN_ARRAY (the design whose packages it is built with; the plan is rebuilt
// here from the same model), HW_PROG_FILE (the program image, written here).
#include <memory>
#include <vector>

#include "Vhw_core_sequencer.h"
#include "hardwire/gen/chip_plan.hpp"
#include "hardwire/gen/model_source.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "stream.hpp"

using namespace hardwire;

#ifndef HW_OVERLAP
#define HW_OVERLAP 0
#endif

namespace {
constexpr bool kOverlap = HW_OVERLAP != 0;
// May `next` start while `running` drains (hw_core_sequencer's overlap_ok, restated): they hold different units
// (RESADD none; EMBED and SWIGLU the requantizer word; SCORES and PV that and the attention unit; NORM, MATVEC, ROPE,
// COPYKV and PACKQ each their own); neither is OUTPUT or the classifier; `running` is not SCORES; `next` is not PV,
// nor a SCORES while a PACKQ drains.
bool may_overlap(const gen::isa::Instr& running, const gen::isa::Instr& next) {
  using gen::isa::Op;
  enum : unsigned { kRequant = 1, kAttention = 2, kNorm = 4, kMatvec = 8, kRope = 16, kKvPack = 32, kQPack = 64 };
  auto units = [](Op o) -> unsigned {
    switch (o) {
      case Op::kResadd: return 0;
      case Op::kEmbed: case Op::kSwiglu: return kRequant;
      case Op::kScores: case Op::kPv: return kRequant | kAttention;
      case Op::kNorm: return kNorm;
      case Op::kMatvec: return kMatvec;
      case Op::kRope: return kRope;
      case Op::kCopyKv: return kKvPack;
      case Op::kPackQ: return kQPack;
      default: return ~0u;  // OUTPUT
    }
  };
  return (units(running.op) & units(next.op)) == 0 && !running.to_host && !next.to_host &&
         running.op != Op::kOutput && next.op != Op::kOutput && running.op != Op::kScores && next.op != Op::kPv &&
         !(next.op == Op::kScores && running.op == Op::kPackQ);
}
struct Old {
  int64_t pc = 0, n_out = 0, dst = 0, rq_base = 0, out_bits = 0, silu_layer = 0, op_bits = 0;
  bool operator==(const Old&) const = default;
};
struct Decoded {
  int64_t pc = 0, a_base = 0, a_si = 0, a_so = 0, b_base = 0, b_si = 0, b_so = 0, n_inner = 0, n_outer = 0, n_out = 0,
          dst = 0, rq_base = 0, out_bits = 0, w_base = 0, gs_base = 0, silu_layer = 0, op_bits = 0, to_host = 0;
  bool operator==(const Decoded&) const = default;
};
std::string show(const Decoded& d) {
  char b[400];
  std::snprintf(b, sizeof b,
                "pc %lld: a %lld/%lld/%lld b %lld/%lld/%lld n %lld x %lld -> %lld dst %lld rq %lld bits %lld w %lld "
                "gs %lld layer %lld ops %llx to_host %lld",
                static_cast<long long>(d.pc), static_cast<long long>(d.a_base), static_cast<long long>(d.a_si),
                static_cast<long long>(d.a_so), static_cast<long long>(d.b_base), static_cast<long long>(d.b_si),
                static_cast<long long>(d.b_so), static_cast<long long>(d.n_outer), static_cast<long long>(d.n_inner),
                static_cast<long long>(d.n_out), static_cast<long long>(d.dst), static_cast<long long>(d.rq_base),
                static_cast<long long>(d.out_bits), static_cast<long long>(d.w_base), static_cast<long long>(d.gs_base),
                static_cast<long long>(d.silu_layer),
                static_cast<unsigned long long>(d.op_bits), static_cast<long long>(d.to_host));
  return b;
}
// The op as the sequencer's one-hot bits plus groups (hw_core_sequencer's port order).
int64_t op_bits(gen::isa::Op op) {
  using gen::isa::Op;
  const bool b[] = {op == Op::kEmbed,  op == Op::kNorm,   op == Op::kMatvec, op == Op::kRope,
                    op == Op::kCopyKv, op == Op::kScores, op == Op::kPv,     op == Op::kSwiglu,
                    op == Op::kResadd, op == Op::kOutput, op == Op::kPackQ,
                    op == Op::kScores || op == Op::kPv, op == Op::kCopyKv || op == Op::kPackQ,
                    op == Op::kSwiglu || op == Op::kResadd,
                    op == Op::kEmbed || op == Op::kMatvec || op == Op::kPv || op == Op::kSwiglu};
  int64_t v = 0;
  for (size_t i = 0; i < std::size(b); ++i) v |= int64_t{b[i]} << i;
  return v;
}
template <class T>
int64_t got_op_bits(const T& t) {
  const bool b[] = {t.op_embed_o != 0, t.op_norm_o != 0,   t.op_matvec_o != 0, t.op_rope_o != 0,  t.op_copy_kv_o != 0,
                    t.op_scores_o != 0, t.op_pv_o != 0,    t.op_swiglu_o != 0, t.op_resadd_o != 0, t.op_output_o != 0,
                    t.op_pack_q_o != 0, t.op_vector_o != 0, t.op_pack_o != 0,  t.op_reads_b_o != 0, t.op_requant_o != 0};
  int64_t v = 0;
  for (size_t i = 0; i < std::size(b); ++i) v |= int64_t{b[i]} << i;
  return v;
}
template <class T>
Old got_old(const T& t) {
  const bool b[] = {t.old_op_embed_o != 0, t.old_op_norm_o != 0, t.old_op_matvec_o != 0, t.old_op_rope_o != 0,
                    t.old_op_copy_kv_o != 0, t.old_op_pv_o != 0, t.old_op_swiglu_o != 0, t.old_op_resadd_o != 0,
                    t.old_op_pack_q_o != 0};
  int64_t v = 0;
  for (size_t i = 0; i < std::size(b); ++i) v |= int64_t{b[i]} << i;
  return Old{static_cast<int64_t>(t.old_pc_o), t.old_n_out_o, t.old_dst_o, t.old_rq_base_o, t.old_out_bits_o,
             t.old_silu_layer_o, v};
}
int64_t old_bits(gen::isa::Op op) {
  using gen::isa::Op;
  const bool b[] = {op == Op::kEmbed, op == Op::kNorm, op == Op::kMatvec, op == Op::kRope, op == Op::kCopyKv,
                    op == Op::kPv, op == Op::kSwiglu, op == Op::kResadd, op == Op::kPackQ};
  int64_t v = 0;
  for (size_t i = 0; i < std::size(b); ++i) v |= int64_t{b[i]} << i;
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  const std::string block = std::string("rtl core_sequencer (") + HW_DESIGN_MODEL + " " + HW_DESIGN_ARRAY + ")";
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto src = gen::resolve_model(HW_DESIGN_MODEL);
  auto fm = src ? gen::load_float_model(*src) : Result<golden::FloatModel>(src.error());
  auto qm = fm ? gen::quantize(*fm, {}) : Result<golden::QModel>(fm.error());
  auto array = gen::parse_array(HW_DESIGN_ARRAY);
  if (!qm || !array) return verif::finish(block, seed, 0, 1, "cannot rebuild the design's model");
  auto plan = gen::plan_chip(*qm, {*array, 4096});
  if (!plan) return verif::finish(block, seed, 0, 1, plan.message());
  const auto& prog = plan->program;
  const auto& s = qm->shape;
  // The program ROM's image, as `hardwire generate` writes it (read when the model is constructed).
  {
    FILE* f = std::fopen(HW_PROG_FILE, "w");
    if (!f) return verif::finish(block, seed, 0, 1, "cannot write " + std::string(HW_PROG_FILE));
    const std::string hex = gen::program_hex_words(prog);
    std::fwrite(hex.data(), 1, hex.size(), f);
    std::fclose(f);
  }

  auto top = std::make_unique<Vhw_core_sequencer>();
  verif::Sink<Decoded> decoded(block, seed ^ 1, show, false);
  verif::StallPattern host(seed ^ 2), start_ok(seed ^ 3), done(seed ^ 4), old_done(seed ^ 7);
  verif::reset(*top);
  long long cycles = 0, protocol = 0;
  auto fail = [&](const std::string& what) {
    if (protocol++ < 5) std::printf("[%s] MISMATCH at cycle %lld: %s\n", block.c_str(), cycles, what.c_str());
  };
  bool old_valid = false;  // the model's draining slot
  Old old;
  long long overlaps = 0;
  // The draining slot's outputs, and its done (at random) while it is valid; after the edge the slot empties.
  auto drive_old = [&] {
    top->old_done_i = old_valid && old_done.next();
    top->reads_done_i = rng() % 4 != 0;
    top->queue_empty_i = rng() % 4 != 0;
  };
  auto check_old = [&](const std::string& where) {
    if ((top->old_valid_o != 0) != old_valid) fail("old_valid in " + where);
    if (old_valid && !(got_old(*top) == old)) fail("the draining slot's fields in " + where);
  };
  auto edge_old = [&] {
    if (old_valid && top->old_done_i) old_valid = false;
  };
  auto tick = [&] {
    verif::rising_edge(*top);
    ++cycles;
  };
  const int steps = 30;
  for (int step = 0; step < steps; ++step) {
    const int64_t token = static_cast<int64_t>(rng() % static_cast<uint64_t>(s.vocab));
    const int64_t pos = static_cast<int64_t>(rng() % static_cast<uint64_t>(s.seq_len));
    // Idle: the request waits a few cycles, then is taken.
    for (;;) {
      top->in_valid_i = host.next();
      top->in_token_i = static_cast<uint32_t>(token);
      top->in_pos_i = static_cast<uint32_t>(pos);
      top->op_done_i = 0;
      drive_old();
      verif::settle_low(*top);
      if (!top->in_ready_o || top->busy_o) fail("not idle between steps");
      check_old("IDLE");
      const bool taken = top->in_valid_i;
      tick();
      if (taken) break;
    }
    top->in_valid_i = 0;
    bool decoded_early = false;  // the next word was decoded in the op_done cycle of the one before
    for (size_t pc = 0; pc < prog.size(); ++pc) {
      const auto& in = prog.code[pc];
      // FETCH: the step's first instruction only; every later one was fetched in its predecessor's first EXEC cycle.
      if (pc == 0) {
        verif::settle_low(*top);
        if (top->decode_o || top->setup_o || top->exec_o || static_cast<size_t>(top->pc_o) != pc) fail("FETCH of pc " + std::to_string(pc));
        tick();
      }
      // DECODE: a cycle of its own only for the step's first instruction and after an op_done in the first EXEC
      // cycle; else the word was decoded in the predecessor's op_done cycle (checked there).
      if (!decoded_early) {
        verif::settle_low(*top);
        if (static_cast<size_t>(top->pc_o) != pc) fail("pc in DECODE of pc " + std::to_string(pc));
        if (!top->decode_o || top->setup_o || top->exec_o || static_cast<uint32_t>(top->norm_index_o) != in.norm_index)
          fail("DECODE of pc " + std::to_string(pc));
        tick();
      }
      decoded_early = false;
      // SETUP until the start condition holds.
      const bool scores = in.op == gen::isa::Op::kScores;
      for (;;) {
        top->scores_ready_i = start_ok.next();
        drive_old();
        verif::settle_low(*top);
        if (!top->setup_o) fail("SETUP of pc " + std::to_string(pc));
        check_old("SETUP of pc " + std::to_string(pc));
        const bool may = !scores || top->scores_ready_i;
        if (top->start_o != may) fail("start condition of pc " + std::to_string(pc));
        const int64_t row = pos + 1;
        auto len = [&](uint32_t v) { return v == 0 ? row : static_cast<int64_t>(v); };
        decoded.expect(Decoded{static_cast<int64_t>(pc), in.a_base, in.a_stride_inner, in.a_stride_outer,
                               in.b_base + (in.b_add_token_row ? token * plan->map.emb_words_per_row : 0),
                               in.b_stride_inner, in.b_stride_outer, len(in.n_inner), len(in.n_outer), len(in.n_out),
                               in.dst + (in.dst_add_position ? pos * plan->map.kv_pos_words : 0),
                               in.rq_base + (in.rq_add_token ? token : 0), in.out_bits, in.w_base, in.gs_base, in.silu_layer,
                               op_bits(in.op), in.to_host});
        decoded.check(Decoded{static_cast<int64_t>(top->pc_o), top->a_base_o, top->a_stride_inner_o,
                              top->a_stride_outer_o, top->b_base_o, top->b_stride_inner_o, top->b_stride_outer_o,
                              top->n_inner_o, top->n_outer_o, top->n_out_o, top->dst_o, top->rq_base_o,
                              top->out_bits_o, top->w_base_o, top->gs_base_o, top->silu_layer_o, got_op_bits(*top),
                              top->to_host_o});
        edge_old();
        tick();
        if (may) break;
      }
      // EXEC until op_done; the op_done cycle decodes the next word unless it ends the step or comes in the first
      // EXEC cycle (the next word is read then).
      const bool last = in.op == gen::isa::Op::kOutput || in.to_host;
      for (bool first = true;; first = false) {
        top->op_done_i = done.next();
        drive_old();
        verif::settle_low(*top);
        if (!top->exec_o || !top->busy_o || static_cast<int64_t>(top->pos_o) != pos) fail("EXEC of pc " + std::to_string(pc));
        check_old("EXEC of pc " + std::to_string(pc));
        // op_done ends the instruction only once nothing drains; the overlap decode moves it to the draining slot.
        const bool d = top->op_done_i && !old_valid;
        const bool ov = kOverlap && !first && !top->op_done_i && !old_valid && top->reads_done_i &&
                        top->queue_empty_i && pc + 1 < prog.size() && may_overlap(in, prog.code[pc + 1]);
        const bool early = (d && !first && !last) || ov;
        if (static_cast<bool>(top->decode_o) != early || static_cast<bool>(top->overlap_o) != ov)
          fail("decode in EXEC of pc " + std::to_string(pc));
        if (early && static_cast<uint32_t>(top->norm_index_o) != prog.code[pc + 1].norm_index)
          fail("early decode after pc " + std::to_string(pc));
        edge_old();
        if (ov) {
          old_valid = true;
          old = Old{static_cast<int64_t>(pc), in.n_out == 0 ? pos + 1 : static_cast<int64_t>(in.n_out),
                    in.dst + (in.dst_add_position ? pos * plan->map.kv_pos_words : 0),
                    in.rq_base + (in.rq_add_token ? token : 0), in.out_bits, in.silu_layer, old_bits(in.op)};
          ++overlaps;
        }
        tick();
        if (d || ov) {
          decoded_early = early;
          break;
        }
      }
      top->op_done_i = 0;
    }
  }
  verif::settle_low(*top);
  if (!top->in_ready_o) fail("not idle after the last step");
  top->final();
  return verif::finish(block, seed, decoded.checked(), decoded.failed() + protocol,
                       std::to_string(steps) + " steps, " + std::to_string(cycles) + " cycles" +
                           (kOverlap ? ", " + std::to_string(overlaps) + " overlaps" : ""));
}
