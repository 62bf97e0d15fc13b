// Log entry normalization (Relay): formatting a template with its params, and the legacy
// message forms (a number, a plain-string logentry).
#include <gtest/gtest.h>

#include <string>

#include "event.hpp"
#include "message_format.hpp"

using namespace triage;

namespace {

std::optional<std::string> formatted(std::string json) {
	Event e = parse_event(json.data(), json.size());
	if (!e.logentry_formatted)
		return std::nullopt;
	return std::string(*e.logentry_formatted);
}

MessageParam integer(int64_t v) { return MessageParam{MessageParam::integer, false, v, 0, {}}; }
MessageParam real(double v) { return MessageParam{MessageParam::real, false, 0, v, {}}; }
MessageParam text(std::string_view v) { return MessageParam{MessageParam::string, false, 0, 0, v}; }

} // namespace

TEST(MessageFormat, PythonStyleConversions) {
	EXPECT_EQ(format_message("Session for user %s expired after %ss", {integer(77), integer(4)}, {}, false),
	          "Session for user 77 expired after 4s");
	EXPECT_EQ(format_message("off by %.2f EUR, %d%% done, %5s|%-3s|", {real(990), real(12.9), text("ab"), text("c")}, {},
	                         false),
	          "off by 990.00 EUR, 12% done,    ab|c  |");
	EXPECT_EQ(format_message("%r and %x", {text("q"), integer(255)}, {}, false), "'q' and ff");
	EXPECT_EQ(format_message("%(user)s has %(n)d", {}, {{"user", text("ann")}, {"n", integer(3)}}, true), "ann has 3");
	EXPECT_EQ(format_message("%s", {real(1.5)}, {}, false), "1.5");
}

TEST(MessageFormat, FailuresLeaveTheTemplate) {
	EXPECT_FALSE(format_message("%s %s", {integer(1)}, {}, false));         // too few
	EXPECT_FALSE(format_message("%s", {integer(1), integer(2)}, {}, false)); // too many
	EXPECT_FALSE(format_message("%d", {text("x")}, {}, false));             // not a number
	EXPECT_FALSE(format_message("%(missing)s", {}, {{"user", text("ann")}}, true));
	EXPECT_FALSE(format_message("%q", {integer(1)}, {}, false));
	EXPECT_FALSE(format_message("50%", {}, {}, false));
}

TEST(MessageFormat, EventNormalization) {
	EXPECT_EQ(formatted(R"({"logentry":{"message":"User %s failed %d times","params":["ann",3]}})"),
	          "User ann failed 3 times");
	EXPECT_EQ(formatted(R"({"logentry":{"message":"%(a)s-%(b)s","params":{"a":"x","b":2}}})"), "x-2");
	// The SDK's own text wins; a template that does not format stays unformatted.
	EXPECT_EQ(formatted(R"({"logentry":{"message":"%s","params":["a"],"formatted":"given"}})"), "given");
	EXPECT_FALSE(formatted(R"({"logentry":{"message":"%s %s","params":["a"]}})"));
	EXPECT_FALSE(formatted(R"({"logentry":{"message":"%s","params":[["nested"]]}})"));
	// Legacy forms (AT-21): a number is its JSON text; a plain-string logentry is the text.
	EXPECT_EQ(formatted(R"({"message":1234})"), "1234");
	EXPECT_EQ(formatted(R"({"message":true})"), "true");
	EXPECT_EQ(formatted(R"({"logentry":"plain string logentry"})"), "plain string logentry");
	EXPECT_EQ(formatted(R"({"message":{"message":"m %s","params":["x"]}})"), "m x");
}
