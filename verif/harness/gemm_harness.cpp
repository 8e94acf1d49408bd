// GEMM through the systolic array (rtl_templates/hw_gemm.sv) against golden::matvec: random M x K x N (including
// M = 1 and sizes that are not multiples of R or C), int8 weights over the full range, activations over the full
// A_W range with extremes, random stalls on the result handshake. The first GEMM's weights come from a generated
// $readmemh image (the W_FILE the model was built with); later ones are written through the host port. Every
// accumulator of every result is compared; lanes beyond N must be zero.
//
// Configuration: HW_R, HW_C, HW_A_W, HW_ACC_W, HW_MAX (M_MAX = K_MAX = N_MAX), HW_NUM_BANKS (weight banks per PE),
// HW_W_FILE, HW_W_BANK_DEPTH (0: one
// weight bank; else the weight SRAM is banked and HW_W_FILE is the per-bank image prefix).
// Options: --gemms N (default 150), --bench FILE (also time 64x64x64 without stalls and write JSON there).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "Vhw_gemm.h"
#include "hardwire/gen/files.hpp"
#include "hardwire/gen/layout.hpp"
#include "hardwire/golden/ops.hpp"
#include "harness.hpp"
#include "ports.hpp"
#include "verilated.h"

using namespace hardwire;

namespace {
constexpr int kR = HW_R, kC = HW_C, kAW = HW_A_W, kAccW = HW_ACC_W, kMax = HW_MAX;
constexpr int64_t kWDepth = HW_W_DEPTH;  // W_DEPTH of the build: must hold two of the largest matrices
using MatX = Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Gemm {
  int64_t M, K, N;
  int64_t base = 0;  // first weight word
  golden::MatI8 w;  // N x K
  MatX x;           // M x K
};

Gemm random_gemm(std::mt19937_64& rng) {
  Gemm g;
  auto dim = [&] { return 1 + static_cast<int64_t>(rng() % kMax); };
  g.M = (rng() % 4 == 0) ? 1 : dim();
  g.K = dim();
  g.N = dim();
  g.w.resize(g.N, g.K);
  const bool extremes = rng() % 8 == 0;
  for (Eigen::Index i = 0; i < g.w.size(); ++i)
    g.w.data()[i] = static_cast<int8_t>(extremes ? ((rng() & 1) ? -128 : 127) : static_cast<int>(rng() % 256) - 128);
  // Place the matrix anywhere in the weight SRAM (it holds two of the largest).
  const int64_t words = gen::gemm_weight_word_count(g.N, g.K, kR, kC);
  g.base = (rng() % 2) ? static_cast<int64_t>(rng() % static_cast<uint64_t>(kWDepth - words + 1)) : 0;
  g.x.resize(g.M, g.K);
  std::uniform_int_distribution<int64_t> xd(golden::min_of(kAW), golden::max_of(kAW));
  for (Eigen::Index i = 0; i < g.x.size(); ++i)
    g.x.data()[i] = extremes ? ((rng() & 1) ? golden::min_of(kAW) : golden::max_of(kAW)) : xd(rng);
  return g;
}

struct GemmRun {
  long long checked = 0, failed = 0, cycles = 0;
};

// Runs one GEMM: loads memories (unless preloaded), starts, collects and checks every result beat.
GemmRun run(Vhw_gemm& top, const Gemm& g, bool preloaded, verif::StallPattern* out_stall, const std::string& block,
           long long index, long long& failed_total) {
  GemmRun res;
  const gen::LaneWords ww = gen::gemm_weight_words(g.w, kR, kC);
  const gen::LaneWords xw = gen::gemm_activation_words(g.x, kR, kAW);
  top.start_i = 0;
  top.out_ready_i = 0;
  if (!preloaded) {
    for (int64_t i = 0; i < ww.words(); ++i) {
      top.wmem_we_i = 1;
      top.wmem_addr_i = static_cast<uint32_t>(g.base + i);
      verif::set_lanes(top.wmem_data_i, &ww.values[static_cast<size_t>(i * kC)], kC, 8);
      verif::settle_low(top);
      verif::rising_edge(top);
    }
    top.wmem_we_i = 0;
  }
  for (int64_t i = 0; i < xw.words(); ++i) {
    top.xmem_we_i = 1;
    top.xmem_addr_i = static_cast<uint32_t>(i);
    verif::set_lanes(top.xmem_data_i, &xw.values[static_cast<size_t>(i * kR)], kR, kAW);
    verif::settle_low(top);
    verif::rising_edge(top);
  }
  top.xmem_we_i = 0;
  // Golden: Y[m][n] = sum_k W[n][k] X[m][k].
  std::vector<golden::VecI> want;
  for (int64_t m = 0; m < g.M; ++m) want.push_back(golden::matvec(g.w, g.x.row(m).transpose()));
  top.m_i = static_cast<uint32_t>(g.M);
  top.k_i = static_cast<uint32_t>(g.K);
  top.n_i = static_cast<uint32_t>(g.N);
  top.w_base_i = static_cast<uint32_t>(g.base);
  top.start_i = 1;
  verif::settle_low(top);
  verif::rising_edge(top);
  top.start_i = 0;
  const int64_t NT = (g.N + kC - 1) / kC, beats = NT * g.M;
  int64_t beat = 0;
  const long long limit = 200000 + 40LL * g.M * g.K * g.N;
  while (beat < beats && res.cycles < limit) {
    top.out_ready_i = out_stall ? out_stall->next() : 1;
    verif::settle_low(top);
    if (top.out_valid_o && top.out_ready_i) {
      const int64_t nt = beat / g.M, m = beat % g.M;
      for (int c = 0; c < kC; ++c) {
        const int64_t n = nt * kC + c;
        const int64_t got = verif::get_lane(top.out_data_o, c, kAccW);
        const int64_t exp = n < g.N ? want[static_cast<size_t>(m)][n] : 0;
        ++res.checked;
        if (got != exp) {
          ++res.failed;
          if (failed_total++ < 5)
            std::printf("[%s] MISMATCH in GEMM %lld (M=%lld K=%lld N=%lld) at Y[%lld][%lld]: RTL %lld, golden %lld\n",
                        block.c_str(), index, static_cast<long long>(g.M), static_cast<long long>(g.K),
                        static_cast<long long>(g.N), static_cast<long long>(m), static_cast<long long>(n),
                        static_cast<long long>(got), static_cast<long long>(exp));
        }
      }
      const bool want_last = beat == beats - 1;
      if (static_cast<bool>(top.out_last_o) != want_last) {
        ++res.failed;
        if (failed_total++ < 5) std::printf("[%s] GEMM %lld: out_last wrong at beat %lld\n", block.c_str(), index,
                                            static_cast<long long>(beat));
      }
      ++beat;
    }
    verif::rising_edge(top);
    ++res.cycles;
  }
  if (beat < beats) {
    std::printf("[%s] GEMM %lld TIMEOUT: %lld of %lld result beats after %lld cycles\n", block.c_str(), index,
                static_cast<long long>(beat), static_cast<long long>(beats), res.cycles);
    ++res.failed;
    ++failed_total;
  }
  // Drain: busy must drop.
  for (int i = 0; i < 4 && top.busy_o; ++i) {
    verif::settle_low(top);
    verif::rising_edge(top);
  }
  if (top.busy_o) {
    std::printf("[%s] GEMM %lld: still busy after its last result\n", block.c_str(), index);
    ++res.failed;
    ++failed_total;
  }
  return res;
}
}  // namespace

