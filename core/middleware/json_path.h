// SPDX-License-Identifier: MIT
// JSONPath over cq::Value, the subset Drasi's middleware configs use (Drasi parses them with
// jsonpath-rust 0.5): `$`, `.name`, `['name']`, `[n]`, `[a:b:s]`, `[*]`, `.*`, `..name`, `..*`,
// unions `['a','b']` / `[0,2]`, `.length()`, and filters `[?(...)]` with `@`/`$` paths, literals,
// == != < <= > >= ~= in nin size anyOf noneOf subsetOf, && || ! and parentheses.
// Like jsonpath-rust, a filter applied to a non-array tests that value itself, which is how
// `$[?(@.kind == 'x')]` selects a whole element.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/model/value.h"

namespace cq::mw {

struct JsonPathStep;

class JsonPath {
public:
    /// Parses `text`; throws Error(InvalidConfig) saying what is wrong and where.
    static JsonPath parse(const std::string& text);

    /// Every value the path selects in `root`, in document order (object keys sorted).
    std::vector<Value> select(const Value& root) const;
    /// True when the path selects at least one value (a selected null counts).
    bool matches(const Value& root) const { return !select(root).empty(); }

    const std::string& text() const { return text_; }

private:
    std::string text_;
    std::shared_ptr<const std::vector<JsonPathStep>> steps_;
};

}  // namespace cq::mw
