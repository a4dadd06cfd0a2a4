// SPDX-License-Identifier: MIT
// The evaluator's numeric fast path (core/eval/evaluator.cpp) against the general path on random
// arithmetic: the same value, or the same error, for every expression. The general path is forced
// by classifying every node as not numeric before evaluating.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "core/common/error.h"
#include "core/cypher/parser.h"
#include "core/eval/evaluator.h"
#include "core/model/element.h"

using namespace cq;
using cq::cypher::Expr;
using cq::cypher::ExprKind;

namespace {

struct Outcome {
    bool threw = false;
    ErrorCode code = ErrorCode::Internal;
    Value value;
};

/// Binds every variable to frame slot 0 and sets the fast-path classification of every node
/// (0: let the evaluator classify, 3: not numeric, so the general path only).
void prepare(const Expr& e, uint8_t numeric) {
    const_cast<Expr&>(e).varIndex = e.kind == ExprKind::Variable ? 0 : e.varIndex;
    e.numeric = numeric;
    for (const auto& c : e.children)
        if (c) prepare(*c, numeric);
}

Outcome run(const std::string& text, uint8_t numeric, std::vector<Value>& frame) {
    Outcome out;
    auto expr = cypher::parseExpression(text);
    prepare(*expr, numeric);
    eval::EvalContext ctx;
    ctx.frame = &frame;
    try {
        out.value = eval::evaluate(*expr, ctx);
    } catch (const Error& e) {
        out.threw = true;
        out.code = e.code();
    }
    return out;
}

bool sameValue(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    if (a.isFloat()) {
        double x = a.asFloat(), y = b.asFloat();
        return std::memcmp(&x, &y, sizeof x) == 0 || (std::isnan(x) && std::isnan(y));
    }
    return valuesEqual(a, b);
}

class Generator {
public:
    explicit Generator(uint32_t seed) : rng_(seed) {}

    std::string expr(int depth) {
        if (depth == 0 || pick(4) == 0) return leaf();
        switch (pick(6)) {
            case 0: return "-(" + expr(depth - 1) + ")";
            case 1: {
                std::string s = "CASE";
                int whens = 1 + pick(2);
                for (int i = 0; i < whens; ++i) s += " WHEN " + expr(depth - 1) + " THEN " + expr(depth - 1);
                if (pick(2)) s += " ELSE " + expr(depth - 1);
                return s + " END";
            }
            default: {
                static const char* ops[] = {"+", "-", "*", "/", "%", "<", "<=", ">", ">=", "=", "^"};
                return "(" + expr(depth - 1) + " " + ops[pick(11)] + " " + expr(depth - 1) + ")";
            }
        }
    }

private:
    std::string leaf() {
        switch (pick(12)) {
            case 0: return "0";
            case 1: return "-1";
            case 2: return "9223372036854775807";
            case 3: return "null";
            case 4: return "true";
            case 5: return "2.5";
            case 6: return "0.0";
            case 7: return "'s'";
            case 8: return std::to_string(int(pick(1000)) - 500);
            case 9: {
                static const char* props[] = {"r.i", "r.f", "r.z", "r.s", "r.missing", "r.big", "r.nan"};
                return props[pick(7)];
            }
            case 10: return pick(2) ? "x.i" : "x";  // x.i on a number: the general path's property()
            default: return std::to_string(pick(100)) + "." + std::to_string(pick(100));
        }
    }
    int pick(int n) { return int(rng_() % uint32_t(n)); }
    std::mt19937 rng_;
};

}  // namespace

TEST_CASE("the numeric fast path gives the general path's value or error on random arithmetic", "[eval][numeric]") {
    auto room = Element::make(ElementKind::Node);
    room->ref = {"src", "room"};
    room->labels = {"Room"};
    room->properties = Map{{"big", Value(int64_t(INT64_MAX))}, {"f", Value(72.25)}, {"i", Value(int64_t(42))},
                           {"nan", Value(std::nan(""))},   {"s", Value("text")}, {"z", Value(int64_t(0))}};
    std::vector<Value> frame{Value(ElementPtr(room))};
    std::vector<Value> noElement{Value(int64_t(3))};
    int fastValues = 0, errors = 0;
    for (uint32_t seed = 0; seed < 4000; ++seed) {
        Generator gen(seed);
        std::string text = gen.expr(1 + int(seed % 4));
        for (auto* f : {&frame, &noElement}) {
            Outcome general = run(text, 3, *f);
            Outcome fast = run(text, 0, *f);
            INFO(text);
            REQUIRE(fast.threw == general.threw);
            if (general.threw) {
                CHECK(fast.code == general.code);
                ++errors;
            } else {
                CHECK(sameValue(fast.value, general.value));
                ++fastValues;
            }
        }
    }
    // The generator reaches both outcomes often (not a test that passes by never evaluating).
    CHECK(fastValues > 1000);
    CHECK(errors > 500);
}

TEST_CASE("the numeric fast path computes what the benchmark's comfort expression needs", "[eval][numeric]") {
    auto room = Element::make(ElementKind::Node);
    room->ref = {"src", "room"};
    room->properties = Map{{"co2", Value(int64_t(700))}, {"humidity", Value(40.5)}, {"temperature", Value(int64_t(74))}};
    std::vector<Value> frame{Value(ElementPtr(room))};
    const std::string comfort =
        "50 + (r.temperature - 72) + (r.humidity - 42) + CASE WHEN r.co2 > 500 THEN (r.co2 - 500) / 25 ELSE 0 END";
    Outcome fast = run(comfort, 0, frame);
    REQUIRE_FALSE(fast.threw);
    REQUIRE(fast.value.isFloat());
    CHECK(fast.value.asFloat() == Approx(50 + 2 - 1.5 + 8.0));
    CHECK(sameValue(fast.value, run(comfort, 3, frame).value));
    // Integer overflow is the general path's error, not a wrapped number.
    Outcome overflow = run("9223372036854775807 + r.temperature", 0, frame);
    REQUIRE(overflow.threw);
    CHECK(overflow.code == run("9223372036854775807 + r.temperature", 3, frame).code);
}
