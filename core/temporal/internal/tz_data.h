// SPDX-License-Identifier: MIT
// The time-zone table that scripts/gen_tzdata.mjs generates into the build tree (tz_data.cpp).
// Format of one zone in kBlob (LEB128 varints; zigzag for signed values):
//   offset count, offsets (zigzag seconds, the first is the offset in force on 1900-01-01),
//   transition count, per transition: time since the previous one (1900-01-01 for the first;
//   hours * 2 when whole hours, else seconds * 2 + 1) and the index of the new offset,
//   seconds from the last transition to the instant the POSIX rule takes over,
//   the POSIX TZ rule string (length, bytes).
#pragma once
#include <cstdint>

namespace cq::temporal::tzdata {

extern const unsigned char kBlob[];
/// Zone names, NUL-separated, sorted by their ASCII-lowercase spelling.
extern const char kNames[];
/// Per name (same order), the offset of its zone in kBlob.
extern const uint32_t kZoneOffsets[];
extern const uint32_t kZoneCount;
extern const uint32_t kBlobSize;

}  // namespace cq::temporal::tzdata
