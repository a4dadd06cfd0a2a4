// SPDX-License-Identifier: MIT
// String functions: the cases of conformance/expressions/fn_text.json and expr_string.json.
#include <set>

#include "tests/unit/functions/fn_test_util.h"

using namespace cq;
using namespace cq::fn::test;

namespace {
const Value kNull;
}

TEST_CASE("left and right", "[functions][text]") {
    checkCall("left", {"drasi", 3}, "dra");
    checkCall("left", {"drasi", 10}, "drasi");
    checkCall("left", {"drasi", 0}, "");
    checkCall("left", {kNull, 3}, kNull);
    checkCall("left", {kNull, kNull}, kNull);
    checkCall("right", {"hello", 4}, "ello");
    checkCall("right", {"hello", 10}, "hello");
    checkCall("right", {"drasi", 3}, "asi");
    checkCall("right", {kNull, 3}, kNull);
    checkCall("right", {kNull, kNull}, kNull);
    // Code points, not bytes: "é" is two bytes.
    checkCall("left", {"éa", 1}, "é");
    checkCall("right", {"aé", 1}, "é");
    CHECK(errorOf("left", {"drasi", "drasi"}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("left", {"drasi", -1}) == ErrorCode::Overflow);
    CHECK(errorOf("left", {"drasi", kNull}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("right", {"drasi", 3.0}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("right", {"drasi", "WORLD"}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("right", {"drasi", kNull}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("left", 3));
    CHECK_FALSE(arityOk("left", 1));
    CHECK_FALSE(arityOk("right", 0));
}

TEST_CASE("argument errors name the function and the argument", "[functions][text]") {
    try {
        call("left", {"drasi", "drasi"});
        FAIL("left() accepted a String length");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "left(): argument 2 must be an Integer, got String");
    }
}

TEST_CASE("replace", "[functions][text]") {
    checkCall("replace", {"hello", "l", "x"}, "hexxo");
    checkCall("replace", {"-reactive-graph is ...? reactive-graph can xxxx", "reactive-graph", "drasi"},
              "-drasi is ...? drasi can xxxx");
    checkCall("replace", {"drasi", "e", "t"}, "drasi");
    checkCall("replace", {"hello", "", "x"}, "hello");
    checkCall("replace", {kNull, "l", "x"}, kNull);
    checkCall("replace", {"hello", kNull, "x"}, kNull);
    checkCall("replace", {"hello", "l", kNull}, kNull);
    CHECK(errorOf("replace", {"hello", "l", 123}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("replace", 4));
    CHECK_FALSE(arityOk("replace", 2));
}

TEST_CASE("reverse of strings and lists", "[functions][text]") {
    checkCall("reverse", {"drasi"}, "isard");
    checkCall("reverse", {"tenet"}, "tenet");
    checkCall("reverse", {"aéb"}, "béa");
    checkCall("reverse", {kNull}, kNull);
    checkCall("reverse", {list({"one", "two", kNull, "null", 123, 4.23})},
              list({4.23, 123, "null", kNull, "two", "one"}));
    CHECK(errorOf("reverse", {10}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("reverse", 2));
}

TEST_CASE("split", "[functions][text]") {
    checkCall("split", {"hello,world", ","}, Value(strings({"hello", "world"})));
    checkCall("split", {"hello||world|| this is a test|| reactive-graph|| kubectl", "||"},
              Value(strings({"hello", "world", " this is a test", " reactive-graph", " kubectl"})));
    checkCall("split", {"hello||world|| this is&&a test||reactive-&&-graph|| kubectl", "||"},
              Value(strings({"hello", "world", " this is&&a test", "reactive-&&-graph", " kubectl"})));
    checkCall("split", {"a,,b", ","}, Value(strings({"a", "", "b"})));
    checkCall("split", {"hello,wor!ld", list({",", "!"})}, Value(strings({"hello", "wor", "ld"})));
    checkCall("split", {"hello||world|| this is&&a test||reactive-&&-graph|| kubectl", list({"||", "&&"})},
              Value(strings({"hello", "world", " this is", "a test", "reactive-", "-graph", " kubectl"})));
    checkCall("split", {kNull, ","}, kNull);
    checkCall("split", {"hello,world", kNull}, kNull);
    checkCall("split", {kNull, kNull}, kNull);
    CHECK(errorOf("split", {"a||b", list({"||", 123})}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("split", {"ab", ""}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("split", 3));
    CHECK_FALSE(arityOk("split", 1));
}

TEST_CASE("substring", "[functions][text]") {
    checkCall("substring", {"drasi", 1}, "rasi");
    checkCall("substring", {"drasi", 2, 3}, "asi");
    checkCall("substring", {"drasiReactivegraph", 4, 9}, "iReactive");
    checkCall("substring", {"drasi", 1, 0}, "");
    checkCall("substring", {"drasi", 2, 0}, "");
    checkCall("substring", {"drasi", 5}, "");
    checkCall("substring", {kNull, 1}, kNull);
    checkCall("substring", {kNull, 2, 3}, kNull);
    CHECK(errorOf("substring", {"drasi", 10}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("substring", {"drasiReactivegraph", 4, 19}) == ErrorCode::InvalidType);
    CHECK(errorOf("substring", {"drasiReactivegraph", -1, 4}) == ErrorCode::InvalidType);
    CHECK(errorOf("substring", {"drasiReactivegraph", 4, -1}) == ErrorCode::InvalidType);
    CHECK(errorOf("substring", {"drasi", "reactive"}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("substring", {"drasi", kNull}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("substring", 4));
    CHECK_FALSE(arityOk("substring", 0));
}

TEST_CASE("case and trimming", "[functions][text]") {
    checkCall("toLower", {"HELLO"}, "hello");
    checkCall("toLower", {"Drasi"}, "drasi");
    checkCall("toLower", {kNull}, kNull);
    checkCall("toUpper", {"hello"}, "HELLO");
    checkCall("toUpper", {"Drasi"}, "DRASI");
    checkCall("toUpper", {kNull}, kNull);
    CHECK(errorOf("toLower", {123}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("toUpper", {123}) == ErrorCode::InvalidArgument);
    checkCall("trim", {"  hello  "}, "hello");
    checkCall("trim", {"   drasi   "}, "drasi");
    checkCall("ltrim", {"  NULL "}, "NULL ");
    checkCall("ltrim", {"   drasi   "}, "drasi   ");
    checkCall("rtrim", {"  hello  "}, "  hello");
    checkCall("rtrim", {"   drasi   "}, "   drasi");
    checkCall("trim", {" \t\n "}, "");
    for (const char* f : {"trim", "ltrim", "rtrim"}) {
        checkCall(f, {kNull}, kNull);
        CHECK(errorOf(f, {123}) == ErrorCode::InvalidArgument);
        CHECK_FALSE(arityOk(f, 2));
        CHECK_FALSE(arityOk(f, 0));
    }
}

TEST_CASE("toString and toStringOrNull", "[functions][text]") {
    checkCall("toString", {123}, "123");
    checkCall("toString", {true}, "true");
    checkCall("toString", {12.5}, "12.5");
    checkCall("toString", {12.0}, "12.0");
    checkCall("toString", {0.1}, "0.1");
    checkCall("toString", {"x"}, "x");
    checkCall("toString", {0.1 + 0.2}, "0.30000000000000004");  // shortest text that reads back
    checkCall("toString", {1e300}, "1e+300");
    checkCall("toString", {-2.5}, "-2.5");
    checkCall("toString", {Value(int64_t(-9007199254740993))}, "-9007199254740993");
    checkCall("toString", {Value(Date{0})}, "1970-01-01");
    checkCall("toString", {list({"a", 1.5, kNull, list({true})})}, "[a, 1.5, null, [true]]");
    checkCall("toString", {list({1, 2, 3})}, "[1, 2, 3]");
    checkCall("toString", {kNull}, kNull);
    CHECK(errorOf("toString", {Value(Map{{"k", Value(1)}})}) == ErrorCode::InvalidArgument);
    checkCall("toStringOrNull", {123}, "123");
    checkCall("toStringOrNull", {list({1, 2, 3})}, "[1, 2, 3]");
    checkCall("toStringOrNull", {Value(Map{{"key1", Value("value1")}, {"foo2", Value("bar2")}})}, kNull);
    checkCall("toStringOrNull", {kNull}, kNull);
    CHECK_FALSE(arityOk("toString", 2));
    CHECK_FALSE(arityOk("toStringOrNull", 0));
}

TEST_CASE("randomUUID", "[functions][text]") {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        Value u = call("randomUUID", {});
        REQUIRE(u.isString());
        const std::string& s = u.asString();
        REQUIRE(s.size() == 36);
        CHECK(s[8] == '-');
        CHECK(s[13] == '-');
        CHECK(s[14] == '4');  // version 4
        CHECK(std::string("89ab").find(s[19]) != std::string::npos);  // RFC 4122 variant
        Value parts = call("split", {u, "-"});
        CHECK(parts.asList().size() == 5);
        seen.insert(s);
    }
    CHECK(seen.size() == 100);
    CHECK_FALSE(arityOk("randomUUID", 1));
}
