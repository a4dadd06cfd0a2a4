// SPDX-License-Identifier: MIT
#include "core/eval/evaluator.h"

#include <cmath>
#include <cstdint>
#include <deque>

#include "core/common/error.h"
#include "core/eval/operators.h"

namespace cq::eval {

using cypher::BinaryOp;
using cypher::Expr;
using cypher::ExprKind;

namespace {

// ---------------------------------------------------------------------------------------------
// Numeric fast path. Arithmetic over numbers (`50 + (r.temperature - 72) + CASE WHEN r.co2 > 500
// THEN (r.co2 - 500) / 25 ELSE 0 END`) is most of what the benchmark queries compute, and the
// general evaluator builds, copies and destroys a Value per node: about 50 instructions a node,
// 2,000 of the 1-hop query's 16,900 per change. A maximal subtree of literals, variables,
// property reads, + - * / %, comparisons, unary minus and searched CASE is evaluated here on
// plain numbers instead (the 1-hop query: 16,875 -> 16,287 instructions per change; the
// calculation projection 10,667 -> 10,049). Anything this path does not reproduce exactly (an
// operand that is not a number or null, an integer overflow, a division by zero, any error)
// makes it give up, and the general evaluator evaluates the whole subtree again: the subtree has
// no side effects, so the result, and the error, are the general path's
// (tests/unit/eval/numeric_path_test.cpp checks both paths agree on random arithmetic).

enum : uint8_t { kUnclassified = 0, kNumericRoot, kNumericInside, kNotNumeric };

struct Num {
    enum Kind : uint8_t { Null, Int, Float, Bool, GiveUp } kind = GiveUp;
    int64_t i = 0;
    double d = 0;
    double number() const { return kind == Int ? double(i) : d; }
};

bool numericOp(BinaryOp op) {
    switch (op) {
        case BinaryOp::Add:
        case BinaryOp::Subtract:
        case BinaryOp::Multiply:
        case BinaryOp::Divide:
        case BinaryOp::Modulo:
        case BinaryOp::Less:
        case BinaryOp::LessEqual:
        case BinaryOp::Greater:
        case BinaryOp::GreaterEqual: return true;
        default: return false;
    }
}

/// Whether the subtree can be evaluated on the fast path; sets `hasOperator` when it computes
/// something (a bare literal or property read gains nothing).
bool numericEligible(const Expr& e, bool& hasOperator) {
    switch (e.kind) {
        case ExprKind::Literal: return e.literal.isNull() || e.literal.isNumber() || e.literal.isBool();
        case ExprKind::Variable: return true;
        case ExprKind::Property: return e.children[0]->kind == ExprKind::Variable;
        case ExprKind::Negate:
            hasOperator = true;
            return numericEligible(*e.children[0], hasOperator);
        case ExprKind::Binary:
            hasOperator = true;
            return numericOp(e.op) && numericEligible(*e.children[0], hasOperator) &&
                   numericEligible(*e.children[1], hasOperator);
        case ExprKind::Case:
            hasOperator = true;
            if (e.children[0]) return false;  // CASE x WHEN ...: equality, left to the general path
            for (size_t i = 1; i < e.children.size(); ++i)
                if (e.children[i] && !numericEligible(*e.children[i], hasOperator)) return false;
            return true;
        default: return false;
    }
}

void markInside(const Expr& e) {
    for (const auto& c : e.children)
        if (c) {
            c->numeric = kNumericInside;
            markInside(*c);
        }
}

/// The subtree's program (see NumericProgram), or null if it is too deep.
std::shared_ptr<const void> compileNumeric(const Expr& e);

void classifyNumeric(const Expr& e) {
    bool hasOperator = false;
    if (numericEligible(e, hasOperator) && hasOperator) {
        if (auto program = compileNumeric(e)) {
            e.numeric = kNumericRoot;
            e.numericProgram = std::move(program);
            markInside(e);  // reached only through this root (or the general path after it gives up)
            return;
        }
    }
    e.numeric = kNotNumeric;  // its children are classified when evaluated
}

Num fromValue(const Value& v) {
    Num n;
    switch (v.kind()) {
        case ValueKind::Null: n.kind = Num::Null; break;
        case ValueKind::Integer: n.kind = Num::Int; n.i = v.asInt(); break;
        case ValueKind::Float: n.kind = Num::Float; n.d = v.asFloat(); break;
        case ValueKind::Bool: n.kind = Num::Bool; n.i = v.asBool(); break;
        default: break;  // GiveUp
    }
    return n;
}

Num numOf(Num::Kind kind, int64_t i, double d) {
    Num n;
    n.kind = kind;
    n.i = i;
    n.d = d;
    return n;
}

/// a = a `op` b, as eval::arithmetic and eval::compareOp would compute it: integers first (overflow
/// is an error), then numbers, then null; comparisons on integers exactly, null is null, otherwise
/// IEEE (NaN orders false). False where the general path must decide (a boolean operand, an
/// overflow, a division by zero). Inlined with a constant `op` in each case of runNumeric.
[[gnu::always_inline]] inline bool binaryInPlace(BinaryOp op, Num& a, const Num& b) {
    if (a.kind == Num::Bool || b.kind == Num::Bool) return false;  // (GiveUp is never on the stack)
    const bool ints = a.kind == Num::Int && b.kind == Num::Int;
    const bool nulls = a.kind == Num::Null || b.kind == Num::Null;
    auto toFloat = [&a](double x) {
        a.kind = Num::Float;
        a.d = x;
        return true;
    };
    auto toNull = [&a] {
        a.kind = Num::Null;
        return true;
    };
    switch (op) {
        case BinaryOp::Add:
            if (ints) return !__builtin_add_overflow(a.i, b.i, &a.i);
            return nulls ? toNull() : toFloat(a.number() + b.number());
        case BinaryOp::Subtract:
            if (ints) return !__builtin_sub_overflow(a.i, b.i, &a.i);
            return nulls ? toNull() : toFloat(a.number() - b.number());
        case BinaryOp::Multiply:
            if (ints) return !__builtin_mul_overflow(a.i, b.i, &a.i);
            return nulls ? toNull() : toFloat(a.number() * b.number());
        case BinaryOp::Divide:  // integers divide as floats in this dialect
            if (nulls) return toNull();
            if (b.number() == 0) return false;  // division by zero: the general path's error
            return toFloat(a.number() / b.number());
        case BinaryOp::Modulo:
            if (nulls) return toNull();
            if (b.number() == 0) return false;
            if (ints) {
                a.i = b.i == -1 ? 0 : a.i % b.i;
                return true;
            }
            return toFloat(std::fmod(a.number(), b.number()));
        default: {
            if (nulls) return toNull();
            bool result = false;
            if (ints) {
                result = op == BinaryOp::Less ? a.i < b.i
                         : op == BinaryOp::LessEqual ? a.i <= b.i
                         : op == BinaryOp::Greater ? a.i > b.i
                                                   : a.i >= b.i;
            } else {
                double x = a.number(), y = b.number();
                result = op == BinaryOp::Less ? x < y
                         : op == BinaryOp::LessEqual ? x <= y
                         : op == BinaryOp::Greater ? x > y
                                                   : x >= y;
            }
            a.kind = Num::Bool;
            a.i = result;
            return true;
        }
    }
}

// The subtree compiled to a postfix program run on a small stack: no call, no 24-byte return and
// no switch on the node per node. The recursive walk this replaces cost about 60 instructions a
// node, 970 per evaluation of the benchmark's comfort expression (callgrind); the program about
// a third of that.
struct NumOp {
    enum Code : uint8_t {
        Const,     ///< push `constant`
        Variable,  ///< push the frame's slot `index`
        Property,  ///< push property `name` of the element in slot `index`
        Negate,    ///< replace the top
        // pop b, replace a with a `op` b: one code per operator, so that each case of runNumeric
        // is binaryInPlace with a constant operator (a second switch per operation otherwise)
        Add, Subtract, Multiply, Divide, Modulo, Less, LessEqual, Greater, GreaterEqual,
        Test,      ///< pop w; unless w is true, jump to `index` (a CASE's next WHEN)
        Jump,      ///< jump to `index` (a THEN's end)
    } code = Const;
    int32_t index = 0;
    mutable uint32_t hint = 0;  ///< Property: FlatMap::find's hint (one thread evaluates, see ast.h)
    Num constant;
    std::string name;
};

struct NumericProgram {
    std::vector<NumOp> ops;
};

// Deeper subtrees (a right-nested chain of 32 operators) stay on the general path.
constexpr int kNumericStack = 32;

bool compileInto(const Expr& e, std::vector<NumOp>& ops, int depth) {
    if (depth >= kNumericStack) return false;  // `depth` values are on the stack below this one
    NumOp op;
    switch (e.kind) {
        case ExprKind::Literal:
            op.code = NumOp::Const;
            op.constant = fromValue(e.literal);
            break;
        case ExprKind::Variable:
            op.code = NumOp::Variable;
            op.index = e.varIndex;
            break;
        case ExprKind::Property:
            op.code = NumOp::Property;
            op.index = e.children[0]->varIndex;
            op.name = e.name;
            break;
        case ExprKind::Negate:
            if (!compileInto(*e.children[0], ops, depth)) return false;
            op.code = NumOp::Negate;
            break;
        case ExprKind::Binary:
            // Both sides, as the general path (which matters only for errors: the program gives
            // up on any, and the general path then raises it).
            if (!compileInto(*e.children[0], ops, depth) || !compileInto(*e.children[1], ops, depth + 1)) return false;
            switch (e.op) {
                case BinaryOp::Add: op.code = NumOp::Add; break;
                case BinaryOp::Subtract: op.code = NumOp::Subtract; break;
                case BinaryOp::Multiply: op.code = NumOp::Multiply; break;
                case BinaryOp::Divide: op.code = NumOp::Divide; break;
                case BinaryOp::Modulo: op.code = NumOp::Modulo; break;
                case BinaryOp::Less: op.code = NumOp::Less; break;
                case BinaryOp::LessEqual: op.code = NumOp::LessEqual; break;
                case BinaryOp::Greater: op.code = NumOp::Greater; break;
                case BinaryOp::GreaterEqual: op.code = NumOp::GreaterEqual; break;
                default: return false;  // numericEligible admits no other
            }
            break;
        case ExprKind::Case: {
            const auto& c = e.children;
            const size_t n = c.size();
            std::vector<size_t> ends;  // the Jumps to patch with the CASE's end
            for (size_t i = 1; i + 1 < n; i += 2) {
                if (!compileInto(*c[i], ops, depth)) return false;
                size_t test = ops.size();
                NumOp t;
                t.code = NumOp::Test;
                ops.push_back(t);
                if (!compileInto(*c[i + 1], ops, depth)) return false;
                ends.push_back(ops.size());
                NumOp j;
                j.code = NumOp::Jump;
                ops.push_back(j);
                ops[test].index = int32_t(ops.size());  // null, false or a number: not true (isTruthy)
            }
            if (c[n - 1]) {
                if (!compileInto(*c[n - 1], ops, depth)) return false;
            } else {
                NumOp null;
                null.constant = numOf(Num::Null, 0, 0);
                ops.push_back(null);
            }
            for (size_t j : ends) ops[j].index = int32_t(ops.size());
            return true;
        }
        default: return false;
    }
    ops.push_back(std::move(op));
    return true;
}

std::shared_ptr<const void> compileNumeric(const Expr& e) {
    auto program = std::make_shared<NumericProgram>();
    if (!compileInto(e, program->ops, 0)) return nullptr;
    return program;
}

/// The program's value, or GiveUp as soon as any step gives up: the subtree has no side effects,
/// so stopping early is the same as evaluating the rest and giving up at the root.
Num runNumeric(const NumericProgram& program, EvalContext& ctx) {
    union Slot {  // no initialisation: Num's default member initialisers cost 155 instructions a run
        Num num;
        Slot() {}
    } stack[kNumericStack];
    int sp = 0;  // stack[sp - 1] is the top
    auto push = [&](const Num& v) { stack[sp++].num = v; };
    auto binary = [&](BinaryOp op) {
        --sp;
        return binaryInPlace(op, stack[sp - 1].num, stack[sp].num);
    };
    const std::vector<Value>& frame = *ctx.frame;
    const NumOp* ops = program.ops.data();
    const size_t n = program.ops.size();
    for (size_t pc = 0; pc < n;) {
        const NumOp& o = ops[pc++];
        switch (o.code) {
            case NumOp::Const: push(o.constant); break;
            case NumOp::Variable: {
                Num v = fromValue(frame[size_t(o.index)]);
                if (v.kind == Num::GiveUp) return v;
                push(v);
                break;
            }
            case NumOp::Property: {
                const Value& v = frame[size_t(o.index)];
                if (!v.isElement()) return Num();  // null or not an element: the general path
                const Value* p = v.asElement()->properties.get(o.name, o.hint);
                Num r = p ? fromValue(*p) : numOf(Num::Null, 0, 0);
                if (r.kind == Num::GiveUp) return r;
                push(r);
                break;
            }
            case NumOp::Negate: {
                Num& a = stack[sp - 1].num;
                if (a.kind == Num::Int) {
                    if (a.i == INT64_MIN) return Num();
                    a.i = -a.i;
                } else if (a.kind == Num::Float) {
                    a.d = -a.d;
                } else if (a.kind != Num::Null) {
                    return Num();
                }
                break;
            }
            case NumOp::Add: if (!binary(BinaryOp::Add)) return Num(); break;
            case NumOp::Subtract: if (!binary(BinaryOp::Subtract)) return Num(); break;
            case NumOp::Multiply: if (!binary(BinaryOp::Multiply)) return Num(); break;
            case NumOp::Divide: if (!binary(BinaryOp::Divide)) return Num(); break;
            case NumOp::Modulo: if (!binary(BinaryOp::Modulo)) return Num(); break;
            case NumOp::Less: if (!binary(BinaryOp::Less)) return Num(); break;
            case NumOp::LessEqual: if (!binary(BinaryOp::LessEqual)) return Num(); break;
            case NumOp::Greater: if (!binary(BinaryOp::Greater)) return Num(); break;
            case NumOp::GreaterEqual: if (!binary(BinaryOp::GreaterEqual)) return Num(); break;
            case NumOp::Test: {
                const Num& w = stack[--sp].num;
                if (!(w.kind == Num::Bool && w.i)) pc = size_t(o.index);  // null, false, a number: not true
                break;
            }
            case NumOp::Jump: pc = size_t(o.index); break;
        }
    }
    return stack[0].num;
}

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

/// any/all/none/single with openCypher's nulls: a predicate that is null for some item makes the
/// answer null unless the items that are not null decide it (one true for any, one false for all).
Value evaluateListPredicate(const Expr& e, EvalContext& ctx) {
    Value source = evaluate(*e.children[0], ctx);
    if (source.isNull()) return Value();
    if (!source.isList())
        throw Error(ErrorCode::InvalidType, e.name2 + "() over a " + std::string(valueKindName(source.kind())) +
                                                ", expected a List");
    std::vector<Value>& frame = *ctx.frame;
    size_t trues = 0, nulls = 0, n = source.asList().size();
    for (const Value& item : source.asList()) {
        frame[e.varIndex] = item;
        Value p = evaluate(*e.children[1], ctx);
        if (p.isNull()) ++nulls;
        else if (!p.isBool()) throw Error(ErrorCode::InvalidType, e.name2 + "(): the predicate gave a " +
                                                                      std::string(valueKindName(p.kind())) + ", expected a Boolean");
        else if (p.asBool()) ++trues;
    }
    frame[e.varIndex] = Value();
    const size_t falses = n - trues - nulls;
    if (e.name2 == "any") return trues > 0 ? Value(true) : nulls > 0 ? Value() : Value(false);
    if (e.name2 == "all") return falses > 0 ? Value(false) : nulls > 0 ? Value() : Value(true);
    if (e.name2 == "none") return trues > 0 ? Value(false) : nulls > 0 ? Value() : Value(true);
    // single: two trues decide false; otherwise the nulls could each be the one.
    if (trues > 1) return Value(false);
    if (nulls > 0) return Value();
    return Value(trues == 1);
}

Value evaluateMapProjection(const Expr& e, EvalContext& ctx) {
    Value subject = evaluate(*e.children[0], ctx);
    if (subject.isNull()) return Value();
    if (!subject.isElement() && !subject.isMap())
        throw Error(ErrorCode::InvalidType, "a map projection needs a node, a relation or a map, got a " +
                                                std::string(valueKindName(subject.kind())));
    Map out;
    for (size_t i = 0; i < e.keys.size(); ++i) {
        const cypher::ExprPtr& value = e.children[i + 1];
        if (value) {
            out.insert_or_assign(e.keys[i], evaluate(*value, ctx));
            continue;
        }
        if (subject.isMap()) {
            for (const auto& [k, v] : subject.asMap()) out.insert_or_assign(k, v);
        } else {
            for (const auto& [k, v] : subject.asElement()->properties) out.insert_or_assign(std::string(k), v);
        }
    }
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
    if (e.numeric == kUnclassified) classifyNumeric(e);
    if (e.numeric == kNumericRoot) {
        Num n = runNumeric(*static_cast<const NumericProgram*>(e.numericProgram.get()), ctx);
        switch (n.kind) {
            case Num::Null: return Value();
            case Num::Int: return Value(n.i);
            case Num::Float: return Value(n.d);
            case Num::Bool: return Value(n.i != 0);
            case Num::GiveUp: break;  // evaluated again below, as if there were no fast path
        }
    }
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
                    const Value* p = v.asElement()->properties.get(e.name, e.propertyHint);
                    return p ? *p : Value();
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
        case ExprKind::HasLabels: return hasLabels(evaluate(*e.children[0], ctx), e.keys);
        case ExprKind::ListPredicate: return evaluateListPredicate(e, ctx);
        case ExprKind::MapProjection: return evaluateMapProjection(e, ctx);
    }
    throw Error(ErrorCode::Internal, "unknown expression kind");
}

}  // namespace cq::eval
