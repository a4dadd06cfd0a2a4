// SPDX-License-Identifier: MIT
#include "storage/factory/open_storage.h"

#include "core/common/error.h"
#include "storage/memory/memory_backend.h"
#if CQ_HAVE_SQLITE
#include "storage/sqlite/sqlite_backend.h"
#endif

namespace cq {

std::unique_ptr<StorageBackend> openStorage(const std::string& kind, const std::string& path,
                                            const StorageTuning& tuning) {
    if (kind == "memory") return makeMemoryBackend();
#if CQ_HAVE_SQLITE
    if (kind == "sqlite") {
        SqliteOptions options;
        options.foldBytes = tuning.sqliteFoldBytes;
        return makeSqliteBackend(path.empty() ? ":memory:" : path, options);
    }
#endif
    (void)path;
    (void)tuning;
    throw Error(ErrorCode::InvalidConfig, "unknown storage '" + kind + "' (this build has: memory" +
#if CQ_HAVE_SQLITE
                                              ", sqlite" +
#endif
                                              std::string(")"));
}

std::vector<std::string> storageKinds() {
#if CQ_HAVE_SQLITE
    return {"memory", "sqlite"};
#else
    return {"memory"};
#endif
}

}  // namespace cq
