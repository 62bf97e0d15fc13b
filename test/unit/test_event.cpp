// Reading events in one pass (parse_event): the payload shapes SDKs send, wrong shapes, and
// repeated keys, where the last occurrence wins as in Sentry's JSON parsing.
#include <gtest/gtest.h>

#include "event.hpp"
#include "json.hpp"

using namespace triage;

namespace {

struct Parsed {
	std::string text;
	Event event;
};

Parsed parse(const std::string &json) {
	Parsed p{json, {}};
	p.event = parse_event(p.text.data(), p.text.size());
	return p;
}

ErrorKind error_of(const std::string &json) {
	try {
		parse(json);
	} catch (const Error &e) {
		return e.kind();
	}
	ADD_FAILURE() << "no error for " << json;
	return ErrorKind::invalid_parameter;
}

} // namespace

TEST(EventReader, ExceptionForms) {
	EXPECT_EQ(parse(R"({"exception":{"values":[{"type":"A"},{"type":"B"}]}})").event.exceptions.size(), 2u);
	EXPECT_EQ(parse(R"({"exception":[{"type":"A"}]})").event.exceptions.size(), 1u);
	auto legacy = parse(R"({"exception":{"type":"A","value":"v","stacktrace":{"frames":[{"function":"f"}]}}})");
	ASSERT_EQ(legacy.event.exceptions.size(), 1u);
	EXPECT_EQ(*legacy.event.exceptions[0].type, "A");
	EXPECT_EQ(legacy.event.exceptions[0].stacktrace->frames.at(0).function, "f");
	// "values" present but not a list: no exceptions, and no legacy reading either.
	EXPECT_TRUE(parse(R"({"exception":{"type":"A","values":5}})").event.exceptions.empty());
	// Entries that are not objects, and empty ones, are dropped.
	EXPECT_EQ(parse(R"({"exception":{"values":[1,null,"x",{},{"value":"v"}]}})").event.exceptions.size(), 1u);
}

TEST(EventReader, LastKeyWinsAtEveryLevel) {
	EXPECT_TRUE(parse(R"({"exception":{"values":[{"type":"A"}]},"exception":"x"})").event.exceptions.empty());
	EXPECT_EQ(*parse(R"({"exception":"x","exception":[{"type":"B"}]})").event.exceptions.at(0).type, "B");
	auto frames = parse(R"({"stacktrace":{"frames":[{"function":"a","function":5},{"function":5,"function":"b"}]}})");
	const auto &f = frames.event.stacktrace->frames;
	ASSERT_EQ(f.size(), 2u);
	EXPECT_FALSE(f[0].has_function);
	EXPECT_EQ(f[1].function, "b");
	EXPECT_EQ(parse(R"({"stacktrace":{"frames":[{"function":"a"}],"frames":[]}})").event.stacktrace->frames.size(), 0u);
	auto mech = parse(R"({"exception":[{"type":"A","mechanism":{"synthetic":true},"mechanism":{"type":"x"}}]})");
	EXPECT_FALSE(mech.event.exceptions[0].mechanism->synthetic);
	EXPECT_EQ(mech.event.exceptions[0].mechanism->type, "x");
	EXPECT_EQ(parse(R"({"platform":"java","platform":7})").event.platform, "");
}

