// SPDX-License-Identifier: MIT
// JSONPath parser and evaluator (see json_path.h for the supported subset). A path is parsed once,
// when the middleware is built, into a list of steps; evaluation walks cq::Value maps and lists.
#include "core/middleware/json_path.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <regex>

#include "core/common/error.h"
#include "core/common/utf8.h"

namespace cq::mw {

namespace {

enum class StepKind : uint8_t { Child, Wildcard, Index, Slice, Keys, Indexes, Descent, DescentAll, Filter, Length };
enum class CompareOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, Regex, In, Nin, Size, AnyOf, NoneOf, SubsetOf };
enum class FilterKind : uint8_t { Or, And, Not, Compare, Exists };

}  // namespace

struct FilterExpr;

struct JsonPathStep {
    StepKind kind = StepKind::Child;
    std::string name;                 ///< Child, Descent
    std::vector<std::string> names;   ///< Keys
    std::vector<int64_t> indexes;     ///< Index (one entry), Indexes
    std::optional<int64_t> sliceStart;
    std::optional<int64_t> sliceEnd;
    int64_t sliceStep = 1;
    std::shared_ptr<const FilterExpr> filter;
};

namespace {

struct Operand {
    bool isPath = false;
    bool fromRoot = false;  ///< `$...` rather than `@...`
    std::vector<JsonPathStep> steps;
    Value literal;
};

}  // namespace

struct FilterExpr {
    FilterKind kind = FilterKind::Exists;
    std::shared_ptr<const FilterExpr> left;   ///< Or, And, Not
    std::shared_ptr<const FilterExpr> right;  ///< Or, And
    CompareOp op = CompareOp::Eq;
    Operand a;  ///< Compare, Exists
    Operand b;  ///< Compare
};

namespace {

using Values = std::vector<Value>;
using FilterPtr = std::shared_ptr<const FilterExpr>;

class Parser {
public:
    explicit Parser(const std::string& text) : text_(text) {}

    std::vector<JsonPathStep> parsePath() {
        skipWs();
        if (!eat('$')) fail("a JSONPath must start with '$'");
        std::vector<JsonPathStep> steps = parseSteps();
        skipWs();
        if (pos_ < text_.size()) fail(std::string("unexpected '") + text_[pos_] + "'");
        return steps;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorCode::InvalidConfig,
                    "invalid JSONPath '" + text_ + "': " + what + " at position " + std::to_string(pos_ + 1));
    }

    char peek(size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    bool eatWord(const char* word) {
        size_t n = std::char_traits<char>::length(word);
        if (text_.compare(pos_, n, word) != 0) return false;
        pos_ += n;
        return true;
    }
    void expect(char c) {
        if (!eat(c)) fail(std::string("expected '") + c + "'");
    }
    void skipWs() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }

    static bool isNameChar(char c) {
        static const std::string kStops = ".[]()'\"=!<>&|,~@*?: \t\r\n";
        return c != '\0' && kStops.find(c) == std::string::npos;
    }

    std::string readName() {
        size_t start = pos_;
        while (isNameChar(peek())) ++pos_;
        if (pos_ == start) fail("expected a property name");
        return text_.substr(start, pos_ - start);
    }

    std::vector<JsonPathStep> parseSteps() {
        std::vector<JsonPathStep> steps;
        for (;;) {
            size_t save = pos_;
            skipWs();
            if (peek() == '.' && peek(1) == '.') {
                pos_ += 2;
                steps.push_back(parseDescent());
            } else if (peek() == '.') {
                ++pos_;
                steps.push_back(parseDot());
            } else if (peek() == '[') {
                steps.push_back(parseBracket());
            } else {
                pos_ = save;
                return steps;
            }
        }
    }

    JsonPathStep parseDescent() {
        JsonPathStep step;
        if (eat('*')) {
            step.kind = StepKind::DescentAll;
        } else if (peek() == '[') {
            ++pos_;
            skipWs();
            step.kind = StepKind::Descent;
            step.name = readQuoted();
            skipWs();
            expect(']');
        } else {
            step.kind = StepKind::Descent;
            step.name = readName();
        }
        return step;
    }

