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

/// The element and its slots (sorted; `slots` is overwritten), or null when absent.
ElementPtr memoryElementWithSlots(ElementIndex& index, const ElementRef& ref, std::vector<int>& slots);
/// Sets `out` to the live row and returns true, or returns false when there is none.
bool memoryLiveRow(LiveResults& live, uint64_t signature, Map& out);

}  // namespace cq
