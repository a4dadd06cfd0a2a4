// SPDX-License-Identifier: MIT
// cq::Value: every value a property can hold or an expression can produce. Lists and maps are
// immutable and shared (copying a Value never deep-copies), so rows, accumulators and element
// properties can share structure. Integers are int64_t everywhere: `long` is 32-bit on wasm32.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>  // std::bad_variant_access, thrown for a read of the wrong kind
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

/// A tagged union rather than std::variant: copying, moving and destroying a Value of a plain kind
/// (null, bool, numbers, most temporal values: 10 of the 15 kinds) copies bytes, with no dispatch.
/// std::variant's copy, move and destroy go through a table of function pointers per operation;
/// under wasm each is an indirect call (libc++'s dispatcher was 1.7% of the npm package's self time
/// on 1-hop averaging, plus the calls themselves), and natively they are not inlined either.
struct Value {
    Value() noexcept {}
    Value(std::nullptr_t) noexcept {}
    Value(bool b) noexcept : kind_(ValueKind::Bool) { u_.b = b; }
    Value(int i) noexcept : kind_(ValueKind::Integer) { u_.i = i; }
    Value(int64_t i) noexcept : kind_(ValueKind::Integer) { u_.i = i; }
    Value(double d) noexcept : kind_(ValueKind::Float) { u_.d = d; }
    Value(const char* s) : Value(std::string(s)) {}
    Value(std::string s) : kind_(ValueKind::String) { new (&u_.s) std::string(std::move(s)); }
    Value(List l) : Value(std::make_shared<const List>(std::move(l))) {}
    Value(Map m) : Value(std::make_shared<const Map>(std::move(m))) {}
    Value(ListPtr l) noexcept : kind_(ValueKind::List) { new (&u_.list) ListPtr(std::move(l)); }
    Value(MapPtr m) noexcept : kind_(ValueKind::Map) { new (&u_.map) MapPtr(std::move(m)); }
    Value(Date d) noexcept : kind_(ValueKind::Date) { u_.date = d; }
    Value(LocalTime t) noexcept : kind_(ValueKind::LocalTime) { u_.localTime = t; }
    Value(ZonedTime t) noexcept : kind_(ValueKind::ZonedTime) { u_.zonedTime = t; }
    Value(LocalDateTime t) noexcept : kind_(ValueKind::LocalDateTime) { u_.localDateTime = t; }
    Value(ZonedDateTime t) noexcept : kind_(ValueKind::ZonedDateTime) { new (&u_.zonedDateTime) ZonedDateTime(std::move(t)); }
    Value(Duration d) noexcept : kind_(ValueKind::Duration) { u_.duration = d; }
    Value(ElementPtr e) noexcept : kind_(ValueKind::Element) { new (&u_.element) ElementPtr(std::move(e)); }
    Value(Awaiting) noexcept : kind_(ValueKind::Awaiting) {}

    Value(const Value& o) : kind_(o.kind_) {
        if (plain(kind_)) copyBytes(o);
        else copyOwned(o);
    }
    Value(Value&& o) noexcept : kind_(o.kind_) {
        if (plain(kind_)) copyBytes(o);
        else moveOwned(std::move(o));
    }
    Value& operator=(const Value& o) {
        if (this == &o) return *this;
        if (plain(kind_) && plain(o.kind_)) {
            kind_ = o.kind_;
            copyBytes(o);
            return *this;
        }
        Value copy(o);  // o may be owned by this value (an element of its list)
        return *this = std::move(copy);
    }
    Value& operator=(Value&& o) noexcept {
        if (this == &o) return *this;
        if (!plain(kind_)) destroyOwned();
        kind_ = o.kind_;
        if (plain(kind_)) copyBytes(o);
        else moveOwned(std::move(o));
        return *this;
    }
    ~Value() {
        if (!plain(kind_)) destroyOwned();
    }

    ValueKind kind() const { return kind_; }
    bool isNull() const { return kind_ == ValueKind::Null; }
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

    // Reading a kind the value does not hold throws std::bad_variant_access, as std::get did.
    bool asBool() const { return check(ValueKind::Bool).u_.b; }
    int64_t asInt() const { return check(ValueKind::Integer).u_.i; }
    double asFloat() const { return check(ValueKind::Float).u_.d; }
    /// Integer or float as double; call only when isNumber().
    double asNumber() const { return isInt() ? double(asInt()) : asFloat(); }
    const std::string& asString() const { return check(ValueKind::String).u_.s; }
    const List& asList() const { return *listPtr(); }
    const Map& asMap() const { return *mapPtr(); }
    const ListPtr& listPtr() const { return check(ValueKind::List).u_.list; }
    const MapPtr& mapPtr() const { return check(ValueKind::Map).u_.map; }
    const ElementPtr& asElement() const { return check(ValueKind::Element).u_.element; }
    template <class T> const T& as() const { return check(kindOf<T>()).template member<T>(); }
    template <class T> bool is() const { return kind_ == kindOf<T>(); }

private:
    /// The kinds that own memory (a string, a shared pointer): everything else is copied as bytes.
    static constexpr uint32_t kOwned = 1u << uint32_t(ValueKind::String) | 1u << uint32_t(ValueKind::List) |
                                       1u << uint32_t(ValueKind::Map) | 1u << uint32_t(ValueKind::ZonedDateTime) |
                                       1u << uint32_t(ValueKind::Element);
    static constexpr bool plain(ValueKind k) { return !(kOwned >> uint32_t(k) & 1u); }

