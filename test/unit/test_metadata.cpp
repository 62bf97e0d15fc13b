// Save-path fields (metadata.hpp): title, culprit, metadata, search message, level, tags and the
// identifying fields, rule by rule, on real SDK payloads and for the acceptance behaviours (AT-nn)
// of the save-path spec.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "grouping.hpp"
#include "metadata.hpp"

using namespace triage;

namespace {

struct Saved {
	std::string text;
	Event event;
	GroupingResult result;
	SaveFields fields;
};

Saved save(const std::string &json, const SaveOptions &options = {}, std::string_view fingerprint_rules = "") {
	static const Grouper plain(kDefaultGroupingConfig, "", "");
	Grouper custom(kDefaultGroupingConfig, "", fingerprint_rules);
	const Grouper &grouper = fingerprint_rules.empty() ? plain : custom;
	Saved s{json, {}, {}, {}};
	s.event = parse_event(s.text.data(), s.text.size());
	s.result = grouper.group(s.event, HashAlgorithm::md5, false);
	s.fields = compute_save_fields(s.event, s.result, options);
	return s;
}

std::optional<std::string> tag(const SaveFields &f, std::string_view key) {
	for (const auto &[k, v] : f.tags)
		if (k == key)
			return v;
	return std::nullopt;
}

std::vector<std::string> sdk_lines(const char *name) {
	std::ifstream in(std::string(TRIAGE_SOURCE_DIR) + "/test/sdk/" + name);
	std::vector<std::string> lines;
	for (std::string line; std::getline(in, line);)
		if (!line.empty())
			lines.push_back(line);
	return lines;
}

} // namespace

TEST(Metadata, TruncateCharsCountsCodePoints) {
	EXPECT_EQ(truncate_chars("abcdef", 6), "abcdef");
	EXPECT_EQ(truncate_chars("abcdefg", 6), "abc...");
	EXPECT_EQ(truncate_chars("\xC3\xA9\xC3\xA9\xC3\xA9", 3), "\xC3\xA9\xC3\xA9\xC3\xA9"); // 3 characters, 6 bytes
	EXPECT_EQ(truncate_chars("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 4), "\xC3\xA9...");
	EXPECT_EQ(truncate_chars("abcdef", 2), "...");
}

TEST(Metadata, EventTypes) {
	EXPECT_EQ(save(R"({"exception":{"values":[{"type":"A"}]}})").fields.event_type, "error");
	EXPECT_EQ(save(R"({"message":"x"})").fields.event_type, "default");
	EXPECT_EQ(save(R"({"exception":null})").fields.event_type, "default");
	EXPECT_EQ(save(R"({"csp":{"blocked_uri":"https://evil.com/x.js"}})").fields.event_type, "csp");
	EXPECT_EQ(save(R"({"hpkp":{"hostname":"a.com"}})").fields.event_type, "hpkp");
	EXPECT_EQ(save(R"({"expectct":{"hostname":"a.com"}})").fields.event_type, "expectct");
	EXPECT_EQ(save(R"({"expectstaple":{"hostname":"a.com"}})").fields.event_type, "expectstaple");
}

// AT-17
TEST(Metadata, ErrorEventTypeAndTitle) {
	auto s = save(R"({"exception":{"values":[{"type":"Foo","value":"bar"}]}})");
	EXPECT_EQ(s.fields.event_type, "error");
	EXPECT_EQ(s.fields.title, "Foo: bar");
	EXPECT_EQ(s.fields.metadata_json, R"({"value":"bar","type":"Foo","initial_priority":75})");
	EXPECT_EQ(s.fields.search_message, "bar Foo");
	EXPECT_FALSE(s.fields.location);
	// No type: "Error"; a multi-line value: its first line, cut to 100 characters.
	EXPECT_EQ(save(R"({"exception":{"values":[{"value":"x"}]}})").fields.title, "Error: x");
	auto long_value = std::string(150, 'v');
	auto t = save(R"({"exception":{"values":[{"type":"T","value":")" + long_value + R"(\nsecond"}]}})").fields.title;
	EXPECT_EQ(t, "T: " + std::string(97, 'v') + "...");
	EXPECT_EQ(save(R"({"exception":{"values":[{"type":"T","value":"one\r\ntwo"}]}})").fields.title, "T: one");
	// The type is cut to 128 characters, the value to 1024 (in metadata).
	auto long_type = save(R"({"exception":{"values":[{"type":")" + std::string(200, 't') + R"("}]}})");
	EXPECT_EQ(long_type.fields.title, std::string(125, 't') + "...");
	// The last exception is the main one, unless main_exception_id names another.
	auto chained = R"({"exception":{"values":[{"type":"Cause","value":"c","mechanism":{"type":"chained","exception_id":1}},
	                  {"type":"Outer","value":"o","mechanism":{"type":"generic","exception_id":0}}]})";
	EXPECT_EQ(save(std::string(chained) + "}").fields.title, "Outer: o");
	EXPECT_EQ(save(std::string(chained) + R"(,"main_exception_id":1})").fields.title, "Cause: c");
	SaveOptions by_grouping;
	by_grouping.main_exception_id = 1;
	EXPECT_EQ(save(std::string(chained) + "}", by_grouping).fields.title, "Cause: c");
}

TEST(Metadata, SyntheticExceptionsHaveNoTypeNorCulprit) {
	auto s = save(R"({"platform":"native","exception":{"values":[{"type":"SIGSEGV","value":"Segfault",
	    "mechanism":{"type":"signal","synthetic":true},
	    "stacktrace":{"frames":[{"function":"main","in_app":true},{"function":"crash_here","in_app":true}]}}]}})");
	EXPECT_EQ(s.fields.title, "crash_here");
	EXPECT_EQ(s.fields.culprit, "");
	EXPECT_EQ(s.fields.metadata_json.find("\"type\""), std::string::npos);
	// Without a usable frame the title is <unknown>.
	EXPECT_EQ(save(R"({"exception":{"values":[{"value":"v","mechanism":{"type":"x","synthetic":true}}]}})").fields.title,
	          "<unknown>");
}

