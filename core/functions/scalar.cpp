// SPDX-License-Identifier: MIT
// Scalar functions of openCypher (size, coalesce, type conversions, element accessors) and
// drasi.changeDateTime. Conversions follow fn_cypher_scalar / expr_cypher_scalar: an unparsable
// string converts to null, a value of a type the function does not take is an error for toX()
// and null for toXOrNull().
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include "core/functions/fn_util.h"
#include "core/model/element.h"
#include "core/temporal/temporal.h"

namespace cq::fn {

namespace {

using util::Args;

Value charLengthImpl(const char* fn, const Args& a) {
    if (a[0].isNull()) return Value();
    return Value(util::utf8Length(util::stringArg(fn, a, 0)));
}

Value charLengthFn(const Args& a, const CallContext&) { return charLengthImpl("char_length", a); }
Value characterLengthFn(const Args& a, const CallContext&) {
    return charLengthImpl("character_length", a);
}

Value sizeFn(const Args& a, const CallContext&) {
    const Value& v = a[0];
    if (v.isNull()) return Value();
    if (v.isString()) return Value(util::utf8Length(v.asString()));
    if (v.isList()) return Value(int64_t(v.asList().size()));
    invalidArgument("size", 0, v, "a String or a List");
}

std::string_view trimmed(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r')) --e;
    return s.substr(b, e - b);
}

// Parses a whole string as a double; false when any character is left over.
bool parseDouble(std::string_view text, double& out) {
    std::string s(trimmed(text));
    if (s.empty()) return false;
    // strtod also accepts hex and "inf"/"nan" spellings; Cypher number text is decimal only.
    for (char c : s)
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'))
            return false;
    char* end = nullptr;
    errno = 0;
    out = std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

bool parseInteger(std::string_view text, int64_t& out) {
    std::string s(trimmed(text));
    if (s.empty()) return false;
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (end != s.c_str() + s.size() || errno == ERANGE) return false;
    out = v;
    return true;
}

// Truncates a finite double that fits int64_t; false otherwise.
bool truncToInt(double d, int64_t& out) {
    if (!std::isfinite(d)) return false;
    double t = std::trunc(d);
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    if (t >= 9223372036854775808.0 || t < -9223372036854775808.0) return false;
    out = static_cast<int64_t>(t);
    return true;
}

// 0 = converted (out set), 1 = null result, 2 = wrong type.
int convertToInteger(const Value& v, Value& out) {
    switch (v.kind()) {
        case ValueKind::Null: out = Value(); return 1;
        case ValueKind::Integer: out = v; return 0;
        case ValueKind::Bool: out = Value(int64_t(v.asBool() ? 1 : 0)); return 0;
        case ValueKind::Float: {
            int64_t i;
            if (!truncToInt(v.asFloat(), i)) return 3;
            out = Value(i);
            return 0;
        }
        case ValueKind::String: {
            int64_t i;
            double d;
            if (parseInteger(v.asString(), i)) { out = Value(i); return 0; }
            if (parseDouble(v.asString(), d) && truncToInt(d, i)) { out = Value(i); return 0; }
            out = Value();
            return 1;
        }
        default: return 2;
    }
}

Value toIntegerFn(const Args& a, const CallContext&) {
    Value out;
    int r = convertToInteger(a[0], out);
    if (r == 2) invalidArgument("toInteger", 0, a[0], "a String, number or Boolean");
    if (r == 3) util::fail(ErrorCode::Overflow, "toInteger", "the value does not fit an Integer");
    return out;
}

Value toIntegerOrNullFn(const Args& a, const CallContext&) {
    Value out;
    return convertToInteger(a[0], out) == 0 ? out : Value();
}

int convertToFloat(const Value& v, Value& out) {
    switch (v.kind()) {
        case ValueKind::Null: out = Value(); return 1;
        case ValueKind::Integer: out = Value(double(v.asInt())); return 0;
        case ValueKind::Float: out = v; return 0;
        case ValueKind::String: {
            double d;
            if (parseDouble(v.asString(), d)) { out = Value(d); return 0; }
            out = Value();
            return 1;
        }
        default: return 2;
    }
}

Value toFloatFn(const Args& a, const CallContext&) {
    Value out;
    if (convertToFloat(a[0], out) == 2) invalidArgument("toFloat", 0, a[0], "a String or number");
    return out;
}

Value toFloatOrNullFn(const Args& a, const CallContext&) {
    Value out;
    return convertToFloat(a[0], out) == 0 ? out : Value();
}

bool equalsIgnoreCase(std::string_view s, std::string_view lower) {
    if (s.size() != lower.size()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lower[i]) return false;
    }
    return true;
}

int convertToBoolean(const Value& v, Value& out) {
    switch (v.kind()) {
        case ValueKind::Null: out = Value(); return 1;
        case ValueKind::Bool: out = v; return 0;
        case ValueKind::Integer: out = Value(v.asInt() != 0); return 0;
        case ValueKind::String: {
            std::string_view s = trimmed(v.asString());
            if (equalsIgnoreCase(s, "true")) { out = Value(true); return 0; }
            if (equalsIgnoreCase(s, "false")) { out = Value(false); return 0; }
            out = Value();
            return 1;
        }
        default: return 2;
    }
}

Value toBooleanFn(const Args& a, const CallContext&) {
    Value out;
    if (convertToBoolean(a[0], out) == 2)
        invalidArgument("toBoolean", 0, a[0], "a String, Integer or Boolean");
    return out;
}

Value toBooleanOrNullFn(const Args& a, const CallContext&) {
    Value out;
    return convertToBoolean(a[0], out) == 0 ? out : Value();
}

Value coalesceFn(const Args& a, const CallContext&) {
    for (const Value& v : a)
        if (!v.isNull()) return v;
    return Value();
}

Value nullIfFn(const Args& a, const CallContext&) {
    if (a[0].isNull() || valuesEqual(a[0], a[1])) return Value();
    return a[0];
}

Value isEmptyFn(const Args& a, const CallContext&) {
    const Value& v = a[0];
    switch (v.kind()) {
        case ValueKind::Null: return Value();
        case ValueKind::String: return Value(v.asString().empty());
        case ValueKind::List: return Value(v.asList().empty());
        case ValueKind::Map: return Value(v.asMap().empty());
        default: invalidArgument("isEmpty", 0, v, "a String, List or Map");
    }
}

Value headFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    const List& l = util::listArg("head", a, 0);
    return l.empty() ? Value() : l.front();
}

Value lastFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    const List& l = util::listArg("last", a, 0);
    return l.empty() ? Value() : l.back();
}

