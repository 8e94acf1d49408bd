#!/usr/bin/env bash
# scripts/test.sh — install dependencies, build, and run the whole test suite under ctest.
#   scripts/test.sh                 # everything
#   scripts/test.sh -L unit         # extra arguments go to ctest (labels: unit cli gen rtl lint formal farm_ci
#                                   # farm); without any, everything but the farm (label farm) runs
#   SANITIZE=1 scripts/test.sh      # AddressSanitizer + UBSan build in ./build-asan
# Random tests print "HARDWIRE_SEED=N"; run again with HARDWIRE_SEED=N to replay them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${SANITIZE:-0}" = 1 ]; then
  export BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo
  bash scripts/build.sh -DHARDWIRE_SANITIZE=ON
else
  export BUILD_DIR=build
  bash scripts/build.sh
fi
cd "$BUILD_DIR"
# The random-configuration farm (label farm, tens of minutes) runs only when asked for: scripts/test.sh -L farm.
if [ $# -eq 0 ]; then set -- -LE '^farm$'; fi
ctest --output-on-failure -j "$(nproc)" "$@"
