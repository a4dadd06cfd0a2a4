// SPDX-License-Identifier: MIT
// The binary value codec (see value_codec.h). Layout: one tag byte (the ValueKind number) and a
// payload; integers as zigzag LEB128 varints, floats as 8 little-endian bytes of their bit pattern,
// strings as a varint length and raw bytes, containers as a varint count and their items.
#include "storage/sqlite/value_codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/common/error.h"

namespace cq::sqlitecodec {

namespace {
// Nesting deeper than this in stored data can only come from a corrupt blob (and would overflow
// the stack while decoding).
constexpr int kMaxDepth = 256;

enum ElementFlags : uint8_t { kRelation = 1 };
enum AccumulatorFields : uint8_t { kSum = 1, kCount = 2, kA = 4, kB = 8, kC = 16, kValue = 32 };
}  // namespace

void Writer::grow(size_t n) {
    size_t capacity = std::max<size_t>({capacity_ * 2, size_ + n, 256});
    std::unique_ptr<char[]> grown(new char[capacity]);
    if (size_) std::memcpy(grown.get(), buf_.get(), size_);
    buf_ = std::move(grown);
    capacity_ = capacity;
}

void Writer::float64(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    char* p = room(8);
    for (int i = 0; i < 8; ++i) p[i] = char(uint8_t(bits >> (8 * i)));
    size_ += 8;
}

void Writer::ref(const ElementRef& r) {
    text(r.source);
    text(r.id);
}

namespace {
template <class Entries>  // Map or Properties
void writeEntries(Writer& w, const Entries& m) {
    w.varint(m.size());
    for (const auto& [key, item] : m) {
        w.text(key);
        w.value(item);
    }
}
}  // namespace

void Writer::map(const Properties& m) { writeEntries(*this, m); }

void Writer::map(const Map& m) {
    writeEntries(*this, m);
}

void Writer::element(const Element& e) {
    byte(e.isRelation() ? kRelation : 0);
    ref(e.ref);
    varint(e.labels.size());
    for (const auto& label : e.labels) text(label);
    signedVarint(e.effectiveFrom);
    map(e.properties);
    if (e.isRelation()) {
        ref(e.start());
        ref(e.end());
    }
}

void Writer::slots(const std::vector<int>& slots) {
    varint(slots.size());
    for (int slot : slots) signedVarint(slot);
}

void Writer::accumulator(const Accumulator& a) {
    // Most accumulators use one or two fields: a presence mask keeps them a few bytes long.
    uint8_t mask = (a.sum != 0 || std::signbit(a.sum) ? kSum : 0) | (a.count != 0 ? kCount : 0) |
                   (a.a != 0 || std::signbit(a.a) ? kA : 0) | (a.b != 0 || std::signbit(a.b) ? kB : 0) |
                   (a.c != 0 || std::signbit(a.c) ? kC : 0) | (a.value.isNull() ? 0 : kValue);
    byte(mask);
    if (mask & kSum) float64(a.sum);
    if (mask & kCount) signedVarint(a.count);
    if (mask & kA) float64(a.a);
    if (mask & kB) float64(a.b);
    if (mask & kC) float64(a.c);
    if (mask & kValue) value(a.value);
}

void Writer::value(const Value& v) {
    byte(uint8_t(v.kind()));
    switch (v.kind()) {
    case ValueKind::Null:
    case ValueKind::Awaiting: break;
    case ValueKind::Bool: byte(v.asBool() ? 1 : 0); break;
    case ValueKind::Integer: signedVarint(v.asInt()); break;
    case ValueKind::Float: float64(v.asFloat()); break;
    case ValueKind::String: text(v.asString()); break;
    case ValueKind::List:
        varint(v.asList().size());
        for (const auto& item : v.asList()) value(item);
        break;
    case ValueKind::Map: map(v.asMap()); break;
    case ValueKind::Date: signedVarint(v.as<Date>().days); break;
    case ValueKind::LocalTime: signedVarint(v.as<LocalTime>().nanos); break;
    case ValueKind::ZonedTime:
        signedVarint(v.as<ZonedTime>().nanos);
        signedVarint(v.as<ZonedTime>().offsetSeconds);
        break;
    case ValueKind::LocalDateTime:
        signedVarint(v.as<LocalDateTime>().seconds);
        signedVarint(v.as<LocalDateTime>().nanos);
        break;
    case ValueKind::ZonedDateTime: {
        const auto& t = v.as<ZonedDateTime>();
        signedVarint(t.seconds);
        signedVarint(t.nanos);
        signedVarint(t.offsetSeconds);
        byte(t.zone ? 1 : 0);
        if (t.zone) text(*t.zone);
        break;
    }
    case ValueKind::Duration: {
        const auto& d = v.as<Duration>();
        signedVarint(d.months);
        signedVarint(d.days);
        signedVarint(d.seconds);
        signedVarint(d.nanos);
        break;
    }
    case ValueKind::Element: {
        const auto& e = v.asElement();
        byte(e ? 1 : 0);
        if (e) element(*e);
        break;
    }
    }
}

void Reader::corrupt(const char* what) const {
    throw Error(ErrorCode::StorageCorrupt,
                std::string("stored value is corrupt: ") + what + " at byte " + std::to_string(pos_));
}

uint8_t Reader::byte() {
    if (pos_ >= in_.size()) corrupt("truncated");
    return uint8_t(in_[pos_++]);
}

uint64_t Reader::varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b = byte();
        v |= uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    corrupt("varint too long");
}

