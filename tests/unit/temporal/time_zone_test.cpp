// SPDX-License-Identifier: MIT
// The generated time-zone table against the TZif files it was built from: for every zone and
// every transition from 1900 to 2037, the offset just before and at the transition. Runs where
// /usr/share/zoneinfo is readable (native builds); the WebAssembly build has no file system and
// relies on the generator's own check and the spot checks in temporal_test.cpp.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/temporal/time_zone.h"

namespace {

struct Tzif {
    std::vector<int64_t> times;
    std::vector<int32_t> offsetAfter;
    int32_t firstOffset = 0;
};

uint32_t be32(const std::string& b, size_t at) {
    return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) | (uint32_t(uint8_t(b[at + 2])) << 8) |
           uint32_t(uint8_t(b[at + 3]));
}

bool readTzif(const std::string& path, Tzif& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    const std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (b.size() < 44 || b.compare(0, 4, "TZif") != 0 || b[4] < '2') return false;
    auto counts = [&](size_t at, uint32_t c[6]) {
        for (int i = 0; i < 6; ++i) c[i] = be32(b, at + 20 + 4 * i);
    };
    uint32_t c[6];
    counts(0, c);  // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
    size_t at = 44 + c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    counts(at, c);
    at += 44;
    std::vector<int64_t> times(c[3]);
    for (uint32_t i = 0; i < c[3]; ++i) times[i] = int64_t((uint64_t(be32(b, at + 8 * i)) << 32) | be32(b, at + 8 * i + 4));
    at += 8 * c[3];
    std::vector<uint8_t> idx(b.begin() + long(at), b.begin() + long(at + c[3]));
    at += c[3];
    std::vector<int32_t> offsets(c[4]);
    for (uint32_t i = 0; i < c[4]; ++i) offsets[i] = int32_t(be32(b, at + 6 * i));
    out.times = times;
    out.firstOffset = offsets.empty() ? 0 : offsets[0];
    for (uint8_t i : idx) out.offsetAfter.push_back(offsets[i]);
    return true;
}

}  // namespace

TEST_CASE("every zone matches its TZif file from 1900 to 2037") {
    constexpr int64_t k1900 = -2208988800, k2038 = 2145916800;
    uint32_t zonesChecked = 0, transitionsChecked = 0;
    for (uint32_t i = 0; i < cq::temporal::timeZoneCount(); ++i) {
        const std::string name(cq::temporal::timeZoneName(i));
        Tzif z;
        if (!readTzif("/usr/share/zoneinfo/" + name, z)) continue;
        ++zonesChecked;
        const auto zone = cq::temporal::findTimeZone(name);
        REQUIRE(zone);
        REQUIRE(*zone == name);
        int32_t before = z.firstOffset;
        for (size_t k = 0; k < z.times.size(); ++k) {
            const int64_t t = z.times[k];
            if (t > k1900 && t < k2038) {
                INFO(name << " at " << t);
                REQUIRE(cq::temporal::zoneOffsetAt(name, t - 1) == before);
                REQUIRE(cq::temporal::zoneOffsetAt(name, t) == z.offsetAfter[k]);
                ++transitionsChecked;
            }
            before = z.offsetAfter[k];
        }
    }
    if (zonesChecked == 0) WARN("no /usr/share/zoneinfo here: the table was not compared with TZif files");
    else CHECK(transitionsChecked > 10000);
}