TEST(Metadata, CrashFrameSkipsUnnamedFramesAndPrefersInApp) {
	auto s = save(R"({"platform":"python","exception":{"values":[{"type":"E","value":"v","stacktrace":{"frames":[
	    {"function":"app_fn","filename":"app.py","module":"app","in_app":true},
	    {"function":"lib_fn","filename":"lib.py","module":"lib","in_app":false},
	    {"function":"<unknown>","filename":"x.py","in_app":true},
	    {"filename":"nofunc.py","in_app":true}]}}]}})");
	EXPECT_NE(s.fields.metadata_json.find(R"("filename":"app.py","function":"app_fn")"), std::string::npos);
	EXPECT_EQ(s.fields.location, "app.py");
	// The culprit walks frames too, but skips only frames without a culprit.
	EXPECT_EQ(s.fields.culprit, "nofunc.py in ?");
	// abs_path stands in for filename; a system frame serves when no frame is in-app.
	auto system = save(R"({"platform":"python","exception":{"values":[{"type":"E","stacktrace":{"frames":[
	    {"function":"f","abs_path":"/usr/lib/x.py","in_app":false}]}}]}})");
	EXPECT_NE(system.fields.metadata_json.find(R"("filename":"/usr/lib/x.py","function":"f")"), std::string::npos);
	// Only one thread's frames count when there is no exception nor event stack trace.
	auto thread = save(R"({"threads":{"values":[{"stacktrace":{"frames":[{"function":"t"}]}}]},
	    "exception":{"values":[{"type":"E"}]}})");
	EXPECT_NE(thread.fields.metadata_json.find(R"("function":"t")"), std::string::npos);
	auto two = save(R"({"threads":{"values":[{"stacktrace":{"frames":[{"function":"t"}]}},{}]},
	    "exception":{"values":[{"type":"E"}]}})");
	EXPECT_EQ(two.fields.metadata_json.find("function"), std::string::npos);
}

TEST(Metadata, NativeFunctionNamesAreTrimmed) {
	auto s = save(R"json({"platform":"native","exception":{"values":[{"type":"E","stacktrace":{"frames":[
	    {"function":"void foo::bar<int>(int, char const*)","in_app":true,"package":"/app"}]}}]}})json");
	EXPECT_NE(s.fields.metadata_json.find(R"("function":"foo::bar<T>")"), std::string::npos) << s.fields.metadata_json;
	EXPECT_EQ(s.fields.culprit, "foo::bar<T>");
}

