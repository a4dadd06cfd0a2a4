// SPDX-License-Identifier: MIT
#include "storage/sqlite/journal.h"

#include "core/common/error.h"

namespace cq::sqlitejournal {

using sqlitecodec::Writer;

uint8_t rowClass(Op op) {
    switch (op) {
    case Op::ElementSet:
    case Op::ElementPatch:
    case Op::ElementDelete: return 1;
    case Op::AccumulatorSet:
    case Op::AccumulatorDelete: return 2;
    case Op::LiveSet:
    case Op::LiveDelete: return 3;
    case Op::StatePut:
    case Op::StateDelete: return 4;
    case Op::MetaPut: return 5;
    default: return 0;
    }
}

namespace {
constexpr size_t kLengthBytes = 5;  // 35 bits: a record part of up to 32 GiB
}

Writer& Recorder::begin(Op op, int64_t query) {
    if (rowClass(op) == 0) ++ordered_;
    out_.byte(uint8_t(op));
    out_.varint(uint64_t(query));
    openLength();
    inKey_ = true;
    return out_;
}

Writer& Recorder::body() {
    closeLength();
    openLength();
    inKey_ = false;
    return out_;
}

void Recorder::end() {
    if (inKey_) body();  // a record without a body still has its (empty) body's length
    closeLength();
    ends_.push_back(out_.size());
}

void Recorder::openLength() {
    lengthAt_ = out_.size();
    out_.raw(std::string_view("\0\0\0\0\0", kLengthBytes));
}

void Recorder::closeLength() {
    char* out = out_.data();
    uint64_t length = out_.size() - lengthAt_ - kLengthBytes;
    if (length >> (7 * kLengthBytes)) throw Error(ErrorCode::StorageFull, "a journal record is larger than 32 GiB");
    for (size_t i = 0; i < kLengthBytes; ++i) {
        uint8_t group = uint8_t((length >> (7 * i)) & 0x7f);
        out[lengthAt_ + i] = char(i + 1 < kLengthBytes ? group | 0x80 : group);
    }
}

bool Parser::next(Record& out) {
    if (pos_ == in_.size() || padded_) return false;
    sqlitecodec::Reader r(in_.substr(pos_));
    uint8_t op = r.byte();
    if (op == 0) {  // padding to the end of the row
        if (in_.find_first_not_of('\0', pos_) != std::string_view::npos)
            throw Error(ErrorCode::StorageCorrupt, "the journal has bytes after its padding");
        padded_ = true;
        return false;
    }
    if (op > kLastOp) {
        throw Error(ErrorCode::StorageCorrupt, "the journal has a record of unknown kind " + std::to_string(op));
    }
    out.op = Op(op);
    out.query = int64_t(r.varint());
    uint64_t keySize = r.varint();
    size_t keyAt = pos_ + r.position();
    if (keySize > in_.size() - keyAt) throw Error(ErrorCode::StorageCorrupt, "the journal is truncated (key)");
    out.key = in_.substr(keyAt, size_t(keySize));
    sqlitecodec::Reader rest(in_.substr(keyAt + size_t(keySize)));
    uint64_t bodySize = rest.varint();
    size_t bodyAt = keyAt + size_t(keySize) + rest.position();
    if (bodySize > in_.size() - bodyAt) throw Error(ErrorCode::StorageCorrupt, "the journal is truncated (body)");
    out.body = in_.substr(bodyAt, size_t(bodySize));
    pos_ = bodyAt + size_t(bodySize);
    return true;
}

}  // namespace cq::sqlitejournal
