// SPDX-License-Identifier: MIT
// cq_bench: drasi-core query-perf's building-comfort benchmark for cqlite. For every scenario x size x
// backend it runs a child process (`--run`, so peak RSS is per run), prints a table and, with
// `--markdown FILE`, writes the report (docs/benchmarks.md). Not a test: nothing asserts on speed.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/run.h"
#include "bench/scenarios.h"
#include "core/common/error.h"
#include "storage/factory/open_storage.h"
#include "wasm/heap_tunables.h"

#ifndef CQ_BENCH_SOURCE_DIR
#define CQ_BENCH_SOURCE_DIR "."
#endif

namespace cq::bench {
namespace {

// drasi-core query-perf's only published figures (query-perf/README.md, scenario 1, memory/memory,
// 2,000 rooms, 1,000 updates; machine not stated): docs/drasi-reference.md section 8.
constexpr double kDrasiChangesPerSecond = 15'900;
constexpr double kDrasiBootstrapPerSecond = 56'000;

// The targets this benchmark reports against (native, memory backend, one change at a time).
struct Target {
    int scenario;
    double changesPerSecond;
};
constexpr Target kTargets[] = {{1, 500'000}, {3, 200'000}, {5, 100'000}};
constexpr double kBootstrapTarget = 1'000'000;

/// Node flags for the wasm children: compile every wasm function with the optimising compiler at
/// instantiation. By default V8 compiles lazily with a baseline compiler and tiers a function up only
/// when it is called again after running a while (wasm has no on-stack replacement), so the first
/// tenth of a second of any run is partly baseline code and a 10,000-room bootstrap measured 2.9x
/// native; with these flags 0.9-1.2x, and CPU time equals wall time (no compiler threads running).
constexpr const char* kWasmNodeFlags = "--no-wasm-lazy-compilation --no-liftoff";

struct Options {
    std::vector<int64_t> sizes = {10'000, 100'000};
    std::vector<int> scenarios = {1, 2, 3, 4, 5};
    /// sqlite is a database file; sqlite-memory is SQLite in memory (an edge function's storage).
    std::vector<std::string> backends = {"memory", "sqlite", "sqlite-memory"};
    /// The same runs in the wasm build under Node (issue 6: "the same benchmark as the native build").
    /// sqlite-memory is SQLite in memory, an edge function's storage; sqlite is a file (NODERAWFS).
    std::vector<std::string> wasmBackends = {"memory", "sqlite-memory", "sqlite"};
    std::string wasmBench;  ///< build/wasm/bench/cq_bench.js; empty: no wasm rows
    int64_t changes = 20'000;       ///< per phase (single, batched) at sizes below 100,000 rooms
    int64_t changesLarge = 10'000;  ///< per phase at 100,000 rooms and more
    int repeat = 3;                 ///< runs per combination (interleaved); the report shows medians
    std::string markdown;
    RunConfig run;                  ///< --run: the one combination
    std::string loadBefore, loadAfter;  ///< /proc/loadavg around the driver's runs
    bool runOnly = false;
    bool wasmGiven = false;  ///< --wasm or --no-wasm said what to do
    /// Native children run with glibc's heap on transparent huge pages, as the cqlite CLI runs itself
    /// (wasm/cli_main.cpp, useHugePageHeap); --heap default measures glibc's default heap.
    bool hugePageHeap = true;
};

struct Row {
    std::string target;  ///< "native" or "wasm"
    int scenario;
    int64_t rooms;
    std::string backend;
    bool ok = false;
    std::string error;
    RunResult result;
};

[[noreturn]] void usage(const std::string& problem) {
    std::cerr << "cq_bench: " << problem << "\n"
              << "usage: cq_bench [--markdown FILE] [--sizes 10000,100000] [--scenarios 1,2,3,4,5]\n"
                 "                [--backends memory,sqlite,sqlite-memory] [--changes N] [--changes-large N]\n"
                 "                [--warmup N] [--max-seconds S] [--seed S] [--repeat N] [--archive] [--no-check]\n"
                 "                [--wasm build/wasm/bench/cq_bench.js | --no-wasm] [--wasm-backends memory,sqlite-memory,sqlite]\n"
                 "                [--heap thp|default]\n"
                 "       cq_bench --run --scenario N --rooms R --backend B [--changes N] ... (one run)\n";
    std::exit(2);
}

template <class T>
std::vector<T> parseList(const std::string& text) {
    std::vector<T> out;
    std::istringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        if constexpr (std::is_same_v<T, std::string>) out.push_back(item);
        else out.push_back(T(std::stoll(item)));
    }
    return out;
}

Options parseArgs(int argc, char** argv) {
    Options o;
    bool changesGiven = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(a + " needs a value");
            return argv[++i];
        };
        try {
            if (a == "--markdown") o.markdown = value();
            else if (a == "--sizes") o.sizes = parseList<int64_t>(value());
            else if (a == "--scenarios") o.scenarios = parseList<int>(value());
            else if (a == "--backends") o.backends = parseList<std::string>(value());
            else if (a == "--changes") { o.changes = std::stoll(value()); changesGiven = true; }
            else if (a == "--changes-large") o.changesLarge = std::stoll(value());
            else if (a == "--warmup") o.run.warmupChanges = std::stoll(value());
            else if (a == "--max-seconds") o.run.maxSeconds = std::stod(value());
            else if (a == "--seed") o.run.seed = uint64_t(std::stoull(value()));
            else if (a == "--repeat") o.repeat = std::max(1, int(std::stoll(value())));
            else if (a == "--archive") o.run.archive = true;
            else if (a == "--no-check") o.run.check = false;
            else if (a == "--run") o.runOnly = true;
            else if (a == "--wasm") { o.wasmBench = value(); o.wasmGiven = true; }
            else if (a == "--no-wasm") { o.wasmBench.clear(); o.wasmGiven = true; }
            else if (a == "--wasm-backends") o.wasmBackends = parseList<std::string>(value());
            else if (a == "--heap") {
                std::string heap = value();
                if (heap != "thp" && heap != "default") usage("--heap takes thp or default");
                o.hugePageHeap = heap == "thp";
            }
            else if (a == "--scenario") o.run.scenario = int(std::stoll(value()));
            else if (a == "--rooms") o.run.rooms = std::stoll(value());
            else if (a == "--backend") o.run.backend = value();
            else if (a == "--batched") o.run.batchedChanges = std::stoll(value());
            else if (a == "--sqlite-path") o.run.sqlitePath = value();
            else if (a == "--help" || a == "-h") usage("help");
            else usage("unknown argument " + a);
        } catch (const std::logic_error&) {
            usage("bad value for " + a);
        }
    }
    if (o.runOnly) {
        o.run.singleChanges = o.changes;
        if (!changesGiven) o.run.singleChanges = 20'000;
        bool batchedGiven = false;
        for (int i = 1; i < argc; ++i) batchedGiven = batchedGiven || std::strcmp(argv[i], "--batched") == 0;
        if (!batchedGiven) o.run.batchedChanges = o.run.singleChanges;
    }
    return o;
}

std::string selfPath() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "cq_bench";
    return std::string(buf, size_t(n));
}

