// SPDX-License-Identifier: MIT
// JSONPath subset used by the middleware configs: navigation, wildcards, descent, slices, unions,
// filters (jsonpath-rust 0.5 semantics) and parse errors.
#include <catch2/catch.hpp>

#include "core/middleware/json_path.h"
#include "tests/unit/middleware/helpers.h"

using namespace cq;
using cq::mw::JsonPath;

namespace {

const Value& doc() {
    static const Value kDoc = valueFromJson(R"({
        "name": "pod-1",
        "metadata": {"labels": {"app": "nginx", "env": "prod"}, "dotted.key": 7},
        "list": [10, 20, 30, 40, 50],
        "signals": [
            {"name": "Vehicle.Heading", "value": "96"},
            {"name": "Vehicle.Speed", "value": "119", "unit": "kmh"},
            {"name": "Vehicle.Distance", "value": "4563"}
        ],
        "nums": [{"n": 1}, {"n": 5}, {"n": 9.5}, {"n": "7"}],
        "limit": 5,
        "nothing": null,
        "source": {"kind": "telemetry"}
    })"_json);
    return kDoc;
}

Json sel(const std::string& path) {
    Json out = Json::array();
    for (const Value& v : JsonPath::parse(path).select(doc())) out.push_back(valueToJson(v));
    return out;
}

}  // namespace

TEST_CASE("JSONPath navigates maps and lists", "[jsonpath]") {
    CHECK(sel("$.name") == R"(["pod-1"])"_json);
    CHECK(sel("$.metadata.labels.app") == R"(["nginx"])"_json);
    CHECK(sel("$['metadata']['labels']['env']") == R"(["prod"])"_json);
    CHECK(sel("$[\"metadata\"].labels[\"env\"]") == R"(["prod"])"_json);
    CHECK(sel("$.metadata['dotted.key']") == R"([7])"_json);
    CHECK(sel("$.list[0]") == R"([10])"_json);
    CHECK(sel("$.list[4]") == R"([50])"_json);
    CHECK(sel("$.list[-1]") == R"([50])"_json);
    CHECK(sel("$.list[5]").empty());
    CHECK(sel("$.missing.deeper").empty());
    CHECK(sel("$.name.deeper").empty());
    CHECK(sel("$.list.name").empty());
    CHECK(sel("$") == Json::array({valueToJson(doc())}));
}

TEST_CASE("JSONPath wildcards, unions, slices and length", "[jsonpath]") {
    CHECK(sel("$.list[*]") == R"([10, 20, 30, 40, 50])"_json);
    CHECK(sel("$.metadata.labels.*") == R"(["nginx", "prod"])"_json);  // keys in sorted order
    CHECK(sel("$.signals[*].value") == R"(["96", "119", "4563"])"_json);
    CHECK(sel("$.list[1:3]") == R"([20, 30])"_json);
    CHECK(sel("$.list[:2]") == R"([10, 20])"_json);
    CHECK(sel("$.list[3:]") == R"([40, 50])"_json);
    CHECK(sel("$.list[-2:]") == R"([40, 50])"_json);
    CHECK(sel("$.list[::2]") == R"([10, 30, 50])"_json);
    CHECK(sel("$.list[0,2]") == R"([10, 30])"_json);
    CHECK(sel("$.metadata.labels['env','app']") == R"(["prod", "nginx"])"_json);
    CHECK(sel("$.list.length()") == R"([5])"_json);
}

TEST_CASE("JSONPath recursive descent", "[jsonpath]") {
    CHECK(sel("$..app") == R"(["nginx"])"_json);
    Json names = sel("$..name");
    CHECK(names.size() == 4);  // the top-level name and the three signal names
    CHECK(names[0] == "pod-1");
    CHECK(sel("$.metadata..*").size() == 4);  // labels, app, env, dotted.key
}

TEST_CASE("JSONPath filters", "[jsonpath]") {
    CHECK(sel("$.signals[?(@.name == 'Vehicle.Speed')].value") == R"(["119"])"_json);
    CHECK(sel("$.signals[?(@.name != 'Vehicle.Speed')].value") == R"(["96", "4563"])"_json);
    CHECK(sel("$.signals[?(@.unit)].name") == R"(["Vehicle.Speed"])"_json);
    CHECK(sel("$.signals[?(!@.unit)].name") == R"(["Vehicle.Heading", "Vehicle.Distance"])"_json);
    CHECK(sel("$.nums[?(@.n > 4)].n") == R"([5, 9.5])"_json);  // "7" is a string: never ordered
    CHECK(sel("$.nums[?(@.n >= 5)].n") == R"([5, 9.5])"_json);
    CHECK(sel("$.nums[?(@.n < 5)].n") == R"([1])"_json);
    CHECK(sel("$.nums[?(@.n <= 5)].n") == R"([1, 5])"_json);
    CHECK(sel("$.nums[?(@.n == 5.0)].n") == R"([5])"_json);  // numbers compare by value
    CHECK(sel("$.nums[?(@.n > 1 && @.n < 9)].n") == R"([5])"_json);
    CHECK(sel("$.nums[?(@.n == 1 || @.n == '7')].n") == R"([1, "7"])"_json);
    CHECK(sel("$.nums[?((@.n == 1 || @.n == 5) && !(@.n == 1))].n") == R"([5])"_json);
    CHECK(sel("$.nums[?(@.n == $.limit)].n") == R"([5])"_json);
    CHECK(sel("$.signals[?(@.name ~= 'Speed$')].value") == R"(["119"])"_json);
    CHECK(sel("$.list[?(@ in $.list)]").size() == 5);
    CHECK(sel("$.signals[?(@.name nin $.list)]").size() == 3);
    CHECK(sel("$.signals[?(@.name size 13)].value") == R"(["119"])"_json);  // "Vehicle.Speed" has 13 bytes
}

TEST_CASE("JSONPath filter on a non-array tests the value itself", "[jsonpath]") {
    // jsonpath-rust 0.5 behaviour that the remap conformance vector relies on.
    Json whole = sel("$[?(@.source.kind == 'telemetry')]");
    REQUIRE(whole.size() == 1);
    CHECK(whole[0]["name"] == "pod-1");
    CHECK(sel("$[?(@.source.kind == 'other')]").empty());
    CHECK(sel("$.source[?(@.kind == 'telemetry')].kind") == R"(["telemetry"])"_json);
}

TEST_CASE("JSONPath: a selected null is a match", "[jsonpath]") {
    CHECK(sel("$.nothing") == R"([null])"_json);
    CHECK(JsonPath::parse("$.nothing").matches(doc()));
    CHECK_FALSE(JsonPath::parse("$.absent").matches(doc()));
}

TEST_CASE("JSONPath parse errors say what is wrong", "[jsonpath]") {
    for (const char* bad : {"", "z$.status", "status", "$.", "$[", "$.list[abc]", "$['open", "$[?(@.a == )]",
                            "$[?(@.a == 1]", "$.a b", "$.list[1:2:0]", "$..", "$[?(@.a == 'x')"}) {
        INFO(bad);
        auto c = mwtest::caught([&] { JsonPath::parse(bad); });
        CHECK(c.code == ErrorCode::InvalidConfig);
        CHECK_THAT(c.message, Catch::Contains("invalid JSONPath"));
    }
    CHECK_THAT(mwtest::caught([] { JsonPath::parse("z$.a"); }).message, Catch::Contains("must start with '$'"));
}
