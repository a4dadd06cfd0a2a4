// SPDX-License-Identifier: MIT
// The SQLite backend: the backend-agnostic suite on a file and on :memory:, the value codec, the
// error codes of bad files, versions, read-only and locked databases, rollback leaving nothing
// behind, reopening a file restoring everything, and equivalence with the memory backend.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <set>

#include "core/common/error.h"
#include "core/query/engine.h"
#include "storage/memory/memory_backend.h"
#include "storage/sqlite/journal.h"
#include "storage/sqlite/sqlite_backend.h"
#include "storage/sqlite/value_codec.h"
#include "tests/unit/storage/backend_suite.h"

using namespace cq;
using namespace cq::storagetest;

namespace {

/// A database path in /tmp, removed (with its -wal/-shm/-journal files) when the scope ends.
class TempDb {
public:
    TempDb() {
        static int counter = 0;
        // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) on "literal" + std::string.
        path_ = "/tmp/cqlite-storage-test-";
        path_ += std::to_string(::getpid());
        path_ += "-";
        path_ += std::to_string(++counter);
        path_ += ".db";
        removeFiles();
    }
    ~TempDb() { removeFiles(); }
    const std::string& path() const { return path_; }

private:
    void removeFiles() const {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path_ + suffix).c_str());
    }
    std::string path_;
};

ErrorCode codeOf(const std::function<void()>& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const Error& e) {
        if (message) *message = e.what();
        return e.code();
    }
    return ErrorCode::Ok;
}

/// prefix + i, appended piece by piece: g++ 12 warns falsely (-Wrestrict) on "literal" + std::string.
std::string numbered(const char* prefix, int i) {
    std::string out = prefix;
    out += std::to_string(i);
    return out;
}

/// A size quota of 40 pages of 4 KiB: room for the schema and a few dozen rows of 2 KB.
SqliteOptions smallQuota() {
    SqliteOptions options;
    options.maxPageCount = 40;
    options.pageSize = 4096;
    return options;
}

/// Runs raw SQL on a file with the system-independent sqlite3 API (the same amalgamation).
void rawSql(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    INFO((error ? error : ""));
    sqlite3_free(error);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

/// The first column of the first row of `sql`, read with the raw sqlite3 API.
int64_t rawInt(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    int64_t value = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return value;
}

/// Runs `body` on a fresh database twice: with the journal folded only past its threshold, and
/// folded at every commit (foldBytes 1), each with `base`'s other options.
void journaledAndFolded(const std::function<void(const TempDb&, const SqliteOptions&)>& body,
                        SqliteOptions base = {}) {
    for (int64_t foldBytes : {int64_t(0), int64_t(1)}) {
        INFO("foldBytes " << foldBytes);
        TempDb db;
        SqliteOptions options = base;
        options.foldBytes = foldBytes;
        body(db, options);
    }
}

}  // namespace

TEST_CASE("sqlite backend: the backend suite on a file", "[storage][sqlite]") {
    std::vector<std::unique_ptr<TempDb>> files;
    runBackendSuite([&] {
        files.push_back(std::make_unique<TempDb>());
        return makeSqliteBackend(files.back()->path());
    });
}

TEST_CASE("sqlite backend: the backend suite on a file, 4 KiB pages, shared locking, a fold per commit",
          "[storage][sqlite]") {
    std::vector<std::unique_ptr<TempDb>> files;
    SqliteOptions options;
    options.pageSize = 4096;
    options.exclusiveLock = false;
    options.foldBytes = 1;
    runBackendSuite([&] {
        files.push_back(std::make_unique<TempDb>());
        return makeSqliteBackend(files.back()->path(), options);
    });
}

TEST_CASE("sqlite backend: the backend suite on :memory:", "[storage][sqlite]") {
    runBackendSuite([] { return makeSqliteBackend(":memory:"); });
}

TEST_CASE("sqlite backend: the backend suite folding the journal at every commit", "[storage][sqlite]") {
    SqliteOptions options;
    options.foldBytes = 1;
    runBackendSuite([options] { return makeSqliteBackend(":memory:", options); });
}

TEST_CASE("sqlite backend: name", "[storage][sqlite]") {
    CHECK(std::string(makeSqliteBackend(":memory:")->name()) == "sqlite");
}

TEST_CASE("sqlite codec: every value kind round-trips exactly", "[storage][sqlite][codec]") {
    Value all = everyKindValue();
    sqlitecodec::Writer w;
    w.value(all);
    w.value(Value(ElementPtr()));
    sqlitecodec::Reader r(w.view());
    CHECK(dump(r.value()) == dump(all));
    Value nullElement = r.value();
    CHECK(nullElement.isElement());
    CHECK(nullElement.asElement() == nullptr);
    CHECK(r.atEnd());

    Accumulator acc;
    acc.sum = -0.0;
    acc.count = INT64_MIN;
    acc.c = std::nan("");
    acc.value = all;
    Accumulator back = sqlitecodec::decodeAccumulator(sqlitecodec::encodeAccumulator(acc));
    CHECK(std::signbit(back.sum));
    CHECK(back.count == INT64_MIN);
    CHECK(std::isnan(back.c));
    CHECK(dump(back.value) == dump(acc.value));
    CHECK(sqlitecodec::encodeAccumulator(Accumulator{}).size() == 1);
}

TEST_CASE("sqlite codec: malformed input is StorageCorrupt", "[storage][sqlite][codec]") {
    std::string good = sqlitecodec::encodeElement(*node("a", Map{{"x", everyKindValue()}}));
    for (size_t cut = 0; cut < good.size(); cut += 7) {
        INFO("cut at " << cut);
        CHECK(codeOf([&] { sqlitecodec::decodeElement(good.substr(0, cut)); }) == ErrorCode::StorageCorrupt);
    }
    CHECK(codeOf([] { sqlitecodec::decodeMap(std::string("\x01\x01k\xee", 4)); }) == ErrorCode::StorageCorrupt);
    CHECK(codeOf([] { sqlitecodec::decodeMap(std::string(12, '\xff')); }) == ErrorCode::StorageCorrupt);
    std::string nested;
    for (int i = 0; i < 1000; ++i) nested += std::string("\x05\x01", 2);  // tag List, count 1: [[[[...
    CHECK(codeOf([&] {
        sqlitecodec::Reader r(nested);
        r.value();
    }) == ErrorCode::StorageCorrupt);
}

