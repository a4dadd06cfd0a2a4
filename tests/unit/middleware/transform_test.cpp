// SPDX-License-Identifier: MIT
// The property-rewriting kinds: relabel, promote, parse_json, decoder. Each policy (fail, skip,
// overwrite, conflict) and each limit (max_json_size, max_nesting_depth, max_size_bytes).
#include <catch2/catch.hpp>

#include "tests/unit/middleware/helpers.h"

using namespace cq;
using namespace cq::mwtest;

namespace {

/// Runs one change through `p`, requires exactly one output and returns its properties.
Json one(const mw::Pipelines& p, const Change& c) {
    std::vector<Change> out = p.process(c, nullptr);
    REQUIRE(out.size() == 1);
    CHECK(out[0].op == c.op);
    CHECK(out[0].element->ref == c.element->ref);
    return props(out[0]);
}

std::string failure(const mw::Pipelines& p, const Change& c) {
    Caught e = caught([&] { p.process(c, nullptr); });
    CHECK(e.code == ErrorCode::MiddlewareError);
    CHECK_THAT(e.message, Catch::Contains("middleware 'm' ("));
    return e.message;
}

Change withProps(const Json& properties, const std::string& op = "insert") {
    return nodeChange(op, "n1", {"TestNode"}, properties);
}

}  // namespace

TEST_CASE("relabel renames labels on insert, update and delete", "[middleware][relabel]") {
    mw::Pipelines p = single("relabel", R"({"labelMappings": {"Person": "User", "Employee": "Staff", "Old": "User"}})"_json);
    for (const char* op : {"insert", "update", "delete"}) {
        INFO(op);
        std::vector<Change> out = p.process(nodeChange(op, "p1", {"Person", "Employee", "Other"}, R"({"a": 1})"_json), nullptr);
        REQUIRE(out.size() == 1);
        CHECK(opName(out[0]) == op);
        CHECK(out[0].element->labels == std::vector<std::string>{"User", "Staff", "Other"});
        CHECK(props(out[0]) == R"({"a": 1})"_json);
    }
    // Two labels renamed to the same label collapse into one.
    CHECK(p.process(nodeChange("insert", "p2", {"Person", "Old"}), nullptr).at(0).element->labels ==
          std::vector<std::string>{"User"});
    // Relations keep their ends.
    Change rel = makeChange("insert", R"({"kind": "relation", "source": "s", "id": "r1", "labels": ["Person"],
                                          "start": "a", "end": "b", "properties": {}})"_json);
    std::vector<Change> out = p.process(rel, nullptr);
    CHECK(out.at(0).element->isRelation());
    CHECK(out.at(0).element->start().id == "a");
    CHECK(out.at(0).element->end().id == "b");
    CHECK(out.at(0).element->labels == std::vector<std::string>{"User"});
}

TEST_CASE("promote copies one nested value to a top-level property", "[middleware][promote]") {
    mw::Pipelines p = single("promote", R"({"mappings": [{"path": "$.nested.value", "target_name": "promoted"},
                                                          {"path": "$.list[1]", "target_name": "second"}]})"_json);
    CHECK(one(p, withProps(R"({"nested": {"value": "hello", "other": 1}, "list": [1, {"x": 2}]})"_json)) ==
          R"({"nested": {"value": "hello", "other": 1}, "list": [1, {"x": 2}], "promoted": "hello", "second": {"x": 2}})"_json);
    CHECK(one(p, withProps(R"({"nested": {"value": 5}, "list": [0, 1]})"_json, "update"))["promoted"] == 5);
    // Deletes pass through untouched, even though the path would select nothing.
    std::vector<Change> del = p.process(nodeChange("delete", "n1", {"TestNode"}), nullptr);
    REQUIRE(del.size() == 1);
    CHECK(del[0].op == ChangeOp::Delete);
}

