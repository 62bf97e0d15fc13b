// Fingerprinting rules: parsing (text and JSON form), matching against an event, and the
// resolution of fingerprint variables. The behaviour follows Sentry's fingerprinting module;
// the glob dialect is the one Sentry delegates to (Rust globset on bytes, see Glob below).
#include "fingerprinting.hpp"

#include <algorithm>
#include <bitset>
#include <cstdint>
#include <cstdio>
#include <tuple>
#include <utility>

#include "errors.hpp"
#include "function_names.hpp"
#include "json.hpp"
#include "sdk_name.hpp"

namespace triage {

namespace {

// ---------------------------------------------------------------------------------------------
// UTF-8 and Python string semantics (str.isspace, str.strip, str.lower)

constexpr char32_t kInvalidCodePoint = 0xFFFD;

// Decodes the code point at pos and advances pos. A malformed byte counts as one character.
char32_t next_code_point(std::string_view s, size_t &pos) {
	unsigned char lead = static_cast<unsigned char>(s[pos]);
	size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
	if (length == 0 || pos + length > s.size()) {
		++pos;
		return lead < 0x80 ? lead : kInvalidCodePoint;
	}
	if (length == 1) {
		++pos;
		return lead;
	}
	char32_t cp = lead & (0x7F >> length);
	for (size_t i = 1; i < length; ++i) {
		unsigned char c = static_cast<unsigned char>(s[pos + i]);
		if ((c & 0xC0) != 0x80) {
			++pos;
			return kInvalidCodePoint;
		}
		cp = (cp << 6) | (c & 0x3F);
	}
	pos += length;
	return cp;
}

void append_utf8(std::string &out, char32_t cp) {
	if (cp < 0x80) {
		out += static_cast<char>(cp);
	} else if (cp < 0x800) {
		out += static_cast<char>(0xC0 | (cp >> 6));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out += static_cast<char>(0xE0 | (cp >> 12));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	} else {
		out += static_cast<char>(0xF0 | (cp >> 18));
		out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	}
}

// Python's str.isspace(), which is also what \s and \S mean in Sentry's regexes.
bool is_py_space(char32_t c) {
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Byte offset of the first character at or after pos that is (not) whitespace.
size_t skip_py_space(std::string_view s, size_t pos) {
	while (pos < s.size()) {
		size_t next = pos;
		if (!is_py_space(next_code_point(s, next)))
			break;
		pos = next;
	}
	return pos;
}

size_t skip_py_non_space(std::string_view s, size_t pos) {
	while (pos < s.size()) {
		size_t next = pos;
		if (is_py_space(next_code_point(s, next)))
			break;
		pos = next;
	}
	return pos;
}

std::string_view py_strip(std::string_view s) {
	size_t begin = skip_py_space(s, 0);
	size_t end = begin;
	for (size_t pos = begin; pos < s.size();) {
		if (!is_py_space(next_code_point(s, pos)))
			end = pos;
	}
	return s.substr(begin, end - begin);
}

// Lowercase mapping of Python's str.lower() for the scripts that matter in practice (ASCII,
// Latin-1, Latin Extended-A, Greek, Cyrillic); other characters are kept as they are.
void append_lower(std::string &out, char32_t c) {
	if (c < 0x80) {
		out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
		return;
	}
	if (c == 0x130) { // İ lowers to i + combining dot above
		out += 'i';
		append_utf8(out, 0x307);
		return;
	}
	char32_t lower = c;
	if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) || (c >= 0x410 && c <= 0x42F))
		lower = c + 0x20;
	else if (c >= 0x400 && c <= 0x40F)
		lower = c + 0x50;
	else if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
		lower = c | 1;
	else if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
		lower = (c & 1) ? c + 1 : c;
	else if (c == 0x178)
		lower = 0xFF;
	else if (c == 0x386)
		lower = 0x3AC;
	else if (c >= 0x388 && c <= 0x38A)
		lower = c + 37;
	else if (c == 0x38C)
		lower = 0x3CC;
	else if (c == 0x38E || c == 0x38F)
		lower = c + 63;
	append_utf8(out, lower);
}

std::string py_lower(std::string_view s) {
	std::string out;
	out.reserve(s.size());
	for (size_t pos = 0; pos < s.size();)
		append_lower(out, next_code_point(s, pos));
	return out;
}

// ---------------------------------------------------------------------------------------------
// Glob matching. Sentry's glob_match goes through Relay to the Rust globset crate: the pattern
// becomes a byte regex, anchored at both ends, where '.' matches any byte (newlines included).
// Case-insensitive matching lowercases both sides first (Python), path normalization turns
// backslashes into slashes on both sides, and "double star" mode stops '*' and '?' at '/'.
// The pattern is compiled to a Thompson NFA, so matching is linear in the value's length.

struct GlobOptions {
	bool literal_separator = false; // Sentry's doublestar=True
	bool ignore_case = false;
	bool path_normalize = false;
};

struct GlobToken;
using GlobTokens = std::vector<GlobToken>;

struct GlobToken {
	enum class Kind {
		literal, any, zero_or_more, recursive_prefix, recursive_suffix, recursive_any_dirs, char_class, alternates
	};
	Kind kind = Kind::literal;
	char32_t ch = 0;
	bool negated = false;
	std::vector<std::pair<char32_t, char32_t>> ranges;
	std::vector<GlobTokens> alternatives;
};

struct GlobSyntaxError {};

// globset's parser: '*', '?', '[...]' classes ('!' or '^' negates), '{a,b}' alternates, backslash
// escapes, and '**' as a recursive wildcard only where it stands for whole path components.
class GlobParser {
public:
	explicit GlobParser(std::string_view pattern) {
		for (size_t pos = 0; pos < pattern.size();)
			chars_.push_back(next_code_point(pattern, pos));
		branches_.emplace_back();
	}

	GlobTokens parse() {
		while (auto c = bump()) {
			switch (*c) {
			case '?': push(simple(GlobToken::Kind::any)); break;
			case '*': parse_star(); break;
			case '[': parse_class(); break;
			case '{':
				open_alternates_.push_back(branches_.size());
				branches_.emplace_back();
				break;
			case '}': close_alternates(); break;
			case ',':
				if (open_alternates_.empty())
					push(literal(','));
				else
					branches_.emplace_back();
				break;
			case '\\': {
				auto escaped = bump();
				if (!escaped)
					throw GlobSyntaxError{};
				push(literal(*escaped));
				break;
			}
			default: push(literal(*c));
			}
		}
		if (branches_.size() != 1)
			throw GlobSyntaxError{};
		return std::move(branches_.back());
	}

private:
	static GlobToken simple(GlobToken::Kind kind) {
		GlobToken t;
		t.kind = kind;
		return t;
	}
	static GlobToken literal(char32_t c) {
		GlobToken t;
		t.ch = c;
		return t;
	}
	static bool is_separator(std::optional<char32_t> c) { return c && *c == '/'; }

