// SPDX-License-Identifier: MIT
// Query structure: parts, MATCH / OPTIONAL MATCH, WHERE placement (a WITH's WHERE belongs to the
// next part), projections, and node and relationship patterns in every direction.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/cypher/parser.h"
#include "tests/unit/cypher/ast_dump.h"

using namespace cq::cypher;
using cq::cypher::test::dump;

TEST_CASE("a single-part query", "[cypher][parser]") {
    Query q = parseQuery("MATCH (a:Room)-[r:PART_OF]->(f:Floor) WHERE a.temp > 70 RETURN a.temp AS t, f");
    CHECK(q.text == "MATCH (a:Room)-[r:PART_OF]->(f:Floor) WHERE a.temp > 70 RETURN a.temp AS t, f");
    REQUIRE(q.parts.size() == 1);
    const QueryPart& part = q.parts[0];
    CHECK(part.isReturn);
    CHECK_FALSE(part.distinct);
    CHECK(part.where.empty());
    REQUIRE(part.matches.size() == 1);
    const MatchClause& m = part.matches[0];
    CHECK_FALSE(m.optional);
    CHECK(m.pos.offset == 0);
    REQUIRE(m.where);
    CHECK(dump(m.where) == "(> (. a temp) 70)");
    REQUIRE(m.paths.size() == 1);
    const PathPattern& path = m.paths[0];
    REQUIRE(path.nodes.size() == 2);
    REQUIRE(path.relations.size() == 1);
    CHECK(path.nodes[0].variable == "a");
    CHECK(path.nodes[0].labels == std::vector<std::string>{"Room"});
    CHECK(path.nodes[0].pos.column == 7);
    CHECK(path.relations[0].variable == "r");
    CHECK(path.relations[0].labels == std::vector<std::string>{"PART_OF"});
    CHECK(path.relations[0].direction == Direction::Right);
    CHECK(path.relations[0].pos.column == 15);
    CHECK_FALSE(path.relations[0].variableLength);
    CHECK(path.nodes[1].variable == "f");
    REQUIRE(part.items.size() == 2);
    CHECK(part.items[0].alias == "t");
    CHECK(part.items[0].expr->text == "a.temp");
    CHECK(part.items[0].pos.offset == int(q.text.find("a.temp AS")));
    CHECK(part.items[1].alias.empty());
    CHECK(part.items[1].expr->kind == ExprKind::Variable);
}

TEST_CASE("a WITH's WHERE goes to the next part", "[cypher][parser]") {
    Query q = parseQuery(
        "MATCH (a:T) WHERE a.v < 10\n"
        "WITH a.Name AS k, sum(a.v) AS s\n"
        "WHERE s > 2\n"
        "WITH DISTINCT k, s\n"
        "RETURN k AS key, s");
    REQUIRE(q.parts.size() == 3);
    CHECK_FALSE(q.parts[0].isReturn);
    CHECK(q.parts[0].where.empty());
    REQUIRE(q.parts[0].matches.size() == 1);
    CHECK(dump(q.parts[0].matches[0].where) == "(< (. a v) 10)");
    CHECK(q.parts[0].items.size() == 2);
    CHECK(dump(q.parts[0].items[1].expr) == "(call sum (. a v))");

    REQUIRE(q.parts[1].where.size() == 1);
    CHECK(dump(q.parts[1].where[0]) == "(> s 2)");
    CHECK(q.parts[1].matches.empty());
    CHECK(q.parts[1].distinct);
    CHECK_FALSE(q.parts[1].isReturn);
    CHECK(q.parts[1].pos.line == 3);

    CHECK(q.parts[2].where.empty());
    CHECK(q.parts[2].isReturn);
    CHECK(q.parts[2].items[0].alias == "key");
    CHECK(q.parts[2].pos.line == 5);
}

