// SPDX-License-Identifier: MIT
// The function library: every function a query may call, by name, with its arity. Scalar functions
// are plain C++ functions of their argument values; aggregates and stateful (time-based) functions
// are implemented by the engine (core/query) and only registered here so the binder can check
// names and arities when a query is registered.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/value.h"

namespace cq::fn {

/// What a scalar function may know about the moment it runs. The query clock is the change's
/// time (Drasi's InstantQueryClock), so replaying a stream gives the same answers.
struct CallContext {
    int64_t transactionTime = 0;  ///< ms since the epoch: the change's effective_from
    int64_t realtime = 0;         ///< ms: effective_from, or the due time when a future fires
    int64_t wallClock = 0;        ///< ms: the host's clock, for timestamp() and datetime()
};

using ScalarFn = Value (*)(const std::vector<Value>& args, const CallContext& ctx);

enum class FunctionKind : uint8_t {
    Scalar,     ///< fn is called with evaluated arguments
    Aggregate,  ///< count, sum, ... (engine-implemented, keeps accumulators)
    Stateful,   ///< drasi.trueFor, drasi.previousValue, ... (engine-implemented)
    Special,    ///< reduce, retainHistory, past functions (engine-implemented)
};

/// Which accumulator an Aggregate keeps (core/query/aggregates.cpp dispatches on it rather than
/// on the name: comparing names was 13 string compares a change of the 1-hop query).
enum class AggregateOp : uint8_t { None, Count, Sum, Avg, Min, Max, Collect, Last, LinearGradient, StDev, StDevP, PercentileCont, PercentileDisc };

struct FunctionDef {
    std::string name;       ///< canonical spelling, e.g. "toUpper", "drasi.trueFor"
    int minArgs = 0;
    int maxArgs = 0;        ///< -1: any number
    FunctionKind kind = FunctionKind::Scalar;
    ScalarFn fn = nullptr;  ///< Scalar only
    AggregateOp aggregate = AggregateOp::None;  ///< Aggregate only
};

/// Name lookup is case-insensitive, as in openCypher.
class FunctionRegistry {
public:
    void add(FunctionDef def);
    const FunctionDef* find(std::string_view name) const;
    std::vector<std::string> names() const;

private:
    std::unordered_map<std::string, FunctionDef> byLowerName_;
};

/// The registry with every built-in function (scalar, temporal, aggregate and stateful names).
/// Defined in core/query/builtins.cpp (it needs the engine-implemented functions too).
const FunctionRegistry& builtinFunctions();

// Each category registers its functions; builtinFunctions() calls them all.
void registerTextFunctions(FunctionRegistry& r);     // core/functions/text.cpp
void registerNumericFunctions(FunctionRegistry& r);  // core/functions/numeric.cpp (incl. trig)
void registerScalarFunctions(FunctionRegistry& r);   // core/functions/scalar.cpp (size, coalesce, ...)
void registerListFunctions(FunctionRegistry& r);     // core/functions/list.cpp (incl. drasi.list*)
void registerTemporalFunctions(FunctionRegistry& r); // core/temporal/functions.cpp
void registerEngineFunctions(FunctionRegistry& r);   // core/query/engine_functions.cpp (aggregates, time)

/// Helpers for implementations: throw Error(InvalidArgument) naming the function and argument.
[[noreturn]] void invalidArgument(std::string_view function, int index, const Value& got,
                                  std::string_view expected);

}  // namespace cq::fn
