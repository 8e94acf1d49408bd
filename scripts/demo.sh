#!/usr/bin/env bash
# scripts/demo.sh — install dependencies, build, and run hardwire on the built-in default model (tiny):
# model figures, the integer golden against the float reference, the generated accelerator RTL (out/tiny), and that
# chip run in Verilator token by token, bit-exact against the golden model (out/sim-tiny-8x8).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
run() {
  echo
  echo "\$ $*"
  "$@"
}
run ./build/hardwire info --model tiny
run ./build/hardwire golden --model tiny --steps 32
run ./build/hardwire generate --model tiny --array 8x8 --out out/tiny
run ./build/hardwire sim --model tiny --array 8x8 --steps 32
echo
echo "Lint the generated design: (cd out/tiny && verilator --lint-only -Wall -f files.f)"
