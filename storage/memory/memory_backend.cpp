// SPDX-License-Identifier: MIT
// The in-memory backend (see memory_backend.h). Every mutating method appends one small inverse
// record to the backend's undo log while a transaction is open; rollback replays the log backwards.
// Records hold the previous value by shared pointer (moved out of the map, never copied), so the
// cost per change is one vector append. Orders that callers can observe are deterministic and match
// the SQLite backend: adjacency lists and join sets are sorted by (source, id), live rows by
// signature, stored queries by first save, futures by (dueTime, insertion sequence).
#include "storage/memory/memory_backend.h"

#include "storage/memory/flat_hash_map.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "core/common/error.h"

namespace cq {
namespace {

class UndoTarget;

struct UndoNames {
    ElementRef ref;
    std::string text;
};

/// A live row as MemoryLiveResults keeps it: its values, in its columns' order, and its columns,
/// which every row of the same columns shares (a query's rows all have its RETURN's). A Map row
/// spends a 32-byte name per column per row: a 4-column row (bench scenario 1) took a 304-byte
/// block, 128 bytes of it names, and takes 176 this way; 13 MB less at 100,000 rooms, memory a
/// bootstrap touches for the first time.
struct StoredRow {
    const std::vector<std::string>* columns = nullptr;  ///< sorted (a Map's order); owned by the store
    std::vector<Value> values;

    Map toMap() const {
        Map out;
        out.reserve(values.size());
        for (size_t i = 0; i < values.size(); ++i) out.append_sorted((*columns)[i], values[i]);
        return out;
    }
};

/// One inverse operation. The meaning of the fields depends on `op` (see each store's undo()).
struct UndoRecord {
    UndoTarget* target = nullptr;
    uint8_t op = 0;
    uint64_t key = 0;
    int64_t integer = 0;
    double number = 0;
    /// A ref and a text, for the stores that need them (joins, archive, key-value, queries). Out of
    /// line: the element and live-row records, most of a change's, need neither, and a record is
    /// moved on push and destroyed at commit (two strings in place were 5% of a bootstrap).
    std::unique_ptr<const UndoNames> names;
    std::shared_ptr<const void> old;  ///< the previous value (type depends on op), or null
    StoredRow row{};  ///< MemoryLiveResults: the previous row, held here rather than in a heap block of its own

    const ElementRef& ref() const { return names->ref; }
    const std::string& text() const { return names->text; }
};

std::unique_ptr<const UndoNames> names(ElementRef ref, std::string text) {
    return std::make_unique<const UndoNames>(UndoNames{std::move(ref), std::move(text)});
}

class UndoTarget {
public:
    virtual ~UndoTarget() = default;
    virtual void undo(UndoRecord& record) = 0;
};

/// The undo log of the open transaction and its savepoint marks.
class UndoLog {
public:
    bool active() const { return active_; }
    void push(UndoRecord&& record) { records_.push_back(std::move(record)); }

    void begin() {
        if (active_) throw Error(ErrorCode::Misuse, "begin(): a transaction is already open");
        active_ = true;
    }
    void commit() {
        requireActive("commit()");
        clear();
    }
    void rollback() {
        requireActive("rollback()");
        undoTo(0);
        clear();
    }
    void savepoint() {
        requireActive("savepoint()");
        marks_.push_back(records_.size());
    }
    void release() {
        requireMark("releaseSavepoint()");
        marks_.pop_back();
    }
    void rollbackToMark() {
        requireMark("rollbackToSavepoint()");
        undoTo(marks_.back());
        marks_.pop_back();
    }

private:
    void requireActive(const char* what) const {
        if (!active_) throw Error(ErrorCode::Misuse, std::string(what) + ": no transaction is open");
    }
    void requireMark(const char* what) const {
        requireActive(what);
        if (marks_.empty()) throw Error(ErrorCode::Misuse, std::string(what) + ": no savepoint is open");
    }
    void undoTo(size_t size) {
        while (records_.size() > size) {
            UndoRecord record = std::move(records_.back());
            records_.pop_back();
            record.target->undo(record);
        }
    }
    void clear() {
        records_.clear();
        marks_.clear();
        active_ = false;
    }

