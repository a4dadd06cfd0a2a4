// SPDX-License-Identifier: MIT
// unwind: turns every item a JSONPath selects in an element into a child node, optionally related
// to its parent (Drasi middleware/src/unwind). Children are kept in step with the parent: on update
// and delete the old parent comes from the query's element index, and children that are gone get
// Delete. The parent change itself passes through after its children.
#include <map>

#include "core/middleware/internal/kinds.h"

namespace cq::mw {

namespace {

struct UnwindMapping {
    JsonPath selector;
    std::string label;
    std::optional<JsonPath> key;
    std::optional<std::string> relation;
    std::optional<JsonPath> condition;
};

/// The children of one mapping, in selection order, one entry per item id (a repeated id keeps
/// the last item, as Drasi's map of ids does).
class ChildChanges {
public:
    bool contains(const std::string& itemId) const { return index_.count(itemId) != 0; }
    void set(const std::string& itemId, std::vector<Change> changes) {
        auto [it, inserted] = index_.emplace(itemId, entries_.size());
        if (inserted) entries_.push_back(std::move(changes));
        else entries_[it->second] = std::move(changes);
    }
    void appendTo(std::vector<Change>& out) {
        for (auto& changes : entries_) {
            for (Change& c : changes) out.push_back(std::move(c));
        }
    }

private:
    std::map<std::string, size_t> index_;
    std::vector<std::vector<Change>> entries_;
};

class Unwind final : public Middleware {
public:
    explicit Unwind(std::map<std::string, std::vector<UnwindMapping>, std::less<>> mappings)
        : mappings_(std::move(mappings)) {}

    void process(const Change& change, const ElementLookup& lookup, std::vector<Change>& out) const override {
        const Element& parent = *change.element;
        bool mapped = false;
        for (const std::string& label : parent.labels) mapped = mapped || mappings_.count(label) != 0;
        // The index is read only when a mapping can use the old parent (a storage read per change
        // would otherwise be spent on every element of the source).
        ElementPtr old;
        bool needOld = change.op != ChangeOp::Insert && (mapped || (change.op == ChangeOp::Delete && parent.labels.empty()));
        if (needOld && lookup) old = lookup(parent.ref);

        // A delete may come without labels; the stored parent still knows them.
        const Labels& labels =
            change.op == ChangeOp::Delete && parent.labels.empty() && old ? old->labels : parent.labels;

        for (const std::string& label : labels) {
            auto found = mappings_.find(label);
            if (found == mappings_.end()) continue;

            // The new parent is the update merged over the stored version (an update is a partial
            // upsert), so a property the update leaves out keeps its children.
            ElementPtr current;
            if (change.op == ChangeOp::Insert) current = change.element;
            else if (change.op == ChangeOp::Update) current = old ? mergeMissingProperties(parent, *old) : change.element;
            std::optional<Value> currentForm;
            if (current) currentForm = elementJsonForm(*current);
            std::optional<Value> oldForm;
            if (old) oldForm = elementJsonForm(*old);

            for (const UnwindMapping& mapping : found->second) {
                ChildChanges children;
                if (currentForm && conditionHolds(mapping, *currentForm)) {
                    std::vector<Value> items = mapping.selector.select(*currentForm);
                    for (size_t i = 0; i < items.size(); ++i) {
                        std::string itemId = itemKey(mapping, items[i], i);
                        children.set(itemId, childChanges(change.op, parent, mapping, itemId,
                                                          items[i].isMap() ? items[i].asMap() : Map()));
                    }
                }
                if (oldForm && conditionHolds(mapping, *oldForm)) {
                    std::vector<Value> items = mapping.selector.select(*oldForm);
                    for (size_t i = 0; i < items.size(); ++i) {
                        std::string itemId = itemKey(mapping, items[i], i);
                        if (children.contains(itemId)) continue;
                        children.set(itemId, childChanges(ChangeOp::Delete, parent, mapping, itemId, Map()));
                    }
                }
                children.appendTo(out);
            }
        }
        out.push_back(change);
    }

private:
    static bool conditionHolds(const UnwindMapping& mapping, const Value& form) {
        return !mapping.condition || mapping.condition->matches(form);
    }

    /// The key's first match when it is a string, otherwise the item's position.
    static std::string itemKey(const UnwindMapping& mapping, const Value& item, size_t index) {
        if (mapping.key) {
            std::vector<Value> keys = mapping.key->select(item);
            if (!keys.empty() && keys[0].isString()) return keys[0].asString();
        }
        return std::to_string(index);
    }

    static std::vector<Change> childChanges(ChangeOp op, const Element& parent, const UnwindMapping& mapping,
                                            const std::string& itemId, Map properties) {
        std::vector<Change> changes;
        auto child = Element::make(ElementKind::Node);
        child->ref = ElementRef{parent.ref.source, "$unwind-" + mapping.selector.text() + "-" + parent.ref.id + "-" + itemId};
        child->labels = {mapping.label};
        child->effectiveFrom = parent.effectiveFrom;
        child->properties = std::move(properties);
        if (mapping.relation) {
            auto rel = Element::make(ElementKind::Relation);
            rel->ref = ElementRef{parent.ref.source, child->ref.id + "$rel"};
            rel->labels = {*mapping.relation};
            rel->effectiveFrom = parent.effectiveFrom;
            rel->start() = parent.ref;
            rel->end() = child->ref;
            changes.push_back(Change{op, std::move(child)});
            changes.push_back(Change{op, std::move(rel)});
        } else {
            changes.push_back(Change{op, std::move(child)});
        }
        return changes;
    }

    std::map<std::string, std::vector<UnwindMapping>, std::less<>> mappings_;
};

}  // namespace

std::shared_ptr<const Middleware> makeUnwind(const ConfigReader& reader, const Json& config) {
    std::map<std::string, std::vector<UnwindMapping>, std::less<>> mappings;
    for (auto it = config.begin(); it != config.end(); ++it) {
        const std::string& label = it.key();
        if (!it.value().is_array())
            reader.invalid(label, "must be an array of mappings [{selector, label, key?, relation?, condition?}]");
        std::vector<UnwindMapping> list;
        for (size_t i = 0; i < it.value().size(); ++i) {
            std::string prefix = label + "[" + std::to_string(i) + "]";
            const Json& m = it.value()[i];
            if (!m.is_object()) reader.invalid(prefix, "must be an object {selector, label, key?, relation?, condition?}");
            UnwindMapping mapping{reader.requiredPath(m, "selector", prefix), reader.requiredString(m, "label", prefix),
                                  reader.optionalPath(m, "key", prefix), reader.optionalString(m, "relation", prefix),
                                  reader.optionalPath(m, "condition", prefix)};
            list.push_back(std::move(mapping));
        }
        mappings.emplace(label, std::move(list));
    }
    return std::make_shared<Unwind>(std::move(mappings));
}

}  // namespace cq::mw
