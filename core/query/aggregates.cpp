// SPDX-License-Identifier: MIT
// Aggregate functions as incrementally maintained accumulators: each call site keeps one
// accumulator per group in the ResultIndex; Apply adds a row's contribution, Revert removes it,
// Snapshot reads. Nothing is ever recomputed from the group's members: min/max keep a counted
// sorted multiset, so removing the current minimum finds the next one in O(log n).
#include <algorithm>
#include <cmath>

#include "core/common/error.h"
#include "core/eval/operators.h"
#include "core/query/continuous_query.h"
#include "core/temporal/temporal.h"

namespace cq::query {

using eval::Mode;

namespace {

uint64_t keyOf(uint64_t group, int callSite) {
    uint64_t x = group ^ (uint64_t(uint32_t(callSite)) * 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

bool reverting(Mode m) { return m == Mode::RevertForUpdate || m == Mode::RevertForDelete; }

class AccumulatorRef {
public:
    AccumulatorRef(ResultIndex& index, uint64_t key) : index_(index), key_(key) {
        auto a = index.get(key);
        exists_ = a.has_value();
        if (exists_) acc = std::move(*a);
    }
    bool exists() const { return exists_; }
    void store() { index_.set(key_, &acc); exists_ = true; }
    void erase() { index_.set(key_, nullptr); exists_ = false; acc = Accumulator{}; }
    Accumulator acc;

private:
    ResultIndex& index_;
    uint64_t key_;
    bool exists_ = false;
};

[[noreturn]] void badType(const std::string& fn, const Value& v) {
    throw Error(ErrorCode::InvalidArgument,
                fn + "(): cannot aggregate a " + std::string(valueKindName(v.kind())));
}

}  // namespace

Value ContinuousQuery::callEngineFunction(const cypher::Expr& call, eval::EvalContext& ctx) {
    const fn::FunctionDef& def = *call.function;
    if (def.kind == fn::FunctionKind::Aggregate) return aggregate(call, ctx);
    if (def.name == "retainHistory") {
        // Contributions inside retainHistory are never removed: all-time aggregates.
        Mode saved = ctx.mode;
        if (reverting(saved)) ctx.mode = Mode::Snapshot;
        Value v = eval::evaluate(*call.children[0], ctx);
        ctx.mode = saved;
        return v;
    }
    if (def.name.rfind("drasi.getVersion", 0) == 0) return pastFunction(call, ctx);
    return timeFunction(call, ctx);
}

Value ContinuousQuery::aggregate(const cypher::Expr& call, eval::EvalContext& ctx) {
    const std::string& name = call.function->name;
    const fn::AggregateOp op = call.function->aggregate;
    const Mode mode = ctx.mode;
    const uint64_t key = keyOf(ctx.groupHash, call.aggregateIndex);
    ResultIndex& results = *store_.results;

    // Arguments are evaluated in the same mode (a stateful function inside an aggregate follows it).
    eval::PooledArguments pooled;
    std::vector<Value>& args = pooled.get();
    if (call.name2 == "*") args.push_back(Value(true));
    else eval::evaluateArguments(call, ctx, args);
    const Value& x = args[0];
    bool apply = mode == Mode::Apply, revert = reverting(mode);
    if (call.distinct && !x.isNull() && (apply || revert)) {
        // agg(DISTINCT x): a count per value and group, beside the aggregate's own accumulator;
        // only a value's first arrival and last departure reach the aggregate. Values that are
        // equal (1 and 1.0 too, as in grouping) share one count.
        AccumulatorRef seen(results, keyOf(key ^ hashValue(x, 0x64697374ULL), call.aggregateIndex));
        seen.acc.count += apply ? 1 : -1;
        bool edge = apply ? seen.acc.count == 1 : seen.acc.count == 0;
        if (seen.acc.count <= 0) seen.erase();
        else seen.store();
        if (!edge) apply = revert = false;  // read the aggregate only
    }

    if (op == fn::AggregateOp::Count) {
        AccumulatorRef a(results, key);
        if (!x.isNull() && (apply || revert)) {
            a.acc.count += apply ? 1 : -1;
            a.store();
        }
        return Value(a.acc.count);
    }
    if (op == fn::AggregateOp::Sum || op == fn::AggregateOp::Avg) {
        AccumulatorRef a(results, key);
        bool duration = x.is<Duration>() || a.acc.value.is<Duration>();
        if (!x.isNull() && (apply || revert)) {
            if (x.is<Duration>()) {
                Value cur = a.acc.value.is<Duration>() ? a.acc.value : Value(Duration{});
                auto r = apply ? temporal::add(cur, x) : temporal::subtract(cur, x);
                a.acc.value = r ? *r : cur;
            } else if (x.isNumber()) {
                a.acc.sum += apply ? x.asNumber() : -x.asNumber();
            } else {
                badType(name, x);
            }
            a.acc.count += apply ? 1 : -1;
            a.store();
        }
        if (op == fn::AggregateOp::Sum) {
            if (duration) return a.acc.value.is<Duration>() ? a.acc.value : Value(Duration{});
            return Value(a.acc.sum);
        }
        if (a.acc.count == 0) return duration ? Value(Duration{}) : Value(0.0);
        if (duration) {
            auto r = temporal::divide(a.acc.value, Value(a.acc.count));
            return r ? *r : Value();
        }
        return Value(a.acc.sum / double(a.acc.count));
    }
    if (op == fn::AggregateOp::Min || op == fn::AggregateOp::Max) {
        const bool isMax = op == fn::AggregateOp::Max;
        // The value kind is kept beside the sorted set so that results decode to the right type.
        // Strings, which the set of doubles cannot order, are counted in its `value`: a Map from
        // string to count (sorted by key), read with the kind at no extra lookup. A group of many
        // distinct strings copies that map each change (O(distinct strings)).
        AccumulatorRef kind(results, key ^ 0x6b696e64ULL);
        if (x.isString() && (apply || revert)) {
            Map strings = kind.acc.value.isMap() ? kind.acc.value.asMap() : Map{};
            auto it = strings.find(x.asString());
            int64_t n = (it == strings.end() ? 0 : it->second.asInt()) + (apply ? 1 : -1);
            if (n > 0) strings.insert_or_assign(x.asString(), Value(n));
            else if (it != strings.end()) strings.erase(it);
            kind.acc.value = strings.empty() ? Value() : Value(std::move(strings));
            kind.store();
        } else if (!x.isNull() && (apply || revert)) {
            double k;
            if (x.isNumber()) k = x.asNumber();
            else if (x.isTemporal()) k = temporal::toSortKey(x);
            else badType(name, x);
            if (isMax) k = -k;
            results.sortedIncrement(key, k, apply ? 1 : -1);
            const int64_t want = int64_t(x.isNumber() ? ValueKind::Float : x.kind()) + 1;
            if (!kind.exists() || kind.acc.count != want) {
                kind.acc.count = want;
                kind.store();
            }
        }
        auto first = results.sortedNext(key, std::nullopt);
        ValueKind vk = kind.exists() && kind.acc.count > 0 ? ValueKind(kind.acc.count - 1) : ValueKind::Float;
        if (kind.acc.value.isMap()) {
            // openCypher orders temporal values < strings < numbers: a max is a number if the
            // group has one, a min a temporal value if it has one; else a string.
            bool numeric = vk == ValueKind::Float || vk == ValueKind::Integer;
            if (!first || (isMax ? !numeric : numeric)) {
                const Map& strings = kind.acc.value.asMap();
                return Value(isMax ? (strings.end() - 1)->first : strings.begin()->first);
            }
        }
        if (!first) return Value();
        double k = isMax ? -first->first : first->first;
        if (vk == ValueKind::Float || vk == ValueKind::Integer) return Value(k);
        return temporal::fromSortKey(vk, k);
    }
    if (op == fn::AggregateOp::Collect) {
        AccumulatorRef a(results, key);
        if (!x.isNull() && (apply || revert)) {
            List list = a.acc.value.isList() ? a.acc.value.asList() : List{};
            if (apply) {
                list.push_back(x);
            } else {
                for (auto it = list.begin(); it != list.end(); ++it)
                    if (valuesEqual(*it, x)) { list.erase(it); break; }
            }
            a.acc.value = Value(std::move(list));
            a.store();
        }
        return a.acc.value.isList() ? a.acc.value : Value(List{});
    }
    if (op == fn::AggregateOp::StDev || op == fn::AggregateOp::StDevP) {
        // Sums of the values and of their squares, shifted by the group's first value K (a) so
        // that clustered values do not cancel: m2 = sum((x-K)^2) - sum(x-K)^2 / n. Removing a
        // value subtracts exactly what adding it added, so integers and halves stay exact (a
        // reversible Welford update left 2.4e-7 where the deviation was 0: differential test).
        AccumulatorRef a(results, key);
        if (!x.isNull() && (apply || revert)) {
            if (!x.isNumber()) badType(name, x);
            Accumulator& s = a.acc;
            if (s.count == 0) s.a = x.asNumber();
            const double d = x.asNumber() - s.a, sign = apply ? 1.0 : -1.0;
            s.count += apply ? 1 : -1;
            s.sum += sign * d;
            s.b += sign * d * d;
            if (s.count <= 0) s = Accumulator{};
            a.store();
        }
        const double n = double(a.acc.count);
        const double m2 = n > 0 ? std::max(0.0, a.acc.b - a.acc.sum * a.acc.sum / n) : 0.0;
        if (op == fn::AggregateOp::StDev) return Value(n > 1 ? std::sqrt(m2 / (n - 1)) : 0.0);
        return Value(n > 0 ? std::sqrt(m2 / n) : 0.0);
    }
    if (op == fn::AggregateOp::PercentileCont || op == fn::AggregateOp::PercentileDisc) {
        // The values in a counted sorted set (min/max's), their number beside it; a read walks the
        // set from the smallest value to the rank wanted: O(distinct values below it), each step a
        // map lookup in either backend (SQLite's sets are read from its in-memory state).
        const Value& pv = args[1];
        if (!pv.isNumber() || !(pv.asNumber() >= 0 && pv.asNumber() <= 1))
            throw Error(ErrorCode::InvalidArgument, name + "(): the percentile must be a number from 0 to 1, got " +
                                                        (pv.isNumber() ? std::to_string(pv.asNumber()) : valueKindName(pv.kind())));
        const double p = pv.asNumber();
        AccumulatorRef n(results, key ^ 0x70637473ULL);
        if (!x.isNull() && (apply || revert)) {
            if (!x.isNumber()) badType(name, x);
            results.sortedIncrement(key, x.asNumber(), apply ? 1 : -1);
            n.acc.count += apply ? 1 : -1;
            // How many are Floats: percentileDisc returns a value of the set, an Integer when all are.
            if (!x.isInt()) n.acc.b += apply ? 1 : -1;
            if (n.acc.count <= 0) n.erase();
            else n.store();
        }
        const int64_t count = n.acc.count;
        if (count <= 0) return Value();
        // The value at 0-based rank r.
        auto at = [&](int64_t r) {
            std::optional<double> after;
            int64_t seen = 0;
            for (;;) {
                auto next = results.sortedNext(key, after);
                if (!next) throw Error(ErrorCode::Internal, name + "(): the sorted set is shorter than its count");
                seen += next->second;
                if (seen > r) return next->first;
                after = next->first;
            }
        };
        if (op == fn::AggregateOp::PercentileDisc) {
            // openCypher (Neo4j): the value at rank ceil(p * n) - 1, the first for p = 0.
            const double f = p * double(count);
            int64_t r = std::max<int64_t>(0, int64_t(std::ceil(f)) - 1);
            double v = at(std::min(r, count - 1));
            if (n.acc.b == 0 && std::fabs(v) < 9.2e18) return Value(int64_t(v));
            return Value(v);
        }
        // percentileCont: linear interpolation between the ranks around p * (n - 1).
        const double f = p * double(count - 1);
        const int64_t lo = int64_t(std::floor(f)), hi = int64_t(std::ceil(f));
        const double a = at(lo);
        if (hi == lo) return Value(a);
        return Value(a + (at(hi) - a) * (f - double(lo)));
    }
    if (op == fn::AggregateOp::Last) {
        AccumulatorRef a(results, key);
        if (apply) { a.acc.value = x; a.store(); }
        else if (revert) { a.acc.value = Value(); a.store(); }
        return a.acc.value;
    }
    if (op == fn::AggregateOp::LinearGradient) {
        // Welford-style online least squares: n, mean x (sum), mean y (a), m2 (b), cov (c).
        AccumulatorRef a(results, key);
        const Value& y = args[1];
        if (x.isNumber() && y.isNumber() && (apply || revert)) {
            double xv = x.asNumber(), yv = y.asNumber();
            Accumulator& s = a.acc;
            if (apply) {
                s.count += 1;
                double dx = xv - s.sum;
                s.sum += dx / double(s.count);
                s.a += (yv - s.a) / double(s.count);
                s.b += dx * (xv - s.sum);
                s.c += dx * (yv - s.a);
            } else if (s.count <= 1) {
                s = Accumulator{};
            } else {
                double n = double(s.count);
                double mx = (n * s.sum - xv) / (n - 1), my = (n * s.a - yv) / (n - 1);
                s.b -= (xv - mx) * (xv - s.sum);
                s.c -= (xv - mx) * (yv - s.a);
                s.sum = mx;
                s.a = my;
                s.count -= 1;
            }
            a.store();
        }
        if (a.acc.count < 2 || a.acc.b == 0) return Value();
        return Value(a.acc.c / a.acc.b);
    }
    throw Error(ErrorCode::Internal, "aggregate " + name + " is not implemented");
}

Value ContinuousQuery::pastFunction(const cypher::Expr& call, eval::EvalContext& ctx) {
    eval::PooledArguments pooled;
    std::vector<Value>& args = pooled.get();
    eval::evaluateArguments(call, ctx, args);
    const std::string& name = call.function->name;
    if (args[0].isNull()) return Value();
    if (!args[0].isElement()) fn::invalidArgument(name, 0, args[0], "an element");
    if (!store_.archive || !options_.archive)
        throw Error(ErrorCode::Unsupported, name + "() needs the element archive, which is disabled");
    const ElementRef& ref = args[0].asElement()->ref;
    auto time = [&](size_t i) {
        auto t = temporal::toEpochMillis(args[i]);
        if (!t) fn::invalidArgument(name, int(i), args[i], "a date, datetime or integer (ms)");
        return *t;
    };
    if (name == "drasi.getVersionByTimestamp") {
        if (args[1].isNull()) return Value();
        ElementPtr e = store_.archive->versionAt(ref, time(1));
        return e ? Value(e) : Value();
    }
    if (args[1].isNull() || args[2].isNull()) return Value();
    bool initial = args.size() > 3 && args[3].isBool() && args[3].asBool();
    std::vector<ElementPtr> versions;
    store_.archive->versionsBetween(ref, time(1), time(2), initial, versions);
    List out;
    for (auto& v : versions) out.push_back(Value(v));
    return Value(std::move(out));
}

}  // namespace cq::query
