// hw_core_writeback against a cycle model of its contract: per instruction one op, every cycle random element-stream,
// consumer and unit-result inputs, and every output compared: dispatch (pop, unit valids), the result selected and
// saturated, the result counter, the scratchpad / KV / q write ports and op_done (SCORES: the attention unit's). With V > 1 scratchpad
// lanes a single result writes one lane of its word (all lanes carry it, the mask picks one) and MATVEC's results
// come V per beat, as do EMBED's and SWIGLU's, RESADD's V saturated sums of two operand words and NORM's and ROPE's V
// outputs per cycle (the lanes past
// n_out masked, the counter advancing by the lanes written).
// A vector beat is written from lane (dst + count) mod V of its word (its data rotated there), as many lanes as are
// left of n_out and fit the word (PV's results are vector beats too).
// Configuration: HW_XN_W, HW_ROPE_W, HW_V.
#include <memory>
#include <vector>

#include "Vhw_core_writeback.h"
#include "hardwire/gen/isa.hpp"
#include "hardwire/golden/ops.hpp"
#include "ports.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kXnW = HW_XN_W, kRopeW = HW_ROPE_W, kV = HW_V;
using gen::isa::Op;
struct Outs {
  bool pop, norm_valid, rope_valid, scratch_we, kv_we, q_we, result_valid, done;
  int64_t scratch_word, scratch_mask, kv_addr, q_addr, result_index, result_lanes;
  std::vector<int64_t> scratch_data, result;  // kV lanes each
  bool operator==(const Outs&) const = default;
};
std::string lanes_text(const std::vector<int64_t>& v) {
  std::string t;
  for (auto x : v) t += (t.empty() ? "" : ",") + std::to_string(x);
  return t;
}
std::string show(const Outs& o) {
  char b[512];
  std::snprintf(b, sizeof b,
                "pop %d norm %d rope %d scratch %d [%lld mask %llx] kv %d [%lld] q %d [%lld] "
                "result %d #%lld x%lld done %d",
                o.pop, o.norm_valid, o.rope_valid, o.scratch_we, static_cast<long long>(o.scratch_word), static_cast<long long>(o.scratch_mask), o.kv_we,
                static_cast<long long>(o.kv_addr), o.q_we, static_cast<long long>(o.q_addr), o.result_valid,
                static_cast<long long>(o.result_index), static_cast<long long>(o.result_lanes), o.done);
  return std::string(b) + " data " + lanes_text(o.scratch_data) + " result " + lanes_text(o.result);
}
int64_t u32(int64_t v) { return static_cast<int64_t>(static_cast<uint32_t>(v)); }
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_writeback V=" + std::to_string(kV);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_core_writeback>();
  verif::Sink<Outs> outs(block, seed ^ 1, show, false);
  verif::reset(*top);
  int64_t count = 0;
  long long cycles = 0;
  static const int kBits[] = {8, 16, 32};
  for (int instr = 0; instr < 2000; ++instr) {
    const Op op = gen::isa::ops()[rng() % gen::isa::ops().size()].op;
    const int64_t n_out = 1 + static_cast<int64_t>(rng() % 20), dst = static_cast<int64_t>(rng() % 5000);
    const int bits = kBits[rng() % 3];
    const bool to_host = op == Op::kMatvec && rng() % 4 == 0;  // the classifier: done when the output unit is
    const bool pack = op == Op::kCopyKv || op == Op::kPackQ, requant = op == Op::kEmbed || op == Op::kMatvec || op == Op::kPv || op == Op::kSwiglu;
    auto set_op = [&] {
      top->op_norm_i = op == Op::kNorm;
      top->op_rope_i = op == Op::kRope;
      top->op_copy_kv_i = op == Op::kCopyKv;
      top->op_scores_i = op == Op::kScores;
      top->op_resadd_i = op == Op::kResadd;
      top->op_output_i = op == Op::kOutput;
      top->op_pack_q_i = op == Op::kPackQ;
      top->op_pack_i = pack;
      top->op_requant_i = requant;
      top->op_matvec_i = op == Op::kMatvec;
      top->to_host_i = to_host;
      top->op_pv_i = op == Op::kPv;
      top->op_embed_i = op == Op::kEmbed;
      top->op_swiglu_i = op == Op::kSwiglu;
      top->n_out_i = static_cast<uint32_t>(n_out);
      top->dst_i = static_cast<uint32_t>(dst);
      top->out_bits_i = static_cast<uint8_t>(bits);
    };
    const int len = 1 + static_cast<int>(rng() % 40);
    for (int c = -1; c < len; ++c, ++cycles) {
      const bool decode = c == -1;
      set_op();
      top->decode_i = decode;
      // DECODE: nothing flows (the previous instruction is done, the next has not started).
      const bool flow = !decode;
      const bool elem_valid = flow && rng() % 2, norm_ready = rng() % 2, rope_ready = rng() % 2, output_ready = rng() % 2;
      const int64_t a = verif::sext(rng(), 1 + static_cast<int>(rng() % 32)), b = verif::sext(rng(), 1 + static_cast<int>(rng() % 32));
      const bool rq_valid = flow && rng() % 2, norm_out = flow && rng() % 2, rope_out = flow && rng() % 2;
      const bool pack_write = flow && rng() % 2, out_done = rng() % 2, scores_done = rng() % 2;
      const int64_t rq = static_cast<int32_t>(rng()), norm_y = verif::sext(rng(), kXnW), rope_y = verif::sext(rng(), kRopeW);
      const int64_t pack_tap = u32(static_cast<int32_t>(rng()));
      std::vector<int64_t> vec(kV);
      for (auto& x : vec) x = u32(static_cast<int32_t>(rng()));
      const bool vec_valid = flow && rng() % 2, word_valid = flow && rng() % 2;
      std::vector<int64_t> a_word(kV), b_word(kV), sums(kV);
      for (int l = 0; l < kV; ++l) {
        a_word[static_cast<size_t>(l)] = verif::sext(rng(), 1 + static_cast<int>(rng() % 32));
        b_word[static_cast<size_t>(l)] = verif::sext(rng(), 1 + static_cast<int>(rng() % 32));
        sums[static_cast<size_t>(l)] = u32(golden::saturate(a_word[static_cast<size_t>(l)] + b_word[static_cast<size_t>(l)], bits));
      }
      top->elem_valid_i = elem_valid;
      top->elem_a_i = static_cast<uint32_t>(a);
      top->elem_b_i = static_cast<uint32_t>(b);
      top->norm_ready_i = norm_ready;
      top->rope_ready_i = rope_ready;
      top->output_ready_i = output_ready;
      top->requant_valid_i = rq_valid;
      top->requant_i = static_cast<uint32_t>(rq);
      top->vec_valid_i = vec_valid;
      verif::set_lanes(top->vec_i, vec.data(), kV, 32);
      top->word_valid_i = word_valid;
      verif::set_lanes(top->a_word_i, a_word.data(), kV, 32);
      verif::set_lanes(top->b_word_i, b_word.data(), kV, 32);
      top->norm_out_valid_i = norm_out;
      std::vector<int64_t> norm_lanes(kV), norms(kV);  // lane 0 is the scalar result
      for (int l = 0; l < kV; ++l) {
        norm_lanes[static_cast<size_t>(l)] = l == 0 ? norm_y : verif::sext(rng(), kXnW);
        norms[static_cast<size_t>(l)] = u32(norm_lanes[static_cast<size_t>(l)]);
      }
      verif::set_lanes(top->norm_i, norm_lanes.data(), kV, kXnW);
      top->rope_out_valid_i = rope_out;
      std::vector<int64_t> rope_lanes(kV), ropes(kV);  // lane 0 is the scalar result
      for (int l = 0; l < kV; ++l) {
        rope_lanes[static_cast<size_t>(l)] = l == 0 ? rope_y : verif::sext(rng(), kRopeW);
        ropes[static_cast<size_t>(l)] = u32(golden::saturate(rope_lanes[static_cast<size_t>(l)], bits));
      }
      verif::set_lanes(top->rope_i, rope_lanes.data(), kV, kRopeW);
      top->pack_write_i = pack_write;
      top->pack_word_i = static_cast<uint32_t>(pack_tap);
      top->output_done_i = out_done;
      top->scores_done_i = scores_done;
      verif::settle_low(*top);
      // The model.
      Outs m{};
      const bool ready = op == Op::kNorm ? norm_ready : op == Op::kRope ? rope_ready : op == Op::kOutput ? output_ready : true;
      m.pop = elem_valid && ready;
      m.norm_valid = elem_valid && op == Op::kNorm;
      m.rope_valid = elem_valid && op == Op::kRope;
      bool rv = false;
      int64_t r = 0;
      const bool vector = kV > 1 && (op == Op::kMatvec || op == Op::kResadd || op == Op::kNorm || op == Op::kEmbed ||
                                     op == Op::kSwiglu || op == Op::kRope || op == Op::kPv);
      const std::vector<int64_t>& vdata = op == Op::kResadd ? sums : op == Op::kNorm ? norms : op == Op::kRope ? ropes : vec;
      if (vector) rv = op == Op::kResadd ? word_valid : op == Op::kNorm ? norm_out : op == Op::kRope ? rope_out : vec_valid;
      else if (requant) rv = rq_valid, r = rq;
      else if (op == Op::kNorm) rv = norm_out, r = norm_y;
      else if (op == Op::kRope) rv = rope_out, r = golden::saturate(rope_y, bits);
      else if (op == Op::kResadd) rv = m.pop, r = golden::saturate(a + b, bits);
      else if (pack) rv = pack_write, r = pack_tap;
      m.result_valid = rv;
      // Lanes of a vector beat: the outputs left, at most V (as 32-bit unsigned: past n_out, which the core never
      // reaches, a full word).
      const int64_t off = vector ? u32(dst + count) % kV : 0;
      const int64_t lanes = vector ? (u32(n_out - count) < kV - off ? n_out - count : kV - off) : 1;
      m.scratch_we = rv && !pack;
      const int64_t addr = u32(dst + count);
      m.scratch_word = addr / kV;
      m.scratch_mask = int64_t{1} << (addr % kV);
      if (vector) {
        m.scratch_mask = 0;
        for (int l = 0; l < kV; ++l)
          if (l >= off && l - off < lanes) m.scratch_mask |= int64_t{1} << l;
      }
      m.scratch_data = std::vector<int64_t>(kV, u32(r));
      if (vector)
        for (int l = 0; l < kV; ++l) m.scratch_data[static_cast<size_t>(l)] = vdata[static_cast<size_t>((l - off + kV) % kV)];
      m.result = vector ? vdata : std::vector<int64_t>(kV, 0);
      if (!vector) m.result[0] = u32(r);
      m.result_lanes = lanes;
      m.kv_we = rv && op == Op::kCopyKv;
      m.kv_addr = u32(dst + count);
      m.q_we = rv && op == Op::kPackQ;
      m.q_addr = count;
      m.result_index = count;
      m.done = (op == Op::kOutput || to_host) ? out_done : op == Op::kScores ? scores_done : count == n_out;
      Outs got{top->elem_pop_o != 0, top->norm_valid_o != 0, top->rope_valid_o != 0,
               top->scratch_we_o != 0, top->kv_we_o != 0, top->q_we_o != 0,
               top->result_valid_o != 0, top->op_done_o != 0,
               static_cast<int64_t>(top->scratch_word_o), static_cast<int64_t>(top->scratch_mask_o),
               static_cast<int64_t>(top->kv_addr_o), static_cast<int64_t>(top->q_addr_o),
               static_cast<int64_t>(top->result_index_o), static_cast<int64_t>(top->result_lanes_o), {}, {}};
      for (int l = 0; l < kV; ++l) {
        got.scratch_data.push_back(u32(verif::get_lane(top->scratch_data_o, l, 32)));
        got.result.push_back(u32(verif::get_lane(top->result_o, l, 32)));
      }
      outs.expect(m);
      outs.check(got);
      verif::rising_edge(*top);
      if (decode) count = 0;
      if (rv) count += lanes;
    }
  }
  top->final();
  return verif::finish(block, seed, outs.checked(), outs.failed(), std::to_string(cycles) + " cycles");
}
