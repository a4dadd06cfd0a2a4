// SPDX-License-Identifier: MIT
// The tokenizer of the Cypher parser. It is pulled one token at a time by core/cypher/parser.cpp,
// so a lexical error (an unterminated string, say) is reported only when the parser reaches it and
// errors come out in text order. Keywords are not a token kind: they are Identifier tokens that the
// parser compares case-insensitively, because most keywords are also valid property keys (n.end).
#pragma once
#include <cstdint>
#include <string>

namespace cq::cypher {

enum class TokenKind : uint8_t {
    End,               ///< end of input
    Identifier,        ///< a word; value = the word
    QuotedIdentifier,  ///< `...`; value = the name without backticks (never a keyword)
    Integer,           ///< value = the digits as written (converted by the parser: -2^63 needs the sign)
    Float,             ///< value = the number as written
    String,            ///< value = the decoded contents
    Parameter,         ///< $name; value = name
    LParen, RParen, LBracket, RBracket, LBrace, RBrace,
    Comma, Dot, DotDot, Colon, Semicolon, Pipe,
    Plus, Minus, Star, Slash, Percent, Caret,
    Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, RegexMatch,
};

/// A token and where it is. `offset`/`end` are byte offsets into the query text, so the parser can
/// take the exact source text of an expression as text.substr(first.offset, last.end - first.offset).
struct Token {
    TokenKind kind = TokenKind::End;
    std::string value;
    int offset = 0;
    int end = 0;
    int line = 1;
    int column = 1;
};

/// Splits a query into tokens, skipping whitespace and comments (`// ...` and `/* ... */`).
/// Throws cq::Error(ParseError) with line and column for text that is not a token.
class Lexer {
public:
    explicit Lexer(const std::string& text) : text_(text) {}

    /// The next token; after the end of input it keeps returning End.
    Token next();

private:
    void skipSpaceAndComments();
    Token lexNumber(Token tok);
    Token lexString(Token tok);
    Token lexQuotedIdentifier(Token tok);
    Token lexWord(Token tok);
    void appendEscape(std::string& out);
    uint32_t readHex(int digits);
    char peekChar(size_t ahead = 0) const;
    void advance(size_t count = 1);
    [[noreturn]] void fail(const std::string& what, int line, int column) const;

    const std::string& text_;
    size_t pos_ = 0;
    int line_ = 1;
    size_t lineStart_ = 0;
};

/// Formats "line L, column C: message", the prefix every parser error message carries.
std::string locatedMessage(int line, int column, const std::string& message);

}  // namespace cq::cypher
