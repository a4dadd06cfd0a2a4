// SPDX-License-Identifier: MIT
// The backend-agnostic storage test suite: every StorageBackend implementation runs the same
// sections (memory_backend_test.cpp, sqlite_backend_test.cpp), so both honour one contract.
// Also exact, kind-preserving dumps of values and elements that the tests compare (1 and 1.0 differ
// here on purpose: a codec must give back what it was given).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/interface/storage.h"

namespace cq::storagetest {

using BackendFactory = std::function<std::unique_ptr<StorageBackend>()>;

/// Runs every section of the suite (call it from a TEST_CASE); `make` returns a new, empty backend.
void runBackendSuite(const BackendFactory& make);

std::string dump(const Value& v);
std::string dump(const ElementPtr& e);
std::string dump(const Map& m);
std::string dump(const std::optional<Accumulator>& a);

ElementPtr node(const std::string& id, Map properties = {}, int64_t from = 0,
                std::vector<std::string> labels = {"N"});
ElementPtr relation(const std::string& id, const std::string& start, const std::string& end,
                    Map properties = {}, int64_t from = 0);
ElementRef refOf(const std::string& id);

/// A value of every kind, nested (lists in maps in lists, temporals, an element, Awaiting).
Value everyKindValue();

/// Applies a deterministic pseudo-random mix of writes to `store` (seeded by `seed`).
void randomWrites(StorageBackend& backend, const QueryStore& store, uint32_t seed, int count);

/// Everything a store holds over the key universe randomWrites uses. Drains the future queue, so
/// call it last.
std::string drainSnapshot(StorageBackend& backend, const QueryStore& store);

}  // namespace cq::storagetest
