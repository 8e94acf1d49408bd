// libFuzzer target: what `hardwire synth --liberty` reads of a user's liberty file (cell areas, pins, buffers,
// whether it has timing), and the fanout repair of the netlist it times (here fed the same bytes as a netlist over a
// fixed library): no crash, no exception, and the invariants below.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hardwire/gen/synth.hpp"

namespace {
constexpr const char* kLib = R"lib(library (f) {
  cell (BUFX2) { area : 24; pin (A) { direction : input; } pin (Y) { direction : output; function : "A";
    timing () { related_pin : "A"; cell_rise (t) { values ("1"); } } } }
  cell (BUFX4) { area : 32; pin (A) { direction : input; } pin (Y) { direction : output; function : "A"; } }
  cell (NAND2X1) { area : 24; pin (A) { direction : input; } pin (B) { direction : input; }
    pin (Y) { direction : output; function : "!(A&B)"; } }
})lib";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const hardwire::gen::LibertyInfo info = hardwire::gen::read_liberty_info(text);
  if (!info.buffer.empty() && (info.strong_buffer.empty() || !info.areas.count(info.buffer))) __builtin_trap();
  static const hardwire::gen::LibertyInfo lib = hardwire::gen::read_liberty_info(kLib);
  int64_t inserted = -1;
  const std::string out = hardwire::gen::repair_fanout(text, lib, 2 + static_cast<int>(size % 15), inserted);
  if (inserted < 0 || (inserted == 0 && out != text)) __builtin_trap();
  return 0;
}
