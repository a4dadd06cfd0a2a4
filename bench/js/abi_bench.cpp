// SPDX-License-Identifier: MIT
// Ad hoc diagnostic for bench.mjs: the C ABI the npm package calls (wasm/cq_api.cpp), compiled
// natively, driven with the same JSON text the package sends (changes from building_model.mjs, one
// JSON array per line on stdin: bootstrap batches, then update chunks). Separates the cost of the
// JSON boundary (parse, diffs to JSON) from the cost of running under wasm. Not part of the CMake
// build; abi_bench.mjs compiles it against build/native's static libraries.
//   abi_bench SCENARIO_CYPHER MODE(each|single|batch) BOOTSTRAP_LINES < lines
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "wasm/cq_api.h"

static double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

int main(int argc, char** argv) {
    if (argc < 4) return 2;
    std::string cypher = argv[1], mode = argv[2];
    long bootLines = std::atol(argv[3]);
    cq_engine* e = cq_engine_open(R"({"storage":"memory","clock":"manual","archive":false})");
    if (!e) { std::fprintf(stderr, "%s\n", cq_last_error()); return 1; }
    std::string q = std::string(R"({"id":"q","cypher":)") + '"' + cypher + "\"}";
    std::string r = cq_query_register(e, q.c_str());
    if (r.find("\"ok\":true") == std::string::npos) { std::fprintf(stderr, "%s\n", r.c_str()); return 1; }
    std::vector<std::string> lines;
    for (std::string line; std::getline(std::cin, line);) lines.push_back(line);
    std::vector<std::vector<std::string>> singles;  // per update line, each change's own JSON text
    long changes = 0;
    double wall = 0, cpu = 0;
    size_t bytes = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (long(i) < bootLines) { cq_apply(e, lines[i].c_str()); continue; }
        // Count the changes of the chunk: top-level objects of the array.
        int depth = 0; long n = 0; bool inStr = false;
        for (size_t k = 0; k < lines[i].size(); ++k) {
            char c = lines[i][k];
            if (inStr) { if (c == '\\') ++k; else if (c == '"') inStr = false; continue; }
            if (c == '"') inStr = true;
            else if (c == '{') { if (++depth == 1) ++n; }
            else if (c == '}') --depth;
        }
        std::vector<std::string> parts;
        if (mode == "single") {
            depth = 0; inStr = false; size_t start = 0;
            for (size_t k = 0; k < lines[i].size(); ++k) {
                char c = lines[i][k];
                if (inStr) { if (c == '\\') ++k; else if (c == '"') inStr = false; continue; }
                if (c == '"') inStr = true;
                else if (c == '{') { if (depth++ == 0) start = k; }
                else if (c == '}') { if (--depth == 0) parts.push_back(lines[i].substr(start, k - start + 1)); }
            }
        }
        double c0 = cpuSeconds();
        auto t0 = std::chrono::steady_clock::now();
        if (mode == "each") bytes += std::string(cq_apply_each(e, lines[i].c_str())).size();
        else if (mode == "batch") bytes += std::string(cq_apply(e, lines[i].c_str())).size();
        else for (const std::string& p : parts) bytes += std::string(cq_apply(e, p.c_str())).size();
        wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        cpu += cpuSeconds() - c0;
        changes += n;
    }
    std::printf("{\"mode\":\"%s\",\"changes\":%ld,\"seconds\":%.6f,\"cpuSeconds\":%.6f,\"responseBytes\":%zu}\n", mode.c_str(), changes, wall, cpu, bytes);
    cq_engine_close(e);
    return 0;
}
