// SPDX-License-Identifier: MIT
// cq::FlatMap: a string-keyed map stored as one vector of (key, value) pairs sorted by key.
//
// Why not std::map: cq::Map (element properties, result rows, Cypher maps) holds a handful of
// entries, is built once (often with keys already in order) and then only read. A std::map spends
// one heap block per entry (48 bytes of node header on 64-bit) and a pointer chase per step; the
// result rows alone were half the instructions of a change and malloc/free 20-31% of its time
// (bench/what_limits_it.md). One vector is one block, scanned in cache order.
//
// The API is the subset of std::map the code base uses, with the same semantics: iteration in key
// (byte) order, emplace/try_emplace/insert do not overwrite, lookups take anything convertible to
// std::string_view (std::string, std::string_view, const char*) without building a std::string.
//
// Unlike std::map, inserting or erasing invalidates every iterator, pointer and reference into the
// map (the vector may move). Do not hold a reference across an insertion.
//
// A template only so that cq::Map can be named while cq::Value is still incomplete (value.h).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace cq {

template <class V>
class FlatMap {
public:
    using key_type = std::string;
    using mapped_type = V;
    using value_type = std::pair<std::string, V>;
    using storage_type = std::vector<value_type>;
    using size_type = std::size_t;
    using iterator = typename storage_type::iterator;
    using const_iterator = typename storage_type::const_iterator;

    FlatMap() = default;
    FlatMap(const FlatMap&) = default;
    FlatMap(FlatMap&&) noexcept = default;
    FlatMap& operator=(const FlatMap&) = default;
    FlatMap& operator=(FlatMap&&) noexcept = default;

    /// Like std::map's: for a repeated key the first entry wins.
    FlatMap(std::initializer_list<value_type> init) { assign(init.begin(), init.end()); }
    template <class It>
    FlatMap(It first, It last) {
        assign(first, last);
    }

    // --- iteration (key order) ---
    iterator begin() noexcept { return items_.begin(); }
    iterator end() noexcept { return items_.end(); }
    const_iterator begin() const noexcept { return items_.begin(); }
    const_iterator end() const noexcept { return items_.end(); }
    const_iterator cbegin() const noexcept { return items_.begin(); }
    const_iterator cend() const noexcept { return items_.end(); }

    // --- capacity ---
    bool empty() const noexcept { return items_.empty(); }
    size_type size() const noexcept { return items_.size(); }
    void reserve(size_type n) { items_.reserve(n); }
    void shrink_to_fit() { items_.shrink_to_fit(); }
    void clear() noexcept { items_.clear(); }
    /// The entries' block (null when none was allocated): for prefetching.
    const value_type* data() const noexcept { return items_.data(); }

    // --- lookup ---
    iterator lower_bound(std::string_view key) { return begin() + lowerIndex(key); }
    const_iterator lower_bound(std::string_view key) const { return begin() + lowerIndex(key); }
    iterator find(std::string_view key) { return begin() + findIndex(key); }
    const_iterator find(std::string_view key) const { return begin() + findIndex(key); }
    bool contains(std::string_view key) const { return findIndex(key) != items_.size(); }
    /// find() that first tries the entry at `hint` and leaves the index found there (or end) in
    /// it. For a lookup site that meets maps of one shape (the elements of one label carry the
    /// same keys in the same order), one key compare instead of a binary search: 3-4 compares
    /// for a 6-8 key map.
    const_iterator find(std::string_view key, uint32_t& hint) const {
        if (hint < items_.size() && std::string_view(items_[hint].first) == key) return begin() + hint;
        size_t i = findIndex(key);
        if (i != items_.size()) hint = uint32_t(i);
        return begin() + i;
    }
    size_type count(std::string_view key) const { return contains(key) ? 1 : 0; }
    V& at(std::string_view key) {
        size_t i = findIndex(key);
        if (i == items_.size()) throw std::out_of_range("cq::FlatMap::at: no such key");
        return items_[i].second;
    }
    const V& at(std::string_view key) const {
        size_t i = findIndex(key);
        if (i == items_.size()) throw std::out_of_range("cq::FlatMap::at: no such key");
        return items_[i].second;
    }

    // --- insertion: K is anything a std::string can be built from and viewed as ---
    template <class K>
    V& operator[](K&& key) {
        return try_emplace(std::forward<K>(key)).first->second;
    }

