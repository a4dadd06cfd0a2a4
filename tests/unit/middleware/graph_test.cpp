// SPDX-License-Identifier: MIT
// The graph-shaping kinds: unwind (children kept in step with their parent through the element
// index) and map (re-shaped outputs only); and a decoder -> parse_json -> promote chain.
#include <catch2/catch.hpp>

#include "tests/unit/middleware/helpers.h"

using namespace cq;
using namespace cq::mwtest;

namespace {

const Json kUnwindConfig = R"({"Pod": [{"selector": "$.status.containerStatuses[*]", "label": "Container",
                                        "key": "$.containerID", "relation": "OWNS"}]})"_json;

Json pod(const Json& containers) {
    return Json{{"metadata", {{"name", "pod-1"}}}, {"status", {{"containerStatuses", containers}}}};
}

std::string childId(const std::string& item) { return "$unwind-$.status.containerStatuses[*]-p1-" + item; }

/// "op kind id" for each change, in order.
std::vector<std::string> summary(const std::vector<Change>& changes) {
    std::vector<std::string> out;
    for (const Change& c : changes) {
        out.push_back(opName(c) + (c.element->isRelation() ? " rel " : " node ") + c.element->ref.id);
    }
    return out;
}

const Change* findChange(const std::vector<Change>& changes, const std::string& id) {
    for (const Change& c : changes) {
        if (c.element->ref.id == id) return &c;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("unwind insert makes a child node and relation per item, then the parent", "[middleware][unwind]") {
    mw::Pipelines p = single("unwind", kUnwindConfig);
    Change insert = nodeChange("insert", "p1", {"Pod"},
                               pod(R"([{"containerID": "c1", "name": "nginx"}, {"containerID": "c2", "name": "redis"}])"_json),
                               "test", 7);
    std::vector<Change> out = p.process(insert, nullptr);
    CHECK(summary(out) == std::vector<std::string>{"insert node " + childId("c1"), "insert rel " + childId("c1") + "$rel",
                                                   "insert node " + childId("c2"), "insert rel " + childId("c2") + "$rel",
                                                   "insert node p1"});
    const Element& child = *out[0].element;
    CHECK(child.labels == std::vector<std::string>{"Container"});
    CHECK(child.ref.source == "test");
    CHECK(child.effectiveFrom == 7);
    CHECK(props(out[0]) == R"({"containerID": "c1", "name": "nginx"})"_json);
    const Element& rel = *out[1].element;
    CHECK(rel.labels == std::vector<std::string>{"OWNS"});
    CHECK(rel.start() == ElementRef{"test", "p1"});  // (parent)-[:OWNS]->(child)
    CHECK(rel.end() == child.ref);
    CHECK(out[4].element == insert.element);  // the parent passes through as it came
}

TEST_CASE("unwind update and delete use the stored parent", "[middleware][unwind]") {
    mw::Pipelines p = single("unwind", kUnwindConfig);
    Store store;
    store.put(nodeChange("insert", "p1", {"Pod"},
                         pod(R"([{"containerID": "c1", "name": "nginx"}, {"containerID": "c2", "name": "redis"}])"_json),
                         "test"));

    SECTION("removed items get Delete, kept and new items Update") {
        Change update = nodeChange("update", "p1", {"Pod"},
                                   pod(R"([{"containerID": "c1", "name": "nginx2"}, {"containerID": "c3", "name": "dapr"}])"_json),
                                   "test", 5);
        std::vector<Change> out = p.process(update, store.lookup());
        CHECK(summary(out) == std::vector<std::string>{"update node " + childId("c1"), "update rel " + childId("c1") + "$rel",
                                                       "update node " + childId("c3"), "update rel " + childId("c3") + "$rel",
                                                       "delete node " + childId("c2"), "delete rel " + childId("c2") + "$rel",
                                                       "update node p1"});
        CHECK(props(out[0]) == R"({"containerID": "c1", "name": "nginx2"})"_json);
        CHECK(out[4].element->labels == std::vector<std::string>{"Container"});
        CHECK(out[4].element->effectiveFrom == 5);
    }
    SECTION("an update that leaves the array out keeps the children (merged over the stored parent)") {
        Change update = nodeChange("update", "p1", {"Pod"}, R"({"extra": 1})"_json, "test");
        std::vector<Change> out = p.process(update, store.lookup());
        CHECK(summary(out) == std::vector<std::string>{"update node " + childId("c1"), "update rel " + childId("c1") + "$rel",
                                                       "update node " + childId("c2"), "update rel " + childId("c2") + "$rel",
                                                       "update node p1"});
    }
    SECTION("an update of an unknown parent acts as an upsert") {
        Change update = nodeChange("update", "p9", {"Pod"}, pod(R"([{"containerID": "c1"}])"_json), "test");
        CHECK(summary(p.process(update, store.lookup())).size() == 3);
    }
    SECTION("delete removes every old child, then the parent") {
        Change del = nodeChange("delete", "p1", {"Pod"}, Json::object(), "test");
        CHECK(summary(p.process(del, store.lookup())) ==
              std::vector<std::string>{"delete node " + childId("c1"), "delete rel " + childId("c1") + "$rel",
                                       "delete node " + childId("c2"), "delete rel " + childId("c2") + "$rel",
                                       "delete node p1"});
        // A delete without labels still finds the stored parent's labels.
        Change bare = makeChange("delete", R"({"kind": "node", "source": "test", "id": "p1"})"_json);
        CHECK(p.process(bare, store.lookup()).size() == 5);
    }
    SECTION("delete of an element that is not stored passes only the parent") {
        Change del = nodeChange("delete", "p9", {"Pod"}, Json::object(), "test");
        CHECK(summary(p.process(del, store.lookup())) == std::vector<std::string>{"delete node p9"});
        CHECK(summary(p.process(del, nullptr)) == std::vector<std::string>{"delete node p9"});
    }
}

TEST_CASE("unwind ids, keys, non-object items and conditions", "[middleware][unwind]") {
    SECTION("without a key (or a non-string key) the item's position is its id") {
        mw::Pipelines p = single("unwind", R"({"N": [{"selector": "$.items[*]", "label": "I", "key": "$.k"}]})"_json);
        std::vector<Change> out = p.process(nodeChange("insert", "n", {"N"}, R"({"items": [{"k": 5}, "text", {"k": "x"}]})"_json), nullptr);
        CHECK(summary(out) == std::vector<std::string>{"insert node $unwind-$.items[*]-n-0", "insert node $unwind-$.items[*]-n-1",
                                                       "insert node $unwind-$.items[*]-n-x", "insert node n"});
        CHECK(props(out[1]) == Json::object());  // a non-object item gives a child without properties
    }
    SECTION("labels without a mapping pass through alone") {
        mw::Pipelines p = single("unwind", kUnwindConfig);
        CHECK(p.process(nodeChange("insert", "x", {"Other"}, pod(R"([{"containerID": "c1"}])"_json)), nullptr).size() == 1);
        // ... and cost no index read.
        int reads = 0;
        mw::ElementLookup counting = [&reads](const ElementRef&) -> ElementPtr {
            ++reads;
            return nullptr;
        };
        CHECK(p.process(nodeChange("update", "x", {"Other"}, Json::object()), counting).size() == 1);
        CHECK(p.process(nodeChange("delete", "x", {"Other"}), counting).size() == 1);
        CHECK(reads == 0);
        CHECK(p.process(nodeChange("update", "x", {"Pod"}, Json::object()), counting).size() == 1);
        CHECK(reads == 1);
    }
    SECTION("condition gates the mapping, on the new and on the old parent") {
        mw::Pipelines p = single("unwind", R"({"N": [{"selector": "$.items[*]", "label": "I",
                                                      "condition": "$[?(@.enabled == true)]"}]})"_json);
        Change on = nodeChange("insert", "n", {"N"}, R"({"enabled": true, "items": [{"a": 1}]})"_json);
        Change off = nodeChange("update", "n", {"N"}, R"({"enabled": false, "items": [{"a": 1}]})"_json);
        CHECK(p.process(on, nullptr).size() == 2);
        CHECK(p.process(nodeChange("insert", "n", {"N"}, R"({"enabled": false, "items": [{"a": 1}]})"_json), nullptr).size() == 1);
        Store store;
        store.put(on);
        // Turning the condition off deletes the children the old parent had.
        CHECK(summary(p.process(off, store.lookup())) ==
              std::vector<std::string>{"delete node $unwind-$.items[*]-n-0", "update node n"});
        // Turning it on from off creates them.
        Store offStore;
        offStore.put(off);
        CHECK(summary(p.process(nodeChange("update", "n", {"N"}, R"({"enabled": true})"_json), offStore.lookup())) ==
              std::vector<std::string>{"update node $unwind-$.items[*]-n-0", "update node n"});
    }
    SECTION("selectors see $metadata") {
        mw::Pipelines p = single("unwind", R"({"N": [{"selector": "$[?(@['$metadata'] ~= 'src:n,')]", "label": "I"}]})"_json);
        CHECK(p.process(nodeChange("insert", "n", {"N"}, R"({"a": 1})"_json), nullptr).size() == 2);
        CHECK(p.process(nodeChange("insert", "n", {"N"}, R"({"a": 1})"_json, "other"), nullptr).size() == 1);
        mw::Pipelines q = single("unwind", R"({"N": [{"selector": "$[?(@['$metadata'] == '(src:n, [N], 3)')]", "label": "I"}]})"_json);
        CHECK(q.process(nodeChange("insert", "n", {"N"}, R"({"a": 1})"_json, "src", 3), nullptr).size() == 2);
    }
}

