// SPDX-License-Identifier: MIT
#include "core/query/solver.h"

#include "core/common/hash.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace cq::query {

namespace {

bool endpointIs(const ElementRef& end, const ElementPtr& node) { return node && end == node->ref; }

}  // namespace

void sealSolution(const Plan& plan, Solution& s) {
    uint64_t sig = 0x5151, mand = 0x7171;
    bool blank = true;
    for (size_t i = 0; i < s.slots.size(); ++i) {
        uint64_t h = s.slots[i] ? s.slots[i]->identityHash() : 0;
        sig = mixHash(sig, h + i);
        if (!plan.slots[i].optional) mand = mixHash(mand, h + i);
        else if (s.slots[i]) blank = false;
    }
    s.signature = sig;
    s.mandatoryKey = mand;
    s.blank = plan.hasOptional && blank;
}

void SolverScratch::recycle(std::vector<Solution>& solutions) {
    // Up to 64: a change has a handful of solutions, and a hub's thousands should not stay.
    for (Solution& s : solutions) {
        if (spare.size() >= 64) break;
        s.slots.clear();  // releases the elements, keeps the block
        spare.push_back(std::move(s));
    }
    solutions.clear();
}

void Solver::solveFrom(int anchorSlot, const ElementPtr& anchor, std::vector<Solution>& out) {
    Solution& partial = scratch_.partial;
    partial.slots.assign(plan_.slots.size(), nullptr);
    partial.slots[anchorSlot] = anchor;
    if (scratch_.found.size() < plan_.visitOrder[anchorSlot].size())
        scratch_.found.resize(plan_.visitOrder[anchorSlot].size());
    extend(0, anchorSlot, partial, out);
    partial.slots.assign(partial.slots.size(), nullptr);  // keep no element alive past the call
}

// Relations touching `slot` (a node) that are already assigned must have it as the right endpoint;
// nodes at the ends of `slot` (a relation) that are already assigned must be its endpoints.
bool Solver::consistent(int slot, const ElementPtr& element, const Solution& partial, int skip) const {
    const Slot& s = plan_.slots[slot];
    if (s.isRelation) {
        for (int o : s.distinctFrom)  // one relationship binds one pattern of a clause (openCypher)
            if (partial.slots[o] && partial.slots[o]->ref == element->ref) return false;
        const ElementPtr& a = partial.slots[s.startSlot];
        const ElementPtr& b = partial.slots[s.endSlot];
        if (s.directed) {
            // The parent's end is the one the index looked the relation up by: checked already.
            if (a && s.startSlot != skip && !endpointIs(element->start(), a)) return false;
            if (b && s.endSlot != skip && !endpointIs(element->end(), b)) return false;
            return true;
        }
        // Undirected, both ends are checked, the parent's too: a relation found from its parent
        // touches it, but when both end slots hold one node, (b)-[y]-(c) with b = c = n10,
        // "touches b" and "touches c" are one test, and n9 -> n10 passed as a relation from n10
        // to n10 (found by the differential test, shape "undirected triangle walk": solving from
        // the node and from the relation gave different solutions, so counts went negative).
        const bool aSet = bool(a), bSet = bool(b);
        if (aSet && bSet)
            return (endpointIs(element->start(), a) && endpointIs(element->end(), b)) ||
                   (endpointIs(element->end(), a) && endpointIs(element->start(), b));
        if (aSet) return endpointIs(element->start(), a) || endpointIs(element->end(), a);
        if (bSet) return endpointIs(element->start(), b) || endpointIs(element->end(), b);
        return true;
    }
    for (int r : s.relations) {
        if (r == skip || !partial.slots[r]) continue;
        const Slot& rs = plan_.slots[r];
        const Element& rel = *partial.slots[r];
        if (rs.directed) {
            if (rs.startSlot == slot && rel.start() != element->ref) return false;
            if (rs.endSlot == slot && rel.end() != element->ref) return false;
        } else {
            if (rel.start() != element->ref && rel.end() != element->ref) return false;
            // The other end, when assigned, must be the relation's other endpoint.
            int other = rs.startSlot == slot ? rs.endSlot : rs.startSlot;
            const ElementPtr& o = other == slot ? nullptr : partial.slots[other];
            if (o && !((rel.start() == element->ref && rel.end() == o->ref) || (rel.end() == element->ref && rel.start() == o->ref)))
                return false;
        }
    }
    return true;
}

