// SPDX-License-Identifier: MIT
// readChangesBinary (core/model/change_binary.h), the reader of the npm package's binary crossing:
// what it reads equals what the JSON fast reader reads from the same changes as JSON text, and any
// input that is not of the form (every truncation, trailing bytes, an unknown tag or op, a repeated
// key, a fraction sent as an integer) is refused without reading past the end (the asan tree runs
// this too). The JS side (change_encoder.ts against JSON text) is js/test/crossing.test.mjs.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "core/model/change_binary.h"
#include "core/model/change_reader.h"
#include "core/model/value.h"

using namespace cq;

namespace {

/// Writes the binary form by hand, as change_encoder.ts does.
struct Writer {
    std::vector<uint8_t> out;
    Writer& u8(uint8_t v) {
        out.push_back(v);
        return *this;
    }
    Writer& u32(uint32_t v) { return raw(&v, 4); }
    Writer& f64(double v) { return raw(&v, 8); }
    Writer& i64(int64_t v) { return raw(&v, 8); }
    Writer& str(const std::string& s) {
        u32(uint32_t(s.size()));
        return raw(s.data(), s.size());
    }
    Writer& raw(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        out.insert(out.end(), b, b + n);
        return *this;
    }
};

/// Two changes: an update of a node with every kind of value, and an insert of a relation to
/// another source. The same as kJson below.
std::vector<uint8_t> twoChanges() {
    Writer w;
    w.u32(2);
    w.u8(1).u8(8).str("S").str("room-1").f64(5000001);                 // update, effective_from
    w.u32(2).str("Room").str("Hot");                                    // labels
    w.u32(8);                                                           // properties
    w.str("name").u8(5).str("Room 0.0.1");
    w.str("temperature").u8(4).f64(70.5);
    w.str("humidity").u8(3).f64(42);
    w.str("big").u8(8).i64(int64_t(1) << 60);
    w.str("ok").u8(2);
    w.str("none").u8(0);
    w.str("list").u8(6).u32(2).u8(1).u8(3).f64(-7);
    w.str("map").u8(7).u32(1).str("k").u8(5).str("v");
    w.u8(0).u8(1 | 4).str("S").str("e1").str("room-1").str("f1").str("T");  // insert relation, end_source
    w.u32(1).str("PART_OF").u32(0);
    return w.out;
}

const char* kJson =
    R"([{"op":"update","element":{"kind":"node","source":"S","id":"room-1","effective_from":5000001,)"
    R"("labels":["Room","Hot"],"properties":{"name":"Room 0.0.1","temperature":70.5,"humidity":42,)"
    R"("big":1152921504606846976,"ok":true,"none":null,"list":[false,-7],"map":{"k":"v"}}}},)"
    R"({"op":"insert","element":{"kind":"relation","source":"S","id":"e1","start":"room-1","end":"f1",)"
    R"("end_source":"T","labels":["PART_OF"],"properties":{}}}])";

void requireSameChanges(const std::vector<Change>& a, const std::vector<Change>& b) {
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        const Element& x = *a[i].element;
        const Element& y = *b[i].element;
        REQUIRE(a[i].op == b[i].op);
        REQUIRE(x.kind == y.kind);
        REQUIRE(x.ref == y.ref);
        REQUIRE(x.start() == y.start());
        REQUIRE(x.end() == y.end());
        REQUIRE(x.labels == y.labels);
        REQUIRE(x.effectiveFrom == y.effectiveFrom);
        REQUIRE(x.properties.size() == y.properties.size());
        for (const auto& [key, value] : y.properties) {
            auto it = x.properties.find(key);
            REQUIRE(it != x.properties.end());
            INFO(key);
            REQUIRE(it->second.kind() == value.kind());  // 42 an integer, 70.5 a float, on both
            REQUIRE(valuesEqual(it->second, value));
        }
    }
}

}  // namespace

TEST_CASE("readChangesBinary reads what the JSON reader reads from the same changes", "[change_binary]") {
    std::vector<uint8_t> bytes = twoChanges();
    std::vector<Change> fromBinary, fromJson;
    REQUIRE(readChangesBinary(bytes.data(), bytes.size(), fromBinary));
    bool isArray = false;
    REQUIRE(readChangesFast(kJson, fromJson, isArray));
    REQUIRE(isArray);
    requireSameChanges(fromBinary, fromJson);
    REQUIRE(fromBinary[1].element->start().source == "S");  // defaults to the relation's source
    REQUIRE(fromBinary[1].element->end().source == "T");
    // Interned as they are read: the same name is the same entry as any other "S".
    REQUIRE(&fromBinary[1].element->start().source.str() == &SourceName("S").str());
    REQUIRE(&fromBinary[1].element->ref.source.str() == &fromJson[1].element->ref.source.str());
}

TEST_CASE("readChangesBinary refuses every truncation and trailing bytes", "[change_binary]") {
    std::vector<uint8_t> bytes = twoChanges();
    std::vector<Change> out;
    for (size_t n = 0; n < bytes.size(); ++n) {
        // A copy of exactly n bytes, so AddressSanitizer sees any read past them.
        std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + long(n));
        INFO("length " << n);
        REQUIRE_FALSE(readChangesBinary(cut.data(), cut.size(), out));
    }
    bytes.push_back(0);
    REQUIRE_FALSE(readChangesBinary(bytes.data(), bytes.size(), out));
}

