// SPDX-License-Identifier: MIT
#include "core/scenario/runner.h"

#include <cmath>
#include <sstream>

#include "core/common/error.h"
#include "core/functions/registry.h"
#include "core/query/engine.h"

namespace cq::scenario {

namespace {

// ---------------------------------------------------------------------------------------------
// Comparing an emitted diff with an expected one (scenario-format.md, "DIFF").

/// Parses an ISO-8601 string with the temporal constructor its shape calls for; null when the
/// string is not temporal.
Value parseTemporal(const std::string& s) {
    if (s.size() < 2) return Value();
    const char* fnName = nullptr;
    bool digitStart = s[0] >= '0' && s[0] <= '9';
    if (s[0] == 'P' || (s[0] == '-' && s[1] == 'P')) fnName = "duration";
    else if (!digitStart && s[0] != '-' && s[0] != '+') return Value();
    else if (s.find('T') != std::string::npos) {
        std::string time = s.substr(s.find('T'));
        bool zoned = time.find('Z') != std::string::npos || time.find('+') != std::string::npos ||
                     time.find('-') != std::string::npos || time.find('[') != std::string::npos;
        fnName = zoned ? "datetime" : "localdatetime";
    } else if (s.size() >= 5 && s[2] == ':') {
        bool zoned = s.find('Z') != std::string::npos || s.find('+') != std::string::npos ||
                     s.find('-') != std::string::npos;
        fnName = zoned ? "time" : "localtime";
    } else if (s.size() >= 8 && s[4] == '-') {
        fnName = "date";
    } else {
        return Value();
    }
    const fn::FunctionDef* def = fn::builtinFunctions().find(fnName);
    if (!def || !def->fn) return Value();
    try {
        return def->fn({Value(s)}, fn::CallContext{});
    } catch (const std::exception&) {
        return Value();
    }
}

bool jsonValuesMatch(const Json& expected, const Json& actual) {
    if (expected.is_number() && actual.is_number()) {
        double e = expected.get<double>(), a = actual.get<double>();
        if (e == a) return true;
        return std::fabs(e - a) <= 1e-9 * std::max(std::fabs(e), std::fabs(a));
    }
    if (expected.is_string() && actual.is_string()) {
        const std::string& e = expected.get_ref<const std::string&>();
        const std::string& a = actual.get_ref<const std::string&>();
        if (e == a) return true;
        Value te = parseTemporal(e), ta = parseTemporal(a);
        return !te.isNull() && !ta.isNull() && valuesEqual(te, ta);
    }
    if (expected.is_array() && actual.is_array()) {
        if (expected.size() != actual.size()) return false;
        for (size_t i = 0; i < expected.size(); ++i)
            if (!jsonValuesMatch(expected[i], actual[i])) return false;
        return true;
    }
    if (expected.is_object() && actual.is_object()) {
        if (expected.size() != actual.size()) return false;
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            auto a = actual.find(it.key());
            if (a == actual.end() || !jsonValuesMatch(it.value(), *a)) return false;
        }
        return true;
    }
    return expected == actual;
}

bool groupingKeysMatch(const Json& expected, const Json& actual) {
    if (!expected.is_array() || !actual.is_array()) return expected == actual;
    std::multiset<std::string> e, a;
    for (const Json& x : expected) e.insert(x.dump());
    for (const Json& x : actual) a.insert(x.dump());
    return e == a;
}

bool diffMatches(const Json& expected, const Json& actual) {
    if (expected.value("kind", "") != actual.value("kind", "")) return false;
    for (const char* side : {"before", "after"}) {
        bool inE = expected.contains(side), inA = actual.contains(side);
        if (!inE) continue;
        const Json& e = expected[side];
        const Json a = inA ? actual[side] : Json(nullptr);
        if (e.is_null() != a.is_null()) return false;
        if (!e.is_null() && !jsonValuesMatch(e, a)) return false;
    }
    if (expected.contains("grouping_keys") && !groupingKeysMatch(expected["grouping_keys"], actual.value("grouping_keys", Json::array())))
        return false;
    return true;
}

/// PARTIAL: kind equal and every listed column (and list length) equal.
bool partialMatches(const Json& expected, const Json& actual) {
    if (expected.contains("kind") && expected["kind"] != actual.value("kind", "")) return false;
    for (const char* side : {"before", "after"}) {
        if (!expected.contains(side)) continue;
        const Json& e = expected[side];
        if (!actual.contains(side) || !actual[side].is_object()) return e.is_null();
        for (auto it = e.begin(); it != e.end(); ++it) {
            auto a = actual[side].find(it.key());
            if (a == actual[side].end() || !jsonValuesMatch(it.value(), *a)) return false;
        }
    }
    if (expected.contains("after_sizes")) {
        const Json& sizes = expected["after_sizes"];
        if (!actual.contains("after") || !actual["after"].is_object()) return false;
        for (auto it = sizes.begin(); it != sizes.end(); ++it) {
            auto a = actual["after"].find(it.key());
            if (a == actual["after"].end() || !a->is_array() || a->size() != it.value().get<size_t>()) return false;
        }
    }
    return true;
}

/// Greedy multiset matching: each expected entry takes a distinct actual diff. Returns the index of
/// the first unmatched expected entry, or -1.
int containedIn(const Json& expected, const std::vector<Json>& actual, bool partial, std::vector<bool>& used) {
    used.assign(actual.size(), false);
    for (size_t i = 0; i < expected.size(); ++i) {
        bool found = false;
        for (size_t j = 0; j < actual.size() && !found; ++j) {
            if (used[j]) continue;
            if (partial ? partialMatches(expected[i], actual[j]) : diffMatches(expected[i], actual[j])) {
                used[j] = true;
                found = true;
            }
        }
        if (!found) return int(i);
    }
    return -1;
}

std::string dumpDiffs(const std::vector<Json>& diffs) {
    Json arr = Json::array();
    for (const Json& d : diffs) arr.push_back(d);
    std::string s = arr.dump();
    if (s.size() > 1200) s = s.substr(0, 1200) + "...";
    return s;
}

/// The result of checking one query in one step: empty when it met the expectations.
std::string checkStep(const Json& step, const std::string& qid, const QueryOutput* out, bool& checked) {
    std::vector<Json> actual;
    if (out)
        for (const Diff& d : out->diffs) actual.push_back(d.toJson());
    checked = false;
    std::vector<bool> used;
    if (step.contains("expect_error") && step["expect_error"].contains(qid)) {
        checked = true;
        if (!out || !out->error) return "expected the change to be rejected (" + step["expect_error"][qid].dump() + "), but it was accepted with " + dumpDiffs(actual);
        return "";
    }
    if (out && out->error) {
        for (const char* k : {"expect", "expect_contains", "expect_count", "expect_match"})
            if (step.contains(k) && step[k].contains(qid)) {
                checked = true;
                return std::string("unexpected error ") + errorCodeName(out->error->code()) + ": " + out->error->what();
            }
    }
    if (step.contains("expect") && step["expect"].contains(qid)) {
        checked = true;
        const Json& e = step["expect"][qid];
        bool ordered = step.value("ordered", false);
        if (e.size() != actual.size())
            return "expected " + std::to_string(e.size()) + " diffs " + e.dump() + ", got " + std::to_string(actual.size()) + " " + dumpDiffs(actual);
        if (ordered) {
            for (size_t i = 0; i < e.size(); ++i)
                if (!diffMatches(e[i], actual[i])) return "diff " + std::to_string(i) + " expected " + e[i].dump() + ", got " + actual[i].dump();
        } else if (int miss = containedIn(e, actual, false, used); miss >= 0) {
            return "expected " + e[miss].dump() + " among " + dumpDiffs(actual);
        }
    }
    if (step.contains("expect_contains") && step["expect_contains"].contains(qid)) {
        checked = true;
        const Json& e = step["expect_contains"][qid];
        if (int miss = containedIn(e, actual, false, used); miss >= 0)
            return "expected to contain " + e[miss].dump() + ", got " + dumpDiffs(actual);
    }
    if (step.contains("expect_count") && step["expect_count"].contains(qid)) {
        checked = true;
        size_t n = step["expect_count"][qid].get<size_t>();
        if (n != actual.size()) return "expected " + std::to_string(n) + " diffs, got " + std::to_string(actual.size()) + " " + dumpDiffs(actual);
    }
    if (step.contains("expect_match") && step["expect_match"].contains(qid)) {
        checked = true;
        const Json& e = step["expect_match"][qid];
        for (const Json& p : e) {
            bool any = false;
            for (const Json& a : actual)
                if (partialMatches(p, a)) { any = true; break; }
            if (!any) return "expected a diff matching " + p.dump() + ", got " + dumpDiffs(actual);
        }
    }
    return "";
}

const KnownDifference* knownFor(const RunnerOptions& o, const std::string& file, int step, const std::string& qid) {
    for (const auto& k : o.known)
        if (k.file == file && (k.steps.empty() || k.steps.count(step)) && (k.queries.empty() || k.queries.count(qid)))
            return &k;
    return nullptr;
}

std::vector<Change> changesOf(const Json& step) {
    std::vector<Change> out;
    if (step.contains("change")) out.push_back(changeFromJson(step["change"]));
    if (step.contains("changes"))
        for (const Json& c : step["changes"]) out.push_back(changeFromJson(c));
    return out;
}

}  // namespace