	std::optional<char32_t> bump() {
		prev_ = cur_;
		cur_ = next_ < chars_.size() ? std::optional<char32_t>(chars_[next_++]) : std::nullopt;
		return cur_;
	}
	std::optional<char32_t> peek() const {
		return next_ < chars_.size() ? std::optional<char32_t>(chars_[next_]) : std::nullopt;
	}
	void push(GlobToken token) { branches_.back().push_back(std::move(token)); }
	void push_two_stars() {
		push(simple(GlobToken::Kind::zero_or_more));
		push(simple(GlobToken::Kind::zero_or_more));
	}

	void close_alternates() {
		if (open_alternates_.empty())
			throw GlobSyntaxError{};
		size_t first = open_alternates_.back();
		open_alternates_.pop_back();
		GlobToken t = simple(GlobToken::Kind::alternates);
		for (size_t i = first; i < branches_.size(); ++i)
			t.alternatives.push_back(std::move(branches_[i]));
		branches_.resize(first);
		push(std::move(t));
	}

	void parse_star() {
		std::optional<char32_t> before = prev_;
		if (peek() != std::optional<char32_t>('*')) {
			push(simple(GlobToken::Kind::zero_or_more));
			return;
		}
		bump();
		if (branches_.back().empty()) {
			if (peek() && !is_separator(peek())) {
				push_two_stars();
			} else {
				push(simple(GlobToken::Kind::recursive_prefix));
				bump();
			}
			return;
		}
		bool after_alternate_start = branches_.size() > 1 && before && (*before == ',' || *before == '{');
		if (!is_separator(before) && !after_alternate_start) {
			push_two_stars();
			return;
		}
		bool is_suffix;
		std::optional<char32_t> next = peek();
		if (!next) {
			bump();
			is_suffix = true;
		} else if ((*next == ',' || *next == '}') && branches_.size() >= 2) {
			is_suffix = true;
		} else if (is_separator(next)) {
			bump();
			is_suffix = false;
		} else {
			push_two_stars();
			return;
		}
		GlobToken last = std::move(branches_.back().back());
		branches_.back().pop_back();
		if (last.kind == GlobToken::Kind::recursive_prefix || last.kind == GlobToken::Kind::recursive_suffix)
			push(std::move(last));
		else
			push(simple(is_suffix ? GlobToken::Kind::recursive_suffix : GlobToken::Kind::recursive_any_dirs));
	}

	void parse_class() {
		GlobToken t = simple(GlobToken::Kind::char_class);
		if (peek() == std::optional<char32_t>('!') || peek() == std::optional<char32_t>('^')) {
			bump();
			t.negated = true;
		}
		bool first = true;
		bool in_range = false;
		for (;;) {
			auto c = bump();
			if (!c)
				throw GlobSyntaxError{};
			if (*c == ']' && !first)
				break;
			if (*c == '-' && !first) {
				if (in_range)
					extend_last_range(t, '-');
				in_range = !in_range;
			} else if (in_range) {
				extend_last_range(t, *c);
				in_range = false;
			} else {
				t.ranges.emplace_back(*c, *c);
			}
			first = false;
		}
		if (in_range)
			t.ranges.emplace_back('-', '-');
		push(std::move(t));
	}

	static void extend_last_range(GlobToken &t, char32_t hi) {
		t.ranges.back().second = hi;
		if (hi < t.ranges.back().first)
			throw GlobSyntaxError{};
	}

	std::vector<char32_t> chars_;
	size_t next_ = 0;
	std::optional<char32_t> prev_, cur_;
	std::vector<size_t> open_alternates_;
	std::vector<GlobTokens> branches_;
};

class Glob {
public:
	Glob() = default;
	Glob(std::string_view pattern, GlobOptions options) : options_(options) {
		std::string prepared = prepare(pattern, options);
		// Most rule patterns are plain text, or text and a final "*": those compare directly,
		// without the automaton. (Without '{' a comma is plain text too.)
		std::string_view head = prepared;
		bool star = !options.literal_separator && !head.empty() && head.back() == '*';
		if (star)
			head.remove_suffix(1);
		if (head.find_first_of("*?[{}\\") == std::string_view::npos && is_ascii(head)) {
			literal_ = std::string(head);
			literal_is_prefix_ = star;
		}
		try {
			GlobTokens tokens = GlobParser(prepared).parse();
			int match = add_state(StateKind::match);
			if (tokens.size() == 1 && tokens[0].kind == GlobToken::Kind::recursive_prefix)
				start_ = add_loop(all_bytes(), match); // a lone "**" matches anything
			else
				start_ = compile_sequence(tokens, match);
			valid_ = true;
		} catch (const GlobSyntaxError &) {
			valid_ = false; // globset rejects the pattern; Sentry then reports no match
			states_.clear();
		}
	}

	bool matches(std::string_view value) const {
		if (!valid_)
			return false;
		if (literal_ && is_ascii(value)) {
			if (literal_is_prefix_ ? value.size() < literal_->size() : value.size() != literal_->size())
				return false;
			for (size_t i = 0; i < literal_->size(); i++) {
				char c = value[i];
				if (options_.ignore_case && c >= 'A' && c <= 'Z')
					c = static_cast<char>(c - 'A' + 'a');
				if (options_.path_normalize && c == '\\')
					c = '/';
				if (c != (*literal_)[i])
					return false;
			}
			return true;
		}
		std::string prepared = prepare(value, options_);
		std::vector<int> current, next, pending;
		std::vector<size_t> seen(states_.size(), SIZE_MAX);
		size_t step = 0;
		add_closure(start_, current, pending, seen, step);
		for (unsigned char byte : prepared) {
			++step;
			next.clear();
			for (int s : current)
				if (states_[s].kind == StateKind::bytes && states_[s].accepts.test(byte))
					add_closure(states_[s].out, next, pending, seen, step);
			current.swap(next);
			if (current.empty())
				return false;
		}
		for (int s : current)
			if (states_[s].kind == StateKind::match)
				return true;
		return false;
	}

private:
	std::optional<std::string> literal_; // the prepared pattern, when it has no wildcard
	bool literal_is_prefix_ = false;     // ... but for a final "*"
	enum class StateKind { bytes, split, match };
	using ByteSet = std::bitset<256>;
	struct State {
		StateKind kind;
		ByteSet accepts;
		int out = -1;
		int out2 = -1;
	};

	static bool is_ascii(std::string_view text) {
		return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
	}

	static std::string prepare(std::string_view text, GlobOptions options) {
		std::string out = options.ignore_case ? py_lower(text) : std::string(text);
		if (options.path_normalize)
			std::replace(out.begin(), out.end(), '\\', '/');
		return out;
	}

	static ByteSet all_bytes() { return ByteSet().set(); }
	ByteSet one_char_bytes() const {
		ByteSet set = all_bytes();
		if (options_.literal_separator)
			set.reset('/');
		return set;
	}
	static ByteSet single(unsigned char b) { return ByteSet().set(b); }

	int add_state(StateKind kind, ByteSet accepts = {}, int out = -1, int out2 = -1) {
		states_.push_back(State{kind, accepts, out, out2});
		return static_cast<int>(states_.size()) - 1;
	}
	int add_bytes(ByteSet accepts, int next) { return add_state(StateKind::bytes, accepts, next); }
	int add_split(int a, int b) { return add_state(StateKind::split, {}, a, b); }
	// (set)* followed by next
	int add_loop(ByteSet accepts, int next) {
		int loop = add_split(-1, next);
		states_[loop].out = add_bytes(accepts, loop);
		return loop;
	}

