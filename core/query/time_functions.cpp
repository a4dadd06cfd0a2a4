// SPDX-License-Identifier: MIT
// Time-based functions. Their state is kept per group (in an aggregating part) or per input row, in
// the ResultIndex; a function that cannot answer yet schedules a future item for the input row and
// returns Awaiting (which a WHERE treats as false). When the item falls due the engine re-evaluates
// the row with the clock at the due time (ContinuousQuery::processFuture).
#include "core/common/error.h"
#include "core/eval/operators.h"
#include "core/query/continuous_query.h"
#include "core/temporal/temporal.h"

namespace cq::query {

using eval::Mode;

namespace {

uint64_t stateKey(uint64_t group, int callSite, uint64_t salt) {
    uint64_t x = group ^ (uint64_t(uint32_t(callSite)) * 0x9e3779b97f4a7c15ULL) ^ salt;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

constexpr uint64_t kMarkerSalt = 0x74696d656d61726bULL;  // trueFor's "true since"
constexpr uint64_t kWindowSalt = 0x77696e646f77ULL;      // slidingWindow's "expired" per element
constexpr uint64_t kPreviousSalt = 0x70726576ULL;        // previousValue / previousDistinctValue

/// A duration argument in ms: a Duration (months count as 30 days, as Drasi) or an integer.
int64_t durationMillis(const std::string& fn, int index, const Value& v) {
    if (v.isInt()) return v.asInt();
    if (v.is<Duration>()) {
        const Duration& d = v.as<Duration>();
        return (d.months * 30 + d.days) * 86400000LL + d.seconds * 1000 + d.nanos / 1000000;
    }
    fn::invalidArgument(fn, index, v, "a Duration or an Integer (ms)");
}

int64_t timeMillis(const std::string& fn, int index, const Value& v) {
    if (auto t = temporal::toEpochMillis(v)) return *t;
    fn::invalidArgument(fn, index, v, "a date, datetime or Integer (ms)");
}

}  // namespace

Value ContinuousQuery::timeFunction(const cypher::Expr& call, eval::EvalContext& ctx) {
    const std::string& name = call.function->name;
    const int site = call.aggregateIndex;
    ResultIndex& results = *store_.results;
    FutureQueue& futures = *store_.futures;
    const bool apply = ctx.mode == Mode::Apply;
    const int64_t tx = ctx.call.transactionTime, now = ctx.call.realtime;

    auto schedule = [&](PushMode mode, int64_t due) {
        // Futures are only scheduled for rows being applied, never for rows being read or removed.
        if (!apply || !ctx.anchor) return;
        FutureItem item;
        item.position = uint32_t(site);
        item.groupSignature = ctx.inputHash;
        item.element = *ctx.anchor;
        item.originalTime = tx;
        item.dueTime = due;
        futures.push(mode, item);
    };

    if (name == "drasi.slidingWindow") {
        // Wraps an aggregate: a row's contribution expires `window` after the change that made it.
        Value window = eval::evaluate(*call.children[0], ctx);
        if (window.isNull()) return Value();
        int64_t ms = durationMillis(name, 0, window);
        if (!ctx.anchor) return eval::evaluate(*call.children[1], ctx);
        uint64_t marker = stateKey(hashValue(Value(ctx.anchor->id), hashValue(Value(ctx.anchor->source))), site, kWindowSalt);
        Mode saved = ctx.mode;
        Value out;
        if (apply) {
            if (tx + ms <= now) {  // already expired: keep it out of the aggregate
                Accumulator a;
                a.count = 1;
                results.set(marker, &a);
                ctx.mode = Mode::Snapshot;
            } else {
                schedule(PushMode::Overwrite, tx + ms);
            }
        } else if (ctx.mode != Mode::Snapshot && results.get(marker)) {
            results.set(marker, nullptr);  // its contribution was removed when it expired
            ctx.mode = Mode::Snapshot;
        }
        out = eval::evaluate(*call.children[1], ctx);
        ctx.mode = saved;
        return out;
    }

    eval::PooledArguments pooled;
    std::vector<Value>& args = pooled.get();
    eval::evaluateArguments(call, ctx, args);

    if (name == "drasi.previousValue" || name == "drasi.previousDistinctValue") {
        uint64_t key = stateKey(ctx.groupHash, site, kPreviousSalt);
        Value fallback = args.size() > 1 ? args[1] : Value();
        auto acc = results.get(key);
        // previousValue: value = current, a list [previous] in `sum`-free form: value holds
        // [current, previous]. previousDistinctValue: [last, previous distinct].
        Value current = acc && acc->value.isList() ? acc->value.asList()[0] : Value();
        Value previous = acc && acc->value.isList() ? acc->value.asList()[1] : Value();
        bool has = acc.has_value();
        if (name == "drasi.previousValue") {
            if (!apply) return has ? (previous.isNull() ? fallback : previous) : fallback;
            Accumulator a;
            a.value = Value(List{args[0], current});
            results.set(key, &a);
            return has && !current.isNull() ? current : fallback;
        }
        if (apply && (!has || !valuesEqual(current, args[0]))) {
            previous = has ? current : Value();
            Accumulator a;
            a.value = Value(List{args[0], previous});
            results.set(key, &a);
        }
        return previous.isNull() ? fallback : previous;
    }

    if (name == "drasi.awaiting") return Value(Awaiting{});

    if (name == "drasi.future") {
        if (args[1].isNull()) return Value();
        int64_t due = timeMillis(name, 1, args[1]);
        if (due <= now) return args[0];
        schedule(PushMode::Always, due);
        return Value(Awaiting{});
    }

    const Value& cond = args[0];
    if (!cond.isNull() && !cond.isBool()) fn::invalidArgument(name, 0, cond, "a Boolean condition");
    if (name == "drasi.trueFor") {
        uint64_t key = stateKey(ctx.groupHash, site, kMarkerSalt);
        if (args[1].isNull()) return Value();
        int64_t ms = durationMillis(name, 1, args[1]);
        if (!(cond.isBool() && cond.asBool())) {
            if (apply || ctx.mode == Mode::RevertForDelete) {
                results.set(key, nullptr);
                futures.remove(uint32_t(site), ctx.inputHash);
            }
            return cond.isNull() ? Value() : Value(false);
        }
        auto marker = results.get(key);
        if (ctx.mode == Mode::RevertForDelete) {
            // The row is going away: forget when the condition became true, and answer whether
            // the row was in the result (true for long enough) so that its removal is emitted.
            results.set(key, nullptr);
            futures.remove(uint32_t(site), ctx.inputHash);
            return Value(marker && marker->count + ms <= now);
        }
        int64_t since = marker ? marker->count : tx;
        if (!marker && apply) {
            Accumulator a;
            a.count = since;
            results.set(key, &a);
        }
        int64_t due = since + ms;
        if (due <= now) return Value(true);
        schedule(PushMode::IfNotExists, due);
        return Value(Awaiting{});
    }

    if (args[1].isNull()) return Value();
    int64_t when = timeMillis(name, 1, args[1]);
    if (name == "drasi.trueUntil") {
        if (!(cond.isBool() && cond.asBool())) {
            if (apply) futures.remove(uint32_t(site), ctx.inputHash);
            return cond.isNull() ? Value() : Value(false);
        }
        if (when <= now) return cond;
        schedule(PushMode::IfNotExists, when);
        return Value(Awaiting{});
    }
    if (name == "drasi.trueNowOrLater" && cond.isBool() && cond.asBool()) return Value(true);
    if (cond.isNull()) return Value();
    if (name == "drasi.trueLater" || name == "drasi.trueNowOrLater") {
        if (when <= now) return cond;
        schedule(PushMode::Overwrite, when);
        return Value(Awaiting{});
    }
    throw Error(ErrorCode::Internal, name + "() is not implemented");
}

}  // namespace cq::query
