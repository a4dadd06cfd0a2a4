// SPDX-License-Identifier: MIT
// One benchmark run: one scenario x one size x one backend, in a fresh engine. The driver
// (bench_main.cpp) runs each in its own child process so that peak RSS belongs to that run alone.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace cq::bench {

struct RunConfig {
    int scenario = 1;
    int64_t rooms = 10'000;
    std::string backend = "memory";
    int64_t warmupChanges = 1'000;
    int64_t singleChanges = 20'000;   ///< applied one at a time with Engine::applyChange
    int64_t batchedChanges = 20'000;  ///< applied with Engine::applyBatch, batchSize per batch
    int64_t batchSize = 1'000;
    int64_t bootstrapBatch = 1'000;   ///< bootstrap inserts per applyBatch
    double maxSeconds = 20;           ///< per phase: a phase stops early (and says so) past this
    bool archive = false;             ///< EngineOptions::archive (drasi query-perf runs without one)
    bool check = true;                ///< compare the final result with the model's state
    uint64_t seed = 42;
    std::string sqlitePath;           ///< empty: a temporary file, removed afterwards
};

struct RunResult {
    int64_t bootstrapElements = 0;
    double bootstrapSeconds = 0;     ///< wall time (steady_clock) of the timed regions
    double bootstrapCpuSeconds = 0;  ///< thread CPU time of the same regions
    int64_t singleChanges = 0;
    double singleSeconds = 0;
    double singleCpuSeconds = 0;
    int64_t batchedChanges = 0;
    double batchedSeconds = 0;
    double batchedCpuSeconds = 0;
    int64_t p50Ns = 0, p99Ns = 0, maxNs = 0;
    int64_t diffs = 0;           ///< result diffs emitted during the one-at-a-time phase
    int64_t peakRssKb = 0;       ///< VmHWM of the process at the end of the run (under Node: all of Node)
    int64_t wasmHeapKb = 0;      ///< wasm builds: the allocator's peak footprint before the result check; 0 natively
    /// Heap in use by the engine before the result check: malloc's bytes in use then, less those in
    /// use before the engine was opened (the generator's model). SQLite's page cache is included.
    int64_t engineHeapKb = 0;
    std::string check = "skipped";  ///< "ok", "skipped" or what differed

    double bootstrapRate() const { return bootstrapSeconds > 0 ? bootstrapElements / bootstrapSeconds : 0; }
    double singleRate() const { return singleSeconds > 0 ? singleChanges / singleSeconds : 0; }
    double batchedRate() const { return batchedSeconds > 0 ? batchedChanges / batchedSeconds : 0; }
    double bootstrapCpuRate() const { return bootstrapCpuSeconds > 0 ? bootstrapElements / bootstrapCpuSeconds : 0; }
    double singleCpuRate() const { return singleCpuSeconds > 0 ? singleChanges / singleCpuSeconds : 0; }
    double batchedCpuRate() const { return batchedCpuSeconds > 0 ? batchedChanges / batchedCpuSeconds : 0; }

    /// One line, `key=value` pairs separated by tabs (the child -> driver protocol).
    std::string serialize() const;
    static RunResult parse(const std::string& line);
};

/// Runs one combination; throws cq::Error on engine or storage failures.
RunResult runOne(const RunConfig& config);

/// VmHWM (peak resident set) of this process in kB, 0 if unknown.
int64_t peakRssKb();
/// The wasm allocator's peak footprint so far in kB (0 natively).
int64_t wasmHeapKb();

}  // namespace cq::bench