    bool active_ = false;
    std::vector<UndoRecord> records_;
    std::vector<size_t> marks_;
};

template <class T>
std::shared_ptr<const T> oldAs(const UndoRecord& record) {
    return std::static_pointer_cast<const T>(record.old);
}

// ---------------------------------------------------------------------------------------------
// ElementIndex

/// The query slots an element fills. Nearly always a few indexes below 63: then a bit mask in one
/// tagged word (low bit 1), with no heap block; otherwise the word points at a sorted vector. A
/// std::vector<int> per element cost 12 bytes plus a 16-byte block on wasm32, 24 plus 32 natively,
/// for 210,500 elements at 100,000 rooms; a mask beside a shared pointer to the rare vector, 24
/// bytes, made the element index's slots 64 bytes instead of 48 (4.2 MB at 100,000 rooms).
class SlotSet {
public:
    SlotSet() = default;
    explicit SlotSet(const std::vector<int>& slots) {
        uint64_t mask = 0;
        for (int s : slots) {
            if (s < 0 || s >= kMaskBits) {
                auto* big = new std::vector<int>(slots);
                std::sort(big->begin(), big->end());
                big->erase(std::unique(big->begin(), big->end()), big->end());
                bits_ = uint64_t(reinterpret_cast<uintptr_t>(big));
                return;
            }
            mask |= uint64_t(1) << s;
        }
        bits_ = mask << 1 | 1;
    }
    SlotSet(const SlotSet& o) : bits_(o.bits_) {
        if (!o.small()) bits_ = uint64_t(reinterpret_cast<uintptr_t>(new std::vector<int>(*o.big())));
    }
    SlotSet(SlotSet&& o) noexcept : bits_(o.bits_) { o.bits_ = 1; }
    SlotSet& operator=(SlotSet o) noexcept {
        std::swap(bits_, o.bits_);
        return *this;
    }
    ~SlotSet() {
        if (!small()) delete big();
    }

    bool contains(int slot) const {
        if (!small()) return std::binary_search(big()->begin(), big()->end(), slot);
        return slot >= 0 && slot < kMaskBits && ((mask() >> slot) & 1);
    }
    /// Calls f(slot) for each slot in increasing order.
    template <class F>
    void forEach(F&& f) const {
        if (!small()) {
            for (int s : *big()) f(s);
            return;
        }
        for (uint64_t m = mask(); m; m &= m - 1) f(std::countr_zero(m));
    }

    /// Whether the set is a bit mask alone (then mask() and fromMask() carry it whole).
    bool small() const { return bits_ & 1; }
    uint64_t mask() const { return bits_ >> 1; }
    /// The small set whose mask() is `mask` (its slots are below kMaskBits).
    static SlotSet fromMask(uint64_t mask) {
        SlotSet s;
        s.bits_ = mask << 1 | 1;
        return s;
    }

private:
    static constexpr int kMaskBits = 63;  ///< the word's other bit is the tag
    const std::vector<int>* big() const { return reinterpret_cast<const std::vector<int>*>(uintptr_t(bits_)); }
    uint64_t bits_ = 1;  ///< low bit 1: (mask << 1 | 1); else a std::vector<int>* (owned)
};

struct ElementEntry {
    ElementPtr element;
    SlotSet slots;
    /// The SQLite backend's fold generation that last marked this element for writing (0: none);
    /// see MemoryElementWrites.
    uint32_t mark = 0;
};

/// The element index's key: the stored element's own ref, not a copy of it (a copy is two more
/// strings per element). Invariant: `ref` points at the ref of the entry's element; setElement
/// re-points it when the element is replaced (same value, so the hash and position hold).
struct RefKey {
    mutable const ElementRef* ref;
};
/// The hash elements keep (Element::identityHash), so that setElement hashes nothing the solver
/// has hashed already.
struct RefKeyHash {
    uint64_t operator()(const RefKey& k) const { return identityHashOf(*k.ref); }
};
struct RefKeyEqual {
    bool operator()(const RefKey& a, const RefKey& b) const { return *a.ref == *b.ref; }
};

/// One relation at a node: the slot it fills, which of its ends the node is, the relation.
struct Adjacent {
    int slot = 0;
    bool incoming = false;  ///< the node is the relation's end (else its start)
    ElementPtr relation;
};

/// A node's relations, ordered by (direction, slot, reference): one direction and slot's
/// relations are a run, sorted by reference (the order the solver meets candidates in). The first
/// is kept in the node's own slot of the index: most nodes have one relation of a kind the query
/// walks (a room its floor) or lead with it (a floor's one outgoing relation sorts before the
/// rooms coming in), so walking from them reads no further cache lines. A vector of runs, each a
/// vector, cost two more lines a hop, and in wasm, where nothing prefetches, the package's 1-hop
/// update was 25% slower at 10,000 rooms than at 1,000 (node bench/js/ab.mjs).
class NodeAdjacency {
public:
    bool empty() const { return !first_.relation; }

    void insert(Adjacent a) {
        if (!first_.relation) {
            first_ = std::move(a);
            return;
        }
        if (less(a, first_)) std::swap(a, first_);
        auto pos = std::lower_bound(rest_.begin(), rest_.end(), a, less);
        rest_.insert(pos, std::move(a));
    }

    void erase(int slot, bool incoming, const ElementRef& ref) {
        if (!first_.relation) return;
        if (is(first_, slot, incoming, ref)) {
            if (rest_.empty()) {
                first_ = Adjacent{};
            } else {
                first_ = std::move(rest_.front());
                rest_.erase(rest_.begin());
            }
            return;
        }
        Adjacent key{slot, incoming, nullptr};
        auto pos = std::lower_bound(rest_.begin(), rest_.end(), key, [&ref](const Adjacent& x, const Adjacent& k) {
            return x.incoming != k.incoming ? x.incoming < k.incoming
                   : x.slot != k.slot       ? x.slot < k.slot
                                            : x.relation->ref < ref;
        });
        if (pos != rest_.end() && is(*pos, slot, incoming, ref)) rest_.erase(pos);
    }

