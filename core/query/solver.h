// SPDX-License-Identifier: MIT
// The path solver: given one element placed in one slot, lists every complete solution (an element,
// or null for an empty OPTIONAL MATCH, per slot) that contains it, by walking the element index
// outward from that anchor. Never scans the graph.
#pragma once
#include <cstdint>
#include <vector>

#include "core/interface/storage.h"
#include "core/query/plan.h"

namespace cq::query {

struct Solution {
    std::vector<ElementPtr> slots;  ///< null = unmatched optional slot
    uint64_t signature = 0;         ///< identifies the solution: hash of (slot, element ref) pairs
    uint64_t mandatoryKey = 0;      ///< hash of the mandatory slots only
    bool blank = false;             ///< every optional slot is null
};

/// Signature and keys of a complete assignment.
void sealSolution(const Plan& plan, Solution& s);

/// Buffers a Solver reuses, kept by its owner across changes so that solving allocates only the
/// solutions it returns (before: a slot vector per solveFrom and a candidate vector per step, 4-6
/// heap blocks per change of a 1-hop query).
struct SolverScratch {
    Solution partial;
    std::vector<std::vector<ElementPtr>> found;  ///< candidates, by step
    /// Emptied solutions whose slot vectors keep their blocks: a solution is copied out of
    /// `partial` into one of these (a heap block a solution less). Owners give solutions they are
    /// done with back through recycle().
    std::vector<Solution> spare;
    void recycle(std::vector<Solution>& solutions);
};

class Solver {
public:
    Solver(const Plan& plan, ElementIndex& index, SolverScratch& scratch)
        : plan_(plan), index_(index), scratch_(scratch) {}

    /// Appends every solution with `anchor` in `anchorSlot`. Solutions whose OPTIONAL MATCH groups
    /// are only partly matched are returned as is; normalizeOptional() sorts them out.
    void solveFrom(int anchorSlot, const ElementPtr& anchor, std::vector<Solution>& out);

private:
    void extend(size_t step, int anchorSlot, Solution& partial, std::vector<Solution>& out);
    void candidates(int slot, int parent, const Solution& partial, std::vector<ElementPtr>& out);
    bool consistent(int slot, const ElementPtr& element, const Solution& partial, int skip) const;

    const Plan& plan_;
    ElementIndex& index_;
    SolverScratch& scratch_;
};

/// The placeholder a matched pattern predicate's witness slot holds (see Slot::existential).
const ElementPtr& existsWitness();

/// openCypher OPTIONAL MATCH semantics: an optional group is matched entirely or not at all, and a
/// mandatory binding with no complete optional match yields one row with the group null.
/// Also drops duplicate solutions (same signature), with or without OPTIONAL MATCH.
void normalizeOptional(const Plan& plan, std::vector<Solution>& solutions);

}  // namespace cq::query
