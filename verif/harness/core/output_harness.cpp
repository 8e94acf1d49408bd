// hw_core_output against its contract: VOCAB logits (random, with frequent ties) arrive with random valid gaps and
// leave to a host with random ready; then one beat with the argmax token (lowest index wins ties) and out_last;
// done_o in the cycle the host takes it. With V > 1 the logits arrive as words of V (the harness starts a word only
// on word_credit_o, with random gaps, and it arrives 1 cycle later, as from the reader, or 3, as from the matrix
// requantizer, with words_in_flight_i counting those started and not yet arrived) and leave V per beat: every lane
// is checked, out_lanes_o of them logits, the rest zero. Configuration: HW_VOCAB, HW_V.
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "Vhw_core_output.h"
#include "ports.hpp"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kVocab = HW_VOCAB, kV = HW_V;
using verif::Beat;
std::string show(const Beat& b) { return (b.last ? "token " : "logit ") + std::to_string(b.value); }
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_output VOCAB=" + std::to_string(kVocab) + " V=" + std::to_string(kV);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_core_output>();
  verif::Sink<Beat> host(block, seed ^ 1, show);
  verif::reset(*top);
  long long cycles = 0, done_seen = 0;
  auto idle = [&](bool decode, bool setup) {
    top->decode_i = decode;
    top->setup_i = setup;
    top->exec_i = 0;
    top->output_i = 1;
    top->elem_valid_i = 0;
    top->word_valid_i = 0;
    top->words_in_flight_i = 0;
    top->out_ready_i = 1;
    verif::settle_low(*top);
    verif::rising_edge(*top);
    ++cycles;
  };
  const int steps = 200;
  for (int step = 0; step < steps; ++step) {
    verif::Source<int64_t> logits(seed ^ (0x100u + static_cast<unsigned>(step)));
    // Logits: random 32-bit, frequent ties, or the extremes (the most negative value ties with the padding of a last
    // partial beat).
    const unsigned kind = rng() % 3;
    int64_t best = 0, best_idx = 0;
    std::vector<int64_t> all;  // V > 1: the logits, read as words
    for (int i = 0; i < kVocab; ++i) {
      const int64_t v = kind == 0   ? static_cast<int64_t>(static_cast<int32_t>(rng()))
                        : kind == 1 ? static_cast<int64_t>(rng() % 5) - 2
                                    : (rng() % 4 == 0 ? INT32_MAX : INT32_MIN);
      if (i == 0 || v > best) best = v, best_idx = i;
      if (kV == 1) logits.push(v);
      all.push_back(v);
      host.expect(Beat{v, false});
    }
    host.expect(Beat{best_idx, true});
    idle(true, false);  // DECODE
    for (int c = 0; c < 1 + static_cast<int>(rng() % 2); ++c) idle(false, true);  // SETUP
    bool done = false;
    // V > 1: the words of V logits, started on credit, arriving `latency` cycles later.
    size_t next_word = 0;
    const int latency = (rng() % 2) ? 1 : 3;
    std::deque<std::pair<long long, size_t>> in_flight;  // (arrival cycle, word index)
    verif::StallPattern issue(seed ^ (0x200u + static_cast<unsigned>(step)));
    while (kV > 1 && !done && cycles < 10000000) {
      const bool arrives = !in_flight.empty() && in_flight.front().first == cycles;
      std::vector<int64_t> word(kV, 0);  // the word arriving now; lanes past the vocabulary are don't-care
      for (size_t l = 0; arrives && l < static_cast<size_t>(kV); ++l) {
        const size_t i = in_flight.front().second * kV + l;
        word[l] = i < all.size() ? all[i] : static_cast<int32_t>(rng());
      }
      top->decode_i = 0;
      top->setup_i = 0;
      top->exec_i = 1;
      top->output_i = 1;
      top->word_valid_i = arrives;
      top->words_in_flight_i = static_cast<uint8_t>(in_flight.size());
      verif::set_lanes(top->word_i, word.data(), kV, 32);
      top->out_ready_i = host.ready();
      verif::settle_low(*top);
      const bool issue_now = top->word_credit_o && next_word * kV < all.size() && issue.next();
      if (top->out_valid_o && top->out_ready_i) {
        const int lanes = static_cast<int>(top->out_lanes_o);
        if (top->out_last_o) {
          host.check(Beat{static_cast<int64_t>(verif::get_lane(top->out_data_o, 0, 32)) & 0xffffffff, true});
        } else {
          for (int l = 0; l < lanes; ++l) host.check(Beat{verif::get_lane(top->out_data_o, l, 32), false});
        }
        for (int l = top->out_last_o ? 1 : lanes; l < kV; ++l)
          if (verif::get_lane(top->out_data_o, l, 32) != 0) host.check(Beat{-999999, false});  // a lane not zeroed
      }
      done = top->done_o;
      verif::rising_edge(*top);
      if (arrives) in_flight.pop_front();
      if (issue_now) in_flight.emplace_back(cycles + latency, next_word++);
      ++cycles;
    }
    while (kV == 1 && !done && cycles < 10000000) {
      const int64_t* e = logits.drive();
      top->decode_i = 0;
      top->setup_i = 0;
      top->exec_i = 1;
      top->output_i = 1;
      top->elem_valid_i = e != nullptr;
      top->elem_i = e ? static_cast<uint32_t>(*e) : 0;
      top->word_valid_i = 0;
      top->words_in_flight_i = 0;
      top->out_ready_i = host.ready();
      verif::settle_low(*top);
      const bool popped = e && top->elem_ready_o;
      if (top->out_valid_o && top->out_ready_i)
        host.check(Beat{top->out_last_o ? (verif::get_lane(top->out_data_o, 0, 32) & 0xffffffff)
                                        : verif::get_lane(top->out_data_o, 0, 32),
                        top->out_last_o != 0});
      done = top->done_o;
      verif::rising_edge(*top);
      if (popped) logits.accept();
      ++cycles;
    }
    done_seen += done;
  }
  top->final();
  const long long failed = host.failed() + (steps - done_seen);
  return verif::finish(block, seed, host.checked(), failed, std::to_string(cycles) + " cycles");
}
