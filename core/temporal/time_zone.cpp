// SPDX-License-Identifier: MIT
// Decodes zones of the generated table on first use and answers offset queries: a binary search
// over the transitions up to the year the zone's POSIX rule takes over, the rule afterwards.
#include "core/temporal/time_zone.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <vector>

#include "core/temporal/internal/calendar.h"
#include "core/temporal/internal/tz_data.h"

namespace cq::temporal {

namespace {

constexpr int64_t k1900 = -2208988800;  // 1900-01-01T00:00:00Z, the base of the first transition

// One date rule of a POSIX TZ string: Jn (1..365, no Feb 29), n (0..365), or Mm.w.d.
struct DateRule {
    char kind = 'M';
    int month = 0, week = 0, weekday = 0, day = 0;
    int64_t time = 7200;  // seconds after local midnight (may be negative or exceed 24 h)
};

struct PosixRule {
    int32_t std = 0;  // UTC offset in seconds (the POSIX sign is inverted)
    bool hasDst = false;
    int32_t dst = 0;
    DateRule start, end;
};

struct Zone {
    std::vector<int32_t> offsets;
    std::vector<int64_t> times;
    std::vector<uint8_t> index;
    int64_t ruleStart = 0;
    PosixRule rule;
};

class Reader {
public:
    explicit Reader(const unsigned char* p) : p_(p) {}
    uint64_t varint() {
        uint64_t v = 0;
        int shift = 0;
        while (true) {
            unsigned char b = *p_++;
            v |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
            shift += 7;
        }
    }
    int64_t zigzag() {
        uint64_t v = varint();
        return (v & 1) ? -int64_t(v >> 1) - 1 : int64_t(v >> 1);
    }
    const unsigned char* bytes(size_t n) {
        const unsigned char* r = p_;
        p_ += n;
        return r;
    }

private:
    const unsigned char* p_;
};

class PosixParser {
public:
    explicit PosixParser(std::string_view s) : s_(s) {}

    PosixRule parse() {
        PosixRule r;
        name();
        r.std = -static_cast<int32_t>(hms());
        if (i_ >= s_.size()) return r;
        name();
        r.hasDst = true;
        r.dst = r.std + 3600;
        if (i_ < s_.size() && s_[i_] != ',') r.dst = -static_cast<int32_t>(hms());
        if (i_ < s_.size() && s_[i_] == ',') {
            ++i_;
            r.start = dateRule();
            ++i_;
            r.end = dateRule();
        } else {
            // POSIX default when a DST name has no rule: the US rule.
            r.start = DateRule{'M', 3, 2, 0, 0, 7200};
            r.end = DateRule{'M', 11, 1, 0, 0, 7200};
        }
        return r;
    }

private:
    void name() {
        if (i_ < s_.size() && s_[i_] == '<') {
            while (i_ < s_.size() && s_[i_] != '>') ++i_;
            ++i_;
            return;
        }
        while (i_ < s_.size() && ((s_[i_] >= 'A' && s_[i_] <= 'Z') || (s_[i_] >= 'a' && s_[i_] <= 'z'))) ++i_;
    }
    int64_t number() {
        int64_t v = 0;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') v = v * 10 + (s_[i_++] - '0');
        return v;
    }
    int64_t hms() {
        int64_t sign = 1;
        if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) sign = s_[i_++] == '-' ? -1 : 1;
        int64_t v = number() * 3600;
        if (i_ < s_.size() && s_[i_] == ':') {
            ++i_;
            v += number() * 60;
            if (i_ < s_.size() && s_[i_] == ':') {
                ++i_;
                v += number();
            }
        }
        return sign * v;
    }
    DateRule dateRule() {
        DateRule d;
        if (i_ < s_.size() && s_[i_] == 'M') {
            ++i_;
            d.kind = 'M';
            d.month = static_cast<int>(number());
            ++i_;
            d.week = static_cast<int>(number());
            ++i_;
            d.weekday = static_cast<int>(number());
        } else if (i_ < s_.size() && s_[i_] == 'J') {
            ++i_;
            d.kind = 'J';
            d.day = static_cast<int>(number());
        } else {
            d.kind = 'N';
            d.day = static_cast<int>(number());
        }
        if (i_ < s_.size() && s_[i_] == '/') {
            ++i_;
            d.time = hms();
        }
        return d;
    }

