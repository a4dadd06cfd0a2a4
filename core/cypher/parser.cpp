// SPDX-License-Identifier: MIT
// The hand-written recursive-descent parser for the Drasi Cypher dialect (see parser.h, ast.h).
// Three small classes split the work by concern: TokenCursor (lookahead, keywords, error messages),
// ExprParser (expressions, openCypher precedence) and QueryParser (clauses and patterns).
// Where Drasi's grammar departs from openCypher we follow openCypher (AND binds tighter than OR,
// IS NULL / IN / STARTS WITH bind tighter than comparisons, strings take escapes) but keep Drasi's
// extensions that real queries use (dotted function names, `reduce(... WHERE ...)`,
// `head(x IN list WHERE p)`).
#include "core/cypher/parser.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <exception>
#include <functional>

#include "core/common/error.h"
#include "core/cypher/lexer.h"

namespace cq::cypher {

namespace {

// Nesting deeper than this ("((((...", "NOT NOT NOT ...") is rejected before it can exhaust the
// stack: about 13 frames per parenthesis level, and wasm stacks may be as small as 64 KiB.
constexpr int kMaxDepth = 128;
// The height of an expression tree is capped too: `a OR b OR ...` is parsed by a loop but builds a
// tree as deep as the chain is long, and destroying or evaluating it recurses that deep. 1000 still
// allows generated chains such as `n.id = 1 OR n.id = 2 OR ...` with a thousand alternatives.
constexpr int kMaxHeight = 1000;

// Words that cannot be a variable or start an expression without backticks, because they continue
// or end one. Clause words such as CALL or SET are not here: `call` is a fine variable name, and at
// a clause position they are rejected by kUnsupportedClauses. Property keys, labels, map keys,
// aliases and the parts of a dotted function name after the first may be any word.
constexpr const char* kReservedWords[] = {
    "MATCH", "OPTIONAL", "WHERE", "WITH", "RETURN", "AS", "DISTINCT", "AND", "OR", "XOR", "NOT", "IN",
    "STARTS", "ENDS", "CONTAINS", "IS", "CASE", "WHEN", "THEN", "ELSE", "END",
};

struct UnsupportedClause {
    const char* keyword;
    const char* shownAs;
};
constexpr UnsupportedClause kUnsupportedClauses[] = {
    {"ORDER", "ORDER BY"},  {"SKIP", "SKIP"},     {"LIMIT", "LIMIT"},
    {"UNION", "UNION"},     {"CALL", "CALL"},     {"CREATE", "CREATE"},        {"MERGE", "MERGE"},
    {"SET", "SET"},         {"DELETE", "DELETE"}, {"DETACH", "DETACH DELETE"}, {"REMOVE", "REMOVE"},
    {"FOREACH", "FOREACH"}, {"LOAD", "LOAD CSV"},
};

bool equalsIgnoreCase(const std::string& word, const char* upper) {
    size_t i = 0;
    for (; upper[i] != '\0'; ++i) {
        if (i >= word.size()) return false;
        char c = word[i];
        if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
        if (c != upper[i]) return false;
    }
    return i == word.size();
}

bool isReservedWord(const std::string& word) {
    for (const char* reserved : kReservedWords) {
        if (equalsIgnoreCase(word, reserved)) return true;
    }
    return false;
}

SourcePos posOf(const Token& tok) { return SourcePos{tok.offset, tok.line, tok.column}; }

// ---------------------------------------------------------------------------------------------
// TokenCursor: pulls tokens from the lexer on demand, answers keyword questions and builds the
// "line L, column C: expected X but found Y" errors.

class TokenCursor {
public:
    explicit TokenCursor(const std::string& text) : text_(text), lexer_(text) {}

    const std::string& text() const { return text_; }

    const Token& peek(size_t ahead = 0) {
        while (lookahead_.size() <= ahead) lookahead_.push_back(lexer_.next());
        return lookahead_[ahead];
    }

    Token take() {
        peek();
        Token tok = std::move(lookahead_.front());
        lookahead_.pop_front();
        if (tok.kind != TokenKind::End) prevEnd_ = tok.end;
        return tok;
    }

    /// The end offset of the last token taken: expressions' text runs up to it.
    int prevEnd() const { return prevEnd_; }

    bool at(TokenKind kind, size_t ahead = 0) { return peek(ahead).kind == kind; }

    bool accept(TokenKind kind) {
        if (!at(kind)) return false;
        take();
        return true;
    }

    Token expect(TokenKind kind, const std::string& what) {
        if (!at(kind)) failExpected(what);
        return take();
    }

    bool atKeyword(const char* upper, size_t ahead = 0) {
        const Token& tok = peek(ahead);
        return tok.kind == TokenKind::Identifier && equalsIgnoreCase(tok.value, upper);
    }

    bool acceptKeyword(const char* upper) {
        if (!atKeyword(upper)) return false;
        take();
        return true;
    }

    Token expectKeyword(const char* upper) {
        if (!atKeyword(upper)) failExpected(upper);
        return take();
    }

    /// True when the next token can be a variable name: a non-reserved word or a `quoted` name.
    bool atVariable(size_t ahead = 0) {
        const Token& tok = peek(ahead);
        return tok.kind == TokenKind::QuotedIdentifier ||
               (tok.kind == TokenKind::Identifier && !isReservedWord(tok.value));
    }

    std::string expectVariable(const std::string& what) {
        if (!atVariable()) failExpected(what);
        return take().value;
    }

    /// Any word or `quoted` name: property keys, labels, map keys, aliases.
    std::string expectName(const std::string& what) {
        if (!at(TokenKind::Identifier) && !at(TokenKind::QuotedIdentifier)) failExpected(what);
        return take().value;
    }

