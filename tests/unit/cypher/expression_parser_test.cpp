// SPDX-License-Identifier: MIT
// Expression parsing: precedence and associativity (openCypher's, not Drasi's single AND/OR level),
// atoms, literals and their values, and the pos/text every Expr must carry.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/cypher/parser.h"
#include "tests/unit/cypher/ast_dump.h"

using cq::cypher::ExprKind;
using cq::cypher::ExprPtr;
using cq::cypher::parseExpression;
using cq::cypher::test::dump;

namespace {

struct ShapeCase {
    const char* text;
    const char* shape;
};

}  // namespace

TEST_CASE("operator precedence and associativity follow openCypher", "[cypher][parser]") {
    const std::vector<ShapeCase> cases = {
        // OR < XOR < AND < NOT < comparison
        {"a OR b AND c", "(or a (and b c))"},
        {"a AND b OR c", "(or (and a b) c)"},
        {"a OR b XOR c AND d", "(or a (xor b (and c d)))"},
        {"a XOR b XOR c", "(xor (xor a b) c)"},
        {"a OR b OR c", "(or (or a b) c)"},
        {"NOT a AND b", "(and (not a) b)"},
        {"NOT a = b", "(not (= a b))"},
        {"NOT NOT a", "(not (not a))"},
        {"a = 1 OR NOT b < 2", "(or (= a 1) (not (< b 2)))"},
        // comparison < predicates < additive
        {"a = b + 1", "(= a (+ b 1))"},
        {"a + 1 IS NULL", "(isnull (+ a 1))"},
        {"a IS NOT NULL AND b IS NULL", "(and (isnotnull a) (isnull b))"},
        {"a = b IS NULL", "(= a (isnull b))"},
        {"x IN [1, 2] = true", "(= (in x (list 1 2)) true)"},
        {"a + b IN c", "(in (+ a b) c)"},
        {"s STARTS WITH 'a' OR s ENDS WITH 'z'", "(or (starts s 'a') (ends s 'z'))"},
        {"s CONTAINS t + 'x'", "(contains s (+ t 'x'))"},
        {"a <> b", "(<> a b)"},
        {"a != b", "(<> a b)"},
        // label predicates bind tighter than NOT and comparisons
        {"NOT n:A", "(not (labels n :A))"},
        {"n:A:B AND m:C", "(and (labels n :A :B) (labels m :C))"},
        {"n:A = true", "(= (labels n :A) true)"},
        {"n:A|B|:C", "(or (or (labels n :A) (labels n :B)) (labels n :C))"},
        {"a < b", "(< a b)"},
        {"a <= b", "(<= a b)"},
        {"a > b", "(> a b)"},
        {"a >= b", "(>= a b)"},
        // arithmetic
        {"1 + 2 * 3", "(+ 1 (* 2 3))"},
        {"1 - 2 - 3", "(- (- 1 2) 3)"},
        {"8 / 4 / 2", "(/ (/ 8 4) 2)"},
        {"a * b % c", "(% (* a b) c)"},
        {"a + b ^ c * d", "(+ a (* (^ b c) d))"},
        {"2 ^ 3 ^ 2", "(^ (^ 2 3) 2)"},
        {"(1 + 2) * 3", "(* (+ 1 2) 3)"},
        // unary binds tighter than ^ and looser than postfix
        {"-a ^ 2", "(^ (neg a) 2)"},
        {"-a.b", "(neg (. a b))"},
        {"- -a", "(neg (neg a))"},
        {"+a", "a"},
        {"1 - -2", "(- 1 -2)"},
        {"a-1", "(- a 1)"},
        {"-x[0]", "(neg ([] x 0))"},
        // postfix chains
        {"a.b.c", "(. (. a b) c)"},
        {"a.b[0].c", "(. ([] (. a b) 0) c)"},
        {"a['k']", "([] a 'k')"},
        {"list[1..3]", "([..] list 1 3)"},
        {"list[..-5]", "([..] list _ -5)"},
        {"list[2..]", "([..] list 2 _)"},
        {"list[..]", "([..] list _ _)"},
        {"[1, 2, 3][0]", "([] (list 1 2 3) 0)"},
        {"n.`dapr.io/app-id`", "(. n dapr.io/app-id)"},
        {"n.end + n.count", "(+ (. n end) (. n count))"},
        // function calls and property access
        {"f(a, b)", "(call f a b)"},
        {"f()", "(call f)"},
        {"drasi.trueFor(a > 1, duration({seconds: 5}))",
         "(call drasi.trueFor (> a 1) (call duration (map seconds:5)))"},
        {"datetime.realtime()", "(call datetime.realtime)"},
        {"a.b.c(1)", "(call a.b.c 1)"},
        {"coll.distinct([1])", "(call coll.distinct (list 1))"},
        {"date (x.due)", "(call date (. x due))"},
        {"f(x).key", "(. (call f x) key)"},
        {"drasi.getVersionByTimestamp(t, 999).Value", "(. (call drasi.getVersionByTimestamp t 999) Value)"},
        {"count(*)", "(call count *)"},
        {"COUNT(*)", "(call COUNT *)"},
        {"count(n)", "(call count n)"},
        {"count(DISTINCT n.x)", "(call count distinct (. n x))"},
        {"any(x IN l WHERE x > 1)", "(any x l (> x 1))"},
        {"exists(n.x) AND NOT EXISTS(n.y)", "(and (isnotnull (. n x)) (not (isnotnull (. n y))))"},
        {"s =~ 'a.*' AND NOT t =~ 'b'", "(and (=~ s 'a.*') (not (=~ t 'b')))"},
        {"n {.a, .*, k: 1 + 2, v}", "(proj n a:(. n a) *:_ k:(+ 1 2) v:v)"},
        {"n {}.a", "(. (proj n) a)"},
        {"NOT All(x IN [1] WHERE x = 1)", "(not (all x (list 1) (= x 1)))"},
        {"single(x IN n.l WHERE x)", "(single x (. n l) x)"},
        {"all(1)", "(call all 1)"},
        {"collect(distinct a + 1)", "(call collect distinct (+ a 1))"},
        // atoms
        {"$param", "$param"},
        {"[]", "(list)"},
        {"{}", "(map)"},
        {"{a: 1, 'b c': 'x', `d`: [2]}", "(map a:1 b c:'x' d:(list 2))"},
        {"[x IN xs WHERE x > 1 | x * 2]", "(comp x xs (> x 1) (* x 2))"},
        {"[x IN xs WHERE x > 1]", "(comp x xs (> x 1) _)"},
        {"[x IN xs | x.name]", "(comp x xs _ (. x name))"},
        {"[x IN xs]", "(comp x xs _ _)"},
        {"[x IN [1,2], 3]", ""},  // not a list literal: a comprehension must be followed by ']'
        {"head(c IN list WHERE c.name = 'sidecar')", "(call head (comp c list (= (. c name) 'sidecar') _))"},
        {"f(x IN xs | x + 1)", "(call f (comp x xs _ (+ x 1)))"},
        {"f(x IN xs)", "(call f (in x xs))"},
        {"reduce(acc = 0, x IN xs | acc + x)", "(reduce acc 0 x xs (+ acc x))"},
        {"reduce (count = 0, v IN n.p where 1 = 0| count + 1)",
         "(reduce count 0 v (comp v (. n p) (= 1 0) _) (+ count 1))"},
        {"CASE WHEN a THEN 1 ELSE 2 END", "(case _ a 1 2)"},
        {"CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' END", "(case x 1 'a' 2 'b' _)"},
        {"case count when 0 then null else count end", "(case count 0 null count)"},
        {"CASE WHEN a > 1 THEN b END + 1", "(+ (case _ (> a 1) b _) 1)"},
        {"true AND FALSE OR Null", "(or (and true false) null)"},
    };
    for (const ShapeCase& c : cases) {
        INFO("expression: " << c.text);
        if (std::string(c.shape).empty()) {
            REQUIRE_THROWS_AS(parseExpression(c.text), cq::Error);
        } else {
            CHECK(dump(parseExpression(c.text)) == c.shape);
        }
    }
}