TEST_CASE("sqlite journal: records round-trip, with and without a body", "[storage][sqlite][codec]") {
    using namespace cq::sqlitejournal;
    Recorder recorder;
    recorder.begin(Op::ElementDelete, 7).ref(refOf("n1"));
    recorder.end();
    const std::string big(300, 'b');  // a body past 127 bytes: the 5-byte length carries two groups
    recorder.begin(Op::StatePut, 1234567).text("k");
    recorder.body().text(big);
    recorder.end();
    const size_t firstTwo = recorder.size();
    recorder.begin(Op::QueryDrop, 3);
    recorder.body().text("q");
    recorder.end();
    recorder.truncate(firstTwo);  // a savepoint rolled back: the last record is gone
    CHECK(recorder.orderedSinceFold() == 1);

    Parser parser(recorder.bytes());
    Record r;
    REQUIRE(parser.next(r));
    CHECK(r.op == Op::ElementDelete);
    CHECK(r.query == 7);
    CHECK(sqlitecodec::Reader(r.key).ref() == refOf("n1"));
    CHECK(r.body.empty());
    REQUIRE(parser.next(r));
    CHECK(r.op == Op::StatePut);
    CHECK(r.query == 1234567);
    CHECK(sqlitecodec::Reader(r.key).text() == "k");
    CHECK(sqlitecodec::Reader(r.body).text() == big);
    CHECK_FALSE(parser.next(r));
    CHECK(rowClass(Op::StatePut) != 0);
    CHECK(rowClass(Op::FuturePop) == 0);
}

TEST_CASE("sqlite backend: a non-SQLite file is StorageCorrupt", "[storage][sqlite][errors]") {
    TempDb db;
    {
        std::ofstream out(db.path(), std::ios::binary);
        for (int i = 0; i < 200; ++i) out << "this is not a database, just text. ";
    }
    std::string message;
    CHECK(codeOf([&] { makeSqliteBackend(db.path()); }, &message) == ErrorCode::StorageCorrupt);
    CHECK(message.find("not a database") != std::string::npos);
}

TEST_CASE("sqlite backend: a foreign SQLite database is StorageCorrupt", "[storage][sqlite][errors]") {
    TempDb db;
    rawSql(db.path(), "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES(1, 'x');");
    std::string message;
    CHECK(codeOf([&] { makeSqliteBackend(db.path()); }, &message) == ErrorCode::StorageCorrupt);
    CHECK(message.find("not a cqlite") != std::string::npos);
    // Nothing was added to the foreign file.
    rawSql(db.path(), "SELECT count(*) FROM customers");
    TempDb other;
    rawSql(other.path(), "PRAGMA application_id=12345");
    CHECK(codeOf([&] { makeSqliteBackend(other.path()); }) == ErrorCode::StorageCorrupt);
}

TEST_CASE("sqlite backend: another schema version is StorageSchema", "[storage][sqlite][errors]") {
    TempDb db;
    makeSqliteBackend(db.path())->putMeta("k", "v");
    rawSql(db.path(), "PRAGMA user_version=" + std::to_string(kSqliteSchemaVersion + 1));
    std::string message;
    CHECK(codeOf([&] { makeSqliteBackend(db.path()); }, &message) == ErrorCode::StorageSchema);
    CHECK(message.find("version " + std::to_string(kSqliteSchemaVersion + 1)) != std::string::npos);
    rawSql(db.path(), "PRAGMA user_version=" + std::to_string(kSqliteOldestReadableVersion - 1));
    CHECK(codeOf([&] { makeSqliteBackend(db.path()); }, &message) == ErrorCode::StorageSchema);
    CHECK(message.find("version " + std::to_string(kSqliteOldestReadableVersion - 1)) != std::string::npos);
    rawSql(db.path(), "PRAGMA user_version=" + std::to_string(kSqliteSchemaVersion));
    CHECK(makeSqliteBackend(db.path())->getMeta("k") == std::optional<std::string>("v"));
}

TEST_CASE("sqlite backend: a version 4 database opens; written, it becomes version 5", "[storage][sqlite]") {
    // Version 5 only added a journal record (ElementPatch): version 4 files read as they are.
    STATIC_REQUIRE(kSqliteOldestReadableVersion == 4);
    STATIC_REQUIRE(kSqliteSchemaVersion == 5);
    TempDb db;
    {
        auto backend = makeSqliteBackend(db.path());
        QueryStore q = backend->openQuery("q");
        backend->begin();
        q.elements->setElement(node("n1", Map{{"a", Value(int64_t(1))}}, 10), {0});
        backend->commit();
    }
    rawSql(db.path(), "PRAGMA user_version=4");
    {
        SqliteOptions readOnly;
        readOnly.readOnly = true;
        auto backend = makeSqliteBackend(db.path(), readOnly);
        CHECK(dump(backend->openQuery("q").elements->getElement(refOf("n1"))) ==
              dump(node("n1", Map{{"a", Value(int64_t(1))}}, 10)));
    }
    CHECK(rawInt(db.path(), "PRAGMA user_version") == 4);
    {
        auto backend = makeSqliteBackend(db.path());
        QueryStore q = backend->openQuery("q");
        backend->begin();
        q.elements->setElement(node("n1", Map{{"a", Value(int64_t(2))}}, 20), {0});
        backend->commit();
    }
    CHECK(rawInt(db.path(), "PRAGMA user_version") == 5);
    auto reopened = makeSqliteBackend(db.path());
    CHECK(dump(reopened->openQuery("q").elements->getElement(refOf("n1"))) ==
          dump(node("n1", Map{{"a", Value(int64_t(2))}}, 20)));
}

TEST_CASE("sqlite backend: read-only databases and paths are StorageReadOnly", "[storage][sqlite][errors]") {
    TempDb db;
    makeSqliteBackend(db.path())->putMeta("k", "v");
    SqliteOptions readOnly;
    readOnly.readOnly = true;
    auto backend = makeSqliteBackend(db.path(), readOnly);
    CHECK(backend->getMeta("k") == std::optional<std::string>("v"));
    std::string message;
    CHECK(codeOf([&] { backend->putMeta("k", "w"); }, &message) == ErrorCode::StorageReadOnly);
    CHECK(message.find("readonly") != std::string::npos);
    CHECK(codeOf([&] { backend->openQuery("new"); }) == ErrorCode::StorageReadOnly);
    backend->begin();
    CHECK(codeOf([&] { backend->putMeta("k", "w"); }) == ErrorCode::StorageReadOnly);
    backend->rollback();
    CHECK(backend->getMeta("k") == std::optional<std::string>("v"));

    TempDb missing;
    CHECK(codeOf([&] { makeSqliteBackend(missing.path(), readOnly); }) == ErrorCode::StorageIo);
    CHECK(codeOf([&] { makeSqliteBackend("/nonexistent-folder-cq/x.db"); }) == ErrorCode::StorageIo);

    if (::geteuid() == 0) {
        WARN("running as root: file permissions cannot make a path read-only; skipped that part");
        return;
    }
    TempDb locked;
    makeSqliteBackend(locked.path())->putMeta("k", "v");
    ::chmod(locked.path().c_str(), 0444);
    CHECK(codeOf([&] { makeSqliteBackend(locked.path())->putMeta("k", "w"); }) == ErrorCode::StorageReadOnly);
    ::chmod(locked.path().c_str(), 0644);
}

