// SPDX-License-Identifier: MIT
// The native `cqlite` command line:
//   cqlite scenario [--storage memory|sqlite] [--known FILE] [--pending FILE] FILE...
//   cqlite run --query Q.cypher --changes C.jsonl [--db PATH] [--id ID] [--clock wall|simulated] [--fold-bytes N]
//   cqlite results --db PATH QUERY_ID
// The npm package's `npx cqlite` offers the same subcommands over the wasm build.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#ifndef __EMSCRIPTEN__
#include <poll.h>
#endif

#include "core/common/error.h"
#include "core/query/engine.h"
#include "core/scenario/runner.h"
#include "storage/factory/open_storage.h"
#include "wasm/heap_tunables.h"

namespace {

using cq::Error;
using cq::ErrorCode;
using cq::Json;

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::InvalidConfig, "cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Reads lines from a file or stdin ("-"), waiting at most a given time for the next one. Natively
/// it polls the descriptor; under Emscripten (the CLI run by node) reads block, so it never times out.
class LineReader {
public:
    enum class Got { Line, Timeout, End };

    explicit LineReader(const std::string& path) {
        if (path == "-") return;
        fd_ = ::open(path.c_str(), O_RDONLY);
        if (fd_ < 0) throw Error(ErrorCode::InvalidConfig, "cannot read " + path);
    }
    ~LineReader() {
        if (fd_ > 0) ::close(fd_);
    }
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    /// timeoutMs < 0 waits for as long as it takes.
    Got next(std::string& line, int timeoutMs) {
        for (;;) {
            size_t nl = buf_.find('\n', start_);
            if (nl != std::string::npos) {
                line.assign(buf_, start_, nl - start_);
                start_ = nl + 1;
                return Got::Line;
            }
            if (eof_) {
                if (start_ >= buf_.size()) return Got::End;
                line.assign(buf_, start_, std::string::npos);
                start_ = buf_.size();
                return Got::Line;
            }
            buf_.erase(0, start_);
            start_ = 0;
#ifndef __EMSCRIPTEN__
            if (timeoutMs >= 0) {
                pollfd p{fd_, POLLIN, 0};
                int r = ::poll(&p, 1, timeoutMs);
                if (r == 0) return Got::Timeout;
                if (r < 0 && errno == EINTR) continue;
            }
#endif
            char chunk[1 << 16];
            ssize_t n = ::read(fd_, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) eof_ = true;  // a read error ends the input like EOF
            else buf_.append(chunk, size_t(n));
        }
    }

private:
    int fd_ = 0;  // stdin unless a path is given
    std::string buf_;
    size_t start_ = 0;
    bool eof_ = false;
};

std::string baseName(const std::string& path) {
    std::string name = path.substr(path.find_last_of('/') + 1);
    if (name.size() > 5 && name.substr(name.size() - 5) == ".json") name = name.substr(0, name.size() - 5);
    return name;
}

int usage() {
    std::cerr << "usage:\n"
                 "  cqlite scenario [--storage memory|sqlite] [--known FILE] [--pending FILE] FILE...\n"
                 "  cqlite run --query Q.cypher --changes C.jsonl [--db PATH] [--storage memory|sqlite]\n"
                 "             [--id ID] [--clock wall|simulated] [--limit N] [--quiet] [--print-results]\n"
                 "             [--fold-bytes N]  (SQLite: journal bytes between folds; 0 = automatic)\n"
                 "  cqlite results --db PATH (QUERY_ID | --checkpoint)\n";
    return 2;
}

int64_t wallNow() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int cmdScenario(const std::vector<std::string>& args) {
    cq::scenario::RunnerOptions options;
    std::string storage = "memory";
    std::vector<std::string> files;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--storage" && i + 1 < args.size()) storage = args[++i];
        else if (args[i] == "--known" && i + 1 < args.size()) options.known = cq::scenario::parseKnownDifferences(cq::parseJson(readFile(args[++i])));
        else if (args[i] == "--pending" && i + 1 < args.size()) options.pending = cq::scenario::parsePendingList(readFile(args[++i]));
        else files.push_back(args[i]);
    }
    if (files.empty()) return usage();
    options.makeStorage = [storage] { return cq::openStorage(storage, ":memory:"); };
    std::vector<cq::scenario::FileResult> results;
    for (const std::string& f : files) {
        cq::scenario::FileResult r;
        try {
            r = cq::scenario::runScenario(cq::parseJson(readFile(f)), baseName(f), options);
        } catch (const std::exception& e) {
            r.name = baseName(f);
            r.status = cq::scenario::Status::Fail;
            r.message = e.what();
        }
        results.push_back(r);
    }
    return cq::scenario::printResults(results, std::cout) ? 1 : 0;
}

