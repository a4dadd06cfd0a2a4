// SPDX-License-Identifier: MIT
// ISO-8601 text -> temporal values (the openCypher string forms): calendar, week ('2015-W30-2'),
// ordinal ('2015-202') and quarter ('2015-Q2-02') dates in basic and extended format, times with
// fractions, offsets ('Z', '+01:00', '+0100', '+01') and zone names ('[Europe/Berlin]'), and
// durations ('P1Y2M3.5DT4H5M6.7S', a sign allowed on each component and before the 'P').
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/common/error.h"
#include "core/temporal/internal/detail.h"
#include "core/temporal/time_zone.h"

namespace cq::temporal::detail {

void invalid(const std::string& message) { throw Error(ErrorCode::InvalidArgument, message); }

namespace {

class Cursor {
public:
    Cursor(std::string_view text, const char* what) : s_(text), what_(what) {}

    bool done() const { return i_ >= s_.size(); }
    char peek() const { return done() ? '\0' : s_[i_]; }
    bool accept(char c) {
        if (peek() != c) return false;
        ++i_;
        return true;
    }
    bool isDigit() const { return peek() >= '0' && peek() <= '9'; }
    size_t digitRun() const {
        size_t n = 0;
        while (i_ + n < s_.size() && s_[i_ + n] >= '0' && s_[i_ + n] <= '9') ++n;
        return n;
    }
    int64_t digits(size_t n) {
        if (digitRun() < n) fail();
        int64_t v = 0;
        for (size_t k = 0; k < n; ++k) v = v * 10 + (s_[i_++] - '0');
        return v;
    }
    std::string_view rest() const { return s_.substr(i_); }
    void skip(size_t n) { i_ += n; }
    [[noreturn]] void fail() const {
        invalid(std::string("cannot parse '") + std::string(s_) + "' as a " + what_);
    }
    void expectEnd() const {
        if (!done()) fail();
    }

private:
    std::string_view s_;
    const char* what_;
    size_t i_ = 0;
};

int64_t checkRange(Cursor& c, int64_t v, int64_t lo, int64_t hi) {
    if (v < lo || v > hi) c.fail();
    return v;
}

/// The date part: returns days since the epoch.
int64_t dateBody(Cursor& c) {
    int64_t year;
    if (c.peek() == '+' || c.peek() == '-') {
        const bool neg = c.peek() == '-';
        c.skip(1);
        const size_t n = c.digitRun();
        if (n < 4 || n > 9) c.fail();
        year = c.digits(n) * (neg ? -1 : 1);
    } else {
        year = c.digits(4);
    }
    if (c.done() || c.peek() == 'T') return cal::daysFromCivil(year, 1, 1);
    const bool extended = c.accept('-');
    if (c.accept('W')) {
        const int64_t week = checkRange(c, c.digits(2), 1, cal::weeksInWeekYear(year));
        int64_t dow = 1;
        if (extended ? c.accept('-') : c.isDigit()) dow = checkRange(c, c.digits(1), 1, 7);
        return cal::isoWeekYearStart(year) + (week - 1) * 7 + (dow - 1);
    }
    if (c.accept('Q')) {
        const int64_t quarter = checkRange(c, c.digits(1), 1, 4);
        const int month = static_cast<int>((quarter - 1) * 3 + 1);
        int64_t dayOfQuarter = 1;
        if (extended ? c.accept('-') : c.isDigit()) dayOfQuarter = c.digits(2);
        const int64_t start = cal::daysFromCivil(year, month, 1);
        const int64_t length = cal::daysFromCivil(month == 10 ? year + 1 : year, month == 10 ? 1 : month + 3, 1) - start;
        checkRange(c, dayOfQuarter, 1, length);
        return start + dayOfQuarter - 1;
    }
    const size_t run = c.digitRun();
    if (run == 3) {
        const int64_t ordinal = checkRange(c, c.digits(3), 1, cal::daysInYear(year));
        return cal::daysFromCivil(year, 1, 1) + ordinal - 1;
    }
    const int month = static_cast<int>(checkRange(c, c.digits(2), 1, 12));
    int day = 1;
    if (extended ? c.accept('-') : c.isDigit()) day = static_cast<int>(checkRange(c, c.digits(2), 1, cal::daysInMonth(year, month)));
    return cal::daysFromCivil(year, month, day);
}

struct TimeText {
    int64_t nanos = 0;
    bool hasOffset = false;
    int32_t offset = 0;
    std::string zone;  ///< the bracketed name, when present
};

int32_t offsetBody(Cursor& c) {
    const int sign = c.peek() == '-' ? -1 : 1;
    c.skip(1);
    int64_t s = checkRange(c, c.digits(2), 0, 18) * 3600;
    const bool colon = c.accept(':');
    if (c.isDigit()) {
        s += checkRange(c, c.digits(2), 0, 59) * 60;
        if (colon ? c.accept(':') : c.isDigit()) s += checkRange(c, c.digits(2), 0, 59);
    } else if (colon) {
        c.fail();
    }
    return static_cast<int32_t>(sign * s);
}

TimeText timeBody(Cursor& c) {
    TimeText t;
    const int64_t hour = checkRange(c, c.digits(2), 0, 23);
    int64_t minute = 0, second = 0, fraction = 0;
    const bool extended = c.accept(':');
    if (c.isDigit()) {
        minute = checkRange(c, c.digits(2), 0, 59);
        if (extended ? c.accept(':') : c.isDigit()) {
            second = checkRange(c, c.digits(2), 0, 59);
            if (c.accept('.') || c.accept(',')) {
                const size_t n = c.digitRun();
                if (n < 1 || n > 9) c.fail();
                fraction = c.digits(n);
                for (size_t k = n; k < 9; ++k) fraction *= 10;
            }
        }
    } else if (extended) {
        c.fail();
    }
    t.nanos = ((hour * 60 + minute) * 60 + second) * cal::kNanosPerSecond + fraction;
    if (c.accept('Z') || c.accept('z')) {
        t.hasOffset = true;
    } else if (c.peek() == '+' || c.peek() == '-') {
        t.hasOffset = true;
        t.offset = offsetBody(c);
    }
    if (c.accept('[')) {
        const std::string_view rest = c.rest();
        const size_t close = rest.find(']');
        if (close == std::string_view::npos || close == 0) c.fail();
        t.zone = std::string(rest.substr(0, close));
        c.skip(close + 1);
    }
    c.expectEnd();
    return t;
}

/// Splits "date T time": returns the date days and leaves the cursor after 'T' (or at the end).
int64_t datePartOf(Cursor& c) {
    const int64_t days = dateBody(c);
    if (!c.done() && !c.accept('T') && !c.accept('t')) c.fail();
    return days;
}

}  // namespace

ZoneSpec parseZoneSpec(std::string_view text) {
    ZoneSpec z;
    if (text == "Z" || text == "z") return z;
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
        Cursor c(text, "time zone offset");
        z.offset = offsetBody(c);
        c.expectEnd();
        return z;
    }
    z.zone = findTimeZone(text);
    if (!z.zone) invalid("unknown time zone '" + std::string(text) + "'");
    return z;
}