TEST_CASE("sqlite backend: a database locked by another connection is StorageLocked", "[storage][sqlite][errors]") {
#ifdef __EMSCRIPTEN__
    // Emscripten's file systems have no file locks (the browser VFS is single-owner by design).
    WARN("no file locks under Emscripten: skipped");
    return;
#endif
    SECTION("exclusive (the default): a second backend cannot open the file while the first is open") {
        TempDb db;
        std::string message;
        {
            auto first = makeSqliteBackend(db.path());
            first->putMeta("k", "first");
            CHECK(codeOf([&] { makeSqliteBackend(db.path()); }, &message) == ErrorCode::StorageLocked);
            CHECK(message.find("locked") != std::string::npos);
            SqliteOptions readOnly;
            readOnly.readOnly = true;
            CHECK(codeOf([&] { makeSqliteBackend(db.path(), readOnly); }) == ErrorCode::StorageLocked);
            // A reader that does not take the lock fails the same way at its first read.
            SqliteOptions shared;
            shared.exclusiveLock = false;
            CHECK(codeOf([&] { makeSqliteBackend(db.path(), shared); }) == ErrorCode::StorageLocked);
            first->begin();
            first->putMeta("k", "second");
            first->commit();
        }
        // Closing releases it; the commits are there.
        CHECK(makeSqliteBackend(db.path())->getMeta("k") == std::optional<std::string>("second"));
    }
    SECTION("shared (exclusiveLock = false): WAL readers see the last commit while a writer works") {
        TempDb db;
        SqliteOptions shared;
        shared.exclusiveLock = false;
        auto first = makeSqliteBackend(db.path(), shared);
        auto second = makeSqliteBackend(db.path(), shared);
        first->begin();
        first->putMeta("k", "first");
        std::string message;
        CHECK(codeOf([&] { second->begin(); }, &message) == ErrorCode::StorageLocked);
        CHECK(message.find("locked") != std::string::npos);
        CHECK(codeOf([&] { second->putMeta("k", "second"); }) == ErrorCode::StorageLocked);
        // WAL: the reader still sees the last committed state while the writer works.
        CHECK_FALSE(second->getMeta("k").has_value());
        first->commit();
        CHECK(second->getMeta("k") == std::optional<std::string>("first"));
        second->begin();
        second->putMeta("k", "second");
        second->commit();
        CHECK(first->getMeta("k") == std::optional<std::string>("second"));
        // An exclusive backend cannot take a file other connections have open.
        CHECK(codeOf([&] { makeSqliteBackend(db.path()); }) == ErrorCode::StorageLocked);
    }
}

TEST_CASE("sqlite backend: a rolled-back transaction leaves nothing behind", "[storage][sqlite]") {
    TempDb db;
    {
        auto backend = makeSqliteBackend(db.path());
        QueryStore q = backend->openQuery("q");
        backend->begin();
        randomWrites(*backend, q, 7, 400);
        backend->saveQuery({"q", "{}"});
        backend->openQuery("other").elements->setElement(node("x"), {0});
        backend->rollback();
        // After the rollback the open handle is still usable and empty.
        CHECK(q.elements->getElement(refOf("n1")) == nullptr);
        q.elements->setElement(node("after"), {});
    }
    auto reopened = makeSqliteBackend(db.path());
    CHECK(reopened->storedQueries().empty());
    QueryStore q = reopened->openQuery("q");
    CHECK(q.elements->getElement(refOf("after")) != nullptr);
    q.elements->deleteElement(refOf("after"));
    auto empty = makeMemoryBackend();
    CHECK(drainSnapshot(*reopened, q) == drainSnapshot(*empty, empty->openQuery("q")));
    CHECK(reopened->openQuery("other").elements->getElement(refOf("x")) == nullptr);
}

TEST_CASE("sqlite backend: reopening a file restores everything", "[storage][sqlite]") {
    TempDb db;
    auto oracle = makeMemoryBackend();
    for (auto* backendPtr : {static_cast<StorageBackend*>(nullptr), oracle.get()}) {
        std::unique_ptr<StorageBackend> owned;
        StorageBackend* backend = backendPtr;
        if (!backend) {
            owned = makeSqliteBackend(db.path());
            backend = owned.get();
        }
        backend->saveQuery({"q1", "{\"cypher\":\"MATCH (a)-[r]->(b) RETURN a\"}"});
        backend->saveQuery({"q0", "{\"cypher\":\"MATCH (n) RETURN n\"}"});
        backend->putMeta("clock", "1700000000000");
        for (const char* id : {"q1", "q0"}) {
            QueryStore q = backend->openQuery(id);
            backend->begin();
            randomWrites(*backend, q, id[1] == '1' ? 21 : 22, 500);
            backend->commit();
        }
    }
    auto reopened = makeSqliteBackend(db.path());
    auto stored = reopened->storedQueries();
    REQUIRE(stored.size() == 2);
    CHECK(stored[0].id == "q1");
    CHECK(stored[0].configJson == "{\"cypher\":\"MATCH (a)-[r]->(b) RETURN a\"}");
    CHECK(stored[1].id == "q0");
    CHECK(reopened->getMeta("clock") == std::optional<std::string>("1700000000000"));
    for (const char* id : {"q1", "q0"}) {
        INFO(id);
        CHECK(drainSnapshot(*reopened, reopened->openQuery(id)) == drainSnapshot(*oracle, oracle->openQuery(id)));
    }
}

TEST_CASE("sqlite backend: same observable state as the memory backend", "[storage][sqlite]") {
    // On a file, reopened at the end: the loaded state is what counts (reads are served from
    // memory while the backend is open). Odd seeds fold the journal at every commit.
    for (uint32_t seed = 100; seed < 105; ++seed) {
        TempDb db;
        SqliteOptions options;
        options.foldBytes = seed % 2;
        auto memory = makeMemoryBackend();
        auto sqlite = makeSqliteBackend(db.path(), options);
        QueryStore m = memory->openQuery("q");
        QueryStore s = sqlite->openQuery("q");
        for (int batch = 0; batch < 5; ++batch) {
            for (StorageBackend* b : {memory.get(), sqlite.get()}) b->begin();
            randomWrites(*memory, m, seed * 10 + batch, 200);
            randomWrites(*sqlite, s, seed * 10 + batch, 200);
            for (StorageBackend* b : {memory.get(), sqlite.get()}) {
                if (batch == 2) {
                    b->rollback();
                } else {
                    b->commit();
                }
            }
        }
        INFO("seed " << seed);
        CHECK(drainSnapshot(*sqlite, s) == drainSnapshot(*memory, m));
        sqlite.reset();
        auto reopened = makeSqliteBackend(db.path(), options);
        CHECK(drainSnapshot(*reopened, reopened->openQuery("q")) == drainSnapshot(*memory, m));
    }
}

