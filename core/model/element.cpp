// SPDX-License-Identifier: MIT
#include "core/model/element.h"

#include "core/common/hash.h"
#include "core/model/recent_lists.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string_view>

namespace cq {

const Labels::List& Labels::none() {
    static const List kEmpty;
    return kEmpty;
}

std::shared_ptr<const Labels::List> Labels::of(List& labels) {
    thread_local RecentLists<List> recent;
    return recent.share(labels);
}

// ---- Properties ----

namespace {
RecentLists<Properties::Names>& recentNames() {
    thread_local RecentLists<Properties::Names> recent;
    return recent;
}
}  // namespace

const Properties::Names& Properties::noNames() {
    static const Names kNone;
    return kNone;
}

size_t Properties::lowerIndex(std::string_view name) const {
    const Names& n = names();
    auto it = std::lower_bound(n.begin(), n.end(), name,
                               [](const std::string& a, std::string_view b) { return std::string_view(a) < b; });
    return size_t(it - n.begin());
}

size_t Properties::index(std::string_view name) const {
    size_t i = lowerIndex(name);
    return i < size() && std::string_view(names()[i]) == name ? i : size();
}

void Properties::take(Map& map) {
    values_.clear();
    if (map.empty()) {
        names_.reset();
        return;
    }
    values_.reserve(map.size());
    for (auto& kv : map) values_.push_back(std::move(kv.second));
    names_ = recentNames().find(
        [&](const Names& l) {
            if (l.size() != map.size()) return false;
            for (size_t i = 0; i < l.size(); ++i)
                if (!sameBytes(l[i], (map.begin() + std::ptrdiff_t(i))->first)) return false;
            return true;
        },
        [&] {
            Names n;
            n.reserve(map.size());
            for (const auto& kv : map) n.push_back(kv.first);
            return std::make_shared<const Names>(std::move(n));
        });
}

Map Properties::toMap() const {
    Map out;
    out.reserve(size());
    for (size_t i = 0; i < size(); ++i) out.append_sorted(names()[i], values_[i]);
    return out;
}

const Value& Properties::at(std::string_view name) const {
    if (const Value* v = get(name)) return *v;
    throw std::out_of_range("no property " + std::string(name));
}

void Properties::set(std::string_view name, Value value) {
    const size_t pos = lowerIndex(name);
    if (pos < size() && std::string_view(names()[pos]) == name) {
        values_[pos] = std::move(value);
        return;
    }
    Names n = names();
    n.insert(n.begin() + std::ptrdiff_t(pos), std::string(name));
    values_.insert(values_.begin() + std::ptrdiff_t(pos), std::move(value));
    names_ = recentNames().share(n);
}

bool Properties::erase(std::string_view name) {
    size_t i = index(name);
    if (i == size()) return false;
    Names n = names();
    n.erase(n.begin() + std::ptrdiff_t(i));
    values_.erase(values_.begin() + std::ptrdiff_t(i));
    names_ = recentNames().share(n);
    return true;
}

// ---- Element ----

std::shared_ptr<Element> Element::make(ElementKind kind) {
    if (kind == ElementKind::Relation) return std::make_shared<RelationElement>(Tag());
    return std::make_shared<Element>(Tag(), kind);
}

std::shared_ptr<Element> Element::copyOf(const Element& e) {
    if (e.isRelation()) return std::make_shared<RelationElement>(Tag(), e);
    return std::make_shared<Element>(Tag(), e);
}

ElementRef& Element::start() {
    if (!isRelation()) throw std::logic_error("a node has no start");
    return static_cast<RelationElement*>(this)->startRef;
}

ElementRef& Element::end() {
    if (!isRelation()) throw std::logic_error("a node has no end");
    return static_cast<RelationElement*>(this)->endRef;
}

bool Element::hasLabel(const std::string& label) const {
    return std::find(labels.begin(), labels.end(), label) != labels.end();
}

uint64_t identityHashOf(const ElementRef& ref) {
    // Solution signatures are built from this value and stored (result rows are keyed by them), so
    // it must never change: the two std::hash values, combined.
    return mixHash(ref.source.hash(), std::hash<std::string>()(ref.id));  // source.hash() is std::hash's
}

uint64_t Element::identityHash() const {
    if (identityHashCache.value != 0) return identityHashCache.value;
    uint64_t x = identityHashOf(ref);
    identityHashCache.value = x;  // a hash of 0 is simply recomputed each time
    return x;
}

ElementPtr mergeMissingProperties(const Element& update, const Element& previous) {
    // Both maps are sorted by key: one merge walk builds the union in order (every insertion an
    // append), the update's value winning on a shared key.
    // (Rare path: sources usually send every property, see the overload below.)
    Map out;
    const Properties& mine = update.properties;
    const Properties& theirs = previous.properties;
    out.reserve(mine.size() + theirs.size());
    auto u = mine.begin();
    auto p = theirs.begin();
    while (u != mine.end() || p != theirs.end()) {
        if (p == theirs.end() || (u != mine.end() && u->first <= p->first)) {
            if (p != theirs.end() && u->first == p->first) ++p;
            out.try_emplace(u->first, u->second);
            ++u;
        } else {
            out.try_emplace(p->first, p->second);
            ++p;
        }
    }
    auto merged = Element::copyOf(update);
    merged->properties = std::move(out);
    return merged;
}

ElementPtr mergeMissingProperties(const ElementPtr& update, const Element& previous) {
    // Both are sorted by name: one parallel walk tells whether previous has a name update lacks.
    const Properties& mine = update->properties;
    // Usual case first: the same names (one shared list, or equal lists).
    if (mine.sameNames(previous.properties)) return update;
    auto u = mine.begin();
    for (const auto& entry : previous.properties) {
        while (u != mine.end() && u->first < entry.first) ++u;
        if (u == mine.end() || u->first != entry.first) return mergeMissingProperties(*update, previous);
        ++u;
    }
    return update;
}

}  // namespace cq
