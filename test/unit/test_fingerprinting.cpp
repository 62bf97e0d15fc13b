// Fingerprinting rules and fingerprint variables: parser, matchers, globs, variables, titles,
// built-in rules, and the fingerprint-related cases of Sentry's grouping corpus.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "errors.hpp"
#include "event.hpp"
#include "fingerprinting.hpp"
#include "json.hpp"

#include "conformance_data.hpp"

namespace triage {
namespace {

// An event together with the document its string views point into.
struct ParsedEvent {
	std::unique_ptr<JsonDocument> doc = std::make_unique<JsonDocument>();
	Event event;
};

ParsedEvent event_from(const std::string &json) {
	ParsedEvent p;
	parse_json(json, *p.doc);
	p.event = read_event(*p.doc);
	return p;
}

std::string to_json(const JsonValue &value) {
	rapidjson::StringBuffer buffer;
	rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
	value.Accept(writer);
	return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<FingerprintMatch> match(const std::string &rules, const std::string &event_json) {
	FingerprintRules parsed = FingerprintRules::parse(rules);
	ParsedEvent e = event_from(event_json);
	return match_fingerprint_rules(&parsed, nullptr, e.event);
}

bool matches(const std::string &rules, const std::string &event_json) { return match(rules, event_json).has_value(); }

std::string syntax_error_of(const std::string &rules) {
	try {
		FingerprintRules::parse(rules);
	} catch (const Error &e) {
		EXPECT_EQ(e.kind(), ErrorKind::rule_syntax) << e.what();
		return e.what();
	}
	return "<no error>";
}

using Strings = std::vector<std::string>;

const char *kJavaEvent = R"({"platform": "java", "transaction": "my-transaction", "level": "error",
	"logger": "com.example.Log", "release": "backend@1.2.3", "sdk": {"name": "sentry.java.spring"},
	"tags": {"server": " web-1 ", "empty": ""},
	"exception": {"values": [
		{"type": "CauseError", "value": "root cause"},
		{"type": "DatabaseUnavailable", "value": "  The database went away\n", "stacktrace": {"frames": [
			{"function": "main", "module": "io.sentry.example.Application", "filename": "Application.java",
			 "abs_path": "Application.java", "package": "/opt/app/lib/app.jar", "in_app": false},
			{"function": "connect", "module": "io.sentry.example.Database", "filename": "Database.java",
			 "abs_path": "C:\\src\\io\\Database.java", "in_app": true},
			{"function": "open", "module": "org.driver.Socket", "filename": "Socket.java", "in_app": false}]}}]}})";

// ----------------------------------------------------------------------------------------------
// Text syntax

TEST(FingerprintingParser, ParsesRulesCommentsAndBlankLines) {
	FingerprintRules rules = FingerprintRules::parse("# leading comment\n"
	                                                 "\n"
	                                                 "   \n"
	                                                 "error.type:DatabaseUnavailable -> system-down\r\n"
	                                                 "  # indented comment\n"
	                                                 "type:Foo message:\"*timed out*\" -> a, {{ transaction }} "
	                                                 "title=\"T\"\n");
	EXPECT_FALSE(rules.empty());
	EXPECT_TRUE(FingerprintRules::parse("").empty());
	EXPECT_TRUE(FingerprintRules::parse("# only a comment\n\n").empty());
	auto m = match("type:Foo message:\"*timed out*\" -> a, {{ transaction }} title=\"T {{ type }}\"",
	               R"({"transaction": "/api", "exception": {"values": [{"type": "Foo", "value": "it Timed Out"}]}})");
	ASSERT_TRUE(m);
	EXPECT_EQ(m->fingerprint, (Strings{"a", "{{ transaction }}"}));
	ASSERT_TRUE(m->title);
	EXPECT_EQ(*m->title, "T {{ type }}");
	EXPECT_FALSE(m->builtin);
}

TEST(FingerprintingParser, FingerprintValueForms) {
	const char *event = R"({"exception": {"values": [{"type": "X"}]}})";
	// Commas are optional separators; quoted values keep spaces and commas and are unescaped.
	EXPECT_EQ(match("type:X -> a b,c , \"d, e\" \"tab\\there \\\"q\\\" \\u00e9\"", event)->fingerprint,
	          (Strings{"a", "b", "c", "d, e", "tab\there \"q\" \xC3\xA9"}));
	// Variations of {{ default }} are normalized; other variables stay as written.
	EXPECT_EQ(match("type:X -> {{default}}, {{  type  }}, {{ default }}x", event)->fingerprint,
	          (Strings{"{{ default }}", "{{  type  }}", "{{ default }}", "x"}));
	// An unquoted value stops at '{', so "a{{ b }}" is two entries.
	EXPECT_EQ(match("type:X -> a{{ b }}", event)->fingerprint, (Strings{"a", "{{ b }}"}));
	// A trailing '#' is not a comment after a rule: it is a fingerprint value.
	EXPECT_EQ(match("type:X -> a # note", event)->fingerprint, (Strings{"a", "#", "note"}));
	// key=value without quotes is a plain value; only title="..." is an attribute.
	EXPECT_EQ(match("type:X -> a=b", event)->fingerprint, (Strings{"a=b"}));
	// Unknown escapes stay as written, bad hex escapes too.
	EXPECT_EQ(match("type:X -> \"\\d \\xZZ \\\\\"", event)->fingerprint, (Strings{"\\d \\xZZ \\"}));
}

TEST(FingerprintingParser, MatcherArgumentForms) {
	const char *event = R"({"exception": {"values": [{"type": "Weird Type:1"}]}})";
	EXPECT_TRUE(matches("type:\"Weird Type:1\" -> x", event));
	EXPECT_TRUE(matches("\"error.type\":\"Weird Type:1\" -> x", event));
	EXPECT_TRUE(matches("type:Weird* -> x", event)); // '*' crosses spaces and colons
	// An unquoted value stops at the space, so "Type:1" is read as a second matcher: an unknown key.
	EXPECT_NE(syntax_error_of("type:Weird Type:1 -> x").find("unknown matcher 'Type'"), std::string::npos);
	// A lone quote is just part of an unquoted value.
	EXPECT_TRUE(matches("type:\"Weird -> x", R"({"exception": {"values": [{"type": "\"Weird"}]}})"));
}

