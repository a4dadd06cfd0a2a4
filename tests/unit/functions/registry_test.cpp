// SPDX-License-Identifier: MIT
// FunctionRegistry: case-insensitive lookup, canonical names, arities.
#include <algorithm>

#include "tests/unit/functions/fn_test_util.h"

using namespace cq;
using namespace cq::fn;

TEST_CASE("lookup ignores case and keeps the canonical name", "[functions][registry]") {
    const FunctionRegistry& r = test::registry();
    const FunctionDef* a = r.find("TOUPPER");
    const FunctionDef* b = r.find("toupper");
    REQUIRE(a != nullptr);
    CHECK(a == b);
    CHECK(a->name == "toUpper");
    REQUIRE(r.find("DRASI.LISTMAX") != nullptr);
    CHECK(r.find("drasi.listmax")->name == "drasi.listMax");
    CHECK(r.find("noSuchFunction") == nullptr);
}

TEST_CASE("names lists every registered function once", "[functions][registry]") {
    std::vector<std::string> names = test::registry().names();
    CHECK(std::is_sorted(names.begin(), names.end()));
    CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
    for (const char* n : {"toUpper", "round", "coalesce", "coll.insert", "drasi.stdevp", "range",
                          "elementId", "randomUUID", "atan2", "drasi.changeDateTime"})
        CHECK(std::find(names.begin(), names.end(), n) != names.end());
}

TEST_CASE("re-adding a name replaces the definition", "[functions][registry]") {
    FunctionRegistry r;
    FunctionDef d;
    d.name = "f";
    d.minArgs = 1;
    d.maxArgs = 1;
    r.add(d);
    d.name = "F";
    d.maxArgs = 2;
    r.add(d);
    CHECK(r.names().size() == 1);
    CHECK(r.find("f")->maxArgs == 2);
}
