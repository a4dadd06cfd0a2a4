// SPDX-License-Identifier: MIT
// The in-memory storage backend: hash maps per query, no persistence. It is the reference
// implementation of core/interface/storage.h (the SQLite backend runs the same unit suite) and the
// fastest backend. Transactions keep an undo log of small inverse records, so rollback() and
// rollbackToSavepoint() restore the exact previous state without copying anything per change.
#pragma once
#include <memory>

#include "core/interface/storage.h"

namespace cq {

/// A new, empty in-memory backend. Its state lives until the backend is destroyed.
std::unique_ptr<StorageBackend> makeMemoryBackend();

// Point reads that core/ never needs. The SQLite backend keeps its state in a memory backend and
// writes rows from it when it folds its journal. The stores must come from a memory backend's
// openQuery (else Misuse).

/// What the SQLite backend's journal asks of an element index when it writes an element, in the one
/// lookup the write makes: the element replaced (its journal records only what changed) and whether
/// the element was already marked for the next fold (marking it in a set of its own cost 5.9% of a
/// batched 1-hop change's cycles at 10,000 rooms: a second random lookup per write, perf).
class MemoryElementWrites {
public:
    /// setElement(), returning the element replaced (null for an insert). `mark` is non-zero (the
    /// caller's fold generation); `firstMark` tells whether the element's entry did not carry it
    /// yet (it does now). A rollback may clear a mark, never set one.
    virtual ElementPtr setElementMarked(const ElementPtr& element, const std::vector<int>& slots, uint32_t mark,
                                        bool& firstMark) = 0;

protected:
    ~MemoryElementWrites() = default;
};
MemoryElementWrites& memoryElementWrites(ElementIndex& index);

/// The element and its slots (sorted; `slots` is overwritten), or null when absent.
ElementPtr memoryElementWithSlots(ElementIndex& index, const ElementRef& ref, std::vector<int>& slots);
/// Sets `out` to the live row and returns true, or returns false when there is none.
bool memoryLiveRow(LiveResults& live, uint64_t signature, Map& out);

}  // namespace cq
