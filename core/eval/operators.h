// SPDX-License-Identifier: MIT
// Cypher operators on values. Null propagates (openCypher); where drasi-core differs and a
// conformance vector states Drasi's behaviour, the vector wins (each such case is listed in
// docs/cypher-deviations.md). Type errors throw Error(InvalidType).
#pragma once
#include "core/cypher/ast.h"
#include "core/model/value.h"

namespace cq::eval {

/// Applies a binary operator other than AND/OR/XOR (those are in logic below).
Value binary(cypher::BinaryOp op, const Value& a, const Value& b);
Value negate(const Value& a);

/// Three-valued logic: the result is true, false or null.
Value logicalAnd(const Value& a, const Value& b);
Value logicalOr(const Value& a, const Value& b);
Value logicalXor(const Value& a, const Value& b);
Value logicalNot(const Value& a);

/// `a[i]` for lists (negative counts from the end), maps, elements (property by name).
Value index(const Value& container, const Value& i);
/// `list[from..to]`; a null bound means open.
Value slice(const Value& list, const Value& from, const Value& to);
/// `v.key` for maps, elements (their property) and temporal values (their components).
Value property(const Value& v, const std::string& key);

/// `v:A:B`: whether element `v` has every one of `labels`; null for null.
Value hasLabels(const Value& v, const std::vector<std::string>& labels);

/// The predicate value of a WHERE: true only for boolean true (null, Awaiting, false filter out).
bool isTruthy(const Value& v);

}  // namespace cq::eval
