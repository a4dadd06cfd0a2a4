// SPDX-License-Identifier: MIT
#include "core/model/element.h"

#include <algorithm>

namespace cq {

bool Element::hasLabel(const std::string& label) const {
    return std::find(labels.begin(), labels.end(), label) != labels.end();
}

ElementPtr mergeMissingProperties(const Element& update, const Element& previous) {
    auto merged = std::make_shared<Element>(update);
    // try_emplace with a hint: no node is built for a key the update already has, and keys arrive
    // in order, so each insertion starts next to its place.
    auto hint = merged->properties.begin();
    for (const auto& [key, value] : previous.properties) {
        hint = merged->properties.try_emplace(hint, key, value);
        ++hint;
    }
    return merged;
}

ElementPtr mergeMissingProperties(const ElementPtr& update, const Element& previous) {
    // Both maps are sorted by key: one parallel walk tells whether previous has a key update lacks.
    const Map& mine = update->properties;
    auto u = mine.begin();
    for (const auto& entry : previous.properties) {
        while (u != mine.end() && u->first < entry.first) ++u;
        if (u == mine.end() || u->first != entry.first) return mergeMissingProperties(*update, previous);
        ++u;
    }
    return update;
}

}  // namespace cq