TEST_CASE("OPTIONAL MATCH, several patterns and clauses", "[cypher][parser]") {
    Query q = parseQuery(
        "MATCH (p:products), (x)\n"
        "OPTIONAL MATCH (p)-[:PRODUCT_TO_ORDER_ITEM]->(oi:orderItem)\n"
        "optional match (r:reviews)-[:REVIEW_TO_PRODUCT]->(p) WHERE r.ok\n"
        "RETURN DISTINCT p.id");
    REQUIRE(q.parts.size() == 1);
    const QueryPart& part = q.parts[0];
    CHECK(part.distinct);
    REQUIRE(part.matches.size() == 3);
    CHECK_FALSE(part.matches[0].optional);
    CHECK(part.matches[0].paths.size() == 2);
    CHECK_FALSE(part.matches[0].where);
    CHECK(part.matches[1].optional);
    CHECK(part.matches[1].pos.line == 2);
    CHECK(part.matches[1].pos.column == 1);
    CHECK(part.matches[1].paths[0].relations[0].variable.empty());
    CHECK(part.matches[2].optional);
    CHECK(dump(part.matches[2].where) == "(. r ok)");
}

TEST_CASE("MATCH after WITH is accepted into that part", "[cypher][parser]") {
    Query q = parseQuery("MATCH (a) WITH a MATCH (b) WHERE b.x = a.x RETURN b");
    REQUIRE(q.parts.size() == 2);
    REQUIRE(q.parts[1].matches.size() == 1);
    CHECK(dump(q.parts[1].matches[0].where) == "(= (. b x) (. a x))");
    CHECK(q.parts[1].where.empty());
}

TEST_CASE("UNWIND ends a part and names its element", "[cypher][parser]") {
    Query q = parseQuery("MATCH (p:Post) WHERE p.x > 1 UNWIND p.tags AS tag WITH tag WHERE tag <> 'a' RETURN tag");
    REQUIRE(q.parts.size() == 3);
    REQUIRE(q.parts[0].unwind);
    CHECK(dump(q.parts[0].unwind) == "(. p tags)");
    CHECK(q.parts[0].unwindAs == "tag");
    CHECK(q.parts[0].items.empty());
    CHECK(q.parts[0].matches.size() == 1);
    CHECK_FALSE(q.parts[1].unwind);
    CHECK(q.parts[1].items.size() == 1);
    CHECK(q.parts[2].where.size() == 1);
    CHECK(q.parts[2].isReturn);
}

TEST_CASE("a pattern predicate in WHERE is a path", "[cypher][parser]") {
    Query q = parseQuery("MATCH (a) WHERE NOT (a:L)-[:R]->(:B {k: 1}) AND exists((a)<--(c)) RETURN a");
    const ExprPtr& w = q.parts[0].matches[0].where;
    REQUIRE(w);
    REQUIRE(w->kind == ExprKind::Binary);
    const ExprPtr& first = w->children[0]->children[0];  // under NOT
    REQUIRE(first->kind == ExprKind::PatternPredicate);
    REQUIRE(first->pattern->nodes.size() == 2);
    CHECK(first->pattern->nodes[0].variable == "a");
    CHECK(first->pattern->nodes[0].labels == std::vector<std::string>{"L"});
    CHECK(first->pattern->relations[0].labels == std::vector<std::string>{"R"});
    CHECK(first->pattern->nodes[1].labels == std::vector<std::string>{"B"});
    CHECK(first->pattern->nodes[1].properties.size() == 1);
    const ExprPtr& second = w->children[1];
    REQUIRE(second->kind == ExprKind::PatternPredicate);
    CHECK(second->pattern->relations[0].direction == Direction::Left);
    CHECK(second->pattern->nodes[1].variable == "c");
    // Parenthesised expressions stay expressions.
    CHECK(parseQuery("MATCH (a) WHERE (a.x) - 1 > 0 RETURN a").parts[0].matches[0].where->kind == ExprKind::Binary);
}

