// SPDX-License-Identifier: MIT
// The SQLite backend (sqlite_backend.h; docs/storage.md, "SQLite backend").
//
// The whole state lives in a memory backend (storage/memory), which answers every read and keeps
// the transaction's undo log; SQLite makes it durable. Every store write goes to the memory backend
// and is recorded in the transaction's redo entry (journal.h). commit() adds that entry to the
// `journal` table, a log of page-sized chunks (appendJournal()): usually one statement rewriting
// one chunk row in place, which SQLite commits atomically however many rows and queries the change
// touched. When the journal has grown past the size of the keyed tables, commit() folds it into
// them (elements, live, accumulators, ...) in one SQLite transaction, writing each row the journal
// touched once, from memory; the chunk rows stay, to be overwritten by the next generation. Opening
// loads the keyed tables into memory and replays the current generation's chunks on top.
//
// Why not write each row through (schema 2 did): a change then cost one b-tree update per row it
// touched plus the commit, and reads went through a bounded cache that thrashed once the graph
// outgrew it. On scenario 1 of bench/ that was 7 us of SQLite work per change at 10,000 rooms and
// 15 us at 100,000, against 2.6 us for the whole change on the memory backend (docs/benchmarks.md).
// A commit rewrites one page of one b-tree, and the fold writes each row once per fold however
// often it changed in between.
#include "storage/sqlite/sqlite_backend.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/common/error.h"
#include "storage/memory/flat_hash_map.h"
#include "storage/memory/memory_backend.h"
#include "storage/sqlite/journal.h"
#include "storage/sqlite/sqlite_db.h"
#include "storage/sqlite/value_codec.h"
#include "storage/sqlite/wal_gather_vfs.h"

namespace cq {
namespace {

using sqlitecodec::Reader;
using sqlitecodec::Writer;
using sqlitedb::Connection;
using sqlitejournal::Op;
using sqlitejournal::Record;

using DirtyKeys = FlatHashMap<uint64_t, bool, std::hash<uint64_t>>;

// Version 5 (docs/storage.md, "Schema"; 5 added the journal's ElementPatch record to 4). Every per-query table has a column q (the query's number
// in `queries`) so one database holds every query and dropping one is a DELETE per table. Keyed
// tables are WITHOUT ROWID: the primary key is the access path, rows are stored once, in key
// order. live and accumulators lead with their 64-bit key, not q: SQLite's integer fast path
// (vdbeRecordCompareInt) decides on the first field, where a leading q (equal in every row of a
// one-query database) sent every comparison of a fold to the general record compare. Adjacency is
// not stored: loading the relations rebuilds it.
const char* const kSchema = R"sql(
CREATE TABLE queries(num INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, config TEXT, save_order INTEGER);
CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE journal(slot INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE journal_gen(gen INTEGER NOT NULL);
INSERT INTO journal_gen(gen) VALUES(1);
CREATE TABLE elements(q INTEGER NOT NULL, source TEXT NOT NULL, id TEXT NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(q, source, id)) WITHOUT ROWID;
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
CREATE TABLE live(sig INTEGER NOT NULL, q INTEGER NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY(sig, q)) WITHOUT ROWID;
CREATE TABLE state(q INTEGER NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
  PRIMARY KEY(q, key)) WITHOUT ROWID;
)sql";

// Connection::use caches statements by the address of their text: these must be static.
const char* const kDropQuerySql[] = {
    "DELETE FROM elements WHERE q = ?1",     "DELETE FROM joins WHERE q = ?1",
    "DELETE FROM archive WHERE q = ?1",      "DELETE FROM accumulators WHERE q = ?1",
    "DELETE FROM sorted_sets WHERE q = ?1",  "DELETE FROM futures WHERE q = ?1",
    "DELETE FROM live WHERE q = ?1",         "DELETE FROM state WHERE q = ?1",
    "DELETE FROM queries WHERE num = ?1",
};

/// The journal's superseded records may grow to the size of the state they describe (so a fold
/// costs at most about as much as the appends it saves), but not below this: small databases
/// would fold every few changes. SqliteBackend::foldThreshold().
constexpr int64_t kMinFoldBytes = int64_t(16) << 20;

/// A journal row starts with its generation, as 8 bytes: every row of a size has the same payload
/// size whatever its generation (an integer column's size would vary with its value).
constexpr size_t kChunkHeader = 8;

/// SQLite integers are signed: flipping the top bit maps uint64 order onto int64 order, so
/// ORDER BY on a stored key gives the same order as the memory backend's std::map<uint64_t>.
int64_t toSql(uint64_t v) { return int64_t(v ^ 0x8000000000000000ull); }
uint64_t fromSql(int64_t v) { return uint64_t(v) ^ 0x8000000000000000ull; }

/// What every store shares with the backend: the open transaction's redo entry, and how a write
/// outside a transaction becomes a transaction of its own.
struct Shared {
    StorageBackend* backend = nullptr;
    /// Catches up with what other connections committed (only outside a transaction, only when
    /// the file is shared): before a read that does not run in the engine's transaction.
    std::function<void()> refreshOutsideTransaction;
    bool inTransaction = false;
    bool readOnly = false;
    /// The mark of the journal's generation (never 0): an element whose memory entry carries it is
    /// already in its handle's dirtyElements (MemoryElementWrites).
    uint32_t mark = 1;
    /// Transactions and savepoints rolled back so far (a rollback may leave an element listed twice
    /// for the fold, see Handle::markElement).
    uint64_t rollbacks = 0;
    std::string path;
    sqlitejournal::Recorder journal;
    /// Bytes of the open entry that add elements the state did not have: element inserts, less
    /// the mean size of an insert for each delete (an estimate: which insert a delete undoes is
    /// not known, and a low estimate only brings a fold sooner). foldThreshold() leaves growth
    /// out of what a fold would save.
    int64_t entryGrowth = 0;
    int64_t insertedBytes = 0;  ///< bytes of every element insert recorded, for the mean
    int64_t inserted = 0;
    void recordedInsert(int64_t bytes) {
        entryGrowth += bytes;
        insertedBytes += bytes;
        ++inserted;
    }
    void recordedDelete() {
        if (inserted > 0) entryGrowth -= insertedBytes / inserted;
    }