void Solver::candidates(int slot, int parent, const Solution& partial, std::vector<ElementPtr>& out) {
    out.clear();
    const Slot& s = plan_.slots[slot];
    const ElementPtr& from = partial.slots[parent];
    if (!from) return;
    if (s.isRelation) {
        // From a node to a relation touching it.
        if (s.directed) {
            if (s.startSlot == parent) index_.relationsByStart(slot, *from, out);
            else index_.relationsByEnd(slot, *from, out);
        } else {
            index_.relationsByStart(slot, *from, out);
            size_t n = out.size();
            index_.relationsByEnd(slot, *from, out);
            // A self-loop would appear twice.
            for (size_t i = n; i < out.size();) {
                bool dup = false;
                for (size_t j = 0; j < n; ++j)
                    if (out[j]->ref == out[i]->ref) { dup = true; break; }
                if (dup) out.erase(out.begin() + i);
                else ++i;
            }
        }
        // (a)-[r]->(a), (a)-[r]-(a): only a relation from the node to itself.
        if (s.startSlot == s.endSlot)
            out.erase(std::remove_if(out.begin(), out.end(), [](const ElementPtr& r) { return r->start() != r->end(); }),
                      out.end());
        return;
    }
    // From a relation to one of its end nodes.
    const Slot& rs = plan_.slots[parent];
    const Element& rel = *from;
    auto add = [&](const ElementRef& ref) {
        if (ElementPtr e = index_.getSlotElement(slot, ref)) {
            for (const auto& x : out)
                if (x->ref == e->ref) return;
            out.push_back(std::move(e));
        }
    };
    if (rs.startSlot == slot && rs.endSlot == slot) {
        // (a)-[r]->(a) from r: its node only if it starts and ends there. Checking one end alone
        // matched r9 from n0 to n7 with a = n7 (differential test, shape "self loop").
        if (rel.start() == rel.end()) add(rel.start());
        return;
    }
    if (rs.directed) {
        if (rs.startSlot == slot) add(rel.start());
        if (rs.endSlot == slot) add(rel.end());
        return;
    }
    int other = rs.startSlot == slot ? rs.endSlot : rs.startSlot;
    const ElementPtr& o = other == slot ? nullptr : partial.slots[other];
    if (o) {
        if (rel.start() == o->ref) add(rel.end());
        if (rel.end() == o->ref) add(rel.start());
    } else {
        add(rel.start());
        add(rel.end());
    }
}

void Solver::extend(size_t step, int anchorSlot, Solution& partial, std::vector<Solution>& out) {
    const auto& order = plan_.visitOrder[anchorSlot];
    if (step == order.size()) {
        if (scratch_.spare.empty()) {
            out.push_back(partial);
        } else {
            out.push_back(std::move(scratch_.spare.back()));
            scratch_.spare.pop_back();
            out.back().slots.assign(partial.slots.begin(), partial.slots.end());
        }
        sealSolution(plan_, out.back());
        return;
    }
    auto [slot, parent] = order[step];
    std::vector<ElementPtr>& found = scratch_.found[step];
    candidates(slot, parent, partial, found);
    bool any = false;
    for (const ElementPtr& c : found) {
        if (!consistent(slot, c, partial, parent)) continue;
        any = true;
        partial.slots[slot] = c;
        extend(step + 1, anchorSlot, partial, out);
    }
    partial.slots[slot] = nullptr;
    found.clear();
    if (!any && plan_.slots[slot].optional) extend(step + 1, anchorSlot, partial, out);
}

