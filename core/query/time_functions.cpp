// SPDX-License-Identifier: MIT
// Time-based functions: PLACEHOLDER until the future queue functions land.
#include "core/common/error.h"
#include "core/query/continuous_query.h"

namespace cq::query {

Value ContinuousQuery::timeFunction(const cypher::Expr& call, eval::EvalContext&) {
    throw Error(ErrorCode::Unsupported, call.function->name + "() is not implemented yet");
}

}  // namespace cq::query
