// SPDX-License-Identifier: MIT
// cq::FlatHashMap: an open-addressing hash map (linear probing, backward-shift deletion) with the
// subset of std::unordered_map's API the memory backend uses.
//
// Why: the memory backend's indexes (elements by ref, adjacency by node, accumulators and result
// rows by key) are looked up several times per change. std::unordered_map keeps each entry in its
// own heap node and its buckets point at the node *before* an entry, so a lookup in a table larger
// than the cache misses on the bucket, that previous node and the entry itself. At 100,000 rooms
// the element index's lookups were 18% of the 1-hop benchmark's cycles (perf). Here an entry sits
// in the slot array with its hash: a lookup reads one slot, and probes neighbouring slots in the
// same cache lines. No tombstones: erase shifts the following entries back, so probe sequences
// stay short however many changes delete.
//
// Unlike std::unordered_map, inserting or erasing invalidates every iterator, pointer and
// reference into the map.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace cq {

template <class K, class V, class Hash, class Equal = std::equal_to<K>>
class FlatHashMap {
    struct Slot {
        uint64_t hash = 0;  ///< 0 = empty; stored hashes are never 0
        std::pair<K, V> kv;
    };

public:
    template <class SlotPtr, class Pair>
    class Iter {
    public:
        Iter(SlotPtr at, SlotPtr end) : at_(at), end_(end) { skip(); }
        Pair& operator*() const { return at_->kv; }
        Pair* operator->() const { return &at_->kv; }
        Iter& operator++() {
            ++at_;
            skip();
            return *this;
        }
        bool operator==(const Iter& o) const { return at_ == o.at_; }
        bool operator!=(const Iter& o) const { return at_ != o.at_; }

    private:
        friend class FlatHashMap;
        void skip() {
            while (at_ != end_ && at_->hash == 0) ++at_;
        }
        SlotPtr at_, end_;
    };
    using iterator = Iter<Slot*, std::pair<K, V>>;
    using const_iterator = Iter<const Slot*, const std::pair<K, V>>;

    iterator begin() { return {slots_.data(), slots_.data() + slots_.size()}; }
    iterator end() { return {slots_.data() + slots_.size(), slots_.data() + slots_.size()}; }
    const_iterator begin() const { return {slots_.data(), slots_.data() + slots_.size()}; }
    const_iterator end() const { return {slots_.data() + slots_.size(), slots_.data() + slots_.size()}; }

    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    /// Removes every entry and keeps the capacity (a set refilled to about its old size, as the
    /// SQLite backend's fold marks are, does not grow again step by step).
    void clear() {
        if (size_ == 0) return;
        for (Slot& s : slots_) s = Slot();
        size_ = 0;
    }

    iterator find(const K& key) { return find(key, uint64_t(Hash()(key))); }
    /// find() with the key's hash given: `hash` must be what Hash()(key) returns (a caller that
    /// keeps its keys' hashes saves hashing them again).
    iterator find(const K& key, uint64_t hash) {
        size_t i = findIndex(key, nonzero(hash));
        return i == npos ? end() : at(i);
    }
    const_iterator find(const K& key) const {
        size_t i = findIndex(key, hashOf(key));
        return i == npos ? end() : const_iterator(slots_.data() + i, slots_.data() + slots_.size());
    }
    size_t count(const K& key) const { return findIndex(key, hashOf(key)) == npos ? 0 : 1; }
    /// Starts loading the slot where a lookup of `hash` begins (see find(key, hash)).
    void prefetch(uint64_t hash) const {
        if (!slots_.empty()) __builtin_prefetch(&slots_[home(nonzero(hash))]);
    }

    /// Inserts (key, V(args...)) unless the key is present.
    template <class... Args>
    std::pair<iterator, bool> try_emplace(const K& key, Args&&... args) {
        return try_emplace_hashed(key, uint64_t(Hash()(key)), std::forward<Args>(args)...);
    }
    /// try_emplace() with the key's hash given, as for find(key, hash).
    template <class... Args>
    std::pair<iterator, bool> try_emplace_hashed(const K& key, uint64_t hash, Args&&... args) {
        uint64_t h = nonzero(hash);
        size_t i = findIndex(key, h);
        if (i != npos) return {at(i), false};
        if ((size_ + 1) * 8 > slots_.size() * 7) grow();
        i = home(h);
        while (slots_[i].hash != 0) i = (i + 1) & mask_;
        slots_[i].hash = h;
        slots_[i].kv.first = key;
        slots_[i].kv.second = V(std::forward<Args>(args)...);
        ++size_;
        return {at(i), true};
    }
    template <class... Args>
    std::pair<iterator, bool> emplace(const K& key, Args&&... args) {
        return try_emplace(key, std::forward<Args>(args)...);
    }
    V& operator[](const K& key) { return try_emplace(key).first->second; }

    void erase(iterator it) { eraseAt(size_t(it.at_ - slots_.data())); }
    size_t erase(const K& key) {
        size_t i = findIndex(key, hashOf(key));
        if (i == npos) return 0;
        eraseAt(i);
        return 1;
    }

private:
    static constexpr size_t npos = size_t(-1);

    uint64_t hashOf(const K& key) const { return nonzero(uint64_t(Hash()(key))); }
    static uint64_t nonzero(uint64_t h) { return h == 0 ? 1 : h; }
    // Fibonacci hashing: the top bits of h times 2^64/phi, so that hashes differing only in high
    // bits (std::hash of an integer is the integer) still spread.
    size_t home(uint64_t h) const { return size_t((h * 0x9e3779b97f4a7c15ULL) >> shift_); }
    iterator at(size_t i) { return iterator(slots_.data() + i, slots_.data() + slots_.size()); }

    size_t findIndex(const K& key, uint64_t h) const {
        if (size_ == 0) return npos;
        for (size_t i = home(h);; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.hash == 0) return npos;
            if (s.hash == h && Equal()(s.kv.first, key)) return i;
        }
    }

    void eraseAt(size_t i) {
        // Backward shift: move each following entry of the run back into the hole when the hole
        // lies between its home and its slot (cyclically), so no lookup ever stops early.
        for (size_t j = (i + 1) & mask_; slots_[j].hash != 0; j = (j + 1) & mask_) {
            size_t k = home(slots_[j].hash);
            bool movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);
            if (!movable) continue;
            slots_[i] = std::move(slots_[j]);
            i = j;
        }
        slots_[i] = Slot();  // releases what the entry held
        --size_;
    }

    void grow() {
        size_t capacity = slots_.empty() ? 16 : slots_.size() * 2;
        std::vector<Slot> old(capacity);
        old.swap(slots_);
        mask_ = capacity - 1;
        shift_ = 64;
        for (size_t c = capacity; c > 1; c >>= 1) --shift_;
        for (Slot& s : old) {
            if (s.hash == 0) continue;
            size_t i = home(s.hash);
            while (slots_[i].hash != 0) i = (i + 1) & mask_;
            slots_[i] = std::move(s);
        }
    }

    std::vector<Slot> slots_;
    size_t size_ = 0;
    size_t mask_ = 0;
    unsigned shift_ = 64;
};

}  // namespace cq