    template <class T> static constexpr ValueKind kindOf() {
        if constexpr (std::is_same_v<T, bool>) return ValueKind::Bool;
        else if constexpr (std::is_same_v<T, int64_t>) return ValueKind::Integer;
        else if constexpr (std::is_same_v<T, double>) return ValueKind::Float;
        else if constexpr (std::is_same_v<T, std::string>) return ValueKind::String;
        else if constexpr (std::is_same_v<T, ListPtr>) return ValueKind::List;
        else if constexpr (std::is_same_v<T, MapPtr>) return ValueKind::Map;
        else if constexpr (std::is_same_v<T, Date>) return ValueKind::Date;
        else if constexpr (std::is_same_v<T, LocalTime>) return ValueKind::LocalTime;
        else if constexpr (std::is_same_v<T, ZonedTime>) return ValueKind::ZonedTime;
        else if constexpr (std::is_same_v<T, LocalDateTime>) return ValueKind::LocalDateTime;
        else if constexpr (std::is_same_v<T, ZonedDateTime>) return ValueKind::ZonedDateTime;
        else if constexpr (std::is_same_v<T, Duration>) return ValueKind::Duration;
        else if constexpr (std::is_same_v<T, ElementPtr>) return ValueKind::Element;
        else if constexpr (std::is_same_v<T, Awaiting>) return ValueKind::Awaiting;
        else static_assert(sizeof(T) == 0, "not a kind of Value");
    }
    template <class T> const T& member() const {
        if constexpr (std::is_same_v<T, bool>) return u_.b;
        else if constexpr (std::is_same_v<T, int64_t>) return u_.i;
        else if constexpr (std::is_same_v<T, double>) return u_.d;
        else if constexpr (std::is_same_v<T, std::string>) return u_.s;
        else if constexpr (std::is_same_v<T, ListPtr>) return u_.list;
        else if constexpr (std::is_same_v<T, MapPtr>) return u_.map;
        else if constexpr (std::is_same_v<T, Date>) return u_.date;
        else if constexpr (std::is_same_v<T, LocalTime>) return u_.localTime;
        else if constexpr (std::is_same_v<T, ZonedTime>) return u_.zonedTime;
        else if constexpr (std::is_same_v<T, LocalDateTime>) return u_.localDateTime;
        else if constexpr (std::is_same_v<T, ZonedDateTime>) return u_.zonedDateTime;
        else if constexpr (std::is_same_v<T, Duration>) return u_.duration;
        else if constexpr (std::is_same_v<T, ElementPtr>) return u_.element;
        else return awaiting_;
    }
    void copyBytes(const Value& o) noexcept { std::memcpy(static_cast<void*>(&u_), &o.u_, sizeof(Raw)); }
    const Value& check(ValueKind k) const {
        if (kind_ != k) throw std::bad_variant_access();
        return *this;
    }
    void copyOwned(const Value& o);         // value.cpp: kind_ is already o.kind_
    void destroyOwned() noexcept;           // value.cpp: leaves this null
    /// Inline: moving rows and frames moves elements and strings more than anything else.
    void moveOwned(Value&& o) noexcept {
        switch (kind_) {
            case ValueKind::String: new (&u_.s) std::string(std::move(o.u_.s)); o.u_.s.~basic_string(); break;
            case ValueKind::List: new (&u_.list) ListPtr(std::move(o.u_.list)); o.u_.list.~ListPtr(); break;
            case ValueKind::Map: new (&u_.map) MapPtr(std::move(o.u_.map)); o.u_.map.~MapPtr(); break;
            case ValueKind::Element: new (&u_.element) ElementPtr(std::move(o.u_.element)); o.u_.element.~ElementPtr(); break;
            default:
                new (&u_.zonedDateTime) ZonedDateTime(std::move(o.u_.zonedDateTime));
                o.u_.zonedDateTime.~ZonedDateTime();
                break;
        }
        o.kind_ = ValueKind::Null;
    }

    /// The bytes of a plain kind, copied whole (the largest plain member, Duration, is 32 bytes).
    struct Raw {
        alignas(8) unsigned char bytes[32];
    };
    union Storage {
        Raw raw;
        bool b;
        int64_t i;
        double d;
        std::string s;
        ListPtr list;
        MapPtr map;
        Date date;
        LocalTime localTime;
        ZonedTime zonedTime;
        LocalDateTime localDateTime;
        ZonedDateTime zonedDateTime;
        Duration duration;
        ElementPtr element;
        Storage() noexcept {}  // a plain kind's constructor sets its member; null reads nothing
        ~Storage() {}
    } u_;
    ValueKind kind_ = ValueKind::Null;
    static constexpr Awaiting awaiting_{};
};
static_assert(sizeof(Duration) <= 32 && sizeof(LocalDateTime) <= 32 && sizeof(ZonedTime) <= 32,
              "Value copies a plain kind as 32 bytes");

/// A readable name for a kind ("Integer", "List", ...), for error messages.
const char* valueKindName(ValueKind kind);

/// Structural equality (Drasi's VariableValue ==): 1 == 1.0, lists and maps element-wise, elements by
/// reference and content, temporal values by meaning. Used by IN, CASE x WHEN and grouping. Not
/// the Cypher `=` operator (see core/eval/operators.h).
bool valuesEqual(const Value& a, const Value& b);

/// valuesEqual, with the kinds equal too, in lists, maps and element properties: whether a
/// consumer of a diff sees the same value (1 and 1.0 print differently). The "row unchanged"
/// checks of the diffs use it.
bool valuesIdentical(const Value& a, const Value& b);

/// A hash consistent with valuesEqual (1 and 1.0 hash alike).
uint64_t hashValue(const Value& v, uint64_t seed = 0);

/// A total order for sorting and sorted sets: null < bool < numbers < string < ... (kind order), then
/// by value within a kind. Not the Cypher `<` operator.
int compareValuesTotal(const Value& a, const Value& b);

/// Debug/diagnostic text (not JSON). Strings are quoted.
std::string valueToDebugString(const Value& v);

}  // namespace cq
