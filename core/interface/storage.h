// SPDX-License-Identifier: MIT
// The storage interfaces the engine is written against. storage/memory and storage/sqlite implement
// them; core/ never includes either. Every method runs inside the engine's open transaction
// (StorageBackend::begin ... commit): one transaction per accepted change or batch, with a savepoint
// per query so that a change one query rejects leaves that query's state as it was.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model/element.h"
#include "core/model/value.h"

namespace cq {

/// Elements as one query sees them (after its middleware), with the slot affinity that says which
/// MATCH pattern positions each element can fill, and the adjacency the path solver walks.
class ElementIndex {
public:
    virtual ~ElementIndex() = default;
    /// The stored version of an element, or null.
    virtual ElementPtr getElement(const ElementRef& ref) = 0;
    /// getElement(element.ref), for an index that can use the hash the element keeps
    /// (Element::identityHash) instead of hashing the ref again.
    virtual ElementPtr getStored(const Element& element) { return getElement(element.ref); }
    /// getStored(element) and, where the index keeps them, the slots it was stored with (sorted) in
    /// `slots`, with `slotsKnown` set; otherwise `slotsKnown` is false and `slots` untouched. The
    /// engine then need not work out the old version's affinity again (its labels are one more
    /// cache line a change).
    virtual ElementPtr getStoredWithSlots(const Element& element, std::vector<int>& slots, bool& slotsKnown) {
        (void)slots;
        slotsKnown = false;
        return getStored(element);
    }
    /// A hint that getStored(element) is coming: an index in a hash table starts loading the slot.
    virtual void prefetchStored(const Element& element) { (void)element; }
    /// Stores (replaces) an element and its slot affinity (sorted slot numbers; may be empty). For a
    /// relation, indexes it under (slot, start) and (slot, end) for each slot.
    virtual void setElement(const ElementPtr& element, const std::vector<int>& slots) = 0;
    /// Removes an element, its affinity and its adjacency entries. No-op when absent.
    virtual void deleteElement(const ElementRef& ref) = 0;
    /// The element if it is stored with affinity to `slot`, else null.
    virtual ElementPtr getSlotElement(int slot, const ElementRef& ref) = 0;
    /// Appends the relations with affinity to `slot` whose start (tail) node is `node` (only its
    /// ref matters, and the node need not be stored). An element, not a ref: an index keyed by ref
    /// hashes can use the hash the element keeps (Element::identityHash) instead of hashing the
    /// ref again (about 2% of a 2-hop change's instructions when a ref was two strings).
    virtual void relationsByStart(int slot, const Element& node, std::vector<ElementPtr>& out) = 0;
    /// Appends the relations with affinity to `slot` whose end (head) node is `node`.
    virtual void relationsByEnd(int slot, const Element& node, std::vector<ElementPtr>& out) = 0;

