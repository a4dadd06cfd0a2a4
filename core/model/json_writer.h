// SPDX-License-Identifier: MIT
// Writes cq values straight to JSON text, without building an nlohmann::json DOM first. The text is
// byte for byte what valueToJson(v).dump(-1, ' ', false, Json::error_handler_t::replace) gives:
// object keys in byte order (cq::Map's order, which is also nlohmann's), numbers formatted by
// nlohmann's own float printer, the same string escapes.
#pragma once
#include <string>
#include <string_view>

#include "core/model/value.h"

namespace cq {

/// Appends `s` as a JSON string literal (quotes included).
void writeJsonString(std::string& out, std::string_view s);

/// Appends valueToJson(v)'s text.
void writeValueJson(std::string& out, const Value& v);

/// Appends a row (a map of column name to value) as a JSON object.
void writeMapJson(std::string& out, const Map& m);

}  // namespace cq
