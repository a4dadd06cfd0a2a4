// SPDX-License-Identifier: MIT
#include "core/query/binder.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>

#include "core/common/error.h"

namespace cq::query {

using cypher::Expr;
using cypher::ExprKind;
using cypher::ExprPtr;

namespace {

[[noreturn]] void fail(ErrorCode code, const std::string& message, const cypher::SourcePos& pos) {
    throw Error(code, "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": " + message,
                pos.line, pos.column);
}

/// Variables in scope while binding one expression: name -> frame index, plus the next free index
/// for comprehension variables.
struct Scope {
    std::map<std::string, int> vars;
    int next = 0;
    int maxSize = 0;
};

class ExprBinder {
public:
    ExprBinder(const fn::FunctionRegistry& functions, const char* aggregatesBanned)
        : functions_(functions), aggregatesBanned_(aggregatesBanned) {}

    bool sawAggregate = false;
    bool sawFuture = false;
    bool sawArchive = false;

    void bind(Expr& e, Scope& scope, bool insideAggregate = false) {
        switch (e.kind) {
            case ExprKind::Variable: {
                auto it = scope.vars.find(e.name);
                if (it == scope.vars.end()) fail(ErrorCode::UnknownVariable, "variable '" + e.name + "' is not defined", e.pos);
                e.varIndex = it->second;
                return;
            }
            case ExprKind::ListPredicate:
            case ExprKind::ListComprehension: {
                bind(*e.children[0], scope, insideAggregate);
                Scope inner = scope;
                e.varIndex = inner.next++;
                inner.vars[e.name] = e.varIndex;
                inner.maxSize = std::max(inner.maxSize, inner.next);
                for (size_t i = 1; i < e.children.size(); ++i)
                    if (e.children[i]) bind(*e.children[i], inner, insideAggregate);
                scope.maxSize = std::max(scope.maxSize, inner.maxSize);
                return;
            }
            case ExprKind::Reduce: {
                bind(*e.children[0], scope, insideAggregate);
                bind(*e.children[1], scope, insideAggregate);
                Scope inner = scope;
                e.varIndex = inner.next++;
                e.varIndex2 = inner.next++;
                inner.vars[e.name] = e.varIndex;
                inner.vars[e.name2] = e.varIndex2;
                inner.maxSize = std::max(inner.maxSize, inner.next);
                bind(*e.children[2], inner, insideAggregate);
                scope.maxSize = std::max(scope.maxSize, inner.maxSize);
                return;
            }
            case ExprKind::FunctionCall: {
                bindCall(e, scope, insideAggregate);
                return;
            }
            case ExprKind::PatternPredicate:  // those of the MATCH's WHERE were rewritten before
                fail(ErrorCode::Unsupported, "pattern predicates are supported in the WHERE of MATCH only", e.pos);
            default:
                for (auto& c : e.children)
                    if (c) bind(*c, scope, insideAggregate);
        }
    }

private:
    void bindCall(Expr& e, Scope& scope, bool insideAggregate) {
        const fn::FunctionDef* def = functions_.find(e.name);
        if (!def) fail(ErrorCode::UnknownFunction, "unknown function '" + e.name + "'", e.pos);
        int n = int(e.children.size());
        bool star = e.name2 == "*";
        if (star && def->name != "count")
            fail(ErrorCode::InvalidArgumentCount, e.name + "(*) is only allowed for count", e.pos);
        if (!star && (n < def->minArgs || (def->maxArgs >= 0 && n > def->maxArgs))) {
            std::string expected = def->minArgs == def->maxArgs ? std::to_string(def->minArgs)
                                   : def->maxArgs < 0 ? "at least " + std::to_string(def->minArgs)
                                                      : std::to_string(def->minArgs) + " to " + std::to_string(def->maxArgs);
            fail(ErrorCode::InvalidArgumentCount,
                 def->name + "() takes " + expected + " argument" + (expected == "1" ? "" : "s") + ", got " + std::to_string(n),
                 e.pos);
        }
        e.function = def;
        bool aggregate = def->kind == fn::FunctionKind::Aggregate;
        if (e.distinct) {
            using Op = fn::AggregateOp;
            bool allowed = aggregate && (def->aggregate == Op::Count || def->aggregate == Op::Sum ||
                                         def->aggregate == Op::Avg || def->aggregate == Op::Min ||
                                         def->aggregate == Op::Max || def->aggregate == Op::Collect ||
                                         def->aggregate == Op::StDev || def->aggregate == Op::StDevP);
            if (!allowed)
                fail(ErrorCode::InvalidAggregation,
                     "DISTINCT is allowed in count, sum, avg, min, max, collect, stDev and stDevP only, not in " + def->name + "()", e.pos);
        }
        if (aggregate) {
            if (aggregatesBanned_)
                fail(ErrorCode::InvalidAggregation, "aggregate function " + def->name + "() cannot be used " + aggregatesBanned_, e.pos);
            if (insideAggregate)
                fail(ErrorCode::InvalidAggregation, "aggregate function " + def->name + "() cannot be used inside another aggregate", e.pos);
            sawAggregate = true;
        }
        if (def->kind == fn::FunctionKind::Stateful) sawFuture = true;
        if (def->name.rfind("drasi.getVersion", 0) == 0) sawArchive = true;
        e.aggregateIndex = e.pos.offset;
        // Drasi's time functions may watch a group's aggregate from WHERE
        // (`WHERE drasi.trueFor(sum(o.value) > 1, ...)`, future_aggregations), the one place
        // drasi-core's tests put an aggregate in WHERE; everywhere else openCypher's ban holds.
        const char* banned = aggregatesBanned_;
        if (def->kind == fn::FunctionKind::Stateful) aggregatesBanned_ = nullptr;
        for (auto& c : e.children)
            if (c) bind(*c, scope, insideAggregate || aggregate);
        aggregatesBanned_ = banned;
    }

