// SPDX-License-Identifier: MIT
// The SQLite backend (see sqlite_backend.h and docs/storage.md for the schema). Every store writes
// through to SQLite inside the engine's transaction; transactions and savepoints map to
// BEGIN IMMEDIATE / COMMIT / ROLLBACK / SAVEPOINT, so SQLite itself restores the rows on rollback.
// Elements and accumulators sit behind a per-query read cache that is updated on every write; a
// rollback clears the caches (rollbacks are rare: a query that rejects a change, or a failure), so
// the cache never shows state SQLite no longer has.
#include "storage/sqlite/sqlite_backend.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/common/error.h"
#include "storage/sqlite/sqlite_db.h"
#include "storage/sqlite/value_codec.h"
#include "storage/sqlite/wal_gather_vfs.h"

namespace cq {
namespace {

using sqlitecodec::Reader;
using sqlitecodec::Writer;
using sqlitedb::Connection;

// Version 2 (docs/storage.md, "Schema"). Every per-query table has a column q (the query's number
// in `queries`) so one database holds every query and dropQuery is one DELETE per table. Keyed
// tables are WITHOUT ROWID: the primary key is the lookup path, so rows live in key order in one
// b-tree. The tables every change writes are keyed so that a b-tree descent compares integers:
// - elements is a rowid table: a change rewrites its element by rowid (`num`, kept in the read
//   cache), so the UNIQUE (q, source, id) index is only descended on a cache miss, an insert or a
//   delete. With the text key as the primary key every write compared the q, source and id fields
//   of about 10 records (22% of sqlite3_step's instructions on scenario 1).
// - live and accumulators lead with their 64-bit key, not q: SQLite's integer fast path
//   (vdbeRecordCompareInt) decides on the first field, and a leading q, equal in every row of a
//   one-query database, sent every comparison to the general record compare. Reading a whole query
//   (rows(), dropQuery) scans the table instead, which is rare.
const char* const kSchema = R"sql(
CREATE TABLE queries(num INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, config TEXT, save_order INTEGER);
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE elements(num INTEGER PRIMARY KEY, q INTEGER NOT NULL, source TEXT NOT NULL, id TEXT NOT NULL,
  data BLOB NOT NULL);
CREATE UNIQUE INDEX elements_ref ON elements(q, source, id);
CREATE TABLE adjacency(q INTEGER NOT NULL, slot INTEGER NOT NULL, dir INTEGER NOT NULL,
  node_source TEXT NOT NULL, node_id TEXT NOT NULL, rel_source TEXT NOT NULL, rel_id TEXT NOT NULL,
  PRIMARY KEY(q, slot, dir, node_source, node_id, rel_source, rel_id)) WITHOUT ROWID;
CREATE TABLE joins(q INTEGER NOT NULL, key BLOB NOT NULL, source TEXT NOT NULL, id TEXT NOT NULL,
  PRIMARY KEY(q, key, source, id)) WITHOUT ROWID;
CREATE TABLE archive(q INTEGER NOT NULL, source TEXT NOT NULL, id TEXT NOT NULL, t INTEGER NOT NULL,
  data BLOB NOT NULL, PRIMARY KEY(q, source, id, t)) WITHOUT ROWID;
CREATE TABLE accumulators(key INTEGER NOT NULL, q INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(key, q)) WITHOUT ROWID;
CREATE TABLE sorted_sets(q INTEGER NOT NULL, set_id INTEGER NOT NULL, value REAL NOT NULL,
  count INTEGER NOT NULL, PRIMARY KEY(q, set_id, value)) WITHOUT ROWID;
CREATE TABLE futures(seq INTEGER PRIMARY KEY, q INTEGER NOT NULL, position INTEGER NOT NULL,
  grp INTEGER NOT NULL, source TEXT NOT NULL, id TEXT NOT NULL, original INTEGER NOT NULL,
  due INTEGER NOT NULL);
CREATE INDEX futures_due ON futures(q, due, seq);
CREATE INDEX futures_group ON futures(q, position, grp);
CREATE TABLE live(sig INTEGER NOT NULL, q INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(sig, q)) WITHOUT ROWID;
CREATE TABLE state(q INTEGER NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
  PRIMARY KEY(q, key)) WITHOUT ROWID;
)sql";

const char* const kPerQueryTables[] = {"elements", "adjacency", "joins",  "archive", "accumulators",
                                       "sorted_sets", "futures", "live", "state"};

/// SQLite integers are signed: flipping the top bit maps uint64 order onto int64 order, so
/// ORDER BY on a stored key gives the same order as the memory backend's std::map<uint64_t>.
int64_t toSql(uint64_t v) { return int64_t(v ^ 0x8000000000000000ull); }
uint64_t fromSql(int64_t v) { return uint64_t(v) ^ 0x8000000000000000ull; }

enum Direction : int64_t { kStart = 0, kEnd = 1 };

/// What the stores of one query share.
struct Context {
    Connection& db;
    int64_t q;
    size_t cacheEntries;
};

// ---------------------------------------------------------------------------------------------
// ElementIndex

struct CachedElement {
    ElementPtr element;      ///< null: known to be absent
    std::vector<int> slots;  ///< sorted
    int64_t num = 0;         ///< the row's rowid in `elements` (when element is not null)
};

class SqliteElementIndex final : public ElementIndex {
public:
    explicit SqliteElementIndex(Context context) : c_(context) {}

