// hw_core_vector_mac against its contract, driven as the element reader drives it (a read issued, its words one
// cycle later, random gaps): SCORES words give one dot product of the LANES 16-bit lanes each, with the group's
// marks; PV instructions (one head: ceil(HEAD_SIZE / LANES) groups over t = 0..T-1) give, per group, the lane sums of
// p[t] * V[t] serialized one per cycle, lanes past the head skipped, the next group issued only when pv_busy_o allows
// (HW_VEC_OUT: the group's LANES sums requantized with the instruction's random parameter word and result width, one
// beat per group; pv_busy_o must stay low). Configuration: HW_LANES, HW_HEAD_SIZE, HW_MAC_ACC_W, HW_VEC_OUT.
#include <memory>
#include <vector>

#include "Vhw_core_vector_mac.h"
#include "hardwire/golden/ops.hpp"
#include "ports.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kLanes = HW_LANES, kHead = HW_HEAD_SIZE, kAccW = HW_MAC_ACC_W;
constexpr int kWords = (kHead + kLanes - 1) / kLanes;
constexpr bool kVecOut = HW_VEC_OUT != 0;
static_assert(!kVecOut || kHead % kLanes == 0, "VEC_OUT: whole head words");
struct Read {
  std::vector<int64_t> q, kv;
  int64_t p = 0;
  bool first = false, last = false;
};
struct Out {
  int64_t value = 0;
  bool first = false, last = false;  // SCORES marks (PV outputs: false)
  bool operator==(const Out&) const = default;
};
std::string show(const Out& o) { return std::to_string(o.value) + (o.first ? " first" : "") + (o.last ? " last" : ""); }
int64_t wrap(int64_t v) { return verif::sext(verif::mask(v, kAccW), kAccW); }
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_vector_mac LANES=" + std::to_string(kLanes) + " HEAD_SIZE=" + std::to_string(kHead) +
                            (kVecOut ? " VEC_OUT" : "");
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_core_vector_mac>();
  verif::Sink<Out> outs(block, seed ^ 1, show, false);
  verif::StallPattern gaps(seed ^ 2);
  verif::reset(*top);
  long long cycles = 0;
  auto lanes = [&](int bits) {
    std::vector<int64_t> v(kLanes);
    for (auto& x : v) x = verif::sext(rng(), bits);
    return v;
  };
  for (int instr = 0; instr < 300; ++instr) {
    const bool pv = rng() % 2;
    const int t_len = 1 + static_cast<int>(rng() % 20);
    static const int kBits[] = {8, 16, 32};
    const int bits = kBits[rng() % 3];
    golden::Requant rq;
    rq.mult = (rng() % 8 == 0) ? static_cast<int32_t>(rng() % (1u << 30)) : static_cast<int32_t>((1u << 30) + rng() % (1u << 30));
    rq.rshift = 1 + static_cast<int32_t>(rng() % 40);
    std::vector<Read> reads;  // in issue order
    if (!pv) {
      for (int s = 0; s < t_len; ++s)
        for (int w = 0; w < kWords; ++w) {
          Read r{lanes(16), lanes(16), 0, w == 0, w == kWords - 1};
          int64_t dot = 0;
          for (int l = 0; l < kLanes; ++l) dot += r.q[static_cast<size_t>(l)] * r.kv[static_cast<size_t>(l)];
          outs.expect(Out{wrap(dot), r.first, r.last});
          reads.push_back(r);
        }
    } else {
      for (int w = 0; w < kWords; ++w) {
        std::vector<int64_t> sum(kLanes, 0);
        for (int t = 0; t < t_len; ++t) {
          Read r{lanes(16), lanes(16), static_cast<int64_t>(rng() % 257), t == 0, t == t_len - 1};
          for (int l = 0; l < kLanes; ++l) sum[static_cast<size_t>(l)] += r.p * r.kv[static_cast<size_t>(l)];
          reads.push_back(r);
        }
        for (int l = 0; l < kLanes && w * kLanes + l < kHead; ++l) {
          const int64_t v = wrap(sum[static_cast<size_t>(l)]);
          outs.expect(Out{kVecOut ? golden::requantize_sat(v, rq, bits) : v, false, false});
        }
      }
    }
    // SETUP
    top->setup_i = 1;
    top->scores_i = !pv;
    top->pv_i = pv;
    top->group_start_i = 0;
    top->read_valid_i = 0;
    top->param_i = static_cast<uint64_t>(int64_t{rq.mult} | (int64_t{rq.rshift} << 31));
    top->out_bits_i = static_cast<uint8_t>(bits);
    verif::settle_low(*top);
    verif::rising_edge(*top);
    ++cycles;
    top->setup_i = 0;
    size_t next = 0;
    const Read* arriving = nullptr;  // issued last cycle: its data arrives now
    while ((next < reads.size() || arriving || !outs.done()) && cycles < 10000000) {
      const bool group_first = next < reads.size() && reads[next].first;
      const bool issue = next < reads.size() && gaps.next() && !(pv && group_first && top->pv_busy_o);
      top->group_start_i = issue && group_first;
      top->read_valid_i = arriving != nullptr;
      if (arriving) {
        verif::set_lanes(top->q_word_i, arriving->q.data(), kLanes, 16);
        verif::set_lanes(top->kv_word_i, arriving->kv.data(), kLanes, 16);
        top->p_i = static_cast<uint32_t>(arriving->p);
        top->read_first_i = arriving->first;
        top->read_last_i = arriving->last;
      }
      verif::settle_low(*top);
      if (top->dot_valid_o)
        outs.check(Out{verif::sext(static_cast<uint64_t>(top->dot_o), kAccW), top->dot_first_o != 0, top->dot_last_o != 0});
      if (top->pv_valid_o) outs.check(Out{verif::sext(static_cast<uint64_t>(top->pv_acc_o), kAccW), false, false});
      if (top->pv_vec_valid_o)
        for (int l = 0; l < kLanes; ++l)
          outs.check(Out{static_cast<int32_t>(verif::get_lane(top->pv_vec_o, l, 32)), false, false});
      if (kVecOut && top->pv_busy_o) outs.check(Out{-1, true, true});  // never expected: pv_busy_o must stay low
      verif::rising_edge(*top);
      arriving = issue ? &reads[next++] : nullptr;
      ++cycles;
    }
  }
  top->final();
  return verif::finish(block, seed, outs.checked(), outs.failed(), std::to_string(cycles) + " cycles");
}
