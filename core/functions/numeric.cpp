// SPDX-License-Identifier: MIT
// Numeric and trigonometric functions. round() reproduces drasi-core's rules (fn_numeric
// c22..c55): the value is scaled by 10^precision, an exact .5 is resolved by the mode, anything
// else rounds half away from zero; with no mode a negative .5 rounds towards zero (round(-1.5)
// = -1.0, as openCypher's Java-style round).
#include <cfloat>
#include <chrono>
#include <cmath>
#include <random>

#include "core/functions/fn_util.h"

namespace cq::fn {

namespace {

using util::Args;

constexpr double kPi = 3.141592653589793;
constexpr double kE = 2.718281828459045;

Value absFn(const Args& a, const CallContext&) {
    const Value& v = a[0];
    if (v.isNull()) return Value();
    if (v.isInt()) {
        if (v.asInt() == INT64_MIN) util::fail(ErrorCode::Overflow, "abs", "the result does not fit an Integer");
        return Value(v.asInt() < 0 ? -v.asInt() : v.asInt());
    }
    if (v.isFloat()) return Value(std::fabs(v.asFloat()));
    invalidArgument("abs", 0, v, "a number");
}

template <double (*F)(double)>
Value floatOf(const char* fn, const Args& a) {
    if (a[0].isNull()) return Value();
    return Value(F(util::numberArg(fn, a, 0)));
}

double ceilD(double x) { return std::ceil(x); }
double floorD(double x) { return std::floor(x); }
double sinD(double x) { return std::sin(x); }
double cosD(double x) { return std::cos(x); }
double tanD(double x) { return std::tan(x); }
double cotD(double x) { return 1.0 / std::tan(x); }
double asinD(double x) { return std::asin(x); }
double acosD(double x) { return std::acos(x); }
double atanD(double x) { return std::atan(x); }
double degreesD(double x) { return x * (180.0 / kPi); }
double radiansD(double x) { return x * (kPi / 180.0); }
double expD(double x) { return std::exp(x); }
double logD(double x) { return std::log(x); }
double log10D(double x) { return std::log10(x); }
double sqrtD(double x) { return std::sqrt(x); }

Value ceilFn(const Args& a, const CallContext&) { return floatOf<ceilD>("ceil", a); }
Value floorFn(const Args& a, const CallContext&) { return floatOf<floorD>("floor", a); }
Value sinFn(const Args& a, const CallContext&) { return floatOf<sinD>("sin", a); }
Value cosFn(const Args& a, const CallContext&) { return floatOf<cosD>("cos", a); }
Value tanFn(const Args& a, const CallContext&) { return floatOf<tanD>("tan", a); }
Value cotFn(const Args& a, const CallContext&) { return floatOf<cotD>("cot", a); }
Value asinFn(const Args& a, const CallContext&) { return floatOf<asinD>("asin", a); }
Value acosFn(const Args& a, const CallContext&) { return floatOf<acosD>("acos", a); }
Value atanFn(const Args& a, const CallContext&) { return floatOf<atanD>("atan", a); }
Value degreesFn(const Args& a, const CallContext&) { return floatOf<degreesD>("degrees", a); }
Value radiansFn(const Args& a, const CallContext&) { return floatOf<radiansD>("radians", a); }
Value expFn(const Args& a, const CallContext&) { return floatOf<expD>("exp", a); }
Value logFn(const Args& a, const CallContext&) { return floatOf<logD>("log", a); }
Value log10Fn(const Args& a, const CallContext&) { return floatOf<log10D>("log10", a); }
Value sqrtFn(const Args& a, const CallContext&) { return floatOf<sqrtD>("sqrt", a); }

Value atan2Fn(const Args& a, const CallContext&) {
    if (a[0].isNull() || a[1].isNull()) return Value();
    return Value(std::atan2(util::numberArg("atan2", a, 0), util::numberArg("atan2", a, 1)));
}

Value piFn(const Args&, const CallContext&) { return Value(kPi); }
Value eFn(const Args&, const CallContext&) { return Value(kE); }

Value signFn(const Args& a, const CallContext&) {
    const Value& v = a[0];
    if (v.isNull()) return Value();
    if (v.isInt()) return Value(int64_t((v.asInt() > 0) - (v.asInt() < 0)));
    if (v.isFloat()) {
        double d = v.asFloat();
        return Value(d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0);
    }
    invalidArgument("sign", 0, v, "a number");
}

Value randFn(const Args&, const CallContext&) {
    thread_local std::mt19937_64 rng([] {
        std::random_device rd;
        return (uint64_t(rd()) << 32) ^ rd() ^
               uint64_t(std::chrono::steady_clock::now().time_since_epoch().count());
    }());
    return Value(std::uniform_real_distribution<double>(0.0, 1.0)(rng));
}

enum class RoundMode { Default, Up, Down, Ceiling, Floor, HalfUp, HalfDown, HalfEven };

bool parseMode(std::string s, RoundMode& mode) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    static const std::pair<const char*, RoundMode> kModes[] = {
        {"UP", RoundMode::Up},           {"DOWN", RoundMode::Down},
        {"CEILING", RoundMode::Ceiling}, {"FLOOR", RoundMode::Floor},
        {"HALF_UP", RoundMode::HalfUp},  {"HALF_DOWN", RoundMode::HalfDown},
        {"HALF_EVEN", RoundMode::HalfEven}};
    for (const auto& m : kModes)
        if (s == m.first) { mode = m.second; return true; }
    return false;
}

// Rounds x (already scaled to the wanted precision) to an integral double.
double roundScaled(double x, RoundMode mode) {
    double t = std::trunc(x);
    double frac = x - t;
    switch (mode) {
        case RoundMode::Up: return x >= 0 ? std::ceil(x) : std::floor(x);
        case RoundMode::Down: return t;
        case RoundMode::Ceiling: return std::ceil(x);
        case RoundMode::Floor: return std::floor(x);
        case RoundMode::HalfDown:
            if (frac == 0.5 || frac == -0.5) return t;
            return std::round(x);
        case RoundMode::HalfEven:
            if (frac == 0.5 || frac == -0.5) {
                if (std::fmod(t, 2.0) == 0.0) return t;
                return frac > 0 ? t + 1.0 : t - 1.0;
            }
            return std::round(x);
        case RoundMode::HalfUp: return std::round(x);
        case RoundMode::Default:
            if (frac == -0.5) return t;
            return std::round(x);
    }
    return std::round(x);
}

Value roundFn(const Args& a, const CallContext&) {
    for (const Value& v : a)
        if (v.isNull()) return Value();
    const Value& v = a[0];
    if (!v.isNumber()) invalidArgument("round", 0, v, "a number");
    RoundMode mode = RoundMode::Default;
    int64_t precision = 0;
    if (a.size() >= 2) precision = util::intArg("round", a, 1);
    if (a.size() == 3) {
        if (!parseMode(util::stringArg("round", a, 2), mode))
            invalidArgument("round", 2, a[2], "one of UP, DOWN, CEILING, FLOOR, HALF_UP, HALF_DOWN, HALF_EVEN");
    }
    if (v.isInt()) {
        // An integer has no fraction to round: round(n) gives a Float, round(n, p[, m]) keeps n.
        if (a.size() == 1) return Value(double(v.asInt()));
        return v;
    }
    double x = v.asFloat();
    if (!std::isfinite(x)) return v;
    if (precision > 308 || precision < -308) util::fail(ErrorCode::Overflow, "round", "precision out of range");
    double scale = std::pow(10.0, double(precision));
    if (std::fabs(x) > DBL_MAX / scale) return v;  // already beyond the precision asked for
    return Value(roundScaled(x * scale, mode) / scale);
}

}  // namespace

