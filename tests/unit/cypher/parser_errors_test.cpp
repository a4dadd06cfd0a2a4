// SPDX-License-Identifier: MIT
// Error reporting: the code, the 1-based line and column, and a message that says "line L, column C:
// expected X but found Y". Unsupported clauses and pattern forms fail with ErrorCode::Unsupported.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/cypher/parser.h"

using cq::ErrorCode;

namespace {

struct ErrorCase {
    const char* query;
    ErrorCode code;
    int line;
    int column;
    std::vector<std::string> messageParts;
};

void checkError(const ErrorCase& c) {
    INFO("query: " << c.query);
    try {
        cq::cypher::parseQuery(c.query);
        FAIL_CHECK("the query parsed");
    } catch (const cq::Error& e) {
        INFO("message: " << e.what());
        CHECK(e.code() == c.code);
        CHECK(e.line() == c.line);
        CHECK(e.column() == c.column);
        std::string prefix = "line " + std::to_string(c.line) + ", column " + std::to_string(c.column) + ": ";
        CHECK(std::string(e.what()).rfind(prefix, 0) == 0);
        for (const std::string& part : c.messageParts) CHECK(std::string(e.what()).find(part) != std::string::npos);
    }
}

}  // namespace

TEST_CASE("syntax errors say where, what was expected and what was found", "[cypher][parser]") {
    const std::vector<ErrorCase> cases = {
        {"MATCH (a:L\n  WHERE a.x = 1\n  RETURN a", ErrorCode::ParseError, 3, 3, {"expected ')'", "found 'RETURN'"}},
        {"MATCH (n) RETURN n.x AS", ErrorCode::ParseError, 1, 24, {"alias", "found end of input"}},
        {"MATCH (n)", ErrorCode::ParseError, 1, 10, {"RETURN", "found end of input"}},
        {"", ErrorCode::ParseError, 1, 1, {"MATCH", "found end of input"}},
        {"   \n  // only a comment\n", ErrorCode::ParseError, 3, 1, {"found end of input"}},
        {"MATCH (n) RETURN n n", ErrorCode::ParseError, 1, 20, {"end of input", "found 'n'"}},
        {"MATCH (n) WITH n", ErrorCode::ParseError, 1, 17, {"RETURN", "found end of input"}},
        {"MATCH (n) WHERE RETURN n", ErrorCode::ParseError, 1, 17, {"expected an expression", "'RETURN'"}},
        {"MATCH (n) WHERE n.x = 1 WHERE n.y = 2 RETURN n", ErrorCode::ParseError, 1, 25, {"'WHERE'"}},
        {"MATCH n RETURN n", ErrorCode::ParseError, 1, 7, {"'('", "found 'n'"}},
        {"MATCH (a)-[r:T->(b) RETURN a", ErrorCode::ParseError, 1, 15, {"']'", "found '-'"}},
        {"MATCH (a)-[r]>(b) RETURN a", ErrorCode::ParseError, 1, 14, {"'-'", "found '>'"}},
        {"MATCH (a)-(b) RETURN a", ErrorCode::ParseError, 1, 11, {"'[' or '-'", "found '('"}},
        {"MATCH (a {k 1}) RETURN a", ErrorCode::ParseError, 1, 13, {"':'", "found '1'"}},
        {"MATCH (a) RETURN f(a,", ErrorCode::ParseError, 1, 22, {"expected an expression", "end of input"}},
        {"MATCH (a) RETURN 'unterminated", ErrorCode::ParseError, 1, 18, {"unterminated string"}},
        {"MATCH (a)\nRETURN \"x", ErrorCode::ParseError, 2, 8, {"unterminated string"}},
        {"MATCH (a) /* comment\nRETURN a", ErrorCode::ParseError, 1, 11, {"unterminated comment"}},
        {"MATCH (a) RETURN 12abc", ErrorCode::ParseError, 1, 18, {"invalid number '12abc'"}},
        {"MATCH (a)\n RETURN 9223372036854775808", ErrorCode::ParseError, 2, 9, {"out of range"}},
        {"MATCH (a) RETURN a # b", ErrorCode::ParseError, 1, 20, {"unexpected character '#'"}},
        {"MATCH (a) RETURN '\\x'", ErrorCode::ParseError, 1, 19, {"invalid escape sequence"}},
        {"MATCH (`a) RETURN a", ErrorCode::ParseError, 1, 8, {"unterminated quoted identifier"}},
        {"OPTIONAL (a) RETURN a", ErrorCode::ParseError, 1, 10, {"MATCH", "found '('"}},
        {"MATCH (a) RETURN CASE a WHEN 1 THEN 2", ErrorCode::ParseError, 1, 38, {"END", "end of input"}},
        {"MATCH (a) RETURN a IS 1", ErrorCode::ParseError, 1, 23, {"NULL", "found '1'"}},
        {"MATCH (a) RETURN [1, 2", ErrorCode::ParseError, 1, 23, {"']'", "end of input"}},
        {"MATCH (WHERE) RETURN 1", ErrorCode::ParseError, 1, 13, {"expected an expression", "found ')'"}},
    };
    for (const ErrorCase& c : cases) checkError(c);
}

