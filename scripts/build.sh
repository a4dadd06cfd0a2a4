#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configures (once) and builds the project's CMake trees, reusing them incrementally afterwards.
#
# Usage: scripts/build.sh [STEP...]        (no step = native asan wasm)
#   native  build/native  Release, everything: the CLI build/native/cqlite, unit tests (ctest: native.*)
#   asan    build/asan    Debug + AddressSanitizer/UBSan (-DCQ_SANITIZE=ON), same tests named asan.*
#   wasm    build/wasm    Emscripten (emcmake), every target; tests named wasm.*, ctest runs them by node
#   cli     only the native CLI target in build/native
#   module  only the ES module in build/wasm: build/wasm/module/cqlite.{mjs,wasm}
#   wasm-bench  only the benchmark in build/wasm (bench/, run under node by `npm run bench`)
#   js      the TypeScript package (js/) into dist/, with the module copied to dist/wasm/
# Environment: CQ_JOBS (parallel jobs, default 2: the machines have 2 cores),
#              CQ_BUILD_ROOT (default build), CQ_TIMINGS (a file; "<step> <wall s> <CPU s>" lines appended).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${CQ_JOBS:-2}
build_root=${CQ_BUILD_ROOT:-build}
# emcc's JS optimizer needs acorn from Debian's node modules at -O1 and above (toolchain-notes 1.1).
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

generator_args=()
if command -v ninja >/dev/null 2>&1; then
  generator_args=(-G Ninja)
fi

now() { date +%s.%N; }
cpu_file=$(mktemp)
trap 'rm -f "$cpu_file"' EXIT
# CPU seconds (user + sys) used so far by finished child processes: on a shared or loaded machine the
# wall time says little, the CPU time still says what a build costs (2 cores: wall >= CPU / 2).
# Sets cpu_now; must not run in a $(...) subshell, whose `times` would only count the subshell.
read_cpu() {
  times >"$cpu_file"
  cpu_now=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { sub(/s$/, "", $i); split($i, p, "m"); t += p[1] * 60 + p[2] } }
                 END { printf "%.1f", t }' "$cpu_file")
}
record() {  # record <step> <wall start> <cpu start>
  local secs cpu
  secs=$(awk -v a="$2" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
  read_cpu
  cpu=$(awk -v a="$3" -v b="$cpu_now" 'BEGIN { printf "%.1f", b - a }')
  echo "build: $1 took ${secs}s (${cpu}s CPU)"
  if [ -n "${CQ_TIMINGS:-}" ]; then
    echo "$1 $secs $cpu" >>"$CQ_TIMINGS"
  fi
}

# configure <dir> <cmake args...>: only when the tree has no build system yet. Afterwards
# `cmake --build` re-runs the configure step by itself when a CMakeLists.txt changes.
configure() {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ] || [ -f "$dir/Makefile" ]; then
    return 0
  fi
  local gen=()
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    gen=("${generator_args[@]}")
  fi
  "$@" -S "$root" -B "$dir" "${gen[@]}"
}

configure_native() {
  configure "$build_root/native" cmake -DCMAKE_BUILD_TYPE=Release -DCQ_TEST_PREFIX=native.
}
configure_asan() {
  # Debug: assertions stay on and -O0 keeps sanitizer stacks exact; the test data is small.
  configure "$build_root/asan" cmake -DCMAKE_BUILD_TYPE=Debug -DCQ_SANITIZE=ON -DCQ_TEST_PREFIX=asan.
}
configure_wasm() {
  if ! command -v emcmake >/dev/null 2>&1; then
    echo "build: emcmake not found; run scripts/setup.sh (apt-get install emscripten)" >&2
    exit 1
  fi
  # emcmake would set the emulator to "node --experimental-wasm-threads", which Node 20 rejects
  # (toolchain-notes pitfall 4); cmake/emscripten.cmake also strips it if this is forgotten.
  configure "$build_root/wasm" emcmake cmake -DCMAKE_BUILD_TYPE=Release -DCQ_TEST_PREFIX=wasm. \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=$(command -v node)"
}

build_tree() {  # build_tree <name> [target]
  local name=$1 target=${2:-} start cpu
  start=$(now)
  read_cpu
  cpu=$cpu_now
  "configure_$name"
  if [ -n "$target" ]; then
    cmake --build "$build_root/$name" -j "$jobs" --target "$target"
  else
    cmake --build "$build_root/$name" -j "$jobs"
  fi
  record "$name${target:+:$target}" "$start" "$cpu"
}

build_js() {
  if [ ! -f js/tsconfig.json ]; then
    echo "build: js/tsconfig.json not found; no TypeScript package to build yet"
    return 0
  fi
  build_tree wasm cq_wasm_module
  local start cpu
  start=$(now)
  read_cpu
  cpu=$cpu_now
  # The error code table is generated from core/common/error_codes.def, never copied by hand.
  node js/scripts/gen-error-codes.mjs
  npx --no-install tsc -p js/tsconfig.json
  # The package's bin: tsc writes new files 0644, and `npx cqlite` in this checkout executes the file
  # itself ("cqlite: Permission denied" on a fresh clone otherwise).
  chmod +x dist/cli.js
  mkdir -p dist/wasm
  # tsc copies neither the glue nor its hand-written typings (toolchain-notes 7).
  cp "$build_root/wasm/module/cqlite.mjs" "$build_root/wasm/module/cqlite.wasm" js/src/wasm/cqlite.d.mts dist/wasm/
  record js "$start" "$cpu"
}

steps=("$@")
if [ "${#steps[@]}" -eq 0 ]; then
  steps=(native asan wasm)
fi
for step in "${steps[@]}"; do
  case "$step" in
    native | asan | wasm) build_tree "$step" ;;
    cli) build_tree native cqlite ;;
    module) build_tree wasm cq_wasm_module ;;
    wasm-bench) build_tree wasm cq_bench ;;
    js) build_js ;;
    *)
      echo "build: unknown step '$step' (native, asan, wasm, cli, module, wasm-bench, js)" >&2
      exit 2
      ;;
  esac
done