std::vector<KnownDifference> parseKnownDifferences(const Json& j) {
    std::vector<KnownDifference> out;
    for (const Json& e : j.value("differences", Json::array())) {
        KnownDifference k;
        k.file = e.at("file").get<std::string>();
        for (const Json& s : e.value("steps", Json::array())) k.steps.insert(s.get<int>());
        for (const Json& q : e.value("queries", Json::array())) k.queries.insert(q.get<std::string>());
        k.reason = e.value("reason", "");
        out.push_back(std::move(k));
    }
    return out;
}

std::set<std::string> parsePendingList(const std::string& text) {
    std::set<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto hash = line.find('#');
        if (hash != std::string::npos) line = line.substr(0, hash);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
        size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos) continue;
        out.insert(line.substr(start));
    }
    return out;
}

FileResult runScenario(const Json& scenario, const std::string& nameIn, const RunnerOptions& options) {
    FileResult result;
    result.name = nameIn.empty() ? scenario.value("name", "unnamed") : nameIn;
    const std::string& name = result.name;
    const bool pending = options.pending.count(name) > 0;
    std::string failure;
    std::vector<std::string> knownHit;
    bool knownStale = false;

    try {
        EngineOptions eo;
        if (int64_t clock = options.wallClock) eo.wallClock = [clock] { return clock; };
        Engine engine(options.makeStorage(), eo);

        // Queries that must fail: at registration (parse) or when a change reaches them (evaluate);
        // failing earlier than "evaluate" also satisfies it (cqlite checks arity at registration).
        std::map<std::string, std::string> mustFail;  // id -> phase
        for (const Json& e : scenario.value("expect_errors", Json::array())) mustFail[e.at("id").get<std::string>()] = e.value("phase", "parse");
        std::set<std::string> failedAsExpected;

        const bool buildError = scenario.contains("expect_build_error");
        bool anyBuildFailure = false;
        for (const Json& q : scenario.value("queries", Json::array())) {
            try {
                engine.registerQuery(QueryConfig::fromJson(q));
                if (buildError && failure.empty()) failure = "query '" + q.value("id", "") + "' registered, but the scenario expects a build error";
            } catch (const Error& e) {
                if (buildError) { anyBuildFailure = true; continue; }
                std::string id = q.value("id", "");
                if (mustFail.count(id)) { failedAsExpected.insert(id); continue; }
                if (failure.empty()) failure = "query '" + id + "' failed to register: " + errorCodeName(e.code()) + ": " + e.what();
            }
        }
        for (const Json& e : scenario.value("expect_errors", Json::array())) {
            std::string id = e.at("id").get<std::string>();
            bool listed = false;
            for (const Json& q : scenario.value("queries", Json::array())) listed |= q.value("id", "") == id;
            if (listed || !e.contains("cypher")) continue;
            QueryConfig c;
            c.id = id;
            c.cypher = e["cypher"].get<std::string>();
            try {
                engine.registerQuery(c);
                if (e.value("phase", "parse") == "parse" && failure.empty())
                    failure = "query '" + id + "' should have been rejected at registration: " + c.cypher;
            } catch (const Error&) {
                failedAsExpected.insert(id);
            }
        }
        if (buildError && !anyBuildFailure && failure.empty()) failure = "expected registration to fail (expect_build_error)";

        for (const Json& c : scenario.value("bootstrap", Json::array())) engine.applyChange(changeFromJson(c));

        int stepNo = 0;
        for (const Json& step : scenario.value("steps", Json::array())) {
            ++stepNo;
            std::vector<QueryOutput> outputs;
            if (step.contains("advance_time")) {
                outputs = engine.advanceTime(step["advance_time"].get<int64_t>());
            } else {
                std::vector<Change> changes = changesOf(step);
                outputs = changes.size() == 1 ? engine.applyChange(changes[0]) : engine.applyBatch(changes);
            }
            for (const QueryOutput& out : outputs) {
                if (mustFail.count(out.queryId)) {
                    if (out.error) failedAsExpected.insert(out.queryId);
                    continue;
                }
                bool checked = false;
                std::string diff = checkStep(step, out.queryId, &out, checked);
                const KnownDifference* known = knownFor(options, name, stepNo, out.queryId);
                if (known && checked) {
                    if (diff.empty()) knownStale = true;
                    else knownHit.push_back("step " + std::to_string(stepNo) + " query " + out.queryId);
                    continue;
                }
                if (!diff.empty() && failure.empty()) {
                    std::string note = step.value("note", "");
                    failure = "step " + std::to_string(stepNo) + (note.empty() ? "" : " (" + note + ")") + ", query " + out.queryId + ": " + diff;
                }
            }
        }
        for (const auto& [id, phase] : mustFail)
            if (!failedAsExpected.count(id) && failure.empty())
                failure = "query '" + id + "' was expected to fail (" + phase + ") but never did";
    } catch (const std::exception& e) {
        if (failure.empty()) failure = std::string("aborted: ") + e.what();
    }

    bool partly = scenario.contains("unsupported");
    for (const Json& s : scenario.value("steps", Json::array())) partly |= s.contains("expect_predicate");

    if (pending) {
        result.status = failure.empty() && knownHit.empty() ? Status::Fail : Status::Pending;
        result.message = failure.empty() ? "passes but is listed in tests/pending.txt; remove it from that list" : failure;
        return result;
    }
    if (!failure.empty()) {
        result.status = Status::Fail;
        result.message = failure;
    } else if (knownStale) {
        result.status = Status::Fail;
        result.message = "a step listed in tests/known-differences.json now matches the vector; remove the entry";
    } else if (!knownHit.empty()) {
        result.status = Status::Known;
        for (const auto& k : options.known)
            if (k.file == name) { result.message = k.reason; break; }
    } else {
        result.status = Status::Pass;
        if (partly) result.message = "partly unchecked (the file has prose-only expectations)";
    }
    return result;
}

int printResults(const std::vector<FileResult>& results, std::ostream& out) {
    int passed = 0, failed = 0;
    for (const FileResult& r : results) {
        switch (r.status) {
            case Status::Pass:
                ++passed;
                out << "PASS " << r.name << (r.message.empty() ? "" : " (" + r.message + ")") << "\n";
                break;
            case Status::Fail:
                ++failed;
                out << "FAIL " << r.name << ": " << r.message << "\n";
                break;
            case Status::Known: out << "KNOWN " << r.name << ": " << r.message << "\n"; break;
            case Status::Pending: out << "PENDING " << r.name << "\n"; break;
        }
    }
    out << passed << " passed, " << failed << " failed\n";
    return failed;
}

}  // namespace cq::scenario
