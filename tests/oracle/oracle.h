// SPDX-License-Identifier: MIT
// The from-scratch oracle of the differential test: given a query and the whole current graph, it
// computes the full result set by brute force (every element tried in every pattern slot, no element
// index, no accumulators), so that the engine's incremental diffs can be checked against it. It
// shares only the parser, the binder and the scalar evaluator with the engine; aggregates are folded
// here over each group's rows, and drasi.trueFor is answered from how long the condition has held
// across successive calls (the caller must call results() after every change and every clock move).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/cypher/ast.h"
#include "core/eval/evaluator.h"
#include "core/model/element.h"
#include "core/model/json.h"
#include "core/query/plan.h"

namespace cq::oracle {

class Oracle : public eval::FunctionHooks {
public:
    /// `joins` as in the scenario format: [{"id", "keys": [{"label", "property"}, ...]}].
    /// Throws cq::Error for invalid Cypher or joins.
    explicit Oracle(const std::string& cypher, const Json& joins = Json::array());

    /// The query's result over `graph` (nodes and relations; a relation whose end node is absent
    /// matches nothing) at query time `now` (ms). An aggregating last part gives one row per
    /// non-empty group.
    std::vector<Map> results(const std::vector<ElementPtr>& graph, int64_t now);

    /// Whether the last part aggregates, and its grouping columns.
    bool aggregatingResult() const;
    const std::vector<std::string>& groupingKeys() const;
    /// The row an emptied group shows (count 0, sum and avg 0.0, min/max null, collect []), given a
    /// row holding the group's grouping values. Aggregate columns may only use aggregate calls.
    Map emptyGroupRow(const Map& groupValues);

    Value callEngineFunction(const cypher::Expr& call, eval::EvalContext& ctx) override;

private:
    struct Row {
        std::vector<Value> frame;
        std::string key;  ///< identity of the row for time-based functions (its elements, or its group)
    };
    void solve(const std::vector<ElementPtr>& graph, std::vector<Row>& rows);
    std::vector<ElementPtr> withJoinRelations(const std::vector<ElementPtr>& graph) const;
    bool fits(const query::Slot& slot, const ElementPtr& e);
    bool relationConsistent(const query::Slot& rel, const std::vector<ElementPtr>& assigned) const;
    void assign(const std::vector<int>& order, size_t step, std::vector<ElementPtr>& assigned,
                const std::vector<std::vector<ElementPtr>>& candidates, std::vector<std::vector<ElementPtr>>& out);
    std::vector<Row> runPart(size_t index, std::vector<Row>& in, std::vector<Map>* finalRows);
    eval::EvalContext context(std::vector<Value>& frame);
    Value aggregate(const cypher::Expr& call, eval::EvalContext& ctx);
    Value trueFor(const cypher::Expr& call, eval::EvalContext& ctx);
    /// drasi.trueLater, drasi.trueUntil and drasi.trueNowOrLater.
    Value trueAt(const cypher::Expr& call, eval::EvalContext& ctx);

    struct Join {
        std::string id;
        std::vector<std::pair<std::string, std::string>> keys;  ///< (label, property)
    };

    cypher::Query ast_;
    query::Plan plan_;
    std::vector<Join> joins_;
    int64_t now_ = 0;

    // Evaluation state of the row or group being evaluated.
    const std::vector<Row>* group_ = nullptr;  ///< the group an aggregate folds over
    size_t partIndex_ = 0;
    const std::string* rowKey_ = nullptr;
    /// drasi.trueFor: since when each (call site, part, row) has seen its condition true, as of
    /// the previous results() call, and as of the current one.
    std::map<std::string, int64_t> trueSince_, trueSinceNext_;
};

}  // namespace cq::oracle