TEST_CASE("sqlite backend: savepoints match the memory backend", "[storage][sqlite]") {
    // Nested savepoints taken after writes, releases, several rollbacks to them in one
    // transaction, a rolled-back transaction; on a file, with the journal replayed at reopening
    // and with it folded into the tables at every commit. What counts is the file: the state a
    // reopened backend loads must equal the memory backend's.
    for (int64_t foldBytes : {int64_t(0), int64_t(1)}) {
        for (uint32_t seed = 300; seed < 306; ++seed) {
            TempDb db;
            SqliteOptions options;
            options.foldBytes = foldBytes;
            auto memory = makeMemoryBackend();
            auto sqlite = makeSqliteBackend(db.path(), options);
            QueryStore m = memory->openQuery("q");
            QueryStore s = sqlite->openQuery("q");
            uint32_t step = seed * 100;
            auto both = [&](const std::function<void(StorageBackend&, const QueryStore&)>& f) {
                f(*memory, m);
                f(*sqlite, s);
            };
            for (int tx = 0; tx < 4; ++tx) {
                both([](StorageBackend& b, const QueryStore&) { b.begin(); });
                for (int round = 0; round < 6; ++round) {
                    uint32_t w = ++step;
                    both([w](StorageBackend& b, const QueryStore& q) { randomWrites(b, q, w, 40); });
                    both([](StorageBackend& b, const QueryStore&) { b.savepoint(); });
                    uint32_t w2 = ++step;
                    both([w2](StorageBackend& b, const QueryStore& q) { randomWrites(b, q, w2, 40); });
                    if ((seed + round) % 3 == 0) {
                        both([](StorageBackend& b, const QueryStore&) { b.savepoint(); });
                        uint32_t w3 = ++step;
                        both([w3](StorageBackend& b, const QueryStore& q) { randomWrites(b, q, w3, 20); });
                        both([](StorageBackend& b, const QueryStore&) { b.rollbackToSavepoint(); });
                    }
                    if ((seed + round) % 2 == 0) {
                        both([](StorageBackend& b, const QueryStore&) { b.rollbackToSavepoint(); });
                    } else {
                        both([](StorageBackend& b, const QueryStore&) { b.releaseSavepoint(); });
                    }
                }
                if (tx == 2) {
                    both([](StorageBackend& b, const QueryStore&) { b.rollback(); });
                } else {
                    both([](StorageBackend& b, const QueryStore&) { b.commit(); });
                }
            }
            INFO("seed " << seed << " foldBytes " << foldBytes);
            CHECK(drainSnapshot(*sqlite, s) == drainSnapshot(*memory, m));
            sqlite.reset();
            auto reopened = makeSqliteBackend(db.path(), options);
            CHECK(drainSnapshot(*reopened, reopened->openQuery("q")) == drainSnapshot(*memory, m));
        }
    }
}

TEST_CASE("sqlite backend: dropped and re-created queries survive reopening, folded or not", "[storage][sqlite]") {
    // A query dropped and created again under the same id in one transaction (a new number), a
    // rolled-back drop, and writes outside any transaction (each its own), on the journal alone
    // and folded at every commit.
    auto saved = [](StorageBackend& b) {
        std::string out;
        for (const StoredQuery& q : b.storedQueries()) out += q.id + "=" + q.configJson + ";";
        return out;
    };
    journaledAndFolded([&](const TempDb& db, const SqliteOptions& options) {
        auto oracle = makeMemoryBackend();
        {
            auto sqlite = makeSqliteBackend(db.path(), options);
            for (StorageBackend* b : {sqlite.get(), oracle.get()}) {
                b->saveQuery({"a", "{\"v\":1}"});
                QueryStore a = b->openQuery("a");
                b->begin();
                randomWrites(*b, a, 5, 120);
                b->commit();
                b->begin();
                b->dropQuery("a");
                QueryStore again = b->openQuery("a");
                randomWrites(*b, again, 6, 60);
                b->saveQuery({"a", "{\"v\":2}"});
                b->commit();
                b->begin();
                b->dropQuery("a");
                b->rollback();
                b->saveQuery({"b", "{}"});
                QueryStore other = b->openQuery("b");
                randomWrites(*b, other, 7, 40);
            }
        }
        auto reopened = makeSqliteBackend(db.path(), options);
        CHECK(saved(*reopened) == saved(*oracle));
        for (const char* id : {"a", "b"}) {
            INFO(id);
            CHECK(drainSnapshot(*reopened, reopened->openQuery(id)) == drainSnapshot(*oracle, oracle->openQuery(id)));
        }
    });
}

TEST_CASE("sqlite backend: a WAL of several mapping chunks reads back, journaled and folded", "[storage][sqlite]") {
    // 3,000 elements of 2 KB in one transaction: a journal entry and WAL of about 6 MB, more than
    // one 4 MiB chunk of the mapped WAL (wal_gather_vfs.cpp grows and maps it again); folded at
    // once or replayed from the journal when reopening.
    const std::string padding(2000, 'p');
    auto id = [](int i) { return numbered("n", i); };
    journaledAndFolded([&](const TempDb& db, const SqliteOptions& options) {
        {
            auto backend = makeSqliteBackend(db.path(), options);
            QueryStore q = backend->openQuery("q");
            backend->begin();
            for (int i = 0; i < 3000; ++i)
                q.elements->setElement(node(id(i), Map{{"pad", Value(padding + std::to_string(i))}}), {0});
            backend->commit();
            backend->begin();
            q.elements->deleteElement(refOf("n7"));
            backend->commit();
        }
        auto reopened = makeSqliteBackend(db.path(), options);
        QueryStore q = reopened->openQuery("q");
        CHECK(q.elements->getElement(refOf("n7")) == nullptr);
        for (int i : {0, 1234, 2999}) {
            ElementPtr e = q.elements->getSlotElement(0, refOf(id(i)));
            REQUIRE(e != nullptr);
            CHECK(e->properties.at("pad").asString() == padding + std::to_string(i));
        }
    });
}

