#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetches the SQLite amalgamation (sqlite3.c + sqlite3.h, SQLite 3.53.2) that storage/sqlite builds,
# from the npm registry package better-sqlite3@12.11.1 (its deps/sqlite3 folder), verifies both files
# against the SHA-256 sums pinned below and caches them in DEST (default: build/third_party/sqlite).
# The project's tree never holds sqlite3.c (toolchain-notes 2.1). Needs node/npm, tar, sha256sum.
#   scripts/fetch-sqlite.sh [DEST]
# CQ_SQLITE_TARBALL=/path/better-sqlite3-12.11.1.tgz uses a local copy of the package instead.
set -eu

PACKAGE="better-sqlite3@12.11.1"
SQLITE_C_SHA256="60d2f39a3726cd6b9021da6f4e868608d66fbb6528a9f513dc8ffcc640493422"
SQLITE_H_SHA256="9e69a1353a4288450b0d5239ede11fc7f1f4c8e5eb07491fc8317eacb5b7de7e"

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$root/build/third_party/sqlite}"

verify() {  # verify <file> <sha256>: 0 when the file exists and matches
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

if verify "$dest/sqlite3.c" "$SQLITE_C_SHA256" && verify "$dest/sqlite3.h" "$SQLITE_H_SHA256"; then
  echo "fetch-sqlite: $dest already holds SQLite 3.53.2"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM
if [ -n "${CQ_SQLITE_TARBALL:-}" ]; then
  cp "$CQ_SQLITE_TARBALL" "$work/package.tgz"
else
  # Run npm from the scratch folder so no package.json or workspace of the caller is involved.
  (cd "$work" && npm pack "$PACKAGE" --silent >/dev/null)
  mv "$work"/better-sqlite3-*.tgz "$work/package.tgz"
fi
tar -xzf "$work/package.tgz" -C "$work" package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h

src="$work/package/deps/sqlite3"
if ! verify "$src/sqlite3.c" "$SQLITE_C_SHA256" || ! verify "$src/sqlite3.h" "$SQLITE_H_SHA256"; then
  echo "fetch-sqlite: checksum mismatch for the SQLite sources in $PACKAGE; refusing to use them" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$src/sqlite3.c" "$src/sqlite3.h" "$dest/"
echo "fetch-sqlite: SQLite 3.53.2 from $PACKAGE -> $dest"
