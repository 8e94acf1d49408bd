// RMSNorm unit (rtl_templates/hw_rmsnorm.sv) against golden::rmsnorm: random vectors (full-range, small, zero,
// one-hot extremes, all +32767 / -32768), norm constants from the quantizer's own norm_from_real over its range
// and random eps up to 2^40 - 1, random stalls on both handshakes; every element and every out_last checked.
// Configuration: HW_DIM, HW_IN_W, HW_OUT_W.
#include <cstdio>
#include <memory>
#include <vector>

#include "Vhw_rmsnorm.h"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/golden/ops.hpp"
#include "harness.hpp"
#include "verilated.h"

using namespace hardwire;

namespace {
constexpr int kDim = HW_DIM, kInW = HW_IN_W, kOutW = HW_OUT_W;
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
                            std::to_string(kOutW);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  std::vector<Vec> vecs;
  for (int i = 0; i < kVectors; ++i) vecs.push_back(random_vec(rng));

  auto top = std::make_unique<Vhw_rmsnorm>();
  verif::StallPattern in_stall(seed ^ 0x1111), out_stall(seed ^ 0x2222);
  verif::reset(*top);
  size_t in_v = 0, in_i = 0, out_v = 0, out_i = 0;
  long long checked = 0, failed = 0, cycles = 0;
  const long long limit = static_cast<long long>(kVectors) * (2 * kDim + 100) * 30;
  while (out_v < vecs.size() && cycles < limit) {
    const bool offer = in_v < vecs.size() && in_stall.next();
    top->in_valid_i = offer;
    if (offer) {
      const Vec& v = vecs[in_v];
      top->x_i = static_cast<uint16_t>(verif::mask(v.x[static_cast<long>(in_i)], kInW));
      top->gain_i = v.p.gain;
      top->shift_i = static_cast<uint8_t>(v.p.shift);
      top->eps_i = v.p.eps;
    }
    top->out_ready_i = out_stall.next();
    verif::settle_low(*top);
    const bool in_fire = top->in_valid_i && top->in_ready_o;
    if (top->out_valid_o && top->out_ready_i) {
      const Vec& v = vecs[out_v];
      const int64_t got = verif::sext(static_cast<uint64_t>(top->y_o), kOutW);
      const int64_t want = v.y[static_cast<long>(out_i)];
      const bool last = out_i + 1 == static_cast<size_t>(kDim);
      ++checked;
      if ((got != want || static_cast<bool>(top->out_last_o) != last) && failed++ < 5) {
        std::printf("[%s] MISMATCH in vector %zu at element %zu: x=%lld gain=%u shift=%d eps=%llu: RTL %lld last=%d, "
                    "golden %lld last=%d\n", block.c_str(), out_v, out_i,
                    static_cast<long long>(v.x[static_cast<long>(out_i)]), v.p.gain, v.p.shift,
                    static_cast<unsigned long long>(v.p.eps), static_cast<long long>(got),
                    static_cast<int>(top->out_last_o), static_cast<long long>(want), last ? 1 : 0);
      }
      if (last) {
        ++out_v;
        out_i = 0;
      } else {
        ++out_i;
      }
    }
    verif::rising_edge(*top);
    if (in_fire && ++in_i == static_cast<size_t>(kDim)) {
      ++in_v;
      in_i = 0;
    }
    ++cycles;
  }
  top->final();
  if (out_v < vecs.size()) {
    std::printf("[%s] TIMEOUT: %zu of %zu vectors after %lld cycles\n", block.c_str(), out_v, vecs.size(), cycles);
    ++failed;
  }
  char extra[160];
  std::snprintf(extra, sizeof extra, "%d vectors, %lld cycles under random stalls (%.1f per vector; %d without stalls "
                "by design: 2*DIM + 76)", kVectors, cycles, static_cast<double>(cycles) / kVectors, 2 * kDim + 76);
  return verif::finish(block, seed, checked, failed, extra);
}