    void clearCache() {
        cache_.clear();
        adjacency_.clear();
    }

    ElementPtr getElement(const ElementRef& ref) override { return load(ref).element; }

    void setElement(const ElementPtr& element, const std::vector<int>& slotsIn) override {
        if (!element) throw Error(ErrorCode::Misuse, "setElement(): null element");
        std::vector<int> slots = slotsIn;
        if (!std::is_sorted(slots.begin(), slots.end())) std::sort(slots.begin(), slots.end());
        slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
        const Element& e = *element;

        // One cache lookup per call: `entry` stays valid, as nothing below inserts into cache_.
        CachedElement& entry = load(e.ref);
        bool sameAdjacency = false;
        const int64_t num = entry.element ? entry.num : 0;
        if (entry.element && entry.element->isRelation()) {
            sameAdjacency = e.isRelation() && entry.slots == slots && entry.element->start == e.start &&
                            entry.element->end == e.end;
            if (!sameAdjacency) writeAdjacency(*entry.element, entry.slots, false);
        }
        writer_.clear();
        writer_.slots(slots);
        writer_.element(e);
        int64_t newNum = num;
        if (num != 0) {
            // The usual case, an update: one descent of the rowid b-tree; the (q, source, id) index
            // is not touched because none of its columns change.
            auto st = c_.db.use("UPDATE elements SET data = ?2 WHERE num = ?1");
            st.bind(1, num).bindBlob(2, writer_.bytes());
            st.run();
        } else {
            auto st = c_.db.use("INSERT INTO elements(q, source, id, data) VALUES(?1, ?2, ?3, ?4)");
            st.bind(1, c_.q).bindText(2, e.ref.source).bindText(3, e.ref.id).bindBlob(4, writer_.bytes());
            st.run();
            newNum = c_.db.lastInsertRowid();
        }
        if (e.isRelation() && !sameAdjacency) writeAdjacency(e, slots, true);
        entry.element = element;
        entry.slots = std::move(slots);
        entry.num = newNum;
    }

    void deleteElement(const ElementRef& ref) override {
        CachedElement& entry = load(ref);
        if (!entry.element) return;
        if (entry.element->isRelation()) writeAdjacency(*entry.element, entry.slots, false);
        auto st = c_.db.use("DELETE FROM elements WHERE num = ?1");
        st.bind(1, entry.num);
        st.run();
        entry = CachedElement{};
    }

    ElementPtr getSlotElement(int slot, const ElementRef& ref) override {
        const CachedElement& entry = load(ref);
        if (!entry.element) return nullptr;
        return std::binary_search(entry.slots.begin(), entry.slots.end(), slot) ? entry.element : nullptr;
    }

    void relationsByStart(int slot, const ElementRef& node, std::vector<ElementPtr>& out) override {
        appendRelations(slot, node, kStart, out);
    }
    void relationsByEnd(int slot, const ElementRef& node, std::vector<ElementPtr>& out) override {
        appendRelations(slot, node, kEnd, out);
    }

    void addJoinEntry(const std::string& key, const ElementRef& ref) override {
        auto st = c_.db.use("INSERT OR IGNORE INTO joins(q, key, source, id) VALUES(?1, ?2, ?3, ?4)");
        st.bind(1, c_.q).bindBlob(2, key).bindText(3, ref.source).bindText(4, ref.id);
        st.run();
    }
    void removeJoinEntry(const std::string& key, const ElementRef& ref) override {
        auto st = c_.db.use("DELETE FROM joins WHERE q = ?1 AND key = ?2 AND source = ?3 AND id = ?4");
        st.bind(1, c_.q).bindBlob(2, key).bindText(3, ref.source).bindText(4, ref.id);
        st.run();
    }
    void joinEntries(const std::string& key, std::vector<ElementRef>& out) override {
        auto st = c_.db.use("SELECT source, id FROM joins WHERE q = ?1 AND key = ?2 ORDER BY source, id");
        st.bind(1, c_.q).bindBlob(2, key);
        while (st.step()) out.push_back(ElementRef{std::string(st.columnBytes(0)), std::string(st.columnBytes(1))});
    }

private:
    /// The cached entry for `ref`, loading it on a miss. The reference is valid until the next
    /// call that may insert into the cache.
    CachedElement& load(const ElementRef& ref) {
        auto it = cache_.find(ref);
        if (it != cache_.end()) return it->second;
        CachedElement entry;
        {
            auto st = c_.db.use("SELECT num, data FROM elements WHERE q = ?1 AND source = ?2 AND id = ?3");
            st.bind(1, c_.q).bindText(2, ref.source).bindText(3, ref.id);
            if (st.step()) {
                entry.num = st.columnInt(0);
                Reader r(st.columnBytes(1));
                entry.slots = r.slots();
                entry.element = r.element();
            }
        }
        return remember(ref, std::move(entry));
    }

