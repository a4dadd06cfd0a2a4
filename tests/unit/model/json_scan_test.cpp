// SPDX-License-Identifier: MIT
// core/model/json_scan.h against nlohmann's SAX parser: whatever the scanner accepts, nlohmann accepts
// with the very same events (floats compared bit for bit); whatever nlohmann rejects, the scanner
// rejects. The scanner may decline more (the caller then takes nlohmann's path), but not the
// plain JSON the change reader sees.
#include <catch2/catch.hpp>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/model/json.h"
#include "core/model/json_scan.h"

using namespace cq;

namespace {

/// Records SAX events as text; floats by their bits.
struct Recorder {
    std::string log;
    bool null() { log += "n;"; return true; }
    bool boolean(bool b) { log += b ? "T;" : "F;"; return true; }
    // Appended piece by piece: `"i" + std::to_string(i)` trips g++ 12's -Wrestrict false positive.
    bool number_integer(int64_t i) { return add('i', std::to_string(i)); }
    bool number_unsigned(uint64_t u) { return add('u', std::to_string(u)); }
    bool number_float(double d, const std::string&) {
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        char buf[32];
        std::snprintf(buf, sizeof buf, "d%016" PRIx64 ";", bits);
        log += buf;
        return true;
    }
    bool string(std::string& s) { return add('s', std::to_string(s.size()) + ":" + s); }
    bool key(std::string& s) { return add('k', std::to_string(s.size()) + ":" + s); }
    bool start_object(size_t) { log += "{"; return true; }
    bool end_object() { log += "}"; return true; }
    bool start_array(size_t) { log += "["; return true; }
    bool end_array() { log += "]"; return true; }
    bool binary(std::vector<uint8_t>&) { return false; }
    bool parse_error(size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
    bool add(char tag, const std::string& text) {
        log += tag;
        log += text;
        log += ';';
        return true;
    }
};

struct Outcome {
    bool ok;
    std::string log;
};

Outcome viaScanner(const std::string& text) {
    Recorder r;
    bool ok = jsonscan::scan(text.c_str(), r);
    return {ok, r.log};
}

Outcome viaNlohmann(const std::string& text) {
    Recorder r;
    bool ok = false;
    try {
        ok = Json::sax_parse(text, &r);
    } catch (...) {
        ok = false;
    }
    return {ok, r.log};
}

/// The contract, for one text. `mustAccept`: plain JSON the scanner must not decline.
void checkAgainstNlohmann(const std::string& text, bool mustAccept) {
    INFO(text);
    Outcome s = viaScanner(text);
    Outcome n = viaNlohmann(text);
    if (s.ok) {
        REQUIRE(n.ok);
        CHECK(s.log == n.log);
    }
    if (!n.ok) CHECK_FALSE(s.ok);
    if (mustAccept) CHECK(s.ok);
}

std::string randomJson(std::mt19937_64& rng, int depth) {
    auto pick = [&](int n) { return int(rng() % uint64_t(n)); };
    switch (depth > 3 ? pick(5) : pick(7)) {
        case 0: return "null";
        case 1: return pick(2) ? "true" : "false";
        case 2: return std::to_string(int64_t(rng()) >> pick(64));
        case 3: {
            double d = std::ldexp(double(rng() % 1'000'000'007) - 5e8, pick(80) - 40);
            return Json(d).dump();  // the shortest round-trip text, as JSON.stringify writes
        }
        case 4: {
            static const char* const pieces[] = {"a", "é", "\\n", "\\\"", "\\u00e9", "\\ud83d\\ude00", "Z", " ", "\\/", "😀"};
            std::string s = "\"";
            for (int i = pick(6); i > 0; --i) s += pieces[pick(10)];
            return s + "\"";
        }
        case 5: {
            std::string s = "[";
            for (int i = pick(4); i > 0; --i) s += randomJson(rng, depth + 1) + (i > 1 ? "," : "");
            return s + "]";
        }
        default: {
            std::string s = "{";
            for (int i = pick(4); i > 0; --i)
                s += "\"k" + std::to_string(pick(5)) + "\" : " + randomJson(rng, depth + 1) + (i > 1 ? "," : "");
            return s + "}";
        }
    }
}

}  // namespace

TEST_CASE("json scanner: fixed cases agree with nlohmann", "[model][json_scan]") {
    const std::vector<std::string> valid = {
        "null", "true", "false", "0", "-0", "12", "-12", "1.5", "-0.0", "1e3", "1E+3", "2.5e-3", "0.1", "0.30000000000000004",
        "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890", "1e-400", "4.9e-324", "1.7976931348623157e308", "72.63964157150768",
        R"("")", R"("a\"b\\c\/d\b\f\n\r\t")", R"("\u0000\u00e9\u20ac\ud83d\ude00")", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
        "[]", "{}", " [ 1 , { \"a\" : [ ] } ] ", "{\"a\":1,\"a\":2}",
        R"({"op":"update","element":{"kind":"node","source":"facilities","id":"room-213","labels":["Room"],"effective_from":5000001,"properties":{"name":"Room 1.0.13","temperature":70.63964157150768,"humidity":42,"co2":500,"note":0}}})",
    };
    for (const std::string& text : valid) checkAgainstNlohmann(text, true);
    const std::vector<std::string> invalid = {
        "", " ", "nul", "tru", "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "1e400", "-1e400",
        "\"abc", "\"a\nb\"", R"("\x")", R"("\u12")", R"("\ud83d")", R"("\ude00")", R"("\ud83d\u0041")",
        "\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xff\"",
        "[1,]", "[1 2]", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "[", "]", "{", "1 2", "[1]x", "'a'",
    };
    for (const std::string& text : invalid) {
        INFO(text);
        CHECK_FALSE(viaScanner(text).ok);
        CHECK_FALSE(viaNlohmann(text).ok);
    }
    std::string deep(jsonscan::kMaxDepth + 1, '[');
    deep += std::string(jsonscan::kMaxDepth + 1, ']');
    CHECK_FALSE(viaScanner(deep).ok);  // declined: the DOM path takes it
    checkAgainstNlohmann(deep, false);
}

TEST_CASE("json scanner: random documents and their mutations agree with nlohmann", "[model][json_scan]") {
    std::mt19937_64 rng(20261203);
    int accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string text = randomJson(rng, 0);
        checkAgainstNlohmann(text, true);
        // One byte deleted, replaced or inserted: usually invalid, sometimes still valid.
        std::string mutated = text;
        size_t at = rng() % (mutated.size() + 1);
        static const char alphabet[] = "{}[]\",:\\0123456789.eE+-tnfu \x80\xc3";
        char c = alphabet[rng() % (sizeof alphabet - 1)];
        switch (rng() % 3) {
            case 0: if (at < mutated.size()) mutated.erase(at, 1); break;
            case 1: if (at < mutated.size()) mutated[at] = c; break;
            default: mutated.insert(mutated.begin() + std::ptrdiff_t(at), c);
        }
        checkAgainstNlohmann(mutated, false);
        accepted += viaScanner(mutated).ok;
    }
    CHECK(accepted > 100);  // the mutations do exercise the accepting side too
}

TEST_CASE("json scanner: floats read exactly as strtod reads them", "[model][json_scan]") {
    std::mt19937_64 rng(42);
    int fast = 0;
    for (int i = 0; i < 200000; ++i) {
        uint64_t bits = rng();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) continue;
        if (i % 2) d = std::ldexp(double(rng() % 100'000'000) / 1e6, 0);  // values like sensor readings
        char text[64];
        // The shortest round-trip text (JSON.stringify's), and 17 significant digits.
        for (const std::string& t : {Json(d).dump(), std::string(text, size_t(std::snprintf(text, sizeof text, "%.17g", d)))}) {
            if (t.find_first_of(".eE") == std::string::npos) continue;  // integers take another path
            double got = 0;
            REQUIRE(jsonscan::parseFloat(t.data(), t.data() + t.size(), got));
            double want = std::strtod(t.c_str(), nullptr);
            INFO(t);
            REQUIRE(std::memcmp(&got, &want, sizeof got) == 0);
            fast += t.size() < 18;
        }
    }
    CHECK(fast > 1000);
}