// AT-13, AT-16
TEST(Metadata, DefaultEventTitles) {
	auto s = save(R"({"transaction":"/api/x"})");
	EXPECT_EQ(s.fields.event_type, "default");
	EXPECT_EQ(s.fields.culprit, "/api/x");
	EXPECT_EQ(s.fields.title, "<unlabeled event>");
	EXPECT_EQ(s.fields.metadata_json, R"({"title":"<unlabeled event>","initial_priority":75})");
	EXPECT_FALSE(s.fields.location);
	EXPECT_EQ(save(R"({"message":"foo bar"})").fields.title, "foo bar");
	EXPECT_EQ(save(R"({"logentry":{"formatted":"foo bar"}})").fields.title, "foo bar");
	EXPECT_EQ(save(R"({"logentry":{"message":"  tmpl %s\nmore"}})").fields.title, "tmpl %s");
	EXPECT_EQ(save(R"({"message":")" + std::string(120, 'm') + R"("})").fields.title, std::string(97, 'm') + "...");
}

TEST(Metadata, FingerprintRuleTitleWins) {
	auto s = save(R"({"exception":{"values":[{"type":"DatabaseError","value":"timeout"}]}})", {},
	              "error.type:DatabaseError -> db-error title=\"Database is down\"");
	ASSERT_TRUE(s.result.fingerprint_title);
	EXPECT_EQ(s.fields.title, "Database is down");
	EXPECT_NE(s.fields.metadata_json.find(R"("type":"DatabaseError","title":"Database is down")"), std::string::npos);
}

// AT-18
TEST(Metadata, SecurityReports) {
	auto s = save(R"({"csp":{"blocked_uri":"https://evil.com/x.js","effective_directive":"script-src"},
	    "logentry":{"formatted":"Blocked 'script' from 'evil.com'"}})");
	EXPECT_EQ(s.fields.title, "Blocked 'script' from 'evil.com'");
	EXPECT_EQ(s.fields.location, "evil.com");
	EXPECT_EQ(s.fields.metadata_json, R"({"message":"Blocked 'script' from 'evil.com'","uri":"evil.com",)"
	                                  R"("directive":"script-src","initial_priority":75})");
	EXPECT_NE(save(R"({"csp":{"blocked_uri":"data"}})").fields.metadata_json.find(R"("uri":"data:")"), std::string::npos);
	EXPECT_NE(save(R"({"csp":{"blocked_uri":""}})").fields.metadata_json.find(R"("uri":"'self'")"), std::string::npos);
	EXPECT_NE(save(R"({"csp":{"blocked_uri":"wss://h.io/a"}})").fields.metadata_json.find(R"("uri":"wss://h.io")"),
	          std::string::npos);
	auto hpkp = save(R"({"hpkp":{"hostname":"a.com"}})");
	EXPECT_EQ(hpkp.fields.title, "<untitled>");
	EXPECT_EQ(hpkp.fields.location, "a.com");
}

// AT-19, AT-25
TEST(Metadata, CulpritOrder) {
	std::string frames = R"("stacktrace":{"frames":[{"filename":"foo.py","function":"f"},{"filename":"bar.py","in_app":true}]})";
	EXPECT_EQ(save(R"({"platform":"python","culprit":"explicit","transaction":"tx",)" + frames + "}").fields.culprit,
	          "explicit");
	EXPECT_EQ(save(R"({"platform":"python","transaction":"tx",)" + frames + "}").fields.culprit, "tx");
	EXPECT_EQ(save(R"({"platform":"python",)" + frames + "}").fields.culprit, "bar.py in ?");
	EXPECT_EQ(save(R"({"platform":"python","transaction":5,)" + frames + "}").fields.culprit, "bar.py in ?");
	EXPECT_EQ(save(R"({"stacktrace":{"frames":[]},"request":{"url":"http://example.com"}})").fields.culprit,
	          "http://example.com");
	EXPECT_EQ(save("{}").fields.culprit, "");
	EXPECT_EQ(save(R"({"culprit":")" + std::string(250, 'c') + R"("})").fields.culprit, std::string(197, 'c') + "...");
	// JavaScript: function(module); native: the function.
	EXPECT_EQ(save(R"({"platform":"node","exception":{"values":[{"type":"E","stacktrace":{"frames":[
	    {"module":"app","function":"run","in_app":true}]}}]}})").fields.culprit, "run(app)");
	// The last exception with frames gives the culprit; an in-app frame without a location is skipped.
	EXPECT_EQ(save(R"({"platform":"python","exception":{"values":[
	    {"type":"A","stacktrace":{"frames":[{"module":"first","function":"a"}]}},
	    {"type":"B","stacktrace":{"frames":[{"module":"second","function":"b"},{"function":"c","in_app":true}]}}]}})")
	              .fields.culprit,
	          "second in b");
	// AT-19: the in-app decision after stack-trace rules counts.
	std::string js = R"({"platform":"javascript","exception":{"values":[{"type":"E","stacktrace":{"frames":[
	    {"module":"app/main","filename":"app/main.js","function":"run","in_app":true},
	    {"module":"node_modules/lib","filename":"node_modules/lib/index.js","function":"helper","in_app":true}]}}]}})";
	EXPECT_EQ(save(js).fields.culprit, "run(app/main)");
}

