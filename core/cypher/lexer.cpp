// SPDX-License-Identifier: MIT
// The Cypher tokenizer: identifiers, `quoted` identifiers, numbers, strings with openCypher escapes,
// $parameters, operators and punctuation. See lexer.h.
#include "core/cypher/lexer.h"

#include "core/common/error.h"
#include "core/common/utf8.h"

namespace cq::cypher {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHexDigit(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
// Bytes >= 0x80 are parts of UTF-8 sequences; accepting them lets identifiers hold non-ASCII letters.
bool isWordStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80;
}
bool isWordChar(char c) { return isWordStart(c) || isDigit(c); }

}  // namespace

std::string locatedMessage(int line, int column, const std::string& message) {
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

char Lexer::peekChar(size_t ahead) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }

void Lexer::advance(size_t count) {
    for (size_t i = 0; i < count && pos_ < text_.size(); ++i) {
        if (text_[pos_] == '\n') {
            ++line_;
            lineStart_ = pos_ + 1;
        }
        ++pos_;
    }
}

void Lexer::fail(const std::string& what, int line, int column) const {
    throw Error(ErrorCode::ParseError, locatedMessage(line, column, what), line, column);
}

void Lexer::skipSpaceAndComments() {
    while (pos_ < text_.size()) {
        char c = text_[pos_];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            advance();
        } else if (c == '/' && peekChar(1) == '/') {
            while (pos_ < text_.size() && text_[pos_] != '\n') advance();
        } else if (c == '/' && peekChar(1) == '*') {
            int line = line_;
            int column = int(pos_ - lineStart_) + 1;
            advance(2);
            while (pos_ < text_.size() && !(text_[pos_] == '*' && peekChar(1) == '/')) advance();
            if (pos_ >= text_.size()) fail("unterminated comment: '/*' has no matching '*/'", line, column);
            advance(2);
        } else {
            return;
        }
    }
}

Token Lexer::next() {
    skipSpaceAndComments();
    Token tok;
    tok.offset = int(pos_);
    tok.line = line_;
    tok.column = int(pos_ - lineStart_) + 1;
    if (pos_ >= text_.size()) {
        tok.kind = TokenKind::End;
        tok.end = tok.offset;
        return tok;
    }
    char c = text_[pos_];
    char n = peekChar(1);
    if (isDigit(c) || (c == '.' && isDigit(n))) return lexNumber(std::move(tok));
    if (c == '\'' || c == '"') return lexString(std::move(tok));
    if (c == '`') return lexQuotedIdentifier(std::move(tok));
    if (isWordStart(c)) return lexWord(std::move(tok));
    if (c == '$') {
        advance();
        Token name = next();
        bool adjacent = name.offset == tok.offset + 1;
        if (!adjacent || (name.kind != TokenKind::Identifier && name.kind != TokenKind::QuotedIdentifier &&
                          name.kind != TokenKind::Integer)) {
            fail("expected a parameter name after '$'", tok.line, tok.column);
        }
        tok.kind = TokenKind::Parameter;
        tok.value = name.value;
        tok.end = name.end;
        return tok;
    }

    size_t length = 1;
    switch (c) {
        case '(': tok.kind = TokenKind::LParen; break;
        case ')': tok.kind = TokenKind::RParen; break;
        case '[': tok.kind = TokenKind::LBracket; break;
        case ']': tok.kind = TokenKind::RBracket; break;
        case '{': tok.kind = TokenKind::LBrace; break;
        case '}': tok.kind = TokenKind::RBrace; break;
        case ',': tok.kind = TokenKind::Comma; break;
        case ':': tok.kind = TokenKind::Colon; break;
        case ';': tok.kind = TokenKind::Semicolon; break;
        case '|': tok.kind = TokenKind::Pipe; break;
        case '+': tok.kind = TokenKind::Plus; break;
        case '-': tok.kind = TokenKind::Minus; break;
        case '*': tok.kind = TokenKind::Star; break;
        case '/': tok.kind = TokenKind::Slash; break;
        case '%': tok.kind = TokenKind::Percent; break;
        case '^': tok.kind = TokenKind::Caret; break;
        case '.':
            if (n == '.') {
                tok.kind = TokenKind::DotDot;
                length = 2;
            } else {
                tok.kind = TokenKind::Dot;
            }
            break;
        case '=':
            if (n == '~') {
                tok.kind = TokenKind::RegexMatch;
                length = 2;
            } else {
                tok.kind = TokenKind::Equal;
            }
            break;
        case '!':
            if (n != '=') fail("unexpected character '!' (did you mean '<>' or '!='?)", tok.line, tok.column);
            tok.kind = TokenKind::NotEqual;
            length = 2;
            break;
        case '<':
            // '<-' is never lexed as one token: in `a<-1` it is "less than minus one".
            if (n == '=') {
                tok.kind = TokenKind::LessEqual;
                length = 2;
            } else if (n == '>') {
                tok.kind = TokenKind::NotEqual;
                length = 2;
            } else {
                tok.kind = TokenKind::Less;
            }
            break;
        case '>':
            if (n == '=') {
                tok.kind = TokenKind::GreaterEqual;
                length = 2;
            } else {
                tok.kind = TokenKind::Greater;
            }
            break;
        default: {
            std::string shown =
                (unsigned char)c < 0x20 ? "\\x" + std::to_string(int((unsigned char)c)) : std::string(1, c);
            fail("unexpected character '" + shown + "'", tok.line, tok.column);
        }
    }
    advance(length);
    tok.end = int(pos_);
    tok.value = text_.substr(size_t(tok.offset), length);
    return tok;
}