// Runs one combination in a child process and reads its RESULT line.
Row runChild(const Options& o, const std::string& target, int scenario, int64_t rooms, const std::string& backend) {
    Row row;
    row.target = target;
    row.scenario = scenario;
    row.rooms = rooms;
    row.backend = backend;
    int64_t changes = rooms >= 100'000 ? o.changesLarge : o.changes;
    std::ostringstream cmd;
    // The wasm child is this program compiled by Emscripten, run by Node with every function compiled
    // optimised when the module is instantiated (kWasmNodeFlags), so no timed phase waits for V8's
    // lazy tier-up (see wasmSection()).
    if (target == "wasm") cmd << "node " << kWasmNodeFlags << " '" << o.wasmBench << "'";
    else {
        // GLIBC_TUNABLES is read when a process starts, so it goes in the child's environment (as the
        // CLI does, a caller's own GLIBC_TUNABLES wins).
        if (o.hugePageHeap) cmd << "GLIBC_TUNABLES=\"${GLIBC_TUNABLES:-" << kHeapTunables << "}\" ";
        cmd << "'" << selfPath() << "'";
    }
    cmd << " --run --scenario " << scenario << " --rooms " << rooms << " --backend " << backend
        << " --changes " << changes << " --batched " << changes << " --warmup " << o.run.warmupChanges
        << " --max-seconds " << o.run.maxSeconds << " --seed " << o.run.seed << (o.run.archive ? " --archive" : "")
        << (o.run.check ? "" : " --no-check");
    FILE* pipe = popen(cmd.str().c_str(), "r");
    if (!pipe) {
        row.error = "cannot start the child process";
        return row;
    }
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    int status = pclose(pipe);
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("RESULT\t", 0) == 0) {
            row.result = RunResult::parse(line.substr(7));
            row.ok = true;
        } else if (line.rfind("ERROR\t", 0) == 0) {
            row.error = line.substr(6);
        }
    }
    if (status != 0 && row.error.empty()) row.error = "child exited with status " + std::to_string(status);
    if (status != 0) row.ok = false;
    return row;
}

