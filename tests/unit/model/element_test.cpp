// SPDX-License-Identifier: MIT
// Elements: identityHash (computed once and kept, never carried into a copy, a function of the ref
// alone: solution signatures built from it are stored), relation ends, shared label lists, and
// interned source names.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <stdexcept>
#include <utility>

#include "core/common/hash.h"
#include "core/model/change_reader.h"
#include "core/model/json.h"
#include "core/model/element.h"

using namespace cq;

TEST_CASE("identityHash depends on the ref only and is not carried into copies", "[element]") {
    auto a = Element::make(ElementKind::Node);
    a->ref = {"facilities", "room-1"};
    a->labels = {"Room"};
    const uint64_t h = a->identityHash();
    REQUIRE(h != 0);
    REQUIRE(a->identityHash() == h);  // kept

    auto same = Element::make(ElementKind::Node);
    same->ref = {"facilities", "room-1"};
    same->properties.set("temperature", Value(72.5));  // properties and labels do not matter
    REQUIRE(same->identityHash() == h);

    auto copy = Element::copyOf(*a);  // copied after a's hash was cached
    copy->ref.id = "room-2";
    REQUIRE(copy->identityHash() != h);
    auto other = Element::make(ElementKind::Node);
    other->ref = {"facilities", "room-2"};
    REQUIRE(copy->identityHash() == other->identityHash());

    auto swapped = Element::make(ElementKind::Node);
    swapped->ref = {"facilities", "room-1"};
    REQUIRE(swapped->identityHash() == h);
    swapped->ref.source = "other";  // a misuse (a ref changed after hashing) stays in this object:
    auto fresh = Element::make(ElementKind::Node);
    fresh->ref = {"other", "room-1"};
    REQUIRE(Element::copyOf(*swapped)->identityHash() == fresh->identityHash());  // a copy hashes its own ref
}

TEST_CASE("sources are interned names: one copy per name, equal exactly when the same name", "[element]") {
    // However built, equal names are one entry; different names are not, also when they share a
    // prefix or differ only in length.
    const std::string built = std::string("fac") + "ilities";
    SourceName a("facilities"), b(built), c(std::string_view("facilities-2").substr(0, 10));
    REQUIRE(&a.str() == &b.str());
    REQUIRE(&a.str() == &c.str());
    REQUIRE(a == b);
    REQUIRE(SourceName("facilities-2") != a);
    REQUIRE(SourceName("facilitie") != a);
    REQUIRE(a == "facilities");
    REQUIRE(a == built);
    REQUIRE(a != "other");
    // More names than the per-thread recent list holds (4): still one entry each, found again.
    std::vector<SourceName> many;
    for (int i = 0; i < 12; ++i) many.emplace_back("src-" + std::to_string(i));
    for (int i = 0; i < 12; ++i) REQUIRE(&many[size_t(i)].str() == &SourceName("src-" + std::to_string(i)).str());
    // The empty name is the default; order is the bytes' order; the kept hash is std::hash's (ref
    // hashes, and the signatures stored from them, are the same as when sources were strings).
    REQUIRE(SourceName().empty());
    REQUIRE(SourceName("") == SourceName());
    REQUIRE(SourceName("a") < SourceName("b"));
    REQUIRE_FALSE(SourceName("b") < SourceName("a"));
    REQUIRE_FALSE(a < a);
    REQUIRE(SourceName("ab") < SourceName("b"));
    REQUIRE(a.hash() == std::hash<std::string>()("facilities"));
    REQUIRE(identityHashOf(ElementRef{"facilities", "room-1"}) ==
            mixHash(std::hash<std::string>()("facilities"), std::hash<std::string>()("room-1")));
    REQUIRE("(" + a + ":" == std::string("(facilities:"));

    // The JSON readers (fast and DOM) intern (the binary one: change_binary_test.cpp).
    const std::string json =
        R"({"op":"insert","element":{"kind":"relation","source":"bms","id":"r","labels":["L"],"start":"a","end":"b","end_source":"other"}})";
    std::vector<Change> fast;
    bool isArray = true;
    REQUIRE(readChangesFast(json.c_str(), fast, isArray));
    REQUIRE(fast.size() == 1);
    std::vector<Change> dom{changeFromJson(parseJson(json))};
    for (const std::vector<Change>* v : {&fast, &dom}) {
        const Element& e = *(*v)[0].element;
        REQUIRE(&e.ref.source.str() == &SourceName("bms").str());
        REQUIRE(&e.start().source.str() == &e.ref.source.str());  // defaults to the relation's source
        REQUIRE(&e.end().source.str() == &SourceName("other").str());
    }
}

