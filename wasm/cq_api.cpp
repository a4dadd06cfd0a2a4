// SPDX-License-Identifier: MIT
// The C ABI: thin shims over cq::Engine and the scenario runner. Each shim catches everything and
// turns it into an error response, so no exception crosses into JavaScript.
#include "wasm/cq_api.h"

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/error.h"
#include "core/model/change_binary.h"
#include "core/model/change_reader.h"
#include "core/model/json_writer.h"
#include "core/query/diff_binary.h"
#include "core/query/engine.h"
#include "core/scenario/runner.h"
#include "storage/factory/open_storage.h"
#if CQ_HAVE_SQLITE
#include "storage/sqlite/sqlite_backend.h"
#include "wasm/sqlite_image.h"
#include <sqlite3.h>
#endif

#if defined(__EMSCRIPTEN__)
#include <emscripten/emscripten.h>
#define CQ_EXPORT EMSCRIPTEN_KEEPALIVE
#if CQ_HAVE_SQLITE
extern "C" int cqOpfsVfsRegister(void);  // wasm/opfs_vfs.c
#endif
#else
#define CQ_EXPORT __attribute__((used, visibility("default")))
#endif

struct cq_engine {
    std::unique_ptr<cq::Engine> engine;
    std::string response;  // the last returned string
    // The key table of binary responses (core/query/diff_binary.h), as the host's decoder holds it
    // after the last binary response it read; `keysUnknown`: the next one starts a new table (the
    // first response, or one after a failed call, whose keys the host never saw).
    std::vector<std::string> responseKeys;
    bool keysUnknown = true;
    int64_t manualClock = 0;
    std::string memdbName;  // edge mode: the in-memory SQLite file cq_snapshot saves
    std::string snapshot;   // the bytes of the last cq_snapshot
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

/// respond()'s error answer for the exception a catch (...) holds.
const char* respondFailure(std::string& out, std::exception_ptr failure) {
    return respond(out, [failure]() -> Json { std::rethrow_exception(failure); });
}

/// Like respond(), for the hot calls: `body` appends the result's JSON text straight to `out` (no
/// DOM). The text is byte for byte what respond() would produce from outputsJson(...): nlohmann
/// objects keep their keys sorted, so the keys are written here in byte order.
const char* respondText(std::string& out, const std::function<void(std::string&)>& body) {
    out.clear();  // keeps the capacity: the response buffer is reused from call to call
    out += "{\"ok\":true,\"result\":";
    try {
        body(out);
        out += '}';
        return out.c_str();
    } catch (...) {
        return respondFailure(out, std::current_exception());
    }
}

void writeErrorJson(std::string& out, const cq::Error& e) {
    out += errorJson(e).dump(-1, ' ', false, Json::error_handler_t::replace);
}

/// outputsJson(outputs)'s text: [{"diffs": [...], "error"?: {...}, "query": id}, ...].
void writeOutputs(std::string& out, const std::vector<cq::QueryOutput>& outputs) {
    out += '[';
    for (size_t i = 0; i < outputs.size(); ++i) {
        const cq::QueryOutput& o = outputs[i];
        if (i) out += ',';
        out += "{\"diffs\":[";
        for (size_t k = 0; k < o.diffs.size(); ++k) {
            if (k) out += ',';
            o.diffs[k].appendJson(out);
        }
        out += ']';
        if (o.error) {
            out += ",\"error\":";
            writeErrorJson(out, *o.error);
        }
        out += ",\"query\":";
        cq::writeJsonString(out, o.queryId);
        out += '}';
    }
    out += ']';
}

/// cq_apply_each's rule for one entry, in either answer form: `applied()` writes the outputs of
/// one change; when reading or applying it fails (then nothing of it was applied), what it wrote
/// is taken back and `rejected(error)` writes the entry instead. The next entry goes on.
template <typename Applied, typename Rejected>
void eachEntry(std::string& out, Applied&& applied, Rejected&& rejected) {
    const size_t mark = out.size();
    try {
        applied();
    } catch (const cq::Error& err) {
        out.resize(mark);
        rejected(err);
    }
}

/// A rejected change's entry: {"error": {...}}.
void writeEachError(std::string& out, const cq::Error& err) {
    out += "{\"error\":";
    writeErrorJson(out, err);
    out += '}';
}

/// One entry of cq_apply_each's text answer for the change `make()` reads.
template <typename MakeChange>
void writeEachEntry(std::string& out, cq::Engine& engine, MakeChange&& make) {
    eachEntry(out, [&] { writeOutputs(out, engine.applyChange(make())); },
              [&](const cq::Error& err) { writeEachError(out, err); });
}

#if CQ_HAVE_SQLITE
/// Deletes an SQLite database and its journal files through `vfs` ("" = the default VFS), so a
/// scenario on a real file starts empty and leaves nothing behind (OPFS pool slots are few).
void removeDatabaseFiles(const std::string& vfs, const std::string& path) {
    sqlite3_vfs* v = sqlite3_vfs_find(vfs.empty() ? nullptr : vfs.c_str());
    if (!v) return;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
        std::string name = path + suffix;
        int exists = 0;
        if (v->xAccess(v, name.c_str(), SQLITE_ACCESS_EXISTS, &exists) == SQLITE_OK && exists) v->xDelete(v, name.c_str(), 0);
    }
}

