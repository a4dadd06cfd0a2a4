// SPDX-License-Identifier: MIT
// The C ABI: thin shims over cq::Engine and the scenario runner. Each shim catches everything and
// turns it into an error response, so no exception crosses into JavaScript.
#include "wasm/cq_api.h"

#include <functional>
#include <memory>
#include <string>

#include "core/common/error.h"
#include "core/query/engine.h"
#include "core/scenario/runner.h"
#include "storage/factory/open_storage.h"

#if defined(__EMSCRIPTEN__)
#include <emscripten/emscripten.h>
#define CQ_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define CQ_EXPORT __attribute__((used, visibility("default")))
#endif

struct cq_engine {
    std::unique_ptr<cq::Engine> engine;
    std::string response;  // the last returned string
    int64_t manualClock = 0;
};

namespace {

using cq::Json;

std::string& engineLess() {
    static std::string s;
    return s;
}

Json errorJson(const cq::Error& e) {
    Json err = {{"code", cq::errorCodeName(e.code())}, {"number", int(e.code())}, {"message", e.what()}};
    if (e.line() > 0) {
        err["line"] = e.line();
        err["column"] = e.column();
    }
    return err;
}

/// Runs `body` and stores its response in `out`: {"ok": true, "result": ...} or an error.
const char* respond(std::string& out, const std::function<Json()>& body) {
    Json r;
    try {
        r = Json{{"ok", true}, {"result", body()}};
    } catch (const cq::Error& e) {
        r = Json{{"ok", false}, {"error", errorJson(e)}};
    } catch (const std::exception& e) {
        r = Json{{"ok", false}, {"error", errorJson(cq::Error(cq::ErrorCode::Internal, e.what()))}};
    } catch (...) {
        r = Json{{"ok", false}, {"error", errorJson(cq::Error(cq::ErrorCode::Internal, "unknown failure"))}};
    }
    out = r.dump(-1, ' ', false, Json::error_handler_t::replace);
    return out.c_str();
}

Json outputsJson(const std::vector<cq::QueryOutput>& outputs) {
    Json arr = Json::array();
    for (const cq::QueryOutput& o : outputs) {
        Json diffs = Json::array();
        for (const cq::Diff& d : o.diffs) diffs.push_back(d.toJson());
        Json entry = {{"query", o.queryId}, {"diffs", diffs}};
        if (o.error) entry["error"] = errorJson(*o.error);
        arr.push_back(entry);
    }
    return arr;
}

const char* misuse(std::string& out, const char* what) {
    return respond(out, [what]() -> Json { throw cq::Error(cq::ErrorCode::Misuse, what); });
}

}  // namespace

extern "C" {

CQ_EXPORT cq_engine* cq_engine_open(const char* options_json) {
    auto handle = std::make_unique<cq_engine>();
    cq_engine* raw = handle.get();
    bool ok = false;
    respond(engineLess(), [&]() -> Json {
        Json o = options_json && *options_json ? cq::parseJson(options_json) : Json::object();
        std::string storage = o.value("storage", "memory");
        std::string path = o.value("path", ":memory:");
        cq::EngineOptions options;
        options.archive = o.value("archive", true);
        if (o.value("clock", "system") == "manual") options.wallClock = [raw] { return raw->manualClock; };
        raw->engine = std::make_unique<cq::Engine>(cq::openStorage(storage, path), options);
        ok = true;
        return nullptr;
    });
    return ok ? handle.release() : nullptr;
}

CQ_EXPORT const char* cq_last_error(void) { return engineLess().c_str(); }

CQ_EXPORT void cq_engine_close(cq_engine* engine) {
    try {
        delete engine;
    } catch (...) {
    }
}

CQ_EXPORT const char* cq_query_register(cq_engine* e, const char* query_json) {
    if (!e || !query_json) return misuse(engineLess(), "cq_query_register: null argument");
    return respond(e->response, [&]() -> Json {
        e->engine->registerQuery(cq::QueryConfig::fromJson(cq::parseJson(query_json)));
        return nullptr;
    });
}

CQ_EXPORT const char* cq_query_remove(cq_engine* e, const char* id) {
    if (!e || !id) return misuse(engineLess(), "cq_query_remove: null argument");
    return respond(e->response, [&]() -> Json {
        e->engine->removeQuery(id);
        return nullptr;
    });
}

CQ_EXPORT const char* cq_query_list(cq_engine* e) {
    if (!e) return misuse(engineLess(), "cq_query_list: null engine");
    return respond(e->response, [&]() -> Json {
        Json arr = Json::array();
        for (const std::string& id : e->engine->queryIds()) arr.push_back(e->engine->queryConfig(id).toJson());
        return arr;
    });
}

CQ_EXPORT const char* cq_query_results(cq_engine* e, const char* id) {
    if (!e || !id) return misuse(engineLess(), "cq_query_results: null argument");
    return respond(e->response, [&]() -> Json {
        Json arr = Json::array();
        for (const cq::Map& row : e->engine->currentResults(id)) {
            Json j = Json::object();
            for (const auto& [k, v] : row) j[k] = cq::valueToJson(v);
            arr.push_back(j);
        }
        return arr;
    });
}

CQ_EXPORT const char* cq_apply(cq_engine* e, const char* changes_json) {
    if (!e || !changes_json) return misuse(engineLess(), "cq_apply: null argument");
    return respond(e->response, [&]() -> Json {
        Json j = cq::parseJson(changes_json);
        if (j.is_array()) {
            std::vector<cq::Change> changes;
            changes.reserve(j.size());
            for (const Json& c : j) changes.push_back(cq::changeFromJson(c));
            return outputsJson(e->engine->applyBatch(changes));
        }
        return outputsJson(e->engine->applyChange(cq::changeFromJson(j)));
    });
}

CQ_EXPORT const char* cq_advance_time(cq_engine* e, double now_ms) {
    if (!e) return misuse(engineLess(), "cq_advance_time: null engine");
    return respond(e->response, [&]() -> Json { return outputsJson(e->engine->advanceTime(int64_t(now_ms))); });
}

CQ_EXPORT double cq_next_due_time(cq_engine* e) {
    if (!e) return -1;
    try {
        auto t = e->engine->nextDueTime();
        return t ? double(*t) : -1;
    } catch (...) {
        return -1;
    }
}

CQ_EXPORT void cq_set_wall_clock(cq_engine* e, double now_ms) {
    if (e) e->manualClock = int64_t(now_ms);
}

CQ_EXPORT const char* cq_scenario_run(const char* scenario_json, const char* name, const char* options_json) {
    return respond(engineLess(), [&]() -> Json {
        Json o = options_json && *options_json ? cq::parseJson(options_json) : Json::object();
        cq::scenario::RunnerOptions options;
        std::string storage = o.value("storage", "memory");
        options.makeStorage = [storage] { return cq::openStorage(storage, ":memory:"); };
        if (o.contains("known")) options.known = cq::scenario::parseKnownDifferences(o["known"]);
        for (const Json& p : o.value("pending", Json::array())) options.pending.insert(p.get<std::string>());
        cq::scenario::FileResult r = cq::scenario::runScenario(cq::parseJson(scenario_json ? scenario_json : ""),
                                                               name ? name : "", options);
        static const char* const kStatus[] = {"PASS", "FAIL", "KNOWN", "PENDING"};
        return Json{{"name", r.name}, {"status", kStatus[int(r.status)]}, {"message", r.message}};
    });
}

CQ_EXPORT const char* cq_version(void) { return "0.1.0"; }

}  // extern "C"
