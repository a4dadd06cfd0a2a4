// SPDX-License-Identifier: MIT
// Source middleware: per-source pipelines that reshape each change before a query sees it
// (Drasi's SourceMiddlewarePipeline, drasi-reference section 6). Kinds: unwind, map, relabel,
// promote, parse_json, decoder. docs/middleware.md describes every kind for users.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/model/element.h"
#include "core/model/json.h"

namespace cq::mw {

/// Reads the element index of the query the pipeline belongs to (for old versions on update/delete).
/// Returns nullptr when the element is not stored. An empty function counts as "nothing stored".
using ElementLookup = std::function<ElementPtr(const ElementRef&)>;

/// One configured middleware instance. Implementations live in core/middleware/*.cpp.
class Middleware {
public:
    virtual ~Middleware() = default;
    /// Appends the changes that `change` becomes (0..N) to `out`. Throws Error(MiddlewareError) when
    /// the change must be rejected (on_error = fail).
    virtual void process(const Change& change, const ElementLookup& lookup, std::vector<Change>& out) const = 0;
};

class Pipelines {
public:
    /// Builds every middleware of a query from the scenario-format JSON: `middleware` =
    /// [{kind, name, config}], `sourcePipelines` = {"SourceId": [names...]}, `pipeline` = [names]
    /// (applies to every source when sourcePipelines is empty). Null arguments count as empty.
    /// Throws Error(ErrorCode::InvalidConfig) naming the middleware, the field and what is wrong.
    static Pipelines build(const Json& middleware, const Json& sourcePipelines, const Json& pipeline);

    /// True when no source has a pipeline (every change passes through unchanged).
    bool empty() const { return bySource_.empty() && allSources_.empty(); }

    /// Runs the change through its source's pipeline and returns the resulting changes (0..N), in
    /// the order the query must apply them. Every middleware sees the index state from before the
    /// change. On an error with on_error = fail: throws Error(ErrorCode::MiddlewareError). With
    /// on_error = skip the change continues unchanged (Drasi's behaviour).
    std::vector<Change> process(const Change& change, const ElementLookup& lookup) const;

private:
    using Pipeline = std::vector<std::shared_ptr<const Middleware>>;
    std::map<std::string, Pipeline, std::less<>> bySource_;
    Pipeline allSources_;  ///< from `pipeline`, used only when sourcePipelines is empty
};

}  // namespace cq::mw
