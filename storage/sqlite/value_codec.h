// SPDX-License-Identifier: MIT
// A compact binary codec for the values the SQLite backend stores (elements, accumulators, rows).
// Every cq::Value kind round-trips exactly: integers stay integers (zigzag varints), floats keep
// all 64 bits (so -0.0 and NaN payloads survive), temporal values keep every field and the zone
// name, lists/maps nest, elements inside values are encoded inline. Malformed input throws
// Error(StorageCorrupt). The format is part of the schema: change it only with the schema version.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/interface/storage.h"

namespace cq::sqlitecodec {

/// Appends encodings to a byte string.
class Writer {
public:
    std::string& bytes() { return out_; }
    void clear() { out_.clear(); }
    void byte(uint8_t b) { out_.push_back(char(b)); }
    void varint(uint64_t v);
    void signedVarint(int64_t v) { varint((uint64_t(v) << 1) ^ uint64_t(v >> 63)); }
    void float64(double d);
    void text(std::string_view s);
    void ref(const ElementRef& r);
    void value(const Value& v);
    void map(const Map& m);
    void element(const Element& e);
    void slots(const std::vector<int>& slots);
    void accumulator(const Accumulator& a);

private:
    std::string out_;
};

/// Reads encodings back; every method throws Error(StorageCorrupt) on truncated or invalid input.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool atEnd() const { return pos_ == in_.size(); }
    uint8_t byte();
    uint64_t varint();
    int64_t signedVarint() { uint64_t u = varint(); return int64_t(u >> 1) ^ -int64_t(u & 1); }
    double float64();
    std::string text();
    ElementRef ref();
    Value value();
    Map map();
    ElementPtr element();
    std::vector<int> slots();
    Accumulator accumulator();

private:
    [[noreturn]] void corrupt(const char* what) const;
    std::string_view in_;
    size_t pos_ = 0;
    int depth_ = 0;
};

std::string encodeElement(const Element& e);
ElementPtr decodeElement(std::string_view bytes);
std::string encodeMap(const Map& m);
Map decodeMap(std::string_view bytes);
std::string encodeAccumulator(const Accumulator& a);
Accumulator decodeAccumulator(std::string_view bytes);

}  // namespace cq::sqlitecodec