	static std::string utf8_of(char32_t c) {
		std::string s;
		append_utf8(s, c);
		return s;
	}

	// A class becomes a byte class: each character contributes its UTF-8 bytes, and a range
	// joins the last byte of its low end to the first byte of its high end, as globset's byte
	// regex does.
	static ByteSet class_bytes(const GlobToken &t) {
		ByteSet set;
		for (const auto &[lo, hi] : t.ranges) {
			std::string low = utf8_of(lo);
			if (lo == hi) {
				for (unsigned char b : low)
					set.set(b);
				continue;
			}
			std::string high = utf8_of(hi);
			for (size_t i = 0; i + 1 < low.size(); ++i)
				set.set(static_cast<unsigned char>(low[i]));
			for (unsigned b = static_cast<unsigned char>(low.back()); b <= static_cast<unsigned char>(high[0]); ++b)
				set.set(b);
			for (size_t i = 1; i < high.size(); ++i)
				set.set(static_cast<unsigned char>(high[i]));
		}
		return t.negated ? ~set : set;
	}

	// Whether a token sequence produces no regex text at all (globset drops such alternatives).
	static bool emits_nothing(const GlobTokens &tokens) {
		for (const GlobToken &t : tokens)
			if (t.kind != GlobToken::Kind::alternates ||
			    !std::all_of(t.alternatives.begin(), t.alternatives.end(), emits_nothing))
				return false;
		return true;
	}

	int compile_sequence(const GlobTokens &tokens, int next) {
		for (auto it = tokens.rbegin(); it != tokens.rend(); ++it)
			next = compile_token(*it, next);
		return next;
	}

	int compile_token(const GlobToken &t, int next) {
		switch (t.kind) {
		case GlobToken::Kind::literal: {
			std::string bytes = utf8_of(t.ch);
			for (auto it = bytes.rbegin(); it != bytes.rend(); ++it)
				next = add_bytes(single(static_cast<unsigned char>(*it)), next);
			return next;
		}
		case GlobToken::Kind::any: return add_bytes(one_char_bytes(), next);
		case GlobToken::Kind::zero_or_more: return add_loop(one_char_bytes(), next);
		case GlobToken::Kind::recursive_prefix: { // (?:/?|.*/)
			int slash = add_bytes(single('/'), next);
			return add_split(add_split(slash, next), add_loop(all_bytes(), slash));
		}
		case GlobToken::Kind::recursive_suffix: // /.*
			return add_bytes(single('/'), add_loop(all_bytes(), next));
		case GlobToken::Kind::recursive_any_dirs: { // (?:/|/.*/)
			int closing_slash = add_bytes(single('/'), next);
			int opening_slash = add_bytes(single('/'), add_loop(all_bytes(), closing_slash));
			return add_split(add_bytes(single('/'), next), opening_slash);
		}
		case GlobToken::Kind::char_class: return add_bytes(class_bytes(t), next);
		case GlobToken::Kind::alternates: {
			int entry = -1;
			for (auto it = t.alternatives.rbegin(); it != t.alternatives.rend(); ++it) {
				if (emits_nothing(*it))
					continue;
				int start = compile_sequence(*it, next);
				entry = entry < 0 ? start : add_split(start, entry);
			}
			return entry < 0 ? next : entry;
		}
		}
		return next;
	}

	// Adds state and every state reachable from it without consuming input (pending is scratch).
	void add_closure(int state, std::vector<int> &set, std::vector<int> &pending, std::vector<size_t> &seen,
	                 size_t step) const {
		pending.assign(1, state);
		while (!pending.empty()) {
			int s = pending.back();
			pending.pop_back();
			if (seen[s] == step)
				continue;
			seen[s] = step;
			if (states_[s].kind == StateKind::split) {
				pending.push_back(states_[s].out2);
				pending.push_back(states_[s].out);
			} else {
				set.push_back(s);
			}
		}
	}

	GlobOptions options_;
	std::vector<State> states_;
	int start_ = -1;
	bool valid_ = false;
};

// ---------------------------------------------------------------------------------------------
// Fingerprint variables: an entry that is a whole "{{ name }}" (regex \{\{\s*(\S+)\s*\}\}).

struct VariableMatch {
	std::string_view name;
	size_t end;
};

// Python re semantics of the variable regex anchored at pos: the greedy \S+ backs off until
// "}}" can follow.
std::optional<VariableMatch> match_variable_at(std::string_view text, size_t pos) {
	if (text.compare(pos, 2, "{{") != 0)
		return std::nullopt;
	size_t name_start = skip_py_space(text, pos + 2);
	size_t run_end = skip_py_non_space(text, name_start);
	if (run_end == name_start)
		return std::nullopt;
	size_t after_space = skip_py_space(text, run_end);
	if (text.compare(after_space, 2, "}}") == 0)
		return VariableMatch{text.substr(name_start, run_end - name_start), after_space + 2};
	for (size_t e = run_end - 2; e > name_start && e + 2 <= run_end; --e)
		if (text[e] == '}' && text[e + 1] == '}')
			return VariableMatch{text.substr(name_start, e - name_start), e + 2};
	return std::nullopt;
}

std::optional<std::string_view> variable_name(std::string_view entry) {
	auto m = match_variable_at(entry, 0);
	if (m && m->end == entry.size())
		return m->name;
	return std::nullopt;
}

constexpr std::string_view kDefaultEntry = "{{ default }}";

// ---------------------------------------------------------------------------------------------
// Rules

enum class MatchKey {
	type, value, message, logger, level, module, path, package, function, family, app, sdk, release, tag,
	thread_id, thread_name, thread_state, thread_crashed, thread_current
};

// Which part of the event a matcher reads. All matchers of one kind must hold for one and the
// same item (one exception, one frame, ...).
enum class DataKind { toplevel, log_info, exceptions, tags, sdk, family, release, threads, frames };

enum class Neighbour { none, caller, callee };

std::optional<MatchKey> match_key_for(std::string_view key) {
	static const std::pair<std::string_view, MatchKey> keys[] = {
	    {"error.type", MatchKey::type},        {"error.value", MatchKey::value},
	    {"stack.module", MatchKey::module},    {"stack.abs_path", MatchKey::path},
	    {"stack.package", MatchKey::package},  {"stack.function", MatchKey::function},
	    {"message", MatchKey::message},        {"logger", MatchKey::logger},
	    {"level", MatchKey::level},            {"type", MatchKey::type},
	    {"value", MatchKey::value},            {"module", MatchKey::module},
	    {"path", MatchKey::path},              {"package", MatchKey::package},
	    {"function", MatchKey::function},      {"family", MatchKey::family},
	    {"app", MatchKey::app},                {"sdk", MatchKey::sdk},
	    {"release", MatchKey::release},        {"thread.id", MatchKey::thread_id},
	    {"thread.name", MatchKey::thread_name}, {"thread.state", MatchKey::thread_state},
	    {"thread.crashed", MatchKey::thread_crashed}, {"thread.current", MatchKey::thread_current},
	};
	if (key.substr(0, 5) == "tags.")
		return MatchKey::tag;
	for (const auto &[name, k] : keys)
		if (name == key)
			return k;
	return std::nullopt;
}

DataKind data_kind_of(MatchKey key) {
	switch (key) {
	case MatchKey::message: return DataKind::toplevel;
	case MatchKey::logger:
	case MatchKey::level: return DataKind::log_info;
	case MatchKey::type:
	case MatchKey::value: return DataKind::exceptions;
	case MatchKey::tag: return DataKind::tags;
	case MatchKey::sdk: return DataKind::sdk;
	case MatchKey::family: return DataKind::family;
	case MatchKey::release: return DataKind::release;
	case MatchKey::thread_id:
	case MatchKey::thread_name:
	case MatchKey::thread_state:
	case MatchKey::thread_crashed:
	case MatchKey::thread_current: return DataKind::threads;
	default: return DataKind::frames;
	}
}

// Sentry's bool_from_string.
std::optional<bool> bool_from_string(std::string_view s) {
	std::string lower = py_lower(s);
	if (lower == "1" || lower == "yes" || lower == "true")
		return true;
	if (lower == "0" || lower == "no" || lower == "false")
		return false;
	return std::nullopt;
}

struct Matcher {
	MatchKey key;
	std::string tag_key; // "tags.X" for tag matchers
	std::string pattern;
	bool negated = false;
	Neighbour neighbour = Neighbour::none;
	Glob glob;
	std::vector<std::string> flags;  // family and sdk: comma-separated exact values
	std::optional<bool> wanted_bool; // app, thread.crashed, thread.current

