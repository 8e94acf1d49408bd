// hw_core_attention against golden (numerics §8, §9), driven as hw_core's reader drives it: per layer a SCORES
// (q word w and K word (t, w) read together for t = 0..n-1, w = 0..ROW_WORDS-1, random gaps) then a PV (V word (t, w)
// issued only while pv_issue_ready_o, random gaps), with random q, K, V (16-bit), row lengths, requant parameters and
// result widths. Checked, in order: every score (q_h . K_g[t] requantized, saturated to 16 bits: the score tap), every
// probability PV takes (golden::softmax of the head's row: the probability tap), and every result (V > 1:
// requantized and saturated to out_bits, V per beat; V = 1: the raw accumulator sums p_h[t] x V_g[t] one per cycle);
// scores_ready_o before each SCORES, scores_done_o after it, idle_o after each PV.
// Configuration: HW_LANES, HW_HEAD_SIZE, HW_KV_MUL, HW_ROW_WORDS, HW_SEQ_LEN, HW_MAC_ACC_W, HW_V, HW_EXP2_FILE.
#include <cstdio>
#include <memory>
#include <vector>

#include "Vhw_core_attention.h"
#include "hardwire/gen/hex_image.hpp"
#include "hardwire/golden/ops.hpp"
#include "hardwire/golden/qmodel.hpp"
#include "ports.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kLanes = HW_LANES, kHead = HW_HEAD_SIZE, kKvMul = HW_KV_MUL, kWords = HW_ROW_WORDS, kSeq = HW_SEQ_LEN;
constexpr int kAccW = HW_MAC_ACC_W, kV = HW_V;
constexpr int kKvHeads = kLanes / kHead, kQHeads = kKvHeads * kKvMul, kQLanes = kLanes * kKvMul;
constexpr int kHeads = kQHeads * kWords, kDim = kHeads * kHead;
struct Tap {
  int64_t head = 0, pos = 0, value = 0;
  bool operator==(const Tap&) const = default;
};
std::string show_tap(const Tap& t) {
  return "head " + std::to_string(t.head) + " t " + std::to_string(t.pos) + " = " + std::to_string(t.value);
}
std::string show_value(const int64_t& v) { return std::to_string(v); }
int64_t wrap(int64_t v) { return verif::sext(verif::mask(v, kAccW), kAccW); }
golden::Requant random_rq(std::mt19937_64& rng) {
  golden::Requant rq;
  rq.mult = static_cast<int32_t>((1u << 30) + rng() % (1u << 30));
  rq.rshift = 8 + static_cast<int32_t>(rng() % 24);
  return rq;
}
uint64_t param_word(const golden::Requant& rq) {
  return static_cast<uint64_t>(int64_t{rq.mult} | (int64_t{rq.rshift} << 31));
}
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_attention LANES=" + std::to_string(kLanes) + " HEAD_SIZE=" + std::to_string(kHead) +
                            " KV_MUL=" + std::to_string(kKvMul) + " ROW_WORDS=" + std::to_string(kWords) +
                            " V=" + std::to_string(kV);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  if (auto st = gen::write_hex_image(HW_EXP2_FILE, gen::exp2_table_words(), 16); !st) {
    std::printf("[%s] cannot write the exp2 image: %s\n", block.c_str(), st.message().c_str());
    return 1;
  }
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_core_attention>();
  verif::Sink<Tap> scores(block + " scores", seed ^ 1, show_tap, false), probs(block + " probs", seed ^ 2, show_tap, false);
  verif::Sink<int64_t> results(block + " results", seed ^ 3, show_value, false);
  verif::StallPattern gaps(seed ^ 4);
  top->setup_i = 0;
  top->scores_i = 0;
  top->pv_i = 0;
  top->issue_i = 0;
  top->read_valid_i = 0;
  top->n_pos_i = 1;
  top->param_i = 0;
  top->out_bits_i = 16;
  verif::reset(*top);
  long long cycles = 0, violations = 0;
  auto fail = [&](const std::string& what) {
    if (violations++ < 5) std::printf("[%s] MISMATCH: %s\n", block.c_str(), what.c_str());
  };
  auto sample = [&] {
    if (top->score_valid_o)
      for (int j = 0; j < kQHeads; ++j)
        scores.check(Tap{static_cast<int64_t>(top->score_head_o) + j, static_cast<int64_t>(top->score_pos_o),
                         static_cast<int32_t>(verif::get_lane(top->score_o, j, 32))});
    if (top->prob_valid_o)
      for (int j = 0; j < kQHeads; ++j)
        probs.check(Tap{static_cast<int64_t>(top->prob_head_o) + j, static_cast<int64_t>(top->prob_pos_o),
                        static_cast<int32_t>(verif::get_lane(top->prob_o, j, 32))});
    if (top->res_valid_o)
      for (int l = 0; l < kV; ++l) results.check(static_cast<int32_t>(verif::get_lane(top->res_o, l, 32)));
    if (top->acc_valid_o) results.check(verif::sext(static_cast<uint64_t>(top->acc_o), kAccW));
  };
  static const int kBits[] = {8, 16, 32};
  for (int layer = 0; layer < 60; ++layer) {
    const int n = 1 + static_cast<int>(rng() % kSeq);
    const int qbits = 2 + static_cast<int>(rng() % 15), kbits = 2 + static_cast<int>(rng() % 15);
    std::vector<int64_t> q(static_cast<size_t>(kWords * kQLanes)), k(static_cast<size_t>(n * kWords * kLanes)),
        v(k.size());
    for (auto& x : q) x = verif::sext(rng(), qbits);
    for (auto& x : k) x = verif::sext(rng(), kbits);
    for (auto& x : v) x = verif::sext(rng(), 2 + static_cast<int>(rng() % 15));
    const golden::Requant rq_s = random_rq(rng), rq_o = random_rq(rng);
    const int bits = kBits[rng() % 3];
    // Expected scores, probabilities and results.
    std::vector<golden::VecI> z(kHeads, golden::VecI(n)), p(kHeads);
    for (int t = 0; t < n; ++t)
      for (int w = 0; w < kWords; ++w)
        for (int j = 0; j < kQHeads; ++j) {
          int64_t dot = 0;
          for (int i = 0; i < kHead; ++i)
            dot += q[static_cast<size_t>(w * kQLanes + j * kHead + i)] *
                   k[static_cast<size_t>((t * kWords + w) * kLanes + (j / kKvMul) * kHead + i)];
          const int64_t zz = golden::requantize_sat(wrap(dot), rq_s, golden::kScoreBits);
          z[static_cast<size_t>(w * kQHeads + j)](t) = zz;
          scores.expect(Tap{w * kQHeads + j, t, zz});
        }
    for (int h = 0; h < kHeads; ++h) p[static_cast<size_t>(h)] = golden::softmax(z[static_cast<size_t>(h)]);
    std::vector<int64_t> acc(kDim, 0);
    for (int t = 0; t < n; ++t)
      for (int w = 0; w < kWords; ++w)
        for (int j = 0; j < kQHeads; ++j) {
          const int h = w * kQHeads + j;
          probs.expect(Tap{h, t, p[static_cast<size_t>(h)](t)});
          for (int i = 0; i < kHead; ++i)
            acc[static_cast<size_t>(h * kHead + i)] +=
                p[static_cast<size_t>(h)](t) * v[static_cast<size_t>((t * kWords + w) * kLanes + (j / kKvMul) * kHead + i)];
        }
    for (int b = 0; b < (kDim + kV - 1) / kV; ++b)
      for (int l = 0; l < kV; ++l) {
        const int e = b * kV + l;
        if (kV == 1) results.expect(wrap(acc[static_cast<size_t>(e)]));
        else results.expect(e < kDim ? golden::requantize_sat(wrap(acc[static_cast<size_t>(e)]), rq_o, bits) : 0);
      }

    for (int op = 0; op < 2; ++op) {
      const bool pv = op == 1;
      // SETUP: the parameter word comes from the requant feeder and holds through the instruction.
      top->setup_i = 1;
      top->scores_i = !pv;
      top->pv_i = pv;
      top->issue_i = 0;
      top->read_valid_i = 0;
      top->n_pos_i = static_cast<uint32_t>(n);
      top->param_i = param_word(pv ? rq_o : rq_s);
      top->out_bits_i = static_cast<uint8_t>(pv ? bits : 16);
      verif::settle_low(*top);
      if (!pv && !top->scores_ready_o) fail("scores_ready_o low before a SCORES");
      sample();
      verif::rising_edge(*top);
      ++cycles;
      top->setup_i = 0;
      int next = 0;             // reads issued: t * kWords + w
      int arriving = -1;        // issued last cycle
      int wait = 0;
      while (cycles < 10000000) {
        top->read_valid_i = arriving >= 0;
        if (arriving >= 0) {
          const int w = arriving % kWords;
          verif::set_lanes(top->q_word_i, &q[static_cast<size_t>(w * kQLanes)], kQLanes, 16);
          verif::set_lanes(top->kv_word_i, &(pv ? v : k)[static_cast<size_t>(arriving * kLanes)], kLanes, 16);
        }
        top->issue_i = 0;
        verif::settle_low(*top);
        const bool issue = next < n * kWords && gaps.next() && (!pv || top->pv_issue_ready_o);
        top->issue_i = issue;
        verif::settle_low(*top);
        sample();
        const bool done = pv ? results.done() : top->scores_done_o != 0;
        verif::rising_edge(*top);
        ++cycles;
        arriving = issue ? next++ : -1;
        if (done && next == n * kWords && arriving < 0) break;
        if (++wait > 100000) {
          fail("no progress in layer " + std::to_string(layer) + (pv ? " PV" : " SCORES"));
          break;
        }
      }
      if (!pv && !scores.done()) fail("SCORES done before its last score");
    }
    // Drain: the last beat's requantizers, then the unit is idle.
    for (int c = 0; c < 4; ++c, ++cycles) {
      top->read_valid_i = 0;
      top->issue_i = 0;
      verif::settle_low(*top);
      sample();
      verif::rising_edge(*top);
    }
    verif::settle_low(*top);
    if (!top->idle_o) fail("not idle after the PV of layer " + std::to_string(layer));
    if (!probs.done() || !results.done()) fail("outputs missing after layer " + std::to_string(layer));
  }
  top->final();
  return verif::finish(block, seed, scores.checked() + probs.checked() + results.checked(),
                       scores.failed() + probs.failed() + results.failed() + violations, std::to_string(cycles) + " cycles");
}
