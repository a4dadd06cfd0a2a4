// SPDX-License-Identifier: MIT
// The randomized differential test: random graphs and random change sequences are applied one at a
// time to a cq::Engine over the in-memory backend; after every change the emitted diffs are applied
// to the previous result set and the outcome must equal the oracle's from-scratch result on the
// current graph (multisets of rows, numbers within 1e-9 relative), and so must the engine's own
// live result set. A mismatch prints the shape, the seed and the change sequence, minimized.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "core/common/error.h"
#include "core/model/json.h"
#include "core/query/engine.h"
#include "storage/factory/open_storage.h"
#include "tests/oracle/oracle.h"

using namespace cq;

namespace {

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (splitmix64: the same sequence natively and in wasm, unlike the
// standard distributions, whose output is implementation-defined).

struct Rng {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    int below(int n) { return int(next() % uint64_t(n)); }
    int between(int lo, int hi) { return lo + below(hi - lo + 1); }
    bool chance(double p) { return double(next() >> 11) / double(1ULL << 53) < p; }
    template <class T> const T& pick(const std::vector<T>& v) { return v[size_t(below(int(v.size())))]; }
};

// ---------------------------------------------------------------------------------------------
// Graph profiles: which labels, relations and properties a shape's random graphs use.

using Gen = std::function<Value(Rng&)>;

struct PropSpec {
    std::string name;
    Gen gen;
};

/// A relation kind and the labels its ends usually (not always) carry.
struct RelSpec {
    std::string label, from, to;
};

struct Profile {
    std::vector<std::string> nodeLabels;
    std::vector<RelSpec> relations;
    std::vector<PropSpec> nodeProps, relProps;
    int nodeIds = 12;
    int relIds = 20;
    double twoLabels = 0.08;  ///< chance a node gets a second label
    double noLabel = 0.03;
    bool selfLoops = true;     ///< relations may start and end at the same node
    bool deletes = true;       ///< nodes and relations are deleted
    bool labelChanges = true;  ///< updates may change labels
};

Gen smallNumber() {
    // Mostly integers, some x.5 floats and some explicit nulls: enough collisions for grouping and
    // enough spread for WHERE thresholds.
    return [](Rng& r) -> Value {
        int roll = r.below(100);
        if (roll < 8) return Value();
        if (roll < 20) return Value(double(r.between(-10, 90)) + 0.5);
        return Value(int64_t(r.between(-10, 90)));
    };
}

Gen oneOf(std::vector<Value> values) {
    return [values](Rng& r) { return r.pick(values); };
}

Gen intRange(int lo, int hi) {
    return [lo, hi](Rng& r) { return Value(int64_t(r.between(lo, hi))); };
}

// ---------------------------------------------------------------------------------------------
// Change sequences.

const char* const kSource = "S";

struct Step {
    bool advance = false;  ///< only move the clock to `time`
    int64_t time = 0;
    Change change;
};

using Graph = std::map<ElementRef, ElementPtr>;

void applyToGraph(Graph& g, const Change& c) {
    const ElementRef& ref = c.element->ref;
    auto it = g.find(ref);
    switch (c.op) {
        case ChangeOp::Insert: g[ref] = c.element; break;
        case ChangeOp::Update: g[ref] = it == g.end() ? c.element : mergeMissingProperties(*c.element, *it->second); break;
        case ChangeOp::Delete:
            if (it != g.end()) g.erase(it);
            break;
    }
}

class Generator {
public:
    Generator(const Profile& p, uint64_t seed, bool timed) : p_(p), rng_{seed}, timed_(timed) {}

    std::vector<Step> episode(int steps) {
        std::vector<Step> out;
        for (int i = 0; i < steps; ++i) out.push_back(next());
        return out;
    }

private:
    ElementRef nodeRef(int i) const { return {kSource, "n" + std::to_string(i)}; }
    ElementRef relRef(int i) const { return {kSource, "r" + std::to_string(i)}; }

    std::vector<std::string> labels() {
        std::vector<std::string> out;
        if (rng_.chance(p_.noLabel)) return out;
        out.push_back(rng_.pick(p_.nodeLabels));
        if (rng_.chance(p_.twoLabels)) {
            const std::string& second = rng_.pick(p_.nodeLabels);
            if (second != out[0]) out.push_back(second);
        }
        return out;
    }

    Map props(const std::vector<PropSpec>& specs, double each) {
        Map m;
        for (const PropSpec& s : specs)
            if (rng_.chance(each)) m.insert_or_assign(s.name, s.gen(rng_));
        return m;
    }

    /// A node id, usually of a present node carrying `label`, sometimes any id (possibly absent, so
    /// relations arrive before their nodes).
    ElementRef endpoint(const std::string& label) {
        if (rng_.chance(0.8)) {
            std::vector<ElementRef> fit;
            for (const auto& [ref, e] : graph_)
                if (!e->isRelation() && (label.empty() || e->hasLabel(label))) fit.push_back(ref);
            if (!fit.empty()) return rng_.pick(fit);
        }
        return nodeRef(rng_.below(p_.nodeIds));
    }

    std::vector<ElementRef> present(bool relations) const {
        std::vector<ElementRef> out;
        for (const auto& [ref, e] : graph_)
            if (e->isRelation() == relations) out.push_back(ref);
        return out;
    }

    Step make(ChangeOp op, std::shared_ptr<Element> e) {
        e->effectiveFrom = clock_;
        Step s;
        s.time = clock_;
        s.change = Change{op, e};
        applyToGraph(graph_, s.change);
        return s;
    }

    Step next() {
        if (timed_) {
            static const int64_t kJumps[] = {0, 0, 0, 1000, 3000, 5000, 9000, 10000, 12000};
            clock_ += kJumps[rng_.below(9)];
            if (rng_.chance(0.12)) {
                Step s;
                s.advance = true;
                s.time = clock_;
                return s;
            }
        } else {
            clock_ += 1000;
        }
        const std::vector<ElementRef> nodes = present(false), rels = present(true);
        // Inserts are likelier while the pools are empty, so graphs fill up and then churn.
        const double emptyNodes = 1.0 - double(nodes.size()) / p_.nodeIds;
        const double emptyRels = 1.0 - double(rels.size()) / p_.relIds;
        const double weights[] = {
            0.08 + 0.5 * emptyNodes,                      // insert a node
            0.08 + 0.5 * emptyRels,                       // insert a relation
            0.30,                                         // update a node
            rels.empty() ? 0.0 : 0.10,                    // update a relation
            nodes.empty() || !p_.deletes ? 0.0 : 0.07,    // delete a node
            rels.empty() || !p_.deletes ? 0.0 : 0.10,     // delete a relation
        };
        double total = 0;
        for (double w : weights) total += w;
        double x = double(rng_.next() >> 11) / double(1ULL << 53) * total;
        int op = 0;
        while (op < 5 && x >= weights[op]) x -= weights[op++];
        switch (op) {
            case 0: {
                auto e = Element::make(ElementKind::Node);
                int i = rng_.below(p_.nodeIds);
                for (int tries = 0; tries < p_.nodeIds && graph_.count(nodeRef(i)); ++tries) i = (i + 1) % p_.nodeIds;
                e->ref = nodeRef(i);  // an occupied id (all taken) re-inserts: a replacement
                e->labels = labels();
                e->properties = props(p_.nodeProps, 0.85);
                return make(ChangeOp::Insert, e);
            }
            case 1: {
                auto e = Element::make(ElementKind::Relation);
                int i = rng_.below(p_.relIds);
                for (int tries = 0; tries < p_.relIds && graph_.count(relRef(i)); ++tries) i = (i + 1) % p_.relIds;
                const RelSpec& spec = rng_.pick(p_.relations);
                e->ref = relRef(i);
                e->labels = {spec.label};
                e->start() = endpoint(spec.from);
                e->end() = endpoint(spec.to);
                for (int tries = 0; tries < 5 && !p_.selfLoops && e->end() == e->start(); ++tries) e->end() = endpoint(spec.to);
                if (!p_.selfLoops && e->end() == e->start()) e->end() = nodeRef((std::stoi(e->start().id.substr(1)) + 1) % p_.nodeIds);
                e->properties = props(p_.relProps, 0.85);
                return make(ChangeOp::Insert, e);
            }
            case 2: {  // properties, sometimes the labels too (moving the node between slots)
                auto e = Element::make(ElementKind::Node);
                if (nodes.empty() || rng_.chance(0.03)) {
                    e->ref = nodeRef(rng_.below(p_.nodeIds));  // possibly absent: an update acts as an insert
                    e->labels = labels();
                } else {
                    const Element& old = *graph_.at(rng_.pick(nodes));
                    e->ref = old.ref;
                    e->labels = p_.labelChanges && rng_.chance(0.25) ? labels() : old.labels;
                }
                e->properties = props(p_.nodeProps, 0.45);
                return make(ChangeOp::Update, e);
            }
            case 3: {
                const Element& old = *graph_.at(rng_.pick(rels));
                auto e = Element::copyOf(old);
                e->properties = props(p_.relProps, 0.6);
                if (p_.labelChanges && rng_.chance(0.2)) e->labels = {rng_.pick(p_.relations).label};
                return make(ChangeOp::Update, e);
            }
            case 4: {  // its relations stay, dangling, and match again if the node comes back
                const Element& old = *graph_.at(rng_.pick(nodes));
                auto e = Element::make(ElementKind::Node);
                e->ref = old.ref;
                e->labels = old.labels;
                if (rng_.chance(0.03)) e->ref = nodeRef(rng_.below(p_.nodeIds));  // possibly absent: a no-op
                return make(ChangeOp::Delete, e);
            }
            default: {
                const Element& old = *graph_.at(rng_.pick(rels));
                auto e = Element::make(ElementKind::Relation);
                e->ref = old.ref;
                e->labels = old.labels;
                e->start() = old.start();
                e->end() = old.end();
                return make(ChangeOp::Delete, e);
            }
        }
    }

    const Profile& p_;
    Rng rng_;
    bool timed_;
    int64_t clock_ = 1700000000000;
    Graph graph_;
};

// ---------------------------------------------------------------------------------------------
// Comparing rows: numbers within 1e-9 relative (kinds must agree: sum() must be a Float), lists as
// multisets (collect() order depends on the order rows arrived).

bool approxEqual(const Value& a, const Value& b);

List sortedList(const Value& v) {
    List l = v.asList();
    std::sort(l.begin(), l.end(), [](const Value& x, const Value& y) { return compareValuesTotal(x, y) < 0; });
    return l;
}

bool approxEqual(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    if (a.isFloat()) {
        double x = a.asFloat(), y = b.asFloat();
        return std::fabs(x - y) <= 1e-9 * std::max({1.0, std::fabs(x), std::fabs(y)});
    }
    if (a.isList()) {
        if (a.asList().size() != b.asList().size()) return false;
        List x = sortedList(a), y = sortedList(b);
        for (size_t i = 0; i < x.size(); ++i)
            if (!approxEqual(x[i], y[i])) return false;
        return true;
    }
    if (a.isMap()) {
        const Map &x = a.asMap(), &y = b.asMap();
        if (x.size() != y.size()) return false;
        for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)
            if (i->first != j->first || !approxEqual(i->second, j->second)) return false;
        return true;
    }
    return valuesEqual(a, b);
}

bool approxRow(const Map& a, const Map& b) { return approxEqual(Value(a), Value(b)); }

std::string rowText(const Map& row) {
    Json j = Json::object();
    for (const auto& [k, v] : row) j[k] = valueToJson(v);
    return j.dump();
}

std::string rowsText(std::vector<Map> rows) {
    std::sort(rows.begin(), rows.end(), [](const Map& a, const Map& b) { return compareValuesTotal(Value(a), Value(b)) < 0; });
    std::string out;
    for (const Map& r : rows) out += "    " + rowText(r) + "\n";
    return out.empty() ? "    (none)\n" : out;
}

/// Multiset equality under approxEqual: sort both, compare in order; on a miss (rows equal only
/// within tolerance can sort apart) fall back to greedy matching.
bool sameRows(std::vector<Map> a, std::vector<Map> b) {
    if (a.size() != b.size()) return false;
    auto less = [](const Map& x, const Map& y) { return compareValuesTotal(Value(x), Value(y)) < 0; };
    std::sort(a.begin(), a.end(), less);
    std::sort(b.begin(), b.end(), less);
    bool inOrder = true;
    for (size_t i = 0; i < a.size() && inOrder; ++i) inOrder = approxRow(a[i], b[i]);
    if (inOrder) return true;
    std::vector<bool> used(b.size(), false);
    for (const Map& x : a) {
        bool found = false;
        for (size_t i = 0; i < b.size() && !found; ++i)
            if (!used[i] && approxRow(x, b[i])) used[i] = found = true;
        if (!found) return false;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// Running a sequence against the engine and the oracle.

struct Shape {
    std::string name;
    std::string cypher;
    Json joins = Json::array();
    Profile profile;
    uint64_t seed = 1;
    int episodes = 8;
    int steps = 125;
    bool timed = false;
    /// Above 1: changes go in by applyBatch, 1 to `batch` at a time (one transaction, the batch's
    /// diffs together), and results are compared after each batch.
    int batch = 1;
    /// Above 0 (SQLite only): the database is a file, and the engine is closed and opened again
    /// every `reopenEvery` steps, restoring the query from the file alone; every other time the
    /// journal is folded at every commit (else only past the automatic threshold, so never here).
    int reopenEvery = 0;
    std::string storage = "memory";  ///< the engine's backend (SQLite runs in memory, behind its read cache)
};

struct Failure {
    size_t step = 0;
    std::string message;
};

class Checker {
public:
    explicit Checker(const Shape& shape) : shape_(shape), oracle_(shape.cypher, shape.joins) {}

    /// Checks `actual` (after diffs or the live set) against the oracle's rows.
    std::optional<std::string> compare(const std::vector<Map>& expected, const std::vector<Map>& actual) {
        if (!oracle_.aggregatingResult()) {
            if (sameRows(expected, actual)) return std::nullopt;
            return "expected (oracle):\n" + rowsText(expected) + "  actual:\n" + rowsText(actual);
        }
        // One row per group. A group the oracle lacks may remain in `actual` only as an emptied
        // group's row (diffs never say that a group is gone; the engine keeps the keyless group).
        std::vector<bool> used(actual.size(), false);
        bool ok = true;
        for (const Map& e : expected) {
            bool found = false;
            for (size_t i = 0; i < actual.size() && !found; ++i)
                if (!used[i] && sameGroup(e, actual[i])) {
                    used[i] = found = true;
                    ok = ok && approxRow(e, actual[i]);
                }
            ok = ok && found;
        }
        for (size_t i = 0; i < actual.size(); ++i)
            if (!used[i] && !approxRow(actual[i], oracle_.emptyGroupRow(actual[i]))) ok = false;
        if (ok) return std::nullopt;
        return "expected (oracle; absent groups may show as emptied):\n" + rowsText(expected) + "  actual:\n" +
               rowsText(actual);
    }

    bool sameGroup(const Map& a, const Map& b) const {
        for (const std::string& k : oracle_.groupingKeys()) {
            auto x = a.find(k), y = b.find(k);
            if (x == a.end() || y == b.end() || !valuesEqual(x->second, y->second)) return false;
        }
        return true;
    }

    /// Applies one diff to the result set the diffs have built so far.
    std::optional<std::string> applyDiff(const Diff& d, std::vector<Map>& rows) {
        auto findRow = [&](const Map& row) {
            for (size_t i = 0; i < rows.size(); ++i)
                if (approxRow(rows[i], row)) return int(i);
            return -1;
        };
        if (oracle_.aggregatingResult()) {
            if (d.kind != DiffKind::Aggregation || !d.after) return "expected an aggregation diff: " + d.toJson().dump();
            if (d.groupingKeyList() != oracle_.groupingKeys()) return "wrong grouping keys: " + d.toJson().dump();
            int at = -1;
            for (size_t i = 0; i < rows.size() && at < 0; ++i)
                if (sameGroup(rows[i], *d.after)) at = int(i);
            if (d.before) {
                const Map& expectBefore = at >= 0 ? rows[size_t(at)] : oracle_.emptyGroupRow(*d.after);
                if (!sameGroup(*d.before, *d.after) || !approxRow(*d.before, expectBefore))
                    return "aggregation 'before' is not the group's current row " + rowText(expectBefore) + ": " +
                           d.toJson().dump();
            }
            if (at >= 0) rows[size_t(at)] = *d.after;
            else rows.push_back(*d.after);
            return std::nullopt;
        }
        switch (d.kind) {
            case DiffKind::Add:
                if (!d.after) return "add without after";
                rows.push_back(*d.after);
                return std::nullopt;
            case DiffKind::Remove: {
                int at = d.before ? findRow(*d.before) : -1;
                if (at < 0) return "remove of a row not in the result: " + d.toJson().dump();
                rows.erase(rows.begin() + at);
                return std::nullopt;
            }
            case DiffKind::Update: {
                int at = d.before ? findRow(*d.before) : -1;
                if (at < 0 || !d.after) return "update of a row not in the result: " + d.toJson().dump();
                rows[size_t(at)] = *d.after;
                return std::nullopt;
            }
            case DiffKind::Aggregation: return "aggregation diff from a non-aggregating query: " + d.toJson().dump();
        }
        return std::nullopt;
    }

    /// Replays `steps` on a fresh engine; the first mismatch, if any.
    std::optional<Failure> run(const std::vector<Step>& steps, size_t* diffCount = nullptr, size_t* rowCount = nullptr) {
        const bool reopening = shape_.reopenEvery > 0;
        const char* tmp = std::getenv("TMPDIR");
        const std::string path = reopening ? std::string(tmp && *tmp ? tmp : "/tmp") + "/cq-differential-" +
                                                 std::to_string(shape_.seed) + ".db"
                                           : std::string(":memory:");
        auto removeFiles = [&] {
            if (reopening)
                for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
        };
        removeFiles();
        int opens = 0;
        auto open = [&] {
            StorageTuning tuning;
            if (opens++ % 2 == 1) tuning.sqliteFoldBytes = 1;
            return std::make_unique<Engine>(openStorage(shape_.storage, path, tuning),
                                            EngineOptions{[] { return int64_t(0); }, false});
        };
        struct Cleanup {
            std::function<void()> f;
            ~Cleanup() { f(); }
        };
        std::unique_ptr<Engine> held = open();
        Cleanup cleanup{[&] {
            held.reset();
            removeFiles();
        }};
        QueryConfig config;
        config.id = "q";
        config.cypher = shape_.cypher;
        config.joins = shape_.joins;
        held->registerQuery(config);
        oracle::Oracle oracle(shape_.cypher, shape_.joins);
        Graph graph;
        std::vector<Map> rows;
        int64_t clock = 0;
        for (size_t i = 0; i < steps.size(); ++i) {
            const Step& step = steps[i];
            auto fail = [&](const std::string& m) { return Failure{i, m}; };
            try {
                if (reopening && i > 0 && i % size_t(shape_.reopenEvery) == 0) {
                    held.reset();
                    held = open();
                }
                Engine& engine = *held;
                std::vector<QueryOutput> outs;
                // The clock only moves forward, and every future due by a change's time fires before
                // it (so a shortened sequence stays meaningful).
                if (step.time > clock) {
                    clock = step.time;
                    outs = engine.advanceTime(clock);
                }
                if (!step.advance && shape_.batch > 1) {
                    // This step and up to batch - 1 changes after it, as one batch (its size varies
                    // with the position, so batches of every size occur).
                    std::vector<Change> changes{step.change};
                    const size_t size = 1 + i % size_t(shape_.batch);
                    // (Untimed shapes only: no future can fall due between the batch's changes.)
                    while (changes.size() < size && i + 1 < steps.size() && !steps[i + 1].advance)
                        changes.push_back(steps[++i].change);
                    clock = std::max(clock, steps[i].time);
                    for (QueryOutput& o : engine.applyBatch(changes)) outs.push_back(std::move(o));
                    for (const Change& c : changes) applyToGraph(graph, c);
                } else if (!step.advance) {
                    for (QueryOutput& o : engine.applyChange(step.change)) outs.push_back(std::move(o));
                    applyToGraph(graph, step.change);
                }
                for (const QueryOutput& o : outs) {
                    if (o.error) return fail(std::string("engine rejected the change: ") + o.error->what());
                    for (const Diff& d : o.diffs) {
                        if (diffCount) ++*diffCount;
                        if (auto m = applyDiff(d, rows)) return fail(*m);
                    }
                }
                std::vector<ElementPtr> elements;
                for (const auto& [ref, e] : graph) elements.push_back(e);
                std::vector<Map> expected = oracle.results(elements, clock);
                if (rowCount) *rowCount += expected.size();
                if (auto m = compare(expected, rows)) return fail("result after applying the diffs differs\n  " + *m);
                if (auto m = compare(expected, engine.currentResults("q")))
                    return fail("the engine's live result set differs\n  " + *m);
            } catch (const std::exception& e) {
                return fail(std::string("exception: ") + e.what());
            }
        }
        return std::nullopt;
    }

private:
    const Shape& shape_;
    oracle::Oracle oracle_;  ///< for the result's shape (grouping keys, emptied rows) only
};

std::string stepText(const Step& s) {
    if (s.advance) return "{\"advance_time\": " + std::to_string(s.time) + "}";
    return changeToJson(s.change).dump();
}

/// Removes chunks of the failing sequence while it still fails (a cheap ddmin), within a budget.
std::vector<Step> minimize(Checker& checker, std::vector<Step> seq) {
    auto start = std::chrono::steady_clock::now();
    auto budgetLeft = [&] { return std::chrono::steady_clock::now() - start < std::chrono::seconds(20); };
    size_t chunk = std::max<size_t>(1, seq.size() / 2);
    while (budgetLeft()) {
        bool removed = false;
        for (size_t at = 0; at < seq.size() && budgetLeft();) {
            std::vector<Step> candidate(seq.begin(), seq.begin() + long(at));
            candidate.insert(candidate.end(), seq.begin() + long(std::min(seq.size(), at + chunk)), seq.end());
            if (auto f = checker.run(candidate)) {
                candidate.resize(f->step + 1);
                seq = std::move(candidate);
                removed = true;
            } else {
                at += chunk;
            }
        }
        if (chunk == 1 && !removed) break;
        if (!removed) chunk = std::max<size_t>(1, chunk / 2);
    }
    return seq;
}

size_t gTotalChanges = 0;

/// Runs every episode of a shape; returns the report of the first failure ("" if none).
std::string runShape(const Shape& shape) {
    Checker checker(shape);
    size_t changes = 0, diffs = 0, rows = 0;
    // CQ_DIFF_SCALE=N runs N times the episodes (new seeds after the usual ones): a soak run by hand.
    const char* scaleText = std::getenv("CQ_DIFF_SCALE");
    const int scale = scaleText ? std::max(1, std::atoi(scaleText)) : 1;
    for (int ep = 0; ep < shape.episodes * scale; ++ep) {
        const uint64_t seed = shape.seed * 1000003ULL + uint64_t(ep);
        Generator gen(shape.profile, seed, shape.timed);
        std::vector<Step> steps = gen.episode(shape.steps);
        for (const Step& s : steps) changes += s.advance ? 0 : 1;
        if (auto f = checker.run(steps, &diffs, &rows)) {
            std::vector<Step> failing(steps.begin(), steps.begin() + long(f->step + 1));
            std::vector<Step> small = minimize(checker, failing);
            std::optional<Failure> last = checker.run(small);
            std::ostringstream out;
            out << "MISMATCH in shape '" << shape.name << "' on " << shape.storage << " (seed " << seed << ", episode " << ep << ", step "
                << f->step << ")\n  query: " << shape.cypher << "\n  joins: " << shape.joins.dump() << "\n  "
                << f->message << "\n  minimized sequence (" << small.size() << " of " << failing.size()
                << " steps):\n";
            for (const Step& s : small) out << "    " << stepText(s) << "\n";
            if (last) out << "  minimized failure at step " << last->step << ": " << last->message << "\n";
            std::cout << out.str() << std::flush;
            return out.str();
        }
    }
    gTotalChanges += changes;
    std::cout << "differential: " << shape.name << " (" << shape.storage << "): " << changes << " changes, " << diffs
              << " diffs checked, " << rows << " result rows compared, seed " << shape.seed << "\n"
              << std::flush;
    return "";
}

// ---------------------------------------------------------------------------------------------
// Profiles and shapes.

Profile buildingProfile() {
    Profile p;
    p.nodeLabels = {"Room", "Room", "Floor", "Building", "Other"};
    p.relations = {{"PART_OF", "Room", "Floor"}, {"PART_OF", "Floor", "Building"}, {"PART_OF", "", ""},
                   {"NEAR", "Room", "Floor"}};
    p.nodeProps = {{"v", smallNumber()}, {"name", oneOf({Value("a"), Value("b"), Value("c"), Value()})}};
    p.relProps = {{"w", intRange(0, 9)}};
    return p;
}

Profile sensorProfile() {
    Profile p;
    p.nodeLabels = {"Sensor", "Probe", "Other"};
    p.relations = {{"LINK", "", ""}};
    p.nodeProps = {{"v", smallNumber()},
                   {"zone", oneOf({Value(int64_t(1)), Value(int64_t(2)), Value(1.0), Value()})},
                   {"w", intRange(0, 5)},
                   {"name", oneOf({Value("a"), Value("b"), Value("c")})}};
    p.relIds = 2;
    return p;
}

Profile invoiceProfile() {
    Profile p;
    p.nodeLabels = {"Invoice", "Payment", "Payment", "Other"};
    p.relations = {{"PAYS", "Payment", "Invoice"}, {"PAYS", "", ""}, {"REFUNDS", "Payment", "Invoice"}};
    p.nodeProps = {{"v", smallNumber()}};
    return p;
}

Profile peopleProfile() {
    Profile p;
    p.nodeLabels = {"Person", "Person", "Team", "Other"};
    p.relations = {{"KNOWS", "Person", "Person"}, {"MEMBER", "Person", "Team"}, {"KNOWS", "", ""}};
    p.nodeProps = {{"name", oneOf({Value("ann"), Value("bob"), Value("cy"), Value("dee"), Value()})},
                   {"v", smallNumber()}};
    p.relProps = {{"since", intRange(2000, 2003)}};
    p.twoLabels = 0;
    return p;
}

Profile equipmentProfile() {
    Profile p;
    p.nodeLabels = {"Equipment", "Sensor", "Sensor", "Other"};
    p.relations = {{"UNUSED", "", ""}};
    p.relIds = 2;
    // Join keys collide often; 2.0 and "2" must not join 2 (drasi-core joins by the stored value).
    p.nodeProps = {{"id", oneOf({Value(int64_t(1)), Value(int64_t(2)), Value(int64_t(3)), Value(2.0), Value("2")})},
                   {"equip_id", oneOf({Value(int64_t(1)), Value(int64_t(2)), Value(int64_t(3)), Value()})},
                   {"name", oneOf({Value("pump"), Value("fan")})},
                   {"v", smallNumber()}};
    p.twoLabels = 0;  // a node both Equipment and Sensor would join itself under two keys
    return p;
}

const Json kHasSensor = parseJson(
    R"([{"id": "HAS_SENSOR", "keys": [{"label": "Equipment", "property": "id"}, {"label": "Sensor", "property": "equip_id"}]}])");

/// Every shape runs on every backend of the build: the SQLite backend's read cache and rollbacks
/// meet the same random sequences as the memory backend.
void check(const Shape& shape) {
    for (const std::string& kind : storageKinds()) {
        Shape s = shape;
        s.storage = kind;
        INFO("shape " << s.name << ", storage " << kind << ", seed " << s.seed);
        std::string report = runShape(s);
        if (!report.empty()) FAIL(report);
    }
    SUCCEED();
}

/// A shape on a SQLite file, the engine reopened every 10 steps (restored from the file alone).
void checkReopened(Shape shape) {
    shape.name += " (reopened)";
    shape.storage = "sqlite";
    shape.reopenEvery = 10;
    shape.episodes = 2;  // each opening syncs the file: about 25 ms here
    INFO("shape " << shape.name << ", seed " << shape.seed);
    std::string report = runShape(shape);
    if (!report.empty()) FAIL(report);
}

/// A shape applied in batches of 1 to 6 changes (applyBatch).
void checkBatched(Shape shape) {
    REQUIRE_FALSE(shape.timed);
    shape.name += " (batched)";
    shape.batch = 6;
    check(shape);
}

/// A shape whose clock jumps and is advanced at random, so time-based functions fire.
void checkTimed(Shape shape) {
    shape.timed = true;
    shape.steps = 150;
    check(shape);
}

}  // namespace

TEST_CASE("differential: single node, labels any-of, inline properties, WHERE", "[differential]") {
    check({"single node", "MATCH (n:Sensor|Probe {zone: 1}) WHERE n.v > 20 RETURN elementId(n) AS id, n.v * 2 AS v2, n.w AS w",
           Json::array(), sensorProfile(), 101});
}

TEST_CASE("differential: one-hop path", "[differential]") {
    check({"1-hop", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) RETURN elementId(r) AS room, elementId(p) AS rel, f.name AS floor, p.w AS w",
           Json::array(), buildingProfile(), 102});
}

TEST_CASE("differential: two-hop path with a node WHERE", "[differential]") {
    check({"2-hop", "MATCH (r:Room)-[:PART_OF]->(f:Floor WHERE f.v > 0)-[:PART_OF]->(b:Building) "
                    "RETURN elementId(r) AS room, elementId(f) AS floor, b.name AS building, r.v + f.v AS total",
           Json::array(), buildingProfile(), 103});
}

TEST_CASE("differential: comma-joined patterns", "[differential]") {
    check({"comma join", "MATCH (a:Room)-[:PART_OF]->(f:Floor), (b:Room)-[:PART_OF]->(f) WHERE a.v < b.v "
                         "RETURN elementId(a) AS low, elementId(b) AS high, elementId(f) AS floor",
           Json::array(), buildingProfile(), 104});
}

TEST_CASE("differential: WITH chain (projection then filter)", "[differential]") {
    check({"WITH chain", "MATCH (n:Sensor) WITH elementId(n) AS id, n.v * 10 AS v10, n.name AS name WHERE v10 > 100 "
                         "RETURN id, v10 + 1 AS v, name",
           Json::array(), sensorProfile(), 105});
}

TEST_CASE("differential: grouped aggregation", "[differential]") {
    check({"grouped aggregation", "MATCH (r:Room)-[:PART_OF]->(f:Floor) RETURN f.name AS floor, count(r) AS n, count(r.v) AS nv, "
                                  "sum(r.v) AS total, avg(r.v) AS mean, min(r.v) AS lo, max(r.v) AS hi",
           Json::array(), buildingProfile(), 106});
}

TEST_CASE("differential: aggregation without grouping keys", "[differential]") {
    check({"keyless aggregation", "MATCH (n:Sensor) WHERE n.zone = 1 RETURN count(n) AS n, sum(n.v) AS total, max(n.v) AS hi",
           Json::array(), sensorProfile(), 107});
}

TEST_CASE("differential: aggregation over an aggregation", "[differential]") {
    check({"aggregation over aggregation",
           "MATCH (r:Room)-[:PART_OF]->(f:Floor)-[:PART_OF]->(b:Building) "
           "WITH b, f, floor(50 + (r.v - 72)) AS roomLevel "
           "WITH b, elementId(f) AS floorId, avg(roomLevel) AS floorLevel "
           "RETURN elementId(b) AS building, avg(floorLevel) AS level, count(floorId) AS floors",
           Json::array(), buildingProfile(), 108});
}

TEST_CASE("differential: filter on an aggregate (WITH ... WHERE)", "[differential]") {
    check({"having", "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f.name AS floor, avg(r.v) AS mean, count(r) AS n "
                     "WHERE mean > 30 RETURN floor, mean, n",
           Json::array(), buildingProfile(), 109});
}

TEST_CASE("differential: OPTIONAL MATCH", "[differential]") {
    check({"optional match", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) "
                             "RETURN elementId(i) AS invoice, i.v AS amount, elementId(p) AS payment, p.v AS paid",
           Json::array(), invoiceProfile(), 110});
}