	DataKind kind() const { return neighbour == Neighbour::none ? data_kind_of(key) : DataKind::frames; }
};

Matcher make_matcher(std::string_view key, std::string pattern, bool negated, Neighbour neighbour) {
	auto k = match_key_for(key);
	if (!k)
		throw Error(ErrorKind::rule_syntax, "unknown matcher '" + std::string(key) + "'");
	Matcher m;
	m.key = *k;
	if (*k == MatchKey::tag)
		m.tag_key = std::string(key);
	m.negated = negated;
	m.neighbour = neighbour;
	switch (*k) {
	case MatchKey::path:
	case MatchKey::package:
	case MatchKey::release: m.glob = Glob(pattern, GlobOptions{true, true, true}); break;
	case MatchKey::message:
	case MatchKey::level:
	case MatchKey::value:
	case MatchKey::thread_id:
	case MatchKey::thread_name:
	case MatchKey::thread_state: m.glob = Glob(pattern, GlobOptions{false, true, false}); break;
	case MatchKey::family:
	case MatchKey::sdk:
		for (size_t start = 0;;) {
			size_t comma = pattern.find(',', start);
			m.flags.push_back(pattern.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
			if (comma == std::string::npos)
				break;
			start = comma + 1;
		}
		break;
	case MatchKey::app:
	case MatchKey::thread_crashed:
	case MatchKey::thread_current: m.wanted_bool = bool_from_string(pattern); break;
	default: m.glob = Glob(pattern, GlobOptions{}); break;
	}
	m.pattern = std::move(pattern);
	return m;
}

struct Rule {
	std::vector<Matcher> matchers;
	std::vector<DataKind> kinds; // the distinct data kinds of the matchers, in order of appearance
	std::vector<std::string> fingerprint;
	std::optional<std::string> title;
};

Rule make_rule(std::vector<Matcher> matchers, std::vector<std::string> fingerprint, std::optional<std::string> title) {
	Rule r;
	for (const Matcher &m : matchers)
		if (std::find(r.kinds.begin(), r.kinds.end(), m.kind()) == r.kinds.end())
			r.kinds.push_back(m.kind());
	r.matchers = std::move(matchers);
	r.fingerprint = std::move(fingerprint);
	r.title = std::move(title);
	return r;
}

} // namespace

struct FingerprintRuleSet {
	std::vector<Rule> rules;
};

namespace {

// ---------------------------------------------------------------------------------------------
// Text syntax. A hand-written equivalent of Sentry's PEG grammar:
//
//   line        = " "* (comment / rule / "") newline?          comment = #[^\r\n]*
//   rule        = " "* matchers " "* "->" " "* fp_value+
//   matchers    = caller? matcher+ callee?                      caller  = "[" matcher "]" "|"
//   matcher     = " "* "!"? (key / "quoted_key") ":" (quoted / \S+)               callee  = "|" "[" matcher "]"
//   fp_value    = " "* (key "=" quoted / quoted / {{ var }} / [^\s{,]+) " "* ","?
//
// Only plain spaces separate tokens; a line that is not a comment or a complete rule is an error.

bool is_key_char(char c, bool quoted) {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-' || (quoted && c == ':');
}

// Python's "unicode-escape" decoding of an ASCII-only rendering of s (Sentry's unescape_string),
// where malformed escapes are kept verbatim.
std::string unescape_string(std::string_view s) {
	// Non-ASCII characters first become \xNN, \uNNNN or \UNNNNNNNN ("backslashreplace").
	std::string ascii;
	for (size_t pos = 0; pos < s.size();) {
		char32_t c = next_code_point(s, pos);
		if (c < 0x80) {
			ascii += static_cast<char>(c);
			continue;
		}
		char buf[12];
		if (c < 0x100)
			snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
		else if (c < 0x10000)
			snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
		else
			snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(c));
		ascii += buf;
	}
	auto hex_value = [](char c) -> int {
		if (c >= '0' && c <= '9')
			return c - '0';
		if (c >= 'a' && c <= 'f')
			return c - 'a' + 10;
		if (c >= 'A' && c <= 'F')
			return c - 'A' + 10;
		return -1;
	};
	std::string out;
	for (size_t i = 0; i < ascii.size();) {
		if (ascii[i] != '\\') {
			out += ascii[i++];
			continue;
		}
		if (i + 1 >= ascii.size()) {
			out += ascii[i++];
			continue;
		}
		char e = ascii[i + 1];
		static constexpr std::string_view simple_from = "\\'\"abfnrtv";
		static constexpr std::string_view simple_to = "\\'\"\a\b\f\n\r\t\v";
		if (auto k = simple_from.find(e); k != std::string_view::npos) {
			out += simple_to[k];
			i += 2;
		} else if (e == '\n') {
			i += 2;
		} else if (e >= '0' && e <= '7') {
			char32_t value = 0;
			size_t j = i + 1;
			for (; j < ascii.size() && j < i + 4 && ascii[j] >= '0' && ascii[j] <= '7'; ++j)
				value = value * 8 + static_cast<char32_t>(ascii[j] - '0');
			append_utf8(out, value);
			i = j;
		} else if (e == 'x' || e == 'u' || e == 'U') {
			size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
			size_t j = i + 2;
			char32_t value = 0;
			while (j < ascii.size() && j < i + 2 + digits && hex_value(ascii[j]) >= 0)
				value = value * 16 + static_cast<char32_t>(hex_value(ascii[j++]));
			if (j == i + 2 + digits && value <= 0x10FFFF)
				append_utf8(out, value);
			else
				out.append(ascii, i, j - i);
			i = j;
		} else {
			out += '\\'; // unknown escapes (and \N{...}) stay as written
			++i;
		}
	}
	return out;
}

struct ParsedRule {
	Rule rule;
	size_t end;
};

class TextRuleParser {
public:
	explicit TextRuleParser(std::string_view text) : text_(text) {}