#ifndef __EMSCRIPTEN__  // fork(), and the mapped WAL it checks, are native only
TEST_CASE("sqlite backend: a commit that returned survives the process dying at once", "[storage][sqlite]") {
    // wal_gather_vfs.cpp gathers a transaction's WAL frames and writes them out as the commit frame
    // completes: a small commit into the mapped WAL, a large one (a batch) with pwrite(). A child
    // process commits both kinds and then dies without closing anything (_exit: no destructors, no
    // checkpoint, no flush), as a kill right after the commit returned would; every commit must be
    // in the file. Folding at every commit (foldBytes 1) as well puts a checkpoint between them.
    const std::string padding(1500, 'p');
    journaledAndFolded([&](const TempDb& db, const SqliteOptions& options) {
        pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            try {
                auto backend = makeSqliteBackend(db.path(), options);
                QueryStore q = backend->openQuery("q");
                for (int i = 0; i < 5; ++i) {  // small commits: one element each
                    backend->begin();
                    q.elements->setElement(node(numbered("s", i), Map{{"v", Value(int64_t(i))}}), {0});
                    backend->commit();
                }
                backend->begin();  // a large commit: about 300 KB of frames
                for (int i = 0; i < 200; ++i)
                    q.elements->setElement(node(numbered("b", i), Map{{"pad", Value(padding)}}), {0});
                backend->commit();
                backend->begin();  // and a small one after it, overwriting an element
                q.elements->setElement(node("s0", Map{{"v", Value(int64_t(100))}}), {0});
                backend->commit();
                _exit(0);  // with the backend open
            } catch (...) {
            }
            _exit(1);
        }
        int status = -1;
        REQUIRE(waitpid(child, &status, 0) == child);
        REQUIRE(WIFEXITED(status));
        REQUIRE(WEXITSTATUS(status) == 0);
        auto reopened = makeSqliteBackend(db.path(), options);
        QueryStore q = reopened->openQuery("q");
        for (int i = 0; i < 5; ++i) {
            ElementPtr e = q.elements->getSlotElement(0, refOf(numbered("s", i)));
            REQUIRE(e != nullptr);
            CHECK(e->properties.at("v").asInt() == (i == 0 ? 100 : i));
        }
        for (int i : {0, 199}) {
            ElementPtr e = q.elements->getSlotElement(0, refOf(numbered("b", i)));
            REQUIRE(e != nullptr);
            CHECK(e->properties.at("pad").asString() == padding);
        }
    });
}
#endif

TEST_CASE("sqlite backend: a journal entry split into rows reads back", "[storage][sqlite]") {
    // Rows of at most 2,000 bytes: the transactions of randomWrites span many rows each.
    SqliteOptions chunked;
    chunked.journalChunkBytes = 2000;
    journaledAndFolded([&](const TempDb& db, const SqliteOptions& options) {
        auto oracle = makeMemoryBackend();
        {
            auto sqlite = makeSqliteBackend(db.path(), options);
            for (StorageBackend* b : {sqlite.get(), oracle.get()}) {
                QueryStore q = b->openQuery("q");
                for (uint32_t batch = 0; batch < 3; ++batch) {
                    b->begin();
                    randomWrites(*b, q, 40 + batch, 300);
                    // A record larger than a row (a row of its own), between others; then records
                    // written after a savepoint and rolled back, which the rows must not carry.
                    q.elements->setElement(node(numbered("big", int(batch)), Map{{"text", Value(std::string(5000, char('a' + batch)))}}, 1), {0});
                    randomWrites(*b, q, 50 + batch, 40);
                    b->savepoint();
                    randomWrites(*b, q, 60 + batch, 40);
                    q.elements->setElement(node(numbered("gone", int(batch)), Map{{"text", Value(std::string(3000, 'x'))}}, 1), {0});
                    b->rollbackToSavepoint();
                    randomWrites(*b, q, 70 + batch, 40);
                    b->commit();
                }
            }
        }
        auto reopened = makeSqliteBackend(db.path(), options);
        QueryStore q = reopened->openQuery("q");
        CHECK(q.elements->getElement(refOf(numbered("big", 2))));
        CHECK_FALSE(q.elements->getElement(refOf(numbered("gone", 0))));
        CHECK(drainSnapshot(*reopened, q) == drainSnapshot(*oracle, oracle->openQuery("q")));
    }, chunked);
}

TEST_CASE("sqlite backend: an update is journaled as what it changed, and reopens exactly", "[storage][sqlite]") {
    using sqlitejournal::Op;
    // The journal's records, in order, read from the file (each row: an 8-byte generation, then
    // records, then zero padding).
    auto journalOps = [](const std::string& path) {
        std::vector<Op> ops;
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, "SELECT data FROM journal ORDER BY slot", -1, &st, nullptr) == SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            std::string_view row(static_cast<const char*>(sqlite3_column_blob(st, 0)), size_t(sqlite3_column_bytes(st, 0)));
            sqlitejournal::Parser parser(row.substr(8));
            sqlitejournal::Record rec;
            while (parser.next(rec))
                if (rec.op != Op::QueryOpen && rec.op != Op::QuerySave) ops.push_back(rec.op);
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        return ops;
    };
    const List list{Value(int64_t(1)), Value("two")};
    // Each step's element, and how the journal records it: whole (an insert, other labels) or as
    // a patch (-0.0 replacing 0.0 is a change; so are a property gone, one added, one of another
    // kind, and only the time).
    struct Step {
        ElementPtr element;
        Op op;
    };
    const std::vector<Step> steps{
        {node("n1", Map{{"a", Value(int64_t(1))}, {"b", Value(0.0)}, {"c", Value("x")}, {"l", Value(list)}}, 10), Op::ElementSet},
        {node("n1", Map{{"a", Value(int64_t(1))}, {"b", Value(-0.0)}, {"d", Value(true)}, {"l", Value(list)}}, 20), Op::ElementPatch},
        {node("n1", Map{{"a", Value(1.0)}, {"b", Value(-0.0)}, {"d", Value(true)}, {"l", Value(list)}}, 20), Op::ElementPatch},
        {node("n1", Map{{"a", Value(1.0)}, {"b", Value(-0.0)}, {"d", Value(true)}, {"l", Value(list)}}, 30), Op::ElementPatch},
        {node("n1", Map{{"a", Value(int64_t(2))}}, 40, {"N", "M"}), Op::ElementSet},
        {node("n1", Map{}, 50, {"N", "M"}), Op::ElementPatch},
    };
    TempDb db;
    std::vector<Op> expectedOps;
    for (const Step& step : steps) {
        {
            auto backend = makeSqliteBackend(db.path());
            QueryStore q = backend->openQuery("q");
            backend->begin();
            q.elements->setElement(step.element, {0});
            backend->commit();
            // A rolled-back update leaves nothing.
            backend->begin();
            q.elements->setElement(node("n1", Map{{"z", Value(int64_t(9))}}, 99), {1});
            backend->rollback();
        }
        expectedOps.push_back(step.op);
        CHECK(journalOps(db.path()) == expectedOps);
        auto reopened = makeSqliteBackend(db.path());
        ElementPtr got = reopened->openQuery("q").elements->getElement(refOf("n1"));
        REQUIRE(got);
        CHECK(dump(got) == dump(step.element));
        // dump() does not tell 0.0 from -0.0, nor 1 from 1.0.
        for (const auto& [name, value] : step.element->properties) {
            INFO(name);
            REQUIRE(got->properties.find(name) != got->properties.end());
            const Value& v = got->properties.at(name);
            CHECK(v.kind() == value.kind());
            if (value.kind() == ValueKind::Float) CHECK(std::signbit(v.asFloat()) == std::signbit(value.asFloat()));
        }
    }
}

