#!/usr/bin/env bash
# scripts/coverage.sh — Verilator line and toggle coverage of the accelerator from the end-to-end regression.
# Runs the rtl.sim_* designs of tests/CMakeLists.txt with `hardwire sim --coverage` (a separate coverage build of
# each), merges the data (verilator_coverage), writes an lcov file and the per-module figures:
#   build/coverage/coverage.dat, build/coverage/coverage.info (lcov: genhtml coverage.info -o html)
#   bench/results/coverage.json, bench/coverage.md (per-module line and toggle coverage, every uncovered line)
# COVERAGE_STEPS scales the decode steps (default: the regression's own).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
bash scripts/build.sh >/dev/null
root=$PWD
work=build/coverage
mkdir -p "$work"
hw=$root/build/hardwire
odd48=$root/verif/models/odd48.json
# name model array steps [widths]: the end-to-end regression, plus stimulus for corners it does not reach
configs=(
  "tiny_8x8 tiny 8x8 32"
  "tiny_3x5_w8 tiny 3x5 20 res=8,q=8,k=8,h=8"
  "stories260K_8x8 stories260K 8x8 16"
  "stories260K_16x16 stories260K 16x16 16"
  "odd48_4x8 $odd48 4x8 24"
  "odd48_16x16 $odd48 16x16 16"
)
inputs=()
for c in "${configs[@]}"; do
  read -r name model array steps widths <<<"$c"
  [ -n "${COVERAGE_STEPS:-}" ] && steps=$COVERAGE_STEPS
  args=(sim --model "$model" --array "$array" --steps "$steps" --out "$work/$name" --coverage "$work/$name.dat")
  [ -n "${widths:-}" ] && args+=(--widths "$widths")
  echo "coverage: $name ($model, $array, $steps steps)"
  HARDWIRE_SEED=${HARDWIRE_SEED:-1} "$hw" "${args[@]}" > "$work/$name.log" 2>&1 ||
    { tail -5 "$work/$name.log"; exit 1; }
  inputs+=("$work/$name:$work/$name.dat")
done
dats=()
for i in "${inputs[@]}"; do dats+=("${i#*:}"); done
verilator_coverage --write "$work/coverage.dat" "${dats[@]}"
verilator_coverage --write-info "$work/coverage.info" "$work/coverage.dat"
build/verif/coverage_report --templates rtl_templates --json bench/results/coverage.json --md bench/coverage.md \
  "${inputs[@]}"
echo "coverage: lcov file $work/coverage.info; per-module figures bench/coverage.md, bench/results/coverage.json"
