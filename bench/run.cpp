// SPDX-License-Identifier: MIT
// One benchmark run (see run.h). Changes are generated outside the timed regions; every timed region
// covers the engine call and the destruction of the diffs it returned.
#include "bench/run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <vector>

#include <malloc.h>
#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#endif

#include "bench/building_model.h"
#include "bench/scenarios.h"
#include "core/common/error.h"
#include "core/query/engine.h"
#include "storage/factory/open_storage.h"

namespace cq::bench {

namespace {

using Clock = std::chrono::steady_clock;

int64_t nanos(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
}

int64_t countDiffs(const std::vector<QueryOutput>& outputs) {
    int64_t n = 0;
    for (const QueryOutput& o : outputs) {
        if (o.error) throw *o.error;
        n += int64_t(o.diffs.size());
    }
    return n;
}

#ifdef __EMSCRIPTEN__
// Under Node there is no per-thread CPU clock (Emscripten's CLOCK_THREAD_CPUTIME_ID reads 0): the
// process's CPU time (all of Node's threads, V8's compiler and GC threads too) is the closest.
EM_JS(double, cq_bench_process_cpu_us, (), {
    const u = process.cpuUsage();
    return u.user + u.system;
});
int64_t threadCpuNs() { return int64_t(cq_bench_process_cpu_us() * 1000.0); }
#else
// CPU time of this thread: unlike wall time it does not count the time other processes held the CPU
// (the build machines are shared: load averages of 10-20 on 2 cores were seen).
int64_t threadCpuNs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
#endif

int64_t percentile(std::vector<int64_t>& sorted, double p) {
    if (sorted.empty()) return 0;
    size_t i = size_t(p * double(sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)];
}

void removeDatabase(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
}

}  // namespace

int64_t heapInUseBytes() {
#ifdef __EMSCRIPTEN__
    return int64_t(mallinfo().uordblks);  // dlmalloc here never maps a block of its own
#else
    // Blocks in the heap and blocks glibc mapped on their own (above its mmap threshold): until
    // 2026-12-04 only the first were counted, which left the engine's largest tables (up to 20 MB
    // at 100,000 rooms) out of the figure.
    const auto m = mallinfo2();
    return int64_t(m.uordblks + m.hblkhd);
#endif
}

int64_t wasmHeapKb() {
#ifdef __EMSCRIPTEN__
    // dlmalloc's high-water mark of the memory it took from the heap (mallinfo().usmblks). The
    // linear memory's size would also do, but it grows in steps of 20% and so hides smaller changes.
    return int64_t(mallinfo().usmblks / 1024);
#else
    return 0;
#endif
}

int64_t peakRssKb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
    return 0;
}

std::string RunResult::serialize() const {
    std::ostringstream o;
    o.precision(17);
    o << "bootstrapElements=" << bootstrapElements << "\tbootstrapSeconds=" << bootstrapSeconds
      << "\tbootstrapCpuSeconds=" << bootstrapCpuSeconds << "\tsingleCpuSeconds=" << singleCpuSeconds
      << "\tbatchedCpuSeconds=" << batchedCpuSeconds
      << "\tsingleChanges=" << singleChanges << "\tsingleSeconds=" << singleSeconds
      << "\tbatchedChanges=" << batchedChanges << "\tbatchedSeconds=" << batchedSeconds << "\tp50Ns=" << p50Ns
      << "\tp99Ns=" << p99Ns << "\tmaxNs=" << maxNs << "\tdiffs=" << diffs << "\tpeakRssKb=" << peakRssKb
      << "\twasmHeapKb=" << wasmHeapKb << "\tengineHeapKb=" << engineHeapKb
      << "\tcheck=" << check;
    return o.str();
}

RunResult RunResult::parse(const std::string& line) {
    RunResult r;
    std::istringstream in(line);
    std::string item;
    while (std::getline(in, item, '\t')) {
        size_t eq = item.find('=');
        if (eq == std::string::npos) continue;
        std::string k = item.substr(0, eq), v = item.substr(eq + 1);
        if (k == "check") { r.check = v; continue; }
        if (v.empty()) continue;
        if (k == "bootstrapElements") r.bootstrapElements = std::stoll(v);
        else if (k == "bootstrapSeconds") r.bootstrapSeconds = std::stod(v);
        else if (k == "bootstrapCpuSeconds") r.bootstrapCpuSeconds = std::stod(v);
        else if (k == "singleCpuSeconds") r.singleCpuSeconds = std::stod(v);
        else if (k == "batchedCpuSeconds") r.batchedCpuSeconds = std::stod(v);
        else if (k == "singleChanges") r.singleChanges = std::stoll(v);
        else if (k == "singleSeconds") r.singleSeconds = std::stod(v);
        else if (k == "batchedChanges") r.batchedChanges = std::stoll(v);
        else if (k == "batchedSeconds") r.batchedSeconds = std::stod(v);
        else if (k == "p50Ns") r.p50Ns = std::stoll(v);
        else if (k == "p99Ns") r.p99Ns = std::stoll(v);
        else if (k == "maxNs") r.maxNs = std::stoll(v);
        else if (k == "diffs") r.diffs = std::stoll(v);
        else if (k == "peakRssKb") r.peakRssKb = std::stoll(v);
        else if (k == "wasmHeapKb") r.wasmHeapKb = std::stoll(v);
        else if (k == "engineHeapKb") r.engineHeapKb = std::stoll(v);
    }
    return r;
}

