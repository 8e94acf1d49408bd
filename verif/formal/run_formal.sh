#!/usr/bin/env bash
# run_formal.sh NAME TOP DEPTH WORK_DIR RTL... [-- -chparam NAME VALUE ...]
# Proves the assertions of a formal wrapper with yosys-smtbmc and z3: a bounded model check of all of them to DEPTH
# cycles from reset, then k-induction of depth DEPTH over those not under `ifndef INDUCTION (the bounded-only ones),
# which proves them for every cycle. Exit 0 only if both pass; the yosys and solver logs stay in WORK_DIR.
set -euo pipefail
name=$1 top=$2 depth=$3 work=$4
shift 4
rtl=() chparams=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do rtl+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
while [ $# -gt 0 ]; do chparams+=("chparam -set $2 $3 $top;"); shift 3; done
mkdir -p "$work"
for kind in bmc ind; do
  defs="-DSYNTHESIS"
  [ $kind = ind ] && defs="$defs -DINDUCTION"
  yosys -q -l "$work/$name.$kind.yosys.log" -p "read_verilog -formal -sv $defs ${rtl[*]}; ${chparams[*]} \
    prep -top $top; async2sync; dffunmap; write_smt2 -wires $work/$name.$kind.smt2"
done
echo "$name: bmc to depth $depth"
yosys-smtbmc -s z3 -t "$depth" --dump-vcd "$work/$name.bmc.vcd" "$work/$name.bmc.smt2" > "$work/$name.bmc.log" 2>&1 ||
  { tail -20 "$work/$name.bmc.log"; echo "$name: BMC FAILED (trace: $work/$name.bmc.vcd)"; exit 1; }
echo "$name: k-induction, depth $depth"
yosys-smtbmc -s z3 -i -t "$depth" --dump-vcd "$work/$name.ind.vcd" "$work/$name.ind.smt2" > "$work/$name.ind.log" 2>&1 ||
  { tail -20 "$work/$name.ind.log"; echo "$name: INDUCTION FAILED (trace: $work/$name.ind.vcd)"; exit 1; }
echo "$name: PASS (bounded to $depth cycles and proven by induction)"