Token Lexer::lexNumber(Token tok) {
    // Digits, then an optional fraction (a '.' followed by a digit, so `1..3` stays 1 .. 3) and an
    // optional exponent. A letter right after the number ("12abc", "1e") is an error.
    bool isFloat = false;
    while (isDigit(peekChar())) advance();
    if (peekChar() == '.' && isDigit(peekChar(1))) {
        isFloat = true;
        advance();
        while (isDigit(peekChar())) advance();
    }
    if (peekChar() == 'e' || peekChar() == 'E') {
        size_t digitsAt = (peekChar(1) == '+' || peekChar(1) == '-') ? 2 : 1;
        if (isDigit(peekChar(digitsAt))) {
            isFloat = true;
            advance(digitsAt);
            while (isDigit(peekChar())) advance();
        }
    }
    if (isWordChar(peekChar()) || (peekChar() == '.' && isDigit(peekChar(1)))) {
        size_t stop = pos_;
        while (stop < text_.size() && (isWordChar(text_[stop]) || text_[stop] == '.')) ++stop;
        fail("invalid number '" + text_.substr(size_t(tok.offset), stop - size_t(tok.offset)) + "'", tok.line,
             tok.column);
    }
    tok.kind = isFloat ? TokenKind::Float : TokenKind::Integer;
    tok.end = int(pos_);
    tok.value = text_.substr(size_t(tok.offset), size_t(tok.end - tok.offset));
    return tok;
}

uint32_t Lexer::readHex(int digits) {
    uint32_t v = 0;
    for (int i = 0; i < digits; ++i) {
        char c = peekChar();
        if (!isHexDigit(c)) {
            fail("expected " + std::to_string(digits) + " hexadecimal digits in a unicode escape", line_,
                 int(pos_ - lineStart_) + 1);
        }
        v = v * 16 + uint32_t(isDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
        advance();
    }
    return v;
}

void Lexer::appendEscape(std::string& out) {
    int line = line_;
    int column = int(pos_ - lineStart_) + 1;  // at the backslash
    advance();
    char c = peekChar();
    if (pos_ >= text_.size()) return;  // the caller reports the unterminated string
    switch (c) {
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u':
        case 'U': {
            advance();
            uint32_t cp = readHex(c == 'u' ? 4 : 8);
            if (cp >= 0xD800 && cp <= 0xDBFF && peekChar() == '\\' && peekChar(1) == 'u') {
                advance(2);
                uint32_t low = readHex(4);
                if (low < 0xDC00 || low > 0xDFFF)
                    fail("invalid unicode surrogate pair in escape", line, column);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
                fail("invalid unicode code point in escape", line, column);
            }
            appendUtf8(out, cp);
            return;
        }
        default:
            fail(std::string("invalid escape sequence '\\") + c +
                     "' (valid: \\\\ \\' \\\" \\n \\t \\r \\b \\f \\uXXXX)",
                 line, column);
    }
    advance();
}

Token Lexer::lexString(Token tok) {
    char quote = peekChar();
    advance();
    std::string value;
    while (pos_ < text_.size() && text_[pos_] != quote) {
        if (text_[pos_] == '\\') {
            appendEscape(value);
        } else {
            value += text_[pos_];
            advance();
        }
    }
    if (pos_ >= text_.size()) {
        fail(std::string("unterminated string: the ") + quote + " that starts here is never closed", tok.line,
             tok.column);
    }
    advance();
    tok.kind = TokenKind::String;
    tok.value = std::move(value);
    tok.end = int(pos_);
    return tok;
}

Token Lexer::lexQuotedIdentifier(Token tok) {
    advance();
    std::string value;
    for (;;) {
        if (pos_ >= text_.size()) {
            fail("unterminated quoted identifier: the ` that starts here is never closed", tok.line,
                 tok.column);
        }
        if (text_[pos_] == '`') {
            if (peekChar(1) != '`') break;
            advance();  // `` inside a quoted identifier is one backtick
        }
        value += text_[pos_];
        advance();
    }
    advance();
    if (value.empty()) fail("empty quoted identifier ``", tok.line, tok.column);
    tok.kind = TokenKind::QuotedIdentifier;
    tok.value = std::move(value);
    tok.end = int(pos_);
    return tok;
}

Token Lexer::lexWord(Token tok) {
    while (isWordChar(peekChar())) advance();
    tok.kind = TokenKind::Identifier;
    tok.end = int(pos_);
    tok.value = text_.substr(size_t(tok.offset), size_t(tok.end - tok.offset));
    return tok;
}

}  // namespace cq::cypher
