#!/usr/bin/env bash
# scripts/fuzz.sh — libFuzzer targets (clang, ASan + UBSan) for every reader of user input: the llama2.c checkpoint
# reader, the tokenizer reader and encoder, the JSON shape parser, the option parsers, the manifest reader, the
# liberty reader with synth's netlist fanout repair, the safetensors reader and Hugging Face's config.json and
# tokenizer.json parsers.
#   scripts/fuzz.sh                  # build ./build-fuzz, run the CI slice: ctest -L fuzz (a fixed number of inputs)
#   scripts/fuzz.sh campaign [SEC]   # run every target for SEC seconds (default 600), FUZZ_JOBS (default nproc) at
#                                    # a time; the corpus
#                                    # grows in build-fuzz/campaign/<target>/corpus, crashers land in .../crashes
# Any crasher found becomes a regression test (tests/test_reliability.cpp) and, minimized, a corpus file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CC=clang CXX=clang++
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHARDWIRE_FUZZ=ON -DHARDWIRE_WERROR=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)"
if [ "${1:-}" = campaign ]; then
  mkdir -p build-fuzz/campaign
  secs=${2:-600}
  targets=(checkpoint tokenizer json_shape options manifest liberty safetensors hf_json)
  printf '%s\n' "${targets[@]}" | xargs -P "${FUZZ_JOBS:-$(nproc)}" -I{} bash -c \
    "bash tests/fuzz/run_fuzz.sh build-fuzz/tests/fuzz/fuzz_{} tests/fuzz/corpus/{} build-fuzz/campaign/{} \
       -max_total_time=$secs > build-fuzz/campaign/{}.log 2>&1; echo \"{}: exit \$? \$(grep -E '^stat::number_of_executed_units' build-fuzz/campaign/{}.log)\""
  exit 0
fi
cd build-fuzz
ctest --output-on-failure -L fuzz -j "$(nproc)"
