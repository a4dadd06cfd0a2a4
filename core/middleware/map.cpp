// SPDX-License-Identifier: MIT
// map (Drasi's "remap"): rewrites changes per label and operation with JSONPath expressions
// (Drasi middleware/src/map). Only mapped outputs are emitted: a change whose labels have no mapping
// for its operation is dropped.
#include <map>

#include "core/middleware/internal/kinds.h"

namespace cq::mw {

namespace {

struct RelationEnds {
    JsonPath inNodeId;   ///< the start (tail) node's id
    JsonPath outNodeId;  ///< the end (head) node's id
};

struct MapOutput {
    std::optional<ChangeOp> op;  ///< default: the input's operation
    std::optional<JsonPath> selector;
    std::optional<std::string> label;
    std::optional<JsonPath> id;
    bool explicitType = false;         ///< elementType was given
    std::optional<RelationEnds> relation;  ///< elementType Relation
    std::optional<JsonPath> condition;
    std::vector<std::pair<std::string, JsonPath>> properties;
};

struct MapOperations {
    std::vector<MapOutput> insert;
    std::vector<MapOutput> update;
    std::vector<MapOutput> remove;
};

/// A selected id as text: strings as they are, anything else as compact JSON (serde's to_string).
std::string idText(const Value& v) {
    return v.isString() ? v.asString() : valueToJson(v).dump();
}

std::optional<std::string> firstId(const JsonPath& path, const Value& source) {
    std::vector<Value> found = path.select(source);
    if (found.empty()) return std::nullopt;
    return idText(found[0]);
}

class MapMiddleware final : public Middleware {
public:
    explicit MapMiddleware(std::map<std::string, MapOperations, std::less<>> mappings) : mappings_(std::move(mappings)) {}

    void process(const Change& change, const ElementLookup&, std::vector<Change>& out) const override {
        const Element& input = *change.element;
        for (const std::string& label : input.labels) {
            auto found = mappings_.find(label);
            if (found == mappings_.end()) continue;
            const std::vector<MapOutput>& outputs = change.op == ChangeOp::Insert   ? found->second.insert
                                                    : change.op == ChangeOp::Update ? found->second.update
                                                                                    : found->second.remove;
            for (const MapOutput& output : outputs) emit(change, output, out);
        }
    }

private:
    static void emit(const Change& change, const MapOutput& output, std::vector<Change>& out) {
        const Element& input = *change.element;
        Map source = elementJsonForm(input).asMap();
        if (change.op == ChangeOp::Delete) {
            // A delete carries no properties: Drasi maps its metadata as a bare node's, so its JSON
            // form is just "$metadata" (no properties, no $in_node/$out_node).
            Map bare;
            bare["$metadata"] = source["$metadata"];
            source = std::move(bare);
        }
        std::vector<Value> selected;
        if (output.selector) selected = output.selector->select(Value(source));
        else selected.push_back(Value(source));

        for (Value& s : selected) {
            source["$selected"] = std::move(s);
            const Value sourceValue(source);
            if (output.condition && !output.condition->matches(sourceValue)) continue;

            // A relation when the output says so, or when the input is one and the output keeps
            // its type.
            const bool relation = output.relation || (!output.explicitType && input.isRelation());
            auto element = Element::make(relation ? ElementKind::Relation : ElementKind::Node);
            element->ref = input.ref;
            element->labels = input.labels;
            element->effectiveFrom = input.effectiveFrom;
            if (output.id) {
                std::optional<std::string> id = firstId(*output.id, sourceValue);
                if (!id) continue;  // no id: this selection produces nothing
                element->ref.id = *id;
            }
            if (output.label) element->labels = {*output.label};
            Map properties;
            for (const auto& [name, path] : output.properties) {
                std::vector<Value> found = path.select(sourceValue);
                if (!found.empty()) properties[name] = found[0];
            }
            element->properties = std::move(properties);
            if (output.relation) {
                std::optional<std::string> start = firstId(output.relation->inNodeId, sourceValue);
                std::optional<std::string> end = firstId(output.relation->outNodeId, sourceValue);
                if (!start || !end) continue;
                element->start() = ElementRef{input.ref.source, *start};
                element->end() = ElementRef{input.ref.source, *end};
            } else if (relation) {
                element->start() = input.start();
                element->end() = input.end();
            }
            ChangeOp op = output.op.value_or(change.op);
            if (op == ChangeOp::Delete) element->properties.clear();
            out.push_back(Change{op, std::move(element)});
        }
    }