    /// Two tokens with no space or comment between them ("-[" but not "- [").
    bool adjacent(size_t first) { return peek(first).end == peek(first + 1).offset; }

    [[noreturn]] void failExpected(const std::string& what) { failExpectedAt(what, peek()); }

    [[noreturn]] void failExpectedAt(const std::string& what, const Token& found) {
        fail(ErrorCode::ParseError, found, "expected " + what + " but found " + describe(found));
    }

    [[noreturn]] void failUnsupported(const Token& at, const std::string& message) {
        fail(ErrorCode::Unsupported, at, message);
    }

    [[noreturn]] void fail(ErrorCode code, const Token& at, const std::string& message) {
        throw Error(code, locatedMessage(at.line, at.column, message), at.line, at.column);
    }

private:
    std::string describe(const Token& tok) const {
        if (tok.kind == TokenKind::End) return "end of input";
        constexpr size_t kShown = 40;
        std::string source = text_.substr(size_t(tok.offset), size_t(tok.end - tok.offset));
        if (source.size() > kShown) source = source.substr(0, kShown) + "...";
        if (tok.kind == TokenKind::String) return "string " + source;
        return "'" + source + "'";
    }

    const std::string& text_;
    Lexer lexer_;
    std::deque<Token> lookahead_;
    int prevEnd_ = 0;
};

// ---------------------------------------------------------------------------------------------
// ExprParser: one method per precedence level, loosest first:
// OR < XOR < AND < NOT < comparison (= <> < <= > >=) < predicates (IN, STARTS WITH, ENDS WITH,
// CONTAINS, IS [NOT] NULL) < + - < * / % < ^ < unary - + < postfix (.key [i] [a..b]) < atoms.

class ExprParser {
public:
    explicit ExprParser(TokenCursor& cursor) : cur_(cursor) {}

    /// Parses the rest of a path pattern after its first node (set by the query parser: a pattern
    /// predicate is a path in an expression). Unset, pattern predicates are refused.
    std::function<PathPattern(NodePattern)> pathAfter;
    std::function<PathPattern()> path;  ///< a whole path pattern, for EXISTS { ... }

    ExprPtr parseExpression() {
        DepthGuard guard(*this);
        return parseOr();
    }

    /// The `{k: v, ...}` of a map literal or of a node/relationship pattern; the cursor is at '{'.
    std::vector<std::pair<std::string, ExprPtr>> parseMapEntries() {
        cur_.expect(TokenKind::LBrace, "'{'");
        std::vector<std::pair<std::string, ExprPtr>> entries;
        if (cur_.accept(TokenKind::RBrace)) return entries;
        do {
            std::string key;
            if (cur_.at(TokenKind::String)) {
                key = cur_.take().value;
            } else {
                key = cur_.expectName("a map key");
            }
            cur_.expect(TokenKind::Colon, "':' after the map key '" + key + "'");
            entries.emplace_back(std::move(key), parseExpression());
        } while (cur_.accept(TokenKind::Comma));
        cur_.expect(TokenKind::RBrace, "',' or '}' in the map");
        return entries;
    }

private:
    /// Counts one level of recursion (and of tree height) for as long as it lives.
    class DepthGuard {
    public:
        explicit DepthGuard(ExprParser& p) : p_(p) {
            ++p_.height_;
            if (++p_.depth_ > kMaxDepth) p_.failTooDeep(kMaxDepth);
            if (p_.height_ > kMaxHeight) p_.failTooDeep(kMaxHeight);
        }
        ~DepthGuard() {
            --p_.depth_;
            --p_.height_;
        }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;

    private:
        ExprParser& p_;
    };

    /// Counts the tree height that a loop adds, one level per operator of a left-deep chain.
    class HeightGuard {
    public:
        explicit HeightGuard(ExprParser& p) : p_(p) {}
        ~HeightGuard() { p_.height_ -= added_; }
        void grow() {
            ++added_;
            if (++p_.height_ > kMaxHeight) p_.failTooDeep(kMaxHeight);
        }
        HeightGuard(const HeightGuard&) = delete;
        HeightGuard& operator=(const HeightGuard&) = delete;

    private:
        ExprParser& p_;
        int added_ = 0;
    };

    [[noreturn]] void failTooDeep(int limit) {
        cur_.fail(ErrorCode::ParseError, cur_.peek(),
                  "expression nested too deeply (more than " + std::to_string(limit) + " levels)");
    }

    ExprPtr node(ExprKind kind, const SourcePos& pos) {
        auto e = std::make_shared<Expr>();
        e->kind = kind;
        e->pos = pos;
        return e;
    }

    /// Sets e's text to the source from its first token to the last token taken.
    ExprPtr finish(ExprPtr e) {
        e->text = cur_.text().substr(size_t(e->pos.offset), size_t(cur_.prevEnd() - e->pos.offset));
        return e;
    }

    ExprPtr binary(BinaryOp op, const SourcePos& pos, ExprPtr left, ExprPtr right) {
        ExprPtr e = node(ExprKind::Binary, pos);
        e->op = op;
        e->children = {std::move(left), std::move(right)};
        return finish(e);
    }

    ExprPtr parseOr() {
        SourcePos start = posOf(cur_.peek());
        ExprPtr left = parseXor();
        HeightGuard height(*this);
        while (cur_.acceptKeyword("OR")) {
            height.grow();
            left = binary(BinaryOp::Or, start, left, parseXor());
        }
        return left;
    }

    ExprPtr parseXor() {
        SourcePos start = posOf(cur_.peek());
        ExprPtr left = parseAnd();
        HeightGuard height(*this);
        while (cur_.acceptKeyword("XOR")) {
            height.grow();
            left = binary(BinaryOp::Xor, start, left, parseAnd());
        }
        return left;
    }