    /// Appends the run of (slot, incoming), in reference order.
    void append(int slot, bool incoming, std::vector<ElementPtr>& out) const {
        if (!first_.relation) return;
        const Adjacent key{slot, incoming, nullptr};
        auto from = rest_.begin();
        if (first_.slot == slot && first_.incoming == incoming) {
            out.push_back(first_.relation);  // the run starts here and goes on at rest_'s start
        } else {
            from = std::lower_bound(rest_.begin(), rest_.end(), key, sameRun);
        }
        auto to = from;
        while (to != rest_.end() && to->slot == slot && to->incoming == incoming) ++to;
        out.reserve(out.size() + size_t(to - from));
        for (; from != to; ++from) out.push_back(from->relation);
    }

private:
    static bool sameRun(const Adjacent& a, const Adjacent& b) {
        return a.incoming != b.incoming ? a.incoming < b.incoming : a.slot < b.slot;
    }
    static bool less(const Adjacent& a, const Adjacent& b) {
        if (a.incoming != b.incoming || a.slot != b.slot) return sameRun(a, b);
        return a.relation->ref < b.relation->ref;
    }
    static bool is(const Adjacent& a, int slot, bool incoming, const ElementRef& ref) {
        return a.slot == slot && a.incoming == incoming && a.relation->ref == ref;
    }

    Adjacent first_;             ///< none when its relation is null (and then `rest_` is empty)
    std::vector<Adjacent> rest_;
};

class MemoryElementIndex final : public ElementIndex, public MemoryElementWrites, public UndoTarget {
public:
    explicit MemoryElementIndex(UndoLog* log) : log_(log) {}

    ElementPtr getElement(const ElementRef& ref) override {
        auto it = elements_.find(RefKey{&ref});
        return it == elements_.end() ? nullptr : it->second.element;
    }
    ElementPtr getStored(const Element& element) override {
        auto it = elements_.find(RefKey{&element.ref}, element.identityHash());
        return it == elements_.end() ? nullptr : it->second.element;
    }

    ElementPtr getStoredWithSlots(const Element& element, std::vector<int>& slots, bool& slotsKnown) override {
        slotsKnown = true;
        return withSlots(elements_.find(RefKey{&element.ref}, element.identityHash()), slots);
    }

    void prefetchStored(const Element& element) override { elements_.prefetch(element.identityHash()); }

    void setElement(const ElementPtr& element, const std::vector<int>& slots) override {
        bool unused = false;
        set(element, slots, 0, unused, nullptr);
    }

    ElementPtr setElementMarked(const ElementPtr& element, const std::vector<int>& slots, uint32_t mark,
                                bool& firstMark) override {
        ElementPtr previous;
        set(element, slots, mark, firstMark, &previous);
        return previous;
    }

    /// setElement(); with a mark (non-zero), also tells whether the entry carried it already, and
    /// gives the element replaced.
    void set(const ElementPtr& element, const std::vector<int>& slots, uint32_t mark, bool& firstMark,
             ElementPtr* previous) {
        if (!element) throw Error(ErrorCode::Misuse, "setElement(): null element");
        ElementEntry entry{element, SlotSet(slots), mark};
        const uint64_t hash = element->identityHash();
        auto it = elements_.find(RefKey{&element->ref}, hash);
        firstMark = mark != 0 && (it == elements_.end() || it->second.mark != mark);
        if (it != elements_.end()) {
            if (mark == 0) entry.mark = it->second.mark;
            if (previous) *previous = it->second.element;
        }
        // The undo record keeps the old element (or, for an insert, the new one, for its ref) and
        // a small slot set's mask: no heap block and no copy of the ref per write. A large slot
        // set keeps the whole entry.
        UndoRecord undo{this, kElementAdded, 0, 0, 0, nullptr, nullptr, {}};
        if (it != elements_.end()) {
            unindex(it->second);
            if (log_->active()) {
                if (it->second.slots.small()) {
                    undo.op = kElementReplaced;
                    undo.key = it->second.slots.mask();
                    undo.old = std::move(it->second.element);
                } else {
                    undo.op = kElement;
                    undo.old = std::make_shared<const ElementEntry>(std::move(it->second));
                }
            }
            it->second = std::move(entry);
            it->first.ref = &it->second.element->ref;  // the old element may be gone now
        } else {
            it = elements_.try_emplace_hashed(RefKey{&element->ref}, hash, std::move(entry)).first;
        }
        index(it->second);
        if (!log_->active()) return;
        if (undo.op == kElementAdded) undo.old = element;
        log_->push(std::move(undo));
    }

    void deleteElement(const ElementRef& ref) override {
        auto it = elements_.find(RefKey{&ref});
        if (it == elements_.end()) return;
        unindex(it->second);
        if (log_->active()) {
            auto entry = std::make_shared<const ElementEntry>(std::move(it->second));
            log_->push({this, kElement, 0, 0, 0, nullptr, std::move(entry), {}});
        }
        elements_.erase(it);  // may hash the key: its element is still alive (in the log record)
    }

