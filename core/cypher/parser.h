// SPDX-License-Identifier: MIT
// The hand-written recursive-descent parser for the Drasi Cypher dialect.
#pragma once
#include <string>

#include "core/cypher/ast.h"

namespace cq::cypher {

/// Parses a continuous query. Throws cq::Error(ParseError, message, line, column) on invalid text;
/// the message names what was expected and what was found ("expected ')' but found 'RETURN'").
Query parseQuery(const std::string& text);

/// Parses a single expression (used by tests and tools).
ExprPtr parseExpression(const std::string& text);

}  // namespace cq::cypher
