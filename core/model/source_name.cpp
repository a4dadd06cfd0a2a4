// SPDX-License-Identifier: MIT
#include "core/model/source_name.h"

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace cq {

namespace {

// std::hash of a string_view equals std::hash of a string of the same characters ([string.view.hash]).
std::size_t hashOf(std::string_view s) { return std::hash<std::string_view>()(s); }

}  // namespace

const SourceName::Entry* SourceName::emptyEntry() noexcept {
    static const Entry empty{std::string(), std::hash<std::string>()(std::string())};
    return &empty;
}

const SourceName::Entry* SourceName::intern(std::string_view s) {
    if (s.empty()) return emptyEntry();
    // Decoders intern the source of every element they read, nearly always one of the last few
    // names: a per-thread look at those first takes no lock and hashes nothing.
    constexpr int kRecent = 4;
    thread_local const Entry* recent[kRecent] = {};
    for (const Entry* e : recent)
        if (e && e->text == s) return e;
    // The table: heap-allocated and never destroyed, so that a name outlives every element that
    // names it, static and thread-local ones included. Entries never move (their own blocks).
    static std::mutex mutex;
    static auto* table = new std::unordered_map<std::string_view, std::unique_ptr<Entry>>();
    const Entry* found;
    {
        std::lock_guard<std::mutex> lock(mutex);
        auto it = table->find(s);
        if (it == table->end()) {
            auto entry = std::make_unique<Entry>();
            entry->text.assign(s);
            entry->hash = hashOf(s);
            std::string_view key = entry->text;
            it = table->emplace(key, std::move(entry)).first;
        }
        found = it->second.get();
    }
    for (int i = kRecent - 1; i > 0; --i) recent[i] = recent[i - 1];
    recent[0] = found;
    return found;
}

}  // namespace cq