    std::string_view s_;
    size_t i_ = 0;
};

int64_t ruleDay(const DateRule& r, int64_t year) {
    if (r.kind == 'J') return cal::daysFromCivil(year, 1, 1) + r.day - 1 + (cal::isLeapYear(year) && r.day >= 60);
    if (r.kind == 'N') return cal::daysFromCivil(year, 1, 1) + r.day;
    const int64_t first = cal::daysFromCivil(year, r.month, 1);
    const int64_t firstWeekday = cal::floorMod(first + 4, 7);  // Sunday = 0
    int64_t day = first + cal::floorMod(r.weekday - firstWeekday, 7) + (r.week - 1) * 7;
    while (day >= first + cal::daysInMonth(year, r.month)) day -= 7;
    return day;
}

int32_t ruleOffsetAt(const PosixRule& r, int64_t t) {
    if (!r.hasDst) return r.std;
    const int64_t year = cal::civilFromDays(cal::floorDiv(t, cal::kSecondsPerDay)).year;
    // The latest change at or before t among the years around it (rule times may cross years).
    int64_t bestTime = INT64_MIN;
    int32_t best = r.std;
    for (int64_t y = year - 1; y <= year + 1; ++y) {
        const int64_t s = ruleDay(r.start, y) * cal::kSecondsPerDay + r.start.time - r.std;
        const int64_t e = ruleDay(r.end, y) * cal::kSecondsPerDay + r.end.time - r.dst;
        if (s <= t && s > bestTime) { bestTime = s; best = r.dst; }
        if (e <= t && e > bestTime) { bestTime = e; best = r.std; }
    }
    return best;
}

Zone decode(uint32_t offset) {
    Zone z;
    Reader rd(tzdata::kBlob + offset);
    const uint64_t nOffsets = rd.varint();
    for (uint64_t i = 0; i < nOffsets; ++i) z.offsets.push_back(static_cast<int32_t>(rd.zigzag()));
    const uint64_t nTrans = rd.varint();
    int64_t t = k1900;
    for (uint64_t i = 0; i < nTrans; ++i) {
        const uint64_t d = rd.varint();
        t += (d & 1) ? int64_t(d >> 1) : int64_t(d >> 1) * 3600;
        z.times.push_back(t);
        z.index.push_back(static_cast<uint8_t>(rd.varint()));
    }
    z.ruleStart = t + static_cast<int64_t>(rd.varint());
    const size_t len = rd.varint();
    const char* rule = reinterpret_cast<const char*>(rd.bytes(len));
    z.rule = PosixParser(std::string_view(rule, len)).parse();
    return z;
}

int compareLower(std::string_view a, std::string_view b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
        unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y - 'A' + 'a');
        if (x != y) return x < y ? -1 : 1;
    }
    return a.size() < b.size() ? -1 : a.size() > b.size();
}

struct Table {
    std::vector<std::string_view> names;
    std::mutex mutex;
    std::map<uint32_t, Zone> zones;                                      // by blob offset
    std::map<std::string, std::shared_ptr<const std::string>, std::less<>> interned;
    std::map<std::string, uint32_t, std::less<>> offsetByName;

    Table() {
        const char* p = tzdata::kNames;
        for (uint32_t i = 0; i < tzdata::kZoneCount; ++i) {
            std::string_view n(p);
            names.push_back(n);
            offsetByName.emplace(std::string(n), tzdata::kZoneOffsets[i]);
            p += n.size() + 1;
        }
    }
};

Table& table() {
    static Table t;
    return t;
}

const Zone& zoneByName(const std::string& name) {
    Table& t = table();
    std::lock_guard<std::mutex> lock(t.mutex);
    auto it = t.offsetByName.find(name);
    // Callers pass names findTimeZone returned; any other name behaves as UTC.
    const uint32_t offset = it == t.offsetByName.end() ? UINT32_MAX : it->second;
    auto z = t.zones.find(offset);
    if (z != t.zones.end()) return z->second;
    if (offset == UINT32_MAX) return t.zones.emplace(offset, Zone{{0}, {}, {}, 0, PosixRule{}}).first->second;
    return t.zones.emplace(offset, decode(offset)).first->second;
}

int32_t offsetAt(const Zone& z, int64_t t) {
    if (t >= z.ruleStart) return ruleOffsetAt(z.rule, t);
    auto it = std::upper_bound(z.times.begin(), z.times.end(), t);
    if (it == z.times.begin()) return z.offsets[0];
    return z.offsets[z.index[static_cast<size_t>(it - z.times.begin() - 1)]];
}

}  // namespace

std::shared_ptr<const std::string> findTimeZone(std::string_view name) {
    std::string key(name);
    for (char& c : key)
        if (c == ' ') c = '_';
    Table& t = table();
    auto it = std::lower_bound(t.names.begin(), t.names.end(), key,
                               [](std::string_view a, const std::string& b) { return compareLower(a, b) < 0; });
    if (it == t.names.end() || compareLower(*it, key) != 0) return nullptr;
    std::lock_guard<std::mutex> lock(t.mutex);
    auto in = t.interned.find(*it);
    if (in != t.interned.end()) return in->second;
    auto ptr = std::make_shared<const std::string>(*it);
    t.interned.emplace(std::string(*it), ptr);
    return ptr;
}

int32_t zoneOffsetAt(const std::string& zone, int64_t utcSeconds) {
    return offsetAt(zoneByName(zone), utcSeconds);
}

int64_t zoneLocalToUtc(const std::string& zone, int64_t localSeconds) {
    const Zone& z = zoneByName(zone);
    // Offsets lie within +-26 h, so the candidates are local - offset for the offsets in force a
    // day either side; a candidate is valid when the offset at it maps back to the same local time.
    const int32_t before = offsetAt(z, localSeconds - cal::kSecondsPerDay);
    const int32_t after = offsetAt(z, localSeconds + cal::kSecondsPerDay);
    const int32_t first = std::max(before, after), second = std::min(before, after);
    for (int32_t off : {first, second}) {
        const int64_t utc = localSeconds - off;
        if (offsetAt(z, utc) == off) return utc;
    }
    // In a gap: use the offset before the gap, which lands after it (e.g. 02:30 -> 03:30).
    return localSeconds - before;
}

uint32_t timeZoneCount() { return tzdata::kZoneCount; }

std::string_view timeZoneName(uint32_t i) { return table().names.at(i); }

}  // namespace cq::temporal
