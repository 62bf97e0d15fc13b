// Issue search (search_query.hpp): the grammar of the save-path spec 15.2, every key and alias, the
// is: words, numeric and date operators, relative and absolute dates, wildcards and the errors. The
// expected instants were computed independently with Python's datetime.
#include <gtest/gtest.h>

#include "errors.hpp"
#include "search_query.hpp"

using namespace triage;

namespace {

using Values = std::vector<std::string>;

// The query must give exactly one filter and no free text.
SearchFilter only_filter(std::string_view query) {
	SearchQuery parsed = parse_search_query(query);
	EXPECT_EQ(parsed.filters.size(), 1u) << query;
	EXPECT_EQ(parsed.free_text, "") << query;
	return parsed.filters.empty() ? SearchFilter{} : parsed.filters[0];
}

struct Failure {
	ErrorKind kind;
	std::string message;
};

Failure failure_of(std::string_view query) {
	try {
		parse_search_query(query);
	} catch (const Error &error) {
		return {error.kind(), error.what()};
	}
	ADD_FAILURE() << "no error for " << query;
	return {ErrorKind::invalid_json, ""};
}

// An invalid_parameter error whose message contains every one of the given pieces.
void expect_invalid(std::string_view query, std::initializer_list<std::string_view> pieces) {
	Failure failure = failure_of(query);
	EXPECT_EQ(failure.kind, ErrorKind::invalid_parameter) << query << ": " << failure.message;
	for (std::string_view piece : pieces)
		EXPECT_NE(failure.message.find(piece), std::string::npos) << query << ": " << failure.message;
}

std::string free_text_of(std::string_view query) {
	SearchQuery parsed = parse_search_query(query);
	EXPECT_TRUE(parsed.filters.empty()) << query;
	return parsed.free_text;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Grammar

TEST(SearchQuery, EmptyAndWhiteSpaceQueriesHaveNoFilters) {
	for (std::string_view query : {"", " ", " \t\r\n\f\v "}) {
		SearchQuery parsed = parse_search_query(query);
		EXPECT_TRUE(parsed.filters.empty());
		EXPECT_EQ(parsed.free_text, "");
	}
}

TEST(SearchQuery, KeyValueOfAnUnknownKeyIsATagFilter) {
	SearchFilter filter = only_filter("  browser:Chrome  ");
	EXPECT_EQ(filter.field, SearchField::tag);
	EXPECT_EQ(filter.tag_key, "browser");
	EXPECT_EQ(filter.values, Values{"Chrome"});
	EXPECT_FALSE(filter.negated);
	EXPECT_FALSE(filter.has_wildcard);
	EXPECT_EQ(filter.op, SearchOp::eq);
	EXPECT_EQ(filter.token, "browser:Chrome");
	// Key characters: letters, digits, _ . and -; the value keeps any later colon.
	SearchFilter dotted = only_filter("os.name-x_2:a:b");
	EXPECT_EQ(dotted.tag_key, "os.name-x_2");
	EXPECT_EQ(dotted.values, Values{"a:b"});
}

TEST(SearchQuery, QuotedValuesKeepSpacesAndReadEscapes) {
	EXPECT_EQ(only_filter(R"(browser:"Mobile \"Safari\" \\ 17")").values, Values{R"(Mobile "Safari" \ 17)"});
	// Only \" and \\ are escapes; another backslash stays.
	EXPECT_EQ(only_filter(R"(path:"C:\temp\n")").values, Values{R"(C:\temp\n)"});
	// A quote inside an unquoted value is an ordinary character.
	EXPECT_EQ(only_filter(R"(name:it"s)").values, Values{R"(it"s)"});
}

TEST(SearchQuery, ListsTakeQuotedItemsAndSpacesAroundCommas) {
	SearchFilter filter = only_filter(R"(browser:[ Chrome,"Mobile Safari" ,  "x,y", "]" ])");
	EXPECT_EQ(filter.values, (Values{"Chrome", "Mobile Safari", "x,y", "]"}));
	EXPECT_EQ(filter.token, R"(browser:[ Chrome,"Mobile Safari" ,  "x,y", "]" ])");
	EXPECT_EQ(only_filter("level:[error]").values, Values{"error"});
}

TEST(SearchQuery, NegationAppliesToSingleValuesAndLists) {
	SearchFilter single = only_filter("!browser:Chrome");
	EXPECT_TRUE(single.negated);
	EXPECT_EQ(single.token, "!browser:Chrome");
	SearchFilter list = only_filter("!level:[error, fatal]");
	EXPECT_EQ(list.field, SearchField::level);
	EXPECT_TRUE(list.negated);
	EXPECT_EQ(list.values, (Values{"error", "fatal"}));
}

TEST(SearchQuery, FreeTextJoinsWordsQuotedStringsAndMessageInOrder) {
	SearchQuery parsed =
	    parse_search_query(R"(  foo is:resolved "bar  baz"   message:"qux q" (paren) ""  end)");
	ASSERT_EQ(parsed.filters.size(), 1u);
	EXPECT_EQ(parsed.filters[0].field, SearchField::status);
	EXPECT_EQ(parsed.free_text, "foo bar  baz qux q (paren) end");
	EXPECT_EQ(free_text_of("message:KeyError"), "KeyError");
}

TEST(SearchQuery, TextThatIsNotAKeyIsFreeText) {
	EXPECT_EQ(free_text_of("http://example.com/a?b=c"), "http://example.com/a?b=c");
	EXPECT_EQ(free_text_of("ftp://x"), "ftp://x");
	EXPECT_EQ(free_text_of("12:30"), "12:30");        // a key cannot start with a digit
	EXPECT_EQ(free_text_of("foo/bar:baz"), "foo/bar:baz");
	EXPECT_EQ(free_text_of("-24h"), "-24h");
	EXPECT_EQ(free_text_of(":value"), ":value");
	EXPECT_EQ(free_text_of("(level:error)"), "(level:error)");
	EXPECT_EQ(free_text_of("tags[route"), "tags[route");
	// A URL as a value is fine.
	SearchFilter url = only_filter("url:http://x/y");
	EXPECT_EQ(url.tag_key, "url");
	EXPECT_EQ(url.values, Values{"http://x/y"});
}

TEST(SearchQuery, BracketedTagKeysAreAlwaysTags) {
	SearchFilter user = only_filter("tags[sentry:user]:id:42");
	EXPECT_EQ(user.field, SearchField::tag);
	EXPECT_EQ(user.tag_key, "sentry:user");
	EXPECT_EQ(user.values, Values{"id:42"});
	// A field name inside tags[] means the tag, and unsupported names are fine there.
	SearchFilter release = only_filter("tags[release]:1.0");
	EXPECT_EQ(release.field, SearchField::tag);
	EXPECT_EQ(release.tag_key, "release");
	EXPECT_EQ(only_filter("tags[status]:x").tag_key, "status");
	SearchFilter route = only_filter(R"(!tags[route]:["/a b", /c])");
	EXPECT_TRUE(route.negated);
	EXPECT_EQ(route.values, (Values{"/a b", "/c"}));
}

TEST(SearchQuery, MultipleFiltersKeepTheirOrder) {
	// The UI's default "Prioritized" query plus more.
	SearchQuery parsed = parse_search_query("is:unresolved issue.priority:[high, medium] foo level:error bar");
	ASSERT_EQ(parsed.filters.size(), 3u);
	EXPECT_EQ(parsed.filters[0].field, SearchField::status);
	EXPECT_EQ(parsed.filters[0].values, Values{"unresolved"});
	EXPECT_EQ(parsed.filters[1].field, SearchField::priority);
	EXPECT_EQ(parsed.filters[1].values, (Values{"high", "medium"}));
	EXPECT_EQ(parsed.filters[1].token, "issue.priority:[high, medium]");
	EXPECT_EQ(parsed.filters[2].field, SearchField::level);
	EXPECT_EQ(parsed.free_text, "foo bar");
}

TEST(SearchQuery, AliasesMapToTheirFields) {
	struct Case {
		std::string_view query;
		SearchField field;
	};
	for (const Case &c : std::initializer_list<Case>{
	         {"age:-1h", SearchField::first_seen},
	         {"firstSeen:-1h", SearchField::first_seen},
	         {"first_seen:-1h", SearchField::first_seen},
	         {"lastSeen:-1h", SearchField::last_seen},
	         {"last_seen:-1h", SearchField::last_seen},
	         {"timesSeen:5", SearchField::times_seen},
	         {"times_seen:5", SearchField::times_seen},
	         {"user.count:5", SearchField::users_seen},
	         {"users_seen:5", SearchField::users_seen},
	         {"first-release:1.0", SearchField::first_release},
	         {"firstRelease:1.0", SearchField::first_release},
	         {"first_release:1.0", SearchField::first_release},
	         {"release:1.0", SearchField::release},
	         {"environment:prod", SearchField::environment},
	         {"assigned:me", SearchField::assigned_to},
	         {"assigned_to:me", SearchField::assigned_to},
	         {"priority:high", SearchField::priority},
	         {"issue.priority:high", SearchField::priority},
	         {"level:error", SearchField::level},
	     }) {
		EXPECT_EQ(only_filter(c.query).field, c.field) << c.query;
	}
	// Aliases are case-sensitive: anything else is a tag.
	EXPECT_EQ(only_filter("FirstSeen:x").field, SearchField::tag);
}

// ---------------------------------------------------------------------------------------------
// is:

TEST(SearchQueryIs, StatusWordsAreCanonical) {
	struct Case {
		std::string_view query;
		std::string status;
	};
	for (const Case &c : std::initializer_list<Case>{{"is:unresolved", "unresolved"},
	                                                 {"is:resolved", "resolved"},
	                                                 {"is:ignored", "ignored"},
	                                                 {"is:archived", "ignored"},
	                                                 {"is:muted", "ignored"}}) {
		SearchFilter filter = only_filter(c.query);
		EXPECT_EQ(filter.field, SearchField::status) << c.query;
		EXPECT_EQ(filter.values, Values{c.status}) << c.query;
	}
}

TEST(SearchQueryIs, SubstatusWords) {
	for (std::string word : {"new", "ongoing", "regressed", "escalating", "archived_until_escalating",
	                         "archived_until_condition_met", "archived_forever"}) {
		SearchFilter filter = only_filter("is:" + word);
		EXPECT_EQ(filter.field, SearchField::substatus) << word;
		EXPECT_EQ(filter.values, Values{word});
	}
}

TEST(SearchQueryIs, ListsStayInOneCategoryWithoutDuplicates) {
	SearchFilter status = only_filter(R"(is:[archived, muted, "resolved", ignored])");
	EXPECT_EQ(status.field, SearchField::status);
	EXPECT_EQ(status.values, (Values{"ignored", "resolved"}));
	SearchFilter substatus = only_filter("!is:[new, ongoing]");
	EXPECT_EQ(substatus.field, SearchField::substatus);
	EXPECT_TRUE(substatus.negated);
	EXPECT_EQ(substatus.values, (Values{"new", "ongoing"}));
}

TEST(SearchQueryIs, AssignedAndUnassignedAreOneBooleanFilter) {
	struct Case {
		std::string_view query;
		bool negated;
	};
	for (const Case &c : std::initializer_list<Case>{{"is:assigned", false},
	                                                 {"is:unassigned", true},
	                                                 {"!is:assigned", true},
	                                                 {"!is:unassigned", false},
	                                                 {"is:[unassigned, unassigned]", true}}) {
		SearchFilter filter = only_filter(c.query);
		EXPECT_EQ(filter.field, SearchField::assigned) << c.query;
		EXPECT_EQ(filter.negated, c.negated) << c.query;
		EXPECT_TRUE(filter.values.empty());
	}
}

TEST(SearchQueryIs, ForReview) {
	SearchFilter filter = only_filter("is:for_review");
	EXPECT_EQ(filter.field, SearchField::for_review);
	EXPECT_FALSE(filter.negated);
	EXPECT_TRUE(only_filter("!is:for_review").negated);
}

TEST(SearchQueryIs, UnknownWordsMixedListsAndOperatorsAreErrors) {
	EXPECT_EQ(failure_of("is:reprocessing").message,
	          R"(invalid value for is: "reprocessing" in "is:reprocessing")");
	expect_invalid("is:Resolved", {R"("Resolved")"});
	expect_invalid("is:[resolved, bogus]", {R"("bogus")", R"("is:[resolved, bogus]")"});
	expect_invalid("is:linked", {R"("linked")"});
	EXPECT_EQ(failure_of("is:[resolved, new]").message,
	          R"(cannot combine "resolved" and "new" in "is:[resolved, new]")");
	expect_invalid("is:[assigned, unassigned]", {R"("assigned" and "unassigned")"});
	expect_invalid("is:[for_review, assigned]", {R"("for_review" and "assigned")"});
	expect_invalid("is:=resolved", {R"(operator "=")", R"("is:=resolved")"});
}

// ---------------------------------------------------------------------------------------------
// Enumerated and string values

TEST(SearchQueryValues, LevelsAreValidated) {
	for (std::string level : {"fatal", "error", "warning", "info", "debug", "sample"})
		EXPECT_EQ(only_filter("level:" + level).values, Values{level});
	EXPECT_EQ(only_filter("level:[warning, info]").values, (Values{"warning", "info"}));
	EXPECT_EQ(failure_of("level:critical").message, R"(invalid value for level: "critical" in "level:critical")");
	expect_invalid("level:Error", {R"("Error")"});
	expect_invalid("level:[error, warn]", {R"("warn")", R"("level:[error, warn]")"});
}

TEST(SearchQueryValues, PrioritiesAreValidated) {
	for (std::string priority : {"high", "medium", "low"})
		EXPECT_EQ(only_filter("issue.priority:" + priority).values, Values{priority});
	EXPECT_EQ(only_filter("!priority:[low, medium]").values, (Values{"low", "medium"}));
	expect_invalid("priority:urgent", {R"(invalid value for priority: "urgent" in "priority:urgent")"});
}

TEST(SearchQueryValues, ReleasesFlagLatest) {
	SearchFilter latest = only_filter("release:latest");
	EXPECT_EQ(latest.field, SearchField::release);
	EXPECT_TRUE(latest.has_latest);
	EXPECT_EQ(latest.values, Values{"latest"});
	EXPECT_TRUE(only_filter(R"(release:[1.0, "latest"])").has_latest);
	EXPECT_TRUE(only_filter("firstRelease:latest").has_latest);
	EXPECT_FALSE(only_filter("release:backend@1.0").has_latest);
	EXPECT_FALSE(only_filter("release:latest2").has_latest);
	SearchFilter environment = only_filter("environment:latest");
	EXPECT_FALSE(environment.has_latest);
	EXPECT_EQ(environment.values, Values{"latest"});
	EXPECT_FALSE(only_filter("browser:latest").has_latest);
}

TEST(SearchQueryValues, EnvironmentsAndAssigneesAreStrings) {
	SearchFilter environment = only_filter(R"(!environment:[prod, "staging eu"])");
	EXPECT_EQ(environment.field, SearchField::environment);
	EXPECT_TRUE(environment.negated);
	EXPECT_EQ(environment.values, (Values{"prod", "staging eu"}));
	EXPECT_EQ(only_filter("assigned:me").values, Values{"me"});
	EXPECT_EQ(only_filter("assigned_to:none").values, Values{"none"});
	EXPECT_EQ(only_filter("assigned:[me, #backend, jane@example.com]").values,
	          (Values{"me", "#backend", "jane@example.com"}));
	expect_invalid("assigned:ja*", {"wildcards are not supported", R"("assigned:ja*")"});
}

TEST(SearchQueryValues, HasTakesAFieldOrTagName) {
	for (std::string name : {"release", "environment", "assigned", "user", "route", "sentry:user"}) {
		SearchFilter filter = only_filter("has:" + name);
		EXPECT_EQ(filter.field, SearchField::has);
		EXPECT_EQ(filter.tag_key, name);
		EXPECT_TRUE(filter.values.empty());
		EXPECT_FALSE(filter.negated);
	}
	EXPECT_TRUE(only_filter("!has:environment").negated);
	expect_invalid("has:a/b", {R"(invalid value for has: "a/b" in "has:a/b")"});
	expect_invalid("has:[release, user]", {"a list is not supported for has", R"("has:[release, user]")"});
	expect_invalid("has:>release", {R"(operator ">")"});
	expect_invalid("has:rel*", {R"("rel*")"});
}

TEST(SearchQueryValues, MessageIsPositiveFreeTextOnly) {
	EXPECT_EQ(free_text_of(R"(message:"foo bar" baz)"), "foo bar baz");
	EXPECT_EQ(failure_of("!message:foo").message, R"(negated free text is not supported: "!message:foo")");
	expect_invalid("message:[a, b]", {"a list is not supported for message"});
	expect_invalid("message:>a", {R"(operator ">")"});
}

TEST(SearchQueryValues, TagKeysLongerThanStoredTagsAreErrors) {
	std::string key200(200, 'k');
	EXPECT_EQ(only_filter(key200 + ":v").tag_key, key200);
	std::string key201(201, 'k');
	expect_invalid(key201 + ":v", {"invalid tag key: \"" + key201 + "\""});
	expect_invalid("tags[a/b]:x", {R"(invalid tag key: "a/b" in "tags[a/b]:x")"});
	expect_invalid("tags[]:x", {R"(invalid tag key: "" in "tags[]:x")"});
}

TEST(SearchQueryValues, UnsupportedKeysAreErrorsNotTags) {
	for (std::string key : {"bookmarks", "bookmarked_by", "subscribed", "subscribed_by", "issue.category", "issue.type",
	                        "regressed_in_release", "date", "event.timestamp", "status", "substatus"}) {
		std::string query = key + ":x";
		EXPECT_EQ(failure_of(query).message, "unsupported search key: \"" + key + "\" in \"" + query + "\"");
	}
	expect_invalid("!status:[resolved]", {R"(unsupported search key: "status")"});
}

TEST(SearchQueryValues, OperatorsOnStringKeysAreErrors) {
	EXPECT_EQ(failure_of("level:>error").message, R"(operator ">" is not supported for level in "level:>error")");
	expect_invalid("release:>=1.0", {R"(operator ">=")", R"("release:>=1.0")"});
	expect_invalid("environment:<prod", {R"(operator "<")"});
	expect_invalid("browser:=Chrome", {R"(operator "=")", R"("browser:=Chrome")"});
	expect_invalid("assigned:<=me", {R"(operator "<=")"});
	// Quoted, the same characters are a value.
	EXPECT_EQ(only_filter(R"(browser:">x")").values, Values{">x"});
}

TEST(SearchQueryValues, EmptyValuesAreErrors) {
	EXPECT_EQ(failure_of("level:").message, R"(empty value for level in "level:")");
	expect_invalid(R"(browser:"")", {R"(empty value for browser in "browser:""")"});
	expect_invalid("level:[]", {R"("level:[]")"});
	expect_invalid("browser:[a, ]", {R"(empty value for browser in "browser:[a, ]")"});
	expect_invalid("release:[a,,b]", {"empty value"});
	expect_invalid("times_seen:>", {R"(empty value for times_seen in "times_seen:>")"});
	expect_invalid("first_seen: 2024-01-01", {R"("first_seen:")"});
}

// ---------------------------------------------------------------------------------------------
// Numbers

TEST(SearchQueryNumbers, EveryOperator) {
	struct Case {
		std::string_view query;
		SearchOp op;
		int64_t number;
	};
	for (const Case &c : std::initializer_list<Case>{{"times_seen:5", SearchOp::eq, 5},
	                                                 {"times_seen:=5", SearchOp::eq, 5},
	                                                 {"times_seen:>10", SearchOp::gt, 10},
	                                                 {"times_seen:>=007", SearchOp::ge, 7},
	                                                 {"times_seen:<3", SearchOp::lt, 3},
	                                                 {"times_seen:<=0", SearchOp::le, 0},
	                                                 {R"(users_seen:>"12")", SearchOp::gt, 12},
	                                                 {"users_seen:9223372036854775807", SearchOp::eq,
	                                                  9223372036854775807}}) {
		SearchFilter filter = only_filter(c.query);
		EXPECT_EQ(filter.op, c.op) << c.query;
		EXPECT_EQ(filter.number, c.number) << c.query;
	}
	EXPECT_TRUE(only_filter("!timesSeen:>5").negated);
}

TEST(SearchQueryNumbers, OnlyPlainNonNegativeIntegers) {
	EXPECT_EQ(failure_of("times_seen:>abc").message,
	          R"(invalid value for times_seen: "abc" in "times_seen:>abc")");
	for (std::string value : {"-1", "+1", "1k", "1.5", "1e3", "9223372036854775808", "99999999999999999999"})
		expect_invalid("times_seen:" + value, {"\"" + value + "\""});
	expect_invalid("users_seen:[1, 2]", {R"(a list is not supported for users_seen in "users_seen:[1, 2]")"});
	expect_invalid("user.count:><5", {R"(invalid value for user.count: "<5")"});
}

// ---------------------------------------------------------------------------------------------
// Dates

TEST(SearchQueryDates, RelativeDatesInEveryUnit) {
	struct Case {
		std::string_view query;
		SearchField field;
		SearchOp op;
		int64_t seconds_ago;
	};
	for (const Case &c : std::initializer_list<Case>{
	         {"first_seen:-24h", SearchField::first_seen, SearchOp::ge, 86400},
	         {"lastSeen:+7d", SearchField::last_seen, SearchOp::lt, 604800},
	         {"age:-30s", SearchField::first_seen, SearchOp::ge, 30},
	         {"last_seen:-15m", SearchField::last_seen, SearchOp::ge, 900},
	         {"firstSeen:+2w", SearchField::first_seen, SearchOp::lt, 1209600},
	         {"last_seen:-0001h", SearchField::last_seen, SearchOp::ge, 3600},
	     }) {
		SearchFilter filter = only_filter(c.query);
		EXPECT_EQ(filter.field, c.field) << c.query;
		EXPECT_TRUE(filter.relative) << c.query;
		EXPECT_EQ(filter.op, c.op) << c.query;
		EXPECT_EQ(filter.seconds_ago, c.seconds_ago) << c.query;
		EXPECT_EQ(filter.micros, 0);
		EXPECT_FALSE(filter.date_only);
	}
	EXPECT_TRUE(only_filter("!age:-24h").negated);
	// The largest count that stays within int64 once the glue works in microseconds.
	EXPECT_EQ(only_filter("age:-9223372036854s").seconds_ago, 9223372036854);
}

TEST(SearchQueryDates, RelativeDateErrors) {
	EXPECT_EQ(failure_of("first_seen:>-24h").message,
	          R"(a relative date takes no operator: "-24h" in "first_seen:>-24h")");
	expect_invalid("last_seen:=+7d", {"a relative date takes no operator"});
	for (std::string value :
	     {"-0h", "-24y", "-h", "-1.5h", "+-1d", "-24", "-24H", "-9223372036855s", "-99999999999999w"})
		expect_invalid("first_seen:" + value,
		               {"invalid value for first_seen: \"" + value + "\" in \"first_seen:" + value + "\""});
}

TEST(SearchQueryDates, DateOnlyWithOperatorsIsMidnightUtc) {
	SearchFilter filter = only_filter("first_seen:>2024-01-31");
	EXPECT_EQ(filter.field, SearchField::first_seen);
	EXPECT_EQ(filter.op, SearchOp::gt);
	EXPECT_FALSE(filter.relative);
	EXPECT_TRUE(filter.date_only);
	EXPECT_EQ(filter.micros, 1706659200000000);
	EXPECT_EQ(only_filter("lastSeen:<2024-01-31").op, SearchOp::lt);
	EXPECT_EQ(only_filter("age:>=2024-01-31").op, SearchOp::ge);
	EXPECT_EQ(only_filter("last_seen:<=2024-01-31").op, SearchOp::le);
}

TEST(SearchQueryDates, DateOnlyEqualsIsThatDay) {
	for (std::string_view query : {"first_seen:2024-01-31", "first_seen:=2024-01-31"}) {
		SearchFilter filter = only_filter(query);
		EXPECT_EQ(filter.op, SearchOp::eq) << query;
		EXPECT_TRUE(filter.date_only) << query;
		EXPECT_EQ(filter.micros, 1706659200000000) << query;
	}
}

TEST(SearchQueryDates, DateTimesWithoutAZoneAreUtc) {
	SearchFilter filter = only_filter("last_seen:<=2024-01-31T10:20:30");
	EXPECT_EQ(filter.op, SearchOp::le);
	EXPECT_FALSE(filter.date_only);
	EXPECT_EQ(filter.micros, 1706696430000000);
	EXPECT_EQ(only_filter("last_seen:<=2024-01-31T10:20:30Z").micros, 1706696430000000);
	SearchFilter instant = only_filter("last_seen:2024-01-31T10:20:30.25");
	EXPECT_EQ(instant.op, SearchOp::eq);
	EXPECT_FALSE(instant.date_only);
	EXPECT_EQ(instant.micros, 1706696430250000);
}

TEST(SearchQueryDates, OffsetsAreConvertedToUtc) {
	EXPECT_EQ(only_filter("first_seen:>2024-02-29T23:59:59.5+05:30").micros, 1709231399500000);
	EXPECT_EQ(only_filter("first_seen:>2024-03-01T01:02:03.123456-08:00").micros, 1709283723123456);
	EXPECT_EQ(only_filter("first_seen:>1970-01-01T00:00:00-00:01").micros, 60000000);
	EXPECT_EQ(only_filter("first_seen:>1970-01-01T00:00:00+00:00").micros, 0);
	EXPECT_EQ(only_filter("first_seen:<1969-12-31T23:59:59Z").micros, -1000000);
}

TEST(SearchQueryDates, FirstAndLastRepresentableDays) {
	EXPECT_EQ(only_filter("first_seen:>0001-01-01").micros, -62135596800000000);
	EXPECT_EQ(only_filter("first_seen:<9999-12-31T23:59:59.999999Z").micros, 253402300799999999);
}

TEST(SearchQueryDates, LeapDays) {
	EXPECT_EQ(only_filter("first_seen:2000-02-29").micros, 951782400000000);
	EXPECT_EQ(only_filter("first_seen:2024-02-29").micros, 1709164800000000);
	expect_invalid("first_seen:1900-02-29", {R"("1900-02-29")"});
	expect_invalid("first_seen:2023-02-29", {R"("2023-02-29")"});
	expect_invalid("first_seen:2024-02-30", {R"("2024-02-30")"});
}

TEST(SearchQueryDates, InvalidDatesNameTheValue) {
	EXPECT_EQ(failure_of("last_seen:>yesterday").message,
	          R"(invalid value for last_seen: "yesterday" in "last_seen:>yesterday")");
	for (std::string value :
	     {"0000-01-01", "2024-00-10", "2024-13-01", "2024-04-31", "2024-01-32", "2024-1-31", "24-01-31",
	      "2024-01-31Z", "2024-01-31T", "2024-01-31T10:20", "2024-01-31T24:00:00", "2024-01-31T10:60:00",
	      "2024-01-31T10:00:60", "2024-01-31t10:20:30", "2024-01-31T10:20:30.", "2024-01-31T10:20:30.1234567",
	      "2024-01-31T10:20:30+24:00", "2024-01-31T10:20:30+05:60", "2024-01-31T10:20:30+0530",
	      "2024-01-31T10:20:30Z+01:00", "2024-01-31T10:20:30z"})
		expect_invalid("first_seen:>" + value, {"invalid value for first_seen: \"" + value + "\""});
	expect_invalid("first_seen:[2024-01-01, 2024-01-02]", {"a list is not supported for first_seen"});
}

// ---------------------------------------------------------------------------------------------
// Wildcards

TEST(SearchQueryWildcards, UnescapedStarsAreFlagged) {
	SearchFilter plain = only_filter("browser:Chr*");
	EXPECT_TRUE(plain.has_wildcard);
	EXPECT_EQ(plain.values, Values{"Chr*"});
	EXPECT_TRUE(only_filter(R"(browser:"Mobile *")").has_wildcard); // quoted too, as Sentry does
	SearchFilter list = only_filter(R"(url:[/a, /b\*, /c*])");
	EXPECT_TRUE(list.has_wildcard);
	EXPECT_EQ(list.values, (Values{"/a", R"(/b\*)", "/c*"})); // kept as written for like_pattern
	EXPECT_TRUE(only_filter("release:1.*").has_wildcard);
	EXPECT_TRUE(only_filter("first_release:*").has_wildcard);
	EXPECT_TRUE(only_filter("environment:prod-*").has_wildcard);
	EXPECT_TRUE(only_filter("tags[sentry:user]:id:*").has_wildcard);
	EXPECT_FALSE(only_filter("release:latest").has_wildcard);
	expect_invalid("level:err*", {R"("err*")"});
}

TEST(SearchQueryWildcards, EscapedStarsAreLiteral) {
	SearchFilter filter = only_filter(R"(browser:a\*b)");
	EXPECT_FALSE(filter.has_wildcard);
	EXPECT_EQ(filter.values, Values{"a*b"});
	SearchFilter both = only_filter(R"(browser:["x\*", y])");
	EXPECT_FALSE(both.has_wildcard);
	EXPECT_EQ(both.values, (Values{"x*", "y"}));
}

TEST(SearchQueryWildcards, LikePatternEscapesAndTranslatesStars) {
	EXPECT_EQ(like_pattern("Chr*"), "Chr%");
	EXPECT_EQ(like_pattern("*a*b*"), "%a%b%");
	EXPECT_EQ(like_pattern("50%_off"), R"(50\%\_off)");
	EXPECT_EQ(like_pattern(R"(C:\temp)"), R"(C:\\temp)");
	EXPECT_EQ(like_pattern(R"(a\*b*)"), "a*b%");
	EXPECT_EQ(like_pattern(R"(\\*)"), R"(\\*)"); // a backslash, then a literal star
	EXPECT_EQ(like_pattern("trailing\\"), R"(trailing\\)");
	EXPECT_EQ(like_pattern(""), "");
}

// ---------------------------------------------------------------------------------------------
// Syntax errors, free-text restrictions and limits

TEST(SearchQueryErrors, UnbalancedQuotesAndBracketsAreSyntaxErrors) {
	struct Case {
		std::string_view query;
		std::string message;
	};
	for (const Case &c : std::initializer_list<Case>{
	         {R"(level:error browser:"Mobile Safari)", R"(unterminated quoted string in "browser:"Mobile Safari")"},
	         {R"("free text)", R"(unterminated quoted string in ""free text")"},
	         {R"(!"x)", R"(unterminated quoted string in "!"x")"},
	         {R"(browser:"a\")", R"(unterminated quoted string in "browser:"a\"")"},
	         {"level:[error, fatal", R"(unterminated list in "level:[error, fatal")"},
	         {"level:[", R"(unterminated list in "level:[")"},
	         {R"(level:[error, "fatal])", R"(unterminated quoted string in "level:[error, "fatal]")"},
	         {"level:[error fatal] x", R"(expected "," or "]" in the list in "level:[error fatal]")"},
	         {R"(browser:"a"b c)", R"(unexpected text after a closing quote or bracket in "browser:"a"b")"},
	         {"level:[error]x", R"(unexpected text after a closing quote or bracket in "level:[error]x")"},
	         {R"("a"b)", R"(unexpected text after a closing quote or bracket in ""a"b")"},
	     }) {
		Failure failure = failure_of(c.query);
		EXPECT_EQ(failure.kind, ErrorKind::rule_syntax) << c.query;
		EXPECT_EQ(failure.message, c.message) << c.query;
	}
}

TEST(SearchQueryErrors, NegatedFreeTextIsRejected) {
	EXPECT_EQ(failure_of("a !foo").message, R"(negated free text is not supported: "!foo")");
	expect_invalid(R"(!"foo bar")", {R"(negated free text is not supported: "!"foo bar"")"});
	expect_invalid("!http://x", {R"("!http://x")"});
	expect_invalid("!", {R"(negated free text is not supported: "!")"});
	// An exclamation mark elsewhere is text.
	EXPECT_EQ(free_text_of("wow! a!b"), "wow! a!b");
}

TEST(SearchQueryErrors, BooleanOperatorsAreRejected) {
	EXPECT_EQ(failure_of("a OR b").message, R"(boolean operators are not supported in issue search: "OR")");
	expect_invalid("level:error AND b", {R"(boolean operators are not supported in issue search: "AND")"});
	// Only the bare upper-case words; parentheses are text.
	EXPECT_EQ(free_text_of(R"(a or b and ORACLE "OR" (x y))"), "a or b and ORACLE OR (x y)");
}

TEST(SearchQueryErrors, QueryLengthIsLimited) {
	std::string longest(kMaxSearchQueryBytes - 1, 'x');
	EXPECT_EQ(parse_search_query(longest + " ").free_text, longest);
	Failure failure = failure_of(longest + "  ");
	EXPECT_EQ(failure.kind, ErrorKind::program_limit);
	EXPECT_EQ(failure.message, "search query is longer than 8192 bytes: 8193");
}

TEST(SearchQueryErrors, TermCountIsLimited) {
	std::string query;
	for (size_t i = 0; i < kMaxSearchTerms / 2; ++i)
		query += "w level:error ";
	SearchQuery parsed = parse_search_query(query);
	EXPECT_EQ(parsed.filters.size(), kMaxSearchTerms / 2);
	Failure failure = failure_of(query + "x");
	EXPECT_EQ(failure.kind, ErrorKind::program_limit);
	EXPECT_EQ(failure.message, "search query has more than 100 terms");
}
