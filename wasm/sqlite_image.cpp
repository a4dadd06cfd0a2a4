// SPDX-License-Identifier: MIT
// Edge-mode images (see sqlite_image.h). A restore goes through a private connection: the bytes are
// deserialized there, then copied with the backup API into the shared memdb file, because
// sqlite3_deserialize always gives the connection a private database that other connections
// (the backend's) cannot see.
#include "wasm/sqlite_image.h"

#include <sqlite3.h>

#include <cstring>

#include "core/common/error.h"
#include "storage/sqlite/sqlite_backend.h"

namespace cq::image {
namespace {

/// Closes a connection when the scope ends (sqlite3_close(nullptr) is a no-op).
struct Closer {
    sqlite3* db = nullptr;
    ~Closer() { sqlite3_close(db); }
};

sqlite3* openShared(const std::string& name, Closer& holder) {
    int rc = sqlite3_open_v2(name.c_str(), &holder.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "memdb");
    if (rc != SQLITE_OK) {
        throw Error(ErrorCode::StorageIo, "cannot open the in-memory database " + name + ": " + sqlite3_errstr(rc));
    }
    return holder.db;
}

}  // namespace

std::string newMemdbName() {
    static int64_t counter = 0;
    return "/cq-mem-" + std::to_string(++counter);
}

std::unique_ptr<StorageBackend> openMemdb(const std::string& name, std::string_view image) {
    // The shared file lives while one connection has it open: `keep` holds it until the backend
    // has opened its own connection.
    Closer keep;
    sqlite3* target = openShared(name, keep);
    if (!image.empty()) {
        Closer source;
        if (sqlite3_open_v2(":memory:", &source.db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            throw Error(ErrorCode::StorageIo, "cannot open a connection to restore the image");
        }
        // sqlite3_deserialize takes ownership of a buffer from sqlite3_malloc64 (FREEONCLOSE).
        auto* bytes = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
        if (!bytes) throw Error(ErrorCode::StorageFull, "out of memory restoring an image");
        std::memcpy(bytes, image.data(), image.size());
        int rc = sqlite3_deserialize(source.db, "main", bytes, sqlite3_int64(image.size()),
                                     sqlite3_int64(image.size()),
                                     SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
        if (rc != SQLITE_OK) throw Error(ErrorCode::StorageCorrupt, "the image cannot be loaded: " + std::string(sqlite3_errstr(rc)));
        sqlite3_backup* backup = sqlite3_backup_init(target, "main", source.db, "main");
        if (!backup) throw Error(ErrorCode::StorageIo, std::string("cannot copy the image: ") + sqlite3_errmsg(target));
        rc = sqlite3_backup_step(backup, -1);
        sqlite3_backup_finish(backup);
        if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) {
            throw Error(ErrorCode::StorageCorrupt, "the image is not an SQLite database");
        }
        if (rc != SQLITE_DONE) throw Error(ErrorCode::StorageIo, std::string("cannot copy the image: ") + sqlite3_errstr(rc));
    }
    SqliteOptions options;
    options.vfs = "memdb";
    // A memdb file has no journal file of its own; MEMORY keeps rollback working.
    options.journalMode = "MEMORY";
    // The database already is memory: a large page cache would hold a second copy of its pages
    // (reading a page from memdb is a memcpy). SQLite's default cache (2 MiB) is enough.
    options.pageCacheKib = 0;
    return makeSqliteBackend(name, options);
}

std::string serialize(const std::string& name) {
    Closer holder;
    sqlite3* db = openShared(name, holder);
    sqlite3_int64 size = 0;
    unsigned char* bytes = sqlite3_serialize(db, "main", &size, 0);
    if (!bytes) throw Error(ErrorCode::StorageFull, "out of memory taking a snapshot");
    std::string out(reinterpret_cast<const char*>(bytes), size_t(size));
    sqlite3_free(bytes);
    return out;
}

}  // namespace cq::image
