// SPDX-License-Identifier: MIT
// The building-comfort model of drasi-core's query-perf (docs/drasi-reference.md section 8), as
// cq::Change values: B buildings x 10 floors x R rooms, each Room PART_OF its Floor, each Floor
// PART_OF its Building. Changes are generated one at a time from a fixed seed, so a run never holds
// the whole stream in memory (peak RSS then measures the engine, not the benchmark's input).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model/element.h"

namespace cq::bench {

struct ModelConfig {
    int64_t buildings = 50;
    int64_t floorsPerBuilding = 10;
    int64_t roomsPerFloor = 20;  ///< Drasi's model has 20 rooms per floor
    uint64_t seed = 42;
    int64_t startTime = 5'000'000;  ///< ms, as Drasi's generator
    std::string source = "facilities";
};

/// Which Room properties the change stream updates.
enum class UpdateTarget : uint8_t {
    Comfort,  ///< temperature, humidity or co2, one chosen at random per change
    Note,     ///< `note`, a property none of the scenario queries read
};

struct RoomState {
    double temperature = 72;
    double humidity = 42;
    double co2 = 500;
    double note = 0;
};

/// SplitMix64: fixed output for a fixed seed on every platform (std::uniform_*_distribution is not).
class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next();
    /// Uniform in [0, n).
    uint64_t below(uint64_t n) { return next() % n; }
    /// Uniform in [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * double(next() >> 11) * 0x1.0p-53; }

private:
    uint64_t state_;
};

class BuildingModel {
public:
    explicit BuildingModel(ModelConfig config);

    int64_t buildingCount() const { return config_.buildings; }
    int64_t floorCount() const { return config_.buildings * config_.floorsPerBuilding; }
    int64_t roomCount() const { return floorCount() * config_.roomsPerFloor; }
    /// Nodes and PART_OF relations: rooms + floors + buildings + rooms + floors.
    int64_t bootstrapSize() const { return 2 * (roomCount() + floorCount()) + buildingCount(); }

    /// Appends up to `max` further bootstrap inserts (buildings, floors, rooms, then the relations);
    /// returns how many were appended (0 once the bootstrap is complete).
    size_t nextBootstrap(std::vector<Change>& out, size_t max);
    /// The next change of the stream: an Update of one random Room, one property moved by a delta in
    /// [-2, +2), effective_from 1-3 ms after the previous change. The Room's state is updated.
    Change nextUpdate(UpdateTarget target);

    const RoomState& room(int64_t i) const { return rooms_[size_t(i)]; }
    int64_t floorOfRoom(int64_t room) const { return room / config_.roomsPerFloor; }
    int64_t buildingOfFloor(int64_t floor) const { return floor / config_.floorsPerBuilding; }
    std::string roomName(int64_t room) const;
    std::string floorName(int64_t floor) const;  ///< unique per floor: queries group by it
    std::string buildingName(int64_t building) const;
    int64_t time() const { return time_; }

private:
    ElementPtr roomElement(int64_t room, int64_t time) const;
    ElementPtr node(const std::string& id, const char* label, const std::string& name) const;
    ElementPtr relation(const std::string& id, const std::string& from, const std::string& to) const;

    ModelConfig config_;
    Rng rng_;
    std::vector<RoomState> rooms_;
    int64_t bootstrapCursor_ = 0;
    int64_t time_;
};

/// The comfort level of query-perf's calculation scenarios:
/// floor(50 + (t - 72) + (h - 42) + CASE WHEN co2 > 500 THEN (co2 - 500) / 25 ELSE 0 END),
/// evaluated in the same order of operations as the Cypher expression.
double comfortLevel(const RoomState& room);

}  // namespace cq::bench
