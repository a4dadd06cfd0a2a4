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
#include "core/model/json_writer.h"
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

/// Reads change JSON text straight into cq::Change objects with nlohmann's SAX interface, without the
/// DOM. Only the plain shape is read here (string op/kind/source/id/start/end/..., labels an array
/// of strings, effective_from a number, properties an object, no unknown or repeated keys); on
/// anything else (malformed JSON, a missing field, a wrong type, an unknown key, null) read()
/// returns false and the caller takes the DOM path (parseJson + changeFromJson), which then gives
/// the exact errors it always gave. Nothing has been applied by then, so that is always safe.
class ChangeReader {
public:
    using string_t = Json::string_t;
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using binary_t = Json::binary_t;

    /// Reads `text`: a change object (isArray false) or an array of them (isArray true).
    bool read(const char* text, std::vector<cq::Change>& out, bool& isArray) {
        out_ = &out;
        out.clear();
        stack_.clear();
        bool ok = false;
        try {
            ok = Json::sax_parse(text, this);
        } catch (...) {
            ok = false;
        }
        isArray = isArray_;
        return ok;
    }

    bool null() { return scalar(cq::Value()); }  // a property value; elsewhere (labels, effective_from: null) the DOM path
    bool boolean(bool b) { return scalar(cq::Value(b)); }
    bool number_integer(number_integer_t i) {
        return top() == Ctx::Element ? effectiveFrom(int64_t(i)) : scalar(cq::Value(int64_t(i)));
    }
    bool number_unsigned(number_unsigned_t u) {
        if (u > uint64_t(INT64_MAX)) return false;  // a float in valueFromJson; rare
        return top() == Ctx::Element ? effectiveFrom(int64_t(u)) : scalar(cq::Value(int64_t(u)));
    }
    bool number_float(number_float_t d, const string_t&) {
        // effective_from: int64_t(d), as changeFromJson converts it
        return top() == Ctx::Element ? effectiveFrom(int64_t(d)) : scalar(cq::Value(double(d)));
    }
    bool string(string_t& s) {
        switch (top()) {
            case Ctx::Change:
                if (key_ != "op" || (seen_ & kOp)) return false;
                seen_ |= kOp;
                op_ = std::move(s);
                return true;
            case Ctx::Element: return elementString(s);
            case Ctx::Labels: element_->labels.push_back(std::move(s)); return true;
            default: return scalar(cq::Value(std::move(s)));
        }
    }
    bool binary(binary_t&) { return false; }