TEST_CASE("differential: OPTIONAL MATCH with aggregation", "[differential]") {
    check({"optional match aggregated", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) "
                                        "RETURN elementId(i) AS invoice, count(p) AS payments, sum(p.v) AS paid",
           Json::array(), invoiceProfile(), 111});
}

TEST_CASE("differential: synthetic join", "[differential]") {
    check({"join", "MATCH (e:Equipment)-[:HAS_SENSOR]->(s:Sensor) RETURN elementId(e) AS equipment, e.name AS name, "
                   "elementId(s) AS sensor, s.v AS v",
           kHasSensor, equipmentProfile(), 112});
}

TEST_CASE("differential: undirected relation", "[differential]") {
    check({"undirected", "MATCH (a:Person)-[k:KNOWS]-(b:Person) RETURN elementId(a) AS a, elementId(b) AS b, k.since AS since",
           Json::array(), peopleProfile(), 113});
}

TEST_CASE("differential: collect()", "[differential]") {
    check({"collect", "MATCH (p:Person)-[:MEMBER]->(t:Team) RETURN elementId(t) AS team, collect(p.name) AS members, count(p) AS n",
           Json::array(), peopleProfile(), 114});
}

TEST_CASE("differential: drasi.trueFor with the clock advanced", "[differential]") {
    checkTimed({"trueFor", "MATCH (n:Sensor) WHERE drasi.trueFor(n.v > 40, duration({seconds: 10})) RETURN elementId(n) AS id, n.v AS v",
                Json::array(), sensorProfile(), 115});
}

