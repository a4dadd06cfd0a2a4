#!/bin/bash
# SPDX-License-Identifier: MIT
# Instructions per change of one scenario through the package in wasm, counted by valgrind over
# node, so that two builds can be compared without the machine's noise (wall-clock rates here vary
# by up to 1.5x between runs; these counts repeat within about 0.2%):
#   bash bench/js/instructions.sh DIST [SCENARIO=3] [ROOMS=2000] [MODE=each] [CROSSING=binary]
# It runs bench/js/run_once.mjs with 10,000 and with 20,000 changes and prints the difference per
# change (start-up, compilation and bootstrap cancel out), and the same with MODE none (generating
# the changes in JavaScript), to subtract. node runs with --no-liftoff (every function compiled
# once by TurboFan, not tiered up at a time that varies) and --single-threaded. Needs valgrind
# (apt-get install valgrind); takes about two minutes.
set -euo pipefail
dist=${1:?usage: instructions.sh DIST [SCENARIO] [ROOMS] [MODE] [CROSSING]}
scenario=${2:-3} rooms=${3:-2000} mode=${4:-each} crossing=${5:-binary}
here=$(cd "$(dirname "$0")" && pwd)
count() {  # count <mode> <changes>: the process's instructions
  valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
    node --no-liftoff --single-threaded "$here/run_once.mjs" "$dist" "$scenario" "$rooms" "$2" "$1" "$crossing" 2>&1 |
    awk '/Collected/ { gsub(",", "", $4); print $4 }'
}
per_change() {  # per_change <mode>
  local a b
  a=$(count "$1" 10000) b=$(count "$1" 20000)
  echo $(((b - a) / 10000))
}
total=$(per_change "$mode")
harness=$(per_change none)
echo "scenario $scenario, $rooms rooms, $mode, $crossing: $total instructions per change, of which generating the change in JS $harness: package $((total - harness))"
