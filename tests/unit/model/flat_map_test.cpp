// SPDX-License-Identifier: MIT
// cq::FlatMap (core/model/flat_map.h), the sorted-vector map behind cq::Map: it must behave as the
// std::map<std::string, V, std::less<>> it replaced (key order, no-overwrite emplace, first of
// repeated keys wins in an initializer list), checked here against a std::map on the same inputs.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/flat_map.h"
#include "core/model/value.h"

using namespace cq;

namespace {

using IntMap = FlatMap<int>;

std::vector<std::pair<std::string, int>> entries(const IntMap& m) {
    std::vector<std::pair<std::string, int>> out;
    for (const auto& [k, v] : m) out.emplace_back(k, v);
    return out;
}

std::vector<std::pair<std::string, int>> entries(const std::map<std::string, int, std::less<>>& m) {
    return {m.begin(), m.end()};
}

}  // namespace

TEST_CASE("flat map: keys inserted in order are appended and iterate in order") {
    IntMap m;
    m.reserve(4);
    CHECK(m.empty());
    CHECK(m.try_emplace("a", 1).second);
    CHECK(m.try_emplace(std::string("b"), 2).second);
    CHECK(m.emplace(std::string_view("c"), 3).second);
    CHECK(m.insert({"d", 4}).second);
    CHECK(m.size() == 4);
    CHECK(entries(m) == std::vector<std::pair<std::string, int>>{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}});
}

TEST_CASE("flat map: any insertion order gives std::map's order and contents") {
    const std::vector<std::string> keys = {"temperature", "name", "co2", "", "humidity", "Name", "note",
                                           "name", "a\xff", "a", "z", "co2", "b\0c"};
    std::map<std::string, int, std::less<>> ref;
    IntMap m;
    int i = 0;
    for (const std::string& k : keys) {
        ++i;
        CHECK(m.emplace(k, i).second == ref.emplace(k, i).second);
        CHECK(entries(m) == entries(ref));
    }
    // Byte order, as std::string's < (0xff sorts after ASCII, uppercase before lowercase).
    CHECK(m.begin()->first.empty());
    CHECK(std::next(m.begin())->first == "Name");
    CHECK(std::prev(m.end())->first == "z");
}

TEST_CASE("flat map: lookups by std::string, std::string_view and const char*") {
    IntMap m{{"x", 1}, {"y", 2}, {"long key beyond any small-string buffer", 3}};
    const std::string xs = "x";
    const std::string_view yv = "y";
    const char* lc = "long key beyond any small-string buffer";
    CHECK(m.find(xs)->second == 1);
    CHECK(m.find(yv)->second == 2);
    CHECK(m.find(lc)->second == 3);
    CHECK(m.find("nope") == m.end());
    CHECK(m.contains(xs));
    CHECK(m.contains(yv));
    CHECK(m.contains(lc));
    CHECK_FALSE(m.contains("X"));
    CHECK(m.count("y") == 1);
    CHECK(m.count(std::string("z")) == 0);
    CHECK(m.at("x") == 1);
    CHECK_THROWS_AS(m.at("w"), std::out_of_range);
    const IntMap& c = m;
    CHECK(c.find("y")->second == 2);
    CHECK(c.at(yv) == 2);
    CHECK(c.find(std::string_view("x", 1)) == c.begin() + 1);  // "long..." < "x" < "y"
    CHECK(c.lower_bound("m")->first == "x");
}

TEST_CASE("flat map: emplace, try_emplace and insert never overwrite; insert_or_assign and [] do") {
    IntMap m;
    m["k"] = 1;
    auto [it, inserted] = m.emplace("k", 2);
    CHECK_FALSE(inserted);
    CHECK(it->second == 1);
    CHECK_FALSE(m.try_emplace(std::string("k"), 3).second);
    CHECK_FALSE(m.insert({"k", 4}).second);
    CHECK(m.at("k") == 1);
    CHECK_FALSE(m.insert_or_assign("k", 5).second);
    CHECK(m.at("k") == 5);
    CHECK(m.insert_or_assign("j", 6).second);
    m["k"] += 10;
    CHECK(m["new"] == 0);  // [] value-initialises a missing entry
    CHECK(entries(m) == std::vector<std::pair<std::string, int>>{{"j", 6}, {"k", 15}, {"new", 0}});

    // A failed try_emplace leaves its arguments alone (std::map's try_emplace does too).
    Map values;
    values.try_emplace("s", Value("first"));
    std::string moved = "kept";
    Value v("not moved");
    CHECK_FALSE(values.try_emplace("s", std::move(v)).second);
    CHECK(v.asString() == "not moved");
    CHECK(values.try_emplace(std::move(moved), std::move(v)).second);
    CHECK(values.at("kept").asString() == "not moved");
}

