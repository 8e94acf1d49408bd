// RMSNorm unit (rtl_templates/hw_rmsnorm.sv) against golden::rmsnorm: random vectors (full-range, small, zero,
// one-hot extremes, all +32767 / -32768), norm constants from the quantizer's own norm_from_real over its range
// and random eps up to 2^40 - 1, random stalls on both handshakes; every element and every out_last checked. With
// HW_LANES > 1 elements move LANES per beat: lanes past DIM in the last beat carry random values in (which must not
// count) and must be 0 out. Configuration: HW_DIM, HW_IN_W, HW_OUT_W, HW_LANES, HW_STEPS (root digits and quotient
// bits per cycle).
#include <cstdio>
#include <memory>
#include <vector>

#include "Vhw_rmsnorm.h"
#include "ports.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/golden/ops.hpp"
#include "stream.hpp"
#include "verilated.h"

using namespace hardwire;

namespace {
constexpr int kDim = HW_DIM, kInW = HW_IN_W, kOutW = HW_OUT_W, kLanes = HW_LANES, kSteps = HW_STEPS;
// Cycles per vector without stalls, by design: capture and emit a beat per cycle, the root and the divide.
constexpr int kFixed = (26 + kSteps - 1) / kSteps + 48 / kSteps + 2;
constexpr int kBeats = (kDim + kLanes - 1) / kLanes;
constexpr int kVectors = 400;

struct Vec {
  golden::VecI x;
  golden::NormParams p;
  golden::VecI y;
};

Vec random_vec(std::mt19937_64& rng) {
  Vec v;
  v.x.resize(kDim);
  const int64_t lo = golden::min_of(kInW), hi = golden::max_of(kInW);
  const int kind = static_cast<int>(rng() % 6);
  const int64_t amp = std::uniform_int_distribution<int64_t>(1, hi)(rng);
  for (int i = 0; i < kDim; ++i) {
    switch (kind) {
      case 0: v.x[i] = std::uniform_int_distribution<int64_t>(lo, hi)(rng); break;
      case 1: v.x[i] = 0; break;
      case 2: v.x[i] = i == static_cast<int>(rng() % kDim) ? lo : 0; break;
      case 3: v.x[i] = (rng() & 1) ? hi : lo; break;
      default: v.x[i] = std::uniform_int_distribution<int64_t>(-amp, amp)(rng);
    }
  }
  const double gain = std::exp2(std::uniform_real_distribution<double>(1.0, 14.0)(rng));
  auto p = gen::norm_from_real(gain);
  HW_CHECK(p.is_ok(), "norm_from_real over the quantizer's range");
  v.p = *p;
  v.p.eps = (rng() % 4 == 0) ? (uint64_t{1} << 40) - 1 - (rng() % 1000) : 1 + rng() % (uint64_t{1} << 20);
  v.y = golden::rmsnorm(v.x, v.p, kOutW);
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl rmsnorm DIM=" + std::to_string(kDim) + " " + std::to_string(kInW) + "->" +
                            std::to_string(kOutW) + (kLanes > 1 ? " x" + std::to_string(kLanes) : std::string());
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  std::vector<Vec> vecs;
  for (int i = 0; i < kVectors; ++i) vecs.push_back(random_vec(rng));

  auto top = std::make_unique<Vhw_rmsnorm>();
  struct In {
    std::vector<int64_t> x;  // kLanes
    golden::NormParams p;
  };
  struct Out {
    std::vector<int64_t> y;
    bool last = false;
    bool operator==(const Out&) const = default;
  };
  auto describe = [](const Out& o) {
    std::string t;
    for (auto v : o.y) t += (t.empty() ? "" : ",") + std::to_string(v);
    return "{" + t + (o.last ? "} (last)" : "}");
  };
  verif::Source<In> in(seed ^ 0x1111);
  verif::Sink<Out> out(block, seed ^ 0x2222, describe);
  for (const Vec& v : vecs)
    for (int b = 0; b < kBeats; ++b) {
      In e{std::vector<int64_t>(kLanes), v.p};
      Out o{std::vector<int64_t>(kLanes, 0), b == kBeats - 1};
      for (int l = 0; l < kLanes; ++l) {
        const int i = b * kLanes + l;
        e.x[static_cast<size_t>(l)] = i < kDim ? v.x[i] : verif::sext(rng(), kInW);  // past DIM: must not count
        if (i < kDim) o.y[static_cast<size_t>(l)] = v.y[i];
      }
      in.push(e);
      out.expect(o);
    }
  verif::reset(*top);
  long long cycles = 0;
  const long long limit = static_cast<long long>(kVectors) * (2 * kBeats + 100) * 30;
  while (!out.done() && cycles < limit) {
    const In* e = in.drive();
    top->in_valid_i = e != nullptr;
    if (e) {
      std::vector<int64_t> lanes(kLanes);
      for (int l = 0; l < kLanes; ++l) lanes[static_cast<size_t>(l)] = verif::mask(e->x[static_cast<size_t>(l)], kInW);
      verif::set_lanes(top->x_i, lanes.data(), kLanes, kInW);
      top->gain_i = e->p.gain;
      top->shift_i = static_cast<uint8_t>(e->p.shift);
      top->eps_i = e->p.eps;
    }
    top->out_ready_i = out.ready();
    verif::settle_low(*top);
    const bool in_fire = e && top->in_ready_o;
    if (top->out_valid_o && top->out_ready_i) {
      Out o{std::vector<int64_t>(kLanes), top->out_last_o != 0};
      for (int l = 0; l < kLanes; ++l) o.y[static_cast<size_t>(l)] = verif::get_lane(top->y_o, l, kOutW);
      out.check(o);
    }
    verif::rising_edge(*top);
    if (in_fire) in.accept();
    ++cycles;
  }
  top->final();
  if (!out.done()) std::printf("[%s] TIMEOUT: %zu outputs missing after %lld cycles\n", block.c_str(), out.missing(), cycles);
  const long long checked = out.checked(), failed = out.failed();
  char extra[200];
  std::snprintf(extra, sizeof extra, "%d vectors, %lld cycles under random stalls (%.1f per vector; %d without stalls "
                "by design: 2*ceil(DIM/LANES) + %d)", kVectors, cycles, static_cast<double>(cycles) / kVectors,
                2 * kBeats + kFixed, kFixed);
  return verif::finish(block, seed, checked, failed, extra);
}
