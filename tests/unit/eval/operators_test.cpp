// SPDX-License-Identifier: MIT
// Cypher operators: arithmetic, comparison, three-valued logic, IN, string predicates, indexing,
// slicing and property access. Cases from conformance/expressions/expr_arithmetic,
// expr_comparison, expr_logical, expr_string, expr_list_* and openCypher's null rules.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/common/error.h"
#include "core/eval/operators.h"
#include "core/model/element.h"

using namespace cq;
using cq::cypher::BinaryOp;

namespace {

const Value kNull;

bool same(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    if (a.isList()) {
        if (a.asList().size() != b.asList().size()) return false;
        for (size_t i = 0; i < a.asList().size(); ++i)
            if (!same(a.asList()[i], b.asList()[i])) return false;
        return true;
    }
    return valuesEqual(a, b);
}

Value ints(std::initializer_list<int64_t> xs) {
    List out;
    for (int64_t x : xs) out.emplace_back(x);
    return Value(std::move(out));
}

Value list(std::initializer_list<Value> xs) { return Value(List(xs)); }

void checkOp(BinaryOp op, const Value& a, const Value& b, const Value& expected) {
    Value got = eval::binary(op, a, b);
    INFO(valueToDebugString(a) << " op#" << int(op) << " " << valueToDebugString(b) << " -> "
                               << valueToDebugString(got) << ", expected " << valueToDebugString(expected));
    CHECK(same(got, expected));
}

template <class F>
ErrorCode errorOf(F f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    return ErrorCode::Ok;
}

ErrorCode opError(BinaryOp op, const Value& a, const Value& b) {
    return errorOf([&] { eval::binary(op, a, b); });
}

ElementPtr node() {
    auto e = Element::make(ElementKind::Node);
    e->ref = {"S", "n1"};
    e->labels = {"T"};
    e->properties = Map{{"temp", Value(72)}, {"name", Value("lab")}};
    return e;
}

}  // namespace

TEST_CASE("integer and float arithmetic", "[eval][operators]") {
    checkOp(BinaryOp::Add, 3, 2, 5);
    checkOp(BinaryOp::Add, eval::binary(BinaryOp::Add, 3, 2), 1, 6);
    checkOp(BinaryOp::Subtract, 3, 2, 1);
    checkOp(BinaryOp::Multiply, 3, 2, 6);
    checkOp(BinaryOp::Divide, 10, 2, 5.0);  // Integer / Integer is a Float in this dialect
    checkOp(BinaryOp::Divide, 7, 2, 3.5);
    checkOp(BinaryOp::Modulo, 10, 3, 1);
    checkOp(BinaryOp::Modulo, -7, 3, -1);
    checkOp(BinaryOp::Modulo, Value(INT64_MIN), -1, 0);
    checkOp(BinaryOp::Power, 2, 3, 8);
    checkOp(BinaryOp::Power, 2, -1, 0.5);
    checkOp(BinaryOp::Power, 2.0, 3, 8.0);
    checkOp(BinaryOp::Add, 1, 0.5, 1.5);
    checkOp(BinaryOp::Subtract, 1.5, 1, 0.5);
    checkOp(BinaryOp::Multiply, 1.5, 2, 3.0);
    checkOp(BinaryOp::Divide, 1.0, 4, 0.25);
    checkOp(BinaryOp::Modulo, 7.5, 2, 1.5);
    CHECK(same(eval::negate(5), Value(-5)));
    CHECK(same(eval::negate(-2.5), Value(2.5)));
    CHECK(eval::negate(kNull).isNull());
}

TEST_CASE("arithmetic errors", "[eval][operators]") {
    CHECK(opError(BinaryOp::Divide, 1, 0) == ErrorCode::DivideByZero);
    CHECK(opError(BinaryOp::Divide, 1.0, 0.0) == ErrorCode::DivideByZero);
    CHECK(opError(BinaryOp::Modulo, 1, 0) == ErrorCode::DivideByZero);
    CHECK(opError(BinaryOp::Modulo, 1.5, 0) == ErrorCode::DivideByZero);
    CHECK(opError(BinaryOp::Add, Value(INT64_MAX), 1) == ErrorCode::Overflow);
    CHECK(opError(BinaryOp::Subtract, Value(INT64_MIN), 1) == ErrorCode::Overflow);
    CHECK(opError(BinaryOp::Multiply, Value(INT64_MAX), 2) == ErrorCode::Overflow);
    CHECK(opError(BinaryOp::Power, 10, 19) == ErrorCode::Overflow);
    CHECK(errorOf([] { eval::negate(Value(INT64_MIN)); }) == ErrorCode::Overflow);
    CHECK(opError(BinaryOp::Subtract, "a", 1) == ErrorCode::InvalidType);
    CHECK(opError(BinaryOp::Multiply, true, 2) == ErrorCode::InvalidType);
    CHECK(opError(BinaryOp::Add, true, 2) == ErrorCode::InvalidType);
    CHECK(errorOf([] { eval::negate("x"); }) == ErrorCode::InvalidType);
}

