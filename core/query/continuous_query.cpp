// SPDX-License-Identifier: MIT
#include "core/query/continuous_query.h"

#include "core/common/hash.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/common/error.h"
#include "core/cypher/parser.h"
#include "core/eval/operators.h"
#include "core/middleware/middleware.h"
#include "core/query/binder.h"
#include "core/query/solver.h"

namespace cq::query {

using eval::Mode;

namespace {

// Accumulator keys live in one space per query: (part, group) for row counts, (call site, group) for
// aggregates. The tags keep the two from colliding.
constexpr uint64_t kRowCountTag = 0x726f77636f756e74ULL;

/// Two rows of one part: project() builds both from the part's rowOrder, so they have the same
/// keys in the same order and only the values need comparing.
/// Values compare as a consumer sees them (valuesIdentical): a row whose value went from 1 to 1.0
/// is an update (differential test, shape "trueFor after WITH").
bool rowsEqual(const Map& a, const Map& b) {
    if (a.size() != b.size()) return false;
    for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
        if (!valuesIdentical(i->second, j->second)) return false;
    return true;
}

std::vector<JoinSpec> parseJoins(const Json& joins) {
    std::vector<JoinSpec> out;
    if (joins.is_null()) return out;
    if (!joins.is_array()) throw Error(ErrorCode::InvalidConfig, "joins: must be an array");
    for (const Json& j : joins) {
        JoinSpec spec;
        if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
            throw Error(ErrorCode::InvalidConfig, "joins: each join needs a string \"id\"");
        spec.id = j["id"].get<std::string>();
        if (!j.contains("keys") || !j["keys"].is_array() || j["keys"].size() < 2)
            throw Error(ErrorCode::InvalidConfig, "join '" + spec.id + "': \"keys\" must list at least two {label, property}");
        for (const Json& k : j["keys"]) {
            if (!k.is_object() || !k.contains("label") || !k["label"].is_string() || !k.contains("property") ||
                !k["property"].is_string())
                throw Error(ErrorCode::InvalidConfig, "join '" + spec.id + "': each key needs string \"label\" and \"property\"");
            spec.keys.push_back({k["label"].get<std::string>(), k["property"].get<std::string>()});
        }
        out.push_back(std::move(spec));
    }
    return out;
}

std::string joinKey(const JoinSpec& join, size_t keyIndex, const Value& v) {
    // Drasi joins by the stored value's hash, so 1, 1.0 and "1" do not join each other.
    return join.id + '\x1f' + std::to_string(keyIndex) + '\x1f' + std::to_string(int(v.kind())) + ':' +
           valueToDebugString(v);
}

}  // namespace

ContinuousQuery::ContinuousQuery(QueryConfig config, QueryStore store, const EngineOptions& options)
    : config_(std::move(config)), store_(store), options_(options) {
    ast_ = cypher::parseQuery(config_.cypher);
    plan_ = bind(ast_, fn::builtinFunctions());
    joins_ = parseJoins(config_.joins);
    middleware_ = std::make_unique<mw::Pipelines>(
        mw::Pipelines::build(config_.middleware, config_.sourcePipelines, config_.pipeline));
    // Joins are left out: their synthetic changes run applyElementChange within a change, and
    // would overwrite oldSlots_ before the outer change reads it.
    storedSlotsAreAffinity_ = joins_.empty() && std::none_of(plan_.slots.begin(), plan_.slots.end(),
                                                             [](const Slot& s) { return !s.predicates.empty(); });
    for (uint32_t p = 0; p < plan_.parts.size(); ++p) {
        auto collect = [&](const cypher::Expr& e, auto& self) -> void {
            if (e.kind == cypher::ExprKind::FunctionCall && e.function && e.function->kind == fn::FunctionKind::Stateful)
                futureSiteParts_.push_back({uint32_t(e.aggregateIndex), p});
            for (const auto& c : e.children)
                if (c) self(*c, self);
        };
        for (const auto& w : plan_.parts[p].where) collect(*w, collect);
        for (const auto& item : plan_.parts[p].items) collect(*item.expr, collect);
    }
    std::sort(futureSiteParts_.begin(), futureSiteParts_.end());
}

ContinuousQuery::~ContinuousQuery() = default;

eval::EvalContext ContinuousQuery::context(std::vector<Value>& frame, Mode mode, uint64_t group, uint64_t input,
                                           bool before) {
    eval::EvalContext ctx;
    ctx.frame = &frame;
    ctx.mode = mode;
    ctx.groupHash = group;
    ctx.inputHash = input;
    ctx.anchor = anchor_;
    ctx.call = before ? clockBefore_ : clock_;
    ctx.hooks = this;
    ctx.futureReprocess = futureReprocess_;
    return ctx;
}

const std::vector<int>& ContinuousQuery::affinity(const ElementPtr& element, std::vector<int>& slots) {
    const Element& e = *element;
    slots.clear();
    for (const Slot& s : plan_.slots) {
        if (s.isRelation != e.isRelation()) continue;
        if (!s.labels.empty()) {
            bool any = false;
            for (const auto& l : s.labels)
                if (e.hasLabel(l)) { any = true; break; }
            if (!any) continue;
        }
        bool ok = true;
        for (const auto& l : s.allLabels)
            if (!e.hasLabel(l)) { ok = false; break; }
        if (!ok) continue;
        if (!s.predicates.empty()) {
            predicateFrame_.assign(size_t(s.predicateFrame), Value());
            predicateFrame_[0] = Value(element);
            // Stateful functions in a pattern predicate keep their state per element (as Drasi).
            uint64_t key = hashValue(Value(e.ref.id), hashValue(Value(e.ref.source)));
            eval::EvalContext ctx = context(predicateFrame_, Mode::Apply, key, key, false);
            for (const auto& p : s.predicates)
                if (!eval::isTruthy(eval::evaluate(*p, ctx))) { ok = false; break; }
        }
        if (ok) slots.push_back(s.index);
    }
    return slots;
}

// ---------------------------------------------------------------------------------------------
// From a source change to row changes.

void ContinuousQuery::prefetch(const Change& change) {
    if (middleware_->empty() && change.element) store_.elements->prefetchStored(*change.element);
}

std::vector<Diff> ContinuousQuery::processChange(const Change& change) {
    std::vector<Diff> out;
    if (middleware_->empty()) {
        applyElementChange(change, out);
        return out;
    }
    ElementIndex* elements = store_.elements;
    auto lookup = [elements](const ElementRef& ref) { return elements->getElement(ref); };
    for (const Change& c : middleware_->process(change, lookup)) applyElementChange(c, out);
    return out;
}

void ContinuousQuery::applyJoins(const ElementPtr& before, const ElementPtr& after, int64_t time,
                                 std::vector<Change>& pre, std::vector<Change>& post) {
    // The join keys an element carries: (join, key index) -> entry key.
    auto keysOf = [&](const ElementPtr& e) {
        std::map<std::pair<size_t, size_t>, std::string> keys;
        if (!e || e->isRelation()) return keys;
        for (size_t j = 0; j < joins_.size(); ++j)
            for (size_t k = 0; k < joins_[j].keys.size(); ++k) {
                const auto& key = joins_[j].keys[k];
                if (!e->hasLabel(key.label)) continue;
                auto it = e->properties.find(key.property);
                if (it == e->properties.end() || it->second.isNull()) continue;
                keys[{j, k}] = joinKey(joins_[j], k, it->second);
            }
        return keys;
    };
    auto oldKeys = keysOf(before);
    auto newKeys = keysOf(after);
    const ElementRef& self = before ? before->ref : after->ref;
    auto relation = [&](const JoinSpec& join, const ElementRef& from, const ElementRef& to) {
        auto r = Element::make(ElementKind::Relation);
        r->ref = {"$join", join.id + ":" + from.source + ":" + from.id + ":" + to.source + ":" + to.id};
        r->labels = {join.id};
        r->effectiveFrom = time;
        r->start() = from;
        r->end() = to;
        return ElementPtr(r);
    };
    auto partners = [&](size_t j, size_t k, const std::string& keyText) {
        // Entries of the same value under the join's other keys.
        std::vector<ElementRef> refs;
        std::string prefix = joins_[j].id + '\x1f';
        std::string valuePart = keyText.substr(keyText.find('\x1f', prefix.size()) + 1);
        for (size_t other = 0; other < joins_[j].keys.size(); ++other) {
            if (other == k) continue;
            store_.elements->joinEntries(prefix + std::to_string(other) + '\x1f' + valuePart, refs);
        }
        refs.erase(std::remove(refs.begin(), refs.end(), self), refs.end());
        return refs;
    };
    for (const auto& [jk, key] : oldKeys) {
        auto it = newKeys.find(jk);
        if (it != newKeys.end() && it->second == key) continue;
        store_.elements->removeJoinEntry(key, self);
        for (const ElementRef& p : partners(jk.first, jk.second, key)) {
            for (const ElementPtr& r : {relation(joins_[jk.first], self, p), relation(joins_[jk.first], p, self)})
                pre.push_back(Change{ChangeOp::Delete, r});
        }
    }
    for (const auto& [jk, key] : newKeys) {
        auto it = oldKeys.find(jk);
        if (it != oldKeys.end() && it->second == key) continue;
        store_.elements->addJoinEntry(key, self);
        for (const ElementRef& p : partners(jk.first, jk.second, key)) {
            for (const ElementPtr& r : {relation(joins_[jk.first], self, p), relation(joins_[jk.first], p, self)})
                post.push_back(Change{ChangeOp::Insert, r});
        }
    }
}

bool ContinuousQuery::sameSolutions(const Element& old, const Element& neu, const std::vector<int>& newSlots) const {
    // Solutions depend on the element through the slots it fills (labels, inline predicates) and
    // the elements it touches (a node's relations are stored apart from it; a relation's are its
    // ends). Optional slots and joins take other paths.
    if (plan_.hasOptional || !joins_.empty() || old.kind != neu.kind || newSlots != oldSlots_) return false;
    return !neu.isRelation() || (old.start() == neu.start() && old.end() == neu.end());
}

void ContinuousQuery::applyElementChange(const Change& change, std::vector<Diff>& out) {
    const Element& in = *change.element;
    // The old version's affinity: the slots it was stored with, when they are all it can be.
    bool oldSlotsKnown = false;
    ElementPtr old = storedSlotsAreAffinity_ ? store_.elements->getStoredWithSlots(in, oldSlots_, oldSlotsKnown)
                                             : store_.elements->getStored(in);
    if (old) {
        // The old version's properties are read next (the merge, the before rows), a block of their
        // own: asking for it now overlaps that cache miss with the work before. (Its labels are a
        // list shared with the elements that have the same labels, so usually in cache.)
        __builtin_prefetch(old->properties.data());
    }
    ElementPtr neu;
    switch (change.op) {
        case ChangeOp::Insert: neu = change.element; break;
        case ChangeOp::Update: neu = old ? mergeMissingProperties(change.element, *old) : change.element; break;
        case ChangeOp::Delete:
            if (!old) return;
            break;
    }
    clock_.transactionTime = in.effectiveFrom;
    clock_.realtime = in.effectiveFrom;
    clock_.wallClock = options_.wallClock ? options_.wallClock() : in.effectiveFrom;
    clockBefore_ = clock_;
    if (old) clockBefore_.transactionTime = old->effectiveFrom;
    futureReprocess_ = false;
    futureRowPart_ = -1;  // a future that failed part-way may have left it set

    std::vector<Change> pre, post;
    if (!joins_.empty() && !in.isRelation()) applyJoins(old, neu, in.effectiveFrom, pre, post);
    for (const Change& c : pre) applyElementChange(c, out);

    const ElementRef& ref = in.ref;  // the change (and its element) outlive this call
    anchor_ = &ref;
    Solver solver(plan_, *store_.elements, solverScratch_);
    // Where the element sits in an OPTIONAL MATCH slot, its rows are those of the mandatory elements
    // it hangs off: solve from those ("anchors") before and after, so the null row of an empty optional
    // match appears and disappears correctly.
    std::vector<std::pair<int, ElementRef>> anchors;
    auto discover = [&](const ElementPtr& e, std::vector<Solution>* direct) {
        for (int s : oldSlotsKnown ? oldSlots_ : affinity(e, oldSlots_)) {
            if (!plan_.slots[s].optional) {
                if (direct) solver.solveFrom(s, e, *direct);
                continue;
            }
            std::vector<Solution> tmp;
            solver.solveFrom(s, e, tmp);
            int m = plan_.mandatorySlots[0];
            for (const Solution& sol : tmp)
                if (sol.slots[m]) anchors.push_back({m, sol.slots[m]->ref});
        }
    };
    auto solveAnchors = [&](std::vector<Solution>& out) {
        for (const auto& [slot, r] : anchors)
            if (ElementPtr a = store_.elements->getSlotElement(slot, r)) solver.solveFrom(slot, a, out);
    };

    // Members, so that their blocks are reused: pre-join changes have run by now, and post-join
    // changes run once these are no longer read.
    bool sameAsBefore = false;  // the solutions after the change are `before`'s (see below)
    std::vector<Solution>& before = solvedBefore_;
    std::vector<Solution>& after = solvedAfter_;
    for (std::vector<Solution>* v : {&before, &after}) {
        solverScratch_.recycle(*v);
        if (v->capacity() > 1024) v->shrink_to_fit();  // a hub node's change keeps no big block
    }
    if (old) discover(old, &before);
    std::vector<int>& newSlots = newSlots_;
    newSlots.clear();
    if (neu) affinity(neu, newSlots);
    if (neu && plan_.hasOptional) {
        for (int s : newSlots) {
            if (!plan_.slots[s].optional) continue;
            std::vector<Solution> tmp;
            solver.solveFrom(s, neu, tmp);
            int m = plan_.mandatorySlots[0];
            for (const Solution& sol : tmp)
                if (sol.slots[m]) anchors.push_back({m, sol.slots[m]->ref});
        }
    }
    std::sort(anchors.begin(), anchors.end(), [](const auto& a, const auto& b) {
        return a.first < b.first || (a.first == b.first && a.second < b.second);
    });
    anchors.erase(std::unique(anchors.begin(), anchors.end()), anchors.end());
    solveAnchors(before);
    normalizeOptional(plan_, before);

    if (neu) {
        store_.elements->setElement(neu, newSlots);
        if (plan_.usesArchive && options_.archive && store_.archive && neu->ref.source != "$join")
            store_.archive->addVersion(neu);
        if (old && sameSolutions(*old, *neu, newSlots)) {
            // The element fills the same slots and touches the same elements as before (the usual
            // update: new property values), so its solutions are those of before with it in place
            // of its old version, with the same signatures: each is an update of its row, built
            // below from `before` alone. Solving again cost 9-21% of a change's instructions
            // (callgrind: property projection 8%, 1-hop averaging 21%, at 10,000 rooms); copying
            // the solutions and matching them by signature another 2-3%.
            sameAsBefore = true;
        } else {
            for (int s : newSlots)
                if (!plan_.slots[s].optional) solver.solveFrom(s, neu, after);
        }
    } else {
        store_.elements->deleteElement(ref);
    }
    solveAnchors(after);
    normalizeOptional(plan_, after);

    auto isOld = [&](const ElementPtr& e) {
        return e == old || (e && e->identityHash() == neu->identityHash() && e->ref == neu->ref);
    };
    // A solution's frame, with the changed element's new version in place of its old.
    auto renewedFrame = [&](const Solution& s) {
        std::vector<Value> f = takeFrame(plan_.slotOfVar.size());
        for (size_t i = 0; i < plan_.slotOfVar.size(); ++i)
            if (const ElementPtr& e = s.slots[plan_.slotOfVar[i]]) f[i] = Value(isOld(e) ? neu : e);
        return f;
    };
    std::vector<RowChange>& rows = rowScratch_;
    rows.clear();  // runParts leaves it empty, unless an evaluation error cut it short
    if (sameAsBefore) {
        rows.reserve(before.size());
        for (const Solution& s : before) {
            RowChange& rc = rows.emplace_back();
            rc.kind = RowChange::Kind::Update;
            rc.before = frameOf(s);
            rc.after = renewedFrame(s);
            rc.beforeKey = rc.afterKey = s.signature;
        }
    } else {
        diffSolutions(before, after, rows);
    }
    if (!rows.empty()) runParts(rows, out);
    anchor_ = nullptr;

    for (const Change& c : post) applyElementChange(c, out);
}

void ContinuousQuery::reuseFrame(std::vector<Value>& frame) {
    if (framePool_.empty()) return;
    frame = std::move(framePool_.back());
    framePool_.pop_back();
}

std::vector<Value> ContinuousQuery::takeFrame(size_t size) {
    std::vector<Value> f;
    reuseFrame(f);
    f.resize(size);
    return f;
}

void ContinuousQuery::recycleFrame(std::vector<Value>& frame) {
    // Up to 64: a change's rows need a handful, and a hub's thousands should not stay.
    if (frame.capacity() == 0 || framePool_.size() >= 64) return;
    frame.clear();
    framePool_.push_back(std::move(frame));
}

std::vector<Value> ContinuousQuery::frameOf(const Solution& s) {
    std::vector<Value> f = takeFrame(plan_.slotOfVar.size());
    for (size_t i = 0; i < plan_.slotOfVar.size(); ++i)
        if (const ElementPtr& e = s.slots[plan_.slotOfVar[i]]) f[i] = Value(e);
    return f;
}

void ContinuousQuery::diffSolutions(const std::vector<Solution>& before, const std::vector<Solution>& after,
                                    std::vector<RowChange>& rows) {
    // Diff by signature (signatures are unique on each side after normalizeOptional). A linear
    // search for the usual handful of solutions, hash maps beyond, made only then: two empty
    // unordered_maps made and destroyed per insert were 1.8% of the property projection's
    // bootstrap (callgrind).
    const bool small = before.size() * after.size() <= 64;
    std::optional<std::unordered_map<uint64_t, const Solution*>> b, a;
    if (!small) {
        b.emplace();
        a.emplace();
        for (const Solution& s : before) b->emplace(s.signature, &s);
        for (const Solution& s : after) a->emplace(s.signature, &s);
    }
    auto findIn = [small](const std::vector<Solution>& side,
                          const std::optional<std::unordered_map<uint64_t, const Solution*>>& index,
                          uint64_t signature) -> const Solution* {
        if (!small) {
            auto it = index->find(signature);
            return it == index->end() ? nullptr : it->second;
        }
        for (const Solution& s : side)
            if (s.signature == signature) return &s;
        return nullptr;
    };
    std::vector<const Solution*> removed, added;
    for (const Solution& s : before) {
        const Solution* match = findIn(after, a, s.signature);
        if (!match) { removed.push_back(&s); continue; }
        RowChange rc;
        rc.kind = RowChange::Kind::Update;
        rc.before = frameOf(s);
        rc.after = frameOf(*match);
        rc.beforeKey = rc.afterKey = s.signature;
        rows.push_back(std::move(rc));
    }
    for (const Solution& s : after)
        if (!findIn(before, b, s.signature)) added.push_back(&s);
    // A blank optional row replaced by a matched one (or the reverse) is an update of that row.
    if (plan_.hasOptional) {
        for (auto& r : removed) {
            for (auto& x : added) {
                if (!x || !r || x->mandatoryKey != r->mandatoryKey || (x->blank == r->blank)) continue;
                RowChange rc;
                rc.kind = RowChange::Kind::Update;
                rc.before = frameOf(*r);
                rc.after = frameOf(*x);
                rc.beforeKey = r->signature;
                rc.afterKey = x->signature;
                rows.push_back(std::move(rc));
                r = nullptr;
                x = nullptr;
                break;
            }
        }
    }
    for (const Solution* r : removed) {
        if (!r) continue;
        RowChange rc;
        rc.kind = RowChange::Kind::Remove;
        rc.before = frameOf(*r);
        rc.beforeKey = r->signature;
        rows.push_back(std::move(rc));
    }
    for (const Solution* x : added) {
        if (!x) continue;
        RowChange rc;
        rc.kind = RowChange::Kind::Add;
        rc.after = frameOf(*x);
        rc.afterKey = x->signature;
        rows.push_back(std::move(rc));
    }
}

// ---------------------------------------------------------------------------------------------
// Parts.

bool ContinuousQuery::passesWhere(const Part& part, std::vector<Value>& frame, Mode mode, uint64_t group,
                                  uint64_t input, bool before) {
    if (part.where.empty()) return true;
    eval::EvalContext ctx = context(frame, mode, group, input, before);
    bool pass = true;
    for (const auto& w : part.where)
        if (!eval::isTruthy(eval::evaluate(*w, ctx))) pass = false;  // evaluate all: stateful functions
    return pass;
}

void ContinuousQuery::evaluateItems(const Part& part, std::vector<Value>& frame, Mode mode, uint64_t group,
                                    uint64_t input, bool before, std::vector<Value>& values, bool lenient) {
    eval::EvalContext ctx = context(frame, mode, group, input, before);
    // In query order: stateful functions see the items so. Room for the next part's whole frame,
    // which it resizes to; a vector with no block takes one from the pool.
    if (values.capacity() == 0) reuseFrame(values);
    values.clear();
    size_t index = size_t(&part - plan_.parts.data());
    values.reserve(std::max(part.items.size(),
                            index + 1 < plan_.parts.size() ? size_t(plan_.parts[index + 1].frameSize) : size_t(0)));
    if (!lenient) {
        for (const Item& item : part.items) values.push_back(eval::evaluate(*item.expr, ctx));
        return;
    }
    for (const Item& item : part.items) {
        try {
            values.push_back(eval::evaluate(*item.expr, ctx));
        } catch (const Error&) {
            values.emplace_back();
        }
    }
}

namespace {

/// Evaluates the engine's calls in `e` (aggregates, stateful and special functions), each whole,
/// and nothing else: an aggregating part applies and reverts contributions this way.
void evaluateEngineCalls(const cypher::Expr& e, eval::EvalContext& ctx) {
    if (e.kind == cypher::ExprKind::FunctionCall && e.function && e.function->kind != fn::FunctionKind::Scalar) {
        (void)eval::evaluate(e, ctx);
        return;
    }
    for (const auto& c : e.children)
        if (c) evaluateEngineCalls(*c, ctx);
}

}  // namespace

void ContinuousQuery::applyContributions(const Part& part, std::vector<Value>& frame, Mode mode, uint64_t group,
                                         uint64_t input, bool before) {
    // Only the engine's calls of an aggregate item are evaluated: the row's value is projected
    // later, from the group's accumulators (Snapshot), so the expression around them would be
    // computed for nothing, and it may not be computable halfway (sum(x) / count(x) is 0 / 0 while
    // a group's only row is reverted, which rejected the change), or may skip a call (a CASE
    // branch or an AND not taken left an aggregate without the row's contribution).
    eval::EvalContext ctx = context(frame, mode, group, input, before);
    for (const Item& item : part.items) {
        if (item.aggregate) evaluateEngineCalls(*item.expr, ctx);
        else (void)eval::evaluate(*item.expr, ctx);
    }
}

Map ContinuousQuery::project(const Part& part, std::vector<Value>& frame, Mode mode, uint64_t group, uint64_t input,
                             bool before, std::vector<Value>* nextFrame, bool lenient) {
    std::vector<Value>& values = nextFrame ? *nextFrame : projectScratch_;
    evaluateItems(part, frame, mode, group, input, before, values, lenient);
    // The row is built in column-name order (part.rowOrder: sorted, one item per name): every
    // insertion an append, one exact allocation.
    Map row;
    row.reserve(part.rowOrder.size());
    for (uint32_t i : part.rowOrder) {
        if (nextFrame) row.append_sorted(part.items[i].name, values[i]);
        else row.append_sorted(part.items[i].name, std::move(values[i]));
    }
    return row;
}

bool ContinuousQuery::itemsEqual(const Part& part, const std::vector<Value>& a, const std::vector<Value>& b) {
    for (uint32_t i : part.rowOrder)
        if (!valuesIdentical(a[i], b[i])) return false;
    return true;
}

void ContinuousQuery::runParts(std::vector<RowChange>& rows, std::vector<Diff>& out) {
    // Each part reads one list and fills the other of partRows_, whose blocks are kept from change
    // to change (three heap blocks a change less for a two-part query); what they hold is
    // released at the end, so no element version outlives its change here.
    std::vector<RowChange>* in = &rows;
    for (size_t i = 0; i < plan_.parts.size(); ++i) {
        bool last = i + 1 == plan_.parts.size();
        std::vector<RowChange>& next = in == &partRows_[0] ? partRows_[1] : partRows_[0];
        next.clear();
        if (int(i) == futureRowPart_) {  // a future re-evaluates its own input row only (processFuture)
            const uint64_t key = futureRowKey_;
            in->erase(std::remove_if(in->begin(), in->end(),
                                     [key](const RowChange& rc) {
                                         return !(rc.kind != RowChange::Kind::Add && rc.beforeKey == key) &&
                                                !(rc.kind != RowChange::Kind::Remove && rc.afterKey == key);
                                     }),
                      in->end());
            if (in->empty()) break;
        }
        if (plan_.parts[i].aggregating) runAggregatingPart(i, *in, next, last, out);
        else if (plan_.parts[i].distinct) runDistinctPart(i, *in, next, last, out);
        else if (plan_.parts[i].unwind) runUnwindPart(i, *in, next);
        else runPart(i, *in, next, last, out);
        in = &next;
        if (in->empty()) break;
    }
    // The frames go back to the pool (their blocks kept), the rest is released.
    for (std::vector<RowChange>* list : {&rows, &partRows_[0], &partRows_[1]}) {
        for (RowChange& rc : *list) {
            recycleFrame(rc.before);
            recycleFrame(rc.after);
        }
        list->clear();
    }
}

void ContinuousQuery::recordLive(const Diff& d, uint64_t beforeKey, uint64_t afterKey) {
    if (!store_.live) return;
    if (d.kind == DiffKind::Remove || (d.kind == DiffKind::Update && beforeKey != afterKey))
        store_.live->removeRow(beforeKey);
    if (d.after) store_.live->upsertRow(afterKey, *d.after);
}

void ContinuousQuery::runPart(size_t index, std::vector<RowChange>& in, std::vector<RowChange>& out, bool last,
                              std::vector<Diff>& diffs) {
    const Part& part = plan_.parts[index];
    // A middle part passes frames on, never rows: its items are evaluated into the next part's frames
    // and compared there (as rowsEqual compares the rows they would make), and no row map is built.
    std::vector<Value> nb, na;
    auto pass = [&](RowChange::Kind kind, const RowChange& rc) {
        RowChange o;
        o.kind = kind;
        if (kind != RowChange::Kind::Add) o.before = std::move(nb);
        if (kind != RowChange::Kind::Remove) o.after = std::move(na);
        o.beforeKey = rc.beforeKey;
        o.afterKey = rc.afterKey;
        out.push_back(std::move(o));
    };
    auto emit = [&](DiffKind kind, Map* before, Map* after, const RowChange& rc) {
        Diff d;
        d.kind = kind;
        if (before) d.before = std::move(*before);
        if (after) d.after = std::move(*after);
        recordLive(d, rc.beforeKey, rc.afterKey);
        diffs.push_back(std::move(d));
    };
    if (last && store_.live)  // the rows written at the end: their slots load while rows are evaluated
        for (size_t i = 0; i < in.size() && i < 8; ++i)
            store_.live->prefetchRow(in[i].kind == RowChange::Kind::Remove ? in[i].beforeKey : in[i].afterKey);
    for (RowChange& rc : in) {
        rc.before.resize(std::max<size_t>(rc.before.size(), size_t(part.frameSize)));
        rc.after.resize(std::max<size_t>(rc.after.size(), size_t(part.frameSize)));
        switch (rc.kind) {
            case RowChange::Kind::Add: {
                if (!passesWhere(part, rc.after, Mode::Apply, rc.afterKey, rc.afterKey, false)) break;
                if (!last) {
                    evaluateItems(part, rc.after, Mode::Apply, rc.afterKey, rc.afterKey, false, na);
                    pass(RowChange::Kind::Add, rc);
                    break;
                }
                Map a = project(part, rc.after, Mode::Apply, rc.afterKey, rc.afterKey, false, nullptr);
                emit(DiffKind::Add, nullptr, &a, rc);
                break;
            }
            case RowChange::Kind::Remove: {
                if (!passesWhere(part, rc.before, Mode::RevertForDelete, rc.beforeKey, rc.beforeKey, true)) break;
                if (!last) {
                    evaluateItems(part, rc.before, Mode::RevertForDelete, rc.beforeKey, rc.beforeKey, true, nb);
                    pass(RowChange::Kind::Remove, rc);
                    break;
                }
                Map b = project(part, rc.before, Mode::RevertForDelete, rc.beforeKey, rc.beforeKey, true, nullptr);
                emit(DiffKind::Remove, &b, nullptr, rc);
                break;
            }
            case RowChange::Kind::Update: {
                bool wb = passesWhere(part, rc.before, Mode::Snapshot, rc.beforeKey, rc.beforeKey, true);
                Map b;
                if (wb) {
                    if (last) b = project(part, rc.before, Mode::Snapshot, rc.beforeKey, rc.beforeKey, true, nullptr);
                    else evaluateItems(part, rc.before, Mode::Snapshot, rc.beforeKey, rc.beforeKey, true, nb);
                }
                bool wa = passesWhere(part, rc.after, Mode::Apply, rc.afterKey, rc.afterKey, false);
                if (!wa) {
                    if (!wb) break;
                    if (last) emit(DiffKind::Remove, &b, nullptr, rc);
                    else pass(RowChange::Kind::Remove, rc);
                    break;
                }
                Map a;
                if (last) a = project(part, rc.after, Mode::Apply, rc.afterKey, rc.afterKey, false, nullptr);
                else evaluateItems(part, rc.after, Mode::Apply, rc.afterKey, rc.afterKey, false, na);
                if (!wb) {
                    if (last) emit(DiffKind::Add, nullptr, &a, rc);
                    else pass(RowChange::Kind::Add, rc);
                    break;
                }
                // An unchanged row emits nothing; a future's re-evaluation still flows through the middle
                // parts, because a later part's time-based WHERE may now hold.
                if (rc.beforeKey == rc.afterKey) {
                    if (last && rowsEqual(b, a)) break;
                    if (!last && !futureReprocess_ && itemsEqual(part, nb, na)) break;
                }
                if (last) emit(DiffKind::Update, &b, &a, rc);
                else pass(RowChange::Kind::Update, rc);
                break;
            }
        }
    }
    recycleFrame(nb);  // a row filtered or unchanged last leaves its frames here
    recycleFrame(na);
}

// UNWIND list AS x: each input row becomes one row per element of its list (null or an empty list:
// none; a value that is not a list: one row, as openCypher), keyed by the input row's key and the
// element's position. An update pairs the elements before and after by position: the rows both
// have are updates (a later part emits nothing for those that did not change), the rest adds or
// removes.
void ContinuousQuery::runUnwindPart(size_t index, std::vector<RowChange>& in, std::vector<RowChange>& out) {
    const Part& part = plan_.parts[index];
    auto elements = [&](std::vector<Value>& frame, Mode mode, uint64_t key, bool before) {
        eval::EvalContext ctx = context(frame, mode, key, key, before);
        Value list = eval::evaluate(*part.unwind, ctx);
        if (list.isNull()) return List{};
        if (!list.isList()) return List{list};
        return list.asList();
    };
    auto rowKey = [](uint64_t key, size_t i) { return mixHash(key ^ 0x756e77696e64ULL, uint64_t(i) + 1); };
    for (RowChange& rc : in) {
        rc.before.resize(std::max<size_t>(rc.before.size(), size_t(part.frameSize)));
        rc.after.resize(std::max<size_t>(rc.after.size(), size_t(part.frameSize)));
        std::vector<Value> vb, va;
        List lb, la;
        if (rc.kind != RowChange::Kind::Add) {
            Mode m = rc.kind == RowChange::Kind::Remove ? Mode::RevertForDelete : Mode::Snapshot;
            if (passesWhere(part, rc.before, m, rc.beforeKey, rc.beforeKey, true)) {
                lb = elements(rc.before, m, rc.beforeKey, true);
                if (!lb.empty()) evaluateItems(part, rc.before, m, rc.beforeKey, rc.beforeKey, true, vb);
            }
        }
        if (rc.kind != RowChange::Kind::Remove) {
            if (passesWhere(part, rc.after, Mode::Apply, rc.afterKey, rc.afterKey, false)) {
                la = elements(rc.after, Mode::Apply, rc.afterKey, false);
                if (!la.empty()) evaluateItems(part, rc.after, Mode::Apply, rc.afterKey, rc.afterKey, false, va);
            }
        }
        for (size_t i = 0; i < std::max(lb.size(), la.size()); ++i) {
            const bool hb = i < lb.size(), ha = i < la.size();
            RowChange& o = out.emplace_back();
            o.kind = hb && ha ? RowChange::Kind::Update : hb ? RowChange::Kind::Remove : RowChange::Kind::Add;
            if (hb) {
                o.before = vb;
                o.before.push_back(lb[i]);
                o.beforeKey = rowKey(rc.beforeKey, i);
            }
            if (ha) {
                o.after = va;
                o.after.push_back(la[i]);
                o.afterKey = rowKey(rc.afterKey, i);
            }
        }
        recycleFrame(vb);
        recycleFrame(va);
    }
}

Map ContinuousQuery::rowOf(const Part& part, const std::vector<Value>& values) {
    Map row;
    row.reserve(part.rowOrder.size());
    for (uint32_t i : part.rowOrder) row.append_sorted(part.items[i].name, values[i]);
    return row;
}

// WITH DISTINCT / RETURN DISTINCT. A distinct row has no identity but its values, so the part keeps
// a count per row (its hash, an accumulator beside the aggregates'): a row appears when its count
// leaves 0 and goes when it returns to 0, and the row key downstream is that hash. An input row
// that leaves a row that goes for one that appears is an update; one whose values only change
// without changing the hash (an element's properties: elements are distinct by identity) updates
// the row in place.
void ContinuousQuery::runDistinctPart(size_t index, std::vector<RowChange>& in, std::vector<RowChange>& out, bool last,
                                      std::vector<Diff>& diffs) {
    const Part& part = plan_.parts[index];
    ResultIndex& results = *store_.results;
    auto rowKey = [&](const std::vector<Value>& values) {
        uint64_t h = mixHash(0x64697374696e6374ULL, index);
        for (uint32_t i : part.rowOrder) h = hashValue(values[i], h);
        return h;
    };
    // Adds `delta` to the row's count; true when the row appears (0 -> 1) or goes (-> 0).
    auto count = [&](uint64_t key, int64_t delta) {
        std::optional<Accumulator> stored = results.get(key);
        Accumulator a = stored ? std::move(*stored) : Accumulator{};
        a.count += delta;
        results.set(key, a.count > 0 ? &a : nullptr);
        return delta > 0 ? a.count == 1 : a.count <= 0;
    };
    // Rows updated in place by this change: every input row of an element whose properties
    // changed carries the same before and after, and the row is updated once.
    std::vector<uint64_t> updatedInPlace;
    for (RowChange& rc : in) {
        rc.before.resize(std::max<size_t>(rc.before.size(), size_t(part.frameSize)));
        rc.after.resize(std::max<size_t>(rc.after.size(), size_t(part.frameSize)));
        std::vector<Value> nb, na;
        bool wb = false, wa = false;
        if (rc.kind != RowChange::Kind::Add) {
            Mode m = rc.kind == RowChange::Kind::Remove ? Mode::RevertForDelete : Mode::Snapshot;
            wb = passesWhere(part, rc.before, m, rc.beforeKey, rc.beforeKey, true);
            if (wb) evaluateItems(part, rc.before, m, rc.beforeKey, rc.beforeKey, true, nb);
        }
        if (rc.kind != RowChange::Kind::Remove) {
            wa = passesWhere(part, rc.after, Mode::Apply, rc.afterKey, rc.afterKey, false);
            if (wa) evaluateItems(part, rc.after, Mode::Apply, rc.afterKey, rc.afterKey, false, na);
        }
        const uint64_t kb = wb ? rowKey(nb) : 0, ka = wa ? rowKey(na) : 0;
        bool gone, appears;
        if (wb && wa && kb == ka) {
            if (itemsEqual(part, nb, na)) continue;
            if (std::find(updatedInPlace.begin(), updatedInPlace.end(), ka) != updatedInPlace.end()) continue;
            updatedInPlace.push_back(ka);
            gone = appears = true;  // the same row, its values changed
        } else {
            gone = wb && count(kb, -1);
            appears = wa && count(ka, +1);
        }
        if (!gone && !appears) continue;
        const RowChange::Kind kind = gone && appears ? RowChange::Kind::Update
                                     : gone          ? RowChange::Kind::Remove
                                                     : RowChange::Kind::Add;
        if (last) {
            Diff d;
            d.kind = kind == RowChange::Kind::Update ? DiffKind::Update
                     : kind == RowChange::Kind::Remove ? DiffKind::Remove
                                                       : DiffKind::Add;
            if (gone) d.before = rowOf(part, nb);
            if (appears) d.after = rowOf(part, na);
            recordLive(d, kb, ka);
            diffs.push_back(std::move(d));
            continue;
        }
        RowChange o;
        o.kind = kind;
        if (gone) o.before = std::move(nb);
        if (appears) o.after = std::move(na);
        o.beforeKey = kb;
        o.afterKey = ka;
        out.push_back(std::move(o));
    }
}

void ContinuousQuery::runAggregatingPart(size_t index, std::vector<RowChange>& in, std::vector<RowChange>& out,
                                         bool last, std::vector<Diff>& diffs) {
    const Part& part = plan_.parts[index];
    using Touch = GroupTouch;
    // Touched groups: nearly always one or two (an update within its group, or a move between
    // two), found by a linear search; a hash map only past 16, for batches. The list's block is
    // kept from change to change (touches_); the map is made only when needed.
    std::vector<Touch>& touches = touches_;
    touches.clear();
    std::optional<std::unordered_map<uint64_t, size_t>> byGroup;
    auto findTouch = [&](uint64_t group) -> Touch* {
        if (touches.size() <= 16) {
            for (Touch& t : touches)
                if (t.group == group) return &t;
            return nullptr;
        }
        if (!byGroup) {
            byGroup.emplace();
            for (size_t i = 0; i < touches.size(); ++i) byGroup->emplace(touches[i].group, i);
        }
        auto it = byGroup->find(group);
        return it == byGroup->end() ? nullptr : &touches[it->second];
    };

    auto groupOf = [&](std::vector<Value>& frame) {
        eval::EvalContext ctx = context(frame, Mode::Snapshot, 0, 0, false);
        uint64_t h = mixHash(0x67726f7570ULL, index);
        for (int i : part.groupingItems) h = hashValue(eval::evaluate(*part.items[i].expr, ctx), h);
        return h;
    };
    auto rowCount = [&](uint64_t group) {
        auto acc = store_.results->get(mixHash(group, kRowCountTag));
        return acc ? acc->count : 0;
    };
    // Row counts change by the net delta per group, written once per group: an update that stays
    // in its group (the usual case) writes nothing.
    auto addRows = [&](uint64_t group, int64_t delta) {
        if (delta == 0) return;
        uint64_t key = mixHash(group, kRowCountTag);
        Accumulator acc = store_.results->get(key).value_or(Accumulator{});
        acc.count += delta;
        if (acc.count == 0) store_.results->set(key, nullptr);
        else store_.results->set(key, &acc);
    };
    auto touch = [&](std::vector<Value>& frame, uint64_t group, uint64_t input, bool before, bool& created) -> Touch& {
        Touch* found = findTouch(group);
        created = found == nullptr;
        if (!created) return *found;
        if (last && store_.live) store_.live->prefetchRow(group);  // written at the end, see runPart
        Touch t;
        t.group = group;
        t.countBefore = rowCount(group);
        // A group new to this change is empty before it: lenient as an emptied one (below).
        t.before = project(part, frame, Mode::Snapshot, group, input, before, last ? nullptr : &t.beforeFrame,
                           t.countBefore == 0);
        if (byGroup) byGroup->emplace(group, touches.size());
        touches.push_back(std::move(t));
        return touches.back();
    };

    // WHERE in an aggregating part sees the row's group (aggregates in WHERE are per group, with
    // their own accumulators). Its aggregates are applied for every row evaluated, so the before
    // side reverts them. A future's re-evaluation changes no contribution: both sides read only.
    const Mode whereBefore = futureReprocess_ ? Mode::Snapshot : Mode::RevertForUpdate;
    const Mode whereAfter = futureReprocess_ ? Mode::Snapshot : Mode::Apply;
    bool created = false;
    for (RowChange& rc : in) {
        rc.before.resize(std::max<size_t>(rc.before.size(), size_t(part.frameSize)));
        rc.after.resize(std::max<size_t>(rc.after.size(), size_t(part.frameSize)));
        switch (rc.kind) {
            case RowChange::Kind::Add: {
                uint64_t g = groupOf(rc.after);
                if (!passesWhere(part, rc.after, Mode::Apply, g, rc.afterKey, false)) break;
                Touch& t = touch(rc.after, g, rc.afterKey, false, created);
                t.adding = true;
                applyContributions(part, rc.after, Mode::Apply, g, rc.afterKey, false);
                t.rowDelta += 1;
                t.lastFrame = &rc.after;
                t.lastInput = rc.afterKey;
                break;
            }
            case RowChange::Kind::Remove: {
                uint64_t g = groupOf(rc.before);
                if (!passesWhere(part, rc.before, Mode::RevertForDelete, g, rc.beforeKey, true)) break;
                Touch& t = touch(rc.before, g, rc.beforeKey, true, created);
                applyContributions(part, rc.before, Mode::RevertForDelete, g, rc.beforeKey, true);
                t.rowDelta -= 1;
                t.lastFrame = &rc.before;
                t.lastInput = rc.beforeKey;
                break;
            }
            case RowChange::Kind::Update: {
                uint64_t gb = groupOf(rc.before);
                bool wb = passesWhere(part, rc.before, whereBefore, gb, rc.beforeKey, true);
                if (wb) {
                    Touch& t = touch(rc.before, gb, rc.beforeKey, true, created);
                    applyContributions(part, rc.before, Mode::RevertForUpdate, gb, rc.beforeKey, true);
                    t.rowDelta -= 1;
                    t.lastFrame = &rc.before;
                    t.lastInput = rc.beforeKey;
                }
                uint64_t ga = groupOf(rc.after);
                bool wa = passesWhere(part, rc.after, whereAfter, ga, rc.afterKey, false);
                if (wa) {
                    Touch& t = touch(rc.after, ga, rc.afterKey, false, created);
                    if (created && !wb) t.reentered = true;
                    applyContributions(part, rc.after, Mode::Apply, ga, rc.afterKey, false);
                    t.rowDelta += 1;
                    t.lastFrame = &rc.after;
                    t.lastInput = rc.afterKey;
                }
                break;
            }
        }
    }

    for (Touch& t : touches) {
        std::vector<Value> afterFrame;
        int64_t countAfter = t.countBefore + t.rowDelta;
        // An emptied group's row shows its aggregates' empty values (count 0, sum 0, avg 0.0, as in
        // drasi-core), over which an item may not evaluate: sum(x) / count(x) is 0 / 0, and a
        // DivideByZero there rejected the deletion of the group's last row. Such an item is null.
        Map after = project(part, *t.lastFrame, Mode::Snapshot, t.group, t.lastInput, false, last ? nullptr : &afterFrame,
                            countAfter == 0);
        addRows(t.group, t.rowDelta);
        if (last) {
            Diff d;
            d.kind = DiffKind::Aggregation;
            // A group that gains its first row is reported even when its row looks like the empty
            // group's (count(x) of a null x stays 0): a row moving into it from another group (an
            // update) used to leave it out of the result (differential test, "group of groups").
            bool same = rowsEqual(t.before, after);
            if (same && !t.adding && !(t.countBefore == 0 && countAfter > 0)) continue;
            if (store_.live) {
                if (countAfter == 0 && !part.groupingItems.empty()) store_.live->removeRow(t.group);
                else store_.live->upsertRow(t.group, after);
            }
            if (!t.reentered) d.before = std::move(t.before);
            d.after = std::move(after);
            d.groupingKeys = part.groupingKeyNames;
            diffs.push_back(std::move(d));
            continue;
        }
        RowChange o;
        o.beforeKey = o.afterKey = t.group;
        if (t.countBefore == 0 && countAfter > 0) {
            o.kind = RowChange::Kind::Add;
            o.after = std::move(afterFrame);
        } else if (t.countBefore > 0 && countAfter == 0) {
            o.kind = RowChange::Kind::Remove;
            o.before = std::move(t.beforeFrame);
        } else if (t.countBefore > 0) {
            if (rowsEqual(t.before, after) && !futureReprocess_) continue;
            o.kind = RowChange::Kind::Update;
            o.before = std::move(t.beforeFrame);
            o.after = std::move(afterFrame);
        } else {
            continue;
        }
        out.push_back(std::move(o));
    }
    touches.clear();  // keeps the block, not the values
}

// ---------------------------------------------------------------------------------------------
// Futures.

std::vector<Diff> ContinuousQuery::processFuture(const FutureItem& item) {
    std::vector<Diff> out;
    ElementPtr e = store_.elements->getElement(item.element);
    if (!e || e->effectiveFrom >= item.dueTime) return out;  // superseded by a later change
    Solver solver(plan_, *store_.elements, solverScratch_);
    std::vector<Solution> solutions;
    for (int s : affinity(e, newSlots_))
        if (!plan_.slots[s].optional) solver.solveFrom(s, e, solutions);
    normalizeOptional(plan_, solutions);
    const ElementRef ref = e->ref;
    anchor_ = &ref;
    std::vector<RowChange> rows;
    // An item belongs to one input row of the part whose time function scheduled it (runParts drops
    // the others there): in the first part a solution, later a row the earlier parts make from the
    // anchor's solutions. The anchor's other rows have items of their own, maybe due at other
    // times or anchored elsewhere: re-evaluating them here, from the anchor's last change, would
    // revert contributions an earlier item had already moved, and add them again.
    auto site = std::lower_bound(futureSiteParts_.begin(), futureSiteParts_.end(), std::make_pair(item.position, 0u));
    const int part = site != futureSiteParts_.end() && site->first == item.position ? int(site->second) : -1;
    for (const Solution& s : solutions) {
        RowChange rc;
        rc.kind = RowChange::Kind::Update;
        rc.before.resize(plan_.slotOfVar.size());
        for (size_t i = 0; i < plan_.slotOfVar.size(); ++i)
            if (const ElementPtr& x = s.slots[plan_.slotOfVar[i]]) rc.before[i] = Value(x);
        rc.after = rc.before;
        rc.beforeKey = rc.afterKey = s.signature;
        rows.push_back(std::move(rc));
    }
    // The before side is evaluated as of the element's last change, the after side at the due time
    // with the transaction time of the change that scheduled it.
    clock_.transactionTime = item.originalTime;
    clock_.realtime = item.dueTime;
    clock_.wallClock = options_.wallClock ? options_.wallClock() : item.dueTime;
    clockBefore_ = clock_;
    clockBefore_.transactionTime = e->effectiveFrom;
    clockBefore_.realtime = e->effectiveFrom;
    futureReprocess_ = true;
    futureRowPart_ = part;
    futureRowKey_ = item.groupSignature;
    if (!rows.empty()) runParts(rows, out);
    futureReprocess_ = false;
    futureRowPart_ = -1;
    anchor_ = nullptr;
    return out;
}

}  // namespace cq::query
