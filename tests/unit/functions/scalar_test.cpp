// SPDX-License-Identifier: MIT
// Scalar functions: the cases of conformance/expressions/fn_cypher_scalar.json and
// expr_cypher_scalar.json, plus the element accessors.
#include "core/model/element.h"
#include "core/temporal/temporal.h"
#include "tests/unit/functions/fn_test_util.h"

using namespace cq;
using namespace cq::fn::test;

namespace {
const Value kNull;

Value emptyMap() { return Value(Map{}); }

ElementPtr makeNode() {
    auto e = Element::make(ElementKind::Node);
    e->ref = {"S", "n1"};
    e->labels = {"Room", "Space"};
    e->effectiveFrom = 1696150800000;
    e->properties = Map{{"temp", Value(72)}, {"name", Value("lab")}};
    return e;
}

ElementPtr makeRelation() {
    auto e = Element::make(ElementKind::Relation);
    e->ref = {"S", "r1"};
    e->labels = {"PART_OF"};
    e->start() = {"S", "n1"};
    e->end() = {"S", "f1"};
    return e;
}
}  // namespace

TEST_CASE("size and character length", "[functions][scalar]") {
    checkCall("char_length", {"drasi"}, 5);
    checkCall("char_length", {"ReactiveGraph1"}, 14);
    checkCall("char_length", {kNull}, kNull);
    checkCall("character_length", {"héllo"}, 5);
    checkCall("size", {"drasi"}, 5);
    checkCall("size", {list({1, kNull, 3, 4, 5})}, 5);
    checkCall("size", {list({"one", "two", "three"})}, 3);
    checkCall("size", {kNull}, kNull);
    CHECK(errorOf("size", {42}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("char_length", {42}) == ErrorCode::InvalidArgument);
}

TEST_CASE("coalesce, nullIf, isEmpty", "[functions][scalar]") {
    checkCall("coalesce", {kNull, "a", kNull, "b", kNull}, "a");
    checkCall("coalesce", {kNull, kNull}, kNull);
    CHECK(arityOk("coalesce", 7));
    checkCall("nullIf", {5, 5}, kNull);
    checkCall("nullIf", {5, 3}, 5);
    checkCall("nullIf", {4, 4}, kNull);
    checkCall("nullIf", {"hello", "hello"}, kNull);
    checkCall("nullIf", {"hello", "world"}, "hello");
    checkCall("nullIf", {"abc", "def"}, "abc");
    checkCall("nullIf", {kNull, kNull}, kNull);
    checkCall("nullIf", {kNull, 5}, kNull);
    CHECK_FALSE(arityOk("nullIf", 0));
    CHECK_FALSE(arityOk("nullIf", 1));
    CHECK_FALSE(arityOk("nullIf", 3));
    checkCall("isEmpty", {""}, true);
    checkCall("isEmpty", {"hello"}, false);
    checkCall("isEmpty", {list({})}, true);
    checkCall("isEmpty", {list({1, 2, 3})}, false);
    checkCall("isEmpty", {emptyMap()}, true);
    checkCall("isEmpty", {Value(Map{{"key", Value("value")}})}, false);
    checkCall("isEmpty", {kNull}, kNull);
    CHECK(errorOf("isEmpty", {42}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("isEmpty", 0));
}

TEST_CASE("head and last", "[functions][scalar]") {
    checkCall("head", {list({1, 2, 3, kNull, 5})}, 1);
    checkCall("head", {list({"one", "two", "three"})}, "one");
    checkCall("head", {list({})}, kNull);
    checkCall("head", {kNull}, kNull);
    checkCall("last", {list({1, 2, 3, kNull, 5})}, 5);
    checkCall("last", {list({1, 2, 3, kNull, 5, kNull})}, kNull);
    checkCall("last", {list({"one", "two", "three"})}, "three");
    checkCall("last", {kNull}, kNull);
    CHECK(errorOf("head", {"abc"}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("head", 3));
    CHECK_FALSE(arityOk("last", 3));
}

TEST_CASE("timestamp uses the wall clock", "[functions][scalar]") {
    fn::CallContext ctx;
    ctx.wallClock = 1704067200123;
    CHECK(same(call("timestamp", {}, ctx), Value(int64_t(1704067200123))));
    // Without a wall clock the host's time is used (expr_cypher_scalar c11: later than 2024).
    CHECK(call("timestamp", {}).asInt() > 1704067200000);
    CHECK_FALSE(arityOk("timestamp", 1));
}

TEST_CASE("toBoolean", "[functions][scalar]") {
    checkCall("toBoolean", {"true"}, true);
    checkCall("toBoolean", {"false"}, false);
    checkCall("toBoolean", {"TRUE"}, true);
    checkCall("toBoolean", {"foo"}, kNull);
    checkCall("toBoolean", {true}, true);
    checkCall("toBoolean", {false}, false);
    checkCall("toBoolean", {1}, true);
    checkCall("toBoolean", {0}, false);
    checkCall("toBoolean", {kNull}, kNull);
    CHECK(errorOf("toBoolean", {1.0}) == ErrorCode::InvalidArgument);
    checkCall("toBooleanOrNull", {1.0}, kNull);
    checkCall("toBooleanOrNull", {"true"}, true);
    checkCall("toBooleanOrNull", {list({})}, kNull);
}

TEST_CASE("toFloat", "[functions][scalar]") {
    checkCall("toFloat", {"12.34"}, 12.34);
    checkCall("toFloat", {"12"}, 12.0);
    checkCall("toFloat", {"foo"}, kNull);
    checkCall("toFloat", {12}, 12.0);
    checkCall("toFloat", {12.34}, 12.34);
    checkCall("toFloat", {1}, 1.0);
    checkCall("toFloat", {"11.5"}, 11.5);
    checkCall("toFloat", {kNull}, kNull);
    CHECK(errorOf("toFloat", {true}) == ErrorCode::InvalidArgument);
    checkCall("toFloatOrNull", {true}, kNull);
    checkCall("toFloatOrNull", {"11.5"}, 11.5);
    checkCall("toFloatOrNull", {"-11"}, -11.0);
    checkCall("toFloatOrNull", {"abc"}, kNull);
    checkCall("toFloatOrNull", {"inf"}, kNull);
}

TEST_CASE("toInteger", "[functions][scalar]") {
    checkCall("toInteger", {"12"}, 12);
    checkCall("toInteger", {"12.34"}, 12);
    checkCall("toInteger", {"foo"}, kNull);
    checkCall("toInteger", {12}, 12);
    checkCall("toInteger", {12.34}, 12);
    checkCall("toInteger", {-12.9}, -12);
    checkCall("toInteger", {1.0}, 1);
    checkCall("toInteger", {3.141592653589793}, 3);
    checkCall("toInteger", {true}, 1);
    checkCall("toInteger", {false}, 0);
    checkCall("toInteger", {"1"}, 1);
    checkCall("toInteger", {"3.14"}, 3);
    checkCall("toInteger", {"true"}, kNull);
    checkCall("toInteger", {kNull}, kNull);
    CHECK(errorOf("toInteger", {list({})}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("toInteger", {1e300}) == ErrorCode::Overflow);
    checkCall("toIntegerOrNull", {1}, 1);
    checkCall("toIntegerOrNull", {list({})}, kNull);
    checkCall("toIntegerOrNull", {1e300}, kNull);
    checkCall("toIntegerOrNull", {Value(Date{18570})}, kNull);
}

TEST_CASE("element accessors", "[functions][scalar]") {
    Value node(makeNode());
    Value rel(makeRelation());
    checkCall("elementId", {node}, "n1");
    checkCall("elementId", {kNull}, kNull);
    checkCall("labels", {node}, Value(strings({"Room", "Space"})));
    checkCall("labels", {kNull}, kNull);
    checkCall("type", {rel}, "PART_OF");
    checkCall("type", {kNull}, kNull);
    CHECK(errorOf("type", {node}) == ErrorCode::InvalidArgument);
    Value props = call("properties", {node});
    REQUIRE(props.isMap());
    CHECK(props.asMap().size() == 2);
    CHECK(same(props.asMap().at("temp"), Value(72)));
    checkCall("keys", {node}, Value(strings({"name", "temp"})));
    checkCall("keys", {Value(Map{{"b", Value(1)}, {"a", Value(2)}})}, Value(strings({"a", "b"})));
    checkCall("keys", {kNull}, kNull);
    checkCall("properties", {kNull}, kNull);
    CHECK(errorOf("elementId", {"n1"}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("labels", {42}) == ErrorCode::InvalidArgument);
    CHECK(same(call("drasi.changeDateTime", {node}), temporal::zonedFromEpochMillis(1696150800000)));
    checkCall("drasi.changeDateTime", {kNull}, kNull);
}