// AT-22, Appendix A
TEST(Metadata, SearchMessageAndGroupMessage) {
	auto s = save(R"({"platform":"python","sdk":{"name":"sentry.python","version":"2.0"},
	    "exception":{"values":[{"type":"ZeroDivisionError","value":"division by zero","stacktrace":{"frames":[
	    {"module":"app","filename":"app.py","function":"index","in_app":true}]}}]}})");
	EXPECT_EQ(s.fields.title, "ZeroDivisionError: division by zero");
	EXPECT_EQ(s.fields.culprit, "app in index");
	EXPECT_EQ(s.fields.location, "app.py");
	EXPECT_EQ(s.fields.metadata_json,
	          R"({"value":"division by zero","type":"ZeroDivisionError","filename":"app.py","function":"index",)"
	          R"("in_app_frame_mix":"in-app-only","sdk":{"name":"sentry.python","name_normalized":"sentry.python"},)"
	          R"("initial_priority":75})");
	EXPECT_EQ(s.fields.search_message, "division by zero ZeroDivisionError app.py index app in index");
	EXPECT_EQ(s.fields.group_message, s.fields.search_message);
	// The log message comes first (logentry.message over the legacy message), then the culprit.
	auto m = save(R"({"message":"test","logentry":{"message":"hello world"},"transaction":"sentry.tasks.process"})");
	EXPECT_EQ(m.fields.search_message, "hello world sentry.tasks.process");
	auto lines = save(R"({"message":"first line\nsecond line"})");
	EXPECT_EQ(lines.fields.search_message, "first line\nsecond line");
	EXPECT_EQ(lines.fields.group_message, "first line");
}

TEST(Metadata, InAppFrameMix) {
	auto frames = [](const char *a, const char *b) {
		return std::string(R"({"exception":{"values":[{"type":"E","stacktrace":{"frames":[{"function":"f","in_app":)") +
		       a + R"(},{"function":"g","in_app":)" + b + "}]}}]}}";
	};
	EXPECT_NE(save(frames("true", "false")).fields.metadata_json.find(R"("in_app_frame_mix":"mixed")"),
	          std::string::npos);
	EXPECT_NE(save(frames("false", "false")).fields.metadata_json.find(R"("in_app_frame_mix":"system-only")"),
	          std::string::npos);
	EXPECT_EQ(save(R"({"message":"m"})").fields.metadata_json.find("in_app_frame_mix"), std::string::npos);
}

TEST(Metadata, Levels) {
	auto level = [](const std::string &json) { return save(json).fields; };
	EXPECT_EQ(level("{}").level, "error");
	EXPECT_EQ(level(R"({"level":"warn"})").level, "warning");
	EXPECT_EQ(level(R"({"level":"log"})").level, "info");
	EXPECT_EQ(level(R"({"level":"critical"})").level, "fatal");
	EXPECT_EQ(level(R"({"level":"bogus"})").level, "error");
	EXPECT_EQ(level(R"({"level":40})").level, "error");
	EXPECT_EQ(level(R"({"level":10})").level, "debug");
	auto warning = level(R"({"level":"warning"})");
	EXPECT_EQ(warning.level_number, 30);
	EXPECT_EQ(warning.initial_priority, 50);
	EXPECT_EQ(level(R"({"level":"info"})").initial_priority, 25);
	EXPECT_EQ(level(R"({"level":"fatal"})").level_number, 50);
}

