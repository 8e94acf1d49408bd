#include "hardwire/golden/shape.hpp"

#include <sstream>
#include <vector>

namespace hardwire::golden {

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
