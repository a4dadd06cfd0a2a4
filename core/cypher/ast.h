// SPDX-License-Identifier: MIT
// The syntax tree of a Drasi-dialect Cypher query, produced by core/cypher/parser.h and bound by
// core/query. A query is a list of parts: each part is MATCH/OPTIONAL MATCH clauses (first part
// only), WHERE predicates and a projection (WITH or RETURN). `WITH ... WHERE p` puts p into the
// *next* part's `where`, so it acts as HAVING, as in Drasi.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/model/value.h"

namespace cq::fn {
struct FunctionDef;
}

namespace cq::cypher {

struct SourcePos {
    int offset = 0;  ///< byte offset in the query text (Drasi's position_in_query)
    int line = 1;    ///< 1-based
    int column = 1;  ///< 1-based, in bytes
};

enum class ExprKind : uint8_t {
    Literal,        ///< literal
    Parameter,      ///< $name (Drasi binds none: always null)
    Variable,       ///< name
    Property,       ///< children[0].name
    Index,          ///< children[0][children[1]]
    Slice,          ///< children[0][children[1]..children[2]]; a missing bound is nullptr
    Not,            ///< NOT children[0]
    Negate,         ///< -children[0]
    Binary,         ///< children[0] op children[1]
    IsNull,         ///< children[0] IS NULL
    IsNotNull,      ///< children[0] IS NOT NULL
    Case,           ///< see CaseExpr layout below
    ListLiteral,    ///< [children...]
    MapLiteral,     ///< {keys[i]: children[i]}
    ListComprehension,  ///< [name IN children[0] WHERE children[1] | children[2]]; missing = nullptr
    Reduce,         ///< reduce(name = children[0], name2 IN children[1] | children[2])
    FunctionCall,   ///< name(children...)
    HasLabels,      ///< children[0]:keys[0]:keys[1]...: the element has every label (openCypher)
    ListPredicate,  ///< name2(name IN children[0] WHERE children[1]), name2 any/all/none/single
    MapProjection,  ///< children[0] {keys[i]: children[i + 1]}; key "*" with a null child: .*
    PatternPredicate,  ///< (a)-[:R]->(b) or exists(...) in a WHERE: `pattern` exists; the binder rewrites it
};

enum class BinaryOp : uint8_t {
    Add, Subtract, Multiply, Divide, Modulo, Power,
    Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual,
    And, Or, Xor,
    In, StartsWith, EndsWith, Contains,
    Regex,  ///< =~ (openCypher; not in drasi-core)
};

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;
struct PathPattern;

/// One expression node. Which fields are used depends on `kind` (see ExprKind). A CASE is
/// children = [subject-or-null, when1, then1, when2, then2, ..., else-or-null].
struct Expr {
    ExprKind kind = ExprKind::Literal;
    BinaryOp op = BinaryOp::Add;
    SourcePos pos;
    Value literal;
    /// Variable / parameter / property key / function name (as written, e.g. "drasi.trueFor") /
    /// the iteration variable of a comprehension or reduce's accumulator.
    std::string name;
    std::string name2;              ///< reduce: the iteration variable
    bool distinct = false;          ///< FunctionCall: name(DISTINCT ...)
    std::vector<std::string> keys;  ///< map literal keys
    std::vector<ExprPtr> children;
    std::shared_ptr<PathPattern> pattern;  ///< PatternPredicate
    /// The text of the expression as written, used to name unaliased projection columns only when
    /// Drasi's rule (see core/query) does not give a name.
    std::string text;

    // Filled in by the binder (core/query/binder.cpp), not the parser:
    int varIndex = -1;                        ///< Variable; comprehension/reduce variables
    int varIndex2 = -1;                       ///< reduce: the iteration variable
    const fn::FunctionDef* function = nullptr;  ///< FunctionCall
    int aggregateIndex = -1;                  ///< FunctionCall of an aggregate/stateful function

    /// Property: where the key sat in the last map read (FlatMap::find's hint). Written by the
    /// evaluator, which runs on one thread; a stale hint costs one compare, never a wrong answer.
    mutable uint32_t propertyHint = 0;
    /// The evaluator's numeric fast path (core/eval/evaluator.cpp): 0 not classified yet, else
    /// whether this node is the root of an arithmetic subtree it evaluates without Values, a node
    /// inside one, or neither. Like propertyHint, written by the evaluator; it depends only on the
    /// tree, so sharing the tree is harmless.
    mutable uint8_t numeric = 0;
    /// The numeric root's compiled program (an eval::NumericProgram; typed here as void so that
    /// the AST does not depend on the evaluator). Immutable once set; shared by copies.
    mutable std::shared_ptr<const void> numericProgram;
};

enum class Direction : uint8_t {
    Right,  ///< (a)-[r]->(b)
    Left,   ///< (a)<-[r]-(b)
    Both,   ///< (a)-[r]-(b)
};

struct NodePattern {
    std::string variable;  ///< empty if anonymous
    std::vector<std::string> labels;  ///< (n:A|B) means A OR B
    std::vector<std::string> allLabels;  ///< (n:A:B) means A AND B (openCypher); labels is then empty
    std::vector<std::pair<std::string, ExprPtr>> properties;  ///< inline {k: v}
    ExprPtr where;  ///< (n:L WHERE ...) or nullptr
    SourcePos pos;
};

struct RelationPattern {
    std::string variable;
    std::vector<std::string> labels;  ///< relation types, OR
    std::vector<std::pair<std::string, ExprPtr>> properties;
    ExprPtr where;
    Direction direction = Direction::Both;
    bool variableLength = false;  ///< -[*..]- was written (rejected by the binder)
    SourcePos pos;
};

/// nodes.size() == relations.size() + 1; relations[i] joins nodes[i] and nodes[i + 1].
struct PathPattern {
    std::vector<NodePattern> nodes;
    std::vector<RelationPattern> relations;
};

struct MatchClause {
    bool optional = false;
    std::vector<PathPattern> paths;  ///< comma-separated patterns
    ExprPtr where;                   ///< nullptr if none
    SourcePos pos;
};

struct ProjectionItem {
    ExprPtr expr;
    std::string alias;  ///< empty when no AS was written
    SourcePos pos;
};

struct QueryPart {
    std::vector<MatchClause> matches;   ///< only the first part may have any
    std::vector<ExprPtr> where;         ///< ANDed; for part k > 0 these come from `WITH ... WHERE`
    std::vector<ProjectionItem> items;  ///< the WITH or RETURN items
    bool isReturn = false;              ///< the last part ends with RETURN
    bool distinct = false;              ///< WITH DISTINCT / RETURN DISTINCT was written
    bool star = false;                  ///< WITH * / RETURN *: every variable, then `items`
    /// UNWIND list AS unwindAs ends this part instead of WITH: the next part sees every variable
    /// of this one and unwindAs (items is empty).
    ExprPtr unwind;
    std::string unwindAs;
    SourcePos pos;
};

struct Query {
    std::vector<QueryPart> parts;
    std::string text;
};

}  // namespace cq::cypher