    const fn::FunctionRegistry& functions_;
    const char* aggregatesBanned_;  ///< where this expression is, when aggregates are banned there; null = allowed
};

bool containsAggregate(const Expr& e, const fn::FunctionRegistry& functions) {
    if (e.kind == ExprKind::FunctionCall) {
        const fn::FunctionDef* def = functions.find(e.name);
        if (def && def->kind == fn::FunctionKind::Aggregate) return true;
    }
    for (const auto& c : e.children)
        if (c && containsAggregate(*c, functions)) return true;
    return false;
}

ExprPtr makeEquality(const std::string& variable, const std::string& key, const ExprPtr& value,
                     const cypher::SourcePos& pos) {
    auto var = std::make_shared<Expr>();
    var->kind = ExprKind::Variable;
    var->name = variable;
    var->pos = pos;
    auto prop = std::make_shared<Expr>();
    prop->kind = ExprKind::Property;
    prop->name = key;
    prop->children = {var};
    prop->pos = pos;
    auto eq = std::make_shared<Expr>();
    eq->kind = ExprKind::Binary;
    eq->op = cypher::BinaryOp::Equal;
    eq->children = {prop, value};
    eq->pos = pos;
    return eq;
}

class PatternBinder {
public:
    PatternBinder(Plan& plan, const fn::FunctionRegistry& functions) : plan_(plan), functions_(functions) {}

    int nodeSlot(const cypher::NodePattern& n, bool optional, int group) {
        int index;
        auto it = n.variable.empty() ? byName_.end() : byName_.find(n.variable);
        if (it != byName_.end()) {
            index = it->second;
            Slot& s = plan_.slots[index];
            if (s.isRelation) fail(ErrorCode::Unsupported, "'" + n.variable + "' is a relation, used here as a node", n.pos);
            if (!optional && s.optional) { s.optional = false; s.optionalGroup = -1; }
            if (!n.labels.empty() || !n.allLabels.empty()) {
                bool labelled = !s.labels.empty() || !s.allLabels.empty();
                if (labelled && (s.labels != n.labels || s.allLabels != n.allLabels))
                    fail(ErrorCode::Unsupported, "'" + n.variable + "' is given two different label sets", n.pos);
                s.labels = n.labels;
                s.allLabels = n.allLabels;
            }
        } else {
            index = newSlot(n.variable, false, optional, group);
            plan_.slots[index].labels = n.labels;
            plan_.slots[index].allLabels = n.allLabels;
        }
        addPredicates(index, n.properties, n.where, n.pos);
        return index;
    }

    int relationSlot(const cypher::RelationPattern& r, int left, int right, bool optional, int group) {
        if (r.variableLength)
            fail(ErrorCode::Unsupported, "variable-length relationships (*) are not supported in continuous queries", r.pos);
        if (!r.variable.empty() && byName_.count(r.variable))
            fail(ErrorCode::Unsupported, "relation variable '" + r.variable + "' is used twice", r.pos);
        int index = newSlot(r.variable, true, optional, group);
        Slot& s = plan_.slots[index];
        s.labels = r.labels;
        if (r.direction == cypher::Direction::Left) {
            s.startSlot = right;
            s.endSlot = left;
        } else {
            s.startSlot = left;
            s.endSlot = right;
        }
        s.directed = r.direction != cypher::Direction::Both;
        plan_.slots[left].relations.push_back(index);
        if (right != left) plan_.slots[right].relations.push_back(index);
        addPredicates(index, r.properties, r.where, r.pos);
        return index;
    }

