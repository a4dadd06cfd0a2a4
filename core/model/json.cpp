// SPDX-License-Identifier: MIT
#include "core/model/json.h"

#include <cmath>

#include "core/common/error.h"
#include "core/temporal/temporal.h"

namespace cq {

Value valueFromJson(const Json& j) {
    switch (j.type()) {
        case Json::value_t::null: return Value();
        case Json::value_t::boolean: return Value(j.get<bool>());
        case Json::value_t::number_integer: return Value(j.get<int64_t>());
        case Json::value_t::number_unsigned: {
            uint64_t u = j.get<uint64_t>();
            if (u <= uint64_t(INT64_MAX)) return Value(int64_t(u));
            return Value(double(u));
        }
        case Json::value_t::number_float: return Value(j.get<double>());
        case Json::value_t::string: return Value(j.get<std::string>());
        case Json::value_t::array: {
            List list;
            list.reserve(j.size());
            for (const Json& x : j) list.push_back(valueFromJson(x));
            return Value(std::move(list));
        }
        case Json::value_t::object: {
            Map map;
            map.reserve(j.size());
            for (auto it = j.begin(); it != j.end(); ++it) map.emplace(it.key(), valueFromJson(it.value()));
            return Value(std::move(map));
        }
        default: return Value();
    }
}

Json valueToJson(const Value& v) {
    switch (v.kind()) {
        case ValueKind::Null:
        case ValueKind::Awaiting: return nullptr;
        case ValueKind::Bool: return v.asBool();
        case ValueKind::Integer: return v.asInt();
        case ValueKind::Float: {
            double d = v.asFloat();
            if (std::isnan(d) || std::isinf(d)) return nullptr;  // JSON has no NaN/Infinity
            return d;
        }
        case ValueKind::String: return v.asString();
        case ValueKind::List: {
            Json out = Json::array();
            for (const Value& x : v.asList()) out.push_back(valueToJson(x));
            return out;
        }
        case ValueKind::Map: {
            Json out = Json::object();
            for (const auto& [k, x] : v.asMap()) out[k] = valueToJson(x);
            return out;
        }
        case ValueKind::Element: {
            Json out = Json::object();
            for (const auto& [k, x] : v.asElement()->properties) out[k] = valueToJson(x);
            return out;
        }
        default: return temporal::toIsoString(v);
    }
}

namespace {

[[noreturn]] void badChange(const std::string& what) {
    throw Error(ErrorCode::InvalidChange, "invalid change: " + what);
}

const Json& field(const Json& obj, const char* name, const char* where) {
    auto it = obj.find(name);
    if (it == obj.end()) badChange(std::string(where) + " has no \"" + name + "\"");
    return *it;
}

std::string stringField(const Json& obj, const char* name, const char* where) {
    const Json& f = field(obj, name, where);
    if (f.is_string()) return f.get<std::string>();
    if (f.is_number_integer()) return std::to_string(f.get<int64_t>());
    badChange(std::string(where) + " field \"" + name + "\" must be a string");
}

}  // namespace

Change changeFromJson(const Json& j) {
    if (!j.is_object()) badChange("a change must be a JSON object");
    Change change;
    std::string op = stringField(j, "op", "change");
    if (op == "insert") change.op = ChangeOp::Insert;
    else if (op == "update") change.op = ChangeOp::Update;
    else if (op == "delete") change.op = ChangeOp::Delete;
    else badChange("\"op\" must be insert, update or delete, not \"" + op + "\"");

    const Json& e = field(j, "element", "change");
    if (!e.is_object()) badChange("\"element\" must be an object");
    std::string kind = e.contains("kind") ? stringField(e, "kind", "element") : "node";
    if (kind != "node" && kind != "relation") badChange("element \"kind\" must be node or relation, not \"" + kind + "\"");
    auto element = Element::make(kind == "node" ? ElementKind::Node : ElementKind::Relation);
    element->ref.source = stringField(e, "source", "element");
    element->ref.id = stringField(e, "id", "element");
    if (auto it = e.find("labels"); it != e.end() && !it->is_null()) {
        if (!it->is_array()) badChange("element \"labels\" must be an array of strings");
        Labels::List labels;
        for (const Json& l : *it) {
            if (!l.is_string()) badChange("element \"labels\" must be an array of strings");
            labels.push_back(l.get<std::string>());
        }
        element->labels = Labels(std::move(labels));
    }
    if (auto it = e.find("effective_from"); it != e.end() && !it->is_null()) {
        if (!it->is_number()) badChange("element \"effective_from\" must be a number (ms since the epoch)");
        element->effectiveFrom = it->is_number_float() ? int64_t(it->get<double>()) : it->get<int64_t>();
    }
    if (auto it = e.find("properties"); it != e.end() && !it->is_null()) {
        if (!it->is_object()) badChange("element \"properties\" must be an object");
        Map properties;
        properties.reserve(it->size());
        for (auto p = it->begin(); p != it->end(); ++p) properties.emplace(p.key(), valueFromJson(p.value()));
        element->properties = Properties(std::move(properties));
    }
    if (element->isRelation() && change.op != ChangeOp::Delete) {
        element->start().id = stringField(e, "start", "relation");
        element->end().id = stringField(e, "end", "relation");
    } else if (element->isRelation()) {
        if (e.contains("start")) element->start().id = stringField(e, "start", "relation");
        if (e.contains("end")) element->end().id = stringField(e, "end", "relation");
    }
    if (element->isRelation()) {
        element->start().source = e.contains("start_source") ? SourceName(stringField(e, "start_source", "relation")) : element->ref.source;
        element->end().source = e.contains("end_source") ? SourceName(stringField(e, "end_source", "relation")) : element->ref.source;
    }
    change.element = std::move(element);
    return change;
}

Json changeToJson(const Change& c) {
    const Element& e = *c.element;
    Json el = {{"kind", e.isRelation() ? "relation" : "node"},
               {"source", e.ref.source},
               {"id", e.ref.id},
               {"labels", e.labels.list()},
               {"effective_from", e.effectiveFrom}};
    Json props = Json::object();
    for (const auto& [k, v] : e.properties) props[k] = valueToJson(v);
    el["properties"] = props;
    if (e.isRelation()) {
        el["start"] = e.start().id;
        el["end"] = e.end().id;
        el["start_source"] = e.start().source;
        el["end_source"] = e.end().source;
    }
    const char* op = c.op == ChangeOp::Insert ? "insert" : c.op == ChangeOp::Update ? "update" : "delete";
    return Json{{"op", op}, {"element", el}};
}

Json parseJson(const std::string& text) {
    try {
        return Json::parse(text);
    } catch (const Json::parse_error& e) {
        throw Error(ErrorCode::InvalidJson, std::string("malformed JSON: ") + e.what());
    }
}

}  // namespace cq