    /// The element and its slots (sorted; `slots` is overwritten), or null.
    ElementPtr withSlots(const ElementRef& ref, std::vector<int>& slots) { return withSlots(elements_.find(RefKey{&ref}), slots); }

    ElementPtr getSlotElement(int slot, const ElementRef& ref) override {
        auto it = elements_.find(RefKey{&ref});
        if (it == elements_.end()) return nullptr;
        return it->second.slots.contains(slot) ? it->second.element : nullptr;
    }

    void relationsByStart(int slot, const Element& node, std::vector<ElementPtr>& out) override {
        appendRelations(slot, node, true, out);
    }
    void relationsByEnd(int slot, const Element& node, std::vector<ElementPtr>& out) override {
        appendRelations(slot, node, false, out);
    }

    void addJoinEntry(const std::string& key, const ElementRef& ref) override {
        if (joins_[key].insert(ref).second && log_->active()) {
            log_->push({this, kJoinAdded, 0, 0, 0, names(ref, key), nullptr, {}});
        }
    }
    void removeJoinEntry(const std::string& key, const ElementRef& ref) override {
        auto it = joins_.find(key);
        if (it == joins_.end() || it->second.erase(ref) == 0) return;
        if (it->second.empty()) joins_.erase(it);
        if (log_->active()) log_->push({this, kJoinRemoved, 0, 0, 0, names(ref, key), nullptr, {}});
    }
    void joinEntries(const std::string& key, std::vector<ElementRef>& out) override {
        auto it = joins_.find(key);
        if (it != joins_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    }

    void undo(UndoRecord& record) override {
        switch (record.op) {
        case kElement:
        case kElementReplaced:
        case kElementAdded: {
            // Every kind keeps an element with the ref (alive in the record while it is used).
            const ElementRef& ref =
                record.op == kElement ? oldAs<ElementEntry>(record)->element->ref : oldAs<Element>(record)->ref;
            auto it = elements_.find(RefKey{&ref});
            if (it != elements_.end()) {
                unindex(it->second);
                elements_.erase(it);
            }
            ElementEntry restored;
            if (record.op == kElement) restored = *oldAs<ElementEntry>(record);
            else if (record.op == kElementReplaced) restored = {oldAs<Element>(record), SlotSet::fromMask(record.key)};
            else break;
            // The entry's key points into the entry's own element.
            const ElementRef* key = &restored.element->ref;
            index(elements_.emplace(RefKey{key}, std::move(restored)).first->second);
            break;
        }
        case kJoinAdded: {
            auto it = joins_.find(record.text());
            if (it != joins_.end()) {
                it->second.erase(record.ref());
                if (it->second.empty()) joins_.erase(it);
            }
            break;
        }
        case kJoinRemoved: joins_[record.text()].insert(record.ref()); break;
        }
    }

private:
    // kElement: `old` is the whole previous entry (or the deleted one); kElementReplaced: `old` is
    // the previous element and `key` its slots' mask; kElementAdded: `old` is the new element.
    enum : uint8_t { kElement, kElementReplaced, kElementAdded, kJoinAdded, kJoinRemoved };

    void index(const ElementEntry& entry) {
        const Element& e = *entry.element;
        if (!e.isRelation()) return;
        entry.slots.forEach([&](int slot) {
            adjacency_[e.start()].insert({slot, false, entry.element});
            adjacency_[e.end()].insert({slot, true, entry.element});
        });
    }

    void unindex(const ElementEntry& entry) {
        const Element& e = *entry.element;
        if (!e.isRelation()) return;
        entry.slots.forEach([&](int slot) {
            unindexAt(e.start(), slot, e.ref, true);
            unindexAt(e.end(), slot, e.ref, false);
        });
    }

    void unindexAt(const ElementRef& node, int slot, const ElementRef& ref, bool outgoing) {
        auto it = adjacency_.find(node);
        if (it == adjacency_.end()) return;
        it->second.erase(slot, !outgoing, ref);
        if (it->second.empty()) adjacency_.erase(it);
    }

    void appendRelations(int slot, const Element& node, bool outgoing, std::vector<ElementPtr>& out) {
        // adjacency_ files a node under ElementRefHash's hash, identityHashOf truncated where
        // size_t is 32 bits (wasm): the same value from the hash the element keeps.
        auto it = adjacency_.find(node.ref, uint64_t(size_t(node.identityHash())));
        if (it != adjacency_.end()) it->second.append(slot, !outgoing, out);
    }

    UndoLog* log_;
    FlatHashMap<RefKey, ElementEntry, RefKeyHash, RefKeyEqual> elements_;
    FlatHashMap<ElementRef, NodeAdjacency, ElementRefHash> adjacency_;
    std::unordered_map<std::string, std::set<ElementRef>> joins_;

    /// The entry's element and its slots (sorted; `slots` is overwritten), or null.
    ElementPtr withSlots(decltype(elements_)::iterator it, std::vector<int>& slots) {
        slots.clear();
        if (it == elements_.end()) return nullptr;
        it->second.slots.forEach([&](int slot) { slots.push_back(slot); });
        return it->second.element;
    }
};

// ---------------------------------------------------------------------------------------------
// ElementArchive

class MemoryArchive final : public ElementArchive, public UndoTarget {
public:
    explicit MemoryArchive(UndoLog* log) : log_(log) {}

