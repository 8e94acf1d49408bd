#include "hardwire/gen/llama2c.hpp"

#include <algorithm>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "hardwire/gen/files.hpp"

namespace hardwire::gen {

static_assert(std::endian::native == std::endian::little, "llama2.c files are little-endian; so must the host be");

using golden::FloatModel;
using golden::MatF;
using golden::Shape;
using golden::VecF;

namespace {

__extension__ typedef unsigned __int128 uint128_t;  // exact size arithmetic for any header

constexpr uint64_t kHeaderBytes = 7 * 4;
constexpr uint64_t kHeaderBytesV1 = 256;
constexpr uint32_t kMagicV1 = 0x616b3432;  // "ak42": llama2.c export.py --version 1/2

uint64_t header_bytes(int version) { return version == 0 ? kHeaderBytes : kHeaderBytesV1; }

uint128_t float_count(const Shape& s, bool shared, int version = 0) {
  using U = uint128_t;
  const U d = static_cast<U>(s.dim), h = static_cast<U>(s.hidden_dim), L = static_cast<U>(s.n_layers);
  const U kv = static_cast<U>(s.kv_dim()), v = static_cast<U>(s.vocab), seq = static_cast<U>(s.seq_len);
  const U hs = static_cast<U>(s.head_size());
  U n = v * d;                       // token_embedding
  n += L * d;                        // rms_att
  n += L * d * d + 2 * L * kv * d;   // wq, wk, wv
  n += L * d * d;                    // wo
  n += L * d;                        // rms_ffn
  n += 3 * L * h * d;                // w1, w2, w3
  n += d;                            // rms_final
  if (version == 0) n += 2 * seq * (hs / 2);  // freq_cis_real, freq_cis_imag (version 0 only)
  if (!shared) n += v * d;           // wcls
  return n;
}

std::string prefix(const std::string& path) { return "checkpoint '" + path + "': "; }

Result<CheckpointHeader> parse_header(const std::string& path, const char* bytes, uint64_t file_bytes) {
  if (file_bytes < kHeaderBytes) {
    return Error{prefix(path) + "file is " + std::to_string(file_bytes) +
                 " bytes, shorter than the 28-byte llama2.c header; is it a llama2.c checkpoint?"};
  }
  int32_t h[7];
  std::memcpy(h, bytes, sizeof h);
  CheckpointHeader hdr;
  if (static_cast<uint32_t>(h[0]) == kMagicV1) {
    if (h[1] != 1) {
      return Error{prefix(path) + "this is llama2.c's version-" + std::to_string(h[1]) + " format (magic \"ak42\"" +
                   (h[1] == 2 ? ", int8-quantized weights" : "") +
                   "); hardwire reads versions 0 and 1 (float32): re-export with llama2.c's export.py --version 1"};
    }
    if (file_bytes < kHeaderBytesV1) {
      return Error{prefix(path) + "file is " + std::to_string(file_bytes) +
                   " bytes, shorter than the 256-byte header of llama2.c's version 1 (truncated?)"};
    }
    int32_t p[7];
    std::memcpy(p, bytes + 8, sizeof p);
    const auto flag = static_cast<unsigned char>(bytes[36]);
    if (flag > 1) {
      return Error{prefix(path) + "version-1 header: shared_classifier byte is " + std::to_string(flag) +
                   ", not 0 or 1; the file is corrupt"};
    }
    hdr.version = 1;
    hdr.shape = Shape{p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
    hdr.shared_classifier = flag == 1;
  } else {
    hdr.shape = Shape{h[0], h[1], h[2], h[3], h[4], h[5] < 0 ? -int64_t{h[5]} : int64_t{h[5]}, h[6]};
    hdr.shared_classifier = h[5] > 0;
  }
  if (auto st = hdr.shape.validate(); !st) return Error{prefix(path) + "header: " + st.message()};
  const uint128_t n = float_count(hdr.shape, hdr.shared_classifier, hdr.version) * 4 + header_bytes(hdr.version);
  if (n != file_bytes) {
    const std::string expect = n > UINT64_MAX ? std::string("more than 2^64") : std::to_string(static_cast<uint64_t>(n));
    return Error{prefix(path) + "header (" + hdr.shape.to_string() + ", " +
                 (hdr.shared_classifier ? "shared" : "separate") + " classifier) implies " + expect +
                 " bytes but the file has " + std::to_string(file_bytes) + " bytes" +
                 (n > file_bytes ? " (truncated download or copy?)" : " (trailing data: a different format?)") +
                 "; re-export it with llama2.c's export.py --version " + std::to_string(hdr.version)};
  }
  hdr.expected_bytes = static_cast<uint64_t>(n);
  return hdr;
}

class Cursor {
 public:
  Cursor(const std::vector<char>& d, std::string path, uint64_t start)
      : d_(d), path_(std::move(path)), pos_(static_cast<size_t>(start)) {}
  // Reads rows*cols floats into a row-major matrix; rejects non-finite values.
  Status read(MatF& m, int64_t rows, int64_t cols, const std::string& name) {
    m.resize(rows, cols);
    const size_t n = static_cast<size_t>(rows * cols);
    HW_CHECK(pos_ + n * 4 <= d_.size(), "size was validated against the header");
    std::memcpy(m.data(), d_.data() + pos_, n * 4);
    pos_ += n * 4;
    return check_weight_values(m.data(), static_cast<int64_t>(n), prefix(path_), name);
  }
  Status read(VecF& v, int64_t n, const std::string& name) {
    MatF m;
    HW_TRY(read(m, 1, n, name));
    v = m.row(0).transpose();
    return Status::ok();
  }
  void skip(uint64_t floats) { pos_ += floats * 4; }
  size_t pos() const { return pos_; }

 private:
  const std::vector<char>& d_;
  std::string path_;
  size_t pos_;
};

}  // namespace

Status check_weight_values(const float* v, int64_t n, const std::string& where, const std::string& name) {
  constexpr float kMaxWeightMagnitude = 65504.0f;  // the float16 maximum
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(v[i])) {
      return Error{where + "tensor " + name + " holds a non-finite value (" + std::to_string(v[i]) + ") at element " +
                   std::to_string(i) + "; the checkpoint is corrupt"};
    }
    if (std::fabs(v[i]) > kMaxWeightMagnitude) {
      char s[32];
      std::snprintf(s, sizeof s, "%.3g", static_cast<double>(v[i]));
      return Error{where + "tensor " + name + " holds " + s + " at element " + std::to_string(i) +
                   ", beyond the +-65504 that hardwire accepts (a trained model's weights are far smaller); the "
                   "checkpoint is corrupt or not float32"};
    }
  }
  return Status::ok();
}