TEST_CASE("null propagates through arithmetic", "[eval][operators]") {
    for (BinaryOp op : {BinaryOp::Add, BinaryOp::Subtract, BinaryOp::Multiply, BinaryOp::Divide,
                        BinaryOp::Modulo, BinaryOp::Power}) {
        checkOp(op, kNull, 1, kNull);
        checkOp(op, 1.5, kNull, kNull);
        checkOp(op, kNull, kNull, kNull);
    }
    checkOp(BinaryOp::Add, kNull, ints({1}), kNull);
    checkOp(BinaryOp::Add, "a", kNull, kNull);
}

TEST_CASE("+ concatenates strings and lists", "[eval][operators]") {
    checkOp(BinaryOp::Add, "foo", "baz", "foobaz");
    checkOp(BinaryOp::Add, "n", 1, "n1");
    checkOp(BinaryOp::Add, 2.5, "x", "2.5x");
    checkOp(BinaryOp::Add, "is ", true, "is true");
    CHECK(opError(BinaryOp::Add, true, "x") == ErrorCode::InvalidType);
    CHECK(opError(BinaryOp::Add, "x", Value(Map{})) == ErrorCode::InvalidType);
    checkOp(BinaryOp::Add, ints({1, 2}), ints({3}), ints({1, 2, 3}));
    checkOp(BinaryOp::Add, ints({1, 2}), 3, ints({1, 2, 3}));
    checkOp(BinaryOp::Add, 0, ints({1, 2}), ints({0, 1, 2}));
    checkOp(BinaryOp::Add, ints({}), ints({}), ints({}));
    checkOp(BinaryOp::Add, ints({1}), list({kNull}), list({1, kNull}));
}

TEST_CASE("equality", "[eval][operators]") {
    checkOp(BinaryOp::Equal, "a", "a", true);
    checkOp(BinaryOp::Equal, "b", "a", false);
    checkOp(BinaryOp::Equal, 1, 1, true);
    checkOp(BinaryOp::Equal, 2, 1, false);
    checkOp(BinaryOp::Equal, 1, 1.0, true);
    checkOp(BinaryOp::Equal, 1, "1", false);
    checkOp(BinaryOp::Equal, kNull, kNull, kNull);
    checkOp(BinaryOp::Equal, 1, kNull, kNull);
    checkOp(BinaryOp::NotEqual, 1, kNull, kNull);
    checkOp(BinaryOp::NotEqual, 1, 2, true);
    checkOp(BinaryOp::NotEqual, "a", "a", false);
    checkOp(BinaryOp::Equal, ints({1, 2}), list({1, 2.0}), true);
    checkOp(BinaryOp::Equal, ints({1, 2}), ints({1, 3}), false);
    checkOp(BinaryOp::Equal, ints({1, 2}), ints({1}), false);
    checkOp(BinaryOp::Equal, list({1, kNull}), list({1, kNull}), kNull);
    checkOp(BinaryOp::Equal, list({2, kNull}), list({1, kNull}), false);
    checkOp(BinaryOp::Equal, Value(Map{{"a", Value(1)}}), Value(Map{{"a", Value(1.0)}}), true);
    checkOp(BinaryOp::Equal, Value(Map{{"a", Value(1)}}), Value(Map{{"b", Value(1)}}), false);
    checkOp(BinaryOp::Equal, std::nan(""), std::nan(""), false);
    Value n1(node()), n2(node());
    auto other = Element::copyOf(*node());
    other->ref.id = "n2";
    checkOp(BinaryOp::Equal, n1, n2, true);
    checkOp(BinaryOp::Equal, n1, Value(ElementPtr(other)), false);
}

