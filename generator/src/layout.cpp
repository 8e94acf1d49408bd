#include "hardwire/gen/layout.hpp"

#include <algorithm>

#include "hardwire/gen/hex_image.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

int64_t gemm_weight_word_count(int64_t n_rows, int64_t k_cols, int64_t R, int64_t C) {
  HW_CHECK(R >= 1 && C >= 1 && n_rows >= 0 && k_cols >= 0, "array and matrix dimensions");
  return ((n_rows + C - 1) / C) * ((k_cols + R - 1) / R) * R;
}

LaneWords gemm_weight_words(const golden::MatI8& w, int64_t R, int64_t C) {
  HW_CHECK(R >= 1 && C >= 1, "array dimensions");
  const int64_t N = w.rows(), K = w.cols();
  const int64_t KT = (K + R - 1) / R, NT = (N + C - 1) / C;
  LaneWords out;
  out.lanes = C;
  out.lane_bits = 8;
  out.values.assign(static_cast<size_t>(gemm_weight_word_count(N, K, R, C) * C), 0);
  for (int64_t nt = 0; nt < NT; ++nt)
    for (int64_t kt = 0; kt < KT; ++kt)
      for (int64_t r = 0; r < R; ++r)
        for (int64_t c = 0; c < C; ++c) {
          const int64_t n = nt * C + c, k = kt * R + r;
          if (n < N && k < K) out.values[static_cast<size_t>((((nt * KT + kt) * R + r) * C) + c)] = w(n, k);
        }
  return out;
}

int64_t gemv_weight_word_count(int64_t n_rows, int64_t k_cols, int64_t P, int64_t C) {
  HW_CHECK(P >= 1 && C >= 1 && n_rows >= 0 && k_cols >= 0, "weight port and matrix dimensions");
  return ((n_rows + C - 1) / C) * ((k_cols + P - 1) / P);
}

std::vector<LaneWords> gemv_weight_words(const golden::MatI8& w, int64_t P, int64_t C, int bits,
                                         const golden::MatU8& zero_point, int64_t group) {
  HW_CHECK(P >= 1 && C >= 1, "weight port dimensions");
  HW_CHECK(bits == 4 || bits == 6 || bits == 8, "weight code width 4, 6 or 8");
  const bool zp = zero_point.size() > 0;
  HW_CHECK(!zp || (group > 0 && zero_point.rows() == w.rows() && zero_point.cols() == (w.cols() + group - 1) / group),
           "one zero point per row and group");
  const int64_t lim = int64_t{1} << (bits - 1);
  const int64_t N = w.rows(), K = w.cols();
  const int64_t KG = (K + P - 1) / P, words = gemv_weight_word_count(N, K, P, C);
  std::vector<LaneWords> banks(static_cast<size_t>(P));
  for (auto& b : banks) {
    b.lanes = C;
    b.lane_bits = bits;
    b.values.assign(static_cast<size_t>(words * C), 0);
  }
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      const int64_t word = (n / C) * KG + k / P;
      int64_t code = w(n, k);
      if (zp) {
        code += zero_point(n, k / group);
        HW_CHECK(code >= 0 && code < 2 * lim, "an unsigned weight code fits its width");
      } else {
        HW_CHECK(code >= -lim && code < lim, "a weight code fits its width");
      }
      banks[static_cast<size_t>(k % P)].values[static_cast<size_t>(word * C + n % C)] = code;
    }
  return banks;
}

int64_t gemv_group_scale_word_count(int64_t n_rows, int64_t k_cols, int64_t P, int64_t C, int64_t group_words) {
  HW_CHECK(P >= 1 && C >= 1 && group_words >= 1 && n_rows >= 0 && k_cols >= 0, "group-scale layout dimensions");
  const int64_t KG = (k_cols + P - 1) / P;
  return ((n_rows + C - 1) / C) * ((KG + group_words - 1) / group_words);
}