    ExprPtr parseAnd() {
        SourcePos start = posOf(cur_.peek());
        ExprPtr left = parseNot();
        HeightGuard height(*this);
        while (cur_.acceptKeyword("AND")) {
            height.grow();
            left = binary(BinaryOp::And, start, left, parseNot());
        }
        return left;
    }

    ExprPtr parseNot() {
        if (!cur_.atKeyword("NOT")) return parseComparison();
        ExprPtr e = node(ExprKind::Not, posOf(cur_.take()));
        DepthGuard guard(*this);
        e->children.push_back(parseNot());
        return finish(e);
    }

    ExprPtr parseComparison() {
        SourcePos start = posOf(cur_.peek());
        ExprPtr left = parsePredicate();
        HeightGuard height(*this);
        for (;;) {
            BinaryOp op;
            switch (cur_.peek().kind) {
                case TokenKind::Equal: op = BinaryOp::Equal; break;
                case TokenKind::NotEqual: op = BinaryOp::NotEqual; break;
                case TokenKind::Less: op = BinaryOp::Less; break;
                case TokenKind::LessEqual: op = BinaryOp::LessEqual; break;
                case TokenKind::Greater: op = BinaryOp::Greater; break;
                case TokenKind::GreaterEqual: op = BinaryOp::GreaterEqual; break;
                case TokenKind::RegexMatch: op = BinaryOp::Regex; break;
                default: return left;
            }
            cur_.take();
            height.grow();
            left = binary(op, start, left, parsePredicate());
        }
    }