    /// Runs one store write `f` (which writes the memory backend and records it): inside the open
    /// transaction, or else as a transaction of its own (autocommit, as SQLite does).
    template <class F>
    void write(F&& f) {
        if (readOnly) {
            throw Error(ErrorCode::StorageReadOnly,
                        "attempt to write a readonly database: " + path + " was opened read-only");
        }
        if (inTransaction) {
            f();
            return;
        }
        backend->begin();
        try {
            f();
            backend->commit();
        } catch (...) {
            try { backend->rollback(); } catch (...) {}
            throw;
        }
    }
};

/// `slots` sorted and without duplicates (as the memory backend stores them).
const std::vector<int>& normalized(const std::vector<int>& slots, std::vector<int>& scratch) {
    if (std::adjacent_find(slots.begin(), slots.end(), std::greater_equal<int>()) == slots.end()) return slots;
    scratch = slots;
    std::sort(scratch.begin(), scratch.end());
    scratch.erase(std::unique(scratch.begin(), scratch.end()), scratch.end());
    return scratch;
}

/// One registered query: its number, its stores in the memory backend, and the stores the engine
/// holds (below), which read the former and journal their writes.
struct Handle;

// ---------------------------------------------------------------------------------------------
// The stores: reads go to the memory backend, writes go there and into the journal.

class Elements final : public ElementIndex {
public:
    Elements(Shared& s, Handle& h) : s_(s), h_(h) {}
    ElementPtr getElement(const ElementRef& ref) override;
    ElementPtr getStored(const Element& element) override;
    ElementPtr getStoredWithSlots(const Element& element, std::vector<int>& slots, bool& slotsKnown) override;
    void prefetchStored(const Element& element) override;
    void setElement(const ElementPtr& element, const std::vector<int>& slots) override;
    void deleteElement(const ElementRef& ref) override;
    ElementPtr getSlotElement(int slot, const ElementRef& ref) override;
    void relationsByStart(int slot, const Element& node, std::vector<ElementPtr>& out) override;
    void relationsByEnd(int slot, const Element& node, std::vector<ElementPtr>& out) override;
    void addJoinEntry(const std::string& key, const ElementRef& ref) override;
    void removeJoinEntry(const std::string& key, const ElementRef& ref) override;
    void joinEntries(const std::string& key, std::vector<ElementRef>& out) override;

private:
    void recordJoin(Op op, const std::string& key, const ElementRef& ref);
    Shared& s_;
    Handle& h_;
    std::vector<int> scratch_;
};

class Archive final : public ElementArchive {
public:
    Archive(Shared& s, Handle& h) : s_(s), h_(h) {}
    void addVersion(const ElementPtr& element) override;
    ElementPtr versionAt(const ElementRef& ref, int64_t time) override;
    void versionsBetween(const ElementRef& ref, int64_t from, int64_t to, bool includeInitial,
                         std::vector<ElementPtr>& out) override;

private:
    Shared& s_;
    Handle& h_;
};

class Results final : public ResultIndex {
public:
    Results(Shared& s, Handle& h) : s_(s), h_(h) {}
    std::optional<Accumulator> get(uint64_t key) override;
    void set(uint64_t key, const Accumulator* value) override;
    std::optional<std::pair<double, int64_t>> sortedNext(uint64_t setId, std::optional<double> after) override;
    void sortedIncrement(uint64_t setId, double value, int64_t delta) override;

private:
    Shared& s_;
    Handle& h_;
};

class Futures final : public FutureQueue {
public:
    Futures(Shared& s, Handle& h) : s_(s), h_(h) {}
    bool push(PushMode mode, const FutureItem& item) override;
    void remove(uint32_t position, uint64_t groupSignature) override;
    std::optional<int64_t> peekDueTime() override;
    std::optional<FutureItem> popDue(int64_t now) override;

private:
    Shared& s_;
    Handle& h_;
};

class Live final : public LiveResults {
public:
    Live(Shared& s, Handle& h) : s_(s), h_(h) {}
    void upsertRow(uint64_t signature, const Map& row) override;
    void removeRow(uint64_t signature) override;
    void rows(std::vector<std::pair<uint64_t, Map>>& out) override;
    void prefetchRow(uint64_t signature) override;

private:
    Shared& s_;
    Handle& h_;
};

class State final : public KeyValueStore {
public:
    State(Shared& s, Handle& h) : s_(s), h_(h) {}
    std::optional<std::string> get(const std::string& key) override;
    void put(const std::string& key, const std::optional<std::string>& value) override;

private:
    Shared& s_;
    Handle& h_;
};

struct Handle {
    Handle(Shared& s, int64_t num, std::string id, QueryStore mem)
        : shared(s),
          num(num),
          id(std::move(id)),
          mem(mem),
          memWrites(&memoryElementWrites(*mem.elements)),
          elements(s, *this),
          archive(s, *this),
          results(s, *this),
          futures(s, *this),
          live(s, *this),
          state(s, *this) {}
    Shared& shared;
    int64_t num;
    std::string id;
    QueryStore mem;  ///< the memory backend's stores of this query
    MemoryElementWrites* memWrites;  ///< mem.elements, marking what it writes
    void setMem(QueryStore m) {
        mem = m;
        memWrites = &memoryElementWrites(*m.elements);
    }
    // The keyed rows written since the last fold (the fold writes their current values). A write
    // that is rolled back leaves its mark: the fold then writes the unchanged value, harmlessly.
    // Open-addressing sets (marking was 8% of a SQLite change's cycles with std::unordered_set,
    // perf, scenario 1, 10,000 rooms: a node allocated and three cache misses per mark).
    // Elements are marked in their memory entries (Shared::mark) and listed here once a
    // generation, or again after a delete or a rollback: the fold sorts the list and skips repeats.
    // A rollback can take an element's mark away (the entry it restores has none), and rolled-back
    // writes add no journal bytes, so never bring a fold closer: a stream of failing changes could
    // list one element without end. So once the list has doubled since it was last deduplicated,
    // and a rollback happened since, it is deduplicated (without a rollback, every entry is a
    // different element or follows a delete, whose journal record brings the fold closer).
    std::vector<ElementRef> dirtyElements;
    static constexpr size_t kDedupeElementsAt = 4096;
    size_t dedupeElementsAt = kDedupeElementsAt;
    uint64_t rollbacksAtDedupe = 0;
    void markElement(const ElementRef& ref) {
        dirtyElements.push_back(ref);
        if (dirtyElements.size() < dedupeElementsAt || shared.rollbacks == rollbacksAtDedupe) return;
        rollbacksAtDedupe = shared.rollbacks;
        std::sort(dirtyElements.begin(), dirtyElements.end(), [](const ElementRef& a, const ElementRef& b) {
            return a.source != b.source ? a.source < b.source : a.id < b.id;
        });
        dirtyElements.erase(std::unique(dirtyElements.begin(), dirtyElements.end()), dirtyElements.end());
        dedupeElementsAt = std::max(kDedupeElementsAt, 2 * dirtyElements.size());
    }
    DirtyKeys dirtyAccumulators;
    DirtyKeys dirtyLive;
    std::unordered_set<std::string> dirtyState;
    Elements elements;
    Archive archive;
    Results results;
    Futures futures;
    Live live;
    State state;