double Reader::float64() {
    if (in_.size() - pos_ < 8) corrupt("truncated float");
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= uint64_t(uint8_t(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

std::string Reader::text() {
    uint64_t size = varint();
    if (size > in_.size() - pos_) corrupt("truncated string");
    std::string s(in_.substr(pos_, size_t(size)));
    pos_ += size_t(size);
    return s;
}

ElementRef Reader::ref() {
    ElementRef r;
    r.source = text();
    r.id = text();
    return r;
}

Map Reader::map() {
    uint64_t count = varint();
    if (count > in_.size() - pos_) corrupt("map count");
    Map m;
    m.reserve(size_t(count));  // count <= remaining bytes (checked above): no huge reservation
    for (uint64_t i = 0; i < count; ++i) {
        std::string key = text();
        m.emplace(std::move(key), value());  // written in key order: each an append
    }
    return m;
}

ElementPtr Reader::element() {
    uint8_t flags = byte();
    if (flags & ~kRelation) corrupt("element flags");
    auto e = Element::make((flags & kRelation) ? ElementKind::Relation : ElementKind::Node);
    e->ref = ref();
    uint64_t labels = varint();
    if (labels > in_.size() - pos_) corrupt("label count");
    Labels::List list;
    list.reserve(size_t(labels));
    for (uint64_t i = 0; i < labels; ++i) list.push_back(text());
    e->labels = Labels(std::move(list));
    e->effectiveFrom = signedVarint();
    e->properties = map();
    if (e->isRelation()) {
        e->start() = ref();
        e->end() = ref();
    }
    return e;
}

std::vector<int> Reader::slots() {
    uint64_t count = varint();
    if (count > in_.size() - pos_) corrupt("slot count");
    std::vector<int> out;
    out.reserve(size_t(count));
    for (uint64_t i = 0; i < count; ++i) out.push_back(int(signedVarint()));
    return out;
}

Accumulator Reader::accumulator() {
    Accumulator a;
    uint8_t mask = byte();
    if (mask & kSum) a.sum = float64();
    if (mask & kCount) a.count = signedVarint();
    if (mask & kA) a.a = float64();
    if (mask & kB) a.b = float64();
    if (mask & kC) a.c = float64();
    if (mask & kValue) a.value = value();
    return a;
}

Value Reader::value() {
    if (++depth_ > kMaxDepth) corrupt("nesting too deep");
    struct DepthGuard {
        int& depth;
        ~DepthGuard() { --depth; }
    } guard{depth_};
    uint8_t tag = byte();
    switch (ValueKind(tag)) {
    case ValueKind::Null: return Value();
    case ValueKind::Awaiting: return Value(Awaiting{});
    case ValueKind::Bool: return Value(byte() != 0);
    case ValueKind::Integer: return Value(signedVarint());
    case ValueKind::Float: return Value(float64());
    case ValueKind::String: return Value(text());
    case ValueKind::List: {
        uint64_t count = varint();
        if (count > in_.size() - pos_) corrupt("list count");
        List list;
        list.reserve(size_t(count));
        for (uint64_t i = 0; i < count; ++i) list.push_back(value());
        return Value(std::move(list));
    }
    case ValueKind::Map: return Value(map());
    case ValueKind::Date: return Value(Date{signedVarint()});
    case ValueKind::LocalTime: return Value(LocalTime{signedVarint()});
    case ValueKind::ZonedTime: {
        ZonedTime t;
        t.nanos = signedVarint();
        t.offsetSeconds = int32_t(signedVarint());
        return Value(t);
    }
    case ValueKind::LocalDateTime: {
        LocalDateTime t;
        t.seconds = signedVarint();
        t.nanos = int32_t(signedVarint());
        return Value(t);
    }
    case ValueKind::ZonedDateTime: {
        ZonedDateTime t;
        t.seconds = signedVarint();
        t.nanos = int32_t(signedVarint());
        t.offsetSeconds = int32_t(signedVarint());
        if (byte()) t.zone = std::make_shared<const std::string>(text());
        return Value(std::move(t));
    }
    case ValueKind::Duration: {
        Duration d;
        d.months = signedVarint();
        d.days = signedVarint();
        d.seconds = signedVarint();
        d.nanos = int32_t(signedVarint());
        return Value(d);
    }
    case ValueKind::Element: {
        if (!byte()) return Value(ElementPtr());
        return Value(element());
    }
    }
    corrupt("unknown value tag");
}

std::string encodeElement(const Element& e) {
    Writer w;
    w.element(e);
    return w.str();
}

ElementPtr decodeElement(std::string_view bytes) {
    Reader r(bytes);
    return r.element();
}

std::string encodeMap(const Map& m) {
    Writer w;
    w.map(m);
    return w.str();
}

Map decodeMap(std::string_view bytes) {
    Reader r(bytes);
    return r.map();
}

std::string encodeAccumulator(const Accumulator& a) {
    Writer w;
    w.accumulator(a);
    return w.str();
}

Accumulator decodeAccumulator(std::string_view bytes) {
    Reader r(bytes);
    return r.accumulator();
}

}  // namespace cq::sqlitecodec