    ExprPtr parsePredicate() {
        SourcePos start = posOf(cur_.peek());
        ExprPtr left = parseAdditive();
        HeightGuard height(*this);
        for (;;) {
            if (cur_.acceptKeyword("IN")) {
                height.grow();
                left = binary(BinaryOp::In, start, left, parseAdditive());
            } else if (cur_.acceptKeyword("STARTS")) {
                height.grow();
                cur_.expectKeyword("WITH");
                left = binary(BinaryOp::StartsWith, start, left, parseAdditive());
            } else if (cur_.acceptKeyword("ENDS")) {
                height.grow();
                cur_.expectKeyword("WITH");
                left = binary(BinaryOp::EndsWith, start, left, parseAdditive());
            } else if (cur_.acceptKeyword("CONTAINS")) {
                height.grow();
                left = binary(BinaryOp::Contains, start, left, parseAdditive());
            } else if (cur_.acceptKeyword("IS")) {
                height.grow();
                bool negated = cur_.acceptKeyword("NOT");
                if (!cur_.atKeyword("NULL"))
                    cur_.failExpected(negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
                cur_.take();
                ExprPtr e = node(negated ? ExprKind::IsNotNull : ExprKind::IsNull, start);
                e->children.push_back(left);
                left = finish(e);
            } else {
                return left;
            }
        }
    }

    ExprPtr parseAdditive() {
        SourcePos start = posOf(cur_.peek());
        ExprPtr left = parseMultiplicative();
        HeightGuard height(*this);
        for (;;) {
            if (cur_.accept(TokenKind::Plus)) {
                height.grow();
                left = binary(BinaryOp::Add, start, left, parseMultiplicative());
            } else if (cur_.accept(TokenKind::Minus)) {
                height.grow();
                left = binary(BinaryOp::Subtract, start, left, parseMultiplicative());
            } else {
                return left;
            }
        }
    }

    ExprPtr parseMultiplicative() {
        SourcePos start = posOf(cur_.peek());
        ExprPtr left = parsePower();
        HeightGuard height(*this);
        for (;;) {
            if (cur_.accept(TokenKind::Star)) {
                height.grow();
                left = binary(BinaryOp::Multiply, start, left, parsePower());
            } else if (cur_.accept(TokenKind::Slash)) {
                height.grow();
                left = binary(BinaryOp::Divide, start, left, parsePower());
            } else if (cur_.accept(TokenKind::Percent)) {
                height.grow();
                left = binary(BinaryOp::Modulo, start, left, parsePower());
            } else {
                return left;
            }
        }
    }

    ExprPtr parsePower() {
        SourcePos start = posOf(cur_.peek());
        ExprPtr left = parseUnary();
        HeightGuard height(*this);
        while (cur_.accept(TokenKind::Caret)) {
            height.grow();
            left = binary(BinaryOp::Power, start, left, parseUnary());
        }
        return left;
    }

    ExprPtr parseUnary() {
        if (cur_.at(TokenKind::Plus)) {
            cur_.take();
            DepthGuard guard(*this);
            return parseUnary();  // unary plus changes nothing
        }
        if (!cur_.at(TokenKind::Minus)) return parsePostfix();
        Token minus = cur_.take();
        bool numberFollows = cur_.at(TokenKind::Integer) || cur_.at(TokenKind::Float);
        bool postfixFollows = cur_.at(TokenKind::Dot, 1) || cur_.at(TokenKind::LBracket, 1);
        if (numberFollows && !postfixFollows) {
            // A negative literal, folded so that -9223372036854775808 (which has no positive form) fits.
            ExprPtr e = node(ExprKind::Literal, posOf(minus));
            e->literal = numberLiteral(cur_.take(), true);
            return finish(e);
        }
        ExprPtr e = node(ExprKind::Negate, posOf(minus));
        DepthGuard guard(*this);
        e->children.push_back(parseUnary());
        return finish(e);
    }

    ExprPtr parsePostfix() {
        SourcePos start = posOf(cur_.peek());
        ExprPtr e = parseAtom();
        HeightGuard height(*this);
        for (;;) {
            if (cur_.accept(TokenKind::Dot)) {
                height.grow();
                ExprPtr prop = node(ExprKind::Property, start);
                prop->name = cur_.expectName("a property key after '.'");
                prop->children.push_back(e);
                e = finish(prop);
            } else if (cur_.accept(TokenKind::LBracket)) {
                height.grow();
                e = parseIndexOrSlice(start, e);
            } else if (cur_.at(TokenKind::LBrace) && e->kind == ExprKind::Variable) {
                height.grow();
                e = parseMapProjection(start, e);
            } else if (cur_.at(TokenKind::Colon) && e->kind == ExprKind::Variable) {
                // n:A:B, openCypher's label predicate: true when n has every label.
                height.grow();
                ExprPtr has = node(ExprKind::HasLabels, start);
                has->children.push_back(e);
                while (cur_.accept(TokenKind::Colon)) has->keys.push_back(cur_.expectName("a label after ':'"));
                if (cur_.at(TokenKind::Pipe) && has->keys.size() > 1)
                    cur_.failUnsupported(cur_.peek(), "labels joined by both '|' and ':' are not supported");
                e = finish(has);
                // n:A|B, as the patterns' alternatives: n:A OR n:B.
                while (cur_.accept(TokenKind::Pipe)) {
                    cur_.accept(TokenKind::Colon);
                    ExprPtr alt = node(ExprKind::HasLabels, start);
                    alt->children.push_back(has->children[0]);
                    alt->keys.push_back(cur_.expectName("a label after '|'"));
                    if (cur_.at(TokenKind::Colon))
                        cur_.failUnsupported(cur_.peek(), "labels joined by both '|' and ':' are not supported");
                    e = binary(BinaryOp::Or, start, e, finish(alt));
                }
            } else {
                return e;
            }
        }
    }

    /// After `subject[`: `[i]`, `[a..b]`, `[..b]`, `[a..]` or `[..]`.
    ExprPtr parseIndexOrSlice(const SourcePos& start, ExprPtr subject) {
        ExprPtr from;
        if (!cur_.at(TokenKind::DotDot)) {
            from = parseExpression();
            if (!cur_.at(TokenKind::DotDot)) {
                cur_.expect(TokenKind::RBracket, "']' or '..' in the index");
                ExprPtr e = node(ExprKind::Index, start);
                e->children = {std::move(subject), std::move(from)};
                return finish(e);
            }
        }
        cur_.take();  // '..'
        ExprPtr to;
        if (!cur_.at(TokenKind::RBracket)) to = parseExpression();
        cur_.expect(TokenKind::RBracket, "']' to close the slice");
        ExprPtr e = node(ExprKind::Slice, start);
        e->children = {std::move(subject), std::move(from), std::move(to)};
        return finish(e);
    }

    ExprPtr parseAtom() {
        const Token& tok = cur_.peek();
        switch (tok.kind) {
            case TokenKind::Integer:
            case TokenKind::Float: {
                ExprPtr e = node(ExprKind::Literal, posOf(tok));
                e->literal = numberLiteral(cur_.take(), false);
                return finish(e);
            }
            case TokenKind::String: {
                ExprPtr e = node(ExprKind::Literal, posOf(tok));
                e->literal = Value(cur_.take().value);
                return finish(e);
            }
            case TokenKind::Parameter: {
                ExprPtr e = node(ExprKind::Parameter, posOf(tok));
                e->name = cur_.take().value;
                return finish(e);
            }
            case TokenKind::LParen: return parseParenthesized();
            case TokenKind::LBracket: return parseListOrComprehension();
            case TokenKind::LBrace: {
                ExprPtr e = node(ExprKind::MapLiteral, posOf(tok));
                for (auto& [key, value] : parseMapEntries()) {
                    e->keys.push_back(std::move(key));
                    e->children.push_back(std::move(value));
                }
                return finish(e);
            }
            case TokenKind::Identifier:
            case TokenKind::QuotedIdentifier: return parseWordAtom();
            default: cur_.failExpected("an expression");
        }
    }

    ExprPtr parseWordAtom() {
        const Token& tok = cur_.peek();
        if (tok.kind == TokenKind::Identifier) {
            if (cur_.atKeyword("TRUE") || cur_.atKeyword("FALSE") || cur_.atKeyword("NULL")) {
                ExprPtr e = node(ExprKind::Literal, posOf(tok));
                if (!cur_.atKeyword("NULL")) e->literal = Value(cur_.atKeyword("TRUE"));
                cur_.take();
                return finish(e);
            }
            if (cur_.atKeyword("CASE")) return parseCase();
            if (cur_.atKeyword("EXISTS")) {
                // exists(n.prop), Cypher 4's property test, is n.prop IS NOT NULL; exists((a)-->()) a
                // pattern predicate; EXISTS { ... } is not supported. `tok` refers into the token
                // queue, which take() pops: errors after a take use this copy (ASan found the read
                // of the freed token).
                const Token word = tok;
                if (cur_.at(TokenKind::LParen, 1) && cur_.atVariable(2) && cur_.at(TokenKind::Dot, 3)) {
                    ExprPtr e = node(ExprKind::IsNotNull, posOf(cur_.take()));
                    cur_.take();  // '('
                    ExprPtr inner = parseExpression();
                    if (inner->kind != ExprKind::Property)
                        cur_.failUnsupported(word, "EXISTS takes a property (exists(n.prop)) or a pattern");
                    cur_.expect(TokenKind::RParen, "')' to close exists(");
                    e->children.push_back(std::move(inner));
                    return finish(e);
                }
                if (cur_.at(TokenKind::LParen, 1) && cur_.at(TokenKind::LParen, 2)) {  // exists((a)-->())
                    cur_.take();
                    cur_.take();
                    ExprPtr e = parseParenthesized();
                    if (e->kind != ExprKind::PatternPredicate)
                        cur_.failUnsupported(word, "exists() takes a property or a pattern");
                    cur_.expect(TokenKind::RParen, "')' to close exists(");
                    return e;
                }
                if (cur_.at(TokenKind::LBrace, 1) && path) {  // EXISTS { [MATCH] pattern }
                    ExprPtr e = node(ExprKind::PatternPredicate, posOf(cur_.take()));
                    cur_.take();  // '{'
                    cur_.acceptKeyword("MATCH");
                    e->pattern = std::make_shared<PathPattern>(path());
                    if (cur_.atKeyword("WHERE") || cur_.at(TokenKind::Comma))
                        cur_.failUnsupported(cur_.peek(), "EXISTS { ... } with WHERE or several patterns is not supported");
                    cur_.expect(TokenKind::RBrace, "'}' to close EXISTS {");
                    if (e->pattern->relations.empty())
                        cur_.failUnsupported(word, "EXISTS { ... } needs a relationship: (a)-->()");
                    return finish(e);
                }
                cur_.failUnsupported(word, "EXISTS subqueries are not supported; write exists((a)-->()) or (a)-->()");
            }
            if (isReservedWord(tok.value)) cur_.failExpected("an expression");
            if (cur_.atKeyword("REDUCE") && cur_.at(TokenKind::LParen, 1)) return parseReduce();
            for (const char* q : {"ANY", "ALL", "NONE", "SINGLE"})
                if (cur_.atKeyword(q) && cur_.at(TokenKind::LParen, 1) && cur_.atVariable(2) && cur_.atKeyword("IN", 3))
                    return parseListPredicate(q);
        }
        // name ('.' name)* '(' is a call of the function "name.name..."; otherwise the dots are
        // property accesses, handled by parsePostfix.
        size_t ahead = 1;
        while (cur_.at(TokenKind::Dot, ahead) && (cur_.at(TokenKind::Identifier, ahead + 1) ||
                                                  cur_.at(TokenKind::QuotedIdentifier, ahead + 1))) {
            ahead += 2;
        }
        if (cur_.at(TokenKind::LParen, ahead)) return parseFunctionCall(ahead);
        ExprPtr e = node(ExprKind::Variable, posOf(tok));
        e->name = cur_.take().value;
        return finish(e);
    }

    /// `(expr)`, or a pattern predicate: `(a)-[...]-(b)`, `(a:L)-->()` (a path of at least one
    /// relationship whose first node is a variable, optionally labelled).
    ExprPtr parseParenthesized() {
        Token open = cur_.take();
        if (cur_.at(TokenKind::RParen) || cur_.at(TokenKind::Colon)) {
            cur_.failUnsupported(open, "a pattern predicate must start at a variable bound by MATCH: (a)-->()");
        }
        ExprPtr inner = parseExpression();
        cur_.expect(TokenKind::RParen, "')'");
        bool isNode = inner->kind == ExprKind::Variable ||
                      (inner->kind == ExprKind::HasLabels && inner->children[0]->kind == ExprKind::Variable);
        if (!isNode || !looksLikeRelationship()) return inner;
        if (!pathAfter) cur_.failUnsupported(open, "pattern predicates are not supported here");
        NodePattern first;
        first.pos = posOf(open);
        if (inner->kind == ExprKind::Variable) {
            first.variable = inner->name;
        } else {
            first.variable = inner->children[0]->name;
            if (inner->keys.size() == 1) first.labels = inner->keys;
            else first.allLabels = inner->keys;
        }
        ExprPtr e = node(ExprKind::PatternPredicate, posOf(open));
        e->pattern = std::make_shared<PathPattern>(pathAfter(std::move(first)));
        return finish(e);
    }

    /// `-[`, `--`, `->`, `<-[`, `<--` or `<-(` written without spaces: the start of a relationship.
    bool looksLikeRelationship() {
        size_t dash = cur_.at(TokenKind::Less) ? 1 : 0;
        if (!cur_.at(TokenKind::Minus, dash) || (dash == 1 && !cur_.adjacent(0))) return false;
        if (!cur_.adjacent(dash)) return false;
        TokenKind after = cur_.peek(dash + 1).kind;
        return after == TokenKind::LBracket || after == TokenKind::Minus || after == TokenKind::Greater ||
               (dash == 1 && after == TokenKind::LParen);
    }

    ExprPtr parseListOrComprehension() {
        Token open = cur_.take();
        if (cur_.atVariable() && cur_.atKeyword("IN", 1)) {
            ExprPtr e = node(ExprKind::ListComprehension, posOf(open));
            e->name = cur_.take().value;
            cur_.take();  // IN
            ExprPtr list = parseExpression();
            ExprPtr filter = cur_.acceptKeyword("WHERE") ? parseExpression() : nullptr;
            ExprPtr map = cur_.accept(TokenKind::Pipe) ? parseExpression() : nullptr;
            cur_.expect(TokenKind::RBracket, "']' to close the list comprehension");
            e->children = {std::move(list), std::move(filter), std::move(map)};
            return finish(e);
        }
        ExprPtr e = node(ExprKind::ListLiteral, posOf(open));
        if (!cur_.accept(TokenKind::RBracket)) {
            do {
                e->children.push_back(parseExpression());
            } while (cur_.accept(TokenKind::Comma));
            cur_.expect(TokenKind::RBracket, "',' or ']' in the list");
        }
        return finish(e);
    }

    /// CASE [subject] WHEN w THEN t ... [ELSE e] END, as children [subject, w1, t1, ..., else].
    ExprPtr parseCase() {
        ExprPtr e = node(ExprKind::Case, posOf(cur_.take()));
        e->children.push_back(cur_.atKeyword("WHEN") ? nullptr : parseExpression());
        if (!cur_.atKeyword("WHEN")) cur_.failExpected("WHEN");
        while (cur_.acceptKeyword("WHEN")) {
            e->children.push_back(parseExpression());
            cur_.expectKeyword("THEN");
            e->children.push_back(parseExpression());
        }
        e->children.push_back(cur_.acceptKeyword("ELSE") ? parseExpression() : nullptr);
        if (!cur_.atKeyword("END")) cur_.failExpected("WHEN, ELSE or END in the CASE expression");
        cur_.take();
        return finish(e);
    }

    /// reduce(acc = init, x IN list [WHERE pred] | expr). Drasi accepts the WHERE; it is kept by
    /// making the list the comprehension [x IN list WHERE pred], which reduces the same elements.
    ExprPtr parseReduce() {
        ExprPtr e = node(ExprKind::Reduce, posOf(cur_.take()));
        cur_.take();  // '('
        e->name = cur_.expectVariable("the accumulator variable of reduce");
        cur_.expect(TokenKind::Equal, "'=' after the accumulator of reduce");
        ExprPtr init = parseExpression();
        cur_.expect(TokenKind::Comma, "',' after the initial value of reduce");
        SourcePos varPos = posOf(cur_.peek());
        e->name2 = cur_.expectVariable("the iteration variable of reduce");
        cur_.expectKeyword("IN");
        ExprPtr list = parseExpression();
        if (cur_.acceptKeyword("WHERE")) {
            ExprPtr filtered = node(ExprKind::ListComprehension, varPos);
            filtered->name = e->name2;
            filtered->children = {std::move(list), parseExpression(), nullptr};
            list = finish(filtered);
        }
        cur_.expect(TokenKind::Pipe, "'|' in reduce");
        ExprPtr body = parseExpression();
        cur_.expect(TokenKind::RParen, "')' to close reduce");
        e->children = {std::move(init), std::move(list), std::move(body)};
        return finish(e);
    }

    /// n {.key, .*, key: expr, variable}: openCypher's map projection. `.key` becomes n.key and a
    /// bare variable `v` the entry v: v; later entries overwrite earlier ones.
    ExprPtr parseMapProjection(SourcePos start, ExprPtr subject) {
        ExprPtr e = node(ExprKind::MapProjection, start);
        e->children.push_back(subject);
        cur_.take();  // '{'
        if (!cur_.accept(TokenKind::RBrace)) {
            do {
                SourcePos at = posOf(cur_.peek());
                if (cur_.accept(TokenKind::Dot)) {
                    if (cur_.accept(TokenKind::Star)) {
                        e->keys.push_back("*");
                        e->children.push_back(nullptr);
                        continue;
                    }
                    ExprPtr prop = node(ExprKind::Property, at);
                    prop->name = cur_.expectName("a property key or '*' after '.'");
                    prop->children.push_back(subject);
                    e->keys.push_back(prop->name);
                    e->children.push_back(finish(prop));
                } else if (cur_.atVariable() && !cur_.at(TokenKind::Colon, 1)) {
                    ExprPtr var = node(ExprKind::Variable, at);
                    var->name = cur_.take().value;
                    e->keys.push_back(var->name);
                    e->children.push_back(finish(var));
                } else {
                    std::string key = cur_.expectName("'.', a variable or a key in the map projection");
                    cur_.expect(TokenKind::Colon, "':' after the key '" + key + "'");
                    e->keys.push_back(key);
                    e->children.push_back(parseExpression());
                }
            } while (cur_.accept(TokenKind::Comma));
            cur_.expect(TokenKind::RBrace, "',' or '}' in the map projection");
        }
        return finish(e);
    }

    /// any|all|none|single(x IN list WHERE predicate), openCypher's list predicates.
    ExprPtr parseListPredicate(const char* which) {
        ExprPtr e = node(ExprKind::ListPredicate, posOf(cur_.take()));
        for (const char* c = which; *c; ++c) e->name2 += char(*c - 'A' + 'a');  // any, all, none, single
        cur_.take();  // '('
        e->name = cur_.take().value;
        cur_.take();  // IN
        ExprPtr list = parseExpression();
        cur_.expectKeyword("WHERE");
        ExprPtr predicate = parseExpression();
        cur_.expect(TokenKind::RParen, "')' to close the list predicate");
        e->children = {std::move(list), std::move(predicate)};
        return finish(e);
    }

    /// name(.name)*( args ); nameTokens is the number of tokens before '('.
    ExprPtr parseFunctionCall(size_t nameTokens) {
        ExprPtr e = node(ExprKind::FunctionCall, posOf(cur_.peek()));
        for (size_t i = 0; i < nameTokens; ++i) e->name += cur_.take().value;
        cur_.take();  // '('
        if (cur_.at(TokenKind::Star)) {
            if (!equalsIgnoreCase(e->name, "COUNT")) cur_.failExpected("an argument");
            cur_.take();
            e->name2 = "*";
        } else if (!cur_.at(TokenKind::RParen)) {
            // count(DISTINCT x): the binder accepts it in aggregates only.
            e->distinct = cur_.acceptKeyword("DISTINCT");
            do {
                e->children.push_back(parseArgument());
            } while (cur_.accept(TokenKind::Comma));
        }
        cur_.expect(TokenKind::RParen, "',' or ')' after the arguments of " + e->name);
        return finish(e);
    }

    /// One function argument. Drasi also accepts a bracketless comprehension as an argument,
    /// `head(x IN list WHERE pred)`; `x IN list` followed by WHERE or '|' is read that way.
    ExprPtr parseArgument() {
        SourcePos start = posOf(cur_.peek());
        ExprPtr arg = parseExpression();
        bool continues = cur_.atKeyword("WHERE") || cur_.at(TokenKind::Pipe);
        bool bareIn = arg->kind == ExprKind::Binary && arg->op == BinaryOp::In &&
                      arg->pos.offset == start.offset && arg->children[0]->kind == ExprKind::Variable &&
                      arg->children[0]->pos.offset == start.offset;
        if (!continues || !bareIn) return arg;
        ExprPtr e = node(ExprKind::ListComprehension, start);
        e->name = arg->children[0]->name;
        ExprPtr filter = cur_.acceptKeyword("WHERE") ? parseExpression() : nullptr;
        ExprPtr map = cur_.accept(TokenKind::Pipe) ? parseExpression() : nullptr;
        e->children = {arg->children[1], std::move(filter), std::move(map)};
        return finish(e);
    }

    Value numberLiteral(const Token& tok, bool negative) {
        if (tok.kind == TokenKind::Float) {
            double v = std::strtod(tok.value.c_str(), nullptr);
            if (!std::isfinite(v))
                cur_.fail(ErrorCode::ParseError, tok, "float literal " + tok.value + " is out of range");
            return Value(negative ? -v : v);
        }
        // 2^63 is allowed only after a minus sign: it is the magnitude of INT64_MIN.
        const uint64_t limit = negative ? (uint64_t(1) << 63) : (uint64_t(1) << 63) - 1;
        uint64_t v = 0;
        for (char c : tok.value) {
            uint64_t digit = uint64_t(c - '0');
            if (v > (limit - digit) / 10) {
                cur_.fail(ErrorCode::ParseError, tok,
                          "integer literal " + std::string(negative ? "-" : "") + tok.value +
                              " is out of range (a 64-bit integer is between -9223372036854775808 and "
                              "9223372036854775807)");
            }
            v = v * 10 + digit;
        }
        if (!negative) return Value(int64_t(v));
        return Value(v == (uint64_t(1) << 63) ? INT64_MIN : -int64_t(v));
    }

    TokenCursor& cur_;
    int depth_ = 0;   ///< live recursion levels
    int height_ = 0;  ///< a bound on the height of the tree being built
};

// ---------------------------------------------------------------------------------------------
// QueryParser: clauses and patterns.

class QueryParser {
public:
    QueryParser(TokenCursor& cursor, ExprParser& exprs) : cur_(cursor), exprs_(exprs) {
        exprs_.pathAfter = [this](NodePattern first) { return parsePathAfter(std::move(first)); };
        exprs_.path = [this] { return parsePath(); };
    }

