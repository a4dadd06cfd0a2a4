// SPDX-License-Identifier: MIT
// Edge mode: an SQLite database that lives in memory and can be saved as bytes and started again
// from them (sqlite3_serialize / sqlite3_deserialize). The database is a named file of SQLite's
// "memdb" VFS: every connection of the process that opens the same name ("/cq-mem-1") shares it, so
// the storage backend keeps its own connection and this file never reaches into storage/sqlite.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "core/interface/storage.h"

namespace cq::image {

/// A new, unique memdb name ("/cq-mem-<n>").
std::string newMemdbName();

/// Opens the SQLite backend on memdb file `name`. With `image` non-empty the file first becomes a
/// copy of that database image (bytes produced by `serialize`). Throws StorageCorrupt for bytes
/// that are not an SQLite database, and whatever makeSqliteBackend throws.
std::unique_ptr<StorageBackend> openMemdb(const std::string& name, std::string_view image);

/// The bytes of memdb file `name` (a complete SQLite database file). Must not be called inside a
/// transaction of the backend (the engine never leaves one open between calls).
std::string serialize(const std::string& name);

}  // namespace cq::image
