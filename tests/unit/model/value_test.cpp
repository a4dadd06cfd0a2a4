// SPDX-License-Identifier: MIT
// cq::Value's own storage (core/model/value.h): a tagged union whose copy, move, assignment and
// destruction are hand-written, so they are checked here kind by kind and pair by pair: every kind
// assigned over every other, self-assignment, assignment from a value the target owns, moves
// leaving an owning source null, and shared payloads counted (a leak or a double release shows in
// use_count, and under AddressSanitizer in the asan tree).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/model/element.h"
#include "core/model/value.h"

using namespace cq;

namespace {

/// One value of every kind, in ValueKind order; the string is longer than any small-string buffer.
std::vector<Value> oneOfEach() {
    auto element = ElementPtr(Element::make(ElementKind::Node));
    ZonedDateTime zoned;
    zoned.seconds = 1'700'000'000;
    zoned.offsetSeconds = 3600;
    zoned.zone = std::make_shared<const std::string>("Europe/Paris");
    Duration duration;
    duration.months = 14;
    duration.days = -3;
    duration.seconds = 59;
    duration.nanos = 7;
    return {Value(),
            Value(true),
            Value(int64_t(-42)),
            Value(2.5),
            Value(std::string(100, 'x')),
            Value(List{Value(1), Value("a")}),
            Value(Map{{"k", Value(1)}}),
            Value(Date{19'000}),
            Value(LocalTime{123'456'789}),
            Value(ZonedTime{5, -7200}),
            Value(LocalDateTime{86'400, 9}),
            Value(zoned),
            Value(duration),
            Value(ElementPtr(element)),
            Value(Awaiting{})};
}

/// Whether the kind owns memory: a move leaves such a value null, and a value of any other kind
/// as it was (its bytes are copied).
bool owning(ValueKind k) {
    return k == ValueKind::String || k == ValueKind::List || k == ValueKind::Map || k == ValueKind::ZonedDateTime ||
           k == ValueKind::Element;
}

void requireMovedFrom(const Value& v, const Value& original) {
    if (owning(original.kind())) REQUIRE(v.isNull());
    else REQUIRE(v.kind() == original.kind());
}

void requireSame(const Value& a, const Value& b) {
    REQUIRE(a.kind() == b.kind());
    REQUIRE(valuesEqual(a, b));
    REQUIRE(hashValue(a) == hashValue(b));
    REQUIRE(compareValuesTotal(a, b) == 0);
}

}  // namespace

TEST_CASE("Value: one value of every kind, in ValueKind order", "[value]") {
    std::vector<Value> values = oneOfEach();
    REQUIRE(values.size() == size_t(ValueKind::Awaiting) + 1);
    for (size_t i = 0; i < values.size(); ++i) REQUIRE(int(values[i].kind()) == int(i));
    REQUIRE(values[2].asInt() == -42);
    REQUIRE(values[3].asFloat() == 2.5);
    REQUIRE(values[4].asString() == std::string(100, 'x'));
    REQUIRE(values[5].asList().size() == 2);
    REQUIRE(values[6].asMap().find("k")->second.asInt() == 1);
    REQUIRE(values[7].as<Date>().days == 19'000);
    REQUIRE(values[9].as<ZonedTime>().offsetSeconds == -7200);
    REQUIRE(*values[11].as<ZonedDateTime>().zone == "Europe/Paris");
    REQUIRE(values[12].as<Duration>().nanos == 7);
    REQUIRE(values[12].is<Duration>());
    REQUIRE_FALSE(values[12].is<Date>());
    REQUIRE(values[14].isAwaiting());
}

TEST_CASE("Value: reading the wrong kind throws, as std::get did", "[value]") {
    Value i(int64_t(1));
    REQUIRE_THROWS_AS(i.asString(), std::bad_variant_access);
    REQUIRE_THROWS_AS(i.asFloat(), std::bad_variant_access);
    REQUIRE_THROWS_AS(i.as<Duration>(), std::bad_variant_access);
    REQUIRE_THROWS_AS(Value().asElement(), std::bad_variant_access);
}

TEST_CASE("Value: copy, move and assignment over every pair of kinds", "[value]") {
    const std::vector<Value> originals = oneOfEach();
    for (size_t from = 0; from < originals.size(); ++from) {
        const Value& source = originals[from];
        Value copy(source);
        requireSame(copy, source);

        Value moved(std::move(copy));
        requireSame(moved, source);
        requireMovedFrom(copy, source);  // NOLINT(bugprone-use-after-move)

        for (size_t to = 0; to < originals.size(); ++to) {
            Value target = originals[to];
            target = source;  // copy-assign over every kind
            requireSame(target, source);

            Value target2 = originals[to];
            Value temp = source;
            target2 = std::move(temp);  // move-assign over every kind
            requireSame(target2, source);
            requireMovedFrom(temp, source);  // NOLINT(bugprone-use-after-move)
        }

        Value self = source;
        const Value& alias = self;
        self = alias;  // self copy-assignment keeps the value
        requireSame(self, source);
        self = std::move(self);  // NOLINT: self move-assignment keeps it too
        requireSame(self, source);
    }
}

TEST_CASE("Value: assigning from a value the target owns", "[value]") {
    // The right-hand side lives inside the list the left-hand side holds: assignment must copy it
    // before releasing the list (the last reference to it).
    Value v(List{Value(std::string(64, 'y')), Value(3)});
    v = v.asList()[0];
    REQUIRE(v.isString());
    REQUIRE(v.asString() == std::string(64, 'y'));

    Value m(Map{{"inner", Value(List{Value(7)})}});
    m = m.asMap().find("inner")->second;
    REQUIRE(m.isList());
    REQUIRE(m.asList()[0].asInt() == 7);
}

TEST_CASE("Value: shared payloads are released exactly once", "[value]") {
    auto element = ElementPtr(Element::make(ElementKind::Node));
    auto list = std::make_shared<const List>(List{Value(1)});
    auto zone = std::make_shared<const std::string>("UTC");
    ZonedDateTime zoned;
    zoned.zone = zone;
    {
        std::vector<Value> values;
        for (int i = 0; i < 10; ++i) {
            values.emplace_back(ElementPtr(element));
            values.emplace_back(ListPtr(list));
            values.emplace_back(zoned);
        }
        REQUIRE(element.use_count() == 11);
        REQUIRE(list.use_count() == 11);
        REQUIRE(zone.use_count() == 12);  // `zoned` holds one too
        std::vector<Value> copies = values;
        REQUIRE(element.use_count() == 21);
        std::vector<Value> moved = std::move(copies);
        REQUIRE(element.use_count() == 21);
        for (Value& v : moved) v = Value(int64_t(0));
        REQUIRE(element.use_count() == 11);
        REQUIRE(list.use_count() == 11);
        values[0] = values[1];  // element -> list
        REQUIRE(element.use_count() == 10);
        REQUIRE(list.use_count() == 12);
    }
    REQUIRE(element.use_count() == 1);
    REQUIRE(list.use_count() == 1);
    REQUIRE(zone.use_count() == 2);
}