TEST_CASE("sqlite backend: elements written around many rollbacks are all folded", "[storage][sqlite]") {
    // Each element: inserted, updated in a transaction that rolls back (the restored entry has
    // lost its fold mark), updated again: listed twice for the fold. Past 4,096 listed refs with
    // rollbacks in between, the list is deduplicated; the folds (every 400,000 journal bytes, so
    // several, some after a deduplication) must still write every element, and reopening must
    // find each one's last committed version.
    TempDb db;
    SqliteOptions options;
    options.foldBytes = 400000;
    const int count = 12000;
    auto version = [](int i, int64_t v) { return node(numbered("e", i), Map{{"v", Value(v)}}, v); };
    {
        auto backend = makeSqliteBackend(db.path(), options);
        QueryStore q = backend->openQuery("q");
        for (int i = 0; i < count; ++i) {
            backend->begin();
            q.elements->setElement(version(i, 1), {0});
            backend->commit();
            backend->begin();
            q.elements->setElement(version(i, 2), {0});
            backend->rollback();
            backend->begin();
            q.elements->setElement(version(i, 3), {0});
            backend->commit();
        }
    }
    auto reopened = makeSqliteBackend(db.path(), options);
    QueryStore q = reopened->openQuery("q");
    int wrong = 0;
    for (int i = 0; i < count; ++i) {
        ElementPtr e = q.elements->getElement(refOf(numbered("e", i)));
        if (!e || dump(e) != dump(version(i, 3))) ++wrong;
    }
    CHECK(wrong == 0);
}

TEST_CASE("sqlite backend: a journal that only adds elements is not folded, one that supersedes is", "[storage][sqlite]") {
    // The automatic threshold (floor 4,000 bytes here): a fold is due once the records that later
    // ones superseded weigh as much as the state. 1,000 inserts write far more than the floor but
    // supersede nothing: no fold, the elements table stays empty and the journal holds them.
    // Updates then supersede: a fold writes every element. Inserts and deletes of the same
    // elements add nothing, so they fold once they outweigh the state.
    TempDb db;
    SqliteOptions options;
    options.minFoldBytes = 4000;
    const int count = 1000;
    auto version = [](int i, int64_t v) { return node(numbered("e", i), Map{{"v", Value(v)}, {"pad", Value("0123456789")}}, v); };
    auto commitEach = [&](StorageBackend& b, QueryStore& q, int64_t v) {
        for (int i = 0; i < count; i += 50) {
            b.begin();
            for (int k = i; k < i + 50; ++k) q.elements->setElement(version(k, v), {0});
            b.commit();
        }
    };
    {
        auto backend = makeSqliteBackend(db.path(), options);
        QueryStore q = backend->openQuery("q");
        commitEach(*backend, q, 1);
    }
    CHECK(rawInt(db.path(), "SELECT count(*) FROM elements") == 0);
    CHECK(rawInt(db.path(), "SELECT gen FROM journal_gen") == 1);
    CHECK(rawInt(db.path(), "SELECT sum(length(data)) FROM journal") > 40000);  // 1,000 inserts: over 40 KB
    {
        // Reopened, the replay counts what the journal added, as the commits did: one small
        // commit does not fold it.
        auto backend = makeSqliteBackend(db.path(), options);
        QueryStore q = backend->openQuery("q");
        backend->begin();
        q.elements->setElement(version(0, 2), {0});
        backend->commit();
    }
    CHECK(rawInt(db.path(), "SELECT count(*) FROM elements") == 0);
    {
        // Updates supersede the inserts: once they outweigh them, a fold writes every element.
        auto backend = makeSqliteBackend(db.path(), options);
        QueryStore q = backend->openQuery("q");
        for (int64_t v = 2; v <= 6; ++v) commitEach(*backend, q, v);
    }
    CHECK(rawInt(db.path(), "SELECT count(*) FROM elements") == count);
    const int64_t gen = rawInt(db.path(), "SELECT gen FROM journal_gen");
    CHECK(gen > 1);
    {
        auto backend = makeSqliteBackend(db.path(), options);
        QueryStore q = backend->openQuery("q");
        // A fold just happened or not long ago; fresh elements inserted and deleted, round after
        // round, supersede everything they write.
        for (int round = 0; round < 300; ++round) {
            backend->begin();
            for (int k = 0; k < 20; ++k) q.elements->setElement(version(count + k, round), {0});
            backend->commit();
            backend->begin();
            for (int k = 0; k < 20; ++k) q.elements->deleteElement(refOf(numbered("e", count + k)));
            backend->commit();
        }
        for (int i = 0; i < count; ++i) {
            ElementPtr e = q.elements->getElement(refOf(numbered("e", i)));
            REQUIRE(e);
            CHECK(dump(e) == dump(version(i, 6)));
        }
    }
    CHECK(rawInt(db.path(), "SELECT gen FROM journal_gen") > gen);
}

