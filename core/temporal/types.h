// SPDX-License-Identifier: MIT
// The temporal value types of Cypher (openCypher / Drasi): plain structs, so that cq::Value can hold
// them by value. Arithmetic, parsing, formatting and the functions live in core/temporal/*.cpp.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace cq {

/// Days since 1970-01-01 (proleptic Gregorian).
struct Date {
    int64_t days = 0;
};

/// Nanoseconds since midnight, 0 <= nanos < 86400e9.
struct LocalTime {
    int64_t nanos = 0;
};

/// A time of day with a UTC offset.
struct ZonedTime {
    int64_t nanos = 0;       ///< local nanoseconds since midnight
    int32_t offsetSeconds = 0;
};

/// A date and time without zone: seconds since 1970-01-01T00:00:00 of the wall clock, plus nanos.
struct LocalDateTime {
    int64_t seconds = 0;
    int32_t nanos = 0;  ///< 0 <= nanos < 1e9
};

/// An instant with the offset (and optionally the IANA zone) it is shown in.
struct ZonedDateTime {
    int64_t seconds = 0;  ///< UTC seconds since the epoch
    int32_t nanos = 0;    ///< 0 <= nanos < 1e9
    int32_t offsetSeconds = 0;
    std::shared_ptr<const std::string> zone;  ///< IANA name ("Europe/London") or null
};

/// A Cypher duration: months (years fold into months), days, and an exact part.
/// Comparison and equality use (months, days * 86400 + seconds, nanos) as Drasi does.
struct Duration {
    int64_t months = 0;
    int64_t days = 0;
    int64_t seconds = 0;
    int32_t nanos = 0;  ///< same sign as seconds, |nanos| < 1e9
};

}  // namespace cq