ZonedDateTime zonedAtInstant(int64_t utcSeconds, int32_t nanos, const ZoneSpec& zone) {
    ZonedDateTime z;
    z.seconds = utcSeconds;
    z.nanos = nanos;
    z.offsetSeconds = zone.zone ? zoneOffsetAt(*zone.zone, utcSeconds) : zone.offset;
    z.zone = zone.zone;
    return z;
}

ZonedDateTime zonedFromLocal(const LocalDateTime& local, const ZoneSpec& zone) {
    if (!zone.zone) return zonedAtInstant(local.seconds - zone.offset, local.nanos, zone);
    return zonedAtInstant(zoneLocalToUtc(*zone.zone, local.seconds), local.nanos, zone);
}

Duration makeDuration(int64_t months, int64_t days, int64_t seconds, int64_t nanos) {
    seconds += nanos / cal::kNanosPerSecond;
    nanos %= cal::kNanosPerSecond;
    if (seconds > 0 && nanos < 0) {
        --seconds;
        nanos += cal::kNanosPerSecond;
    } else if (seconds < 0 && nanos > 0) {
        ++seconds;
        nanos -= cal::kNanosPerSecond;
    }
    return Duration{months, days, seconds, static_cast<int32_t>(nanos)};
}

namespace {

/// The integer part of a duration component, which must fit an int64_t (about 2.9e11 years of
/// seconds): duration({years: 1e300}) is an Overflow error, not undefined behaviour.
long double wholePart(long double v) {
    if (!std::isfinite(v) || std::fabs(v) >= 9.2e18L) throw Error(ErrorCode::Overflow, "a duration component is too large");
    return std::trunc(v);
}

}  // namespace

void DurationBuilder::addMonths(long double v) {
    const long double whole = wholePart(v);
    months_ += static_cast<int64_t>(whole);
    if (v != whole) addDays((v - whole) * 30);
}
void DurationBuilder::addDays(long double v) {
    const long double whole = wholePart(v);
    days_ += static_cast<int64_t>(whole);
    if (v != whole) addSeconds((v - whole) * cal::kSecondsPerDay);
}
void DurationBuilder::addSeconds(long double v) {
    const long double whole = wholePart(v);
    seconds_ += static_cast<int64_t>(whole);
    if (v != whole) addNanos((v - whole) * cal::kNanosPerSecond);
}
void DurationBuilder::addNanos(long double v) {
    const long double whole = wholePart(std::round(v));
    seconds_ += static_cast<int64_t>(whole) / cal::kNanosPerSecond;
    nanos_ += static_cast<int64_t>(whole) % cal::kNanosPerSecond;
}

