// SRAM macro model (rtl_templates/hw_sram.sv) against a word array: every address written first, then random cycles
// of writes (with random byte enables when BYTE_EN = 1) and reads, including reads and writes of one address in one
// cycle (the read returns the old word) and cycles without a read (rdata_o must hold). The banked configurations
// cover the bank select and, above 1,024 banks, the grouping of the bank generate loop.
// Configuration (compile definitions): HW_WIDTH (<= 64), HW_DEPTH, HW_BANK_DEPTH, HW_BYTE_EN.
#include <memory>
#include <string>
#include <vector>

#include "Vhw_sram.h"
#include "harness.hpp"
#include "verilated.h"

using namespace hardwire;

namespace {
constexpr int kWidth = HW_WIDTH;
constexpr int64_t kDepth = HW_DEPTH;
constexpr int kBytes = (kWidth + 7) / 8;
constexpr bool kByteEn = HW_BYTE_EN != 0;
constexpr long long kCycles = 60000;
static_assert(kWidth >= 1 && kWidth <= 64, "the harness drives words of at most 64 bits");

uint64_t word_mask() { return kWidth == 64 ? ~uint64_t{0} : (uint64_t{1} << kWidth) - 1; }
}  // namespace

int main(int argc, char** argv) {
  const std::string block = "rtl sram WIDTH=" + std::to_string(kWidth) + " DEPTH=" + std::to_string(kDepth) +
                            " BANK_DEPTH=" + std::to_string(HW_BANK_DEPTH) + " BYTE_EN=" + std::to_string(HW_BYTE_EN);
  const uint64_t seed = verif::harness_seed(block);
  verif::seed_verilator(seed, argc, argv);
  std::mt19937_64 rng(seed);
  auto top = std::make_unique<Vhw_sram>();
  std::vector<uint64_t> model(static_cast<size_t>(kDepth));
  long long checked = 0, failed = 0;
  bool have_read = false;  // rdata_o holds the word of the last read once there was one
  uint64_t expect = 0;
  int64_t expect_addr = 0;

  auto cycle = [&](bool we, int64_t waddr, uint64_t wdata, uint64_t wbe, bool re, int64_t raddr) {
    top->we_i = we;
    top->waddr_i = static_cast<uint32_t>(waddr);
    top->wdata_i = wdata;
    top->wbe_i = static_cast<uint32_t>(wbe);
    top->re_i = re;
    top->raddr_i = static_cast<uint32_t>(raddr);
    verif::settle_low(*top);
    verif::rising_edge(*top);
    // The edge: a read sees the words before this cycle's write.
    if (re) {
      expect = model[static_cast<size_t>(raddr)];
      expect_addr = raddr;
      have_read = true;
    }
    if (we) {
      uint64_t m = 0;
      for (int y = 0; y < kBytes; ++y)
        if (!kByteEn || ((wbe >> y) & 1)) m |= uint64_t{0xff} << (8 * y);
      m &= word_mask();
      uint64_t& w = model[static_cast<size_t>(waddr)];
      w = (w & ~m) | (wdata & m);
    }
    verif::settle_low(*top);
    if (have_read) {
      ++checked;
      const uint64_t got = static_cast<uint64_t>(top->rdata_o) & word_mask();
      if (got != expect && failed++ < 10)
        std::printf("[%s] MISMATCH read of address %lld: rtl 0x%llx, expected 0x%llx (HARDWIRE_SEED=%llu)\n",
                    block.c_str(), static_cast<long long>(expect_addr), static_cast<unsigned long long>(got),
                    static_cast<unsigned long long>(expect), static_cast<unsigned long long>(seed));
    }
  };

  const uint64_t all_bytes = (uint64_t{1} << kBytes) - 1;
  for (int64_t a = 0; a < kDepth; ++a) cycle(true, a, rng() & word_mask(), all_bytes, false, 0);
  std::uniform_int_distribution<int64_t> addr(0, kDepth - 1);
  for (long long i = 0; i < kCycles; ++i) {
    const bool we = rng() % 3 != 0, re = rng() % 4 != 0;
    const int64_t raddr = addr(rng);
    const int64_t waddr = rng() % 8 == 0 ? raddr : addr(rng);  // one address read and written in a cycle
    cycle(we, waddr, rng() & word_mask(), kByteEn ? rng() & all_bytes : all_bytes, re, raddr);
  }
  for (int64_t a = 0; a < kDepth; ++a) cycle(false, 0, 0, 0, true, a);  // every word, as the random cycles left it
  top->final();
  return verif::finish(block, seed, checked, failed, "");
}