/// Registers the VFS a host asked for by name when the module provides it.
void registerVfs(const std::string& vfs) {
#if defined(__EMSCRIPTEN__)
    if (vfs == "opfs-sah" && cqOpfsVfsRegister() != 0) {
        throw cq::Error(cq::ErrorCode::StorageIo, "cannot register the opfs-sah VFS");
    }
#else
    (void)vfs;
#endif
}
#endif

const char* misuse(std::string& out, const char* what) {
    return respond(out, [what]() -> Json { throw cq::Error(cq::ErrorCode::Misuse, what); });
}

/// Opens the engine described by `options_json` into `raw`; with `image` non-null, an in-memory
/// SQLite engine restored from those bytes.
bool openInto(cq_engine* raw, const char* options_json, const std::string_view* image) {
    bool ok = false;
    respond(engineLess(), [&]() -> Json {
        Json o = options_json && *options_json ? cq::parseJson(options_json) : Json::object();
        std::string storage = image ? "sqlite" : o.value("storage", "memory");
        std::string path = image ? ":memory:" : o.value("path", ":memory:");
        cq::EngineOptions options;
        options.archive = o.value("archive", true);
        if (o.value("clock", "system") == "manual") options.wallClock = [raw] { return raw->manualClock; };
        std::unique_ptr<cq::StorageBackend> backend;
#if CQ_HAVE_SQLITE
        if (storage == "sqlite" && (path.empty() || path == ":memory:")) {
            raw->memdbName = cq::image::newMemdbName();
            backend = cq::image::openMemdb(raw->memdbName, image ? *image : std::string_view());
        } else if (storage == "sqlite") {
            cq::SqliteOptions so;
            so.vfs = o.value("vfs", "");
            registerVfs(so.vfs);
            so.journalMode = o.value("journal_mode", "");
            backend = cq::makeSqliteBackend(path, so);
        }
#endif
        if (!backend) backend = cq::openStorage(storage, path);
        raw->engine = std::make_unique<cq::Engine>(std::move(backend), options);
        ok = true;
        return nullptr;
    });
    return ok;
}

}  // namespace