TEST(Metadata, EventIds) {
	EXPECT_EQ(parse_event_id("3AFCDC5C9B8D4F37AA14B7E4BC8BE0A6"), "3afcdc5c9b8d4f37aa14b7e4bc8be0a6");
	EXPECT_EQ(parse_event_id("3afcdc5c-9b8d-4f37-aa14-b7e4bc8be0a6"), "3afcdc5c9b8d4f37aa14b7e4bc8be0a6");
	EXPECT_EQ(parse_event_id("{3afcdc5c-9b8d-4f37-aa14-b7e4bc8be0a6}"), "3afcdc5c9b8d4f37aa14b7e4bc8be0a6");
	EXPECT_EQ(parse_event_id("urn:uuid:3afcdc5c-9b8d-4f37-aa14-b7e4bc8be0a6"), "3afcdc5c9b8d4f37aa14b7e4bc8be0a6");
	EXPECT_FALSE(parse_event_id("3afcdc5c-9b8d4f37-aa14-b7e4bc8be0a6x"));
	EXPECT_FALSE(parse_event_id("3afcdc5c9b8d4f37aa14b7e4bc8be0ag"));
	EXPECT_FALSE(parse_event_id(""));
	EXPECT_FALSE(save(R"({"event_id":42})").fields.event_id);
	EXPECT_EQ(save(R"({"event_id":"3AFCDC5C9B8D4F37AA14B7E4BC8BE0A6"})").fields.event_id,
	          "3afcdc5c9b8d4f37aa14b7e4bc8be0a6");
}

TEST(Metadata, Timestamps) {
	EXPECT_DOUBLE_EQ(*parse_timestamp("1970-01-01T00:00:00Z"), 0);
	EXPECT_DOUBLE_EQ(*parse_timestamp("2026-11-21T21:44:48.5Z"), 1795297488.5);
	EXPECT_DOUBLE_EQ(*parse_timestamp("2026-11-21T22:44:48.5+01:00"), 1795297488.5);
	EXPECT_DOUBLE_EQ(*parse_timestamp("2026-11-21T21:44:48"), 1795297488);
	EXPECT_DOUBLE_EQ(*parse_timestamp("2000-02-29 12:00:00-0130"), 951825600 + 5400);
	EXPECT_DOUBLE_EQ(*parse_timestamp("1795297484.694"), 1795297484.694);
	EXPECT_FALSE(parse_timestamp("2026-13-01T00:00:00Z"));
	EXPECT_FALSE(parse_timestamp("yesterday"));
	EXPECT_FALSE(parse_timestamp("2026-11-21T21:44:48Zjunk"));
	EXPECT_DOUBLE_EQ(*save(R"({"timestamp":1795297484.694})").fields.timestamp, 1795297484.694);
	EXPECT_DOUBLE_EQ(*save(R"({"timestamp":1795297484})").fields.timestamp, 1795297484);
	EXPECT_FALSE(save(R"({"timestamp":true})").fields.timestamp);
	EXPECT_FALSE(save("{}").fields.timestamp);
	SaveOptions received;
	received.received = 1795297500;
	EXPECT_DOUBLE_EQ(*save(R"({"timestamp":1795297484})", received).fields.timestamp, 1795297484);
	EXPECT_DOUBLE_EQ(*save(R"({"timestamp":1795297600})", received).fields.timestamp, 1795297500); // > 60 s ahead
	EXPECT_DOUBLE_EQ(*save(R"({"timestamp":1000})", received).fields.timestamp, 1795297500);       // > 30 days old
}