    QueryStore stores() { return QueryStore{&elements, &archive, &results, &futures, &live, &state}; }
};

ElementPtr Elements::getElement(const ElementRef& ref) { return h_.mem.elements->getElement(ref); }
ElementPtr Elements::getStored(const Element& element) { return h_.mem.elements->getStored(element); }
// Reads are the memory backend's, and so are its cache hints (the next change's slot, a row).
void Elements::prefetchStored(const Element& element) { h_.mem.elements->prefetchStored(element); }
ElementPtr Elements::getStoredWithSlots(const Element& element, std::vector<int>& slots, bool& slotsKnown) {
    return h_.mem.elements->getStoredWithSlots(element, slots, slotsKnown);
}

namespace {

/// Whether a property kept its value (when in doubt, no: the patch then carries it again).
bool sameValue(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
    case ValueKind::Null: return true;
    case ValueKind::Bool: return a.asBool() == b.asBool();
    case ValueKind::Integer: return a.asInt() == b.asInt();
    case ValueKind::Float: {
        const double x = a.asFloat(), y = b.asFloat();
        return std::memcmp(&x, &y, sizeof x) == 0;  // -0.0 and NaN payloads are kept as they were
    }
    case ValueKind::String: return a.asString() == b.asString();
    case ValueKind::List: return a.listPtr() == b.listPtr();
    case ValueKind::Map: return a.mapPtr() == b.mapPtr();
    default: return false;
    }
}

/// Records the write of `e`, which replaced `previous` (null for an insert). An update that keeps
/// the kind, labels and ends is recorded as what it changed (ElementPatch): a building-comfort
/// update moves one property of five, and its patch takes about 45 bytes against the whole
/// element's 140, so the journal fills, and folds, less than half as often.
void recordElement(sqlitejournal::Recorder& j, int64_t query, const Element& e, const Element* previous,
                   const std::vector<int>& slots) {
    const bool patch = previous && previous->kind == e.kind && previous->labels == e.labels &&
                       (!e.isRelation() || (previous->start() == e.start() && previous->end() == e.end()));
    j.begin(patch ? Op::ElementPatch : Op::ElementSet, query).ref(e.ref);
    Writer& body = j.body();
    body.slots(slots);
    if (!patch) {
        body.element(e);
        j.end();
        return;
    }
    // Both maps are sorted by key: one merge walk. Tag 1 sets a property, 2 removes one, 0 ends.
    body.signedVarint(e.effectiveFrom);
    auto a = previous->properties.begin(), aEnd = previous->properties.end();
    auto b = e.properties.begin(), bEnd = e.properties.end();
    while (a != aEnd || b != bEnd) {
        if (b == bEnd || (a != aEnd && a->first < b->first)) {
            body.varint(2);
            body.text(a->first);
            ++a;
            continue;
        }
        if (a == aEnd || b->first < a->first || !sameValue(a->second, b->second)) {
            body.varint(1);
            body.text(b->first);
            body.value(b->second);
        }
        if (a != aEnd && a->first == b->first) ++a;
        ++b;
    }
    body.varint(0);
    j.end();
}

}  // namespace

void Elements::setElement(const ElementPtr& element, const std::vector<int>& slots) {
    if (!element) throw Error(ErrorCode::Misuse, "setElement(): null element");
    s_.write([&] {
        bool firstMark = false;
        ElementPtr previous = h_.memWrites->setElementMarked(element, slots, s_.mark, firstMark);
        if (firstMark) h_.markElement(element->ref);
        const size_t before = s_.journal.size();
        recordElement(s_.journal, h_.num, *element, previous.get(), normalized(slots, scratch_));
        if (!previous) s_.recordedInsert(int64_t(s_.journal.size() - before));
    });
}

void Elements::deleteElement(const ElementRef& ref) {
    s_.write([&] {
        h_.mem.elements->deleteElement(ref);
        h_.markElement(ref);
        s_.journal.begin(Op::ElementDelete, h_.num).ref(ref);
        s_.journal.end();
        s_.recordedDelete();
    });
}

ElementPtr Elements::getSlotElement(int slot, const ElementRef& ref) {
    return h_.mem.elements->getSlotElement(slot, ref);
}
void Elements::relationsByStart(int slot, const Element& node, std::vector<ElementPtr>& out) {
    h_.mem.elements->relationsByStart(slot, node, out);
}
void Elements::relationsByEnd(int slot, const Element& node, std::vector<ElementPtr>& out) {
    h_.mem.elements->relationsByEnd(slot, node, out);
}

void Elements::recordJoin(Op op, const std::string& key, const ElementRef& ref) {
    s_.journal.begin(op, h_.num);
    Writer& body = s_.journal.body();
    body.text(key);
    body.ref(ref);
    s_.journal.end();
}
void Elements::addJoinEntry(const std::string& key, const ElementRef& ref) {
    s_.write([&] {
        h_.mem.elements->addJoinEntry(key, ref);
        recordJoin(Op::JoinAdd, key, ref);
    });
}
void Elements::removeJoinEntry(const std::string& key, const ElementRef& ref) {
    s_.write([&] {
        h_.mem.elements->removeJoinEntry(key, ref);
        recordJoin(Op::JoinRemove, key, ref);
    });
}
void Elements::joinEntries(const std::string& key, std::vector<ElementRef>& out) {
    h_.mem.elements->joinEntries(key, out);
}

void Archive::addVersion(const ElementPtr& element) {
    if (!element) throw Error(ErrorCode::Misuse, "addVersion(): null element");
    s_.write([&] {
        h_.mem.archive->addVersion(element);
        s_.journal.begin(Op::ArchiveAdd, h_.num);
        Writer& body = s_.journal.body();
        body.element(*element);
        s_.journal.end();
    });
}
ElementPtr Archive::versionAt(const ElementRef& ref, int64_t time) { return h_.mem.archive->versionAt(ref, time); }
void Archive::versionsBetween(const ElementRef& ref, int64_t from, int64_t to, bool includeInitial,
                              std::vector<ElementPtr>& out) {
    h_.mem.archive->versionsBetween(ref, from, to, includeInitial, out);
}

std::optional<Accumulator> Results::get(uint64_t key) { return h_.mem.results->get(key); }

void Results::set(uint64_t key, const Accumulator* value) {
    s_.write([&] {
        h_.mem.results->set(key, value);
        h_.dirtyAccumulators.try_emplace(key);
        s_.journal.begin(value ? Op::AccumulatorSet : Op::AccumulatorDelete, h_.num).varint(key);
        Writer& body = s_.journal.body();
        if (value) body.accumulator(*value);
        s_.journal.end();
    });
}

std::optional<std::pair<double, int64_t>> Results::sortedNext(uint64_t setId, std::optional<double> after) {
    return h_.mem.results->sortedNext(setId, after);
}

void Results::sortedIncrement(uint64_t setId, double value, int64_t delta) {
    // The memory backend ignores these (NaN cannot be ordered; SQLite would store it as NULL).
    if (delta == 0 || std::isnan(value)) return;
    s_.write([&] {
        h_.mem.results->sortedIncrement(setId, value, delta);
        s_.journal.begin(Op::SortedIncrement, h_.num);
        Writer& body = s_.journal.body();
        body.varint(setId);
        body.float64(value);
        body.signedVarint(delta);
        s_.journal.end();
    });
}

bool Futures::push(PushMode mode, const FutureItem& item) {
    bool added = false;
    s_.write([&] {
        added = h_.mem.futures->push(mode, item);
        auto& j = s_.journal;
        if (mode == PushMode::Overwrite) {
            j.begin(Op::FutureRemove, h_.num);
            Writer& body = j.body();
            body.varint(item.position);
            body.varint(item.groupSignature);
            j.end();
        }
        if (!added) return;
        j.begin(Op::FuturePush, h_.num);
        Writer& body = j.body();
        body.varint(item.position);
        body.varint(item.groupSignature);
        body.ref(item.element);
        body.signedVarint(item.originalTime);
        body.signedVarint(item.dueTime);
        j.end();
    });
    return added;
}

void Futures::remove(uint32_t position, uint64_t groupSignature) {
    s_.write([&] {
        h_.mem.futures->remove(position, groupSignature);
        s_.journal.begin(Op::FutureRemove, h_.num);
        Writer& body = s_.journal.body();
        body.varint(position);
        body.varint(groupSignature);
        s_.journal.end();
    });
}

std::optional<int64_t> Futures::peekDueTime() { return h_.mem.futures->peekDueTime(); }

std::optional<FutureItem> Futures::popDue(int64_t now) {
    std::optional<FutureItem> item;
    s_.write([&] {
        item = h_.mem.futures->popDue(now);
        if (!item) return;
        // Replayed as "pop the earliest item due by `now`": the same item, as the queue is the same.
        s_.journal.begin(Op::FuturePop, h_.num);
        Writer& body = s_.journal.body();
        body.signedVarint(now);
        s_.journal.end();
    });
    return item;
}

void Live::prefetchRow(uint64_t signature) { h_.mem.live->prefetchRow(signature); }

void Live::upsertRow(uint64_t signature, const Map& row) {
    s_.write([&] {
        h_.mem.live->upsertRow(signature, row);
        h_.dirtyLive.try_emplace(signature);
        s_.journal.begin(Op::LiveSet, h_.num).varint(signature);
        Writer& body = s_.journal.body();
        body.map(row);
        s_.journal.end();
    });
}

void Live::removeRow(uint64_t signature) {
    s_.write([&] {
        h_.mem.live->removeRow(signature);
        h_.dirtyLive.try_emplace(signature);
        s_.journal.begin(Op::LiveDelete, h_.num).varint(signature);
        s_.journal.end();
    });
}

void Live::rows(std::vector<std::pair<uint64_t, Map>>& out) {
    s_.refreshOutsideTransaction();
    h_.mem.live->rows(out);
}

std::optional<std::string> State::get(const std::string& key) { return h_.mem.state->get(key); }

void State::put(const std::string& key, const std::optional<std::string>& value) {
    s_.write([&] {
        h_.mem.state->put(key, value);
        h_.dirtyState.insert(key);
        s_.journal.begin(value ? Op::StatePut : Op::StateDelete, h_.num).text(key);
        Writer& body = s_.journal.body();
        if (value) body.text(*value);
        s_.journal.end();
    });
}

// ---------------------------------------------------------------------------------------------
// The backend

int openFlags(const SqliteOptions& options) {
    return options.readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
}

/// The VFS to open with: the one asked for, else natively the wrapper of the default VFS that maps
/// the WAL and gathers checkpoint writes (wal_gather_vfs.cpp). Under Emscripten the file systems
/// and VFSes (NODEFS, OPFS, memdb) are the JS layer's: untouched.
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
        shared_.backend = this;
        shared_.refreshOutsideTransaction = [this] { refreshOutsideTransaction(); };
        shared_.readOnly = options_.readOnly;
        shared_.path = path;
        // Another connection may change the file only when this one does not hold it exclusively.
        watchOthers_ = options_.readOnly || !options_.exclusiveLock;
        // Before the first read: a WAL opened in exclusive mode keeps its index in heap memory
        // (no -shm file, no shared-memory locks). Natively, read-only connections never hold the
        // lock (they would block the writer); other VFSes (memdb, a caller's) keep their own
        // locking. Under Emscripten the file systems have no locks to hold and no shared memory
        // for a WAL index, so every connection of the default VFS is exclusive: that is what
        // makes WAL possible there at all (the JS layer keeps one engine per file).
#ifdef __EMSCRIPTEN__
        if (options_.vfs.empty()) db_.exec("PRAGMA locking_mode=EXCLUSIVE");
#else
        if (options_.exclusiveLock && !options_.readOnly && options_.vfs.empty())
            db_.exec("PRAGMA locking_mode=EXCLUSIVE");
#endif
        openSchema();
        load();
    }

    QueryStore openQuery(const std::string& queryId) override {
        refreshOutsideTransaction();
        auto it = handles_.find(queryId);
        if (it != handles_.end()) return it->second->stores();
        if (options_.readOnly) {
            throw Error(ErrorCode::StorageReadOnly, "attempt to write a readonly database: " + db_.path() +
                                                        " was opened read-only and has no query '" + queryId + "'");
        }
        Handle* handle = nullptr;
        shared_.write([&] { handle = &newHandle(queryId); });
        return handle->stores();
    }

    void dropQuery(const std::string& queryId) override {
        auto it = handles_.find(queryId);
        if (it == handles_.end()) {
            mem_->dropQuery(queryId);  // nothing of it is stored
            return;
        }
        shared_.write([&] {
            std::shared_ptr<Handle> handle = it->second;
            mem_->dropQuery(queryId);
            shared_.journal.begin(Op::QueryDrop, handle->num);
            Writer& body = shared_.journal.body();
            body.text(queryId);
            shared_.journal.end();
            dropped_.push_back(handle);  // a rollback puts it back (the engine may hold its stores)
            handles_.erase(it);
        });
    }

    void saveQuery(const StoredQuery& query) override {
        shared_.write([&] {
            auto it = handles_.find(query.id);
            Handle& handle = it != handles_.end() ? *it->second : newHandle(query.id);
            mem_->saveQuery(query);
            shared_.journal.begin(Op::QuerySave, handle.num);
            Writer& body = shared_.journal.body();
            body.text(query.id);
            body.text(query.configJson);
            shared_.journal.end();
        });
    }

    std::vector<StoredQuery> storedQueries() override {
        refreshOutsideTransaction();
        return mem_->storedQueries();
    }

    std::optional<std::string> getMeta(const std::string& key) override {
        refreshOutsideTransaction();
        return mem_->getMeta(key);
    }

    void putMeta(const std::string& key, const std::string& value) override {
        shared_.write([&] {
            mem_->putMeta(key, value);
            dirtyMeta_.insert(key);
            shared_.journal.begin(Op::MetaPut, 0).text(key);
            Writer& body = shared_.journal.body();
            body.text(value);
            shared_.journal.end();
        });
    }

    void begin() override {
        if (shared_.inTransaction) throw Error(ErrorCode::Misuse, "begin(): a transaction is already open");
        if (watchOthers_) {
            // Sharing the file: take the write lock now, so a second writer fails here
            // (StorageLocked) and not at commit, then catch up with what others committed.
            if (!options_.readOnly) db_.use("BEGIN IMMEDIATE").run();
            try {
                refreshIfChanged();
            } catch (...) {
                if (db_.inTransaction()) db_.exec("ROLLBACK");
                throw;
            }
        }
        mem_->begin();
        shared_.inTransaction = true;
        // Queries whose creation a rollback discarded, or that a reload kept alive under new
        // numbers (refreshIfChanged), are created now.
        for (auto& handle : pendingOpens_)
            if (isCurrent(handle)) recordOpen(*handle);
        pendingOpens_.clear();
    }

    void commit() override {
        if (!shared_.inTransaction) throw Error(ErrorCode::Misuse, "commit(): no transaction is open");
        // On failure the transaction stays open in memory for the caller's rollback(); SQLite
        // wrote nothing (the append is one statement).
        if (!shared_.journal.empty()) appendJournal();
        if (db_.inTransaction()) db_.use("COMMIT").run();
        growthBytes_ += shared_.entryGrowth;
        mem_->commit();
        endTransaction();
        maybeFold();
    }

    void rollback() override {
        if (!shared_.inTransaction) throw Error(ErrorCode::Misuse, "rollback(): no transaction is open");
        ++shared_.rollbacks;
        mem_->rollback();
        restoreDropped(0);
        std::vector<std::shared_ptr<Handle>> created = liveCreated(0);
        endTransaction();
        if (db_.inTransaction()) db_.exec("ROLLBACK");
        // Like the memory backend's, a query created in the transaction outlives its rollback: its
        // creation, discarded with the journal entry, is journaled again by the next transaction
        // (until then it is empty, and an empty query is as good as none).
        pendingOpens_.insert(pendingOpens_.end(), created.begin(), created.end());
    }

    void savepoint() override {
        mem_->savepoint();
        marks_.push_back({shared_.journal.size(), dropped_.size(), created_.size(), shared_.entryGrowth});
    }

    void releaseSavepoint() override {
        mem_->releaseSavepoint();
        marks_.pop_back();
    }

    void rollbackToSavepoint() override {
        ++shared_.rollbacks;
        mem_->rollbackToSavepoint();
        Mark mark = marks_.back();
        marks_.pop_back();
        shared_.journal.truncate(mark.journalBytes);
        shared_.entryGrowth = mark.growth;
        restoreDropped(mark.dropped);
        // Queries created since the mark live on (as in rollback()): recorded again. They stay in
        // created_, as an enclosing rollback discards these records too.
        for (auto& handle : liveCreated(mark.created)) recordOpen(*handle, false);
    }

    const char* name() const override { return "sqlite"; }

