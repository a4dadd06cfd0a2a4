// SPDX-License-Identifier: MIT
// Engine-level behaviour: registration errors, per-query rejection without state loss, joins,
// futures popped only when due, the live result set.
#include <catch2/catch.hpp>

#include "core/common/error.h"
#include "core/query/engine.h"
#include "storage/memory/memory_backend.h"

using namespace cq;

namespace {

Change node(ChangeOp op, const std::string& id, std::vector<std::string> labels, Map props, int64_t t = 0) {
    auto e = Element::make(ElementKind::Node);
    e->ref = {"S", id};
    e->labels = std::move(labels);
    e->properties = std::move(props);
    e->effectiveFrom = t;
    return Change{op, e};
}

Change relation(const std::string& id, const std::string& label, const std::string& from, const std::string& to) {
    auto e = Element::make(ElementKind::Relation);
    e->ref = {"S", id};
    e->labels = {label};
    e->start() = {"S", from};
    e->end() = {"S", to};
    return Change{ChangeOp::Insert, e};
}

QueryConfig makeQuery(const std::string& id, const std::string& cypher) {
    QueryConfig c;
    c.id = id;
    c.cypher = cypher;
    return c;
}

const QueryOutput& outputOf(const std::vector<QueryOutput>& outs, const std::string& id) {
    for (const auto& o : outs)
        if (o.queryId == id) return o;
    FAIL("no output for " << id);
    return outs.front();
}

}  // namespace

TEST_CASE("registration errors carry a code, a line and a column", "[engine]") {
    Engine engine(makeMemoryBackend());
    try {
        engine.registerQuery(makeQuery("q", "MATCH (n:A)\nRETURN foo(n.x) AS v"));
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::UnknownFunction);
        CHECK(e.line() == 2);
        CHECK(e.column() == 8);
    }
    try {
        engine.registerQuery(makeQuery("q", "MATCH (n:A) RETURN left('x') AS v"));
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::InvalidArgumentCount);
    }
    try {
        engine.registerQuery(makeQuery("q", "MATCH (n:A RETURN n"));
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::ParseError);
        CHECK(e.line() == 1);
    }
    CHECK_THROWS_AS(engine.registerQuery(makeQuery("q", "MATCH (a:A), (b:B) RETURN a.x AS x")), Error);
    // openCypher bans aggregates in WHERE, in patterns and inside other aggregates (accepting the
    // first counted rows twice); Drasi's time functions may still watch an aggregate from WHERE.
    auto aggregationError = [&](const std::string& cypher) -> std::pair<int, int> {
        try {
            Engine other(makeMemoryBackend());
            other.registerQuery(makeQuery("agg", cypher));
        } catch (const Error& e) {
            if (e.code() == ErrorCode::InvalidAggregation) return {e.line(), e.column()};
        }
        return {0, 0};
    };
    CHECK(aggregationError("MATCH (p:P) OPTIONAL MATCH (p)-[:R]->(o:O)\nWHERE size(collect(o.id)) > 0 RETURN p.id AS id, count(o) AS n") ==
          std::pair<int, int>{2, 12});
    CHECK(aggregationError("MATCH (p:P) WITH p.k AS k, count(p) AS n WHERE sum(n) > 1 RETURN k") != std::pair<int, int>{0, 0});
    CHECK(aggregationError("MATCH (p:P {v: count(p)}) RETURN p.k AS k") != std::pair<int, int>{0, 0});
    CHECK(aggregationError("MATCH (p:P) RETURN sum(count(p)) AS n") != std::pair<int, int>{0, 0});
    CHECK(aggregationError("MATCH (o:O) WHERE drasi.trueFor(sum(o.v) > 1, duration({seconds: 5})) RETURN sum(o.v) AS v") ==
          std::pair<int, int>{0, 0});
    // DISTINCT only where it means something: in count, sum, avg, min, max and collect.
    CHECK(aggregationError("MATCH (o:O) RETURN count(DISTINCT o.v) AS n, collect(DISTINCT o.k) AS ks") ==
          std::pair<int, int>{0, 0});
    CHECK(aggregationError("MATCH (o:O)\nRETURN drasi.last(DISTINCT o.v) AS v") == std::pair<int, int>{2, 8});
    CHECK(aggregationError("MATCH (o:O) RETURN toUpper(DISTINCT o.k) AS k") == std::pair<int, int>{1, 20});
    // UNWIND: a new name, no time function in its list, no MATCH after it; pattern predicates in
    // the MATCH's WHERE only, from a variable MATCH binds without labels there.
    for (const char* cypher : {"MATCH (p:P) RETURN (p)-->() AS x", "MATCH (p:P) WITH p WHERE (p)-->() RETURN p",
                               "MATCH (p:P) OPTIONAL MATCH (p)-->(q) WHERE (q)-->() RETURN p",
                               "MATCH (p:P) WHERE (p:Q)-->() RETURN p","MATCH (p:P) UNWIND p.tags AS p RETURN p",
                               "MATCH (p:P) UNWIND [drasi.trueFor(p.v > 1, duration({seconds: 5}))] AS t RETURN t",
                               "MATCH (p:P) UNWIND p.tags AS t MATCH (q:Q) RETURN t"}) {
        INFO(cypher);
        try {
            Engine other(makeMemoryBackend());
            other.registerQuery(makeQuery("u", cypher));
            FAIL("expected an error");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::Unsupported);
            CHECK(e.line() == 1);
        }
    }
    // A DISTINCT row has no identity to keep a time function's state by.
    try {
        Engine other(makeMemoryBackend());
        other.registerQuery(makeQuery("d", "MATCH (o:O) RETURN DISTINCT o.k AS k, drasi.trueFor(o.v > 1, duration({seconds: 5})) AS t"));
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Unsupported);
        CHECK(std::string(e.what()).find("DISTINCT with time-based functions") != std::string::npos);
    }
    engine.registerQuery(makeQuery("q", "MATCH (n:A) RETURN n.x AS x"));
    try {
        engine.registerQuery(makeQuery("q", "MATCH (n:A) RETURN n.x AS x"));
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::DuplicateQuery);
    }
}

