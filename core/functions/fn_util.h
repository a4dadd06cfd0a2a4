// SPDX-License-Identifier: MIT
// Internal helpers shared by the scalar function files (not part of the team contract):
// argument checks and UTF-8 code point handling (Cypher string lengths count characters).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/error.h"
#include "core/functions/registry.h"

namespace cq::fn::util {

using Args = std::vector<Value>;

inline int64_t intArg(const char* fn, const Args& args, int i) {
    if (!args[i].isInt()) invalidArgument(fn, i, args[i], "an Integer");
    return args[i].asInt();
}

inline double numberArg(const char* fn, const Args& args, int i) {
    if (!args[i].isNumber()) invalidArgument(fn, i, args[i], "a number");
    return args[i].asNumber();
}

inline const std::string& stringArg(const char* fn, const Args& args, int i) {
    if (!args[i].isString()) invalidArgument(fn, i, args[i], "a String");
    return args[i].asString();
}

inline const List& listArg(const char* fn, const Args& args, int i) {
    if (!args[i].isList()) invalidArgument(fn, i, args[i], "a List");
    return args[i].asList();
}

[[noreturn]] inline void fail(ErrorCode code, const char* fn, const std::string& what) {
    throw Error(code, std::string(fn) + "(): " + what);
}

inline bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/// Number of code points in UTF-8 text (invalid bytes count as one each).
inline int64_t utf8Length(std::string_view s) {
    int64_t n = 0;
    for (unsigned char c : s)
        if (!isContinuation(c)) ++n;
    return n;
}

/// Byte offset of code point `cp` (clamped to the end).
inline size_t utf8Offset(std::string_view s, int64_t cp) {
    size_t i = 0;
    while (i < s.size() && cp > 0) {
        ++i;
        while (i < s.size() && isContinuation(static_cast<unsigned char>(s[i]))) ++i;
        --cp;
    }
    return i;
}

/// Splits into code points (each a byte range).
inline std::vector<std::string_view> utf8Chars(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        size_t j = i + 1;
        while (j < s.size() && isContinuation(static_cast<unsigned char>(s[j]))) ++j;
        out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

inline FunctionDef scalar(const char* name, int minArgs, int maxArgs, ScalarFn fn) {
    FunctionDef d;
    d.name = name;
    d.minArgs = minArgs;
    d.maxArgs = maxArgs;
    d.kind = FunctionKind::Scalar;
    d.fn = fn;
    return d;
}

}  // namespace cq::fn::util
