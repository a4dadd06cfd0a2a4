// SPDX-License-Identifier: MIT
// RecentLists: the few immutable lists a thread made or found last, so that equal lists are
// shared (label lists, property names, and the binary change reader's key orders). Element
// labels and property names repeat across a graph's elements (every room has ["Room"] and the
// same five property names), so each element points at one shared list instead of owning a copy. No global table and no lock: a per-thread cache of kRecent lists, tried
// newest first; a decoded stream repeats a few lists (a change is usually an update of an element
// with the labels and properties it had), so the first comparison usually hits. Per thread
// because the pthreads build decodes stored elements on its storage workers. At most kRecent lists
// stay alive that no element uses.
#pragma once
#include <cstddef>
#include <memory>
#include <utility>

namespace cq {

template <class List>
class RecentLists {
public:
    static constexpr size_t kRecent = 16;

    /// The recent list for which `equal(list)` holds, or else the one `make()` returns, kept.
    template <class Equal, class Make>
    std::shared_ptr<const List> find(Equal&& equal, Make&& make) {
        if (std::shared_ptr<const List> l = lookup(equal)) return l;
        std::shared_ptr<const List> made = make();
        keep(made);
        return made;
    }

    /// find() in two steps, for a caller whose new list is made by work that may fail (then it
    /// keeps nothing): the recent list for which `equal(list)` holds, or null.
    template <class Equal>
    std::shared_ptr<const List> lookup(Equal&& equal) {
        for (size_t i = 0; i < kRecent; ++i) {
            size_t k = (last_ + kRecent - i) % kRecent;
            const std::shared_ptr<const List>& l = lists_[k];
            if (l && equal(*l)) {
                last_ = k;
                return l;
            }
        }
        return nullptr;
    }
    /// Keeps `made` as the newest list.
    void keep(std::shared_ptr<const List> made) {
        // Round robin, but never over the list used last: a stream that alternates one common list
        // with many others ("Room" between rooms of odd labels) keeps sharing the common one.
        if (next_ == last_ && lists_[last_]) next_ = (next_ + 1) % kRecent;
        last_ = next_;
        lists_[next_] = std::move(made);
        next_ = (next_ + 1) % kRecent;
    }

    /// The recent list equal to `list`, or else a new one made from it (then `list` is moved
    /// from; on a hit it is left as it was). An empty list is null: nothing to share.
    std::shared_ptr<const List> share(List& list) {
        if (list.empty()) return nullptr;
        return find([&](const List& l) { return l == list; },
                    [&] { return std::make_shared<const List>(std::move(list)); });
    }

private:
    std::shared_ptr<const List> lists_[kRecent];
    size_t next_ = 0;  ///< the slot the next new list takes (round robin)
    size_t last_ = 0;  ///< the slot last returned
};

}  // namespace cq