TEST(EventReader, FrameFields) {
	auto p = parse(R"J({"platform":"python","stacktrace":{"frames":[
		{"function":"f","raw_function":"F","module":"m","filename":"a.py","abs_path":"/a.py","package":"p",
		 "context_line":"x()","lineno":3,"colno":4.0,"in_app":true,"data":{"sourcemap":"s.map"}},
		{"platform":"javascript","lineno":"3","in_app":"yes","data":{"sourcemap":null}}]}})J");
	const auto &f = p.event.stacktrace->frames;
	ASSERT_EQ(f.size(), 2u);
	EXPECT_EQ(f[0].function, "f");
	EXPECT_EQ(f[0].raw_function, "F");
	EXPECT_EQ(f[0].module, "m");
	EXPECT_EQ(f[0].filename, "a.py");
	EXPECT_EQ(f[0].abs_path, "/a.py");
	EXPECT_EQ(f[0].package, "p");
	EXPECT_EQ(f[0].context_line, "x()");
	EXPECT_EQ(*f[0].lineno, 3);
	EXPECT_EQ(*f[0].colno, 4);
	EXPECT_TRUE(*f[0].in_app);
	EXPECT_TRUE(f[0].has_sourcemap);
	EXPECT_EQ(f[0].platform, "python"); // from the event, known only after the frames
	EXPECT_EQ(f[1].platform, "javascript");
	EXPECT_FALSE(f[1].lineno);
	EXPECT_FALSE(f[1].in_app);
	EXPECT_FALSE(f[1].has_sourcemap);
}

TEST(EventReader, MessagesPreferLogentry) {
	auto both = parse(R"({"message":"legacy","logentry":{"message":"tmpl %s","formatted":"tmpl x"}})");
	EXPECT_EQ(*both.event.logentry_message, "tmpl %s");
	auto empty_logentry = parse(R"({"logentry":{"params":[]},"message":"legacy"})");
	EXPECT_FALSE(empty_logentry.event.logentry_message);
	EXPECT_EQ(*empty_logentry.event.logentry_formatted, "legacy");
	auto interface = parse(R"({"sentry.interfaces.Message":{"message":"m"}})");
	EXPECT_EQ(*interface.event.logentry_message, "m");
	auto object = parse(R"({"message":{"formatted":"f"}})");
	EXPECT_EQ(*object.event.logentry_formatted, "f");
}

// Relay: a message value that is not an object is the formatted text, a non-string one as its
// compact JSON text (serde_json: no spaces, object keys sorted); false and null are no message.
TEST(EventReader, NonStringMessagesBecomeTheirJsonText) {
	EXPECT_EQ(*parse(R"({"message":["asdf"]})").event.logentry_formatted, R"(["asdf"])");
	EXPECT_EQ(*parse(R"({"message":[1, 2.5, true, null, "a\"b", {"z": 1, "a": [], "m": {}}]})").event.logentry_formatted,
	          R"([1,2.5,true,null,"a\"b",{"a":[],"m":{},"z":1}])");
	EXPECT_EQ(*parse(R"({"message":[{"k":1,"k":2}]})").event.logentry_formatted, R"([{"k":2}])");
	EXPECT_EQ(*parse(R"({"message":1234})").event.logentry_formatted, "1234");
	EXPECT_EQ(*parse(R"({"message":1.0})").event.logentry_formatted, "1.0");
	EXPECT_EQ(*parse(R"({"message":true})").event.logentry_formatted, "true");
	EXPECT_FALSE(parse(R"({"message":false})").event.logentry_formatted);
	EXPECT_FALSE(parse(R"({"message":null})").event.logentry_formatted);
	// logentry in those forms too, and it wins over the legacy message.
	EXPECT_EQ(*parse(R"({"logentry":[1,[2]],"message":"legacy"})").event.logentry_formatted, "[1,[2]]");
	EXPECT_EQ(*parse(R"({"logentry":7,"message":"legacy"})").event.logentry_formatted, "7");
	// Members after the array are read as usual.
	auto after = parse(R"({"message":[{"level":"x"}],"level":"warning"})");
	EXPECT_EQ(*after.event.logentry_formatted, R"([{"level":"x"}])");
	EXPECT_EQ(after.event.level, "warning");
}

