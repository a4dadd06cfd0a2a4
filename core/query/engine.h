// SPDX-License-Identifier: MIT
// cq::Engine: the public C++ facade. It hosts any number of continuous queries over one storage
// backend; every change (or batch) is applied to every query inside one storage transaction and
// returns each query's result diff. Single-threaded: call it from one thread (the event loop).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/interface/storage.h"
#include "core/model/element.h"
#include "core/model/json.h"

namespace cq {

/// A query registration, as in the scenario format's "queries" entries.
struct QueryConfig {
    std::string id;
    std::string cypher;
    Json joins = Json::array();           ///< [{"id": "REL", "keys": [{"label", "property"}, ...]}]
    Json middleware = Json::array();      ///< [{"kind", "name", "config"}]
    Json sourcePipelines = Json::object();///< {"SourceId": ["name", ...]}
    Json pipeline = Json::array();        ///< the single-source shorthand

    static QueryConfig fromJson(const Json& j);  ///< throws Error(InvalidConfig)
    Json toJson() const;
};

enum class DiffKind : uint8_t { Add, Update, Remove, Aggregation };

/// One row change, shaped like the scenario format's DIFF.
struct Diff {
    DiffKind kind = DiffKind::Add;
    std::optional<Map> before;  ///< Update, Remove, Aggregation (null for a new group)
    std::optional<Map> after;   ///< Add, Update, Aggregation
    /// Aggregation only: the grouping keys' column names (shared with the query's plan).
    std::shared_ptr<const std::vector<std::string>> groupingKeys;
    /// *groupingKeys, or an empty list when it is null.
    const std::vector<std::string>& groupingKeyList() const;
    Json toJson() const;
    /// Appends toJson().dump()'s text (with invalid UTF-8 replaced) without building the DOM: the
    /// C ABI's hot calls return diffs this way.
    void appendJson(std::string& out) const;
};

/// What one query made of one change (or batch, or fired futures).
struct QueryOutput {
    std::string queryId;
    std::vector<Diff> diffs;
    std::optional<Error> error;  ///< the change was rejected for this query; its state is unchanged
};

struct EngineOptions {
    /// The host's clock (ms since the epoch) for timestamp() and datetime() without arguments.
    std::function<int64_t()> wallClock;
    /// Keep every element version for drasi.getVersionByTimestamp / getVersionsByTimeRange.
    bool archive = true;
};

namespace query {
class ContinuousQuery;
}

class Engine {
public:
    /// Opens an engine over `storage`, restoring every query the storage already holds.
    explicit Engine(std::unique_ptr<StorageBackend> storage, EngineOptions options = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// Parses, binds and stores a query. Throws Error (ParseError with line/column, UnknownFunction,
    /// InvalidArgumentCount, InvalidConfig, DuplicateQuery, ...). A new query starts empty: changes
    /// applied before it was registered are not replayed.
    void registerQuery(const QueryConfig& config);
    void removeQuery(const std::string& id);
    std::vector<std::string> queryIds() const;
    const QueryConfig& queryConfig(const std::string& id) const;

    /// Applies one change to every query in one transaction. A query whose evaluation fails
    /// reports `error` and keeps its previous state; the others still apply the change. Throws
    /// only for storage failures (then nothing of the change is kept).
    /// With `checkpoint`, also stores it (the host's source position, e.g. a line number) in the
    /// same transaction, so after a crash checkpoint() says exactly which changes were kept.
    std::vector<QueryOutput> applyChange(const Change& change, const std::string* checkpoint = nullptr);
    /// Applies changes in order in one transaction; diffs are concatenated per query.
    std::vector<QueryOutput> applyBatch(const std::vector<Change>& changes, const std::string* checkpoint = nullptr);
    /// The checkpoint stored with the last committed change, if any.
    std::optional<std::string> checkpoint();

    /// The earliest time a query asked to be re-evaluated at, or empty.
    std::optional<int64_t> nextDueTime();
    /// Fires every future item due at or before `now` (and only those), in due order, in one
    /// transaction.
    std::vector<QueryOutput> advanceTime(int64_t now);

    /// The current result set of a query (rows keyed by their signature).
    std::vector<Map> currentResults(const std::string& id);

    StorageBackend& storage() { return *storage_; }

private:
    std::vector<QueryOutput> applyInTransaction(const Change* changes, size_t count, const std::string* checkpoint);

    std::unique_ptr<StorageBackend> storage_;
    EngineOptions options_;
    /// The queries in registration order, the order outputs are reported in. A change walks it
    /// and looks none up by id (a std::map by id, looked up per query per change, was 1.7% of a
    /// 1-hop change in wasm, profile); registering, removing and reading a query find it by id.
    std::vector<std::unique_ptr<query::ContinuousQuery>> queries_;
    /// The query of `id`, or queries_.end().
    std::vector<std::unique_ptr<query::ContinuousQuery>>::const_iterator find(const std::string& id) const;
};

}  // namespace cq