    Query parseQuery() {
        Query query;
        query.text = cur_.text();
        // A part's pos is its first token: MATCH, the WHERE of the WITH before it, or WITH/RETURN.
        QueryPart part;
        part.pos = posOf(cur_.peek());
        for (;;) {
            rejectUnsupportedClause();
            if (cur_.atKeyword("MATCH") || cur_.atKeyword("OPTIONAL")) {
                part.matches.push_back(parseMatch());
                continue;
            }
            if (cur_.atKeyword("UNWIND")) {  // ends the part, as WITH does, keeping every variable
                cur_.take();
                part.unwind = exprs_.parseExpression();
                cur_.expectKeyword("AS");
                part.unwindAs = cur_.expectName("a variable after AS");
                query.parts.push_back(std::move(part));
                part = QueryPart();
                part.pos = posOf(cur_.peek());
                continue;
            }
            bool isWith = cur_.atKeyword("WITH");
            if (!isWith && !cur_.atKeyword("RETURN")) {
                cur_.failExpected(query.parts.empty() && part.matches.empty()
                                      ? "MATCH, OPTIONAL MATCH, WITH or RETURN"
                                      : "MATCH, OPTIONAL MATCH, WITH or RETURN (a query ends with RETURN)");
            }
            parseProjection(part);
            query.parts.push_back(std::move(part));
            part = QueryPart();
            if (!isWith) break;
            part.pos = posOf(cur_.peek());
            if (cur_.acceptKeyword("WHERE")) part.where.push_back(exprs_.parseExpression());
        }
        cur_.accept(TokenKind::Semicolon);
        rejectUnsupportedClause();
        if (!cur_.at(TokenKind::End)) cur_.failExpected("end of input after RETURN");
        return query;
    }

private:
    void rejectUnsupportedClause() {
        const Token& tok = cur_.peek();
        if (tok.kind != TokenKind::Identifier) return;
        for (const UnsupportedClause& clause : kUnsupportedClauses) {
            if (equalsIgnoreCase(tok.value, clause.keyword)) {
                cur_.failUnsupported(tok,
                                     std::string(clause.shownAs) + " is not supported in continuous queries");
            }
        }
    }