TEST(FingerprintingParser, SyntaxErrorsNameTheLine) {
	std::string e = syntax_error_of("type:A -> a\n\ntype:B b\n");
	EXPECT_NE(e.find("line 3"), std::string::npos) << e;
	EXPECT_NE(e.find("type:B b"), std::string::npos) << e;
	e = syntax_error_of("type:A -> a\ntype:B ->\n");
	EXPECT_NE(e.find("line 2"), std::string::npos) << e;
	// Tabs are not separators.
	e = syntax_error_of("type:A\t-> a\n");
	EXPECT_NE(e.find("line 1"), std::string::npos) << e;
	// "->" glued to the value belongs to the value.
	EXPECT_NE(syntax_error_of("type:A-> a"), "<no error>");
	EXPECT_NE(syntax_error_of("-> a"), "<no error>");
	EXPECT_NE(syntax_error_of("type:A -> {"), "<no error>");
	EXPECT_NE(syntax_error_of("type:\"unterminated\" x -> a"), "<no error>");
	// Long contexts are cut.
	e = syntax_error_of("this is not a rule and it goes on and on and on");
	EXPECT_NE(e.find("..."), std::string::npos) << e;
	EXPECT_NE(e.find("column 1"), std::string::npos) << e;
}

TEST(FingerprintingParser, UnknownMatcherAndAttribute) {
	std::string e = syntax_error_of("type:A -> a\nbogus:x -> a\n");
	EXPECT_NE(e.find("unknown matcher 'bogus'"), std::string::npos) << e;
	EXPECT_NE(e.find("line 2"), std::string::npos) << e;
	e = syntax_error_of("type:A -> a color=\"red\"\n");
	EXPECT_NE(e.find("unknown attribute 'color'"), std::string::npos) << e;
	// Every documented key and alias parses.
	for (const char *key : {"type", "error.type", "value", "error.value", "message", "logger", "level", "module",
	                        "stack.module", "path", "stack.abs_path", "package", "stack.package", "function",
	                        "stack.function", "family", "app", "sdk", "release", "tags.anything", "thread.id",
	                        "thread.name", "thread.state", "thread.crashed", "thread.current"})
		EXPECT_NO_THROW(FingerprintRules::parse(std::string(key) + ":x -> a")) << key;
}

TEST(FingerprintingParser, JsonForm) {
	FingerprintRules rules = FingerprintRules::parse(
	    R"( [{"matchers": [["type", "DatabaseUnavailable"], ["!module", "org.*"]], "fingerprint": ["db", "{{ type }}"],
	         "attributes": {"title": "DB down"}, "text": "ignored", "is_builtin": false}] )");
	ParsedEvent e = event_from(kJavaEvent);
	auto m = match_fingerprint_rules(&rules, nullptr, e.event);
	ASSERT_TRUE(m);
	EXPECT_EQ(m->fingerprint, (Strings{"db", "{{ type }}"}));
	EXPECT_EQ(m->title, std::optional<std::string>("DB down"));
	// The object form Sentry stores.
	EXPECT_FALSE(
	    FingerprintRules::parse(R"({"version": 1, "rules": [{"matchers": [["type", "X"]], "fingerprint": ["a"]}]})")
	        .empty());
	EXPECT_TRUE(FingerprintRules::parse("[]").empty());
	// Wrong shapes name the rule.
	std::string err = syntax_error_of(
	    R"([{"matchers": [["type", "X"]], "fingerprint": ["a"]}, {"matchers": [["type"]], "fingerprint": []}])");
	EXPECT_NE(err.find("rule 2"), std::string::npos) << err;
	EXPECT_NE(syntax_error_of(R"([{"matchers": [["nope", "X"]], "fingerprint": ["a"]}])").find("unknown matcher"),
	          std::string::npos);
	EXPECT_NE(syntax_error_of(R"([{"fingerprint": ["a"]}])"), "<no error>");
	EXPECT_NE(syntax_error_of(R"([{"matchers": [], "fingerprint": [1]}])"), "<no error>");
	EXPECT_NE(syntax_error_of(R"({"version": 2, "rules": []})"), "<no error>");
	EXPECT_THROW(FingerprintRules::parse("[{"), Error);
}

