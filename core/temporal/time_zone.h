// SPDX-License-Identifier: MIT
// IANA time zones from the table generated at build time (core/temporal/internal/tz_data.h,
// docs/time-zones.md): name lookup, the UTC offset at an instant, and local time -> instant.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace cq::temporal {

/// The canonical spelling of a zone name, or null when unknown. Lookup ignores ASCII case and
/// accepts ' ' for '_' ("america/los angeles" -> "America/Los_Angeles"). The returned pointer is
/// shared by every value in that zone.
std::shared_ptr<const std::string> findTimeZone(std::string_view name);

/// UTC offset in seconds of a zone (a name findTimeZone returned) at UTC second `utcSeconds`.
int32_t zoneOffsetAt(const std::string& zone, int64_t utcSeconds);

/// The UTC second of wall-clock second `localSeconds` in `zone`. When the local time occurs twice
/// (clocks set back) the earlier instant is chosen; when it does not exist (clocks set forward) it
/// is moved forward by the length of the gap, as java.time / Neo4j do.
int64_t zoneLocalToUtc(const std::string& zone, int64_t localSeconds);

/// Number of names in the table (for tests).
uint32_t timeZoneCount();
/// The i-th name of the table, sorted case-insensitively (for tests).
std::string_view timeZoneName(uint32_t i);

}  // namespace cq::temporal
