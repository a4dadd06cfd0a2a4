// SPDX-License-Identifier: MIT
// relabel: renames labels on insert, update and delete (Drasi middleware/src/relabel).
// Config: {"labelMappings": {"Old": "New", ...}} with at least one mapping.
#include <algorithm>

#include "core/middleware/internal/kinds.h"

namespace cq::mw {

namespace {

class Relabel final : public Middleware {
public:
    explicit Relabel(std::map<std::string, std::string, std::less<>> mappings) : mappings_(std::move(mappings)) {}

    void process(const Change& change, const ElementLookup&, std::vector<Change>& out) const override {
        auto element = Element::copyOf(*change.element);
        std::vector<std::string> labels;
        for (const std::string& label : element->labels) {
            auto it = mappings_.find(label);
            const std::string& renamed = it == mappings_.end() ? label : it->second;
            // Two labels renamed to the same one collapse into one (Drasi would keep both copies).
            if (std::find(labels.begin(), labels.end(), renamed) == labels.end()) labels.push_back(renamed);
        }
        element->labels = std::move(labels);
        out.push_back(Change{change.op, std::move(element)});
    }

private:
    std::map<std::string, std::string, std::less<>> mappings_;
};

}  // namespace

std::shared_ptr<const Middleware> makeRelabel(const ConfigReader& reader, const Json& config) {
    const Json* mappings = ConfigReader::find(config, "labelMappings");
    if (!mappings) reader.invalid("labelMappings", "is missing");
    if (!mappings->is_object()) reader.invalid("labelMappings", "must be an object {\"OldLabel\": \"NewLabel\"}");
    if (mappings->empty()) reader.invalid("labelMappings", "must hold at least one label mapping");
    std::map<std::string, std::string, std::less<>> table;
    for (auto it = mappings->begin(); it != mappings->end(); ++it) {
        table[it.key()] = reader.requiredString(*mappings, it.key(), "labelMappings");
    }
    return std::make_shared<Relabel>(std::move(table));
}

}  // namespace cq::mw