    bool start_object(std::size_t) {
        switch (top()) {
            case Ctx::Top:
            case Ctx::Batch:
                stack_.emplace_back(Ctx::Change);
                seen_ = 0;
                op_.clear();
                element_ = std::make_shared<cq::Element>();
                return true;
            case Ctx::Change:
                if (key_ != "element" || (seen_ & kElement)) return false;
                seen_ |= kElement;
                stack_.emplace_back(Ctx::Element);
                return true;
            case Ctx::Element:
                if (key_ != "properties" || (seen_ & kProperties)) return false;
                seen_ |= kProperties;
                stack_.emplace_back(Ctx::Props);
                return true;
            case Ctx::Props:
            case Ctx::VList:
            case Ctx::VMap: stack_.emplace_back(Ctx::VMap); return true;
            default: return false;
        }
    }
    bool key(string_t& k) {
        Frame& f = stack_.back();
        if (f.ctx == Ctx::VMap || f.ctx == Ctx::Props) f.key = std::move(k);
        else key_ = std::move(k);
        return true;
    }
    bool end_object() {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        switch (f.ctx) {
            case Ctx::VMap: return scalar(cq::Value(std::move(f.map)));
            case Ctx::Props:
            case Ctx::Element: return true;
            case Ctx::Change: return finishChange();
            default: return false;
        }
    }
    bool start_array(std::size_t) {
        switch (top()) {
            case Ctx::Top:
                if (!stack_.empty()) return false;
                isArray_ = true;
                stack_.emplace_back(Ctx::Batch);
                return true;
            case Ctx::Element:
                if (key_ != "labels" || (seen_ & kLabels)) return false;
                seen_ |= kLabels;
                stack_.emplace_back(Ctx::Labels);
                return true;
            case Ctx::Props:
            case Ctx::VList:
            case Ctx::VMap: stack_.emplace_back(Ctx::VList); return true;
            default: return false;
        }
    }
    bool end_array() {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        if (f.ctx == Ctx::VList) return scalar(cq::Value(std::move(f.list)));
        return f.ctx == Ctx::Labels || f.ctx == Ctx::Batch;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

private:
    enum class Ctx : uint8_t { Top, Batch, Change, Element, Labels, Props, VList, VMap };
    struct Frame {
        explicit Frame(Ctx c) : ctx(c) {}
        Ctx ctx;
        std::string key;  // Props, VMap: the current key
        cq::List list;
        cq::Map map;
    };
    enum : uint32_t {
        kOp = 1, kElement = 2, kKind = 4, kSource = 8, kId = 16, kLabels = 32, kEffective = 64,
        kProperties = 128, kStart = 256, kEnd = 512, kStartSource = 1024, kEndSource = 2048,
    };

    Ctx top() const { return stack_.empty() ? Ctx::Top : stack_.back().ctx; }

    /// A property value (or a value inside one).
    bool scalar(cq::Value v) {
        if (stack_.empty()) return false;
        Frame& f = stack_.back();
        switch (f.ctx) {
            case Ctx::Props: return element_->properties.emplace(std::move(f.key), std::move(v)).second;
            case Ctx::VMap: return f.map.emplace(std::move(f.key), std::move(v)).second;
            case Ctx::VList: f.list.push_back(std::move(v)); return true;
            default: return false;
        }
    }
    bool effectiveFrom(int64_t ms) {
        if (key_ != "effective_from" || (seen_ & kEffective)) return false;
        seen_ |= kEffective;
        element_->effectiveFrom = ms;
        return true;
    }
    bool elementString(string_t& s) {
        uint32_t bit;
        std::string* target;
        if (key_ == "kind") bit = kKind, target = &kind_;
        else if (key_ == "source") bit = kSource, target = &element_->ref.source;
        else if (key_ == "id") bit = kId, target = &element_->ref.id;
        else if (key_ == "start") bit = kStart, target = &element_->start.id;
        else if (key_ == "end") bit = kEnd, target = &element_->end.id;
        else if (key_ == "start_source") bit = kStartSource, target = &element_->start.source;
        else if (key_ == "end_source") bit = kEndSource, target = &element_->end.source;
        else return false;
        if (seen_ & bit) return false;
        seen_ |= bit;
        *target = std::move(s);
        return true;
    }
    bool finishChange() {
        if (!(seen_ & kOp) || !(seen_ & kElement) || !(seen_ & kSource) || !(seen_ & kId)) return false;
        cq::Change change;
        if (op_ == "insert") change.op = cq::ChangeOp::Insert;
        else if (op_ == "update") change.op = cq::ChangeOp::Update;
        else if (op_ == "delete") change.op = cq::ChangeOp::Delete;
        else return false;
        if (!(seen_ & kKind) || kind_ == "node") element_->kind = cq::ElementKind::Node;
        else if (kind_ == "relation") element_->kind = cq::ElementKind::Relation;
        else return false;
        if (element_->isRelation()) {
            if (change.op != cq::ChangeOp::Delete && (!(seen_ & kStart) || !(seen_ & kEnd))) return false;
            if (!(seen_ & kStartSource)) element_->start.source = element_->ref.source;
            if (!(seen_ & kEndSource)) element_->end.source = element_->ref.source;
        } else if (seen_ & (kStart | kEnd | kStartSource | kEndSource)) {
            return false;  // changeFromJson ignores them on nodes; rare, leave it to the DOM path
        }
        change.element = std::move(element_);
        kind_.clear();
        out_->push_back(std::move(change));
        return true;
    }

    std::vector<cq::Change>* out_ = nullptr;
    std::vector<Frame> stack_;
    bool isArray_ = false;
    std::string key_;  // the current key of the change or element object
    uint32_t seen_ = 0;
    std::string op_, kind_;
    std::shared_ptr<cq::Element> element_;
};

/// The changes of `text` for cq_apply / cq_apply_each, through ChangeReader; false: take the DOM path.
bool readChanges(const char* text, std::vector<cq::Change>& out, bool& isArray) {
    ChangeReader reader;
    return reader.read(text, out, isArray);
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
        std::exception_ptr failure = std::current_exception();
        return respond(out, [failure]() -> Json { std::rethrow_exception(failure); });
    }
}