    /// Whether `name` is bound by a pattern so far, and its slot (-1 if not).
    bool bound(const std::string& name) const { return byName_.count(name) != 0; }
    int slotOf(const std::string& name) const {
        auto it = byName_.find(name);
        return it == byName_.end() ? -1 : it->second;
    }
    /// The names bound so far, to restore after a pattern predicate (whose new names are its own).
    std::map<std::string, int> names() const { return byName_; }
    void restoreNames(std::map<std::string, int> names) { byName_ = std::move(names); }

private:
    int newSlot(const std::string& variable, bool relation, bool optional, int group) {
        Slot s;
        s.index = int(plan_.slots.size());
        s.variable = variable;
        s.isRelation = relation;
        s.optional = optional;
        s.optionalGroup = optional ? group : -1;
        plan_.slots.push_back(s);
        if (!variable.empty()) byName_[variable] = s.index;
        return s.index;
    }

    void addPredicates(int index, const std::vector<std::pair<std::string, ExprPtr>>& properties,
                       const ExprPtr& where, const cypher::SourcePos& pos) {
        Slot& s = plan_.slots[index];
        // Predicates see only the element itself, bound at frame index 0 under its variable name.
        std::string name = s.variable.empty() ? std::string(" anon") : s.variable;
        auto bindOne = [&](ExprPtr e) {
            Scope scope;
            scope.vars[name] = 0;
            scope.next = 1;
            scope.maxSize = 1;
            ExprBinder b(functions_, "in a pattern");
            b.bind(*e, scope);
            s.predicateFrame = std::max(s.predicateFrame, scope.maxSize);
            s.predicates.push_back(e);
        };
        for (const auto& [key, value] : properties) bindOne(makeEquality(name, key, value, pos));
        if (where) bindOne(where);
    }