int main(int argc, char** argv) {
  long long n_gemms = 150;
  std::string bench_path;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--gemms") && i + 1 < argc) n_gemms = std::atoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--bench") && i + 1 < argc) bench_path = argv[++i];
  }
  const std::string block = "rtl gemm " + std::to_string(kR) + "x" + std::to_string(kC) + " A_W=" + std::to_string(kAW) +
                            " weight banks " + std::to_string(HW_NUM_BANKS) +
                            (HW_W_BANK_DEPTH ? ", SRAM banks of " + std::to_string(HW_W_BANK_DEPTH) : std::string());
  const uint64_t seed = verif::harness_seed(block);
  std::mt19937_64 rng(seed);
  if (kAccW != golden::accumulator_bits(kAW, kMax))
    return verif::finish(block, seed, 0, 1, "ACC_W " + std::to_string(kAccW) + " is not accumulator_bits(" +
                                                std::to_string(kAW) + ", " + std::to_string(kMax) + ") = " +
                                                std::to_string(golden::accumulator_bits(kAW, kMax)));
  if (gen::gemm_weight_word_count(kMax, kMax, kR, kC) * 2 > kWDepth)
    return verif::finish(block, seed, 0, 1, "W_DEPTH " + std::to_string(kWDepth) + " cannot hold two " +
                                                std::to_string(kMax) + "x" + std::to_string(kMax) + " matrices");

  // GEMM 0's weights are the generated image the weight SRAM starts from.
  const Gemm first = random_gemm(rng);
  gen::LaneWords image = gen::gemm_weight_words(first.w, kR, kC);
  image.values.insert(image.values.begin(), static_cast<size_t>(first.base * kC), 0);  // words before its base
  // The image covers the whole SRAM, so a banked build gets a fresh file for every one of its banks.
  image.values.resize(static_cast<size_t>(kWDepth * kC), 0);
  const auto banks = gen::hex_image_banks(image, HW_W_BANK_DEPTH);
  for (size_t b = 0; b < banks.size(); ++b) {
    const std::string path = HW_W_BANK_DEPTH == 0 ? std::string(HW_W_FILE)
                                                  : std::string(HW_W_FILE) + "_bank" + std::to_string(b) + ".hex";
    if (auto st = gen::write_file_atomic(path, banks[b], "weight image"); !st) {
      std::printf("[%s] %s\n", block.c_str(), st.message().c_str());
      return 1;
    }
  }
  verif::seed_verilator(seed, argc, argv);
  auto top = std::make_unique<Vhw_gemm>();
  top->wmem_we_i = 0;
  top->xmem_we_i = 0;
  top->start_i = 0;
  verif::reset(*top);

  verif::StallPattern out_stall(seed ^ 0x2222);
  long long checked = 0, failed = 0, cycles = 0, macs = 0;
  for (long long i = 0; i < n_gemms; ++i) {
    const Gemm g = i == 0 ? first : random_gemm(rng);
    const GemmRun r = run(*top, g, i == 0, &out_stall, block, i, failed);
    checked += r.checked;
    cycles += r.cycles;
    macs += g.M * g.K * g.N;
  }

  // Throughput, no stalls: 64 x 64 x 64 (or the largest that fits) and M = 1 (decode).
  char extra[400];
  {
    const int64_t s = kMax < 64 ? kMax : 64;
    Gemm big = random_gemm(rng), vec = random_gemm(rng);
    for (Gemm* g : {&big, &vec}) {
      g->base = 0;
      g->M = g == &big ? s : 1;
      g->K = g->N = s;
      g->w = golden::MatI8::Random(s, s);
      g->x = MatX::Random(g->M, s).unaryExpr([](int64_t v) { return golden::saturate(v % 1000, kAW); });
    }
    const GemmRun rb = run(*top, big, false, nullptr, block, -1, failed);
    const GemmRun rv = run(*top, vec, false, nullptr, block, -2, failed);
    checked += rb.checked + rv.checked;
    const double ideal_b = static_cast<double>(s * s * s) / (kR * kC), ideal_v = static_cast<double>(s * s) / (kR * kC);
    const double bw_v = static_cast<double>(s * s) / kC;  // weight bytes / SRAM bytes per cycle (C per cycle)
    std::snprintf(extra, sizeof extra,
                  "%lld GEMMs, %lld MACs in %lld cycles under random stalls; %lldx%lldx%lld: %lld cycles vs "
                  "MACs/(R*C) = %.0f (ratio %.3f); M=1 %lldx%lld: %lld cycles vs MACs/(R*C) = %.0f, weight bytes / "
                  "SRAM bytes per cycle = %.0f (ratio %.3f)",
                  n_gemms, macs, cycles, static_cast<long long>(s), static_cast<long long>(s),
                  static_cast<long long>(s), rb.cycles, ideal_b, static_cast<double>(rb.cycles) / ideal_b,
                  static_cast<long long>(s), static_cast<long long>(s), rv.cycles, ideal_v, bw_v,
                  static_cast<double>(rv.cycles) / bw_v);
    if (!bench_path.empty()) {
      std::ofstream out(bench_path);
      out << "{\n  \"block\": \"gemm\", \"R\": " << kR << ", \"C\": " << kC << ", \"act_bits\": " << kAW
          << ", \"weight_banks\": " << HW_NUM_BANKS
          << ",\n  \"M\": " << s << ", \"K\": " << s << ", \"N\": " << s << ", \"cycles\": " << rb.cycles
          << ", \"macs_per_rc\": " << ideal_b << ", \"ratio\": " << static_cast<double>(rb.cycles) / ideal_b
          << ",\n  \"decode_M1\": {\"cycles\": " << rv.cycles << ", \"macs_per_rc\": " << ideal_v
          << ", \"weight_bytes_per_sram_bytes_per_cycle\": " << bw_v
          << ", \"ratio_to_bandwidth_bound\": " << static_cast<double>(rv.cycles) / bw_v << "}\n}\n";
    }
  }
  top->final();
  return verif::finish(block, seed, checked, failed, extra);
}
