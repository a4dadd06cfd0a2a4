// SPDX-License-Identifier: MIT
// One registered continuous query: turns each source change into the exact diff of its result.
// For a change to element e it finds the solutions containing e before and after the change (through
// the element index, never by rescanning), diffs them by solution signature, and runs the resulting
// row changes through the parts (WHERE, projection, aggregation with incremental accumulators).
// Runs inside the transaction the Engine opened; see core/query/ARCHITECTURE.md.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/eval/evaluator.h"
#include "core/interface/storage.h"
#include "core/query/engine.h"
#include "core/query/plan.h"
#include "core/query/solver.h"

namespace cq::mw {
class Pipelines;
}

namespace cq::query {

/// A row entering or leaving a part: the frame of its variables and a stable key.
struct RowChange {
    enum class Kind : uint8_t { Add, Remove, Update } kind = Kind::Add;
    std::vector<Value> before, after;
    uint64_t beforeKey = 0, afterKey = 0;
};

struct JoinSpec {
    std::string id;  ///< the relation label the join creates
    struct Key {
        std::string label, property;
    };
    std::vector<Key> keys;
};

class ContinuousQuery : public eval::FunctionHooks {
public:
    /// Parses and binds; throws Error on invalid Cypher, joins or middleware.
    ContinuousQuery(QueryConfig config, QueryStore store, const EngineOptions& options);
    ~ContinuousQuery() override;

    const QueryConfig& config() const { return config_; }

    /// Applies one source change (before middleware) and returns the diffs. Throws on evaluation
    /// errors; the caller rolls back this query's savepoint.
    std::vector<Diff> processChange(const Change& change);
    /// A hint that processChange(change) comes next: starts loading the element's index slot.
    void prefetch(const Change& change);
    /// Re-evaluates the solutions a due future item points at.
    std::vector<Diff> processFuture(const FutureItem& item);
    std::optional<int64_t> nextDueTime() { return store_.futures->peekDueTime(); }
    FutureQueue& futures() { return *store_.futures; }

    Value callEngineFunction(const cypher::Expr& call, eval::EvalContext& ctx) override;

private:
    void applyElementChange(const Change& change, std::vector<Diff>& out);
    void applyJoins(const ElementPtr& before, const ElementPtr& after, int64_t time, std::vector<Change>& pre,
                    std::vector<Change>& post);
    /// The slots `e` fits, into `slots` (returned).
    const std::vector<int>& affinity(const ElementPtr& element, std::vector<int>& slots);
    /// Whether `neu`, the new version of `old` (whose affinity is in oldSlots_), has exactly old's
    /// solutions with itself in old's place.
    bool sameSolutions(const Element& old, const Element& neu, const std::vector<int>& newSlots) const;
    /// A solution's frame: its elements in the variables' order.
    std::vector<Value> frameOf(const Solution& s);
    /// The row changes between two sets of solutions, matched by signature.
    void diffSolutions(const std::vector<Solution>& before, const std::vector<Solution>& after,
                       std::vector<RowChange>& rows);
    /// Moves a block from framePool_, when there is one, into `frame` (empty and without a block).
    void reuseFrame(std::vector<Value>& frame);
    /// A frame of `size` nulls, in a block from framePool_ when there is one.
    std::vector<Value> takeFrame(size_t size);
    /// Gives a frame's block back to framePool_ (its values released).
    void recycleFrame(std::vector<Value>& frame);
    void solutionsOf(const ElementPtr& e, std::vector<struct Solution>& out, std::vector<std::pair<int, ElementPtr>>& anchors,
                     bool collectAnchorsOnly);
    void runParts(std::vector<RowChange>& rows, std::vector<Diff>& out);
    void runPart(size_t index, std::vector<RowChange>& in, std::vector<RowChange>& out, bool last,
                 std::vector<Diff>& diffs);
    void runAggregatingPart(size_t index, std::vector<RowChange>& in, std::vector<RowChange>& out, bool last,
                            std::vector<Diff>& diffs);
    void runDistinctPart(size_t index, std::vector<RowChange>& in, std::vector<RowChange>& out, bool last,
                         std::vector<Diff>& diffs);
    void runUnwindPart(size_t index, std::vector<RowChange>& in, std::vector<RowChange>& out);
    /// The row `part` makes of its item values (column-name order).
    static Map rowOf(const Part& part, const std::vector<Value>& values);
    /// `before`: the row as it was (evaluated with the before-clock).
    bool passesWhere(const Part& part, std::vector<Value>& frame, eval::Mode mode, uint64_t group, uint64_t input,
                     bool before);
    /// The part's item values, in item order, into `values` (the next part's frame). `lenient`: an
    /// item whose evaluation fails is null (an emptied group's row) instead of failing the change.
    void evaluateItems(const Part& part, std::vector<Value>& frame, eval::Mode mode, uint64_t group, uint64_t input,
                       bool before, std::vector<Value>& values, bool lenient = false);
    /// Applies or reverts (`mode`) one row's contributions to an aggregating part's accumulators.
    void applyContributions(const Part& part, std::vector<Value>& frame, eval::Mode mode, uint64_t group,
                            uint64_t input, bool before);
    /// The part's row (its items by column name); the item values also go to `nextFrame` if given.
    Map project(const Part& part, std::vector<Value>& frame, eval::Mode mode, uint64_t group, uint64_t input,
                bool before, std::vector<Value>* nextFrame, bool lenient = false);
    /// Whether two item-value vectors of `part` make equal rows (as rowsEqual of the rows).
    static bool itemsEqual(const Part& part, const std::vector<Value>& a, const std::vector<Value>& b);
    eval::EvalContext context(std::vector<Value>& frame, eval::Mode mode, uint64_t group, uint64_t input, bool before);
    void recordLive(const Diff& d, uint64_t beforeKey, uint64_t afterKey);

