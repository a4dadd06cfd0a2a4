#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `npm run bench`: builds the native Release tree and the wasm tree's cq_bench, then runs the
# benchmark driver (target cq_bench, from bench/) with the given arguments; with none, it runs every
# scenario and writes docs/benchmarks.md. The driver runs the wasm build's copy of the same program
# under Node next to the native runs (issue 6: the same benchmark, wasm/native side by side).
# Benchmarks measure Release builds only: the sanitizer and Debug trees are not representative.
# CQ_BENCH_NO_WASM=1 skips the wasm build and rows.
# With no arguments (the full report) it then runs the npm package's benchmark (bench/js/bench.mjs:
# the package against native and against TanStack DB's @tanstack/db-ivm in one Node process), which
# writes docs/benchmarks-js.md, and puts its TanStack section into docs/benchmarks.md (issue 7: both
# side by side there). About 7 minutes in all on this machine (6 min 30 s at 00:40 on 2026-12-05).
set -euo pipefail
cd "$(dirname "$0")/.."
build_root=${CQ_BUILD_ROOT:-build}
wasm=1
[ "${CQ_BENCH_NO_WASM:-0}" = 1 ] && wasm=0
for arg in "$@"; do
  case "$arg" in --no-wasm | --wasm) wasm=0 ;; esac  # the caller decides
done
if [ "$wasm" = 1 ]; then
  bash scripts/setup.sh
else
  bash scripts/setup.sh --native
fi
bash scripts/build.sh native >&2
exe=$(find "$build_root/native" -type f -name cq_bench -perm -u+x | head -n 1)
if [ -z "$exe" ]; then
  echo "bench: no cq_bench executable in $build_root/native" >&2
  exit 1
fi
args=("$@")
[ ${#args[@]} -eq 0 ] && args=(--markdown docs/benchmarks.md)
if [ "$wasm" = 1 ]; then
  bash scripts/build.sh wasm-bench >&2
  args+=(--wasm "$build_root/wasm/bench/cq_bench.js")
elif [ "${CQ_BENCH_NO_WASM:-0}" = 1 ]; then
  args+=(--no-wasm)
fi
if [ "$#" -gt 0 ] || [ "$wasm" = 0 ]; then
  exec "$exe" "${args[@]}"
fi
"$exe" "${args[@]}"
bash scripts/build.sh module js >&2
node bench/js/bench.mjs
node bench/js/bench.mjs --render build/bench-js.json --embed docs/benchmarks.md  # bench.mjs writes build/ at the root
