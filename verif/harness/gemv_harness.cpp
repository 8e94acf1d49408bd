// The decode matrix engine (rtl_templates/hw_gemv.sv) against golden::matvec: random K x N (sizes that are not
// multiples of P or C included, K < P and N < C too), weight codes over the full range of their width (4, 6 or 8
// bits), with group scales over 0..255 where the engine has them (golden::matvec of a QLinear with groups of
// GROUP_WORDS x P inputs, the last of a row shorter), with ZERO_POINT unsigned codes and a zero point per group over
// their whole ranges (the golden computes with the signed codes u - z), activations over the full A_W range with
// extremes, matrices
// anywhere in the weight banks and the group-scale ROM, random stalls on the result handshake. The first product's
// weights (and scales) come from generated $readmemh images (one per weight bank, or per macro of a bank: the W_FILE
// prefix the model was built with; GS_FILE); later ones are written through the host ports. Every accumulator of
// every beat is compared (lanes past N must be zero), out_last_o must mark the final beat and busy_o must drop after
// it.
//
// Configuration: HW_P (weight-port rows), HW_C, HW_A_W, HW_ACC_W, HW_MAX (K_MAX = N_MAX), HW_W_DEPTH, HW_W_BANK_DEPTH,
// HW_W_FILE, HW_W_BITS, HW_GROUP_WORDS, HW_ZERO_POINT, HW_GS_DEPTH, HW_GS_FILE. Options: --products N (default 300), --bench FILE
// (also time 64 x 64 without stalls, write JSON there).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "Vhw_gemv.h"
#include "hardwire/gen/files.hpp"
#include "hardwire/gen/layout.hpp"
#include "hardwire/golden/ops.hpp"
#include "harness.hpp"
#include "ports.hpp"
#include "verilated.h"

using namespace hardwire;

