// Stack-trace rules engine. Behaviour learnt from Sentry's enhancer (the Python rule grammar that
// validates rule text, and the Rust engine sentry-ophio that applies the rules), reimplemented:
//   - a rule is matchers then actions; "+app/-app" and "category=" are classifier actions, applied
//     before grouping; "+group/-group", "max-frames=" and "min-frames=" are contribution actions,
//     applied once per variant inside grouping. Rules apply in order, so later rules win.
//   - a classifier rule first finds every frame it matches, then changes them, so its own changes
//     never affect which frames it matches; the next rule sees them.
//   - "^" reaches the frames after the matching one (toward the crash: frames are stored oldest
//     first), "v" the frames before it.
//   - globs follow the globset crate as ophio configures it: every glob ignores case (ASCII
//     letters here: patterns and values are compared lowercased); path and package matchers turn
//     "\" into "/", their "*" and "?" stop at "/" and "**" crosses directories; for the other
//     matchers "*" crosses everything.
#include "stacktrace_rules.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>

#include "errors.hpp"
#include "function_names.hpp"

namespace triage {

// Provided by default_stacktrace_rules.cpp: the built-in rule text of a config, empty if unknown.
std::string_view default_stacktrace_rules_text(std::string_view config_id);

namespace {

bool has_upper_ascii(std::string_view s) {
	return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string lowercase_ascii(std::string_view s) {
	std::string out(s);
	for (char &c : out)
		if (c >= 'A' && c <= 'Z')
			c = char(c - 'A' + 'a');
	return out;
}

} // namespace

namespace {

// ---------------------------------------------------------------------------------------------
// Globs

// Bounds that keep matching linear in practice and memory small on hostile patterns.
constexpr size_t kMaxGlobBranches = 64;     // "*" and "**/" positions in one pattern
constexpr size_t kMaxGlobExpansions = 64;   // patterns produced by {a,b} alternations
constexpr size_t kMaxRuleLine = 64 * 1024;  // characters in one rule line

enum class Op : uint8_t {
	literal,   // one byte
	any,       // one byte other than `excluded`
	set,       // one byte of a character class
	star,      // any run of bytes other than `excluded`
	opt_dirs,  // "" or any run ending with "/" (no newline), what "**/" stands for
};

struct GlobOp {
	Op op;
	unsigned char byte = 0;  // literal byte, or the byte `any` and `star` stop at
	uint16_t set = 0;        // index into Glob::sets_
	uint16_t branch = 0;     // ordinal of a star or opt_dirs among the program's branch points
};

// One alternative of a glob, with what a quick rejection needs.
struct GlobProgram {
	std::vector<GlobOp> ops;
	std::string prefix;   // literal bytes every match starts with
	std::string suffix;   // literal bytes every match ends with (after the last branch point)
	std::string needle;   // the longest run of literal bytes, which every match contains
	size_t min_length = 0;
	size_t branches = 0;  // star and opt_dirs ops
	bool literal_only = false;
};

class Glob {
public:
	// Compiles pattern; on a malformed pattern returns false and sets error.
	bool compile(std::string_view pattern, bool path_like, std::string &error);
	bool matches(std::string_view value) const;
	bool is_literal() const { return programs_.size() == 1 && programs_[0].literal_only; }
	// Literal bytes every match starts with ("" when unknown).
	std::string_view literal_prefix() const {
		return programs_.size() == 1 ? std::string_view(programs_[0].prefix) : std::string_view();
	}

private:
	bool run(const GlobProgram &p, size_t op, size_t pos, std::string_view s, std::vector<uint64_t> &failed) const;

	std::vector<GlobProgram> programs_;
	std::vector<std::bitset<256>> sets_;
};

// The parse-level tokens of globset, before they are lowered to GlobOps.
enum class Tok : uint8_t { literal, any, set, star, recursive_prefix, recursive_suffix, recursive_middle };
struct Token {
	Tok tok;
	unsigned char byte = 0;
	uint16_t set = 0;
};
using Branch = std::vector<Token>;
// A pattern is a list of segments; a plain segment has one branch, an alternation several.
using Segment = std::vector<Branch>;

bool Glob::compile(std::string_view raw, bool path_like, std::string &error) {
	// Values are compared lowercased (and paths with "/" separators); the pattern follows.
	std::string pattern(raw);
	for (char &c : pattern) {
		if (path_like && c == '\\')
			c = '/';
		else if (c >= 'A' && c <= 'Z')
			c = char(c - 'A' + 'a');
	}
	// "*" and "?" stop at "/" for paths; otherwise they stop at a newline, like an unflagged regex ".".
	const unsigned char stop = path_like ? '/' : '\n';

	std::vector<Segment> segments(1, Segment(1));
	bool in_alternation = false;
	auto branch = [&]() -> Branch & { return segments.back().back(); };
	size_t i = 0;
	while (i < pattern.size()) {
		// globset looks at the last character consumed before this token.
		const bool after_separator = i > 0 && pattern[i - 1] == '/';
		char c = pattern[i++];
		switch (c) {
		case '?':
			branch().push_back({Tok::any});
			break;
		case '*': {
			if (i >= pattern.size() || pattern[i] != '*') {
				branch().push_back({Tok::star});
				break;
			}
			i++;  // second '*'
			bool at_end = i >= pattern.size() || (in_alternation && (pattern[i] == ',' || pattern[i] == '}'));
			bool before_separator = i < pattern.size() && pattern[i] == '/';
			if (branch().empty()) {
				// "**" opening a pattern (or branch): a directory prefix when alone or before "/".
				if (at_end || before_separator) {
					if (before_separator)
						i++;
					branch().push_back({Tok::recursive_prefix});
				} else {
					branch().push_back({Tok::star});
				}
				break;
			}
			if (!after_separator || !(at_end || before_separator)) {
				branch().push_back({Tok::star});  // "**" inside a name is just "*"
				break;
			}
			if (before_separator)
				i++;
			Token last = branch().back();
			branch().pop_back();  // the "/" before "**", which the recursive token includes
			if (last.tok == Tok::recursive_prefix || last.tok == Tok::recursive_suffix)
				branch().push_back(last);
			else
				branch().push_back({at_end ? Tok::recursive_suffix : Tok::recursive_middle});
			break;
		}
		case '[': {
			std::bitset<256> members;
			bool negated = false;
			if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
				negated = true;
				i++;
			}
			bool first = true, closed = false;
			while (i < pattern.size()) {
				unsigned char m = static_cast<unsigned char>(pattern[i++]);
				if (m == ']' && !first) {
					closed = true;
					break;
				}
				first = false;
				if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {
					unsigned char hi = static_cast<unsigned char>(pattern[i + 1]);
					i += 2;
					if (hi < m) {
						error = "invalid character range in pattern";
						return false;
					}
					for (unsigned v = m; v <= hi; v++)
						members.set(v);
				} else {
					members.set(m);
				}
			}
			if (!closed) {
				error = "unclosed character class in pattern";
				return false;
			}
			// Values are lowercased, so an upper-case member stands for its lower case.
			for (unsigned v = 'A'; v <= 'Z'; v++)
				if (members.test(v))
					members.set(v - 'A' + 'a');
			if (negated)
				members.flip();
			if (sets_.size() >= UINT16_MAX) {
				error = "too many character classes in pattern";
				return false;
			}
			sets_.push_back(members);
			branch().push_back({Tok::set, 0, static_cast<uint16_t>(sets_.size() - 1)});
			break;
		}
		case '{':
			if (in_alternation) {
				error = "nested alternation in pattern";
				return false;
			}
			in_alternation = true;
			segments.emplace_back(1);
			break;
		case ',':
			if (in_alternation)
				segments.back().emplace_back();
			else
				branch().push_back({Tok::literal, static_cast<unsigned char>(c)});
			break;
		case '}':
			if (in_alternation) {
				in_alternation = false;
				segments.emplace_back(1);
			} else {
				branch().push_back({Tok::literal, static_cast<unsigned char>(c)});
			}
			break;
		case '\\':
			// Only non-path patterns get here (path patterns had "\" turned into "/").
			if (i >= pattern.size()) {
				error = "dangling escape at the end of pattern";
				return false;
			}
			c = pattern[i++];
			branch().push_back({Tok::literal, static_cast<unsigned char>(c)});
			break;
		default:
			branch().push_back({Tok::literal, static_cast<unsigned char>(c)});
		}
	}
	if (in_alternation) {
		error = "unclosed alternation in pattern";
		return false;
	}

