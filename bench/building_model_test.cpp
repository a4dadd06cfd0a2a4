// SPDX-License-Identifier: MIT
// The benchmark's generator and result check: the model has the documented shape, the stream is
// reproducible and bounded as specified, and checkResults catches a wrong result.
#include <catch2/catch.hpp>

#include <set>

#include "bench/building_model.h"
#include "bench/scenarios.h"

using namespace cq;
using namespace cq::bench;

namespace {
ModelConfig small() {
    ModelConfig c;
    c.buildings = 2;
    c.floorsPerBuilding = 3;
    c.roomsPerFloor = 4;
    c.seed = 7;
    return c;
}
}  // namespace

TEST_CASE("bootstrap holds every node and PART_OF relation once") {
    BuildingModel m(small());
    REQUIRE(m.roomCount() == 24);
    std::vector<Change> all;
    while (m.nextBootstrap(all, 5) > 0) {}
    REQUIRE(int64_t(all.size()) == m.bootstrapSize());
    REQUIRE(all.size() == 2 + 6 + 24 + 6 + 24);
    std::set<std::string> ids;
    int rooms = 0, relations = 0;
    for (const Change& c : all) {
        REQUIRE(c.op == ChangeOp::Insert);
        ids.insert(c.element->ref.id);
        if (c.element->hasLabel("Room")) {
            ++rooms;
            REQUIRE(c.element->properties.at("temperature").as<double>() == 72);
            REQUIRE(c.element->properties.at("co2").as<double>() == 500);
        }
        if (c.element->isRelation()) {
            ++relations;
            REQUIRE(c.element->hasLabel("PART_OF"));
        }
    }
    REQUIRE(ids.size() == all.size());
    REQUIRE(rooms == 24);
    REQUIRE(relations == 30);
}

TEST_CASE("updates change one property by at most 2 and advance time by 1-3 ms") {
    BuildingModel a(small()), b(small());
    int64_t lastTime = a.time();
    for (int i = 0; i < 500; ++i) {
        std::vector<RoomState> before;
        for (int64_t r = 0; r < a.roomCount(); ++r) before.push_back(a.room(r));
        Change c = a.nextUpdate(UpdateTarget::Comfort);
        Change d = b.nextUpdate(UpdateTarget::Comfort);
        REQUIRE(c.op == ChangeOp::Update);
        REQUIRE(c.element->ref == d.element->ref);  // same seed, same stream
        REQUIRE(c.element->effectiveFrom - lastTime >= 1);
        REQUIRE(c.element->effectiveFrom - lastTime <= 3);
        lastTime = c.element->effectiveFrom;
        int changed = 0;
        for (int64_t r = 0; r < a.roomCount(); ++r) {
            const RoomState &x = before[size_t(r)], &y = a.room(r);
            for (auto [p, q] : {std::pair{x.temperature, y.temperature}, {x.humidity, y.humidity}, {x.co2, y.co2}})
                if (p != q) {
                    ++changed;
                    REQUIRE(std::abs(p - q) <= 2.0);
                }
            REQUIRE(x.note == y.note);
        }
        REQUIRE(changed <= 1);
    }
}

TEST_CASE("note updates leave every property the queries read untouched") {
    BuildingModel m(small());
    for (int i = 0; i < 100; ++i) m.nextUpdate(UpdateTarget::Note);
    double notes = 0;
    for (int64_t r = 0; r < m.roomCount(); ++r) {
        REQUIRE(m.room(r).temperature == 72);
        REQUIRE(comfortLevel(m.room(r)) == 50);
        notes += std::abs(m.room(r).note);
    }
    REQUIRE(notes > 0);
}

TEST_CASE("comfort level follows the query's formula") {
    REQUIRE(comfortLevel(RoomState{72, 42, 500, 0}) == 50);
    REQUIRE(comfortLevel(RoomState{73.5, 41, 550, 0}) == 52);  // 50 + 1.5 - 1 + 2 = 52.5
    REQUIRE(comfortLevel(RoomState{72, 42, 400, 0}) == 50);    // co2 below 500 adds nothing
}

TEST_CASE("checkResults accepts the right averages and rejects a wrong one") {
    BuildingModel m(small());
    const Scenario& s = *findScenario(5);
    std::vector<Map> rows;
    for (int64_t b = 0; b < m.buildingCount(); ++b)
        rows.push_back(Map{{"BuildingName", Value(m.buildingName(b))}, {"ComfortLevel", Value(50.0)}});
    REQUIRE(checkResults(s, m, rows) == "");
    rows[0]["ComfortLevel"] = Value(50.5);
    REQUIRE(checkResults(s, m, rows) != "");
    rows.pop_back();
    REQUIRE(checkResults(s, m, rows) != "");
}