std::string default_model_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  for (char& c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  return name;
}

Result<CheckpointHeader> read_llama2c_header(const std::string& path) {
  auto size = file_size(path, "checkpoint");
  if (!size) return size.error();
  char bytes[kHeaderBytesV1] = {};  // the longest header (version 1)
  const size_t want = static_cast<size_t>(std::min<uint64_t>(*size, kHeaderBytesV1));
  if (*size >= kHeaderBytes) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return Error{"cannot open checkpoint '" + path + "': " + std::strerror(errno)};
    const size_t got = std::fread(bytes, 1, want, f);
    std::fclose(f);
    if (got != want) return Error{"cannot read checkpoint '" + path + "': read failed"};
  }
  return parse_header(path, bytes, *size);
}

Result<FloatModel> read_llama2c(const std::string& path) {
  auto data = read_file(path, "checkpoint");
  if (!data) return data.error();
  return parse_llama2c(*data, path);
}

Result<FloatModel> parse_llama2c(const std::vector<char>& bytes, const std::string& path) {
  const std::vector<char>* data = &bytes;
  auto hdr = parse_header(path, data->data(), data->size());
  if (!hdr) return hdr.error();
  const Shape& s = hdr->shape;
  FloatModel m;
  m.shape = s;
  m.shared_classifier = hdr->shared_classifier;
  m.name = default_model_name(path);
  const int64_t L = s.n_layers, d = s.dim, kv = s.kv_dim(), hd = s.hidden_dim;
  m.layers.resize(static_cast<size_t>(L));
  Cursor c(*data, path, header_bytes(hdr->version));
  // Per-layer tensors are stored tensor-major: all layers of rms_att, then all layers of wq, ...
  auto each = [&](auto&& fn) -> Status {
    for (int64_t l = 0; l < L; ++l) HW_TRY(fn(m.layers[static_cast<size_t>(l)], l));
    return Status::ok();
  };
  auto name = [](const char* t, int64_t l) { return std::string(t) + "[layer " + std::to_string(l) + "]"; };
  if (hdr->version == 1) {  // the norms first, then the embedding
    HW_TRY(each([&](golden::FloatLayer& y, int64_t l) { return c.read(y.rms_att, d, name("rms_att", l)); }));
    HW_TRY(each([&](golden::FloatLayer& y, int64_t l) { return c.read(y.rms_ffn, d, name("rms_ffn", l)); }));
    HW_TRY(c.read(m.rms_final, d, "rms_final"));
  }
  HW_TRY(c.read(m.token_embedding, s.vocab, d, "token_embedding"));
  if (hdr->version == 0)
    HW_TRY(each([&](golden::FloatLayer& y, int64_t l) { return c.read(y.rms_att, d, name("rms_att", l)); }));
  HW_TRY(each([&](golden::FloatLayer& y, int64_t l) { return c.read(y.wq, d, d, name("wq", l)); }));
  HW_TRY(each([&](golden::FloatLayer& y, int64_t l) { return c.read(y.wk, kv, d, name("wk", l)); }));
  HW_TRY(each([&](golden::FloatLayer& y, int64_t l) { return c.read(y.wv, kv, d, name("wv", l)); }));
  HW_TRY(each([&](golden::FloatLayer& y, int64_t l) { return c.read(y.wo, d, d, name("wo", l)); }));
  if (hdr->version == 0)
    HW_TRY(each([&](golden::FloatLayer& y, int64_t l) { return c.read(y.rms_ffn, d, name("rms_ffn", l)); }));
  HW_TRY(each([&](golden::FloatLayer& y, int64_t l) { return c.read(y.w1, hd, d, name("w1", l)); }));
  HW_TRY(each([&](golden::FloatLayer& y, int64_t l) { return c.read(y.w2, d, hd, name("w2", l)); }));
  HW_TRY(each([&](golden::FloatLayer& y, int64_t l) { return c.read(y.w3, hd, d, name("w3", l)); }));
  if (hdr->version == 0) {
    HW_TRY(c.read(m.rms_final, d, "rms_final"));
    // freq_cis_real/imag: RoPE tables of theta 10000; hardwire recomputes them (docs/numerics.md §rope).
    c.skip(static_cast<uint64_t>(2 * s.seq_len * (s.head_size() / 2)));
  }
  if (!m.shared_classifier) HW_TRY(c.read(m.wcls, s.vocab, d, "wcls"));
  HW_CHECK(c.pos() == data->size(), "every byte accounted for");
  return m;
}