    void addVersion(const ElementPtr& element) override {
        if (!element) throw Error(ErrorCode::Misuse, "addVersion(): null element");
        auto& versions = versions_[element->ref];
        auto [it, inserted] = versions.emplace(element->effectiveFrom, element);
        std::shared_ptr<const void> old;
        if (!inserted) {
            old = std::move(it->second);
            it->second = element;
        }
        if (log_->active()) {
            log_->push({this, 0, 0, element->effectiveFrom, 0, names(element->ref, {}), std::move(old), {}});
        }
    }

    ElementPtr versionAt(const ElementRef& ref, int64_t time) override {
        auto it = versions_.find(ref);
        if (it == versions_.end()) return nullptr;
        auto pos = it->second.upper_bound(time);
        if (pos == it->second.begin()) return nullptr;
        return std::prev(pos)->second;
    }

    void versionsBetween(const ElementRef& ref, int64_t from, int64_t to, bool includeInitial,
                         std::vector<ElementPtr>& out) override {
        auto it = versions_.find(ref);
        if (it == versions_.end()) return;
        const auto& versions = it->second;
        // With includeInitial the range starts at the version in effect at `from` (the latest with
        // effectiveFrom <= from), which is the version at `from` itself when there is one.
        auto pos = includeInitial ? versions.upper_bound(from) : versions.lower_bound(from);
        if (includeInitial && pos != versions.begin()) --pos;
        for (; pos != versions.end() && pos->first <= to; ++pos) out.push_back(pos->second);
    }

    void undo(UndoRecord& record) override {
        auto it = versions_.find(record.ref());
        if (it == versions_.end()) return;
        if (auto old = oldAs<Element>(record)) {
            it->second[record.integer] = std::move(old);
        } else {
            it->second.erase(record.integer);
            if (it->second.empty()) versions_.erase(it);
        }
    }

private:
    UndoLog* log_;
    std::unordered_map<ElementRef, std::map<int64_t, ElementPtr>, ElementRefHash> versions_;
};

// ---------------------------------------------------------------------------------------------
// ResultIndex

class MemoryResultIndex final : public ResultIndex, public UndoTarget {
public:
    explicit MemoryResultIndex(UndoLog* log) : log_(log) {}

    std::optional<Accumulator> get(uint64_t key) override {
        auto it = accumulators_.find(key);
        if (it == accumulators_.end()) return std::nullopt;
        return it->second;
    }

    void set(uint64_t key, const Accumulator* value) override {
        auto it = accumulators_.find(key);
        if (it == accumulators_.end() && !value) return;
        if (log_->active()) log_->push(undoOf(key, it == accumulators_.end() ? nullptr : &it->second));
        if (!value) accumulators_.erase(it);
        else if (it == accumulators_.end()) accumulators_.emplace(key, *value);
        else it->second = *value;
    }

    std::optional<std::pair<double, int64_t>> sortedNext(uint64_t setId,
                                                         std::optional<double> after) override {
        auto it = sorted_.find(setId);
        if (it == sorted_.end()) return std::nullopt;
        auto pos = after ? it->second.upper_bound(*after) : it->second.begin();
        if (pos == it->second.end()) return std::nullopt;
        return *pos;
    }

    void sortedIncrement(uint64_t setId, double value, int64_t delta) override {
        // NaN has no place in an ordered set (it would break the map's ordering); min/max skip it.
        if (delta == 0 || std::isnan(value)) return;
        auto& counts = sorted_[setId];
        auto [it, inserted] = counts.emplace(value, 0);
        int64_t previous = it->second;
        it->second += delta;
        if (it->second <= 0) {
            counts.erase(it);
            if (counts.empty()) sorted_.erase(setId);
        }
        if (log_->active()) log_->push({this, kSorted, setId, previous, value, nullptr, nullptr});
    }

    void undo(UndoRecord& record) override {
        if (record.op == kCountAndSum) {
            Accumulator& a = accumulators_[record.key];
            a = Accumulator{};
            a.count = record.integer;
            a.sum = record.number;
            return;
        }
        if (record.op == kAccumulator) {
            if (auto old = oldAs<Accumulator>(record)) {
                accumulators_[record.key] = *old;
            } else {
                accumulators_.erase(record.key);
            }
            return;
        }
        // kSorted: restore the count the value had before (0 = absent).
        if (record.integer > 0) {
            sorted_[record.key][record.number] = record.integer;
            return;
        }
        auto it = sorted_.find(record.key);
        if (it == sorted_.end()) return;
        it->second.erase(record.number);
        if (it->second.empty()) sorted_.erase(it);
    }

private:
    enum : uint8_t { kAccumulator, kCountAndSum, kSorted };