std::string fmtRate(double v) {
    if (v <= 0) return "-";
    char buf[64];
    // Thousands separators make the table readable at these magnitudes.
    std::snprintf(buf, sizeof buf, "%.0f", v);
    std::string s = buf, out;
    int count = 0;
    for (size_t i = s.size(); i-- > 0;) {
        out.insert(out.begin(), s[i]);
        if (++count % 3 == 0 && i > 0) out.insert(out.begin(), ',');
    }
    return out;
}

std::string fmtMicros(int64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", double(ns) / 1000.0);
    return buf;
}

std::string fmtRatio(double a, double b) {
    if (a <= 0 || b <= 0) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", a / b);
    return buf;
}

std::string fmtMb(int64_t kb) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", double(kb) / 1024.0);
    return buf;
}

const Row* findRow(const std::vector<Row>& rows, int scenario, int64_t rooms, const std::string& backend,
                   const std::string& target = "native") {
    for (const Row& r : rows)
        if (r.target == target && r.scenario == scenario && r.rooms == rooms && r.backend == backend && r.ok) return &r;
    return nullptr;
}

std::string cpuModel() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) {
            size_t colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    return "unknown";
}

std::string commandOutput(const std::string& cmd) {
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return "";
    std::string out;
    char buf[256];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

std::string loadAverage() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    if (!(in >> a >> b >> c)) return "unknown";
    return a + " " + b + " " + c;
}

std::string utcNow() {
    std::time_t t = std::time(nullptr);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
    return buf;
}

// The results as a table, in Markdown syntax (readable as plain text as well).
std::string resultsTable(const std::vector<Row>& rows) {
    std::ostringstream t;
    t << "| # | scenario | rooms | build | backend | bootstrap el/s wall (CPU) | changes/s 1 at a time, wall (CPU) "
         "| changes/s batch 1,000, wall (CPU) | p50 µs | p99 µs | peak RSS MB | engine heap MB | wasm heap peak MB "
         "| changes (1/batch) | diffs/change | result check |\n"
         "|---|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
    for (const Row& r : rows) {
        const Scenario* s = findScenario(r.scenario);
        t << "| " << r.scenario << " | " << (s ? s->name : "?") << " | " << fmtRate(double(r.rooms)) << " | "
          << r.target << " | " << r.backend << " | ";
        if (!r.ok) {
            t << "failed: " << r.error << " | | | | | | | | | | |\n";
            continue;
        }
        const RunResult& x = r.result;
        char dpc[32];
        std::snprintf(dpc, sizeof dpc, "%.2f", x.singleChanges ? double(x.diffs) / double(x.singleChanges) : 0.0);
        t << fmtRate(x.bootstrapRate()) << " (" << fmtRate(x.bootstrapCpuRate()) << ") | " << fmtRate(x.singleRate())
          << " (" << fmtRate(x.singleCpuRate()) << ") | " << fmtRate(x.batchedRate()) << " ("
          << fmtRate(x.batchedCpuRate()) << ") | " << fmtMicros(x.p50Ns) << " | " << fmtMicros(x.p99Ns) << " | " << fmtMb(x.peakRssKb) << " | " << fmtMb(x.engineHeapKb) << " | "
          << (r.target == "wasm" ? fmtMb(x.wasmHeapKb) : "-") << " | "
          << fmtRate(double(x.singleChanges)) << " / " << fmtRate(double(x.batchedChanges)) << " | " << dpc << " | "
          << x.check << " |\n";
    }
    return t.str();
}

