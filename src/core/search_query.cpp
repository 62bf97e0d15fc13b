#include "search_query.hpp"

#include "civil_dates.hpp"

#include <algorithm>
#include <initializer_list>
#include <limits>
#include <utility>

#include "errors.hpp"
#include "metadata.hpp"

namespace triage {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_key_start(char c) { return is_alpha(c) || c == '_'; }
bool is_key_char(char c) { return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-'; }
bool is_tag_key_char(char c) { return is_key_char(c) || c == ':'; }

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Tags the save path stores have keys of [A-Za-z0-9_.:-] and at most kMaxTagKeyLength characters;
// a longer or other key could never match.
bool is_tag_key(std::string_view key) {
	return !key.empty() && key.size() <= kMaxTagKeyLength && std::all_of(key.begin(), key.end(), is_tag_key_char);
}

// One term as written, before its key is interpreted.
struct RawTerm {
	bool negated = false;
	std::string_view key;      // tags[X]: X
	std::string_view key_text; // the key as written, for messages
	bool bracketed_tag = false;
	std::string_view op;       // "", ">", ">=", "<", "<=" or "="
	bool list = false;
	std::vector<std::string> values; // quotes and escapes removed
	std::string_view token;
};

// ---------------------------------------------------------------------------------------------
// Errors naming the term

[[noreturn]] void fail_value(const RawTerm &term, std::string_view value) {
	throw Error(ErrorKind::invalid_parameter, "invalid value for " + std::string(term.key_text) + ": " + quoted(value) +
	                                              " in " + quoted(term.token));
}

void require_no_operator(const RawTerm &term) {
	if (!term.op.empty())
		throw Error(ErrorKind::invalid_parameter, "operator " + quoted(term.op) + " is not supported for " +
		                                              std::string(term.key_text) + " in " + quoted(term.token));
}

void require_single_value(const RawTerm &term) {
	if (term.list)
		throw Error(ErrorKind::invalid_parameter, "a list is not supported for " + std::string(term.key_text) +
		                                              " in " + quoted(term.token));
}

[[noreturn]] void fail_negated_free_text(std::string_view token) {
	throw Error(ErrorKind::invalid_parameter, "negated free text is not supported: " + quoted(token));
}

// ---------------------------------------------------------------------------------------------
// Keys

std::string_view canonical_key(std::string_view key) {
	static constexpr std::pair<std::string_view, std::string_view> aliases[] = {
	    {"age", "first_seen"},          {"firstSeen", "first_seen"},         {"lastSeen", "last_seen"},
	    {"timesSeen", "times_seen"},    {"user.count", "users_seen"},        {"first-release", "first_release"},
	    {"firstRelease", "first_release"}, {"assigned", "assigned_to"},      {"priority", "issue.priority"},
	};
	for (const auto &[alias, name] : aliases)
		if (key == alias)
			return name;
	return key;
}

// Sentry fields this port does not filter on: an error rather than a silent search of a tag by that
// name. status and substatus are reachable through is:.
bool is_unsupported_key(std::string_view key) {
	static constexpr std::string_view unsupported[] = {
	    "bookmarks", "bookmarked_by", "subscribed", "subscribed_by", "issue.category", "issue.type",
	    "regressed_in_release", "date", "event.timestamp", "status", "substatus",
	};
	return std::find(std::begin(unsupported), std::end(unsupported), key) != std::end(unsupported);
}

SearchFilter filter_of(const RawTerm &term, SearchField field) {
	SearchFilter filter;
	filter.field = field;
	filter.negated = term.negated;
	filter.token = std::string(term.token);
	return filter;
}

// ---------------------------------------------------------------------------------------------
// is:

enum class IsCategory { status, substatus, assigned, for_review };

struct IsWord {
	std::string_view word;
	IsCategory category;
	std::string_view canonical;
};

constexpr IsWord kIsWords[] = {
    {"unresolved", IsCategory::status, "unresolved"},
    {"resolved", IsCategory::status, "resolved"},
    {"ignored", IsCategory::status, "ignored"},
    {"archived", IsCategory::status, "ignored"},
    {"muted", IsCategory::status, "ignored"},
    {"new", IsCategory::substatus, "new"},
    {"ongoing", IsCategory::substatus, "ongoing"},
    {"regressed", IsCategory::substatus, "regressed"},
    {"escalating", IsCategory::substatus, "escalating"},
    {"archived_until_escalating", IsCategory::substatus, "archived_until_escalating"},
    {"archived_until_condition_met", IsCategory::substatus, "archived_until_condition_met"},
    {"archived_forever", IsCategory::substatus, "archived_forever"},
    {"assigned", IsCategory::assigned, "assigned"},
    {"unassigned", IsCategory::assigned, "unassigned"},
    {"for_review", IsCategory::for_review, "for_review"},
};

SearchFilter is_filter(const RawTerm &term) {
	require_no_operator(term);
	const IsWord *first = nullptr;
	std::vector<std::string> canonical;
	for (const std::string &value : term.values) {
		auto word = std::find_if(std::begin(kIsWords), std::end(kIsWords),
		                         [&](const IsWord &w) { return w.word == value; });
		if (word == std::end(kIsWords))
			fail_value(term, value);
		if (!first)
			first = word;
		// One filter per term: a list must stay within one column, and assigned with unassigned
		// would be no filter at all.
		bool same_meaning = word->category == first->category &&
		                    (word->category != IsCategory::assigned || word->canonical == first->canonical);
		if (!same_meaning)
			throw Error(ErrorKind::invalid_parameter, "cannot combine " + quoted(first->word) + " and " +
			                                              quoted(word->word) + " in " + quoted(term.token));
		if (std::find(canonical.begin(), canonical.end(), word->canonical) == canonical.end())
			canonical.emplace_back(word->canonical);
	}
	if (first->category == IsCategory::status || first->category == IsCategory::substatus) {
		SearchFilter filter =
		    filter_of(term, first->category == IsCategory::status ? SearchField::status : SearchField::substatus);
		filter.values = std::move(canonical);
		return filter;
	}
	if (first->category == IsCategory::assigned) {
		SearchFilter filter = filter_of(term, SearchField::assigned);
		filter.negated = term.negated != (first->canonical == "unassigned");
		return filter;
	}
	return filter_of(term, SearchField::for_review);
}

// ---------------------------------------------------------------------------------------------
// String values

SearchFilter enum_filter(const RawTerm &term, SearchField field, std::initializer_list<std::string_view> allowed) {
	require_no_operator(term);
	for (const std::string &value : term.values)
		if (std::find(allowed.begin(), allowed.end(), value) == allowed.end())
			fail_value(term, value);
	SearchFilter filter = filter_of(term, field);
	filter.values = term.values;
	return filter;
}

bool has_unescaped_star(std::string_view value) {
	for (size_t i = 0; i < value.size(); ++i)
		if (value[i] == '*' && (i == 0 || value[i - 1] != '\\'))
			return true;
	return false;
}

// A value compared exactly: \* stands for a star.
std::string unescape_stars(std::string_view value) {
	std::string out;
	for (size_t i = 0; i < value.size(); ++i)
		if (!(value[i] == '\\' && i + 1 < value.size() && value[i + 1] == '*'))
			out += value[i];
	return out;
}

SearchFilter string_filter(const RawTerm &term, SearchField field) {
	require_no_operator(term);
	SearchFilter filter = filter_of(term, field);
	filter.has_wildcard = std::any_of(term.values.begin(), term.values.end(), has_unescaped_star);
	if (filter.has_wildcard && field == SearchField::assigned_to)
		throw Error(ErrorKind::invalid_parameter, "wildcards are not supported for " + std::string(term.key_text) +
		                                              " in " + quoted(term.token));
	for (const std::string &value : term.values)
		filter.values.push_back(filter.has_wildcard ? value : unescape_stars(value));
	filter.has_latest = (field == SearchField::release || field == SearchField::first_release) &&
	                    std::find(filter.values.begin(), filter.values.end(), "latest") != filter.values.end();
	return filter;
}

SearchFilter tag_filter(const RawTerm &term) {
	if (!is_tag_key(term.key))
		throw Error(ErrorKind::invalid_parameter,
		            "invalid tag key: " + quoted(term.key) + " in " + quoted(term.token));
	SearchFilter filter = string_filter(term, SearchField::tag);
	filter.tag_key = std::string(term.key);
	return filter;
}

SearchFilter has_filter(const RawTerm &term) {
	require_no_operator(term);
	require_single_value(term);
	if (!is_tag_key(term.values[0]))
		fail_value(term, term.values[0]);
	SearchFilter filter = filter_of(term, SearchField::has);
	filter.tag_key = term.values[0];
	return filter;
}

// ---------------------------------------------------------------------------------------------
// Numbers and dates

SearchOp op_of(std::string_view op) {
	if (op == ">")
		return SearchOp::gt;
	if (op == ">=")
		return SearchOp::ge;
	if (op == "<")
		return SearchOp::lt;
	if (op == "<=")
		return SearchOp::le;
	return SearchOp::eq; // "" or "="
}

// Digits only, fitting in [0, limit].
bool parse_bounded(std::string_view text, int64_t limit, int64_t &out) {
	if (text.empty())
		return false;
	out = 0;
	for (char c : text) {
		if (!is_digit(c) || out > (limit - (c - '0')) / 10)
			return false;
		out = out * 10 + (c - '0');
	}
	return true;
}

SearchFilter number_filter(const RawTerm &term, SearchField field) {
	require_single_value(term);
	SearchFilter filter = filter_of(term, field);
	filter.op = op_of(term.op);
	if (!parse_bounded(term.values[0], std::numeric_limits<int64_t>::max(), filter.number))
		fail_value(term, term.values[0]);
	return filter;
}

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kSecondsPerDay = 86400;

// So that the glue can take seconds_ago * 1e6 from now without overflow.
constexpr int64_t kMaxSecondsAgo = std::numeric_limits<int64_t>::max() / kMicrosPerSecond;

// "-24h" or "+7d": a sign, a positive count and a unit of s, m, h, d or w.
bool parse_relative_date(std::string_view text, int64_t &seconds_ago) {
	if (text.size() < 3)
		return false;
	int64_t unit;
	switch (text.back()) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = kSecondsPerDay; break;
	case 'w': unit = 7 * kSecondsPerDay; break;
	default: return false;
	}
	int64_t count;
	if (!parse_bounded(text.substr(1, text.size() - 2), kMaxSecondsAgo / unit, count) || count == 0)
		return false;
	seconds_ago = count * unit;
	return true;
}

bool is_leap_year(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int64_t days_in_month(int64_t year, int64_t month) {
	static constexpr int64_t days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

// YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss[.f{1,6}][Z|+hh:mm|-hh:mm], as Sentry's search grammar accepts.
bool parse_absolute_date(std::string_view text, int64_t &micros, bool &date_only) {
	size_t pos = 0;
	auto number = [&](size_t width, int64_t min, int64_t max, int64_t &out) {
		if (text.size() - pos < width)
			return false;
		out = 0;
		for (size_t i = 0; i < width; ++i) {
			if (!is_digit(text[pos + i]))
				return false;
			out = out * 10 + (text[pos + i] - '0');
		}
		pos += width;
		return out >= min && out <= max;
	};
	auto literal = [&](char c) {
		if (pos >= text.size() || text[pos] != c)
			return false;
		++pos;
		return true;
	};
	int64_t year, month, day;
	if (!number(4, 1, 9999, year) || !literal('-') || !number(2, 1, 12, month) || !literal('-') ||
	    !number(2, 1, 31, day) || day > days_in_month(year, month))
		return false;
	int64_t seconds = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kSecondsPerDay;
	date_only = pos == text.size();
	if (date_only) {
		micros = seconds * kMicrosPerSecond;
		return true;
	}
	int64_t hour, minute, second;
	if (!literal('T') || !number(2, 0, 23, hour) || !literal(':') || !number(2, 0, 59, minute) || !literal(':') ||
	    !number(2, 0, 59, second))
		return false;
	seconds += hour * 3600 + minute * 60 + second;
	int64_t fraction = 0;
	if (literal('.')) {
		size_t start = pos;
		while (pos < text.size() && is_digit(text[pos]) && pos - start < 6)
			fraction = fraction * 10 + (text[pos++] - '0');
		if (pos == start)
			return false;
		for (size_t scale = pos - start; scale < 6; ++scale)
			fraction *= 10;
	}
	if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
		int64_t sign = text[pos++] == '-' ? -1 : 1;
		int64_t offset_hours, offset_minutes;
		if (!number(2, 0, 23, offset_hours) || !literal(':') || !number(2, 0, 59, offset_minutes))
			return false;
		seconds -= sign * (offset_hours * 3600 + offset_minutes * 60);
	} else {
		literal('Z');
	}
	micros = seconds * kMicrosPerSecond + fraction;
	return pos == text.size();
}

SearchFilter date_filter(const RawTerm &term, SearchField field) {
	require_single_value(term);
	SearchFilter filter = filter_of(term, field);
	const std::string &value = term.values[0];
	if (value[0] == '-' || value[0] == '+') {
		if (!term.op.empty())
			throw Error(ErrorKind::invalid_parameter,
			            "a relative date takes no operator: " + quoted(value) + " in " + quoted(term.token));
		if (!parse_relative_date(value, filter.seconds_ago))
			fail_value(term, value);
		filter.relative = true;
		filter.op = value[0] == '-' ? SearchOp::ge : SearchOp::lt;
		return filter;
	}
	if (!parse_absolute_date(value, filter.micros, filter.date_only))
		fail_value(term, value);
	filter.op = op_of(term.op);
	return filter;
}

// ---------------------------------------------------------------------------------------------
// A term to a filter or free text

void interpret(const RawTerm &term, SearchQuery &query, std::vector<std::string> &free_text) {
	for (const std::string &value : term.values)
		if (value.empty())
			throw Error(ErrorKind::invalid_parameter,
			            "empty value for " + std::string(term.key_text) + " in " + quoted(term.token));
	if (term.bracketed_tag) {
		query.filters.push_back(tag_filter(term));
		return;
	}
	std::string_view key = canonical_key(term.key);
	if (is_unsupported_key(key))
		throw Error(ErrorKind::invalid_parameter,
		            "unsupported search key: " + quoted(term.key) + " in " + quoted(term.token));
	if (key == "message") {
		if (term.negated)
			fail_negated_free_text(term.token);
		require_no_operator(term);
		require_single_value(term);
		free_text.push_back(term.values[0]);
		return;
	}
	SearchFilter filter;
	if (key == "is")
		filter = is_filter(term);
	else if (key == "level")
		filter = enum_filter(term, SearchField::level, {"fatal", "error", "warning", "info", "debug", "sample"});
	else if (key == "issue.priority")
		filter = enum_filter(term, SearchField::priority, {"high", "medium", "low"});
	else if (key == "release")
		filter = string_filter(term, SearchField::release);
	else if (key == "first_release")
		filter = string_filter(term, SearchField::first_release);
	else if (key == "environment")
		filter = string_filter(term, SearchField::environment);
	else if (key == "assigned_to")
		filter = string_filter(term, SearchField::assigned_to);
	else if (key == "times_seen")
		filter = number_filter(term, SearchField::times_seen);
	else if (key == "users_seen")
		filter = number_filter(term, SearchField::users_seen);
	else if (key == "first_seen")
		filter = date_filter(term, SearchField::first_seen);
	else if (key == "last_seen")
		filter = date_filter(term, SearchField::last_seen);
	else if (key == "has")
		filter = has_filter(term);
	else
		filter = tag_filter(term);
	query.filters.push_back(std::move(filter));
}

// ---------------------------------------------------------------------------------------------
// Reading terms

class Parser {
public:
	explicit Parser(std::string_view query) : query_(query) {}

	SearchQuery parse() {
		SearchQuery result;
		std::vector<std::string> free_text;
		for (size_t terms = 0;; ++terms) {
			skip_space();
			if (at_end())
				break;
			if (terms == kMaxSearchTerms)
				throw Error(ErrorKind::program_limit,
				            "search query has more than " + std::to_string(kMaxSearchTerms) + " terms");
			parse_term(result, free_text);
		}
		for (const std::string &piece : free_text) {
			if (piece.empty())
				continue;
			if (!result.free_text.empty())
				result.free_text += ' ';
			result.free_text += piece;
		}
		return result;
	}

private:
	std::string_view query_;
	size_t pos_ = 0;

	bool at_end() const { return pos_ >= query_.size(); }
	bool at(char c) const { return !at_end() && query_[pos_] == c; }

	void skip_space() {
		while (!at_end() && is_space(query_[pos_]))
			++pos_;
	}

	// The term from start to the first white space at or after pos_, for messages.
	std::string_view term_so_far(size_t start) const {
		size_t end = pos_;
		while (end < query_.size() && !is_space(query_[end]))
			++end;
		return query_.substr(start, end - start);
	}

	std::string_view read_until(bool (*stop)(char)) {
		size_t start = pos_;
		while (!at_end() && !stop(query_[pos_]))
			++pos_;
		return query_.substr(start, pos_ - start);
	}

	// At an opening quote: the text up to the closing one, with \" and \\ read as " and \.
	std::string read_quoted(size_t term_start) {
		std::string text;
		for (++pos_; !at_end(); ++pos_) {
			char c = query_[pos_];
			if (c == '"') {
				++pos_;
				return text;
			}
			if (c == '\\' && pos_ + 1 < query_.size() && (query_[pos_ + 1] == '"' || query_[pos_ + 1] == '\\'))
				c = query_[++pos_];
			text += c;
		}
		throw Error(ErrorKind::rule_syntax, "unterminated quoted string in " + quoted(query_.substr(term_start)));
	}

	// A closing quote or bracket must end the term.
	void expect_term_end(size_t term_start) {
		if (!at_end() && !is_space(query_[pos_]))
			throw Error(ErrorKind::rule_syntax,
			            "unexpected text after a closing quote or bracket in " + quoted(term_so_far(term_start)));
	}

	// After an optional "!": "key:" or "tags[X]:", consumed with the colon. False, consuming nothing,
	// when the term is not a filter.
	bool read_key(RawTerm &term) {
		std::string_view rest = query_.substr(pos_);
		if (rest.substr(0, 5) == "tags[") {
			size_t close = 5;
			while (close < rest.size() && rest[close] != ']' && !is_space(rest[close]))
				++close;
			if (close + 1 >= rest.size() || rest[close] != ']' || rest[close + 1] != ':')
				return false;
			term.key = rest.substr(5, close - 5);
			term.key_text = rest.substr(0, close + 1);
			term.bracketed_tag = true;
			pos_ += close + 2;
			return true;
		}
		if (rest.empty() || !is_key_start(rest[0]))
			return false;
		size_t colon = 1;
		while (colon < rest.size() && is_key_char(rest[colon]))
			++colon;
		// "http://x" is a URL in free text, not the key http.
		if (colon == rest.size() || rest[colon] != ':' || rest.substr(colon + 1, 2) == "//")
			return false;
		term.key = term.key_text = rest.substr(0, colon);
		pos_ += colon + 1;
		return true;
	}

	// After the colon: an optional operator, then a quoted value, a [list] or a word.
	void read_value(RawTerm &term, size_t term_start) {
		static constexpr std::string_view operators[] = {">=", "<=", ">", "<", "="};
		for (std::string_view op : operators) {
			if (query_.substr(pos_, op.size()) == op) {
				term.op = op;
				pos_ += op.size();
				break;
			}
		}
		if (at('[')) {
			term.list = true;
			++pos_;
			while (true) {
				skip_space();
				if (at_end())
					break;
				term.values.push_back(at('"') ? read_quoted(term_start) : std::string(read_until([](char c) {
					return is_space(c) || c == ',' || c == ']';
				})));
				skip_space();
				if (at_end())
					break;
				char separator = query_[pos_++];
				if (separator == ']') {
					expect_term_end(term_start);
					return;
				}
				if (separator != ',')
					throw Error(ErrorKind::rule_syntax,
					            "expected \",\" or \"]\" in the list in " + quoted(term_so_far(term_start)));
			}
			throw Error(ErrorKind::rule_syntax, "unterminated list in " + quoted(query_.substr(term_start)));
		}
		if (at('"')) {
			term.values.push_back(read_quoted(term_start));
			expect_term_end(term_start);
			return;
		}
		term.values.emplace_back(read_until(is_space));
	}

	void parse_term(SearchQuery &result, std::vector<std::string> &free_text) {
		size_t start = pos_;
		RawTerm term;
		term.negated = at('!');
		if (term.negated)
			++pos_;
		if (at('"')) {
			std::string text = read_quoted(start);
			expect_term_end(start);
			if (term.negated)
				fail_negated_free_text(query_.substr(start, pos_ - start));
			free_text.push_back(std::move(text));
			return;
		}
		if (!read_key(term)) {
			pos_ = start;
			std::string_view word = read_until(is_space);
			if (term.negated)
				fail_negated_free_text(word);
			if (word == "AND" || word == "OR")
				throw Error(ErrorKind::invalid_parameter,
				            "boolean operators are not supported in issue search: " + quoted(word));
			free_text.emplace_back(word);
			return;
		}
		read_value(term, start);
		term.token = query_.substr(start, pos_ - start);
		interpret(term, result, free_text);
	}
};

} // namespace

SearchQuery parse_search_query(std::string_view query) {
	if (query.size() > kMaxSearchQueryBytes)
		throw Error(ErrorKind::program_limit, "search query is longer than " +
		                                          std::to_string(kMaxSearchQueryBytes) +
		                                          " bytes: " + std::to_string(query.size()));
	return Parser(query).parse();
}

std::string like_pattern(std::string_view value) {
	std::string pattern;
	for (size_t i = 0; i < value.size(); ++i) {
		char c = value[i];
		if (c == '\\' && i + 1 < value.size() && value[i + 1] == '*') {
			pattern += '*';
			++i;
		} else if (c == '*') {
			pattern += '%';
		} else {
			if (c == '%' || c == '_' || c == '\\')
				pattern += '\\';
			pattern += c;
		}
	}
	return pattern;
}

} // namespace triage