// A path's rows share their anchor (a floor inserted after its rooms anchors every room's future):
// each row keeps its own "true since" (no grouping keys, so the marker is the row's, as in
// drasi-core's resolve_context_result_key), and each future re-evaluates its own row.
TEST_CASE("differential: drasi.trueFor over a path", "[differential]") {
    checkTimed({"trueFor path", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) WHERE drasi.trueFor(r.v > 40, duration({seconds: 10})) "
                                "RETURN elementId(r) AS room, elementId(p) AS rel, f.name AS floor, r.v AS v",
                Json::array(), buildingProfile(), 116});
}

// drasi.trueLater's future re-evaluates its row at the due time; a floor inserted after its rooms
// anchors every room's future, each due at its own room's time.
TEST_CASE("differential: drasi.trueLater over a path", "[differential]") {
    checkTimed({"trueLater path", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) "
                                  "WHERE drasi.trueLater(r.v > 40, drasi.changeDateTime(r) + duration({seconds: 10})) "
                                  "RETURN elementId(r) AS room, elementId(p) AS rel, f.name AS floor, r.v AS v",
                Json::array(), buildingProfile(), 117});
}
TEST_CASE("differential: drasi.trueUntil over a path", "[differential]") {
    checkTimed({"trueUntil path", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) "
                                  "WHERE drasi.trueUntil(r.v > 40, drasi.changeDateTime(r) + duration({seconds: 10})) "
                                  "RETURN elementId(r) AS room, elementId(p) AS rel, f.name AS floor, r.v AS v",
                Json::array(), buildingProfile(), 118});
}

