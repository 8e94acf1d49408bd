#!/bin/bash
# Runs a `hardwire sim` command and passes only when it succeeds (bit-exact at every step) and its printed text
# (the tokens the chip chose, decoded) contains the expected text.
# Usage: sim_expect_text.sh 'EXPECTED TEXT' HARDWIRE_BINARY sim ARGS...
expected=$1
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$@" >"$log" 2>&1
rc=$?
cat "$log"
if [ "$rc" -ne 0 ]; then
  echo "sim_expect_text: the simulation failed (exit status $rc)"
  exit 1
fi
if ! grep -qF -- "$expected" "$log"; then
  echo "sim_expect_text: the chip's text does not contain the expected text: $expected"
  exit 1
fi
echo "sim_expect_text: the chip's text contains the float reference's: $expected"
