// SPDX-License-Identifier: MIT
// A VFS over SQLite's default one that gathers a transaction's WAL frames and writes them out as
// it commits (a small commit through a shared memory mapping, no system call; a large one with one
// pwrite()), and gathers a checkpoint's contiguous page writes into one write() call. See
// wal_gather_vfs.cpp.
#pragma once

namespace cq::sqlitedb {

/// Registers (once) and returns the name of the VFS, or nullptr when SQLite has no
/// default VFS to wrap. Not the default VFS: only connections that name it use it.
const char* walGatherVfs();

}  // namespace cq::sqlitedb