TEST_CASE("node patterns", "[cypher][parser]") {
    auto node = [](const std::string& pattern) {
        Query q = parseQuery("MATCH " + pattern + " RETURN 1");
        return q.parts[0].matches[0].paths[0].nodes[0];
    };
    NodePattern n = node("()");
    CHECK(n.variable.empty());
    CHECK(n.labels.empty());
    CHECK(n.properties.empty());
    CHECK_FALSE(n.where);
    CHECK(n.pos.column == 7);

    CHECK(node("(a)").variable == "a");
    CHECK(node("(:L)").labels == std::vector<std::string>{"L"});
    CHECK(node("(:L)").variable.empty());
    CHECK(node("(a:L1|L2|L3)").labels == std::vector<std::string>{"L1", "L2", "L3"});
    CHECK(node("(a:L1|:L2)").labels == std::vector<std::string>{"L1", "L2"});
    CHECK(node("(a:L1:L2:L3)").allLabels == std::vector<std::string>{"L1", "L2", "L3"});
    CHECK(node("(a:L1:L2:L3)").labels.empty());
    CHECK(node("(a:L1)").allLabels.empty());
    CHECK(node("( a : L )").labels == std::vector<std::string>{"L"});
    CHECK(node("(`my var`:`My Label`)").variable == "my var");
    CHECK(node("(`my var`:`My Label`)").labels == std::vector<std::string>{"My Label"});
    CHECK(node("(n:Match)").labels == std::vector<std::string>{"Match"});
    CHECK(node("(call:Call)").variable == "call");

    NodePattern p = node("(a:L {k: 1 + 2, name: 'x', `odd key`: $p})");
    REQUIRE(p.properties.size() == 3);
    CHECK(p.properties[0].first == "k");
    CHECK(dump(p.properties[0].second) == "(+ 1 2)");
    CHECK(p.properties[1].first == "name");
    CHECK(p.properties[2].first == "odd key");
    CHECK(dump(p.properties[2].second) == "$p");

    NodePattern w = node("(a:L WHERE a.x > 1 AND a.y)");
    REQUIRE(w.where);
    CHECK(dump(w.where) == "(and (> (. a x) 1) (. a y))");
    CHECK(w.where->text == "a.x > 1 AND a.y");

    NodePattern both = node("(a {k: 1} WHERE a.x)");
    CHECK(both.properties.size() == 1);
    CHECK(both.where);
}

TEST_CASE("relationship patterns in every direction and form", "[cypher][parser]") {
    struct RelCase {
        const char* pattern;
        Direction direction;
        const char* variable;
        std::vector<std::string> labels;
        bool variableLength;
    };
    const std::vector<RelCase> cases = {
        {"(a)-[r:T]->(b)", Direction::Right, "r", {"T"}, false},
        {"(a)<-[r:T]-(b)", Direction::Left, "r", {"T"}, false},
        {"(a)-[r:T]-(b)", Direction::Both, "r", {"T"}, false},
        {"(a)<-[r:T]->(b)", Direction::Both, "r", {"T"}, false},
        {"(a)-->(b)", Direction::Right, "", {}, false},
        {"(a)<--(b)", Direction::Left, "", {}, false},
        {"(a)--(b)", Direction::Both, "", {}, false},
        {"(a)-[]->(b)", Direction::Right, "", {}, false},
        {"(a) - [ r ] -> (b)", Direction::Right, "r", {}, false},
        {"(a)-[:T|U]->(b)", Direction::Right, "", {"T", "U"}, false},
        {"(a)-[:T|:U]-(b)", Direction::Both, "", {"T", "U"}, false},
        {"(a)-[*]->(b)", Direction::Right, "", {}, true},
        {"(a)-[r:T*2]->(b)", Direction::Right, "r", {"T"}, true},
        {"(a)-[:T*1..3]-(b)", Direction::Both, "", {"T"}, true},
        {"(a)<-[*..3]-(b)", Direction::Left, "", {}, true},
        {"(a)-[*2..]->(b)", Direction::Right, "", {}, true},
    };
    for (const RelCase& c : cases) {
        INFO("pattern: " << c.pattern);
        Query q = parseQuery(std::string("MATCH ") + c.pattern + " RETURN a");
        const PathPattern& path = q.parts[0].matches[0].paths[0];
        REQUIRE(path.nodes.size() == 2);
        REQUIRE(path.relations.size() == 1);
        const RelationPattern& r = path.relations[0];
        CHECK(r.direction == c.direction);
        CHECK(r.variable == c.variable);
        CHECK(r.labels == c.labels);
        CHECK(r.variableLength == c.variableLength);
        CHECK(size_t(r.pos.column) == std::string(c.pattern).find_first_of("<-") + 7);
        CHECK(path.nodes[0].variable == "a");
        CHECK(path.nodes[1].variable == "b");
    }
}

