// SPDX-License-Identifier: MIT
// cqlite's error type. Errors are C++ exceptions inside the engine (built with -fwasm-exceptions in
// the wasm builds, 13x cheaper than JS exceptions per toolchain-notes 1.3) and are turned into
// {code, message} at the C ABI; no exception ever crosses wasm/cq_api.cpp.
#pragma once
#include <stdexcept>
#include <string>

namespace cq {

enum class ErrorCode : int {
#define CQ_ERROR(name, num, layer, text) name = num,
#include "core/common/error_codes.def"
#undef CQ_ERROR
};

/// The stable name of a code ("ParseError"), as the JS wrapper and the CLI print it.
const char* errorCodeName(ErrorCode code);

/// An error with a code, a human message and, for Cypher, a 1-based line and column (0 = unknown).
class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message, int line = 0, int column = 0)
        : std::runtime_error(message), code_(code), line_(line), column_(column) {}
    ErrorCode code() const { return code_; }
    int line() const { return line_; }
    int column() const { return column_; }

private:
    ErrorCode code_;
    int line_;
    int column_;
};

}  // namespace cq
