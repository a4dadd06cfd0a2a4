// SPDX-License-Identifier: MIT
// cq::Value: every value a property can hold or an expression can produce. Lists and maps are
// immutable and shared (copying a Value never deep-copies), so rows, accumulators and element
// properties can share structure. Integers are int64_t everywhere: `long` is 32-bit on wasm32.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/model/flat_map.h"
#include "core/temporal/types.h"

namespace cq {

struct Value;
struct Element;
using List = std::vector<Value>;
/// Sorted by key like the std::map it replaced (JSON and iteration order unchanged); see flat_map.h.
using Map = FlatMap<Value>;
using ListPtr = std::shared_ptr<const List>;
using MapPtr = std::shared_ptr<const Map>;
using ElementPtr = std::shared_ptr<const Element>;

/// The sentinel a time-based function returns while its answer is pending (Drasi's Awaiting).
/// A WHERE that sees it filters the row out.
struct Awaiting {};

enum class ValueKind : uint8_t {
    Null, Bool, Integer, Float, String, List, Map,
    Date, LocalTime, ZonedTime, LocalDateTime, ZonedDateTime, Duration,
    Element, Awaiting,
};

struct Value {
    // The order of alternatives matches ValueKind.
    using Storage = std::variant<std::monostate, bool, int64_t, double, std::string, ListPtr, MapPtr,
                                 Date, LocalTime, ZonedTime, LocalDateTime, ZonedDateTime, Duration,
                                 ElementPtr, Awaiting>;
    Storage v;

    Value() = default;
    Value(std::nullptr_t) {}
    Value(bool b) : v(b) {}
    Value(int i) : v(int64_t(i)) {}
    Value(int64_t i) : v(i) {}
    Value(double d) : v(d) {}
    Value(const char* s) : v(std::string(s)) {}
    Value(std::string s) : v(std::move(s)) {}
    Value(List l) : v(std::make_shared<const List>(std::move(l))) {}
    Value(Map m) : v(std::make_shared<const Map>(std::move(m))) {}
    Value(ListPtr l) : v(std::move(l)) {}
    Value(MapPtr m) : v(std::move(m)) {}
    Value(Date d) : v(d) {}
    Value(LocalTime t) : v(t) {}
    Value(ZonedTime t) : v(t) {}
    Value(LocalDateTime t) : v(t) {}
    Value(ZonedDateTime t) : v(std::move(t)) {}
    Value(Duration d) : v(d) {}
    Value(ElementPtr e) : v(std::move(e)) {}
    Value(Awaiting a) : v(a) {}

    ValueKind kind() const { return static_cast<ValueKind>(v.index()); }
    bool isNull() const { return v.index() == 0; }
    bool isBool() const { return kind() == ValueKind::Bool; }
    bool isInt() const { return kind() == ValueKind::Integer; }
    bool isFloat() const { return kind() == ValueKind::Float; }
    bool isNumber() const { return isInt() || isFloat(); }
    bool isString() const { return kind() == ValueKind::String; }
    bool isList() const { return kind() == ValueKind::List; }
    bool isMap() const { return kind() == ValueKind::Map; }
    bool isElement() const { return kind() == ValueKind::Element; }
    bool isAwaiting() const { return kind() == ValueKind::Awaiting; }
    bool isTemporal() const { return kind() >= ValueKind::Date && kind() <= ValueKind::Duration; }

    bool asBool() const { return std::get<bool>(v); }
    int64_t asInt() const { return std::get<int64_t>(v); }
    double asFloat() const { return std::get<double>(v); }
    /// Integer or float as double; call only when isNumber().
    double asNumber() const { return isInt() ? double(asInt()) : asFloat(); }
    const std::string& asString() const { return std::get<std::string>(v); }
    const List& asList() const { return *std::get<ListPtr>(v); }
    const Map& asMap() const { return *std::get<MapPtr>(v); }
    const ListPtr& listPtr() const { return std::get<ListPtr>(v); }
    const MapPtr& mapPtr() const { return std::get<MapPtr>(v); }
    const ElementPtr& asElement() const { return std::get<ElementPtr>(v); }
    template <class T> const T& as() const { return std::get<T>(v); }
    template <class T> bool is() const { return std::holds_alternative<T>(v); }
};

/// A readable name for a kind ("Integer", "List", ...), for error messages.
const char* valueKindName(ValueKind kind);

/// Structural equality (Drasi's VariableValue ==): 1 == 1.0, lists and maps element-wise, elements by
/// reference and content, temporal values by meaning. Used by IN, CASE x WHEN, grouping and the
/// "row unchanged" checks. Not the Cypher `=` operator (see core/eval/operators.h).
bool valuesEqual(const Value& a, const Value& b);

/// A hash consistent with valuesEqual (1 and 1.0 hash alike).
uint64_t hashValue(const Value& v, uint64_t seed = 0);

/// A total order for sorting and sorted sets: null < bool < numbers < string < ... (kind order), then
/// by value within a kind. Not the Cypher `<` operator.
int compareValuesTotal(const Value& a, const Value& b);

/// Debug/diagnostic text (not JSON). Strings are quoted.
std::string valueToDebugString(const Value& v);

}  // namespace cq