    MatchClause parseMatch() {
        MatchClause match;
        match.pos = posOf(cur_.peek());
        if (cur_.acceptKeyword("OPTIONAL")) {
            match.optional = true;
            cur_.expectKeyword("MATCH");
        } else {
            cur_.take();  // MATCH
        }
        do {
            match.paths.push_back(parsePath());
        } while (cur_.accept(TokenKind::Comma));
        if (cur_.acceptKeyword("WHERE")) match.where = exprs_.parseExpression();
        return match;
    }

    PathPattern parsePath() {
        if (cur_.atVariable() && cur_.at(TokenKind::Equal, 1)) {
            cur_.failUnsupported(cur_.peek(), "path variables (p = (a)-->(b)) are not supported");
        }
        return parsePathAfter(parseNode());
    }

    PathPattern parsePathAfter(NodePattern first) {
        PathPattern path;
        path.nodes.push_back(std::move(first));
        while (cur_.at(TokenKind::Minus) || (cur_.at(TokenKind::Less) && cur_.at(TokenKind::Minus, 1))) {
            path.relations.push_back(parseRelation());
            path.nodes.push_back(parseNode());
        }
        return path;
    }

    NodePattern parseNode() {
        NodePattern n;
        n.pos = posOf(cur_.peek());
        cur_.expect(TokenKind::LParen, "'(' to start a node pattern");
        if (cur_.atVariable()) n.variable = cur_.take().value;
        if (cur_.at(TokenKind::Colon)) {
            n.labels = parseLabels();
            if (cur_.at(TokenKind::Colon)) {
                // (n:A:B): every label (openCypher); mixed with | it has no meaning in openCypher 9.
                if (n.labels.size() > 1)
                    cur_.failUnsupported(cur_.peek(), "labels joined by both '|' and ':' are not supported");
                n.allLabels = std::move(n.labels);
                n.labels.clear();
                while (cur_.accept(TokenKind::Colon)) n.allLabels.push_back(cur_.expectName("a label after ':'"));
                if (cur_.at(TokenKind::Pipe))
                    cur_.failUnsupported(cur_.peek(), "labels joined by both '|' and ':' are not supported");
            }
        }
        if (cur_.at(TokenKind::LBrace)) n.properties = exprs_.parseMapEntries();
        if (cur_.acceptKeyword("WHERE")) n.where = exprs_.parseExpression();
        cur_.expect(TokenKind::RParen, "')' to close the node pattern");
        return n;
    }

