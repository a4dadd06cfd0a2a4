// SPDX-License-Identifier: MIT
// A binary form of changes for the npm package's hot calls (wasm/cq_api.h, cq_apply_binary), written
// by js/src/change_encoder.ts. Why: through the package, 1-hop averaging spent about 9,400
// instructions per change in JSON.stringify and about as many again scanning the text in wasm,
// most of it printing and parsing the floats (valgrind over node, docs/benchmarks-js.md); here a
// number crosses as its 8 bytes.
//
// The encoder writes only the plain shape the JSON fast reader (change_reader.h) takes, and falls
// back to JSON text for anything else, so both paths give the same changes and the JSON path keeps
// giving every error. Little-endian throughout:
//
//   changes  := u32 count, change * count
//   change   := u8 op (0 insert, 1 update, 2 delete), u8 flags, str source, str id,
//               [str start, str end]   when flags & 1 (a relation)
//               [str start_source]     when flags & 2
//               [str end_source]       when flags & 4
//               [f64 effective_from]   when flags & 8 (an integer)
//               u32 label count, str * count, u32 property count, (str key, value) * count
//   value    := u8 tag (0 null, 1 false, 2 true, 3 integer, 4 float, 5 string, 6 list, 7 map,
//               8 integer), then f64 (3: an integral double, |d| < 2^53; 4), str (5),
//               u32 n + value * n (6), u32 n + (str key, value) * n (7), i64 (8: past 2^53)
//   str      := u32 byte length, UTF-8 bytes
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/model/element.h"

namespace cq {

/// Reads `size` bytes of the form above into `out` (cleared first). False on input that does not
/// follow it (truncated, an unknown tag or op, trailing bytes, a repeated map key, nesting deeper
/// than 512): the encoder never writes such input, so the caller reports an internal error.
bool readChangesBinary(const uint8_t* data, size_t size, std::vector<Change>& out);

}  // namespace cq
