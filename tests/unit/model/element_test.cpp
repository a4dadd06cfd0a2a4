// SPDX-License-Identifier: MIT
// Element::identityHash: computed once and kept, never carried into a copy (a copy may be given
// another ref), and a function of the ref alone (solution signatures built from it are stored).
#include <catch2/catch.hpp>

#include <memory>

#include "core/model/element.h"

using namespace cq;

TEST_CASE("identityHash depends on the ref only and is not carried into copies", "[element]") {
    Element a;
    a.ref = {"facilities", "room-1"};
    a.labels = {"Room"};
    const uint64_t h = a.identityHash();
    REQUIRE(h != 0);
    REQUIRE(a.identityHash() == h);  // kept

    Element same;
    same.ref = {"facilities", "room-1"};
    same.properties["temperature"] = Value(72.5);  // properties and labels do not matter
    REQUIRE(same.identityHash() == h);

    Element copy = a;  // copied after a's hash was cached
    copy.ref.id = "room-2";
    REQUIRE(copy.identityHash() != h);
    Element other;
    other.ref = {"facilities", "room-2"};
    REQUIRE(copy.identityHash() == other.identityHash());

    Element assigned;
    assigned.ref = {"x", "y"};
    (void)assigned.identityHash();
    assigned = a;  // assignment drops the cached hash of the old ref too
    REQUIRE(assigned.identityHash() == h);

    Element swapped;
    swapped.ref = {"facilities", "room-1"};
    REQUIRE(swapped.identityHash() == h);
    swapped.ref.source = "other";  // a misuse (a ref changed after hashing) stays in this object:
    Element fresh;
    fresh.ref = {"other", "room-1"};
    REQUIRE(Element(swapped).identityHash() == fresh.identityHash());  // a copy hashes its own ref
}
