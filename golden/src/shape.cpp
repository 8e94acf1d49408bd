#include "hardwire/golden/shape.hpp"

#include <cstdio>
#include <sstream>
#include <vector>

namespace hardwire::golden {

namespace {
std::string scientific(long double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", static_cast<double>(v));
  return buf;
}
}  // namespace

Status Shape::validate() const {
  struct Field {
    const char* name;
    int64_t value;
  };
  const Field fields[] = {{"dim", dim},         {"hidden_dim", hidden_dim}, {"n_layers", n_layers},
                          {"n_heads", n_heads}, {"n_kv_heads", n_kv_heads}, {"vocab_size", vocab},
                          {"seq_len", seq_len}};
  for (const auto& f : fields) {
    if (f.value <= 0) {
      return Error{"invalid shape: " + std::string(f.name) + " is " + std::to_string(f.value) +
                   "; every dimension must be a positive integer"};
    }
    if (f.value > kMaxDim) {
      return Error{"invalid shape: " + std::string(f.name) + " is " + std::to_string(f.value) +
                   "; hardwire supports dimensions up to " + std::to_string(kMaxDim)};
    }
  }
  if (vocab < 2) {
    return Error{"invalid shape: vocab_size is 1; token 1 is BOS, so the vocabulary needs at least 2 tokens"};
  }
  if (dim % n_heads != 0) {
    return Error{"invalid shape: dim " + std::to_string(dim) + " is not divisible by n_heads " +
                 std::to_string(n_heads) + "; choose n_heads so that dim / n_heads (the head size) is an integer"};
  }
  if (n_heads % n_kv_heads != 0) {
    return Error{"invalid shape: n_heads " + std::to_string(n_heads) + " is not divisible by n_kv_heads " +
                 std::to_string(n_kv_heads) + "; grouped-query attention needs n_kv_heads to divide n_heads"};
  }
  if (head_size() % 2 != 0) {
    return Error{"invalid shape: head size dim/n_heads = " + std::to_string(head_size()) +
                 " is odd; RoPE rotates pairs of elements, so the head size must be even"};
  }
  // Totals: parameters, MACs per token, KV-cache elements and attention MACs at the last position must stay below
  // kMaxTotal, so every figure derived from them (bytes at 16 bits, sums over positions) fits in 64 bits.
  using Wide = long double;  // exact enough to compare with 2^50, and no overflow
  const Wide d = static_cast<Wide>(dim), h = static_cast<Wide>(hidden_dim), l = static_cast<Wide>(n_layers),
             kv = static_cast<Wide>(dim / n_heads * n_kv_heads), v = static_cast<Wide>(vocab), t = static_cast<Wide>(seq_len);
  const Wide params = 2 * v * d + l * (2 * d + 2 * d * d + 2 * kv * d + 3 * h * d) + d;
  const Wide macs = l * (2 * d * d + 2 * kv * d + 3 * h * d) + v * d;
  const Wide kv_elems = 2 * l * t * kv;
  const Wide att_macs = 2 * l * d * t;
  const struct {
    const char* what;
    Wide value;
  } totals[] = {{"parameters", params}, {"MACs per token", macs}, {"KV-cache elements", kv_elems},
                {"attention MACs at the last position", att_macs}};
  for (const auto& x : totals) {
    if (x.value > static_cast<Wide>(kMaxTotal)) {
      return Error{"invalid shape: " + to_string() + " has about " +
                   scientific(x.value) + " " +
                   x.what + "; hardwire supports models up to 2^50 (about 1.1e15) of each"};
    }
  }
  return Status::ok();
}

std::string Shape::to_string() const {
  std::ostringstream os;
  os << "dim " << dim << ", hidden " << hidden_dim << ", layers " << n_layers << ", heads " << n_heads << " (kv "
     << n_kv_heads << "), vocab " << vocab << ", seq " << seq_len;
  return os.str();
}

ShapeStats compute_stats(const Shape& s, bool shared_classifier) {
  ShapeStats st;
  const int64_t kv = s.kv_dim();
  st.params_embedding = s.vocab * s.dim;
  st.params_per_layer = 2 * s.dim                      // rms_att, rms_ffn
                        + 2 * s.dim * s.dim            // wq, wo
                        + 2 * kv * s.dim               // wk, wv
                        + 3 * s.hidden_dim * s.dim;    // w1, w2, w3
  st.params_classifier = shared_classifier ? 0 : s.vocab * s.dim;
  st.params_total = st.params_embedding + s.n_layers * st.params_per_layer + s.dim + st.params_classifier;
  st.matmul_macs_per_token =
      s.n_layers * (2 * s.dim * s.dim + 2 * kv * s.dim + 3 * s.hidden_dim * s.dim) + s.vocab * s.dim;
  st.n_layers = s.n_layers;
  st.n_heads = s.n_heads;
  st.head_size = s.head_size();
  return st;
}

int64_t ShapeStats::attention_macs_at(int64_t pos) const {
  // Per layer and head: q.k for pos+1 keys, then the probability-weighted sum of pos+1 values.
  return n_layers * n_heads * head_size * (pos + 1) * 2;
}

}  // namespace hardwire::golden