// ----------------------------------------------------------------------------------------------
// Matchers

TEST(FingerprintingMatchers, ExceptionTypeAndValue) {
	EXPECT_TRUE(matches("type:DatabaseUnavailable -> a", kJavaEvent));
	EXPECT_TRUE(matches("error.type:CauseError -> a", kJavaEvent)); // any exception of the chain
	EXPECT_FALSE(matches("type:databaseunavailable -> a", kJavaEvent)); // type is case-sensitive
	EXPECT_TRUE(matches("value:\"the database went away\" -> a", kJavaEvent)); // value: stripped, any case
	EXPECT_TRUE(matches("error.value:*WENT* -> a", kJavaEvent));
	// Type and value must hold for the same exception.
	EXPECT_FALSE(matches("type:CauseError value:*database* -> a", kJavaEvent));
	EXPECT_TRUE(matches("type:CauseError value:root* -> a", kJavaEvent));
	// A negated matcher needs an item to test: no exceptions, no match.
	EXPECT_FALSE(matches("!type:Foo -> a", R"({"message": "hi"})"));
	EXPECT_TRUE(matches("!type:Foo -> a", kJavaEvent));
	EXPECT_FALSE(matches("!type:CauseError !type:DatabaseUnavailable -> a", kJavaEvent));
}

TEST(FingerprintingMatchers, MessageAlsoMatchesExceptionValues) {
	const char *log = R"({"logentry": {"formatted": "  Hello my sweet Love \n"}})";
	EXPECT_TRUE(matches("message:\"hello my sweet love\" -> a", log));
	EXPECT_TRUE(matches("message:*LOVE -> a", log));
	EXPECT_TRUE(matches("message:\"the database*\" -> a", kJavaEvent));
	EXPECT_FALSE(matches("message:nothing -> a", kJavaEvent));
	EXPECT_TRUE(matches("message:\"Template %s\" -> a", R"({"logentry": {"message": "Template %s"}})"));
}

TEST(FingerprintingMatchers, LoggerAndLevel) {
	EXPECT_TRUE(matches("logger:com.example.* level:ERROR -> a", kJavaEvent));
	EXPECT_FALSE(matches("logger:COM.example.* -> a", kJavaEvent)); // logger is case-sensitive
	EXPECT_TRUE(matches("!logger:other -> a", R"({"level": "info"})"));
	EXPECT_FALSE(matches("!logger:other -> a", R"({"message": "no logger, no level"})"));
}

TEST(FingerprintingMatchers, FrameFieldsMatchOnOneFrame) {
	EXPECT_TRUE(matches("function:connect module:io.sentry.example.* app:yes -> a", kJavaEvent));
	EXPECT_FALSE(matches("function:connect app:no -> a", kJavaEvent));
	EXPECT_FALSE(matches("function:main module:org.* -> a", kJavaEvent)); // two different frames
	EXPECT_TRUE(matches("stack.function:open stack.module:org.driver.Socket app:false -> a", kJavaEvent));
	EXPECT_TRUE(matches("function:conn?ct -> a", kJavaEvent));
	EXPECT_FALSE(matches("function:CONNECT -> a", kJavaEvent));
	// app:maybe never matches; negated it matches every frame with in_app set.
	EXPECT_FALSE(matches("app:maybe -> a", kJavaEvent));
	EXPECT_TRUE(matches("!app:maybe -> a", kJavaEvent));
	// Frames without a function match "<unknown>".
	EXPECT_TRUE(matches("function:<unknown> -> a", R"({"exception": {"values": [
		{"type": "E", "stacktrace": {"frames": [{"filename": "a.py"}]}}]}})"));
}

TEST(FingerprintingMatchers, PathAndPackageGlobs) {
	// Backslashes count as slashes, case is ignored, and a relative path also matches as "/path".
	EXPECT_TRUE(matches("path:c:/src/**/database.java -> a", kJavaEvent));
	EXPECT_TRUE(matches("stack.abs_path:**/io/Database.java -> a", kJavaEvent));
	EXPECT_TRUE(matches("path:/application.java -> a", kJavaEvent));
	EXPECT_TRUE(matches("path:Socket.java -> a", kJavaEvent)); // filename stands in for a missing abs_path
	EXPECT_FALSE(matches("path:*.java -> a", kJavaEvent) == false);
	EXPECT_FALSE(matches("path:c:*.java -> a", kJavaEvent)); // '*' stops at '/'
	EXPECT_TRUE(matches("package:/opt/**/*.jar -> a", kJavaEvent));
	EXPECT_TRUE(matches("package:**/app.jar -> a", kJavaEvent));
	EXPECT_FALSE(matches("package:*.jar -> a", kJavaEvent));
	const char *python = R"({"exception": {"values": [{"type": "ReadTimeout", "stacktrace": {"frames": [
		{"function": "send", "abs_path": "/usr/lib/python2.7/site-packages/requests/adapters.py"}]}}]}})";
	EXPECT_TRUE(matches("type:ReadTimeout path:**/requests/adapters.py -> a", python));
	EXPECT_TRUE(matches("path:/usr/**/adapters.py -> a", python));
	EXPECT_FALSE(matches("path:/usr/*/adapters.py -> a", python));
	EXPECT_TRUE(matches("path:**/site-packages/** -> a", python));
}

