// SPDX-License-Identifier: MIT
// A strict JSON scanner that drives a SAX handler with nlohmann's event names (null, boolean,
// number_integer, number_unsigned, number_float, string, key, start_object, end_object,
// start_array, end_array), for the change reader's hot path (core/model/change_reader.cpp).
//
// Why not nlohmann::json::sax_parse: in wasm its lexer cost more than the engine. It copies every
// character into a token buffer (std::string::push_back per byte) and reads floats with strtod,
// which musl implements in 128-bit long double, emulated in software under wasm (__multf3,
// __addtf3, fmodl): a profile of the npm package (scenario 1, one change per call) put nlohmann's
// lexer and strtod at about half of the C ABI's own time. This scanner reads strings in place and
// floats with fast_float (parseFloat below).
//
// It accepts exactly RFC 8259 JSON (what nlohmann accepts, minus nothing the change reader needs);
// when it meets anything it does not handle itself (invalid UTF-8, a float out of range, nesting
// deeper than kMaxDepth) it returns false, and the caller takes the DOM path, which reports the
// error it always reported.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

#include <fast_float/fast_float.h>

#include "core/common/utf8.h"

namespace cq::jsonscan {

constexpr int kMaxDepth = 128;

/// Reads a JSON number's text [begin, end) that has a fraction or an exponent, correctly rounded
/// (the same double strtod gives). fast_float (Debian's libfast-float-dev, header-only) instead of
/// strtod: musl's strtod computes in 128-bit long double, emulated in software under wasm (fmodl,
/// __addtf3, __floatscan: about 5% of the npm package's time on the 1-hop query), and a hand-written
/// Clinger fast path covered only significands up to 2^53, which misses many of the 16- and
/// 17-digit numbers JSON.stringify writes. Returns false for a result out of range (nlohmann reports
/// "number overflow" there, so the caller must take the DOM path).
inline bool parseFloat(const char* begin, const char* end, double& out) {
    auto r = fast_float::from_chars(begin, end, out);
    if (r.ec != std::errc() || r.ptr != end) {  // not expected for a scanned JSON number
        std::string text(begin, end);
        out = std::strtod(text.c_str(), nullptr);
    }
    return out - out == 0;  // finite
}

template <class Handler>
class Scanner {
public:
    Scanner(const char* text, Handler& handler) : p_(text), h_(handler) {}

