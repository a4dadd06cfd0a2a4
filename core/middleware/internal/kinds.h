// SPDX-License-Identifier: MIT
// Module-private pieces shared by the middleware kinds: config reading with field-naming errors,
// the element's JSON form that JSONPath selectors see, and one factory per kind.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/middleware/json_path.h"
#include "core/middleware/middleware.h"

namespace cq::mw {

/// Who a config or processing error is about: "middleware 'u1' (unwind)".
struct MiddlewareInfo {
    std::string name;
    std::string kind;
    std::string describe() const { return "middleware '" + name + "' (" + kind + ")"; }
};

/// Drasi's common ErrorHandling (middleware/src/common.rs): fail is the default.
enum class OnError : uint8_t { Fail, Skip };

/// Reads one middleware's config; every error names the middleware and the field, e.g.
/// "Invalid configuration: middleware 'u1' (unwind): field 'Pod[0].selector' is missing".
class ConfigReader {
public:
    explicit ConfigReader(MiddlewareInfo info) : info_(std::move(info)) {}
    const MiddlewareInfo& info() const { return info_; }

    [[noreturn]] void invalid(const std::string& field, const std::string& what) const;

    /// `obj[key]`, or nullptr when absent or null.
    static const Json* find(const Json& obj, const std::string& key);
    static std::string join(const std::string& prefix, const std::string& key);

    std::string requiredString(const Json& obj, const std::string& key, const std::string& prefix = "",
                               bool allowEmpty = false) const;
    std::optional<std::string> optionalString(const Json& obj, const std::string& key,
                                              const std::string& prefix = "", bool allowEmpty = false) const;
    bool optionalBool(const Json& obj, const std::string& key, bool byDefault) const;
    int64_t optionalPositive(const Json& obj, const std::string& key, int64_t byDefault) const;
    OnError onError(const Json& obj) const;
    JsonPath requiredPath(const Json& obj, const std::string& key, const std::string& prefix = "") const;
    std::optional<JsonPath> optionalPath(const Json& obj, const std::string& key,
                                         const std::string& prefix = "") const;
    /// Rejects keys outside `allowed` (Drasi's deny_unknown_fields on promote, parse_json, decoder).
    void denyUnknown(const Json& obj, const std::vector<std::string>& allowed, const std::string& prefix = "") const;

private:
    JsonPath parsePath(const std::string& text, const std::string& field) const;
    MiddlewareInfo info_;
};

/// Throws Error(MiddlewareError, "<describe>: <message>").
[[noreturn]] void failChange(const MiddlewareInfo& info, const std::string& message);

/// The element as JSONPath sees it (drasi-reference 2.1): its properties plus "$metadata" =
/// "(source:id, [labels], effective_from)", and for relations "$in_node"/"$out_node" = "source:id".
Value elementJsonForm(const Element& element);

/// "Null", "Integer", ... as Drasi names property types in messages (Object for maps).
std::string propertyTypeName(const Value& v);

std::shared_ptr<const Middleware> makeUnwind(const ConfigReader& reader, const Json& config);
std::shared_ptr<const Middleware> makeMap(const ConfigReader& reader, const Json& config);
std::shared_ptr<const Middleware> makeRelabel(const ConfigReader& reader, const Json& config);
std::shared_ptr<const Middleware> makePromote(const ConfigReader& reader, const Json& config);
std::shared_ptr<const Middleware> makeParseJson(const ConfigReader& reader, const Json& config);
std::shared_ptr<const Middleware> makeDecoder(const ConfigReader& reader, const Json& config);

}  // namespace cq::mw