    // Engine-implemented functions (aggregates.cpp, future_functions.cpp).
    Value aggregate(const cypher::Expr& call, eval::EvalContext& ctx);
    Value timeFunction(const cypher::Expr& call, eval::EvalContext& ctx);
    Value pastFunction(const cypher::Expr& call, eval::EvalContext& ctx);

    QueryConfig config_;
    QueryStore store_;
    EngineOptions options_;
    cypher::Query ast_;
    Plan plan_;
    std::vector<JoinSpec> joins_;
    std::unique_ptr<mw::Pipelines> middleware_;

    // Per-change evaluation state.
    fn::CallContext clock_;        ///< the clock of the "after" side
    fn::CallContext clockBefore_;  ///< the clock of the "before" side (Drasi's before-clock)
    const ElementRef* anchor_ = nullptr;
    bool futureReprocess_ = false;
    std::vector<Value> projectScratch_;  ///< project()'s item values when there is no next frame
    SolverScratch solverScratch_;        ///< reused by every Solver of this query
    std::vector<Solution> solvedBefore_, solvedAfter_;  ///< applyElementChange's solutions
    std::vector<RowChange> rowScratch_;                 ///< applyElementChange's row changes
    std::vector<RowChange> partRows_[2];                ///< runParts' lists between parts
    /// A group an aggregating part's input touched (runAggregatingPart).
    struct GroupTouch {
        uint64_t group = 0;
        Map before;
        std::vector<Value> beforeFrame;           ///< the next part's frame for `before`
        std::vector<Value>* lastFrame = nullptr;  ///< the input frame (in `in`) that touched the group last
        uint64_t lastInput = 0;
        int64_t countBefore = 0;
        int64_t rowDelta = 0;    ///< rows added minus rows removed (stored once, at the end)
        bool adding = false;
        bool reentered = false;  ///< first touched by a row re-entering the WHERE (before is null)
    };
    std::vector<GroupTouch> touches_;
    /// Empty frames with their blocks: a change's row frames are made and dropped in every part
    /// (four heap blocks a change of the 1-hop query), so runParts gives them back here.
    std::vector<std::vector<Value>> framePool_;
    std::vector<int> oldSlots_, newSlots_;              ///< affinity of the old and new element
    /// No slot has an inline predicate: an element's affinity is its kind and labels alone, so the
    /// slots the index stored it with are its affinity (no predicate is skipped by reading them).
    bool storedSlotsAreAffinity_ = false;
    std::vector<Value> predicateFrame_;
    /// (site, part) of every time function in the parts' WHERE and items, sorted by site
    /// (FutureItem::position): an item is scheduled for one input row of that part.
    std::vector<std::pair<uint32_t, uint32_t>> futureSiteParts_;
    /// While a future is re-evaluated: the part of its time function, and the key of the one input
    /// row of that part it runs (-1: every row, for a site outside the parts' WHERE and items).
    int futureRowPart_ = -1;
    uint64_t futureRowKey_ = 0;
};

}  // namespace cq::query