    JsonPathStep parseDot() {
        JsonPathStep step;
        if (eat('*')) {
            step.kind = StepKind::Wildcard;
        } else if (peek() == '[') {
            return parseBracket();
        } else if (eatWord("length()")) {
            step.kind = StepKind::Length;
        } else {
            step.kind = StepKind::Child;
            step.name = readName();
        }
        return step;
    }

    JsonPathStep parseBracket() {
        expect('[');
        skipWs();
        JsonPathStep step;
        if (eat('*')) {
            step.kind = StepKind::Wildcard;
        } else if (eat('?')) {
            skipWs();
            expect('(');
            step.kind = StepKind::Filter;
            step.filter = parseOr();
            skipWs();
            expect(')');
        } else if (peek() == '\'' || peek() == '"') {
            step.names.push_back(readQuoted());
            skipWs();
            while (eat(',')) {
                skipWs();
                step.names.push_back(readQuoted());
                skipWs();
            }
            if (step.names.size() == 1) {
                step.kind = StepKind::Child;
                step.name = step.names[0];
                step.names.clear();
            } else {
                step.kind = StepKind::Keys;
            }
        } else {
            parseIndexOrSlice(step);
        }
        skipWs();
        expect(']');
        return step;
    }

    std::optional<int64_t> readInt() {
        size_t start = pos_;
        if (peek() == '-') ++pos_;
        if (!std::isdigit(static_cast<unsigned char>(peek()))) {
            pos_ = start;
            return std::nullopt;
        }
        while (std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
        return std::strtoll(text_.c_str() + start, nullptr, 10);
    }

    void parseIndexOrSlice(JsonPathStep& step) {
        std::optional<int64_t> first = readInt();
        skipWs();
        if (peek() == ':') {
            step.kind = StepKind::Slice;
            step.sliceStart = first;
            ++pos_;
            skipWs();
            step.sliceEnd = readInt();
            skipWs();
            if (eat(':')) {
                skipWs();
                std::optional<int64_t> s = readInt();
                if (!s || *s <= 0) fail("a slice step must be a positive integer");
                step.sliceStep = *s;
            }
            return;
        }
        if (!first) fail("expected '*', '?(', a quoted name, an index or a slice inside '[]'");
        step.indexes.push_back(*first);
        while (eat(',')) {
            skipWs();
            std::optional<int64_t> next = readInt();
            if (!next) fail("expected an index after ','");
            step.indexes.push_back(*next);
            skipWs();
        }
        step.kind = step.indexes.size() == 1 ? StepKind::Index : StepKind::Indexes;
    }

    std::string readQuoted() {
        char quote = peek();
        if (quote != '\'' && quote != '"') fail("expected a quoted string");
        ++pos_;
        std::string out;
        for (;;) {
            if (pos_ >= text_.size()) fail("unterminated string");
            char c = text_[pos_++];
            if (c == quote) return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= text_.size()) fail("unterminated string");
            char e = text_[pos_++];
            switch (e) {
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    if (pos_ + 4 > text_.size()) fail("bad \\u escape");
                    uint32_t cp = 0;
                    for (int i = 0; i < 4; ++i) {
                        char h = text_[pos_++];
                        if (!std::isxdigit(static_cast<unsigned char>(h))) fail("bad \\u escape");
                        cp = cp * 16 + uint32_t(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
                    }
                    appendUtf8(out, cp);
                    break;
                }
                default: out += e; break;  // \' \" \\ \/ \( \)
            }
        }
    }

    FilterPtr parseOr() {
        FilterPtr left = parseAnd();
        for (;;) {
            skipWs();
            if (!eatWord("||")) return left;
            auto node = std::make_shared<FilterExpr>();
            node->kind = FilterKind::Or;
            node->left = left;
            node->right = parseAnd();
            left = node;
        }
    }

    FilterPtr parseAnd() {
        FilterPtr left = parseNot();
        for (;;) {
            skipWs();
            if (!eatWord("&&")) return left;
            auto node = std::make_shared<FilterExpr>();
            node->kind = FilterKind::And;
            node->left = left;
            node->right = parseNot();
            left = node;
        }
    }

    FilterPtr parseNot() {
        skipWs();
        if (peek() == '!' && peek(1) != '=') {
            ++pos_;
            auto node = std::make_shared<FilterExpr>();
            node->kind = FilterKind::Not;
            node->left = parseAtom();
            return node;
        }
        return parseAtom();
    }

