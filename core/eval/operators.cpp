// SPDX-License-Identifier: MIT
// Cypher operators on values (see operators.h). The common cases (two integers, two floats,
// property of a map or element) are tested first and allocate nothing; everything else falls
// through to the general rules. Deviations from openCypher that the conformance vectors demand
// are listed in docs/cypher-deviations.md ("Operators and functions").
#include "core/eval/operators.h"

#include <cmath>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/functions/value_text.h"
#include "core/model/element.h"
#include "core/temporal/temporal.h"

namespace cq::eval {

using cypher::BinaryOp;

namespace {

const char* opText(BinaryOp op) {
    switch (op) {
        case BinaryOp::Add: return "+";
        case BinaryOp::Subtract: return "-";
        case BinaryOp::Multiply: return "*";
        case BinaryOp::Divide: return "/";
        case BinaryOp::Modulo: return "%";
        case BinaryOp::Power: return "^";
        case BinaryOp::Equal: return "=";
        case BinaryOp::NotEqual: return "<>";
        case BinaryOp::Less: return "<";
        case BinaryOp::LessEqual: return "<=";
        case BinaryOp::Greater: return ">";
        case BinaryOp::GreaterEqual: return ">=";
        case BinaryOp::And: return "AND";
        case BinaryOp::Or: return "OR";
        case BinaryOp::Xor: return "XOR";
        case BinaryOp::In: return "IN";
        case BinaryOp::StartsWith: return "STARTS WITH";
        case BinaryOp::EndsWith: return "ENDS WITH";
        case BinaryOp::Contains: return "CONTAINS";
        case BinaryOp::Regex: return "=~";
    }
    return "?";
}

[[noreturn]] void typeError(BinaryOp op, const Value& a, const Value& b) {
    throw Error(ErrorCode::InvalidType, std::string("cannot apply ") + opText(op) + " to " +
                                            valueKindName(a.kind()) + " and " + valueKindName(b.kind()));
}

[[noreturn]] void overflow(const char* what) {
    throw Error(ErrorCode::Overflow, std::string("integer overflow in ") + what);
}

[[noreturn]] void divideByZero() { throw Error(ErrorCode::DivideByZero, "division by zero"); }

// ---- arithmetic ------------------------------------------------------------------------------

Value integerPower(int64_t base, int64_t exp) {
    int64_t result = 1;
    while (exp > 0) {
        if (exp & 1)
            if (__builtin_mul_overflow(result, base, &result)) overflow("^");
        exp >>= 1;
        if (exp > 0 && __builtin_mul_overflow(base, base, &base)) overflow("^");
    }
    return Value(result);
}

Value temporalOrTypeError(std::optional<Value> r, BinaryOp op, const Value& a, const Value& b) {
    if (!r) typeError(op, a, b);
    return std::move(*r);
}

Value concat(const Value& a, const Value& b) {
    if (a.isList()) {
        const List& x = a.asList();
        List out;
        if (b.isList()) {
            const List& y = b.asList();
            if (y.empty()) return a;
            if (x.empty()) return b;
            out.reserve(x.size() + y.size());
            out.insert(out.end(), x.begin(), x.end());
            out.insert(out.end(), y.begin(), y.end());
        } else {
            out.reserve(x.size() + 1);
            out.insert(out.end(), x.begin(), x.end());
            out.push_back(b);
        }
        return Value(std::move(out));
    }
    // b is the list, a a single element.
    const List& y = b.asList();
    List out;
    out.reserve(y.size() + 1);
    out.push_back(a);
    out.insert(out.end(), y.begin(), y.end());
    return Value(std::move(out));
}

Value add(const Value& a, const Value& b) {
    if (a.isString() && b.isString()) {
        std::string out;
        out.reserve(a.asString().size() + b.asString().size());
        out += a.asString();
        out += b.asString();
        return Value(std::move(out));
    }
    if (a.isList() || b.isList()) return concat(a, b);
    if (a.isTemporal() || b.isTemporal()) return temporalOrTypeError(temporal::add(a, b), BinaryOp::Add, a, b);
    // Drasi concatenates a string with a number (either side) or a string with a following
    // boolean, using the value's text.
    if ((a.isString() && (b.isNumber() || b.isBool())) || (a.isNumber() && b.isString())) {
        std::string out = a.isString() ? a.asString() : std::string();
        fn::appendCypherText(out, b.isString() ? a : b);
        if (b.isString()) out += b.asString();
        return Value(std::move(out));
    }
    typeError(BinaryOp::Add, a, b);
}

Value arithmetic(BinaryOp op, const Value& a, const Value& b) {
    if (a.isInt() && b.isInt()) {
        int64_t x = a.asInt(), y = b.asInt(), r = 0;
        switch (op) {
            case BinaryOp::Add:
                if (__builtin_add_overflow(x, y, &r)) overflow("+");
                return Value(r);
            case BinaryOp::Subtract:
                if (__builtin_sub_overflow(x, y, &r)) overflow("-");
                return Value(r);
            case BinaryOp::Multiply:
                if (__builtin_mul_overflow(x, y, &r)) overflow("*");
                return Value(r);
            case BinaryOp::Divide:
                // This dialect divides integers as floats (expr_arithmetic c04: 10 / 2 = 5.0).
                if (y == 0) divideByZero();
                return Value(double(x) / double(y));
            case BinaryOp::Modulo:
                if (y == 0) divideByZero();
                if (y == -1) return Value(int64_t(0));  // INT64_MIN % -1 traps on x86
                return Value(x % y);
            case BinaryOp::Power:
                if (y >= 0) return integerPower(x, y);
                return Value(std::pow(double(x), double(y)));
            default: break;
        }
    }
    if (a.isNumber() && b.isNumber()) {
        double x = a.asNumber(), y = b.asNumber();
        switch (op) {
            case BinaryOp::Add: return Value(x + y);
            case BinaryOp::Subtract: return Value(x - y);
            case BinaryOp::Multiply: return Value(x * y);
            case BinaryOp::Divide:
                if (y == 0) divideByZero();
                return Value(x / y);
            case BinaryOp::Modulo:
                if (y == 0) divideByZero();
                return Value(std::fmod(x, y));
            case BinaryOp::Power: return Value(std::pow(x, y));
            default: break;
        }
    }
    if (a.isNull() || b.isNull()) return Value();
    if (a.isAwaiting() || b.isAwaiting()) return Value(Awaiting{});
    switch (op) {
        case BinaryOp::Add: return add(a, b);
        case BinaryOp::Subtract:
            if (a.isTemporal() || b.isTemporal())
                return temporalOrTypeError(temporal::subtract(a, b), op, a, b);
            break;
        case BinaryOp::Multiply:
            if (a.isTemporal() || b.isTemporal())
                return temporalOrTypeError(temporal::multiply(a, b), op, a, b);
            break;
        case BinaryOp::Divide:
            if (a.isTemporal() || b.isTemporal()) {
                if (b.isNumber() && b.asNumber() == 0) divideByZero();
                return temporalOrTypeError(temporal::divide(a, b), op, a, b);
            }
            break;
        default: break;
    }
    typeError(op, a, b);
}

// ---- equality and ordering -------------------------------------------------------------------

// Three-valued results of = and <: 0 false, 1 true, 2 null.
enum Tri : uint8_t { kFalse = 0, kTrue = 1, kNull = 2 };

Tri cypherEquals(const Value& a, const Value& b);

Tri listEquals(const List& x, const List& y) {
    if (x.size() != y.size()) return kFalse;
    Tri result = kTrue;
    for (size_t i = 0; i < x.size(); ++i) {
        Tri t = cypherEquals(x[i], y[i]);
        if (t == kFalse) return kFalse;
        if (t == kNull) result = kNull;
    }
    return result;
}

Tri mapEquals(const Map& x, const Map& y) {
    if (x.size() != y.size()) return kFalse;
    Tri result = kTrue;
    for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)
        if (i->first != j->first) return kFalse;
    for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        Tri t = cypherEquals(i->second, j->second);
        if (t == kFalse) return kFalse;
        if (t == kNull) result = kNull;
    }
    return result;
}

