// SPDX-License-Identifier: MIT
// decoder: decodes a string property (base64, base64url, hex, url, json_escape) on insert and
// update (Drasi middleware/src/decoder). The decoded bytes must be UTF-8. base64 needs canonical
// padding and base64url must have none, as the Rust base64 engines Drasi uses (STANDARD and
// URL_SAFE_NO_PAD) require.
#include <optional>

#include "core/common/error.h"
#include "core/middleware/internal/kinds.h"

namespace cq::mw {

namespace {

constexpr int64_t kDefaultMaxSizeBytes = 1024 * 1024;

enum class Encoding : uint8_t { Base64, Base64Url, Hex, Url, JsonEscape };

const char* encodingName(Encoding e) {
    switch (e) {
        case Encoding::Base64: return "base64";
        case Encoding::Base64Url: return "base64url";
        case Encoding::Hex: return "hex";
        case Encoding::Url: return "url";
        case Encoding::JsonEscape: return "json_escape";
    }
    return "unknown";
}

/// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool isValidUtf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        auto b = static_cast<unsigned char>(s[i]);
        size_t n = 0;
        uint32_t cp = 0;
        if (b < 0x80) { ++i; continue; }
        if ((b & 0xE0) == 0xC0) { n = 1; cp = b & 0x1F; }
        else if ((b & 0xF0) == 0xE0) { n = 2; cp = b & 0x0F; }
        else if ((b & 0xF8) == 0xF0) { n = 3; cp = b & 0x07; }
        else return false;
        if (i + n >= s.size()) return false;
        for (size_t k = 1; k <= n; ++k) {
            auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n + 1;
    }
    return true;
}

int base64Digit(char c, bool urlSafe) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == (urlSafe ? '-' : '+')) return 62;
    if (c == (urlSafe ? '_' : '/')) return 63;
    return -1;
}

/// Decodes base64 (padded: canonical '=' padding required) or base64url (unpadded: '=' rejected).
/// Returns an error text, empty on success.
std::string decodeBase64(const std::string& in, bool urlSafe, std::string& out) {
    const bool padded = !urlSafe;
    size_t dataLen = in.size();
    while (dataLen > 0 && in[dataLen - 1] == '=') --dataLen;
    size_t pads = in.size() - dataLen;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < dataLen; ++i) {
        int d = base64Digit(in[i], urlSafe);
        if (d < 0) return "invalid symbol '" + std::string(1, in[i]) + "' at offset " + std::to_string(i);
        acc = (acc << 6) | uint32_t(d);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((acc >> bits) & 0xFF);
        }
    }
    if (!padded && pads > 0) return "padding '=' is not allowed at offset " + std::to_string(dataLen);
    if (dataLen % 4 == 1) return "invalid length (" + std::to_string(dataLen) + " symbols)";
    if (padded && pads != (4 - dataLen % 4) % 4) return "invalid padding";
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return "invalid last symbol (non-zero trailing bits)";
    return "";
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decodeHex(const std::string& in, std::string& out) {
    if (in.size() % 2 != 0) return "odd number of digits";
    for (size_t i = 0; i < in.size(); i += 2) {
        int hi = hexDigit(in[i]);
        int lo = hexDigit(in[i + 1]);
        if (hi < 0 || lo < 0) {
            size_t at = hi < 0 ? i : i + 1;
            return "invalid character '" + std::string(1, in[at]) + "' at position " + std::to_string(at);
        }
        out += char(hi * 16 + lo);
    }
    return "";
}

/// Percent-decoding as the Rust urlencoding crate does it: "%XX" becomes a byte, a '%' not followed
/// by two hex digits stays as it is, and '+' is not a space.
void decodeUrl(const std::string& in, std::string& out) {
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size() && hexDigit(in[i + 1]) >= 0 && hexDigit(in[i + 2]) >= 0) {
            out += char(hexDigit(in[i + 1]) * 16 + hexDigit(in[i + 2]));
            i += 2;
        } else {
            out += in[i];
        }
    }
}

class Decoder final : public Middleware {
public:
    Decoder(MiddlewareInfo info, Encoding encoding, std::string target, std::string output, bool stripQuotes,
            OnError onError, int64_t maxSize)
        : info_(std::move(info)), encoding_(encoding), target_(std::move(target)), output_(std::move(output)),
          stripQuotes_(stripQuotes), onError_(onError), maxSize_(maxSize) {}

