// SPDX-License-Identifier: MIT
#include "core/model/change_binary.h"

#include "core/model/recent_lists.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

namespace cq {

namespace {

class BinaryReader {
public:
    BinaryReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

    bool changes(std::vector<Change>& out) {
        uint32_t count = 0;
        if (!u32(count)) return false;
        out.reserve(std::min<size_t>(count, size_t(end_ - p_) / 12));  // a change takes at least 12 bytes
        for (uint32_t i = 0; i < count; ++i) {
            Change c;
            if (!change(c)) return false;
            out.push_back(std::move(c));
        }
        return p_ == end_;
    }

private:
    enum : uint8_t { kRelation = 1, kStartSource = 2, kEndSource = 4, kEffectiveFrom = 8 };
    enum : uint8_t { kNull, kFalse, kTrue, kInteger, kFloat, kString, kList, kMap, kInt64 };
    static constexpr int kMaxDepth = 512;  // as the JSON scanner
    Labels::List labels_;  ///< the labels being read (shared through Labels::from)
    Map props_;            ///< the properties being read (Properties::from moves the values out)
    std::vector<std::string_view> keys_;  ///< an element's property keys, in the input
    std::vector<Value> values_;           ///< their values, in the same order

    /// The property keys of an element as a change listed them, with the shared sorted names they
    /// make and where each value goes among those: a stream of updates lists the same keys in
    /// the same order (JavaScript objects keep their insertion order), so a change's properties
    /// need no key strings, no sorted map and no search for the shared names, only one compare per
    /// key. Through the package, reading changes was about 9% of a 1-hop change (V8 CPU profile).
    struct KeyOrder {
        std::vector<std::string> keys;
        std::shared_ptr<const Properties::Names> names;
        std::vector<uint32_t> slot;  ///< keys[i] is (*names)[slot[i]]
    };
    static RecentLists<KeyOrder>& orders() {
        thread_local RecentLists<KeyOrder> recent;
        return recent;
    }

    bool bytes(void* to, size_t n) {
        if (size_t(end_ - p_) < n) return false;
        std::memcpy(to, p_, n);
        p_ += n;
        return true;
    }
    bool u8(uint8_t& v) { return bytes(&v, 1); }
    bool u32(uint32_t& v) { return bytes(&v, 4); }  // wasm and x86 are little-endian
    bool f64(double& v) { return bytes(&v, 8); }
    bool str(std::string& s) {
        uint32_t n = 0;
        if (!u32(n) || size_t(end_ - p_) < n) return false;
        s.assign(reinterpret_cast<const char*>(p_), n);
        p_ += n;
        return true;
    }
    /// A string as a view of the input (valid while it is).
    bool view(std::string_view& s) {
        uint32_t n = 0;
        if (!u32(n) || size_t(end_ - p_) < n) return false;
        s = std::string_view(reinterpret_cast<const char*>(p_), n);
        p_ += n;
        return true;
    }
    /// A source name: interned from the bytes in place (a recent name allocates nothing).
    bool str(SourceName& s) {
        std::string_view v;
        if (!view(v)) return false;
        s = SourceName(v);
        return true;
    }
    /// An integer sent as a double: integral, |d| <= 2^53 (larger ones come as kInt64).
    static bool integral(double d) { return std::trunc(d) == d && d >= -0x1p53 && d <= 0x1p53; }

    bool change(Change& c) {
        uint8_t op = 0, flags = 0;
        if (!u8(op) || !u8(flags) || op > 2 || (flags & ~0x0F)) return false;
        c.op = op == 0 ? ChangeOp::Insert : op == 1 ? ChangeOp::Update : ChangeOp::Delete;
        auto e = Element::make((flags & kRelation) ? ElementKind::Relation : ElementKind::Node);
        if (!str(e->ref.source) || !str(e->ref.id)) return false;
        if (flags & kRelation) {
            if (!str(e->start().id) || !str(e->end().id)) return false;
            if (flags & kStartSource) {
                if (!str(e->start().source)) return false;
            } else {
                e->start().source = e->ref.source;
            }
            if (flags & kEndSource) {
                if (!str(e->end().source)) return false;
            } else {
                e->end().source = e->ref.source;
            }
        } else if (flags & (kStartSource | kEndSource)) {
            return false;
        }
        if (flags & kEffectiveFrom) {
            double t = 0;
            if (!f64(t) || !integral(t)) return false;
            e->effectiveFrom = int64_t(t);
        }
        uint32_t labels = 0;
        if (!u32(labels) || labels > size_t(end_ - p_) / 4) return false;
        labels_.resize(labels);
        for (std::string& label : labels_)
            if (!str(label)) return false;
        e->labels = Labels::from(labels_);
        uint32_t properties = 0;
        if (!u32(properties) || properties > size_t(end_ - p_) / 5) return false;
        if (!elementProperties(*e, properties)) return false;
        c.element = std::move(e);
        return true;
    }