Tri cypherEquals(const Value& a, const Value& b) {
    ValueKind ka = a.kind(), kb = b.kind();
    if (ka == ValueKind::Null || kb == ValueKind::Null) return kNull;
    if (ka != kb) {
        if (a.isNumber() && b.isNumber()) return a.asNumber() == b.asNumber() ? kTrue : kFalse;
        if (a.isTemporal() && b.isTemporal()) return temporal::equal(a, b) ? kTrue : kFalse;
        return kFalse;
    }
    switch (ka) {
        case ValueKind::Bool: return a.asBool() == b.asBool() ? kTrue : kFalse;
        case ValueKind::Integer: return a.asInt() == b.asInt() ? kTrue : kFalse;
        case ValueKind::Float: return a.asFloat() == b.asFloat() ? kTrue : kFalse;
        case ValueKind::String: return a.asString() == b.asString() ? kTrue : kFalse;
        case ValueKind::List:
            if (a.listPtr() == b.listPtr()) return listEquals(a.asList(), a.asList());
            return listEquals(a.asList(), b.asList());
        case ValueKind::Map: return mapEquals(a.asMap(), b.asMap());
        case ValueKind::Element: {
            // Graph elements are equal when they are the same element (identity, not content).
            const Element& x = *a.asElement();
            const Element& y = *b.asElement();
            return x.kind == y.kind && x.ref == y.ref ? kTrue : kFalse;
        }
        default:
            if (a.isTemporal()) return temporal::equal(a, b) ? kTrue : kFalse;
            return kFalse;
    }
}