TEST_CASE("map re-shapes changes and drops what it does not map", "[middleware][map]") {
    // The remap conformance vector: Telemetry inserts become Vehicle upserts.
    mw::Pipelines p = single("map", R"({"Telemetry": {"insert": [{
        "selector": "$[?(@.additionalProperties.Source == 'telemetry')]", "op": "Update", "label": "Vehicle",
        "id": "$.vehicleId",
        "properties": {"id": "$.vehicleId", "currentSpeed": "$.signals[?(@.name == 'Vehicle.Speed')].value",
                       "missing": "$.nothing"}}]}})"_json);
    Json telemetry = R"({"signals": [{"name": "Vehicle.Heading", "value": "96"}, {"name": "Vehicle.Speed", "value": "119"}],
                         "additionalProperties": {"Source": "telemetry"}, "vehicleId": "v1"})"_json;
    std::vector<Change> out = p.process(nodeChange("insert", "t1", {"Telemetry"}, telemetry, "test", 4), nullptr);
    REQUIRE(out.size() == 1);
    CHECK(out[0].op == ChangeOp::Update);
    CHECK(out[0].element->ref == ElementRef{"test", "v1"});
    CHECK(out[0].element->labels == std::vector<std::string>{"Vehicle"});
    CHECK(out[0].element->effectiveFrom == 4);
    CHECK(props(out[0]) == R"({"id": "v1", "currentSpeed": "119"})"_json);  // a property that selects nothing is left out

    telemetry["additionalProperties"]["Source"] = "other";
    CHECK(p.process(nodeChange("insert", "t2", {"Telemetry"}, telemetry), nullptr).empty());  // selector matched nothing
    CHECK(p.process(nodeChange("update", "t1", {"Telemetry"}, telemetry), nullptr).empty());  // no update mapping
    CHECK(p.process(nodeChange("insert", "x", {"Other"}, telemetry), nullptr).empty());       // no mapping for the label
}