    bool run() {
        skipSpace();
        if (!value(0)) return false;
        skipSpace();
        return *p_ == '\0';
    }

private:
    void skipSpace() {
        while (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t') ++p_;
    }

    bool literal(const char* word, size_t n) {
        if (std::strncmp(p_, word, n) != 0) return false;
        p_ += n;
        return true;
    }

    bool value(int depth) {
        switch (*p_) {
            case '{': return object(depth + 1);
            case '[': return array(depth + 1);
            case '"': return string(false);
            case 't': return literal("true", 4) && h_.boolean(true);
            case 'f': return literal("false", 5) && h_.boolean(false);
            case 'n': return literal("null", 4) && h_.null();
            default: return number();
        }
    }

    bool object(int depth) {
        if (depth > kMaxDepth || !h_.start_object(size_t(-1))) return false;
        return members('}', [&] {
            if (*p_ != '"' || !string(true)) return false;
            skipSpace();
            if (*p_ != ':') return false;
            ++p_;
            skipSpace();
            return value(depth);
        }, [&] { return h_.end_object(); });
    }

    bool array(int depth) {
        if (depth > kMaxDepth || !h_.start_array(size_t(-1))) return false;
        return members(']', [&] { return value(depth); }, [&] { return h_.end_array(); });
    }

    /// The members of an object or array after its opening bracket: `member` reads one, separated by
    /// commas, up to `close`; then `end` reports the end.
    template <class Member, class End>
    bool members(char close, Member member, End end) {
        ++p_;
        skipSpace();
        if (*p_ != close) {
            for (;;) {
                if (!member()) return false;
                skipSpace();
                if (*p_ != ',') break;
                ++p_;
                skipSpace();
            }
            if (*p_ != close) return false;
        }
        ++p_;
        return end();
    }

    static int hexDigit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    bool hex4(uint32_t& out) {
        out = 0;
        for (int i = 0; i < 4; ++i) {
            int d = hexDigit(p_[i]);
            if (d < 0) return false;
            out = out * 16 + uint32_t(d);
        }
        p_ += 4;
        return true;
    }

    /// The length of the valid UTF-8 sequence at `s` (lead byte >= 0x80), or 0 (RFC 3629: no
    /// overlong forms, no surrogates, nothing above U+10FFFF; nlohmann rejects the same).
    static int utf8Length(const unsigned char* s) {
        unsigned char c = s[0];
        auto cont = [&](int i) { return (s[i] & 0xC0) == 0x80; };
        if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
        if (c >= 0xE0 && c <= 0xEF) {
            if (!cont(1) || !cont(2)) return 0;
            if (c == 0xE0 && s[1] < 0xA0) return 0;   // overlong
            if (c == 0xED && s[1] >= 0xA0) return 0;  // surrogates
            return 3;
        }
        if (c >= 0xF0 && c <= 0xF4) {
            if (!cont(1) || !cont(2) || !cont(3)) return 0;
            if (c == 0xF0 && s[1] < 0x90) return 0;   // overlong
            if (c == 0xF4 && s[1] >= 0x90) return 0;  // above U+10FFFF
            return 4;
        }
        return 0;
    }

    bool string(bool isKey) {
        ++p_;  // the opening quote
        buf_.clear();
        const char* run = p_;  // the start of the current unescaped run
        for (;;) {
            unsigned char c = static_cast<unsigned char>(*p_);
            if (c == '"') break;
            if (c < 0x20) return false;  // control characters (and the terminating NUL) must be escaped
            if (c < 0x80) {
                if (c == '\\') {
                    buf_.append(run, p_);
                    if (!escape()) return false;
                    run = p_;
                    continue;
                }
                ++p_;
                continue;
            }
            int n = utf8Length(reinterpret_cast<const unsigned char*>(p_));
            if (n == 0) return false;
            p_ += n;
        }
        buf_.append(run, p_);
        ++p_;  // the closing quote
        return isKey ? h_.key(buf_) : h_.string(buf_);
    }

    bool escape() {
        ++p_;  // the backslash
        char c = *p_++;
        switch (c) {
            case '"': buf_ += '"'; return true;
            case '\\': buf_ += '\\'; return true;
            case '/': buf_ += '/'; return true;
            case 'b': buf_ += '\b'; return true;
            case 'f': buf_ += '\f'; return true;
            case 'n': buf_ += '\n'; return true;
            case 'r': buf_ += '\r'; return true;
            case 't': buf_ += '\t'; return true;
            case 'u': {
                uint32_t cp = 0;
                if (!hex4(cp)) return false;
                if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate must be followed by a low one
                    uint32_t low = 0;
                    if (p_[0] != '\\' || p_[1] != 'u') return false;
                    p_ += 2;
                    if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return false;  // a lone low surrogate
                }
                appendUtf8(buf_, cp);
                return true;
            }
            default: return false;
        }
    }

    static bool digit(char c) { return c >= '0' && c <= '9'; }

    bool number() {
        const char* begin = p_;
        bool negative = *p_ == '-';
        if (negative) ++p_;
        if (*p_ == '0') {
            ++p_;
        } else if (*p_ >= '1' && *p_ <= '9') {
            while (digit(*p_)) ++p_;
        } else {
            return false;
        }
        bool isFloat = false;
        if (*p_ == '.') {
            ++p_;
            if (!digit(*p_)) return false;
            while (digit(*p_)) ++p_;
            isFloat = true;
        }
        if (*p_ == 'e' || *p_ == 'E') {
            ++p_;
            if (*p_ == '+' || *p_ == '-') ++p_;
            if (!digit(*p_)) return false;
            while (digit(*p_)) ++p_;
            isFloat = true;
        }
        if (!isFloat) {
            // As nlohmann: unsigned when non-negative, signed when negative, a float past 64 bits.
            const char* d = begin + (negative ? 1 : 0);
            uint64_t u = 0;
            bool overflow = false;
            for (; d < p_; ++d) {
                uint64_t digitValue = uint64_t(*d - '0');
                if (u > (UINT64_MAX - digitValue) / 10) {
                    overflow = true;
                    break;
                }
                u = u * 10 + digitValue;
            }
            if (!overflow) {
                if (!negative) return h_.number_unsigned(u);
                if (u <= uint64_t(INT64_MAX) + 1) return h_.number_integer(int64_t(0 - u));
            }
        }
        double d = 0;
        if (!parseFloat(begin, p_, d)) return false;
        buf_.assign(begin, p_);
        return h_.number_float(d, buf_);
    }

    const char* p_;
    Handler& h_;
    std::string buf_;
};

/// Scans NUL-terminated `text`, calling `handler`'s SAX methods; false on malformed JSON, on input
/// the scanner leaves to nlohmann (see the file comment), or when a handler method returns false.
template <class Handler>
bool scan(const char* text, Handler& handler) {
    return Scanner<Handler>(text, handler).run();
}

}  // namespace cq::jsonscan
