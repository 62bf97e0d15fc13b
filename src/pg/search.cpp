// triage.search_sql(): the statement triage.search() runs for a query in Sentry's issue-search
// syntax (parsed by the core, src/core/search_query.hpp), a sort and a keyset cursor.
//
// Shape: for each project, the issues that pass the filters in sort order (an index scan on the
// sort key's bucket index, see triage.minute_bucket), at most lim + 0 of them; then the best lim
// over all projects; then their display columns from triage.issues. Values enter the text as
// quoted literals (quote_literal), never as raw text; every name is schema-qualified.
#include "boundary.hpp"

#include "civil_dates.hpp"
#include "search_query.hpp"
#include "spi.hpp"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <initializer_list>
#include <cstdio>
#include <string>
#include <vector>

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

namespace {

using triage::SearchField;
using triage::SearchFilter;
using triage::SearchOp;
using triage_pg::SqlError;

constexpr int kDefaultLimit = 25;
constexpr int kMaxLimit = 100; // as Sentry

std::string literal(const std::string &value) {
	std::string out;
	triage_pg::pg_guarded([&]() -> Datum {
		char *quoted = quote_literal_cstr(value.c_str());
		out = quoted;
		pfree(quoted);
		return (Datum)0;
	});
	return out;
}

std::string text_array_literal(const std::vector<std::string> &values) {
	std::string out = "ARRAY[";
	for (size_t i = 0; i < values.size(); i++) {
		if (i)
			out += ", ";
		out += literal(values[i]);
	}
	return out + "]::pg_catalog.text[]";
}

// An instant (microseconds since the Unix epoch) as an exact timestamptz literal in UTC.
std::string timestamp_literal(int64_t micros) {
	constexpr int64_t per_day = int64_t(86400) * 1000000;
	int64_t days = micros / per_day, rest = micros % per_day;
	if (rest < 0) {
		rest += per_day;
		days -= 1;
	}
	int64_t y;
	unsigned m, d;
	triage::civil_from_days(days, y, m, d);
	int64_t secs = rest / 1000000, frac = rest % 1000000;
	char buf[80];
	snprintf(buf, sizeof buf, "'%04" PRId64 "-%02u-%02u %02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%06" PRId64 "+00'", y,
	         m, d, secs / 3600, secs / 60 % 60, secs % 60, frac);
	return std::string(buf) + "::pg_catalog.timestamptz";
}

const char *comparison(SearchOp op) {
	switch (op) {
	case SearchOp::lt: return "<";
	case SearchOp::le: return "<=";
	case SearchOp::gt: return ">";
	case SearchOp::ge: return ">=";
	case SearchOp::eq: break;
	}
	return "=";
}

// A string column or expression matched against the filter's values (exact, or LIKE patterns).
std::string match_values(const std::string &expr, const SearchFilter &f) {
	if (f.has_wildcard) {
		std::vector<std::string> patterns;
		for (const auto &v : f.values)
			patterns.push_back(triage::like_pattern(v));
		return expr + " LIKE ANY (" + text_array_literal(patterns) + ")";
	}
	if (f.values.size() == 1)
		return expr + " = " + literal(f.values[0]);
	return expr + " = ANY (" + text_array_literal(f.values) + ")";
}

// An enum column matched against words (compared as the enum, so that the planner uses the
// column's statistics: a text cast would hide them and make it expect almost no matches). Words
// the type lacks (Sentry's level "sample") match nothing.
std::string match_enum(const std::string &column, const char *type, std::initializer_list<const char *> labels,
                       const std::vector<std::string> &values) {
	std::vector<std::string> known;
	for (const auto &v : values)
		for (const char *label : labels)
			if (v == label)
				known.push_back(v);
	if (known.empty())
		return "false";
	std::string list = "{";
	for (size_t i = 0; i < known.size(); i++)
		list += (i ? "," : "") + known[i];
	return column + " = ANY (" + literal(list + "}") + "::" + type + "[])";
}

std::string match_status(const std::vector<std::string> &values) {
	return match_enum("g.status", "triage.group_status", {"unresolved", "resolved", "ignored"}, values);
}

// The project's latest release (by date released, else added), as search's "latest".
const char *kLatestRelease = "(SELECT r.version FROM triage.releases r WHERE r.project_id = g.project_id "
                             "ORDER BY COALESCE(r.date_released, r.date_added) DESC, r.id DESC LIMIT 1)";

// A release filter: values, with "latest" read as the project's latest release.
std::string match_release(const std::string &expr, const SearchFilter &f) {
	if (!f.has_latest)
		return match_values(expr, f);
	SearchFilter rest = f;
	rest.values.clear();
	for (const auto &v : f.values)
		if (v != "latest")
			rest.values.push_back(v);
	std::string latest = expr + " = " + kLatestRelease;
	if (rest.values.empty())
		return latest;
	return "(" + latest + " OR " + match_values(expr, rest) + ")";
}

std::string date_condition(const char *column, const SearchFilter &f) {
	std::string col = std::string("g.") + column;
	if (f.relative) {
		char buf[64];
		snprintf(buf, sizeof buf, "%" PRId64, f.seconds_ago);
		return col + " " + comparison(f.op) + " pg_catalog.now() - " + literal(std::string(buf) + " seconds") +
		       "::pg_catalog.interval";
	}
	if (f.op == SearchOp::eq && f.date_only)
		return "(" + col + " >= " + timestamp_literal(f.micros) + " AND " + col + " < " +
		       timestamp_literal(f.micros + int64_t(86400) * 1000000) + ")";
	return col + " " + comparison(f.op) + " " + timestamp_literal(f.micros);
}

// Ends every EXISTS of a filter: a subquery with OFFSET is not turned into a semi-join, so the
// planner keeps reading the sort's index in order and tests each issue, stopping at the page's
// end. (As a semi-join, it estimates the matches from the tag's value statistics, expects few,
// and sorts every issue of the project instead.)
constexpr const char *kKeepSubPlan = " OFFSET 0";

// The substatus words' status.
const char *status_of(const std::string &substatus) {
	return substatus.rfind("archived", 0) == 0 ? "ignored" : "unresolved";
}

std::string filter_condition(const SearchFilter &f) {
	std::string c;
	switch (f.field) {
	case SearchField::status: c = match_status(f.values); break;
	case SearchField::substatus: {
		c = match_enum("g.substatus", "triage.group_substatus",
		               {"new", "regressed", "ongoing", "escalating", "archived_until_escalating",
		                "archived_until_condition_met", "archived_forever"},
		               f.values);
		// Sentry adds the implied status to a substatus filter.
		std::vector<std::string> statuses;
		for (const auto &v : f.values)
			statuses.push_back(status_of(v));
		c = "(" + c + " AND " + match_status(statuses) + ")";
		break;
	}
	case SearchField::assigned: c = "g.assignee IS NOT NULL"; break;
	case SearchField::for_review:
		// Sentry's inbox: issues that became new, regressed or escalating in the last 7 days.
		c = "(g.status = 'unresolved' AND g.substatus IN ('new', 'regressed', 'escalating') AND "
		    "COALESCE(g.active_at, g.first_seen) >= pg_catalog.now() - interval '7 days')";
		break;
	case SearchField::level:
		c = match_enum("g.level", "triage.log_level", {"debug", "info", "warning", "error", "fatal"}, f.values);
		break;
	case SearchField::priority:
		c = match_enum("g.priority", "triage.priority_level", {"low", "medium", "high"}, f.values);
		break;
	case SearchField::first_release: c = match_release("g.first_release", f); break;
	case SearchField::release:
		c = "EXISTS (SELECT 1 FROM triage.group_releases gr JOIN triage.releases r ON r.id = gr.release_id "
		    "WHERE gr.project_id = g.project_id AND gr.group_id = g.id AND " +
		    match_release("r.version", f) + kKeepSubPlan + ")";
		break;
	case SearchField::environment:
		c = "EXISTS (SELECT 1 FROM triage.group_environments ge JOIN triage.environments en ON en.id = "
		    "ge.environment_id WHERE ge.project_id = g.project_id AND ge.group_id = g.id AND " +
		    match_values("en.name", f) + kKeepSubPlan + ")";
		break;
	case SearchField::times_seen:
	case SearchField::users_seen: {
		char buf[32];
		snprintf(buf, sizeof buf, "%" PRId64, f.number);
		c = std::string(f.field == SearchField::times_seen ? "g.times_seen " : "g.users_seen ") + comparison(f.op) +
		    " " + buf;
		break;
	}
	case SearchField::first_seen: c = date_condition("first_seen", f); break;
	case SearchField::last_seen: c = date_condition("last_seen", f); break;
	case SearchField::has:
		if (f.tag_key == "release")
			c = std::string("EXISTS (SELECT 1 FROM triage.group_releases gr WHERE gr.project_id = g.project_id AND "
			                "gr.group_id = g.id") + kKeepSubPlan + ")";
		else if (f.tag_key == "environment") // a named one ('' is an event without environment)
			c = std::string("EXISTS (SELECT 1 FROM triage.group_environments ge JOIN triage.environments en ON en.id = "
			                "ge.environment_id WHERE ge.project_id = g.project_id AND ge.group_id = g.id AND "
			                "en.name <> ''") + kKeepSubPlan + ")";
		else if (f.tag_key == "assigned" || f.tag_key == "assigned_to" || f.tag_key == "assignee")
			c = "g.assignee IS NOT NULL";
		else if (f.tag_key == "user")
			c = "g.users_seen > 0";
		else
			c = "EXISTS (SELECT 1 FROM triage.events e WHERE e.group_id = g.id AND e.tags ? " + literal(f.tag_key) +
			    kKeepSubPlan + ")";
		break;
	case SearchField::assigned_to: {
		std::vector<std::string> names;
		bool none = false;
		for (const auto &v : f.values) {
			if (v == "none")
				none = true;
			else
				names.push_back(v);
		}
		std::string any;
		if (!names.empty()) {
			SearchFilter n = f;
			n.values = names;
			any = match_values("g.assignee", n);
			// "me": the session's user.
			for (const auto &v : names)
				if (v == "me")
					any = "(" + any + " OR g.assignee = CURRENT_USER)";
		}
		c = none ? (any.empty() ? "g.assignee IS NULL" : "(g.assignee IS NULL OR " + any + ")") : any;
		break;
	}
	case SearchField::tag:
		c = "EXISTS (SELECT 1 FROM triage.events e WHERE e.group_id = g.id AND " +
		    match_values("(e.tags ->> " + literal(f.tag_key) + ")", f) + kKeepSubPlan + ")";
		break;
	}
	// NOT of a comparison with a NULL column (no assignee, no priority) counts as a match.
	return f.negated ? "(" + c + ") IS NOT TRUE" : c;
}

// The has: names that are issue fields; any other name is a tag key.
bool is_field_name(const std::string &name) {
	return name == "release" || name == "environment" || name == "assigned" || name == "assigned_to" ||
	       name == "assignee" || name == "user";
}

triage_pg::KeptPlan first_unknown_tag_key{
    "SELECT k FROM pg_catalog.unnest($2::pg_catalog.text[]) AS k WHERE NOT EXISTS (SELECT 1 FROM triage.tag_keys t "
    "WHERE t.project_id = ANY ($1::pg_catalog.int8[]) AND t.key = k) LIMIT 1",
    {INT8ARRAYOID, TEXTARRAYOID}};

// Unknown keys are errors, not filters that silently match nothing: a key that is not a search
// field must be a tag key seen in the projects' events.
void require_known_tag_keys(const std::vector<int64_t> &projects, const triage::SearchQuery &q) {
	std::vector<std::string> keys;
	for (const auto &f : q.filters)
		if (f.field == SearchField::tag || (f.field == SearchField::has && !is_field_name(f.tag_key)))
			keys.push_back(f.tag_key);
	if (keys.empty())
		return;
	std::vector<Datum> ids;
	for (int64_t p : projects)
		ids.push_back(Int64GetDatum(p));
	triage_pg::SpiConnection spi;
	triage_pg::SpiResult unknown = triage_pg::spi_execute(first_unknown_tag_key, triage_pg::SpiArgs().int8_array(ids).text_array(keys), 1);
	std::string key = unknown.rows() ? unknown.text(0, 0) : std::string();
	spi.finish();
	if (unknown.rows())
		throw SqlError{ERRCODE_INVALID_PARAMETER_VALUE, "unknown search key \"" + key + "\"",
		               "It is neither a search field nor a tag of the events of the projects searched."};
}

// Searches by date over projects that hold at least this share of all issues use the index over
// all projects; others, the per-project ones.
constexpr double kGlobalShare = 0.5;

triage_pg::KeptPlan issue_share{
    "SELECT COALESCE(pg_catalog.sum(value) FILTER (WHERE project_id = ANY ($1::pg_catalog.int8[])), 0)::pg_catalog.float8"
    " / GREATEST(pg_catalog.sum(value), 1) FROM triage.project_counters",
    {INT8ARRAYOID}};

// The projects' share of the issues (by the short-id counters: issues ever created).
double share_of_issues(const std::vector<int64_t> &projects) {
	std::vector<Datum> ids;
	for (int64_t p : projects)
		ids.push_back(Int64GetDatum(p));
	triage_pg::SpiConnection spi;
	triage_pg::SpiResult r = triage_pg::spi_execute(issue_share, triage_pg::SpiArgs().int8_array(ids), 1);
	double share = r.rows() ? r.float8(0, 0) : 0;
	spi.finish();
	return share;
}

// A sort: the keys of its order (all descending), the index-friendly first key, and the cursor.
struct Sort {
	const char *name;
	const char *bucket;    // the indexed bucket column, or nullptr when the value itself is indexed
	const char *value;     // the exact value column
	bool timestamp;        // value is a timestamptz (cursor in microseconds since the Unix epoch)
	bool priority_first;   // priority then last seen
	bool global_index;     // has an index over all projects (groups_date_all_idx)
};

const Sort kSorts[] = {
    {"date", "last_seen_bucket", "last_seen", true, false, true},
    {"new", nullptr, "first_seen", true, false, false},
    {"freq", "times_seen_bucket", "times_seen", false, false, false},
    {"user", "users_seen_bucket", "users_seen", false, false, false},
    {"priority", "last_seen_bucket", "last_seen", true, true, false},
};

const Sort &find_sort(const std::string &name) {
	for (const auto &s : kSorts)
		if (name == s.name)
			return s;
	throw SqlError{ERRCODE_INVALID_PARAMETER_VALUE, "unknown sort \"" + name + "\"",
	               "Sorts are date (last seen), new (first seen), freq (events), user (users) and priority."};
}

// The cursor after a row: "<sort>:[<priority>:]<value>:<id>", the value an integer (a count, or
// microseconds since the Unix epoch).
std::string cursor_expression(const Sort &s) {
	std::string value = s.timestamp ? std::string("(pg_catalog.extract('epoch', g.") + s.value +
	                                      ") * 1000000)::pg_catalog.int8::pg_catalog.text"
	                                : std::string("g.") + s.value + "::pg_catalog.text";
	std::string priority = s.priority_first ? "COALESCE(g.priority::pg_catalog.text, '') || ':' || " : "";
	return "'" + std::string(s.name) + ":' || " + priority + value + " || ':' || g.id::pg_catalog.text";
}

struct Cursor {
	std::string priority; // "" for none
	int64_t value = 0;
	int64_t id = 0;
};

bool parse_int(const std::string &text, int64_t &out) {
	if (text.empty() || text.size() > 20)
		return false;
	size_t i = text[0] == '-' ? 1 : 0;
	if (i == text.size())
		return false;
	for (size_t j = i; j < text.size(); j++)
		if (text[j] < '0' || text[j] > '9')
			return false;
	errno = 0;
	char *end = nullptr;
	long long v = strtoll(text.c_str(), &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	out = v;
	return true;
}

Cursor parse_cursor(const std::string &text, const Sort &s) {
	std::vector<std::string> parts;
	size_t start = 0;
	for (;;) {
		size_t colon = text.find(':', start);
		parts.push_back(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
		if (colon == std::string::npos)
			break;
		start = colon + 1;
	}
	auto invalid = [&]() {
		return SqlError{ERRCODE_INVALID_PARAMETER_VALUE, "invalid cursor \"" + text + "\"",
		                "Pass the cursor column of the last row of a page, unchanged."};
	};
	if (parts.size() < 3 || parts.size() > 4)
		throw invalid();
	if (parts[0] != s.name) {
		bool known = false;
		for (const auto &other : kSorts)
			known = known || parts[0] == other.name;
		if (!known)
			throw invalid();
		throw SqlError{ERRCODE_INVALID_PARAMETER_VALUE,
		               "cursor \"" + text + "\" was made for sort \"" + parts[0] + "\", not \"" + s.name + "\"", ""};
	}
	Cursor c;
	size_t next = 1;
	if (s.priority_first) {
		if (parts.size() != 4)
			throw invalid();
		c.priority = parts[next++];
		if (!c.priority.empty() && c.priority != "high" && c.priority != "medium" && c.priority != "low")
			throw invalid();
	} else if (parts.size() != 3) {
		throw invalid();
	}
	if (!parse_int(parts[next], c.value) || !parse_int(parts[next + 1], c.id))
		throw invalid();
	if (s.timestamp && (c.value < -int64_t(1) << 55 || c.value > int64_t(1) << 55))
		throw invalid();
	return c;
}

std::string int_text(int64_t v) {
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	return buf;
}

// Rows after the cursor in the sort's order: (bucket, value, id) below the cursor's, with the
// bucket bound repeated alone so that the index scan starts there.
std::string after_condition(const Sort &s, const Cursor &c) {
	std::string value = s.timestamp ? timestamp_literal(c.value) : int_text(c.value);
	std::string id = int_text(c.id);
	std::string keys = "g." + std::string(s.value) + ", g.id";
	std::string bound = value + ", " + id;
	std::string prefix_bound;
	if (s.bucket) {
		std::string bucket_value = s.timestamp ? "triage.minute_bucket(" + value + ")"
		                                       : "triage.count_bucket(" + value + ")";
		keys = "g." + std::string(s.bucket) + ", " + keys;
		bound = bucket_value + ", " + bound;
		prefix_bound = "g." + std::string(s.bucket) + " <= " + bucket_value;
	} else {
		prefix_bound = "g." + std::string(s.value) + " <= " + value;
	}
	std::string rest = "(" + keys + ") < (" + bound + ")";
	std::string within = prefix_bound + " AND " + rest;
	if (!s.priority_first)
		return within;
	// Priority descending, issues without one last.
	if (c.priority.empty())
		return "(g.priority IS NULL AND " + within + ")";
	std::string p = literal(c.priority) + "::triage.priority_level";
	return "(g.priority < " + p + " OR g.priority IS NULL OR (g.priority = " + p + " AND " + within + "))";
}

// Within one project: the project's index for the sort, scanned backward, gives this order.
std::string order_by(const Sort &s) {
	std::string order;
	if (s.priority_first)
		order = "g.priority DESC NULLS LAST, ";
	if (s.bucket)
		order += "g." + std::string(s.bucket) + " DESC, ";
	return order + "g." + s.value + " DESC, g.id DESC";
}

// The display order of the page, on triage.issues columns (the same order: buckets follow values).
std::string page_order(const Sort &s) {
	std::string order = s.priority_first ? "i.priority DESC NULLS LAST, " : "";
	return order + "i." + s.value + " DESC, i.id DESC";
}

std::string search_sql(const std::vector<int64_t> &projects, const std::string &query, const std::string &sort_name,
                       int limit, const std::string *after) {
	const Sort &sort = find_sort(sort_name);
	triage::SearchQuery q = triage::parse_search_query(query);
	require_known_tag_keys(projects, q);
	std::vector<std::string> conditions;
	conditions.push_back("g.status NOT IN ('pending_deletion', 'deletion_in_progress', 'pending_merge')");
	for (const auto &f : q.filters)
		conditions.push_back(filter_condition(f));
	if (!q.free_text.empty()) {
		std::string pattern = literal("%" + triage::like_pattern(q.free_text) + "%");
		conditions.push_back("(g.title ILIKE " + pattern + " OR g.culprit ILIKE " + pattern + " OR g.message ILIKE " +
		                     pattern + ")");
	}
	if (after)
		conditions.push_back(after_condition(sort, parse_cursor(*after, sort)));
	std::string where;
	for (const auto &c : conditions)
		where += (where.empty() ? "" : "\n     AND ") + c;
	std::string lim = int_text(limit);
	std::string ids;
	for (size_t i = 0; i < projects.size(); i++)
		ids += (i ? "," : "") + int_text(projects[i]);
	std::string select = "SELECT g.id, g.priority, g." + std::string(sort.value) + ", " + cursor_expression(sort) +
	                     " AS cursor\n    FROM triage.groups g\n   WHERE ";
	std::string page = "\n  JOIN triage.issues i ON i.id = k.id\n ORDER BY " + page_order(sort);
	if (sort.global_index && projects.size() > 1 && share_of_issues(projects) >= kGlobalShare) {
		// Most of the issues: one scan of the sort's index over all projects, which stops at the
		// page's end however selective the filters are.
		return "SELECT i.*, k.cursor\n  FROM (" + select + "g.project_id = ANY ('{" + ids +
		       "}'::pg_catalog.int8[])\n     AND " + where + "\n   ORDER BY " + order_by(sort) + "\n   LIMIT " + lim +
		       ") k" + page;
	}
	// A few projects (or one): each project's index in order, at most a page from each, then the
	// best page of those.
	std::string keys_order = std::string(sort.priority_first ? "k.priority DESC NULLS LAST, " : "") + "k." +
	                         sort.value + " DESC, k.id DESC";
	return "SELECT i.*, k.cursor\n  FROM (SELECT k.* FROM pg_catalog.unnest('{" + ids +
	       "}'::pg_catalog.int8[]) AS p(project_id)\n  CROSS JOIN LATERAL (\n  " + select +
	       "g.project_id = p.project_id\n     AND " + where + "\n   ORDER BY " + order_by(sort) + "\n   LIMIT " + lim +
	       ") k\n  ORDER BY " + keys_order + "\n  LIMIT " + lim + ") k" + page;
}


// A text argument as a string (NULL: the fallback).
std::string text_or(FunctionCallInfo fcinfo, int n, const char *fallback) {
	if (PG_ARGISNULL(n))
		return fallback;
	std::pair<const char *, size_t> arg;
	triage_pg::pg_guarded([&]() -> Datum {
		arg = triage_pg::text_arg(fcinfo, n); // may detoast
		return (Datum)0;
	});
	return std::string(arg.first, arg.second);
}

} // namespace

TRIAGE_FUNCTION(triage_search_sql) {
	if (PG_ARGISNULL(0))
		throw SqlError{ERRCODE_NULL_VALUE_NOT_ALLOWED, "project_ids must not be NULL", ""};
	std::vector<int64_t> projects;
	triage_pg::pg_guarded([&]() -> Datum {
		Datum *values;
		bool *nulls;
		int n;
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &values, &nulls, &n);
		for (int i = 0; i < n; i++) {
			if (nulls[i])
				ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("project ids must not be NULL")));
			projects.push_back(DatumGetInt64(values[i]));
		}
		return (Datum)0;
	});
	// A NULL query is no filter, like an empty one.
	std::string query = text_or(fcinfo, 1, "");
	std::string sort = text_or(fcinfo, 2, "date");
	int limit = PG_ARGISNULL(3) ? kDefaultLimit : PG_GETARG_INT32(3);
	if (limit < 1)
		throw SqlError{ERRCODE_INVALID_PARAMETER_VALUE, "lim must be at least 1", ""};
	limit = std::min(limit, kMaxLimit);
	std::string after = text_or(fcinfo, 4, "");
	std::string sql = search_sql(projects, query, sort, limit, PG_ARGISNULL(4) ? nullptr : &after);
	Datum result = triage_pg::pg_guarded([&]() -> Datum {
		return PointerGetDatum(cstring_to_text_with_len(sql.data(), static_cast<int>(sql.size())));
	});
	PG_RETURN_DATUM(result);
}
