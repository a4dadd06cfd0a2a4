// SPDX-License-Identifier: MIT
#include "core/query/diff_binary.h"

#include <cmath>
#include <cstring>

#include "core/temporal/temporal.h"

namespace cq {

void DiffBinaryWriter::u32(uint32_t x) {
    char b[4] = {char(x), char(x >> 8), char(x >> 16), char(x >> 24)};
    out_.append(b, 4);
}

void DiffBinaryWriter::str(std::string_view s) {
    u32(uint32_t(s.size()));
    out_.append(s.data(), s.size());
}

void DiffBinaryWriter::key(std::string_view k) {
    for (size_t i = 0; i < keys_.size(); ++i)
        if (keys_[i] == k) return u32(uint32_t(i));
    if (keys_.size() < kMaxKeys) {
        keys_.emplace_back(k);
        u32(kNewKey);
    } else {
        u32(kInlineKey);
    }
    str(k);
}

void DiffBinaryWriter::value(const Value& v) {
    // No depth limit, as writeValueJson has none: a value the engine holds is written whole, so a
    // change it applied is never answered with an error it did not have.
    auto number = [&](double d) {
        if (std::isnan(d) || std::isinf(d)) return u8(0);  // JSON has no NaN/Infinity: null
        u8(3);
        char b[8];
        std::memcpy(b, &d, 8);  // wasm and x86 are little-endian
        out_.append(b, 8);
    };
    switch (v.kind()) {
        case ValueKind::Null:
        case ValueKind::Awaiting: return u8(0);
        case ValueKind::Bool: return u8(v.asBool() ? 2 : 1);
        case ValueKind::Integer: return number(double(v.asInt()));
        case ValueKind::Float: return number(v.asFloat());
        case ValueKind::String:
            u8(4);
            return str(v.asString());
        case ValueKind::List:
            u8(5);
            u32(uint32_t(v.asList().size()));
            for (const Value& x : v.asList()) value(x);
            return;
        case ValueKind::Map: return entries(v.asMap());
        case ValueKind::Element: return entries(v.asElement()->properties);
        default:
            u8(4);
            return str(temporal::toIsoString(v));
    }
}

void DiffBinaryWriter::row(const Map* r) {
    if (!r) return u8(0);
    u8(1);
    u32(uint32_t(r->size()));
    for (const auto& [k, x] : *r) {
        key(k);
        value(x);
    }
}

void DiffBinaryWriter::diff(const Diff& d) {
    u8(uint8_t(d.kind));
    static_assert(uint8_t(DiffKind::Add) == 0 && uint8_t(DiffKind::Update) == 1 &&
                      uint8_t(DiffKind::Remove) == 2 && uint8_t(DiffKind::Aggregation) == 3,
                  "the binary form numbers diff kinds so");
    if (d.kind != DiffKind::Remove) row(d.after ? &*d.after : nullptr);
    if (d.kind != DiffKind::Add) row(d.before ? &*d.before : nullptr);
    if (d.kind == DiffKind::Aggregation) {
        const std::vector<std::string>& keys = d.groupingKeyList();
        u32(uint32_t(keys.size()));
        for (const std::string& k : keys) key(k);
    }
}

}  // namespace cq