    /// The record that restores `old` (null: absent). An accumulator of count, sum or avg (the
    /// usual ones) fits in the record's own fields; one with more in it goes in a heap block. A
    /// block per set was 2 of the 1-hop query's ~12 heap blocks a change.
    UndoRecord undoOf(uint64_t key, Accumulator* old) {
        auto zero = [](double d) { return d == 0 && !std::signbit(d); };  // restored as +0.0
        if (old && zero(old->a) && zero(old->b) && zero(old->c) && old->value.isNull())
            return {this, kCountAndSum, key, old->count, old->sum, nullptr, nullptr};
        std::shared_ptr<const void> block;
        if (old) block = std::make_shared<const Accumulator>(std::move(*old));
        return {this, kAccumulator, key, 0, 0, nullptr, std::move(block)};
    }

    UndoLog* log_;
    FlatHashMap<uint64_t, Accumulator, std::hash<uint64_t>> accumulators_;
    std::unordered_map<uint64_t, std::map<double, int64_t>> sorted_;
};

// ---------------------------------------------------------------------------------------------
// FutureQueue

struct QueueKey {
    int64_t dueTime;
    uint64_t seq;
    bool operator<(const QueueKey& o) const {
        return dueTime < o.dueTime || (dueTime == o.dueTime && seq < o.seq);
    }
    bool operator==(const QueueKey& o) const { return dueTime == o.dueTime && seq == o.seq; }
};

struct GroupKey {
    uint32_t position;
    uint64_t signature;
    bool operator==(const GroupKey& o) const { return position == o.position && signature == o.signature; }
};

struct GroupKeyHash {
    size_t operator()(const GroupKey& k) const {
        return std::hash<uint64_t>()(k.signature * 0x9E3779B97F4A7C15ull ^ k.position);
    }
};

struct QueuedItem {
    QueueKey key;
    FutureItem item;
};

class MemoryFutureQueue final : public FutureQueue, public UndoTarget {
public:
    explicit MemoryFutureQueue(UndoLog* log) : log_(log) {}

    bool push(PushMode mode, const FutureItem& item) override {
        GroupKey group{item.position, item.groupSignature};
        auto it = groups_.find(group);
        bool exists = it != groups_.end() && !it->second.empty();
        if (exists && mode == PushMode::IfNotExists) return false;
        if (exists && mode == PushMode::Overwrite) remove(item.position, item.groupSignature);
        QueueKey key{item.dueTime, nextSeq_++};
        insert(key, item);
        if (log_->active()) log_->push({this, kPushed, key.seq, key.dueTime, 0, nullptr, nullptr});
        return true;
    }

    void remove(uint32_t position, uint64_t groupSignature) override {
        auto it = groups_.find(GroupKey{position, groupSignature});
        if (it == groups_.end()) return;
        std::vector<QueueKey> keys = std::move(it->second);
        groups_.erase(it);
        for (const QueueKey& key : keys) {
            auto q = queue_.find(key);
            if (q == queue_.end()) continue;
            if (log_->active()) {
                log_->push({this, kRemoved, 0, 0, 0, nullptr,
                            std::make_shared<const QueuedItem>(QueuedItem{key, std::move(q->second)})});
            }
            queue_.erase(q);
        }
    }

    std::optional<int64_t> peekDueTime() override {
        if (queue_.empty()) return std::nullopt;
        return queue_.begin()->first.dueTime;
    }

    std::optional<FutureItem> popDue(int64_t now) override {
        if (queue_.empty() || queue_.begin()->first.dueTime > now) return std::nullopt;
        auto it = queue_.begin();
        QueueKey key = it->first;
        FutureItem item = std::move(it->second);
        queue_.erase(it);
        unlinkGroup(GroupKey{item.position, item.groupSignature}, key);
        if (log_->active()) {
            log_->push({this, kRemoved, 0, 0, 0, nullptr, std::make_shared<const QueuedItem>(QueuedItem{key, item})});
        }
        return item;
    }

    void undo(UndoRecord& record) override {
        if (record.op == kPushed) {
            QueueKey key{record.integer, record.key};
            auto it = queue_.find(key);
            if (it == queue_.end()) return;
            unlinkGroup(GroupKey{it->second.position, it->second.groupSignature}, key);
            queue_.erase(it);
            return;
        }
        auto old = oldAs<QueuedItem>(record);
        insert(old->key, old->item);
    }

private:
    enum : uint8_t { kPushed, kRemoved };

    void insert(const QueueKey& key, const FutureItem& item) {
        queue_.emplace(key, item);
        groups_[GroupKey{item.position, item.groupSignature}].push_back(key);
    }

    void unlinkGroup(const GroupKey& group, const QueueKey& key) {
        auto it = groups_.find(group);
        if (it == groups_.end()) return;
        auto& keys = it->second;
        keys.erase(std::remove(keys.begin(), keys.end(), key), keys.end());
        if (keys.empty()) groups_.erase(it);
    }

    UndoLog* log_;
    uint64_t nextSeq_ = 1;
    std::map<QueueKey, FutureItem> queue_;
    std::unordered_map<GroupKey, std::vector<QueueKey>, GroupKeyHash> groups_;
};

// ---------------------------------------------------------------------------------------------
// LiveResults and KeyValueStore

class MemoryLiveResults final : public LiveResults, public UndoTarget {
public:
    explicit MemoryLiveResults(UndoLog* log) : log_(log) {}