// The wasm build against the native one, same benchmark, same run (issue 6: within 2x on memory).
std::string wasmSection(const Options& o, const std::vector<Row>& rows) {
    if (o.wasmBackends.empty()) return "";
    std::ostringstream m;
    m << "\n### wasm (Node) / native, the same benchmark\n\n"
         "The wasm rows are this benchmark compiled by Emscripten (build/wasm/bench/cq_bench.js: the same "
         "engine, storage and SQLite, no JavaScript in the timed calls) and run by the driver as `node "
         "cq_bench.js --run ...` children, interleaved with the native ones. Node runs them with `"
      << kWasmNodeFlags << "`: every wasm function compiled optimised when the module is instantiated, before "
         "anything is timed. With Node's defaults (lazy compilation, then tier-up of functions called again after "
         "running a while) the first tenth of a second of a run is partly baseline code: a 10,000-room bootstrap "
         "then measured 2.9x native, and a throwaway warm-up engine brought it to 1.3-2x, varying from run to run "
         "with the compiler threads' timing. The cold start is what `npm run bench:js` reports as "
         "import-to-first-result (docs/benchmarks-js.md). \"CPU\" for wasm is Node's process CPU time (`process.cpuUsage()`, all threads: "
         "Emscripten has no thread CPU clock), so it includes V8's compiler and GC threads. \"wasm heap peak\" is "
         "the allocator's high-water mark (mallinfo().usmblks) before the final result check; it holds the "
         "benchmark's own model of the building as well. \"engine heap\" is malloc's bytes in use by the engine before the "
         "final result check (in use then, less in use before the engine was opened), natively and in wasm; "
         "issue 6's target for a 100,000-room graph in wasm is at most 64 MB.\n\n"
         "Each cell: how many times slower wasm is than native, wall (CPU). Target: at most 2x on memory.\n\n"
         "| # | rooms | wasm backend | native backend | bootstrap | one at a time | batched | engine heap MB, wasm "
         "(native) | within 2x (memory, wall) |\n|---|---:|---|---|---:|---:|---:|---:|---|\n";
    for (int64_t rooms : o.sizes)
        for (int s : o.scenarios)
            for (const std::string& wb : o.wasmBackends) {
                // Like against like; a native run without that backend falls back to its SQLite file.
                std::string nb = wb;
                const Row* n = findRow(rows, s, rooms, nb, "native");
                if (!n && wb == "sqlite-memory") n = findRow(rows, s, rooms, nb = "sqlite", "native");
                const Row* w = findRow(rows, s, rooms, wb, "wasm");
                if (!w || !n) continue;
                const RunResult& x = w->result;
                const RunResult& y = n->result;
                m << "| " << s << " | " << fmtRate(double(rooms)) << " | " << wb << " | " << nb << " | "
                  << fmtRatio(y.bootstrapRate(), x.bootstrapRate()) << " ("
                  << fmtRatio(y.bootstrapCpuRate(), x.bootstrapCpuRate()) << ") | "
                  << fmtRatio(y.singleRate(), x.singleRate()) << " (" << fmtRatio(y.singleCpuRate(), x.singleCpuRate())
                  << ") | " << fmtRatio(y.batchedRate(), x.batchedRate()) << " ("
                  << fmtRatio(y.batchedCpuRate(), x.batchedCpuRate()) << ") | " << fmtMb(x.engineHeapKb) << " ("
                  << fmtMb(y.engineHeapKb) << ") | ";
                if (wb == "memory") {
                    bool ok = y.singleRate() <= 2 * x.singleRate() && y.batchedRate() <= 2 * x.batchedRate() &&
                              y.bootstrapRate() <= 2 * x.bootstrapRate();
                    m << (ok ? "yes" : "no");
                }
                m << " |\n";
            }
    return m.str();
}

/// sqlite/memory for one scenario and size, measured in pairs: each repetition ran the two one
/// after the other, so each pair saw the machine in about the same state. The median of the pairs'
/// ratios, and their range. A ratio of the two medians could pair a fast spell of one backend with
/// a slow spell of the other: the same binary's rate moved by up to 1.5x within one 10-minute run.
struct PairedRatio {
    double median = 0, low = 0, high = 0;
};