// Ordering of two non-null values: <0, 0, >0, or nullopt when they are not comparable (openCypher
// then gives null). NaN never reaches here (handled by the caller).
std::optional<int> cypherOrder(const Value& a, const Value& b) {
    if (a.isNumber() && b.isNumber()) {
        if (a.isInt() && b.isInt()) return (a.asInt() > b.asInt()) - (a.asInt() < b.asInt());
        double x = a.asNumber(), y = b.asNumber();
        if (std::isnan(x) || std::isnan(y)) return std::nullopt;
        return (x > y) - (x < y);
    }
    if (a.kind() != b.kind()) {
        if (a.isTemporal() && b.isTemporal()) return temporal::compare(a, b);
        return std::nullopt;
    }
    switch (a.kind()) {
        case ValueKind::String: {
            int c = a.asString().compare(b.asString());
            return (c > 0) - (c < 0);
        }
        case ValueKind::Bool: return int(a.asBool()) - int(b.asBool());
        case ValueKind::List: {
            // Lexicographic; a null or incomparable element makes the whole comparison null.
            const List& x = a.asList();
            const List& y = b.asList();
            size_t n = std::min(x.size(), y.size());
            for (size_t i = 0; i < n; ++i) {
                if (x[i].isNull() || y[i].isNull()) return std::nullopt;
                auto c = cypherOrder(x[i], y[i]);
                if (!c) return std::nullopt;
                if (*c != 0) return c;
            }
            return (x.size() > y.size()) - (x.size() < y.size());
        }
        default:
            if (a.isTemporal()) return temporal::compare(a, b);
            return std::nullopt;
    }
}

bool applyOrder(BinaryOp op, int c) {
    switch (op) {
        case BinaryOp::Less: return c < 0;
        case BinaryOp::LessEqual: return c <= 0;
        case BinaryOp::Greater: return c > 0;
        default: return c >= 0;
    }
}

Value compareOp(BinaryOp op, const Value& a, const Value& b) {
    if (a.isInt() && b.isInt()) {
        int64_t x = a.asInt(), y = b.asInt();
        return Value(applyOrder(op, (x > y) - (x < y)));
    }
    if (a.isNull() || b.isNull()) return Value();
    if (a.isAwaiting() || b.isAwaiting()) return Value(Awaiting{});
    if (a.isNumber() && b.isNumber() && (a.isFloat() || b.isFloat())) {
        // IEEE semantics: every ordering with NaN is false.
        double x = a.asNumber(), y = b.asNumber();
        switch (op) {
            case BinaryOp::Less: return Value(x < y);
            case BinaryOp::LessEqual: return Value(x <= y);
            case BinaryOp::Greater: return Value(x > y);
            default: return Value(x >= y);
        }
    }
    auto c = cypherOrder(a, b);
    if (!c) return Value();
    return Value(applyOrder(op, *c));
}

Value inList(const Value& a, const Value& b) {
    if (b.isNull()) return Value();
    if (b.isAwaiting() || a.isAwaiting()) return Value(Awaiting{});
    if (!b.isList()) typeError(BinaryOp::In, a, b);
    const List& l = b.asList();
    if (l.empty()) return Value(false);
    if (a.isNull()) return Value();
    bool sawNull = false;
    for (const Value& item : l) {
        if (item.isNull()) { sawNull = true; continue; }
        if (valuesEqual(a, item)) return Value(true);
    }
    return sawNull ? Value() : Value(false);
}

Value stringOp(BinaryOp op, const Value& a, const Value& b) {
    if (a.isAwaiting() || b.isAwaiting()) return Value(Awaiting{});
    if (!a.isString() || !b.isString()) return Value();
    const std::string& s = a.asString();
    const std::string& t = b.asString();
    switch (op) {
        case BinaryOp::StartsWith: return Value(s.size() >= t.size() && s.compare(0, t.size(), t) == 0);
        case BinaryOp::EndsWith:
            return Value(s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0);
        default: return Value(s.find(t) != std::string::npos);
    }
}

