#!/usr/bin/env bash
# run_fuzz.sh EXE SEED_CORPUS WORK_DIR [libFuzzer options...]
# Runs one libFuzzer target over its seed corpus (read only) with new inputs kept in WORK_DIR/corpus and crashers in
# WORK_DIR/crashes. The seed is HARDWIRE_SEED if set (decimal), else fresh; it is printed first, so
# `HARDWIRE_SEED=N ctest -L fuzz` replays the run.
set -euo pipefail
exe=$1 seeds=$2 work=$3
shift 3
if [ -n "${HARDWIRE_SEED:-}" ]; then
  [[ "$HARDWIRE_SEED" =~ ^[0-9]+$ ]] || { echo "HARDWIRE_SEED='$HARDWIRE_SEED' is not a decimal seed" >&2; exit 2; }
  seed=$(( HARDWIRE_SEED % 4294967295 + 1 ))
else
  seed=$(( $(od -An -N4 -tu4 /dev/urandom) % 4294967295 + 1 ))
fi
echo "HARDWIRE_SEED=$seed ($(basename "$exe"); replay with HARDWIRE_SEED=$seed)"
mkdir -p "$work/corpus" "$work/crashes"
exec "$exe" -seed="$seed" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/crashes/" "$@" "$work/corpus" "$seeds"
