// SPDX-License-Identifier: MIT
// The connection wrapper (see sqlite_db.h). throwError is the only place that maps SQLite result
// codes to cq::ErrorCode.
#include "storage/sqlite/sqlite_db.h"

#include <sqlite3.h>
#include <unistd.h>

#include "core/common/error.h"

namespace cq::sqlitedb {

namespace {

/// CANTOPEN means "could not open": a read-only file or folder (StorageReadOnly) or a missing
/// folder or other failure (StorageIo). access() tells the two apart where the OS lets us ask.
bool looksReadOnly(const std::string& path) {
    if (path.empty() || path == ":memory:") return false;
    if (::access(path.c_str(), F_OK) == 0) return ::access(path.c_str(), W_OK) != 0;
    auto slash = path.find_last_of('/');
    std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    return ::access(folder.c_str(), F_OK) == 0 && ::access(folder.c_str(), W_OK) != 0;
}

}  // namespace

void throwError(sqlite3* db, int rc, std::string_view what, const std::string& path) {
    ErrorCode code = ErrorCode::StorageIo;
    switch (rc & 0xff) {
    case SQLITE_FULL: code = ErrorCode::StorageFull; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = ErrorCode::StorageLocked; break;
    case SQLITE_READONLY: code = ErrorCode::StorageReadOnly; break;
    case SQLITE_CANTOPEN: code = looksReadOnly(path) ? ErrorCode::StorageReadOnly : ErrorCode::StorageIo; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: code = ErrorCode::StorageCorrupt; break;
    case SQLITE_MISUSE:
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE: code = ErrorCode::Internal; break;
    default: break;
    }
    // errmsg describes the most recent failure on the connection, which is this one; without a
    // connection (open failed before allocating it) only the generic text exists.
    const char* detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    std::string message(what);
    if (!path.empty()) message += " (" + path + ")";
    message += ": ";
    message += detail ? detail : "unknown error";
    message += " [SQLite error " + std::to_string(rc) + "]";
    throw Error(code, message);
}

Statement::~Statement() { sqlite3_reset(stmt_); }

Statement& Statement::bind(int index, int64_t value) {
    connection_.check(sqlite3_bind_int64(stmt_, index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    connection_.check(sqlite3_bind_double(stmt_, index, value), "bind");
    return *this;
}

Statement& Statement::bindText(int index, std::string_view text) {
    connection_.check(sqlite3_bind_text(stmt_, index, text.data(), int(text.size()), SQLITE_TRANSIENT), "bind");
    return *this;
}

Statement& Statement::bindBlob(int index, std::string_view bytes, bool copy) {
    // A zero-length blob must still be a blob, not NULL: pass a non-null pointer.
    const char* data = bytes.empty() ? "" : bytes.data();
    connection_.check(sqlite3_bind_blob(stmt_, index, data, int(bytes.size()), copy ? SQLITE_TRANSIENT : SQLITE_STATIC),
                      "bind");
    return *this;
}

Statement& Statement::bindNull(int index) {
    connection_.check(sqlite3_bind_null(stmt_, index), "bind");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    connection_.fail(rc, sqlite3_sql(stmt_));
}

void Statement::run() {
    while (step()) {
    }
}

int64_t Statement::columnInt(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::columnDouble(int column) const { return sqlite3_column_double(stmt_, column); }
bool Statement::columnIsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::string_view Statement::columnBytes(int column) const {
    const void* data = sqlite3_column_blob(stmt_, column);
    int size = sqlite3_column_bytes(stmt_, column);
    return data ? std::string_view(static_cast<const char*>(data), size_t(size)) : std::string_view();
}

Connection::Connection(const std::string& path, int flags, const std::string& vfs) : path_(path) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, vfs.empty() ? nullptr : vfs.c_str());
    if (rc != SQLITE_OK) {
        try {
            throwError(db_, rc, "cannot open the database", path_);
        } catch (...) {
            sqlite3_close(db_);
            db_ = nullptr;
            throw;
        }
    }
    sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

void Connection::check(int rc, std::string_view what) const {
    if (rc != SQLITE_OK) fail(rc, what);
}

Statement Connection::use(const char* sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
        sqlite3_stmt* stmt = nullptr;
        check(sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr), sql);
        it = statements_.emplace(sql, stmt).first;
    }
    return Statement(*this, it->second);
}

void Connection::exec(const std::string& sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    sqlite3_free(error);
    check(rc, sql);
}

int64_t Connection::queryInt(const std::string& sql, int64_t fallback) {
    sqlite3_stmt* stmt = nullptr;
    check(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), sql);
    int rc = sqlite3_step(stmt);
    int64_t result = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : fallback;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(rc, sql);
    return result;
}

std::string Connection::queryText(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    check(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), sql);
    int rc = sqlite3_step(stmt);
    std::string result;
    if (rc == SQLITE_ROW) {
        const unsigned char* text = sqlite3_column_text(stmt, 0);
        if (text) result.assign(reinterpret_cast<const char*>(text), size_t(sqlite3_column_bytes(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(rc, sql);
    return result;
}

bool Connection::inTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
int64_t Connection::lastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
int Connection::changes() const { return sqlite3_changes(db_); }

}  // namespace cq::sqlitedb
