#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `npm run bench`: builds the native Release tree and runs the benchmark executable (target cq_bench,
# from bench/) with the given arguments. Benchmarks measure the Release build only: the sanitizer
# and Debug trees are not representative.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --native
build_root=${CQ_BUILD_ROOT:-build}
bash scripts/build.sh native >&2
exe=$(find "$build_root/native" -type f -name cq_bench -perm -u+x | head -n 1)
if [ -z "$exe" ]; then
  echo "bench: no cq_bench executable in $build_root/native yet (bench/ has no benchmark target)" >&2
  exit 1
fi
exec "$exe" "$@"
