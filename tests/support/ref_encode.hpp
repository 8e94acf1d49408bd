// The reference llama2.c encoder, quadratic as llama2.c writes it (ASCII text only: one byte, one code point), that
// the O(n log n) gen::Tokenizer::encode is checked against by test_reliability and by the tokenizer fuzzer.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "hardwire/gen/llama2c.hpp"

namespace hw_test {

inline std::vector<int64_t> reference_encode(const hardwire::gen::Tokenizer& t, const std::string& text) {
  std::unordered_map<std::string, int64_t> index;
  for (size_t i = 0; i < t.pieces.size(); ++i) index.emplace(t.pieces[i], static_cast<int64_t>(i));
  auto lookup = [&](const std::string& s) {
    auto it = index.find(s);
    return it == index.end() ? int64_t{-1} : it->second;
  };
  std::vector<int64_t> toks{1};
  if (!text.empty() && lookup(" ") >= 0) toks.push_back(lookup(" "));
  for (char c : text) {
    const int64_t id = lookup(std::string(1, c));
    toks.push_back(id >= 0 ? id : static_cast<unsigned char>(c) + 3);
  }
  for (;;) {
    float best = -1e30f;
    int64_t best_id = -1;
    size_t best_i = 0;
    for (size_t i = 1; i + 1 < toks.size(); ++i) {
      const int64_t id = lookup(t.pieces[static_cast<size_t>(toks[i])] + t.pieces[static_cast<size_t>(toks[i + 1])]);
      if (id >= 0 && t.scores[static_cast<size_t>(id)] > best) {
        best = t.scores[static_cast<size_t>(id)];
        best_id = id;
        best_i = i;
      }
    }
    if (best_id < 0) break;
    toks[best_i] = best_id;
    toks.erase(toks.begin() + static_cast<std::ptrdiff_t>(best_i) + 1);
  }
  return toks;
}

}  // namespace hw_test