// AT-24
TEST(Metadata, ReleaseAndEnvironment) {
	auto s = save(R"({"release":"  app@1.0 ","environment":" production "})");
	EXPECT_EQ(s.fields.release, "app@1.0");
	EXPECT_EQ(s.fields.environment, "production");
	EXPECT_EQ(tag(s.fields, "sentry:release"), "app@1.0");
	EXPECT_EQ(tag(s.fields, "environment"), "production");
	for (const char *bad : {"", "  ", ".", "..", "latest", "a/b", "a\\\\b", "a\\tb"})
		EXPECT_FALSE(save(std::string(R"({"release":")") + bad + R"("})").fields.release) << bad;
	auto invalid_env = save(R"({"environment":"bad/name"})");
	EXPECT_FALSE(invalid_env.fields.environment);
	EXPECT_FALSE(tag(invalid_env.fields, "environment"));
	EXPECT_FALSE(save(R"({"environment":")" + std::string(65, 'e') + R"("})").fields.environment);
	EXPECT_TRUE(save(R"({"environment":")" + std::string(64, 'e') + R"("})").fields.environment);
}

// AT-10
TEST(Metadata, UserKey) {
	auto key = [](const std::string &user) { return save(R"({"user":)" + user + "}").fields.user_key; };
	EXPECT_EQ(key(R"({"id":"4711","email":"jane@example.org","username":"jane","ip_address":"203.0.113.9"})"), "id:4711");
	EXPECT_EQ(key(R"({"id":4711})"), "id:4711");
	EXPECT_EQ(key(R"({"email":"jane@example.org","username":"jane"})"), "username:jane");
	EXPECT_EQ(key(R"({"email":"jane@example.org","ip_address":"::1"})"), "email:jane@example.org");
	EXPECT_EQ(key(R"({"ip_address":"203.0.113.9"})"), "ip:203.0.113.9");
	EXPECT_FALSE(key(R"({"ip_address":"not an ip"})"));
	EXPECT_EQ(key(R"({"username":"J\u00f6rg"})"), "username:J\xC3\xB6rg");
	EXPECT_FALSE(key("{}"));
	EXPECT_FALSE(key("5"));
	auto s = save(R"({"user":{"id":"1"},"tags":{"user":"spoof"}})");
	EXPECT_EQ(tag(s.fields, "sentry:user"), "id:1");
	EXPECT_FALSE(tag(s.fields, "user"));
}

TEST(Metadata, Tags) {
	auto s = save(R"({"level":"warning","logger":"root","transaction":"GET /x","server_name":"web-1",
	    "tags":{"case":"a","level":"spoof","empty":"","multi":"a\nb"},
	    "contexts":{"os":{"name":"Debian","version":"12.11\n"},"runtime":{"name":"node"}},
	    "exception":{"values":[{"type":"E","mechanism":{"type":"onunhandledrejection","handled":false}}]}})");
	const auto &tags = s.fields.tags;
	EXPECT_EQ(tag(s.fields, "case"), "a");
	EXPECT_EQ(tag(s.fields, "level"), "warning");
	EXPECT_EQ(std::count_if(tags.begin(), tags.end(), [](const auto &t) { return t.first == "level"; }), 1);
	EXPECT_FALSE(tag(s.fields, "empty"));
	EXPECT_FALSE(tag(s.fields, "multi"));
	EXPECT_EQ(tag(s.fields, "logger"), "root");
	EXPECT_EQ(tag(s.fields, "transaction"), "GET /x");
	EXPECT_EQ(tag(s.fields, "server_name"), "web-1");
	EXPECT_EQ(tag(s.fields, "mechanism"), "onunhandledrejection");
	EXPECT_EQ(tag(s.fields, "handled"), "no");
	EXPECT_EQ(tag(s.fields, "os"), "Debian 12.11");
	EXPECT_EQ(tag(s.fields, "os.name"), "Debian");
	EXPECT_FALSE(tag(s.fields, "runtime")); // no version
	EXPECT_EQ(tag(s.fields, "runtime.name"), "node");
	EXPECT_FALSE(tag(s.fields, "environment"));
	// Derived tag values are cut to 200 characters.
	auto long_tx = save(R"({"transaction":")" + std::string(300, 't') + R"("})");
	EXPECT_EQ(tag(long_tx.fields, "transaction")->size(), 200u);
	// A list of pairs works too; a 201-character value is dropped.
	auto list = save(R"({"tags":[["a","1"],["b",")" + std::string(201, 'x') + R"("]]})");
	EXPECT_EQ(tag(list.fields, "a"), "1");
	EXPECT_FALSE(tag(list.fields, "b"));
	// The request's URL, without query string or fragment.
	auto request = save(R"({"request":{"url":"https://shop.example/cart?id=7#top"}})");
	EXPECT_EQ(tag(request.fields, "url"), "https://shop.example/cart");
	EXPECT_FALSE(tag(save(R"({"request":{"url":"?x"}})").fields, "url"));
}

TEST(Metadata, ExceptionGroupMainExceptionGivesTheTitle) {
	// One distinct top-level exception under an exception group: grouping names it the main
	// exception, and the title describes it rather than the group.
	auto s = save(R"({"exception":{"values":[
	    {"type":"ValueError","value":"inner","mechanism":{"type":"chained","exception_id":1,"parent_id":0}},
	    {"type":"ExceptionGroup","value":"group","mechanism":{"type":"generic","exception_id":0,
	     "is_exception_group":true}}]}})");
	EXPECT_EQ(s.result.main_exception_id, 1);
	SaveOptions options;
	options.main_exception_id = s.result.main_exception_id;
	EXPECT_EQ(compute_save_fields(s.event, s.result, options).title, "ValueError: inner");
	EXPECT_EQ(s.fields.title, "ExceptionGroup: group"); // without the grouping's choice
	// A plain chain has no main exception: the last one describes the event.
	EXPECT_FALSE(save(R"({"exception":{"values":[{"type":"A"},{"type":"B"}]}})").result.main_exception_id);
}

