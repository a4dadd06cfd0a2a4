// SPDX-License-Identifier: MIT
// The fast change reader (core/model/change_reader) against the DOM path (parseJson +
// changeFromJson): on the plain shape both must give the same changes; on anything else the fast
// reader must decline (return false) so that the DOM path reports the error.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/model/change_reader.h"
#include "core/model/json.h"

using namespace cq;

namespace {

std::string domText(const std::string& text, bool array) {
    Json j = parseJson(text);
    Json out = Json::array();
    if (array)
        for (const Json& c : j) out.push_back(changeToJson(changeFromJson(c)));
    else
        out.push_back(changeToJson(changeFromJson(j)));
    return out.dump();
}

std::string fastText(const std::vector<Change>& changes) {
    Json out = Json::array();
    for (const Change& c : changes) out.push_back(changeToJson(c));
    return out.dump();
}

}  // namespace

TEST_CASE("fast change reader: the plain shape reads as changeFromJson reads it", "[model][change_reader]") {
    const std::vector<std::string> plain = {
        R"({"op":"insert","element":{"kind":"node","source":"s","id":"1","labels":["A","B"],"effective_from":5,"properties":{"x":1}}})",
        R"({"op":"update","element":{"source":"s","id":"1","labels":[],"properties":{}}})",
        R"({"op":"delete","element":{"kind":"node","source":"s","id":"1","labels":["A"],"effective_from":7.9,"properties":{}}})",
        R"({"op":"insert","element":{"kind":"relation","source":"s","id":"r","labels":["R"],"start":"a","end":"b","effective_from":1,"properties":{"w":2.5}}})",
        R"({"op":"insert","element":{"kind":"relation","source":"s","id":"r","labels":["R"],"start":"a","end":"b","start_source":"t","end_source":"u","properties":{}}})",
        R"({"op":"delete","element":{"kind":"relation","source":"s","id":"r","labels":["R"],"properties":{}}})",
        R"({"element":{"properties":{"n":null,"t":true,"f":false,"i":-3,"u":18446744073709551,"d":1.0,"s":"é\n","l":[1,[2,{"k":null}],"x"],"m":{"a":{"b":[]}}},"id":"2","source":"s","labels":["A"]},"op":"insert"})",
    };
    for (const std::string& text : plain) {
        INFO(text);
        std::vector<Change> out;
        bool isArray = true;
        REQUIRE(readChangesFast(text.c_str(), out, isArray));
        CHECK_FALSE(isArray);
        REQUIRE(out.size() == 1);
        CHECK(fastText(out) == domText(text, false));
    }
    std::string batch = "[" + plain[0] + "," + plain[3] + "," + plain[6] + "]";
    std::vector<Change> out;
    bool isArray = false;
    REQUIRE(readChangesFast(batch.c_str(), out, isArray));
    CHECK(isArray);
    CHECK(out.size() == 3);
    CHECK(fastText(out) == domText(batch, true));
}

TEST_CASE("fast change reader: declines what the DOM path must report or handle", "[model][change_reader]") {
    const std::vector<std::string> declined = {
        "{bad json",
        R"({"element":{"source":"s","id":"1","labels":[],"properties":{}}})",                       // no op
        R"({"op":"upsert","element":{"source":"s","id":"1","labels":[],"properties":{}}})",          // unknown op
        R"({"op":"insert"})",                                                                        // no element
        R"({"op":"insert","element":{"id":"1","labels":[],"properties":{}}})",                       // no source
        R"({"op":"insert","element":{"source":"s","id":1,"labels":[],"properties":{}}})",            // numeric id
        R"({"op":"insert","element":{"source":"s","id":"1","labels":null,"properties":{}}})",        // null labels
        R"({"op":"insert","element":{"source":"s","id":"1","labels":[],"properties":{},"extra":1}})",// unknown key
        R"({"op":"insert","op":"delete","element":{"source":"s","id":"1","labels":[],"properties":{}}})",  // repeated
        R"({"op":"insert","element":{"kind":"relation","source":"s","id":"r","labels":[],"properties":{}}})",  // no ends
        R"({"op":"insert","element":{"kind":"edge","source":"s","id":"r","labels":[],"properties":{}}})",
        R"({"op":"insert","element":{"source":"s","id":"1","labels":[],"properties":{"a":1,"a":2}}})",
    };
    for (const std::string& text : declined) {
        INFO(text);
        std::vector<Change> out;
        bool isArray = false;
        CHECK_FALSE(readChangesFast(text.c_str(), out, isArray));
    }
}
