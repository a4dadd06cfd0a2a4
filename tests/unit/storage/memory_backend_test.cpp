// SPDX-License-Identifier: MIT
// The in-memory backend against the backend-agnostic suite, plus its name.
#include <catch2/catch.hpp>

#include "storage/memory/memory_backend.h"
#include "tests/unit/storage/backend_suite.h"

TEST_CASE("memory backend: the backend suite", "[storage][memory]") {
    cq::storagetest::runBackendSuite([] { return cq::makeMemoryBackend(); });
}

TEST_CASE("memory backend: name", "[storage][memory]") {
    CHECK(std::string(cq::makeMemoryBackend()->name()) == "memory");
}
