// SPDX-License-Identifier: MIT
// Test helper: renders an expression tree as a compact S-expression, so a test can state the shape
// the parser must build ("(and (or a b) c)") in one readable string.
#pragma once
#include <sstream>
#include <string>

#include "core/cypher/ast.h"

namespace cq::cypher::test {

inline const char* binaryOpName(BinaryOp op) {
    switch (op) {
        case BinaryOp::Add: return "+";
        case BinaryOp::Subtract: return "-";
        case BinaryOp::Multiply: return "*";
        case BinaryOp::Divide: return "/";
        case BinaryOp::Modulo: return "%";
        case BinaryOp::Power: return "^";
        case BinaryOp::Equal: return "=";
        case BinaryOp::NotEqual: return "<>";
        case BinaryOp::Less: return "<";
        case BinaryOp::LessEqual: return "<=";
        case BinaryOp::Greater: return ">";
        case BinaryOp::GreaterEqual: return ">=";
        case BinaryOp::And: return "and";
        case BinaryOp::Or: return "or";
        case BinaryOp::Xor: return "xor";
        case BinaryOp::In: return "in";
        case BinaryOp::StartsWith: return "starts";
        case BinaryOp::EndsWith: return "ends";
        case BinaryOp::Contains: return "contains";
        case BinaryOp::Regex: return "=~";
    }
    return "?";
}

inline std::string dumpLiteral(const Value& v) {
    std::ostringstream out;
    switch (v.kind()) {
        case ValueKind::Null: return "null";
        case ValueKind::Bool: return v.asBool() ? "true" : "false";
        case ValueKind::Integer: return std::to_string(v.asInt());
        case ValueKind::Float: out << 'f' << v.asFloat(); return out.str();
        case ValueKind::String: return "'" + v.asString() + "'";
        default: return "<other>";
    }
}

inline std::string dump(const ExprPtr& e) {
    if (!e) return "_";
    std::string children;
    for (const ExprPtr& c : e->children) children += " " + dump(c);
    switch (e->kind) {
        case ExprKind::Literal: return dumpLiteral(e->literal);
        case ExprKind::Parameter: return "$" + e->name;
        case ExprKind::Variable: return e->name;
        case ExprKind::Property: return "(." + children + " " + e->name + ")";
        case ExprKind::Index: return "([]" + children + ")";
        case ExprKind::Slice: return "([..]" + children + ")";
        case ExprKind::Not: return "(not" + children + ")";
        case ExprKind::Negate: return "(neg" + children + ")";
        case ExprKind::Binary: return std::string("(") + binaryOpName(e->op) + children + ")";
        case ExprKind::IsNull: return "(isnull" + children + ")";
        case ExprKind::IsNotNull: return "(isnotnull" + children + ")";
        case ExprKind::Case: return "(case" + children + ")";
        case ExprKind::ListLiteral: return "(list" + children + ")";
        case ExprKind::MapLiteral: {
            std::string out = "(map";
            for (size_t i = 0; i < e->keys.size(); ++i) out += " " + e->keys[i] + ":" + dump(e->children[i]);
            return out + ")";
        }
        case ExprKind::ListComprehension: return "(comp " + e->name + children + ")";
        case ExprKind::Reduce:
            return "(reduce " + e->name + " " + dump(e->children[0]) + " " + e->name2 + " " +
                   dump(e->children[1]) + " " + dump(e->children[2]) + ")";
        case ExprKind::MapProjection: {
            std::string out = "(proj " + dump(e->children[0]);
            for (size_t i = 0; i < e->keys.size(); ++i) out += " " + e->keys[i] + ":" + dump(e->children[i + 1]);
            return out + ")";
        }
        case ExprKind::PatternPredicate: return "(pattern)";
        case ExprKind::ListPredicate: return "(" + e->name2 + " " + e->name + children + ")";
        case ExprKind::HasLabels: {
            std::string out = "(labels" + children;
            for (const std::string& k : e->keys) out += " :" + k;
            return out + ")";
        }
        case ExprKind::FunctionCall:
            return "(call " + e->name + (e->name2.empty() ? "" : " " + e->name2) + (e->distinct ? " distinct" : "") +
                   children + ")";
    }
    return "?";
}

}  // namespace cq::cypher::test
