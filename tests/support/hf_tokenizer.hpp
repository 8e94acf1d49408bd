// A llama2.c tokenizer as a Hugging Face tokenizer.json, the way transformers' LlamaConverter writes one.
#pragma once

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hardwire/gen/llama2c.hpp"

namespace hw_test {

// A llama2.c tokenizer (tok512.bin) as Hugging Face's LlamaConverter would write it: vocab with "▁" for spaces, byte fallback, the
// sentencepiece normalizer, and merges of every split of every piece into two pieces, the merged piece of higher
// score first (within a piece, by the ids of the two halves).
inline nlohmann::json to_tokenizer_json(const hardwire::gen::Tokenizer& t, bool metaspace_form) {
  auto meta = [](std::string s) {
    std::string out;
    for (char c : s) out += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
    return out;
  };
  std::map<std::string, int64_t> ids;
  for (size_t i = 0; i < t.pieces.size(); ++i) ids.emplace(t.pieces[i], static_cast<int64_t>(i));
  nlohmann::json vocab = nlohmann::json::object();
  for (size_t i = 0; i < t.pieces.size(); ++i) vocab[meta(t.pieces[i])] = i;
  struct M {
    float score;
    int64_t merged, l, r;
    std::string a, b;
  };
  std::vector<M> merges;
  for (size_t i = 0; i < t.pieces.size(); ++i) {
    const std::string& p = t.pieces[i];
    if (p.size() < 2 || p[0] == '<') continue;
    for (size_t k = 1; k < p.size(); ++k) {
      const auto l = ids.find(p.substr(0, k)), r = ids.find(p.substr(k));
      if (l != ids.end() && r != ids.end())
        merges.push_back({t.scores[i], static_cast<int64_t>(i), l->second, r->second, l->first, r->first});
    }
  }
  std::stable_sort(merges.begin(), merges.end(), [](const M& x, const M& y) {
    if (x.score != y.score) return x.score > y.score;
    if (x.merged != y.merged) return x.merged < y.merged;
    return x.l != y.l ? x.l < y.l : x.r < y.r;
  });
  nlohmann::json mj = nlohmann::json::array();
  for (size_t i = 0; i < merges.size(); ++i) {
    if (i % 2) mj.push_back({meta(merges[i].a), meta(merges[i].b)});  // both spellings of a merge
    else mj.push_back(meta(merges[i].a) + " " + meta(merges[i].b));
  }
  nlohmann::json j = {{"version", "1.0"},
                      {"model",
                       {{"type", "BPE"}, {"byte_fallback", true}, {"unk_token", "<unk>"}, {"vocab", vocab},
                        {"merges", mj}}}};
  if (metaspace_form) {
    j["normalizer"] = nullptr;
    j["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", "first"},
                          {"split", false}};
  } else {
    j["normalizer"] = {{"type", "Sequence"},
                       {"normalizers",
                        {{{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}},
                         {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xE2\x96\x81"}}}}};
    j["pre_tokenizer"] = nullptr;
  }
  return j;
}

}  // namespace hw_test
