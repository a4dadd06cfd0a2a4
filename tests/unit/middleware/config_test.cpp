// SPDX-License-Identifier: MIT
// Building pipelines: every invalid config is rejected with InvalidConfig, and the message names the
// middleware and the field. Also pipeline wiring: per-source pipelines, the `pipeline` shorthand.
#include <catch2/catch.hpp>

#include "tests/unit/middleware/helpers.h"

using namespace cq;
using namespace cq::mwtest;

namespace {

/// Builds one middleware and returns the error message (fails the test if the build succeeds).
std::string buildError(const std::string& kind, const Json& config, const std::string& name = "m") {
    Json mw = Json::array({Json{{"kind", kind}, {"name", name}, {"config", config}}});
    Caught c = caught([&] { mw::Pipelines::build(mw, Json::object(), Json::array({name})); });
    INFO(config.dump());
    CHECK(c.code == ErrorCode::InvalidConfig);
    CHECK_THAT(c.message, Catch::Contains("Invalid configuration"));
    CHECK_THAT(c.message, Catch::Contains("'" + name + "' (" + kind + ")"));
    return c.message;
}

void expectFieldError(const std::string& kind, const Json& config, const std::string& field,
                      const std::string& what = "") {
    std::string message = buildError(kind, config);
    CHECK_THAT(message, Catch::Contains("field '" + field + "'"));
    if (!what.empty()) CHECK_THAT(message, Catch::Contains(what));
}

}  // namespace

