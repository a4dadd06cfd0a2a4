// SPDX-License-Identifier: MIT
// Picks a storage backend by name, for hosts (CLI, C ABI, tests).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "core/interface/storage.h"

namespace cq {

/// Backend settings a host may pass through (0: the backend's default).
struct StorageTuning {
    int64_t sqliteFoldBytes = 0;  ///< SqliteOptions::foldBytes
};

/// kind: "memory" or "sqlite"; path: the SQLite database file (":memory:" or empty for an in-memory
/// SQLite database). Throws Error(InvalidConfig) for an unknown kind, storage errors on open.
std::unique_ptr<StorageBackend> openStorage(const std::string& kind, const std::string& path,
                                            const StorageTuning& tuning = {});

/// The backends this build has ("memory", "sqlite").
std::vector<std::string> storageKinds();

}  // namespace cq
