// SPDX-License-Identifier: MIT
// List functions: the cases of conformance/expressions/fn_list.json, fn_drasi.json and
// expr_list_functions.json.
#include "tests/unit/functions/fn_test_util.h"

using namespace cq;
using namespace cq::fn::test;

namespace {
const Value kNull;

Value ints(std::initializer_list<int64_t> xs) {
    List out;
    for (int64_t x : xs) out.emplace_back(x);
    return Value(std::move(out));
}
}  // namespace

TEST_CASE("tail", "[functions][list]") {
    checkCall("tail", {list({"one", "two", "three"})}, Value(strings({"two", "three"})));
    checkCall("tail", {list({})}, list({}));
    checkCall("tail", {kNull}, kNull);
    CHECK(errorOf("tail", {"abc"}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("tail", 3));
}

TEST_CASE("range", "[functions][list]") {
    checkCall("range", {0, 10}, ints({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    checkCall("range", {2, 18, 3}, ints({2, 5, 8, 11, 14, 17}));
    checkCall("range", {5, 1, -2}, ints({5, 3, 1}));
    checkCall("range", {5, 1}, ints({}));
    checkCall("range", {3, 3}, ints({3}));
    checkCall("range", {Value(INT64_MAX - 1), Value(INT64_MAX)}, ints({INT64_MAX - 1, INT64_MAX}));
    CHECK(errorOf("range", {0, 10, 0}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("range", {0, 1.5}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("range", {Value(INT64_MIN), Value(INT64_MAX)}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("range", 4));
    CHECK_FALSE(arityOk("range", 1));
}

TEST_CASE("coll.distinct", "[functions][list]") {
    checkCall("coll.distinct", {ints({1, 2, 2, 3, 1})}, ints({1, 2, 3}));
    checkCall("coll.distinct", {ints({1, 3, 2, 4, 2, 3, 1})}, ints({1, 3, 2, 4}));
    checkCall("coll.distinct", {list({1, true, true, kNull, "a", false, true, 1, kNull})},
              list({1, true, kNull, "a", false}));
    checkCall("coll.distinct", {list({})}, list({}));
    checkCall("coll.distinct", {ints({1, 2, 3})}, ints({1, 2, 3}));
    checkCall("coll.distinct", {list({1, 1.0})}, list({1}));
    checkCall("coll.distinct", {kNull}, kNull);
    CHECK(errorOf("coll.distinct", {42}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("coll.distinct", 0));
}

TEST_CASE("coll.indexOf", "[functions][list]") {
    checkCall("coll.indexOf", {Value(strings({"a", "b", "c"})), "b"}, 1);
    checkCall("coll.indexOf", {Value(strings({"a", "b", "c", "c"})), "c"}, 2);
    checkCall("coll.indexOf", {ints({1, 2, 3}), 1}, 0);
    checkCall("coll.indexOf", {list({1, "b", false}), 4.3}, -1);
    checkCall("coll.indexOf", {list({}), "a"}, -1);
    checkCall("coll.indexOf", {kNull, "a"}, kNull);
    checkCall("coll.indexOf", {ints({1}), kNull}, kNull);
    checkCall("coll.indexOf", {kNull, kNull}, kNull);
    CHECK(errorOf("coll.indexOf", {42, "a"}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("coll.indexOf", 1));
}

TEST_CASE("coll.insert", "[functions][list]") {
    checkCall("coll.insert", {ints({1, 2, 3}), 1, 99}, ints({1, 99, 2, 3}));
    checkCall("coll.insert", {list({true, "a", 1, 5.4}), 1, false}, list({true, false, "a", 1, 5.4}));
    checkCall("coll.insert", {ints({1, 2}), 0, 0}, ints({0, 1, 2}));
    checkCall("coll.insert", {ints({1, 2}), 2, 3}, ints({1, 2, 3}));
    checkCall("coll.insert", {list({}), 0, "first"}, Value(strings({"first"})));
    checkCall("coll.insert", {kNull, 1, "value"}, kNull);
    checkCall("coll.insert", {ints({1}), kNull, "value"}, kNull);
    checkCall("coll.insert", {kNull, kNull, "value"}, kNull);
    CHECK(errorOf("coll.insert", {ints({1}), -1, "value"}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("coll.insert", {ints({1}), 5, "value"}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("coll.insert", {42, 0, "value"}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("coll.insert", 2));
}

TEST_CASE("drasi.listMax, drasi.listMin, drasi.stdevp", "[functions][list]") {
    const double pi = 3.141592653589793;
    checkCall("drasi.listMax", {list({0, 9.0})}, 9.0);
    checkCall("drasi.listMax", {list({0, kNull, 1, pi, "test", true})}, pi);
    checkCall("drasi.listMax", {Value(strings({"apple", "banana"}))}, "banana");
    checkCall("drasi.listMax", {kNull}, kNull);
    checkCall("drasi.listMax", {list({kNull, 3, 2})}, 3);
    checkCall("drasi.listMin", {ints({0, 1})}, 0);
    checkCall("drasi.listMin", {list({0, kNull, 1, pi, "test", true})}, true);
    checkCall("drasi.listMin", {Value(strings({"apple", "banana"}))}, "apple");
    checkCall("drasi.listMin", {list({})}, kNull);
    checkCall("drasi.stdevp", {list({0, 1, 3.1415, -12, 9.0})}, 6.864523549380539);
    checkCall("drasi.stdevp", {list({0, 1, 3.1415, -12, 9.0, kNull})}, 6.864523549380539);
    checkCall("drasi.stdevp", {kNull}, kNull);
    CHECK(errorOf("drasi.stdevp", {list({1, "x"})}) == ErrorCode::InvalidArgument);
}