    /// Synthetic joins: the set of elements whose join property has a given value, keyed by an
    /// opaque string the engine builds from (join id, key position, value).
    virtual void addJoinEntry(const std::string& key, const ElementRef& ref) = 0;
    virtual void removeJoinEntry(const std::string& key, const ElementRef& ref) = 0;
    virtual void joinEntries(const std::string& key, std::vector<ElementRef>& out) = 0;
};

/// Every version of every element, by effective_from (for drasi.getVersionByTimestamp and
/// drasi.getVersionsByTimeRange). Deletes do not prune.
class ElementArchive {
public:
    virtual ~ElementArchive() = default;
    /// Records `element` as the version valid from element->effectiveFrom (replacing one with the
    /// same time).
    virtual void addVersion(const ElementPtr& element) = 0;
    /// The latest version with effectiveFrom <= time, or null.
    virtual ElementPtr versionAt(const ElementRef& ref, int64_t time) = 0;
    /// Versions with from <= effectiveFrom <= to, oldest first. With includeInitial the range starts
    /// at the version in effect at `from` instead: the latest with effectiveFrom <= from (so a
    /// version exactly at `from` is not preceded by an older one).
    virtual void versionsBetween(const ElementRef& ref, int64_t from, int64_t to, bool includeInitial,
                                 std::vector<ElementPtr>& out) = 0;
};

/// The state of one aggregate or stateful function for one group, or a part's bookkeeping.
/// Which fields are used depends on the function (see core/query/aggregates.cpp).
struct Accumulator {
    double sum = 0;     ///< sum, avg, linear gradient mean_x
    int64_t count = 0;  ///< count, avg, linear gradient n
    double a = 0;       ///< linear gradient mean_y
    double b = 0;       ///< linear gradient m2
    double c = 0;       ///< linear gradient cov
    Value value;        ///< collect's list, drasi.last, time markers, previousValue's map, signatures
};

/// Accumulators keyed by a 64-bit key (hash of owner and group), and counted sorted multisets of
/// doubles for min/max.
class ResultIndex {
public:
    virtual ~ResultIndex() = default;
    virtual std::optional<Accumulator> get(uint64_t key) = 0;
    /// Stores or (with nullptr) deletes.
    virtual void set(uint64_t key, const Accumulator* value) = 0;
    /// The smallest value in set `setId` strictly greater than `after` (or the smallest when
    /// `after` is empty), with its count; empty when none.
    virtual std::optional<std::pair<double, int64_t>> sortedNext(uint64_t setId,
                                                                 std::optional<double> after) = 0;
    /// Adds delta to the count of `value`; a count that reaches 0 is removed.
    virtual void sortedIncrement(uint64_t setId, double value, int64_t delta) = 0;
};

/// A request to re-evaluate a solution at a later time (time-based functions).
struct FutureItem {
    uint32_t position = 0;        ///< the call site (byte offset of the function in the query)
    uint64_t groupSignature = 0;  ///< the solution or group the call belongs to
    ElementRef element;           ///< the anchor element to re-evaluate from
    int64_t originalTime = 0;     ///< the transaction time that scheduled it
    int64_t dueTime = 0;
};

enum class PushMode : uint8_t {
    Always,       ///< add another item even if one exists for (position, groupSignature)
    IfNotExists,  ///< keep an existing item for (position, groupSignature)
    Overwrite,    ///< replace existing items for (position, groupSignature)
};

class FutureQueue {
public:
    virtual ~FutureQueue() = default;
    /// Returns whether an item was added.
    virtual bool push(PushMode mode, const FutureItem& item) = 0;
    /// Removes every item for (position, groupSignature).
    virtual void remove(uint32_t position, uint64_t groupSignature) = 0;
    /// The earliest due time, or empty.
    virtual std::optional<int64_t> peekDueTime() = 0;
    /// Removes and returns the earliest item with dueTime <= now (never an item not yet due).
    virtual std::optional<FutureItem> popDue(int64_t now) = 0;
};

/// A query's current result set (what `cqlite results` prints), keyed by row signature.
class LiveResults {
public:
    virtual ~LiveResults() = default;
    virtual void upsertRow(uint64_t signature, const Map& row) = 0;
    virtual void removeRow(uint64_t signature) = 0;
    virtual void rows(std::vector<std::pair<uint64_t, Map>>& out) = 0;
    /// A hint that the row of `signature` is about to be written: a backend that keeps rows in a
    /// hash table starts loading its slot, so that the miss overlaps the row's evaluation. No
    /// effect on what is stored.
    virtual void prefetchRow(uint64_t signature) { (void)signature; }
};

/// Small opaque per-query state (middleware state, counters), keyed by string.
class KeyValueStore {
public:
    virtual ~KeyValueStore() = default;
    virtual std::optional<std::string> get(const std::string& key) = 0;
    /// Stores or (with nullopt) deletes.
    virtual void put(const std::string& key, const std::optional<std::string>& value) = 0;
};

/// The stores of one registered query. Owned by the backend; valid until dropQuery/close.
struct QueryStore {
    ElementIndex* elements = nullptr;
    ElementArchive* archive = nullptr;
    ResultIndex* results = nullptr;
    FutureQueue* futures = nullptr;
    LiveResults* live = nullptr;
    KeyValueStore* state = nullptr;
};

/// A registered query as stored (so that reopening a database restores it).
struct StoredQuery {
    std::string id;
    std::string configJson;  ///< the registration as JSON (cypher, joins, middleware, ...)
};

/// One storage backend holds the state of every query of one engine, and the transaction.
class StorageBackend {
public:
    virtual ~StorageBackend() = default;
    /// The stores for a query, created empty on first use.
    virtual QueryStore openQuery(const std::string& queryId) = 0;
    /// Deletes every trace of a query (its stores and its registration).
    virtual void dropQuery(const std::string& queryId) = 0;
    virtual void saveQuery(const StoredQuery& query) = 0;
    virtual std::vector<StoredQuery> storedQueries() = 0;
    /// Engine-wide metadata (e.g. the query clock).
    virtual std::optional<std::string> getMeta(const std::string& key) = 0;
    virtual void putMeta(const std::string& key, const std::string& value) = 0;

    /// Transactions. begin() opens one; commit() makes everything since begin() durable at once;
    /// rollback() discards it. Savepoints nest inside a transaction: releaseSavepoint() ends the
    /// innermost one keeping its changes; rollbackToSavepoint() discards the changes since the
    /// innermost savepoint() and ends it too (ROLLBACK TO + RELEASE). Calls out of order (commit
    /// without begin, begin twice, a savepoint outside a transaction) throw Misuse.
    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;
    virtual void savepoint() = 0;
    virtual void releaseSavepoint() = 0;
    virtual void rollbackToSavepoint() = 0;

    /// "memory", "sqlite", ...
    virtual const char* name() const = 0;
};

/// RAII: begins a transaction and rolls it back unless commit() was called.
class TransactionGuard {
public:
    explicit TransactionGuard(StorageBackend& backend) : backend_(backend) { backend_.begin(); }
    ~TransactionGuard() {
        if (!done_) {
            try { backend_.rollback(); } catch (...) {}
        }
    }
    void commit() { backend_.commit(); done_ = true; }
    TransactionGuard(const TransactionGuard&) = delete;
    TransactionGuard& operator=(const TransactionGuard&) = delete;

private:
    StorageBackend& backend_;
    bool done_ = false;
};

}  // namespace cq
