#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `npm start`: builds the native CLI if needed and runs the bundled example, a building/floor/room
# graph with a stream of temperature changes, printing the result diffs of the continuous query.
# Extra arguments go to `cqlite run` (e.g. npm start -- --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --native
bash scripts/build.sh cli >&2
example=docs/examples/building-comfort
echo "cqlite: running $example/query.cypher over $example/changes.jsonl" >&2
exec build/native/cqlite run --query "$example/query.cypher" --changes "$example/changes.jsonl" "$@"
