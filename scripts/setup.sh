#!/usr/bin/env bash
# scripts/setup.sh — install hardwire's build and test dependencies (Debian 12 packages only).
# Idempotent: packages already present are left alone; nothing else is downloaded.
set -euo pipefail

# Build and test; then the reliability tools: clang + its libFuzzer runtime (scripts/fuzz.sh), z3 for the formal
# checks (yosys-smtbmc ships with yosys), lcov for RTL coverage reports (scripts/coverage.sh); and for real-library
# estimates (`synth --liberty`): the OSU 0.18 um standard cells (qflow-tech-osu018) and OpenSTA (opensta, `sta`);
# gnuplot (gnuplot-nox) draws `hardwire sweep`'s plots.
packages=(g++ make cmake verilator yosys libeigen3-dev libfmt-dev libgtest-dev
          nlohmann-json3-dev libcli11-dev
          clang libclang-rt-14-dev z3 lcov
          qflow-tech-osu018 opensta gnuplot-nox)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present (${packages[*]})"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