TEST_CASE("flat map: an initializer list keeps the first of repeated keys, as std::map") {
    IntMap m{{"b", 1}, {"a", 2}, {"b", 3}, {"c", 4}, {"a", 5}};
    std::map<std::string, int, std::less<>> ref{{"b", 1}, {"a", 2}, {"b", 3}, {"c", 4}, {"a", 5}};
    CHECK(entries(m) == entries(ref));
    std::vector<std::pair<std::string, int>> src{{"z", 1}, {"y", 2}, {"z", 3}};
    IntMap r(src.begin(), src.end());
    CHECK(entries(r) == std::vector<std::pair<std::string, int>>{{"y", 2}, {"z", 1}});
}

TEST_CASE("flat map: erase by key, by iterator and by range") {
    IntMap m{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"e", 5}};
    CHECK(m.erase("c") == 1);
    CHECK(m.erase(std::string("c")) == 0);
    auto next = m.erase(m.find("a"));
    CHECK(next->first == "b");
    next = m.erase(m.find("b"), m.find("e"));
    CHECK(next->first == "e");
    CHECK(entries(m) == std::vector<std::pair<std::string, int>>{{"e", 5}});
    // Erasing while iterating, with the returned iterator.
    IntMap n{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}};
    for (auto it = n.begin(); it != n.end();) it = it->second % 2 ? n.erase(it) : std::next(it);
    CHECK(entries(n) == std::vector<std::pair<std::string, int>>{{"b", 2}, {"d", 4}});
    n.clear();
    CHECK(n.empty());
    CHECK(n.begin() == n.end());
}

TEST_CASE("flat map: equality is entry-wise, independent of insertion order") {
    IntMap a, b;
    a["x"] = 1;
    a["y"] = 2;
    b["y"] = 2;
    b["x"] = 1;
    CHECK(a == b);
    b["x"] = 3;
    CHECK(a != b);
    b["x"] = 1;
    b["z"] = 0;
    CHECK(a != b);
    CHECK(IntMap{} == IntMap{});
}

TEST_CASE("flat map: entries that alias the map survive the growth their insertion causes") {
    // Unlike std::map, an insert may move every entry. An argument that refers to an entry must be
    // read before that happens (ASan reports a heap-use-after-free otherwise).
    for (int n = 1; n <= 20; ++n) {
        FlatMap<std::string> m;
        for (int i = 0; i < n; ++i) {
            std::string key = "k";
            key += std::to_string(100 + i);  // not "k" + to_string(): g++ 12 -Wrestrict false positive
            m.emplace(key, std::string(40, char('a' + i % 26)));
        }
        const std::string& first = m.begin()->second;
        const std::string expected = first;
        CHECK(m.try_emplace("a", first).second);  // inserted in front, from an entry
        CHECK(m.at("a") == expected);
        const std::string& last = std::prev(m.end())->second;
        const std::string expectedLast = last;
        CHECK(m.insert_or_assign("z", last).second);  // appended, from an entry
        CHECK(m.at("z") == expectedLast);
        CHECK(m.size() == size_t(n) + 2);
    }
}

TEST_CASE("flat map: small maps grown one insert at a time end with no spare room") {
    // Element properties and stored rows are long-lived; see FlatMap::emplaceAt.
    IntMap m;
    for (int i = 0; i < 5; ++i) m.emplace(std::string(1, char('e' - i)), i);
    CHECK(m.entries().capacity() == 5);
    IntMap big;
    for (int i = 0; i < 100; ++i) big.emplace(std::to_string(1000 + i), i);
    CHECK(big.size() == 100);
    CHECK(big.entries().capacity() < 150);
}

TEST_CASE("flat map: cq::Map of Values, as rows and properties use it") {
    Map row;
    row.reserve(3);
    row.insert_or_assign("Temperature", Value(21.5));
    row.insert_or_assign("RoomName", Value("Room 1"));
    row.insert_or_assign("CO2", Value(int64_t(400)));
    std::vector<std::string> keys;
    for (auto& [k, v] : row) keys.push_back(k);
    CHECK(keys == std::vector<std::string>{"CO2", "RoomName", "Temperature"});
    Value wrapped(row);
    CHECK(wrapped.asMap().size() == 3);
    CHECK(valuesEqual(wrapped, Value(Map{{"RoomName", Value("Room 1")}, {"CO2", Value(400.0)}, {"Temperature", Value(21.5)}})));
    CHECK_FALSE(valuesEqual(wrapped, Value(Map{{"RoomName", Value("Room 1")}})));
}