TEST_CASE("only relations carry ends, and copies keep the kind and the ends", "[element]") {
    auto node = Element::make(ElementKind::Node);
    node->ref = {"s", "n"};
    REQUIRE_FALSE(node->isRelation());
    REQUIRE(std::as_const(*node).start() == ElementRef());  // a node reads empty ends
    REQUIRE(std::as_const(*node).end() == ElementRef());
    REQUIRE_THROWS_AS(node->start() = (ElementRef{"s", "x"}), std::logic_error);

    auto rel = Element::make(ElementKind::Relation);
    rel->ref = {"s", "r"};
    rel->labels = {"PART_OF"};
    rel->properties.set("w", Value(int64_t(3)));
    rel->effectiveFrom = 42;
    rel->start() = {"s", "a"};
    rel->end() = {"t", "b"};
    auto copy = Element::copyOf(*rel);
    REQUIRE(copy->isRelation());
    const Element& c = *copy;
    REQUIRE(c.start() == ElementRef{"s", "a"});
    REQUIRE(c.end() == ElementRef{"t", "b"});
    REQUIRE(c.ref == rel->ref);
    REQUIRE(c.labels == rel->labels);
    REQUIRE(c.effectiveFrom == 42);
    REQUIRE(valuesEqual(Value(ElementPtr(copy)), Value(ElementPtr(rel))));
    copy->end() = {"t", "c"};  // the copy's ends are its own
    REQUIRE(rel->end() == ElementRef{"t", "b"});
    REQUIRE_FALSE(valuesEqual(Value(ElementPtr(copy)), Value(ElementPtr(rel))));

    auto nodeCopy = Element::copyOf(*node);
    REQUIRE_FALSE(nodeCopy->isRelation());
    // A node is the smaller object: the ends are what a relation adds.
    REQUIRE(sizeof(Element) + 2 * sizeof(ElementRef) == sizeof(RelationElement));
}

TEST_CASE("elements with the same labels share one list, and labels read back exactly", "[element]") {
    // Decoded elements share: the JSON reader's.
    std::string batch = "[";
    for (int i = 0; i < 40; ++i) {
        // Labels cycle through 24 lists, more than the recent-list cache holds (16), with repeats.
        std::string labels = i % 2 ? "[\"Room\"]" : "[\"L" + std::to_string(i % 24) + "\", \"Room\"]";
        batch += std::string(i ? "," : "") + R"({"op":"insert","element":{"source":"s","id":"n)" +
                 std::to_string(i) + R"(","labels":)" + labels + R"(,"properties":{}}})";
    }
    batch += "]";
    std::vector<Change> changes;
    bool isArray = false;
    REQUIRE(readChangesFast(batch.c_str(), changes, isArray));
    REQUIRE(changes.size() == 40);
    for (int i = 0; i < 40; ++i) {
        const Labels& l = changes[size_t(i)].element->labels;
        if (i % 2) {
            REQUIRE(l.list() == Labels::List{"Room"});
            REQUIRE(&l.list() == &changes[1].element->labels.list());  // one list for all of them
        } else {
            REQUIRE(l.list() == Labels::List{"L" + std::to_string(i % 24), "Room"});
        }
    }
    REQUIRE(changes[0].element->labels != changes[2].element->labels);
    REQUIRE(changes[0].element->labels == Labels{"L0", "Room"});

    // Built ones share too, and no labels is the empty list.
    auto a = Element::make(ElementKind::Node);
    auto b = Element::make(ElementKind::Relation);
    a->labels = {"PART_OF"};
    b->labels = Labels(Labels::List{"PART_OF"});
    REQUIRE(&a->labels.list() == &b->labels.list());
    REQUIRE(Labels().empty());
    REQUIRE(Labels(Labels::List{}) == Labels());
    REQUIRE(b->hasLabel("PART_OF"));
    REQUIRE_FALSE(b->hasLabel("Room"));
}