TEST_CASE("a query that rejects a change keeps its state; the others apply it", "[engine]") {
    Engine engine(makeMemoryBackend());
    engine.registerQuery(makeQuery("div", "MATCH (n:A) RETURN n.id AS id, 10 / n.x AS v"));
    engine.registerQuery(makeQuery("sum", "MATCH (n:A) RETURN sum(n.x) AS total"));
    engine.applyChange(node(ChangeOp::Insert, "a1", {"A"}, {{"id", "a1"}, {"x", Value(int64_t(2))}}));
    auto outs = engine.applyChange(node(ChangeOp::Insert, "a2", {"A"}, {{"id", "a2"}, {"x", Value(int64_t(0))}}));
    REQUIRE(outputOf(outs, "div").error);
    CHECK(outputOf(outs, "div").error->code() == ErrorCode::DivideByZero);
    CHECK(outputOf(outs, "sum").diffs.size() == 1);
    // The rejected element never reached div's index: updating it to a valid value is an insert
    // (an add), not an update of a row that does not exist.
    outs = engine.applyChange(node(ChangeOp::Update, "a2", {"A"}, {{"x", Value(int64_t(5))}}));
    const auto& div = outputOf(outs, "div");
    REQUIRE_FALSE(div.error);
    REQUIRE(div.diffs.size() == 1);
    CHECK(div.diffs[0].kind == DiffKind::Add);
    CHECK(engine.currentResults("div").size() == 2);
}

TEST_CASE("a change without a ref or relation ends is rejected whole, before anything applies", "[engine]") {
    Engine engine(makeMemoryBackend());
    engine.registerQuery(makeQuery("q", "MATCH (n:A) RETURN n.id AS id"));
    auto codeOf = [&](const std::vector<Change>& batch) {
        try {
            engine.applyBatch(batch);
        } catch (const Error& e) {
            return e.code();
        }
        return ErrorCode::Internal;  // not rejected
    };
    Change noId = node(ChangeOp::Insert, "", {"A"}, {{"id", "x"}});
    Change noSource = node(ChangeOp::Insert, "a9", {"A"}, {{"id", "a9"}});
    std::const_pointer_cast<Element>(noSource.element)->ref.source.clear();
    Change noEnd = relation("r1", "R", "a1", "");
    Change noElement{ChangeOp::Insert, nullptr};
    for (const Change& bad : {noId, noSource, noEnd, noElement}) {
        // The valid change before the bad one in the same batch is not applied either.
        CHECK(codeOf({node(ChangeOp::Insert, "a1", {"A"}, {{"id", "a1"}}), bad}) == ErrorCode::InvalidChange);
        CHECK(engine.currentResults("q").empty());
    }
    // A relation's delete needs only its ref, and the engine keeps serving after the rejections.
    Change deleteRel{ChangeOp::Delete, relation("r1", "R", "", "").element};
    CHECK_NOTHROW(engine.applyChange(deleteRel));
    auto outs = engine.applyChange(node(ChangeOp::Insert, "a1", {"A"}, {{"id", "a1"}}));
    CHECK(outputOf(outs, "q").diffs.size() == 1);
}

