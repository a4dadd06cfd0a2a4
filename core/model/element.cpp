// SPDX-License-Identifier: MIT
#include "core/model/element.h"

#include <algorithm>

namespace cq {

bool Element::hasLabel(const std::string& label) const {
    return std::find(labels.begin(), labels.end(), label) != labels.end();
}

ElementPtr mergeMissingProperties(const Element& update, const Element& previous) {
    auto merged = std::make_shared<Element>(update);
    for (const auto& [key, value] : previous.properties) merged->properties.emplace(key, value);
    return merged;
}

}  // namespace cq