TEST_CASE("ordering comparisons", "[eval][operators]") {
    checkOp(BinaryOp::Greater, 3, 2, true);
    checkOp(BinaryOp::Greater, 2, 2, false);
    checkOp(BinaryOp::GreaterEqual, 3, 2, true);
    checkOp(BinaryOp::GreaterEqual, 2, 2, true);
    checkOp(BinaryOp::GreaterEqual, 1, 2, false);
    checkOp(BinaryOp::Less, 2, 3, true);
    checkOp(BinaryOp::Less, 2, 2, false);
    checkOp(BinaryOp::LessEqual, 2, 3, true);
    checkOp(BinaryOp::LessEqual, 2, 2, true);
    checkOp(BinaryOp::LessEqual, 2, 1, false);
    checkOp(BinaryOp::Greater, 23, 34.0, false);
    checkOp(BinaryOp::Less, 1, 1.5, true);
    checkOp(BinaryOp::Less, "apple", "banana", true);
    checkOp(BinaryOp::Less, false, true, true);
    checkOp(BinaryOp::Less, ints({1, 2}), ints({1, 3}), true);
    checkOp(BinaryOp::Less, ints({1, 2}), ints({1, 2, 0}), true);
    checkOp(BinaryOp::Less, list({1, kNull}), ints({1, 3}), kNull);
    checkOp(BinaryOp::Less, std::nan(""), 1.0, false);
    checkOp(BinaryOp::GreaterEqual, std::nan(""), 1, false);
    // Values of different types are not ordered: null (openCypher).
    checkOp(BinaryOp::Less, 1, "2", kNull);
    checkOp(BinaryOp::Greater, true, 0, kNull);
    checkOp(BinaryOp::Less, kNull, 1, kNull);
    checkOp(BinaryOp::GreaterEqual, 1, kNull, kNull);
}

TEST_CASE("three-valued logic", "[eval][operators]") {
    const Value t(true), f(false);
    CHECK(same(eval::logicalAnd(t, t), t));
    CHECK(same(eval::logicalAnd(f, t), f));
    CHECK(same(eval::logicalAnd(f, kNull), f));
    CHECK(same(eval::logicalAnd(kNull, f), f));
    CHECK(eval::logicalAnd(t, kNull).isNull());
    CHECK(same(eval::logicalOr(t, f), t));
    CHECK(same(eval::logicalOr(f, f), f));
    CHECK(same(eval::logicalOr(kNull, t), t));
    CHECK(eval::logicalOr(f, kNull).isNull());
    CHECK(same(eval::logicalXor(t, f), t));
    CHECK(same(eval::logicalXor(t, t), f));
    CHECK(eval::logicalXor(t, kNull).isNull());
    CHECK(same(eval::logicalNot(t), f));
    CHECK(same(eval::logicalNot(f), t));
    CHECK(eval::logicalNot(kNull).isNull());
    CHECK(same(eval::binary(BinaryOp::And, t, f), f));
    CHECK(same(eval::binary(BinaryOp::Or, t, f), t));
    // Awaiting (a pending time-based answer) is kept unless the other side decides the result.
    CHECK(eval::logicalAnd(t, Value(Awaiting{})).isAwaiting());
    CHECK(same(eval::logicalAnd(f, Value(Awaiting{})), f));
    CHECK(same(eval::logicalOr(t, Value(Awaiting{})), t));
    CHECK(eval::logicalNot(Value(Awaiting{})).isAwaiting());
    CHECK(errorOf([&] { eval::logicalAnd(t, 1); }) == ErrorCode::InvalidType);
    CHECK(errorOf([&] { eval::logicalNot("x"); }) == ErrorCode::InvalidType);
}

TEST_CASE("isTruthy", "[eval][operators]") {
    CHECK(eval::isTruthy(true));
    CHECK_FALSE(eval::isTruthy(false));
    CHECK_FALSE(eval::isTruthy(kNull));
    CHECK_FALSE(eval::isTruthy(Value(Awaiting{})));
    CHECK_FALSE(eval::isTruthy(1));
    CHECK_FALSE(eval::isTruthy("true"));
}

TEST_CASE("IN", "[eval][operators]") {
    Value ab = list({"a", "b"});
    checkOp(BinaryOp::In, "a", ab, true);
    checkOp(BinaryOp::In, "b", ab, true);
    checkOp(BinaryOp::In, "c", ab, false);
    checkOp(BinaryOp::In, 1, list({1.0}), true);
    checkOp(BinaryOp::In, 3, list({1, kNull}), kNull);
    checkOp(BinaryOp::In, 1, list({1, kNull}), true);
    checkOp(BinaryOp::In, kNull, ab, kNull);
    checkOp(BinaryOp::In, kNull, list({}), false);
    checkOp(BinaryOp::In, "a", kNull, kNull);
    checkOp(BinaryOp::In, ints({1}), list({ints({1}), 2}), true);
    CHECK(opError(BinaryOp::In, 1, 1) == ErrorCode::InvalidType);
}

