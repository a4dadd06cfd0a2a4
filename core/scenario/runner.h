// SPDX-License-Identifier: MIT
// The conformance runner: executes scenario files (../shared/spec/scenario-format.md) against an
// engine over any storage backend and reports, per file, PASS or the first difference. Shared by
// the native CLI and the wasm build (through the C ABI), so every build runs the same contract.
#pragma once
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "core/interface/storage.h"
#include "core/model/json.h"

namespace cq::scenario {

/// Vectors the team judges wrong (tests/known-differences.json): each entry names a file and,
/// optionally, the step numbers (1-based) and query ids whose expectations are not met on purpose.
struct KnownDifference {
    std::string file;
    std::set<int> steps;  ///< empty: the whole file
    std::set<std::string> queries;  ///< empty: every query
    std::string reason;
};

struct RunnerOptions {
    std::function<std::unique_ptr<StorageBackend>()> makeStorage;
    std::vector<KnownDifference> known;
    std::set<std::string> pending;  ///< files whose feature belongs to an issue not yet done
    int64_t wallClock = 0;  ///< the host clock for timestamp()/datetime(); 0 = the system clock
};

enum class Status { Pass, Fail, Known, Pending };

struct FileResult {
    std::string name;
    Status status = Status::Pass;
    std::string message;  ///< the first difference (Fail), the reason (Known), a note (Pass)
};

/// Loads tests/known-differences.json and tests/pending.txt style inputs.
std::vector<KnownDifference> parseKnownDifferences(const Json& j);
std::set<std::string> parsePendingList(const std::string& text);

/// Runs one scenario (already parsed). `name` defaults to the file's "name".
FileResult runScenario(const Json& scenario, const std::string& name, const RunnerOptions& options);

/// Prints one line per file ("PASS <name>", "FAIL <name>: ...", "KNOWN <name>: ...", "PENDING
/// <name>") and the summary "N passed, M failed" last. Returns the number of failures.
int printResults(const std::vector<FileResult>& results, std::ostream& out);

}  // namespace cq::scenario
