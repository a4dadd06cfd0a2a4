// SPDX-License-Identifier: MIT
// PLACEHOLDER until the temporal module lands: no temporal arithmetic.
#include "core/temporal/temporal.h"

#include "core/common/error.h"
#include "core/functions/registry.h"

namespace cq::temporal {
std::optional<Value> add(const Value&, const Value&) { return std::nullopt; }
std::optional<Value> subtract(const Value&, const Value&) { return std::nullopt; }
std::optional<Value> multiply(const Value&, const Value&) { return std::nullopt; }
std::optional<Value> divide(const Value&, const Value&) { return std::nullopt; }
std::optional<Value> negate(const Value&) { return std::nullopt; }
std::optional<int> compare(const Value&, const Value&) { return std::nullopt; }
bool equal(const Value&, const Value&) { return false; }
uint64_t hash(const Value&) { return 0; }
Value property(const Value&, std::string_view) { throw Error(ErrorCode::InvalidArgument, "temporal"); }
std::string toIsoString(const Value&) { return ""; }
double toSortKey(const Value&) { return 0; }
Value fromSortKey(ValueKind, double) { return Value(); }
Value zonedFromEpochMillis(int64_t) { return Value(); }
std::optional<int64_t> toEpochMillis(const Value& v) {
    if (v.isInt()) return v.asInt();
    return std::nullopt;
}
}  // namespace cq::temporal

namespace cq::fn {
void registerTemporalFunctions(FunctionRegistry&) {}
}  // namespace cq::fn