// After a WITH, a future re-evaluates every row of its anchor (their input rows exist only once
// the first part has run); the engine fires one item per (anchor, due time).
TEST_CASE("differential: drasi.trueLater after a WITH", "[differential]") {
    checkTimed({"trueLater after WITH", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) "
                                        "WITH elementId(r) AS room, elementId(p) AS rel, f.name AS floor, r.v AS v, drasi.changeDateTime(r) AS at "
                                        "WHERE drasi.trueLater(v > 40, at + duration({seconds: 10})) RETURN room, rel, floor, v",
                Json::array(), buildingProfile(), 119});
}

// Expressions the engine maintains per row: CASE, coalesce over two elements, arithmetic that
// meets nulls, an OR that reads a relation's property.
TEST_CASE("differential: CASE, coalesce and null arithmetic over a path", "[differential]") {
    check({"case and coalesce", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) WHERE p.w > 2 OR r.name = 'a' "
                                "RETURN elementId(r) AS room, elementId(p) AS rel, "
                                "CASE WHEN r.v > 50 THEN 'hot' WHEN r.v IS NULL THEN 'unknown' ELSE 'ok' END AS state, "
                                "coalesce(r.name, f.name, 'none') AS name, abs(r.v - f.v) AS gap",
           Json::array(), buildingProfile(), 120});
}

