// SPDX-License-Identifier: MIT
// Building pipelines from the scenario-format JSON and running changes through them, plus the
// config-reading helpers every kind shares.
#include "core/middleware/middleware.h"

#include <set>

#include "core/common/error.h"
#include "core/middleware/internal/kinds.h"

namespace cq::mw {

// ---- ConfigReader ----

void ConfigReader::invalid(const std::string& field, const std::string& what) const {
    // "Middleware setup error" and "Invalid configuration" are the words Drasi's
    // MiddlewareSetupError uses; the conformance files quote them.
    std::string where = field.empty() ? "" : "field '" + field + "' ";
    throw Error(ErrorCode::InvalidConfig,
                "Middleware setup error: Invalid configuration: " + info_.describe() + ": " + where + what);
}

const Json* ConfigReader::find(const Json& obj, const std::string& key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
}

std::string ConfigReader::join(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
}

std::string ConfigReader::requiredString(const Json& obj, const std::string& key, const std::string& prefix,
                                         bool allowEmpty) const {
    std::optional<std::string> s = optionalString(obj, key, prefix, allowEmpty);
    if (!s) invalid(join(prefix, key), "is missing");
    return *s;
}

std::optional<std::string> ConfigReader::optionalString(const Json& obj, const std::string& key,
                                                        const std::string& prefix, bool allowEmpty) const {
    const Json* j = find(obj, key);
    if (!j) return std::nullopt;
    if (!j->is_string()) invalid(join(prefix, key), "must be a string");
    std::string s = j->get<std::string>();
    if (s.empty() && !allowEmpty) invalid(join(prefix, key), "must not be empty");
    return s;
}

bool ConfigReader::optionalBool(const Json& obj, const std::string& key, bool byDefault) const {
    const Json* j = find(obj, key);
    if (!j) return byDefault;
    if (!j->is_boolean()) invalid(key, "must be true or false");
    return j->get<bool>();
}

int64_t ConfigReader::optionalPositive(const Json& obj, const std::string& key, int64_t byDefault) const {
    const Json* j = find(obj, key);
    if (!j) return byDefault;
    if (!j->is_number_integer() && !j->is_number_unsigned()) invalid(key, "must be a whole number of bytes or levels");
    if (j->is_number_integer() && j->get<int64_t>() <= 0) invalid(key, "must be greater than 0");
    if (j->is_number_unsigned() && j->get<uint64_t>() > uint64_t(INT64_MAX)) return INT64_MAX;
    return j->get<int64_t>();
}

OnError ConfigReader::onError(const Json& obj) const {
    std::optional<std::string> s = optionalString(obj, "on_error");
    if (!s || *s == "fail") return OnError::Fail;
    if (*s == "skip") return OnError::Skip;
    invalid("on_error", "must be \"fail\" or \"skip\", not \"" + *s + "\"");
}

JsonPath ConfigReader::parsePath(const std::string& text, const std::string& field) const {
    try {
        return JsonPath::parse(text);
    } catch (const Error& e) {
        invalid(field, std::string("is not valid: ") + e.what());
    }
}

JsonPath ConfigReader::requiredPath(const Json& obj, const std::string& key, const std::string& prefix) const {
    return parsePath(requiredString(obj, key, prefix), join(prefix, key));
}

std::optional<JsonPath> ConfigReader::optionalPath(const Json& obj, const std::string& key,
                                                   const std::string& prefix) const {
    std::optional<std::string> text = optionalString(obj, key, prefix);
    if (!text) return std::nullopt;
    return parsePath(*text, join(prefix, key));
}

void ConfigReader::denyUnknown(const Json& obj, const std::vector<std::string>& allowed,
                               const std::string& prefix) const {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        bool known = false;
        for (const std::string& a : allowed) known = known || a == it.key();
        if (!known) {
            std::string list;
            for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
            invalid(join(prefix, it.key()), "is not a known field (expected one of: " + list + ")");
        }
    }
}

// ---- shared helpers ----

void failChange(const MiddlewareInfo& info, const std::string& message) {
    throw Error(ErrorCode::MiddlewareError, info.describe() + ": " + message);
}

Value elementJsonForm(const Element& element) {
    Map form = element.properties.toMap();
    std::string labels;
    for (const std::string& l : element.labels) labels += (labels.empty() ? "" : ",") + l;
    form["$metadata"] = Value("(" + element.ref.source + ":" + element.ref.id + ", [" + labels + "], " +
                              std::to_string(element.effectiveFrom) + ")");
    if (element.isRelation()) {
        form["$in_node"] = Value(element.start().source + ":" + element.start().id);
        form["$out_node"] = Value(element.end().source + ":" + element.end().id);
    }
    return Value(std::move(form));
}