    CachedElement& remember(const ElementRef& ref, CachedElement entry) {
        if (c_.cacheEntries == 0) {
            scratch_ = std::move(entry);
            return scratch_;
        }
        auto it = cache_.find(ref);
        if (it != cache_.end()) {
            it->second = std::move(entry);
            return it->second;
        }
        // A full cache starts over: O(1) amortized, and the working set reloads in a few changes.
        if (cache_.size() >= c_.cacheEntries) cache_.clear();
        return cache_.emplace(ref, std::move(entry)).first->second;
    }

    void writeAdjacency(const Element& relation, const std::vector<int>& slots, bool insert) {
        const char* sql = insert ? "INSERT OR IGNORE INTO adjacency(q, slot, dir, node_source, node_id, rel_source, "
                                   "rel_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                                 : "DELETE FROM adjacency WHERE q = ?1 AND slot = ?2 AND dir = ?3 AND "
                                   "node_source = ?4 AND node_id = ?5 AND rel_source = ?6 AND rel_id = ?7";
        for (int slot : slots) {
            for (Direction dir : {kStart, kEnd}) {
                const ElementRef& node = dir == kStart ? relation.start : relation.end;
                auto st = c_.db.use(sql);
                st.bind(1, c_.q).bind(2, int64_t(slot)).bind(3, int64_t(dir)).bindText(4, node.source);
                st.bindText(5, node.id).bindText(6, relation.ref.source).bindText(7, relation.ref.id);
                st.run();
                adjacency_.erase(node);  // the node's cached lists are stale now
            }
        }
    }

    void appendRelations(int slot, const ElementRef& node, Direction dir, std::vector<ElementPtr>& out) {
        for (const auto& ref : relationRefs(slot, node, dir)) {
            if (ElementPtr e = load(ref).element) out.push_back(std::move(e));
        }
    }

    /// The relation references of (slot, dir, node), in (source, id) order: from the adjacency cache,
    /// or read from SQLite and cached. writeAdjacency drops a node's entries when it changes them.
    const std::vector<ElementRef>& relationRefs(int slot, const ElementRef& node, Direction dir) {
        std::vector<AdjacencyEntry>* lists = nullptr;
        if (c_.cacheEntries != 0) {
            auto it = adjacency_.find(node);
            if (it != adjacency_.end()) {
                for (const AdjacencyEntry& entry : it->second)
                    if (entry.slot == slot && entry.dir == dir) return entry.refs;
                lists = &it->second;
            }
        }
        refs_.clear();
        {
            auto st = c_.db.use(
                "SELECT rel_source, rel_id FROM adjacency WHERE q = ?1 AND slot = ?2 AND dir = ?3 AND "
                "node_source = ?4 AND node_id = ?5 ORDER BY rel_source, rel_id");
            st.bind(1, c_.q).bind(2, int64_t(slot)).bind(3, int64_t(dir)).bindText(4, node.source).bindText(5, node.id);
            while (st.step()) refs_.push_back(ElementRef{std::string(st.columnBytes(0)), std::string(st.columnBytes(1))});
        }
        if (c_.cacheEntries == 0) return refs_;
        if (!lists) {
            if (adjacency_.size() >= c_.cacheEntries) adjacency_.clear();  // starts over, as cache_
            lists = &adjacency_[node];
        }
        lists->push_back(AdjacencyEntry{slot, dir, refs_});
        return lists->back().refs;
    }

    struct AdjacencyEntry {
        int slot;
        Direction dir;
        std::vector<ElementRef> refs;
    };

    Context c_;
    Writer writer_;
    std::vector<ElementRef> refs_;
    CachedElement scratch_;
    std::unordered_map<ElementRef, CachedElement, ElementRefHash> cache_;
    /// Per node: the relation lists read so far, by (slot, direction). Same lifetime rules as cache_.
    std::unordered_map<ElementRef, std::vector<AdjacencyEntry>, ElementRefHash> adjacency_;
};

// ---------------------------------------------------------------------------------------------
// ElementArchive

class SqliteArchive final : public ElementArchive {
public:
    explicit SqliteArchive(Context context) : c_(context) {}

    void addVersion(const ElementPtr& element) override {
        if (!element) throw Error(ErrorCode::Misuse, "addVersion(): null element");
        writer_.clear();
        writer_.element(*element);
        auto st = c_.db.use("INSERT OR REPLACE INTO archive(q, source, id, t, data) VALUES(?1, ?2, ?3, ?4, ?5)");
        st.bind(1, c_.q).bindText(2, element->ref.source).bindText(3, element->ref.id);
        st.bind(4, element->effectiveFrom).bindBlob(5, writer_.bytes());
        st.run();
    }