TEST_CASE("readChangesBinary refuses input of another form", "[change_binary]") {
    std::vector<Change> out;
    auto node = [](uint8_t op, uint8_t flags) {
        Writer w;
        w.u32(1).u8(op).u8(flags).str("S").str("n");
        return w;
    };
    auto refused = [&](const Writer& w) { return !readChangesBinary(w.out.data(), w.out.size(), out); };

    Writer ok = node(0, 0);
    ok.u32(0).u32(1).str("x").u8(3).f64(1);
    REQUIRE_FALSE(refused(ok));

    REQUIRE(refused(node(3, 0).u32(0).u32(0)));                          // no such op
    REQUIRE(refused(node(0, 16).u32(0).u32(0)));                         // an unknown flag
    REQUIRE(refused(node(0, 2).str("S").u32(0).u32(0)));                 // start_source on a node
    REQUIRE(refused(node(0, 8).f64(0.5).u32(0).u32(0)));                 // a fractional effective_from
    REQUIRE(refused(node(0, 0).u32(0).u32(1).str("x").u8(9)));            // an unknown tag
    REQUIRE(refused(node(0, 0).u32(0).u32(1).str("x").u8(3).f64(1.5)));   // a fraction as an integer
    REQUIRE(refused(node(0, 0).u32(0).u32(1).str("x").u8(4).f64(1.0 / 0.0)));  // not finite
    REQUIRE(refused(node(0, 0).u32(0).u32(2).str("x").u8(0).str("x").u8(0)));  // a repeated key
    REQUIRE(refused(node(0, 0).u32(0).u32(0xFFFFFFFF)));                  // a count past the input
    Writer deep = node(0, 0);
    deep.u32(0).u32(1).str("x");
    for (int i = 0; i < 600; ++i) deep.u8(6).u32(1);
    deep.u8(0);
    REQUIRE(refused(deep));  // nesting past 512
}

TEST_CASE("readChangesBinary places properties by key orders it has seen, in any order and past its memory",
          "[change_binary]") {
    // Node updates with the keys of `orders[k]`, in that order, value i+1 for key i: two orders
    // alternating hit the reader's recent key orders, then all 6 are met; after that, 20 other
    // key sets push them out of its memory (16), and reading the updates again rebuilds them.
    const std::vector<std::vector<std::string>> orders = {
        {"name", "temperature", "humidity"}, {"humidity", "name", "temperature"}, {"temperature", "humidity", "name"},
        {"name", "humidity", "temperature"}, {"humidity", "temperature", "name"}, {"temperature", "name", "humidity"}};
    Writer w;
    std::string json = "[";
    const int count = 24;
    w.u32(count);
    for (int c = 0; c < count; ++c) {
        const std::vector<std::string>& keys = orders[size_t(c < 8 ? c % 2 : c % 6)];
        w.u8(1).u8(0).str("S").str("room-" + std::to_string(c)).u32(1).str("Room").u32(uint32_t(keys.size()));
        json += std::string(c ? "," : "") + R"({"op":"update","element":{"source":"S","id":"room-)" + std::to_string(c) +
                R"(","labels":["Room"],"properties":{)";
        for (size_t i = 0; i < keys.size(); ++i) {
            w.str(keys[i]).u8(3).f64(double(c * 10 + int(i) + 1));
            json += std::string(i ? "," : "") + "\"" + keys[i] + "\":" + std::to_string(c * 10 + int(i) + 1);
        }
        json += "}}}";
    }
    json += "]";
    std::vector<Change> fromBinary, fromJson;
    REQUIRE(readChangesBinary(w.out.data(), w.out.size(), fromBinary));
    bool isArray = false;
    REQUIRE(readChangesFast(json.c_str(), fromJson, isArray));
    requireSameChanges(fromBinary, fromJson);
    for (const Change& c : fromBinary) {  // one shared list of names, however the keys came
        REQUIRE(c.element->properties.sharedNames() == fromBinary[0].element->properties.sharedNames());
        REQUIRE(c.element->properties.names() == Properties::Names{"humidity", "name", "temperature"});
    }
    // Read again after 20 other key orders: the same.
    {
        Writer f;
        f.u32(20);
        for (int k = 0; k < 20; ++k) f.u8(1).u8(0).str("S").str("x").u32(0).u32(1).str("k" + std::to_string(k)).u8(0);
        std::vector<Change> filler;
        REQUIRE(readChangesBinary(f.out.data(), f.out.size(), filler));
        REQUIRE(filler[19].element->properties.names() == Properties::Names{"k19"});
    }
    std::vector<Change> again;
    REQUIRE(readChangesBinary(w.out.data(), w.out.size(), again));
    requireSameChanges(again, fromJson);

    // A repeated key is refused whether or not the reader knows an order of those keys.
    for (const std::vector<std::string>& keys :
         {std::vector<std::string>{"name", "name", "humidity"}, std::vector<std::string>{"humidity", "name", "humidity"}}) {
        Writer d;
        d.u32(1).u8(1).u8(0).str("S").str("r").u32(0).u32(3);
        for (const std::string& k : keys) d.str(k).u8(0);
        std::vector<Change> out;
        REQUIRE_FALSE(readChangesBinary(d.out.data(), d.out.size(), out));
    }
}
