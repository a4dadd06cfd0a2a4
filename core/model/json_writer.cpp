// SPDX-License-Identifier: MIT
#include "core/model/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>

#include "core/model/element.h"
#include "core/model/json.h"
#include "core/temporal/temporal.h"

namespace cq {

void writeJsonString(std::string& out, std::string_view s) {
    // Non-ASCII text goes through nlohmann's serializer, which validates UTF-8 and replaces invalid
    // bytes with U+FFFD; the rest is escaped here exactly as it escapes (\b \t \n \f \r \" \\, other
    // control characters as \u00xx, DEL left as is).
    for (unsigned char c : s) {
        if (c >= 0x80) {
            out += Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
            return;
        }
    }
    out += '"';
    size_t run = 0;  // start of the pending run of characters that need no escape
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '\b': out += "\\b"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\f': out += "\\f"; break;
            case '\r': out += "\\r"; break;
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            default: {
                static const char kHex[] = "0123456789abcdef";
                char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
                out.append(buf, 6);
            }
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

namespace {

void writeInt(std::string& out, int64_t i) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, i);
    out.append(buf, size_t(r.ptr - buf));
}

void writeFloat(std::string& out, double d) {
    if (std::isnan(d) || std::isinf(d)) {  // JSON has no NaN/Infinity (valueToJson gives null)
        out += "null";
        return;
    }
    std::array<char, 64> buf;  // nlohmann's serializer number buffer size
    char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), d);
    out.append(buf.data(), size_t(end - buf.data()));
}

}  // namespace

namespace {
template <class Entries>  // Map or Properties: entries with .first and .second, in name order
void writeEntriesJson(std::string& out, const Entries& m) {
    out += '{';
    bool first = true;
    for (const auto& [k, x] : m) {
        if (!first) out += ',';
        first = false;
        writeJsonString(out, k);
        out += ':';
        writeValueJson(out, x);
    }
    out += '}';
}
}  // namespace

void writeMapJson(std::string& out, const Map& m) { writeEntriesJson(out, m); }

void writeValueJson(std::string& out, const Value& v) {
    switch (v.kind()) {
        case ValueKind::Null:
        case ValueKind::Awaiting: out += "null"; return;
        case ValueKind::Bool: out += v.asBool() ? "true" : "false"; return;
        case ValueKind::Integer: writeInt(out, v.asInt()); return;
        case ValueKind::Float: writeFloat(out, v.asFloat()); return;
        case ValueKind::String: writeJsonString(out, v.asString()); return;
        case ValueKind::List: {
            out += '[';
            bool first = true;
            for (const Value& x : v.asList()) {
                if (!first) out += ',';
                first = false;
                writeValueJson(out, x);
            }
            out += ']';
            return;
        }
        case ValueKind::Map: writeMapJson(out, v.asMap()); return;
        case ValueKind::Element: writeEntriesJson(out, v.asElement()->properties); return;
        default: writeJsonString(out, temporal::toIsoString(v)); return;
    }
}

}  // namespace cq
