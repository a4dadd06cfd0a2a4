#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `npm test`: installs what is missing, builds the native, the sanitizer (ASan+UBSan) and the wasm
# trees, then runs every test of all three in ONE ctest run and ends with ctest's summary.
# The single run comes from build/CTestTestfile.cmake, written here, which only lists the trees with
# subdirs() (toolchain-notes section 6); test names carry the tree: native.*, asan.*, wasm.*.
#
# Usage: scripts/test.sh [ctest args...]      e.g. scripts/test.sh -R unit.model
# Environment: CQ_TREES (default "native asan wasm"), CQ_JOBS (default 2), CQ_SKIP_SETUP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
build_root=${CQ_BUILD_ROOT:-build}
trees=${CQ_TREES:-native asan wasm}
jobs=${CQ_JOBS:-2}
start=$(date +%s)

if [ "${CQ_SKIP_SETUP:-0}" != 1 ]; then
  bash scripts/setup.sh
fi

timings=$(mktemp)
trap 'rm -f "$timings"' EXIT
# shellcheck disable=SC2086  # CQ_TREES is a word list
CQ_TIMINGS=$timings bash scripts/build.sh $trees
# The npm package's tests (wasm.js.*) run what `scripts/build.sh js` puts into dist/: build it
# whenever the wasm tree is tested, so they never run a stale package.
case " $trees " in
  *" wasm "*) CQ_TIMINGS=$timings bash scripts/build.sh js ;;
esac

{
  echo "# Written by scripts/test.sh: one ctest run over every build tree."
  printf 'subdirs('
  for tree in $trees; do
    printf '"%s" ' "$tree"
  done
  echo ')'
} >"$build_root/CTestTestfile.cmake"

# Sanitizer reports must fail the test, with a stack trace to read in the log.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "test: build times: $(awk '{ printf "%s %ss (%ss CPU), ", $1, $2, $3 }' "$timings")setup+build $(($(date +%s) - start))s"
# ctest's own summary ("100% tests passed, 0 tests failed out of N") is the last thing printed.
exec ctest --test-dir "$build_root" -j "$jobs" --output-on-failure --no-tests=error --timeout 600 "$@"
