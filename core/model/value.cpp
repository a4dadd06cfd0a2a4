// SPDX-License-Identifier: MIT
#include "core/model/value.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "core/model/element.h"
#include "core/temporal/temporal.h"

namespace cq {

const char* valueKindName(ValueKind kind) {
    static const char* const kNames[] = {"Null", "Boolean", "Integer", "Float", "String", "List",
                                         "Map", "Date", "LocalTime", "ZonedTime", "LocalDateTime",
                                         "ZonedDateTime", "Duration", "Element", "Awaiting"};
    return kNames[static_cast<int>(kind)];
}

namespace {

template <bool kSameKinds>
bool equalValues(const Value& a, const Value& b);

template <bool kSameKinds>
bool elementsEqual(const Element& a, const Element& b) {
    return a.ref == b.ref && a.kind == b.kind && a.labels == b.labels &&
           a.start() == b.start() && a.end() == b.end() && a.properties.size() == b.properties.size() &&
           [&] {
               auto i = a.properties.begin();
               auto j = b.properties.begin();
               for (; i != a.properties.end(); ++i, ++j)
                   if (i->first != j->first || !equalValues<kSameKinds>(i->second, j->second)) return false;
               return true;
           }();
}

/// valuesEqual, and with kSameKinds valuesIdentical: the one walk, which either lets numbers
/// and temporal values of different kinds compare by meaning or tells them apart.
template <bool kSameKinds>
bool equalValues(const Value& a, const Value& b) {
    ValueKind ka = a.kind(), kb = b.kind();
    if (ka != kb) {
        if (kSameKinds) return false;
        if (a.isNumber() && b.isNumber()) return a.asNumber() == b.asNumber();
        if (a.isTemporal() && b.isTemporal()) return temporal::equal(a, b);
        return false;
    }
    switch (ka) {
        case ValueKind::Null: return true;
        case ValueKind::Bool: return a.asBool() == b.asBool();
        case ValueKind::Integer: return a.asInt() == b.asInt();
        case ValueKind::Float: return a.asFloat() == b.asFloat();
        case ValueKind::String: return a.asString() == b.asString();
        case ValueKind::List: {
            const List& x = a.asList();
            const List& y = b.asList();
            if (a.listPtr() == b.listPtr()) return true;
            if (x.size() != y.size()) return false;
            for (size_t i = 0; i < x.size(); ++i)
                if (!equalValues<kSameKinds>(x[i], y[i])) return false;
            return true;
        }
        case ValueKind::Map: {
            const Map& x = a.asMap();
            const Map& y = b.asMap();
            if (a.mapPtr() == b.mapPtr()) return true;
            if (x.size() != y.size()) return false;
            auto i = x.begin();
            auto j = y.begin();
            for (; i != x.end(); ++i, ++j)
                if (i->first != j->first || !equalValues<kSameKinds>(i->second, j->second)) return false;
            return true;
        }
        case ValueKind::Element:
            return a.asElement() == b.asElement() || elementsEqual<kSameKinds>(*a.asElement(), *b.asElement());
        case ValueKind::Awaiting: return true;
        default: return temporal::equal(a, b);
    }
}

uint64_t mix(uint64_t h, uint64_t x) {
    // splitmix64 step: cheap and well distributed, enough for grouping keys and signatures.
    x += 0x9e3779b97f4a7c15ULL + h * 31;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t hashBytes(const char* p, size_t n, uint64_t seed) {
    uint64_t h = 1469598103934665603ULL ^ seed;  // FNV-1a
    for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 1099511628211ULL;
    return h;
}

int kindRank(ValueKind k) {
    // Integers and floats share a rank so that the total order interleaves them by value.
    if (k == ValueKind::Float) return static_cast<int>(ValueKind::Integer);
    return static_cast<int>(k);
}

}  // namespace

bool valuesEqual(const Value& a, const Value& b) { return equalValues<false>(a, b); }

bool valuesIdentical(const Value& a, const Value& b) { return equalValues<true>(a, b); }

uint64_t hashValue(const Value& v, uint64_t seed) {
    switch (v.kind()) {
        case ValueKind::Null: return mix(seed, 0x6e756c6c);
        case ValueKind::Bool: return mix(seed, v.asBool() ? 0x74727565 : 0x66616c73);
        case ValueKind::Integer: {
            double d = double(v.asInt());
            if (int64_t(d) == v.asInt()) {
                uint64_t bits;
                std::memcpy(&bits, &d, 8);
                return mix(seed, bits);
            }
            return mix(seed, uint64_t(v.asInt()));
        }
        case ValueKind::Float: {
            double d = v.asFloat();
            if (d == 0) d = 0;  // -0.0 == 0.0
            uint64_t bits;
            std::memcpy(&bits, &d, 8);
            return mix(seed, bits);
        }
        case ValueKind::String: return hashBytes(v.asString().data(), v.asString().size(), seed + 7);
        case ValueKind::List: {
            uint64_t h = mix(seed, 0x6c697374 + v.asList().size());
            for (const Value& x : v.asList()) h = hashValue(x, h);
            return h;
        }
        case ValueKind::Map: {
            uint64_t h = mix(seed, 0x6d6170 + v.asMap().size());
            for (const auto& [k, x] : v.asMap()) h = hashValue(x, hashBytes(k.data(), k.size(), h));
            return h;
        }
        case ValueKind::Element: {
            const ElementRef& r = v.asElement()->ref;
            return hashBytes(r.id.data(), r.id.size(), hashBytes(r.source.data(), r.source.size(), seed + 13));
        }
        case ValueKind::Awaiting: return mix(seed, 0x61776169);
        default: return mix(seed, temporal::hash(v));
    }
}

int compareValuesTotal(const Value& a, const Value& b) {
    int ra = kindRank(a.kind()), rb = kindRank(b.kind());
    if (ra != rb) return ra < rb ? -1 : 1;
    switch (a.kind()) {
        case ValueKind::Null:
        case ValueKind::Awaiting: return 0;
        case ValueKind::Bool: return int(a.asBool()) - int(b.asBool());
        case ValueKind::Integer:
        case ValueKind::Float: {
            if (a.isInt() && b.isInt()) return a.asInt() < b.asInt() ? -1 : a.asInt() > b.asInt();
            double x = a.asNumber(), y = b.asNumber();
            if (std::isnan(x) || std::isnan(y)) return std::isnan(x) - std::isnan(y);
            return x < y ? -1 : x > y;
        }
        case ValueKind::String: return a.asString().compare(b.asString()) < 0 ? -1 : a.asString() != b.asString();
        case ValueKind::List: {
            const List& x = a.asList();
            const List& y = b.asList();
            for (size_t i = 0; i < x.size() && i < y.size(); ++i)
                if (int c = compareValuesTotal(x[i], y[i])) return c;
            return x.size() < y.size() ? -1 : x.size() > y.size();
        }
        case ValueKind::Map: {
            const Map& x = a.asMap();
            const Map& y = b.asMap();
            auto i = x.begin();
            auto j = y.begin();
            for (; i != x.end() && j != y.end(); ++i, ++j) {
                if (int c = i->first.compare(j->first)) return c < 0 ? -1 : 1;
                if (int c = compareValuesTotal(i->second, j->second)) return c;
            }
            return x.size() < y.size() ? -1 : x.size() > y.size();
        }
        case ValueKind::Element: {
            const ElementRef& x = a.asElement()->ref;
            const ElementRef& y = b.asElement()->ref;
            return x < y ? -1 : y < x;
        }
        default: {
            if (auto c = temporal::compare(a, b)) return *c < 0 ? -1 : *c > 0;
            return 0;
        }
    }
}

std::string valueToDebugString(const Value& v) {
    std::ostringstream out;
    switch (v.kind()) {
        case ValueKind::Null: return "null";
        case ValueKind::Bool: return v.asBool() ? "true" : "false";
        case ValueKind::Integer: return std::to_string(v.asInt());
        case ValueKind::Float: out.precision(17); out << v.asFloat(); return out.str();
        case ValueKind::String: return "'" + v.asString() + "'";
        case ValueKind::List: {
            out << "[";
            bool first = true;
            for (const Value& x : v.asList()) { out << (first ? "" : ", ") << valueToDebugString(x); first = false; }
            out << "]";
            return out.str();
        }
        case ValueKind::Map: {
            out << "{";
            bool first = true;
            for (const auto& [k, x] : v.asMap()) { out << (first ? "" : ", ") << k << ": " << valueToDebugString(x); first = false; }
            out << "}";
            return out.str();
        }
        case ValueKind::Element: return "(" + v.asElement()->ref.source + ":" + v.asElement()->ref.id + ")";
        case ValueKind::Awaiting: return "<awaiting>";
        default: return temporal::toIsoString(v);
    }
}

}  // namespace cq

namespace cq {

void Value::copyOwned(const Value& o) {
    switch (kind_) {
        case ValueKind::String: new (&u_.s) std::string(o.u_.s); break;
        case ValueKind::List: new (&u_.list) ListPtr(o.u_.list); break;
        case ValueKind::Map: new (&u_.map) MapPtr(o.u_.map); break;
        case ValueKind::ZonedDateTime: new (&u_.zonedDateTime) ZonedDateTime(o.u_.zonedDateTime); break;
        case ValueKind::Element: new (&u_.element) ElementPtr(o.u_.element); break;
        default: copyBytes(o); break;
    }
}

void Value::destroyOwned() noexcept {
    switch (kind_) {
        case ValueKind::String: u_.s.~basic_string(); break;
        case ValueKind::List: u_.list.~ListPtr(); break;
        case ValueKind::Map: u_.map.~MapPtr(); break;
        case ValueKind::ZonedDateTime: u_.zonedDateTime.~ZonedDateTime(); break;
        case ValueKind::Element: u_.element.~ElementPtr(); break;
        default: break;
    }
    kind_ = ValueKind::Null;
}

}  // namespace cq
