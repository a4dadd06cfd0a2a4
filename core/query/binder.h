// SPDX-License-Identifier: MIT
// Turns a parsed query into a Plan: slots for the MATCH pattern, parts with every variable resolved
// to a frame index and every function call resolved (unknown names and wrong arities fail here, at
// registration, with the call's line and column).
#pragma once
#include "core/cypher/ast.h"
#include "core/functions/registry.h"
#include "core/query/plan.h"

namespace cq::query {

/// Throws Error(UnknownFunction | InvalidArgumentCount | UnknownVariable | Unsupported) with the
/// line and column of the offending expression. Binds a query once: it annotates the expressions
/// (frame indexes, functions) and rewrites pattern predicates into tests of hidden variables, in
/// place; the plan shares them.
Plan bind(const cypher::Query& query, const fn::FunctionRegistry& functions);

/// The output name Drasi gives an unaliased projection: a property's key, a variable's name, a
/// function's name, or "case" / "list" / "object" / "expression".
std::string defaultColumnName(const cypher::Expr& e);

}  // namespace cq::query