extern "C" {

CQ_EXPORT cq_engine* cq_engine_open(const char* options_json) {
    auto handle = std::make_unique<cq_engine>();
    return openInto(handle.get(), options_json, nullptr) ? handle.release() : nullptr;
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
    return respondText(e->response, [&](std::string& out) {
        // The fast reader, or (for anything it declines) the DOM path with its exact errors; then
        // one dispatch: an array is one batch, an object one change.
        std::vector<cq::Change> changes;
        bool isArray = false;
        if (!cq::readChangesFast(changes_json, changes, isArray)) {
            changes.clear();
            Json j = cq::parseJson(changes_json);
            isArray = j.is_array();
            if (isArray) {
                changes.reserve(j.size());
                for (const Json& c : j) changes.push_back(cq::changeFromJson(c));
            } else {
                changes.push_back(cq::changeFromJson(j));
            }
        }
        if (isArray) writeOutputs(out, e->engine->applyBatch(changes));
        else writeOutputs(out, e->engine->applyChange(changes.at(0)));
    });
}

CQ_EXPORT size_t cq_response_size(cq_engine* e) { return e ? e->response.size() : 0; }

CQ_EXPORT const char* cq_advance_time(cq_engine* e, double now_ms) {
    if (!e) return misuse(engineLess(), "cq_advance_time: null engine");
    return respondText(e->response, [&](std::string& out) { writeOutputs(out, e->engine->advanceTime(int64_t(now_ms))); });
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
        // With a path (storage "sqlite"): a real database file, through "vfs" when given (the
        // browser test runs scenarios on OPFS); it is emptied before the run and removed after.
        std::string path = o.value("path", "");
        std::string vfs = o.value("vfs", "");
        struct Cleanup {
            std::function<void()> fn;
            ~Cleanup() { if (fn) fn(); }
        } cleanup;
        if (!path.empty() && path != ":memory:") {
            if (storage != "sqlite") throw cq::Error(cq::ErrorCode::Misuse, "a scenario path needs storage 'sqlite'");
#if CQ_HAVE_SQLITE
            registerVfs(vfs);
            removeDatabaseFiles(vfs, path);
            cleanup.fn = [vfs, path] { removeDatabaseFiles(vfs, path); };
            cq::SqliteOptions so;
            so.vfs = vfs;
            so.journalMode = o.value("journal_mode", "");
            options.makeStorage = [path, so] { return cq::makeSqliteBackend(path, so); };
#else
            throw cq::Error(cq::ErrorCode::Misuse, "this build has no SQLite");
#endif
        }
        if (o.contains("known")) options.known = cq::scenario::parseKnownDifferences(o["known"]);
        for (const Json& p : o.value("pending", Json::array())) options.pending.insert(p.get<std::string>());
        cq::scenario::FileResult r = cq::scenario::runScenario(cq::parseJson(scenario_json ? scenario_json : ""),
                                                               name ? name : "", options);
        static const char* const kStatus[] = {"PASS", "FAIL", "KNOWN", "PENDING"};
        return Json{{"name", r.name}, {"status", kStatus[int(r.status)]}, {"message", r.message}};
    });
}

CQ_EXPORT const char* cq_apply_each(cq_engine* e, const char* changes_json) {
    if (!e || !changes_json) return misuse(engineLess(), "cq_apply_each: null argument");
    return respondText(e->response, [&](std::string& out) {
        std::vector<cq::Change> changes;
        bool isArray = false;
        if (cq::readChangesFast(changes_json, changes, isArray) && isArray) {
            out += '[';
            for (size_t i = 0; i < changes.size(); ++i) {
                if (i) out += ',';
                writeEachEntry(out, *e->engine, [&]() -> const cq::Change& { return changes[i]; });
            }
            out += ']';
            return;
        }
        Json j = cq::parseJson(changes_json);
        if (!j.is_array()) throw cq::Error(cq::ErrorCode::InvalidChange, "cq_apply_each expects an array of changes");
        out += '[';
        for (size_t i = 0; i < j.size(); ++i) {
            if (i) out += ',';
            writeEachEntry(out, *e->engine, [&] { return cq::changeFromJson(j[i]); });
        }
        out += ']';
    });
}