LaneWords gemv_group_scale_words(const golden::MatU8& gs, int64_t k_cols, int64_t P, int64_t C, int64_t group_words,
                                 const golden::MatU8& zero_point, int bits) {
  const int64_t N = gs.rows();
  const int64_t KG = (k_cols + P - 1) / P, NG = (KG + group_words - 1) / group_words;
  HW_CHECK(gs.cols() == (k_cols + P * group_words - 1) / (P * group_words) && gs.cols() == NG,
           "one group scale per row and group of group_words x P inputs");
  const bool zp = zero_point.size() > 0;
  HW_CHECK(!zp || (zero_point.rows() == N && zero_point.cols() == NG && bits >= 1 && bits <= 8),
           "one zero point per group scale");
  LaneWords out;
  out.lanes = C;
  out.lane_bits = golden::kGroupScaleBits + (zp ? bits : 0);
  out.values.assign(static_cast<size_t>(gemv_group_scale_word_count(N, k_cols, P, C, group_words) * C), 0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t g = 0; g < NG; ++g) {
      const int64_t z = zp ? int64_t{zero_point(n, g)} : 0;
      HW_CHECK(z < (int64_t{1} << bits), "a zero point fits the code width");
      out.values[static_cast<size_t>(((n / C) * NG + g) * C + n % C)] = int64_t{gs(n, g)} | (z << golden::kGroupScaleBits);
    }
  return out;
}

LaneWords rope_table_words(const golden::MatI16& t) {
  LaneWords w;
  w.lanes = t.cols();
  w.lane_bits = 16;
  for (Eigen::Index p = 0; p < t.rows(); ++p)
    for (Eigen::Index j = 0; j < t.cols(); ++j) w.values.push_back(t(p, j));
  return w;
}

LaneWords gemm_activation_words(const Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& x,
                                int64_t R, int act_bits) {
  const int64_t M = x.rows(), K = x.cols(), KT = (K + R - 1) / R;
  LaneWords out;
  out.lanes = R;
  out.lane_bits = act_bits;
  out.values.assign(static_cast<size_t>(M * KT * R), 0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < K; ++k) out.values[static_cast<size_t>((m * KT + k / R) * R + k % R)] = x(m, k);
  return out;
}

std::string hex_image(const LaneWords& w) {
  HW_CHECK(w.lane_bits >= 1 && w.lane_bits <= 64, "lane width 1..64");
  std::string out;
  static const char kHex[] = "0123456789abcdef";
  const uint64_t mask = w.lane_bits == 64 ? ~uint64_t{0} : ((uint64_t{1} << w.lane_bits) - 1);
  if (w.lane_bits % 4 == 0) {
    const int digits = w.lane_bits / 4;
    for (int64_t i = 0; i < w.words(); ++i) {
      for (int64_t l = w.lanes - 1; l >= 0; --l) {
        const uint64_t v = static_cast<uint64_t>(w.values[static_cast<size_t>(i * w.lanes + l)]) & mask;
        for (int d = digits - 1; d >= 0; --d) out += kHex[(v >> (4 * d)) & 0xf];
      }
      out += '\n';
    }
    return out;
  }
  // Lanes that do not fill whole digits: the word's bits, packed, then read four at a time from the top.
  const int64_t bits = w.lanes * w.lane_bits, digits = (bits + 3) / 4;
  std::vector<uint8_t> bit(static_cast<size_t>(digits * 4));
  for (int64_t i = 0; i < w.words(); ++i) {
    std::fill(bit.begin(), bit.end(), 0);
    for (int64_t l = 0; l < w.lanes; ++l) {
      const uint64_t v = static_cast<uint64_t>(w.values[static_cast<size_t>(i * w.lanes + l)]) & mask;
      for (int b = 0; b < w.lane_bits; ++b) bit[static_cast<size_t>(l * w.lane_bits + b)] = (v >> b) & 1;
    }
    for (int64_t d = digits - 1; d >= 0; --d) {
      const size_t at = static_cast<size_t>(4 * d);
      out += kHex[bit[at] | bit[at + 1] << 1 | bit[at + 2] << 2 | bit[at + 3] << 3];
    }
    out += '\n';
  }
  return out;
}

std::vector<std::string> hex_image_banks(const LaneWords& w, int64_t bank_depth) {
  const int64_t n = w.words();
  if (bank_depth <= 0 || bank_depth >= n) return {hex_image(w)};
  std::vector<std::string> banks;
  for (int64_t first = 0; first < n; first += bank_depth) {
    LaneWords part;
    part.lanes = w.lanes;
    part.lane_bits = w.lane_bits;
    const int64_t last = std::min(n, first + bank_depth);
    part.values.assign(w.values.begin() + first * w.lanes, w.values.begin() + last * w.lanes);
    banks.push_back(hex_image(part));
  }
  return banks;
}

}  // namespace hardwire::gen
