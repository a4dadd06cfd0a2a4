// SPDX-License-Identifier: MIT
// The registry of every built-in function, and the names/arities of the engine-implemented ones.
#include "core/functions/registry.h"

namespace cq::fn {

void registerEngineFunctions(FunctionRegistry& r) {
    auto add = [&](const char* name, int minArgs, int maxArgs, FunctionKind kind) {
        r.add(FunctionDef{name, minArgs, maxArgs, kind, nullptr});
    };
    auto aggregate = [&](const char* name, int args, AggregateOp op) {
        r.add(FunctionDef{name, args, args, FunctionKind::Aggregate, nullptr, op});
    };
    // Aggregates (core/query/aggregates.cpp).
    aggregate("count", 1, AggregateOp::Count);  // count(*) is accepted by the binder
    aggregate("sum", 1, AggregateOp::Sum);
    aggregate("avg", 1, AggregateOp::Avg);
    aggregate("min", 1, AggregateOp::Min);
    aggregate("max", 1, AggregateOp::Max);
    aggregate("collect", 1, AggregateOp::Collect);
    aggregate("stDev", 1, AggregateOp::StDev);    // openCypher; not in drasi-core
    aggregate("stDevP", 1, AggregateOp::StDevP);
    aggregate("percentileCont", 2, AggregateOp::PercentileCont);  // openCypher; not in drasi-core
    aggregate("percentileDisc", 2, AggregateOp::PercentileDisc);
    aggregate("drasi.last", 1, AggregateOp::Last);
    aggregate("drasi.linearGradient", 2, AggregateOp::LinearGradient);
    // Context mutator and the archive (past) functions.
    add("retainHistory", 1, 1, FunctionKind::Special);
    add("drasi.getVersionByTimestamp", 2, 2, FunctionKind::Special);
    add("drasi.getVersionsByTimeRange", 3, 4, FunctionKind::Special);
    // Time-based functions (core/query/time_functions.cpp).
    add("drasi.trueFor", 2, 2, FunctionKind::Stateful);
    add("drasi.trueUntil", 2, 2, FunctionKind::Stateful);
    add("drasi.trueLater", 2, 2, FunctionKind::Stateful);
    add("drasi.trueNowOrLater", 2, 2, FunctionKind::Stateful);
    add("drasi.slidingWindow", 2, 2, FunctionKind::Stateful);
    add("drasi.previousValue", 1, 2, FunctionKind::Stateful);
    add("drasi.previousDistinctValue", 1, 2, FunctionKind::Stateful);
    add("drasi.future", 2, 2, FunctionKind::Stateful);
    add("drasi.awaiting", 0, 0, FunctionKind::Stateful);
}

const FunctionRegistry& builtinFunctions() {
    static const FunctionRegistry registry = [] {
        FunctionRegistry r;
        registerTextFunctions(r);
        registerNumericFunctions(r);
        registerScalarFunctions(r);
        registerListFunctions(r);
        registerTemporalFunctions(r);
        registerEngineFunctions(r);
        return r;
    }();
    return registry;
}

}  // namespace cq::fn
