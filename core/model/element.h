// SPDX-License-Identifier: MIT
// Graph elements and source changes, exactly as ../shared/spec/scenario-format.md defines them.
// An element is identified by (source, id). For a relation (start)-[rel]->(end), `start` is
// Drasi's in_node and `end` its out_node.
#pragma once
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/model/properties.h"
#include "core/model/source_name.h"
#include "core/model/value.h"

namespace cq {

/// Byte equality of two strings, eight bytes a step. Refs are compared on every index lookup
/// (the key a hash lands on), and in WebAssembly `std::string ==` ends in musl's memcmp, a loop
/// over single bytes behind a call: ElementRef's comparison was 5-6% of the package's 1-hop and
/// 2-hop profiles (V8 CPU profile, --profiling-funcs).
inline bool sameBytes(const std::string& a, const std::string& b) {
    const size_t n = a.size();
    if (n != b.size()) return false;
    const char* p = a.data();
    const char* q = b.data();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        std::memcpy(&x, p + i, 8);
        std::memcpy(&y, q + i, 8);
        if (x != y) return false;
    }
    for (; i < n; ++i)
        if (p[i] != q[i]) return false;
    return true;
}

struct ElementRef {
    SourceName source;  ///< interned: a pointer compare (see source_name.h)
    std::string id;
    bool operator==(const ElementRef& o) const { return source == o.source && sameBytes(id, o.id); }
    bool operator!=(const ElementRef& o) const { return !(*this == o); }
    bool operator<(const ElementRef& o) const {
        return source < o.source || (source == o.source && id < o.id);
    }
};

/// The 64-bit hash of a ref, the one Element::identityHash keeps: for looking up elements by a ref
/// that is not in an element, consistently with the hashes elements keep.
uint64_t identityHashOf(const ElementRef& ref);

/// identityHashOf for unordered containers (truncated where size_t is 32 bits, as in wasm).
struct ElementRefHash {
    size_t operator()(const ElementRef& r) const { return size_t(identityHashOf(r)); }
};

enum class ElementKind : uint8_t { Node, Relation };

/// An element's labels: an immutable list that elements with the same labels share. A graph has a
/// handful of label lists and many elements; a vector of its own cost each element 24 bytes plus a
/// 48-byte block for one label (natively), about 10 MB of the 100,000-room building graph. Lists are
/// shared through a small per-thread cache of the 16 used last (core/model/recent_lists.h).
class Labels {
public:
    using List = std::vector<std::string>;

    Labels() noexcept = default;
    /// The shared list equal to `labels` (one of the recent ones when it is, a new one otherwise).
    Labels(List labels) : list_(of(labels)) {}
    Labels(std::initializer_list<std::string> labels) : Labels(List(labels)) {}
    /// The same, for decoders that read labels into a scratch list: `scratch` is moved from only
    /// when no recent list equals it, so a hit allocates nothing.
    static Labels from(List& scratch) {
        Labels l;
        l.list_ = of(scratch);
        return l;
    }

    const List& list() const { return list_ ? *list_ : none(); }
    List::const_iterator begin() const { return list().begin(); }
    List::const_iterator end() const { return list().end(); }
    size_t size() const { return list_ ? list_->size() : 0; }
    bool empty() const { return size() == 0; }
    const std::string& front() const { return list().front(); }
    const std::string& operator[](size_t i) const { return list()[i]; }
    bool operator==(const Labels& o) const { return list_ == o.list_ || list() == o.list(); }
    bool operator!=(const Labels& o) const { return !(*this == o); }

private:
    static const List& none();
    static std::shared_ptr<const List> of(List& labels);
    std::shared_ptr<const List> list_;  ///< null: no labels
};


