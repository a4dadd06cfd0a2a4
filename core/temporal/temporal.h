// SPDX-License-Identifier: MIT
// What the rest of the engine needs to know about temporal values: operators, comparison,
// property access, ISO-8601 text. The functions (date(), duration.between(), ...) register
// themselves through fn::registerTemporalFunctions.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/model/value.h"

namespace cq::temporal {

/// a + b where either is temporal (instant + duration, duration + duration, ...). Empty when the
/// combination is not a temporal one; the caller then applies its non-temporal rule.
std::optional<Value> add(const Value& a, const Value& b);
/// a - b (instant - duration, duration - duration, ...).
std::optional<Value> subtract(const Value& a, const Value& b);
/// duration * number, number * duration, duration / number.
std::optional<Value> multiply(const Value& a, const Value& b);
std::optional<Value> divide(const Value& a, const Value& b);
/// -duration.
std::optional<Value> negate(const Value& a);

/// Three-way comparison of two temporal values of comparable kinds (<0, 0, >0); empty when they
/// are not comparable (e.g. a date and a duration).
std::optional<int> compare(const Value& a, const Value& b);
/// Equality by meaning (zoned datetimes as instants; durations by their components).
bool equal(const Value& a, const Value& b);
uint64_t hash(const Value& v);

/// `value.key` on a temporal value (date.year, datetime.epochMillis, duration.minutes, ...).
/// Throws Error(InvalidArgument) for an unknown key.
Value property(const Value& v, std::string_view key);

/// ISO-8601 text as diffs show it (see scenario-format.md): "2023-10-01", "12:00:00",
/// "2015-11-30T19:32:24+03:00[Europe/Moscow]", "P1DT2H".
std::string toIsoString(const Value& v);

/// A double that orders values of one temporal kind (for min/max sorted sets), and back.
double toSortKey(const Value& v);
Value fromSortKey(ValueKind kind, double key);

/// The zoned datetime (UTC) of an epoch time in ms (drasi.changeDateTime).
Value zonedFromEpochMillis(int64_t ms);
/// Epoch ms of a Date / LocalDateTime (as UTC) / ZonedDateTime / Integer; empty otherwise.
std::optional<int64_t> toEpochMillis(const Value& v);

}  // namespace cq::temporal
