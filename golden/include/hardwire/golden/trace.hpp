// hardwire/golden/trace.hpp — named intermediate tensors of one decode step.
//
// Names are stable and shared by the integer golden and the float reference, so a mismatch can be located and
// calibration can read the float value of any site:
//   embed
//   L<l>.attn.norm  L<l>.attn.q_proj  L<l>.attn.k_proj  L<l>.attn.q  L<l>.attn.k  L<l>.attn.v
//   L<l>.attn.scores (heads x (pos+1), head-major)  L<l>.attn.probs (same layout)  L<l>.attn.out  L<l>.attn.proj
//   L<l>.resid.attn
//   L<l>.ffn.norm  L<l>.ffn.gate  L<l>.ffn.up  L<l>.ffn.h  L<l>.ffn.down  L<l>.resid.ffn
//   final.norm  logits
// Norm sites hold the normalized vector before gamma (gamma is folded into the next matrix); q/k before RoPE are
// *_proj, after RoPE q/k; scores are in the log2 domain (q.k / sqrt(head_size) * log2 e).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hardwire::golden {

template <class T>
class Trace {
 public:
  struct Entry {
    std::string name;
    std::vector<T> values;
  };

  template <class Vec>
  void put(std::string name, const Vec& v) {
    std::vector<T> values(static_cast<size_t>(v.size()));
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<T>(v[static_cast<long>(i)]);
    entries_.push_back({std::move(name), std::move(values)});
  }
  const Entry* find(const std::string& name) const {
    for (const auto& e : entries_)
      if (e.name == name) return &e;
    return nullptr;
  }
  const std::vector<Entry>& entries() const { return entries_; }
  void clear() { entries_.clear(); }

 private:
  std::vector<Entry> entries_;
};

using IntTrace = Trace<long long>;
using FloatTrace = Trace<double>;

inline std::string layer_site(long layer, const char* site) {
  std::string s("L");  // appends, not "L" + std::string: GCC 12 warns falsely (-Wrestrict) on the latter
  s += std::to_string(layer);
  s += '.';
  s += site;
  return s;
}

}  // namespace hardwire::golden
