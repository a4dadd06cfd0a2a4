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
//   key    := u32 i (the table's i-th key) | u32 0xFFFFFFFF, str (adds the next key to the table)
//             | u32 0xFFFFFFFE, str (once the table is full: not added)
//   value  := u8 tag: 0 null, 1 false, 2 true, 3 f64, 4 str, 5 u32 n + value * n (list),
//             6 u32 n + (key, value) * n (map)
//   str    := u32 byte length, UTF-8 bytes
//
// The key table is the caller's: the C ABI keeps one per engine across responses, and the reader
// keeps the same one (wasm/cq_api.h), so that a column name crosses once per engine, not once per
// call: one change at a time through applyChange defined its columns again in every response.
//
// The framing around diffs (outputs, errors, one entry per change) is the C ABI's: wasm/cq_api.h.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/query/engine.h"

namespace cq {

/// Appends to `out`, numbering keys in `keys`: the table the reader holds when this response
/// starts (empty for a new reader), to which the response adds.
class DiffBinaryWriter {
public:
    DiffBinaryWriter(std::string& out, std::vector<std::string>& keys) : out_(out), keys_(keys) {}

    void diff(const Diff& d);
    void row(const Map* row);
    void value(const Value& v);
    void key(std::string_view k);
    void str(std::string_view s);
    void u8(uint8_t x) { out_ += char(x); }
    void u32(uint32_t x);
    /// A map, or an element as the map of its properties: tag 6, count, (key, value) * count.
    template <class Entries>
    void entries(const Entries& m) {
        u8(6);
        u32(uint32_t(m.size()));
        for (const auto& [k, x] : m) {
            key(k);
            value(x);
        }
    }

    static constexpr uint32_t kNewKey = 0xFFFFFFFF;
    static constexpr uint32_t kInlineKey = 0xFFFFFFFE;
    /// Keys are found by a linear search: rows have a handful of columns. A map-valued column with
    /// many distinct keys stops adding past this many (the C ABI then starts a new table with the
    /// next response).
    static constexpr size_t kMaxKeys = 256;

private:
    std::string& out_;
    std::vector<std::string>& keys_;
};

}  // namespace cq