	std::vector<Rule> parse() {
		std::vector<Rule> rules;
		size_t pos = 0;
		while (pos < text_.size()) {
			size_t line_start = pos;
			pos = skip_spaces(pos);
			if (at(pos) == '#') {
				while (pos < text_.size() && text_[pos] != '\r' && text_[pos] != '\n')
					++pos;
			} else if (auto parsed = rule(pos)) {
				rules.push_back(std::move(parsed->rule));
				pos = parsed->end;
			}
			if (at(pos) == '\r' || at(pos) == '\n')
				++pos;
			if (pos == line_start)
				throw syntax_error(pos);
		}
		return rules;
	}

private:
	char at(size_t pos) const { return pos < text_.size() ? text_[pos] : '\0'; }
	size_t skip_spaces(size_t pos) const {
		while (at(pos) == ' ')
			++pos;
		return pos;
	}

	size_t line_of(size_t pos) const {
		return 1 + static_cast<size_t>(std::count(text_.begin(), text_.begin() + static_cast<ptrdiff_t>(pos), '\n'));
	}

	Error syntax_error(size_t pos) const {
		size_t line_begin = text_.rfind('\n', pos == 0 ? 0 : pos - 1);
		size_t column = line_begin == std::string_view::npos || pos == 0 ? pos + 1 : pos - line_begin;
		std::string context(text_.substr(pos, 33));
		if (context.size() == 33)
			context = context.substr(0, 32) + "...";
		return Error(ErrorKind::rule_syntax, "invalid fingerprinting rule syntax near \"" + context + "\" (line " +
		                                         std::to_string(line_of(pos)) + ", column " +
		                                         std::to_string(column) + ")");
	}

	Error rule_error(size_t pos, const std::string &what) const {
		return Error(ErrorKind::rule_syntax,
		             "fingerprinting rule on line " + std::to_string(line_of(pos)) + ": " + what);
	}

	std::optional<ParsedRule> rule(size_t start) const {
		size_t pos = start;
		std::vector<std::tuple<std::string, std::string, bool, Neighbour>> raw_matchers;
		if (auto caller = neighbour_matcher(pos, Neighbour::caller)) {
			raw_matchers.push_back(caller->first);
			pos = caller->second;
		}
		size_t plain = 0;
		while (auto m = matcher(pos)) {
			raw_matchers.emplace_back(std::get<0>(m->first), std::get<1>(m->first), std::get<2>(m->first),
			                          Neighbour::none);
			pos = m->second;
			++plain;
		}
		if (plain == 0)
			return std::nullopt;
		if (auto callee = neighbour_matcher(pos, Neighbour::callee)) {
			raw_matchers.push_back(callee->first);
			pos = callee->second;
		}
		pos = skip_spaces(pos);
		if (text_.compare(pos, 2, "->") != 0)
			return std::nullopt;
		pos = skip_spaces(pos + 2);

		std::vector<std::string> fingerprint;
		std::optional<std::string> title;
		size_t values = 0;
		while (auto v = fingerprint_value(pos)) {
			if (v->attribute) {
				if (v->attribute_key != "title")
					throw rule_error(start, "unknown attribute '" + v->attribute_key + "'");
				title = std::move(v->text);
			} else {
				fingerprint.push_back(variable_name(v->text) == std::optional<std::string_view>("default")
				                          ? std::string(kDefaultEntry)
				                          : std::move(v->text));
			}
			pos = v->end;
			++values;
		}
		if (values == 0)
			return std::nullopt;

		std::vector<Matcher> matchers;
		for (auto &[name, pattern, negated, neighbour] : raw_matchers) {
			try {
				matchers.push_back(make_matcher(name, std::move(pattern), negated, neighbour));
			} catch (const Error &e) {
				throw rule_error(start, e.what());
			}
		}
		return ParsedRule{make_rule(std::move(matchers), std::move(fingerprint), std::move(title)), pos};
	}

	// key, or "quoted key" where allowed (matcher keys, not attribute names)
	std::optional<std::pair<std::string, size_t>> key(size_t pos, bool allow_quoted) const {
		bool quoted = allow_quoted && at(pos) == '"';
		size_t begin = quoted ? pos + 1 : pos;
		size_t end = begin;
		while (end < text_.size() && is_key_char(text_[end], quoted))
			++end;
		if (end == begin || (quoted && at(end) != '"'))
			return std::nullopt;
		return std::make_pair(std::string(text_.substr(begin, end - begin)), quoted ? end + 1 : end);
	}

	// "..." with backslash escapes (an escaped character may not be a newline); unescaped.
	std::optional<std::pair<std::string, size_t>> quoted(size_t pos) const {
		if (at(pos) != '"')
			return std::nullopt;
		for (size_t i = pos + 1; i < text_.size(); ++i) {
			if (text_[i] == '"')
				return std::make_pair(unescape_string(text_.substr(pos + 1, i - pos - 1)), i + 1);
			if (text_[i] == '\\') {
				if (i + 1 >= text_.size() || text_[i + 1] == '\n')
					return std::nullopt;
				++i;
			}
		}
		return std::nullopt;
	}

	using RawMatcher = std::tuple<std::string, std::string, bool>;

	std::optional<std::pair<RawMatcher, size_t>> matcher(size_t pos) const {
		pos = skip_spaces(pos);
		bool negated = at(pos) == '!';
		if (negated)
			++pos;
		auto k = key(pos, true);
		if (!k || at(k->second) != ':')
			return std::nullopt;
		pos = k->second + 1;
		if (auto q = quoted(pos))
			return std::make_pair(RawMatcher{k->first, q->first, negated}, q->second);
		size_t end = skip_py_non_space(text_, pos);
		if (end == pos)
			return std::nullopt;
		return std::make_pair(RawMatcher{k->first, std::string(text_.substr(pos, end - pos)), negated}, end);
	}

	// "[ matcher ] |" before the matchers, "| [ matcher ]" after them.
	std::optional<std::pair<std::tuple<std::string, std::string, bool, Neighbour>, size_t>>
	neighbour_matcher(size_t pos, Neighbour which) const {
		pos = skip_spaces(pos);
		if (which == Neighbour::callee) {
			if (at(pos) != '|')
				return std::nullopt;
			pos = skip_spaces(pos + 1);
		}
		if (at(pos) != '[')
			return std::nullopt;
		auto m = matcher(skip_spaces(pos + 1));
		if (!m)
			return std::nullopt;
		pos = skip_spaces(m->second);
		if (at(pos) != ']')
			return std::nullopt;
		++pos;
		if (which == Neighbour::caller) {
			pos = skip_spaces(pos);
			if (at(pos) != '|')
				return std::nullopt;
			++pos;
		}
		auto &[k, pattern, negated] = m->first;
		return std::make_pair(std::make_tuple(k, pattern, negated, which), pos);
	}

