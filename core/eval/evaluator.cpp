// SPDX-License-Identifier: MIT
#include "core/eval/evaluator.h"

#include <deque>

#include "core/common/error.h"
#include "core/eval/operators.h"

namespace cq::eval {

using cypher::BinaryOp;
using cypher::Expr;
using cypher::ExprKind;

namespace {

Value evaluateCase(const Expr& e, EvalContext& ctx) {
    const auto& c = e.children;
    const size_t n = c.size();
    // Layout: [subject-or-null, when1, then1, ..., else-or-null].
    if (c[0]) {
        Value subject = evaluate(*c[0], ctx);
        for (size_t i = 1; i + 1 < n; i += 2) {
            Value w = evaluate(*c[i], ctx);
            if (valuesEqual(subject, w) && !(subject.isNull() && w.isNull())) return evaluate(*c[i + 1], ctx);
        }
    } else {
        for (size_t i = 1; i + 1 < n; i += 2)
            if (isTruthy(evaluate(*c[i], ctx))) return evaluate(*c[i + 1], ctx);
    }
    return c[n - 1] ? evaluate(*c[n - 1], ctx) : Value();
}

// List comprehensions and reduce bind their iteration variable in the frame slot the binder gave it.
Value evaluateComprehension(const Expr& e, EvalContext& ctx) {
    Value source = evaluate(*e.children[0], ctx);
    if (source.isNull()) return Value();
    if (!source.isList())
        throw Error(ErrorCode::InvalidType, "list comprehension over a " +
                                                std::string(valueKindName(source.kind())) + ", expected a List");
    std::vector<Value>& frame = *ctx.frame;
    List out;
    for (const Value& item : source.asList()) {
        frame[e.varIndex] = item;
        if (e.children[1] && !isTruthy(evaluate(*e.children[1], ctx))) continue;
        out.push_back(e.children[2] ? evaluate(*e.children[2], ctx) : item);
    }
    frame[e.varIndex] = Value();
    return Value(std::move(out));
}

Value evaluateReduce(const Expr& e, EvalContext& ctx) {
    std::vector<Value>& frame = *ctx.frame;
    Value acc = evaluate(*e.children[0], ctx);
    Value source = evaluate(*e.children[1], ctx);
    if (source.isNull()) return Value();
    if (!source.isList())
        throw Error(ErrorCode::InvalidType, "reduce over a " + std::string(valueKindName(source.kind())) +
                                                ", expected a List");
    for (const Value& item : source.asList()) {
        frame[e.varIndex] = acc;
        frame[e.varIndex2] = item;
        acc = evaluate(*e.children[2], ctx);
    }
    frame[e.varIndex] = Value();
    frame[e.varIndex2] = Value();
    return acc;
}

Value evaluateCall(const Expr& e, EvalContext& ctx) {
    const fn::FunctionDef* def = e.function;
    if (!def) throw Error(ErrorCode::Internal, "function " + e.name + " was not bound");
    if (def->kind != fn::FunctionKind::Scalar) {
        if (!ctx.hooks) throw Error(ErrorCode::Unsupported, e.name + "() is not available here");
        return ctx.hooks->callEngineFunction(e, ctx);
    }
    PooledArguments args;
    evaluateArguments(e, ctx, args.get());
    return def->fn(args.get(), ctx.call);
}

// A deque keeps the outer depths' vectors in place while a deeper call adds one.
thread_local std::deque<std::vector<Value>> argumentPool;
thread_local size_t argumentDepth = 0;

}  // namespace

PooledArguments::PooledArguments() {
    if (argumentPool.size() <= argumentDepth) argumentPool.emplace_back();
    args_ = &argumentPool[argumentDepth++];
}

PooledArguments::~PooledArguments() {
    args_->clear();
    --argumentDepth;
}

void evaluateArguments(const Expr& call, EvalContext& ctx, std::vector<Value>& out) {
    out.clear();
    out.reserve(call.children.size());
    for (const auto& c : call.children) out.push_back(evaluate(*c, ctx));
}

Value evaluate(const Expr& e, EvalContext& ctx) {
    switch (e.kind) {
        case ExprKind::Literal: return e.literal;
        case ExprKind::Parameter: return Value();  // nothing binds parameters (as in Drasi)
        case ExprKind::Variable: return (*ctx.frame)[e.varIndex];
        case ExprKind::Property: {
            // r.x reads the frame's value in place (no copy of the element pointer).
            const Expr& target = *e.children[0];
            if (target.kind == ExprKind::Variable) {
                const Value& v = (*ctx.frame)[target.varIndex];
                if (v.isElement()) {
                    const Map& m = v.asElement()->properties;
                    auto it = m.find(e.name, e.propertyHint);
                    return it == m.end() ? Value() : it->second;
                }
                return property(v, e.name);
            }
            return property(evaluate(target, ctx), e.name);
        }
        case ExprKind::Index: return index(evaluate(*e.children[0], ctx), evaluate(*e.children[1], ctx));
        case ExprKind::Slice: {
            Value list = evaluate(*e.children[0], ctx);
            Value from = e.children[1] ? evaluate(*e.children[1], ctx) : Value();
            Value to = e.children[2] ? evaluate(*e.children[2], ctx) : Value();
            return slice(list, from, to);
        }
        case ExprKind::Not: return logicalNot(evaluate(*e.children[0], ctx));
        case ExprKind::Negate: return negate(evaluate(*e.children[0], ctx));
        case ExprKind::Binary: {
            // Both sides are always evaluated (no short-circuit), as the conformance vectors require:
            // `false AND 1/0 = 1` is a division-by-zero error.
            Value a = evaluate(*e.children[0], ctx);
            Value b = evaluate(*e.children[1], ctx);
            switch (e.op) {
                case BinaryOp::And: return logicalAnd(a, b);
                case BinaryOp::Or: return logicalOr(a, b);
                case BinaryOp::Xor: return logicalXor(a, b);
                default: return binary(e.op, a, b);
            }
        }
        case ExprKind::IsNull: return Value(evaluate(*e.children[0], ctx).isNull());
        case ExprKind::IsNotNull: return Value(!evaluate(*e.children[0], ctx).isNull());
        case ExprKind::Case: return evaluateCase(e, ctx);
        case ExprKind::ListLiteral: {
            List out;
            out.reserve(e.children.size());
            for (const auto& c : e.children) out.push_back(evaluate(*c, ctx));
            return Value(std::move(out));
        }
        case ExprKind::MapLiteral: {
            Map out;
            out.reserve(e.children.size());
            for (size_t i = 0; i < e.children.size(); ++i) out.insert_or_assign(e.keys[i], evaluate(*e.children[i], ctx));
            return Value(std::move(out));
        }
        case ExprKind::ListComprehension: return evaluateComprehension(e, ctx);
        case ExprKind::Reduce: return evaluateReduce(e, ctx);
        case ExprKind::FunctionCall: return evaluateCall(e, ctx);
    }
    throw Error(ErrorCode::Internal, "unknown expression kind");
}

}  // namespace cq::eval
