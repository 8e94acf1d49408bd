#!/usr/bin/env bash
# scripts/demo.sh — install dependencies, build, and run hardwire on the built-in default model (tiny).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
echo
echo "\$ ./build/hardwire info --model tiny"
./build/hardwire info --model tiny
echo
echo "\$ ./build/hardwire golden --model tiny --steps 32"
./build/hardwire golden --model tiny --steps 32