    std::map<std::string, MapOperations, std::less<>> mappings_;
};

MapOutput readOutput(const ConfigReader& reader, const Json& m, const std::string& prefix) {
    if (!m.is_object())
        reader.invalid(prefix, "must be an object {op?, selector?, label?, id?, elementType?, condition?, properties?}");
    MapOutput output;
    if (std::optional<std::string> op = reader.optionalString(m, "op", prefix)) {
        if (*op == "Insert") output.op = ChangeOp::Insert;
        else if (*op == "Update") output.op = ChangeOp::Update;
        else if (*op == "Delete") output.op = ChangeOp::Delete;
        else reader.invalid(ConfigReader::join(prefix, "op"), "must be \"Insert\", \"Update\" or \"Delete\", not \"" + *op + "\"");
    }
    output.selector = reader.optionalPath(m, "selector", prefix);
    output.label = reader.optionalString(m, "label", prefix);
    output.id = reader.optionalPath(m, "id", prefix);
    output.condition = reader.optionalPath(m, "condition", prefix);
    if (const Json* type = ConfigReader::find(m, "elementType")) {
        std::string field = ConfigReader::join(prefix, "elementType");
        output.explicitType = true;
        if (type->is_string() && type->get<std::string>() == "Node") {
            // a node, whatever the input was
        } else if (type->is_object() && type->size() == 1 && type->contains("Relation") && (*type)["Relation"].is_object()) {
            const Json& rel = (*type)["Relation"];
            std::string relPrefix = field + ".Relation";
            output.relation = RelationEnds{reader.requiredPath(rel, "inNodeId", relPrefix),
                                           reader.requiredPath(rel, "outNodeId", relPrefix)};
        } else {
            reader.invalid(field, "must be \"Node\" or {\"Relation\": {\"inNodeId\": path, \"outNodeId\": path}}");
        }
    }
    if (const Json* props = ConfigReader::find(m, "properties")) {
        std::string field = ConfigReader::join(prefix, "properties");
        if (!props->is_object()) reader.invalid(field, "must be an object {name: JSONPath}");
        for (auto it = props->begin(); it != props->end(); ++it) {
            output.properties.emplace_back(it.key(), reader.requiredPath(*props, it.key(), field));
        }
    }
    return output;
}

std::vector<MapOutput> readOutputs(const ConfigReader& reader, const Json& ops, const char* key, const std::string& label) {
    std::vector<MapOutput> outputs;
    const Json* list = ConfigReader::find(ops, key);
    if (!list) return outputs;
    std::string field = label + "." + key;
    if (!list->is_array()) reader.invalid(field, "must be an array of mappings");
    for (size_t i = 0; i < list->size(); ++i) {
        outputs.push_back(readOutput(reader, (*list)[i], field + "[" + std::to_string(i) + "]"));
    }
    return outputs;
}

}  // namespace

std::shared_ptr<const Middleware> makeMap(const ConfigReader& reader, const Json& config) {
    std::map<std::string, MapOperations, std::less<>> mappings;
    for (auto it = config.begin(); it != config.end(); ++it) {
        if (!it.value().is_object())
            reader.invalid(it.key(), "must be an object {insert?: [...], update?: [...], delete?: [...]}");
        MapOperations ops;
        ops.insert = readOutputs(reader, it.value(), "insert", it.key());
        ops.update = readOutputs(reader, it.value(), "update", it.key());
        ops.remove = readOutputs(reader, it.value(), "delete", it.key());
        mappings.emplace(it.key(), std::move(ops));
    }
    return std::make_shared<MapMiddleware>(std::move(mappings));
}

}  // namespace cq::mw
