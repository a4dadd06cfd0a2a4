// SPDX-License-Identifier: MIT
// Numeric and trigonometric functions: the cases of conformance/expressions/fn_numeric.json,
// fn_trigonometric.json, expr_numeric.json and expr_trigonometric.json.
#include "tests/unit/functions/fn_test_util.h"

using namespace cq;
using namespace cq::fn::test;

namespace {
const Value kNull;
}

TEST_CASE("abs, ceil, floor, sign", "[functions][numeric]") {
    checkCall("abs", {kNull}, kNull);
    checkCall("abs", {0}, 0);
    checkCall("abs", {-1}, 1);
    checkCall("abs", {1}, 1);
    checkCall("abs", {0.0}, 0.0);
    checkCall("abs", {-1.001}, 1.001);
    checkCall("abs", {1.001}, 1.001);
    CHECK(errorOf("abs", {Value(INT64_MIN)}) == ErrorCode::Overflow);
    CHECK(errorOf("abs", {"x"}) == ErrorCode::InvalidArgument);

    checkCall("ceil", {kNull}, kNull);
    checkCall("ceil", {0.0}, 0.0);
    checkCall("ceil", {-1.0}, -1.0);
    checkCall("ceil", {-1.001}, -1.0);
    checkCall("ceil", {1.001}, 2.0);
    checkCall("ceil", {5}, 5.0);
    checkCall("floor", {kNull}, kNull);
    checkCall("floor", {-0.001}, -1.0);
    checkCall("floor", {1.001}, 1.0);
    checkCall("floor", {-5.5}, -6.0);

    checkCall("sign", {kNull}, kNull);
    checkCall("sign", {0}, 0);
    checkCall("sign", {-1}, -1);
    checkCall("sign", {1}, 1);
    checkCall("sign", {0.0}, 0.0);
    checkCall("sign", {-1.001}, -1.0);
    checkCall("sign", {1.001}, 1.0);

    for (const char* f : {"abs", "ceil", "floor", "sign"}) {
        CHECK_FALSE(arityOk(f, 0));
        CHECK_FALSE(arityOk(f, 2));
    }
}

TEST_CASE("expr_numeric sums", "[functions][numeric]") {
    auto num = [](const char* f, Value v) { return call(f, {v}).asNumber(); };
    CHECK(num("abs", -5.5) + num("abs", 3.6) - num("abs", -3) + num("abs", 5) == Approx(11.1));
    CHECK(num("ceil", -5.5) + num("ceil", 3.6) - num("ceil", -3) + num("ceil", 5) == Approx(7.0));
    CHECK(num("floor", -5.5) + num("floor", 3.6) - num("floor", -3) + num("floor", 5) == Approx(5.0));
    CHECK(num("round", -5.5) + num("round", 3.6) - num("round", -3) + num("round", 5) == Approx(7.0));
    CHECK(num("sign", -5.5) + num("sign", 0) - num("sign", -3) + num("sign", 5) == Approx(1.0));
}

TEST_CASE("rand", "[functions][numeric]") {
    for (int i = 0; i < 1000; ++i) {
        Value r = call("rand", {});
        REQUIRE(r.isFloat());
        CHECK(r.asFloat() >= 0.0);
        CHECK(r.asFloat() < 1.0);
    }
    CHECK_FALSE(arityOk("rand", 1));
}