    ElementPtr versionAt(const ElementRef& ref, int64_t time) override {
        auto st = c_.db.use(
            "SELECT data FROM archive WHERE q = ?1 AND source = ?2 AND id = ?3 AND t <= ?4 ORDER BY t DESC LIMIT 1");
        st.bind(1, c_.q).bindText(2, ref.source).bindText(3, ref.id).bind(4, time);
        return st.step() ? sqlitecodec::decodeElement(st.columnBytes(0)) : nullptr;
    }

    void versionsBetween(const ElementRef& ref, int64_t from, int64_t to, bool includeInitial,
                         std::vector<ElementPtr>& out) override {
        // With includeInitial the range starts at the version in effect at `from`: the latest with
        // t <= from (the version at `from` itself when there is one).
        int64_t start = from;
        if (includeInitial) {
            auto st = c_.db.use("SELECT max(t) FROM archive WHERE q = ?1 AND source = ?2 AND id = ?3 AND t <= ?4");
            st.bind(1, c_.q).bindText(2, ref.source).bindText(3, ref.id).bind(4, from);
            if (st.step() && !st.columnIsNull(0)) start = st.columnInt(0);
        }
        auto st = c_.db.use(
            "SELECT data FROM archive WHERE q = ?1 AND source = ?2 AND id = ?3 AND t >= ?4 AND t <= ?5 ORDER BY t");
        st.bind(1, c_.q).bindText(2, ref.source).bindText(3, ref.id).bind(4, start).bind(5, to);
        while (st.step()) out.push_back(sqlitecodec::decodeElement(st.columnBytes(0)));
    }

private:
    Context c_;
    Writer writer_;
};

// ---------------------------------------------------------------------------------------------
// ResultIndex

class SqliteResultIndex final : public ResultIndex {
public:
    explicit SqliteResultIndex(Context context) : c_(context) {}

    void clearCache() { cache_.clear(); }

    std::optional<Accumulator> get(uint64_t key) override {
        auto it = cache_.find(key);
        if (it != cache_.end()) return it->second;
        std::optional<Accumulator> value;
        {
            auto st = c_.db.use("SELECT data FROM accumulators WHERE key = ?2 AND q = ?1");
            st.bind(1, c_.q).bind(2, toSql(key));
            if (st.step()) value = sqlitecodec::decodeAccumulator(st.columnBytes(0));
        }
        remember(key, value);
        return value;
    }

    void set(uint64_t key, const Accumulator* value) override {
        if (value) {
            writer_.clear();
            writer_.accumulator(*value);
            auto st = c_.db.use("INSERT OR REPLACE INTO accumulators(key, q, data) VALUES(?2, ?1, ?3)");
            st.bind(1, c_.q).bind(2, toSql(key)).bindBlob(3, writer_.bytes());
            st.run();
            remember(key, *value);
        } else {
            auto st = c_.db.use("DELETE FROM accumulators WHERE key = ?2 AND q = ?1");
            st.bind(1, c_.q).bind(2, toSql(key));
            st.run();
            remember(key, std::nullopt);
        }
    }

    std::optional<std::pair<double, int64_t>> sortedNext(uint64_t setId, std::optional<double> after) override {
        if (after) {
            auto st = c_.db.use(
                "SELECT value, count FROM sorted_sets WHERE q = ?1 AND set_id = ?2 AND value > ?3 ORDER BY value LIMIT 1");
            st.bind(1, c_.q).bind(2, toSql(setId)).bind(3, *after);
            if (!st.step()) return std::nullopt;
            return std::make_pair(st.columnDouble(0), st.columnInt(1));
        }
        auto st = c_.db.use("SELECT value, count FROM sorted_sets WHERE q = ?1 AND set_id = ?2 ORDER BY value LIMIT 1");
        st.bind(1, c_.q).bind(2, toSql(setId));
        if (!st.step()) return std::nullopt;
        return std::make_pair(st.columnDouble(0), st.columnInt(1));
    }

    void sortedIncrement(uint64_t setId, double value, int64_t delta) override {
        // SQLite binds NaN as NULL; like the memory backend, min/max sets skip NaN.
        if (delta == 0 || std::isnan(value)) return;
        {
            auto st = c_.db.use(
                "INSERT INTO sorted_sets(q, set_id, value, count) VALUES(?1, ?2, ?3, ?4) "
                "ON CONFLICT(q, set_id, value) DO UPDATE SET count = count + excluded.count");
            st.bind(1, c_.q).bind(2, toSql(setId)).bind(3, value).bind(4, delta);
            st.run();
        }
        if (delta < 0) {
            auto st = c_.db.use("DELETE FROM sorted_sets WHERE q = ?1 AND set_id = ?2 AND value = ?3 AND count <= 0");
            st.bind(1, c_.q).bind(2, toSql(setId)).bind(3, value);
            st.run();
        }
    }

private:
    void remember(uint64_t key, const std::optional<Accumulator>& value) {
        if (c_.cacheEntries == 0) return;
        if (cache_.size() >= c_.cacheEntries && cache_.find(key) == cache_.end()) cache_.clear();
        cache_[key] = value;
    }