TEST_CASE("keywords are case-insensitive", "[cypher][parser]") {
    CHECK(dump(parseExpression("a and b Or not c")) == "(or (and a b) (not c))");
    CHECK(dump(parseExpression("s starts with 'x'")) == "(starts s 'x')");
    CHECK(dump(parseExpression("a iS nOt NuLl")) == "(isnotnull a)");
    CHECK(dump(parseExpression("TRUE")) == "true");
}

TEST_CASE("number literals have the right kind and value", "[cypher][parser]") {
    auto literal = [](const std::string& text) {
        ExprPtr e = parseExpression(text);
        REQUIRE(e->kind == ExprKind::Literal);
        return e->literal;
    };
    CHECK(literal("42").asInt() == 42);
    CHECK(literal("-42").asInt() == -42);
    CHECK(literal("0").asInt() == 0);
    CHECK(literal("9223372036854775807").asInt() == INT64_MAX);
    CHECK(literal("-9223372036854775808").asInt() == INT64_MIN);
    CHECK(literal("- 9223372036854775808").asInt() == INT64_MIN);
    CHECK(literal("1.5").asFloat() == 1.5);
    CHECK(literal(".5").asFloat() == 0.5);
    CHECK(literal("1e3").asFloat() == 1000.0);
    CHECK(literal("1E3").asFloat() == 1000.0);
    CHECK(literal("1.5e-3").asFloat() == Approx(0.0015));
    CHECK(literal("2e+2").asFloat() == 200.0);
    CHECK(literal("-0.25").asFloat() == -0.25);
    CHECK(literal("10000.0").isFloat());
    CHECK(literal("true").asBool());
    CHECK_FALSE(literal("false").asBool());
    CHECK(literal("null").isNull());
}

