// SPDX-License-Identifier: MIT
// Every "cypher" string of the shared conformance vectors must parse, except expect_errors entries
// with phase "parse", which must fail with cq::Error. The files are found at run time, so adding or
// removing vectors needs no change here. Every prefix of every query must also either parse or fail
// with cq::Error: no other exception, no crash.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/cypher/parser.h"

namespace {

struct CypherText {
    std::string file;
    std::string text;
    bool mustFail = false;
};

void collect(const nlohmann::json& node, const std::string& file, bool inParseError,
             std::vector<CypherText>& out) {
    if (node.is_object()) {
        bool parsePhase = node.contains("phase") && node["phase"] == "parse";
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (it.key() == "cypher" && it.value().is_string()) {
                out.push_back({file, it.value().get<std::string>(), inParseError || parsePhase});
            } else {
                collect(it.value(), file, inParseError, out);
            }
        }
    } else if (node.is_array()) {
        for (const auto& child : node) collect(child, file, inParseError, out);
    }
}

std::filesystem::path conformanceDir() {
    const char* env = std::getenv("CQ_CONFORMANCE_DIR");
    return env ? std::filesystem::path(env) : std::filesystem::path("/work/shared/conformance");
}

std::vector<CypherText> loadConformanceQueries() {
    std::vector<CypherText> out;
    std::error_code ec;
    if (!std::filesystem::is_directory(conformanceDir(), ec)) return out;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(conformanceDir())) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
        std::ifstream in(entry.path());
        nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
        if (doc.is_discarded()) continue;  // not ours to validate; the scenario runner reports it
        collect(doc, entry.path().filename().string(), false, out);
    }
    return out;
}

}  // namespace

TEST_CASE("every conformance query parses, and parse-phase errors fail", "[cypher][parser][conformance]") {
    std::vector<CypherText> queries = loadConformanceQueries();
    if (queries.empty()) {
        WARN("no conformance vectors under " << conformanceDir() << " (set CQ_CONFORMANCE_DIR)");
        return;
    }
    size_t parsed = 0;
    size_t failedAsExpected = 0;
    for (const CypherText& q : queries) {
        INFO(q.file << ": " << q.text);
        if (q.mustFail) {
            CHECK_THROWS_AS(cq::cypher::parseQuery(q.text), cq::Error);
            ++failedAsExpected;
        } else {
            cq::cypher::Query parsedQuery;
            try {
                parsedQuery = cq::cypher::parseQuery(q.text);
            } catch (const cq::Error& e) {
                FAIL_CHECK("parse failed: " << e.what());
                continue;
            }
            CHECK(!parsedQuery.parts.empty());
            CHECK(parsedQuery.parts.back().isReturn);
            ++parsed;
        }
    }
    CHECK(parsed > 0);
    WARN("conformance queries: " << parsed << " parsed, " << failedAsExpected << " rejected as expected");
}

TEST_CASE("every prefix of a conformance query parses or throws cq::Error", "[cypher][parser][conformance]") {
    std::vector<CypherText> queries = loadConformanceQueries();
    size_t attempts = 0;
    for (const CypherText& q : queries) {
        for (size_t len = 0; len <= q.text.size(); len += 3) {
            std::string prefix = q.text.substr(0, len);
            ++attempts;
            try {
                cq::cypher::parseQuery(prefix);
            } catch (const cq::Error& e) {
                if (e.code() != cq::ErrorCode::ParseError && e.code() != cq::ErrorCode::Unsupported) {
                    FAIL_CHECK("unexpected code for '" << prefix << "': " << e.what());
                }
                if (e.line() < 1 || e.column() < 1)
                    FAIL_CHECK("no position for '" << prefix << "': " << e.what());
            } catch (...) {
                FAIL_CHECK("non-cq::Error exception for '" << prefix << "'");
            }
        }
    }
    CHECK((queries.empty() || attempts > queries.size()));
}
