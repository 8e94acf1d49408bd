// libFuzzer target: a Hugging Face config.json and tokenizer.json from the same bytes. The config parser must give
// a valid shape or an Error; a tokenizer that reads must encode a text to ids of its vocab or refuse it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hardwire/gen/hf_llama.hpp"
#include "hardwire/gen/llama2c.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (int64_t seq : {int64_t{0}, int64_t{64}}) {
    auto c = hardwire::gen::parse_hf_config(text, "config.json", seq);
    if (c && (!c->shape.validate().is_ok() || (seq > 0 && c->shape.seq_len != seq))) __builtin_trap();
    if (c) (void)c->rope.inv_freq(c->shape.head_size());
  }
  auto t = hardwire::gen::parse_hf_tokenizer(text, 300, "tokenizer.json");
  if (t) {
    if (t->pieces.size() != 300) __builtin_trap();
    for (const char* s : {"Once upon a time", "caf\xC3\xA9 \xE2\x82\xAC", ""}) {
      auto ids = t->encode(s, true, 64);
      if (!ids) continue;
      for (int64_t id : *ids)
        if (id < 0 || id >= 300) __builtin_trap();
    }
  }
  return 0;
}