TEST_CASE("sqlite backend: journal rows of an earlier fold are overwritten, never replayed", "[storage][sqlite]") {
    // Rows of at most 2,000 bytes, a fold past 5,000 bytes of journal. Each big transaction
    // (some 30 KB) writes many rows and folds; the small one after it writes slot 0 and does
    // not fold. The rows after slot 0 then hold the big transaction's records under the earlier
    // generation: replayed, they would bring back values the small transaction overwrote.
    TempDb db;
    SqliteOptions options;
    options.journalChunkBytes = 2000;
    options.foldBytes = 5000;
    auto oracle = makeMemoryBackend();
    int64_t ringRows = 0;
    for (uint32_t round = 0; round < 4; ++round) {
        INFO("round " << round);
        {
            auto sqlite = makeSqliteBackend(db.path(), options);
            for (StorageBackend* b : {sqlite.get(), oracle.get()}) {
                QueryStore q = b->openQuery("q");
                b->begin();
                randomWrites(*b, q, 70, 1000);  // the same records each round: as many rows
                b->commit();
                b->begin();
                randomWrites(*b, q, 80 + round, 10);
                b->commit();
            }
        }
        const int64_t rows = rawInt(db.path(), "SELECT count(*) FROM journal");
        // A row's first 8 bytes are its generation; slot 0, written last, is current.
        const int64_t current = rawInt(db.path(), "SELECT count(*) FROM journal WHERE substr(data, 1, 8) = "
                                                  "(SELECT substr(data, 1, 8) FROM journal WHERE slot = 0)");
        CHECK(current == 1);
        CHECK(rows > 5);
        // The ring is reused: rounds after the second, as big as it (the first wrote to an empty
        // store, with fewer records), add no rows; appended, each would add 22.
        if (round == 1) ringRows = rows;
        if (round > 1) CHECK(rows == ringRows);
        auto reopened = makeSqliteBackend(db.path(), options);
        CHECK(drainSnapshot(*reopened, reopened->openQuery("q")) == drainSnapshot(*oracle, oracle->openQuery("q")));
    }
}

TEST_CASE("sqlite backend: a corrupt journal is StorageCorrupt", "[storage][sqlite][errors]") {
    TempDb db;
    makeSqliteBackend(db.path())->putMeta("k", "v");
    // A chunk after the first, of the current generation (the first's 8 bytes), holding a record
    // of no known kind.
    rawSql(db.path(), "INSERT OR REPLACE INTO journal(slot, data) SELECT 1, CAST(substr(data, 1, 8) || x'ff0001' AS BLOB) FROM journal WHERE slot = 0");
    std::string message;
    CHECK(codeOf([&] { makeSqliteBackend(db.path()); }, &message) == ErrorCode::StorageCorrupt);
    CHECK(message.find("journal") != std::string::npos);
    rawSql(db.path(), "UPDATE journal SET data = CAST(substr(data, 1, 8) || x'0101' AS BLOB) WHERE slot = 1");  // a truncated record
    CHECK(codeOf([&] { makeSqliteBackend(db.path()); }) == ErrorCode::StorageCorrupt);
}

TEST_CASE("storage throughput: memory vs sqlite, batched commits", "[.bench][storage]") {
    auto run = [](StorageBackend& backend) {
        QueryStore q = backend.openQuery("bench");
        const int kChanges = 200000;
        const int kBatch = 1000;
        // CPU time, not wall time: other builds share this machine.
        std::clock_t start = std::clock();
        for (int i = 0; i < kChanges; i += kBatch) {
            backend.begin();
            for (int j = i; j < i + kBatch; ++j) {
                std::string id = std::to_string(j % 20000);
                auto previous = q.elements->getElement(refOf("n" + id));
                q.elements->setElement(node("n" + id, Map{{"v", Value(int64_t(j))}}, j), {0});
                if (j % 2) {
                    std::string next = std::to_string((j + 1) % 20000);
                    q.elements->setElement(relation("r" + id, "n" + id, "n" + next), {1});
                }
                Accumulator acc;
                auto old = q.results->get(uint64_t(j % 5000));
                acc.count = old ? old->count + 1 : 1;
                q.results->set(uint64_t(j % 5000), &acc);
                (void)previous;
            }
            backend.commit();
        }
        double seconds = double(std::clock() - start) / CLOCKS_PER_SEC;
        return kChanges / seconds;
    };
    // Storage calls only (elements built beforehand): the worst case for SQLite.
    auto runPure = [](StorageBackend& backend) {
        QueryStore q = backend.openQuery("pure");
        std::vector<ElementPtr> nodes;
        std::vector<ElementPtr> relations;
        for (int i = 0; i < 20000; ++i) {
            std::string id = std::to_string(i);
            std::string next = std::to_string((i + 1) % 20000);
            nodes.push_back(node("n" + id, Map{{"v", Value(int64_t(i))}}, i));
            relations.push_back(relation("r" + id, "n" + id, "n" + next));
        }
        const int kChanges = 200000;
        std::vector<ElementPtr> out;
        std::clock_t start = std::clock();
        for (int i = 0; i < kChanges; i += 1000) {
            backend.begin();
            for (int j = i; j < i + 1000; ++j) {
                const ElementPtr& n = nodes[size_t(j % 20000)];
                (void)q.elements->getElement(n->ref);
                q.elements->setElement(n, {0});
                q.elements->setElement(relations[size_t(j % 20000)], {1});
                out.clear();
                q.elements->relationsByStart(1, *n, out);
                Accumulator acc;
                auto old = q.results->get(uint64_t(j % 5000));
                acc.count = old ? old->count + 1 : 1;
                q.results->set(uint64_t(j % 5000), &acc);
            }
            backend.commit();
        }
        return kChanges / (double(std::clock() - start) / CLOCKS_PER_SEC);
    };
    {
        auto memory = makeMemoryBackend();
        auto sqlite = makeSqliteBackend(":memory:");
        TempDb db;
        auto file = makeSqliteBackend(db.path());
        double m = runPure(*memory);
        double s = runPure(*sqlite);
        double f = runPure(*file);
        WARN("storage-only changes/s: memory " << int64_t(m) << ", sqlite :memory: " << int64_t(s)
                                               << ", sqlite file " << int64_t(f));
    }
    auto memory = makeMemoryBackend();
    TempDb db;
    auto file = makeSqliteBackend(db.path());
    auto inMemory = makeSqliteBackend(":memory:");
    double m = run(*memory);
    double f = run(*file);
    double im = run(*inMemory);
    WARN("changes/s: memory " << int64_t(m) << ", sqlite file " << int64_t(f) << ", sqlite :memory: " << int64_t(im));
    CHECK(f > 0);
}

TEST_CASE("sqlite backend: under a quota the journal is folded before it fills the quota", "[storage][sqlite]") {
    // 2,000 updates of the same 5 elements of 2 KB: 4 MB of journal records for a state of 10 KB.
    // Under a 160 KB quota the journal must be folded long before its 16 MiB default threshold.
    TempDb db;
    const SqliteOptions capped = smallQuota();
    const std::string padding(2000, 'x');
    {
        auto backend = makeSqliteBackend(db.path(), capped);
        QueryStore q = backend->openQuery("q");
        for (int i = 0; i < 2000; ++i) {
            backend->begin();
            q.elements->setElement(node(numbered("n", i % 5), Map{{"i", Value(int64_t(i))}, {"pad", Value(padding)}}), {0});
            backend->commit();
        }
    }
    auto reopened = makeSqliteBackend(db.path(), capped);
    QueryStore q = reopened->openQuery("q");
    for (int k = 0; k < 5; ++k) {
        ElementPtr e = q.elements->getElement(refOf(numbered("n", k)));
        REQUIRE(e != nullptr);
        CHECK(e->properties.at("i").asInt() == 1995 + k);
    }
}

