// libFuzzer target: the tokenizer reader, then the encoder on a text taken from the same input.
// Input: byte 0-1 vocab (2..1025), byte 2-3 length of the tokenizer part, then the tokenizer file, then the text.
// A tokenizer that reads must encode any text to valid ids or refuse it with an Error; for ASCII text the ids must
// equal the quadratic reference encoder's (llama2.c's algorithm), a differential check of the O(n log n) encoder.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "hardwire/gen/llama2c.hpp"
#include "support/ref_encode.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const int64_t vocab = 2 + ((data[0] | data[1] << 8) % 1024);
  const size_t tok_len = std::min<size_t>(size - 4, data[2] | data[3] << 8);
  const std::vector<char> tok(reinterpret_cast<const char*>(data) + 4, reinterpret_cast<const char*>(data) + 4 + tok_len);
  const std::string text(reinterpret_cast<const char*>(data) + 4 + tok_len, size - 4 - tok_len);
  auto t = hardwire::gen::parse_tokenizer(tok, vocab, "fuzz.bin");
  if (!t) return 0;
  if (static_cast<int64_t>(t->pieces.size()) != vocab) __builtin_trap();
  for (int64_t max_tokens : {int64_t{16}, int64_t{1} << 40}) {
    auto ids = t->encode(text, true, max_tokens);
    if (!ids) continue;
    if (static_cast<int64_t>(ids->size()) > max_tokens) __builtin_trap();
    for (int64_t id : *ids)
      if (id < 0 || id >= vocab) __builtin_trap();
    bool ascii = true;
    for (unsigned char c : text) ascii = ascii && c < 0x80;
    if (ascii && text.size() <= 256 && *ids != hw_test::reference_encode(*t, text)) __builtin_trap();
  }
  return 0;
}