/// The compiled pattern of `source`, from a small cache: a query compares against a handful of
/// patterns, and compiling one costs far more than a match (std::regex builds an automaton).
const std::regex& compiledRegex(const std::string& source) {
    struct Entry {
        std::string source;
        std::shared_ptr<const std::regex> re;
    };
    thread_local std::vector<Entry> cache;  // most recent last; at most 16
    for (size_t i = cache.size(); i-- > 0;)
        if (cache[i].source == source) return *cache[i].re;
    // Java's (?i) prefix, which Cypher users write for case-insensitive matching; ECMAScript has
    // none, std::regex takes it as a flag.
    std::string body = source;
    auto flags = std::regex::ECMAScript;
    if (body.rfind("(?i)", 0) == 0) {
        body.erase(0, 4);
        flags |= std::regex::icase;
    }
    std::shared_ptr<const std::regex> re;
    try {
        re = std::make_shared<const std::regex>(body, flags);
    } catch (const std::regex_error& e) {
        throw Error(ErrorCode::InvalidArgument, "=~: invalid regular expression '" + source + "': " + e.what());
    }
    if (cache.size() >= 16) cache.erase(cache.begin());
    cache.push_back({source, std::move(re)});
    return *cache.back().re;
}

Value regexMatch(const Value& a, const Value& b) {
    if (a.isAwaiting() || b.isAwaiting()) return Value(Awaiting{});
    if (!a.isString() || !b.isString()) return Value();  // as STARTS WITH and friends
    return Value(std::regex_match(a.asString(), compiledRegex(b.asString())));  // the whole string
}

// ---- three-valued logic ----------------------------------------------------------------------

enum class Logic : uint8_t { False, True, Null, Awaiting };

Logic toLogic(const Value& v, const char* op) {
    switch (v.kind()) {
        case ValueKind::Bool: return v.asBool() ? Logic::True : Logic::False;
        case ValueKind::Null: return Logic::Null;
        case ValueKind::Awaiting: return Logic::Awaiting;
        default:
            throw Error(ErrorCode::InvalidType,
                        std::string(op) + " expects Boolean operands, got " + valueKindName(v.kind()));
    }
}

Value fromLogic(Logic l) {
    switch (l) {
        case Logic::False: return Value(false);
        case Logic::True: return Value(true);
        case Logic::Null: return Value();
        case Logic::Awaiting: return Value(Awaiting{});
    }
    return Value();
}

}  // namespace

Value binary(BinaryOp op, const Value& a, const Value& b) {
    switch (op) {
        case BinaryOp::Add:
        case BinaryOp::Subtract:
        case BinaryOp::Multiply:
        case BinaryOp::Divide:
        case BinaryOp::Modulo:
        case BinaryOp::Power: return arithmetic(op, a, b);
        case BinaryOp::Equal:
        case BinaryOp::NotEqual: {
            if (a.isAwaiting() || b.isAwaiting()) return Value(Awaiting{});
            Tri t = cypherEquals(a, b);
            if (t == kNull) return Value();
            return Value((t == kTrue) == (op == BinaryOp::Equal));
        }
        case BinaryOp::Less:
        case BinaryOp::LessEqual:
        case BinaryOp::Greater:
        case BinaryOp::GreaterEqual: return compareOp(op, a, b);
        case BinaryOp::And: return logicalAnd(a, b);
        case BinaryOp::Or: return logicalOr(a, b);
        case BinaryOp::Xor: return logicalXor(a, b);
        case BinaryOp::In: return inList(a, b);
        case BinaryOp::StartsWith:
        case BinaryOp::EndsWith:
        case BinaryOp::Contains: return stringOp(op, a, b);
        case BinaryOp::Regex: return regexMatch(a, b);
    }
    typeError(op, a, b);
}

Value negate(const Value& a) {
    switch (a.kind()) {
        case ValueKind::Integer:
            if (a.asInt() == INT64_MIN) overflow("unary -");
            return Value(-a.asInt());
        case ValueKind::Float: return Value(-a.asFloat());
        case ValueKind::Null: return Value();
        case ValueKind::Awaiting: return a;
        default:
            if (a.isTemporal())
                if (auto r = temporal::negate(a)) return std::move(*r);
            throw Error(ErrorCode::InvalidType,
                        std::string("cannot negate a value of type ") + valueKindName(a.kind()));
    }
}

Value logicalAnd(const Value& a, const Value& b) {
    Logic x = toLogic(a, "AND"), y = toLogic(b, "AND");
    if (x == Logic::False || y == Logic::False) return Value(false);
    if (x == Logic::Awaiting || y == Logic::Awaiting) return Value(Awaiting{});
    if (x == Logic::Null || y == Logic::Null) return Value();
    return Value(true);
}