TEST_CASE("map defaults, $selected, ids, relations and deletes", "[middleware][map]") {
    SECTION("without selector, op or label the change keeps its shape") {
        mw::Pipelines p = single("map", R"({"A": {"update": [{"properties": {"x": "$.a.b"}}]}})"_json);
        std::vector<Change> out = p.process(nodeChange("update", "n1", {"A"}, R"({"a": {"b": 2}, "c": 3})"_json), nullptr);
        REQUIRE(out.size() == 1);
        CHECK(out[0].op == ChangeOp::Update);
        CHECK(out[0].element->ref.id == "n1");
        CHECK(out[0].element->labels == std::vector<std::string>{"A"});
        CHECK(props(out[0]) == R"({"x": 2})"_json);
    }
    SECTION("one output per selected item, with $selected and a condition") {
        mw::Pipelines p = single("map", R"({"Order": {"insert": [{"selector": "$.lines[*]", "label": "Line",
            "id": "$['$selected'].sku", "condition": "$[?(@['$selected'].qty > 0)]",
            "properties": {"qty": "$['$selected'].qty", "order": "$.number"}}]}})"_json);
        std::vector<Change> out = p.process(
            nodeChange("insert", "o1", {"Order"}, R"({"number": 7, "lines": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 0},
                                                                            {"sku": 3, "qty": 1}]})"_json),
            nullptr);
        REQUIRE(out.size() == 2);
        CHECK(out[0].element->ref.id == "a");
        CHECK(props(out[0]) == R"({"qty": 2, "order": 7})"_json);
        CHECK(out[1].element->ref.id == "3");  // a non-string id is written as JSON
    }
    SECTION("an id that selects nothing drops that output") {
        mw::Pipelines p = single("map", R"({"A": {"insert": [{"id": "$.nope"}, {"id": "$.name"}]}})"_json);
        std::vector<Change> out = p.process(nodeChange("insert", "n1", {"A"}, R"({"name": "x"})"_json), nullptr);
        REQUIRE(out.size() == 1);
        CHECK(out[0].element->ref.id == "x");
    }
    SECTION("elementType Relation builds a relation between the selected ids") {
        mw::Pipelines p = single("map", R"({"Link": {"insert": [{"label": "KNOWS",
            "elementType": {"Relation": {"inNodeId": "$.from", "outNodeId": "$.to"}}, "properties": {"since": "$.since"}}]}})"_json);
        std::vector<Change> out = p.process(nodeChange("insert", "l1", {"Link"}, R"({"from": "a", "to": "b", "since": 2020})"_json, "s"), nullptr);
        REQUIRE(out.size() == 1);
        const Element& rel = *out[0].element;
        CHECK(rel.isRelation());
        CHECK(rel.start() == ElementRef{"s", "a"});
        CHECK(rel.end() == ElementRef{"s", "b"});
        CHECK(rel.labels == std::vector<std::string>{"KNOWS"});
        CHECK(props(out[0]) == R"({"since": 2020})"_json);
        // elementType Node turns a relation into a node.
        mw::Pipelines q = single("map", R"({"R": {"insert": [{"elementType": "Node"}]}})"_json);
        Change r = makeChange("insert", R"({"kind": "relation", "source": "s", "id": "r1", "labels": ["R"], "start": "a", "end": "b"})"_json);
        CHECK_FALSE(q.process(r, nullptr).at(0).element->isRelation());
        mw::Pipelines keep = single("map", R"({"R": {"insert": [{}]}})"_json);
        CHECK(keep.process(r, nullptr).at(0).element->end().id == "b");
    }
    SECTION("delete mappings see only $metadata; op Delete removes the mapped element") {
        mw::Pipelines p = single("map", R"({"Telemetry": {"delete": [{"label": "Vehicle", "properties": {"m": "$['$metadata']"}}],
                                                          "insert": [{"op": "Delete", "id": "$.vehicleId", "label": "Vehicle"}]}})"_json);
        std::vector<Change> del = p.process(nodeChange("delete", "t1", {"Telemetry"}, R"({"x": 1})"_json, "s", 9), nullptr);
        REQUIRE(del.size() == 1);
        CHECK(del[0].op == ChangeOp::Delete);
        CHECK(del[0].element->labels == std::vector<std::string>{"Vehicle"});
        std::vector<Change> ins = p.process(nodeChange("insert", "t1", {"Telemetry"}, R"({"vehicleId": "v9"})"_json), nullptr);
        REQUIRE(ins.size() == 1);
        CHECK(ins[0].op == ChangeOp::Delete);
        CHECK(ins[0].element->ref.id == "v9");
    }
}