TEST_CASE("out-of-range and malformed numbers are parse errors", "[cypher][parser]") {
    for (const char* text : {"9223372036854775808", "-9223372036854775809", "99999999999999999999", "1e999",
                             "12abc", "1e", "1.5.3", "1.2e3x"}) {
        INFO("expression: " << text);
        try {
            parseExpression(text);
            FAIL("no error");
        } catch (const cq::Error& e) {
            CHECK(e.code() == cq::ErrorCode::ParseError);
            CHECK(e.line() == 1);
            CHECK(e.column() >= 1);
        }
    }
}

TEST_CASE("string literals decode openCypher escapes", "[cypher][parser]") {
    auto str = [](const std::string& text) {
        ExprPtr e = parseExpression(text);
        REQUIRE(e->kind == ExprKind::Literal);
        return e->literal.asString();
    };
    CHECK(str("'hello'") == "hello");
    CHECK(str("\"hello\"") == "hello");
    CHECK(str("''") == "");
    CHECK(str(R"('it\'s')") == "it's");
    CHECK(str(R"("say \"hi\"")") == "say \"hi\"");
    CHECK(str(R"('a"b')") == "a\"b");
    CHECK(str(R"("a'b")") == "a'b");
    CHECK(str(R"('back\\slash')") == "back\\slash");
    CHECK(str(R"('a\nb\tc\rd')") == "a\nb\tc\rd");
    CHECK(str(R"('\u00e9')") == "\xc3\xa9");
    CHECK(str(R"('\u20AC')") == "\xe2\x82\xac");
    CHECK(str(R"('\uD83D\uDE00')") == "\xf0\x9f\x98\x80");
    CHECK(str("'caf\xc3\xa9'") == "caf\xc3\xa9");
    CHECK(str("'two\nlines'") == "two\nlines");
    CHECK(str("'-- // not a comment'") == "-- // not a comment");
    for (const char* bad : {R"('\q')", R"('\u12')", R"('\uD800')", "'open", "\"open", R"('ends with \')"}) {
        INFO("expression: " << bad);
        CHECK_THROWS_AS(parseExpression(bad), cq::Error);
    }
}

TEST_CASE("every expression carries its position and exact source text", "[cypher][parser]") {
    const std::string text = "  f(a.b, 1) +\n  -x[2] * (y OR z)  ";
    ExprPtr e = parseExpression(text);
    REQUIRE(dump(e) == "(+ (call f (. a b) 1) (* (neg ([] x 2)) (or y z)))");
    CHECK(e->text == "f(a.b, 1) +\n  -x[2] * (y OR z)");
    CHECK(e->pos.offset == 2);
    CHECK(e->pos.line == 1);
    CHECK(e->pos.column == 3);

    const ExprPtr& call = e->children[0];
    CHECK(call->text == "f(a.b, 1)");
    CHECK(call->pos.column == 3);
    CHECK(call->children[0]->text == "a.b");
    CHECK(call->children[0]->pos.column == 5);
    CHECK(call->children[1]->text == "1");
    CHECK(call->children[1]->pos.column == 10);

    const ExprPtr& product = e->children[1];
    CHECK(product->text == "-x[2] * (y OR z)");
    CHECK(product->pos.line == 2);
    CHECK(product->pos.column == 3);
    CHECK(product->children[0]->text == "-x[2]");
    CHECK(product->children[0]->children[0]->text == "x[2]");
    CHECK(product->children[0]->children[0]->pos.column == 4);
    // A parenthesized expression keeps the text inside the parentheses.
    CHECK(product->children[1]->text == "y OR z");
    CHECK(product->children[1]->pos.column == 12);
    CHECK(size_t(product->children[1]->pos.offset) == text.find("y OR"));
}

TEST_CASE("function call sites have distinct positions at the function name", "[cypher][parser]") {
    ExprPtr e = parseExpression("drasi.trueFor(x, 1) OR drasi.trueFor(x, 1)");
    REQUIRE(e->children.size() == 2);
    const ExprPtr& first = e->children[0];
    const ExprPtr& second = e->children[1];
    CHECK(first->kind == ExprKind::FunctionCall);
    CHECK(first->name == "drasi.trueFor");
    CHECK(first->pos.offset == 0);
    CHECK(second->pos.offset == 23);
    CHECK(second->pos.column == 24);
    CHECK(first->text == second->text);

    ExprPtr prop = parseExpression("f(x).key");
    CHECK(prop->kind == ExprKind::Property);
    CHECK(prop->text == "f(x).key");
    CHECK(prop->children[0]->text == "f(x)");
}

TEST_CASE("literal text and negative-literal folding", "[cypher][parser]") {
    ExprPtr e = parseExpression("[5, -3423, 'x', null][1]");
    REQUIRE(e->kind == ExprKind::Index);
    const ExprPtr& list = e->children[0];
    CHECK(list->text == "[5, -3423, 'x', null]");
    CHECK(list->children[1]->kind == ExprKind::Literal);
    CHECK(list->children[1]->literal.asInt() == -3423);
    CHECK(list->children[1]->text == "-3423");
    CHECK(list->children[2]->text == "'x'");
    ExprPtr param = parseExpression("$name");
    CHECK(param->kind == ExprKind::Parameter);
    CHECK(param->name == "name");
    CHECK(param->text == "$name");
}

TEST_CASE("reduce and comprehension layout", "[cypher][parser]") {
    ExprPtr r = parseExpression("reduce(total = 0.0, v IN vs | total + v.x)");
    REQUIRE(r->kind == ExprKind::Reduce);
    CHECK(r->name == "total");
    CHECK(r->name2 == "v");
    REQUIRE(r->children.size() == 3);
    CHECK(r->children[0]->literal.asFloat() == 0.0);
    CHECK(r->children[1]->text == "vs");
    CHECK(r->children[2]->text == "total + v.x");

    ExprPtr c = parseExpression("[x IN range(1, 3) WHERE x <> 2 | x * x]");
    REQUIRE(c->kind == ExprKind::ListComprehension);
    CHECK(c->name == "x");
    REQUIRE(c->children.size() == 3);
    CHECK(c->children[0]->text == "range(1, 3)");
    CHECK(c->children[1]->text == "x <> 2");
    CHECK(c->children[2]->text == "x * x");
}

TEST_CASE("comments and whitespace are skipped inside expressions", "[cypher][parser]") {
    CHECK(dump(parseExpression("a /* inline */ + // to the end\n b")) == "(+ a b)");
    CHECK(dump(parseExpression("\t\r\n a\n")) == "a");
}

TEST_CASE("unsupported expression forms", "[cypher][parser]") {
    for (const char* text : {"EXISTS(n)", "exists(n.x + 1)", "exists { MATCH (n) }", "n:A:B|C", "n:A|B:C",
                             "(a)-[:X]->(b)", "(a)<-[:X]-(b)", "(a)--(b)", "(:L)", "()"}) {
        INFO("expression: " << text);
        try {
            parseExpression(text);
            FAIL("no error");
        } catch (const cq::Error& e) {
            CHECK(e.code() == cq::ErrorCode::Unsupported);
            CHECK(e.line() == 1);
            CHECK(std::string(e.what()).find("line 1, column ") == 0);
        }
    }
    // These look similar but are arithmetic and comparison, not patterns.
    CHECK(dump(parseExpression("(a) - [1][0]")) == "(- a ([] (list 1) 0))");
    CHECK(dump(parseExpression("(a) < -1")) == "(< a -1)");
}

TEST_CASE("malformed expressions are parse errors", "[cypher][parser]") {
    const char* const malformed[] = {
        "", "a +", "(a", "a)", "[1, 2", "{a 1}", "{a: 1", "f(a,)", "f(*)", "a.", "a[1", "CASE END",
        "CASE WHEN a THEN b", "reduce(acc, x IN xs | acc)", "a IS 1", "a STARTS b", "[x IN xs WHERE]", "1 2",
        "a ! b", "a ~ b", "RETURN", "a AND", "`unterminated", "``", "/* open comment", "$", "$ x", "x[..1..2]",
    };
    for (const char* text : malformed) {
        INFO("expression: '" << text << "'");
        try {
            parseExpression(text);
            FAIL("no error");
        } catch (const cq::Error& e) {
            CHECK(e.code() == cq::ErrorCode::ParseError);
            CHECK(e.line() >= 1);
            CHECK(e.column() >= 1);
        }
    }
}

TEST_CASE("very deep nesting is rejected instead of exhausting the stack", "[cypher][parser]") {
    CHECK(dump(parseExpression(std::string(50, '(') + "1" + std::string(50, ')'))) == "1");
    const std::string deep = std::string(100000, '(') + "1" + std::string(100000, ')');
    CHECK_THROWS_AS(parseExpression(deep), cq::Error);
    std::string nots;
    for (int i = 0; i < 100000; ++i) nots += "NOT ";
    CHECK_THROWS_AS(parseExpression(nots + "x"), cq::Error);
    CHECK_THROWS_AS(parseExpression(std::string(100000, '-') + "x"), cq::Error);
    CHECK_THROWS_AS(parseExpression(std::string(100000, '[') + std::string(100000, ']')), cq::Error);
}

TEST_CASE("long operator chains are capped because they build deep trees", "[cypher][parser]") {
    auto chain = [](const std::string& first, const std::string& link, int count) {
        std::string text = first;
        for (int i = 0; i < count; ++i) text += link;
        return text;
    };
    // A generated filter with hundreds of alternatives is fine...
    ExprPtr ors = parseExpression(chain("n.id = 0", " OR n.id = 1", 500));
    CHECK(ors->kind == ExprKind::Binary);
    CHECK(ors->children[1]->text == "n.id = 1");
    // ...but a chain whose tree would be 100000 levels deep is an error, not a stack overflow.
    for (const char* link : {" + 1", " OR x", " AND x", " * 2", " ^ 2", ".k", "[0]", " IS NULL", " = 1"}) {
        INFO("link: " << link);
        CHECK_THROWS_AS(parseExpression(chain("x", link, 100000)), cq::Error);
    }
}