    /// Inserts (key, V(args...)) unless the key is present; args are then left untouched.
    template <class K, class... Args>
    std::pair<iterator, bool> try_emplace(K&& key, Args&&... args) {
        std::string_view k(key);
        size_t i = insertIndex(k);
        if (i < items_.size() && std::string_view(items_[i].first) == k) return {begin() + i, false};
        return {emplaceAt(i, std::forward<K>(key), std::forward<Args>(args)...), true};
    }
    template <class K, class... Args>
    std::pair<iterator, bool> emplace(K&& key, Args&&... args) {
        return try_emplace(std::forward<K>(key), std::forward<Args>(args)...);
    }
    std::pair<iterator, bool> insert(const value_type& kv) { return try_emplace(kv.first, kv.second); }
    std::pair<iterator, bool> insert(value_type&& kv) { return try_emplace(std::move(kv.first), std::move(kv.second)); }
    template <class It>
    void insert(It first, It last) {
        for (; first != last; ++first) insert(*first);
    }

    /// Appends (key, V(args...)) after every key already present. The caller guarantees the key
    /// sorts after them (a row built in column-name order); no compare is made.
    template <class K, class... Args>
    void append_sorted(K&& key, Args&&... args) {
        items_.emplace_back(std::piecewise_construct, std::forward_as_tuple(std::forward<K>(key)),
                            std::forward_as_tuple(std::forward<Args>(args)...));
    }

    template <class K, class M>
    std::pair<iterator, bool> insert_or_assign(K&& key, M&& value) {
        std::string_view k(key);
        size_t i = insertIndex(k);
        if (i < items_.size() && std::string_view(items_[i].first) == k) {
            items_[i].second = std::forward<M>(value);
            return {begin() + i, false};
        }
        return {emplaceAt(i, std::forward<K>(key), std::forward<M>(value)), true};
    }

    // --- removal ---
    iterator erase(const_iterator pos) { return items_.erase(pos); }
    iterator erase(const_iterator first, const_iterator last) { return items_.erase(first, last); }
    size_type erase(std::string_view key) {
        size_t i = findIndex(key);
        if (i == items_.size()) return 0;
        items_.erase(begin() + i);
        return 1;
    }

    void swap(FlatMap& other) noexcept { items_.swap(other.items_); }

    /// Entry-wise with V's ==, as std::map's == (both are in key order).
    friend bool operator==(const FlatMap& a, const FlatMap& b) { return a.items_ == b.items_; }
    friend bool operator!=(const FlatMap& a, const FlatMap& b) { return !(a == b); }

    /// The sorted entries themselves, for code that walks two maps in parallel.
    const storage_type& entries() const noexcept { return items_; }

private:
    // Where key belongs. Keys arriving in increasing order (projections whose columns are
    // sorted, JSON objects written by us, decoded maps) are appended after one compare.
    size_t insertIndex(std::string_view key) const {
        if (items_.empty() || std::string_view(items_.back().first) < key) return items_.size();
        return lowerIndex(key);
    }
    // Small maps live long (element properties, stored result rows) and are often built by
    // unreserved inserts of 3-6 keys: doubling would leave a 5-entry map in room for 8, which
    // costs more than the std::map it replaces (wasm32: 48 bytes an entry, 64 + malloc's for a
    // std::map node). So up to 8 entries grow one at a time (the same one allocation per insert
    // as std::map's nodes, and exact in the end); larger maps grow by half.
    template <class K, class... Args>
    iterator emplaceAt(size_t i, K&& key, Args&&... args) {
        size_t n = items_.size();
        if (n < items_.capacity())  // vector::emplace copes with args that alias an entry
            return items_.emplace(begin() + i, std::piecewise_construct, std::forward_as_tuple(std::forward<K>(key)),
                                  std::forward_as_tuple(std::forward<Args>(args)...));
        // Build the entry before growing: key or args may refer into the storage reserve frees.
        value_type entry(std::piecewise_construct, std::forward_as_tuple(std::forward<K>(key)),
                         std::forward_as_tuple(std::forward<Args>(args)...));
        items_.reserve(n < 8 ? n + 1 : n + n / 2);
        return items_.insert(begin() + i, std::move(entry));
    }
    size_t lowerIndex(std::string_view key) const {
        size_t lo = 0, n = items_.size();
        while (n > 0) {
            size_t half = n / 2;
            if (std::string_view(items_[lo + half].first) < key) {
                lo += half + 1;
                n -= half + 1;
            } else {
                n = half;
            }
        }
        return lo;
    }
    size_t findIndex(std::string_view key) const {
        size_t i = lowerIndex(key);
        return i < items_.size() && std::string_view(items_[i].first) == key ? i : items_.size();
    }
    template <class It>
    void assign(It first, It last) {
        items_.assign(first, last);
        // Stable, so that of equal keys the first given stays first and survives the unique pass.
        std::stable_sort(items_.begin(), items_.end(),
                         [](const value_type& a, const value_type& b) { return a.first < b.first; });
        items_.erase(std::unique(items_.begin(), items_.end(),
                                 [](const value_type& a, const value_type& b) { return a.first == b.first; }),
                     items_.end());
    }

    storage_type items_;
};

}  // namespace cq
