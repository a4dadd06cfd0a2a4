// SPDX-License-Identifier: MIT
// The building-comfort generator (see building_model.h).
#include "bench/building_model.h"

#include <cmath>
#include <memory>

#include "core/common/error.h"

namespace cq::bench {

uint64_t Rng::next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

BuildingModel::BuildingModel(ModelConfig config)
    : config_(std::move(config)), rng_(config_.seed), time_(config_.startTime) {
    if (config_.buildings <= 0 || config_.floorsPerBuilding <= 0 || config_.roomsPerFloor <= 0)
        throw Error(ErrorCode::InvalidConfig, "the building model needs at least one building, floor and room");
    rooms_.resize(size_t(roomCount()));
}

std::string BuildingModel::roomName(int64_t room) const {
    int64_t floor = floorOfRoom(room);
    return "Room " + std::to_string(buildingOfFloor(floor)) + "." +
           std::to_string(floor % config_.floorsPerBuilding) + "." + std::to_string(room % config_.roomsPerFloor);
}

std::string BuildingModel::floorName(int64_t floor) const {
    return "Floor " + std::to_string(buildingOfFloor(floor)) + "." + std::to_string(floor % config_.floorsPerBuilding);
}

std::string BuildingModel::buildingName(int64_t building) const { return "Building " + std::to_string(building); }

static std::string roomId(int64_t i) { return "room-" + std::to_string(i); }
static std::string floorId(int64_t i) { return "floor-" + std::to_string(i); }
static std::string buildingId(int64_t i) { return "building-" + std::to_string(i); }

ElementPtr BuildingModel::node(const std::string& id, const char* label, const std::string& name) const {
    auto e = Element::make(ElementKind::Node);
    e->ref = ElementRef{config_.source, id};
    e->labels = {label};
    e->effectiveFrom = config_.startTime;
    e->properties = Properties{{"name", Value(name)}};
    return e;
}

ElementPtr BuildingModel::relation(const std::string& id, const std::string& from, const std::string& to) const {
    auto e = Element::make(ElementKind::Relation);
    e->ref = ElementRef{config_.source, id};
    e->labels = {"PART_OF"};
    e->effectiveFrom = config_.startTime;
    e->start() = ElementRef{config_.source, from};
    e->end() = ElementRef{config_.source, to};
    return e;
}

ElementPtr BuildingModel::roomElement(int64_t room, int64_t time) const {
    const RoomState& s = rooms_[size_t(room)];
    auto e = Element::make(ElementKind::Node);
    e->ref = ElementRef{config_.source, roomId(room)};
    e->labels = {"Room"};
    e->effectiveFrom = time;
    e->properties = Properties{{"co2", Value(s.co2)},
                               {"humidity", Value(s.humidity)},
                               {"name", Value(roomName(room))},
                               {"note", Value(s.note)},
                               {"temperature", Value(s.temperature)}};
    return e;
}

size_t BuildingModel::nextBootstrap(std::vector<Change>& out, size_t max) {
    const int64_t b = buildingCount(), f = floorCount(), r = roomCount();
    size_t added = 0;
    for (; added < max && bootstrapCursor_ < bootstrapSize(); ++added, ++bootstrapCursor_) {
        int64_t i = bootstrapCursor_;
        ElementPtr e;
        if (i < b) {
            e = node(buildingId(i), "Building", buildingName(i));
        } else if ((i -= b) < f) {
            e = node(floorId(i), "Floor", floorName(i));
        } else if ((i -= f) < r) {
            e = roomElement(i, config_.startTime);
        } else if ((i -= r) < f) {
            e = relation("floor-part-of-" + std::to_string(i), floorId(i), buildingId(buildingOfFloor(i)));
        } else {
            i -= f;
            e = relation("room-part-of-" + std::to_string(i), roomId(i), floorId(floorOfRoom(i)));
        }
        out.push_back(Change{ChangeOp::Insert, std::move(e)});
    }
    return added;
}

Change BuildingModel::nextUpdate(UpdateTarget target) {
    int64_t room = int64_t(rng_.below(uint64_t(roomCount())));
    RoomState& s = rooms_[size_t(room)];
    double delta = rng_.uniform(-2.0, 2.0);
    if (target == UpdateTarget::Note) {
        s.note += delta;
    } else {
        switch (rng_.below(3)) {
            case 0: s.temperature += delta; break;
            case 1: s.humidity += delta; break;
            default: s.co2 += delta; break;
        }
    }
    time_ += 1 + int64_t(rng_.below(3));
    return Change{ChangeOp::Update, roomElement(room, time_)};
}

double comfortLevel(const RoomState& room) {
    double co2Part = room.co2 > 500 ? (room.co2 - 500) / 25 : 0;
    return std::floor(50 + (room.temperature - 72) + (room.humidity - 42) + co2Part);
}

}  // namespace cq::bench