TEST(FingerprintingMatchers, FamilySdkRelease) {
	EXPECT_TRUE(matches("family:other -> a", kJavaEvent));
	EXPECT_TRUE(matches("family:native,other -> a", kJavaEvent));
	EXPECT_TRUE(matches("family:all -> a", kJavaEvent));
	EXPECT_FALSE(matches("family:javascript -> a", kJavaEvent));
	EXPECT_TRUE(matches("family:javascript -> a", R"({"platform": "node"})"));
	EXPECT_TRUE(matches("family:native -> a", R"({"platform": "cocoa"})"));
	// sdk: normalized name, exact comparison.
	EXPECT_TRUE(matches("sdk:sentry.java -> a", kJavaEvent));
	EXPECT_FALSE(matches("sdk:sentry.java.spring -> a", kJavaEvent));
	EXPECT_TRUE(matches("sdk:sentry.javascript.react.native -> a",
	                    R"({"sdk": {"name": "sentry.javascript.react-native"}})"));
	EXPECT_TRUE(matches("sdk:sentry.javascript.react -> a", R"({"sdk": {"name": "sentry.react"}})"));
	EXPECT_TRUE(matches("sdk:sentry.native.unity -> a", R"({"sdk": {"name": "sentry.unity"}})"));
	EXPECT_TRUE(matches("sdk:other -> a", R"({"sdk": {"name": "raven-js"}})"));
	EXPECT_TRUE(matches("sdk:other -> a", R"({"message": "no sdk"})"));
	// release: path-style glob, case-insensitive.
	EXPECT_TRUE(matches("release:BACKEND@1.* -> a", kJavaEvent));
	EXPECT_FALSE(matches("release:frontend@* -> a", kJavaEvent));
	EXPECT_FALSE(matches("release:* -> a", R"({"message": "no release"})"));
	EXPECT_TRUE(matches("!release:* -> a", R"({"message": "no release"})"));
}

TEST(FingerprintingMatchers, Tags) {
	EXPECT_TRUE(matches("tags.server:web-1 -> a", kJavaEvent)); // stripped
	EXPECT_FALSE(matches("tags.server:WEB-1 -> a", kJavaEvent));
	EXPECT_FALSE(matches("tags.empty:* -> a", kJavaEvent)); // an empty tag counts as absent
	EXPECT_FALSE(matches("tags.missing:* -> a", kJavaEvent));
	EXPECT_TRUE(matches("!tags.missing:x -> a", kJavaEvent));
	EXPECT_TRUE(matches("tags.k:v2 -> a", R"({"tags": [["k", "v1"], ["k", "v2"]]})")); // last duplicate wins
}

TEST(FingerprintingMatchers, AllKindsMustMatch) {
	EXPECT_TRUE(matches("type:DatabaseUnavailable function:connect level:error tags.server:web-1 family:other -> a",
	                    kJavaEvent));
	EXPECT_FALSE(matches("type:DatabaseUnavailable function:connect level:warning -> a", kJavaEvent));
}

TEST(FingerprintingMatchers, CallerAndCalleeFrames) {
	// Frames run from the outermost call to the crash: main, connect, open.
	EXPECT_TRUE(matches("[ function:open ] | function:connect -> a", kJavaEvent));
	EXPECT_FALSE(matches("[ function:main ] | function:connect -> a", kJavaEvent));
	EXPECT_TRUE(matches("function:connect | [ function:main ] -> a", kJavaEvent));
	EXPECT_FALSE(matches("function:main | [ function:open ] -> a", kJavaEvent));
	EXPECT_FALSE(matches("function:main | [ !function:x ] -> a", kJavaEvent)); // no neighbour at all
	EXPECT_TRUE(matches(R"([{"matchers": [["[function]|", "open"], ["function", "connect"]], "fingerprint": ["a"]}])",
	                    kJavaEvent));
}

TEST(FingerprintingMatchers, FramesComeFromExceptionsThenStacktraceThenCrashingThread) {
	const char *threads = R"({"threads": {"values": [
		{"crashed": false, "stacktrace": {"frames": [{"function": "idle"}]}},
		{"crashed": true, "stacktrace": {"frames": [{"function": "boom"}]}}]}})";
	EXPECT_TRUE(matches("function:boom -> a", threads));
	EXPECT_FALSE(matches("function:idle -> a", threads));
	EXPECT_TRUE(matches("thread.crashed:yes -> a", threads));
	const char *both = R"({"stacktrace": {"frames": [{"function": "top"}]},
		"exception": {"values": [{"type": "E", "stacktrace": {"frames": [{"function": "inner"}]}}]}})";
	EXPECT_TRUE(matches("function:inner -> a", both));
	EXPECT_FALSE(matches("function:top -> a", both));
}

