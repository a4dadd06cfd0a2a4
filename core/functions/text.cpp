// SPDX-License-Identifier: MIT
// String functions: toUpper ... randomUUID. Lengths and positions count code points, not bytes.
// Null handling and error codes follow the conformance vectors (fn_text, expr_string), which
// state drasi-core's behaviour.
#include <chrono>
#include <random>

#include "core/functions/fn_util.h"
#include "core/functions/value_text.h"

namespace cq::fn {

namespace {

using util::Args;

// Upper/lower casing covers ASCII only: multi-byte letters are kept as they are.
Value toUpperFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    std::string s = util::stringArg("toUpper", a, 0);
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return Value(std::move(s));
}

Value toLowerFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    std::string s = util::stringArg("toLower", a, 0);
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return Value(std::move(s));
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

Value trimImpl(const char* fn, const Args& a, bool left, bool right) {
    if (a[0].isNull()) return Value();
    const std::string& s = util::stringArg(fn, a, 0);
    size_t b = 0, e = s.size();
    if (left)
        while (b < e && isSpace(s[b])) ++b;
    if (right)
        while (e > b && isSpace(s[e - 1])) --e;
    return Value(s.substr(b, e - b));
}

Value trimFn(const Args& a, const CallContext&) { return trimImpl("trim", a, true, true); }
Value ltrimFn(const Args& a, const CallContext&) { return trimImpl("ltrim", a, true, false); }
Value rtrimFn(const Args& a, const CallContext&) { return trimImpl("rtrim", a, false, true); }

Value reverseFn(const Args& a, const CallContext&) {
    const Value& v = a[0];
    if (v.isNull()) return Value();
    if (v.isString()) {
        auto chars = util::utf8Chars(v.asString());
        std::string out;
        out.reserve(v.asString().size());
        for (auto it = chars.rbegin(); it != chars.rend(); ++it) out.append(*it);
        return Value(std::move(out));
    }
    if (v.isList()) return Value(List(v.asList().rbegin(), v.asList().rend()));
    invalidArgument("reverse", 0, v, "a String or a List");
}

// left/right: a null string gives null; a null or non-integer length with a string is an error
// (fn_text e06, e17); a negative length overflows (e02).
int64_t lengthArg(const char* fn, const Args& a) {
    int64_t n = util::intArg(fn, a, 1);
    if (n < 0) util::fail(ErrorCode::Overflow, fn, "the length must not be negative");
    return n;
}

Value leftFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) {
        if (a[1].isNull() || a[1].isInt()) return Value();
        invalidArgument("left", 1, a[1], "an Integer");
    }
    const std::string& s = util::stringArg("left", a, 0);
    int64_t n = lengthArg("left", a);
    return Value(s.substr(0, util::utf8Offset(s, n)));
}

Value rightFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) {
        if (a[1].isNull() || a[1].isInt()) return Value();
        invalidArgument("right", 1, a[1], "an Integer");
    }
    const std::string& s = util::stringArg("right", a, 0);
    int64_t n = lengthArg("right", a);
    int64_t len = util::utf8Length(s);
    if (n >= len) return a[0];
    return Value(s.substr(util::utf8Offset(s, len - n)));
}

Value replaceFn(const Args& a, const CallContext&) {
    for (int i = 0; i < 3; ++i)
        if (a[i].isNull()) return Value();
    const std::string& s = util::stringArg("replace", a, 0);
    const std::string& search = util::stringArg("replace", a, 1);
    const std::string& with = util::stringArg("replace", a, 2);
    if (search.empty()) return a[0];
    std::string out;
    out.reserve(s.size());
    size_t pos = 0;
    for (size_t hit; (hit = s.find(search, pos)) != std::string::npos; pos = hit + search.size()) {
        out.append(s, pos, hit - pos);
        out += with;
    }
    out.append(s, pos, std::string::npos);
    return Value(std::move(out));
}

