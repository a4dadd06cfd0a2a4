// SPDX-License-Identifier: MIT
// Test helpers for the temporal module: calls of the registered temporal functions, and a small
// reader of the expressions the conformance vectors use (function calls, string/number/map
// literals, property access, + - * / and comparisons), evaluated with the temporal operators.
#pragma once
#include <cctype>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/error.h"
#include "core/functions/registry.h"
#include "core/temporal/temporal.h"

namespace cq::test {

/// The query clock of the vectors: transaction and realtime at the epoch; the wall clock is
/// 2026-01-15T12:00:00Z so that "date() >= date('2024-01-01')" holds.
inline fn::CallContext testContext() {
    fn::CallContext ctx;
    ctx.wallClock = 1768478400000;
    return ctx;
}

inline const fn::FunctionRegistry& temporalRegistry() {
    static const fn::FunctionRegistry r = [] {
        fn::FunctionRegistry reg;
        fn::registerTemporalFunctions(reg);
        return reg;
    }();
    return r;
}

inline Value call(std::string_view name, std::vector<Value> args, const fn::CallContext& ctx = testContext()) {
    const fn::FunctionDef* def = temporalRegistry().find(name);
    if (!def) throw Error(ErrorCode::UnknownFunction, "no function " + std::string(name));
    return def->fn(args, ctx);
}

class ExprReader {
public:
    ExprReader(std::string_view text, const fn::CallContext& ctx) : s_(text), ctx_(ctx) {}

    Value run() {
        Value v = comparison();
        space();
        if (i_ != s_.size()) fail("trailing text");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorCode::ParseError, what + " at " + std::to_string(i_) + " in " + std::string(s_));
    }
    void space() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    bool accept(std::string_view tok) {
        space();
        if (s_.substr(i_, tok.size()) != tok) return false;
        i_ += tok.size();
        return true;
    }
    void expect(std::string_view tok) {
        if (!accept(tok)) fail("expected " + std::string(tok));
    }
    std::string ident() {
        space();
        size_t b = i_;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
        if (b == i_) fail("expected a name");
        return std::string(s_.substr(b, i_ - b));
    }

    Value comparison() {
        Value a = additive();
        for (const char* op : {"<=", ">=", "<>", "!=", "<", ">", "="}) {
            if (!accept(op)) continue;
            Value b = additive();
            const std::string o = op;
            if (o == "=") return Value(temporal::equal(a, b));
            if (o == "<>" || o == "!=") return Value(!temporal::equal(a, b));
            std::optional<int> c = temporal::compare(a, b);
            if (!c) return Value();
            if (o == "<") return Value(*c < 0);
            if (o == "<=") return Value(*c <= 0);
            if (o == ">") return Value(*c > 0);
            return Value(*c >= 0);
        }
        return a;
    }
    Value additive() {
        Value a = multiplicative();
        while (true) {
            if (accept("+")) {
                Value b = multiplicative();
                a = need(temporal::add(a, b), "+");
            } else if (accept("-")) {
                Value b = multiplicative();
                a = need(temporal::subtract(a, b), "-");
            } else {
                return a;
            }
        }
    }
    Value multiplicative() {
        Value a = unary();
        while (true) {
            if (accept("*")) {
                Value b = unary();
                a = need(temporal::multiply(a, b), "*");
            } else if (accept("/")) {
                Value b = unary();
                a = need(temporal::divide(a, b), "/");
            } else {
                return a;
            }
        }
    }
    Value need(std::optional<Value> v, const char* op) {
        if (!v) fail(std::string("operator ") + op + " is not temporal here");
        return *v;
    }
    Value unary() {
        if (accept("-")) {
            Value v = unary();
            if (v.isInt()) return Value(-v.asInt());
            if (v.isFloat()) return Value(-v.asFloat());
            return need(temporal::negate(v), "unary -");
        }
        Value v = primary();
        while (accept(".")) v = temporal::property(v, ident());
        return v;
    }
    Value primary() {
        space();
        if (i_ >= s_.size()) fail("unexpected end");
        const char c = s_[i_];
        if (c == '\'') {
            size_t e = s_.find('\'', i_ + 1);
            if (e == std::string_view::npos) fail("unterminated string");
            std::string text(s_.substr(i_ + 1, e - i_ - 1));
            i_ = e + 1;
            return Value(text);
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
            size_t b = i_;
            while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.')) ++i_;
            std::string num(s_.substr(b, i_ - b));
            if (num.find('.') != std::string::npos) return Value(std::strtod(num.c_str(), nullptr));
            return Value(int64_t(std::strtoll(num.c_str(), nullptr, 10)));
        }
        if (c == '(') {
            ++i_;
            Value v = comparison();
            expect(")");
            return v;
        }
        if (c == '{') {
            ++i_;
            Map m;
            if (!accept("}")) {
                do {
                    std::string k = ident();
                    expect(":");
                    m[k] = comparison();
                } while (accept(","));
                expect("}");
            }
            return Value(std::move(m));
        }
        std::string name = ident();
        while (accept(".")) name += "." + ident();
        space();
        expect("(");
        std::vector<Value> args;
        if (!accept(")")) {
            do args.push_back(comparison());
            while (accept(","));
            expect(")");
        }
        const fn::FunctionDef* def = temporalRegistry().find(name);
        if (!def) fail("unknown function " + name);
        if (int(args.size()) < def->minArgs || (def->maxArgs >= 0 && int(args.size()) > def->maxArgs))
            fail("wrong number of arguments for " + name);
        return def->fn(args, ctx_);
    }

    std::string_view s_;
    const fn::CallContext& ctx_;
    size_t i_ = 0;
};

inline Value evalTemporal(std::string_view expr, const fn::CallContext& ctx = testContext()) {
    return ExprReader(expr, ctx).run();
}

/// The scenario format's comparison: temporal values by meaning (instants, durations as
/// (months, seconds)) and the bracketed zone name; everything else by value.
inline bool sameMeaning(const Value& got, const Value& expected) {
    if (!got.isTemporal() || !expected.isString()) return valuesEqual(got, expected);
    const std::string& text = expected.asString();
    if (temporal::toIsoString(got) == text) return true;
    const char* fnName = "duration";
    switch (got.kind()) {
        case ValueKind::Date: fnName = "date"; break;
        case ValueKind::LocalTime: fnName = "localtime"; break;
        case ValueKind::ZonedTime: fnName = "time"; break;
        case ValueKind::LocalDateTime: fnName = "localdatetime"; break;
        case ValueKind::ZonedDateTime: fnName = "datetime"; break;
        default: break;
    }
    Value want;
    try {
        want = call(fnName, {Value(text)});
    } catch (const Error&) {
        return false;
    }
    if (!temporal::equal(got, want)) return false;
    if (got.is<ZonedTime>()) return got.as<ZonedTime>().offsetSeconds == want.as<ZonedTime>().offsetSeconds;
    if (got.is<ZonedDateTime>() && text.find('[') != std::string::npos) {
        const auto& a = got.as<ZonedDateTime>().zone;
        const auto& b = want.as<ZonedDateTime>().zone;
        return a && b && *a == *b;
    }
    return true;
}

}  // namespace cq::test
