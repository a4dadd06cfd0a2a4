// SPDX-License-Identifier: MIT
// List functions: tail, range, coll.* (APOC-style helpers Drasi ships) and drasi.listMax,
// drasi.listMin, drasi.stdevp.
#include <cmath>
#include <unordered_map>

#include "core/functions/fn_util.h"
#include "core/temporal/temporal.h"

namespace cq::fn {

namespace {

using util::Args;

// range() refuses lists longer than this: it would exhaust a wasm32 heap long before.
constexpr int64_t kMaxRangeLength = 10'000'000;

Value tailFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    const List& l = util::listArg("tail", a, 0);
    if (l.empty()) return Value(List());
    return Value(List(l.begin() + 1, l.end()));
}

Value rangeFn(const Args& a, const CallContext&) {
    for (const Value& v : a)
        if (v.isNull()) return Value();
    int64_t start = util::intArg("range", a, 0);
    int64_t end = util::intArg("range", a, 1);
    int64_t step = a.size() == 3 ? util::intArg("range", a, 2) : 1;
    if (step == 0) invalidArgument("range", 2, a[2], "a non-zero Integer");
    List out;
    if ((step > 0 && start > end) || (step < 0 && start < end)) return Value(std::move(out));
    // Count in unsigned arithmetic: end - start can exceed INT64_MAX.
    uint64_t span = step > 0 ? uint64_t(end) - uint64_t(start) : uint64_t(start) - uint64_t(end);
    uint64_t stride = step > 0 ? uint64_t(step) : uint64_t(0) - uint64_t(step);
    if (span / stride >= uint64_t(kMaxRangeLength))
        util::fail(ErrorCode::InvalidArgument, "range", "the list would have more than 10000000 elements");
    uint64_t count = span / stride + 1;
    out.reserve(count);
    int64_t v = start;
    for (uint64_t i = 0; i < count; ++i, v = int64_t(uint64_t(v) + uint64_t(step))) out.emplace_back(v);
    return Value(std::move(out));
}

Value distinctFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    const List& l = util::listArg("coll.distinct", a, 0);
    List out;
    out.reserve(l.size());
    // Buckets by hash; equal values (valuesEqual, so 1 and 1.0 are one) keep the first occurrence.
    std::unordered_multimap<uint64_t, size_t> seen;
    seen.reserve(l.size());
    for (const Value& v : l) {
        uint64_t h = hashValue(v);
        bool dup = false;
        auto range = seen.equal_range(h);
        for (auto it = range.first; it != range.second && !dup; ++it)
            dup = valuesEqual(out[it->second], v);
        if (dup) continue;
        seen.emplace(h, out.size());
        out.push_back(v);
    }
    return Value(std::move(out));
}

Value indexOfFn(const Args& a, const CallContext&) {
    if (a[0].isNull() || a[1].isNull()) {
        if (!a[0].isNull() && !a[0].isList()) invalidArgument("coll.indexOf", 0, a[0], "a List");
        return Value();
    }
    const List& l = util::listArg("coll.indexOf", a, 0);
    for (size_t i = 0; i < l.size(); ++i)
        if (valuesEqual(l[i], a[1])) return Value(int64_t(i));
    return Value(int64_t(-1));
}

Value insertFn(const Args& a, const CallContext&) {
    if (a[0].isNull() || a[1].isNull()) return Value();
    const List& l = util::listArg("coll.insert", a, 0);
    int64_t at = util::intArg("coll.insert", a, 1);
    if (at < 0 || at > int64_t(l.size()))
        invalidArgument("coll.insert", 1, a[1], "an index between 0 and the list's size");
    List out;
    out.reserve(l.size() + 1);
    out.insert(out.end(), l.begin(), l.begin() + at);
    out.push_back(a[2]);
    out.insert(out.end(), l.begin() + at, l.end());
    return Value(std::move(out));
}

// drasi-core orders mixed values for listMax/listMin as
// null < boolean < date < local time < local datetime < zoned time < zoned datetime < duration
// < string < number (fn_drasi c02, c05); lists and maps are not ordered against anything.
int drasiRank(ValueKind k) {
    switch (k) {
        case ValueKind::Null: return 0;
        case ValueKind::Bool: return 1;
        case ValueKind::Date: return 2;
        case ValueKind::LocalTime: return 3;
        case ValueKind::LocalDateTime: return 4;
        case ValueKind::ZonedTime: return 5;
        case ValueKind::ZonedDateTime: return 6;
        case ValueKind::Duration: return 7;
        case ValueKind::String: return 8;
        case ValueKind::Integer:
        case ValueKind::Float: return 9;
        default: return -1;
    }
}

// True when a > b in that order; false when not comparable.
bool drasiGreater(const Value& a, const Value& b) {
    int ra = drasiRank(a.kind()), rb = drasiRank(b.kind());
    if (ra < 0 || rb < 0) return false;
    if (ra != rb) return ra > rb;
    if (a.isNumber()) return a.asNumber() > b.asNumber();
    if (a.isString()) return a.asString() > b.asString();
    if (a.isBool()) return a.asBool() && !b.asBool();
    if (a.isTemporal()) {
        auto c = temporal::compare(a, b);
        return c && *c > 0;
    }
    return false;
}

Value listExtreme(const Args& a, bool wantMax) {
    const Value& v = a[0];
    if (!v.isList()) return v;  // null and single values are their own extreme, as in Drasi
    const List& l = v.asList();
    if (l.empty()) return Value();
    size_t best = 0;
    for (size_t i = 0; i < l.size(); ++i) {
        if (l[i].isNull()) continue;
        bool better = wantMax ? drasiGreater(l[i], l[best]) : drasiGreater(l[best], l[i]);
        if (better || l[best].isNull()) best = i;
    }
    return l[best];
}

Value listMaxFn(const Args& a, const CallContext&) { return listExtreme(a, true); }
Value listMinFn(const Args& a, const CallContext&) { return listExtreme(a, false); }

// Population standard deviation of the numbers in a list; nulls are skipped.
Value stdevpFn(const Args& a, const CallContext&) {
    if (a[0].isNull()) return Value();
    const List& l = util::listArg("drasi.stdevp", a, 0);
    double sum = 0;
    int64_t n = 0;
    for (const Value& v : l) {
        if (v.isNull()) continue;
        if (!v.isNumber()) invalidArgument("drasi.stdevp", 0, v, "a List of numbers");
        sum += v.asNumber();
        ++n;
    }
    if (n == 0) return Value();
    double mean = sum / double(n), sq = 0;
    for (const Value& v : l)
        if (!v.isNull()) sq += (v.asNumber() - mean) * (v.asNumber() - mean);
    return Value(std::sqrt(sq / double(n)));
}

}  // namespace

void registerListFunctions(FunctionRegistry& r) {
    using util::scalar;
    r.add(scalar("tail", 1, 1, tailFn));
    r.add(scalar("range", 2, 3, rangeFn));
    r.add(scalar("coll.distinct", 1, 1, distinctFn));
    r.add(scalar("coll.indexOf", 2, 2, indexOfFn));
    r.add(scalar("coll.insert", 3, 3, insertFn));
    r.add(scalar("drasi.listMax", 1, 1, listMaxFn));
    r.add(scalar("drasi.listMin", 1, 1, listMinFn));
    r.add(scalar("drasi.stdevp", 1, 1, stdevpFn));
}

}  // namespace cq::fn