    /// An element's properties: read in the order the change lists them, then placed through a
    /// key order seen before (see KeyOrder), else through a map as any other map.
    bool elementProperties(Element& e, uint32_t n) {
        keys_.clear();
        values_.clear();
        for (uint32_t i = 0; i < n; ++i) {
            std::string_view key;
            if (!view(key)) return false;
            keys_.push_back(key);
            values_.emplace_back();
            if (!value(values_.back(), 0)) return false;
        }
        if (n == 0) {
            e.properties = Properties();
            return true;
        }
        const std::shared_ptr<const KeyOrder> order = orders().lookup([&](const KeyOrder& o) {
            if (o.keys.size() != keys_.size()) return false;
            for (size_t i = 0; i < keys_.size(); ++i)
                if (std::string_view(o.keys[i]) != keys_[i]) return false;
            return true;
        });
        if (order) {
            std::vector<Value> sorted(n);
            for (uint32_t i = 0; i < n; ++i) sorted[order->slot[i]] = std::move(values_[i]);
            e.properties = Properties::ofNames(order->names, std::move(sorted));
            return true;
        }
        props_.clear();
        props_.reserve(n);
        for (uint32_t i = 0; i < n; ++i)
            if (!props_.emplace(std::string(keys_[i]), std::move(values_[i])).second) return false;  // a repeated key
        e.properties = Properties::from(props_);
        // Keeps keys_'s order, read into these properties.
        auto made = std::make_shared<KeyOrder>();
        made->keys.assign(keys_.begin(), keys_.end());
        made->names = e.properties.sharedNames();
        const Properties::Names& names = e.properties.names();
        for (std::string_view key : keys_)
            made->slot.push_back(uint32_t(std::lower_bound(names.begin(), names.end(), key) - names.begin()));
        orders().keep(std::move(made));
        return true;
    }

    bool entries(Map& m, uint32_t n, int depth) {
        std::string key;
        for (uint32_t i = 0; i < n; ++i) {
            Value v;
            if (!str(key) || !value(v, depth)) return false;
            if (!m.emplace(std::move(key), std::move(v)).second) return false;
        }
        return true;
    }

    bool value(Value& v, int depth) {
        uint8_t tag = 0;
        if (!u8(tag)) return false;
        switch (tag) {
            case kNull: v = Value(); return true;
            case kFalse: v = Value(false); return true;
            case kTrue: v = Value(true); return true;
            case kInteger:
            case kFloat: {
                double d = 0;
                if (!f64(d)) return false;
                if (tag == kFloat) {
                    v = Value(d);
                    return std::isfinite(d);
                }
                if (!integral(d)) return false;
                v = Value(int64_t(d));
                return true;
            }
            case kInt64: {
                int64_t i = 0;
                if (!bytes(&i, 8)) return false;
                v = Value(i);
                return true;
            }
            case kString: {
                std::string s;
                if (!str(s)) return false;
                v = Value(std::move(s));
                return true;
            }
            case kList:
            case kMap: {
                uint32_t n = 0;
                if (depth >= kMaxDepth || !u32(n) || n > size_t(end_ - p_)) return false;
                if (tag == kMap) {
                    Map m;
                    m.reserve(n);
                    if (!entries(m, n, depth + 1)) return false;
                    v = Value(std::move(m));
                    return true;
                }
                List l(n);
                for (Value& x : l)
                    if (!value(x, depth + 1)) return false;
                v = Value(std::move(l));
                return true;
            }
            default: return false;
        }
    }

    const uint8_t* p_;
    const uint8_t* end_;
};

}  // namespace

bool readChangesBinary(const uint8_t* data, size_t size, std::vector<Change>& out) {
    out.clear();
    if (!data && size) return false;
    BinaryReader reader(data, size);
    try {
        return reader.changes(out);
    } catch (const std::bad_alloc&) {
        return false;
    }
}

}  // namespace cq
