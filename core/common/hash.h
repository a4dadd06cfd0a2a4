// SPDX-License-Identifier: MIT
// The 64-bit hash combiner the engine's keys are built with: solution signatures, group keys and
// element identity hashes. These keys are stored (result rows and accumulators are keyed by them),
// so the function must never change.
#pragma once
#include <cstdint>

namespace cq {

/// Combines `x` into `h`: a boost-style combine followed by SplitMix64's finaliser.
inline uint64_t mixHash(uint64_t h, uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace cq