void printResults(cq::Engine& engine, const std::string& id) {
    for (const cq::Map& row : engine.currentResults(id)) {
        Json j = Json::object();
        for (const auto& [k, v] : row) j[k] = cq::valueToJson(v);
        std::cout << j.dump() << "\n";
    }
}

int cmdRun(const std::vector<std::string>& args) {
    std::string queryPath, changesPath, db, id = "q", clock = "wall", storage;
    int64_t limit = -1;
    cq::StorageTuning tuning;
    bool quiet = false, finalResults = false;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--quiet") { quiet = true; continue; }
        if (args[i] == "--print-results") { finalResults = true; continue; }
        if (i + 1 >= args.size()) return usage();
        if (args[i] == "--limit") limit = std::stoll(args[++i]);
        else if (args[i] == "--query") queryPath = args[++i];
        else if (args[i] == "--changes") changesPath = args[++i];
        else if (args[i] == "--db") db = args[++i];
        else if (args[i] == "--id") id = args[++i];
        else if (args[i] == "--clock") clock = args[++i];
        else if (args[i] == "--storage") storage = args[++i];
        else if (args[i] == "--fold-bytes") tuning.sqliteFoldBytes = std::stoll(args[++i]);
        else return usage();
    }
    if (queryPath.empty() || changesPath.empty() || (clock != "wall" && clock != "simulated")) return usage();
    if (storage.empty()) storage = db.empty() ? "memory" : "sqlite";
    cq::Engine engine(cq::openStorage(storage, db, tuning));
    std::string text = readFile(queryPath);
    cq::QueryConfig config;
    if (queryPath.size() > 5 && queryPath.substr(queryPath.size() - 5) == ".json") {
        config = cq::QueryConfig::fromJson(cq::parseJson(text));
    } else {
        config.id = id;
        config.cypher = text;
    }
    auto ids = engine.queryIds();
    if (std::find(ids.begin(), ids.end(), config.id) == ids.end()) engine.registerQuery(config);
    else if (engine.queryConfig(config.id).cypher != config.cypher)
        throw Error(ErrorCode::DuplicateQuery, "the database already holds a different query '" + config.id + "'");

    // A stored engine resumes after the last change it committed (its checkpoint is the line number).
    int64_t resumeAfter = 0;
    if (auto cp = engine.checkpoint()) resumeAfter = std::stoll(*cp);
    auto print = [quiet](const std::vector<cq::QueryOutput>& outputs, int64_t seq) {
        if (quiet) return;
        for (const cq::QueryOutput& o : outputs) {
            if (o.error) {
                Json j = {{"seq", seq}, {"query", o.queryId},
                          {"error", {{"code", cq::errorCodeName(o.error->code())}, {"message", o.error->what()}}}};
                std::cout << j.dump() << "\n";
            }
            if (o.diffs.empty()) continue;
            Json diffs = Json::array();
            for (const cq::Diff& d : o.diffs) diffs.push_back(d.toJson());
            std::cout << Json{{"seq", seq}, {"query", o.queryId}, {"diffs", diffs}}.dump() << "\n";
        }
        std::cout.flush();
    };
    // The event loop: wait for the next input line, but no longer than the engine's next due time,
    // so that with the wall clock a future fires on time even while the input is idle (a live pipe).
    LineReader in(changesPath);
    std::string line;
    int64_t seq = 0;
    for (;;) {
        int timeoutMs = -1;
        if (clock == "wall") {
            if (auto due = engine.nextDueTime()) timeoutMs = int(std::clamp<int64_t>(*due - wallNow(), 0, 60'000));
        }
        LineReader::Got got = in.next(line, timeoutMs);
        if (got == LineReader::Got::End) break;
        if (got == LineReader::Got::Timeout) {
            int64_t now = wallNow();
            if (auto due = engine.nextDueTime(); due && *due <= now) print(engine.advanceTime(now), seq);
            continue;
        }
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        ++seq;
        if (seq <= resumeAfter) continue;
        if (limit >= 0 && seq > limit) break;
        try {
            cq::Change change = cq::changeFromJson(cq::parseJson(line));
            int64_t now = clock == "simulated" ? change.element->effectiveFrom : wallNow();
            if (auto due = engine.nextDueTime(); due && *due <= now) print(engine.advanceTime(now), seq);
            const std::string checkpoint = std::to_string(seq);
            print(engine.applyChange(change, &checkpoint), seq);
        } catch (const Error& e) {
            // Bad input is reported and skipped; everything accepted so far stays.
            Json j = {{"seq", seq}, {"error", {{"code", cq::errorCodeName(e.code())}, {"message", e.what()}}}};
            std::cout << j.dump() << "\n";
        }
    }
    if (finalResults) printResults(engine, config.id);
    return 0;
}

int cmdResults(const std::vector<std::string>& args) {
    std::string db, id;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--db" && i + 1 < args.size()) db = args[++i];
        else if (args[i] == "--checkpoint") id = "--checkpoint";
        else id = args[i];
    }
    if (db.empty() || id.empty()) return usage();
    cq::Engine engine(cq::openStorage("sqlite", db));
    if (id == "--checkpoint") {
        std::cout << engine.checkpoint().value_or("0") << "\n";
        return 0;
    }
    printResults(engine, id);
    return 0;
}

