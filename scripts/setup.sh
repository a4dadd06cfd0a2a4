#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what the build and the tests need and the machine lacks, and nothing it already has:
#   Debian packages (as root: apt-get update, then apt-get install), npm devDependencies (npm ci).
# A fresh Debian 12 machine has g++ 12, cmake, node 20 and npm; emscripten, catch2, nlohmann-json3-dev,
# libfast-float-dev and chromium are not there (toolchain-notes.md, "Recipe"). The SQLite source is fetched later, by
# the CMake configure step (scripts/fetch-sqlite.*).
#
# Usage: scripts/setup.sh            everything (npm test)
#        scripts/setup.sh --native   only what the native CLI needs (npm start)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=all
if [ "${1:-}" = "--native" ]; then
  mode=native
fi

native_pkgs=(catch2 nlohmann-json3-dev libfast-float-dev)
all_pkgs=(emscripten catch2 nlohmann-json3-dev libfast-float-dev chromium chromium-driver)
if [ "$mode" = native ]; then
  wanted=("${native_pkgs[@]}")
else
  wanted=("${all_pkgs[@]}")
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
else
  echo "setup: no dpkg here; assuming ${wanted[*]} (or equivalents) are installed" >&2
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: missing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt_cmd=(apt-get)
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    apt_cmd=(sudo -n apt-get)
  else
    echo "setup: not root; please run: apt-get update && apt-get install -y ${wanted[*]}" >&2
    exit 1
  fi
  # Another apt (unattended upgrades) may hold the lock for a while; wait rather than fail.
  "${apt_cmd[@]}" -o DPkg::Lock::Timeout=300 update
  DEBIAN_FRONTEND=noninteractive "${apt_cmd[@]}" -o DPkg::Lock::Timeout=300 install -y "${wanted[@]}"
fi

for tool in cmake g++ node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "setup: '$tool' is not installed (a Debian 12 machine normally has it)" >&2
    exit 1
  fi
done

if [ "$mode" = all ]; then
  # npm ci only when node_modules is missing or older than the lock file: it deletes and refills
  # node_modules (about 5 s), which an incremental `npm test` should not pay every time.
  stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
    npm ci --no-audit --no-fund
  fi
fi
