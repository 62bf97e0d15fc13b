// Sentry's issue-search syntax (save-path spec 15.2) read into validated, typed filters. The
// PostgreSQL glue turns the result into a predicate over issues; nothing here produces SQL.
//
// Terms are separated by white space: key:value, key:"quoted value" (\" and \\ escape inside the
// quotes), !key:value (negated), key:[a, b, "c d"] (a list: IN, negated NOT IN) and free text (bare
// words and quoted strings, joined with single spaces). Numeric and date keys take an operator
// after the colon (:> :>= :< :<= := or plain : for equals). A key is [A-Za-z_][A-Za-z0-9_.-]*, or
// tags[X] for the tag X; a term whose text before the first colon is not a key, or whose colon
// starts "://" (a URL), is free text. Errors are thrown as triage::Error, naming the offending term:
// rule_syntax for an unterminated quote or list, program_limit for an oversized query and
// invalid_parameter for everything else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

constexpr size_t kMaxSearchQueryBytes = 8192;
constexpr size_t kMaxSearchTerms = 100;

enum class SearchField {
	status,        // is:unresolved|resolved|ignored (archived and muted read as ignored)
	substatus,     // is:new|ongoing|...; the glue adds the implied status when not negated
	assigned,      // is:assigned; is:unassigned reads as a negated assigned filter
	for_review,    // is:for_review
	level,         // fatal, error, warning, info, debug, sample
	priority,      // issue.priority: high, medium, low
	release,
	first_release,
	environment,
	times_seen,
	users_seen,
	first_seen,
	last_seen,
	has,           // has:name; the name is in tag_key
	assigned_to,   // user names or e-mails as written, "me" and "none" included
	tag,           // any other key: a tag of the events, the key in tag_key
};

enum class SearchOp { eq, lt, le, gt, ge };

struct SearchFilter {
	SearchField field = SearchField::tag;
	// NOT the whole filter (NOT IN for a list). For assigned it means "unassigned".
	bool negated = false;
	SearchOp op = SearchOp::eq;
	std::string tag_key; // tag: the tag key; has: the field or tag name
	// Status, substatus, level, priority, release, first_release, environment, assigned_to and tag:
	// one value, or the items of a list (any of them matches). Status words are canonical.
	std::vector<std::string> values;
	// Some value has a * not preceded by a backslash: the glue matches every value of this filter
	// through like_pattern. Without it the values are exact strings, "\*" already read as "*".
	// Only release, first_release, environment and tag filters take wildcards.
	bool has_wildcard = false;
	bool has_latest = false; // release, first_release: a value is "latest", which the glue resolves
	int64_t number = 0;      // times_seen, users_seen: compare with op
	// first_seen, last_seen in one of two forms.
	// Relative ("-24h", "+7d"): the instant now - seconds_ago, with op ge for "-" (within the last
	// 24 h) and lt for "+" (older than 7 days).
	bool relative = false;
	int64_t seconds_ago = 0;
	// Absolute: micros is the instant in microseconds since the Unix epoch, UTC (a time without a
	// zone is UTC). date_only: only a date was written and micros is its midnight UTC. With op eq,
	// a date alone means that whole day, [micros, micros + 1 day), and a full date-time means that
	// instant; other operators compare with micros as is.
	int64_t micros = 0;
	bool date_only = false;
	std::string token; // the term as written, for messages downstream
};

struct SearchQuery {
	std::vector<SearchFilter> filters; // all must hold
	std::string free_text;             // free-text pieces and message: values, "" when none
};

// An empty or all-white-space query gives no filters and no free text.
SearchQuery parse_search_query(std::string_view query);

// A wildcard value as a LIKE pattern with PostgreSQL's default escape character: %, _ and \ are
// escaped, * becomes % and \* is a literal star.
std::string like_pattern(std::string_view value);

} // namespace triage