namespace {

/// The binary response's outputs (cq_api.h, CQ_BINARY_RESPONSE).
void writeOutputsBinary(cq::DiffBinaryWriter& w, const std::vector<cq::QueryOutput>& outputs) {
    w.u32(uint32_t(outputs.size()));
    std::string error;
    for (const cq::QueryOutput& o : outputs) {
        w.str(o.queryId);
        w.u32(uint32_t(o.diffs.size()));
        for (const cq::Diff& d : o.diffs) w.diff(d);
        w.u8(o.error ? 1 : 0);
        if (o.error) {
            error.clear();
            writeErrorJson(error, *o.error);
            w.str(error);
        }
    }
}

/// cq_apply_binary's answer in binary. Throws as the text answer would (the caller answers in text).
const char* respondBinary(cq_engine* e, const std::vector<cq::Change>& changes, int mode) {
    std::string& out = e->response;
    out.clear();
    out += char(CQ_BINARY_RESPONSE_MAGIC);
    // Until this response is complete the host's table is unknown: a failure midway leaves keys
    // added here that the host never reads, so the next response starts a new table.
    const bool newTable = e->keysUnknown || e->responseKeys.size() >= cq::DiffBinaryWriter::kMaxKeys;
    if (newTable) e->responseKeys.clear();
    e->keysUnknown = true;
    out += char(newTable ? 1 : 0);
    cq::DiffBinaryWriter w(out, e->responseKeys);
    if (mode == 0) writeOutputsBinary(w, e->engine->applyChange(changes[0]));
    else if (mode == 1) writeOutputsBinary(w, e->engine->applyBatch(changes));
    else {
        w.u32(uint32_t(changes.size()));
        std::string error;
        for (const cq::Change& c : changes) {
            const size_t keysBefore = e->responseKeys.size();
            eachEntry(
                out,
                [&] {
                    w.u8(0);
                    writeOutputsBinary(w, e->engine->applyChange(c));
                },
                [&](const cq::Error& err) {
                    e->responseKeys.resize(keysBefore);  // the entry's key definitions were cut too
                    w.u8(1);
                    error.clear();
                    writeEachError(error, err);
                    w.str(error);
                });
        }
    }
    e->keysUnknown = false;
    return out.data();
}

}  // namespace

CQ_EXPORT const char* cq_apply_binary(cq_engine* e, const unsigned char* data, double size, int mode) {
    const bool binaryResponse = mode >= 0 && (mode & CQ_BINARY_RESPONSE);
    if (binaryResponse) mode &= ~CQ_BINARY_RESPONSE;
    if (!e || (!data && size > 0) || mode < 0 || mode > 2) return misuse(engineLess(), "cq_apply_binary: bad argument");
    std::vector<cq::Change> changes;
    auto read = [&] {
        if (!cq::readChangesBinary(data, size_t(size), changes))
            throw cq::Error(cq::ErrorCode::Internal, "cq_apply_binary: malformed binary changes (an encoder bug)");
        if (mode == 0 && changes.size() != 1)
            throw cq::Error(cq::ErrorCode::Internal, "cq_apply_binary: one change expected");
    };
    if (binaryResponse) {
        try {
            read();
            return respondBinary(e, changes, mode);
        } catch (...) {
            return respondFailure(e->response, std::current_exception());
        }
    }
    return respondText(e->response, [&](std::string& out) {
        read();
        if (mode == 0) return writeOutputs(out, e->engine->applyChange(changes[0]));
        if (mode == 1) return writeOutputs(out, e->engine->applyBatch(changes));
        out += '[';
        for (size_t i = 0; i < changes.size(); ++i) {
            if (i) out += ',';
            writeEachEntry(out, *e->engine, [&]() -> const cq::Change& { return changes[i]; });
        }
        out += ']';
    });
}

CQ_EXPORT const char* cq_snapshot(cq_engine* e) {
    if (!e) return misuse(engineLess(), "cq_snapshot: null engine");
    return respond(e->response, [&]() -> Json {
#if CQ_HAVE_SQLITE
        if (!e->memdbName.empty()) {
            e->snapshot = cq::image::serialize(e->memdbName);
            return Json{{"size", e->snapshot.size()}};
        }
#endif
        throw cq::Error(cq::ErrorCode::Misuse, "snapshot() needs an in-memory SQLite engine (storage 'sqlite' without a path)");
    });
}

CQ_EXPORT const unsigned char* cq_snapshot_bytes(cq_engine* e) {
    return e ? reinterpret_cast<const unsigned char*>(e->snapshot.data()) : nullptr;
}

CQ_EXPORT cq_engine* cq_engine_restore(const char* options_json, const unsigned char* bytes, double size) {
    auto handle = std::make_unique<cq_engine>();
    if (!bytes || size <= 0) {
        misuse(engineLess(), "cq_engine_restore: no bytes");
        return nullptr;
    }
    std::string_view image(reinterpret_cast<const char*>(bytes), size_t(size));
    return openInto(handle.get(), options_json, &image) ? handle.release() : nullptr;
}

CQ_EXPORT const char* cq_version(void) { return "0.1.0"; }

}  // extern "C"