// split(s, d) keeps empty pieces; split(s, [d1, d2, ...]) splits at any of the delimiters and,
// as drasi-core does, drops empty pieces (fn_text c25, c26).
Value splitFn(const Args& a, const CallContext&) {
    if (a[0].isNull() || a[1].isNull()) return Value();
    const std::string& s = util::stringArg("split", a, 0);
    List out;
    if (a[1].isString()) {
        const std::string& d = a[1].asString();
        if (d.empty()) invalidArgument("split", 1, a[1], "a non-empty String");
        size_t pos = 0;
        for (size_t hit; (hit = s.find(d, pos)) != std::string::npos; pos = hit + d.size())
            out.emplace_back(s.substr(pos, hit - pos));
        out.emplace_back(s.substr(pos));
        return Value(std::move(out));
    }
    if (!a[1].isList()) invalidArgument("split", 1, a[1], "a String or a List of Strings");
    std::vector<std::string_view> delims;
    for (const Value& d : a[1].asList()) {
        if (!d.isString()) invalidArgument("split", 1, d, "a List of Strings");
        if (!d.asString().empty()) delims.push_back(d.asString());
    }
    size_t start = 0, i = 0;
    while (i < s.size()) {
        size_t matched = 0;
        for (std::string_view d : delims)
            if (s.compare(i, d.size(), d) == 0) { matched = d.size(); break; }
        if (matched == 0) { ++i; continue; }
        if (i > start) out.emplace_back(s.substr(start, i - start));
        i += matched;
        start = i;
    }
    if (start < s.size()) out.emplace_back(s.substr(start));
    return Value(std::move(out));
}

// substring(s, start[, length]): 0-based. Errors as the vectors state: null start/length with a
// string, start past the end (InvalidArgument); negative start/length or a range past the end
// (InvalidType).
Value substringFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    const std::string& s = util::stringArg("substring", a, 0);
    int64_t start = util::intArg("substring", a, 1);
    int64_t len = util::utf8Length(s);
    if (start < 0) util::fail(ErrorCode::InvalidType, "substring", "the start must not be negative");
    if (start > len) util::fail(ErrorCode::InvalidArgument, "substring", "the start is past the end");
    size_t from = util::utf8Offset(s, start);
    if (a.size() < 3) return Value(s.substr(from));
    int64_t n = util::intArg("substring", a, 2);
    if (n < 0) util::fail(ErrorCode::InvalidType, "substring", "the length must not be negative");
    if (n > len - start) util::fail(ErrorCode::InvalidType, "substring", "the range is past the end");
    size_t to = from + util::utf8Offset(std::string_view(s).substr(from), n);
    return Value(s.substr(from, to - from));
}

Value toStringFn(const Args& a, const CallContext&) {
    const Value& v = a[0];
    if (v.isNull()) return Value();
    if (v.isString()) return v;
    std::string out;
    if (!appendCypherText(out, v))
        invalidArgument("toString", 0, v, "a number, Boolean, String, List or temporal value");
    return Value(std::move(out));
}

Value toStringOrNullFn(const Args& a, const CallContext&) {
    const Value& v = a[0];
    if (v.isNull() || v.isString()) return v;
    std::string out;
    if (!appendCypherText(out, v)) return Value();
    return Value(std::move(out));
}

std::mt19937_64& uuidRng() {
    // Seeded once per thread from the OS (crypto.getRandomValues under Emscripten) and the clock.
    thread_local std::mt19937_64 rng([] {
        std::random_device rd;
        uint64_t seed = (uint64_t(rd()) << 32) ^ rd();
        seed ^= uint64_t(std::chrono::steady_clock::now().time_since_epoch().count());
        return seed;
    }());
    return rng;
}

Value randomUuidFn(const Args&, const CallContext&) {
    // RFC 4122 version 4: 122 random bits, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
    uint64_t hi = uuidRng()(), lo = uuidRng()();
    hi = (hi & ~uint64_t(0xF000)) | 0x4000;
    lo = (lo & ~(uint64_t(0xC) << 60)) | (uint64_t(0x8) << 60);
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
        uint64_t word = i < 16 ? hi : lo;
        int shift = 60 - 4 * (i % 16);
        out += kHex[(word >> shift) & 0xF];
    }
    return Value(std::move(out));
}

}  // namespace

void registerTextFunctions(FunctionRegistry& r) {
    using util::scalar;
    r.add(scalar("toUpper", 1, 1, toUpperFn));
    r.add(scalar("toLower", 1, 1, toLowerFn));
    r.add(scalar("trim", 1, 1, trimFn));
    r.add(scalar("ltrim", 1, 1, ltrimFn));
    r.add(scalar("rtrim", 1, 1, rtrimFn));
    r.add(scalar("reverse", 1, 1, reverseFn));
    r.add(scalar("left", 2, 2, leftFn));
    r.add(scalar("right", 2, 2, rightFn));
    r.add(scalar("replace", 3, 3, replaceFn));
    r.add(scalar("split", 2, 2, splitFn));
    r.add(scalar("substring", 2, 3, substringFn));
    r.add(scalar("toString", 1, 1, toStringFn));
    r.add(scalar("toStringOrNull", 1, 1, toStringOrNullFn));
    r.add(scalar("randomUUID", 0, 0, randomUuidFn));
}

}  // namespace cq::fn