    Plan& plan_;
    const fn::FunctionRegistry& functions_;
    std::map<std::string, int> byName_;
};

}  // namespace

std::string defaultColumnName(const Expr& e) {
    switch (e.kind) {
        case ExprKind::Property: return e.name;
        case ExprKind::Variable: return e.name;
        case ExprKind::FunctionCall: return e.name;
        case ExprKind::Case: return "case";
        case ExprKind::ListLiteral:
        case ExprKind::ListComprehension: return "list";
        case ExprKind::MapLiteral: return "object";
        default: return "expression";
    }
}

Plan bind(const cypher::Query& query, const fn::FunctionRegistry& functions) {
    Plan plan;
    if (query.parts.empty() || query.parts[0].matches.empty())
        fail(ErrorCode::Unsupported, "a continuous query must start with MATCH", cypher::SourcePos{});
    for (size_t i = 1; i < query.parts.size(); ++i)
        if (!query.parts[i].matches.empty())
            fail(ErrorCode::Unsupported, "MATCH after WITH or UNWIND is not supported in continuous queries",
                 query.parts[i].matches[0].pos);

    // 1. The pattern.
    PatternBinder patterns(plan, functions);
    std::vector<ExprPtr> matchWhere;
    std::vector<int> clauseOf;  // relation slot -> its MATCH clause (node slots: -1)
    int group = 0;
    for (const auto& clause : query.parts[0].matches) {
        for (const auto& path : clause.paths) {
            int prev = patterns.nodeSlot(path.nodes[0], clause.optional, group);
            for (size_t i = 0; i < path.relations.size(); ++i) {
                int next = patterns.nodeSlot(path.nodes[i + 1], clause.optional, group);
                int r = patterns.relationSlot(path.relations[i], prev, next, clause.optional, group);
                clauseOf.resize(plan.slots.size(), -1);
                clauseOf[size_t(r)] = group;
                prev = next;
            }
        }
        if (clause.where) matchWhere.push_back(clause.where);
        ++group;
    }
    // Pattern predicates of the MATCH's WHERE, `(a)-[:R]->(b)` and exists(...): each becomes a group
    // of its own, solved like an OPTIONAL MATCH but binding nothing: normalizeOptional leaves a
    // placeholder in its first new slot (the witness) when the pattern has a match, and nulls when
    // not. The witness is a hidden variable, and the predicate becomes `<hidden> IS NOT NULL`.
    std::function<void(const ExprPtr&)> rewritePredicates = [&](const ExprPtr& e) {
        if (!e) return;
        if (e->kind != ExprKind::PatternPredicate) {
            for (const auto& c : e->children) rewritePredicates(c);
            return;
        }
        const cypher::PathPattern& path = *e->pattern;
        for (const auto& n : path.nodes) {
            if (n.variable.empty() || !patterns.bound(n.variable)) continue;
            if (!n.labels.empty() || !n.allLabels.empty() || !n.properties.empty() || n.where)
                fail(ErrorCode::Unsupported, "'" + n.variable + "' is bound by MATCH: test its labels or properties in "
                     "the WHERE, not in the pattern predicate", n.pos);
            // openCypher makes the predicate null when such a variable is null; a group that
            // cannot match would make it false instead.
            if (plan.slots[size_t(patterns.slotOf(n.variable))].optional)
                fail(ErrorCode::Unsupported, "a pattern predicate on '" + n.variable + "', bound by OPTIONAL MATCH, "
                     "is not supported", n.pos);
        }
        auto saved = patterns.names();
        const size_t firstNew = plan.slots.size();
        int prev = patterns.nodeSlot(path.nodes[0], true, group);
        for (size_t i = 0; i < path.relations.size(); ++i) {
            int next = patterns.nodeSlot(path.nodes[i + 1], true, group);
            int r = patterns.relationSlot(path.relations[i], prev, next, true, group);
            clauseOf.resize(plan.slots.size(), -1);
            clauseOf[size_t(r)] = group;
            prev = next;
        }
        patterns.restoreNames(std::move(saved));
        for (size_t s = firstNew; s < plan.slots.size(); ++s) {
            plan.slots[s].existential = true;
            plan.slots[s].variable.clear();  // the pattern's own names are its own
        }
        plan.slots[firstNew].variable = " exists" + std::to_string(group);  // no Cypher name starts with a space
        auto witness = std::make_shared<Expr>();
        witness->kind = ExprKind::Variable;
        witness->name = plan.slots[firstNew].variable;
        witness->pos = e->pos;
        e->kind = ExprKind::IsNotNull;
        e->children = {std::move(witness)};
        e->pattern.reset();
        ++group;
    };
    for (const auto& w : matchWhere) rewritePredicates(w);

    const int nslots = int(plan.slots.size());
    clauseOf.resize(plan.slots.size(), -1);
    for (Slot& r : plan.slots) {
        if (!r.isRelation) continue;
        for (const Slot& o : plan.slots)
            if (o.isRelation && o.index != r.index && clauseOf[size_t(o.index)] == clauseOf[size_t(r.index)])
                r.distinctFrom.push_back(o.index);
    }
    for (const Slot& s : plan.slots) {
        if (s.optional) plan.hasOptional = true;
        else plan.mandatorySlots.push_back(s.index);
    }
    if (plan.mandatorySlots.empty())
        fail(ErrorCode::Unsupported, "a continuous query needs at least one non-optional MATCH", query.parts[0].pos);

    // Visit orders (BFS from each slot); also proves the pattern is connected. Mandatory slots are
    // visited before optional ones whenever one is waiting: a mandatory node reached first through
    // an optional relation would have that relation as its parent, and with no such relation the
    // solver could not find the node at all (MATCH (a)-[:M]->(t), (b)-[:M]->(t) OPTIONAL MATCH
    // (a)-[k]->(b) found no row without a k between a and b; differential test).
    auto neighbours = [&](int s) {
        std::vector<int> out;
        const Slot& slot = plan.slots[s];
        if (slot.isRelation) {
            out.push_back(slot.startSlot);
            if (slot.endSlot != slot.startSlot) out.push_back(slot.endSlot);
        } else {
            out = slot.relations;
        }
        return out;
    };
    plan.visitOrder.resize(nslots);
    for (int a = 0; a < nslots; ++a) {
        std::vector<bool> seen(nslots, false);
        std::vector<int> parent(nslots, -1);
        std::deque<int> mandatory{a}, optional;
        seen[a] = true;
        while (!mandatory.empty() || !optional.empty()) {
            std::deque<int>& from = mandatory.empty() ? optional : mandatory;
            int s = from.front();
            from.pop_front();
            if (s != a) plan.visitOrder[a].push_back({s, parent[s]});
            for (int n : neighbours(s)) {
                if (seen[n]) continue;
                seen[n] = true;
                parent[n] = s;
                (plan.slots[n].optional ? optional : mandatory).push_back(n);
            }
        }
        if (int(plan.visitOrder[a].size()) != nslots - 1)
            fail(ErrorCode::Unsupported,
                 "the MATCH patterns are not connected; connect them through a shared variable or a join",
                 query.parts[0].matches[0].pos);
    }

    // 2. The parts. Part 0's variables are the named slots.
    Scope scope;
    for (const Slot& s : plan.slots) {
        if (s.variable.empty() || scope.vars.count(s.variable)) continue;
        scope.vars[s.variable] = scope.next++;
        plan.slotOfVar.push_back(s.index);
    }
    scope.maxSize = scope.next;

    for (size_t pi = 0; pi < query.parts.size(); ++pi) {
        const cypher::QueryPart& src = query.parts[pi];
        Part part;
        bool partFutures = false;  // DISTINCT rows have no identity to keep a time function's state by
        std::vector<ExprPtr> where = src.where;
        if (pi == 0) where.insert(where.begin(), matchWhere.begin(), matchWhere.end());
        for (const auto& w : where) {
            // openCypher: WHERE filters rows before they are grouped, so it cannot aggregate them
            // (aggregate in a WITH and filter its alias). Accepting one counted rows twice.
            ExprBinder b(functions, "in WHERE; aggregate in a WITH and filter on its alias");
            b.bind(*w, scope);
            partFutures |= b.sawFuture;
            plan.usesFutures |= b.sawFuture;
            plan.usesArchive |= b.sawArchive;
            part.where.push_back(w);
        }
        Scope next;
        if (src.unwind || src.star) {
            // UNWIND list AS x and WITH * / RETURN *: every variable of this part is passed on as
            // an item, in frame order; UNWIND's x comes after them, at index items.size().
            if (src.unwind) {
                ExprBinder b(functions, "in UNWIND; aggregate in a WITH first");
                b.bind(*src.unwind, scope);
                if (b.sawFuture)
                    fail(ErrorCode::Unsupported, "time-based functions in UNWIND are not supported", src.unwind->pos);
                plan.usesArchive |= b.sawArchive;
                part.unwind = src.unwind;
            }
            std::vector<std::pair<int, std::string>> vars;
            for (const auto& [name, i] : scope.vars)
                if (name[0] != ' ') vars.push_back({i, name});  // not a pattern predicate's witness
            std::sort(vars.begin(), vars.end());
            for (const auto& [i, name] : vars) {
                auto var = std::make_shared<Expr>();
                var->kind = ExprKind::Variable;
                var->name = name;
                var->varIndex = i;
                var->pos = src.pos;
                Item it;
                it.expr = std::move(var);
                it.name = name;
                part.items.push_back(std::move(it));
                next.vars[name] = next.next++;
            }
            if (src.unwind) {
                if (next.vars.count(src.unwindAs))
                    fail(ErrorCode::Unsupported, "UNWIND ... AS " + src.unwindAs + ": '" + src.unwindAs + "' is already defined",
                         src.unwind->pos);
                next.vars[src.unwindAs] = next.next++;
            }
        }
        for (const auto& item : src.items) {
            ExprBinder b(functions, nullptr);
            b.bind(*item.expr, scope);
            partFutures |= b.sawFuture;
            plan.usesFutures |= b.sawFuture;
            plan.usesArchive |= b.sawArchive;
            Item it;
            it.expr = item.expr;
            it.name = item.alias.empty() ? defaultColumnName(*item.expr) : item.alias;
            it.aggregate = containsAggregate(*item.expr, functions);
            if (it.aggregate) part.aggregating = true;
            if (!next.vars.count(it.name)) next.vars[it.name] = next.next++;
            part.items.push_back(std::move(it));
        }
        auto groupingKeyNames = std::make_shared<std::vector<std::string>>();
        for (size_t i = 0; i < part.items.size(); ++i)
            if (!part.items[i].aggregate) {
                part.groupingItems.push_back(int(i));
                groupingKeyNames->push_back(part.items[i].name);
            }
        part.groupingKeyNames = std::move(groupingKeyNames);
        if (src.distinct && partFutures)
            fail(ErrorCode::Unsupported, "DISTINCT with time-based functions in the same WITH or RETURN is not supported",
                 src.pos);
        part.distinct = src.distinct && !part.aggregating;
        for (size_t i = 0; i < part.items.size(); ++i) {
            bool repeated = false;  // a later item of the same name overwrites this one in the row
            for (size_t j = i + 1; j < part.items.size(); ++j) repeated |= part.items[j].name == part.items[i].name;
            if (!repeated) part.rowOrder.push_back(uint32_t(i));
        }
        std::sort(part.rowOrder.begin(), part.rowOrder.end(),
                  [&](uint32_t a, uint32_t b) { return part.items[a].name < part.items[b].name; });
        part.frameSize = std::max(scope.maxSize, scope.next);
        plan.parts.push_back(std::move(part));
        next.maxSize = next.next;
        scope = next;
    }
    return plan;
}

}  // namespace cq::query
