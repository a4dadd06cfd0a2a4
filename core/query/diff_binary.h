// SPDX-License-Identifier: MIT
// A binary form of the diffs the npm package's hot calls return (wasm/cq_api.h, cq_apply_binary
// with kCqBinaryResponse), read by js/src/response_decoder.ts. Why: through the package, the
// 1-hop query spent about 800 ns a change in JSON.parse of its diffs (Node 20, 112 bytes of JSON
// a change), as much as a fifth of the package's time, plus the printing of the floats in wasm;
// here a number crosses as its 8 bytes and a column name once per response.
//
// It gives what JSON.parse gives for Diff::appendJson's text: integers and floats become doubles
// (an integer past 2^53 rounds to the nearest, as JSON.parse rounds its digits), NaN and the
// infinities null (JSON has neither), an element its properties, a temporal value its ISO text.
// Little-endian throughout:
//
//   diff   := u8 kind (0 add, 1 update, 2 remove, 3 aggregation),
//             [row after] unless remove, [row before] unless add,
//             [u32 n, key * n] (grouping keys) for aggregation
//   row    := u8 0 (null) | u8 1, u32 n, (key, value) * n
//   key    := u32 i (the i-th key this response defined) | u32 0xFFFFFFFF, str (defines the next)
//             | u32 0xFFFFFFFE, str (once the table is full: not defined)
//   value  := u8 tag: 0 null, 1 false, 2 true, 3 f64, 4 str, 5 u32 n + value * n (list),
//             6 u32 n + (key, value) * n (map)
//   str    := u32 byte length, UTF-8 bytes
//
// The framing around diffs (outputs, errors, one entry per change) is the C ABI's: wasm/cq_api.h.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/query/engine.h"

namespace cq {

/// Appends to `out`. One writer per response: keys are numbered from the response's start.
class DiffBinaryWriter {
public:
    explicit DiffBinaryWriter(std::string& out) : out_(out) {}

    void diff(const Diff& d);
    void row(const Map* row);
    void value(const Value& v);
    void key(std::string_view k);
    void str(std::string_view s);
    void u8(uint8_t x) { out_ += char(x); }
    void u32(uint32_t x);

    static constexpr uint32_t kNewKey = 0xFFFFFFFF;
    static constexpr uint32_t kInlineKey = 0xFFFFFFFE;
    /// Keys are found by a linear search: rows have a handful of columns. A map-valued column with
    /// many distinct keys stops adding past this many.
    static constexpr size_t kMaxKeys = 256;

private:
    std::string& out_;
    std::vector<std::string> keys_;
};

}  // namespace cq
