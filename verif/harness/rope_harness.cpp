// RoPE unit (rtl_templates/hw_rope.sv) against golden::rope: vectors of 1..4 heads at random positions 0..SEQ_LEN-1
// (position 0 and SEQ_LEN-1 included), full-range and extreme elements (saturation), exact rounding ties, random
// stalls on both
// handshakes (HW_LANES > 1: words of LANES elements with random input gaps, every result taken; a vector's last word
// padded with random lanes, which are not checked); every element and every out_last checked. Tables from
// gen::rope_tables (the quantizer's), written as the images the model was built with (gen::rope_table_words).
// Configuration: HW_HS, HW_SEQ, HW_W, HW_LANES, HW_COS_FILE, HW_SIN_FILE.
#include <cstdio>
#include <deque>
#include <memory>
#include <vector>

#include "Vhw_rope.h"
#include "hardwire/gen/layout.hpp"
#include "hardwire/gen/quantizer.hpp"
#include "hardwire/golden/ops.hpp"
#include "ports.hpp"
#include "stream.hpp"
#include "verilated.h"

using namespace hardwire;

namespace {
constexpr int kHs = HW_HS, kSeq = HW_SEQ, kW = HW_W, kLanes = HW_LANES;
constexpr int kVectors = 600;
struct Vec {
  golden::VecI x, y;
  int64_t pos;
};
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl rope head " + std::to_string(kHs) + " seq " + std::to_string(kSeq) + " W=" +
                            std::to_string(kW) + (kLanes > 1 ? " lanes " + std::to_string(kLanes) : "");
  const uint64_t seed = verif::harness_seed(block);
  golden::MatI16 cos, sin;
  gen::rope_tables(kSeq, kHs, golden::RopeParams{}, cos, sin);
  for (auto [path, table] : {std::pair{HW_COS_FILE, &cos}, std::pair{HW_SIN_FILE, &sin}}) {
    std::FILE* f = std::fopen(path, "w");
    const std::string text = gen::hex_image(gen::rope_table_words(*table));
    if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fclose(f) != 0) {
      std::printf("[%s] cannot write %s\n", block.c_str(), path);
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
    std::vector<int64_t> x;  // kLanes elements
    int64_t pos;
    bool last;
    int valid;  // lanes that are the vector's
  };
  verif::Source<In> in(seed ^ 0x1111);
  verif::Sink<verif::Beat> out(block, seed ^ 0x2222, verif::describe_beat, kLanes == 1);
  for (const Vec& v : vecs) {
    for (Eigen::Index i = 0; i < v.x.size(); i += kLanes) {
      In w{std::vector<int64_t>(kLanes), v.pos, i + kLanes >= v.x.size(), 0};
      for (int l = 0; l < kLanes; ++l) {
        if (i + l < v.x.size()) {
          w.x[static_cast<size_t>(l)] = v.x[i + l];
          out.expect({v.y[i + l], i + l + 1 == v.y.size()});
          ++w.valid;
        } else {
          w.x[static_cast<size_t>(l)] = std::uniform_int_distribution<int64_t>(golden::min_of(kW), golden::max_of(kW))(rng);
        }
      }
      in.push(std::move(w));
    }
  }
  std::deque<int> in_flight;  // valid lanes of the words accepted, in order
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
      std::vector<int64_t> masked(e->x.size());
      for (size_t l = 0; l < masked.size(); ++l) masked[l] = verif::mask(e->x[l], kW);
      verif::set_lanes(top->x_i, masked.data(), kLanes, kW);
      top->in_last_i = e->last;
    }
    top->out_ready_i = out.ready();
    verif::settle_low(*top);
    const bool in_fire = e && top->in_ready_o;
    if (top->out_valid_o && top->out_ready_i) {
      const int n = in_flight.empty() ? kLanes : in_flight.front();
      if (!in_flight.empty()) in_flight.pop_front();
      for (int l = 0; l < n; ++l)
        out.check({verif::get_lane(top->y_o, l, kW), top->out_last_o != 0 && l + 1 == n});
    }
    if (in_fire) in_flight.push_back(e->valid);
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
