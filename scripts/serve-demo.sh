#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Serves the repository so that web-demo/ (and the package in dist/) load in a browser:
#   bash scripts/build.sh js && bash scripts/serve-demo.sh [PORT]     -> http://127.0.0.1:PORT/web-demo/
# 127.0.0.1 is a secure context, which OPFS needs; no COOP/COEP headers are required.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f dist/browser.js ] || [ ! -f dist/wasm/cqlite.wasm ]; then
  echo "serve-demo: dist/ is missing; run: bash scripts/build.sh js" >&2
  exit 1
fi
port=${1:-8080}
echo "open http://127.0.0.1:$port/web-demo/"
exec node js/scripts/serve.mjs --port "$port" .