std::string propertyTypeName(const Value& v) {
    return v.isMap() ? "Object" : valueKindName(v.kind());
}

// ---- Pipelines ----

namespace {

using Factory = std::shared_ptr<const Middleware> (*)(const ConfigReader&, const Json&);

Factory factoryFor(const std::string& kind) {
    static const std::pair<const char*, Factory> kKinds[] = {
        {"unwind", makeUnwind},   {"map", makeMap},           {"relabel", makeRelabel},
        {"promote", makePromote}, {"parse_json", makeParseJson}, {"decoder", makeDecoder},
    };
    for (const auto& [name, factory] : kKinds) {
        if (kind == name) return factory;
    }
    return nullptr;
}

[[noreturn]] void invalidSetup(const std::string& what) {
    throw Error(ErrorCode::InvalidConfig, "Middleware setup error: Invalid configuration: " + what);
}

}  // namespace

Pipelines Pipelines::build(const Json& middleware, const Json& sourcePipelines, const Json& pipeline) {
    std::map<std::string, std::shared_ptr<const Middleware>, std::less<>> byName;
    if (!middleware.is_null()) {
        if (!middleware.is_array()) invalidSetup("'middleware' must be an array of {kind, name, config}");
        for (size_t i = 0; i < middleware.size(); ++i) {
            const Json& entry = middleware[i];
            std::string where = "middleware[" + std::to_string(i) + "]";
            if (!entry.is_object()) invalidSetup(where + " must be an object {kind, name, config}");
            const Json* name = ConfigReader::find(entry, "name");
            if (!name || !name->is_string() || name->get<std::string>().empty())
                invalidSetup(where + ": field 'name' must be a non-empty string");
            const Json* kind = ConfigReader::find(entry, "kind");
            if (!kind || !kind->is_string())
                invalidSetup(where + " ('" + name->get<std::string>() + "'): field 'kind' must be a string");
            MiddlewareInfo info{name->get<std::string>(), kind->get<std::string>()};
            Factory factory = factoryFor(info.kind);
            if (!factory)
                invalidSetup(info.describe() + ": unknown middleware kind (expected unwind, map, relabel, promote, "
                                               "parse_json or decoder)");
            if (byName.count(info.name)) invalidSetup(info.describe() + ": the name is used twice");
            const Json* config = ConfigReader::find(entry, "config");
            static const Json kEmpty = Json::object();
            if (config && !config->is_object())
                invalidSetup(info.describe() + ": field 'config' must be an object");
            byName.emplace(info.name, factory(ConfigReader(info), config ? *config : kEmpty));
        }
    }

    auto resolve = [&byName](const Json& names, const std::string& where) {
        if (!names.is_array()) invalidSetup(where + " must be an array of middleware names");
        Pipeline out;
        for (const Json& n : names) {
            if (!n.is_string()) invalidSetup(where + " must be an array of middleware names");
            auto it = byName.find(n.get<std::string>());
            if (it == byName.end())
                invalidSetup(where + ": unknown middleware '" + n.get<std::string>() + "' (not in 'middleware')");
            out.push_back(it->second);
        }
        return out;
    };

    Pipelines result;
    if (!sourcePipelines.is_null()) {
        if (!sourcePipelines.is_object()) invalidSetup("'source_pipelines' must be an object {source: [names]}");
        for (auto it = sourcePipelines.begin(); it != sourcePipelines.end(); ++it) {
            Pipeline p = resolve(it.value(), "source_pipelines['" + it.key() + "']");
            if (!p.empty()) result.bySource_.emplace(it.key(), std::move(p));
        }
    }
    if (!pipeline.is_null()) {
        Pipeline p = resolve(pipeline, "'pipeline'");
        if (sourcePipelines.is_null() || sourcePipelines.empty()) result.allSources_ = std::move(p);
    }
    return result;
}

std::vector<Change> Pipelines::process(const Change& change, const ElementLookup& lookup) const {
    const Pipeline* pipeline = &allSources_;
    if (!bySource_.empty()) {
        auto it = bySource_.find(change.element->ref.source);
        if (it == bySource_.end()) return {change};
        pipeline = &it->second;
    }
    std::vector<Change> current{change};
    for (const auto& middleware : *pipeline) {
        std::vector<Change> next;
        for (const Change& c : current) middleware->process(c, lookup, next);
        current.swap(next);
    }
    return current;
}

}  // namespace cq::mw
