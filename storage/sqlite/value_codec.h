// SPDX-License-Identifier: MIT
// A compact binary codec for the values the SQLite backend stores (elements, accumulators, rows).
// Every cq::Value kind round-trips exactly: integers stay integers (zigzag varints), floats keep
// all 64 bits (so -0.0 and NaN payloads survive), temporal values keep every field and the zone
// name, lists/maps nest, elements inside values are encoded inline. Malformed input throws
// Error(StorageCorrupt). The format is part of the schema: change it only with the schema version.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/interface/storage.h"

namespace cq::sqlitecodec {

/// Appends encodings to a byte buffer. The buffer is its own (not a std::string): a write checks
/// the capacity once and stores through a pointer, where std::string's append and push_back cost
/// a call each (encoding was 30% of a scenario-1 change's storage instructions that way).
class Writer {
public:
    Writer() = default;
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    std::string_view view() const { return {buf_.get(), size_}; }
    std::string str() const { return std::string(view()); }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    char* data() { return buf_.get(); }
    void clear() { size_ = 0; }
    /// Drops everything after the first `size` bytes.
    void truncate(size_t size) {
        if (size < size_) size_ = size;
    }

    void byte(uint8_t b) { *room(1) = char(b); ++size_; }
    void varint(uint64_t v) {
        char* p = room(10);
        size_t n = 0;
        while (v >= 0x80) {
            p[n++] = char(uint8_t(v) | 0x80);
            v >>= 7;
        }
        p[n++] = char(v);
        size_ += n;
    }
    void signedVarint(int64_t v) { varint((uint64_t(v) << 1) ^ uint64_t(v >> 63)); }
    void float64(double d);
    void text(std::string_view s) {
        varint(s.size());
        raw(s);
    }
    void raw(std::string_view s) {
        if (s.empty()) return;
        std::memcpy(room(s.size()), s.data(), s.size());
        size_ += s.size();
    }
    void ref(const ElementRef& r);
    void value(const Value& v);
    void map(const Map& m);
    void map(const Properties& m);  ///< written as a Map: the same bytes
    void element(const Element& e);
    void slots(const std::vector<int>& slots);
    void accumulator(const Accumulator& a);

private:
    /// A pointer to at least n writable bytes after the content.
    char* room(size_t n) {
        if (capacity_ - size_ < n) grow(n);
        return buf_.get() + size_;
    }
    void grow(size_t n);

    std::unique_ptr<char[]> buf_;
    size_t size_ = 0;
    size_t capacity_ = 0;
};

/// Reads encodings back; every method throws Error(StorageCorrupt) on truncated or invalid input.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool atEnd() const { return pos_ == in_.size(); }
    size_t position() const { return pos_; }
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
