// Softmax unit (rtl_templates/hw_softmax.sv) against golden::softmax: random rows of every length 1..MAX_LEN
// (spread, clustered, all-equal, extreme int16 values), back to back, random stalls on both handshakes; every
// probability and every out_last flag is compared. Configuration: HW_MAX_LEN, HW_NUM_BUF, HW_SUM_LANES (recorded in
// the block name), HW_EXP2_FILE (the image path baked
// into the model; written here from the generator's image writer before the model is built).
#include <cstdio>
#include <memory>
#include <vector>

#include "Vhw_softmax.h"
#include "hardwire/gen/hex_image.hpp"
#include "hardwire/golden/ops.hpp"
#include "stream.hpp"
#include "verilated.h"

using namespace hardwire;

namespace {
constexpr int kMaxLen = HW_MAX_LEN;
constexpr int kRows = 1500;

golden::VecI random_row(std::mt19937_64& rng) {
  int64_t n = 1 + static_cast<int64_t>(rng() % kMaxLen);
  if (rng() % 8 == 0) n = (rng() & 1) ? 1 : kMaxLen;
  golden::VecI z(n);
  const int kind = static_cast<int>(rng() % 5);
  const int64_t center = std::uniform_int_distribution<int64_t>(-32768, 32767)(rng);
  const int64_t spread = std::uniform_int_distribution<int64_t>(0, kind == 1 ? 64 : 6000)(rng);
  for (int64_t t = 0; t < n; ++t) {
    int64_t v = 0;
    switch (kind) {
      case 0: v = std::uniform_int_distribution<int64_t>(-32768, 32767)(rng); break;  // anything
      case 2: v = center; break;                                                       // all equal
      case 3: v = (rng() % 3 == 0) ? 32767 : ((rng() & 1) ? -32768 : center); break;   // extremes
      default: v = center + std::uniform_int_distribution<int64_t>(-spread, spread)(rng);
    }
    z[t] = golden::saturate(v, 16);
  }
  return z;
}
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl softmax MAX_LEN=" + std::to_string(kMaxLen) + " NUM_BUF=" + std::to_string(HW_NUM_BUF) +
                            " SUM_LANES=" + std::to_string(HW_SUM_LANES);
  const uint64_t seed = verif::harness_seed(block);
  if (auto st = gen::write_hex_image(HW_EXP2_FILE, gen::exp2_table_words(), 16); !st) {
    std::printf("[%s] cannot write the exp2 image: %s\n", block.c_str(), st.message().c_str());
    return 1;
  }
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);

  std::vector<golden::VecI> rows, want;
  std::vector<int64_t> flat_z, flat_p;
  std::vector<bool> flat_last;
  std::vector<std::pair<int, int>> where;  // (row, element) of each flat index
  long long elements = 0;
  for (int r = 0; r < kRows; ++r) {
    rows.push_back(random_row(rng));
    want.push_back(golden::softmax(rows.back()));
    for (int64_t t = 0; t < rows.back().size(); ++t) {
      flat_z.push_back(rows.back()[t]);
      flat_p.push_back(want.back()[t]);
      flat_last.push_back(t + 1 == rows.back().size());
      where.emplace_back(r, static_cast<int>(t));
    }
    elements += rows.back().size();
  }

  auto top = std::make_unique<Vhw_softmax>();
  verif::Source<verif::Beat> in(seed ^ 0x1111);  // scores
  verif::Sink<verif::Beat> out(block, seed ^ 0x2222, verif::describe_beat);  // probabilities
  for (size_t i = 0; i < flat_z.size(); ++i) {
    in.push({flat_z[i], flat_last[i]});
    out.expect({flat_p[i], flat_last[i]});
  }
  verif::reset(*top);
  long long cycles = 0, failed = 0;
  const long long limit = elements * 60 + 100000;
  while (!out.done() && cycles < limit) {
    const verif::Beat* e = in.drive();
    top->in_valid_i = e != nullptr;
    if (e) {
      top->z_i = static_cast<uint16_t>(verif::mask(e->value, 16));
      top->in_last_i = e->last;
    }
    top->out_ready_i = out.ready();
    verif::settle_low(*top);
    const bool in_fire = e && top->in_ready_o;
    if (top->out_valid_o && top->out_ready_i) {
      const long long before = out.failed();
      out.check({static_cast<int64_t>(top->p_o), top->out_last_o != 0});
      if (out.failed() > before && before < 5) {
        const auto [r, t] = where[static_cast<size_t>(out.checked() - 1)];
        std::printf("[%s]   (row %d of length %lld, element %d)\n", block.c_str(), r,
                    static_cast<long long>(rows[static_cast<size_t>(r)].size()), t);
      }
    }
    verif::rising_edge(*top);
    if (in_fire) in.accept();
    ++cycles;
  }
  // Throughput: 32 full-length rows back to back, no stalls; every output checked again.
  double per_cycle = 0;
  {
    const int n_rows = 32;
    std::vector<int64_t> tz, tp;
    for (int r = 0; r < n_rows; ++r) {
      golden::VecI z(kMaxLen);
      for (auto& v : z) v = std::uniform_int_distribution<int64_t>(-4000, 4000)(rng);
      const golden::VecI p = golden::softmax(z);
      tz.insert(tz.end(), z.begin(), z.end());
      tp.insert(tp.end(), p.begin(), p.end());
    }
    verif::reset(*top);
    size_t i_in = 0, i_out = 0;
    long long c = 0, t_first = -1, t_last = 0;
    while (i_out < tp.size() && c < 1000000) {
      top->in_valid_i = i_in < tz.size();
      top->z_i = static_cast<uint16_t>(verif::mask(i_in < tz.size() ? tz[i_in] : 0, 16));
      top->in_last_i = (i_in % kMaxLen) == kMaxLen - 1;
      top->out_ready_i = 1;
      verif::settle_low(*top);
      const bool in_fire = top->in_valid_i && top->in_ready_o;
      if (top->out_valid_o) {
        if (static_cast<int64_t>(top->p_o) != tp[i_out] && failed++ < 5)
          std::printf("[%s] MISMATCH in throughput run at element %zu: RTL %u, golden %lld\n", block.c_str(), i_out,
                      static_cast<unsigned>(top->p_o), static_cast<long long>(tp[i_out]));
        if (t_first < 0) t_first = c;
        t_last = c;
        ++i_out;
      }
      verif::rising_edge(*top);
      if (in_fire) ++i_in;
      ++c;
    }
    // Steady state: outputs per cycle between the first and the last output (excludes the first row's latency).
    per_cycle = t_last > t_first ? static_cast<double>(tp.size() - 1) / static_cast<double>(t_last - t_first) : 0;
  }
  top->final();
  if (!out.done()) std::printf("[%s] TIMEOUT: %zu outputs missing after %lld cycles\n", block.c_str(), out.missing(), cycles);
  failed += out.failed();
  char extra[200];
  std::snprintf(extra, sizeof extra, "%d rows, %lld cycles under random stalls; steady state %.3f elements/cycle on "
                "back-to-back rows of %d without stalls", kRows, cycles, per_cycle, kMaxLen);
  return verif::finish(block, seed, out.checked(), failed, extra);
}