TEST(FloatJsonText, WritesFloatsAsSerdeJsonDoes) {
	EXPECT_EQ(float_json_text(1.0), "1.0");
	EXPECT_EQ(float_json_text(0.0), "0.0");
	EXPECT_EQ(float_json_text(-0.0), "-0.0");
	EXPECT_EQ(float_json_text(12.5), "12.5");
	EXPECT_EQ(float_json_text(-3.25), "-3.25");
	EXPECT_EQ(float_json_text(0.001234), "0.001234");
	EXPECT_EQ(float_json_text(0.00001), "0.00001");
	EXPECT_EQ(float_json_text(0.000001), "1e-6");
	EXPECT_EQ(float_json_text(1.5e-7), "1.5e-7");
	EXPECT_EQ(float_json_text(12340000000.0), "12340000000.0");
	EXPECT_EQ(float_json_text(1e15), "1000000000000000.0");
	EXPECT_EQ(float_json_text(1e16), "1e16");
	EXPECT_EQ(float_json_text(1.234e33), "1.234e33");
	EXPECT_EQ(float_json_text(0.1), "0.1");
}

TEST(EventReader, ThreadsTagsFingerprintAndReports) {
	auto p = parse(R"({"threads":{"values":[{"crashed":true,"stacktrace":{"frames":[{"function":"t"}]}},{"current":true},7]},
		"tags":{"a":"1","a":"2","n":3},"fingerprint":["x",2,2.0,null,{"k":1}],
		"csp":{"effective_directive":"img-src","blocked_uri":"u"},"hpkp":{"hostname":"h"},"template":{"filename":"t.html"},
		"sdk":{"name":"sentry.python","version":"3.0"},"checksum":"c"})");
	const Event &e = p.event;
	ASSERT_EQ(e.threads.size(), 2u);
	EXPECT_TRUE(e.threads[0].crashed);
	EXPECT_EQ(e.threads[0].stacktrace->frames.at(0).function, "t");
	EXPECT_TRUE(e.threads[1].current);
	ASSERT_EQ(e.tags.size(), 2u); // both "a" tags, not the number
	EXPECT_EQ(*e.fingerprint, (std::vector<std::string>{"x", "2", "2.0"}));
	EXPECT_EQ(e.csp.effective_directive, "img-src");
	EXPECT_TRUE(e.hpkp.present);
	EXPECT_EQ(e.template_info.filename, "t.html");
	EXPECT_EQ(e.sdk_version, "3.0");
	EXPECT_EQ(*e.checksum, "c");
	auto pairs = parse(R"({"tags":[["a","b"],["c"],["d",1],["e","f","g"],["h",["i"]]]})");
	ASSERT_EQ(pairs.event.tags.size(), 1u);
	EXPECT_EQ(pairs.event.tags[0].first, "a");
}

TEST(EventReader, Errors) {
	EXPECT_EQ(error_of("[1,2]"), ErrorKind::invalid_parameter);
	EXPECT_EQ(error_of("\"text\""), ErrorKind::invalid_parameter);
	EXPECT_EQ(error_of("{\"a\":"), ErrorKind::invalid_json);
	EXPECT_EQ(error_of(std::string("{\"a\":\"b\0c\"}", 11)), ErrorKind::invalid_json);
	EXPECT_EQ(error_of(std::string(300, '[') + std::string(300, ']')), ErrorKind::program_limit);
	EXPECT_EQ(error_of(R"({"m":"\udc00"})"), ErrorKind::invalid_json);
}

