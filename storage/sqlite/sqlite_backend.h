// SPDX-License-Identifier: MIT
// The SQLite storage backend: one database file holds the state of every query of an engine (each
// row carries the query's number), so reopening the file restores every query. The state is also
// held in memory (a memory backend answers every read); each commit appends one journal row, and
// the journal is folded into the keyed tables from time to time. See docs/storage.md for the
// schema. Not thread-safe: one backend, one thread (as the engine is).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "core/interface/storage.h"

namespace cq {

struct SqliteOptions {
    bool readOnly = false;        ///< open read-only: every write throws StorageReadOnly
    int busyTimeoutMs = 0;        ///< how long to wait for another connection's lock (0: fail at once)
    std::string vfs;              ///< SQLite VFS name (e.g. "opfs-sah" in a browser worker); empty = default
    std::string journalMode;      ///< empty: WAL (under Emscripten: TRUNCATE with another VFS)
    int64_t maxPageCount = 0;     ///< size quota in pages (PRAGMA max_page_count); past it writes fail with StorageFull; 0 = none
    int64_t pageCacheKib = 65536; ///< SQLite's page cache (PRAGMA cache_size, in KiB); 0 = SQLite's default (2 MiB)
    /// WAL pages between automatic checkpoints (PRAGMA wal_autocheckpoint); 0 = SQLite's default
    /// (1,000). Fewer, larger checkpoints copy a hot page once instead of once per checkpoint.
    /// 40,000 pages of 1 KiB: about 40 MB of WAL.
    int walAutocheckpointPages = 40000;
    /// Page size of a database this call creates (PRAGMA page_size; an existing file keeps its own).
    /// 0: 1,024 bytes natively (a per-change commit writes and checksums two 1 KiB WAL frames
    /// instead of two 4 KiB ones: 20% less CPU per change, docs/storage.md), SQLite's default
    /// (4,096) under Emscripten, where the journal is not a WAL and 1 KiB was not measured.
    int pageSize = 0;
    /// Natively, for a writable file on the default VFS: hold the database file's lock as long as
    /// the backend is open (PRAGMA locking_mode=EXCLUSIVE). Each transaction then skips about six
    /// fcntl() lock calls and the WAL index lives in heap memory (2.5 us of a 10 us change), but
    /// no other connection or process can read the database meanwhile (StorageLocked). false:
    /// other processes may read the last commit while this backend writes (`cqlite results --db`
    /// during `cqlite run`). Ignored under Emscripten, read-only, and with another VFS.
    bool exclusiveLock = true;
    /// Journal bytes past which a commit folds the journal into the keyed tables (one SQLite
    /// transaction; docs/storage.md, "Journal and fold"). 0: automatic, once the records that
    /// later ones superseded weigh as much as the state (the keyed tables and the elements the
    /// journal added), at least `minFoldBytes`: a fold never writes more than it saves.
    int64_t foldBytes = 0;
    /// The floor of the automatic threshold (0: 16 MiB). Tests make it small.
    int64_t minFoldBytes = 0;
    /// The size of a journal chunk (a row of the journal table, docs/storage.md). 0: the page
    /// size less 64 bytes, so that a chunk fills one leaf page. Tests make it small.
    int64_t journalChunkBytes = 0;
};

/// Opens (creating when missing, unless readOnly) a cqlite database at `path` (":memory:" for a
/// private in-memory one). Throws Error: StorageCorrupt for a file that is not SQLite or a SQLite
/// database that is not cqlite's, StorageSchema for another schema version, StorageReadOnly,
/// StorageLocked, StorageIo.
std::unique_ptr<StorageBackend> makeSqliteBackend(const std::string& path, SqliteOptions options = {});

/// The schema version this build writes (PRAGMA user_version). Version 5 added a journal record
/// (ElementPatch) to version 4's tables: a version 4 database opens, and a writable one is marked 5.
constexpr int64_t kSqliteSchemaVersion = 5;
/// The oldest schema version this build reads.
constexpr int64_t kSqliteOldestReadableVersion = 4;
/// PRAGMA application_id of a cqlite database ("cqlt").
constexpr int64_t kSqliteApplicationId = 0x63716c74;

}  // namespace cq