RunResult runOne(const RunConfig& config) {
    const Scenario* scenario = findScenario(config.scenario);
    if (!scenario) throw Error(ErrorCode::InvalidConfig, "no scenario " + std::to_string(config.scenario));
    ModelConfig mc;
    mc.seed = config.seed;
    const int64_t perBuilding = mc.floorsPerBuilding * mc.roomsPerFloor;
    if (config.rooms <= 0 || config.rooms % perBuilding != 0)
        throw Error(ErrorCode::InvalidConfig, "rooms must be a positive multiple of " + std::to_string(perBuilding));
    mc.buildings = config.rooms / perBuilding;
    BuildingModel model(mc);

    // The heap in use before the engine exists (the generator's model of the building): what the
    // engine holds at the end is the difference.
    const int64_t heapBefore = heapInUseBytes();
    // "sqlite" is a database file; "sqlite-memory" is SQLite in memory (an edge function's storage).
    std::string storageKind = config.backend == "sqlite-memory" ? "sqlite" : config.backend;
    std::string dbPath = config.backend == "sqlite-memory" ? ":memory:" : "";
    bool removeDb = false;
    if (config.backend == "sqlite") {
        dbPath = config.sqlitePath;
        if (dbPath.empty()) {
            dbPath = "/tmp/cq_bench_" + std::to_string(getpid()) + ".sqlite";
            removeDb = true;
        }
        removeDatabase(dbPath);
    }
    RunResult result;
    {
        EngineOptions options;
        options.archive = config.archive;
        options.wallClock = [] { return int64_t(5'000'000); };
        Engine engine(openStorage(storageKind, dbPath), options);
        QueryConfig query;
        query.id = "q";
        query.cypher = scenario->cypher;
        engine.registerQuery(query);

        // Bootstrap: inserts in batches, as a source's bootstrap would arrive.
        std::vector<Change> batch;
        int64_t ns = 0, cpuNs = 0;
        for (;;) {
            batch.clear();
            if (model.nextBootstrap(batch, size_t(config.bootstrapBatch)) == 0) break;
            int64_t cpu0 = threadCpuNs();
            auto t0 = Clock::now();
            { countDiffs(engine.applyBatch(batch)); }
            ns += nanos(t0, Clock::now());
            cpuNs += threadCpuNs() - cpu0;
            result.bootstrapElements += int64_t(batch.size());
        }
        result.bootstrapSeconds = double(ns) * 1e-9;
        result.bootstrapCpuSeconds = double(cpuNs) * 1e-9;

        for (int64_t i = 0; i < config.warmupChanges; ++i) countDiffs(engine.applyChange(model.nextUpdate(scenario->updates)));

        // One change at a time, each timed on its own. Changes are generated in chunks outside the
        // timed regions; thread CPU time is read per chunk (it is a system call, ~0.3 us).
        std::vector<int64_t> latencies;
        latencies.reserve(size_t(config.singleChanges));
        const int64_t capNs = int64_t(config.maxSeconds * 1e9);
        ns = 0;
        cpuNs = 0;
        while (int64_t(latencies.size()) < config.singleChanges && ns < capNs) {
            batch.clear();
            int64_t n = std::min(config.batchSize, config.singleChanges - int64_t(latencies.size()));
            for (int64_t i = 0; i < n; ++i) batch.push_back(model.nextUpdate(scenario->updates));
            int64_t cpu0 = threadCpuNs();
            for (const Change& change : batch) {
                auto t0 = Clock::now();
                { result.diffs += countDiffs(engine.applyChange(change)); }
                int64_t d = nanos(t0, Clock::now());
                ns += d;
                latencies.push_back(d);
            }
            cpuNs += threadCpuNs() - cpu0;
        }
        result.singleChanges = int64_t(latencies.size());
        result.singleSeconds = double(ns) * 1e-9;
        result.singleCpuSeconds = double(cpuNs) * 1e-9;
        std::sort(latencies.begin(), latencies.end());
        result.p50Ns = percentile(latencies, 0.50);
        result.p99Ns = percentile(latencies, 0.99);
        result.maxNs = latencies.empty() ? 0 : latencies.back();

        // Batched.
        ns = 0;
        cpuNs = 0;
        while (result.batchedChanges < config.batchedChanges && ns < capNs) {
            batch.clear();
            int64_t n = std::min(config.batchSize, config.batchedChanges - result.batchedChanges);
            for (int64_t i = 0; i < n; ++i) batch.push_back(model.nextUpdate(scenario->updates));
            int64_t cpu0 = threadCpuNs();
            auto t0 = Clock::now();
            { countDiffs(engine.applyBatch(batch)); }
            ns += nanos(t0, Clock::now());
            cpuNs += threadCpuNs() - cpu0;
            result.batchedChanges += n;
        }
        result.batchedSeconds = double(ns) * 1e-9;
        result.batchedCpuSeconds = double(cpuNs) * 1e-9;

        // Before the check, which copies every result row out (about 13% of the peak at 100,000
        // rooms): the figure is the engine's and the generator's, not the check's.
        result.wasmHeapKb = wasmHeapKb();
        result.engineHeapKb = (heapInUseBytes() - heapBefore) / 1024;
        if (config.check) {
            std::string why = checkResults(*scenario, model, engine.currentResults("q"));
            result.check = why.empty() ? "ok" : why;
        }
    }
    result.peakRssKb = peakRssKb();
    if (removeDb) removeDatabase(dbPath);
    return result;
}

}  // namespace cq::bench
