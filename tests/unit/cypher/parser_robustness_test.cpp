// SPDX-License-Identifier: MIT
// Robustness: random sequences of Cypher fragments (fixed seed, so failures reproduce) must either
// parse or fail with cq::Error carrying ParseError or Unsupported and a position; nothing else may
// escape, and nothing may crash (run under CQ_SANITIZE to check memory safety too).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/cypher/parser.h"

TEST_CASE("random fragment soups parse or fail cleanly", "[cypher][parser]") {
    const std::vector<std::string> fragments = {
        "MATCH", "OPTIONAL", "WITH", "RETURN", "WHERE", "AS", "DISTINCT", "AND", "OR", "XOR", "NOT", "IN",
        "IS", "NULL", "CASE", "WHEN", "THEN", "ELSE", "END", "STARTS", "WITH", "reduce", "count", "ORDER",
        "(", ")", "[", "]", "{", "}", ",", ".", "..", ":", "|", "-", "->", "<-", "--", "*", "+", "/", "%",
        "^", "=", "<>", "<", ">=", "a", "b", "n.x", "f(", "drasi.trueFor(", "'s'", "\"t\"", "1", "2.5",
        "-3", "$p", "`q`", "true", "// c\n", "/* c */", "\n", " ", "x IN [1,2]", "*1..3", "9223372036854775808",
        "'\\u00e9'", "'\\x'", "'open", "/* open",
    };
    std::mt19937 rng(20261201);
    std::uniform_int_distribution<size_t> pick(0, fragments.size() - 1);
    std::uniform_int_distribution<int> length(1, 24);
    int parsed = 0;
    int rejected = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string text = round % 2 == 0 ? "MATCH (n) RETURN " : "";
        for (int i = length(rng); i > 0; --i) text += fragments[pick(rng)] + " ";
        try {
            cq::cypher::parseQuery(text);
            ++parsed;
        } catch (const cq::Error& e) {
            ++rejected;
            bool knownCode = e.code() == cq::ErrorCode::ParseError || e.code() == cq::ErrorCode::Unsupported;
            if (!knownCode || e.line() < 1 || e.column() < 1) FAIL_CHECK(text << " -> " << e.what());
        } catch (...) {
            FAIL_CHECK("a non-cq::Error exception for: " << text);
        }
    }
    CHECK(parsed > 0);
    CHECK(rejected > 0);
}