TEST(FingerprintingMatchers, GlobDialect) {
	const char *event = R"({"exception": {"values": [{"type": "a/b.c,d{e}"}]}})";
	EXPECT_TRUE(matches("type:a/*.c,d{e}* -> x", event) == false); // {e} is an alternate group, braces vanish
	EXPECT_TRUE(matches("type:\"a/b.c,d\\\\{e\\\\}\" -> x", event)); // escaped braces are literal
	EXPECT_TRUE(matches("type:a*e} -> x", event) == false);          // unopened '}' makes the glob invalid
	EXPECT_TRUE(matches("type:a/[abc].[!x],d* -> x", event));
	EXPECT_TRUE(matches("type:{a,z}/b* -> x", event));
	EXPECT_FALSE(matches("type:[a-b -> x", event)); // unclosed class: invalid, never matches
	EXPECT_TRUE(matches("type:** -> x", event));
	EXPECT_TRUE(matches("type:\"*\" -> x", R"({"exception": {"values": [{"type": "multi\nline"}]}})"));
	EXPECT_TRUE(matches("type:\"caf\xC3\xA9\" -> x", R"({"exception": {"values": [{"type": "caf\u00e9"}]}})"));
	EXPECT_TRUE(matches("value:\"CAF\xC3\x89*\" -> x",
	                    R"({"exception": {"values": [{"type": "T", "value": "caf\u00e9 au lait"}]}})"));
	// A long value against many stars stays fast (linear matching).
	std::string long_value(50000, 'x');
	std::string event_json = R"({"exception": {"values": [{"type": ")" + long_value + R"("}]}})";
	EXPECT_FALSE(matches("type:*x*x*x*x*x*x*x*x*x*x*y -> x", event_json));
}

// ----------------------------------------------------------------------------------------------
// Variables and titles

TEST(FingerprintingVariables, DefaultDetection) {
	EXPECT_TRUE(is_default_entry("{{ default }}"));
	EXPECT_TRUE(is_default_entry("{{default}}"));
	EXPECT_TRUE(is_default_entry("{{   default\t}}"));
	EXPECT_FALSE(is_default_entry("{{ default }}x"));
	EXPECT_FALSE(is_default_entry(" {{ default }}"));
	EXPECT_FALSE(is_default_entry("{{ Default }}"));
	EXPECT_FALSE(is_default_entry("default"));
	EXPECT_FALSE(is_default_entry("{{ default }}}}"));
}

TEST(FingerprintingVariables, ResolveAgainstEvent) {
	ParsedEvent e = event_from(kJavaEvent);
	Strings fp = {"{{ default }}", "{{default}}", "plain", "{{ transaction }}", "{{ message }}", "{{ type }}",
	              "{{ error.value }}", "{{ function }}", "{{ stack.function }}", "{{ path }}", "{{ stack.filename }}",
	              "{{ module }}", "{{ package }}", "{{ level }}", "{{ logger }}", "{{ tags.server }}",
	              "{{ tags.nope }}", "{{ bogus }}", "x{{ type }}"};
	Strings expected = {"{{ default }}", "{{ default }}", "plain", "my-transaction", "  The database went away\n",
	                    "DatabaseUnavailable", "  The database went away\n", "connect", "connect",
	                    "C:\\src\\io\\Database.java", "Database.java", "io.sentry.example.Database", "<no-package>",
	                    "error", "com.example.Log", " web-1 ", "<no-value-for-tag-nope>",
	                    "<unrecognized-variable-bogus>", "x{{ type }}"};
	EXPECT_EQ(resolve_fingerprint(fp, e.event), expected);
	EXPECT_EQ(resolve_fingerprint({"{{ bogus }}"}, e.event, true), (Strings{"{{ bogus }}"}));
}

TEST(FingerprintingVariables, Placeholders) {
	ParsedEvent e = event_from(R"({"platform": "python"})");
	EXPECT_EQ(resolve_fingerprint({"{{ transaction }}", "{{ message }}", "{{ type }}", "{{ value }}", "{{ function }}",
	                               "{{ path }}", "{{ stack.filename }}", "{{ module }}", "{{ package }}",
	                               "{{ level }}", "{{ logger }}"},
	                              e.event),
	          (Strings{"<no-transaction>", "<no-message>", "<no-type>", "<no-value>", "<no-function>", "<no-abs-path>",
	                   "<no-filename>", "<no-module>", "<no-package>", "<no-level>", "<no-logger>"}));
}

