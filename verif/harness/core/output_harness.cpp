// hw_core_output against its contract: VOCAB logits (random, with frequent ties) arrive with random valid gaps and
// leave to a host with random ready; then one beat with the argmax token (lowest index wins ties) and out_last;
// done_o in the cycle the host takes it. Configuration: HW_VOCAB.
#include <memory>
#include <vector>

#include "Vhw_core_output.h"
#include "stream.hpp"

using namespace hardwire;

namespace {
constexpr int kVocab = HW_VOCAB;
using verif::Beat;
std::string show(const Beat& b) { return (b.last ? "token " : "logit ") + std::to_string(b.value); }
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl core_output VOCAB=" + std::to_string(kVocab);
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
    top->out_ready_i = 1;
    verif::settle_low(*top);
    verif::rising_edge(*top);
    ++cycles;
  };
  const int steps = 200;
  for (int step = 0; step < steps; ++step) {
    verif::Source<int64_t> logits(seed ^ (0x100u + static_cast<unsigned>(step)));
    const bool ties = rng() % 2;
    int64_t best = 0, best_idx = 0;
    for (int i = 0; i < kVocab; ++i) {
      const int64_t v = ties ? static_cast<int64_t>(rng() % 5) - 2 : static_cast<int32_t>(rng());
      if (i == 0 || v > best) best = v, best_idx = i;
      logits.push(v);
      host.expect(Beat{v, false});
    }
    host.expect(Beat{best_idx, true});
    idle(true, false);  // DECODE
    for (int c = 0; c < 1 + static_cast<int>(rng() % 2); ++c) idle(false, true);  // SETUP
    bool done = false;
    while (!done && cycles < 10000000) {
      const int64_t* e = logits.drive();
      top->decode_i = 0;
      top->setup_i = 0;
      top->exec_i = 1;
      top->output_i = 1;
      top->elem_valid_i = e != nullptr;
      top->elem_i = e ? static_cast<uint32_t>(*e) : 0;
      top->out_ready_i = host.ready();
      verif::settle_low(*top);
      const bool popped = e && top->elem_ready_o;
      if (top->out_valid_o && top->out_ready_i)
        host.check(Beat{top->out_last_o ? static_cast<int64_t>(top->out_data_o) : static_cast<int32_t>(top->out_data_o),
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