    Context c_;
    Writer writer_;
    std::unordered_map<uint64_t, std::optional<Accumulator>> cache_;
};

// ---------------------------------------------------------------------------------------------
// FutureQueue, LiveResults, KeyValueStore

class SqliteFutureQueue final : public FutureQueue {
public:
    explicit SqliteFutureQueue(Context context) : c_(context) {}

    bool push(PushMode mode, const FutureItem& item) override {
        if (mode != PushMode::Always) {
            bool exists = false;
            {
                auto st = c_.db.use("SELECT 1 FROM futures WHERE q = ?1 AND position = ?2 AND grp = ?3 LIMIT 1");
                st.bind(1, c_.q).bind(2, int64_t(item.position)).bind(3, toSql(item.groupSignature));
                exists = st.step();
            }
            if (exists && mode == PushMode::IfNotExists) return false;
            if (exists) remove(item.position, item.groupSignature);
        }
        auto st = c_.db.use(
            "INSERT INTO futures(q, position, grp, source, id, original, due) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        st.bind(1, c_.q).bind(2, int64_t(item.position)).bind(3, toSql(item.groupSignature));
        st.bindText(4, item.element.source).bindText(5, item.element.id).bind(6, item.originalTime).bind(7, item.dueTime);
        st.run();
        return true;
    }

    void remove(uint32_t position, uint64_t groupSignature) override {
        auto st = c_.db.use("DELETE FROM futures WHERE q = ?1 AND position = ?2 AND grp = ?3");
        st.bind(1, c_.q).bind(2, int64_t(position)).bind(3, toSql(groupSignature));
        st.run();
    }

    std::optional<int64_t> peekDueTime() override {
        auto st = c_.db.use("SELECT due FROM futures WHERE q = ?1 ORDER BY due, seq LIMIT 1");
        st.bind(1, c_.q);
        if (!st.step()) return std::nullopt;
        return st.columnInt(0);
    }

    std::optional<FutureItem> popDue(int64_t now) override {
        FutureItem item;
        int64_t seq = 0;
        {
            auto st = c_.db.use(
                "SELECT seq, position, grp, source, id, original, due FROM futures WHERE q = ?1 AND due <= ?2 "
                "ORDER BY due, seq LIMIT 1");
            st.bind(1, c_.q).bind(2, now);
            if (!st.step()) return std::nullopt;
            seq = st.columnInt(0);
            item.position = uint32_t(st.columnInt(1));
            item.groupSignature = fromSql(st.columnInt(2));
            item.element = ElementRef{std::string(st.columnBytes(3)), std::string(st.columnBytes(4))};
            item.originalTime = st.columnInt(5);
            item.dueTime = st.columnInt(6);
        }
        auto st = c_.db.use("DELETE FROM futures WHERE seq = ?1");
        st.bind(1, seq);
        st.run();
        return item;
    }

private:
    Context c_;
};

class SqliteLiveResults final : public LiveResults {
public:
    explicit SqliteLiveResults(Context context) : c_(context) {}

    void upsertRow(uint64_t signature, const Map& row) override {
        writer_.clear();
        writer_.map(row);
        auto st = c_.db.use("INSERT OR REPLACE INTO live(sig, q, data) VALUES(?2, ?1, ?3)");
        st.bind(1, c_.q).bind(2, toSql(signature)).bindBlob(3, writer_.bytes());
        st.run();
    }

    void removeRow(uint64_t signature) override {
        auto st = c_.db.use("DELETE FROM live WHERE sig = ?2 AND q = ?1");
        st.bind(1, c_.q).bind(2, toSql(signature));
        st.run();
    }

    void rows(std::vector<std::pair<uint64_t, Map>>& out) override {
        auto st = c_.db.use("SELECT sig, data FROM live WHERE q = ?1 ORDER BY sig");
        st.bind(1, c_.q);
        while (st.step()) out.emplace_back(fromSql(st.columnInt(0)), sqlitecodec::decodeMap(st.columnBytes(1)));
    }

private:
    Context c_;
    Writer writer_;
};

class SqliteKeyValueStore final : public KeyValueStore {
public:
    explicit SqliteKeyValueStore(Context context) : c_(context) {}

    std::optional<std::string> get(const std::string& key) override {
        auto st = c_.db.use("SELECT value FROM state WHERE q = ?1 AND key = ?2");
        st.bind(1, c_.q).bindText(2, key);
        if (!st.step()) return std::nullopt;
        return std::string(st.columnBytes(0));
    }