TEST_CASE("differential: aggregates over CASE and a relation's property", "[differential]") {
    check({"aggregated CASE", "MATCH (r:Room)-[p:NEAR]->(f:Floor) WHERE p.w >= 3 "
                              "RETURN elementId(f) AS floor, sum(CASE WHEN r.v > 40 THEN 1 ELSE 0 END) AS hot, "
                              "min(r.v) AS lo, max(r.v) AS hi, avg(p.w) AS w, count(p) AS n",
           Json::array(), buildingProfile(), 121});
}

TEST_CASE("differential: grouping by property values of both ends, NOT in WHERE", "[differential]") {
    check({"grouped by names", "MATCH (a:Person)-[k:KNOWS]->(b:Person) WHERE NOT (k.since = 2001) AND a.name <> b.name "
                               "RETURN a.name AS source, b.name AS target, count(k) AS links, max(k.since) AS latest",
           Json::array(), peopleProfile(), 122});
}

TEST_CASE("differential: two OPTIONAL MATCHes", "[differential]") {
    check({"two optional matches", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) "
                                   "OPTIONAL MATCH (i)<-[:REFUNDS]-(r:Payment) "
                                   "RETURN elementId(i) AS invoice, elementId(p) AS paid, elementId(r) AS refunded",
           Json::array(), invoiceProfile(), 123});
}

TEST_CASE("differential: an aggregate filtered, then aggregated again", "[differential]") {
    check({"filtered aggregate", "MATCH (r:Room)-[:PART_OF]->(f:Floor)-[:PART_OF]->(b:Building) "
                                 "WITH b.name AS building, elementId(f) AS floor, count(r) AS rooms WHERE rooms > 1 "
                                 "RETURN building, count(floor) AS busyFloors, sum(rooms) AS total",
           Json::array(), buildingProfile(), 124});
}

TEST_CASE("differential: list comprehension, IN and string functions", "[differential]") {
    check({"lists and strings", "MATCH (n:Sensor) WHERE n.name IN ['a', 'b'] AND n.v IS NOT NULL "
                                "RETURN elementId(n) AS id, toUpper(n.name) + '-' + toString(n.zone) AS tag, "
                                "[x IN [n.v, n.w, n.zone] WHERE x IS NOT NULL | x * 2] AS doubled, size(labels(n)) AS labelCount",
           Json::array(), sensorProfile(), 125});
}

TEST_CASE("differential: a two-hop chain of one relation type, ends distinct", "[differential]") {
    check({"friends of friends", "MATCH (a:Person)-[:KNOWS]->(b:Person)-[:KNOWS]->(c:Person) WHERE a <> c "
                                 "RETURN elementId(a) AS a, count(c) AS reach, min(b.v) AS lo",
           Json::array(), peopleProfile(), 126});
}

TEST_CASE("differential: an OPTIONAL MATCH that continues from the one before", "[differential]") {
    check({"chained optional matches", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) "
                                       "OPTIONAL MATCH (p)-[:REFUNDS]->(j:Invoice) "
                                       "RETURN elementId(i) AS invoice, elementId(p) AS payment, elementId(j) AS refunded",
           Json::array(), invoiceProfile(), 127});
}

TEST_CASE("differential: OPTIONAL MATCH with its own WHERE", "[differential]") {
    check({"optional match where", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) WHERE p.v > 20 "
                                   "RETURN elementId(i) AS invoice, elementId(p) AS payment, p.v AS amount",
           Json::array(), invoiceProfile(), 128});
}

TEST_CASE("differential: two OPTIONAL MATCHes counted per invoice", "[differential]") {
    check({"two optional matches aggregated", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) "
                                              "OPTIONAL MATCH (i)<-[:REFUNDS]-(r:Payment) "
                                              "RETURN elementId(i) AS invoice, count(p) AS payments, count(r) AS refunds, sum(p.v) AS paid",
           Json::array(), invoiceProfile(), 129});
}

TEST_CASE("differential: element functions and maps in rows", "[differential]") {
    check({"element functions", "MATCH (r:Room)-[p:PART_OF]->(f) "
                                "RETURN elementId(p) AS rel, type(p) AS type, labels(f) AS floorLabels, "
                                "size(keys(r)) AS nkeys, properties(p).w AS w, {room: r.name, floor: f.name} AS names",
           Json::array(), buildingProfile(), 130});
}

// min and max take numbers and temporal values only, as in drasi-core (docs/cypher-deviations.md).
TEST_CASE("differential: min, max, avg and sum of mixed numbers, per group", "[differential]") {
    check({"number extremes", "MATCH (p:Person)-[:MEMBER]->(t:Team) "
                              "RETURN elementId(t) AS team, min(p.v) AS low, max(p.v) AS high, avg(p.v) AS mean, "
                              "sum(p.v) AS total",
           Json::array(), peopleProfile(), 131});
}

TEST_CASE("differential: comma-joined patterns with an OPTIONAL MATCH", "[differential]") {
    check({"comma join and optional", "MATCH (a:Person)-[:MEMBER]->(t:Team), (b:Person)-[:MEMBER]->(t) WHERE a.name < b.name "
                                      "OPTIONAL MATCH (a)-[k:KNOWS]->(b) "
                                      "RETURN elementId(a) AS a, elementId(b) AS b, elementId(t) AS team, k.since AS since",
           Json::array(), peopleProfile(), 132});
}

TEST_CASE("differential: a grouping key computed from two elements", "[differential]") {
    check({"computed key", "MATCH (r:Room)-[:PART_OF]->(f:Floor) "
                           "WITH CASE WHEN r.v > f.v THEN 'warmer' ELSE 'not warmer' END AS side, r "
                           "RETURN side, count(r) AS rooms, max(r.v) AS hottest",
           Json::array(), buildingProfile(), 133});
}

TEST_CASE("differential: elements passed through WITH, compared, then projected", "[differential]") {
    check({"elements through WITH", "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH r, f WHERE r.v > f.v "
                                    "RETURN elementId(r) AS room, f.name AS floor, r.v - f.v AS above",
           Json::array(), buildingProfile(), 134});
}

TEST_CASE("differential: keyless aggregates over grouped counts", "[differential]") {
    check({"aggregates of counts", "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f, count(r) AS n "
                                   "RETURN max(n) AS busiest, min(n) AS quietest, count(f) AS floors, sum(n) AS rooms",
           Json::array(), buildingProfile(), 135});
}

TEST_CASE("differential: a self-loop pattern and an undirected OPTIONAL MATCH", "[differential]") {
    check({"self loop and undirected optional", "MATCH (a:Person)-[s:KNOWS]->(a) OPTIONAL MATCH (a)-[m:MEMBER]-(t:Team) "
                                                "RETURN elementId(a) AS person, elementId(s) AS loop, elementId(t) AS team",
           Json::array(), peopleProfile(), 136});
}

TEST_CASE("differential: a synthetic join under OPTIONAL MATCH, aggregated", "[differential]") {
    check({"optional join aggregated", "MATCH (e:Equipment) OPTIONAL MATCH (e)-[:HAS_SENSOR]->(s:Sensor) "
                                       "RETURN elementId(e) AS equipment, count(s) AS sensors, avg(s.v) AS mean",
           kHasSensor, equipmentProfile(), 137});
}

TEST_CASE("differential: labels any-of and inline properties inside OPTIONAL MATCH", "[differential]") {
    check({"optional with inline map", "MATCH (r:Room) OPTIONAL MATCH (r)-[p:PART_OF|NEAR {w: 3}]->(f:Floor|Building) "
                                       "RETURN elementId(r) AS room, elementId(p) AS rel, elementId(f) AS target",
           Json::array(), buildingProfile(), 138});
}

TEST_CASE("differential: unpaid invoices (OPTIONAL MATCH, then WHERE ... IS NULL)", "[differential]") {
    check({"anti-join by null", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) WITH i, p WHERE p IS NULL "
                                "RETURN elementId(i) AS unpaid, i.v AS amount",
           Json::array(), invoiceProfile(), 139});
}

TEST_CASE("differential: unpaid invoices (a count of zero)", "[differential]") {
    check({"anti-join by count", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) WITH i, count(p) AS payments "
                                 "WHERE payments = 0 RETURN elementId(i) AS unpaid",
           Json::array(), invoiceProfile(), 140});
}

