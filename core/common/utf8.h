// SPDX-License-Identifier: MIT
// UTF-8 encoding of one code point, for the three readers that decode \u escapes (the Cypher lexer,
// the JSONPath parser of the middleware, and the change reader's JSON scanner).
#pragma once
#include <cstdint>
#include <string>

namespace cq {

/// Appends code point `cp` (at most U+10FFFF; callers have combined surrogate pairs) as UTF-8.
inline void appendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

}  // namespace cq