TEST_CASE("outputs follow registration order through removals and re-registrations", "[engine]") {
    // Each query sees the change and reports under its own id, in the order the queries were
    // registered; a removed query neither reports nor keeps a place.
    Engine engine(makeMemoryBackend());
    engine.registerQuery(makeQuery("ids", "MATCH (n:A) RETURN n.id AS id"));
    engine.registerQuery(makeQuery("count", "MATCH (n:A) RETURN count(n) AS c"));
    engine.registerQuery(makeQuery("xs", "MATCH (n:A) RETURN n.x AS x"));
    auto ids = [](const std::vector<QueryOutput>& outs) {
        std::string out;
        for (const auto& o : outs) out += o.queryId + ":" + std::to_string(o.diffs.size()) + " ";
        return out;
    };
    CHECK(ids(engine.applyChange(node(ChangeOp::Insert, "a1", {"A"}, {{"id", "a1"}, {"x", Value(int64_t(1))}}))) ==
          "ids:1 count:1 xs:1 ");
    engine.removeQuery("count");
    auto outs = engine.applyChange(node(ChangeOp::Insert, "a2", {"A"}, {{"id", "a2"}, {"x", Value(int64_t(2))}}));
    CHECK(ids(outs) == "ids:1 xs:1 ");
    CHECK(outputOf(outs, "xs").diffs[0].after->at("x").asInt() == 2);
    engine.registerQuery(makeQuery("count", "MATCH (n:A) RETURN count(n) AS c"));
    outs = engine.applyChange(node(ChangeOp::Insert, "a3", {"A"}, {{"id", "a3"}, {"x", Value(int64_t(3))}}));
    CHECK(ids(outs) == "ids:1 xs:1 count:1 ");
    // The re-registered query started from nothing: it counts only what it has seen.
    REQUIRE(outputOf(outs, "count").diffs.size() == 1);
    CHECK(outputOf(outs, "count").diffs[0].after->at("c").asInt() == 1);
    engine.removeQuery("ids");
    CHECK(ids(engine.applyChange(node(ChangeOp::Delete, "a1", {"A"}, {}))) == "xs:1 count:0 ");
}

TEST_CASE("synthetic joins relate nodes with equal key properties", "[engine]") {
    Engine engine(makeMemoryBackend());
    QueryConfig c = makeQuery("q", "MATCH (o:Order)-[:PLACED_BY]->(c:Customer) RETURN o.id AS order, c.name AS name");
    c.joins = Json::parse(R"([{"id": "PLACED_BY", "keys": [{"label": "Order", "property": "customer_id"},
                                                            {"label": "Customer", "property": "id"}]}])");
    engine.registerQuery(c);
    auto outs = engine.applyChange(node(ChangeOp::Insert, "o1", {"Order"}, {{"id", "o1"}, {"customer_id", "c1"}}));
    CHECK(outputOf(outs, "q").diffs.empty());
    outs = engine.applyChange(node(ChangeOp::Insert, "c1", {"Customer"}, {{"id", "c1"}, {"name", "Ada"}}));
    REQUIRE(outputOf(outs, "q").diffs.size() == 1);
    CHECK(outputOf(outs, "q").diffs[0].kind == DiffKind::Add);
    // Moving the order to another customer removes the joined row.
    outs = engine.applyChange(node(ChangeOp::Update, "o1", {"Order"}, {{"customer_id", "c2"}}));
    REQUIRE(outputOf(outs, "q").diffs.size() == 1);
    CHECK(outputOf(outs, "q").diffs[0].kind == DiffKind::Remove);
    CHECK(engine.currentResults("q").empty());
}

