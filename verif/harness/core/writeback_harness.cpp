// hw_core_writeback against a cycle model of its contract: per instruction one op, every cycle random element-stream,
// consumer and unit-result inputs, and every output compared: dispatch (pop, unit valids), the result selected and
// saturated, the result counter, the scratchpad / KV / q write ports (the tap: scratchpad writes) and op_done
// (SCORES: the attention unit's). With V > 1 scratchpad
// lanes a single result writes one lane of its word (all lanes carry it, the mask picks one) and MATVEC's results
// come V per beat, as do EMBED's and SWIGLU's, RESADD's V saturated sums of two operand words and NORM's and ROPE's V
// outputs per cycle (the lanes past
// n_out masked, the counter advancing by the lanes written).
// A vector beat is written from lane (dst + count) mod V of its word (its data rotated there), as many lanes as are
// left of n_out and fit the word (PV's results are vector beats too).
// Configuration: HW_XN_W, HW_ROPE_W, HW_V.
#include <algorithm>
#include <deque>
#include <iterator>
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
  // What the unit shows this cycle.
  auto read_outs = [&] {
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
    return got;
  };
  static const int kBits[] = {8, 16, 32};
  for (int instr = 0; instr < 2000; ++instr) {
    const Op op = gen::isa::ops()[rng() % gen::isa::ops().size()].op;
    const int64_t n_out = 1 + static_cast<int64_t>(rng() % 20), dst = static_cast<int64_t>(rng() % 5000);
    const int bits = kBits[rng() % 3];
    const bool to_host = op == Op::kMatvec && rng() % 4 == 0;  // the classifier: done when the output unit is
    const bool pack = op == Op::kCopyKv || op == Op::kPackQ, requant = op == Op::kEmbed || op == Op::kMatvec || op == Op::kPv || op == Op::kSwiglu;
    auto set_op = [&] {
      top->overlap_i = 0;  // one instruction at a time here (the overlap cases follow)
      top->old_valid_i = 0;
      top->old_op_norm_i = top->old_op_rope_i = top->old_op_copy_kv_i = top->old_op_pack_q_i = 0;
      top->old_vec_valid_i = top->old_pack_write_i = 0;
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
      else if (pack) rv = pack_write;  // a packed word: its memory's port, not the scratchpad's tap
      m.result_valid = rv && !pack;
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
      Outs got = read_outs();
      outs.expect(m);
      outs.check(got);
      verif::rising_edge(*top);
      if (decode) count = 0;
      if (rv) count += lanes;
    }
  }
  // Overlap (V > 1): an instruction drains in the old slot while the next one runs. The draining one's results are
  // written as they come; the running one's scratchpad results queue (in order, QDEPTH beats) behind them and leave
  // in cycles where the draining one writes no scratchpad word, unless one of their lanes is among its unwritten
  // results; packed words (COPYKV, PACKQ, draining or running) go to their own memory's port as they come. The running one is
  // done when all its results are produced and the queue is empty; old_done when the draining one's are written.
  // Sources are driven as hw_core's scoreboard and units guarantee: the running one gives a result only while the
  // queue has room.
  if (kV > 1) {
    struct Beat {
      int64_t index, lanes;
      std::vector<int64_t> data;
    };
    constexpr int kQDepth = 4;
    int64_t old_count = 0;
    std::deque<Beat> queue;
    static const Op kOld[] = {Op::kMatvec, Op::kEmbed, Op::kSwiglu, Op::kPv, Op::kNorm, Op::kRope, Op::kCopyKv, Op::kPackQ};
    static const Op kCur[] = {Op::kResadd, Op::kRope, Op::kNorm, Op::kMatvec, Op::kEmbed, Op::kSwiglu, Op::kCopyKv, Op::kPackQ};
    auto unit = [](Op o) {
      return o == Op::kEmbed || o == Op::kSwiglu || o == Op::kPv ? 1 : o == Op::kMatvec ? 2 : o == Op::kNorm ? 3 : o == Op::kRope ? 4 : o == Op::kResadd ? 0 : 5 + static_cast<int>(o);
    };
    for (int pair = 0; pair < 600; ++pair) {
      Op old_op, op;
      do {
        old_op = kOld[rng() % std::size(kOld)];
        op = kCur[rng() % std::size(kCur)];
      } while (unit(old_op) == unit(op));
      const int64_t old_n = 1 + static_cast<int64_t>(rng() % 40), old_dst = static_cast<int64_t>(rng() % 96) * (rng() % 2 ? 1 : kV);
      // Half the time the second one's results land among the first one's (which the queue must not overtake).
      const int64_t n_out = 1 + static_cast<int64_t>(rng() % 40);
      const int64_t dst = rng() % 2 ? old_dst + static_cast<int64_t>(rng() % old_n)
                                    : static_cast<int64_t>(rng() % 96) * (rng() % 2 ? 1 : kV);
      const int old_bits = kBits[rng() % 3], bits = kBits[rng() % 3];
      const bool old_pack = old_op == Op::kCopyKv || old_op == Op::kPackQ;
      const int64_t ahead = static_cast<int64_t>(rng() % 3);  // results the first one gives before the next starts
      bool old_valid = false, started = false;  // `count` goes on from the instruction before (its decode resets it)
      for (int c = -1; c < 400; ++c, ++cycles) {
        // c = -1: the first instruction decodes; it runs until `ahead` results are given (or all), then the overlap
        // decode moves it to the old slot and the second one runs.
        const bool decode = c == -1, overlap = !decode && !started && (count >= std::min(ahead, old_n) ? true : false);
        const Op cur = started ? op : old_op;
        const int64_t cur_n = started ? n_out : old_n, cur_dst = started ? dst : old_dst;
        const int cur_bits = started ? bits : old_bits;
        top->decode_i = decode || overlap;
        top->overlap_i = overlap;
        top->op_norm_i = cur == Op::kNorm;
        top->op_rope_i = cur == Op::kRope;
        top->op_copy_kv_i = cur == Op::kCopyKv;
        top->op_scores_i = 0;
        top->op_resadd_i = cur == Op::kResadd;
        top->op_output_i = 0;
        top->op_pack_q_i = cur == Op::kPackQ;
        top->op_pack_i = cur == Op::kCopyKv || cur == Op::kPackQ;
        top->op_requant_i = cur == Op::kEmbed || cur == Op::kMatvec || cur == Op::kPv || cur == Op::kSwiglu;
        top->op_matvec_i = cur == Op::kMatvec;
        top->to_host_i = 0;
        top->op_pv_i = cur == Op::kPv;
        top->op_embed_i = cur == Op::kEmbed;
        top->op_swiglu_i = cur == Op::kSwiglu;
        top->n_out_i = static_cast<uint32_t>(cur_n);
        top->dst_i = static_cast<uint32_t>(cur_dst);
        top->out_bits_i = static_cast<uint8_t>(cur_bits);
        top->old_valid_i = old_valid;
        top->old_op_norm_i = old_valid && old_op == Op::kNorm;
        top->old_op_rope_i = old_valid && old_op == Op::kRope;
        top->old_op_copy_kv_i = old_valid && old_op == Op::kCopyKv;
        top->old_op_pack_q_i = old_valid && old_op == Op::kPackQ;
        top->old_n_out_i = static_cast<uint32_t>(old_n);
        top->old_dst_i = static_cast<uint32_t>(old_dst);
        top->old_out_bits_i = static_cast<uint8_t>(old_bits);
        // The units' outputs: the running instruction's one source and the draining one's, each at random (a NORM
        // or ROPE output belongs to whichever of the two is NORM or ROPE).
        const bool room = static_cast<int>(queue.size()) < kQDepth;
        const bool give_cur = !decode && count < cur_n && (old_valid || !queue.empty() ? room : true) && rng() % 2;
        const bool give_old = old_valid && old_count < old_n && rng() % 2;
        std::vector<int64_t> vec(kV), old_vec(kV), a_word(kV), b_word(kV), norm_lanes(kV), rope_lanes(kV);
        for (int l = 0; l < kV; ++l) {
          vec[static_cast<size_t>(l)] = u32(static_cast<int32_t>(rng()));
          old_vec[static_cast<size_t>(l)] = u32(static_cast<int32_t>(rng()));
          a_word[static_cast<size_t>(l)] = verif::sext(rng(), 1 + static_cast<int>(rng() % 32));
          b_word[static_cast<size_t>(l)] = verif::sext(rng(), 1 + static_cast<int>(rng() % 32));
          norm_lanes[static_cast<size_t>(l)] = verif::sext(rng(), kXnW);
          rope_lanes[static_cast<size_t>(l)] = verif::sext(rng(), kRopeW);
        }
        const bool norm_out = (cur == Op::kNorm && give_cur) || (old_valid && old_op == Op::kNorm && give_old);
        const bool rope_out = (cur == Op::kRope && give_cur) || (old_valid && old_op == Op::kRope && give_old);
        const bool cur_vec = cur == Op::kMatvec || cur == Op::kEmbed || cur == Op::kSwiglu || cur == Op::kPv;
        const bool old_vec_op = old_op == Op::kMatvec || old_op == Op::kEmbed || old_op == Op::kSwiglu || old_op == Op::kPv;
        const bool cur_pack = cur == Op::kCopyKv || cur == Op::kPackQ;
        top->elem_valid_i = 0;
        top->norm_ready_i = 1;
        top->rope_ready_i = 1;
        top->output_ready_i = 1;
        top->requant_valid_i = 0;
        top->vec_valid_i = cur_vec && give_cur;
        verif::set_lanes(top->vec_i, vec.data(), kV, 32);
        top->old_vec_valid_i = old_valid && old_vec_op && give_old;
        verif::set_lanes(top->old_vec_i, old_vec.data(), kV, 32);
        top->word_valid_i = cur == Op::kResadd && give_cur;
        verif::set_lanes(top->a_word_i, a_word.data(), kV, 32);
        verif::set_lanes(top->b_word_i, b_word.data(), kV, 32);
        top->norm_out_valid_i = norm_out;
        verif::set_lanes(top->norm_i, norm_lanes.data(), kV, kXnW);
        top->rope_out_valid_i = rope_out;
        verif::set_lanes(top->rope_i, rope_lanes.data(), kV, kRopeW);
        top->pack_write_i = cur_pack && give_cur;
        top->old_pack_write_i = old_valid && old_pack && give_old;
        top->output_done_i = 0;
        top->scores_done_i = 0;
        verif::settle_low(*top);
        // The model: each slot's beat, then the one write.
        auto lanes_of = [](Op o, int b, const std::vector<int64_t>& v, const std::vector<int64_t>& aw, const std::vector<int64_t>& bw,
                           const std::vector<int64_t>& nl, const std::vector<int64_t>& rl) {
          std::vector<int64_t> out(kV);
          for (size_t l = 0; l < static_cast<size_t>(kV); ++l)
            out[l] = o == Op::kResadd ? u32(golden::saturate(aw[l] + bw[l], b)) : o == Op::kNorm ? u32(nl[l])
                   : o == Op::kRope ? u32(golden::saturate(rl[l], b)) : v[l];
          return out;
        };
        const bool cur_rv = give_cur;
        const bool cur_vector = !cur_pack;
        const int64_t off = cur_vector ? u32(cur_dst + count) % kV : 0;
        const int64_t lanes = cur_vector ? std::min<int64_t>(cur_n - count, kV - off) : 1;
        const std::vector<int64_t> cur_data = lanes_of(cur, cur_bits, vec, a_word, b_word, norm_lanes, rope_lanes);
        const bool old_rv = give_old;
        const int64_t old_off = old_pack ? 0 : u32(old_dst + old_count) % kV;
        const int64_t old_lanes = old_pack ? 1 : std::min<int64_t>(old_n - old_count, kV - old_off);
        const std::vector<int64_t> old_data = lanes_of(old_op, old_bits, old_vec, a_word, b_word, norm_lanes, rope_lanes);
        const bool queueing = old_valid || !queue.empty();
        bool head_clear = false;
        if (!queue.empty()) {
          const int64_t lo = dst + queue.front().index, hi = lo + queue.front().lanes;
          head_clear = !old_valid || old_pack || hi <= old_dst + old_count || old_dst + old_n <= lo;
        }
        // The scratchpad's one write: the draining instruction's word, else the queue's head (unless a lane of it is
        // among the draining one's unwritten results), else the running one's own when nothing queues. Packed words
        // go to their own memory as they come, the draining one's and the running one's alike (never one memory twice).
        const bool old_scratch = old_rv && !old_pack;
        const bool dequeue = !queue.empty() && !old_scratch && head_clear;
        Outs m{};
        bool w = false, w_old = false, w_vector = true;
        int64_t w_dst = 0, w_index = 0, w_lanes = 0;
        std::vector<int64_t> w_data(kV, 0);
        if (old_scratch) {
          w = w_old = true;
          w_dst = old_dst, w_index = old_count, w_lanes = old_lanes, w_data = old_data;
        } else if (dequeue) {
          w = true;
          w_dst = dst, w_index = queue.front().index, w_lanes = queue.front().lanes, w_data = queue.front().data;
        } else if (!queueing && cur_rv && !cur_pack) {
          w = true;
          w_vector = cur_vector;
          w_dst = cur_dst, w_index = count, w_lanes = lanes, w_data = cur_data;
        }
        const bool old_kv = old_rv && old_op == Op::kCopyKv, old_q = old_rv && old_op == Op::kPackQ;
        m.kv_we = old_kv || (cur_rv && cur == Op::kCopyKv);
        m.kv_addr = old_kv ? u32(old_dst + old_count) : u32(cur_dst + count);
        m.q_we = old_q || (cur_rv && cur == Op::kPackQ);
        m.q_addr = old_q ? old_count : count;
        const int64_t addr = u32(w_dst + w_index), w_off = addr % kV;
        m.result_valid = w;
        m.scratch_we = w;
        m.scratch_word = addr / kV;
        m.result_index = w_index;
        m.result_lanes = w_lanes;
        m.scratch_mask = int64_t{1} << w_off;
        m.scratch_data.assign(kV, 0);
        if (w_vector) {
          m.scratch_mask = 0;
          for (int l = 0; l < kV; ++l) {
            if (l >= w_off && l - w_off < w_lanes) m.scratch_mask |= int64_t{1} << l;
            m.scratch_data[static_cast<size_t>(l)] = w_data[static_cast<size_t>((l - w_off + kV) % kV)];
          }
        }
        m.result = w_data;
        m.done = count == cur_n && queue.empty();
        Outs got = read_outs();
        for (Outs* o : {&m, &got}) {  // no write: where and what it would be are not part of the contract
          if (!w) {
            o->scratch_word = o->scratch_mask = o->result_index = o->result_lanes = 0;
            o->scratch_data.assign(kV, 0);
            o->result.assign(kV, 0);
          }
          if (!m.kv_we) o->kv_addr = 0;
          if (!m.q_we) o->q_addr = 0;
        }
        // Beside the write: whose it is, the draining one's progress, the queue.
        const bool old_done = old_valid && old_count == old_n;
        if ((top->result_old_o != 0) != w_old || (top->old_done_o != 0) != old_done ||
            static_cast<int64_t>(top->old_written_o) != old_count || (top->queue_empty_o != 0) != queue.empty() ||
            static_cast<size_t>(top->queue_count_o) != queue.size() || (top->result_produced_o != 0) != cur_rv) {
          got.done = !got.done;  // reported as a mismatch of this cycle
          std::fprintf(stderr, "overlap pair %d cycle %d: result_old %d (want %d) old_done %d (%d) old_written %lld (%lld) queue %d (%zu) produced %d (%d)\n",
                       pair, c, top->result_old_o, w_old, top->old_done_o, old_done, static_cast<long long>(top->old_written_o),
                       static_cast<long long>(old_count), top->queue_count_o, queue.size(), top->result_produced_o, cur_rv);
        }
        outs.expect(m);
        outs.check(got);
        verif::rising_edge(*top);
        // State.
        const int64_t given = cur_rv ? count + lanes : count;
        if (cur_rv && queueing && cur_vector) queue.push_back({count, lanes, cur_data});
        if (dequeue) queue.pop_front();
        if (overlap) old_count = given;
        else if (old_rv) old_count += old_lanes;
        count = (decode || overlap) ? 0 : given;
        if (overlap) started = old_valid = true;
        else if (old_done) old_valid = false;
        if (started && !old_valid && count == n_out && queue.empty()) break;
      }
    }
  }
  top->final();
  return verif::finish(block, seed, outs.checked(), outs.failed(), std::to_string(cycles) + " cycles");
}