Status write_llama2c(const FloatModel& m, const std::string& path, int version) {
  HW_CHECK(version == 0 || version == 1, "write_llama2c: version 0 or 1");
  const Shape& s = m.shape;
  HW_TRY(s.validate());
  std::string out;
  out.reserve(static_cast<size_t>(float_count(s, m.shared_classifier, version) * 4 + header_bytes(version)));
  auto put_i32 = [&](int64_t v) {
    const auto x = static_cast<int32_t>(v);
    out.append(reinterpret_cast<const char*>(&x), 4);
  };
  auto put = [&](const float* p, int64_t n) { out.append(reinterpret_cast<const char*>(p), static_cast<size_t>(n) * 4); };
  auto put_m = [&](const MatF& x) { put(x.data(), x.size()); };
  if (version == 1) {
    put_i32(static_cast<int32_t>(kMagicV1));
    put_i32(1);
  }
  put_i32(s.dim);
  put_i32(s.hidden_dim);
  put_i32(s.n_layers);
  put_i32(s.n_heads);
  put_i32(s.n_kv_heads);
  put_i32(m.shared_classifier || version == 1 ? s.vocab : -s.vocab);
  put_i32(s.seq_len);
  if (version == 1) {
    out.push_back(m.shared_classifier ? '\1' : '\0');
    out.resize(kHeaderBytesV1, '\0');
    for (const auto& l : m.layers) put(l.rms_att.data(), l.rms_att.size());
    for (const auto& l : m.layers) put(l.rms_ffn.data(), l.rms_ffn.size());
    put(m.rms_final.data(), m.rms_final.size());
  }
  put_m(m.token_embedding);
  if (version == 0)
    for (const auto& l : m.layers) put(l.rms_att.data(), l.rms_att.size());
  for (const auto& l : m.layers) put_m(l.wq);
  for (const auto& l : m.layers) put_m(l.wk);
  for (const auto& l : m.layers) put_m(l.wv);
  for (const auto& l : m.layers) put_m(l.wo);
  if (version == 0)
    for (const auto& l : m.layers) put(l.rms_ffn.data(), l.rms_ffn.size());
  for (const auto& l : m.layers) put_m(l.w1);
  for (const auto& l : m.layers) put_m(l.w2);
  for (const auto& l : m.layers) put_m(l.w3);
  if (version == 0) put(m.rms_final.data(), m.rms_final.size());
  const int64_t hs = s.head_size();
  for (int part = 0; version == 0 && part < 2; ++part) {  // v0: llama2.c's precompute_freqs_cis, in float as it does
    for (int64_t p = 0; p < s.seq_len; ++p) {
      for (int64_t i = 0; i < hs / 2; ++i) {
        const float freq = 1.0f / std::pow(10000.0f, static_cast<float>(2 * i) / static_cast<float>(hs));
        const float ang = static_cast<float>(p) * freq;
        const float v = part == 0 ? std::cos(ang) : std::sin(ang);
        put(&v, 1);
      }
    }
  }
  if (!m.shared_classifier) put_m(m.wcls);
  HW_CHECK(out.size() == float_count(s, m.shared_classifier, version) * 4 + header_bytes(version),
           "writer and reader agree on size");
  return write_file_atomic(path, out, "checkpoint");
}

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer

namespace {
// Two hex digits of a byte: "c3", or "C3" (as sentencepiece's byte pieces spell them).
std::string fmt_hex2(unsigned char c, bool upper = false) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  return std::string{digits[c >> 4], digits[c & 15]};
}
}  // namespace

std::string Tokenizer::decode(int64_t prev, int64_t token) const {
  HW_CHECK(token >= 0 && static_cast<size_t>(token) < pieces.size(), "token id within the tokenizer");
  const std::string& p = pieces[static_cast<size_t>(token)];
  std::string_view piece = p;
  if (prev == bos && !piece.empty() && piece[0] == ' ') piece.remove_prefix(1);
  unsigned byte = 0;
  if (piece.size() == 6 && std::sscanf(std::string(piece).c_str(), "<0x%02X>", &byte) == 1)
    return std::string(1, static_cast<char>(byte));
  return std::string(piece);
}

Result<std::vector<int64_t>> Tokenizer::encode(const std::string& text, bool with_bos, int64_t max_tokens) const {
  // Length first: every token covers at most `longest` bytes, so the text needs at least this many.
  size_t longest = 1;
  for (const auto& p : pieces) longest = std::max(longest, p.size());
  const int64_t bytes = static_cast<int64_t>(text.size()) + (text.empty() ? 0 : 1);  // + the dummy-prefix space
  const int64_t at_least = (with_bos ? 1 : 0) + (bytes + static_cast<int64_t>(longest) - 1) / static_cast<int64_t>(longest);
  if (at_least > max_tokens) {
    return Error{"the prompt is " + std::to_string(text.size()) + " bytes: at least " + std::to_string(at_least) +
                 " tokens with this tokenizer (its longest piece has " + std::to_string(longest) +
                 " bytes), more than the model's " + std::to_string(max_tokens) + " positions; shorten the prompt"};
  }
  std::unordered_map<std::string, int64_t> index;
  index.reserve(pieces.size());
  for (size_t i = 0; i < pieces.size(); ++i) index.emplace(pieces[i], static_cast<int64_t>(i));
  auto lookup = [&](const std::string& s) -> int64_t {
    auto it = index.find(s);
    return it == index.end() ? -1 : it->second;
  };
  std::vector<int64_t> toks;
  if (with_bos) toks.push_back(bos);
  if (!text.empty()) {
    const int64_t sp = lookup(" ");
    if (sp >= 0) toks.push_back(sp);
  }
  // UTF-8 code points, with byte fallback.
  for (size_t i = 0; i < text.size();) {
    size_t len = 1;
    while (i + len < text.size() && len < 4 && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) ++len;
    const std::string cp = text.substr(i, len);
    const int64_t id = lookup(cp);
    if (id >= 0) {
      toks.push_back(id);
    } else {
      for (unsigned char b : cp) {
        const int64_t fb = byte_tokens_by_name ? lookup("<0x" + fmt_hex2(b, true) + ">") : int64_t{b} + 3;
        if (fb < 0 || fb >= static_cast<int64_t>(pieces.size())) {
          std::string hex;
          for (unsigned char c : cp) hex += (hex.empty() ? "" : " ") + fmt_hex2(c);
          return Error{"prompt character at byte " + std::to_string(i) + " (bytes " + hex +
                       ") has no token in this tokenizer and no byte-fallback token (" +
                       (byte_tokens_by_name ? "its vocab has no <0x" + fmt_hex2(b, true) + ">"
                                            : "byte fallback needs a vocabulary of at least 259 tokens; this one has " +
                                                  std::to_string(pieces.size())) +
                       "); remove it from the prompt"};
        }
        toks.push_back(fb);
      }
    }
    i += len;
  }
  // Merge the best-scoring adjacent pair until none merges (llama2.c's rule: the highest score, the leftmost pair on
  // a tie). A heap of candidate pairs over a linked list gives the same merges in O(n log n): a candidate is stale
  // once either of its tokens was merged away or changed.
  const size_t first = with_bos ? 1 : 0;
  const size_t n = toks.size();
  std::vector<int64_t> prev(n), next(n);
  std::vector<bool> alive(n, true);
  for (size_t i = 0; i < n; ++i) {
    prev[i] = static_cast<int64_t>(i) - 1;
    next[i] = i + 1 < n ? static_cast<int64_t>(i + 1) : -1;
  }
  struct Cand {
    float score;
    int64_t left, right, left_id, right_id, merged;
  };
  auto worse = [](const Cand& a, const Cand& b) {  // heap order: higher score first, then the leftmost
    return a.score != b.score ? a.score < b.score : a.left > b.left;
  };
  std::vector<Cand> heap;
  auto consider = [&](int64_t l, int64_t r) {
    if (l < static_cast<int64_t>(first) || r < 0) return;
    const std::string& a = pieces[static_cast<size_t>(toks[static_cast<size_t>(l)])];
    const std::string& b = pieces[static_cast<size_t>(toks[static_cast<size_t>(r)])];
    const int64_t id = lookup(a + b);
    if (id < 0) return;
    float score = scores[static_cast<size_t>(id)];
    if (!merge_ranks.empty()) {  // Hugging Face BPE: only listed merges, the lowest rank first
      const auto it = merge_ranks.find(a + '\0' + b);
      if (it == merge_ranks.end()) return;
      score = -static_cast<float>(it->second);
    }
    if (!(score > -1e30f)) return;
    heap.push_back({score, l, r, toks[static_cast<size_t>(l)], toks[static_cast<size_t>(r)], id});
    std::push_heap(heap.begin(), heap.end(), worse);
  };
  for (size_t i = first; i + 1 < n; ++i) consider(static_cast<int64_t>(i), static_cast<int64_t>(i + 1));
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), worse);
    const Cand c = heap.back();
    heap.pop_back();
    const auto l = static_cast<size_t>(c.left), r = static_cast<size_t>(c.right);
    if (!alive[l] || !alive[r] || next[l] != c.right || toks[l] != c.left_id || toks[r] != c.right_id) continue;
    toks[l] = c.merged;
    alive[r] = false;
    next[l] = next[r];
    if (next[r] >= 0) prev[static_cast<size_t>(next[r])] = c.left;
    consider(prev[l], c.left);
    consider(c.left, next[l]);
  }
  std::vector<int64_t> out;
  for (size_t i = 0; i < n; ++i)
    if (alive[i]) out.push_back(toks[i]);
  if (static_cast<int64_t>(out.size()) > max_tokens) {
    return Error{"the prompt is " + std::to_string(out.size()) + " tokens, more than the model's " +
                 std::to_string(max_tokens) + " positions; shorten the prompt"};
  }
  return out;
}