    FilterPtr parseAtom() {
        skipWs();
        if (eat('(')) {
            FilterPtr inner = parseOr();
            skipWs();
            expect(')');
            return inner;
        }
        auto node = std::make_shared<FilterExpr>();
        node->a = parseOperand();
        skipWs();
        std::optional<CompareOp> op = parseCompareOp();
        if (!op) {
            node->kind = FilterKind::Exists;
            return node;
        }
        node->kind = FilterKind::Compare;
        node->op = *op;
        skipWs();
        node->b = parseOperand();
        return node;
    }

    std::optional<CompareOp> parseCompareOp() {
        static const std::pair<const char*, CompareOp> kSymbols[] = {
            {"==", CompareOp::Eq}, {"!=", CompareOp::Ne}, {"~=", CompareOp::Regex}, {">=", CompareOp::Ge},
            {"<=", CompareOp::Le}, {">", CompareOp::Gt},  {"<", CompareOp::Lt}};
        for (const auto& [text, op] : kSymbols) {
            if (eatWord(text)) return op;
        }
        static const std::pair<const char*, CompareOp> kWords[] = {
            {"nin", CompareOp::Nin},       {"in", CompareOp::In},         {"size", CompareOp::Size},
            {"noneOf", CompareOp::NoneOf}, {"anyOf", CompareOp::AnyOf},   {"subsetOf", CompareOp::SubsetOf}};
        for (const auto& [text, op] : kWords) {
            size_t n = std::char_traits<char>::length(text);
            if (text_.compare(pos_, n, text) == 0 && !std::isalnum(static_cast<unsigned char>(peek(n)))) {
                pos_ += n;
                return op;
            }
        }
        return std::nullopt;
    }

    Operand parseOperand() {
        Operand operand;
        char c = peek();
        if (c == '@' || c == '$') {
            ++pos_;
            operand.isPath = true;
            operand.fromRoot = c == '$';
            operand.steps = parseSteps();
            return operand;
        }
        if (c == '\'' || c == '"') {
            operand.literal = Value(readQuoted());
            return operand;
        }
        if (eatWord("true")) {
            operand.literal = Value(true);
            return operand;
        }
        if (eatWord("false")) {
            operand.literal = Value(false);
            return operand;
        }
        if (eatWord("null")) return operand;
        if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
            size_t start = pos_;
            if (c == '-') ++pos_;
            bool isFloat = false;
            while (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '.' || peek() == 'e' ||
                   peek() == 'E' || ((peek() == '+' || peek() == '-') && (text_[pos_ - 1] == 'e' || text_[pos_ - 1] == 'E'))) {
                if (!std::isdigit(static_cast<unsigned char>(peek()))) isFloat = true;
                ++pos_;
            }
            std::string number = text_.substr(start, pos_ - start);
            char* end = nullptr;
            if (isFloat) {
                double d = std::strtod(number.c_str(), &end);
                if (*end != '\0') fail("bad number '" + number + "'");
                operand.literal = Value(d);
            } else {
                int64_t i = std::strtoll(number.c_str(), &end, 10);
                if (*end != '\0' || number == "-") fail("bad number '" + number + "'");
                operand.literal = Value(i);
            }
            return operand;
        }
        fail("expected '@', '$', a string, a number, true, false or null in a filter");
    }

    const std::string& text_;
    size_t pos_ = 0;
};

// ---- evaluation ----

void evalSteps(const std::vector<JsonPathStep>& steps, const Value& start, const Value& root, Values& out);
bool testFilter(const FilterExpr& f, const Value& current, const Value& root);

void pushChildren(const Value& node, Values& out) {
    if (node.isMap()) {
        for (const auto& entry : node.asMap()) out.push_back(entry.second);
    } else if (node.isList()) {
        for (const Value& v : node.asList()) out.push_back(v);
    }
}

void descendByName(const Value& node, const std::string& name, Values& out) {
    if (node.isMap()) {
        const Map& m = node.asMap();
        if (auto it = m.find(name); it != m.end()) out.push_back(it->second);
        for (const auto& entry : m) descendByName(entry.second, name, out);
    } else if (node.isList()) {
        for (const Value& v : node.asList()) descendByName(v, name, out);
    }
}

