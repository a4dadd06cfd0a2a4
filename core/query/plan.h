// SPDX-License-Identifier: MIT
// A bound continuous query: the MATCH pattern as slots (one per node or relation position; a repeated
// variable reuses its slot, which is how comma-separated patterns join), and the parts (projection
// and aggregation stages) with every variable resolved to a frame index. Built by binder.cpp.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/cypher/ast.h"

namespace cq::query {

struct Slot {
    int index = 0;
    std::string variable;             ///< empty for an anonymous pattern element
    bool isRelation = false;
    std::vector<std::string> labels;  ///< an element fits when it has any of them (none: any element)
    std::vector<std::string> allLabels;  ///< (n:A:B): and when it has every one of these
    /// Inline {k: v} and (n WHERE ...) predicates, bound to a frame where the element is index 0.
    std::vector<cypher::ExprPtr> predicates;
    int predicateFrame = 1;  ///< frame size the predicates need (comprehension variables)
    bool optional = false;
    int optionalGroup = -1;  ///< the OPTIONAL MATCH clause (or pattern predicate) that introduced the slot
    /// A slot of a pattern predicate's group (`WHERE (a)-[:R]->(b)`): solved like OPTIONAL MATCH,
    /// then collapsed by normalizeOptional to one placeholder in the group's first slot (match) or
    /// nulls (none), so the predicate adds no rows.
    bool existential = false;
    // Relations only: the node slots at either end. For an undirected pattern start/end are just
    // the left and right node slots and `directed` is false.
    int startSlot = -1;
    int endSlot = -1;
    bool directed = true;
    /// Relations only: the other relation slots of the same MATCH clause. openCypher binds distinct
    /// relationships within one clause (relationship isomorphism), so in
    /// `MATCH (a)-[:M]->(t), (b)-[:M]->(t)` a team of one gives no row with a = b.
    std::vector<int> distinctFrom;
    /// Node slots: the relation slots touching this node.
    std::vector<int> relations;
};

struct Item {
    std::string name;  ///< the output column / next part's variable
    cypher::ExprPtr expr;
    bool aggregate = false;  ///< contains an aggregate function call
};

struct Part {
    std::vector<cypher::ExprPtr> where;  ///< ANDed
    std::vector<Item> items;
    bool aggregating = false;
    /// WITH DISTINCT / RETURN DISTINCT over a part that does not aggregate (an aggregating part's
    /// rows are distinct already: one per group).
    bool distinct = false;
    /// UNWIND: the list expression; items pass every variable on, the element comes after them.
    cypher::ExprPtr unwind;
    std::vector<int> groupingItems;  ///< indexes into items
    int frameSize = 0;               ///< input variables + comprehension scratch slots
    /// The grouping items' names, shared with every aggregation Diff the part emits (a vector
    /// of its own per diff was a heap block and a string copy per key, each change).
    std::shared_ptr<const std::vector<std::string>> groupingKeyNames;
    /// Indexes into items in column-name order, the last of repeated names only: the projected
    /// row (a cq::Map, sorted by key) is built from it by appends alone. Inserting the columns in
    /// query order instead cost ~1,200 instructions a change in scenario 1 (entries shifted).
    std::vector<uint32_t> rowOrder;
};

struct Plan {
    std::vector<Slot> slots;
    /// Part 0's frame: slot index of each named variable (frame[i] = element of slots[slotOfVar[i]]).
    std::vector<int> slotOfVar;
    std::vector<Part> parts;
    std::vector<int> mandatorySlots;
    bool hasOptional = false;
    /// For solving from each slot: the order to visit the others (BFS), with the parent of each.
    std::vector<std::vector<std::pair<int, int>>> visitOrder;  ///< [anchor] -> (slot, parent)
    /// Does the query use time-based functions (futures)?
    bool usesFutures = false;
    /// Does the query read element history (drasi.getVersion*)? Only then are versions archived:
    /// the archive grows with every change (about 200 bytes per version for a small element).
    bool usesArchive = false;
};

}  // namespace cq::query