Result<Tokenizer> read_tokenizer(const std::string& path, int64_t vocab, int64_t bos) {
  auto data = read_file(path, "tokenizer");
  if (!data) return data.error();
  const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  HW_ASSIGN_OR_RETURN(Tokenizer t, json ? parse_hf_tokenizer(std::string(data->begin(), data->end()), vocab, path)
                                         : parse_tokenizer(*data, vocab, path));
  t.bos = bos;
  return t;
}

Result<Tokenizer> parse_tokenizer(const std::vector<char>& d, int64_t vocab, const std::string& path) {
  const std::string pre = "tokenizer '" + path + "': ";
  size_t pos = 0;
  auto take = [&](void* dst, size_t n) {
    if (pos + n > d.size()) return false;
    std::memcpy(dst, d.data() + pos, n);
    pos += n;
    return true;
  };
  Tokenizer t;
  if (!take(&t.max_token_length, 4))
    return Error{pre + "file is " + std::to_string(d.size()) + " bytes, too short for the max_token_length header"};
  if (t.max_token_length <= 0 || t.max_token_length > 4096)
    return Error{pre + "max_token_length is " + std::to_string(t.max_token_length) +
                 " (expected 1..4096); is this a llama2.c tokenizer.bin?"};
  for (int64_t i = 0; i < vocab; ++i) {
    float score = 0;
    int32_t len = 0;
    if (!take(&score, 4) || !take(&len, 4)) {
      return Error{pre + "ends after " + std::to_string(i) + " of the model's " + std::to_string(vocab) +
                   " tokens; use the tokenizer that belongs to this model (its vocab must be " + std::to_string(vocab) +
                   ")"};
    }
    if (len < 0 || len > t.max_token_length) {
      return Error{pre + "token " + std::to_string(i) + " has length " + std::to_string(len) +
                   ", outside 0.." + std::to_string(t.max_token_length) + "; the file is corrupt"};
    }
    if (!std::isfinite(score)) return Error{pre + "token " + std::to_string(i) + " has a non-finite score"};
    std::string piece(static_cast<size_t>(len), '\0');
    if (!take(piece.data(), piece.size())) {
      return Error{pre + "ends inside token " + std::to_string(i) + " of " + std::to_string(vocab) +
                   "; the file is truncated or belongs to another model"};
    }
    t.pieces.push_back(std::move(piece));
    t.scores.push_back(score);
  }
  if (pos != d.size()) {
    return Error{pre + "has " + std::to_string(d.size() - pos) + " bytes after the model's " + std::to_string(vocab) +
                 " tokens: it holds more tokens than this model's vocab; use the tokenizer that belongs to this model"};
  }
  return t;
}

Status write_tokenizer(const Tokenizer& t, const std::string& path) {
  std::string out;
  auto put = [&](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); };
  put(&t.max_token_length, 4);
  for (size_t i = 0; i < t.pieces.size(); ++i) {
    const auto len = static_cast<int32_t>(t.pieces[i].size());
    put(&t.scores[i], 4);
    put(&len, 4);
    put(t.pieces[i].data(), t.pieces[i].size());
  }
  return write_file_atomic(path, out, "tokenizer");
}

}  // namespace hardwire::gen
