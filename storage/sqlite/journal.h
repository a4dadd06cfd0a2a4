// SPDX-License-Identifier: MIT
// The redo journal of the SQLite backend (docs/storage.md, "Design: the state in memory, a journal
// in SQLite"). Each committed transaction adds an entry to the `journal` table's chunks: the
// concatenation of the records below, one per store write, in the order the engine made them. A
// record is a state write (set this element, delete that row), never an engine input, so replaying
// it needs no engine: reopening loads the tables and applies the journal's records on top. A fold
// applies the records whose effect depends on their order and writes every keyed row they touched
// once, from memory, then moves the journal on to its next generation.
//
// Framing of one record: op (1 byte), query number (varint), key length, key bytes, body length,
// body bytes (the lengths as 5-byte varints). Key and body are value_codec encodings; the key
// names the row a keyed record writes. A zero byte where a record would start begins padding:
// zeros to the end of the row (the journal's rows are chunks of one size, sqlite_backend.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/sqlite/value_codec.h"

namespace cq::sqlitejournal {

enum class Op : uint8_t {
    ElementSet = 1,     ///< key: ref; body: slots, element
    ElementDelete,      ///< key: ref
    ArchiveAdd,         ///< body: element
    AccumulatorSet,     ///< key: varint key; body: accumulator
    AccumulatorDelete,  ///< key: varint key
    SortedIncrement,    ///< body: varint set, float64 value, signed varint delta
    JoinAdd,            ///< body: text join key, ref
    JoinRemove,         ///< body: text join key, ref
    FuturePush,         ///< body: varint position, varint group, ref, signed original, signed due
    FutureRemove,       ///< body: varint position, varint group
    FuturePop,          ///< body: signed varint now (pops the earliest item due by then)
    LiveSet,            ///< key: varint signature; body: map
    LiveDelete,         ///< key: varint signature
    StatePut,           ///< key: text; body: text value
    StateDelete,        ///< key: text
    MetaPut,            ///< query 0; key: text; body: text value
    QueryOpen,          ///< body: text id (the query's number is the record's query)
    QuerySave,          ///< body: text id, text config
    QueryDrop,          ///< body: text id
    ElementPatch,       ///< key: ref; body: slots, signed effectiveFrom, then per property changed
                        ///< varint 1, text name, value (set) or varint 2, text name (removed); varint 0
};
constexpr uint8_t kLastOp = uint8_t(Op::ElementPatch);

/// Which table's keyed row a record writes (elements 1, accumulators 2, live rows 3, state 4,
/// meta 5), or 0 when the record is not keyed: its effect depends on its order among the records
/// of its table, so a fold applies it from the journal.
uint8_t rowClass(Op op);

struct Record {
    Op op{};
    int64_t query = 0;
    std::string_view key;
    std::string_view body;
};

/// Appends records to a byte string (the open transaction's journal entry), in place: a record is
/// begin(op, query), the key's encoding, body(), the body's encoding, end(). The two lengths are
/// written as 5-byte varints and filled in when their part ends (a varint reader takes them as
/// any other), so nothing is encoded twice or copied.
class Recorder {
public:
    /// Starts a record; returns the writer for its key.
    sqlitecodec::Writer& begin(Op op, int64_t query);
    /// Ends the key; returns the writer for the body.
    sqlitecodec::Writer& body();
    /// Ends the body (an empty one if body() was not called) and the record.
    void end();

    std::string_view bytes() const { return out_.view(); }

    /// How many records whose effect depends on their order (rowClass 0) were recorded since
    /// the last fold (then the fold reads the journal back). Not undone by truncate() or clear():
    /// an extra read is harmless.
    size_t orderedSinceFold() const { return ordered_; }
    /// A record of the journal read back when opening the database, not yet folded.
    void replayed(const Record& record) {
        if (rowClass(record.op) == 0) ++ordered_;
    }
    void folded() { ordered_ = 0; }
    size_t size() const { return out_.size(); }
    bool empty() const { return out_.empty(); }
    /// Where each record of the entry ends (offsets into bytes(), ascending): the backend cuts a
    /// large entry into chunks at these without parsing it again (7% of a 100,000-room
    /// bootstrap's instructions went to parsing and copying record by record).
    const std::vector<size_t>& recordEnds() const { return ends_; }
    void truncate(size_t size) {
        out_.truncate(size);
        while (!ends_.empty() && ends_.back() > size) ends_.pop_back();
    }
    void clear() {
        out_.clear();
        ends_.clear();
    }

private:
    void openLength();
    void closeLength();
    sqlitecodec::Writer out_;
    std::vector<size_t> ends_;
    size_t lengthAt_ = 0;
    bool inKey_ = false;
    size_t ordered_ = 0;
};

/// Iterates the records of one journal entry; throws Error(StorageCorrupt) on bad framing.
class Parser {
public:
    explicit Parser(std::string_view bytes) : in_(bytes) {}
    /// The next record, or false at the end (or at padding).
    bool next(Record& out);
    /// Where the records read so far end (at the end: where the padding starts, if any).
    size_t position() const { return pos_; }

private:
    std::string_view in_;
    size_t pos_ = 0;
    bool padded_ = false;
};

}  // namespace cq::sqlitejournal