void descendAll(const Value& node, Values& out) {
    auto visit = [&out](const Value& child) {
        out.push_back(child);
        descendAll(child, out);
    };
    if (node.isMap()) {
        for (const auto& entry : node.asMap()) visit(entry.second);
    } else if (node.isList()) {
        for (const Value& v : node.asList()) visit(v);
    }
}

void pushIndex(const Value& node, int64_t index, Values& out) {
    if (!node.isList()) return;
    const List& list = node.asList();
    int64_t n = int64_t(list.size());
    if (index < 0) index += n;
    if (index >= 0 && index < n) out.push_back(list[size_t(index)]);
}

void applyStep(const JsonPathStep& step, const Value& node, const Value& root, Values& out) {
    switch (step.kind) {
        case StepKind::Child:
            if (node.isMap()) {
                const Map& m = node.asMap();
                if (auto it = m.find(step.name); it != m.end()) out.push_back(it->second);
            }
            break;
        case StepKind::Keys:
            if (node.isMap()) {
                const Map& m = node.asMap();
                for (const std::string& name : step.names) {
                    if (auto it = m.find(name); it != m.end()) out.push_back(it->second);
                }
            }
            break;
        case StepKind::Wildcard: pushChildren(node, out); break;
        case StepKind::Index:
        case StepKind::Indexes:
            for (int64_t i : step.indexes) pushIndex(node, i, out);
            break;
        case StepKind::Slice: {
            if (!node.isList()) break;
            const List& list = node.asList();
            int64_t n = int64_t(list.size());
            auto norm = [n](int64_t i) { return i < 0 ? std::max<int64_t>(0, i + n) : std::min(i, n); };
            int64_t from = step.sliceStart ? norm(*step.sliceStart) : 0;
            int64_t to = step.sliceEnd ? norm(*step.sliceEnd) : n;
            for (int64_t i = from; i < to; i += step.sliceStep) out.push_back(list[size_t(i)]);
            break;
        }
        case StepKind::Descent: descendByName(node, step.name, out); break;
        case StepKind::DescentAll: descendAll(node, out); break;
        case StepKind::Filter:
            // jsonpath-rust 0.5 (path/index.rs FilterPath): an array's elements are filtered; any other
            // value is tested itself.
            if (node.isList()) {
                for (const Value& v : node.asList()) {
                    if (testFilter(*step.filter, v, root)) out.push_back(v);
                }
            } else if (testFilter(*step.filter, node, root)) {
                out.push_back(node);
            }
            break;
        case StepKind::Length:
            if (node.isList()) out.push_back(Value(int64_t(node.asList().size())));
            break;
    }
}

void evalSteps(const std::vector<JsonPathStep>& steps, const Value& start, const Value& root, Values& out) {
    Values current{start};
    for (const JsonPathStep& step : steps) {
        Values next;
        for (const Value& node : current) applyStep(step, node, root, next);
        current.swap(next);
        if (current.empty()) break;
    }
    for (Value& v : current) out.push_back(std::move(v));
}

Values operandValues(const Operand& operand, const Value& current, const Value& root) {
    Values out;
    if (!operand.isPath) {
        out.push_back(operand.literal);
        return out;
    }
    evalSteps(operand.steps, operand.fromRoot ? root : current, root, out);
    return out;
}

// The comparison rules follow jsonpath-rust 0.5 (path/json.rs): == compares the two result lists
// element-wise (two empty lists are equal); < and > need exactly one number on each side.
bool listsEqual(const Values& l, const Values& r) {
    if (l.size() != r.size()) return false;
    for (size_t i = 0; i < l.size(); ++i) {
        if (!valuesEqual(l[i], r[i])) return false;
    }
    return true;
}

bool less(const Values& l, const Values& r) {
    if (l.size() != 1 || r.size() != 1) return false;
    if (!l[0].isNumber() || !r[0].isNumber()) return false;
    return l[0].asNumber() < r[0].asNumber();
}

bool containsEqual(const List& list, const Value& v) {
    for (const Value& x : list) {
        if (valuesEqual(x, v)) return true;
    }
    return false;
}

