// SPDX-License-Identifier: MIT
// Helpers for the function unit tests: call a registered function by name (arity checked as
// the binder would) and compare results by kind and value.
#pragma once
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/functions/registry.h"

namespace cq::fn::test {

inline const FunctionRegistry& registry() {
    static const FunctionRegistry r = [] {
        FunctionRegistry x;
        registerTextFunctions(x);
        registerNumericFunctions(x);
        registerScalarFunctions(x);
        registerListFunctions(x);
        return x;
    }();
    return r;
}

/// Whether the binder would accept this many arguments.
inline bool arityOk(const std::string& name, size_t n) {
    const FunctionDef* d = registry().find(name);
    REQUIRE(d != nullptr);
    return int(n) >= d->minArgs && (d->maxArgs < 0 || int(n) <= d->maxArgs);
}

inline Value call(const std::string& name, std::vector<Value> args, CallContext ctx = {}) {
    const FunctionDef* d = registry().find(name);
    REQUIRE(d != nullptr);
    REQUIRE(arityOk(name, args.size()));
    REQUIRE(d->kind == FunctionKind::Scalar);
    return d->fn(args, ctx);
}

/// The code of the error the call throws, or Ok when it returns.
inline ErrorCode errorOf(const std::string& name, std::vector<Value> args) {
    try {
        call(name, std::move(args));
    } catch (const Error& e) {
        return e.code();
    }
    return ErrorCode::Ok;
}

/// Same kind (Integer and Float are told apart) and equal value; floats within 1e-9 relative.
inline bool same(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    if (a.isFloat()) {
        double x = a.asFloat(), y = b.asFloat();
        if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
        return x == y || std::fabs(x - y) <= 1e-9 * std::max(std::fabs(x), std::fabs(y));
    }
    if (a.isList()) {
        if (a.asList().size() != b.asList().size()) return false;
        for (size_t i = 0; i < a.asList().size(); ++i)
            if (!same(a.asList()[i], b.asList()[i])) return false;
        return true;
    }
    return valuesEqual(a, b);
}

inline List strings(std::initializer_list<const char*> xs) {
    List out;
    for (const char* x : xs) out.emplace_back(x);
    return out;
}

inline void checkCall(const std::string& name, std::vector<Value> args, const Value& expected) {
    Value got = call(name, std::move(args));
    INFO(name << "(...) -> " << valueToDebugString(got) << ", expected " << valueToDebugString(expected));
    CHECK(same(got, expected));
}

inline Value list(std::initializer_list<Value> xs) { return Value(List(xs)); }

}  // namespace cq::fn::test