/// A hash an element computes once and keeps (see Element::identityHash). Copies start empty, so an
/// element copied and then given another ref never carries its original's hash.
struct IdentityHashCache {
    mutable uint64_t value = 0;  ///< 0 = not computed yet
    IdentityHashCache() = default;
    IdentityHashCache(const IdentityHashCache&) {}
    IdentityHashCache& operator=(const IdentityHashCache&) {
        value = 0;
        return *this;
    }
};

// Field order is for the cache: a change to a stored element reads the old version's kind, hash,
// ref, labels and properties, which sit together in its first two cache lines. (The hash cache at
// the end cost a third line: 2.7% of the cycles of a change at 100,000 rooms, perf.)
//
// A relation's ends live in RelationElement, which only relations are allocated as: a node is 80
// bytes smaller natively (136 with its shared_ptr block instead of 216; 32 in wasm32), and half of
// the building graph's 210,500 elements are nodes. Build elements with make() and copy them with
// copyOf(), which keep the kind and its layout together; the copy constructor is deleted so that a
// relation is never sliced into a node.
struct Element {
protected:
    struct Tag {
        explicit Tag() = default;
    };

public:
    const ElementKind kind;
    IdentityHashCache identityHashCache;
    ElementRef ref;
    Labels labels;
    Properties properties;
    int64_t effectiveFrom = 0;  ///< the change's time, ms since the epoch (0 = unknown/bootstrap)

    /// A new empty element of `kind`.
    static std::shared_ptr<Element> make(ElementKind kind);
    /// A copy of `e` (its kind, ref, labels, properties, time and ends), to modify.
    static std::shared_ptr<Element> copyOf(const Element& e);

    bool isRelation() const { return kind == ElementKind::Relation; }
    /// Relations only: the tail node (Drasi's in_node). A node has no ends and reads an empty ref.
    const ElementRef& start() const;
    /// Relations only: the head node (Drasi's out_node).
    const ElementRef& end() const;
    /// Writable ends, for relations only (std::logic_error on a node).
    ElementRef& start();
    ElementRef& end();

    bool hasLabel(const std::string& label) const;
    /// A 64-bit hash of `ref`, computed on first use and kept: the solver hashes every element of
    /// every solution it seals, 3 refs (6 strings) per 1-hop solution, about 5% of a change's
    /// instructions before this cache. Call it only once the element is built (shared as const).
    uint64_t identityHash() const;

    Element(Tag, ElementKind k) : kind(k) {}
    Element(Tag, const Element& o)
        : kind(o.kind), ref(o.ref), labels(o.labels), properties(o.properties), effectiveFrom(o.effectiveFrom) {}
    Element(const Element&) = delete;
    Element& operator=(const Element&) = delete;
};

/// What a relation adds to an element. Construct through Element::make(ElementKind::Relation).
struct RelationElement final : Element {
    ElementRef startRef;
    ElementRef endRef;
    RelationElement(Tag t) : Element(t, ElementKind::Relation) {}
    RelationElement(Tag t, const Element& o)
        : Element(t, o), startRef(o.start()), endRef(o.end()) {}
};

inline const ElementRef& Element::start() const {
    static const ElementRef kNone;
    return isRelation() ? static_cast<const RelationElement*>(this)->startRef : kNone;
}
inline const ElementRef& Element::end() const {
    static const ElementRef kNone;
    return isRelation() ? static_cast<const RelationElement*>(this)->endRef : kNone;
}

enum class ChangeOp : uint8_t { Insert, Update, Delete };

struct Change {
    ChangeOp op = ChangeOp::Insert;
    ElementPtr element;  ///< for Delete only the kind, ref, labels and effectiveFrom matter
};

/// Update's merge: properties the update leaves out keep their previous values.
/// Returns a new element = `update` with `previous`'s missing properties filled in.
ElementPtr mergeMissingProperties(const Element& update, const Element& previous);
/// The same, but returns `update` itself (no copy) when it already has every property of
/// `previous` (the common case: sources send the full element).
ElementPtr mergeMissingProperties(const ElementPtr& update, const Element& previous);

}  // namespace cq
