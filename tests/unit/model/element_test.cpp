// SPDX-License-Identifier: MIT
// Elements: identityHash (computed once and kept, never carried into a copy, a function of the ref
// alone: solution signatures built from it are stored), relation ends, and shared label lists.
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <utility>

#include "core/model/change_reader.h"
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
    same->properties["temperature"] = Value(72.5);  // properties and labels do not matter
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
    rel->properties["w"] = Value(int64_t(3));
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