	// Expand alternations into separate programs.
	size_t expansions = 1;
	for (const Segment &s : segments) {
		expansions *= s.size();
		if (expansions > kMaxGlobExpansions) {
			error = "too many alternatives in pattern";
			return false;
		}
	}
	const bool whole_is_double_star = segments.size() == 1 && segments[0][0].size() == 1 &&
	                                   segments[0][0][0].tok == Tok::recursive_prefix;
	for (size_t n = 0; n < expansions; n++) {
		GlobProgram p;
		auto push = [&](GlobOp op) {
			// "**" inside a name lowers to two stars; one is enough.
			if (op.op == Op::star && !p.ops.empty() && p.ops.back().op == Op::star && p.ops.back().byte == op.byte)
				return;
			p.ops.push_back(op);
		};
		size_t k = n;
		for (const Segment &s : segments) {
			const Branch &b = s[k % s.size()];
			k /= s.size();
			for (const Token &t : b) {
				switch (t.tok) {
				case Tok::literal: push({Op::literal, t.byte}); break;
				case Tok::any: push({Op::any, stop}); break;
				case Tok::set: push({Op::set, 0, t.set}); break;
				case Tok::star: push({Op::star, stop}); break;
				case Tok::recursive_prefix:
					if (whole_is_double_star)
						push({Op::star, '\n'});  // a lone "**" matches everything
					else
						push({Op::opt_dirs});
					break;
				case Tok::recursive_suffix:
					push({Op::literal, '/'});
					push({Op::star, '\n'});
					break;
				case Tok::recursive_middle:
					push({Op::literal, '/'});
					push({Op::opt_dirs});
					break;
				}
			}
		}
		size_t last_branch = 0;
		for (size_t j = 0; j < p.ops.size(); j++) {
			GlobOp &op = p.ops[j];
			if (op.op == Op::star || op.op == Op::opt_dirs) {
				op.branch = static_cast<uint16_t>(p.branches++);
				last_branch = j;
			} else {
				p.min_length++;
			}
		}
		if (p.branches > kMaxGlobBranches) {
			error = "too many wildcards in pattern";
			return false;
		}
		for (size_t j = 0; j < p.ops.size() && p.ops[j].op == Op::literal; j++)
			p.prefix.push_back(static_cast<char>(p.ops[j].byte));
		p.literal_only = p.prefix.size() == p.ops.size();
		for (size_t j = 0; j < p.ops.size();) {
			size_t run_start = j;
			std::string run;
			while (j < p.ops.size() && p.ops[j].op == Op::literal)
				run.push_back(static_cast<char>(p.ops[j++].byte));
			if (run.size() > p.needle.size())
				p.needle = std::move(run);
			if (j == run_start)
				j++;
		}
		if (p.branches > 0)
			for (size_t j = p.ops.size(); j > last_branch + 1 && p.ops[j - 1].op == Op::literal; j--)
				p.suffix.insert(p.suffix.begin(), static_cast<char>(p.ops[j - 1].byte));
		programs_.push_back(std::move(p));
	}
	return true;
}

// Backtracking over the branch points, remembering (branch, position) pairs that failed so the
// work stays within branches x length.
bool Glob::run(const GlobProgram &p, size_t op, size_t pos, std::string_view s, std::vector<uint64_t> &failed) const {
	const size_t n = s.size();
	while (op < p.ops.size()) {
		const GlobOp &o = p.ops[op];
		switch (o.op) {
		case Op::literal:
			if (pos >= n || static_cast<unsigned char>(s[pos]) != o.byte)
				return false;
			break;
		case Op::any:
			if (pos >= n || static_cast<unsigned char>(s[pos]) == o.byte)
				return false;
			break;
		case Op::set:
			if (pos >= n || !sets_[o.set].test(static_cast<unsigned char>(s[pos])))
				return false;
			break;
		case Op::star:
		case Op::opt_dirs: {
			if (o.op == Op::star && op + 1 == p.ops.size())
				return s.find(static_cast<char>(o.byte), pos) == std::string_view::npos;
			size_t key = 0;
			if (p.branches > 1) {
				key = o.branch * (n + 1) + pos;
				if (failed.empty())
					failed.assign((p.branches * (n + 1) + 63) / 64, 0);
				if (failed[key / 64] >> (key % 64) & 1)
					return false;
			}
			if (o.op == Op::star) {
				for (size_t q = pos;; q++) {
					if (run(p, op + 1, q, s, failed))
						return true;
					if (q >= n || static_cast<unsigned char>(s[q]) == o.byte)
						break;
				}
			} else {
				if (run(p, op + 1, pos, s, failed))
					return true;
				for (size_t q = pos; q < n && s[q] != '\n'; q++)
					if (s[q] == '/' && run(p, op + 1, q + 1, s, failed))
						return true;
			}
			if (p.branches > 1)
				failed[key / 64] |= uint64_t(1) << (key % 64);
			return false;
		}
		}
		op++;
		pos++;
	}
	return pos == n;
}

// The failure memo of run(), reused so that matching does not allocate once warmed up.
std::vector<uint64_t> &memo() {
	// initial-exec: the library is loaded with dlopen, where the default TLS model costs a
	// function call per access; these few bytes fit the static TLS that glibc keeps for that.
	static thread_local std::vector<uint64_t> failed __attribute__((tls_model("initial-exec")));
	return failed;
}

bool Glob::matches(std::string_view s) const {
	for (const GlobProgram &p : programs_) {
		if (s.size() < p.min_length)
			continue;
		if (p.literal_only) {
			if (s == p.prefix)
				return true;
			continue;
		}
		if (s.compare(0, p.prefix.size(), p.prefix) != 0)
			continue;
		if (s.size() < p.suffix.size() || s.compare(s.size() - p.suffix.size(), p.suffix.size(), p.suffix) != 0)
			continue;
		// A cheap search rejects most values before any backtracking.
		if (p.needle.size() > std::max(p.prefix.size(), p.suffix.size()) &&
		    s.find(p.needle) == std::string_view::npos)
			continue;
		std::vector<uint64_t> &failed = memo();
		failed.clear();  // sized on first use by run(), only for patterns with two branch points
		if (run(p, 0, 0, s, failed))
			return true;
	}
	return false;
}

// ---------------------------------------------------------------------------------------------
// Rules

constexpr uint8_t kFamilyOther = 1, kFamilyNative = 2, kFamilyJavascript = 4, kAllFamilies = 7;

uint8_t family_bit(Family f) {
	switch (f) {
	case Family::native: return kFamilyNative;
	case Family::javascript: return kFamilyJavascript;
	case Family::other: break;
	}
	return kFamilyOther;
}

enum class Field : uint8_t { function, module, path, package, category };
enum class ExceptionField : uint8_t { type, value, mechanism };
enum class Range : uint8_t { self, up, down };

struct FrameMatcher {
	enum class Kind : uint8_t { field, family, in_app, never } kind;
	Field field = Field::function;
	int offset = 0;  // -1: the caller (previous frame), +1: the callee (next frame)
	bool negated = false;
	uint8_t families = 0;
	bool expected_in_app = false;
	Glob glob;
	int cost = 0;  // evaluation order: cheap tests first
};

struct ExceptionMatcher {
	ExceptionField field;
	bool negated;
	Glob glob;
};

struct FlagAction {
	bool flag;
	Range range;
};

struct Rule {
	std::vector<ExceptionMatcher> exception_matchers;
	std::vector<FrameMatcher> frame_matchers;  // sorted by cost
	std::vector<FlagAction> app_actions;
	std::vector<FlagAction> group_actions;
	std::string category;  // "" when the rule sets none
	bool sets_category = false;
	size_t max_frames = 0;
	size_t min_frames = 0;
	bool sets_max_frames = false, sets_min_frames = false;
	uint8_t family_mask = kAllFamilies;  // families of frames the rule can match at all
	bool needs_category = false;         // a frame without a category never matches
	// The matcher the rule index keys on: a plain test of a field that rules never change.
	bool anchored = false;
	bool anchor_exact = false;  // the whole value must equal anchor_key; else it starts with anchor_key[0]
	Field anchor_field = Field::function;
	std::string anchor_key;
	bool custom = true;
	std::string matchers_text;
	std::string contributes_text;  // the rule as its contribution part, for hints

