// SPDX-License-Identifier: MIT
// A VFS over SQLite's default one that writes each WAL commit with one write() call instead of two
// per page (SQLite writes a frame's 24-byte header and its page separately). See wal_gather_vfs.cpp.
#pragma once

namespace cq::sqlitedb {

/// Registers (once) and returns the name of the gathering VFS, or nullptr when SQLite has no
/// default VFS to wrap. Not the default VFS: only connections that name it use it.
const char* walGatherVfs();

}  // namespace cq::sqlitedb
