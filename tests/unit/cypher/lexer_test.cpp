// SPDX-License-Identifier: MIT
// The tokenizer on its own: token kinds, values, byte offsets, lines and columns, and the cases
// where two readings compete (`1..3`, `<-`, `.5`, `$name`).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/cypher/lexer.h"

using cq::cypher::Lexer;
using cq::cypher::Token;
using cq::cypher::TokenKind;

namespace {

std::vector<Token> lexAll(const std::string& text) {
    Lexer lexer(text);
    std::vector<Token> tokens;
    for (;;) {
        tokens.push_back(lexer.next());
        if (tokens.back().kind == TokenKind::End) return tokens;
    }
}

std::vector<TokenKind> kinds(const std::string& text) {
    std::vector<TokenKind> out;
    for (const Token& t : lexAll(text)) out.push_back(t.kind);
    return out;
}

}  // namespace

TEST_CASE("ranges, floats and dots are told apart", "[cypher][lexer]") {
    using K = TokenKind;
    CHECK(kinds("1..3") == std::vector<K>{K::Integer, K::DotDot, K::Integer, K::End});
    CHECK(kinds("*..3") == std::vector<K>{K::Star, K::DotDot, K::Integer, K::End});
    CHECK(kinds("1.5") == std::vector<K>{K::Float, K::End});
    CHECK(kinds(".5") == std::vector<K>{K::Float, K::End});
    CHECK(kinds("a.b") == std::vector<K>{K::Identifier, K::Dot, K::Identifier, K::End});
    CHECK(kinds("a.e1") == std::vector<K>{K::Identifier, K::Dot, K::Identifier, K::End});
    CHECK(kinds("1e5 1E-5 1.5e+5") == std::vector<K>{K::Float, K::Float, K::Float, K::End});
    CHECK(kinds("[..-5]") == std::vector<K>{K::LBracket, K::DotDot, K::Minus, K::Integer, K::RBracket, K::End});
}

TEST_CASE("arrows are lexed as separate characters", "[cypher][lexer]") {
    using K = TokenKind;
    CHECK(kinds("<-[") == std::vector<K>{K::Less, K::Minus, K::LBracket, K::End});
    CHECK(kinds("]->") == std::vector<K>{K::RBracket, K::Minus, K::Greater, K::End});
    CHECK(kinds("<--") == std::vector<K>{K::Less, K::Minus, K::Minus, K::End});
    CHECK(kinds("<= >= <> != = =~") == std::vector<K>{K::LessEqual, K::GreaterEqual, K::NotEqual, K::NotEqual,
                                                        K::Equal, K::RegexMatch, K::End});
}

TEST_CASE("token values and positions", "[cypher][lexer]") {
    std::vector<Token> t = lexAll("MATCH (n)\r\n  RETURN `a b`, $p, 'x\\ty' // c\n/* d */ 42");
    REQUIRE(t.size() == 12);
    CHECK(t[0].kind == TokenKind::Identifier);
    CHECK(t[0].value == "MATCH");
    CHECK(t[0].offset == 0);
    CHECK(t[0].end == 5);
    CHECK(t[4].value == "RETURN");
    CHECK(t[4].line == 2);
    CHECK(t[4].column == 3);
    CHECK(t[5].kind == TokenKind::QuotedIdentifier);
    CHECK(t[5].value == "a b");
    CHECK(t[5].column == 10);
    CHECK(t[5].end - t[5].offset == 5);
    CHECK(t[7].kind == TokenKind::Parameter);
    CHECK(t[7].value == "p");
    CHECK(t[9].kind == TokenKind::String);
    CHECK(t[9].value == "x\ty");
    CHECK(t[10].kind == TokenKind::Integer);
    CHECK(t[10].value == "42");
    CHECK(t[10].line == 3);
    CHECK(t[10].column == 9);
    CHECK(t[11].kind == TokenKind::End);
}

TEST_CASE("quoted identifiers allow doubled backticks", "[cypher][lexer]") {
    std::vector<Token> t = lexAll("`a``b`");
    REQUIRE(t.size() == 2);
    CHECK(t[0].value == "a`b");
}

TEST_CASE("lexical errors carry the position of the offending token", "[cypher][lexer]") {
    struct Case {
        const char* text;
        int line;
        int column;
    };
    for (const Case& c : {Case{"a\n  'open", 2, 3}, Case{"x /* never closed", 1, 3}, Case{"\n\n  @", 3, 3},
                          Case{"$ x", 1, 1}, Case{"1.5e", 1, 1}, Case{"'\\uZZZZ'", 1, 4}}) {
        INFO("text: " << c.text);
        try {
            lexAll(c.text);
            FAIL_CHECK("no error");
        } catch (const cq::Error& e) {
            CHECK(e.code() == cq::ErrorCode::ParseError);
            CHECK(e.line() == c.line);
            CHECK(e.column() == c.column);
        }
    }
}