TEST_CASE("differential: a cycle of two relations back to the first node", "[differential]") {
    check({"two-cycle", "MATCH (a:Person)-[x:KNOWS]->(b:Person)-[y:KNOWS]->(a) "
                        "RETURN elementId(a) AS a, elementId(b) AS b, elementId(x) AS x, elementId(y) AS y",
           Json::array(), peopleProfile(), 141});
}

TEST_CASE("differential: an undirected two-hop chain with count(*)", "[differential]") {
    check({"undirected chain", "MATCH (a:Person)-[:KNOWS]-(b:Person)-[:KNOWS]-(c:Person) "
                               "RETURN elementId(b) AS middle, count(*) AS paths",
           Json::array(), peopleProfile(), 142});
}

// Grouped by identity: a node as a grouping key would be one group whose displayed properties
// change (openCypher groups nodes by identity), which this harness, keying groups by value, cannot
// follow; the rows of the next shape return nodes whole.
TEST_CASE("differential: mixed directions around one node", "[differential]") {
    check({"mixed directions", "MATCH (f:Floor)<-[:PART_OF]-(r:Room)-[:NEAR]->(g:Floor) "
                               "RETURN elementId(f) AS f, elementId(g) AS g, count(r) AS rooms",
           Json::array(), buildingProfile(), 143});
}

TEST_CASE("differential: nodes and relations returned whole", "[differential]") {
    check({"whole elements", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) RETURN r, p, f",
           Json::array(), buildingProfile(), 144});
}

// Without deletes: a future scheduled while its anchor (the changed element) is deleted never
// fires, as in drasi-core, which looks the anchor up when the item falls due (a group whose
// average rises because a room is deleted never passes trueFor; docs/cypher-deviations.md).
TEST_CASE("differential: drasi.trueFor watching a group's aggregate", "[differential]") {
    Profile p = buildingProfile();
    p.deletes = false;
    checkTimed({"trueFor aggregate", "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH elementId(f) AS floor, avg(r.v) AS mean "
                                     "WHERE drasi.trueFor(mean > 40, duration({seconds: 10})) RETURN floor, mean",
                Json::array(), p, 145});
}

TEST_CASE("differential: drasi.trueNowOrLater over an OPTIONAL MATCH", "[differential]") {
    checkTimed({"trueNowOrLater optional", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) "
                                           "WHERE drasi.trueNowOrLater(i.v > 30, drasi.changeDateTime(i) + duration({seconds: 10})) "
                                           "RETURN elementId(i) AS invoice, elementId(p) AS payment",
                Json::array(), invoiceProfile(), 146});
}

// A WHERE after WITH belongs to the next part, as in drasi-core; when that part aggregates, a
// time function's state is its group's (README), which this harness does not model: the part here
// projects.
TEST_CASE("differential: drasi.trueFor in the WHERE of a WITH", "[differential]") {
    checkTimed({"trueFor after WITH", "MATCH (n:Sensor) WITH n WHERE drasi.trueFor(n.v > 40, duration({seconds: 10})) "
                                      "RETURN elementId(n) AS id, n.zone AS zone",
                Json::array(), sensorProfile(), 147});
}

TEST_CASE("differential: arithmetic over aggregates, count of a CASE without ELSE", "[differential]") {
    check({"aggregate arithmetic", "MATCH (r:Room)-[:PART_OF]->(f:Floor) "
                                   "RETURN elementId(f) AS floor, sum(r.v) / count(r) AS mean, max(r.v) - min(r.v) AS spread, "
                                   "count(CASE WHEN r.v > 50 THEN 1 END) AS hot",
           Json::array(), buildingProfile(), 148});
}

TEST_CASE("differential: a collected list's size, and a keyless HAVING", "[differential]") {
    check({"collected size", "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f, collect(r.v) AS vs "
                             "RETURN elementId(f) AS floor, size(vs) AS n, reduce(acc = 0, x IN vs | acc + coalesce(x, 0)) AS total",
           Json::array(), buildingProfile(), 149});
    check({"keyless having", "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH count(r) AS n, avg(r.v) AS mean WHERE n > 2 "
                             "RETURN n, mean",
           Json::array(), buildingProfile(), 150});
}

TEST_CASE("differential: string predicates with nulls, list indexing and slicing", "[differential]") {
    check({"string predicates", "MATCH (n:Sensor) WHERE n.name STARTS WITH 'a' OR n.name CONTAINS 'c' OR n.name ENDS WITH 'x' "
                                "RETURN elementId(n) AS id, [n.v, n.w, n.zone][1] AS second, [n.v, n.w, n.zone][1..] AS rest, "
                                "n.name IN ['a', 'b'] AS early",
           Json::array(), sensorProfile(), 151});
}

TEST_CASE("differential: drasi.last and drasi.linearGradient per group", "[differential]") {
    check({"drasi aggregates", "MATCH (r:Room)-[:PART_OF]->(f:Floor) WHERE r.v IS NOT NULL "
                               "RETURN elementId(f) AS floor, count(r) AS n",
           Json::array(), buildingProfile(), 152});
}

// Batches: one transaction and one set of diffs for several changes, which may touch one row or
// group several times (an insert and its update, a relation and its end node).
TEST_CASE("differential: batches of changes", "[differential]") {
    checkBatched({"1-hop", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) RETURN elementId(r) AS room, elementId(p) AS rel, f.name AS floor, p.w AS w",
                  Json::array(), buildingProfile(), 201});
    checkBatched({"grouped aggregation", "MATCH (r:Room)-[:PART_OF]->(f:Floor) RETURN f.name AS floor, count(r) AS n, sum(r.v) AS total, "
                                         "avg(r.v) AS mean, min(r.v) AS lo, max(r.v) AS hi",
                  Json::array(), buildingProfile(), 202});
    checkBatched({"having", "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f.name AS floor, avg(r.v) AS mean, count(r) AS n "
                            "WHERE mean > 30 RETURN floor, mean, n",
                  Json::array(), buildingProfile(), 203});
    checkBatched({"two optional matches", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) "
                                          "OPTIONAL MATCH (i)<-[:REFUNDS]-(r:Payment) "
                                          "RETURN elementId(i) AS invoice, elementId(p) AS paid, elementId(r) AS refunded",
                  Json::array(), invoiceProfile(), 204});
    checkBatched({"optional match aggregated", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) "
                                               "RETURN elementId(i) AS invoice, count(p) AS payments, sum(p.v) AS paid",
                  Json::array(), invoiceProfile(), 205});
    checkBatched({"join", "MATCH (e:Equipment)-[:HAS_SENSOR]->(s:Sensor) RETURN elementId(e) AS equipment, e.name AS name, "
                          "elementId(s) AS sensor, s.v AS v",
                  kHasSensor, equipmentProfile(), 206});
    checkBatched({"aggregation over aggregation",
                  "MATCH (r:Room)-[:PART_OF]->(f:Floor)-[:PART_OF]->(b:Building) "
                  "WITH b, elementId(f) AS floorId, avg(r.v) AS floorLevel "
                  "RETURN elementId(b) AS building, avg(floorLevel) AS level, count(floorId) AS floors",
                  Json::array(), buildingProfile(), 207});
    checkBatched({"comma join", "MATCH (a:Room)-[:PART_OF]->(f:Floor), (b:Room)-[:PART_OF]->(f) WHERE a.v < b.v "
                                "RETURN elementId(a) AS low, elementId(b) AS high, elementId(f) AS floor",
                  Json::array(), buildingProfile(), 208});
}

TEST_CASE("differential: a null grouping key and IS NULL", "[differential]") {
    check({"null grouping key", "MATCH (r:Room)-[p:PART_OF|NEAR]->(f) WHERE r.name IS NULL OR f.name IS NULL "
                                "RETURN r.name AS room, f.name AS target, count(p) AS links, type(p) AS kind",
           Json::array(), buildingProfile(), 154});
}

TEST_CASE("differential: a relation's label and ends in the result, grouped by the relation's type", "[differential]") {
    check({"relation type groups", "MATCH (a)-[k]->(b) WHERE a.v IS NOT NULL "
                                   "RETURN type(k) AS kind, count(k) AS n, sum(a.v) AS total, max(b.v) AS top",
           Json::array(), peopleProfile(), 155});
}

