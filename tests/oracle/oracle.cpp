// SPDX-License-Identifier: MIT
// The from-scratch oracle (see oracle.h). Deliberately naive: every slot's candidates are found by
// scanning all elements, solutions by backtracking over the slots, groups by comparing grouping
// values, and aggregates by folding over each group's rows. Nothing here is incremental.
#include "tests/oracle/oracle.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "core/common/error.h"
#include "core/cypher/parser.h"
#include "core/eval/operators.h"
#include "core/functions/registry.h"
#include "core/query/binder.h"
#include "core/query/solver.h"
#include "core/temporal/temporal.h"

namespace cq::oracle {

namespace {

std::string refText(const ElementRef& r) { return r.source + ":" + r.id; }

int64_t durationMillis(const Value& v) {
    if (v.isInt()) return v.asInt();
    if (v.is<Duration>()) {
        const Duration& d = v.as<Duration>();
        // A month counts as 30 days for time-based functions (as in drasi-core).
        return (d.months * 30 + d.days) * 86400000LL + d.seconds * 1000 + d.nanos / 1000000;
    }
    throw Error(ErrorCode::InvalidArgument, "oracle: drasi.trueFor needs a Duration or an Integer (ms)");
}

}  // namespace

Oracle::Oracle(const std::string& cypher, const Json& joins) {
    ast_ = cypher::parseQuery(cypher);
    plan_ = query::bind(ast_, fn::builtinFunctions());
    if (joins.is_array()) {
        for (const Json& j : joins) {
            Join join;
            join.id = j.at("id").get<std::string>();
            for (const Json& k : j.at("keys")) join.keys.push_back({k.at("label").get<std::string>(), k.at("property").get<std::string>()});
            joins_.push_back(std::move(join));
        }
    }
}

bool Oracle::aggregatingResult() const { return plan_.parts.back().aggregating; }

const std::vector<std::string>& Oracle::groupingKeys() const { return *plan_.parts.back().groupingKeyNames; }

eval::EvalContext Oracle::context(std::vector<Value>& frame) {
    eval::EvalContext ctx;
    ctx.frame = &frame;
    ctx.mode = eval::Mode::Apply;
    ctx.call.transactionTime = now_;
    ctx.call.realtime = now_;
    ctx.call.wallClock = now_;
    ctx.hooks = this;
    return ctx;
}

// ---------------------------------------------------------------------------------------------
// Pattern matching.

std::vector<ElementPtr> Oracle::withJoinRelations(const std::vector<ElementPtr>& graph) const {
    std::vector<ElementPtr> all = graph;
    for (const Join& join : joins_) {
        struct Entry {
            size_t key;
            Value value;
            const Element* node;
        };
        std::vector<Entry> entries;
        for (const ElementPtr& e : graph) {
            if (e->isRelation()) continue;
            for (size_t k = 0; k < join.keys.size(); ++k) {
                if (!e->hasLabel(join.keys[k].first)) continue;
                auto it = e->properties.find(join.keys[k].second);
                if (it == e->properties.end() || it->second.isNull()) continue;
                entries.push_back({k, it->second, e.get()});
            }
        }
        // Two nodes are joined when they carry equal values under two different keys. Values of
        // different kinds never join (1, 1.0 and "1" are distinct keys), as drasi-core hashes them.
        std::set<std::string> made;
        for (const Entry& a : entries)
            for (const Entry& b : entries) {
                if (a.key == b.key || a.node->ref == b.node->ref) continue;
                if (a.value.kind() != b.value.kind() || !valuesEqual(a.value, b.value)) continue;
                std::string id = join.id + ":" + a.node->ref.source + ":" + a.node->ref.id + ":" + b.node->ref.source +
                                 ":" + b.node->ref.id;
                if (!made.insert(id).second) continue;
                auto r = Element::make(ElementKind::Relation);
                r->ref = {"$join", id};
                r->labels = {join.id};
                r->start() = a.node->ref;
                r->end() = b.node->ref;
                all.push_back(r);
            }
    }
    return all;
}

bool Oracle::fits(const query::Slot& slot, const ElementPtr& e) {
    if (slot.isRelation != e->isRelation()) return false;
    if (!slot.labels.empty()) {
        bool any = false;
        for (const std::string& l : slot.labels) any = any || e->hasLabel(l);
        if (!any) return false;
    }
    for (const std::string& l : slot.allLabels)
        if (!e->hasLabel(l)) return false;
    std::vector<Value> frame(size_t(std::max(1, slot.predicateFrame)));
    frame[0] = Value(e);
    eval::EvalContext ctx = context(frame);
    for (const auto& p : slot.predicates)
        if (!eval::isTruthy(eval::evaluate(*p, ctx))) return false;
    return true;
}

bool Oracle::relationConsistent(const query::Slot& rel, const std::vector<ElementPtr>& assigned) const {
    const ElementPtr& r = assigned[rel.index];
    const ElementPtr& a = assigned[rel.startSlot];
    const ElementPtr& b = assigned[rel.endSlot];
    if (!r || !a || !b) return false;
    if (r->start() == a->ref && r->end() == b->ref) return true;
    return !rel.directed && r->start() == b->ref && r->end() == a->ref;
}

void Oracle::assign(const std::vector<int>& order, size_t step, std::vector<ElementPtr>& assigned,
                    const std::vector<std::vector<ElementPtr>>& candidates,
                    std::vector<std::vector<ElementPtr>>& out) {
    if (step == order.size()) {
        // Every relation of these slots must join two assigned nodes (an end left null by an earlier
        // unmatched OPTIONAL MATCH cannot be matched).
        // And no relationship binds two relation patterns of one MATCH clause (openCypher).
        for (int s : order) {
            const query::Slot& slot = plan_.slots[s];
            if (slot.isRelation && !relationConsistent(slot, assigned)) return;
            for (int o : slot.distinctFrom)
                if (slot.isRelation && assigned[o] && assigned[o]->ref == assigned[s]->ref) return;
        }
        out.push_back(assigned);
        return;
    }
    const int s = order[step];
    const query::Slot& slot = plan_.slots[s];
    for (const ElementPtr& c : candidates[s]) {
        assigned[s] = c;
        bool ok = true;
        // Check each relation whose three slots are now all assigned.
        if (slot.isRelation) {
            if (assigned[slot.startSlot] && assigned[slot.endSlot]) ok = relationConsistent(slot, assigned);
        } else {
            for (int r : slot.relations) {
                const query::Slot& rs = plan_.slots[r];
                if (assigned[r] && assigned[rs.startSlot] && assigned[rs.endSlot] && !relationConsistent(rs, assigned)) {
                    ok = false;
                    break;
                }
            }
        }
        if (ok) assign(order, step + 1, assigned, candidates, out);
    }
    assigned[s] = nullptr;
}

void Oracle::solve(const std::vector<ElementPtr>& graph, std::vector<Row>& rows) {
    const std::vector<ElementPtr> all = withJoinRelations(graph);
    const size_t n = plan_.slots.size();
    std::vector<std::vector<ElementPtr>> candidates(n);
    for (size_t s = 0; s < n; ++s)
        for (const ElementPtr& e : all)
            if (fits(plan_.slots[s], e)) candidates[s].push_back(e);

    // The mandatory pattern first, then each OPTIONAL MATCH in order: a binding with no complete
    // match of the optional group keeps one row with the group null.
    std::vector<ElementPtr> assigned(n);
    std::vector<std::vector<ElementPtr>> current;
    assign(plan_.mandatorySlots, 0, assigned, candidates, current);
    int groups = 0;
    for (const query::Slot& s : plan_.slots) groups = std::max(groups, s.optionalGroup + 1);
    for (int g = 0; g < groups; ++g) {
        std::vector<int> order;
        for (const query::Slot& s : plan_.slots)
            if (s.optional && s.optionalGroup == g) order.push_back(s.index);
        if (order.empty()) continue;
        const bool existential = plan_.slots[size_t(order[0])].existential;
        std::vector<std::vector<ElementPtr>> next;
        for (std::vector<ElementPtr>& partial : current) {
            size_t before = next.size();
            assign(order, 0, partial, candidates, next);
            if (existential) {  // a pattern predicate: whether any match exists, one row either way
                bool any = next.size() > before;
                next.resize(before);
                next.push_back(partial);
                if (any) next.back()[size_t(order[0])] = query::existsWitness();
                continue;
            }
            if (next.size() == before) next.push_back(partial);
        }
        current = std::move(next);
    }

    rows.clear();
    for (const auto& a : current) {
        Row row;
        row.frame.resize(plan_.slotOfVar.size());
        for (size_t i = 0; i < plan_.slotOfVar.size(); ++i)
            if (const ElementPtr& e = a[size_t(plan_.slotOfVar[i])]) row.frame[i] = Value(e);
        for (const ElementPtr& e : a) row.key += (e ? refText(e->ref) : std::string("-")) + "|";
        rows.push_back(std::move(row));
    }
}

// ---------------------------------------------------------------------------------------------
// Parts.

std::vector<Oracle::Row> Oracle::runPart(size_t index, std::vector<Row>& in, std::vector<Map>* finalRows) {
    const query::Part& part = plan_.parts[index];
    partIndex_ = index;
    std::vector<Row> passing;
    for (Row& row : in) {
        row.frame.resize(std::max(row.frame.size(), size_t(part.frameSize)));
        eval::EvalContext ctx = context(row.frame);
        rowKey_ = &row.key;
        group_ = nullptr;
        bool pass = true;
        for (const auto& w : part.where)  // all evaluated, as the engine does (stateful functions)
            if (!eval::isTruthy(eval::evaluate(*w, ctx))) pass = false;
        if (pass) passing.push_back(row);
    }

    std::vector<Row> out;
    auto emit = [&](std::vector<Value>& frame, const std::string& key) {
        eval::EvalContext ctx = context(frame);
        rowKey_ = &key;
        Row next;
        next.key = key;
        Map projected;
        for (const query::Item& item : part.items) {
            Value v = eval::evaluate(*item.expr, ctx);
            next.frame.push_back(v);
            projected.insert_or_assign(item.name, std::move(v));
        }
        if (finalRows) finalRows->push_back(std::move(projected));
        out.push_back(std::move(next));
    };

    if (part.unwind) {  // one row per element (a non-list value: one row; null: none)
        for (Row& row : passing) {
            eval::EvalContext ctx = context(row.frame);
            rowKey_ = &row.key;
            Value list = eval::evaluate(*part.unwind, ctx);
            List elements = list.isNull() ? List{} : list.isList() ? list.asList() : List{list};
            for (size_t i = 0; i < elements.size(); ++i) {
                Row next;
                next.key = row.key + "#" + std::to_string(i);
                for (const query::Item& item : part.items) next.frame.push_back(eval::evaluate(*item.expr, ctx));
                next.frame.push_back(elements[i]);
                out.push_back(std::move(next));
            }
        }
        group_ = nullptr;
        return out;
    }
    if (!part.aggregating) {
        for (Row& row : passing) emit(row.frame, row.key);
        group_ = nullptr;
        // From the parsed query, not the plan: the engine reads the plan.
        if (ast_.parts[index].distinct) {  // keep the first row of each set of equal rows (elements: by identity)
            auto same = [&](const Row& a, const Row& b) {
                for (uint32_t i : part.rowOrder) {
                    const Value &x = a.frame[i], &y = b.frame[i];
                    if (x.isElement() && y.isElement() ? x.asElement()->ref != y.asElement()->ref : !valuesEqual(x, y))
                        return false;
                }
                return true;
            };
            std::vector<Row> kept;
            std::vector<Map> keptRows;
            for (size_t i = 0; i < out.size(); ++i) {
                bool seen = false;
                for (const Row& k : kept) seen = seen || same(k, out[i]);
                if (seen) continue;
                kept.push_back(out[i]);
                if (finalRows) keptRows.push_back((*finalRows)[finalRows->size() - out.size() + i]);
            }
            if (finalRows) {
                finalRows->resize(finalRows->size() - out.size());
                for (Map& m : keptRows) finalRows->push_back(std::move(m));
            }
            out = std::move(kept);
        }
        return out;
    }

    // Group by the grouping items' values (structural equality, as 1 and 1.0 group together).
    struct Group {
        std::vector<Value> values;
        std::vector<Row> rows;
    };
    std::vector<Group> groups;
    std::unordered_map<uint64_t, std::vector<size_t>> byHash;
    for (Row& row : passing) {
        eval::EvalContext ctx = context(row.frame);
        rowKey_ = &row.key;
        std::vector<Value> values;
        uint64_t h = 0;
        for (int i : part.groupingItems) {
            values.push_back(eval::evaluate(*part.items[size_t(i)].expr, ctx));
            h = hashValue(values.back(), h);
        }
        size_t found = groups.size();
        for (size_t g : byHash[h]) {
            bool same = true;
            for (size_t i = 0; i < values.size() && same; ++i) same = valuesEqual(values[i], groups[g].values[i]);
            if (same) { found = g; break; }
        }
        if (found == groups.size()) {
            byHash[h].push_back(found);
            groups.push_back(Group{values, {}});
        }
        groups[found].rows.push_back(row);
    }
    for (Group& g : groups) {
        std::string key = "g" + std::to_string(index) + ":";
        for (const Value& v : g.values) key += valueToDebugString(v) + "|";
        std::vector<Value> frame = g.rows.front().frame;
        group_ = &g.rows;
        emit(frame, key);
    }
    group_ = nullptr;
    return out;
}

std::vector<Map> Oracle::results(const std::vector<ElementPtr>& graph, int64_t now) {
    now_ = now;
    rowKey_ = nullptr;
    trueSinceNext_.clear();
    std::vector<Row> rows;
    solve(graph, rows);
    std::vector<Map> finalRows;
    for (size_t i = 0; i < plan_.parts.size(); ++i) {
        bool last = i + 1 == plan_.parts.size();
        rows = runPart(i, rows, last ? &finalRows : nullptr);
    }
    trueSince_ = std::move(trueSinceNext_);
    trueSinceNext_.clear();
    rowKey_ = nullptr;
    return finalRows;
}

Map Oracle::emptyGroupRow(const Map& groupValues) {
    const query::Part& part = plan_.parts.back();
    std::vector<Value> frame(size_t(std::max(part.frameSize, 1)));
    std::vector<Row> none;
    group_ = &none;
    const std::string key;
    rowKey_ = &key;
    eval::EvalContext ctx = context(frame);
    Map row;
    for (const query::Item& item : part.items) {
        if (!item.aggregate) {
            auto it = groupValues.find(item.name);
            row.insert_or_assign(item.name, it == groupValues.end() ? Value() : it->second);
            continue;
        }
        // An item that does not evaluate over the empty aggregates (sum / count is 0 / 0) is null,
        // as the engine shows it.
        Value v;
        try {
            v = eval::evaluate(*item.expr, ctx);
        } catch (const Error&) {
        }
        row.insert_or_assign(item.name, std::move(v));
    }
    group_ = nullptr;
    rowKey_ = nullptr;
    return row;
}

// ---------------------------------------------------------------------------------------------
// Aggregates and time-based functions.

Value Oracle::callEngineFunction(const cypher::Expr& call, eval::EvalContext& ctx) {
    const fn::FunctionDef& def = *call.function;
    if (def.kind == fn::FunctionKind::Aggregate) return aggregate(call, ctx);
    if (def.name == "drasi.trueFor") return trueFor(call, ctx);
    if (def.name == "drasi.trueLater" || def.name == "drasi.trueUntil" || def.name == "drasi.trueNowOrLater")
        return trueAt(call, ctx);
    throw Error(ErrorCode::Unsupported, "oracle: " + def.name + "() is not modelled");
}

Value Oracle::aggregate(const cypher::Expr& call, eval::EvalContext& ctx) {
    if (!group_) throw Error(ErrorCode::Unsupported, "oracle: aggregates are only modelled in projections");
    const std::string& name = call.function->name;
    std::vector<Value> xs;
    for (const Row& row : *group_) {
        if (call.name2 == "*") {
            xs.push_back(Value(true));
            continue;
        }
        std::vector<Value> frame = row.frame;
        frame.resize(std::max(frame.size(), ctx.frame->size()));
        eval::EvalContext inner = context(frame);
        Value x = eval::evaluate(*call.children[0], inner);
        if (!x.isNull()) xs.push_back(std::move(x));  // every aggregate here skips nulls
    }
    if (call.distinct) {  // the first of each set of equal values (1 and 1.0 are equal)
        std::vector<Value> unique;
        for (Value& x : xs) {
            bool seen = false;
            for (const Value& u : unique) seen = seen || valuesEqual(u, x);
            if (!seen) unique.push_back(std::move(x));
        }
        xs = std::move(unique);
    }
    if (name == "count") return Value(int64_t(xs.size()));
    if (name == "collect") return Value(List(xs.begin(), xs.end()));
    if ((name == "min" || name == "max") && !xs.empty()) {
        // openCypher's order: strings below numbers. A max is the greatest number if there is one,
        // a min the least string if there is one.
        std::vector<Value> strings, numbers;
        for (const Value& x : xs) (x.isString() ? strings : numbers).push_back(x);
        if (!strings.empty() && (name == "min" || numbers.empty())) {
            std::string best = strings[0].asString();
            for (const Value& x : strings) best = name == "min" ? std::min(best, x.asString()) : std::max(best, x.asString());
            return Value(best);
        }
        xs = std::move(numbers);
    }
    for (const Value& x : xs)
        if (!x.isNumber()) throw Error(ErrorCode::Unsupported, "oracle: " + name + "() of a non-number is not modelled");
    if (name == "percentileCont" || name == "percentileDisc") {  // sorted, from the definition
        if (xs.empty()) return Value();
        bool ints = true;
        std::vector<double> v;
        for (const Value& x : xs) {
            ints = ints && x.isInt();
            v.push_back(x.asNumber());
        }
        std::sort(v.begin(), v.end());
        const double p = eval::evaluate(*call.children[1], ctx).asNumber();
        const double n = double(v.size());
        if (name == "percentileDisc") {
            size_t r = size_t(std::max(0.0, std::ceil(p * n) - 1));
            r = std::min(r, v.size() - 1);
            return ints ? Value(int64_t(v[r])) : Value(v[r]);
        }
        const double f = p * (n - 1);
        const size_t lo = size_t(std::floor(f)), hi = size_t(std::ceil(f));
        return Value(v[lo] + (v[hi] - v[lo]) * (f - double(lo)));
    }
    if (name == "stDev" || name == "stDevP") {  // two passes, from the definition
        const double n = double(xs.size());
        double mean = 0, m2 = 0;
        for (const Value& x : xs) mean += x.asNumber() / n;
        for (const Value& x : xs) m2 += (x.asNumber() - mean) * (x.asNumber() - mean);
        if (name == "stDev") return Value(xs.size() > 1 ? std::sqrt(m2 / (n - 1)) : 0.0);
        return Value(xs.empty() ? 0.0 : std::sqrt(m2 / n));
    }
    if (name == "sum" || name == "avg") {
        // Drasi's sum and avg are Floats; the average of an empty group is 0.0, not null.
        double sum = 0;
        for (const Value& x : xs) sum += x.asNumber();
        if (name == "sum") return Value(sum);
        return Value(xs.empty() ? 0.0 : sum / double(xs.size()));
    }
    if (name == "min" || name == "max") {
        if (xs.empty()) return Value();
        double best = xs[0].asNumber();
        for (const Value& x : xs) best = name == "min" ? std::min(best, x.asNumber()) : std::max(best, x.asNumber());
        return Value(best);  // a Float, whatever the inputs were
    }
    throw Error(ErrorCode::Unsupported, "oracle: aggregate " + name + "() is not modelled");
}

Value Oracle::trueFor(const cypher::Expr& call, eval::EvalContext& ctx) {
    if (!rowKey_) throw Error(ErrorCode::Unsupported, "oracle: drasi.trueFor outside a row");
    std::vector<Value> args;
    eval::evaluateArguments(call, ctx, args);
    if (args[1].isNull()) return Value();
    const int64_t ms = durationMillis(args[1]);
    if (!(args[0].isBool() && args[0].asBool())) return args[0].isNull() ? Value() : Value(false);
    // The condition holds now; it has held continuously since the earliest call that saw it true
    // without a false (or absent) call in between.
    const std::string key = std::to_string(call.aggregateIndex) + "/" + std::to_string(partIndex_) + "/" + *rowKey_;
    auto it = trueSince_.find(key);
    const int64_t since = it == trueSince_.end() ? now_ : it->second;
    trueSinceNext_[key] = since;
    return since + ms <= now_ ? Value(true) : Value(Awaiting{});
}

Value Oracle::trueAt(const cypher::Expr& call, eval::EvalContext& ctx) {
    std::vector<Value> args;
    eval::evaluateArguments(call, ctx, args);
    // No state: each answer follows from the condition, the time and the clock. The engine's
    // future only makes it ask again when the time comes, which is what this oracle checks.
    if (args[1].isNull()) return Value();
    const std::optional<int64_t> when = temporal::toEpochMillis(args[1]);
    if (!when) throw Error(ErrorCode::InvalidArgument, "oracle: " + call.function->name + " needs a date, datetime or Integer (ms)");
    const Value& cond = args[0];
    const bool isTrue = cond.isBool() && cond.asBool();
    if (call.function->name == "drasi.trueUntil" && !isTrue) return cond.isNull() ? Value() : Value(false);
    if (call.function->name == "drasi.trueNowOrLater" && isTrue) return Value(true);
    if (cond.isNull()) return Value();
    return *when <= now_ ? cond : Value(Awaiting{});
}

}  // namespace cq::oracle