namespace {
constexpr int kP = HW_P, kC = HW_C, kAW = HW_A_W, kAccW = HW_ACC_W, kMax = HW_MAX;
constexpr int64_t kWDepth = HW_W_DEPTH;
constexpr int kWBits = HW_W_BITS;
constexpr int64_t kGroupWords = HW_GROUP_WORDS, kGsDepth = HW_GS_DEPTH;
constexpr int64_t kGroup = kGroupWords * kP;  // inputs per group scale (0: none)
constexpr bool kZeroPoint = HW_ZERO_POINT != 0;
constexpr int kEntryBits = 8 + (kZeroPoint ? kWBits : 0);  // a group-scale ROM entry
using MatX = Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Product {
  int64_t K = 0, N = 0, base = 0, gs_base = 0;
  golden::QLinear lin;  // w: N x K codes; group_scale: N x ceil(K / group) with groups
  MatX x;               // 1 x K
};

void random_scales(Product& g, std::mt19937_64& rng, bool extremes) {
  if (kGroup == 0) return;
  const int64_t group = kGroup > 0 ? kGroup : 1;  // (kGroup > 0 here; the compiler sees no division by zero)
  g.lin.group = group;
  g.lin.group_scale.resize(g.N, (g.K + group - 1) / group);
  for (Eigen::Index i = 0; i < g.lin.group_scale.size(); ++i)
    g.lin.group_scale.data()[i] = static_cast<uint8_t>(extremes ? 255 : rng() % 256);
  if (kZeroPoint) {
    // Zero points anywhere in [0, 2^b - 1] (extremes: all 0 or all 2^b - 1); the codes become u - z.
    const int umax = (1 << kWBits) - 1;
    g.lin.zero_point.resize(g.lin.group_scale.rows(), g.lin.group_scale.cols());
    const bool high = rng() & 1;
    for (Eigen::Index i = 0; i < g.lin.zero_point.size(); ++i)
      g.lin.zero_point.data()[i] = static_cast<uint8_t>(extremes ? (high ? umax : 0) : static_cast<int>(rng() % (umax + 1)));
    for (Eigen::Index r = 0; r < g.lin.w.rows(); ++r)
      for (Eigen::Index c = 0; c < g.lin.w.cols(); ++c) {
        const int u = extremes ? ((rng() & 1) ? umax : 0) : static_cast<int>(rng() % (umax + 1));
        g.lin.w(r, c) = static_cast<int8_t>(u - g.lin.zero_point(r, c / group));
      }
  }
  const int64_t words = gen::gemv_group_scale_word_count(g.N, g.K, kP, kC, kGroupWords);
  g.gs_base = (rng() % 2) ? static_cast<int64_t>(rng() % static_cast<uint64_t>(kGsDepth - words + 1)) : 0;
}

Product random_product(std::mt19937_64& rng) {
  Product g;
  auto dim = [&] { return 1 + static_cast<int64_t>(rng() % kMax); };
  g.K = (rng() % 8 == 0) ? 1 + static_cast<int64_t>(rng() % kP) : dim();
  g.N = (rng() % 8 == 0) ? 1 + static_cast<int64_t>(rng() % kC) : dim();
  g.lin.w.resize(g.N, g.K);
  const bool extremes = rng() % 8 == 0;
  const int lo = -(1 << (kWBits - 1)), hi = (1 << (kWBits - 1)) - 1;
  for (Eigen::Index i = 0; i < g.lin.w.size(); ++i)
    g.lin.w.data()[i] = static_cast<int8_t>(extremes ? ((rng() & 1) ? lo : hi)
                                                     : static_cast<int>(rng() % static_cast<uint64_t>(hi - lo + 1)) + lo);
  random_scales(g, rng, extremes);
  const int64_t words = gen::gemv_weight_word_count(g.N, g.K, kP, kC);
  g.base = (rng() % 2) ? static_cast<int64_t>(rng() % static_cast<uint64_t>(kWDepth - words + 1)) : 0;
  g.x.resize(1, g.K);
  std::uniform_int_distribution<int64_t> xd(golden::min_of(kAW), golden::max_of(kAW));
  for (Eigen::Index i = 0; i < g.x.size(); ++i)
    g.x.data()[i] = extremes ? ((rng() & 1) ? golden::min_of(kAW) : golden::max_of(kAW)) : xd(rng);
  return g;
}

struct Run {
  long long checked = 0, failed = 0, cycles = 0;
};

// One product: load the memories (the weights unless preloaded), start, take and check every result beat.
Run run(Vhw_gemv& top, const Product& g, bool preloaded, verif::StallPattern* out_stall, const std::string& block,
        long long index, long long& failed_total) {
  Run res;
  const auto banks = gen::gemv_weight_words(g.lin.w, kP, kC, kWBits, g.lin.zero_point, g.lin.group);
  const gen::LaneWords xw = gen::gemm_activation_words(g.x, kP, kAW);
  top.start_i = 0;
  top.out_ready_i = 0;
  if (!preloaded) {
    std::vector<int64_t> word(static_cast<size_t>(kP * kC));
    for (int64_t i = 0; i < banks[0].words(); ++i) {
      for (int j = 0; j < kP; ++j)
        for (int c = 0; c < kC; ++c)
          word[static_cast<size_t>(j * kC + c)] = banks[static_cast<size_t>(j)].values[static_cast<size_t>(i * kC + c)];
      top.wmem_we_i = 1;
      top.wmem_addr_i = static_cast<uint32_t>(g.base + i);
      verif::set_lanes(top.wmem_data_i, word.data(), kP * kC, kWBits);
      verif::settle_low(top);
      verif::rising_edge(top);
    }
    top.wmem_we_i = 0;
    if constexpr (kGroup > 0) {
      const auto gs = gen::gemv_group_scale_words(g.lin.group_scale, g.K, kP, kC, kGroupWords, g.lin.zero_point, kWBits);
      for (int64_t i = 0; i < gs.words(); ++i) {
        top.gsmem_we_i = 1;
        top.gsmem_addr_i = static_cast<uint32_t>(g.gs_base + i);
        verif::set_lanes(top.gsmem_data_i, &gs.values[static_cast<size_t>(i * kC)], kC, kEntryBits);
        verif::settle_low(top);
        verif::rising_edge(top);
      }
      top.gsmem_we_i = 0;
    }
  }
  for (int64_t i = 0; i < xw.words(); ++i) {
    top.xmem_we_i = 1;
    top.xmem_addr_i = static_cast<uint32_t>(i);
    verif::set_lanes(top.xmem_data_i, &xw.values[static_cast<size_t>(i * kP)], kP, kAW);
    verif::settle_low(top);
    verif::rising_edge(top);
  }
  top.xmem_we_i = 0;
  const golden::VecI want = golden::matvec(g.lin, g.x.row(0).transpose());
  top.k_i = static_cast<uint32_t>(g.K);
  top.n_i = static_cast<uint32_t>(g.N);
  top.w_base_i = static_cast<uint32_t>(g.base);
  top.gs_base_i = static_cast<uint32_t>(g.gs_base);
  top.start_i = 1;
  verif::settle_low(top);
  verif::rising_edge(top);
  top.start_i = 0;
  const int64_t beats = (g.N + kC - 1) / kC;
  int64_t beat = 0, issues = 0;  // issue_o: the cycles that read the memories (an activity counter's event)
  const long long limit = 100000 + 40LL * g.K * g.N;
  while (beat < beats && res.cycles < limit) {
    top.out_ready_i = out_stall ? out_stall->next() : 1;
    verif::settle_low(top);
    issues += top.issue_o ? 1 : 0;
    if (top.out_valid_o && top.out_ready_i) {
      for (int c = 0; c < kC; ++c) {
        const int64_t n = beat * kC + c;
        const int64_t got = verif::get_lane(top.out_data_o, c, kAccW);
        const int64_t exp = n < g.N ? want[n] : 0;
        ++res.checked;
        if (got != exp) {
          ++res.failed;
          if (failed_total++ < 5)
            std::printf("[%s] MISMATCH in product %lld (K=%lld N=%lld base %lld) at y[%lld]: RTL %lld, golden %lld\n",
                        block.c_str(), index, static_cast<long long>(g.K), static_cast<long long>(g.N),
                        static_cast<long long>(g.base), static_cast<long long>(n), static_cast<long long>(got),
                        static_cast<long long>(exp));
        }
      }
      if (static_cast<bool>(top.out_last_o) != (beat == beats - 1)) {
        ++res.failed;
        if (failed_total++ < 5)
          std::printf("[%s] product %lld: out_last wrong at beat %lld\n", block.c_str(), index,
                      static_cast<long long>(beat));
      }
      ++beat;
    }
    verif::rising_edge(top);
    ++res.cycles;
  }
  if (beat < beats) {
    std::printf("[%s] product %lld TIMEOUT: %lld of %lld result beats after %lld cycles\n", block.c_str(), index,
                static_cast<long long>(beat), static_cast<long long>(beats), res.cycles);
    ++res.failed;
    ++failed_total;
  }
  verif::settle_low(top);
  if (issues != beats * ((g.K + kP - 1) / kP)) {
    std::printf("[%s] product %lld: issue_o raised in %lld cycles, expected NT x KG = %lld\n", block.c_str(), index,
                static_cast<long long>(issues), static_cast<long long>(beats * ((g.K + kP - 1) / kP)));
    ++res.failed;
    ++failed_total;
  }
  if (top.busy_o || top.out_valid_o) {
    std::printf("[%s] product %lld: still busy (or a beat left over) after its last result\n", block.c_str(), index);
    ++res.failed;
    ++failed_total;
  }
  return res;
}

std::string image_path(int64_t bank, int64_t macro) {
  return std::string(HW_W_FILE) + "_p" + std::to_string(bank) +
         (HW_W_BANK_DEPTH == 0 ? std::string(".hex") : "_bank" + std::to_string(macro) + ".hex");
}
}  // namespace