TEST_CASE("promote on_conflict policies", "[middleware][promote]") {
    Json base = R"({"mappings": [{"path": "$.nested.value", "target_name": "promoted"}]})"_json;
    Json input = R"({"nested": {"value": "new"}, "promoted": "original"})"_json;
    SECTION("overwrite is the default") { CHECK(one(single("promote", base), withProps(input))["promoted"] == "new"); }
    SECTION("overwrite") {
        base["on_conflict"] = "overwrite";
        CHECK(one(single("promote", base), withProps(input))["promoted"] == "new");
    }
    SECTION("skip keeps the existing value") {
        base["on_conflict"] = "skip";
        CHECK(one(single("promote", base), withProps(input))["promoted"] == "original");
    }
    SECTION("fail rejects the change") {
        base["on_conflict"] = "fail";
        CHECK_THAT(failure(single("promote", base), withProps(input)),
                   Catch::Contains("Property 'promoted' already exists and conflict strategy is 'fail'"));
        // A null property is not a conflict.
        CHECK(one(single("promote", base), withProps(R"({"nested": {"value": 1}, "promoted": null})"_json))["promoted"] == 1);
    }
}

TEST_CASE("promote on_error policies for no match and several matches", "[middleware][promote]") {
    Json cfg = R"({"mappings": [{"path": "$.items[*].value", "target_name": "p"}, {"path": "$.id", "target_name": "id2"}]})"_json;
    Json many = R"({"id": "a", "items": [{"value": 1}, {"value": 2}]})"_json;
    Json none = R"({"id": "a", "items": []})"_json;
    SECTION("fail is the default") {
        CHECK_THAT(failure(single("promote", cfg), withProps(many)),
                   Catch::Contains("JSONPath '$.items[*].value' selected multiple values (2)"));
        CHECK_THAT(failure(single("promote", cfg), withProps(none)), Catch::Contains("selected no values"));
    }
    SECTION("skip leaves that mapping out and applies the others") {
        cfg["on_error"] = "skip";
        CHECK(one(single("promote", cfg), withProps(many)) == R"({"id": "a", "id2": "a", "items": [{"value": 1}, {"value": 2}]})"_json);
        CHECK_FALSE(one(single("promote", cfg), withProps(none)).contains("p"));
    }
    SECTION("a selected null is one value") {
        CHECK(one(single("promote", cfg), withProps(R"({"id": null, "items": [{"value": null}]})"_json))["p"].is_null());
    }
}

TEST_CASE("promote paths see the properties before any promotion", "[middleware][promote]") {
    mw::Pipelines p = single("promote", R"({"mappings": [{"path": "$.a.b", "target_name": "x"},
                                                          {"path": "$.x", "target_name": "y"}], "on_error": "skip"})"_json);
    Json out = one(p, withProps(R"({"a": {"b": 1}})"_json));
    CHECK(out["x"] == 1);
    CHECK_FALSE(out.contains("y"));
}

