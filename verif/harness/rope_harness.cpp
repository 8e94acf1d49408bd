// RoPE unit (rtl_templates/hw_rope.sv) against golden::rope: vectors of 1..4 heads at random positions 0..SEQ_LEN-1
// (position 0 and SEQ_LEN-1 included), full-range and extreme elements (saturation), exact rounding ties, random
// stalls on both
// handshakes; every element and every out_last checked. Tables from gen::rope_tables (the quantizer's), written as
// the images the model was built with. Configuration: HW_HS, HW_SEQ, HW_W, HW_COS_FILE, HW_SIN_FILE.
#include <cstdio>
#include <memory>
#include <vector>

#include "Vhw_rope.h"
#include "hardwire/gen/hex_image.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/golden/ops.hpp"
#include "stream.hpp"
#include "verilated.h"

using namespace hardwire;

namespace {
constexpr int kHs = HW_HS, kSeq = HW_SEQ, kW = HW_W;
constexpr int kVectors = 600;
struct Vec {
  golden::VecI x, y;
  int64_t pos;
};
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl rope head " + std::to_string(kHs) + " seq " + std::to_string(kSeq) + " W=" +
                            std::to_string(kW);
  const uint64_t seed = verif::harness_seed(block);
  golden::MatI16 cos, sin;
  gen::rope_tables(kSeq, kHs, cos, sin);
  std::vector<int64_t> cw(cos.data(), cos.data() + cos.size()), sw(sin.data(), sin.data() + sin.size());
  for (auto [path, words] : {std::pair{HW_COS_FILE, &cw}, std::pair{HW_SIN_FILE, &sw}}) {
    if (auto st = gen::write_hex_image(path, *words, 16); !st) {
      std::printf("[%s] %s\n", block.c_str(), st.message().c_str());
      return 1;
    }
  }
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  std::vector<Vec> vecs;
  for (int i = 0; i < kVectors; ++i) {
    Vec v;
    const int64_t heads = 1 + static_cast<int64_t>(rng() % 4);
    v.pos = (i % 7 == 0) ? 0 : (i % 7 == 1) ? kSeq - 1 : static_cast<int64_t>(rng() % kSeq);
    v.x.resize(heads * kHs);
    const int kind = static_cast<int>(rng() % 5);
    for (auto& e : v.x)
      e = kind == 0 ? ((rng() & 1) ? golden::max_of(kW) : golden::min_of(kW))
                    : std::uniform_int_distribution<int64_t>(golden::min_of(kW), golden::max_of(kW))(rng);
    if (kind == 1) {
      // Exact rounding ties: x1 = 0 and x0 = odd * 2^(13 - ctz(c)) make x0*c land on 2^13 mod 2^14, so the
      // round-half-up constant is exercised (random data almost never hits a tie).
      for (Eigen::Index i = 0; i < v.x.size(); i += 2) {
        const int64_t c = cos(v.pos, (i % kHs) / 2);
        v.x[i + 1] = 0;
        if (c == 0) continue;
        const int t = 13 - __builtin_ctzll(static_cast<unsigned long long>(c < 0 ? -c : c));
        if (t < 0 || t >= kW - 2) continue;
        const int64_t odd = 2 * static_cast<int64_t>(rng() % static_cast<uint64_t>(int64_t{1} << (kW - 2 - t))) + 1;
        v.x[i] = golden::saturate(((rng() & 1) ? odd : -odd) << t, kW);
      }
    }
    v.y = v.x;
    golden::rope(v.y, v.pos, kHs, cos, sin, kW);
    vecs.push_back(v);
  }

  auto top = std::make_unique<Vhw_rope>();
  struct In {
    int64_t x, pos;
    bool last;
  };
  verif::Source<In> in(seed ^ 0x1111);
  verif::Sink<verif::Beat> out(block, seed ^ 0x2222, verif::describe_beat);
  for (const Vec& v : vecs)
    for (Eigen::Index i = 0; i < v.x.size(); ++i) {
      in.push({v.x[i], v.pos, i + 1 == v.x.size()});
      out.expect({v.y[i], i + 1 == v.y.size()});
    }
  verif::reset(*top);
  long long cycles = 0;
  int64_t pos = 0;
  while (!out.done() && cycles < 2000000) {
    // The position stays on the bus for the whole vector.
    if (const In* next = in.peek()) pos = next->pos;
    top->pos_i = static_cast<uint32_t>(pos);
    const In* e = in.drive();
    top->in_valid_i = e != nullptr;
    if (e) {
      top->x_i = static_cast<uint16_t>(verif::mask(e->x, kW));
      top->in_last_i = e->last;
    }
    top->out_ready_i = out.ready();
    verif::settle_low(*top);
    const bool in_fire = e && top->in_ready_o;
    if (top->out_valid_o && top->out_ready_i)
      out.check({verif::sext(static_cast<uint64_t>(top->y_o), kW), top->out_last_o != 0});
    verif::rising_edge(*top);
    if (in_fire) in.accept();
    ++cycles;
  }
  top->final();
  if (!out.done()) std::printf("[%s] TIMEOUT: %zu outputs missing\n", block.c_str(), out.missing());
  const long long checked = out.checked(), failed = out.failed();
  return verif::finish(block, seed, checked, failed, std::to_string(kVectors) + " vectors, " + std::to_string(cycles) +
                                                         " cycles under random stalls");
}