int main(int argc, char** argv) {
  long long n_products = 300;
  std::string bench_path;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--products") && i + 1 < argc) n_products = std::atoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--bench") && i + 1 < argc) bench_path = argv[++i];
  }
  const std::string block = "rtl gemv " + std::to_string(kP) + "x" + std::to_string(kC) + " A_W=" +
                            std::to_string(kAW) + (kWBits != 8 ? " W_BITS=" + std::to_string(kWBits) : std::string()) +
                            (kGroup ? " group " + std::to_string(kGroup) : std::string()) +
                            (kZeroPoint ? " zero points" : "") +
                            (HW_W_BANK_DEPTH ? ", macros of " + std::to_string(HW_W_BANK_DEPTH) : std::string());
  const uint64_t seed = verif::harness_seed(block);
  std::mt19937_64 rng(seed);
  const golden::WeightFormat format{kWBits, kGroup, kZeroPoint};
  if (kAccW != golden::accumulator_bits(kAW, kMax, format))
    return verif::finish(block, seed, 0, 1, "ACC_W " + std::to_string(kAccW) + " is not accumulator_bits(" +
                                                std::to_string(kAW) + ", " + std::to_string(kMax) + ", format) = " +
                                                std::to_string(golden::accumulator_bits(kAW, kMax, format)));
  if (kGroup > 0 && gen::gemv_group_scale_word_count(kMax, kMax, kP, kC, kGroupWords) * 2 > kGsDepth)
    return verif::finish(block, seed, 0, 1, "GS_DEPTH " + std::to_string(kGsDepth) + " cannot hold two " +
                                                std::to_string(kMax) + "x" + std::to_string(kMax) + " matrices");
  if (gen::gemv_weight_word_count(kMax, kMax, kP, kC) * 2 > kWDepth)
    return verif::finish(block, seed, 0, 1, "W_DEPTH " + std::to_string(kWDepth) + " cannot hold two " +
                                                std::to_string(kMax) + "x" + std::to_string(kMax) + " matrices");

  // Product 0's weights are the generated images the weight banks start from (covering every word, so a banked
  // build gets a fresh file for each of its macros).
  const Product first = random_product(rng);
  auto images = gen::gemv_weight_words(first.lin.w, kP, kC, kWBits, first.lin.zero_point, first.lin.group);
  for (auto& b : images) {
    b.values.insert(b.values.begin(), static_cast<size_t>(first.base * kC), 0);
    b.values.resize(static_cast<size_t>(kWDepth * kC), 0);
    const auto macros = gen::hex_image_banks(b, HW_W_BANK_DEPTH);
    for (size_t m = 0; m < macros.size(); ++m) {
      const auto path = image_path(&b - images.data(), static_cast<int64_t>(m));
      if (auto st = gen::write_file_atomic(path, macros[m], "weight image"); !st) {
        std::printf("[%s] %s\n", block.c_str(), st.message().c_str());
        return 1;
      }
    }
  }
  if constexpr (kGroup > 0) {
    auto gs = gen::gemv_group_scale_words(first.lin.group_scale, first.K, kP, kC, kGroupWords, first.lin.zero_point, kWBits);
    gs.values.insert(gs.values.begin(), static_cast<size_t>(first.gs_base * kC), 0);
    gs.values.resize(static_cast<size_t>(kGsDepth * kC), 0);
    if (auto st = gen::write_file_atomic(HW_GS_FILE, gen::hex_image(gs), "group-scale image"); !st) {
      std::printf("[%s] %s\n", block.c_str(), st.message().c_str());
      return 1;
    }
  }
  verif::seed_verilator(seed, argc, argv);
  auto top = std::make_unique<Vhw_gemv>();
  top->wmem_we_i = 0;
  top->gsmem_we_i = 0;
  top->xmem_we_i = 0;
  top->start_i = 0;
  verif::reset(*top);

  verif::StallPattern out_stall(seed ^ 0x2222);
  long long checked = 0, failed = 0, cycles = 0, macs = 0;
  for (long long i = 0; i < n_products; ++i) {
    const Product g = i == 0 ? first : random_product(rng);
    const Run r = run(*top, g, i == 0, &out_stall, block, i, failed);
    checked += r.checked;
    cycles += r.cycles;
    macs += g.K * g.N;
  }

  // Throughput without stalls: K = N = min(64, MAX), against the weight-port bound K * N / (P * C) — in cycles from
  // start to the last beat, so it includes the 3-cycle pipeline and the handshake.
  Product big = random_product(rng);
  const int64_t s = kMax < 64 ? kMax : 64;
  big.base = 0;
  big.K = big.N = s;
  big.lin.w = golden::MatI8::Random(s, s).unaryExpr([](int8_t v) { return static_cast<int8_t>(v >> (8 - kWBits)); });
  random_scales(big, rng, false);
  big.x = MatX::Random(1, s).unaryExpr([](int64_t v) { return golden::saturate(v % 1000, kAW); });
  const Run rb = run(*top, big, false, nullptr, block, -1, failed);
  checked += rb.checked;
  const double bound = static_cast<double>(gen::gemv_weight_word_count(s, s, kP, kC));
  char extra[300];
  std::snprintf(extra, sizeof extra,
                "%lld products, %lld MACs in %lld cycles under random stalls; %lldx%lld: %lld cycles vs weight words / "
                "(P*C) = %.0f (ratio %.3f)",
                n_products, macs, cycles, static_cast<long long>(s), static_cast<long long>(s), rb.cycles, bound,
                static_cast<double>(rb.cycles) / bound);
  if (!bench_path.empty()) {
    std::ofstream out(bench_path);
    out << "{\n  \"block\": \"gemv\", \"P\": " << kP << ", \"C\": " << kC << ", \"act_bits\": " << kAW
        << ", \"weight_bits\": " << kWBits << ", \"group\": " << kGroup
        << ", \"K\": " << s << ", \"N\": " << s << ", \"cycles\": " << rb.cycles
        << ", \"weight_port_bound\": " << bound << ", \"ratio\": " << static_cast<double>(rb.cycles) / bound << "\n}\n";
  }
  top->final();
  return verif::finish(block, seed, checked, failed, extra);
}