TEST_CASE("string predicates", "[eval][operators]") {
    checkOp(BinaryOp::StartsWith, "drasi", "dra", true);
    checkOp(BinaryOp::StartsWith, "drasi", "xyz", false);
    checkOp(BinaryOp::StartsWith, kNull, "a", kNull);
    checkOp(BinaryOp::StartsWith, "a", kNull, kNull);
    checkOp(BinaryOp::StartsWith, "drasi", "", true);
    checkOp(BinaryOp::StartsWith, "dr", "drasi", false);
    checkOp(BinaryOp::EndsWith, "drasi", "si", true);
    checkOp(BinaryOp::EndsWith, "drasi", "xy", false);
    checkOp(BinaryOp::EndsWith, kNull, "a", kNull);
    checkOp(BinaryOp::EndsWith, "si", "drasi", false);
    checkOp(BinaryOp::Contains, "drasi", "ras", true);
    checkOp(BinaryOp::Contains, "drasi", "xyz", false);
    checkOp(BinaryOp::Contains, kNull, "a", kNull);
    checkOp(BinaryOp::Contains, "Drasi", "dra", false);
    checkOp(BinaryOp::Contains, 123, "2", kNull);
}

TEST_CASE("list indexing and slicing", "[eval][operators]") {
    Value l = ints({5, 1, 7, 12, -3423, 79});
    CHECK(same(eval::index(ints({5, 1, 7}), 1), Value(1)));
    CHECK(same(eval::index(l, -3), Value(12)));
    CHECK(same(eval::index(l, 3), Value(12)));
    CHECK(eval::index(l, 32).isNull());
    CHECK(eval::index(l, -7).isNull());
    CHECK(eval::index(kNull, 1).isNull());
    CHECK(errorOf([&] { eval::index(l, "abc"); }) == ErrorCode::InvalidType);
    CHECK(errorOf([&] { eval::index(l, kNull); }) == ErrorCode::InvalidType);
    CHECK(errorOf([&] { eval::index(l, -1.5); }) == ErrorCode::InvalidType);
    CHECK(errorOf([&] { eval::index(5, 0); }) == ErrorCode::InvalidType);
    CHECK(same(eval::slice(l, 2, 5), ints({7, 12, -3423})));
    CHECK(same(eval::slice(l, 2, kNull), ints({7, 12, -3423, 79})));
    CHECK(same(eval::slice(l, kNull, 4), ints({5, 1, 7, 12})));
    CHECK(same(eval::slice(l, 1, 10), ints({1, 7, 12, -3423, 79})));
    CHECK(same(eval::slice(l, 4, 2), ints({})));
    Value ten = ints({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    CHECK(same(eval::slice(ten, -7, kNull), ints({8, 9, 10})));  // Drasi's negative start
    CHECK(same(eval::slice(ten, -20, kNull), ints({})));
    CHECK(same(eval::slice(ten, kNull, -5), ints({0, 1, 2, 3, 4, 5})));
    CHECK(eval::slice(kNull, 1, 2).isNull());
    CHECK(errorOf([&] { eval::slice(l, "a", 2); }) == ErrorCode::InvalidType);
}

TEST_CASE("maps, elements and property access", "[eval][operators]") {
    Value m(Map{{"Name", Value("foo")}, {"value", Value(11)}});
    CHECK(same(eval::property(m, "Name"), Value("foo")));
    CHECK(eval::property(m, "missing").isNull());
    CHECK(same(eval::index(m, "value"), Value(11)));
    CHECK(eval::index(m, kNull).isNull());
    CHECK(errorOf([&] { eval::index(m, 1); }) == ErrorCode::InvalidType);
    Value n(node());
    CHECK(same(eval::property(n, "temp"), Value(72)));
    CHECK(eval::property(n, "missing").isNull());
    CHECK(same(eval::index(n, "name"), Value("lab")));
    CHECK(eval::property(kNull, "x").isNull());
    CHECK(errorOf([&] { eval::property(5, "x"); }) == ErrorCode::InvalidType);
}
