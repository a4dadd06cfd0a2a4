// SPDX-License-Identifier: MIT
// cq::SourceName: the `source` of an element reference, interned.
//
// Why: every element carries the name of the source it came from, and a relation carries it three
// times (its own, its start's and its end's), as a std::string each (32 bytes natively, 12 in
// wasm). A graph has a handful of sources and hundreds of thousands of elements, so each name is
// kept once, process-wide, and a reference holds a pointer to it: 8 bytes (4 in wasm). At 100,000
// rooms that is about 10 MB of the 109 MB the engine held (docs/storage.md, "What an element
// costs"). Two names are equal exactly when their pointers are, so comparing sources costs no
// string compare, and each name keeps its std::hash, so hashing a reference hashes only its id.
//
// Names are never freed: an engine sees the sources it is fed, a few per deployment. A stream that
// invented a new source name per change would grow this table by each name (documented in
// docs/storage.md).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace cq {

class SourceName {
public:
    /// A name and its std::hash, as the table keeps them (stable addresses, never freed).
    struct Entry {
        std::string text;
        size_t hash = 0;
    };

    SourceName() noexcept : e_(emptyEntry()) {}
    SourceName(std::string_view s) : e_(intern(s)) {}
    SourceName(const std::string& s) : e_(intern(s)) {}
    SourceName(const char* s) : e_(intern(s)) {}

    const std::string& str() const noexcept { return e_->text; }
    operator const std::string&() const noexcept { return e_->text; }
    operator std::string_view() const noexcept { return e_->text; }
    /// std::hash<std::string> of the name, computed once when it was interned.
    size_t hash() const noexcept { return e_->hash; }

    bool empty() const noexcept { return e_->text.empty(); }
    size_t size() const noexcept { return e_->text.size(); }
    const char* data() const noexcept { return e_->text.data(); }
    char operator[](size_t i) const noexcept { return e_->text[i]; }
    void clear() noexcept { e_ = emptyEntry(); }

    friend bool operator==(const SourceName& a, const SourceName& b) noexcept { return a.e_ == b.e_; }
    friend bool operator!=(const SourceName& a, const SourceName& b) noexcept { return a.e_ != b.e_; }
    friend bool operator==(const SourceName& a, const std::string& b) noexcept { return a.e_->text == b; }
    friend bool operator!=(const SourceName& a, const std::string& b) noexcept { return a.e_->text != b; }
    friend bool operator==(const SourceName& a, const char* b) noexcept { return a.e_->text == b; }
    friend bool operator!=(const SourceName& a, const char* b) noexcept { return a.e_->text != b; }
    /// By the names' bytes, as std::string orders them (sorted output does not depend on interning).
    friend bool operator<(const SourceName& a, const SourceName& b) noexcept { return a.e_ != b.e_ && a.e_->text < b.e_->text; }

    friend std::string operator+(const std::string& a, const SourceName& b) { return a + b.e_->text; }
    friend std::string operator+(const char* a, const SourceName& b) { return a + b.e_->text; }
    friend std::string operator+(const SourceName& a, const std::string& b) { return a.e_->text + b; }
    friend std::string operator+(const SourceName& a, const char* b) { return a.e_->text + b; }

private:
    static const Entry* intern(std::string_view s);
    static const Entry* emptyEntry() noexcept;

    const Entry* e_;
};

}  // namespace cq