	bool is_classifier() const { return sets_category || !app_actions.empty(); }
	bool is_contributes() const { return !group_actions.empty() || sets_max_frames || sets_min_frames; }
};

} // namespace

namespace {

constexpr size_t kStaticFields = 4;  // function, module, path, package: the fields anchors use

// Finds the rules that may match a frame without trying them all: anchored rules are listed
// under their anchor's exact value or first byte; the others are tried on every frame.
struct RuleIndex {
	std::vector<const Rule *> rules;  // in application order
	std::array<std::unordered_map<std::string_view, std::vector<uint32_t>>, kStaticFields> exact;
	std::array<std::array<std::vector<uint32_t>, 256>, kStaticFields> first_byte;

	void build(const std::vector<std::shared_ptr<const Rule>> &list) {
		rules.clear();
		for (auto &m : exact)
			m.clear();
		for (auto &bytes : first_byte)
			for (auto &v : bytes)
				v.clear();
		for (const auto &rule : list) {
			uint32_t at = static_cast<uint32_t>(rules.size());
			rules.push_back(rule.get());
			if (!rule->anchored)
				continue;
			size_t field = static_cast<size_t>(rule->anchor_field);
			if (rule->anchor_exact)
				exact[field][rule->anchor_key].push_back(at);
			else
				first_byte[field][static_cast<unsigned char>(rule->anchor_key[0])].push_back(at);
		}
	}
};

} // namespace

struct StacktraceRuleSet {
	// Shared so that combined sets keep category strings (which frames view) alive.
	std::vector<std::shared_ptr<const Rule>> classifier;
	std::vector<std::shared_ptr<const Rule>> contributes;
	size_t rule_count = 0;
	RuleIndex classifier_index;
	RuleIndex contributes_index;

	void index() {
		classifier_index.build(classifier);
		contributes_index.build(contributes);
	}
};

namespace {

// ---------------------------------------------------------------------------------------------
// Parser

class RuleParser {
public:
	RuleParser(std::string_view line, size_t line_no) : s_(line), line_no_(line_no) {}

	Rule parse(bool custom);

private:
	[[noreturn]] void fail(const std::string &what) const {
		size_t end = pos_;
		while (end < s_.size() && end - pos_ < 32 && s_[end] != ' ' && s_[end] != '\t')
			end++;
		std::string near = pos_ < s_.size() ? std::string(s_.substr(pos_, end - pos_)) : std::string("end of line");
		throw Error(ErrorKind::rule_syntax, "stack-trace rules, line " + std::to_string(line_no_) + ": " + what +
		                                        " near \"" + near + "\"");
	}
	void skip_spaces() {
		while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t'))
			pos_++;
	}
	bool at_end() const { return pos_ >= s_.size() || s_[pos_] == '#'; }
	static bool ident_char(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		       c == '-';
	}
	std::string_view ident() {
		size_t start = pos_;
		while (pos_ < s_.size() && ident_char(s_[pos_]))
			pos_++;
		return s_.substr(start, pos_ - start);
	}
	// Tries to read "[!]type:argument" at the current position; restores the position if absent.
	bool try_matcher(Rule &rule, int offset);
	std::string argument();
	void add_matcher(Rule &rule, bool negated, std::string_view type, const std::string &arg, int offset,
	                 size_t token_pos);
	bool try_action(Rule &rule, std::string &actions_text, std::string &contributes_actions_text);