    /// ':' L1 ('|' ':'? L2)*: the alternatives of a label or relationship-type OR.
    std::vector<std::string> parseLabels() {
        cur_.take();  // ':'
        std::vector<std::string> labels{cur_.expectName("a label after ':'")};
        while (cur_.accept(TokenKind::Pipe)) {
            cur_.accept(TokenKind::Colon);
            labels.push_back(cur_.expectName("a label after '|'"));
        }
        return labels;
    }

    /// `-[detail]->`, `<-[detail]-`, `-[detail]-`, `-->`, `<--`, `--` (and `<-[..]->`, either way).
    RelationPattern parseRelation() {
        RelationPattern r;
        r.pos = posOf(cur_.peek());
        bool pointsLeft = cur_.accept(TokenKind::Less);
        cur_.expect(TokenKind::Minus, "'-'");
        if (cur_.accept(TokenKind::LBracket)) {
            if (cur_.atVariable()) r.variable = cur_.take().value;
            if (cur_.at(TokenKind::Colon)) r.labels = parseLabels();
            if (cur_.at(TokenKind::Star)) parseVariableLength(r);
            if (cur_.at(TokenKind::LBrace)) r.properties = exprs_.parseMapEntries();
            if (cur_.acceptKeyword("WHERE")) r.where = exprs_.parseExpression();
            if (!r.variableLength && cur_.at(TokenKind::Star)) parseVariableLength(r);
            cur_.expect(TokenKind::RBracket, "']' to close the relationship pattern");
            cur_.expect(TokenKind::Minus, "'-' after ']'");
        } else {
            cur_.expect(TokenKind::Minus, "'[' or '-' in the relationship pattern");
        }
        bool pointsRight = cur_.accept(TokenKind::Greater);
        r.direction =
            pointsLeft == pointsRight ? Direction::Both : (pointsLeft ? Direction::Left : Direction::Right);
        return r;
    }

