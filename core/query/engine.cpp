// SPDX-License-Identifier: MIT
#include "core/query/engine.h"

#include <algorithm>
#include <chrono>

#include "core/model/json_writer.h"
#include "core/query/continuous_query.h"

namespace cq {

namespace {

int64_t systemClock() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool isStorageError(ErrorCode c) { return int(c) >= 30 && int(c) < 40; }

const char* diffKindName(DiffKind k) {
    switch (k) {
        case DiffKind::Add: return "add";
        case DiffKind::Update: return "update";
        case DiffKind::Remove: return "remove";
        case DiffKind::Aggregation: return "aggregation";
    }
    return "add";
}

Json rowToJson(const Map& row) {
    Json out = Json::object();
    for (const auto& [k, v] : row) out[k] = valueToJson(v);
    return out;
}

}  // namespace

QueryConfig QueryConfig::fromJson(const Json& j) {
    if (!j.is_object()) throw Error(ErrorCode::InvalidConfig, "a query must be a JSON object");
    QueryConfig c;
    if (!j.contains("id") || !j["id"].is_string() || j["id"].get<std::string>().empty())
        throw Error(ErrorCode::InvalidConfig, "a query needs a non-empty string \"id\"");
    if (!j.contains("cypher") || !j["cypher"].is_string())
        throw Error(ErrorCode::InvalidConfig, "query '" + j["id"].get<std::string>() + "' needs a string \"cypher\"");
    c.id = j["id"].get<std::string>();
    c.cypher = j["cypher"].get<std::string>();
    if (j.contains("joins") && !j["joins"].is_null()) c.joins = j["joins"];
    if (j.contains("middleware") && !j["middleware"].is_null()) c.middleware = j["middleware"];
    if (j.contains("source_pipelines") && !j["source_pipelines"].is_null()) c.sourcePipelines = j["source_pipelines"];
    if (j.contains("pipeline") && !j["pipeline"].is_null()) c.pipeline = j["pipeline"];
    return c;
}

Json QueryConfig::toJson() const {
    return Json{{"id", id}, {"cypher", cypher}, {"joins", joins}, {"middleware", middleware},
                {"source_pipelines", sourcePipelines}, {"pipeline", pipeline}};
}

const std::vector<std::string>& Diff::groupingKeyList() const {
    static const std::vector<std::string> none;
    return groupingKeys ? *groupingKeys : none;
}

Json Diff::toJson() const {
    Json out = {{"kind", diffKindName(kind)}};
    if (kind != DiffKind::Add) out["before"] = before ? rowToJson(*before) : Json(nullptr);
    if (kind != DiffKind::Remove) out["after"] = after ? rowToJson(*after) : Json(nullptr);
    if (kind == DiffKind::Aggregation) out["grouping_keys"] = groupingKeyList();
    return out;
}

// Keys in byte order, as nlohmann's objects keep them: after, before, grouping_keys, kind.
void Diff::appendJson(std::string& out) const {
    out += '{';
    if (kind != DiffKind::Remove) {
        out += "\"after\":";
        if (after) writeMapJson(out, *after);
        else out += "null";
        out += ',';
    }
    if (kind != DiffKind::Add) {
        out += "\"before\":";
        if (before) writeMapJson(out, *before);
        else out += "null";
        out += ',';
    }
    if (kind == DiffKind::Aggregation) {
        out += "\"grouping_keys\":[";
        const std::vector<std::string>& keys = groupingKeyList();
        for (size_t i = 0; i < keys.size(); ++i) {
            if (i) out += ',';
            writeJsonString(out, keys[i]);
        }
        out += "],";
    }
    out += "\"kind\":\"";
    out += diffKindName(kind);
    out += "\"}";
}

Engine::Engine(std::unique_ptr<StorageBackend> storage, EngineOptions options)
    : storage_(std::move(storage)), options_(std::move(options)) {
    if (!options_.wallClock) options_.wallClock = systemClock;
    for (const StoredQuery& stored : storage_->storedQueries()) {
        QueryConfig config = QueryConfig::fromJson(parseJson(stored.configJson));
        queries_.push_back(std::make_unique<query::ContinuousQuery>(config, storage_->openQuery(config.id), options_));
    }
}

Engine::~Engine() = default;

std::vector<std::unique_ptr<query::ContinuousQuery>>::const_iterator Engine::find(const std::string& id) const {
    return std::find_if(queries_.begin(), queries_.end(), [&](const auto& q) { return q->config().id == id; });
}

void Engine::registerQuery(const QueryConfig& config) {
    if (find(config.id) != queries_.end()) throw Error(ErrorCode::DuplicateQuery, "query '" + config.id + "' is already registered");
    TransactionGuard tx(*storage_);
    QueryStore store = storage_->openQuery(config.id);
    auto q = std::make_unique<query::ContinuousQuery>(config, store, options_);
    storage_->saveQuery(StoredQuery{config.id, config.toJson().dump()});
    tx.commit();
    queries_.push_back(std::move(q));
}

void Engine::removeQuery(const std::string& id) {
    auto it = find(id);
    if (it == queries_.end()) throw Error(ErrorCode::UnknownQuery, "no query '" + id + "'");
    TransactionGuard tx(*storage_);
    storage_->dropQuery(id);
    tx.commit();
    queries_.erase(it);
}

std::vector<std::string> Engine::queryIds() const {
    std::vector<std::string> ids;
    for (const auto& q : queries_) ids.push_back(q->config().id);
    return ids;
}

const QueryConfig& Engine::queryConfig(const std::string& id) const {
    auto it = find(id);
    if (it == queries_.end()) throw Error(ErrorCode::UnknownQuery, "no query '" + id + "'");
    return (*it)->config();
}

namespace {

/// What makes a change one no source could mean, or null: an element without a ref, or a relation
/// without ends. (source, id) is an element's identity, so empty ones would make every such element
/// the same element.
const char* invalidChange(const Change& change) {
    const Element* e = change.element.get();
    if (!e) return "a change has no element";
    if (e->ref.id.empty() || e->ref.source.empty()) return "an element needs a non-empty \"source\" and \"id\"";
    if (e->isRelation() && change.op != ChangeOp::Delete &&
        (e->start().id.empty() || e->end().id.empty() || e->start().source.empty() || e->end().source.empty()))
        return "a relation needs a non-empty \"start\" and \"end\"";
    return nullptr;
}

}  // namespace

std::vector<QueryOutput> Engine::applyChange(const Change& change, const std::string* checkpoint) {
    return applyInTransaction(&change, 1, checkpoint);  // no one-element vector to copy it into
}

std::vector<QueryOutput> Engine::applyBatch(const std::vector<Change>& changes, const std::string* checkpoint) {
    return applyInTransaction(changes.data(), changes.size(), checkpoint);
}

std::optional<std::string> Engine::checkpoint() { return storage_->getMeta("checkpoint"); }

// One transaction for the whole batch; one savepoint per (change, query), so a query that rejects
// a change keeps its state while the others apply it. Storage errors abort everything.
std::vector<QueryOutput> Engine::applyInTransaction(const Change* changes, size_t count, const std::string* checkpoint) {
    // Every reader (JSON, the fast line reader, the binary crossing) and every C++ caller comes
    // through here, so the checks that need no parse live here once. A batch is rejected whole,
    // before its transaction starts.
    for (size_t i = 0; i < count; ++i)
        if (const char* why = invalidChange(changes[i])) {
            std::string message = why;
            if (count > 1) message += " (change " + std::to_string(i + 1) + " of the batch)";
            throw Error(ErrorCode::InvalidChange, message);
        }
    std::vector<QueryOutput> outputs(queries_.size());
    for (size_t i = 0; i < queries_.size(); ++i) outputs[i].queryId = queries_[i]->config().id;
    TransactionGuard tx(*storage_);
    for (const Change* change = changes; change != changes + count; ++change) {
        // The next change's index slots load while this one is evaluated: in a batch of 1,000
        // inserts the slot of each new element was a cache miss of its own (perf, 100,000 rooms).
        if (change + 1 != changes + count)
            for (const auto& q : queries_) q->prefetch(change[1]);
        for (size_t i = 0; i < queries_.size(); ++i) {
            query::ContinuousQuery& q = *queries_[i];
            storage_->savepoint();
            try {
                std::vector<Diff> diffs = q.processChange(*change);
                storage_->releaseSavepoint();
                std::vector<Diff>& all = outputs[i].diffs;
                if (all.empty()) all = std::move(diffs);
                else for (Diff& d : diffs) all.push_back(std::move(d));
            } catch (const Error& e) {
                if (isStorageError(e.code())) throw;
                storage_->rollbackToSavepoint();
                if (!outputs[i].error) outputs[i].error = e;
            } catch (const std::exception& e) {
                storage_->rollbackToSavepoint();
                if (!outputs[i].error) outputs[i].error = Error(ErrorCode::Internal, e.what());
            }
        }
    }
    if (checkpoint) storage_->putMeta("checkpoint", *checkpoint);
    tx.commit();
    return outputs;
}

std::optional<int64_t> Engine::nextDueTime() {
    std::optional<int64_t> best;
    for (const auto& q : queries_) {
        auto t = q->nextDueTime();
        if (t && (!best || *t < *best)) best = t;
    }
    return best;
}

std::vector<QueryOutput> Engine::advanceTime(int64_t now) {
    std::vector<QueryOutput> outputs(queries_.size());
    for (size_t i = 0; i < queries_.size(); ++i) outputs[i].queryId = queries_[i]->config().id;
    TransactionGuard tx(*storage_);
    for (;;) {
        // Fire items in due order across queries.
        size_t which = queries_.size();
        int64_t due = 0;
        for (size_t i = 0; i < queries_.size(); ++i) {
            auto t = queries_[i]->nextDueTime();
            if (t && *t <= now && (which == queries_.size() || *t < due)) {
                which = i;
                due = *t;
            }
        }
        if (which == queries_.size()) break;
        query::ContinuousQuery& q = *queries_[which];
        auto item = q.futures().popDue(now);
        if (!item) break;
        storage_->savepoint();
        try {
            std::vector<Diff> diffs = q.processFuture(*item);
            storage_->releaseSavepoint();
            for (Diff& d : diffs) outputs[which].diffs.push_back(std::move(d));
        } catch (const Error& e) {
            if (isStorageError(e.code())) throw;
            storage_->rollbackToSavepoint();
            // The item was popped before the savepoint: a failing future is dropped, not retried
            // forever.
            if (!outputs[which].error) outputs[which].error = e;
        }
    }
    storage_->putMeta("clock", std::to_string(now));
    tx.commit();
    return outputs;
}

std::vector<Map> Engine::currentResults(const std::string& id) {
    queryConfig(id);
    std::vector<std::pair<uint64_t, Map>> rows;
    QueryStore store = storage_->openQuery(id);
    if (store.live) store.live->rows(rows);
    std::vector<Map> out;
    for (auto& r : rows) out.push_back(std::move(r.second));
    return out;
}

}  // namespace cq
