// SPDX-License-Identifier: MIT
// The one Catch2 main of every unit-test executable (compiled once: 10 s with g++ -O2).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
