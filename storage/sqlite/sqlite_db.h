// SPDX-License-Identifier: MIT
// A thin layer over one sqlite3 connection: the one function that turns SQLite result codes into
// cq::Error, a cache of prepared statements keyed by their SQL text, and scoped statement use that
// always resets the statement (an unreset SELECT would keep a read transaction open).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace cq::sqlitedb {

/// Throws the cq::Error for SQLite result code `rc` (never returns): SQLITE_FULL -> StorageFull,
/// BUSY/LOCKED -> StorageLocked, READONLY (and CANTOPEN of a path we may not write) ->
/// StorageReadOnly, CORRUPT/NOTADB -> StorageCorrupt, anything else -> StorageIo. The message
/// names `what`, carries sqlite3_errmsg text (or sqlite3_errstr when there is no connection) and
/// the extended code. `path` (may be empty) helps tell a read-only path from a missing one.
[[noreturn]] void throwError(sqlite3* db, int rc, std::string_view what, const std::string& path = {});

class Connection;

/// A prepared statement in use; resets it when the scope ends. Parameter indexes are 1-based,
/// column indexes 0-based as in the SQLite API.
class Statement {
public:
    Statement(Connection& connection, sqlite3_stmt* stmt) : connection_(connection), stmt_(stmt) {}
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, double value);
    Statement& bindText(int index, std::string_view text);
    /// `copy` false: SQLite reads the bytes where they are, so they must outlive the statement's
    /// next step (saves a malloc and a copy of each journal chunk).
    Statement& bindBlob(int index, std::string_view bytes, bool copy = true);
    Statement& bindNull(int index);
    /// Steps once: true when a row is available, false when done. Throws on error.
    bool step();
    /// Steps to completion (for statements that return no rows).
    void run();

    int64_t columnInt(int column) const;
    double columnDouble(int column) const;
    bool columnIsNull(int column) const;
    /// Valid until the next step or the end of the scope.
    std::string_view columnBytes(int column) const;

private:
    Connection& connection_;
    sqlite3_stmt* stmt_;
};

/// Owns the connection and its statement cache.
class Connection {
public:
    /// Opens `path` (":memory:" allowed) with the given sqlite3_open_v2 flags and VFS (empty =
    /// default). Throws cq::Error through throwError on failure.
    Connection(const std::string& path, int flags, const std::string& vfs);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// The cached statement for `sql`, prepared on first use. `sql` must be a string with static
    /// storage duration: the cache is keyed by its address.
    Statement use(const char* sql);
    /// Runs one or more statements without caching (schema set-up, pragmas).
    void exec(const std::string& sql);
    /// The first column of the first row of `sql` as an integer (pragmas), or `fallback`.
    int64_t queryInt(const std::string& sql, int64_t fallback = 0);
    std::string queryText(const std::string& sql);

    [[noreturn]] void fail(int rc, std::string_view what) const { throwError(db_, rc, what, path_); }
    void check(int rc, std::string_view what) const;
    sqlite3* handle() const { return db_; }
    const std::string& path() const { return path_; }
    bool inTransaction() const;
    int64_t lastInsertRowid() const;
    int changes() const;

private:
    sqlite3* db_ = nullptr;
    std::string path_;
    std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace cq::sqlitedb
