// The tiny preset's 100-token tokenizer that the CLI and reliability tests share: printable ASCII pieces (and "xy"),
// no byte fallback.
#pragma once

#include <string>

#include "hardwire/gen/llama2c.hpp"

namespace hw_test {

inline hardwire::gen::Tokenizer ascii_tokenizer() {
  hardwire::gen::Tokenizer t;
  t.max_token_length = 6;
  for (const char* p : {"<unk>", "\n<s>\n", "\n</s>\n"}) t.pieces.push_back(p), t.scores.push_back(0);
  for (int b = 0; b < 97; ++b) {
    t.pieces.push_back(std::string(1, static_cast<char>(b < 95 ? ' ' + b : 'x')) + (b >= 95 ? "y" : ""));
    t.scores.push_back(-static_cast<float>(b));
  }
  return t;
}

}  // namespace hw_test