/// Every repetition's rate of one native memory-backend combination, in run order ("a, b, c"): the
/// targets table shows them beside the median, because on this machine a figure can land on
/// either side of its goal from one run to the next (the bootstrap: bench/what_limits_it.md).
std::string eachRun(const std::vector<std::vector<Row>>& runs, int scenario, int64_t rooms,
                    double (RunResult::*rate)() const) {
    for (const auto& same : runs) {
        const Row& r = same.front();
        if (r.target != "native" || r.backend != "memory" || r.scenario != scenario || r.rooms != rooms) continue;
        std::string out;
        for (const Row& run : same) out += (out.empty() ? "" : ", ") + (run.ok ? fmtRate((run.result.*rate)()) : "-");
        return out;
    }
    return "-";
}

PairedRatio pairedRatio(const std::vector<std::vector<Row>>& runs, int scenario, int64_t rooms,
                        double (RunResult::*rate)() const) {
    const std::vector<Row>* mem = nullptr;
    const std::vector<Row>* sql = nullptr;
    for (const auto& same : runs) {
        const Row& r = same.front();
        if (r.target != "native" || r.scenario != scenario || r.rooms != rooms) continue;
        if (r.backend == "memory") mem = &same;
        if (r.backend == "sqlite") sql = &same;
    }
    PairedRatio out;
    if (!mem || !sql) return out;
    std::vector<double> ratios;
    for (size_t i = 0; i < mem->size() && i < sql->size(); ++i) {
        const Row& m = (*mem)[i];
        const Row& q = (*sql)[i];
        double a = (q.result.*rate)(), b = (m.result.*rate)();
        if (m.ok && q.ok && a > 0 && b > 0) ratios.push_back(a / b);
    }
    if (ratios.empty()) return out;
    std::sort(ratios.begin(), ratios.end());
    size_t n = ratios.size();
    out.median = n % 2 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
    out.low = ratios.front();
    out.high = ratios.back();
    return out;
}

std::string fmtPaired(const PairedRatio& r) {
    if (r.median <= 0) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f [%.2f-%.2f]", r.median, r.low, r.high);
    return buf;
}