	struct FingerprintValue {
		std::string text;
		bool attribute = false;
		std::string attribute_key;
		size_t end = 0;
	};

	std::optional<FingerprintValue> fingerprint_value(size_t pos) const {
		pos = skip_spaces(pos);
		FingerprintValue v;
		size_t end;
		auto k = key(pos, false);
		std::optional<std::pair<std::string, size_t>> q;
		if (k && at(k->second) == '=' && (q = quoted(k->second + 1))) {
			v.attribute = true;
			v.attribute_key = k->first;
			v.text = std::move(q->first);
			end = q->second;
		} else if ((q = quoted(pos))) {
			v.text = std::move(q->first);
			end = q->second;
		} else if (auto var = match_variable_at(text_, pos)) {
			v.text = std::string(text_.substr(pos, var->end - pos));
			end = var->end;
		} else {
			end = pos;
			while (end < text_.size()) {
				size_t next = end;
				char32_t c = next_code_point(text_, next);
				if (is_py_space(c) || c == '{' || c == ',')
					break;
				end = next;
			}
			if (end == pos)
				return std::nullopt;
			v.text = std::string(text_.substr(pos, end - pos));
		}
		end = skip_spaces(end);
		if (at(end) == ',')
			++end;
		v.end = end;
		return v;
	}