TEST(Metadata, PlatformAndSdk) {
	EXPECT_EQ(save("{}").fields.platform, "other");
	EXPECT_EQ(save(R"({"platform":"python"})").fields.platform, "python");
	EXPECT_EQ(save(R"({"platform":"klingon"})").fields.platform, "other");
	EXPECT_EQ(normalize_sdk_name("sentry.python.flask"), "sentry.python");
	EXPECT_EQ(normalize_sdk_name("sentry.javascript.node"), "sentry.javascript.node");
	EXPECT_EQ(normalize_sdk_name("sentry-native-unity"), "sentry.native.unity"); // AT-20
	EXPECT_EQ(normalize_sdk_name("sentry.unity"), "sentry.native.unity");
	EXPECT_EQ(normalize_sdk_name("sentry.javascript.react.expo"), "sentry.javascript.react");
	EXPECT_EQ(normalize_sdk_name("raven-go"), "other");
	EXPECT_EQ(normalize_sdk_name(""), "other");
	EXPECT_EQ(normalize_sdk_name("sentry.foo"), "other");
}

// Real SDK payloads: titles and culprits as Sentry would show them.
TEST(Metadata, NodeSdkEvents) {
	auto lines = sdk_lines("node_events.jsonl");
	if (lines.empty())
		GTEST_SKIP() << "test/sdk/node_events.jsonl not found";
	ASSERT_GE(lines.size(), 38u);
	auto type_error = save(lines[20]);
	EXPECT_EQ(type_error.fields.title, "TypeError: Cannot read properties of undefined (reading 'displayName')");
	EXPECT_EQ(type_error.fields.culprit, "renderProfile(generate)");
	EXPECT_EQ(type_error.fields.location, "/work/main/test/sdk/node/generate.js");
	EXPECT_EQ(type_error.fields.level, "error");
	EXPECT_EQ(type_error.fields.event_id, "fa6218c48b754a4ca04b13ca8186da0d");
	EXPECT_DOUBLE_EQ(*type_error.fields.timestamp, 1795297484.686);
	EXPECT_EQ(type_error.fields.release, "pg-triage-demo@1.4.2");
	EXPECT_EQ(type_error.fields.environment, "production");
	EXPECT_EQ(tag(type_error.fields, "handled"), "yes");
	EXPECT_EQ(tag(type_error.fields, "mechanism"), "generic");
	EXPECT_EQ(tag(type_error.fields, "runtime"), "node v20.20.2");
	EXPECT_EQ(tag(type_error.fields, "case"), "type-error");
	EXPECT_NE(type_error.fields.metadata_json.find(R"("name_normalized":"sentry.javascript.node")"), std::string::npos);

	auto with_user = save(lines[24]);
	EXPECT_EQ(with_user.fields.culprit, "POST /api/cart/:id/coupon"); // the transaction
	EXPECT_EQ(with_user.fields.user_key, "id:4711");
	EXPECT_EQ(tag(with_user.fields, "sentry:user"), "id:4711");
	EXPECT_EQ(tag(with_user.fields, "feature"), "coupons");

	auto uncaught = save(lines[37]);
	EXPECT_EQ(uncaught.fields.title, "Error: Worker job 90210 crashed with exit code 137");
	EXPECT_EQ(uncaught.fields.level, "fatal");
	EXPECT_EQ(tag(uncaught.fields, "handled"), "no");
	EXPECT_EQ(uncaught.fields.culprit, "startWorkerJob(generate)");

	// captureMessage with a stack trace: a synthetic exception, titled by its crash frame's function
	// (Sentry's rule), no culprit.
	auto message = save(lines[0]);
	EXPECT_EQ(message.fields.event_type, "error");
	EXPECT_EQ(message.fields.culprit, "");
	EXPECT_EQ(message.fields.level, "warning");
	EXPECT_EQ(message.fields.metadata_json.find("\"type\""), std::string::npos);
	// A plain message event.
	auto plain = save(lines[29]);
	EXPECT_EQ(plain.fields.event_type, "default");
	EXPECT_EQ(plain.fields.title, "Slow query on shard 3 took 1532ms for user 48213 from 10.0.0.12 (trace 3f2b6a9e-1c4d-4e8f-9a7b-2d...");
	for (const auto &line : lines) {
		auto s = save(line);
		EXPECT_FALSE(s.fields.title.empty());
		EXPECT_TRUE(s.fields.event_id);
		EXPECT_TRUE(s.fields.timestamp);
		EXPECT_LE(s.fields.culprit.size(), 200u);
	}
}

