// SPDX-License-Identifier: MIT
// Shared helpers of the middleware unit tests: building changes and pipelines from JSON, and
// capturing the cq::Error a call throws.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "core/common/error.h"
#include "core/middleware/middleware.h"
#include "core/model/json.h"

namespace cq::mwtest {

inline Change makeChange(const std::string& op, const Json& element) {
    return changeFromJson(Json{{"op", op}, {"element", element}});
}

inline Change nodeChange(const std::string& op, const std::string& id, const std::vector<std::string>& labels,
                         const Json& properties = Json::object(), const std::string& source = "src", int64_t ts = 0) {
    return makeChange(op, Json{{"kind", "node"}, {"source", source}, {"id", id}, {"labels", labels},
                               {"effective_from", ts}, {"properties", properties}});
}

/// A pipeline of the given middleware list applied to every source.
inline mw::Pipelines pipelineOf(const Json& middleware) {
    Json names = Json::array();
    for (const Json& m : middleware) names.push_back(m["name"]);
    return mw::Pipelines::build(middleware, Json::object(), names);
}

/// One middleware `{kind, name: "m", config}` as a pipeline.
inline mw::Pipelines single(const std::string& kind, const Json& config) {
    return pipelineOf(Json::array({Json{{"kind", kind}, {"name", "m"}, {"config", config}}}));
}

/// A lookup over a fixed set of stored elements.
struct Store {
    std::map<ElementRef, ElementPtr> elements;
    void put(const Change& c) { elements[c.element->ref] = c.element; }
    mw::ElementLookup lookup() const {
        return [this](const ElementRef& ref) -> ElementPtr {
            auto it = elements.find(ref);
            return it == elements.end() ? nullptr : it->second;
        };
    }
};

struct Caught {
    ErrorCode code = ErrorCode::Ok;
    std::string message;
};

/// Runs `f` and returns the cq::Error it threw (code Ok when it threw nothing).
template <class F>
Caught caught(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return Caught{e.code(), e.what()};
    }
    return Caught{};
}

inline Json props(const Change& c) {
    Json out = Json::object();
    for (const auto& [k, v] : c.element->properties) out[k] = valueToJson(v);
    return out;
}

inline std::string opName(const Change& c) {
    return c.op == ChangeOp::Insert ? "insert" : c.op == ChangeOp::Update ? "update" : "delete";
}

}  // namespace cq::mwtest
