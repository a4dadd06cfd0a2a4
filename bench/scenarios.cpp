// SPDX-License-Identifier: MIT
// Scenario queries (docs/drasi-reference.md section 8) and their expected results.
#include "bench/scenarios.h"

#include <cmath>
#include <map>

namespace cq::bench {

namespace {

#define CQ_BENCH_COMFORT                                                                          \
    "floor(50 + (r.temperature - 72) + (r.humidity - 42) + CASE WHEN r.co2 > 500 THEN (r.co2 - 500) / 25 " \
    "ELSE 0 END)"

const std::vector<Scenario> kScenarios = {
    {1, "property projection",
     "MATCH (r:Room) RETURN r.name AS RoomName, r.temperature AS Temperature, r.humidity AS Humidity, "
     "r.co2 AS CO2",
     UpdateTarget::Comfort},
    {2, "calculation projection", "MATCH (r:Room) RETURN r.name AS RoomName, " CQ_BENCH_COMFORT " AS ComfortLevel",
     UpdateTarget::Comfort},
    {3, "1-hop averaging",
     "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f.name AS FloorName, " CQ_BENCH_COMFORT
     " AS RoomComfortLevel RETURN FloorName, avg(RoomComfortLevel) AS ComfortLevel",
     UpdateTarget::Comfort},
    {4, "1-hop averaging, no-change updates",
     "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f.name AS FloorName, " CQ_BENCH_COMFORT
     " AS RoomComfortLevel RETURN FloorName, avg(RoomComfortLevel) AS ComfortLevel",
     UpdateTarget::Note},
    {5, "2-hop averaging",
     "MATCH (r:Room)-[:PART_OF]->(f:Floor)-[:PART_OF]->(b:Building) WITH b.name AS BuildingName, " CQ_BENCH_COMFORT
     " AS RoomComfortLevel RETURN BuildingName, avg(RoomComfortLevel) AS ComfortLevel",
     UpdateTarget::Comfort},
};

#undef CQ_BENCH_COMFORT

double number(const Value& v) {
    if (v.is<double>()) return v.as<double>();
    if (v.is<int64_t>()) return double(v.as<int64_t>());
    return std::nan("");
}

const Value* field(const Map& row, const char* name) {
    auto it = row.find(name);
    return it == row.end() ? nullptr : &it->second;
}

// Sums of integral comfort levels stay exact in a double up to 2^53, so averages may only differ by
// the rounding of the final division.
bool close(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::fmax(1.0, std::fabs(b)); }

std::string checkAverages(const std::vector<Map>& rows, const char* keyColumn,
                          const std::map<std::string, std::pair<double, int64_t>>& expected) {
    if (rows.size() != expected.size())
        return "expected " + std::to_string(expected.size()) + " rows, got " + std::to_string(rows.size());
    for (const Map& row : rows) {
        const Value* key = field(row, keyColumn);
        const Value* level = field(row, "ComfortLevel");
        if (!key || !key->is<std::string>() || !level) return std::string("a row lacks ") + keyColumn;
        auto it = expected.find(key->as<std::string>());
        if (it == expected.end()) return "unexpected group " + key->as<std::string>();
        double want = it->second.first / double(it->second.second);
        if (!close(number(*level), want))
            return key->as<std::string>() + ": ComfortLevel " + std::to_string(number(*level)) + ", expected " +
                   std::to_string(want);
    }
    return "";
}

}  // namespace

const std::vector<Scenario>& scenarios() { return kScenarios; }

const Scenario* findScenario(int number) {
    for (const Scenario& s : kScenarios)
        if (s.number == number) return &s;
    return nullptr;
}

std::string checkResults(const Scenario& scenario, const BuildingModel& model, const std::vector<Map>& rows) {
    const int64_t roomCount = model.roomCount();
    if (scenario.number == 1 || scenario.number == 2) {
        if (int64_t(rows.size()) != roomCount)
            return "expected " + std::to_string(roomCount) + " rows, got " + std::to_string(rows.size());
        std::map<std::string, int64_t> byName;
        for (int64_t i = 0; i < roomCount; ++i) byName[model.roomName(i)] = i;
        for (const Map& row : rows) {
            const Value* name = field(row, "RoomName");
            if (!name || !name->is<std::string>()) return "a row lacks RoomName";
            auto it = byName.find(name->as<std::string>());
            if (it == byName.end()) return "unexpected room " + name->as<std::string>();
            const RoomState& s = model.room(it->second);
            if (scenario.number == 1) {
                const Value* t = field(row, "Temperature");
                const Value* h = field(row, "Humidity");
                const Value* c = field(row, "CO2");
                if (!t || !h || !c || number(*t) != s.temperature || number(*h) != s.humidity || number(*c) != s.co2)
                    return name->as<std::string>() + ": stale or missing properties";
            } else {
                const Value* level = field(row, "ComfortLevel");
                if (!level || number(*level) != comfortLevel(s))
                    return name->as<std::string>() + ": ComfortLevel differs from " + std::to_string(comfortLevel(s));
            }
            byName.erase(it);
        }
        return "";
    }
    std::map<std::string, std::pair<double, int64_t>> expected;
    const bool perBuilding = scenario.number == 5;
    for (int64_t i = 0; i < roomCount; ++i) {
        int64_t floor = model.floorOfRoom(i);
        std::string key = perBuilding ? model.buildingName(model.buildingOfFloor(floor)) : model.floorName(floor);
        auto& acc = expected[key];
        acc.first += comfortLevel(model.room(i));
        acc.second += 1;
    }
    return checkAverages(rows, perBuilding ? "BuildingName" : "FloorName", expected);
}

}  // namespace cq::bench