void registerNumericFunctions(FunctionRegistry& r) {
    using util::scalar;
    r.add(scalar("abs", 1, 1, absFn));
    r.add(scalar("ceil", 1, 1, ceilFn));
    r.add(scalar("floor", 1, 1, floorFn));
    r.add(scalar("rand", 0, 0, randFn));
    r.add(scalar("round", 1, 3, roundFn));
    r.add(scalar("sign", 1, 1, signFn));
    r.add(scalar("cos", 1, 1, cosFn));
    r.add(scalar("sin", 1, 1, sinFn));
    r.add(scalar("tan", 1, 1, tanFn));
    r.add(scalar("cot", 1, 1, cotFn));
    r.add(scalar("asin", 1, 1, asinFn));
    r.add(scalar("acos", 1, 1, acosFn));
    r.add(scalar("atan", 1, 1, atanFn));
    r.add(scalar("atan2", 2, 2, atan2Fn));
    r.add(scalar("degrees", 1, 1, degreesFn));
    r.add(scalar("radians", 1, 1, radiansFn));
    r.add(scalar("pi", 0, 0, piFn));
    r.add(scalar("e", 0, 0, eFn));
    r.add(scalar("exp", 1, 1, expFn));
    r.add(scalar("log", 1, 1, logFn));
    r.add(scalar("log10", 1, 1, log10Fn));
    r.add(scalar("sqrt", 1, 1, sqrtFn));
}

}  // namespace cq::fn