namespace {

/// Keeps the first solution of each signature, in order. An element that fits several slots (a node
/// labelled both Room and Floor on a self-loop) reaches the same solution once per slot.
void dropDuplicates(std::vector<Solution>& solutions) {
    if (solutions.size() < 2) return;
    auto keep = [&](auto&& isNew) {
        solutions.erase(std::remove_if(solutions.begin(), solutions.end(),
                                       [&](const Solution& s) { return !isNew(s.signature); }),
                        solutions.end());
    };
    if (solutions.size() <= 16) {  // the usual case: a few solutions, no set to allocate
        uint64_t seen[16];
        size_t n = 0;
        keep([&](uint64_t sig) {
            for (size_t i = 0; i < n; ++i)
                if (seen[i] == sig) return false;
            seen[n++] = sig;
            return true;
        });
        return;
    }
    std::set<uint64_t> seen;
    keep([&](uint64_t sig) { return seen.insert(sig).second; });
}

/// Whether optional group `g` is matched in `s` (partly matched groups are blanked already).
bool groupMatched(const Plan& plan, int groups, int g, const Solution& s) {
    if (groups == 1) return !s.blank;  // kept by sealSolution
    for (const Slot& slot : plan.slots)
        if (slot.optional && slot.optionalGroup == g && s.slots[slot.index]) return true;
    return false;
}

/// Drops the solutions where optional group `g` matched nothing while another solution with the
/// same bindings before it (mandatory slots and groups before `g`) has it matched.
void dropUnmatchedGroup(const Plan& plan, int groups, int g, std::vector<Solution>& solutions) {
    auto earlierKey = [&](const Solution& s) {
        if (g == 0) return s.mandatoryKey;  // kept by sealSolution
        uint64_t key = 0x7373;
        for (const Slot& slot : plan.slots) {
            if (slot.optional && slot.optionalGroup >= g) continue;
            const ElementPtr& e = s.slots[slot.index];
            key = mixHash(key, (e ? e->identityHash() : 0) + uint64_t(slot.index));
        }
        return key;
    };
    std::set<uint64_t> matched;
    for (const Solution& s : solutions)
        if (groupMatched(plan, groups, g, s)) matched.insert(earlierKey(s));
    if (matched.empty()) return;
    solutions.erase(std::remove_if(solutions.begin(), solutions.end(),
                                   [&](const Solution& s) {
                                       return !groupMatched(plan, groups, g, s) && matched.count(earlierKey(s));
                                   }),
                    solutions.end());
}

}  // namespace

const ElementPtr& existsWitness() {
    static const ElementPtr witness = [] {
        auto e = Element::make(ElementKind::Node);
        e->ref = {"$exists", "match"};
        return ElementPtr(std::move(e));
    }();
    return witness;
}

void normalizeOptional(const Plan& plan, std::vector<Solution>& solutions) {
    if (plan.hasOptional) {
        int groups = 0;
        for (const Slot& s : plan.slots) groups = std::max(groups, s.optionalGroup + 1);
        // A pattern predicate's group (existential) is one placeholder in its first slot when it
        // matched, whatever matched it, so that every match gives the same solution (collapsed
        // below by signature).
        auto collapse = [&](Solution& s) {
            int witnessGroup = -1;
            bool matched = false;
            for (const Slot& slot : plan.slots) {
                if (!slot.existential) continue;
                if (slot.optionalGroup != witnessGroup) {  // the group's first slot: its witness
                    witnessGroup = slot.optionalGroup;
                    matched = s.slots[slot.index] != nullptr;
                    s.slots[slot.index] = matched ? existsWitness() : nullptr;
                    continue;
                }
                s.slots[slot.index] = nullptr;
            }
        };
        // Blank out every partly matched optional group, then, clause by clause, drop the rows
        // where an OPTIONAL MATCH matched nothing whose earlier bindings have a row where it
        // matched (below).
        for (Solution& s : solutions) {
            for (int g = 0; g < groups; ++g) {
                bool some = false, all = true, exists = false;
                for (const Slot& slot : plan.slots) {
                    if (slot.optionalGroup != g) continue;
                    exists = true;
                    if (s.slots[slot.index]) some = true;
                    else all = false;
                }
                if (exists && some && !all)
                    for (const Slot& slot : plan.slots)
                        if (slot.optionalGroup == g) s.slots[slot.index] = nullptr;
            }
            collapse(s);
            sealSolution(plan, s);
        }
        // OPTIONAL MATCH clauses apply in order (openCypher): clause g adds its matches to each
        // row of the clauses before it, or nulls when it has none. So a row where group g is
        // null is kept only if no row with the same earlier bindings (the mandatory slots and
        // those of groups before g) has group g matched. With one clause that is "drop the blank
        // row of a binding that has a complete one"; with two, comparing whole-blank rows only
        // kept (i, null, r) beside (i, p, r) once a relation toward a missing p was inserted.
        for (int g = 0; g < groups; ++g) dropUnmatchedGroup(plan, groups, g, solutions);
    }
    dropDuplicates(solutions);
}

}  // namespace cq::query