TEST(FingerprintingVariables, CrashFrameSelection) {
	// The last in-app frame of the last exception; else its last frame; else the event stack trace.
	ParsedEvent e = event_from(R"({"exception": {"values": [
		{"type": "A", "stacktrace": {"frames": [{"function": "first_exc", "in_app": true}]}},
		{"type": "B", "stacktrace": {"frames": [
			{"function": "app_frame", "in_app": true, "package": "C:\\libs\\mylib.dll"},
			{"function": "lib_frame", "in_app": false}]}}]}})");
	EXPECT_EQ(resolve_fingerprint({"{{ function }}", "{{ package }}"}, e.event), (Strings{"app_frame", "mylib.dll"}));
	ParsedEvent no_app = event_from(R"({"exception": {"values": [{"type": "B", "stacktrace": {"frames": [
		{"function": "one"}, {"function": "two", "abs_path": "/x/two.py", "filename": "two.py"}]}}]}})");
	EXPECT_EQ(resolve_fingerprint({"{{ function }}", "{{ path }}", "{{ stack.filename }}"}, no_app.event),
	          (Strings{"two", "/x/two.py", "two.py"}));
	ParsedEvent fallback = event_from(R"({"stacktrace": {"frames": [{"function": "top"}]},
		"exception": {"values": [{"type": "E", "stacktrace": {"frames": []}}]}})");
	EXPECT_EQ(resolve_fingerprint({"{{ function }}"}, fallback.event), (Strings{"top"}));
	ParsedEvent thread = event_from(R"({"threads": {"values": [{"stacktrace": {"frames": [{"function": "t"}]}}]}})");
	EXPECT_EQ(resolve_fingerprint({"{{ function }}"}, thread.event), (Strings{"t"}));
	ParsedEvent two_threads = event_from(R"({"threads": {"values": [
		{"crashed": true, "stacktrace": {"frames": [{"function": "t"}]}},
		{"stacktrace": {"frames": [{"function": "u"}]}}]}})");
	EXPECT_EQ(resolve_fingerprint({"{{ function }}"}, two_threads.event), (Strings{"<no-function>"}));
}

TEST(FingerprintingVariables, MessageSources) {
	ParsedEvent formatted = event_from(R"({"logentry": {"message": "tpl %s", "formatted": "tpl 42"},
		"exception": {"values": [{"type": "E", "value": "v"}]}})");
	EXPECT_EQ(resolve_fingerprint({"{{ message }}"}, formatted.event), (Strings{"tpl 42"}));
	ParsedEvent templ = event_from(R"({"logentry": {"message": "tpl %s"}})");
	EXPECT_EQ(resolve_fingerprint({"{{ message }}"}, templ.event), (Strings{"tpl %s"}));
	// Not parameterized (the 2026 snapshot keeps the raw text).
	ParsedEvent value = event_from(R"({"exception": {"values": [{"type": "E", "value": "took 2 balls"}]}})");
	EXPECT_EQ(resolve_fingerprint({"{{ message }}"}, value.event), (Strings{"took 2 balls"}));
}

TEST(FingerprintingVariables, TitleTemplates) {
	ParsedEvent e = event_from(kJavaEvent);
	EXPECT_EQ(resolve_title_template("DatabaseUnavailable ({{ transaction }})", e.event),
	          "DatabaseUnavailable (my-transaction)");
	EXPECT_EQ(resolve_title_template("{{type}}: {{ function }} in {{ module }}{{ nope }}", e.event),
	          "DatabaseUnavailable: connect in io.sentry.example.Database<unrecognized-variable-nope>");
	EXPECT_EQ(resolve_title_template("{{{ level }} {{ }} {{", e.event), "{error {{ }} {{");
	EXPECT_EQ(resolve_title_template("no variables", e.event), "no variables");
	EXPECT_EQ(resolve_title_template("{{ tags.server }}!", e.event), " web-1 !");
}

// ----------------------------------------------------------------------------------------------
// Built-in rules and precedence

TEST(FingerprintingBuiltin, ConfigsAndRules) {
	const FingerprintRules *builtin = builtin_fingerprint_rules("newstyle:2026-01-20");
	ASSERT_NE(builtin, nullptr);
	EXPECT_EQ(builtin, builtin_fingerprint_rules("newstyle:2025-11-21"));
	EXPECT_EQ(builtin_fingerprint_rules("legacy:2019-03-12"), nullptr);

	auto run = [&](const std::string &json) -> std::optional<Strings> {
		ParsedEvent e = event_from(json);
		auto m = match_fingerprint_rules(nullptr, builtin, e.event);
		if (!m)
			return std::nullopt;
		EXPECT_TRUE(m->builtin);
		return resolve_fingerprint(m->fingerprint, e.event);
	};
	EXPECT_EQ(run(R"({"platform": "javascript", "exception": {"values": [{"type": "ChunkLoadError", "value": "x"}]}})"),
	          (Strings{"chunkloaderror"}));
	EXPECT_EQ(run(R"({"platform": "node",
		"exception": {"values": [{"type": "Error", "value": "chunkloaderror: Loading chunk 5 failed"}]}})"),
	          (Strings{"chunkloaderror"}));
	EXPECT_EQ(run(R"({"platform": "python", "exception": {"values": [{"type": "ChunkLoadError"}]}})"), std::nullopt);
	EXPECT_EQ(run(R"({"platform": "javascript", "tags": {"transaction": "/checkout"},
		"exception": {"values": [{"type": "Error", "value": "Text content does not match server-rendered HTML."}]}})"),
	          (Strings{"hydrationerror", "/checkout"}));
	EXPECT_EQ(run(R"({"platform": "javascript", "tags": {"transaction": "/"},
		"logentry": {"formatted": "There was an error while hydrating. Because the error happened outside of a )"
	              R"(Suspense boundary, the entire root will switch to client rendering."}})"),
	          (Strings{"hydrationerror", "/"}));
	EXPECT_EQ(run(R"({"platform": "javascript",
		"exception": {"values": [{"type": "Error", "value": "Text content does not match server-rendered HTML."}]}})"),
	          std::nullopt); // no transaction tag
}