TEST_CASE("decoder -> parse_json -> promote chain (dapr state store)", "[middleware]") {
    Json mws = R"([
        {"kind": "decoder", "name": "dec", "config": {"encoding_type": "base64", "target_property": "rawData", "strip_quotes": true}},
        {"kind": "parse_json", "name": "parse", "config": {"target_property": "rawData", "output_property": "parsedData"}},
        {"kind": "promote", "name": "prom", "config": {"mappings": [{"path": "$.parsedData.user.id", "target_name": "userId"},
                                                                       {"path": "$.parsedData.order.total", "target_name": "orderTotal"}]}}
    ])"_json;
    mw::Pipelines p = mw::Pipelines::build(mws, R"({"dapr": ["dec", "parse", "prom"]})"_json, nullptr);
    Change in = nodeChange("insert", "state-001", {"DaprState"},
                           R"({"rawData": "\"eyJvcmRlciI6eyJpZCI6Im8tNDU2IiwidG90YWwiOjk5LjV9LCJzdGF0dXMiOiJjb21wbGV0ZWQiLCJ1c2VyIjp7ImlkIjoidS0xMjMiLCJuYW1lIjoiQWxpY2UifX0=\""})"_json,
                           "dapr", 100);
    std::vector<Change> out = p.process(in, nullptr);
    REQUIRE(out.size() == 1);
    Json result = props(out[0]);
    CHECK(result["rawData"] == R"({"order":{"id":"o-456","total":99.5},"status":"completed","user":{"id":"u-123","name":"Alice"}})");
    CHECK(result["parsedData"]["status"] == "completed");
    CHECK(result["userId"] == "u-123");
    CHECK(result["orderTotal"] == 99.5);
    // A failure anywhere in the chain rejects the change and names the middleware.
    Caught e = caught([&] { p.process(nodeChange("insert", "s2", {"DaprState"}, R"({"rawData": "\"e30=\""})"_json, "dapr"), nullptr); });
    CHECK(e.code == ErrorCode::MiddlewareError);
    CHECK_THAT(e.message, Catch::Contains("'prom' (promote)"));
    CHECK(findChange(p.process(nodeChange("delete", "s2", {"DaprState"}, Json::object(), "dapr"), nullptr), "s2") != nullptr);
}