    void put(const std::string& key, const std::optional<std::string>& value) override {
        if (value) {
            auto st = c_.db.use("INSERT OR REPLACE INTO state(q, key, value) VALUES(?1, ?2, ?3)");
            st.bind(1, c_.q).bindText(2, key).bindBlob(3, *value);
            st.run();
        } else {
            auto st = c_.db.use("DELETE FROM state WHERE q = ?1 AND key = ?2");
            st.bind(1, c_.q).bindText(2, key);
            st.run();
        }
    }

private:
    Context c_;
};

// ---------------------------------------------------------------------------------------------
// The backend

struct QueryHandle {
    QueryHandle(Connection& db, int64_t num, size_t cacheEntries)
        : num(num),
          elements({db, num, cacheEntries}),
          archive({db, num, cacheEntries}),
          results({db, num, cacheEntries}),
          futures({db, num, cacheEntries}),
          live({db, num, cacheEntries}),
          state({db, num, cacheEntries}) {}
    int64_t num;
    SqliteElementIndex elements;
    SqliteArchive archive;
    SqliteResultIndex results;
    SqliteFutureQueue futures;
    SqliteLiveResults live;
    SqliteKeyValueStore state;

    QueryStore stores() { return QueryStore{&elements, &archive, &results, &futures, &live, &state}; }
    void clearCaches() {
        elements.clearCache();
        results.clearCache();
    }
};

/// A change to the set of query handles inside a transaction, undone on rollback: SQLite restores
/// the rows, this restores the C++ objects the engine holds pointers to.
struct HandleEvent {
    bool dropped;                         ///< false: the handle was created (its row is re-inserted)
    std::string id;
    std::shared_ptr<QueryHandle> handle;
};

int openFlags(const SqliteOptions& options) {
    return options.readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
}

/// The VFS to open with: the one asked for, else natively the WAL-gathering wrapper of the default
/// VFS (one write() per commit instead of two per page: wal_gather_vfs.cpp). Under Emscripten the
/// default journal is not a WAL and the VFSes (OPFS, memdb) are the JS layer's choice: untouched.
std::string vfsName(const SqliteOptions& options) {
    if (!options.vfs.empty()) return options.vfs;
#ifndef __EMSCRIPTEN__
    if (const char* gather = sqlitedb::walGatherVfs()) return gather;
#endif
    return {};
}

class SqliteBackend final : public StorageBackend {
public:
    SqliteBackend(const std::string& path, SqliteOptions options)
        : options_(std::move(options)), db_(path, openFlags(options_), vfsName(options_)) {
        db_.check(sqlite3_busy_timeout(db_.handle(), options_.busyTimeoutMs), "busy_timeout");
#ifndef __EMSCRIPTEN__
        // Before the first read: a WAL opened in exclusive mode keeps its index in heap memory
        // (no -shm file, no shared-memory locks). Read-only connections never hold the lock (they
        // would block the writer); other VFSes (memdb, a caller's) keep their own locking.
        if (options_.exclusiveLock && !options_.readOnly && options_.vfs.empty())
            db_.exec("PRAGMA locking_mode=EXCLUSIVE");
#endif
        openSchema();
    }

    QueryStore openQuery(const std::string& queryId) override {
        auto it = handles_.find(queryId);
        if (it != handles_.end()) return it->second->stores();
        int64_t num = 0;
        bool found = false;
        {
            auto st = db_.use("SELECT num FROM queries WHERE id = ?1");
            st.bindText(1, queryId);
            if (st.step()) {
                num = st.columnInt(0);
                found = true;
            }
        }
        if (!found) {
            auto st = db_.use("INSERT INTO queries(id) VALUES(?1)");
            st.bindText(1, queryId);
            st.run();
            num = db_.lastInsertRowid();
        }
        auto handle = std::make_shared<QueryHandle>(db_, num, options_.cacheEntries);
        handles_[queryId] = handle;
        // Like the memory backend, an opened query survives a rollback; its row must too.
        if (inTransaction_) events_.push_back({false, queryId, handle});
        return handle->stores();
    }

    void dropQuery(const std::string& queryId) override {
        std::optional<int64_t> num;
        auto it = handles_.find(queryId);
        if (it != handles_.end()) {
            num = it->second->num;
        } else {
            auto st = db_.use("SELECT num FROM queries WHERE id = ?1");
            st.bindText(1, queryId);
            if (st.step()) num = st.columnInt(0);
        }
        if (!num) return;
        for (const char* table : kPerQueryTables) {
            // Table names come from the fixed list above; the statement text is cached per table.
            auto& sql = dropSql_[table];
            if (sql.empty()) sql = std::string("DELETE FROM ") + table + " WHERE q = ?1";
            auto st = db_.use(sql.c_str());
            st.bind(1, *num);
            st.run();
        }
        {
            auto st = db_.use("DELETE FROM queries WHERE num = ?1");
            st.bind(1, *num);
            st.run();
        }
        if (it != handles_.end()) {
            if (inTransaction_) events_.push_back({true, queryId, it->second});
            handles_.erase(it);
        }
    }

