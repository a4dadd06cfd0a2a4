// SPDX-License-Identifier: MIT
#include "core/model/change_reader.h"

#include <cstdint>
#include <memory>
#include <string>

#include "core/model/json.h"
#include "core/model/json_scan.h"

namespace cq {

namespace {

/// Reads change JSON text straight into Change objects through SAX events (core/model/json_scan.h,
/// which uses nlohmann's event names and types), without the DOM. Only the plain shape is read here (string op/kind/source/id/start/end/..., labels an array
/// of strings, effective_from a number, properties an object, no unknown or repeated keys); on
/// anything else (malformed JSON, a missing field, a wrong type, an unknown key, null) read()
/// returns false and the caller takes the DOM path (parseJson + changeFromJson), which then gives
/// the exact errors it always gave. Nothing has been applied by then, so that is always safe.
class ChangeReader {
public:
    using string_t = Json::string_t;
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;

    /// Reads `text`: a change object (isArray false) or an array of them (isArray true).
    bool read(const char* text, std::vector<Change>& out, bool& isArray) {
        out_ = &out;
        out.clear();
        stack_.clear();
        bool ok = false;
        try {
            ok = jsonscan::scan(text, *this);
        } catch (...) {
            ok = false;
        }
        isArray = isArray_;
        return ok;
    }

    bool null() { return scalar(Value()); }  // a property value; elsewhere (labels, effective_from: null) the DOM path
    bool boolean(bool b) { return scalar(Value(b)); }
    bool number_integer(number_integer_t i) {
        return top() == Ctx::Element ? effectiveFrom(int64_t(i)) : scalar(Value(int64_t(i)));
    }
    bool number_unsigned(number_unsigned_t u) {
        if (u > uint64_t(INT64_MAX)) return false;  // a float in valueFromJson; rare
        return top() == Ctx::Element ? effectiveFrom(int64_t(u)) : scalar(Value(int64_t(u)));
    }
    bool number_float(number_float_t d, const string_t&) {
        // effective_from: int64_t(d), as changeFromJson converts it
        return top() == Ctx::Element ? effectiveFrom(int64_t(d)) : scalar(Value(double(d)));
    }
    bool string(string_t& s) {
        switch (top()) {
            case Ctx::Change:
                if (key_ != "op" || (seen_ & kOp)) return false;
                seen_ |= kOp;
                op_ = std::move(s);
                return true;
            case Ctx::Element: return elementString(s);
            case Ctx::Labels: labels_.push_back(std::move(s)); return true;
            default: return scalar(Value(std::move(s)));
        }
    }

    bool start_object(std::size_t) {
        switch (top()) {
            case Ctx::Top:
            case Ctx::Batch:
                stack_.emplace_back(Ctx::Change);
                seen_ = 0;
                op_.clear();
                element_ = Element::make(ElementKind::Node);
                start_ = end_ = ElementRef();
                labels_.clear();
                return true;
            case Ctx::Change:
                if (key_ != "element" || (seen_ & kElement)) return false;
                seen_ |= kElement;
                stack_.emplace_back(Ctx::Element);
                return true;
            case Ctx::Element:
                if (key_ != "properties" || (seen_ & kProperties)) return false;
                seen_ |= kProperties;
                stack_.emplace_back(Ctx::Props);
                // Read into a scratch map kept between elements, whose values move into the
                // element's Properties at the end: one allocation per element.
                props_.clear();
                return true;
            case Ctx::Props:
            case Ctx::VList:
            case Ctx::VMap:
                stack_.emplace_back(Ctx::VMap);
                stack_.back().map.reserve(8);
                return true;
            default: return false;
        }
    }
    bool key(string_t& k) {
        Frame& f = stack_.back();
        if (f.ctx == Ctx::VMap || f.ctx == Ctx::Props) f.key = std::move(k);
        else key_ = std::move(k);
        return true;
    }
    bool end_object() {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        switch (f.ctx) {
            case Ctx::VMap: f.map.shrink_to_fit(); return scalar(Value(std::move(f.map)));
            case Ctx::Props: element_->properties = Properties::from(props_); return true;
            case Ctx::Element: return true;
            case Ctx::Change: return finishChange();
            default: return false;
        }
    }
    bool start_array(std::size_t) {
        switch (top()) {
            case Ctx::Top:
                if (!stack_.empty()) return false;
                isArray_ = true;
                stack_.emplace_back(Ctx::Batch);
                return true;
            case Ctx::Element:
                if (key_ != "labels" || (seen_ & kLabels)) return false;
                seen_ |= kLabels;
                stack_.emplace_back(Ctx::Labels);
                return true;
            case Ctx::Props:
            case Ctx::VList:
            case Ctx::VMap: stack_.emplace_back(Ctx::VList); return true;
            default: return false;
        }
    }
    bool end_array() {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        if (f.ctx == Ctx::VList) return scalar(Value(std::move(f.list)));
        if (f.ctx == Ctx::Labels) {
            element_->labels = Labels::from(labels_);
            labels_.clear();
            return true;
        }
        return f.ctx == Ctx::Batch;
    }

private:
    enum class Ctx : uint8_t { Top, Batch, Change, Element, Labels, Props, VList, VMap };
    struct Frame {
        explicit Frame(Ctx c) : ctx(c) {}
        Ctx ctx;
        std::string key;  // Props, VMap: the current key
        List list;
        Map map;
    };
    enum : uint32_t {
        kOp = 1, kElement = 2, kKind = 4, kSource = 8, kId = 16, kLabels = 32, kEffective = 64,
        kProperties = 128, kStart = 256, kEnd = 512, kStartSource = 1024, kEndSource = 2048,
    };