TEST_CASE("relationship properties and WHERE", "[cypher][parser]") {
    Query q = parseQuery("MATCH (a)-[r:T {since: 2020} WHERE r.w > 1]->(b) RETURN r");
    const RelationPattern& r = q.parts[0].matches[0].paths[0].relations[0];
    REQUIRE(r.properties.size() == 1);
    CHECK(r.properties[0].first == "since");
    CHECK(r.properties[0].second->literal.asInt() == 2020);
    REQUIRE(r.where);
    CHECK(dump(r.where) == "(> (. r w) 1)");
}

TEST_CASE("multi-hop chains keep nodes and relations in order", "[cypher][parser]") {
    Query q = parseQuery("MATCH (e:Equipment)-[:HAS_SENSOR]->(s:Sensor)<-[:READS]-(v)-[:NEXT]-(w) RETURN e");
    const PathPattern& path = q.parts[0].matches[0].paths[0];
    REQUIRE(path.nodes.size() == 4);
    REQUIRE(path.relations.size() == 3);
    CHECK(path.nodes[0].variable == "e");
    CHECK(path.nodes[1].variable == "s");
    CHECK(path.nodes[2].variable == "v");
    CHECK(path.nodes[3].variable == "w");
    CHECK(path.relations[0].labels[0] == "HAS_SENSOR");
    CHECK(path.relations[0].direction == Direction::Right);
    CHECK(path.relations[1].labels[0] == "READS");
    CHECK(path.relations[1].direction == Direction::Left);
    CHECK(path.relations[2].direction == Direction::Both);
}

TEST_CASE("clauses are case-insensitive and comments are skipped", "[cypher][parser]") {
    Query q = parseQuery(
        "// leading comment\n"
        "match (n:T) /* block\n comment */ where n.x = 1\n"
        "with n as m // trailing\n"
        "Return m.x as X;");
    REQUIRE(q.parts.size() == 2);
    CHECK(q.parts[1].items[0].alias == "X");
    CHECK(q.parts[1].items[0].expr->pos.line == 5);
    CHECK(q.parts[0].matches[0].pos.line == 2);
}

TEST_CASE("a query may be a bare RETURN", "[cypher][parser]") {
    Query q = parseQuery("RETURN 1 + 2 AS three");
    REQUIRE(q.parts.size() == 1);
    CHECK(q.parts[0].matches.empty());
    CHECK(dump(q.parts[0].items[0].expr) == "(+ 1 2)");
}

TEST_CASE("aliases may be any word or a quoted name", "[cypher][parser]") {
    Query q = parseQuery("MATCH (n) RETURN n.a AS count, n.b AS `two words`, n.c as end");
    REQUIRE(q.parts[0].items.size() == 3);
    CHECK(q.parts[0].items[0].alias == "count");
    CHECK(q.parts[0].items[1].alias == "two words");
    CHECK(q.parts[0].items[2].alias == "end");
}