TEST(Metadata, PythonSdkEvents) {
	auto lines = sdk_lines("python_events.jsonl");
	if (lines.empty())
		GTEST_SKIP() << "test/sdk/python_events.jsonl not found";
	ASSERT_GE(lines.size(), 33u);
	auto payment = save(lines[0]);
	EXPECT_EQ(payment.fields.title.substr(0, 40), "PaymentError: Payment for order 1001 fai");
	EXPECT_EQ(payment.fields.culprit, "__main__ in charge_order");
	EXPECT_EQ(payment.fields.location, "generate.py");
	EXPECT_DOUBLE_EQ(*payment.fields.timestamp, 1795297488.108352);
	EXPECT_EQ(payment.fields.event_id, "eb5e5b8750fd4187bbbe4c059597a036");
	EXPECT_EQ(tag(payment.fields, "runtime"), "CPython 3.11.2");
	EXPECT_FALSE(tag(payment.fields, "handled")); // mechanism null

	auto attribute = save(lines[11]);
	EXPECT_EQ(attribute.fields.title, "AttributeError: 'NoneType' object has no attribute 'display_name'");

	auto logged = save(lines[19]);
	EXPECT_EQ(logged.fields.event_type, "default");
	EXPECT_EQ(logged.fields.title, "Reconciliation for account 48213 off by 12.50 EUR after 30s");

	auto user = save(lines[23]);
	EXPECT_EQ(user.fields.culprit, "POST /api/cart/<id>/coupon");
	EXPECT_EQ(user.fields.user_key, "id:4711");

	auto parser = save(lines[30]);
	EXPECT_EQ(parser.fields.title, "ParserError: while parsing a flow sequence");

	auto uncaught = save(lines[32]);
	EXPECT_EQ(tag(uncaught.fields, "handled"), "no");
	EXPECT_EQ(tag(uncaught.fields, "mechanism"), "excepthook");
}

// Not asserted: prints the cost per event of compute_save_fields (grouping excluded).
TEST(Metadata, CostPerEvent) {
	auto lines = sdk_lines("node_events.jsonl");
	if (lines.empty())
		GTEST_SKIP() << "test/sdk/node_events.jsonl not found";
	std::vector<Saved> saved;
	for (const auto &line : lines)
		saved.push_back(save(line));
	size_t rounds = 200, sink = 0;
	auto start = std::chrono::steady_clock::now();
	for (size_t r = 0; r < rounds; r++)
		for (const auto &s : saved)
			sink += compute_save_fields(s.event, s.result).title.size();
	double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
	            static_cast<double>(rounds * saved.size());
	std::printf("compute_save_fields: %.2f us per event (%zu)\n", us, sink % 10);
}
