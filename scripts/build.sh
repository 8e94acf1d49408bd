#!/usr/bin/env bash
# scripts/build.sh — configure and build hardwire in ./build (Release). Extra arguments go to cmake's configure
# step, e.g. scripts/build.sh -DHARDWIRE_SANITIZE=ON. BUILD_DIR overrides the directory.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