Value timestampFn(const Args&, const CallContext& ctx) {
    if (ctx.wallClock != 0) return Value(ctx.wallClock);
    // A caller that did not fill in the wall clock still gets the host's time, never 1970.
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return Value(int64_t(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
}

const Element& elementArg(const char* fn, const Args& a, int i) {
    if (!a[i].isElement()) invalidArgument(fn, i, a[i], "a node or relation");
    return *a[i].asElement();
}

Value elementIdFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    return Value(elementArg("elementId", a, 0).ref.id);
}

Value labelsFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    const Element& e = elementArg("labels", a, 0);
    List out;
    out.reserve(e.labels.size());
    for (const std::string& l : e.labels) out.emplace_back(l);
    return Value(std::move(out));
}

Value typeFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    const Element& e = elementArg("type", a, 0);
    if (!e.isRelation()) invalidArgument("type", 0, a[0], "a relation");
    return e.labels.empty() ? Value() : Value(e.labels.front());
}

Value propertiesFn(const Args& a, const CallContext&) {
    const Value& v = a[0];
    if (v.isNull() || v.isMap()) return v;
    return Value(elementArg("properties", a, 0).properties.toMap());
}

Value keysFn(const Args& a, const CallContext&) {
    const Value& v = a[0];
    if (v.isNull()) return Value();
    List out;
    if (v.isMap()) {
        out.reserve(v.asMap().size());
        for (const auto& entry : v.asMap()) out.emplace_back(entry.first);
    } else {
        for (const std::string& name : elementArg("keys", a, 0).properties.names()) out.emplace_back(name);
    }
    return Value(std::move(out));
}

Value changeDateTimeFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    return temporal::zonedFromEpochMillis(elementArg("drasi.changeDateTime", a, 0).effectiveFrom);
}

}  // namespace

void registerScalarFunctions(FunctionRegistry& r) {
    using util::scalar;
    r.add(scalar("char_length", 1, 1, charLengthFn));
    r.add(scalar("character_length", 1, 1, characterLengthFn));
    r.add(scalar("size", 1, 1, sizeFn));
    r.add(scalar("toInteger", 1, 1, toIntegerFn));
    r.add(scalar("toIntegerOrNull", 1, 1, toIntegerOrNullFn));
    r.add(scalar("toFloat", 1, 1, toFloatFn));
    r.add(scalar("toFloatOrNull", 1, 1, toFloatOrNullFn));
    r.add(scalar("toBoolean", 1, 1, toBooleanFn));
    r.add(scalar("toBooleanOrNull", 1, 1, toBooleanOrNullFn));
    r.add(scalar("coalesce", 1, -1, coalesceFn));
    r.add(scalar("nullIf", 2, 2, nullIfFn));
    r.add(scalar("isEmpty", 1, 1, isEmptyFn));
    r.add(scalar("head", 1, 1, headFn));
    r.add(scalar("last", 1, 1, lastFn));
    r.add(scalar("timestamp", 0, 0, timestampFn));
    r.add(scalar("elementId", 1, 1, elementIdFn));
    r.add(scalar("labels", 1, 1, labelsFn));
    r.add(scalar("type", 1, 1, typeFn));
    r.add(scalar("properties", 1, 1, propertiesFn));
    r.add(scalar("keys", 1, 1, keysFn));
    r.add(scalar("drasi.changeDateTime", 1, 1, changeDateTimeFn));
}

}  // namespace cq::fn