private:
    struct Mark {
        size_t journalBytes;
        size_t dropped;
        size_t created;
        int64_t growth;
    };

    /// A new query: a new number (never reused), recorded in the open transaction's journal entry.
    Handle& newHandle(const std::string& id) {
        auto handle = std::make_shared<Handle>(shared_, nextNum_++, id, mem_->openQuery(id));
        handles_[id] = handle;
        recordOpen(*handle);
        return *handle;
    }

    void recordOpen(Handle& handle, bool remember = true) {
        shared_.journal.begin(Op::QueryOpen, handle.num);
        shared_.journal.body().text(handle.id);
        shared_.journal.end();
        if (remember) created_.push_back(handles_[handle.id]);
    }

    /// Whether `handle` is its id's registered query (not dropped, nor replaced by a newer one).
    bool isCurrent(const std::shared_ptr<Handle>& handle) const {
        auto it = handles_.find(handle->id);
        return it != handles_.end() && it->second == handle;
    }

    /// The queries created since `mark` that are still registered (not dropped since).
    std::vector<std::shared_ptr<Handle>> liveCreated(size_t mark) {
        std::vector<std::shared_ptr<Handle>> out;
        for (size_t i = mark; i < created_.size(); ++i)
            if (isCurrent(created_[i])) out.push_back(created_[i]);
        return out;
    }

    void restoreDropped(size_t mark) {
        for (size_t i = dropped_.size(); i > mark; --i) handles_[dropped_[i - 1]->id] = dropped_[i - 1];
        dropped_.resize(mark);
    }

    void endTransaction() {
        shared_.inTransaction = false;
        shared_.journal.clear();
        shared_.entryGrowth = 0;
        dropped_.clear();
        created_.clear();
        marks_.clear();
    }

    /// Appends the open transaction's journal entry to the journal's chunks, atomically: one
    /// statement when the entry fits in a chunk (any single change of the benchmarks), else the
    /// rows it fills in one SQLite transaction.
    ///
    /// The journal is a log of chunks of one size, each a row of `chunkBytes()` (a little less
    /// than a page, so one chunk is one b-tree leaf): the generation (8 bytes), records packed,
    /// zeros after the last. A chunk's row is rewritten by each commit that adds to it, over a row
    /// of the same size (of an earlier generation, or preallocated), which SQLite overwrites in
    /// place (btreeOverwriteCell). Appending a row per commit allocated a page every third commit,
    /// so also rewrote page 1 and the parent page (3.9 us of SQLite CPU per commit in a
    /// microbenchmark; an overwrite of the same size 2.4 us, docs/storage.md). Rows of other
    /// sizes in place of others rebalance their pages, and a rebalance that reorders siblings
    /// parks a page under a temporary number past 1 GiB, after which the commit scans the whole
    /// page-cache hash table (pcache1TruncateUnsafe, 300 us with a 64 MiB cache): 1.4% of the
    /// changes of scenario 2 when each commit overwrote a row of its own size.
    void appendJournal() {
        const std::string_view entry = shared_.journal.bytes();
        const size_t capacity = chunkBytes() - kChunkHeader;
        if (entry.size() <= capacity) {
            // The whole entry goes into the current chunk, or else starts the next one: one row
            // written either way. (Splitting it would write two rows, in an explicit transaction.)
            const bool next = chunkSlot_ < 0 || chunk_.size() + entry.size() > capacity;
            const ChunkRow row{next ? chunkSlot_ + 1 : chunkSlot_, next ? std::string_view() : chunk_, entry};
            writeChunks(&row, 1);
            if (next) chunk_.clear();
            chunk_.append(entry);
            chunkSlot_ = row.slot;
        } else {
            // A large entry (a batch): its records fill the current chunk and as many as needed
            // after it; a record larger than a chunk has a row of its own, of its size. Each row
            // is a piece of the entry, cut where records end (after the current chunk's records,
            // in the first).
            const std::vector<size_t>& ends = shared_.journal.recordEnds();
            if (ends.empty() || ends.back() != entry.size())
                throw Error(ErrorCode::Internal, "a journal entry does not end with its last record");
            std::vector<ChunkRow> rows;
            int64_t slot = std::max<int64_t>(chunkSlot_, 0);
            std::string_view head = chunkSlot_ >= 0 ? std::string_view(chunk_) : std::string_view();
            size_t start = 0, at = 0;  // the open row's piece of the entry: [start, at)
            for (size_t end : ends) {
                const size_t open = head.size() + (at - start);
                if (open > 0 && open + (end - at) > capacity) {
                    rows.push_back({slot++, head, entry.substr(start, at - start)});
                    head = {};
                    start = at;
                }
                at = end;
            }
            rows.push_back({slot, head, entry.substr(start, at - start)});
            writeChunks(rows.data(), rows.size());
            std::string last;  // the last row's head may be chunk_ itself
            last.reserve(rows.back().head.size() + rows.back().tail.size());
            last.append(rows.back().head).append(rows.back().tail);
            chunkSlot_ = rows.back().slot;
            chunk_ = std::move(last);
        }
        journalBytes_ += int64_t(entry.size());
    }

    /// A journal row to write: its slot and its records, in two pieces (the chunk's records so far
    /// and the entry joining them), so that the chunk is changed only once the write succeeded.
    struct ChunkRow {
        int64_t slot;
        std::string_view head, tail;
    };

    /// Writes journal rows, in one SQLite transaction when there are several or when rows must be
    /// preallocated first.
    void writeChunks(const ChunkRow* rows, size_t count) {
        const int64_t allocated = int64_t(slotBytes_.size());
        const int64_t last = rows[count - 1].slot;
        const bool own = !db_.inTransaction() && (count > 1 || last >= allocated);
        try {
            if (own) db_.use("BEGIN IMMEDIATE").run();
            // Rows past the allocated ones are inserted with their records. Empty rows are added
            // after them for the single commits that fill a chunk bit by bit, not after a batch's
            // rows, which the next batch may write whole: a batch's chunks were each inserted
            // empty and then overwritten, 13% of a 100,000-room bootstrap's instructions
            // (callgrind, batches of 1,000 inserts).
            for (size_t i = 0; i < count; ++i) writeChunk(rows[i]);
            if (last >= allocated && count == 1) preallocateChunks(last + 1, allocated + preallocationBatch(allocated));
            if (own) db_.use("COMMIT").run();
        } catch (...) {
            if (own && db_.inTransaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            // The rows added rolled back (the sizes of rows overwritten are only an estimate's).
            if (!db_.inTransaction()) slotBytes_.resize(std::min<size_t>(slotBytes_.size(), size_t(allocated)));
            throw;
        }
    }

    /// How many chunk rows the journal grows by once `allocated` rows are full: a quarter at a
    /// time, from 8 rows up to 256 at once (256 KiB with 1 KiB pages), so that a small database
    /// stays small (a browser's storage quota may be a few hundred KiB). Fewer when the journal
    /// folds sooner: under a quota, it may take a quarter of the free space.
    int64_t preallocationBatch(int64_t allocated) const {
        const int64_t size = int64_t(chunkBytes());
        return std::min(std::clamp<int64_t>(allocated / 4, 8, 256), std::max<int64_t>(1, foldThreshold() / size / 16));
    }

    /// Adds empty chunk rows (generation 0, never current) at slots [from, to), so that the
    /// commits filling them overwrite rows of their size rather than append.
    void preallocateChunks(int64_t from, int64_t to) {
        const int64_t size = int64_t(chunkBytes());
        // One prepared INSERT per row: a recursive CTE producing the rows cost 4,360 instructions a
        // row (its queue is an ephemeral table), about 2,400 per change of scenario 1 while the
        // journal's first generation grows.
        for (int64_t slot = from; slot < to; ++slot) {
            auto st = db_.use("INSERT INTO journal(slot, data) VALUES(?1, zeroblob(?2))");
            st.bind(1, slot).bind(2, size);
            st.run();
        }
        for (int64_t slot = from; slot < to; ++slot) setSlotBytes(slot, size_t(size));
    }

    /// The size of a journal chunk: a page less 64 bytes, so that a chunk row (the chunk and
    /// SQLite's record and cell headers) is stored whole in one leaf page.
    size_t chunkBytes() const {
        if (options_.journalChunkBytes > 0) return size_t(std::max<int64_t>(options_.journalChunkBytes, 2 * kChunkHeader));
        return size_t(std::max<int64_t>(pageSize_ - 64, 448));
    }

    /// Writes one journal row: the generation, the records, zeros up to chunkBytes() (none past a
    /// record of its own). chunkScratch_ holds the row so that SQLite can read it in place.
    void writeChunk(const ChunkRow& chunk) {
        std::string& row = chunkScratch_;
        row.resize(kChunkHeader);
        for (size_t i = 0; i < kChunkHeader; ++i) row[i] = char(uint64_t(gen_) >> (8 * (kChunkHeader - 1 - i)));
        row.append(chunk.head).append(chunk.tail);
        if (row.size() < chunkBytes()) row.resize(chunkBytes(), '\0');
        // The row nearly always exists (preallocated, or stale from an earlier generation): a plain
        // UPDATE by rowid is a shorter program than the upsert's insert attempt and conflict
        // branch. Should it be gone (another connection's fold deleted the rows under a quota), the
        // upsert writes it.
        if (size_t(chunk.slot) < slotBytes_.size() && slotBytes_[size_t(chunk.slot)] != 0) {
            auto st = db_.use("UPDATE journal SET data = ?2 WHERE slot = ?1");
            st.bind(1, chunk.slot).bindBlob(2, row, false);
            st.run();
            if (sqlite3_changes(db_.handle()) == 1) {
                setSlotBytes(chunk.slot, row.size());
                return;
            }
        }
        auto st = db_.use("INSERT INTO journal(slot, data) VALUES(?1, ?2) ON CONFLICT(slot) DO UPDATE SET data = excluded.data");
        st.bind(1, chunk.slot).bindBlob(2, row, false);
        st.run();
        setSlotBytes(chunk.slot, row.size());
    }

    /// The generation of a journal row (its first 8 bytes, big-endian); 0 for a shorter one.
    static int64_t chunkGeneration(std::string_view row) {
        if (row.size() < kChunkHeader) return 0;
        uint64_t gen = 0;
        for (size_t i = 0; i < kChunkHeader; ++i) gen = (gen << 8) | uint8_t(row[i]);
        return int64_t(gen);
    }

    /// Keeps ringBytes_, the bytes of every journal row, current and stale.
    void setSlotBytes(int64_t slot, size_t bytes) {
        if (size_t(slot) >= slotBytes_.size()) slotBytes_.resize(size_t(slot) + 1, 0);
        ringBytes_ += int64_t(bytes) - int64_t(slotBytes_[size_t(slot)]);
        slotBytes_[size_t(slot)] = uint32_t(bytes);
    }

    void maybeFold() {
        if (journalBytes_ >= foldThreshold() && journalBytes_ >= retryFoldAt_) fold();
    }

    /// The journal bytes past which a commit folds: when its superseded records (everything but
    /// the elements it added) reach the size of the state it describes, the keyed tables' and the
    /// added elements', at least kMinFoldBytes. A fold rewrites that state, and it saves only the
    /// superseded records: a journal that only adds (a bootstrap) replays as fast as the rows a
    /// fold would write, so folding it is a rewrite for nothing. Folding it anyway took 43% of a
    /// 100,000-room bootstrap (0.81-1.19 s against 0.30 s without); its rows are written by the
    /// first fold after updates have superseded as many bytes.
    int64_t foldThreshold() const {
        const int64_t growth = std::max<int64_t>(0, growthBytes_);
        const int64_t floor = options_.minFoldBytes > 0 ? options_.minFoldBytes : kMinFoldBytes;
        int64_t threshold = options_.foldBytes > 0 ? options_.foldBytes : growth + std::max(floor, stateBytes_ + growth);
        // Under a size quota the journal may take at most a quarter of what the state leaves free:
        // left to grow to 16 MiB it would fill a small quota with records of a state that fits
        // many times over. A quarter, as its rows can take twice their bytes in pages (a 2 KB row
        // alone in a 4 KiB page), and the fold then needs room for the rows it writes.
        if (options_.foldBytes <= 0 && options_.maxPageCount > 0)
            threshold = std::min(threshold, std::max<int64_t>(pageSize_, (options_.maxPageCount * pageSize_ - stateBytes_) / 4));
        return threshold;
    }

    /// Brings the tables up to date and empties the journal, in one transaction: the records whose
    /// effect depends on their order (queries, futures, sorted sets, joins, archive) are read back
    /// from the journal and applied in order (only when there are any); each keyed row written
    /// since the last fold (elements, accumulators, live rows, state, meta) is written once, with
    /// its current value from memory. A failure (a full disk) loses nothing: the journal keeps
    /// every record, and the fold is retried once the journal has doubled.
    void fold() {
        try {
            db_.use("BEGIN IMMEDIATE").run();
            if (shared_.journal.orderedSinceFold() > 0) {
                auto st = db_.use("SELECT data FROM journal WHERE slot <= ?1 ORDER BY slot");
                st.bind(1, chunkSlot_);
                while (st.step()) {
                    sqlitejournal::Parser parser(st.columnBytes(0).substr(kChunkHeader));
                    Record rec;
                    while (parser.next(rec))
                        if (sqlitejournal::rowClass(rec.op) == 0) applyToTables(rec);
                }
            }
            // The journal's rows stay, to be overwritten: only the generation moves on. Under a
            // size quota they go, first: the keyed rows written next may need their pages (the
            // ring at its largest is a quarter of the quota, maybeFold()).
            db_.use("UPDATE journal_gen SET gen = ?1").bind(1, gen_ + 1).run();
            if (options_.maxPageCount > 0) db_.use("DELETE FROM journal").run();
            writeDirtyRows();
            db_.use("COMMIT").run();
            ++gen_;
            shared_.mark = markOf(gen_);
            chunkSlot_ = -1;
            chunk_.clear();
            if (options_.maxPageCount > 0) {
                slotBytes_.clear();
                ringBytes_ = 0;
            }
            shared_.journal.folded();
            clearDirty();
            // The fold rewrote a good part of the database into the WAL: copy it back now, in the
            // fold's own pause, rather than in whichever later change reaches the automatic
            // checkpoint (about 40 MB of copying at 100,000 rooms). It kept the mean cost of a
            // change the same in an A/B of scenario 1 (3 runs each). Best effort: a WAL not yet
            // copied back is still the database.
            if (walMode_) sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
            journalBytes_ = 0;
            growthBytes_ = 0;
            retryFoldAt_ = 0;
            stateBytes_ = std::max<int64_t>(0, usedBytes() - ringBytes_);
        } catch (const Error&) {
            if (db_.inTransaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            retryFoldAt_ = journalBytes_ * 2;
        }
    }

    /// Writes every keyed row written since the last fold with its current value, table by table
    /// in the tables' key order: a fold rewrites many leaf pages, and in key order it finishes
    /// each page before the next. Rows of dropped queries are skipped: query numbers are never
    /// reused, and the query's QueryDrop (applied before) deleted what earlier folds wrote.
    void writeDirtyRows() {
        Writer data;
        std::vector<Handle*> live;
        for (auto& [id, handle] : handles_) live.push_back(handle.get());
        std::sort(live.begin(), live.end(), [](Handle* a, Handle* b) { return a->num < b->num; });
        std::vector<int> slots;
        for (Handle* h : live) {
            const int64_t q = h->num;
            for (const ElementRef* ref : sortedRefs(h->dirtyElements)) {
                if (ElementPtr e = memoryElementWithSlots(*h->mem.elements, *ref, slots)) {
                    data.clear();
                    data.slots(slots);
                    data.element(*e);
                    auto st = db_.use("INSERT OR REPLACE INTO elements(q, source, id, data) VALUES(?1, ?2, ?3, ?4)");
                    st.bind(1, q).bindText(2, ref->source).bindText(3, ref->id).bindBlob(4, data.view());
                    st.run();
                } else {
                    auto st = db_.use("DELETE FROM elements WHERE q = ?1 AND source = ?2 AND id = ?3");
                    st.bind(1, q).bindText(2, ref->source).bindText(3, ref->id);
                    st.run();
                }
            }
            for (int64_t key : sortedKeys(h->dirtyAccumulators)) {
                auto a = h->mem.results->get(fromSql(key));
                data.clear();
                if (a) data.accumulator(*a);
                writeKeyedRow("INSERT OR REPLACE INTO accumulators(key, q, data) VALUES(?1, ?2, ?3)",
                              "DELETE FROM accumulators WHERE key = ?1 AND q = ?2", key, q, a ? &data : nullptr);
            }
            Map row;
            for (int64_t key : sortedKeys(h->dirtyLive)) {
                const bool found = memoryLiveRow(*h->mem.live, fromSql(key), row);
                data.clear();
                if (found) data.map(row);
                writeKeyedRow("INSERT OR REPLACE INTO live(sig, q, data) VALUES(?1, ?2, ?3)",
                              "DELETE FROM live WHERE sig = ?1 AND q = ?2", key, q, found ? &data : nullptr);
            }
            for (const std::string& key : h->dirtyState) {
                if (auto value = h->mem.state->get(key)) {
                    auto st = db_.use("INSERT OR REPLACE INTO state(q, key, value) VALUES(?1, ?2, ?3)");
                    st.bind(1, q).bindText(2, key).bindBlob(3, *value);
                    st.run();
                } else {
                    auto st = db_.use("DELETE FROM state WHERE q = ?1 AND key = ?2");
                    st.bind(1, q).bindText(2, key);
                    st.run();
                }
            }
        }
        for (const std::string& key : dirtyMeta_) {
            auto st = db_.use("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
            st.bindText(1, key).bindBlob(2, mem_->getMeta(key).value_or(std::string()));
            st.run();
        }
    }

    /// Writes one row of a table keyed (64-bit key, q): its encoding, or its deletion (null).
    void writeKeyedRow(const char* upsertSql, const char* deleteSql, int64_t key, int64_t q, const Writer* data) {
        auto st = db_.use(data ? upsertSql : deleteSql);
        st.bind(1, key).bind(2, q);
        if (data) st.bindBlob(3, data->view());
        st.run();
    }

    /// Marks a fold has written: cleared only once its transaction committed.
    void clearDirty() {
        for (auto& [id, handle] : handles_) {
            handle->dirtyElements.clear();
            handle->dirtyAccumulators.clear();
            handle->dirtyLive.clear();
            handle->dirtyState.clear();
        }
        dirtyMeta_.clear();
    }

    /// Element refs in the elements table's order: (source, id), each compared as SQLite compares
    /// text (bytes, then length). Sorted on a copy of each field's first 16 bytes as two big-endian
    /// integers, falling back to the strings only on a tie: comparing the refs themselves chased
    /// two hash-table nodes per comparison (a third of a fold's instructions at 10,000 rooms).
    /// Repeats are listed once.
    static std::vector<const ElementRef*> sortedRefs(const std::vector<ElementRef>& refs) {
        struct Key {
            uint64_t source[2];
            uint64_t id[2];
            size_t sourceSize, idSize;
            const ElementRef* ref;
        };
        auto head = [](const std::string& text, uint64_t (&out)[2]) {
            unsigned char bytes[16] = {};
            std::memcpy(bytes, text.data(), std::min<size_t>(text.size(), 16));
            for (int half = 0; half < 2; ++half) {
                uint64_t v = 0;
                for (int i = 0; i < 8; ++i) v = (v << 8) | bytes[half * 8 + i];
                out[half] = v;
            }
        };
        // a before b in (bytes, then length) order, given equal 16-byte heads.
        auto tail = [](const std::string& a, const std::string& b) {
            return std::string_view(a).substr(std::min<size_t>(a.size(), 16)) <
                   std::string_view(b).substr(std::min<size_t>(b.size(), 16));
        };
        std::vector<Key> keys;
        keys.reserve(refs.size());
        for (const ElementRef& ref : refs) {
            Key k{};
            head(ref.source, k.source);
            head(ref.id, k.id);
            k.sourceSize = ref.source.size();
            k.idSize = ref.id.size();
            k.ref = &ref;
            keys.push_back(k);
        }
        std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
            if (a.source[0] != b.source[0]) return a.source[0] < b.source[0];
            if (a.source[1] != b.source[1]) return a.source[1] < b.source[1];
            if (a.sourceSize != b.sourceSize) {
                // Equal heads: the shorter is a prefix (with zero padding) unless both go past 16.
                if (a.sourceSize <= 16 || b.sourceSize <= 16) return a.sourceSize < b.sourceSize;
                return tail(a.ref->source, b.ref->source);
            }
            if (a.sourceSize > 16 && a.ref->source != b.ref->source) return tail(a.ref->source, b.ref->source);
            if (a.id[0] != b.id[0]) return a.id[0] < b.id[0];
            if (a.id[1] != b.id[1]) return a.id[1] < b.id[1];
            if (a.idSize != b.idSize) {
                if (a.idSize <= 16 || b.idSize <= 16) return a.idSize < b.idSize;
                return tail(a.ref->id, b.ref->id);
            }
            return a.idSize > 16 && tail(a.ref->id, b.ref->id);
        });
        std::vector<const ElementRef*> out;
        out.reserve(keys.size());
        for (const Key& k : keys)
            if (out.empty() || !(*out.back() == *k.ref)) out.push_back(k.ref);
        return out;
    }

    /// 64-bit keys as stored (top bit flipped), in the table's order.
    static std::vector<int64_t> sortedKeys(const DirtyKeys& keys) {
        std::vector<int64_t> out;
        out.reserve(keys.size());
        for (const auto& [key, unused] : keys) out.push_back(toSql(key));
        std::sort(out.begin(), out.end());
        return out;
    }

    /// One journal record whose effect depends on its order, written to the tables.
    void applyToTables(const Record& rec) {
        const int64_t q = rec.query;
        Reader body(rec.body);
        switch (rec.op) {
        case Op::ArchiveAdd: {
            ElementPtr e = body.element();
            auto st = db_.use("INSERT OR REPLACE INTO archive(q, source, id, t, data) VALUES(?1, ?2, ?3, ?4, ?5)");
            st.bind(1, q).bindText(2, e->ref.source).bindText(3, e->ref.id).bind(4, e->effectiveFrom);
            st.bindBlob(5, rec.body);
            st.run();
            return;
        }
        case Op::SortedIncrement: {
            int64_t setId = toSql(body.varint());
            double value = body.float64();
            int64_t delta = body.signedVarint();
            {
                auto st = db_.use(
                    "INSERT INTO sorted_sets(q, set_id, value, count) VALUES(?1, ?2, ?3, ?4) "
                    "ON CONFLICT(q, set_id, value) DO UPDATE SET count = count + excluded.count");
                st.bind(1, q).bind(2, setId).bind(3, value).bind(4, delta);
                st.run();
            }
            if (delta < 0) {
                auto st = db_.use("DELETE FROM sorted_sets WHERE q = ?1 AND set_id = ?2 AND value = ?3 AND count <= 0");
                st.bind(1, q).bind(2, setId).bind(3, value);
                st.run();
            }
            return;
        }
        case Op::JoinAdd:
        case Op::JoinRemove: {
            std::string joinKey = body.text();
            ElementRef ref = body.ref();
            auto st = db_.use(rec.op == Op::JoinAdd
                                  ? "INSERT OR IGNORE INTO joins(q, key, source, id) VALUES(?1, ?2, ?3, ?4)"
                                  : "DELETE FROM joins WHERE q = ?1 AND key = ?2 AND source = ?3 AND id = ?4");
            st.bind(1, q).bindBlob(2, joinKey).bindText(3, ref.source).bindText(4, ref.id);
            st.run();
            return;
        }
        case Op::FuturePush: {
            FutureItem item = readFuture(body);
            auto st = db_.use(
                "INSERT INTO futures(q, position, grp, source, id, original, due) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
            st.bind(1, q).bind(2, int64_t(item.position)).bind(3, toSql(item.groupSignature));
            st.bindText(4, item.element.source).bindText(5, item.element.id);
            st.bind(6, item.originalTime).bind(7, item.dueTime);
            st.run();
            return;
        }
        case Op::FutureRemove: {
            int64_t position = int64_t(body.varint());
            int64_t group = toSql(body.varint());
            auto st = db_.use("DELETE FROM futures WHERE q = ?1 AND position = ?2 AND grp = ?3");
            st.bind(1, q).bind(2, position).bind(3, group);
            st.run();
            return;
        }
        case Op::FuturePop: {
            // The queue's order is (due, push order), and seq grows with every push: the same item.
            auto st = db_.use(
                "DELETE FROM futures WHERE seq = (SELECT seq FROM futures WHERE q = ?1 AND due <= ?2 "
                "ORDER BY due, seq LIMIT 1)");
            st.bind(1, q).bind(2, body.signedVarint());
            st.run();
            return;
        }
        case Op::QueryOpen: {
            auto st = db_.use("INSERT INTO queries(num, id) VALUES(?1, ?2) ON CONFLICT(id) DO NOTHING");
            st.bind(1, q).bindText(2, body.text());
            st.run();
            return;
        }
        case Op::QuerySave: {
            std::string id = body.text();
            std::string config = body.text();
            auto st = db_.use(
                "INSERT INTO queries(num, id, config, save_order) "
                "VALUES(?1, ?2, ?3, (SELECT coalesce(max(save_order), 0) + 1 FROM queries)) "
                "ON CONFLICT(id) DO UPDATE SET config = excluded.config, "
                "save_order = coalesce(queries.save_order, excluded.save_order)");
            st.bind(1, q).bindText(2, id).bindText(3, config);
            st.run();
            return;
        }
        case Op::QueryDrop:
            for (const char* sql : kDropQuerySql) {
                auto st = db_.use(sql);
                st.bind(1, q);
                st.run();
            }
            return;
        default: throw Error(ErrorCode::Internal, "applyToTables(): a keyed record");
        }
    }

    /// Builds the memory state from the keyed tables and the journal (outside any transaction:
    /// the memory backend keeps no undo log then).
    void load() {
        // One read transaction: the tables and the journal read from one snapshot, even while
        // another connection commits (and perhaps folds) in between.
        const bool own = !db_.inTransaction();
        if (own) db_.exec("BEGIN");
        try {
            loadTables();
        } catch (...) {
            if (own && db_.inTransaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
        if (own) db_.exec("COMMIT");
    }

    void loadTables() {
        mem_ = makeMemoryBackend();
        dirtyMeta_.clear();
        std::unordered_map<int64_t, std::shared_ptr<Handle>> byNum;
        auto addHandle = [&](int64_t num, const std::string& id) {
            auto handle = std::make_shared<Handle>(shared_, num, id, mem_->openQuery(id));
            handles_[id] = handle;
            byNum[num] = handle;
            nextNum_ = std::max(nextNum_, num + 1);
        };
        auto stores = [&](int64_t q) -> QueryStore* {
            auto it = byNum.find(q);
            return it == byNum.end() ? nullptr : &it->second->mem;
        };
        handles_.clear();
        nextNum_ = 1;
        {
            auto st = db_.use("SELECT num, id FROM queries ORDER BY num");
            while (st.step()) addHandle(st.columnInt(0), std::string(st.columnBytes(1)));
        }
        {
            auto st = db_.use("SELECT id, config FROM queries WHERE save_order IS NOT NULL ORDER BY save_order");
            while (st.step()) mem_->saveQuery({std::string(st.columnBytes(0)), std::string(st.columnBytes(1))});
        }
        {
            auto st = db_.use("SELECT key, value FROM meta");
            while (st.step()) mem_->putMeta(std::string(st.columnBytes(0)), std::string(st.columnBytes(1)));
        }
        {
            auto st = db_.use("SELECT q, data FROM elements");
            while (st.step()) {
                QueryStore* s = stores(st.columnInt(0));
                if (!s) continue;
                Reader r(st.columnBytes(1));
                std::vector<int> slots = r.slots();
                s->elements->setElement(r.element(), slots);
            }
        }
        {
            auto st = db_.use("SELECT q, key, source, id FROM joins");
            while (st.step())
                if (QueryStore* s = stores(st.columnInt(0)))
                    s->elements->addJoinEntry(std::string(st.columnBytes(1)),
                                              ElementRef{std::string(st.columnBytes(2)), std::string(st.columnBytes(3))});
        }
        {
            auto st = db_.use("SELECT q, data FROM archive");
            while (st.step())
                if (QueryStore* s = stores(st.columnInt(0))) s->archive->addVersion(sqlitecodec::decodeElement(st.columnBytes(1)));
        }
        {
            auto st = db_.use("SELECT q, key, data FROM accumulators");
            while (st.step()) {
                if (QueryStore* s = stores(st.columnInt(0))) {
                    Accumulator a = sqlitecodec::decodeAccumulator(st.columnBytes(2));
                    s->results->set(fromSql(st.columnInt(1)), &a);
                }
            }
        }
        {
            auto st = db_.use("SELECT q, set_id, value, count FROM sorted_sets");
            while (st.step())
                if (QueryStore* s = stores(st.columnInt(0)))
                    s->results->sortedIncrement(fromSql(st.columnInt(1)), st.columnDouble(2), st.columnInt(3));
        }
        {
            auto st = db_.use("SELECT q, position, grp, source, id, original, due FROM futures ORDER BY due, seq");
            while (st.step()) {
                QueryStore* s = stores(st.columnInt(0));
                if (!s) continue;
                FutureItem item;
                item.position = uint32_t(st.columnInt(1));
                item.groupSignature = fromSql(st.columnInt(2));
                item.element = ElementRef{std::string(st.columnBytes(3)), std::string(st.columnBytes(4))};
                item.originalTime = st.columnInt(5);
                item.dueTime = st.columnInt(6);
                s->futures->push(PushMode::Always, item);
            }
        }
        {
            auto st = db_.use("SELECT q, sig, data FROM live");
            while (st.step())
                if (QueryStore* s = stores(st.columnInt(0)))
                    s->live->upsertRow(fromSql(st.columnInt(1)), sqlitecodec::decodeMap(st.columnBytes(2)));
        }
        {
            auto st = db_.use("SELECT q, key, value FROM state");
            while (st.step())
                if (QueryStore* s = stores(st.columnInt(0)))
                    s->state->put(std::string(st.columnBytes(1)), std::string(st.columnBytes(2)));
        }
        // The journal's current rows are its first slots with the current generation: each commit
        // since the last fold wrote the next slot, in one transaction, so the first row of another
        // generation (or a gap) ends them. The rest are stale, left to be overwritten.
        journalBytes_ = 0;
        growthBytes_ = 0;
        ringBytes_ = 0;
        slotBytes_.clear();
        gen_ = db_.queryInt("SELECT gen FROM journal_gen");
        shared_.mark = markOf(gen_);
        chunkSlot_ = -1;
        chunk_.clear();
        {
            auto st = db_.use("SELECT slot, substr(data, 1, 8), length(data) FROM journal ORDER BY slot");
            while (st.step()) {
                const int64_t slot = st.columnInt(0);
                setSlotBytes(slot, size_t(st.columnInt(2)));
                if (slot == chunkSlot_ + 1 && chunkGeneration(st.columnBytes(1)) == gen_) chunkSlot_ = slot;
            }
        }
        {
            auto st = db_.use("SELECT slot, data FROM journal WHERE slot <= ?1 ORDER BY slot");
            st.bind(1, chunkSlot_);
            while (st.step()) {
                std::string_view chunk = st.columnBytes(1).substr(kChunkHeader);
                sqlitejournal::Parser parser(chunk);
                Record rec;
                size_t recordStart = 0;
                while (parser.next(rec)) {
                    const int64_t recordBytes = int64_t(parser.position() - recordStart);
                    recordStart = parser.position();
                    shared_.journal.replayed(rec);
                    Reader body(rec.body);
                    if (rec.op == Op::QueryOpen) {
                        std::string id = body.text();
                        if (!handles_.count(id)) addHandle(rec.query, id);
                    } else if (rec.op == Op::QueryDrop) {
                        auto it = byNum.find(rec.query);
                        if (it == byNum.end()) continue;
                        mem_->dropQuery(it->second->id);
                        handles_.erase(it->second->id);
                        byNum.erase(it);
                    } else if (rec.op == Op::QuerySave) {
                        std::string id = body.text();
                        if (!handles_.count(id)) addHandle(rec.query, id);
                        mem_->saveQuery({id, body.text()});
                    } else if (rec.op == Op::MetaPut) {
                        Reader key(rec.key);
                        std::string name = key.text();
                        dirtyMeta_.insert(name);
                        mem_->putMeta(name, body.text());
                    } else if (auto it = byNum.find(rec.query); it != byNum.end()) {
                        applyToMemory(rec, *it->second, shared_.mark, recordBytes, shared_);
                    }
                }
                journalBytes_ += int64_t(parser.position());
                // The last row is the current chunk: the next commit's records follow its own.
                if (st.columnInt(0) == chunkSlot_) chunk_.assign(chunk.substr(0, parser.position()));
            }
        }
        // The replay counted the elements the journal added, as commits do (Shared::entryGrowth).
        growthBytes_ = shared_.entryGrowth;
        shared_.entryGrowth = 0;
        stateBytes_ = std::max<int64_t>(0, usedBytes() - ringBytes_);
        if (watchOthers_) dataVersion_ = db_.queryInt("PRAGMA data_version");
    }

    /// The element an ElementPatch record makes of the stored one (recordElement).
    static ElementPtr patched(const ElementRef& ref, ElementIndex& elements, Reader& body) {
        ElementPtr previous = elements.getElement(ref);
        if (!previous) {
            throw Error(ErrorCode::StorageCorrupt,
                        "the journal changes an element that is not stored (" + ref.source + ", " + ref.id + ")");
        }
        auto e = Element::copyOf(*previous);
        e->effectiveFrom = body.signedVarint();
        for (uint64_t tag; (tag = body.varint()) != 0;) {
            std::string name = body.text();
            if (tag == 1) {
                e->properties.set(name, body.value());
            } else if (tag == 2) {
                e->properties.erase(name);
            } else {
                throw Error(ErrorCode::StorageCorrupt, "the journal has an element patch of unknown kind " + std::to_string(tag));
            }
        }
        return e;
    }

    static uint32_t markOf(int64_t gen) { return uint32_t(uint64_t(gen) % 0xffffffffu) + 1; }

    /// The body of a FuturePush record (written by Futures::push).
    static FutureItem readFuture(Reader& body) {
        FutureItem item;
        item.position = uint32_t(body.varint());
        item.groupSignature = body.varint();
        item.element = body.ref();
        item.originalTime = body.signedVarint();
        item.dueTime = body.signedVarint();
        return item;
    }

    /// One journal record of a query, applied to its stores in the memory backend (and marked
    /// for the next fold, as the write that made it was).
    /// Applies a replayed record (`recordBytes` long) to memory; counts the elements it adds in
    /// `shared.entryGrowth`, as a commit would.
    static void applyToMemory(const Record& rec, Handle& h, uint32_t mark, int64_t recordBytes, Shared& shared) {
        QueryStore& s = h.mem;
        Reader key(rec.key);
        Reader body(rec.body);
        switch (rec.op) {
        case Op::ElementSet:
        case Op::ElementPatch: {
            std::vector<int> slots = body.slots();
            ElementPtr e = rec.op == Op::ElementSet ? body.element() : patched(key.ref(), *s.elements, body);
            bool firstMark = false;
            ElementPtr previous = h.memWrites->setElementMarked(e, slots, mark, firstMark);
            if (firstMark) h.markElement(e->ref);
            if (!previous) shared.recordedInsert(recordBytes);
            return;
        }
        case Op::ElementDelete: {
            ElementRef ref = key.ref();
            h.markElement(ref);
            s.elements->deleteElement(ref);
            shared.recordedDelete();
            return;
        }
        case Op::ArchiveAdd: s.archive->addVersion(body.element()); return;
        case Op::AccumulatorSet:
        case Op::AccumulatorDelete: {
            uint64_t k = key.varint();
            h.dirtyAccumulators.try_emplace(k);
            if (rec.op == Op::AccumulatorDelete) {
                s.results->set(k, nullptr);
                return;
            }
            Accumulator a = body.accumulator();
            s.results->set(k, &a);
            return;
        }
        case Op::SortedIncrement: {
            uint64_t setId = body.varint();
            double value = body.float64();
            s.results->sortedIncrement(setId, value, body.signedVarint());
            return;
        }
        case Op::JoinAdd:
        case Op::JoinRemove: {
            std::string joinKey = body.text();
            ElementRef ref = body.ref();
            if (rec.op == Op::JoinAdd) {
                s.elements->addJoinEntry(joinKey, ref);
            } else {
                s.elements->removeJoinEntry(joinKey, ref);
            }
            return;
        }
        case Op::FuturePush: s.futures->push(PushMode::Always, readFuture(body)); return;
        case Op::FutureRemove: {
            uint32_t position = uint32_t(body.varint());
            s.futures->remove(position, body.varint());
            return;
        }
        case Op::FuturePop: s.futures->popDue(body.signedVarint()); return;
        case Op::LiveSet:
        case Op::LiveDelete: {
            uint64_t signature = key.varint();
            h.dirtyLive.try_emplace(signature);
            if (rec.op == Op::LiveDelete) {
                s.live->removeRow(signature);
                return;
            }
            s.live->upsertRow(signature, body.map());
            return;
        }
        case Op::StatePut:
        case Op::StateDelete: {
            std::string name = key.text();
            h.dirtyState.insert(name);
            if (rec.op == Op::StateDelete) {
                s.state->put(name, std::nullopt);
                return;
            }
            s.state->put(name, body.text());
            return;
        }
        default: return;  // engine-wide records are applied by load()
        }
    }

    /// The database's size less its free pages (a fold's deleted journal leaves many).
    int64_t usedBytes() {
        return (db_.queryInt("PRAGMA page_count") - db_.queryInt("PRAGMA freelist_count")) *
               db_.queryInt("PRAGMA page_size");
    }

    void refreshOutsideTransaction() {
        if (watchOthers_ && !shared_.inTransaction) refreshIfChanged();
    }

    /// Reloads the state when another connection has committed since this one last looked. The
    /// engine keeps the stores it holds: each handle is re-pointed at the new memory state.
    void refreshIfChanged() {
        int64_t version = db_.queryInt("PRAGMA data_version");
        if (version == dataVersion_) return;
        auto old = std::move(handles_);
        pendingOpens_.clear();
        load();
        for (auto& [id, handle] : old) {
            auto it = handles_.find(id);
            if (it != handles_.end()) {
                handle->num = it->second->num;
                handle->setMem(it->second->mem);
                handle->dirtyElements = std::move(it->second->dirtyElements);
                handle->dirtyAccumulators = std::move(it->second->dirtyAccumulators);
                handle->dirtyLive = std::move(it->second->dirtyLive);
                handle->dirtyState = std::move(it->second->dirtyState);
                it->second = handle;
            } else {
                // Created here and not yet stored, or dropped by the other connection: the engine
                // may hold its stores, so it lives on, empty, as a new query.
                handle->num = nextNum_++;
                handle->setMem(mem_->openQuery(id));
                handle->dirtyElements.clear();
                handle->dirtyAccumulators.clear();
                handle->dirtyLive.clear();
                handle->dirtyState.clear();
                handles_[id] = handle;
                pendingOpens_.push_back(handle);
            }
        }
    }

    void openSchema() {
        // The first read of the file: a file that is not SQLite fails here with SQLITE_NOTADB.
        int64_t applicationId = db_.queryInt("PRAGMA application_id");
        int64_t tables = db_.queryInt("SELECT count(*) FROM sqlite_schema");
        if (applicationId == kSqliteApplicationId) {
            int64_t version = db_.queryInt("PRAGMA user_version");
            if (version < kSqliteOldestReadableVersion || version > kSqliteSchemaVersion) {
                throw Error(ErrorCode::StorageSchema,
                            "the database " + db_.path() + " has cqlite schema version " + std::to_string(version) +
                                "; this build reads versions " + std::to_string(kSqliteOldestReadableVersion) +
                                " to " + std::to_string(kSqliteSchemaVersion));
            }
            // Marked before this build's first journal record, which an older build cannot read.
            if (version != kSqliteSchemaVersion && !options_.readOnly)
                db_.exec("PRAGMA user_version=" + std::to_string(kSqliteSchemaVersion));
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
            // WAL everywhere the index can live in heap memory (above); another VFS under
            // Emscripten (memdb) gets a rollback journal unless the caller names a mode.
#ifdef __EMSCRIPTEN__
            if (mode.empty()) mode = options_.vfs.empty() ? "WAL" : "TRUNCATE";
#else
            if (mode.empty()) mode = "WAL";
#endif
            walMode_ = db_.queryText("PRAGMA journal_mode=" + mode) == "wal";
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
        pageSize_ = db_.queryInt("PRAGMA page_size", 4096);
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

    SqliteOptions options_;
    Connection db_;
    Shared shared_;
    std::unique_ptr<StorageBackend> mem_;
    std::unordered_map<std::string, std::shared_ptr<Handle>> handles_;
    std::vector<std::shared_ptr<Handle>> created_;    ///< created in the open transaction
    std::vector<std::shared_ptr<Handle>> dropped_;    ///< dropped in the open transaction
    std::vector<std::shared_ptr<Handle>> pendingOpens_;  ///< to journal as created at the next begin()
    std::vector<Mark> marks_;
    std::set<std::string> dirtyMeta_;  ///< meta keys written since the last fold
    int64_t nextNum_ = 1;
    int64_t journalBytes_ = 0;  ///< bytes in the journal's current rows (since the last fold)
    /// Of journalBytes_, those that added elements (Shared::entryGrowth), as committed (or
    /// replayed when opening) since the last fold.
    int64_t growthBytes_ = 0;
    int64_t gen_ = 1;           ///< the journal's generation: one more per fold
    int64_t chunkSlot_ = -1;    ///< the journal row of the current chunk (-1: none since the fold)
    std::string chunk_;         ///< the current chunk's records (without its generation and padding)
    std::string chunkScratch_;  ///< the row writeChunk() binds
    int64_t ringBytes_ = 0;     ///< bytes in every journal row, stale ones included
    std::vector<uint32_t> slotBytes_;  ///< each journal row's size (for ringBytes_)
    int64_t stateBytes_ = 0;    ///< the database's size after the last fold, less the journal
    int64_t retryFoldAt_ = 0;
    bool watchOthers_ = false;
    bool walMode_ = false;
    int64_t pageSize_ = 4096;
    int64_t dataVersion_ = 0;
};

}  // namespace

std::unique_ptr<StorageBackend> makeSqliteBackend(const std::string& path, SqliteOptions options) {
    return std::make_unique<SqliteBackend>(path, std::move(options));
}

}  // namespace cq
