// SPDX-License-Identifier: MIT
// Proleptic Gregorian calendar arithmetic shared by the temporal module (internal header).
// All divisions that can see negative numbers go through floorDiv/floorMod: C++ `/` truncates
// toward zero, so 1969-12-31 (day -1) would otherwise land in the wrong day, week or year.
#pragma once
#include <cstdint>

namespace cq::temporal::cal {

constexpr int64_t kNanosPerSecond = 1000000000;
constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kNanosPerDay = kSecondsPerDay * kNanosPerSecond;

constexpr int64_t floorDiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
constexpr int64_t floorMod(int64_t a, int64_t b) { return a - floorDiv(a, b) * b; }

constexpr bool isLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int daysInMonth(int64_t y, int m) {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeapYear(y) ? 29 : kDays[m - 1];
}

constexpr int daysInYear(int64_t y) { return isLeapYear(y) ? 366 : 365; }

/// Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil).
constexpr int64_t daysFromCivil(int64_t y, int m, int d) {
    y -= m <= 2;
    const int64_t era = floorDiv(y, 400);
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct Civil {
    int64_t year;
    int month;
    int day;
};

constexpr Civil civilFromDays(int64_t z) {
    z += 719468;
    const int64_t era = floorDiv(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return Civil{yoe + era * 400 + (m <= 2), m, d};
}

/// ISO day of week: Monday = 1 ... Sunday = 7 (1970-01-01 was a Thursday).
constexpr int dayOfWeek(int64_t days) { return static_cast<int>(floorMod(days + 3, 7)) + 1; }

/// The Monday that starts ISO week 1 of week-year y (the week holding January 4th).
constexpr int64_t isoWeekYearStart(int64_t y) {
    const int64_t jan4 = daysFromCivil(y, 1, 4);
    return jan4 - (dayOfWeek(jan4) - 1);
}

struct IsoWeek {
    int64_t weekYear;
    int week;
};

constexpr IsoWeek isoWeekOf(int64_t days) {
    int64_t y = civilFromDays(days).year;
    int64_t start = isoWeekYearStart(y + 1);
    if (days >= start) return IsoWeek{y + 1, 1};
    start = isoWeekYearStart(y);
    if (days < start) {
        --y;
        start = isoWeekYearStart(y);
    }
    return IsoWeek{y, static_cast<int>((days - start) / 7) + 1};
}

constexpr int weeksInWeekYear(int64_t y) {
    return static_cast<int>((isoWeekYearStart(y + 1) - isoWeekYearStart(y)) / 7);
}

}  // namespace cq::temporal::cal