TEST_CASE("parse_json parses a string property", "[middleware][parse_json]") {
    SECTION("in place") {
        mw::Pipelines p = single("parse_json", R"({"target_property": "t"})"_json);
        CHECK(one(p, withProps(R"({"t": "{\"key\": \"value\", \"num\": 123}"})"_json)) ==
              R"({"t": {"key": "value", "num": 123}})"_json);
        CHECK(one(p, withProps(R"({"t": "[1, \"two\", true, null, 1.5]"})"_json, "update")) ==
              R"({"t": [1, "two", true, null, 1.5]})"_json);
        CHECK(one(p, withProps(R"({"t": "42"})"_json))["t"] == 42);
        std::vector<Change> del = p.process(nodeChange("delete", "n1", {"TestNode"}), nullptr);
        CHECK(del.size() == 1);
    }
    SECTION("into an output property, overwriting it") {
        mw::Pipelines p = single("parse_json", R"({"target_property": "t", "output_property": "o"})"_json);
        CHECK(one(p, withProps(R"({"t": "{\"new\": true}", "o": "old"})"_json)) ==
              R"({"t": "{\"new\": true}", "o": {"new": true}})"_json);
    }
    SECTION("numbers keep their kinds") {
        mw::Pipelines p = single("parse_json", R"({"target_property": "t"})"_json);
        std::vector<Change> out = p.process(withProps(R"({"t": "[1, 2.0, 18446744073709551615, -5]"})"_json), nullptr);
        const List& list = out.at(0).element->properties.at("t").asList();
        CHECK(list[0].isInt());
        CHECK(list[1].isFloat());
        CHECK(list[2].isFloat());  // beyond int64: a float, as Drasi's ElementValue
        CHECK(list[3].asInt() == -5);
    }
}

TEST_CASE("parse_json errors under fail and skip", "[middleware][parse_json]") {
    struct Case {
        const char* type;
        Json input;
    };
    std::vector<Case> cases = {
        {"ParseError", R"({"t": "{\"key\": \"value\""})"_json},
        {"MissingProperty", R"({"other": 1})"_json},
        {"InvalidType", R"({"t": 12})"_json},
        {"InvalidInput", Json{{"t", std::string("{\"a\": 1}\x01")}}},
    };
    for (const Case& c : cases) {
        INFO(c.type);
        CHECK_THAT(failure(single("parse_json", R"({"target_property": "t", "on_error": "fail"})"_json), withProps(c.input)),
                   Catch::Contains(std::string("[Error: ") + c.type + "]"));
        // skip: the change goes on unchanged.
        CHECK(one(single("parse_json", R"({"target_property": "t", "on_error": "skip"})"_json), withProps(c.input)) == c.input);
    }
    CHECK_THAT(failure(single("parse_json", R"({"target_property": "t"})"_json), withProps(R"({"t": 1.5})"_json)),
               Catch::Contains("(Type: Float)"));
}

TEST_CASE("parse_json max_json_size", "[middleware][parse_json]") {
    Json cfg = R"({"target_property": "t", "max_json_size": 10})"_json;
    CHECK(one(single("parse_json", cfg), withProps(R"({"t": "[1,2,3,45]"})"_json))["t"].size() == 4);  // exactly 10 bytes
    Json big = R"({"t": "[1,2,3,456]"})"_json;                                                       // 11 bytes
    CHECK_THAT(failure(single("parse_json", cfg), withProps(big)), Catch::Contains("[Error: SizeExceeded]"));
    cfg["on_error"] = "skip";
    CHECK(one(single("parse_json", cfg), withProps(big)) == big);
}

TEST_CASE("parse_json max_nesting_depth", "[middleware][parse_json]") {
    // Drasi's depth: a scalar is 1, a container 1 + its deepest child; an empty container is 1.
    Json cfg = R"({"target_property": "t", "max_nesting_depth": 2})"_json;
    CHECK(one(single("parse_json", cfg), withProps(R"({"t": "{\"a\": 1}"})"_json))["t"]["a"] == 1);
    CHECK(one(single("parse_json", cfg), withProps(R"({"t": "[[]]"})"_json))["t"] == R"([[]])"_json);
    Json deep = R"({"t": "{\"a\": {\"b\": {\"c\": \"too deep\"}}}"})"_json;
    CHECK_THAT(failure(single("parse_json", cfg), withProps(deep)), Catch::Contains("[Error: DeepNesting]"));
    CHECK_THAT(failure(single("parse_json", cfg), withProps(R"({"t": "[[1]]"})"_json)), Catch::Contains("depth (3)"));
    cfg["on_error"] = "skip";
    CHECK(one(single("parse_json", cfg), withProps(deep)) == deep);
    // Past 127 nested containers the parser stops, as serde_json's recursion limit does.
    Json huge = {{"t", std::string(200, '[') + std::string(200, ']')}};
    CHECK_THAT(failure(single("parse_json", R"({"target_property": "t", "max_nesting_depth": 100000})"_json),
                       withProps(huge)),
               Catch::Contains("[Error: ParseError]"));
}

TEST_CASE("decoder decodes each encoding", "[middleware][decoder]") {
    auto decode = [](const char* encoding, const std::string& input, bool strip = false) {
        Json cfg = {{"encoding_type", encoding}, {"target_property", "e"}, {"output_property", "d"}, {"strip_quotes", strip}};
        Json out = one(single("decoder", cfg), withProps(Json{{"e", input}}));
        CHECK(out["e"] == input);
        return out["d"].get<std::string>();
    };
    CHECK(decode("base64", "SGVsbG8gV29ybGQh") == "Hello World!");
    CHECK(decode("base64", "SGVsbG8=") == "Hello");
    CHECK(decode("base64", "Pz8/") == "???");
    CHECK(decode("base64", "") == "");
    CHECK(decode("base64url", "Pz8_") == "???");
    CHECK(decode("base64url", "SGVsbG8") == "Hello");
    CHECK(decode("hex", "48656c6C6F") == "Hello");
    CHECK(decode("url", "a%20b+c%2Fd%zz%") == "a b+c/d%zz%");
    CHECK(decode("url", "caf%C3%A9") == "caf\xC3\xA9");
    CHECK(decode("json_escape", R"(Line 1\nLine 2 with \"quotes\" and \\ backslash \u00e9)") ==
          "Line 1\nLine 2 with \"quotes\" and \\ backslash \xC3\xA9");
    CHECK(decode("base64", "\"\"SGVsbG8=\"", true) == "Hello");  // every surrounding quote goes
    // Without output_property the target is overwritten.
    Json cfg = R"({"encoding_type": "base64", "target_property": "e"})"_json;
    CHECK(one(single("decoder", cfg), withProps(R"({"e": "R29vZGJ5ZQ==", "x": 1})"_json, "update")) ==
          R"({"e": "Goodbye", "x": 1})"_json);
    CHECK(single("decoder", cfg).process(nodeChange("delete", "n1", {"TestNode"}), nullptr).size() == 1);
}

TEST_CASE("decoder rejects malformed input", "[middleware][decoder]") {
    struct Case {
        const char* encoding;
        std::string input;
    };
    std::vector<Case> bad = {
        {"base64", "SGVsbG8"},        // padding missing
        {"base64", "SGVsbG8=="},      // too much padding
        {"base64", "SGVsbG9=",},      // non-zero trailing bits
        {"base64", "SGV sbG8="},      // whitespace
        {"base64", "Pz8_"},           // url alphabet in standard base64
        {"base64url", "SGVsbG8="},    // padding is not allowed
        {"base64url", "Pz8/"},        // standard alphabet in base64url
        {"base64", "/w=="},           // decodes to 0xFF: not UTF-8
        {"hex", "48656"},             // odd length
        {"hex", "4g"},                // not hex
        {"hex", "c328"},              // not UTF-8
        {"url", "invalid%80sequence"},  // decoded bytes are not UTF-8
        {"json_escape", R"(bad \x escape)"},
        {"json_escape", "unescaped \" quote"},
    };
    for (const Case& c : bad) {
        INFO(c.encoding << " " << c.input);
        Json cfg = {{"encoding_type", c.encoding}, {"target_property", "e"}, {"output_property", "d"}};
        CHECK_THAT(failure(single("decoder", cfg), withProps(Json{{"e", c.input}})),
                   Catch::Contains(std::string("Failed to decode property 'e' using ") + c.encoding + " encoding"));
        cfg["on_error"] = "skip";
        CHECK(one(single("decoder", cfg), withProps(Json{{"e", c.input}})) == Json{{"e", c.input}});
    }
}

TEST_CASE("decoder missing or non-string property and max_size_bytes", "[middleware][decoder]") {
    Json cfg = R"({"encoding_type": "base64", "target_property": "e", "output_property": "d", "max_size_bytes": 10})"_json;
    CHECK_THAT(failure(single("decoder", cfg), withProps(R"({"x": 1})"_json)),
               Catch::Contains("Target property 'e' not found"));
    CHECK_THAT(failure(single("decoder", cfg), withProps(R"({"e": 12345})"_json)),
               Catch::Contains("is not a string value (Type: Integer)"));
    CHECK(one(single("decoder", cfg), withProps(R"({"e": "SGVsbG8h"})"_json))["d"] == "Hello!");  // 8 bytes
    Json hex = R"({"encoding_type": "hex", "target_property": "e", "max_size_bytes": 10})"_json;
    CHECK(one(single("decoder", hex), withProps(R"({"e": "48656c6c6f"})"_json))["e"] == "Hello");  // exactly 10 bytes
    CHECK_THAT(failure(single("decoder", hex), withProps(R"({"e": "48656c6c6f21"})"_json)),
               Catch::Contains("exceeds size limit (12 > 10)"));
    CHECK_THAT(failure(single("decoder", cfg), withProps(R"({"e": "SGVsbG8gV29ybGQh"})"_json)),
               Catch::Contains("exceeds size limit (16 > 10)"));
    cfg["on_error"] = "skip";
    for (Json input : {R"({"x": 1})"_json, R"({"e": 12345})"_json, R"({"e": "SGVsbG8gV29ybGQh"})"_json}) {
        CHECK(one(single("decoder", cfg), withProps(input)) == input);
    }
}