TEST_CASE("properties read as a map, share their names, and change by set and erase", "[element][properties]") {
    Map m{{"temperature", Value(72.5)}, {"name", Value("Room 1")}, {"co2", Value(int64_t(500))}};
    Properties p(m);
    REQUIRE(p.size() == 3);
    REQUIRE(p.names() == Properties::Names{"co2", "name", "temperature"});  // sorted, as a Map
    REQUIRE(valuesEqual(Value(p.toMap()), Value(m)));
    std::vector<std::string> order;
    for (const auto& [k, v] : p) order.push_back(k + "=" + valueToDebugString(v));
    REQUIRE(order == std::vector<std::string>{"co2=500", "name='Room 1'", "temperature=72.5"});
    REQUIRE(p.get("name")->asString() == "Room 1");
    REQUIRE(p.get("absent") == nullptr);
    REQUIRE(p.find("absent") == p.end());
    REQUIRE(p.find("co2")->second.asInt() == 500);
    REQUIRE(p.at("temperature").asFloat() == 72.5);
    REQUIRE_THROWS_AS(p.at("absent"), std::out_of_range);

    // The hint: right, wrong and out of range all find the value, and leave its index.
    uint32_t hint = 99;
    REQUIRE(p.get("temperature", hint)->asFloat() == 72.5);
    REQUIRE(hint == 2);
    REQUIRE(p.get("temperature", hint)->asFloat() == 72.5);
    REQUIRE(p.get("co2", hint)->asInt() == 500);
    REQUIRE(hint == 0);
    REQUIRE(p.get("nope", hint) == nullptr);
    REQUIRE(hint == 0);

    // Same names, one list; other values do not matter.
    Properties q(Map{{"co2", Value(1)}, {"name", Value("x")}, {"temperature", Value(2)}});
    REQUIRE(&q.names() == &p.names());
    REQUIRE(q.sameNames(p));

    // set() of a present name changes its value only; of a new one, adds it in order.
    Properties r = p;
    r.set("co2", Value(int64_t(600)));
    REQUIRE(&r.names() == &p.names());
    REQUIRE(p.get("co2")->asInt() == 500);  // the copy's values are its own
    r.set("humidity", Value(40.0));
    REQUIRE(r.names() == Properties::Names{"co2", "humidity", "name", "temperature"});
    REQUIRE(r.get("humidity")->asFloat() == 40.0);
    REQUIRE(r.get("temperature")->asFloat() == 72.5);
    REQUIRE_FALSE(r.sameNames(p));
    REQUIRE(r.erase("humidity"));
    REQUIRE_FALSE(r.erase("humidity"));
    REQUIRE(r.sameNames(p));
    REQUIRE(valuesEqual(Value(r.toMap()),
                        Value(Map{{"co2", Value(int64_t(600))}, {"name", Value("Room 1")}, {"temperature", Value(72.5)}})));
    r.clear();
    REQUIRE(r.empty());
    REQUIRE(r.begin() == r.end());
    REQUIRE(Properties(Map{}).empty());

    // Decoded elements with the same names share them; values stay each element's own.
    std::vector<Change> changes;
    bool isArray = false;
    REQUIRE(readChangesFast(R"([{"op":"insert","element":{"source":"s","id":"a","labels":["R"],"properties":{"t":1,"u":"x"}}},
                                {"op":"insert","element":{"source":"s","id":"b","labels":["R"],"properties":{"u":"y","t":2}}},
                                {"op":"insert","element":{"source":"s","id":"c","labels":["R"],"properties":{"t":3}}}])",
                            changes, isArray));
    REQUIRE(changes.size() == 3);
    const Properties& a = changes[0].element->properties;
    const Properties& b = changes[1].element->properties;
    REQUIRE(&a.names() == &b.names());
    REQUIRE(a.get("t")->asInt() == 1);
    REQUIRE(b.get("t")->asInt() == 2);
    REQUIRE(b.get("u")->asString() == "y");
    REQUIRE(changes[2].element->properties.names() == Properties::Names{"t"});
}