void writeErrorJson(std::string& out, const cq::Error& e) {
    out += errorJson(e).dump(-1, ' ', false, Json::error_handler_t::replace);
}

/// Diff::toJson()'s text: {"after", "before", "grouping_keys", "kind"}, each only for its kinds.
void writeDiff(std::string& out, const cq::Diff& d) {
    using cq::DiffKind;
    out += '{';
    if (d.kind != DiffKind::Remove) {
        out += "\"after\":";
        if (d.after) cq::writeMapJson(out, *d.after);
        else out += "null";
        out += ',';
    }
    if (d.kind != DiffKind::Add) {
        out += "\"before\":";
        if (d.before) cq::writeMapJson(out, *d.before);
        else out += "null";
        out += ',';
    }
    if (d.kind == DiffKind::Aggregation) {
        out += "\"grouping_keys\":[";
        for (size_t i = 0; i < d.groupingKeys.size(); ++i) {
            if (i) out += ',';
            cq::writeJsonString(out, d.groupingKeys[i]);
        }
        out += "],";
    }
    out += "\"kind\":\"";
    switch (d.kind) {
        case DiffKind::Add: out += "add"; break;
        case DiffKind::Update: out += "update"; break;
        case DiffKind::Remove: out += "remove"; break;
        case DiffKind::Aggregation: out += "aggregation"; break;
    }
    out += "\"}";
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
            writeDiff(out, o.diffs[k]);
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
        std::vector<cq::Change> changes;
        bool isArray = false;
        if (readChanges(changes_json, changes, isArray)) {
            if (isArray) writeOutputs(out, e->engine->applyBatch(changes));
            else writeOutputs(out, e->engine->applyChange(changes.at(0)));
            return;
        }
        changes.clear();
        Json j = cq::parseJson(changes_json);
        if (j.is_array()) {
            changes.reserve(j.size());
            for (const Json& c : j) changes.push_back(cq::changeFromJson(c));
            writeOutputs(out, e->engine->applyBatch(changes));
            return;
        }
        writeOutputs(out, e->engine->applyChange(cq::changeFromJson(j)));
    });
}

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
        if (readChanges(changes_json, changes, isArray) && isArray) {
            out += '[';
            for (size_t i = 0; i < changes.size(); ++i) {
                if (i) out += ',';
                size_t mark = out.size();
                try {
                    writeOutputs(out, e->engine->applyChange(changes[i]));
                } catch (const cq::Error& err) {
                    out.resize(mark);
                    out += "{\"error\":";
                    writeErrorJson(out, err);
                    out += '}';
                }
            }
            out += ']';
            return;
        }
        Json j = cq::parseJson(changes_json);
        if (!j.is_array()) throw cq::Error(cq::ErrorCode::InvalidChange, "cq_apply_each expects an array of changes");
        out += '[';
        bool first = true;
        for (const Json& c : j) {
            if (!first) out += ',';
            first = false;
            size_t mark = out.size();
            try {
                writeOutputs(out, e->engine->applyChange(cq::changeFromJson(c)));
            } catch (const cq::Error& err) {
                out.resize(mark);
                out += "{\"error\":";
                writeErrorJson(out, err);
                out += '}';
            }
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
