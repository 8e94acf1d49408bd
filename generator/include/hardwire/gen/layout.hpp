// hardwire/gen/layout.hpp — how matrices are laid out in the memories of the matrix engines (the order hw_gemv and
// hw_gemm consume them). The RTL side of each layout is documented in the module that reads it.
#pragma once

#include <cstdint>
#include <vector>

#include "hardwire/golden/qmodel.hpp"

namespace hardwire::gen {

// Words of a memory whose words are `lanes` equal lanes; lane 0 is the least significant. Flat: word w, lane l at
// [w * lanes + l].
struct LaneWords {
  int64_t lanes = 0;
  int lane_bits = 0;
  std::vector<int64_t> values;
  int64_t words() const { return lanes ? static_cast<int64_t>(values.size()) / lanes : 0; }
};

// Weight SRAM image for hw_gemm (rtl_templates/hw_gemm.sv) on an R x C array: tile (nt, kt), nt-major, occupies
// words (nt*KT + kt)*R + r; lane c of word r is W[nt*C + c][kt*R + r], zero outside W. W is (N x K), out x in.
LaneWords gemm_weight_words(const golden::MatI8& w, int64_t R, int64_t C);
// The words that image takes: ceil(N / C) * ceil(K / R) * R (the one place this is computed).
int64_t gemm_weight_word_count(int64_t n_rows, int64_t k_cols, int64_t R, int64_t C);
// Weight images for hw_gemv (rtl_templates/hw_gemv.sv), the accelerator's decode matrix engine, with a weight port
// of P x C codes: P banks of C lanes of `bits`-bit codes (4, 6 or 8; every code must fit). Group (nt, g), nt-major,
// is word nt*KG + g of every bank; lane c of bank j's word is W[nt*C + c][g*P + j], zero outside W. KG = ceil(K / P).
// With zero points (`zero_point` [N x groups of `group` inputs], non-empty) a lane holds the unsigned code
// U = W + z[n][k / group], which must lie in [0, 2^bits - 1].
std::vector<LaneWords> gemv_weight_words(const golden::MatI8& w, int64_t P, int64_t C, int bits = 8,
                                         const golden::MatU8& zero_point = {}, int64_t group = 0);
// The words that image takes in each bank: ceil(N / C) * ceil(K / P) (the one place this is computed).
int64_t gemv_weight_word_count(int64_t n_rows, int64_t k_cols, int64_t P, int64_t C);
// hw_gemv's group-scale ROM for one matrix whose groups are `group_words` input words of P (group = group_words x P
// inputs): word nt*NG + gi, lane c (8 bits) = gs[nt*C + c][gi], zero outside; NG = ceil(KG / group_words). With
// zero points (`zero_point` of gs's shape, non-empty) a lane is 8 + `bits` bits: z[nt*C + c][gi] above the scale.
LaneWords gemv_group_scale_words(const golden::MatU8& gs, int64_t k_cols, int64_t P, int64_t C, int64_t group_words,
                                 const golden::MatU8& zero_point = {}, int bits = 8);
// The words that image takes: ceil(N / C) * NG (the one place this is computed).
int64_t gemv_group_scale_word_count(int64_t n_rows, int64_t k_cols, int64_t P, int64_t C, int64_t group_words);
// Activation buffer image for hw_gemm (and hw_gemv's X buffer with R = P, M = 1): word m*KT + kt, lane r = X[m][kt*R + r], zero outside X (M x K).
LaneWords gemm_activation_words(const Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& x,
                                int64_t R, int act_bits);

// RoPE table image for hw_rope (rtl_templates/hw_rope.sv): word pos holds the position's HEAD_SIZE/2 values, lane
// j = t(pos, j) (Q1.14, 16 bits). t is seq_len x head_size/2 (golden::QModel::rope_cos / rope_sin).
LaneWords rope_table_words(const golden::MatI16& t);

// $readmemh text of lane words: each word as one line of ceil(lanes * lane_bits / 4) hex digits, the lanes packed
// lane_bits apart from bit 0 (lane 0 lowest), so the highest lane comes first (lane_bits 1..64).
std::string hex_image(const LaneWords& words);
// The same split into banks of `bank_depth` words (hw_sram BANK_DEPTH): bank b holds words [b*depth, (b+1)*depth).
// bank_depth 0 (or >= the word count) gives one bank.
std::vector<std::string> hex_image_banks(const LaneWords& words, int64_t bank_depth);

}  // namespace hardwire::gen