#if defined(__GLIBC__) && !defined(__EMSCRIPTEN__) && !defined(__SANITIZE_ADDRESS__)
// Runs the process again with the heap of heap_tunables.h (glibc's malloc on transparent huge
// pages, blocks of up to 32 MiB from the heap; why, with figures, is there).
// glibc reads tunables only when a process starts, hence the exec (of the same file, by its path:
// /proc/self/exe would rename the process "exe"). A caller who sets GLIBC_TUNABLES, or
// CQLITE_HEAP=default, gets exactly that; a failed exec goes on with the default heap. The pid
// stays the same, so a caller's kill still reaches the process.
void useHugePageHeap(char** argv) {
    const char* heap = std::getenv("CQLITE_HEAP");
    if (std::getenv("GLIBC_TUNABLES") || (heap && std::strcmp(heap, "default") == 0)) return;
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return;
    path[n] = '\0';
    if (setenv("GLIBC_TUNABLES", cq::kHeapTunables, 1) != 0) return;
    execv(path, argv);
}
#else
void useHugePageHeap(char**) {}  // another libc, wasm, or ASan's own allocator
#endif

}  // namespace

int main(int argc, char** argv) {
    useHugePageHeap(argv);
    if (argc < 2) return usage();
    std::string cmd = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (cmd == "scenario") return cmdScenario(args);
        if (cmd == "run") return cmdRun(args);
        if (cmd == "results") return cmdResults(args);
        return usage();
    } catch (const Error& e) {
        std::cerr << "cqlite: " << cq::errorCodeName(e.code()) << ": " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "cqlite: " << e.what() << "\n";
        return 1;
    }
}