    void saveQuery(const StoredQuery& query) override {
        auto st = db_.use(
            "INSERT INTO queries(id, config, save_order) "
            "VALUES(?1, ?2, (SELECT coalesce(max(save_order), 0) + 1 FROM queries)) "
            "ON CONFLICT(id) DO UPDATE SET config = excluded.config, "
            "save_order = coalesce(queries.save_order, excluded.save_order)");
        st.bindText(1, query.id).bindText(2, query.configJson);
        st.run();
    }

    std::vector<StoredQuery> storedQueries() override {
        std::vector<StoredQuery> out;
        auto st = db_.use("SELECT id, config FROM queries WHERE save_order IS NOT NULL ORDER BY save_order");
        while (st.step()) out.push_back({std::string(st.columnBytes(0)), std::string(st.columnBytes(1))});
        return out;
    }

    std::optional<std::string> getMeta(const std::string& key) override {
        auto st = db_.use("SELECT value FROM meta WHERE key = ?1");
        st.bindText(1, key);
        if (!st.step()) return std::nullopt;
        return std::string(st.columnBytes(0));
    }

    void putMeta(const std::string& key, const std::string& value) override {
        auto st = db_.use("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
        st.bindText(1, key).bindBlob(2, value);
        st.run();
    }

    void begin() override {
        if (inTransaction_) throw Error(ErrorCode::Misuse, "begin(): a transaction is already open");
        // IMMEDIATE takes the write lock now, so a second writer fails here (StorageLocked) and
        // not halfway through a change.
        db_.use("BEGIN IMMEDIATE").run();
        inTransaction_ = true;
        changesAtBegin_ = sqlite3_total_changes64(db_.handle());
    }

    void commit() override {
        if (!inTransaction_) throw Error(ErrorCode::Misuse, "commit(): no transaction is open");
        try {
            db_.use("COMMIT").run();
        } catch (...) {
            // SQLite may have rolled back already (e.g. SQLITE_FULL); then so do we. Otherwise the
            // transaction stays open for the caller's rollback().
            if (!db_.inTransaction()) undoHandles(0, true);
            throw;
        }
        inTransaction_ = false;
        events_.clear();
        marks_.clear();
        virtual_.clear();
    }

    void rollback() override {
        if (!inTransaction_) throw Error(ErrorCode::Misuse, "rollback(): no transaction is open");
        if (db_.inTransaction()) db_.use("ROLLBACK").run();
        undoHandles(0, true);
    }

    // An outermost savepoint taken before the transaction has written anything is virtual: rolling
    // back to it is rolling back the transaction and beginning a new one, which leaves exactly the
    // same state. That spares SQLite's statement journal (a copy of every page the savepoint
    // modifies) for the usual case of one change applied to one query. sqlite3_total_changes64
    // counts every row inserted, updated or deleted on the connection, so an unchanged count means
    // an unchanged database.
    void savepoint() override {
        if (!inTransaction_) throw Error(ErrorCode::Misuse, "savepoint(): no transaction is open");
        bool isVirtual = marks_.empty() && sqlite3_total_changes64(db_.handle()) == changesAtBegin_;
        if (!isVirtual) db_.use("SAVEPOINT cq").run();
        marks_.push_back(events_.size());
        virtual_.push_back(isVirtual);
    }

    void releaseSavepoint() override {
        if (marks_.empty()) throw Error(ErrorCode::Misuse, "releaseSavepoint(): no savepoint is open");
        if (!virtual_.back()) db_.use("RELEASE cq").run();
        marks_.pop_back();
        virtual_.pop_back();
    }

    void rollbackToSavepoint() override {
        if (marks_.empty()) throw Error(ErrorCode::Misuse, "rollbackToSavepoint(): no savepoint is open");
        size_t mark = marks_.back();
        bool isVirtual = virtual_.back();
        marks_.pop_back();
        virtual_.pop_back();
        if (isVirtual) {
            db_.use("ROLLBACK").run();
            db_.use("BEGIN IMMEDIATE").run();
            changesAtBegin_ = sqlite3_total_changes64(db_.handle());
        } else {
            db_.use("ROLLBACK TO cq").run();
            db_.use("RELEASE cq").run();
        }
        undoHandles(mark, false);
    }

    const char* name() const override { return "sqlite"; }

private:
    void openSchema() {
        // The first read of the file: a file that is not SQLite fails here with SQLITE_NOTADB.
        int64_t applicationId = db_.queryInt("PRAGMA application_id");
        int64_t tables = db_.queryInt("SELECT count(*) FROM sqlite_schema");
        if (applicationId == kSqliteApplicationId) {
            int64_t version = db_.queryInt("PRAGMA user_version");
            if (version != kSqliteSchemaVersion) {
                throw Error(ErrorCode::StorageSchema,
                            "the database " + db_.path() + " has cqlite schema version " + std::to_string(version) +
                                "; this build reads version " + std::to_string(kSqliteSchemaVersion));
            }
        } else if (applicationId != 0 || tables != 0) {
            throw Error(ErrorCode::StorageCorrupt,
                        "the database " + db_.path() + " is an SQLite database but not a cqlite one");
        } else if (options_.readOnly) {
            throw Error(ErrorCode::StorageReadOnly,
                        "the database " + db_.path() + " is empty and cannot be initialised read-only");
        }
        if (!options_.readOnly) {
            // Only a new database takes a page size, and only before its first write (setting the
            // journal mode writes the header).
            int pageSize = options_.pageSize;
#ifndef __EMSCRIPTEN__
            if (pageSize == 0) pageSize = 1024;
#endif
            if (applicationId != kSqliteApplicationId && pageSize > 0)
                db_.exec("PRAGMA page_size=" + std::to_string(pageSize));
            std::string mode = options_.journalMode;
#ifdef __EMSCRIPTEN__
            if (mode.empty()) mode = "TRUNCATE";
#else
            if (mode.empty()) mode = "WAL";
#endif
            db_.queryText("PRAGMA journal_mode=" + mode);
            // NORMAL: in WAL mode a commit is durable against application crashes and only a power
            // loss can lose the last commits (the database stays consistent). FULL would fsync on
            // every per-change commit, which costs about 1 ms each on disk.
            db_.exec("PRAGMA synchronous=NORMAL");
            if (options_.walAutocheckpointPages > 0)
                db_.exec("PRAGMA wal_autocheckpoint=" + std::to_string(options_.walAutocheckpointPages));
        }
        // A page cache that holds the working set: SQLite's 2 MiB default re-reads b-tree pages from
        // the file (a system call each) once the database outgrows it.
        if (options_.pageCacheKib > 0) db_.exec("PRAGMA cache_size=-" + std::to_string(options_.pageCacheKib));
        // A size quota (an edge platform's storage limit, or a test of a full disk): past it SQLite
        // fails the write with SQLITE_FULL, which is StorageFull, and the transaction rolls back.
        if (options_.maxPageCount > 0) db_.queryInt("PRAGMA max_page_count=" + std::to_string(options_.maxPageCount));
        if (applicationId != kSqliteApplicationId) {
            db_.exec("BEGIN IMMEDIATE");
            try {
                db_.exec(kSchema);
                db_.exec("PRAGMA application_id=" + std::to_string(kSqliteApplicationId));
                db_.exec("PRAGMA user_version=" + std::to_string(kSqliteSchemaVersion));
                db_.exec("COMMIT");
            } catch (...) {
                if (db_.inTransaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
                throw;
            }
        }
    }

    /// Undoes handle events after `mark` and clears every read cache. `all` = the whole
    /// transaction ended (then the re-inserted query rows are committed on their own).
    void undoHandles(size_t mark, bool all) {
        for (size_t i = events_.size(); i > mark; --i) {
            HandleEvent& event = events_[i - 1];
            if (event.dropped) handles_[event.id] = event.handle;
        }
        if (all) {
            inTransaction_ = false;
            marks_.clear();
            virtual_.clear();
        }
        for (size_t i = mark; i < events_.size(); ++i) {
            const HandleEvent& event = events_[i];
            if (event.dropped) continue;
            auto it = handles_.find(event.id);
            if (it == handles_.end() || it->second != event.handle) continue;
            auto st = db_.use("INSERT OR IGNORE INTO queries(num, id) VALUES(?1, ?2)");
            st.bind(1, event.handle->num).bindText(2, event.id);
            st.run();
        }
        if (all) {
            events_.clear();
        } else {
            // Creations stay logged: an outer rollback must re-insert their rows again.
            events_.erase(std::remove_if(events_.begin() + std::ptrdiff_t(mark), events_.end(),
                                         [](const HandleEvent& e) { return e.dropped; }),
                          events_.end());
        }
        for (auto& [id, handle] : handles_) handle->clearCaches();
    }

    SqliteOptions options_;
    Connection db_;
    bool inTransaction_ = false;
    std::unordered_map<std::string, std::shared_ptr<QueryHandle>> handles_;
    std::vector<HandleEvent> events_;
    std::vector<size_t> marks_;
    std::vector<bool> virtual_;     ///< per mark: no SAVEPOINT was issued (see savepoint())
    sqlite3_int64 changesAtBegin_ = 0;
    std::unordered_map<std::string, std::string> dropSql_;
};

}  // namespace

std::unique_ptr<StorageBackend> makeSqliteBackend(const std::string& path, SqliteOptions options) {
    return std::make_unique<SqliteBackend>(path, std::move(options));
}

}  // namespace cq