    void upsertRow(uint64_t signature, const Map& row) override {
        const std::vector<std::string>* columns = columnsOf(row);
        // Look up first: emplace would build a row in a slot even when the key exists.
        auto it = rows_.find(signature);
        UndoRecord undo{this, kAbsent, signature, 0, 0, nullptr, nullptr, {}};
        if (it == rows_.end()) {
            it = rows_.try_emplace(signature).first;
        } else if (log_->active()) {
            // The old row's block is first read when commit() destroys the undo record: a
            // miss there was 5% of a property-projection change at 100,000 rooms (perf).
            __builtin_prefetch(it->second.values.data());
            undo.op = kHadRow;
            undo.row = std::move(it->second);
        }
        StoredRow& stored = it->second;
        stored.columns = columns;
        stored.values.clear();
        stored.values.reserve(row.size());
        for (const auto& entry : row) stored.values.push_back(entry.second);
        if (log_->active()) log_->push(std::move(undo));
    }

    void prefetchRow(uint64_t signature) override { rows_.prefetch(std::hash<uint64_t>()(signature)); }

    bool row(uint64_t signature, Map& out) const {
        auto it = rows_.find(signature);
        if (it == rows_.end()) return false;
        out = it->second.toMap();
        return true;
    }

    void removeRow(uint64_t signature) override {
        auto it = rows_.find(signature);
        if (it == rows_.end()) return;
        if (log_->active()) {
            log_->push({this, kHadRow, signature, 0, 0, nullptr, nullptr, std::move(it->second)});
        }
        rows_.erase(it);
    }

    void rows(std::vector<std::pair<uint64_t, Map>>& out) override {
        // Hashed for O(1) upserts; callers see the rows by signature (as in SQLite).
        std::vector<const std::pair<uint64_t, StoredRow>*> sorted;
        sorted.reserve(rows_.size());
        for (const auto& row : rows_) sorted.push_back(&row);
        std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
        out.reserve(out.size() + sorted.size());
        for (const auto* row : sorted) out.emplace_back(row->first, row->second.toMap());
    }

    void undo(UndoRecord& record) override {
        if (record.op == kHadRow) {
            rows_[record.key] = std::move(record.row);
        } else {
            rows_.erase(record.key);
        }
    }

private:
    enum : uint8_t { kAbsent, kHadRow };  ///< whether the signature had a row before the write

    /// The stored column list equal to `row`'s names, added when new. The last one found is tried
    /// first: a query's rows all have the same columns. The lists live as long as the store; a
    /// query has as many as it has distinct column sets (its RETURN: one).
    const std::vector<std::string>* columnsOf(const Map& row) {
        auto same = [&row](const std::vector<std::string>& columns) {
            if (columns.size() != row.size()) return false;
            const std::string* column = columns.data();
            for (const auto& entry : row)
                if (!sameBytes(entry.first, *column++)) return false;
            return true;
        };
        if (lastColumns_ && same(*lastColumns_)) return lastColumns_;
        for (const auto& columns : columns_) {
            if (same(*columns)) return lastColumns_ = columns.get();
        }
        auto added = std::make_unique<std::vector<std::string>>();
        added->reserve(row.size());
        for (const auto& entry : row) added->push_back(entry.first);
        columns_.push_back(std::move(added));
        return lastColumns_ = columns_.back().get();
    }

    UndoLog* log_;
    FlatHashMap<uint64_t, StoredRow, std::hash<uint64_t>> rows_;
    std::vector<std::unique_ptr<std::vector<std::string>>> columns_;
    const std::vector<std::string>* lastColumns_ = nullptr;
};

class MemoryKeyValueStore final : public KeyValueStore, public UndoTarget {
public:
    explicit MemoryKeyValueStore(UndoLog* log) : log_(log) {}

    std::optional<std::string> get(const std::string& key) override {
        auto it = values_.find(key);
        if (it == values_.end()) return std::nullopt;
        return it->second;
    }

    void put(const std::string& key, const std::optional<std::string>& value) override {
        auto it = values_.find(key);
        std::shared_ptr<const void> old;
        if (it != values_.end()) {
            if (log_->active()) old = std::make_shared<const std::string>(std::move(it->second));
            if (value) {
                it->second = *value;
            } else {
                values_.erase(it);
            }
        } else if (value) {
            values_.emplace(key, *value);
        } else {
            return;
        }
        if (log_->active()) log_->push({this, 0, 0, 0, 0, names({}, key), std::move(old), {}});
    }

    void undo(UndoRecord& record) override {
        if (auto old = oldAs<std::string>(record)) {
            values_[record.text()] = *old;
        } else {
            values_.erase(record.text());
        }
    }

private:
    UndoLog* log_;
    std::unordered_map<std::string, std::string> values_;
};

// ---------------------------------------------------------------------------------------------
// The backend

struct QueryState {
    explicit QueryState(UndoLog* log)
        : elements(log), archive(log), results(log), futures(log), live(log), state(log) {}
    MemoryElementIndex elements;
    MemoryArchive archive;
    MemoryResultIndex results;
    MemoryFutureQueue futures;
    MemoryLiveResults live;
    MemoryKeyValueStore state;

