#!/usr/bin/env bash
# scripts/build.sh — configure and build hardwire in ./build (Release). Extra arguments go to cmake's configure
# step, e.g. scripts/build.sh -DHARDWIRE_SANITIZE=ON. BUILD_DIR overrides the directory, BUILD_TARGETS the targets.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
# BUILD_TARGETS (space-separated) builds only those targets, e.g. the sanitizer slice of .ci/run.
targets=()
for t in ${BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build_dir" -j "$(nproc)" "${targets[@]}"
