// SPDX-License-Identifier: MIT
#include "core/model/element.h"

#include "core/common/hash.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

namespace cq {

const Labels::List& Labels::none() {
    static const List kEmpty;
    return kEmpty;
}

std::shared_ptr<const Labels::List> Labels::of(List& labels) {
    if (labels.empty()) return nullptr;
    // The lists last made or found on this thread, tried newest first: a decoded stream repeats a
    // few label lists (a change is usually an update of an element with the labels it had), so the
    // first comparison usually hits. Per thread because the pthreads build decodes stored elements
    // on its storage workers.
    struct Recent {
        std::shared_ptr<const List> lists[kRecent];
        size_t next = 0;  ///< the slot the next new list takes (round robin)
        size_t last = 0;  ///< the slot last returned
    };
    thread_local Recent recent;
    for (size_t i = 0; i < kRecent; ++i) {
        size_t k = (recent.last + kRecent - i) % kRecent;
        const std::shared_ptr<const List>& l = recent.lists[k];
        if (l && *l == labels) {
            recent.last = k;
            return l;
        }
    }
    auto made = std::make_shared<const List>(std::move(labels));
    recent.last = recent.next;
    recent.lists[recent.next] = made;
    recent.next = (recent.next + 1) % kRecent;
    return made;
}

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
    return mixHash(std::hash<std::string>()(ref.source), std::hash<std::string>()(ref.id));
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
    const Map& mine = update.properties;
    const Map& theirs = previous.properties;
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
    // Both maps are sorted by key: one parallel walk tells whether previous has a key update lacks.
    const Map& mine = update->properties;
    // Usual case first: the same keys in the same order, one equality test a key.
    if (mine.size() == previous.properties.size() &&
        std::equal(mine.begin(), mine.end(), previous.properties.begin(),
                   [](const auto& a, const auto& b) { return a.first == b.first; }))
        return update;
    auto u = mine.begin();
    for (const auto& entry : previous.properties) {
        while (u != mine.end() && u->first < entry.first) ++u;
        if (u == mine.end() || u->first != entry.first) return mergeMissingProperties(*update, previous);
        ++u;
    }
    return update;
}

}  // namespace cq
