#!/usr/bin/env bash
# bench/run_bench.sh — measure, don't assert: GEMM cycles on the systolic array against their limits, and area.
# Writes machine-readable results to bench/results/ (override with BENCH_OUT) and prints a summary.
#   bash bench/run_bench.sh            # after scripts/build.sh (or scripts/test.sh)
# Figures:
#   gemm_<R>x<C>_a<bits>[_b3].json  64x64x64 cycles vs MACs/(R*C); M=1 (decode) cycles vs weight bytes / SRAM bytes
#                              per cycle (the weight SRAM delivers C bytes per cycle); _b3: 3 weight banks per PE
#   synth_<model>_<R>x<C>.json hardwire synth (yosys, hierarchical) per block, plus the SRAM model
#   sim_<model>_<R>x<C>.json   hardwire sim: the whole accelerator's cycles per token by phase, next to the compute
#                              bound MACs/(R*C) and the weight-bandwidth bound weight bytes / C (bit-exact run)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
out=${BENCH_OUT:-bench/results}
mkdir -p "$out"
[ -x "$build/hardwire" ] || { echo "bench: build first (bash scripts/build.sh)" >&2; exit 1; }
printf '%-10s %-5s %-6s %12s %14s %7s %12s %16s %7s\n' array bits banks "64^3 cycles" "MACs/(R*C)" ratio "M=1 cycles" \
  "bandwidth bound" ratio
for cfg in 4x4_a8 4x4_a16 8x8_a8 8x8_a16 16x16_a8 16x16_a16 4x8_a8 4x8_a16 4x4_a16_b3 8x8_a8_b3 4x8_a16_b3; do
  exe="$build/verif/rtl_gemm_${cfg}"
  [ -x "$exe" ] || { echo "bench: missing $exe" >&2; exit 1; }
  HARDWIRE_SEED=1 "$exe" --gemms 0 --bench "$out/gemm_${cfg}.json" > /dev/null
  python3 - "$out/gemm_${cfg}.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); m = d["decode_M1"]
print(f"{str(d['R']) + 'x' + str(d['C']):<10} {d['act_bits']:<5} {d['weight_banks']:<6} {d['cycles']:>12} "
      f"{d['macs_per_rc']:>14.0f} {d['ratio']:>7.3f} {m['cycles']:>12} {m['weight_bytes_per_sram_bytes_per_cycle']:>16.0f} "
      f"{m['ratio_to_bandwidth_bound']:>7.3f}")
PY
done
for cfg in 8x8 16x16; do
  start=$(date +%s)
  "$build/hardwire" synth --model stories260K --array "$cfg" --json "$out/synth_stories260K_${cfg}.json" \
    --md "$out/synth_stories260K_${cfg}.md" > /dev/null
  echo "synth stories260K ${cfg}: $(( $(date +%s) - start )) s -> $out/synth_stories260K_${cfg}.md"
done
printf '\n%-14s %-6s %9s %13s %12s %16s %7s\n' model array positions "cycles/token" "compute bnd" "bandwidth bnd" ratio
for cfg in "tiny 8x8 64" "stories260K 8x8 128" "stories260K 16x16 128"; do
  set -- $cfg
  "$build/hardwire" sim --model "$1" --array "$2" --steps "$3" --no-stall --out "$build/bench/sim-$1-$2" \
    --json "$out/sim_${1}_${2}.json" > /dev/null
  python3 - "$out/sim_${1}_${2}.json" "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); b = d["bounds"]
print(f"{sys.argv[2]:<14} {sys.argv[3]:<6} {d['positions']:>9} {d['cycles_per_token']:>13.0f} {b['compute_cycles']:>12.0f} "
      f"{b['weight_bandwidth_cycles']:>16.0f} {d['ratio_to_bound']:>7.2f}")
PY
done
