// SPDX-License-Identifier: MIT
// Helpers shared by the temporal module's .cpp files (internal header): building values from
// parts, the local view of zoned values, duration normalisation, and the ISO-8601 parsers.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/model/value.h"
#include "core/temporal/internal/calendar.h"

namespace cq::temporal::detail {

[[noreturn]] void invalid(const std::string& message);

/// A wall-clock date and time split into days since 1970-01-01 and nanoseconds of the day.
struct LocalParts {
    int64_t days = 0;
    int64_t nanos = 0;
};

inline LocalParts split(const LocalDateTime& t) {
    return LocalParts{cal::floorDiv(t.seconds, cal::kSecondsPerDay),
                      cal::floorMod(t.seconds, cal::kSecondsPerDay) * cal::kNanosPerSecond + t.nanos};
}
inline LocalDateTime join(int64_t days, int64_t nanosOfDay) {
    return LocalDateTime{days * cal::kSecondsPerDay + nanosOfDay / cal::kNanosPerSecond,
                         static_cast<int32_t>(nanosOfDay % cal::kNanosPerSecond)};
}
/// The wall-clock view of a zoned datetime (instant + offset).
inline LocalDateTime localOf(const ZonedDateTime& z) {
    return LocalDateTime{z.seconds + z.offsetSeconds, z.nanos};
}

/// Where a zoned value lives: a fixed offset, or an IANA zone (then the offset follows the zone).
struct ZoneSpec {
    int32_t offset = 0;
    std::shared_ptr<const std::string> zone;
};

/// Parses 'Z', '+01:00', '+0100', '+01', '-03:00', 'UTC', 'Europe/Berlin', 'America/Los Angeles'.
ZoneSpec parseZoneSpec(std::string_view text);

/// The zoned datetime of an instant shown in a zone.
ZonedDateTime zonedAtInstant(int64_t utcSeconds, int32_t nanos, const ZoneSpec& zone);
/// The zoned datetime of a wall-clock time in a zone (see zoneLocalToUtc for gaps and overlaps).
ZonedDateTime zonedFromLocal(const LocalDateTime& local, const ZoneSpec& zone);

/// months, days, seconds and nanos with nanos carried into seconds (same sign, |nanos| < 1e9).
Duration makeDuration(int64_t months, int64_t days, int64_t seconds, int64_t nanos);

/// Accumulates duration components, spilling fractions into the next smaller unit (a fractional
/// month is 30 days, as drasi-core's duration map does; a day is 86400 s).
class DurationBuilder {
public:
    void addMonths(long double v);
    void addDays(long double v);
    void addSeconds(long double v);
    void addWholeSeconds(int64_t s) { seconds_ += s; }
    void addNanos(long double v);
    Duration build() const { return makeDuration(months_, days_, seconds_, nanos_); }

private:
    int64_t months_ = 0, days_ = 0, seconds_ = 0, nanos_ = 0;
};

// ISO-8601 parsers; each throws Error(InvalidArgument) naming the text when it does not parse.
Date parseDate(std::string_view text);
LocalTime parseLocalTime(std::string_view text);
ZonedTime parseTime(std::string_view text, int64_t nowUtcSeconds);
LocalDateTime parseLocalDateTime(std::string_view text);
ZonedDateTime parseDateTime(std::string_view text);
Duration parseDuration(std::string_view text);

/// "+01:00", "-03:30", "+05:45:10"; "Z" for zero when zeroAsZ.
std::string formatOffset(int32_t offsetSeconds, bool zeroAsZ);

}  // namespace cq::temporal::detail