// Persistence: every 10 steps the engine is closed and a new one opened on the same SQLite file,
// which restores the query (its elements, accumulators, sorted sets, joins, futures, live rows)
// from the file alone, folded or replayed from the journal on alternate openings.
TEST_CASE("differential: reopened from the SQLite file", "[differential]") {
    if (storageKinds().size() < 2) return;  // a build without SQLite
    checkReopened({"grouped aggregation", "MATCH (r:Room)-[:PART_OF]->(f:Floor) RETURN f.name AS floor, count(r) AS n, "
                                          "sum(r.v) AS total, avg(r.v) AS mean, min(r.v) AS lo, max(r.v) AS hi",
                   Json::array(), buildingProfile(), 301});
    checkReopened({"two optional matches", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) "
                                           "OPTIONAL MATCH (i)<-[:REFUNDS]-(r:Payment) "
                                           "RETURN elementId(i) AS invoice, elementId(p) AS paid, elementId(r) AS refunded",
                   Json::array(), invoiceProfile(), 302});
    checkReopened({"join", "MATCH (e:Equipment)-[:HAS_SENSOR]->(s:Sensor) RETURN elementId(e) AS equipment, e.name AS name, "
                           "elementId(s) AS sensor, s.v AS v",
                   kHasSensor, equipmentProfile(), 303});
    checkReopened({"aggregation over aggregation",
                   "MATCH (r:Room)-[:PART_OF]->(f:Floor)-[:PART_OF]->(b:Building) "
                   "WITH b, elementId(f) AS floorId, avg(r.v) AS floorLevel "
                   "RETURN elementId(b) AS building, avg(floorLevel) AS level, count(floorId) AS floors",
                   Json::array(), buildingProfile(), 304});
    checkReopened({"collect", "MATCH (p:Person)-[:MEMBER]->(t:Team) RETURN elementId(t) AS team, collect(p.name) AS members, count(p) AS n",
                   Json::array(), peopleProfile(), 305});
    Shape timed{"trueFor path", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) WHERE drasi.trueFor(r.v > 40, duration({seconds: 10})) "
                                "RETURN elementId(r) AS room, elementId(p) AS rel, f.name AS floor, r.v AS v",
                Json::array(), buildingProfile(), 306};
    timed.timed = true;
    timed.steps = 150;
    checkReopened(timed);
}

TEST_CASE("differential: change times in rows and temporal arithmetic", "[differential]") {
    check({"change times", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) "
                           "RETURN elementId(r) AS room, drasi.changeDateTime(r) AS changed, "
                           "duration.between(drasi.changeDateTime(f), drasi.changeDateTime(r)).seconds AS lag, "
                           "drasi.changeDateTime(p) > drasi.changeDateTime(r) AS relLater",
           Json::array(), buildingProfile(), 156});
}

TEST_CASE("differential: three parts, an aggregate in the middle", "[differential]") {
    check({"three parts", "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f, count(r) AS rooms, sum(r.v) AS total "
                          "WITH elementId(f) AS floor, rooms, total, f.name AS name WHERE rooms >= 1 "
                          "RETURN floor, name, total / rooms AS mean, rooms * 2 AS doubled",
           Json::array(), buildingProfile(), 158});
    check({"group of groups", "MATCH (r:Room)-[:PART_OF]->(f:Floor) WITH f.name AS name, count(r) AS rooms "
                              "RETURN rooms, count(name) AS floors",
           Json::array(), buildingProfile(), 159});
}

TEST_CASE("differential: a synthetic join feeding an aggregate and a WITH filter", "[differential]") {
    check({"join aggregated", "MATCH (e:Equipment)-[:HAS_SENSOR]->(s:Sensor) WITH e, avg(s.v) AS mean, count(s) AS n "
                              "WHERE n > 1 RETURN elementId(e) AS equipment, e.name AS name, mean, n",
           kHasSensor, equipmentProfile(), 160});
}

// openCypher binds distinct relationships within one MATCH clause: a team of one gives no pair
// (a, a), and a person in a team through two relations pairs with themself twice. Separate MATCH
// clauses may bind one relationship twice.
TEST_CASE("differential: relationship uniqueness within a clause", "[differential]") {
    check({"team pairs", "MATCH (a:Person)-[:MEMBER]->(t:Team), (b:Person)-[:MEMBER]->(t) "
                         "RETURN elementId(a) AS a, elementId(b) AS b, elementId(t) AS team",
           Json::array(), peopleProfile(), 161});
    check({"team pairs, two clauses", "MATCH (a:Person)-[:MEMBER]->(t:Team) MATCH (b:Person)-[:MEMBER]->(t) "
                                      "RETURN elementId(a) AS a, elementId(b) AS b, count(*) AS n",
           Json::array(), peopleProfile(), 162});
    check({"undirected triangle walk", "MATCH (a:Person)-[x:KNOWS]-(b:Person)-[y:KNOWS]-(c:Person)-[z:KNOWS]-(a) "
                                       "RETURN elementId(a) AS a, count(*) AS walks",
           Json::array(), peopleProfile(), 163});
}

// Patterns where several slots may hold one node: cycles, diamonds, stars, and an unlabelled
// middle node (the triangle above found a relation checked against one end only).
TEST_CASE("differential: cycles, diamonds and stars", "[differential]") {
    check({"directed square", "MATCH (a:Person)-[:KNOWS]->(b:Person)-[:KNOWS]->(c:Person)-[:KNOWS]->(d:Person)-[:KNOWS]->(a) "
                              "RETURN elementId(a) AS a, count(*) AS cycles",
           Json::array(), peopleProfile(), 164});
    check({"diamond", "MATCH (a:Person)-[:KNOWS]->(b:Person)-[:KNOWS]->(d:Person), (a)-[:KNOWS]->(c:Person)-[:KNOWS]->(d) "
                      "RETURN elementId(a) AS a, elementId(b) AS b, elementId(c) AS c, elementId(d) AS d",
           Json::array(), peopleProfile(), 165});
    check({"star", "MATCH (t:Team)<-[:MEMBER]-(a:Person), (t)<-[:MEMBER]-(b:Person), (t)<-[:MEMBER]-(c:Person) "
                   "RETURN elementId(t) AS team, count(*) AS triples",
           Json::array(), peopleProfile(), 166});
    check({"friend in my team", "MATCH (a:Person)-[:KNOWS]-(b:Person)-[:MEMBER]->(t:Team)<-[:MEMBER]-(a) "
                                "RETURN elementId(a) AS a, elementId(b) AS b, elementId(t) AS team",
           Json::array(), peopleProfile(), 167});
    check({"unlabelled middle", "MATCH (a:Person)-[]-(m)-[]-(b:Team) "
                                "RETURN elementId(a) AS a, elementId(m) AS m, count(*) AS n",
           Json::array(), peopleProfile(), 168});
}

// (n:A:B) and n:A in expressions (openCypher; drasi-core has neither). Updates relabel nodes.
TEST_CASE("differential: every label of a pattern and label predicates", "[differential]") {
    Profile twoLabelled = buildingProfile();
    twoLabelled.twoLabels = 0.4;  // 0.08 gave the first shape 3 diffs in 1,000 changes
    check({"all labels", "MATCH (r:Room:Floor)-[p:PART_OF|NEAR]->(f) "
                         "RETURN elementId(r) AS r, elementId(f) AS f, r.v AS v",
           Json::array(), twoLabelled, 169});
    check({"label predicates", "MATCH (a)-[k]->(b) WHERE a:Room OR b:Floor:Building "
                               "RETURN elementId(k) AS k, a:Floor AS af, NOT b:Room AS nbr, k:NEAR AS near",
           Json::array(), buildingProfile(), 170});
    check({"grouped by a label", "MATCH (r:Room)-[:PART_OF]->(f) RETURN f:Floor AS isFloor, f:Building AS isBuilding, "
                                 "count(r) AS n, sum(r.v) AS total",
           Json::array(), buildingProfile(), 171});
}

// agg(DISTINCT x): a value counts once per group however many rows carry it, and leaves the
// aggregate only with its last row.
TEST_CASE("differential: DISTINCT inside aggregates", "[differential]") {
    check({"distinct aggregates", "MATCH (r:Room)-[:PART_OF]->(f:Floor) "
                                  "RETURN f.name AS floor, count(DISTINCT r.name) AS names, count(DISTINCT r.v) AS values, "
                                  "sum(DISTINCT r.v) AS total, avg(DISTINCT r.v) AS mean, min(DISTINCT r.v) AS lo, "
                                  "max(DISTINCT r.v) AS hi, collect(DISTINCT r.name) AS nameList, count(r) AS rooms",
           Json::array(), buildingProfile(), 172});
    checkBatched({"distinct aggregates", "MATCH (r:Room)-[:PART_OF]->(f:Floor) "
                                         "RETURN f.name AS floor, count(DISTINCT r.name) AS names, sum(DISTINCT r.v) AS total",
                  Json::array(), buildingProfile(), 173});
    checkReopened({"distinct aggregates", "MATCH (p:Person)-[:MEMBER]->(t:Team) "
                                          "RETURN elementId(t) AS team, count(DISTINCT p.name) AS names, collect(DISTINCT p.name) AS list",
                   Json::array(), peopleProfile(), 174});
}