Date parseDate(std::string_view text) {
    Cursor c(text, "date");
    const int64_t days = dateBody(c);
    c.expectEnd();
    return Date{days};
}

LocalTime parseLocalTime(std::string_view text) {
    Cursor c(text, "local time");
    TimeText t = timeBody(c);
    if (t.hasOffset || !t.zone.empty()) c.fail();
    return LocalTime{t.nanos};
}

ZonedTime parseTime(std::string_view text, int64_t nowUtcSeconds) {
    Cursor c(text, "time");
    TimeText t = timeBody(c);
    int32_t offset = t.offset;
    if (!t.zone.empty()) {
        ZoneSpec z = parseZoneSpec(t.zone);
        // A time has no date, so a named zone contributes the offset it has now.
        offset = z.zone ? zoneOffsetAt(*z.zone, nowUtcSeconds) : z.offset;
    }
    return ZonedTime{t.nanos, offset};
}

LocalDateTime parseLocalDateTime(std::string_view text) {
    Cursor c(text, "local datetime");
    const int64_t days = datePartOf(c);
    if (c.done()) return join(days, 0);
    TimeText t = timeBody(c);
    if (t.hasOffset || !t.zone.empty()) c.fail();
    return join(days, t.nanos);
}

ZonedDateTime parseDateTime(std::string_view text) {
    Cursor c(text, "datetime");
    const int64_t days = datePartOf(c);
    TimeText t;
    if (!c.done()) t = timeBody(c);
    const LocalDateTime local = join(days, t.nanos);
    if (!t.zone.empty()) {
        ZoneSpec z = parseZoneSpec(t.zone);
        if (t.hasOffset) return zonedAtInstant(local.seconds - t.offset, local.nanos, z);
        return zonedFromLocal(local, z);
    }
    ZoneSpec fixed;
    fixed.offset = t.offset;  // no offset: UTC
    return zonedFromLocal(local, fixed);
}

Duration parseDuration(std::string_view text) {
    Cursor c(text, "duration");
    const bool negateAll = c.accept('-');
    if (!negateAll) c.accept('+');
    if (!c.accept('P') && !c.accept('p')) c.fail();
    DurationBuilder b;
    bool inTime = false, any = false;
    while (!c.done()) {
        if (c.accept('T') || c.accept('t')) {
            if (inTime || c.done()) c.fail();
            inTime = true;
            continue;
        }
        // A number: optional sign, digits, optional fraction.
        std::string number;
        if (c.peek() == '+' || c.peek() == '-') {
            number += c.peek();
            c.skip(1);
        }
        const size_t n = c.digitRun();
        if (n == 0) c.fail();
        number += std::string(c.rest().substr(0, n));
        c.skip(n);
        if (c.peek() == '.' || c.peek() == ',') {
            c.skip(1);
            const size_t f = c.digitRun();
            if (f == 0) c.fail();
            number += '.';
            number += std::string(c.rest().substr(0, f));
            c.skip(f);
        }
        long double v = std::strtold(number.c_str(), nullptr);
        if (negateAll) v = -v;
        const char unit = c.peek();
        c.skip(1);
        any = true;
        if (!inTime) {
            switch (unit) {
                case 'Y': b.addMonths(v * 12); break;
                case 'M': b.addMonths(v); break;
                case 'W': b.addDays(v * 7); break;
                case 'D': b.addDays(v); break;
                default: c.fail();
            }
        } else {
            switch (unit) {
                case 'H': b.addSeconds(v * 3600); break;
                case 'M': b.addSeconds(v * 60); break;
                case 'S': b.addSeconds(v); break;
                default: c.fail();
            }
        }
    }
    if (!any) c.fail();
    return b.build();
}

std::string formatOffset(int32_t offsetSeconds, bool zeroAsZ) {
    if (offsetSeconds == 0 && zeroAsZ) return "Z";
    const int32_t a = offsetSeconds < 0 ? -offsetSeconds : offsetSeconds;
    char buf[16];
    if (a % 60 != 0)
        std::snprintf(buf, sizeof buf, "%c%02d:%02d:%02d", offsetSeconds < 0 ? '-' : '+', a / 3600, a / 60 % 60, a % 60);
    else
        std::snprintf(buf, sizeof buf, "%c%02d:%02d", offsetSeconds < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    return buf;
}

}  // namespace cq::temporal::detail
