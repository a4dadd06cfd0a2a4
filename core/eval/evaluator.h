// SPDX-License-Identifier: MIT
// Evaluates a bound expression (core/query/binder.cpp resolved its variables to frame slots and its
// function names to definitions) over a frame of variable values. Aggregates and stateful functions
// are delegated to FunctionHooks, implemented by core/query, so this module knows nothing of
// accumulators, futures or storage.
#pragma once
#include <cstdint>
#include <vector>

#include "core/cypher/ast.h"
#include "core/functions/registry.h"
#include "core/model/element.h"
#include "core/model/value.h"

namespace cq::eval {

/// How aggregates and stateful functions treat this evaluation (Drasi's side-effect modes).
enum class Mode : uint8_t {
    Apply,            ///< add this row's contribution
    RevertForUpdate,  ///< remove this row's contribution (the row is being replaced)
    RevertForDelete,  ///< remove this row's contribution (the row is gone)
    Snapshot,         ///< read the current value only
};

struct EvalContext;

/// Engine-implemented functions (aggregates, time-based functions, retainHistory).
class FunctionHooks {
public:
    virtual ~FunctionHooks() = default;
    virtual Value callEngineFunction(const cypher::Expr& call, EvalContext& ctx) = 0;
};

struct EvalContext {
    std::vector<Value>* frame = nullptr;  ///< variable values by varIndex (mutable: comprehensions)
    Mode mode = Mode::Apply;
    uint64_t groupHash = 0;       ///< state key: the group (aggregating part) or the row (other parts)
    uint64_t inputHash = 0;       ///< the input row's key: futures are scheduled per input row
    const ElementRef* anchor = nullptr;  ///< the changed element, for time-based functions
    fn::CallContext call;         ///< the query clock and the host clock
    FunctionHooks* hooks = nullptr;
    bool futureReprocess = false; ///< evaluation triggered by a due future
};

/// Evaluates `expr`. Throws cq::Error on type errors, division by zero, bad function arguments.
Value evaluate(const cypher::Expr& expr, EvalContext& ctx);

/// Evaluates the arguments of a call into `out`.
void evaluateArguments(const cypher::Expr& call, EvalContext& ctx, std::vector<Value>& out);

/// A call's evaluated arguments in a vector borrowed from a pool kept per nesting depth (an
/// argument's own call takes the next depth), so that calls allocate nothing once warm: a vector
/// per call was 3 of a 1-hop change's ~70 heap blocks. Scoped: the vector is cleared and returned
/// when this object goes.
class PooledArguments {
public:
    PooledArguments();
    ~PooledArguments();
    PooledArguments(const PooledArguments&) = delete;
    PooledArguments& operator=(const PooledArguments&) = delete;
    std::vector<Value>& get() { return *args_; }

private:
    std::vector<Value>* args_;
};

}  // namespace cq::eval