TEST_CASE("unsupported clauses and forms fail with Unsupported and a position", "[cypher][parser]") {
    const std::vector<ErrorCase> cases = {
        {"MATCH (n) RETURN n ORDER BY n.x", ErrorCode::Unsupported, 1, 20,
         {"ORDER BY is not supported in continuous queries"}},
        {"MATCH (n)\nRETURN n\nSKIP 1", ErrorCode::Unsupported, 3, 1, {"SKIP is not supported"}},
        {"MATCH (n) RETURN n LIMIT 10", ErrorCode::Unsupported, 1, 20, {"LIMIT is not supported"}},
        {"MATCH (n) WITH n ORDER BY n.x RETURN n", ErrorCode::Unsupported, 1, 18, {"ORDER BY"}},
        {"MATCH (n) WITH n WHERE n.x LIMIT 1 RETURN n", ErrorCode::Unsupported, 1, 28, {"LIMIT"}},
        {"MATCH (n) UNWIND n.x RETURN n", ErrorCode::ParseError, 1, 22, {"AS"}},
        {"MATCH (n) UNWIND n.x AS x", ErrorCode::ParseError, 1, 26, {"RETURN"}},
        {"MATCH (n) RETURN n UNION MATCH (m) RETURN m", ErrorCode::Unsupported, 1, 20, {"UNION"}},
        {"CALL db.labels() YIELD label RETURN label", ErrorCode::Unsupported, 1, 1, {"CALL"}},
        {"CREATE (n:L) RETURN n", ErrorCode::Unsupported, 1, 1, {"CREATE"}},
        {"MERGE (n:L) RETURN n", ErrorCode::Unsupported, 1, 1, {"MERGE"}},
        {"MATCH (n) SET n.x = 1 RETURN n", ErrorCode::Unsupported, 1, 11, {"SET"}},
        {"MATCH (n) WHERE n.x SET n.x = 1 RETURN n", ErrorCode::Unsupported, 1, 21, {"SET"}},
        {"MATCH (n) DELETE n RETURN n", ErrorCode::Unsupported, 1, 11, {"DELETE"}},
        {"MATCH (n) DETACH DELETE n RETURN n", ErrorCode::Unsupported, 1, 11, {"DETACH DELETE"}},
        {"MATCH (n) REMOVE n.x RETURN n", ErrorCode::Unsupported, 1, 11, {"REMOVE"}},
        {"MATCH (n) RETURN *,", ErrorCode::ParseError, 1, 20, {"expression"}},
        {"MATCH (n:A|B:C) RETURN n", ErrorCode::Unsupported, 1, 13, {"both '|' and ':'"}},
        {"MATCH (n:A:B|C) RETURN n", ErrorCode::Unsupported, 1, 13, {"both '|' and ':'"}},
        {"MATCH (n) WHERE n:A:B|C RETURN n", ErrorCode::Unsupported, 1, 22, {"both '|' and ':'"}},
        {"MATCH (n) WHERE n:1 RETURN n", ErrorCode::ParseError, 1, 19, {"a label after ':'"}},
        {"MATCH p = (a)-->(b) RETURN a", ErrorCode::Unsupported, 1, 7, {"path variables"}},
        {"MATCH (n) WHERE EXISTS { MATCH (n)-->() WHERE n.x > 1 } RETURN n", ErrorCode::Unsupported, 1, 41, {"WHERE or several"}},
        {"MATCH (n) WHERE EXISTS { (n) } RETURN n", ErrorCode::Unsupported, 1, 17, {"needs a relationship"}},
        {"MATCH (n) WHERE exists((n)) RETURN n", ErrorCode::Unsupported, 1, 17, {"a property or a pattern"}},
        {"MATCH (n) WHERE ()-->(n) RETURN n", ErrorCode::Unsupported, 1, 17, {"must start at a variable"}},
        {"MATCH (n) WHERE exists(n.x + 1) RETURN n", ErrorCode::Unsupported, 1, 17, {"EXISTS takes a property"}},
    };
    for (const ErrorCase& c : cases) checkError(c);
}

TEST_CASE("a trailing semicolon is accepted", "[cypher][parser]") {
    CHECK(cq::cypher::parseQuery("MATCH (n) RETURN n;").parts.size() == 1);
    CHECK_THROWS_AS(cq::cypher::parseQuery("MATCH (n) RETURN n;;"), cq::Error);
}