TEST(EventReader, OnlyTheLastFramesAreKept) {
	std::string json = R"({"stacktrace":{"frames":[)";
	for (int i = 0; i < 1000; i++)
		json += (i ? "," : "") + std::string(R"({"function":"f)") + std::to_string(i) + R"("})";
	json += "]}}";
	auto p = parse(json);
	const auto &frames = p.event.stacktrace->frames;
	ASSERT_EQ(frames.size(), kMaxFrames);
	EXPECT_EQ(frames.front().function, "f750");
	EXPECT_EQ(frames.back().function, "f999");
}

TEST(EventReader, SavePathFields) {
	auto p = parse(R"({"event_id":"ABC","timestamp":"2026-01-01T00:00:00Z","culprit":"c","server_name":"web",
	    "site":"s","main_exception_id":2,"request":{"url":"http://x/y","method":"GET"},
	    "user":{"id":4711,"username":"jane","email":"j@x.org","ip_address":"::1","name":"Jane"},
	    "contexts":{"os":{"name":"Linux","version":"6.1"},"runtime":{"name":"node"},"device":{"name":"d"}},
	    "exception":{"values":[{"type":"E","mechanism":{"type":"generic","handled":false}}]}})");
	const Event &e = p.event;
	EXPECT_EQ(e.event_id, "ABC");
	EXPECT_EQ(e.timestamp_text, "2026-01-01T00:00:00Z");
	EXPECT_FALSE(e.timestamp_seconds);
	EXPECT_EQ(e.culprit, "c");
	EXPECT_EQ(e.server_name, "web");
	EXPECT_EQ(e.site, "s");
	EXPECT_EQ(e.main_exception_id, 2);
	EXPECT_EQ(e.request_url, "http://x/y");
	ASSERT_TRUE(e.user);
	EXPECT_EQ(e.user->id, "4711"); // a number becomes its text
	EXPECT_EQ(e.user->username, "jane");
	EXPECT_EQ(e.user->email, "j@x.org");
	EXPECT_EQ(e.user->ip_address, "::1");
	EXPECT_TRUE(e.os_context.present);
	EXPECT_EQ(e.os_context.name, "Linux");
	EXPECT_EQ(e.os_context.version, "6.1");
	EXPECT_EQ(e.runtime_context.name, "node");
	EXPECT_FALSE(e.runtime_context.version);
	EXPECT_FALSE(e.browser_context.present);
	EXPECT_EQ(e.exceptions.at(0).mechanism->handled, false);
	EXPECT_FALSE(parse(R"({"exception":[{"type":"E","mechanism":{"type":"g"}}]})").event.exceptions[0].mechanism->handled);
}

TEST(EventReader, SavePathFieldsWrongTypesAndRepeats) {
	auto numbers = parse(R"({"timestamp":1795297484.5,"level":40,"event_id":5,"culprit":7})");
	EXPECT_DOUBLE_EQ(*numbers.event.timestamp_seconds, 1795297484.5);
	EXPECT_FALSE(numbers.event.timestamp_text);
	EXPECT_EQ(numbers.event.level_number, 40);
	EXPECT_EQ(numbers.event.level, "");
	EXPECT_FALSE(numbers.event.event_id);
	EXPECT_FALSE(numbers.event.culprit);
	EXPECT_FALSE(parse(R"({"level":40,"level":"warning"})").event.level_number);
	EXPECT_FALSE(parse(R"({"level":"x","level":40.5})").event.level_number);
	// The last occurrence wins, and a wrong-typed one clears what came before.
	EXPECT_FALSE(parse(R"({"user":{"id":"1"},"user":"x"})").event.user);
	EXPECT_EQ(parse(R"({"user":"x","user":{"id":"2"}})").event.user->id, "2");
	EXPECT_FALSE(parse(R"({"user":{"id":"1","id":{"a":1}}})").event.user->id);
	EXPECT_FALSE(parse(R"({"user":{"id":1.5}})").event.user->id);
	EXPECT_FALSE(parse(R"({"contexts":{"os":{"name":"L"}},"contexts":[]})").event.os_context.present);
	EXPECT_FALSE(parse(R"({"contexts":{"os":{"name":"L"},"os":"x"}})").event.os_context.present);
	EXPECT_EQ(parse(R"({"request":{"url":"a"},"request":{"url":"b"}})").event.request_url, "b");
	EXPECT_EQ(parse(R"({"request":{"url":"a"},"request":null})").event.request_url, "");
	EXPECT_FALSE(parse(R"({"timestamp":"t","timestamp":null})").event.timestamp_text);
	auto mech = parse(R"({"exception":[{"type":"A","mechanism":{"handled":true,"handled":"no"}}]})");
	EXPECT_FALSE(mech.event.exceptions[0].mechanism->handled);
}
