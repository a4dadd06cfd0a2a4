// SPDX-License-Identifier: MIT
// parse_json: parses a string property holding JSON into a map or list value on insert and update
// (Drasi middleware/src/parse_json). Checks run in Drasi's order: property present and a string,
// max_json_size (default 1 MiB), no control characters, valid JSON, max_nesting_depth (default 20).
#include <algorithm>
#include <cstdint>

#include "core/common/error.h"
#include "core/middleware/internal/kinds.h"

namespace cq::mw {

namespace {

constexpr int64_t kDefaultMaxJsonSize = 1024 * 1024;
constexpr int64_t kDefaultMaxNestingDepth = 20;
// serde_json stops at 128 nested containers ("recursion limit exceeded"); the same bound keeps the
// recursive Value destructor and comparisons within the small wasm stack.
constexpr size_t kMaxContainers = 127;

/// Builds a Value straight from nlohmann's SAX events (no intermediate Json tree) and measures the
/// depth the way Drasi does: a scalar is 1, a container is 1 + its deepest child.
class ValueBuilder final : public nlohmann::json_sax<Json> {
public:
    bool null() override { return addValue(Value()); }
    bool boolean(bool b) override { return addValue(Value(b)); }
    bool number_integer(number_integer_t i) override { return addValue(Value(int64_t(i))); }
    bool number_unsigned(number_unsigned_t u) override {
        return addValue(u <= uint64_t(INT64_MAX) ? Value(int64_t(u)) : Value(double(u)));
    }
    bool number_float(number_float_t d, const string_t&) override { return addValue(Value(double(d))); }
    bool string(string_t& s) override { return addValue(Value(std::move(s))); }
    bool binary(binary_t&) override { return addValue(Value()); }
    bool start_object(std::size_t) override { return open(true); }
    bool key(string_t& k) override {
        frames_.back().key = std::move(k);
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(false); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
        error_ = ex.what();
        return false;
    }

    Value result;
    size_t maxDepth = 0;
    const std::string& error() const { return error_; }

private:
    struct Frame {
        bool isObject = false;
        Map map;
        List list;
        std::string key;
    };

    bool addValue(Value v) {
        maxDepth = std::max(maxDepth, frames_.size() + 1);
        if (frames_.empty()) {
            result = std::move(v);
        } else if (frames_.back().isObject) {
            frames_.back().map[frames_.back().key] = std::move(v);  // a repeated key keeps the last value, as serde_json
        } else {
            frames_.back().list.push_back(std::move(v));
        }
        return true;
    }
    bool open(bool isObject) {
        if (frames_.size() >= kMaxContainers) {
            error_ = "recursion limit exceeded (more than " + std::to_string(kMaxContainers) + " nested containers)";
            return false;
        }
        frames_.emplace_back();
        frames_.back().isObject = isObject;
        maxDepth = std::max(maxDepth, frames_.size());
        return true;
    }
    bool close() {
        Frame frame = std::move(frames_.back());
        frames_.pop_back();
        size_t keep = maxDepth;
        bool ok = addValue(frame.isObject ? Value(std::move(frame.map)) : Value(std::move(frame.list)));
        maxDepth = keep;  // the container itself was already counted when it opened
        return ok;
    }

    std::vector<Frame> frames_;
    std::string error_;
};

/// Rust's char::is_control minus \n, \r and \t: C0 controls, DEL and C1 controls (U+0080..U+009F,
/// which UTF-8 writes as 0xC2 0x80..0x9F).
bool hasControlCharacters(const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i) {
        auto b = static_cast<unsigned char>(s[i]);
        if ((b < 0x20 && b != '\n' && b != '\r' && b != '\t') || b == 0x7F) return true;
        if (b == 0xC2 && i + 1 < s.size()) {
            auto next = static_cast<unsigned char>(s[i + 1]);
            if (next >= 0x80 && next <= 0x9F) return true;
        }
    }
    return false;
}

class ParseJson final : public Middleware {
public:
    ParseJson(MiddlewareInfo info, std::string target, std::string output, OnError onError, int64_t maxSize,
              int64_t maxDepth)
        : info_(std::move(info)), target_(std::move(target)), output_(std::move(output)), onError_(onError),
          maxSize_(maxSize), maxDepth_(maxDepth) {}

    void process(const Change& change, const ElementLookup&, std::vector<Change>& out) const override {
        if (change.op == ChangeOp::Delete) {
            out.push_back(change);
            return;
        }
        std::optional<Value> parsed = parse(*change.element);
        if (!parsed) {
            out.push_back(change);  // on_error = skip: the change goes on unchanged
            return;
        }
        auto element = Element::copyOf(*change.element);
        element->properties.set(output_, std::move(*parsed));
        out.push_back(Change{change.op, std::move(element)});
    }

private:
    /// The parsed value, or nullopt after an error that on_error = skip lets through.
    std::optional<Value> parse(const Element& element) const {
        auto it = element.properties.find(target_);
        if (it == element.properties.end())
            return error("MissingProperty", "Target property '" + target_ + "' not found in element. Cannot parse JSON.");
        if (!it->second.isString())
            return error("InvalidType", "Target property '" + target_ + "' is not a String (Type: " +
                                            propertyTypeName(it->second) + "). Cannot parse JSON.");
        const std::string& text = it->second.asString();
        if (int64_t(text.size()) > maxSize_)
            return error("SizeExceeded", "JSON string in property '" + target_ + "' exceeds maximum allowed size (" +
                                             std::to_string(text.size()) + " > " + std::to_string(maxSize_) + " bytes)");
        if (hasControlCharacters(text))
            return error("InvalidInput", "JSON string contains invalid control characters");
        ValueBuilder builder;
        if (!Json::sax_parse(text, &builder))
            return error("ParseError", "Failed to parse JSON string in property '" + target_ + "': " + builder.error());
        if (int64_t(builder.maxDepth) > maxDepth_)
            return error("DeepNesting", "JSON nesting depth (" + std::to_string(builder.maxDepth) +
                                            ") exceeds maximum allowed depth (" + std::to_string(maxDepth_) + ")");
        return std::move(builder.result);
    }

    std::optional<Value> error(const char* type, const std::string& message) const {
        if (onError_ == OnError::Fail) failChange(info_, std::string("[Error: ") + type + "] " + message);
        return std::nullopt;
    }

    MiddlewareInfo info_;
    std::string target_;
    std::string output_;
    OnError onError_;
    int64_t maxSize_;
    int64_t maxDepth_;
};

}  // namespace

std::shared_ptr<const Middleware> makeParseJson(const ConfigReader& reader, const Json& config) {
    reader.denyUnknown(config, {"target_property", "output_property", "on_error", "max_json_size", "max_nesting_depth"});
    std::string target = reader.requiredString(config, "target_property");
    std::string output = reader.optionalString(config, "output_property").value_or(target);
    OnError onError = reader.onError(config);
    int64_t maxSize = reader.optionalPositive(config, "max_json_size", kDefaultMaxJsonSize);
    int64_t maxDepth = reader.optionalPositive(config, "max_nesting_depth", kDefaultMaxNestingDepth);
    return std::make_shared<ParseJson>(reader.info(), std::move(target), std::move(output), onError, maxSize, maxDepth);
}

}  // namespace cq::mw