// WITH DISTINCT / RETURN DISTINCT: a row shows while any input row makes it, updates in place
// when only an element's properties change (elements are distinct by identity).
TEST_CASE("differential: DISTINCT rows", "[differential]") {
    check({"distinct rows", "MATCH (r:Room)-[:PART_OF|NEAR]->(f:Floor) RETURN DISTINCT f.name AS floor, r.name AS room",
           Json::array(), buildingProfile(), 175});
    check({"distinct elements", "MATCH (r:Room)-[:PART_OF]->(f:Floor) RETURN DISTINCT f",
           Json::array(), buildingProfile(), 176});
    check({"distinct then aggregate", "MATCH (r:Room)-[:PART_OF|NEAR]->(f:Floor) WITH DISTINCT f, r.name AS name "
                                      "RETURN elementId(f) AS floor, count(name) AS names, count(*) AS rows",
           Json::array(), buildingProfile(), 177});
    check({"distinct then filter", "MATCH (a:Person)-[:KNOWS]-(b:Person) WITH DISTINCT a.name AS name, b.name AS other "
                                   "WHERE name < other RETURN name, other",
           Json::array(), peopleProfile(), 178});
    checkBatched({"distinct rows", "MATCH (r:Room)-[:PART_OF|NEAR]->(f:Floor) RETURN DISTINCT f.name AS floor, r.name AS room",
                  Json::array(), buildingProfile(), 179});
    checkReopened({"distinct rows", "MATCH (p:Person)-[:MEMBER]->(t:Team) WITH DISTINCT t, p.name AS name "
                                    "RETURN elementId(t) AS team, name",
                   Json::array(), peopleProfile(), 180});
}

// min and max of strings, and of strings mixed with numbers (openCypher orders strings below
// numbers); drasi-core refuses strings.
TEST_CASE("differential: min and max of strings", "[differential]") {
    check({"string extremes", "MATCH (p:Person)-[:MEMBER]->(t:Team) "
                              "RETURN elementId(t) AS team, min(p.name) AS first, max(p.name) AS last, "
                              "max(coalesce(p.v, p.name)) AS mixedMax, min(coalesce(p.name, p.v)) AS mixedMin",
           Json::array(), peopleProfile(), 181});
    checkReopened({"string extremes", "MATCH (p:Person)-[:MEMBER]->(t:Team) "
                                      "RETURN elementId(t) AS team, min(p.name) AS first, max(coalesce(p.v, p.name)) AS mixedMax",
                   Json::array(), peopleProfile(), 182});
}

// The new forms together and with OPTIONAL MATCH, where null rows and blank groups meet DISTINCT.
TEST_CASE("differential: DISTINCT and labels with OPTIONAL MATCH", "[differential]") {
    check({"optional distinct", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) "
                                "RETURN DISTINCT elementId(i) AS invoice, p IS NULL AS unpaid",
           Json::array(), invoiceProfile(), 183});
    check({"distinct then keyless count", "MATCH (a:Person)-[:KNOWS]-(b:Person) WITH DISTINCT a RETURN count(*) AS people",
           Json::array(), peopleProfile(), 184});
    check({"optional label predicate", "MATCH (r:Room) OPTIONAL MATCH (r)-[:PART_OF]->(f) "
                                       "RETURN elementId(r) AS room, f:Floor AS onFloor, count(DISTINCT f.name) AS names",
           Json::array(), buildingProfile(), 185});
}

// stDev and stDevP (openCypher), kept incrementally by Welford's method, against two passes.
TEST_CASE("differential: standard deviations", "[differential]") {
    check({"standard deviations", "MATCH (r:Room)-[:PART_OF]->(f:Floor) "
                                  "RETURN f.name AS floor, stDev(r.v) AS sample, stDevP(r.v) AS population, "
                                  "stDev(DISTINCT r.v) AS distinctSample, count(r.v) AS n",
           Json::array(), buildingProfile(), 186});
    checkReopened({"standard deviations", "MATCH (r:Room)-[:PART_OF]->(f:Floor) "
                                          "RETURN f.name AS floor, stDev(r.v) AS sample, stDevP(r.v) AS population",
                   Json::array(), buildingProfile(), 187});
}

// UNWIND: rows per element, paired by position on update; into an aggregate, a filter and a
// non-list value. The building profile's names and numbers make the lists.
TEST_CASE("differential: UNWIND", "[differential]") {
    check({"unwind rows", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) UNWIND [r.name, f.name, p.w] AS x "
                          "RETURN elementId(r) AS room, elementId(f) AS floor, x",
           Json::array(), buildingProfile(), 188});
    check({"unwind aggregated", "MATCH (r:Room)-[:PART_OF]->(f:Floor) UNWIND range(0, toInteger(coalesce(r.v, 0)) % 4) AS i "
                                "RETURN f.name AS floor, i, count(*) AS n, sum(i) AS total",
           Json::array(), buildingProfile(), 189});
    check({"unwind filtered", "MATCH (a:Person)-[:KNOWS]->(b:Person) WITH a, collect(b.name) AS names "
                              "UNWIND names AS name WITH a, name WHERE name IS NOT NULL AND name <> 'cy' "
                              "RETURN elementId(a) AS person, name",
           Json::array(), peopleProfile(), 190});
    check({"unwind scalar", "MATCH (n:Sensor) UNWIND n.v AS v RETURN elementId(n) AS id, v",
           Json::array(), sensorProfile(), 191});
    checkBatched({"unwind rows", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) UNWIND [r.name, f.name] AS x "
                                 "RETURN elementId(r) AS room, x",
                  Json::array(), buildingProfile(), 192});
    checkReopened({"unwind aggregated", "MATCH (r:Room)-[:PART_OF]->(f:Floor) UNWIND range(0, toInteger(coalesce(r.v, 0)) % 3) AS i "
                                        "RETURN f.name AS floor, count(*) AS n",
                   Json::array(), buildingProfile(), 193});
}

// A time function after UNWIND keeps its state per unwound row (input row and position).
TEST_CASE("differential: drasi.trueFor after UNWIND", "[differential]") {
    checkTimed({"trueFor after UNWIND", "MATCH (r:Room)-[p:PART_OF]->(f:Floor) UNWIND [r.v, p.w * 10] AS x "
                                        "WITH r, x WHERE drasi.trueFor(x > 40, duration({seconds: 10})) "
                                        "RETURN elementId(r) AS room, x",
                Json::array(), buildingProfile(), 194});
}

// percentileCont and percentileDisc (openCypher), read from a counted sorted set.
TEST_CASE("differential: percentiles", "[differential]") {
    check({"percentiles", "MATCH (r:Room)-[:PART_OF]->(f:Floor) "
                          "RETURN f.name AS floor, percentileCont(r.v, 0.5) AS median, percentileCont(r.v, 0.9) AS p90, "
                          "percentileDisc(r.v, 0.5) AS discMedian, percentileDisc(r.v, 0) AS lowest, "
                          "percentileDisc(toInteger(r.v), 1.0) AS highest, count(r.v) AS n",
           Json::array(), buildingProfile(), 195});
    checkReopened({"percentiles", "MATCH (r:Room)-[:PART_OF]->(f:Floor) "
                                  "RETURN f.name AS floor, percentileCont(r.v, 0.25) AS q1, percentileDisc(r.v, 0.75) AS q3",
                   Json::array(), buildingProfile(), 196});
}

// Pattern predicates in the MATCH's WHERE: existence, not a join (one row whatever the number of
// matches), negated, with new local variables, next to OPTIONAL MATCH and under aggregation.
TEST_CASE("differential: pattern predicates", "[differential]") {
    check({"unpaid invoices", "MATCH (i:Invoice) WHERE NOT (i)<-[:PAYS]-(:Payment) RETURN elementId(i) AS invoice, i.v AS v",
           Json::array(), invoiceProfile(), 197});
    check({"people who know someone", "MATCH (a:Person)-[:MEMBER]->(t:Team) WHERE exists((a)-[:KNOWS]->(:Person)) OR a.v > 30 "
                                      "RETURN elementId(a) AS a, elementId(t) AS team",
           Json::array(), peopleProfile(), 198});
    check({"predicate between bound nodes", "MATCH (a:Person)-[:MEMBER]->(t:Team), (b:Person)-[:MEMBER]->(t) "
                                            "WHERE a.name < b.name AND NOT (a)-[:KNOWS]-(b) "
                                            "RETURN elementId(a) AS a, elementId(b) AS b",
           Json::array(), peopleProfile(), 199});
    check({"predicate aggregated", "MATCH (r:Room)-[:PART_OF]->(f:Floor) WHERE (r)-[:NEAR]->(:Floor) "
                                   "RETURN f.name AS floor, count(r) AS nearRooms",
           Json::array(), buildingProfile(), 200});
    check({"predicate and optional", "MATCH (i:Invoice) OPTIONAL MATCH (i)<-[:PAYS]-(p:Payment) "
                                     "WHERE (i)<-[:REFUNDS]-(:Payment) "
                                     "RETURN elementId(i) AS invoice, elementId(p) AS payment",
           Json::array(), invoiceProfile(), 201});
    checkBatched({"unpaid invoices", "MATCH (i:Invoice) WHERE NOT (i)<-[:PAYS]-(:Payment) RETURN elementId(i) AS invoice",
                  Json::array(), invoiceProfile(), 202});
    checkReopened({"people who know someone", "MATCH (a:Person) WHERE (a)-[:KNOWS]->()-[:KNOWS]->(a) RETURN elementId(a) AS a",
                   Json::array(), peopleProfile(), 203});
}
