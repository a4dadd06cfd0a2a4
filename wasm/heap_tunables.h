// SPDX-License-Identifier: MIT
// The glibc heap the native cqlite CLI runs itself with (cli_main.cpp, useHugePageHeap), and so the
// benchmark's native children (bench/bench_main.cpp): one string, so that they cannot drift apart.
//
// glibc.malloc.hugetlb=1: malloc asks madvise(MADV_HUGEPAGE) for the memory it takes from the
// kernel. A bootstrap touches new heap all the time, and every first touch of a 4 KiB page is a
// page fault: 45,700 of them for the 210,500 elements of a 100,000-room graph, 0.25 s of system time
// on the 2-core VM of docs/benchmarks.md, where a fault costs about 5 us. With 2 MiB pages, 4,500:
// bootstrap 1.4-2.9x faster, peak RSS +1-6%; changes one at a time about 10% faster at 10,000 rooms
// (fewer TLB misses), no faster at 100,000 (bench/what_limits_it.md).
//
// glibc.malloc.mmap_threshold=33554432: blocks of up to 32 MiB come from the heap rather than being
// mapped each on its own (glibc's own threshold starts at 128 KiB and only grows as mapped blocks
// are freed). A hash table or vector that doubles while a graph loads got fresh pages from the
// kernel at every step and gave the old ones back; from the heap, freed blocks are reused. Page
// faults of the 210,500-element bootstrap: 5,585 -> 1,142; its CPU time 0.65x at 100,000 rooms
// and 0.57x at 10,000 (medians of alternated runs, bench/what_limits_it.md), peak RSS the same.
#pragma once

namespace cq {

inline constexpr const char* kHeapTunables = "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432";

}  // namespace cq
