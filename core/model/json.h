// SPDX-License-Identifier: MIT
// Conversions between cq values/changes and JSON (nlohmann::json), in the shapes of
// ../shared/spec/scenario-format.md. Temporal values become ISO-8601 strings.
#pragma once
#include <nlohmann/json.hpp>

#include "core/model/element.h"
#include "core/model/value.h"

namespace cq {

using Json = nlohmann::json;

/// A JSON property value as a Value: integers that fit int64 stay integers, other numbers are
/// floats; objects become maps, arrays lists.
Value valueFromJson(const Json& j);

/// A Value as JSON for diffs: temporal values as ISO-8601 strings, an element as a map of its
/// properties, Awaiting as null.
Json valueToJson(const Value& v);

/// Parses one CHANGE object ({"op": ..., "element": {...}}). Throws Error(InvalidChange) naming the
/// field that is missing or has the wrong type.
Change changeFromJson(const Json& j);

/// The CHANGE object for a change (inverse of changeFromJson).
Json changeToJson(const Change& c);

/// Parses JSON text; throws Error(InvalidJson) with line/column-free message on malformed input.
Json parseJson(const std::string& text);

}  // namespace cq
