// SPDX-License-Identifier: MIT
// The fast path for reading changes: JSON text straight into Change values, with no DOM in between.
// The C ABI's hot calls (cq_apply, cq_apply_each) take it; a DOM per change cost about a third of
// their time in wasm (docs/benchmarks-js.md).
#pragma once
#include <vector>

#include "core/model/element.h"

namespace cq {

/// Reads `text`, one CHANGE object (isArray = false) or an array of them (isArray = true), into
/// `out`. Only the plain shape is read: string op/kind/source/id/start/end/start_source/end_source,
/// labels an array of strings, effective_from a number, properties an object, no unknown or
/// repeated keys. On anything else (malformed JSON, a missing field, a wrong type, an unknown key,
/// a null label list) it returns false, and the caller must take parseJson + changeFromJson, which
/// give the exact error codes and messages. What it returns equals changeFromJson's result.
bool readChangesFast(const char* text, std::vector<Change>& out, bool& isArray);

}  // namespace cq