	std::string_view text_;
};

// ---------------------------------------------------------------------------------------------
// JSON form: [{"matchers": [[key, pattern], ...], "fingerprint": [...], "attributes": {...}}],
// or {"version": 1, "rules": [...]}. Unknown fields (text, is_builtin, ...) are ignored.

std::vector<Rule> parse_json_rules(std::string_view text) {
	JsonDocument doc;
	parse_json(text, doc, "fingerprinting rules");
	const JsonValue *rules = &doc;
	if (doc.IsObject()) {
		if (auto version = member(doc, "version"); version && !(version->IsInt64() && version->GetInt64() == 1))
			throw Error(ErrorKind::rule_syntax, "fingerprinting rules: unknown version");
		rules = member_array(doc, "rules");
	}
	if (!rules || !rules->IsArray())
		throw Error(ErrorKind::rule_syntax, "fingerprinting rules: expected an array of rules");
	std::vector<Rule> out;
	size_t index = 0;
	for (const JsonValue &r : rules->GetArray()) {
		++index;
		auto fail = [index](const std::string &what) {
			return Error(ErrorKind::rule_syntax, "fingerprinting rule " + std::to_string(index) + ": " + what);
		};
		if (!r.IsObject())
			throw fail("not an object");
		const JsonValue *matchers = member_array(r, "matchers");
		const JsonValue *fingerprint = member_array(r, "fingerprint");
		if (!matchers)
			throw fail("\"matchers\" must be an array");
		if (!fingerprint)
			throw fail("\"fingerprint\" must be an array");
		std::vector<Matcher> ms;
		for (const JsonValue &m : matchers->GetArray()) {
			if (!m.IsArray() || m.Size() != 2 || !m[0].IsString() || !m[1].IsString())
				throw fail("each matcher must be a [key, pattern] pair of strings");
			std::string_view k = string_of(m[0]);
			Neighbour neighbour = Neighbour::none;
			if (k.size() >= 3 && k.front() == '[' && k.substr(k.size() - 2) == "]|") {
				neighbour = Neighbour::caller;
				k = k.substr(1, k.size() - 3);
			} else if (k.size() >= 3 && k.substr(0, 2) == "|[" && k.back() == ']') {
				neighbour = Neighbour::callee;
				k = k.substr(2, k.size() - 3);
			}
			bool negated = !k.empty() && k.front() == '!';
			while (!k.empty() && k.front() == '!')
				k.remove_prefix(1);
			try {
				ms.push_back(make_matcher(k, std::string(string_of(m[1])), negated, neighbour));
			} catch (const Error &e) {
				throw fail(e.what());
			}
		}
		std::vector<std::string> fp;
		for (const JsonValue &v : fingerprint->GetArray()) {
			if (!v.IsString())
				throw fail("fingerprint entries must be strings");
			fp.emplace_back(string_of(v));
		}
		std::optional<std::string> title;
		if (const JsonValue *attributes = member(r, "attributes"); attributes && !attributes->IsNull()) {
			if (!attributes->IsObject())
				throw fail("\"attributes\" must be an object");
			if (const JsonValue *t = member(*attributes, "title"); t && !t->IsNull()) {
				if (!t->IsString())
					throw fail("\"title\" must be a string");
				title = std::string(string_of(*t));
			}
		}
		out.push_back(make_rule(std::move(ms), std::move(fp), std::move(title)));
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// The event as the matchers see it (Sentry's EventDatastore), built lazily per data kind.

std::optional<std::string_view> non_empty(std::string_view s) {
	return s.empty() ? std::nullopt : std::optional<std::string_view>(s);
}

std::string frame_function_name(const Frame &frame) {
	if (frame.has_raw_function && !frame.raw_function.empty())
		return std::string(frame.function); // already trimmed during normalization
	if (frame.function.empty())
		return {};
	return trim_function_name(frame.function, frame.platform);
}

struct FrameData {
	std::string function;
	std::optional<std::string_view> abs_path; // abs_path, else filename
	std::optional<std::string_view> filename;
	std::optional<std::string_view> module;
	std::optional<std::string_view> package;
	std::optional<bool> app;
};

struct ExceptionData {
	std::optional<std::string_view> type;
	std::optional<std::string_view> value; // stripped; absent when empty
};

struct ToplevelData {
	std::optional<std::string_view> message;
	std::optional<std::string_view> value;
};

// The frames fingerprinting rules look at (Sentry's find_stack_frames): those of every exception;
// without any, the event's stack trace; without that, the crashing thread's.
std::vector<const Frame *> matching_frames(const Event &event) {
	std::vector<const Frame *> frames;
	for (const Exception &e : event.exceptions)
		if (e.stacktrace)
			for (const Frame &f : e.stacktrace->frames)
				frames.push_back(&f);
	if (!frames.empty())
		return frames;
	const Stacktrace *stack = event.stacktrace && !event.stacktrace->frames.empty() ? &*event.stacktrace : nullptr;
	if (!stack) {
		const Thread *crashing = nullptr;
		if (event.threads.size() == 1) {
			crashing = &event.threads[0];
		} else {
			for (bool (*flag)(const Thread &) : {+[](const Thread &t) { return t.crashed; },
			                                     +[](const Thread &t) { return t.current; }}) {
				size_t count = std::count_if(event.threads.begin(), event.threads.end(), flag);
				if (count == 1) {
					crashing = &*std::find_if(event.threads.begin(), event.threads.end(), flag);
					break;
				}
			}
		}
		if (crashing && crashing->stacktrace)
			stack = &*crashing->stacktrace;
	}
	if (stack)
		for (const Frame &f : stack->frames)
			frames.push_back(&f);
	return frames;
}

class EventData {
public:
	explicit EventData(const Event &event) : event_(event) {}

	const std::vector<ToplevelData> &toplevel() {
		if (!toplevel_) {
			toplevel_.emplace();
			if (auto m = message())
				toplevel_->push_back({m, std::nullopt});
			for (const ExceptionData &e : exceptions())
				toplevel_->push_back({std::nullopt, e.value});
		}
		return *toplevel_;
	}

	const std::vector<ExceptionData> &exceptions() {
		if (!exceptions_) {
			exceptions_.emplace();
			for (const Exception &e : event_.exceptions) {
				std::optional<std::string_view> value;
				if (e.value && !e.value->empty())
					value = py_strip(*e.value);
				exceptions_->push_back({e.type, value});
			}
		}
		return *exceptions_;
	}

	const std::vector<FrameData> &frames() {
		if (!frames_) {
			frames_.emplace();
			for (const Frame *f : matching_frames(event_)) {
				FrameData d;
				d.function = frame_function_name(*f);
				if (d.function.empty())
					d.function = "<unknown>";
				d.abs_path = non_empty(f->abs_path.empty() ? f->filename : f->abs_path);
				d.filename = non_empty(f->filename);
				d.module = non_empty(f->module);
				d.package = non_empty(f->package);
				d.app = f->in_app;
				frames_->push_back(std::move(d));
			}
		}
		return *frames_;
	}

	std::optional<std::string_view> tag(std::string_view tag_key) {
		std::string_view name = tag_key.substr(5);
		std::optional<std::string_view> value;
		bool found = false;
		for (const auto &[k, v] : event_.tags) // the last duplicate wins, as in a Python dict
			if (k == name) {
				found = true;
				value = v.empty() ? std::nullopt : std::optional<std::string_view>(py_strip(v));
			}
		return found ? value : std::nullopt;
	}

	const std::string &sdk() {
		if (!sdk_)
			sdk_ = normalize_sdk_name(event_.sdk_name);
		return *sdk_;
	}

	std::optional<std::string_view> release() const {
		return event_.release.empty() ? std::nullopt : std::optional<std::string_view>(py_strip(event_.release));
	}

	const Event &event() const { return event_; }

private:
	std::optional<std::string_view> message() const {
		std::optional<std::string_view> m = event_.logentry_formatted;
		if (!m || m->empty())
			m = event_.logentry_message; // Relay fills "formatted" from "message"
		if (!m || m->empty())
			return std::nullopt;
		return py_strip(*m);
	}

	const Event &event_;
	std::optional<std::vector<ToplevelData>> toplevel_;
	std::optional<std::vector<ExceptionData>> exceptions_;
	std::optional<std::vector<FrameData>> frames_;
	std::optional<std::string> sdk_;
};

bool path_matches(const Matcher &m, std::optional<std::string_view> value) {
	if (!value)
		return false;
	if (m.glob.matches(*value))
		return true;
	return (value->empty() || value->front() != '/') && m.glob.matches("/" + std::string(*value));
}

bool flag_matches(const Matcher &m, std::string_view value) {
	return std::any_of(m.flags.begin(), m.flags.end(), [&](const std::string &f) { return f == "all" || f == value; });
}

bool glob_matches(const Matcher &m, std::optional<std::string_view> value) { return value && m.glob.matches(*value); }

bool bool_matches(const Matcher &m, std::optional<bool> value) { return value && m.wanted_bool == value; }

bool positive_frame_match(const Matcher &m, const FrameData &f) {
	switch (m.key) {
	case MatchKey::path: return path_matches(m, f.abs_path) || path_matches(m, f.filename);
	case MatchKey::package: return path_matches(m, f.package);
	case MatchKey::app: return bool_matches(m, f.app);
	case MatchKey::function: return glob_matches(m, std::string_view(f.function));
	case MatchKey::module: return glob_matches(m, f.module);
	default: return false;
	}
}

bool frame_matches(const Matcher &m, const std::vector<FrameData> &frames, size_t index) {
	const FrameData *frame = &frames[index];
	if (m.neighbour == Neighbour::caller)
		frame = index + 1 < frames.size() ? &frames[index + 1] : nullptr;
	else if (m.neighbour == Neighbour::callee)
		frame = index > 0 ? &frames[index - 1] : nullptr;
	if (!frame)
		return false; // no neighbour: fails even when negated
	return positive_frame_match(m, *frame) != m.negated;
}

// Whether some item of the given kind satisfies every matcher of the rule of that kind.
bool kind_matches(const Rule &rule, DataKind kind, EventData &data) {
	auto all_hold = [&](auto &&positive) {
		return std::all_of(rule.matchers.begin(), rule.matchers.end(), [&](const Matcher &m) {
			return m.kind() != kind || positive(m) != m.negated;
		});
	};
	const Event &event = data.event();
	switch (kind) {
	case DataKind::toplevel:
		return std::any_of(data.toplevel().begin(), data.toplevel().end(), [&](const ToplevelData &t) {
			return all_hold([&](const Matcher &m) { return glob_matches(m, t.message) || glob_matches(m, t.value); });
		});
	case DataKind::exceptions:
		return std::any_of(data.exceptions().begin(), data.exceptions().end(), [&](const ExceptionData &e) {
			return all_hold(
			    [&](const Matcher &m) { return glob_matches(m, m.key == MatchKey::type ? e.type : e.value); });
		});
	case DataKind::log_info:
		if (event.logger.empty() && event.level.empty())
			return false;
		return all_hold([&](const Matcher &m) {
			return glob_matches(m, non_empty(m.key == MatchKey::logger ? event.logger : event.level));
		});
	case DataKind::tags: return all_hold([&](const Matcher &m) { return glob_matches(m, data.tag(m.tag_key)); });
	case DataKind::sdk: return all_hold([&](const Matcher &m) { return flag_matches(m, data.sdk()); });
	case DataKind::family:
		return all_hold(
		    [&](const Matcher &m) { return flag_matches(m, family_name(family_for_platform(event.platform))); });
	case DataKind::release: return all_hold([&](const Matcher &m) { return path_matches(m, data.release()); });
	case DataKind::threads:
		return std::any_of(event.threads.begin(), event.threads.end(), [&](const Thread &t) {
			return all_hold([&](const Matcher &m) {
				if (m.key == MatchKey::thread_crashed)
					return bool_matches(m, t.crashed);
				if (m.key == MatchKey::thread_current)
					return bool_matches(m, t.current);
				return false; // thread ids, names and states are not in the event model
			});
		});
	case DataKind::frames: {
		const std::vector<FrameData> &frames = data.frames();
		for (size_t i = 0; i < frames.size(); ++i)
			if (std::all_of(rule.matchers.begin(), rule.matchers.end(),
			                [&](const Matcher &m) { return m.kind() != kind || frame_matches(m, frames, i); }))
				return true;
		return false;
	}
	}
	return false;
}

bool rule_matches(const Rule &rule, EventData &data) {
	return std::all_of(rule.kinds.begin(), rule.kinds.end(), [&](DataKind k) { return kind_matches(rule, k, data); });
}

// ---------------------------------------------------------------------------------------------
// Variable resolution

// Sentry's get_crash_frame_from_event_data: the last in-app frame of the "top" stack trace (the
// last exception's, else the event's, else that of the only thread), else its last frame.
const Frame *crash_frame(const Event &event) {
	const std::vector<Frame> *frames = nullptr;
	if (!event.exceptions.empty() && event.exceptions.back().stacktrace &&
	    !event.exceptions.back().stacktrace->frames.empty())
		frames = &event.exceptions.back().stacktrace->frames;
	else if (event.stacktrace && !event.stacktrace->frames.empty())
		frames = &event.stacktrace->frames;
	else if (event.threads.size() == 1 && event.threads[0].stacktrace)
		frames = &event.threads[0].stacktrace->frames;
	if (!frames || frames->empty())
		return nullptr;
	for (auto it = frames->rbegin(); it != frames->rend(); ++it)
		if (it->is_in_app())
			return &*it;
	return &frames->back();
}

std::string or_placeholder(std::optional<std::string_view> value, std::string_view placeholder) {
	return std::string(value && !value->empty() ? *value : placeholder);
}

std::optional<std::string> resolve_variable(std::string_view name, const Event &event, bool legacy_unknown) {
	const Exception *last = event.exceptions.empty() ? nullptr : &event.exceptions.back();
	if (name == "transaction")
		return or_placeholder(event.transaction, "<no-transaction>");
	if (name == "message") {
		for (auto candidate : {event.logentry_formatted, event.logentry_message,
		                       last ? last->value : std::optional<std::string_view>()})
			if (candidate && !candidate->empty())
				return std::string(*candidate);
		return std::string("<no-message>");
	}
	if (name == "type" || name == "error.type")
		return or_placeholder(last ? last->type : std::nullopt, "<no-type>");
	if (name == "value" || name == "error.value")
		return or_placeholder(last ? last->value : std::nullopt, "<no-value>");
	if (name == "function" || name == "stack.function") {
		const Frame *f = crash_frame(event);
		std::string function = f ? frame_function_name(*f) : std::string();
		return function.empty() ? std::string("<no-function>") : function;
	}
	if (name == "path" || name == "stack.abs_path") {
		const Frame *f = crash_frame(event);
		auto path = f ? non_empty(f->abs_path.empty() ? f->filename : f->abs_path) : std::nullopt;
		return or_placeholder(path, "<no-abs-path>");
	}
	if (name == "stack.filename") {
		const Frame *f = crash_frame(event);
		auto filename = f ? non_empty(f->filename.empty() ? f->abs_path : f->filename) : std::nullopt;
		return or_placeholder(filename, "<no-filename>");
	}
	if (name == "module" || name == "stack.module") {
		const Frame *f = crash_frame(event);
		return or_placeholder(f ? non_empty(f->module) : std::nullopt, "<no-module>");
	}
	if (name == "package" || name == "stack.package") {
		const Frame *f = crash_frame(event);
		std::string_view package = f ? f->package : std::string_view();
		// A POSIX or Windows path: keep its last segment.
		if (size_t slash = package.rfind('/'); slash != std::string_view::npos)
			package.remove_prefix(slash + 1);
		if (size_t backslash = package.rfind('\\'); backslash != std::string_view::npos)
			package.remove_prefix(backslash + 1);
		return or_placeholder(package, "<no-package>");
	}
	if (name == "level")
		return or_placeholder(event.level, "<no-level>");
	if (name == "logger")
		return or_placeholder(event.logger, "<no-logger>");
	if (name.substr(0, 5) == "tags.") {
		std::string_view tag = name.substr(5);
		for (const auto &[k, v] : event.tags) // the first occurrence wins here
			if (k == tag)
				return std::string(v);
		return "<no-value-for-tag-" + std::string(tag) + ">";
	}
	if (legacy_unknown)
		return std::nullopt;
	return "<unrecognized-variable-" + std::string(name) + ">";
}

} // namespace

FingerprintRules::FingerprintRules() : set_(std::make_unique<FingerprintRuleSet>()) {}
FingerprintRules::~FingerprintRules() = default;
FingerprintRules::FingerprintRules(FingerprintRules &&) noexcept = default;
FingerprintRules &FingerprintRules::operator=(FingerprintRules &&) noexcept = default;

FingerprintRules FingerprintRules::parse(std::string_view text) {
	// JSON is an array of rule objects (or Sentry's {"rules": [...]} object). A text rule may also
	// begin with '[', for a caller matcher, but never with "[{" or "[]".
	FingerprintRules out;
	size_t first = text.find_first_not_of(" \t\r\n");
	size_t second = first == std::string_view::npos ? first : text.find_first_not_of(" \t\r\n", first + 1);
	bool json = first != std::string_view::npos &&
	            (text[first] == '{' || (text[first] == '[' && (second == std::string_view::npos ||
	                                                           text[second] == '{' || text[second] == ']')));
	if (json)
		out.set_->rules = parse_json_rules(text);
	else
		out.set_->rules = TextRuleParser(text).parse();
	return out;
}

bool FingerprintRules::empty() const { return !set_ || set_->rules.empty(); }

std::optional<FingerprintMatch> match_fingerprint_rules(const FingerprintRules *project,
                                                        const FingerprintRules *builtin, const Event &event) {
	EventData data(event);
	const std::pair<const FingerprintRules *, bool> sources[] = {{project, false}, {builtin, true}};
	for (const auto &[rules, is_builtin] : sources) {
		if (!rules || rules->empty())
			continue;
		for (const Rule &rule : rules->set().rules)
			if (rule_matches(rule, data))
				return FingerprintMatch{rule.fingerprint, rule.title, is_builtin};
	}
	return std::nullopt;
}

bool is_default_entry(std::string_view entry) {
	return variable_name(entry) == std::optional<std::string_view>("default");
}

std::vector<std::string> resolve_fingerprint(const std::vector<std::string> &fingerprint, const Event &event,
                                             bool legacy_unknown) {
	std::vector<std::string> out;
	out.reserve(fingerprint.size());
	for (const std::string &entry : fingerprint) {
		auto name = variable_name(entry);
		if (!name) {
			out.push_back(entry);
		} else if (*name == "default") {
			out.emplace_back(kDefaultEntry);
		} else {
			auto value = resolve_variable(*name, event, legacy_unknown);
			out.push_back(value ? std::move(*value) : entry);
		}
	}
	return out;
}

std::string resolve_title_template(std::string_view title, const Event &event) {
	std::string out;
	size_t pos = 0;
	while (pos < title.size()) {
		size_t open = title.find("{{", pos);
		if (open == std::string_view::npos)
			break;
		if (auto m = match_variable_at(title, open)) {
			out.append(title, pos, open - pos);
			out += *resolve_variable(m->name, event, false);
			pos = m->end;
		} else {
			out.append(title, pos, open + 1 - pos);
			pos = open + 1;
		}
	}
	out.append(title.substr(pos));
	return out;
}

} // namespace triage