TEST_CASE("round without a mode", "[functions][numeric]") {
    checkCall("round", {kNull}, kNull);
    checkCall("round", {0.0}, 0.0);
    checkCall("round", {-1.0}, -1.0);
    checkCall("round", {-0.001}, 0.0);
    checkCall("round", {-0.7}, -1.0);
    checkCall("round", {1.0}, 1.0);
    checkCall("round", {1.6}, 2.0);
    checkCall("round", {1.001}, 1.0);
    checkCall("round", {2.5}, 3.0);
    checkCall("round", {-5.5}, -5.0);  // a negative .5 rounds towards zero
    checkCall("round", {5}, 5.0);
    checkCall("round", {3.141592653589793, 3}, 3.142);
    checkCall("round", {-1.5, 0}, -1.0);
    checkCall("round", {-1.5555, 3}, -1.555);
    checkCall("round", {1234.5, -2}, 1200.0);
    checkCall("round", {7, 2}, 7);
    checkCall("round", {kNull, 2}, kNull);
    CHECK(errorOf("round", {1.5, 1.0}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("round", {"x"}) == ErrorCode::InvalidArgument);
    CHECK_FALSE(arityOk("round", 0));
    CHECK_FALSE(arityOk("round", 4));
}

TEST_CASE("round with a mode", "[functions][numeric]") {
    struct Case { double x; int p; const char* mode; double want; };
    const Case cases[] = {
        {1.249, 1, "UP", 1.3},          {-1.251, 1, "UP", -1.3},        {-1.35, 1, "UP", -1.4},
        {1.249, 1, "DOWN", 1.2},        {-1.251, 1, "DOWN", -1.2},      {1.249, 1, "CEILING", 1.3},
        {-1.251, 1, "CEILING", -1.2},   {1.249, 1, "FLOOR", 1.2},       {-1.251, 1, "FLOOR", -1.3},
        {1.249, 1, "HALF_UP", 1.2},     {1.25, 1, "HALF_UP", 1.3},      {-1.251, 1, "HALF_UP", -1.3},
        {-1.35, 1, "HALF_UP", -1.4},    {1.249, 1, "HALF_DOWN", 1.2},   {1.25, 1, "HALF_DOWN", 1.2},
        {-1.251, 1, "HALF_DOWN", -1.3}, {-1.35, 1, "HALF_DOWN", -1.3},  {1.249, 1, "HALF_EVEN", 1.2},
        {1.25, 1, "HALF_EVEN", 1.2},    {1.222335, 5, "HALF_EVEN", 1.22234},
        {-1.251, 1, "HALF_EVEN", -1.3}, {-1.35, 1, "HALF_EVEN", -1.4},
        {-1.23455, 4, "HALF_EVEN", -1.2346}, {1.25, 1, "half_up", 1.3},
    };
    for (const Case& c : cases) {
        INFO("round(" << c.x << ", " << c.p << ", '" << c.mode << "')");
        checkCall("round", {c.x, c.p, c.mode}, c.want);
    }
    CHECK(errorOf("round", {1.5, 1, "SIDEWAYS"}) == ErrorCode::InvalidArgument);
    CHECK(errorOf("round", {1.5, 1, 3}) == ErrorCode::InvalidArgument);
    checkCall("round", {1.5, 1, kNull}, kNull);
}

TEST_CASE("trigonometry and logarithms", "[functions][numeric]") {
    const double pi = 3.141592653589793;
    checkCall("pi", {}, pi);
    checkCall("e", {}, 2.718281828459045);
    checkCall("cos", {kNull}, kNull);
    checkCall("cos", {0.0}, 1.0);
    checkCall("cos", {0.5}, 0.8775825618903728);
    checkCall("cos", {1}, 0.5403023058681398);
    checkCall("cos", {pi}, -1.0);
    checkCall("sin", {0.0}, 0.0);
    checkCall("sin", {0.5}, 0.479425538604203);
    checkCall("sin", {1}, 0.8414709848078965);
    checkCall("sin", {pi}, 1.2246467991473532e-16);
    checkCall("sin", {pi / 2}, 1.0);
    checkCall("tan", {0.0}, 0.0);
    checkCall("tan", {0.5}, 0.5463024898437905);
    checkCall("tan", {1}, 1.5574077246549023);
    checkCall("tan", {pi}, -1.2246467991473532e-16);
    checkCall("cos", {pi / 2}, 6.123233995736766e-17);
    checkCall("degrees", {kNull}, kNull);
    checkCall("degrees", {0.0}, 0.0);
    checkCall("degrees", {pi}, 180.0);
    checkCall("degrees", {0.5}, 28.64788975654116);
    checkCall("degrees", {1}, 57.29577951308232);
    checkCall("radians", {kNull}, kNull);
    checkCall("radians", {180}, pi);
    checkCall("radians", {90.0}, 1.5707963267948966);
    checkCall("radians", {45}, 0.7853981633974483);
    checkCall("cot", {1.0}, 1.0 / std::tan(1.0));
    checkCall("asin", {1.0}, pi / 2);
    checkCall("acos", {1.0}, 0.0);
    checkCall("atan", {1.0}, pi / 4);
    checkCall("atan2", {1.0, 1.0}, pi / 4);
    checkCall("atan2", {kNull, 1.0}, kNull);
    checkCall("exp", {0}, 1.0);
    checkCall("log", {1}, 0.0);
    checkCall("log10", {1000}, 3.0);
    checkCall("sqrt", {16}, 4.0);
    CHECK(std::isnan(call("asin", {2.0}).asFloat()));
    CHECK(errorOf("sin", {"x"}) == ErrorCode::InvalidArgument);
    for (const char* f : {"cos", "sin", "tan", "degrees", "radians"}) {
        CHECK_FALSE(arityOk(f, 0));
        CHECK_FALSE(arityOk(f, 2));
    }
    CHECK_FALSE(arityOk("pi", 1));
}