    void process(const Change& change, const ElementLookup&, std::vector<Change>& out) const override {
        if (change.op == ChangeOp::Delete) {
            out.push_back(change);
            return;
        }
        std::optional<std::string> decoded = decode(*change.element);
        if (!decoded) {
            out.push_back(change);  // on_error = skip: the change goes on unchanged
            return;
        }
        auto element = Element::copyOf(*change.element);
        element->properties.set(output_, Value(std::move(*decoded)));
        out.push_back(Change{change.op, std::move(element)});
    }

private:
    std::optional<std::string> decode(const Element& element) const {
        auto it = element.properties.find(target_);
        if (it == element.properties.end()) return error("Target property '" + target_ + "' not found in element.");
        if (!it->second.isString())
            return error("Target property '" + target_ + "' is not a string value (Type: " +
                         propertyTypeName(it->second) + ").");
        const std::string& raw = it->second.asString();
        if (int64_t(raw.size()) > maxSize_)
            return error("Encoded string in property '" + target_ + "' exceeds size limit (" + std::to_string(raw.size()) +
                         " > " + std::to_string(maxSize_) + ")");
        std::string text = raw;
        if (stripQuotes_) {
            // Rust's trim_matches('"'): every leading and trailing quote goes.
            size_t from = text.find_first_not_of('"');
            text = from == std::string::npos ? std::string() : text.substr(from, text.find_last_not_of('"') - from + 1);
        }
        std::string decoded;
        std::string problem;
        switch (encoding_) {
            case Encoding::Base64:
            case Encoding::Base64Url:
                problem = decodeBase64(text, encoding_ == Encoding::Base64Url, decoded);
                if (!problem.empty()) problem = std::string("Invalid ") + encodingName(encoding_) + " encoding: " + problem;
                break;
            case Encoding::Hex:
                problem = decodeHex(text, decoded);
                if (!problem.empty()) problem = "Invalid hex encoding: " + problem;
                break;
            case Encoding::Url: decodeUrl(text, decoded); break;
            case Encoding::JsonEscape:
                try {
                    Json j = Json::parse("\"" + text + "\"");
                    decoded = j.get<std::string>();
                } catch (const Json::exception& e) {
                    problem = std::string("Invalid JSON escape sequence: ") + e.what();
                }
                break;
        }
        if (problem.empty() && !isValidUtf8(decoded))
            problem = encoding_ == Encoding::Url ? "Invalid URL encoding: the decoded bytes are not valid UTF-8"
                                                 : "Decoded bytes are not valid UTF-8";
        if (!problem.empty())
            return error("Failed to decode property '" + target_ + "' using " + encodingName(encoding_) +
                         " encoding: " + problem);
        return decoded;
    }

    std::optional<std::string> error(const std::string& message) const {
        if (onError_ == OnError::Fail) failChange(info_, message);
        return std::nullopt;
    }

    MiddlewareInfo info_;
    Encoding encoding_;
    std::string target_;
    std::string output_;
    bool stripQuotes_;
    OnError onError_;
    int64_t maxSize_;
};

}  // namespace

std::shared_ptr<const Middleware> makeDecoder(const ConfigReader& reader, const Json& config) {
    reader.denyUnknown(config, {"encoding_type", "target_property", "output_property", "strip_quotes", "on_error",
                                "max_size_bytes"});
    std::string name = reader.requiredString(config, "encoding_type");
    std::optional<Encoding> encoding;
    for (Encoding e : {Encoding::Base64, Encoding::Base64Url, Encoding::Hex, Encoding::Url, Encoding::JsonEscape}) {
        if (name == encodingName(e)) encoding = e;
    }
    if (!encoding)
        reader.invalid("encoding_type", "must be one of base64, base64url, hex, url, json_escape, not \"" + name + "\"");
    std::string target = reader.requiredString(config, "target_property");
    std::string output = reader.optionalString(config, "output_property").value_or(target);
    bool stripQuotes = reader.optionalBool(config, "strip_quotes", false);
    OnError onError = reader.onError(config);
    int64_t maxSize = reader.optionalPositive(config, "max_size_bytes", kDefaultMaxSizeBytes);
    return std::make_shared<Decoder>(reader.info(), *encoding, std::move(target), std::move(output), stripQuotes,
                                     onError, maxSize);
}

}  // namespace cq::mw
