// SPDX-License-Identifier: MIT
// cq::FlatHashMap (storage/memory/flat_hash_map.h), the open-addressing map behind the memory
// backend's indexes: checked against std::unordered_map under the same random inserts, lookups
// and erases, with keys chosen to collide (so that backward-shift deletion has runs to repair).
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>

#include "storage/memory/flat_hash_map.h"

using namespace cq;

namespace {

// Few distinct hashes: keys k and k + 64 share one, so probe runs are long and wrap.
struct CollidingHash {
    size_t operator()(uint64_t k) const { return size_t(k % 64); }
};

template <class Map>
std::map<uint64_t, std::string> contents(const Map& m) {
    std::map<uint64_t, std::string> out;
    for (const auto& kv : m) out.emplace(kv.first, kv.second);
    return out;
}

}  // namespace

TEST_CASE("FlatHashMap matches std::unordered_map under random inserts, finds and erases", "[flat_hash_map]") {
    for (uint32_t seed : {1u, 2u, 3u}) {
        std::mt19937 rng(seed);
        FlatHashMap<uint64_t, std::string, CollidingHash> flat;
        std::unordered_map<uint64_t, std::string> reference;
        for (int step = 0; step < 20000; ++step) {
            uint64_t key = rng() % 700;  // some keys come back after being erased
            switch (rng() % 4) {
                case 0:
                case 1: {
                    std::string value = "v" + std::to_string(step);
                    bool inserted = flat.try_emplace(key, value).second;
                    REQUIRE(inserted == reference.emplace(key, value).second);
                    break;
                }
                case 2: REQUIRE(flat.erase(key) == reference.erase(key)); break;
                case 3: {
                    auto it = flat.find(key);
                    auto ref = reference.find(key);
                    REQUIRE((it == flat.end()) == (ref == reference.end()));
                    if (ref != reference.end()) REQUIRE(it->second == ref->second);
                    break;
                }
            }
            REQUIRE(flat.size() == reference.size());
        }
        REQUIRE(contents(flat) == contents(reference));
        // Every key is still reachable after all the shifting.
        for (const auto& [key, value] : reference) {
            auto it = flat.find(key);
            REQUIRE(it != flat.end());
            REQUIRE(it->second == value);
        }
    }
}

TEST_CASE("FlatHashMap erase by iterator, operator[] and growth keep every entry", "[flat_hash_map]") {
    FlatHashMap<uint64_t, int, std::hash<uint64_t>> m;
    for (uint64_t k = 0; k < 5000; ++k) m[k] = int(k * 2);  // grows from 16 slots many times
    REQUIRE(m.size() == 5000);
    for (uint64_t k = 0; k < 5000; k += 2) m.erase(m.find(k));
    REQUIRE(m.size() == 2500);
    for (uint64_t k = 0; k < 5000; ++k) {
        auto it = m.find(k);
        if (k % 2 == 0) REQUIRE(it == m.end());
        else REQUIRE((it != m.end() && it->second == int(k * 2)));
    }
    m[0] += 7;  // operator[] default-constructs a missing value
    REQUIRE(m.find(0)->second == 7);
    REQUIRE(m.count(0) == 1);
    REQUIRE(m.count(2) == 0);
}

TEST_CASE("FlatHashMap clear empties the map, releases its values and serves new entries", "[flat_hash_map]") {
    auto held = std::make_shared<int>(1);
    FlatHashMap<uint64_t, std::shared_ptr<int>, std::hash<uint64_t>> m;
    for (uint64_t k = 0; k < 1000; ++k) m[k] = held;
    REQUIRE(held.use_count() == 1001);
    m.clear();
    REQUIRE(m.empty());
    REQUIRE(held.use_count() == 1);  // the slots' values are gone, not just counted out
    REQUIRE(m.find(5) == m.end());
    REQUIRE(m.begin() == m.end());
    for (uint64_t k = 500; k < 1500; ++k) m[k] = held;
    REQUIRE(m.size() == 1000);
    REQUIRE(m.count(499) == 0);
    REQUIRE(m.count(1499) == 1);
    m.clear();
    m.clear();  // clearing an empty map is harmless
    REQUIRE(m.size() == 0);
}
