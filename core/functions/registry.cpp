// SPDX-License-Identifier: MIT
// FunctionRegistry (case-insensitive name lookup) and the argument-error helper every scalar
// function uses, so that all argument errors read alike.
#include "core/functions/registry.h"

#include <algorithm>

#include "core/common/error.h"

namespace cq::fn {

namespace {

std::string lowerAscii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

void FunctionRegistry::add(FunctionDef def) {
    std::string key = lowerAscii(def.name);
    byLowerName_[key] = std::move(def);
}

const FunctionDef* FunctionRegistry::find(std::string_view name) const {
    // Most calls are spelled in lower case or camelCase; one lowered copy per lookup is fine
    // because lookups happen when a query is bound, not per change.
    auto it = byLowerName_.find(lowerAscii(name));
    return it == byLowerName_.end() ? nullptr : &it->second;
}

std::vector<std::string> FunctionRegistry::names() const {
    std::vector<std::string> out;
    out.reserve(byLowerName_.size());
    for (const auto& entry : byLowerName_) out.push_back(entry.second.name);
    std::sort(out.begin(), out.end());
    return out;
}

// `index` is 0-based (as drasi-core's InvalidArgument(i)); the message counts from 1.
void invalidArgument(std::string_view function, int index, const Value& got,
                     std::string_view expected) {
    std::string msg;
    msg.reserve(64);
    msg.append(function).append("(): argument ").append(std::to_string(index + 1));
    msg.append(" must be ").append(expected).append(", got ").append(valueKindName(got.kind()));
    throw Error(ErrorCode::InvalidArgument, msg);
}

}  // namespace cq::fn
