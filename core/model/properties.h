// SPDX-License-Identifier: MIT
// cq::Properties: an element's properties, as values in the order of a sorted list of names that
// the elements with the same names share.
//
// Why: a property in a cq::Map is a 32-byte name string beside its 40-byte value (natively), and
// the elements of a graph repeat a few sets of names: the 100,000 rooms of the building benchmark
// each held five names, 16 MB of the graph's 126 MB. Here an element holds its values and one
// pointer to the shared names (core/model/recent_lists.h finds an equal list). Reads are those of
// a Map: find by name (binary search over the shared names, or one compare with a hint), and
// iteration in name order yielding {first: name, second: value}.
#pragma once
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/value.h"

namespace cq {

class Properties {
public:
    using Names = std::vector<std::string>;  ///< sorted, unique

    /// One property, as a Map entry reads: `first` the name, `second` the value.
    struct Entry {
        const std::string& first;
        const Value& second;
    };
    class const_iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Entry;
        using difference_type = std::ptrdiff_t;
        using reference = Entry;
        struct pointer {
            Entry e;
            const Entry* operator->() const { return &e; }
        };
        const_iterator() = default;
        const_iterator(const std::string* name, const Value* value) : name_(name), value_(value) {}
        Entry operator*() const { return {*name_, *value_}; }
        pointer operator->() const { return {**this}; }
        const_iterator& operator++() {
            ++name_;
            ++value_;
            return *this;
        }
        const_iterator operator++(int) {
            const_iterator was = *this;
            ++*this;
            return was;
        }
        bool operator==(const const_iterator& o) const { return value_ == o.value_; }
        bool operator!=(const const_iterator& o) const { return value_ != o.value_; }

    private:
        const std::string* name_ = nullptr;
        const Value* value_ = nullptr;
    };

    Properties() = default;
    /// The properties of `map`, sharing a recent list of names equal to its keys.
    Properties(Map map) { take(map); }
    Properties(std::initializer_list<Map::value_type> entries) : Properties(Map(entries)) {}
    /// The same, for decoders that read properties into a scratch map: its values are moved out
    /// and it is left empty with its capacity, so a decoder allocates one block per element.
    static Properties from(Map& scratch) {
        Properties p;
        p.take(scratch);
        scratch.clear();
        return p;
    }
    /// Properties of a shared list of names and their values in its order (values.size() ==
    /// names->size(); null names for none): for a decoder that found the names already shared.
    static Properties ofNames(std::shared_ptr<const Names> names, std::vector<Value> values) {
        Properties p;
        p.names_ = std::move(names);
        p.values_ = std::move(values);
        return p;
    }
    Map toMap() const;

    /// The shared list of names (null when there are none), for ofNames().
    const std::shared_ptr<const Names>& sharedNames() const { return names_; }
    /// The names, sorted; shared with the other elements that have the same ones.
    const Names& names() const { return names_ ? *names_ : noNames(); }
    /// Whether `o` has the same names (usually the same shared list: one pointer compare).
    bool sameNames(const Properties& o) const { return names_ == o.names_ || names() == o.names(); }
    size_t size() const { return values_.size(); }
    bool empty() const { return values_.empty(); }
    const_iterator begin() const { return {names().data(), values_.data()}; }
    const_iterator end() const { return {names().data() + size(), values_.data() + size()}; }
    const Value* data() const { return values_.data(); }

    /// The value of `name`, or null when there is none.
    const Value* get(std::string_view name) const {
        size_t i = index(name);
        return i == size() ? nullptr : &values_[i];
    }
    /// get() that first tries the property at `hint` and leaves the index found in it: a lookup
    /// site meets elements of one shape, so one compare instead of a binary search.
    const Value* get(std::string_view name, uint32_t& hint) const {
        const Names& n = names();
        if (hint < n.size() && std::string_view(n[hint]) == name) return &values_[hint];
        size_t i = index(name);
        if (i == size()) return nullptr;
        hint = uint32_t(i);
        return &values_[i];
    }
    const_iterator find(std::string_view name) const {
        size_t i = index(name);
        return {names().data() + i, values_.data() + i};
    }
    bool contains(std::string_view name) const { return index(name) != size(); }
    /// The value of `name`; std::out_of_range when there is none.
    const Value& at(std::string_view name) const;

    /// Sets `name` to `value` (adding it when absent).
    void set(std::string_view name, Value value);
    /// Removes `name`; false when there was none.
    bool erase(std::string_view name);
    void clear() {
        names_.reset();
        values_.clear();
    }

private:
    static const Names& noNames();
    size_t lowerIndex(std::string_view name) const;  ///< where `name` is or would go
    size_t index(std::string_view name) const;       ///< where `name` is, or size()
    /// Takes map's values and a shared list equal to its keys (map's values are left moved from).
    void take(Map& map);

    std::shared_ptr<const Names> names_;  ///< null when there are no properties
    std::vector<Value> values_;           ///< values_[i] is the value of (*names_)[i]
};

}  // namespace cq