std::string markdownReport(const Options& o, const std::vector<Row>& rows, const std::vector<std::vector<Row>>& runs,
                           const std::vector<std::string>& skipped) {
    std::ostringstream m;
    m << "<!-- SPDX-License-Identifier: MIT -->\n"
         "# Benchmarks\n\n"
         "Generated by `npm run bench` (bench/, target `cq_bench`, Release build): drasi-core query-perf's "
         "building-comfort benchmark (docs/drasi-reference.md section 8) at larger sizes. Figures vary run to "
         "run by several percent on a shared machine; the ratios below were measured side by side in this one "
         "run.\n\n";
    m << "## Machine and run\n\n"
      << "- Date: " << utcNow() << "\n"
      << "- CPU: " << cpuModel() << ", nproc " << std::thread::hardware_concurrency() << "\n"
      << "- Compiler: g++ " << __VERSION__ << ", CMake Release (-O3)\n";
    std::string commit = commandOutput("git -C '" CQ_BENCH_SOURCE_DIR "' rev-parse --short HEAD 2>/dev/null");
    if (!commit.empty()) m << "- Commit: " << commit << " (plus any uncommitted edits)\n";
    m << "- Model: B buildings x 10 floors x 20 rooms; 10,000 rooms = 50 buildings (21,050 bootstrap elements: "
         "nodes and PART_OF relations), 100,000 rooms = 500 buildings (210,500). Rooms start at temperature 72, "
         "humidity 42, co2 500, note 0.\n"
      << "- Changes: each an Update of one random Room (the full element), one property moved by a delta "
         "uniform in [-2, +2), effective_from steps of 1-3 ms, SplitMix64 seed "
      << o.run.seed << ". Scenario 4 updates only `note`, which the query does not read.\n"
      << "- Per run: a fresh engine and a child process; bootstrap in applyBatch batches of 1,000 inserts; "
      << o.run.warmupChanges << " warm-up changes; then " << fmtRate(double(o.changes)) << " changes one at a time "
      << "(Engine::applyChange, each timed with steady_clock) and " << fmtRate(double(o.changes))
      << " in applyBatch batches of 1,000 (" << fmtRate(double(o.changesLarge)) << " and "
      << fmtRate(double(o.changesLarge)) << " at 100,000 rooms); a phase stops early past " << o.run.maxSeconds
      << " s. Every combination ran " << o.repeat << (o.repeat == 1 ? " time" : " times")
      << " (repetitions interleaved); each figure is the median of its runs (per figure). Archive "
      << (o.run.archive ? "on" : "off (as query-perf, which has no archive index)")
      << ". Peak RSS is the child's VmHWM. The result check compares the final result set with one computed "
         "from the generator's state.\n"
      << (o.hugePageHeap
              ? std::string("- Heap: the native children run with glibc's malloc on transparent huge pages, and blocks of "
                            "up to 32 MiB from the heap (`GLIBC_TUNABLES=") + kHeapTunables +
                    "`), as the `cqlite` CLI runs itself (\"What limits it\" below has both heaps side by side); the "
                    "wasm children's memory is V8's, untouched.\n"
              : "- Heap: glibc's default malloc (`--heap default`).\n");
    for (const std::string& s : skipped) m << "- Skipped: " << s << "\n";
    m << "- Load average (1, 5, 15 min) at the start: " << o.loadBefore << "; at the end: " << o.loadAfter << "\n";
    m << "\n### Wall and CPU time\n\n"
         "Every rate is given twice: by wall time (std::chrono::steady_clock around each engine call) and, in "
         "parentheses, by the thread's CPU time over the same calls (CLOCK_THREAD_CPUTIME_ID). On an idle "
         "machine they agree for the memory backend; when other processes compete for the 2 cores (load "
         "averages above 2), wall time counts the time the benchmark waited for a core, and CPU time is the "
         "better measure of the engine. SQLite's wall time also includes its waits for the disk. Latency "
         "percentiles are wall time.\n";
    m << "\n## Results\n\n" << resultsTable(rows) << "\n";

    m << "## Targets (native, memory backend, one change at a time)\n\n"
         "Judged on the median of the runs' CPU time (see \"Wall and CPU time\" above); wall time is shown as "
         "well, and every run's CPU figure in run order.\n\n"
         "| target | rooms | wall | CPU | CPU, each run | goal | met (CPU) |\n|---|---:|---:|---:|---:|---:|---|\n";
    for (int64_t rooms : o.sizes) {
        for (const Target& t : kTargets) {
            const Row* r = findRow(rows, t.scenario, rooms, "memory");
            if (!r) continue;
            const Scenario* s = findScenario(t.scenario);
            m << "| " << t.scenario << ". " << s->name << " changes/s | " << fmtRate(double(rooms)) << " | "
              << fmtRate(r->result.singleRate()) << " | " << fmtRate(r->result.singleCpuRate()) << " | "
              << eachRun(runs, t.scenario, rooms, &RunResult::singleCpuRate) << " | "
              << fmtRate(t.changesPerSecond) << " | " << (r->result.singleCpuRate() >= t.changesPerSecond ? "yes" : "no")
              << " |\n";
        }
        const Row* boot = findRow(rows, 1, rooms, "memory");
        if (boot)
            m << "| bootstrap elements/s (scenario 1) | " << fmtRate(double(rooms)) << " | "
              << fmtRate(boot->result.bootstrapRate()) << " | " << fmtRate(boot->result.bootstrapCpuRate()) << " | "
              << eachRun(runs, 1, rooms, &RunResult::bootstrapCpuRate) << " | "
              << fmtRate(kBootstrapTarget) << " | "
              << (boot->result.bootstrapCpuRate() >= kBootstrapTarget ? "yes" : "no") << " |\n";
    }
    m << "\nSQLite target: at least half of memory's throughput (ratio >= 0.50 below).\n\n";

    m << "## Ratios measured in this run\n\n### sqlite / memory\n\n"
         "Measured in pairs: in each repetition the SQLite run came right after the memory run of the same "
         "scenario and size. Each cell: the median of the pairs' ratios by wall time [the lowest and highest "
         "pair], then the median by CPU time. Wall time includes SQLite's waits for the disk.\n\n"
         "| # | rooms | bootstrap | one at a time | batched | met (>= 0.50, one at a time, wall) |\n"
         "|---|---:|---:|---:|---:|---|\n";
    for (int64_t rooms : o.sizes)
        for (int s : o.scenarios) {
            PairedRatio single = pairedRatio(runs, s, rooms, &RunResult::singleRate);
            if (single.median <= 0) continue;
            auto cell = [&](double (RunResult::*wall)() const, double (RunResult::*cpu)() const) {
                PairedRatio c = pairedRatio(runs, s, rooms, cpu);
                char buf[32];
                std::snprintf(buf, sizeof buf, " (%.2f)", c.median);
                return fmtPaired(pairedRatio(runs, s, rooms, wall)) + (c.median > 0 ? buf : "");
            };
            m << "| " << s << " | " << fmtRate(double(rooms)) << " | "
              << cell(&RunResult::bootstrapRate, &RunResult::bootstrapCpuRate) << " | "
              << cell(&RunResult::singleRate, &RunResult::singleCpuRate) << " | "
              << cell(&RunResult::batchedRate, &RunResult::batchedCpuRate) << " | "
              << (single.median >= 0.5 ? "yes" : "no") << " |\n";
        }
    m << wasmSection(o, rows);
    m << "\n### cqlite / drasi-core (published)\n\n"
         "drasi-core publishes one pair of figures: scenario 1, memory, 2,000 rooms (4,210 bootstrap elements), "
         "1,000 updates, machine not stated: **15,900 changes/s** and **56,000 bootstrap elements/s**. The "
         "comparison below is therefore across machines and sizes; treat it as an order of magnitude.\n\n"
         "| rooms | backend | changes/s (1 at a time) wall (CPU) | x Drasi wall (CPU) | bootstrap el/s wall (CPU) "
         "| x Drasi wall (CPU) |\n"
         "|---:|---|---:|---:|---:|---:|\n";
    for (int64_t rooms : o.sizes)
        for (const std::string& b : o.backends) {
            const Row* r = findRow(rows, 1, rooms, b);
            if (!r) continue;
            const RunResult& x = r->result;
            m << "| " << fmtRate(double(rooms)) << " | " << b << " | " << fmtRate(x.singleRate()) << " ("
              << fmtRate(x.singleCpuRate()) << ") | " << fmtRatio(x.singleRate(), kDrasiChangesPerSecond) << " ("
              << fmtRatio(x.singleCpuRate(), kDrasiChangesPerSecond) << ") | " << fmtRate(x.bootstrapRate()) << " ("
              << fmtRate(x.bootstrapCpuRate()) << ") | " << fmtRatio(x.bootstrapRate(), kDrasiBootstrapPerSecond)
              << " (" << fmtRatio(x.bootstrapCpuRate(), kDrasiBootstrapPerSecond) << ") |\n";
        }
    m << "\n";
    std::ifstream notes(CQ_BENCH_SOURCE_DIR "/bench/what_limits_it.md");
    if (notes) {
        m << notes.rdbuf();
    }
    return m.str();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Field by field medians of the successful runs of one combination (a failed run fails the row).
Row medianRow(std::vector<Row>& same) {
    Row out = same.front();
    for (const Row& r : same)
        if (!r.ok) return r;
        else if (r.result.check != "ok") out = r;
    auto m = [&](auto field) {
        std::vector<double> v;
        for (const Row& r : same) v.push_back(double(r.result.*field));
        return median(v);
    };
    RunResult& x = out.result;
    x.bootstrapSeconds = m(&RunResult::bootstrapSeconds);
    x.bootstrapCpuSeconds = m(&RunResult::bootstrapCpuSeconds);
    x.singleSeconds = m(&RunResult::singleSeconds);
    x.singleCpuSeconds = m(&RunResult::singleCpuSeconds);
    x.batchedSeconds = m(&RunResult::batchedSeconds);
    x.batchedCpuSeconds = m(&RunResult::batchedCpuSeconds);
    x.p50Ns = int64_t(m(&RunResult::p50Ns));
    x.p99Ns = int64_t(m(&RunResult::p99Ns));
    x.maxNs = int64_t(m(&RunResult::maxNs));
    x.peakRssKb = int64_t(m(&RunResult::peakRssKb));
    x.wasmHeapKb = int64_t(m(&RunResult::wasmHeapKb));
    x.engineHeapKb = int64_t(m(&RunResult::engineHeapKb));
    return out;
}

int runDriver(const Options& o) {
    std::vector<std::string> kinds = storageKinds();
    std::vector<std::string> backends, skipped;
    for (const std::string& b : o.backends) {
        std::string kind = b == "sqlite-memory" ? "sqlite" : b;
        if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) backends.push_back(b);
        else skipped.push_back("backend '" + b + "' (not in this build)");
    }
    std::vector<std::string> wasmBackends;
    if (!o.wasmBench.empty()) {
        if (std::ifstream(o.wasmBench)) {
            for (const std::string& b : o.wasmBackends) {
                std::string kind = b == "sqlite-memory" ? "sqlite" : b;
                if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) wasmBackends.push_back(b);
                else skipped.push_back("wasm backend '" + b + "' (not in this build)");
            }
        } else {
            skipped.push_back("the wasm build (" + o.wasmBench + " not found)");
        }
    }
    for (const std::string& s : skipped) std::cerr << "cq_bench: skipping " << s << "\n";
    Options shown = o;
    shown.backends = backends;
    shown.wasmBackends = wasmBackends;
    struct Job {
        std::string target, backend;
    };
    std::vector<Job> jobs;
    for (const std::string& b : backends) jobs.push_back({"native", b});
    for (const std::string& b : wasmBackends) jobs.push_back({"wasm", b});
    shown.loadBefore = loadAverage();
    // Repetitions are interleaved (every combination once, then again), so a busy spell of the
    // shared machine hits all combinations alike; each figure is the median of its runs.
    std::vector<std::vector<Row>> runs;
    for (int rep = 0; rep < o.repeat; ++rep) {
        size_t index = 0;
        for (int64_t rooms : o.sizes)
            for (int s : o.scenarios)
                for (const Job& job : jobs) {
                    std::cerr << "cq_bench: run " << rep + 1 << "/" << o.repeat << ", scenario " << s << ", " << rooms
                              << " rooms, " << job.target << " " << job.backend << " ..." << std::flush;
                    Row row = runChild(o, job.target, s, rooms, job.backend);
                    if (row.ok)
                        std::cerr << " " << fmtRate(row.result.singleRate()) << " changes/s, check "
                                  << row.result.check << "\n";
                    else
                        std::cerr << " failed: " << row.error << "\n";
                    if (runs.size() <= index) runs.emplace_back();
                    runs[index++].push_back(std::move(row));
                }
    }
    std::vector<Row> rows;
    for (std::vector<Row>& same : runs) rows.push_back(medianRow(same));
    shown.loadAfter = loadAverage();
    std::cout << resultsTable(rows);
    if (!o.markdown.empty()) {
        std::ofstream out(o.markdown);
        if (!out) {
            std::cerr << "cq_bench: cannot write " << o.markdown << "\n";
            return 1;
        }
        out << markdownReport(shown, rows, runs, skipped);
        std::cerr << "cq_bench: wrote " << o.markdown << "\n";
    }
    for (const Row& r : rows)
        if (!r.ok || r.result.check != "ok") return r.ok && r.result.check == "skipped" ? 0 : 1;
    return 0;
}

}  // namespace
}  // namespace cq::bench

int main(int argc, char** argv) {
    using namespace cq::bench;
    Options o = parseArgs(argc, argv);
    if (!o.wasmGiven && !o.runOnly) {
        // The wasm tree's build of this program, when there is one (scripts/bench.sh builds it).
        std::string guess = CQ_BENCH_SOURCE_DIR "/build/wasm/bench/cq_bench.js";
        if (std::ifstream(guess)) o.wasmBench = guess;
    }
    if (!o.runOnly) return runDriver(o);
    try {
        RunResult r = runOne(o.run);
        std::cout << "RESULT\t" << r.serialize() << std::endl;
        return 0;
    } catch (const cq::Error& e) {
        std::cout << "ERROR\t" << cq::errorCodeName(e.code()) << ": " << e.what() << std::endl;
    } catch (const std::exception& e) {
        std::cout << "ERROR\t" << e.what() << std::endl;
    }
    return 1;
}