TEST_CASE("unwind config errors name the field", "[middleware][config]") {
    // unwind__unwind_incorrect_structure_fails: an object where an array of mappings belongs.
    expectFieldError("unwind", R"({"Pod": {"selector": "$.a[*]", "label": "C"}})"_json, "Pod", "array");
    // unwind__unwind_invalid_config_fails: a selector that is not JSONPath.
    expectFieldError("unwind", R"({"Pod": [{"selector": "z$.status[*]", "label": "C"}]})"_json, "Pod[0].selector",
                     "invalid JSONPath");
    expectFieldError("unwind", R"({"Pod": [{"label": "C"}]})"_json, "Pod[0].selector", "is missing");
    expectFieldError("unwind", R"({"Pod": [{"selector": "$.a[*]"}]})"_json, "Pod[0].label", "is missing");
    expectFieldError("unwind", R"({"Pod": [{"selector": "$.a[*]", "label": 3}]})"_json, "Pod[0].label", "string");
    expectFieldError("unwind", R"({"Pod": [{"selector": "$.a[*]", "label": "C", "key": "id"}]})"_json, "Pod[0].key");
    expectFieldError("unwind", R"({"Pod": [{"selector": "$.a[*]", "label": "C", "condition": "$["}]})"_json,
                     "Pod[0].condition");
    expectFieldError("unwind", R"({"Pod": [{"selector": "$.a[*]", "label": "C", "relation": ""}]})"_json,
                     "Pod[0].relation", "empty");
    expectFieldError("unwind", R"({"Pod": ["$.a[*]"]})"_json, "Pod[0]", "object");
    CHECK_NOTHROW(single("unwind", Json::object()));
}

TEST_CASE("map config errors name the field", "[middleware][config]") {
    // remap__remap_incorrect_structure_fails: insert is an object, not an array.
    expectFieldError("map", R"({"Telemetry": {"insert": {"selector": "$", "id": "$.id"}}})"_json, "Telemetry.insert",
                     "array");
    // remap__remap_invalid_config_fails.
    expectFieldError("map", R"({"Telemetry": {"insert": [{"selector": "z$[?(@.a == 'b')]"}]}})"_json,
                     "Telemetry.insert[0].selector", "invalid JSONPath");
    expectFieldError("map", R"({"T": {"update": [{"op": "Upsert"}]}})"_json, "T.update[0].op", "Insert");
    expectFieldError("map", R"({"T": {"delete": [{"elementType": "Edge"}]}})"_json, "T.delete[0].elementType");
    expectFieldError("map", R"({"T": {"insert": [{"elementType": {"Relation": {"inNodeId": "$.a"}}}]}})"_json,
                     "T.insert[0].elementType.Relation.outNodeId", "is missing");
    expectFieldError("map", R"({"T": {"insert": [{"properties": ["$.a"]}]}})"_json, "T.insert[0].properties");
    expectFieldError("map", R"({"T": {"insert": [{"properties": {"x": "a.b"}}]}})"_json, "T.insert[0].properties.x");
    expectFieldError("map", R"({"T": {"insert": [{"id": 5}]}})"_json, "T.insert[0].id", "string");
    expectFieldError("map", R"({"T": []})"_json, "T", "object");
}

TEST_CASE("relabel config errors name the field", "[middleware][config]") {
    expectFieldError("relabel", Json::object(), "labelMappings", "is missing");
    expectFieldError("relabel", R"({"labelMappings": {}})"_json, "labelMappings", "at least one");
    expectFieldError("relabel", R"({"labelMappings": ["A"]})"_json, "labelMappings", "object");
    expectFieldError("relabel", R"({"labelMappings": {"A": 1}})"_json, "labelMappings.A", "string");
    expectFieldError("relabel", R"({"labelMappings": {"A": ""}})"_json, "labelMappings.A", "empty");
}

TEST_CASE("promote config errors name the field", "[middleware][config]") {
    expectFieldError("promote", Json::object(), "mappings", "is missing");
    expectFieldError("promote", R"({"mappings": []})"_json, "mappings", "at least one");
    expectFieldError("promote", R"({"mappings": [{"target_name": "x"}]})"_json, "mappings[0].path", "is missing");
    expectFieldError("promote", R"({"mappings": [{"path": "", "target_name": "x"}]})"_json, "mappings[0].path", "empty");
    expectFieldError("promote", R"({"mappings": [{"path": "$.a"}]})"_json, "mappings[0].target_name", "is missing");
    expectFieldError("promote", R"({"mappings": [{"path": "$.a", "target_name": ""}]})"_json, "mappings[0].target_name");
    expectFieldError("promote", R"({"mappings": [{"path": "$.a[", "target_name": "x"}]})"_json, "mappings[0].path");
    expectFieldError("promote", R"({"mappings": [{"path": "$.a", "target_name": "x"}], "on_conflict": "merge"})"_json,
                     "on_conflict", "overwrite");
    expectFieldError("promote", R"({"mappings": [{"path": "$.a", "target_name": "x"}], "on_error": "ignore"})"_json,
                     "on_error", "skip");
    expectFieldError("promote", R"({"mappings": [{"path": "$.a", "target_name": "x"}], "onConflict": "skip"})"_json,
                     "onConflict", "not a known field");
}

TEST_CASE("parse_json config errors name the field", "[middleware][config]") {
    expectFieldError("parse_json", Json::object(), "target_property", "is missing");
    expectFieldError("parse_json", R"({"target_property": ""})"_json, "target_property", "empty");
    expectFieldError("parse_json", R"({"target_property": "a", "output_property": ""})"_json, "output_property");
    expectFieldError("parse_json", R"({"target_property": "a", "max_json_size": 0})"_json, "max_json_size",
                     "greater than 0");
    expectFieldError("parse_json", R"({"target_property": "a", "max_json_size": "1MB"})"_json, "max_json_size");
    expectFieldError("parse_json", R"({"target_property": "a", "max_nesting_depth": -1})"_json, "max_nesting_depth");
    expectFieldError("parse_json", R"({"target_property": "a", "on_error": "retry"})"_json, "on_error");
    expectFieldError("parse_json", R"({"target_property": "a", "strip_quotes": true})"_json, "strip_quotes",
                     "not a known field");
}

TEST_CASE("decoder config errors name the field", "[middleware][config]") {
    expectFieldError("decoder", R"({"target_property": "a"})"_json, "encoding_type", "is missing");
    expectFieldError("decoder", R"({"encoding_type": "base32", "target_property": "a"})"_json, "encoding_type",
                     "base64url");
    expectFieldError("decoder", R"({"encoding_type": "hex"})"_json, "target_property", "is missing");
    expectFieldError("decoder", R"({"encoding_type": "hex", "target_property": "a", "output_property": ""})"_json,
                     "output_property");
    expectFieldError("decoder", R"({"encoding_type": "hex", "target_property": "a", "strip_quotes": "yes"})"_json,
                     "strip_quotes", "true or false");
    expectFieldError("decoder", R"({"encoding_type": "hex", "target_property": "a", "max_size_bytes": 0})"_json,
                     "max_size_bytes", "greater than 0");
    expectFieldError("decoder", R"({"encoding_type": "hex", "target_property": "a", "on_error": 1})"_json, "on_error");
    expectFieldError("decoder", R"({"encoding_type": "hex", "target_property": "a", "max_json_size": 9})"_json,
                     "max_json_size", "not a known field");
}

TEST_CASE("pipeline wiring errors", "[middleware][config]") {
    auto error = [](const Json& middleware, const Json& sources, const Json& pipeline) {
        Caught c = caught([&] { mw::Pipelines::build(middleware, sources, pipeline); });
        CHECK(c.code == ErrorCode::InvalidConfig);
        return c.message;
    };
    Json relabel = R"({"kind": "relabel", "name": "r", "config": {"labelMappings": {"A": "B"}}})"_json;
    CHECK_THAT(error(Json::array({R"({"kind": "jq", "name": "j", "config": {}})"_json}), nullptr, nullptr),
               Catch::Contains("'j' (jq): unknown middleware kind"));
    CHECK_THAT(error(Json::array({relabel, relabel}), nullptr, nullptr), Catch::Contains("'r' (relabel): the name is used twice"));
    CHECK_THAT(error(Json::array({relabel}), R"({"S": ["r", "nope"]})"_json, nullptr),
               Catch::Contains("unknown middleware 'nope'"));
    CHECK_THAT(error(Json::array({relabel}), nullptr, R"(["x"])"_json), Catch::Contains("unknown middleware 'x'"));
    CHECK_THAT(error(Json::object(), nullptr, nullptr), Catch::Contains("'middleware' must be an array"));
    CHECK_THAT(error(Json::array({R"({"kind": "relabel", "config": {}})"_json}), nullptr, nullptr),
               Catch::Contains("field 'name'"));
    CHECK_THAT(error(Json::array({R"({"name": "x", "config": {}})"_json}), nullptr, nullptr),
               Catch::Contains("field 'kind'"));
    CHECK_THAT(error(Json::array({R"({"kind": "relabel", "name": "x", "config": []})"_json}), nullptr, nullptr),
               Catch::Contains("field 'config'"));
    CHECK_THAT(error(Json::array({relabel}), R"({"S": "r"})"_json, nullptr), Catch::Contains("source_pipelines['S']"));
}

TEST_CASE("pipelines route changes by source", "[middleware]") {
    Json mws = Json::array({R"({"kind": "relabel", "name": "r", "config": {"labelMappings": {"A": "B"}}})"_json});
    Change a = nodeChange("insert", "n1", {"A"}, Json::object(), "S1");
    Change other = nodeChange("insert", "n2", {"A"}, Json::object(), "S2");

    SECTION("source_pipelines apply to their source only") {
        mw::Pipelines p = mw::Pipelines::build(mws, R"({"S1": ["r"]})"_json, R"(["r"])"_json);
        CHECK_FALSE(p.empty());
        CHECK(p.process(a, nullptr).at(0).element->labels == std::vector<std::string>{"B"});
        CHECK(p.process(other, nullptr).at(0).element->labels == std::vector<std::string>{"A"});
    }
    SECTION("`pipeline` applies to every source when source_pipelines is empty") {
        mw::Pipelines p = mw::Pipelines::build(mws, Json::object(), R"(["r"])"_json);
        CHECK(p.process(other, nullptr).at(0).element->labels == std::vector<std::string>{"B"});
    }
    SECTION("no pipeline: changes pass through") {
        mw::Pipelines p = mw::Pipelines::build(mws, nullptr, nullptr);
        CHECK(p.empty());
        std::vector<Change> out = p.process(a, nullptr);
        REQUIRE(out.size() == 1);
        CHECK(out[0].element == a.element);
    }
    SECTION("middleware run in pipeline order") {
        Json two = Json::array({R"({"kind": "relabel", "name": "r1", "config": {"labelMappings": {"A": "B"}}})"_json,
                                R"({"kind": "relabel", "name": "r2", "config": {"labelMappings": {"B": "C"}}})"_json});
        CHECK(mw::Pipelines::build(two, nullptr, R"(["r1", "r2"])"_json).process(a, nullptr).at(0).element->labels ==
              std::vector<std::string>{"C"});
        CHECK(mw::Pipelines::build(two, nullptr, R"(["r2", "r1"])"_json).process(a, nullptr).at(0).element->labels ==
              std::vector<std::string>{"B"});
    }
}