Value logicalOr(const Value& a, const Value& b) {
    Logic x = toLogic(a, "OR"), y = toLogic(b, "OR");
    if (x == Logic::True || y == Logic::True) return Value(true);
    if (x == Logic::Awaiting || y == Logic::Awaiting) return Value(Awaiting{});
    if (x == Logic::Null || y == Logic::Null) return Value();
    return Value(false);
}

Value logicalXor(const Value& a, const Value& b) {
    Logic x = toLogic(a, "XOR"), y = toLogic(b, "XOR");
    if (x == Logic::Awaiting || y == Logic::Awaiting) return Value(Awaiting{});
    if (x == Logic::Null || y == Logic::Null) return Value();
    return Value(x != y);
}

Value logicalNot(const Value& a) {
    Logic x = toLogic(a, "NOT");
    if (x == Logic::True) return Value(false);
    if (x == Logic::False) return Value(true);
    return fromLogic(x);
}

Value index(const Value& container, const Value& i) {
    switch (container.kind()) {
        case ValueKind::List: {
            // A null, float or string index of a list is a type error (expr_list_indexing e01-e03).
            if (!i.isInt())
                throw Error(ErrorCode::InvalidType,
                            std::string("a list index must be an Integer, got ") + valueKindName(i.kind()));
            const List& l = container.asList();
            int64_t n = int64_t(l.size()), k = i.asInt();
            if (k < 0) k += n;
            if (k < 0 || k >= n) return Value();
            return l[size_t(k)];
        }
        case ValueKind::Map:
        case ValueKind::Element:
            if (i.isNull()) return Value();
            if (!i.isString())
                throw Error(ErrorCode::InvalidType,
                            std::string("a map key must be a String, got ") + valueKindName(i.kind()));
            return property(container, i.asString());
        case ValueKind::Null: return Value();
        case ValueKind::Awaiting: return container;
        default:
            throw Error(ErrorCode::InvalidType,
                        std::string("cannot index a value of type ") + valueKindName(container.kind()));
    }
}

Value slice(const Value& list, const Value& from, const Value& to) {
    if (list.isNull()) return Value();
    if (list.isAwaiting()) return list;
    if (!list.isList())
        throw Error(ErrorCode::InvalidType,
                    std::string("cannot slice a value of type ") + valueKindName(list.kind()));
    const List& l = list.asList();
    int64_t n = int64_t(l.size());
    auto bound = [&](const Value& v, int64_t open, bool isStart) -> int64_t {
        if (v.isNull()) return open;
        if (!v.isInt())
            throw Error(ErrorCode::InvalidType,
                        std::string("a slice bound must be an Integer, got ") + valueKindName(v.kind()));
        int64_t k = v.asInt();
        // drasi-core reads a negative start -k as index k + 1 (expr_list_indexing c09:
        // [0..10][-7..] is [8, 9, 10]); a negative end counts from the end as in openCypher.
        if (k < 0) k = isStart ? (k == INT64_MIN ? n : -k + 1) : k + n;
        return k < 0 ? 0 : (k > n ? n : k);
    };
    int64_t b = bound(from, 0, true), e = bound(to, n, false);
    if (b == 0 && e == n) return list;
    if (b >= e) return Value(List());
    return Value(List(l.begin() + b, l.begin() + e));
}

Value property(const Value& v, const std::string& key) {
    switch (v.kind()) {
        case ValueKind::Element: {
            const Value* p = v.asElement()->properties.get(key);
            return p ? *p : Value();
        }
        case ValueKind::Map: {
            const Map& m = v.asMap();
            auto it = m.find(key);
            return it == m.end() ? Value() : it->second;
        }
        case ValueKind::Null: return Value();
        case ValueKind::Awaiting: return v;
        default:
            if (v.isTemporal()) return temporal::property(v, key);
            throw Error(ErrorCode::InvalidType, "cannot read property '" + key + "' of a value of type " +
                                                    valueKindName(v.kind()));
    }
}

Value hasLabels(const Value& v, const std::vector<std::string>& labels) {
    switch (v.kind()) {
        case ValueKind::Element:
            for (const std::string& l : labels)
                if (!v.asElement()->hasLabel(l)) return Value(false);
            return Value(true);
        case ValueKind::Null: return Value();
        case ValueKind::Awaiting: return v;
        default:
            throw Error(ErrorCode::InvalidType, "a label predicate (:" + labels[0] + ") needs a node or a relation, got a value of type " +
                                                    valueKindName(v.kind()));
    }
}

bool isTruthy(const Value& v) { return v.isBool() && v.asBool(); }

}  // namespace cq::eval