TEST_CASE("sqlite backend: a transaction that fills the quota rolls back whole, in one chunk or many",
          "[storage][sqlite][errors]") {
    // Under 4 KiB pages small transactions share a chunk and large ones span many (the current
    // chunk rewritten, new ones after it). A transaction that fails with StorageFull must leave
    // neither its rows nor a changed chunk behind: the transactions after it go on where the
    // journal was, and reopening (before any fold) gives what the memory backend got from the
    // same accepted transactions. Round 0 fails a large transaction, round 1 a small one (the
    // state grows into the quota until the chunk a small one starts needs a page).
    for (int round = 0; round < 2; ++round) {
        INFO("round " << round);
        TempDb db;
        SqliteOptions capped = smallQuota();
        // Round 1 never folds: near the quota every commit would fold, and a fold rewrites the
        // tables from memory, which would hide a chunk left wrong.
        if (round == 1) capped.foldBytes = int64_t(1) << 30;
        auto oracle = makeMemoryBackend();
        QueryStore o = oracle->openQuery("q");
        int bigCommitted = 0;
        {
            auto sqlite = makeSqliteBackend(db.path(), capped);
            QueryStore q = sqlite->openQuery("q");
            // One transaction of `write` on both backends; false when SQLite refused it.
            auto both = [&](const std::function<void(StorageBackend&, const QueryStore&)>& write) {
                sqlite->begin();
                write(*sqlite, q);
                ErrorCode code = codeOf([&] { sqlite->commit(); });
                if (code != ErrorCode::Ok) {
                    CHECK(code == ErrorCode::StorageFull);
                    sqlite->rollback();
                    return false;
                }
                oracle->begin();
                write(*oracle, o);
                oracle->commit();
                return true;
            };
            auto random = [&](uint32_t seed, int count) {
                return both([&](StorageBackend& b, const QueryStore& s) { randomWrites(b, s, seed, count); });
            };
            for (uint32_t i = 0; i < 10; ++i) REQUIRE(random(200 + i, 3));
            bool failed = false;
            if (round == 0) {
                for (int count = 50; !failed && count < 100000; count *= 2) failed = !random(300 + uint32_t(count), count);
            } else {
                // New 2 KB elements, one per transaction: half a chunk each, so every other one
                // starts a chunk, and the state grows until that chunk finds no page.
                const std::string padding(2000, 'x');
                for (int i = 0; !failed && i < 1000; ++i) {
                    failed = !both([&](StorageBackend&, const QueryStore& s) {
                        s.elements->setElement(node(numbered("big", i), Map{{"pad", Value(padding)}}), {0});
                    });
                    if (!failed) ++bigCommitted;
                }
            }
            REQUIRE(failed);
            // One more that fits (one small element): it joins the chunk the failed one had to
            // leave as it was.
            for (StorageBackend* b : {static_cast<StorageBackend*>(sqlite.get()), oracle.get()}) {
                b->begin();
                (b == sqlite.get() ? q : o).elements->setElement(node("extra", Map{}), {0});
                b->commit();
            }
        }
        auto reopened = makeSqliteBackend(db.path(), capped);
        QueryStore r = reopened->openQuery("q");
        // The big elements (outside drainSnapshot's keys): those committed, not the refused one.
        for (int i = 0; i <= bigCommitted && round == 1; ++i) {
            INFO("big element " << i << " of " << bigCommitted << " committed");
            CHECK((r.elements->getElement(refOf(numbered("big", i))) != nullptr) == (i < bigCommitted));
        }
        CHECK(r.elements->getElement(refOf("extra")) != nullptr);
        CHECK(drainSnapshot(*reopened, r) == drainSnapshot(*oracle, o));
    }
}

TEST_CASE("sqlite backend: a full database is StorageFull and loses nothing accepted", "[storage][sqlite][errors]") {
    // The quota stands in for a full disk or an exhausted browser quota: SQLite reports both as
    // SQLITE_FULL. 40 pages of 4 KiB hold the schema and a few dozen rows of 2 KB.
    TempDb db;
    const SqliteOptions capped = smallQuota();
    const std::string padding(2000, 'x');
    auto insert = [&](int i) {
        auto e = Element::make(ElementKind::Node);
        e->ref = {"s", "n" + std::to_string(i)};
        e->labels = {"A"};
        e->effectiveFrom = i;
        e->properties.set("id", Value(int64_t(i)));
        e->properties.set("pad", Value(padding));
        return Change{ChangeOp::Insert, e};
    };
    auto ids = [](Engine& engine) {
        std::set<int64_t> out;
        for (const Map& row : engine.currentResults("q")) out.insert(row.at("id").asInt());
        return out;
    };
    int accepted = 0;
    std::string message;
    {
        Engine engine(makeSqliteBackend(db.path(), capped));
        engine.registerQuery(QueryConfig{"q", "MATCH (n:A) RETURN n.id AS id"});
        ErrorCode code = ErrorCode::Ok;
        for (int i = 0; i < 500 && code == ErrorCode::Ok; ++i) {
            code = codeOf([&] { engine.applyChange(insert(i)); }, &message);
            if (code == ErrorCode::Ok) ++accepted;
        }
        REQUIRE(code == ErrorCode::StorageFull);
        CHECK(message.find("full") != std::string::npos);
        CHECK(accepted > 0);
        // The engine keeps serving what it accepted; the refused change left no trace.
        std::set<int64_t> expected;
        for (int i = 0; i < accepted; ++i) expected.insert(i);
        CHECK(ids(engine) == expected);
        CHECK(codeOf([&] { engine.applyChange(insert(accepted)); }) == ErrorCode::StorageFull);
        CHECK(ids(engine) == expected);
    }
    // Reopened with room to grow: every accepted change is there, and the engine goes on.
    Engine reopened(makeSqliteBackend(db.path()));
    std::set<int64_t> expected;
    for (int i = 0; i < accepted; ++i) expected.insert(i);
    CHECK(ids(reopened) == expected);
    reopened.applyChange(insert(accepted));
    expected.insert(accepted);
    CHECK(ids(reopened) == expected);
}