	std::string_view s_;
	size_t line_no_;
	size_t pos_ = 0;
};

// The text of a matcher as Sentry describes rules in hints.
std::string describe_matcher(bool negated, std::string_view key, const std::string &arg, int offset) {
	std::string text = negated ? "!" : "";
	text.append(key).push_back(':');
	if (arg.find_first_of(" \t") != std::string::npos)
		text.append("\"").append(arg).append("\"");
	else
		text.append(arg);
	if (offset < 0)
		return "[ " + text + " ] |";
	if (offset > 0)
		return "| [ " + text + " ]";
	return text;
}

std::string RuleParser::argument() {
	if (pos_ < s_.size() && s_[pos_] == '"') {
		// Quoted: backslash escapes as in a Python string literal; unknown escapes keep the backslash.
		size_t i = pos_ + 1;
		std::string out;
		while (i < s_.size() && s_[i] != '"') {
			char c = s_[i];
			if (c != '\\' || i + 1 >= s_.size()) {
				out.push_back(c);
				i++;
				continue;
			}
			char e = s_[i + 1];
			i += 2;
			switch (e) {
			case '\\': out.push_back('\\'); break;
			case '"': out.push_back('"'); break;
			case '\'': out.push_back('\''); break;
			case 'a': out.push_back('\a'); break;
			case 'b': out.push_back('\b'); break;
			case 'f': out.push_back('\f'); break;
			case 'n': out.push_back('\n'); break;
			case 'r': out.push_back('\r'); break;
			case 't': out.push_back('\t'); break;
			case 'v': out.push_back('\v'); break;
			default:
				out.push_back('\\');
				out.push_back(e);
			}
		}
		if (i < s_.size()) {
			pos_ = i + 1;
			return out;
		}
		// Without a closing quote the argument is an unquoted one that starts with '"'.
	}
	size_t start = pos_;
	while (pos_ < s_.size() && s_[pos_] != ' ' && s_[pos_] != '\t')
		pos_++;
	if (pos_ == start)
		fail("missing matcher argument");
	return std::string(s_.substr(start, pos_ - start));
}

bool RuleParser::try_matcher(Rule &rule, int offset) {
	size_t start = pos_;
	bool negated = false;
	if (pos_ < s_.size() && s_[pos_] == '!') {
		negated = true;
		pos_++;
	}
	std::string_view type;
	if (pos_ < s_.size() && s_[pos_] == '"') {
		size_t close = s_.find('"', pos_ + 1);
		if (close == std::string_view::npos) {
			pos_ = start;
			return false;
		}
		type = s_.substr(pos_ + 1, close - pos_ - 1);
		pos_ = close + 1;
		while (!type.empty() && type.front() == '!')
			type.remove_prefix(1);
	} else {
		type = ident();
	}
	if (type.empty() || pos_ >= s_.size() || s_[pos_] != ':') {
		pos_ = start;
		return false;
	}
	pos_++;
	std::string arg = argument();
	add_matcher(rule, negated, type, arg, offset, start);
	return true;
}

void RuleParser::add_matcher(Rule &rule, bool negated, std::string_view type, const std::string &arg, int offset,
                             size_t token_pos) {
	static const std::pair<std::string_view, std::string_view> aliases[] = {
	    {"stack.module", "module"},  {"stack.abs_path", "path"},   {"stack.package", "package"},
	    {"stack.function", "function"}, {"error.type", "type"},    {"error.value", "value"},
	    {"error.mechanism", "mechanism"}, {"module", "module"},    {"path", "path"},
	    {"package", "package"},      {"function", "function"},     {"category", "category"},
	    {"family", "family"},        {"app", "app"},
	};
	std::string_view key;
	for (const auto &a : aliases)
		if (a.first == type)
			key = a.second;
	if (key.empty()) {
		pos_ = token_pos;
		fail("unknown matcher \"" + std::string(type) + "\"");
	}
	if (!rule.matchers_text.empty())
		rule.matchers_text.push_back(' ');
	rule.matchers_text += describe_matcher(negated, key, arg, offset);

	std::string error;
	if (key == "type" || key == "value" || key == "mechanism") {
		if (offset != 0) {
			pos_ = token_pos;
			fail("exception matcher \"" + std::string(type) + "\" cannot apply to a caller or callee frame");
		}
		ExceptionMatcher m{key == "type" ? ExceptionField::type
		                   : key == "value" ? ExceptionField::value
		                                    : ExceptionField::mechanism,
		                   negated, Glob()};
		if (!m.glob.compile(arg, false, error)) {
			pos_ = token_pos;
			fail(error);
		}
		rule.exception_matchers.push_back(std::move(m));
		return;
	}
	FrameMatcher m;
	m.offset = offset;
	m.negated = negated;
	if (key == "family") {
		m.kind = FrameMatcher::Kind::family;
		size_t from = 0;
		while (from <= arg.size()) {
			size_t comma = arg.find(',', from);
			std::string_view name = std::string_view(arg).substr(from, comma == std::string::npos ? comma : comma - from);
			if (name == "native")
				m.families |= kFamilyNative;
			else if (name == "javascript")
				m.families |= kFamilyJavascript;
			else if (name == "other")
				m.families |= kFamilyOther;
			else if (name == "all")
				m.families |= kAllFamilies;
			if (comma == std::string::npos)
				break;
			from = comma + 1;
		}
		m.cost = 0;
		if (!negated && offset == 0)
			rule.family_mask &= m.families;
	} else if (key == "app") {
		// Values other than these never match (Sentry: the matcher becomes a no-op).
		if (arg == "1" || arg == "yes" || arg == "true") {
			m.kind = FrameMatcher::Kind::in_app;
			m.expected_in_app = true;
		} else if (arg == "0" || arg == "no" || arg == "false") {
			m.kind = FrameMatcher::Kind::in_app;
			m.expected_in_app = false;
		} else {
			m.kind = FrameMatcher::Kind::never;
		}
		m.cost = 0;
	} else {
		m.kind = FrameMatcher::Kind::field;
		m.field = key == "function"  ? Field::function
		          : key == "module"  ? Field::module
		          : key == "path"    ? Field::path
		          : key == "package" ? Field::package
		                             : Field::category;
		bool path_like = m.field == Field::path || m.field == Field::package;
		// A malformed frame pattern never matches, as in Sentry (it is not a syntax error there).
		if (!m.glob.compile(arg, path_like, error))
			m.kind = FrameMatcher::Kind::never;
		m.cost = m.field == Field::category ? 1 : m.glob.is_literal() ? 2 : 3;
	}
	if (offset != 0)
		m.cost += 4;  // neighbour tests come last: they touch another frame
	rule.frame_matchers.push_back(std::move(m));
}

bool RuleParser::try_action(Rule &rule, std::string &actions_text, std::string &contributes_actions_text) {
	size_t start = pos_;
	auto append = [](std::string &text, std::string_view part) {
		if (!text.empty())
			text.push_back(' ');
		text.append(part);
	};
	Range range = Range::self;
	if (pos_ < s_.size() && (s_[pos_] == '^' || s_[pos_] == 'v')) {
		range = s_[pos_] == '^' ? Range::up : Range::down;
		pos_++;
	}
	if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) {
		bool flag = s_[pos_] == '+';
		pos_++;
		std::string_view rest = s_.substr(pos_);
		bool group = rest.substr(0, 5) == "group";
		bool app = !group && rest.substr(0, 3) == "app";
		if (group || app) {
			pos_ += group ? 5 : 3;
			std::string_view text = s_.substr(start, pos_ - start);
			append(actions_text, text);
			if (group) {
				rule.group_actions.push_back({flag, range});
				append(contributes_actions_text, text);
			} else {
				rule.app_actions.push_back({flag, range});
			}
			return true;
		}
		pos_ = start;
		fail("unknown action (expected +group, -group, +app or -app)");
	}
	if (range != Range::self) {
		pos_ = start;
		return false;
	}
	std::string_view name = ident();
	if (name.empty()) {
		pos_ = start;
		return false;
	}
	skip_spaces();
	if (pos_ >= s_.size() || s_[pos_] != '=') {
		pos_ = start;
		return false;
	}
	pos_++;
	skip_spaces();
	size_t value_pos = pos_;
	std::string_view value = ident();
	if (value.empty())
		fail("missing value for \"" + std::string(name) + "\"");
	std::string text = std::string(name) + "=" + std::string(value);
	if (name == "category") {
		rule.category = lowercase_ascii(value); // categories are matched case-insensitively
		rule.sets_category = true;
		append(actions_text, text);
		return true;
	}
	if (name == "max-frames" || name == "min-frames") {
		bool digits = value.size() <= 9 && std::all_of(value.begin(), value.end(), [](char c) {
			return c >= '0' && c <= '9';
		});
		if (!digits) {
			pos_ = value_pos;
			fail("invalid value for \"" + std::string(name) + "\" (expected a number)");
		}
		size_t n = std::stoul(std::string(value));
		if (name == "max-frames") {
			rule.max_frames = n;
			rule.sets_max_frames = true;
		} else {
			rule.min_frames = n;
			rule.sets_min_frames = true;
		}
		append(actions_text, text);
		append(contributes_actions_text, text);
		return true;
	}
	pos_ = start;
	fail("unknown variable \"" + std::string(name) + "\" (expected category, max-frames or min-frames)");
}

Rule RuleParser::parse(bool custom) {
	Rule rule;
	rule.custom = custom;
	skip_spaces();
	// Caller matcher: "[ matcher ] |"
	if (pos_ < s_.size() && s_[pos_] == '[') {
		pos_++;
		skip_spaces();
		if (!try_matcher(rule, -1))
			fail("expected a matcher inside [ ]");
		skip_spaces();
		if (pos_ >= s_.size() || s_[pos_] != ']')
			fail("expected \"]\" after caller matcher");
		pos_++;
		skip_spaces();
		if (pos_ >= s_.size() || s_[pos_] != '|')
			fail("expected \"|\" after caller matcher");
		pos_++;
	}
	size_t own_matchers = 0;
	for (;;) {
		skip_spaces();
		if (!try_matcher(rule, 0))
			break;
		own_matchers++;
	}
	if (own_matchers == 0)
		fail("expected a matcher");
	// Callee matcher: "| [ matcher ]"
	if (pos_ < s_.size() && s_[pos_] == '|') {
		pos_++;
		skip_spaces();
		if (pos_ >= s_.size() || s_[pos_] != '[')
			fail("expected \"[\" after \"|\"");
		pos_++;
		skip_spaces();
		if (!try_matcher(rule, 1))
			fail("expected a matcher inside [ ]");
		skip_spaces();
		if (pos_ >= s_.size() || s_[pos_] != ']')
			fail("expected \"]\" after callee matcher");
		pos_++;
	}
	std::string actions_text, contributes_actions_text;
	size_t actions = 0;
	for (;;) {
		skip_spaces();
		if (at_end())
			break;
		if (!try_action(rule, actions_text, contributes_actions_text))
			fail(actions == 0 ? "expected a matcher or an action" : "expected an action");
		actions++;
	}
	if (actions == 0)
		fail("expected an action");
	rule.contributes_text = rule.matchers_text + " " + contributes_actions_text;
	std::stable_sort(rule.frame_matchers.begin(), rule.frame_matchers.end(),
	                 [](const FrameMatcher &a, const FrameMatcher &b) { return a.cost < b.cost; });
	for (const FrameMatcher &m : rule.frame_matchers) {
		if (m.negated || m.offset != 0 || m.kind != FrameMatcher::Kind::field)
			continue;
		if (m.field == Field::category) {
			rule.needs_category = true;
			continue;
		}
		std::string_view prefix = m.glob.literal_prefix();
		if (prefix.empty() || (rule.anchored && (rule.anchor_exact || !m.glob.is_literal())))
			continue;
		rule.anchored = true;
		rule.anchor_field = m.field;
		rule.anchor_exact = m.glob.is_literal();
		rule.anchor_key = rule.anchor_exact ? std::string(prefix) : std::string(1, prefix[0]);
	}
	return rule;
}

StacktraceRuleSet parse_rule_set(std::string_view text, bool custom) {
	StacktraceRuleSet set;
	size_t line_no = 0;
	size_t start = 0;
	while (start <= text.size()) {
		size_t end = text.find_first_of("\r\n", start);
		if (end == std::string_view::npos)
			end = text.size();
		std::string_view line = text.substr(start, end - start);
		line_no++;
		if (line.size() > kMaxRuleLine)
			throw Error(ErrorKind::rule_syntax,
			            "stack-trace rules, line " + std::to_string(line_no) + ": line is too long");
		size_t first = line.find_first_not_of(" \t");
		if (first != std::string_view::npos && line[first] != '#') {
			auto rule = std::make_shared<const Rule>(RuleParser(line, line_no).parse(custom));
			if (rule->is_classifier())
				set.classifier.push_back(rule);
			if (rule->is_contributes())
				set.contributes.push_back(rule);
			set.rule_count++;
		}
		// "\r\n" ends one line, not two.
		if (end < text.size() && text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n')
			end++;
		start = end + 1;
	}
	set.index();
	return set;
}

// ---------------------------------------------------------------------------------------------
// Matching

// What rules look at in a frame, computed once per stack trace and pass.
struct MatchFrame {
	std::string_view function;  // trimmed for native and C# frames; "<unknown>" when absent; lowercased
	std::string_view module;    // lowercased
	std::string_view path;      // lowercased, "/" separators; empty when absent
	std::string_view package;   // same normalization
	bool has_path = false, has_package = false;
	bool path_slash = false, package_slash = false;  // value already starts with "/"
	uint8_t family = kFamilyOther;
};

// Scratch storage reused across calls so that a pass allocates nothing once warmed up.
struct Scratch {
	std::vector<MatchFrame> frames;
	// Trimmed names, one slot per frame, kept with the name and platform they came from: the
	// classifier pass and both variants of a stack trace trim the same names.
	struct Trimmed {
		std::string function, platform, trimmed;
	};
	std::vector<Trimmed> functions;
	std::string text;                                 // normalized paths and packages, each after a "/"
	std::string names;                                // lowercased functions and modules
	std::vector<std::array<size_t, 2>> names_at;      // per frame: offsets of its function and module in names
	std::vector<std::pair<size_t, size_t>> text_at;   // per frame: offsets of its path and package in text
	bool any_category = false;                        // some frame has a category
	std::vector<size_t> matched;                      // frames the current classifier rule matched
	std::vector<std::pair<uint32_t, uint32_t>> hits;  // (rule, frame) pairs found through the index
	std::vector<uint32_t> hit_start;                  // per rule: where its frames start in hit_frames
	std::vector<uint32_t> hit_frames;                 // frames per rule, ascending
	std::vector<uint32_t> slot;                       // counting-sort cursor per rule
	std::vector<char> contributes;                    // per frame, during a contribution pass
	std::vector<uint8_t> changed_by;                  // per frame: the HintKind the contribution pass left
	std::vector<const Rule *> hint_rule;              // per frame: the rule behind that hint
	bool busy = false;
};

Scratch &scratch() {
	static thread_local Scratch s __attribute__((tls_model("initial-exec"))); // see memo()
	return s;
}

// Normalized copy of a path-like value appended to text after a "/" so that the value can be
// tried with and without a leading slash. Returns the offset of the "/".
size_t append_path(std::string &text, std::string_view value) {
	size_t at = text.size();
	text.push_back('/');
	for (char c : value) {
		if (c == '\\')
			c = '/';
		else if (c >= 'A' && c <= 'Z')
			c = char(c - 'A' + 'a');
		text.push_back(c);
	}
	return at;
}

void build_match_frames(Scratch &sc, const Stacktrace &st) {
	const size_t n = st.frames.size();
	sc.frames.assign(n, MatchFrame());
	sc.any_category = false;
	if (sc.functions.size() < n)
		sc.functions.resize(n);
	sc.text.clear();
	sc.names.clear();
	std::vector<std::pair<size_t, size_t>> &path_at = sc.text_at;
	path_at.assign(n, {SIZE_MAX, SIZE_MAX});
	std::vector<std::array<size_t, 2>> &name_at = sc.names_at;
	name_at.assign(n, {SIZE_MAX, SIZE_MAX});
	for (size_t i = 0; i < n; i++) {
		const Frame &f = st.frames[i];
		MatchFrame &m = sc.frames[i];
		Family family = f.family();
		m.family = family_bit(family);
		if (!f.raw_function.empty()) {
			m.function = f.function.empty() ? std::string_view("<unknown>") : f.function;
		} else if (!f.function.empty()) {
			// Sentry trims only native and C# names; the others come back unchanged.
			if (family == Family::native || f.platform == "csharp") {
				Scratch::Trimmed &t = sc.functions[i];
				if (t.function != f.function || t.platform != f.platform) {
					t.trimmed = trim_function_name(f.function, f.platform);
					t.function.assign(f.function.data(), f.function.size());
					t.platform.assign(f.platform.data(), f.platform.size());
				}
				m.function = t.trimmed;
			} else {
				m.function = f.function;
			}
		} else {
			m.function = "<unknown>";
		}
		m.module = f.module;
		// Globs ignore case: names with capitals are compared as lowercased copies.
		for (std::string_view *name : {&m.function, &m.module})
			if (has_upper_ascii(*name)) {
				name_at[i][name == &m.function ? 0 : 1] = sc.names.size();
				sc.names += lowercase_ascii(*name);
			}
		sc.any_category |= !f.category.empty();
		std::string_view path = !f.abs_path.empty() ? f.abs_path : f.filename;
		if (!path.empty())
			path_at[i].first = append_path(sc.text, path);
		if (!f.package.empty())
			path_at[i].second = append_path(sc.text, f.package);
	}
	// Views are taken once the buffers stop growing.
	for (size_t i = 0; i < n; i++) {
		MatchFrame &m = sc.frames[i];
		const Frame &f = st.frames[i];
		if (name_at[i][0] != SIZE_MAX)
			m.function = std::string_view(sc.names).substr(name_at[i][0], m.function.size());
		if (name_at[i][1] != SIZE_MAX)
			m.module = std::string_view(sc.names).substr(name_at[i][1], m.module.size());
		if (path_at[i].first != SIZE_MAX) {
			std::string_view path = !f.abs_path.empty() ? f.abs_path : f.filename;
			m.path = std::string_view(sc.text).substr(path_at[i].first + 1, path.size());
			m.has_path = true;
			m.path_slash = m.path[0] == '/';
		}
		if (path_at[i].second != SIZE_MAX) {
			m.package = std::string_view(sc.text).substr(path_at[i].second + 1, f.package.size());
			m.has_package = true;
			m.package_slash = m.package[0] == '/';
		}
	}
}

// A path-like value matches as is or, when it does not start with "/", with one prepended.
bool path_matches(const Glob &glob, std::string_view value, bool starts_with_slash) {
	if (glob.matches(value))
		return true;
	return !starts_with_slash && glob.matches(std::string_view(value.data() - 1, value.size() + 1));
}

bool matcher_matches(const FrameMatcher &m, const Stacktrace &st, const std::vector<MatchFrame> &frames, size_t idx) {
	if (m.offset < 0 && idx == 0)
		return false;
	size_t at = idx + m.offset;
	if (at >= frames.size())
		return false;
	const MatchFrame &mf = frames[at];
	bool hit = false;
	switch (m.kind) {
	case FrameMatcher::Kind::family:
		hit = (m.families & mf.family) != 0;
		break;
	case FrameMatcher::Kind::in_app:
		hit = st.frames[at].in_app.value_or(false) == m.expected_in_app;
		break;
	case FrameMatcher::Kind::never:
		hit = false;
		break;
	case FrameMatcher::Kind::field:
		switch (m.field) {
		case Field::function: hit = m.glob.matches(mf.function); break;
		case Field::module: hit = !mf.module.empty() && m.glob.matches(mf.module); break;
		case Field::category: {
			std::string_view category = st.frames[at].category;
			hit = !category.empty() && m.glob.matches(category);
			break;
		}
		case Field::path: hit = mf.has_path && path_matches(m.glob, mf.path, mf.path_slash); break;
		case Field::package: hit = mf.has_package && path_matches(m.glob, mf.package, mf.package_slash); break;
		}
		break;
	}
	return hit != m.negated;
}

bool rule_matches_frame(const Rule &rule, const Stacktrace &st, const std::vector<MatchFrame> &frames, size_t idx) {
	if (!(rule.family_mask & frames[idx].family) || (rule.needs_category && st.frames[idx].category.empty()))
		return false;
	for (const FrameMatcher &m : rule.frame_matchers)
		if (!matcher_matches(m, st, frames, idx))
			return false;
	return true;
}

// The exception's fields as exception matchers see them: lowercased, as globs ignore case.
struct ExceptionValues {
	std::string type = "<unknown>", value = "<unknown>", mechanism = "<unknown>";
	explicit ExceptionValues(const Exception *e) {
		if (!e)
			return;
		if (e->type)
			type = lowercase_ascii(*e->type);
		if (e->value)
			value = lowercase_ascii(*e->value);
		if (e->mechanism && !e->mechanism->type.empty())
			mechanism = lowercase_ascii(e->mechanism->type);
	}
};

bool rule_matches_exception(const Rule &rule, const ExceptionValues &ev) {
	for (const ExceptionMatcher &m : rule.exception_matchers) {
		std::string_view v = m.field == ExceptionField::type ? ev.type : m.field == ExceptionField::value ? ev.value
		                                                                                                 : ev.mechanism;
		if (m.glob.matches(v) == m.negated)
			return false;
	}
	return true;
}

// Whether a rule can match anything in this stack trace at all: its family is present, the
// categories it needs have been set, and its exception matchers hold.
bool rule_may_apply(const Rule &rule, uint8_t families_present, bool any_category, const ExceptionValues &ev) {
	return (rule.family_mask & families_present) && (!rule.needs_category || any_category) &&
	       rule_matches_exception(rule, ev);
}

// Frames a flag action reaches from the matching frame idx, as [begin, end).
std::pair<size_t, size_t> action_span(Range range, size_t idx, size_t n) {
	switch (range) {
	case Range::up: return {idx + 1, n};
	case Range::down: return {0, idx};
	case Range::self: break;
	}
	return {idx, idx + 1};
}

uint8_t families_present(const std::vector<MatchFrame> &frames) {
	uint8_t present = 0;
	for (const MatchFrame &m : frames)
		present |= m.family;
	return present;
}

// Lists, per anchored rule of the index, the frames whose anchor field fits (ascending).
void collect_candidates(const RuleIndex &index, Scratch &sc) {
	sc.hits.clear();
	const auto add = [&](const std::vector<uint32_t> &rules, uint32_t frame) {
		for (uint32_t r : rules)
			sc.hits.emplace_back(r, frame);
	};
	const auto look_up = [&](size_t field, std::string_view value, uint32_t frame, bool path_like, bool slash) {
		const auto &exact = index.exact[field];
		if (!exact.empty()) {
			auto found = exact.find(value);
			if (found != exact.end())
				add(found->second, frame);
			if (path_like && !slash) {
				found = exact.find(std::string_view(value.data() - 1, value.size() + 1));
				if (found != exact.end())
					add(found->second, frame);
			}
		}
		add(index.first_byte[field][static_cast<unsigned char>(value[0])], frame);
		if (path_like && !slash)
			add(index.first_byte[field]['/'], frame);
	};
	for (uint32_t i = 0; i < sc.frames.size(); i++) {
		const MatchFrame &m = sc.frames[i];
		look_up(size_t(Field::function), m.function, i, false, false);
		if (!m.module.empty())
			look_up(size_t(Field::module), m.module, i, false, false);
		if (m.has_path)
			look_up(size_t(Field::path), m.path, i, true, m.path_slash);
		if (m.has_package)
			look_up(size_t(Field::package), m.package, i, true, m.package_slash);
	}
	// Counting sort by rule; frames stay ascending within a rule because hits were made in frame order.
	const size_t rules = index.rules.size();
	sc.hit_start.assign(rules + 1, 0);
	for (const auto &h : sc.hits)
		sc.hit_start[h.first + 1]++;
	for (size_t r = 0; r < rules; r++)
		sc.hit_start[r + 1] += sc.hit_start[r];
	sc.hit_frames.resize(sc.hits.size());
	sc.slot.assign(sc.hit_start.begin(), sc.hit_start.end() - 1);
	for (const auto &h : sc.hits)
		sc.hit_frames[sc.slot[h.first]++] = h.second;
}

// Calls f(idx) for every frame rule r of the index may match, in ascending order.
template <typename F> void for_each_candidate(const RuleIndex &index, const Scratch &sc, uint32_t r, F &&f) {
	if (!index.rules[r]->anchored) {
		for (size_t idx = 0; idx < sc.frames.size(); idx++)
			f(idx);
		return;
	}
	for (uint32_t k = sc.hit_start[r]; k < sc.hit_start[r + 1]; k++)
		f(size_t(sc.hit_frames[k]));
}

// Guards the thread's scratch against reentrant use (e.g. a trim_function_name that called back).
class ScratchLease {
public:
	ScratchLease() : s_(scratch()) {
		if (s_.busy)
			throw Error(ErrorKind::invalid_parameter, "stack-trace rules engine re-entered");
		s_.busy = true;
	}
	~ScratchLease() { s_.busy = false; }
	Scratch &get() { return s_; }

private:
	Scratch &s_;
};

// Per-frame outcome of the contribution rules for one variant (Sentry's Rust pass).
enum class HintKind : uint8_t { none, group, max_frames };

struct ContributesOutcome {
	bool contributes = false;  // the stack trace, before the in-app checks of the app variant
	std::string hint;
	size_t max_frames = 0;
};

// Applies the contribution rules to `contributes` (one flag per frame), recording which rule last
// changed each frame in sc.changed_by / sc.hint_rule.
ContributesOutcome run_contributes(const StacktraceRuleSet &set, const Stacktrace &st, Scratch &sc,
                                   std::vector<char> &contributes, const ExceptionValues &ev) {
	const size_t n = st.frames.size();
	sc.changed_by.assign(n, uint8_t(HintKind::none));
	sc.hint_rule.assign(n, nullptr);
	const uint8_t present = families_present(sc.frames);
	const Rule *max_setter = nullptr;
	const Rule *min_setter = nullptr;
	size_t max_frames = 0, min_frames = 0;
	const RuleIndex &index = set.contributes_index;
	collect_candidates(index, sc);
	for (uint32_t r = 0; r < index.rules.size(); r++) {
		const Rule &rule = *index.rules[r];
		if (!rule_may_apply(rule, present, sc.any_category, ev))
			continue;
		for_each_candidate(index, sc, r, [&](size_t idx) {
			if (!rule_matches_frame(rule, st, sc.frames, idx))
				return;
			for (const FlagAction &a : rule.group_actions) {
				auto span = action_span(a.range, idx, n);
				for (size_t j = span.first; j < span.second; j++) {
					if (bool(contributes[j]) != a.flag) {
						contributes[j] = a.flag;
						sc.changed_by[j] = uint8_t(HintKind::group);
						sc.hint_rule[j] = &rule;
					}
				}
			}
			if (rule.sets_max_frames) {
				max_frames = rule.max_frames;
				max_setter = &rule;
			}
			if (rule.sets_min_frames) {
				min_frames = rule.min_frames;
				min_setter = &rule;
			}
		});
	}
	ContributesOutcome out;
	out.max_frames = max_frames;
	if (max_frames > 0) {
		// Keep the max_frames contributing frames nearest the crash (the end of the list).
		size_t kept = 0;
		for (size_t j = n; j-- > 0;) {
			if (!contributes[j])
				continue;
			if (++kept <= max_frames)
				continue;
			contributes[j] = false;
			sc.changed_by[j] = uint8_t(HintKind::max_frames);
			sc.hint_rule[j] = max_setter;
		}
	}
	size_t total = 0;
	for (size_t j = 0; j < n; j++)
		total += contributes[j] != 0;
	out.contributes = total > 0;
	if (min_frames > 0 && total > 0 && total < min_frames) {
		out.contributes = false;
		out.hint = "discarded because stack trace only contains " + std::to_string(total) +
		           (total == 1 ? " frame" : " frames") + " which is under the configured threshold by " +
		           (min_setter->custom ? "custom" : "built-in") + " stack trace rule (" + min_setter->contributes_text +
		           ")";
	}
	return out;
}

std::string rule_hint(std::string_view what, const Rule &rule) {
	return std::string(what) + " by " + (rule.custom ? "custom" : "built-in") + " stack trace rule (" +
	       rule.contributes_text + ")";
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Public API

StacktraceRules::StacktraceRules() : set_(std::make_unique<StacktraceRuleSet>()) {}
StacktraceRules::~StacktraceRules() = default;
StacktraceRules::StacktraceRules(StacktraceRules &&) noexcept = default;
StacktraceRules &StacktraceRules::operator=(StacktraceRules &&) noexcept = default;

StacktraceRules StacktraceRules::parse(std::string_view text) {
	StacktraceRules rules;
	*rules.set_ = parse_rule_set(text, true);
	return rules;
}

StacktraceRules StacktraceRules::combine(const StacktraceRules &base, const StacktraceRules &custom) {
	StacktraceRules rules;
	for (const StacktraceRules *part : {&base, &custom}) {
		if (!part->set_)
			continue;
		const StacktraceRuleSet &s = *part->set_;
		rules.set_->classifier.insert(rules.set_->classifier.end(), s.classifier.begin(), s.classifier.end());
		rules.set_->contributes.insert(rules.set_->contributes.end(), s.contributes.begin(), s.contributes.end());
		rules.set_->rule_count += s.rule_count;
	}
	rules.set_->index();
	return rules;
}

bool StacktraceRules::empty() const { return !set_ || set_->rule_count == 0; }

bool StacktraceRules::reads_exceptions() const {
	if (!set_)
		return false;
	for (const auto *rules : {&set_->classifier, &set_->contributes})
		for (const auto &rule : *rules)
			if (!rule->exception_matchers.empty())
				return true;
	return false;
}

const StacktraceRules *default_stacktrace_rules(std::string_view config_id) {
	static std::mutex mutex;
	static std::map<std::string, std::unique_ptr<StacktraceRules>, std::less<>> parsed;
	std::lock_guard<std::mutex> lock(mutex);
	auto found = parsed.find(config_id);
	if (found != parsed.end())
		return found->second.get();
	std::string_view text = default_stacktrace_rules_text(config_id);
	if (text.empty())
		return nullptr;
	auto rules = std::make_unique<StacktraceRules>();
	// The set was allocated non-const by the constructor; only parse() and this fill one in.
	const_cast<StacktraceRuleSet &>(rules->set()) = parse_rule_set(text, false);
	return parsed.emplace(std::string(config_id), std::move(rules)).first->second.get();
}

void apply_classifier_rules(const StacktraceRules &rules, Stacktrace &stacktrace, const Exception *exception) {
	if (rules.empty() || stacktrace.frames.empty())
		return;
	const StacktraceRuleSet &set = rules.set();
	if (set.classifier.empty())
		return;
	ScratchLease lease;
	Scratch &sc = lease.get();
	build_match_frames(sc, stacktrace);
	const ExceptionValues ev(exception);
	const uint8_t present = families_present(sc.frames);
	const size_t n = stacktrace.frames.size();
	const RuleIndex &index = set.classifier_index;
	collect_candidates(index, sc);
	for (uint32_t r = 0; r < index.rules.size(); r++) {
		const Rule &rule = *index.rules[r];
		if (!rule_may_apply(rule, present, sc.any_category, ev))
			continue;
		// Match every frame first: the rule's own changes must not affect what it matches.
		sc.matched.clear();
		for_each_candidate(index, sc, r, [&](size_t idx) {
			if (rule_matches_frame(rule, stacktrace, sc.frames, idx))
				sc.matched.push_back(idx);
		});
		for (size_t idx : sc.matched) {
			for (const FlagAction &a : rule.app_actions) {
				auto span = action_span(a.range, idx, n);
				for (size_t j = span.first; j < span.second; j++) {
					Frame &f = stacktrace.frames[j];
					if (f.in_app != a.flag) {
						if (!f.orig_in_app)
							f.orig_in_app = f.in_app.value_or(false);
						f.in_app = a.flag;
					}
				}
			}
			if (rule.sets_category) {
				stacktrace.frames[idx].category = rule.category;
				sc.any_category |= !rule.category.empty();
			}
		}
	}
}

StacktraceContribution assemble_stacktrace(const StacktraceRules &rules, std::string_view variant,
                                           const Stacktrace &stacktrace,
                                           const std::vector<FrameContribution> &initial,
                                           const Exception *exception) {
	const size_t n = stacktrace.frames.size();
	if (initial.size() != n)
		throw Error(ErrorKind::invalid_parameter, "assemble_stacktrace: one initial decision per frame is required");
	const bool app = variant == "app";
	StacktraceContribution result;
	result.frames = initial;
	if (n == 0) {
		result.contributes = false;
		result.hint = "ignored because it contains no frames";
		return result;
	}

	ScratchLease lease;
	Scratch &sc = lease.get();
	const StacktraceRuleSet *set = rules.empty() ? nullptr : &rules.set();
	const bool has_rules = set && !set->contributes.empty();
	if (has_rules)
		build_match_frames(sc, stacktrace);
	const ExceptionValues ev(exception);

	// The contribution pass sees, in the app variant, non-in-app frames as not contributing; a
	// +group can still turn them on there (they are switched off again below, after max-frames and
	// min-frames have counted them, as in Sentry).
	std::vector<char> &contributes = sc.contributes;
	contributes.assign(n, 0);
	for (size_t i = 0; i < n; i++)
		contributes[i] = initial[i].contributes && (!app || stacktrace.frames[i].is_in_app());
	ContributesOutcome outcome;
	if (has_rules) {
		outcome = run_contributes(*set, stacktrace, sc, contributes, ev);
	} else {
		for (size_t i = 0; i < n && !outcome.contributes; i++)
			outcome.contributes = contributes[i] != 0;
	}

	size_t in_app_frames = 0, in_app_contributing = 0;
	for (size_t i = 0; i < n; i++) {
		FrameContribution &fc = result.frames[i];
		const bool in_app = stacktrace.frames[i].is_in_app();
		in_app_frames += in_app;
		if (app && !in_app) {
			fc.contributes = false;
			fc.hint = "non app frame";
			continue;
		}
		fc.contributes = contributes[i] != 0;
		in_app_contributing += fc.contributes;
		if (!has_rules)
			continue;
		switch (HintKind(sc.changed_by[i])) {
		case HintKind::group: fc.hint = rule_hint(fc.contributes ? "un-ignored" : "ignored", *sc.hint_rule[i]); break;
		case HintKind::max_frames:
			fc.hint = "ignored because only " + std::to_string(outcome.max_frames) +
			          (outcome.max_frames == 1 ? " frame is" : " frames are") + " considered by " +
			          (sc.hint_rule[i]->custom ? "custom" : "built-in") + " stack trace rule (" +
			          sc.hint_rule[i]->contributes_text + ")";
			break;
		case HintKind::none: break;
		}
	}

	result.contributes = outcome.contributes;
	result.hint = outcome.hint;
	if (!app) {
		if (!outcome.contributes && outcome.hint.empty())
			result.hint = "ignored because it contains no contributing frames";
		return result;
	}
	// Sentry judges the app stack trace by the in-app frames that contribute in the system variant.
	// They differ from the app variant's only when max-frames counted system frames there.
	if (has_rules && outcome.max_frames > 0 && in_app_contributing > 0) {
		std::vector<char> system(n);
		for (size_t i = 0; i < n; i++)
			system[i] = initial[i].contributes;
		run_contributes(*set, stacktrace, sc, system, ev);
		in_app_contributing = 0;
		for (size_t i = 0; i < n; i++)
			in_app_contributing += system[i] && stacktrace.frames[i].is_in_app();
	}
	if (in_app_frames == 0) {
		result.contributes = false;
		result.hint = "ignored because it contains no in-app frames";
	} else if (in_app_contributing == 0) {
		result.contributes = false;
		result.hint = "ignored because it contains no contributing frames";
	}
	return result;
}

} // namespace triage