    Ctx top() const { return stack_.empty() ? Ctx::Top : stack_.back().ctx; }

    /// A property value (or a value inside one).
    bool scalar(Value v) {
        if (stack_.empty()) return false;
        Frame& f = stack_.back();
        switch (f.ctx) {
            case Ctx::Props: return props_.emplace(std::move(f.key), std::move(v)).second;
            case Ctx::VMap: return f.map.emplace(std::move(f.key), std::move(v)).second;
            case Ctx::VList: f.list.push_back(std::move(v)); return true;
            default: return false;
        }
    }
    bool effectiveFrom(int64_t ms) {
        if (key_ != "effective_from" || (seen_ & kEffective)) return false;
        seen_ |= kEffective;
        element_->effectiveFrom = ms;
        return true;
    }
    bool elementString(string_t& s) {
        uint32_t bit;
        std::string* target = nullptr;
        SourceName* source = nullptr;  // the source fields are interned names (source_name.h)
        if (key_ == "kind") bit = kKind, target = &kind_;
        else if (key_ == "source") bit = kSource, source = &element_->ref.source;
        else if (key_ == "id") bit = kId, target = &element_->ref.id;
        else if (key_ == "start") bit = kStart, target = &start_.id;
        else if (key_ == "end") bit = kEnd, target = &end_.id;
        else if (key_ == "start_source") bit = kStartSource, source = &start_.source;
        else if (key_ == "end_source") bit = kEndSource, source = &end_.source;
        else return false;
        if (seen_ & bit) return false;
        seen_ |= bit;
        if (source) *source = SourceName(s);
        else *target = std::move(s);
        if (bit == kKind && kind_ == "relation") toRelation();
        return true;
    }
    /// An element starts as a node; a relation is a larger object (see Element), so once the kind
    /// says relation, what was read so far moves into one (nothing, when "kind" comes first).
    void toRelation() {
        if (element_->isRelation()) return;
        std::shared_ptr<Element> relation = Element::make(ElementKind::Relation);
        relation->ref = std::move(element_->ref);
        relation->labels = std::move(element_->labels);
        relation->properties = std::move(element_->properties);
        relation->effectiveFrom = element_->effectiveFrom;
        element_ = std::move(relation);
    }
    bool finishChange() {
        if (!(seen_ & kOp) || !(seen_ & kElement) || !(seen_ & kSource) || !(seen_ & kId)) return false;
        Change change;
        if (op_ == "insert") change.op = ChangeOp::Insert;
        else if (op_ == "update") change.op = ChangeOp::Update;
        else if (op_ == "delete") change.op = ChangeOp::Delete;
        else return false;
        if ((seen_ & kKind) && kind_ != "node" && kind_ != "relation") return false;
        if (kind_ == "relation") {
            if (change.op != ChangeOp::Delete && (!(seen_ & kStart) || !(seen_ & kEnd))) return false;
            toRelation();
            element_->start() = std::move(start_);
            element_->end() = std::move(end_);
            if (!(seen_ & kStartSource)) element_->start().source = element_->ref.source;
            if (!(seen_ & kEndSource)) element_->end().source = element_->ref.source;
        } else if (seen_ & (kStart | kEnd | kStartSource | kEndSource)) {
            return false;  // changeFromJson ignores them on nodes; rare, leave it to the DOM path
        }
        change.element = std::move(element_);
        kind_.clear();
        out_->push_back(std::move(change));
        return true;
    }

    std::vector<Change>* out_ = nullptr;
    std::vector<Frame> stack_;
    bool isArray_ = false;
    std::string key_;  // the current key of the change or element object
    uint32_t seen_ = 0;
    std::string op_, kind_;
    ElementRef start_, end_;  ///< a relation's ends, set on the element once it is one
    Labels::List labels_;     ///< the labels being read (shared through Labels::from)
    Map props_;               ///< the properties being read (shared names through Properties::from)
    std::shared_ptr<Element> element_;
};

}  // namespace

bool readChangesFast(const char* text, std::vector<Change>& out, bool& isArray) {
    ChangeReader reader;
    return reader.read(text, out, isArray);
}

}  // namespace cq