TEST(FingerprintingBuiltin, ProjectRulesComeFirst) {
	FingerprintRules project = FingerprintRules::parse("type:ChunkLoadError -> mine");
	ParsedEvent e = event_from(R"({"platform": "javascript", "exception": {"values": [{"type": "ChunkLoadError"}]}})");
	auto m = match_fingerprint_rules(&project, builtin_fingerprint_rules("newstyle:2026-01-20"), e.event);
	ASSERT_TRUE(m);
	EXPECT_EQ(m->fingerprint, (Strings{"mine"}));
	EXPECT_FALSE(m->builtin);
	// First matching rule wins.
	FingerprintRules two = FingerprintRules::parse("type:Chunk* -> first\ntype:ChunkLoadError -> second");
	EXPECT_EQ(match_fingerprint_rules(&two, nullptr, e.event)->fingerprint, (Strings{"first"}));
	EXPECT_FALSE(match_fingerprint_rules(nullptr, nullptr, e.event));
	FingerprintRules empty;
	EXPECT_TRUE(empty.empty());
	EXPECT_FALSE(match_fingerprint_rules(&empty, nullptr, e.event));
}

// ----------------------------------------------------------------------------------------------
// Sentry's corpus

// What the grouping pipeline does with fingerprints, as far as this component decides it:
// server rules (project, then built-in) replace the client fingerprint; the result is default,
// hybrid or custom; custom ones hash in a variant named after where they came from.
TEST(FingerprintingConformance, GroupingCases) {
	CONFORMANCE_LINES_OR_SKIP(lines, "cases.jsonl");
	const FingerprintRules *builtin = builtin_fingerprint_rules("newstyle:2026-01-20");
	size_t custom = 0, hybrid = 0, checked = 0;
	for (const std::string &line : lines) {
		JsonDocument c;
		parse_json(line, c, "case");
		std::string name(*member_string(c, "name"));
		SCOPED_TRACE(name);
		const JsonValue &event_json = *member(c, "event");
		Event event = read_event(event_json);
		FingerprintRules project;
		if (const JsonValue *rules = member(event_json, "_fingerprinting_rules"))
			project = FingerprintRules::parse(to_json(*rules));
		auto m = match_fingerprint_rules(&project, builtin, event);
		std::vector<std::string> raw = m ? m->fingerprint : event.fingerprint.value_or(Strings{});
		if (raw.empty())
			raw = {"{{ default }}"};
		Strings resolved = resolve_fingerprint(raw, event);
		std::vector<std::string> contributing;
		for (const JsonValue &v : member_array(c, "contributing_variants")->GetArray())
			contributing.emplace_back(string_of(v));
		const JsonValue &components = *member(c, "expected_components_by_variant");
		auto values_of = [&](const std::string &variant) {
			Strings out;
			if (const JsonValue *list = member_array(components, variant))
				for (const JsonValue &v : list->GetArray())
					out.emplace_back(string_of(v));
			return out;
		};
		bool any_default =
		    std::any_of(raw.begin(), raw.end(), [](const std::string &s) { return is_default_entry(s); });
		if (!any_default) {
			std::string variant = !m ? "custom_client_fingerprint"
			                      : m->builtin ? "built_in_fingerprint"
			                                   : "custom_server_fingerprint";
			EXPECT_EQ(contributing, Strings{variant});
			EXPECT_EQ(values_of(variant), resolved);
			++custom;
		} else if (raw.size() > 1) {
			// Hybrid: each contributing variant's values are the fingerprint with the component
			// values spliced in for {{ default }}; check the literal entries around it.
			size_t first_default = 0, last_default = 0;
			for (size_t i = 0; i < raw.size(); ++i)
				if (is_default_entry(raw[i]))
					last_default = i;
			while (!is_default_entry(raw[first_default]))
				++first_default;
			for (const std::string &variant : contributing) {
				EXPECT_EQ(variant.find("fingerprint"), std::string::npos) << variant;
				Strings values = values_of(variant);
				ASSERT_GE(values.size(), raw.size() - 1);
				for (size_t i = 0; i < first_default; ++i)
					EXPECT_EQ(values[i], resolved[i]);
				for (size_t i = last_default + 1; i < raw.size(); ++i)
					EXPECT_EQ(values[values.size() - (raw.size() - i)], resolved[i]);
			}
			++hybrid;
		} else {
			for (const std::string &variant : contributing)
				EXPECT_EQ(variant.find("fingerprint"), std::string::npos) << variant;
		}
		++checked;
	}
	EXPECT_GE(checked, 100u);
	EXPECT_GE(custom, 5u);  // client, client-and-server, hybrid-client-custom-server, message, chunk load
	EXPECT_GE(hybrid, 4u);
}