    QueryStore stores() {
        return QueryStore{&elements, &archive, &results, &futures, &live, &state};
    }
};

class MemoryBackend final : public StorageBackend, public UndoTarget {
public:
    MemoryBackend() : meta_(&log_) {}

    QueryStore openQuery(const std::string& queryId) override {
        auto it = queries_.find(queryId);
        if (it == queries_.end()) {
            // Creating empty stores is not undone: an empty store is indistinguishable from none,
            // and the caller may keep the pointers across a rollback.
            it = queries_.emplace(queryId, std::make_shared<QueryState>(&log_)).first;
        }
        return it->second->stores();
    }

    void dropQuery(const std::string& queryId) override {
        auto it = queries_.find(queryId);
        if (it != queries_.end()) {
            // The undo record keeps the state alive, so a rollback brings back the same objects.
            if (log_.active()) log_.push({this, kQueryDropped, 0, 0, 0, names({}, queryId), it->second, {}});
            queries_.erase(it);
        }
        auto saved = findSaved(queryId);
        if (saved != saved_.end()) {
            if (log_.active()) {
                log_.push({this, kQuerySaved, 0, saved - saved_.begin(), 0, names({}, queryId),
                           std::make_shared<const StoredQuery>(std::move(*saved))});
            }
            saved_.erase(saved);
        }
    }

    void saveQuery(const StoredQuery& query) override {
        auto saved = findSaved(query.id);
        std::shared_ptr<const void> old;
        int64_t position = 0;
        if (saved != saved_.end()) {
            position = saved - saved_.begin();
            if (log_.active()) old = std::make_shared<const StoredQuery>(std::move(*saved));
            *saved = query;
        } else {
            position = int64_t(saved_.size());
            saved_.push_back(query);
        }
        if (log_.active()) log_.push({this, kQuerySaved, 0, position, 0, names({}, query.id), std::move(old), {}});
    }

    std::vector<StoredQuery> storedQueries() override { return saved_; }

    std::optional<std::string> getMeta(const std::string& key) override { return meta_.get(key); }
    void putMeta(const std::string& key, const std::string& value) override { meta_.put(key, value); }

    void begin() override { log_.begin(); }
    void commit() override { log_.commit(); }
    void rollback() override { log_.rollback(); }
    void savepoint() override { log_.savepoint(); }
    void releaseSavepoint() override { log_.release(); }
    void rollbackToSavepoint() override { log_.rollbackToMark(); }

    const char* name() const override { return "memory"; }

    void undo(UndoRecord& record) override {
        if (record.op == kQueryDropped) {
            queries_[record.text()] = std::const_pointer_cast<QueryState>(oldAs<QueryState>(record));
            return;
        }
        // kQuerySaved: put back the previous registration at its position, or remove the new one.
        auto saved = findSaved(record.text());
        auto old = oldAs<StoredQuery>(record);
        if (saved != saved_.end()) {
            if (old) {
                *saved = *old;
            } else {
                saved_.erase(saved);
            }
        } else if (old) {
            auto position = std::min<int64_t>(record.integer, int64_t(saved_.size()));
            saved_.insert(saved_.begin() + position, *old);
        }
    }

private:
    enum : uint8_t { kQueryDropped, kQuerySaved };

    std::vector<StoredQuery>::iterator findSaved(const std::string& id) {
        return std::find_if(saved_.begin(), saved_.end(), [&](const StoredQuery& q) { return q.id == id; });
    }

    // log_ is declared first: the stores keep a pointer to it and undo records point at stores.
    UndoLog log_;
    MemoryKeyValueStore meta_;
    std::unordered_map<std::string, std::shared_ptr<QueryState>> queries_;
    std::vector<StoredQuery> saved_;
};

}  // namespace

std::unique_ptr<StorageBackend> makeMemoryBackend() { return std::make_unique<MemoryBackend>(); }

MemoryElementWrites& memoryElementWrites(ElementIndex& index) {
    auto* memory = dynamic_cast<MemoryElementIndex*>(&index);
    if (!memory) throw Error(ErrorCode::Misuse, "memoryElementWrites(): not a memory backend's store");
    return *memory;
}

ElementPtr memoryElementWithSlots(ElementIndex& index, const ElementRef& ref, std::vector<int>& slots) {
    auto* memory = dynamic_cast<MemoryElementIndex*>(&index);
    if (!memory) throw Error(ErrorCode::Misuse, "memoryElementWithSlots(): not a memory backend's store");
    return memory->withSlots(ref, slots);
}

bool memoryLiveRow(LiveResults& live, uint64_t signature, Map& out) {
    auto* memory = dynamic_cast<MemoryLiveResults*>(&live);
    if (!memory) throw Error(ErrorCode::Misuse, "memoryLiveRow(): not a memory backend's store");
    return memory->row(signature, out);
}

}  // namespace cq