    /// `*`, `*2`, `*1..3`, `*..3`, `*2..`: only that it was written is kept (the binder rejects it).
    void parseVariableLength(RelationPattern& r) {
        cur_.take();  // '*'
        r.variableLength = true;
        if (cur_.at(TokenKind::Integer)) checkHopCount(cur_.take());
        if (cur_.accept(TokenKind::DotDot) && cur_.at(TokenKind::Integer)) checkHopCount(cur_.take());
    }

    void checkHopCount(const Token& tok) {
        constexpr size_t kMaxDigits = 18;  // any hop count that fits in int64
        if (tok.value.size() > kMaxDigits)
            cur_.fail(ErrorCode::ParseError, tok, "hop count " + tok.value + " is out of range");
    }

    void parseProjection(QueryPart& part) {
        Token keyword = cur_.take();  // WITH or RETURN
        part.isReturn = equalsIgnoreCase(keyword.value, "RETURN");
        part.distinct = cur_.acceptKeyword("DISTINCT");
        if (cur_.accept(TokenKind::Star)) {
            part.star = true;
            if (!cur_.accept(TokenKind::Comma)) return;
        }
        do {
            ProjectionItem item;
            item.pos = posOf(cur_.peek());
            item.expr = exprs_.parseExpression();
            if (cur_.acceptKeyword("AS")) item.alias = cur_.expectName("an alias after AS");
            part.items.push_back(std::move(item));
        } while (cur_.accept(TokenKind::Comma));
    }

    TokenCursor& cur_;
    ExprParser& exprs_;
};

/// Runs a parse, letting only cq::Error out (parser.h's contract).
template <class F>
auto guarded(F&& parse) -> decltype(parse()) {
    try {
        return parse();
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(ErrorCode::Internal, std::string("internal error while parsing the query: ") + e.what());
    }
}

}  // namespace

Query parseQuery(const std::string& text) {
    return guarded([&] {
        TokenCursor cursor(text);
        ExprParser exprs(cursor);
        return QueryParser(cursor, exprs).parseQuery();
    });
}

ExprPtr parseExpression(const std::string& text) {
    return guarded([&] {
        TokenCursor cursor(text);
        ExprParser exprs(cursor);
        ExprPtr e = exprs.parseExpression();
        if (!cursor.at(TokenKind::End)) cursor.failExpected("an operator or end of input");
        return e;
    });
}

}  // namespace cq::cypher