TEST(FingerprintingConformance, FingerprintInputs) {
	CONFORMANCE_LINES_OR_SKIP(lines, "fingerprint_cases.jsonl");
	// Hand-derived from Sentry's matching rules for the inputs without recorded expectations.
	const std::map<std::string, Strings> derived = {
	    {"fingerprint-abs-path.json", {"/foo/Application.cpp"}},
	    {"fingerprint-exception-type-and-module.json", {"database-unavailable"}},
	    {"fingerprint-exception-type-and-module2.json", {"<no match>"}},
	    {"fingerprint-exception-value.json", {"something-went-wrong", "something went WRONG"}},
	    {"fingerprint-function.json", {"database-unavailable", "main"}},
	    {"fingerprint-message-on-value.json", {"what-is-love", "something has no love."}},
	    {"fingerprint-native-app.json", {"symcache-error"}},
	    {"fingerprint-native-non-app.json", {"<no match>"}},
	    {"fingerprint-native.json", {"symcache-error"}},
	    {"fingerprint-no-function.json", {"database-unavailable", "<no-function>"}},
	    {"fingerprint-no-match.json", {"<no match>"}},
	    {"fingerprint-no-package.json", {"<no-package>"}},
	    {"fingerprint-no-transaction.json", {"database-unavailable", "<no-transaction>"}},
	    {"fingerprint-no-type-module.json", {"<no-type>", "<no-module>", "main"}},
	    {"fingerprint-on-log-info.json", {"log-", "sentry.example.love", "-", "error"}},
	    {"fingerprint-on-tags.json", {"foobar-matched-stuff-", "amazing"}},
	    {"fingerprint-override-client.json", {"what-is-love"}},
	    {"fingerprint-package.json", {"foo.dylib"}},
	    {"fingerprint-python.json", {"timeout-in-requests"}},
	    {"fingerprint-transaction.json", {"database-unavailable", "my-transaction"}},
	    {"fingerprint-type-module.json", {"DatabaseUnavailable", "io.sentry.example.Application"}},
	};
	size_t with_expectation = 0;
	for (const std::string &line : lines) {
		JsonDocument c;
		parse_json(line, c, "case");
		std::string name(*member_string(c, "name"));
		SCOPED_TRACE(name);
		const JsonValue &event_json = *member(c, "event");
		const JsonValue *rules_json = member(event_json, "_fingerprinting_rules");
		ASSERT_NE(rules_json, nullptr);
		FingerprintRules rules = FingerprintRules::parse(to_json(*rules_json));
		EXPECT_FALSE(rules.empty());
		Event event = read_event(event_json);
		auto m = match_fingerprint_rules(&rules, nullptr, event);
		Strings got = m ? resolve_fingerprint(m->fingerprint, event) : Strings{"<no match>"};
		if (const JsonValue *expected = member_array(c, "expected_fingerprint")) {
			Strings want;
			for (const JsonValue &v : expected->GetArray())
				want.emplace_back(string_of(v));
			EXPECT_EQ(got, want);
			// A recorded title comes from the rule's template when it has one.
			auto title = member_string(c, "expected_title");
			if (m && m->title && title) {
				EXPECT_EQ(resolve_title_template(*m->title, event), *title);
			}
			++with_expectation;
		} else {
			auto it = derived.find(name);
			ASSERT_NE(it, derived.end());
			EXPECT_EQ(got, it->second);
		}
		if (name == "fingerprint-transaction.json") {
			ASSERT_TRUE(m && m->title);
			EXPECT_EQ(resolve_title_template(*m->title, event), "DatabaseUnavailable (my-transaction)");
		}
	}
	EXPECT_EQ(lines.size(), 23u);
	EXPECT_EQ(with_expectation, 2u);
}

} // namespace
} // namespace triage

// Plain-text patterns (and text with a final "*") take a direct comparison instead of the glob
// automaton; the answers must not change.
TEST(FingerprintingGlobFastPath, LiteralAndPrefixPatternsMatchAsGlobs) {
	triage::Event event;
	event.exceptions.emplace_back();
	event.exceptions.back().type = "ChunkLoadError";
	event.exceptions.back().value = "Loading chunk 7, part 2 failed.";
	auto matches = [&](const char *text) {
		triage::FingerprintRules rules = triage::FingerprintRules::parse(text);
		return triage::match_fingerprint_rules(&rules, nullptr, event).has_value();
	};
	EXPECT_TRUE(matches("value:\"loading chunk 7, part 2 failed.\" -> x"));   // case-insensitive, comma is text
	EXPECT_FALSE(matches("value:\"loading chunk 7, part 2 failed\" -> x"));   // whole value
	EXPECT_TRUE(matches("value:\"LOADING chunk*\" -> x"));                    // prefix
	EXPECT_FALSE(matches("value:\"chunk*\" -> x"));
	EXPECT_TRUE(matches("type:ChunkLoadError -> x"));
	EXPECT_FALSE(matches("type:chunkloaderror -> x"));                        // type is case-sensitive
	EXPECT_TRUE(matches("type:Chunk*Error -> x"));                            // the automaton still runs
}
