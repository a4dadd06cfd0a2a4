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

}  // namespace cq