TEST_CASE("futures fire only when due, in one transaction per advance", "[engine][time]") {
    Engine engine(makeMemoryBackend());
    engine.registerQuery(makeQuery("q", "MATCH (s:Sensor) WHERE drasi.trueFor(s.hot = true, 1000) RETURN s.id AS id"));
    engine.applyChange(node(ChangeOp::Insert, "s1", {"Sensor"}, {{"id", "s1"}, {"hot", true}}, 5000));
    REQUIRE(engine.nextDueTime() == std::optional<int64_t>(6000));
    CHECK(outputOf(engine.advanceTime(5999), "q").diffs.empty());
    CHECK(engine.nextDueTime() == std::optional<int64_t>(6000));
    auto outs = engine.advanceTime(6000);
    REQUIRE(outputOf(outs, "q").diffs.size() == 1);
    CHECK(outputOf(outs, "q").diffs[0].kind == DiffKind::Add);
    CHECK_FALSE(engine.nextDueTime());
    // Cooling down before the duration elapses cancels the pending future.
    engine.applyChange(node(ChangeOp::Insert, "s2", {"Sensor"}, {{"id", "s2"}, {"hot", true}}, 7000));
    engine.applyChange(node(ChangeOp::Update, "s2", {"Sensor"}, {{"hot", false}}, 7500));
    CHECK(outputOf(engine.advanceTime(9000), "q").diffs.empty());
}

TEST_CASE("aggregation over an aggregation and the current result set", "[engine]") {
    Engine engine(makeMemoryBackend());
    engine.registerQuery(makeQuery("q",
        "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f, avg(r.t) AS ft RETURN count(f) AS floors, avg(ft) AS t"));
    engine.applyChange(node(ChangeOp::Insert, "f1", {"Floor"}, {}));
    engine.applyChange(node(ChangeOp::Insert, "f2", {"Floor"}, {}));
    for (int i = 0; i < 4; ++i) {
        std::string id = "r" + std::to_string(i);
        engine.applyChange(node(ChangeOp::Insert, id, {"Room"}, {{"t", Value(int64_t(10 * (i + 1)))}}));
        engine.applyChange(relation("p" + std::to_string(i), "PART_OF", id, i < 2 ? "f1" : "f2"));
    }
    auto rows = engine.currentResults("q");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].at("floors").asInt() == 2);
    CHECK(rows[0].at("t").asNumber() == Approx(25.0));  // avg(15, 35)
}

TEST_CASE("Diff::appendJson writes exactly Diff::toJson's text", "[engine][json]") {
    Map row;
    row["a"] = Value(int64_t(-7));
    row["b"] = Value(0.1);
    row["c"] = Value(1e300);
    row["d"] = Value(std::string("quote\" backslash\\ tab\t é \x01"));
    row["e"] = Value(List{Value(), Value(true), Value(2.0), Value(Map{{"z", Value(int64_t(1))}, {"y", Value(false)}})});
    row["f"] = Value();
    row["g"] = Value(std::string("bad utf8 \xff\xfe end"));
    Map other;
    other["a"] = Value(int64_t(3));
    std::vector<Diff> diffs;
    for (DiffKind kind : {DiffKind::Add, DiffKind::Update, DiffKind::Remove, DiffKind::Aggregation}) {
        Diff d;
        d.kind = kind;
        if (kind != DiffKind::Remove) d.after = row;
        if (kind != DiffKind::Add) d.before = other;
        if (kind == DiffKind::Aggregation) d.groupingKeys = std::make_shared<std::vector<std::string>>(std::vector<std::string>{"a", "k\"ey"});
        diffs.push_back(d);
    }
    Diff newGroup;  // an aggregation's first row has no before
    newGroup.kind = DiffKind::Aggregation;
    newGroup.after = other;
    diffs.push_back(newGroup);
    for (const Diff& d : diffs) {
        std::string fast;
        d.appendJson(fast);
        CHECK(fast == d.toJson().dump(-1, ' ', false, Json::error_handler_t::replace));
    }
}
