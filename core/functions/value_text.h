// SPDX-License-Identifier: MIT
// Cypher text of a value, as toString() and `string + value` produce it. Header-only so that
// core/eval (which does not link core/functions) uses the very same formatting.
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/model/value.h"
#include "core/temporal/temporal.h"

namespace cq::fn {

/// The shortest text that reads back as the same double, with ".0" on integral values
/// ("12.0", "0.1", "1e+300"); "NaN", "Infinity", "-Infinity" as openCypher prints them.
inline void appendFloat(std::string& out, double d) {
    if (std::isnan(d)) { out += "NaN"; return; }
    if (std::isinf(d)) { out += d < 0 ? "-Infinity" : "Infinity"; return; }
    char buf[40];
    // %.15g is exact for most decimal literals; 17 digits always round-trip.
    for (int precision = 15; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, d);
        if (std::strtod(buf, nullptr) == d) break;
    }
    out += buf;
    bool plain = true;
    for (const char* p = buf; *p; ++p)
        if (*p == '.' || *p == 'e' || *p == 'n' || *p == 'i') plain = false;
    if (plain) out += ".0";
}

/// Appends the toString() text of a scalar, list or temporal value. Returns false for values that
/// have no text form (maps, elements, Awaiting); `out` is then left partly written.
inline bool appendCypherText(std::string& out, const Value& v) {
    switch (v.kind()) {
        case ValueKind::Null: out += "null"; return true;
        case ValueKind::Bool: out += v.asBool() ? "true" : "false"; return true;
        case ValueKind::Integer: out += std::to_string(v.asInt()); return true;
        case ValueKind::Float: appendFloat(out, v.asFloat()); return true;
        case ValueKind::String: out += v.asString(); return true;
        case ValueKind::List: {
            out += '[';
            bool first = true;
            for (const Value& item : v.asList()) {
                if (!first) out += ", ";
                first = false;
                if (!appendCypherText(out, item)) return false;
            }
            out += ']';
            return true;
        }
        case ValueKind::Date:
        case ValueKind::LocalTime:
        case ValueKind::ZonedTime:
        case ValueKind::LocalDateTime:
        case ValueKind::ZonedDateTime:
        case ValueKind::Duration: out += temporal::toIsoString(v); return true;
        default: return false;
    }
}

}  // namespace cq::fn
