// SPDX-License-Identifier: MIT
// promote: copies nested values (one JSONPath match each) to top-level properties on insert and
// update (Drasi middleware/src/promote). Paths run over the properties only, as they were before
// this middleware changed anything, so one mapping never sees another's output.
#include "core/common/error.h"
#include "core/middleware/internal/kinds.h"

namespace cq::mw {

namespace {

enum class OnConflict : uint8_t { Overwrite, Skip, Fail };

struct PromoteMapping {
    JsonPath path;
    std::string targetName;
};

class Promote final : public Middleware {
public:
    Promote(MiddlewareInfo info, std::vector<PromoteMapping> mappings, OnConflict onConflict, OnError onError)
        : info_(std::move(info)), mappings_(std::move(mappings)), onConflict_(onConflict), onError_(onError) {}

    void process(const Change& change, const ElementLookup&, std::vector<Change>& out) const override {
        if (change.op == ChangeOp::Delete) {
            out.push_back(change);
            return;
        }
        const Value source(change.element->properties.toMap());
        auto element = Element::copyOf(*change.element);
        for (const PromoteMapping& m : mappings_) {
            std::vector<Value> found = m.path.select(source);
            if (found.size() != 1) {
                std::string message = "JSONPath '" + m.path.text() + "' selected " +
                                      (found.empty() ? std::string("no values")
                                                     : "multiple values (" + std::to_string(found.size()) + ")");
                if (onError_ == OnError::Fail) failChange(info_, message);
                continue;
            }
            auto existing = element->properties.find(m.targetName);
            if (existing != element->properties.end() && !existing->second.isNull()) {
                if (onConflict_ == OnConflict::Skip) continue;
                if (onConflict_ == OnConflict::Fail)
                    failChange(info_, "Property '" + m.targetName + "' already exists and conflict strategy is 'fail'");
            }
            element->properties.set(m.targetName, found[0]);
        }
        out.push_back(Change{change.op, std::move(element)});
    }

private:
    MiddlewareInfo info_;
    std::vector<PromoteMapping> mappings_;
    OnConflict onConflict_;
    OnError onError_;
};

}  // namespace

std::shared_ptr<const Middleware> makePromote(const ConfigReader& reader, const Json& config) {
    reader.denyUnknown(config, {"mappings", "on_conflict", "on_error"});
    const Json* mappings = ConfigReader::find(config, "mappings");
    if (!mappings) reader.invalid("mappings", "is missing");
    if (!mappings->is_array()) reader.invalid("mappings", "must be an array of {path, target_name}");
    if (mappings->empty()) reader.invalid("mappings", "must hold at least one mapping");
    std::vector<PromoteMapping> list;
    for (size_t i = 0; i < mappings->size(); ++i) {
        std::string prefix = "mappings[" + std::to_string(i) + "]";
        const Json& m = (*mappings)[i];
        if (!m.is_object()) reader.invalid(prefix, "must be an object {path, target_name}");
        JsonPath path = reader.requiredPath(m, "path", prefix);
        list.push_back(PromoteMapping{std::move(path), reader.requiredString(m, "target_name", prefix)});
    }
    OnConflict onConflict = OnConflict::Overwrite;
    if (std::optional<std::string> s = reader.optionalString(config, "on_conflict")) {
        if (*s == "skip") onConflict = OnConflict::Skip;
        else if (*s == "fail") onConflict = OnConflict::Fail;
        else if (*s != "overwrite") reader.invalid("on_conflict", "must be \"overwrite\", \"skip\" or \"fail\", not \"" + *s + "\"");
    }
    return std::make_shared<Promote>(reader.info(), std::move(list), onConflict, reader.onError(config));
}

}  // namespace cq::mw