bool inside(const Values& l, const Values& r) {
    if (l.empty() || r.empty()) return false;
    if (r[0].isList()) {
        for (const Value& x : l) {
            if (containsEqual(r[0].asList(), x)) return true;
        }
    } else if (r[0].isMap()) {
        for (const Value& x : l) {
            for (const auto& entry : r[0].asMap()) {
                if (valuesEqual(entry.second, x)) return true;
            }
        }
    }
    return false;
}

bool sizeIs(const Values& l, const Values& r) {
    if (r.empty() || !r[0].isNumber()) return false;
    int64_t n = int64_t(r[0].asNumber());
    for (const Value& x : l) {
        int64_t size = x.isString() ? int64_t(x.asString().size())
                       : x.isList() ? int64_t(x.asList().size())
                       : x.isMap()  ? int64_t(x.asMap().size())
                                    : -1;
        if (size != n) return false;
    }
    return true;
}

bool anyOf(const Values& l, const Values& r) {
    if (l.empty()) return true;
    if (r.empty() || !r[0].isList() || r[0].asList().empty()) return false;
    const List& options = r[0].asList();
    for (const Value& x : l) {
        if (x.isList()) {
            for (const Value& y : x.asList()) {
                if (containsEqual(options, y)) return true;
            }
        } else if (containsEqual(options, x)) {
            return true;
        }
    }
    return false;
}

bool subsetOf(const Values& l, const Values& r) {
    if (l.empty()) return true;
    if (r.empty() || !l[0].isList() || !r[0].isList() || r[0].asList().empty()) return false;
    for (const Value& x : l[0].asList()) {
        if (!containsEqual(r[0].asList(), x)) return false;
    }
    return true;
}

bool regexMatch(const Values& l, const Values& r) {
    if (l.empty() || r.empty() || !r[0].isString()) return false;
    try {
        std::regex re(r[0].asString(), std::regex::ECMAScript);
        for (const Value& x : l) {
            if (x.isString() && std::regex_search(x.asString(), re)) return true;
        }
    } catch (const std::regex_error&) {
        return false;
    }
    return false;
}

bool compare(CompareOp op, const Values& l, const Values& r) {
    switch (op) {
        case CompareOp::Eq: return listsEqual(l, r);
        case CompareOp::Ne: return !listsEqual(l, r);
        case CompareOp::Lt: return less(l, r);
        case CompareOp::Gt: return less(r, l);
        case CompareOp::Le: return less(l, r) || listsEqual(l, r);
        case CompareOp::Ge: return less(r, l) || listsEqual(l, r);
        case CompareOp::Regex: return regexMatch(l, r);
        case CompareOp::In: return inside(l, r);
        case CompareOp::Nin: return !inside(l, r);
        case CompareOp::Size: return sizeIs(l, r);
        case CompareOp::AnyOf: return anyOf(l, r);
        case CompareOp::NoneOf: return !anyOf(l, r);
        case CompareOp::SubsetOf: return subsetOf(l, r);
    }
    return false;
}

bool testFilter(const FilterExpr& f, const Value& current, const Value& root) {
    switch (f.kind) {
        case FilterKind::Or: return testFilter(*f.left, current, root) || testFilter(*f.right, current, root);
        case FilterKind::And: return testFilter(*f.left, current, root) && testFilter(*f.right, current, root);
        case FilterKind::Not: return !testFilter(*f.left, current, root);
        case FilterKind::Exists: return !operandValues(f.a, current, root).empty();
        case FilterKind::Compare:
            return compare(f.op, operandValues(f.a, current, root), operandValues(f.b, current, root));
    }
    return false;
}

}  // namespace

JsonPath JsonPath::parse(const std::string& text) {
    if (text.empty()) throw Error(ErrorCode::InvalidConfig, "invalid JSONPath '': the path is empty");
    JsonPath path;
    path.text_ = text;
    path.steps_ = std::make_shared<const std::vector<JsonPathStep>>(Parser(text).parsePath());
    return path;
}

std::vector<Value> JsonPath::select(const Value& root) const {
    Values out;
    if (steps_) evalSteps(*steps_, root, root, out);
    return out;
}

}  // namespace cq::mw
