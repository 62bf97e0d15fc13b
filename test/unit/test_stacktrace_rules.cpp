// Tests of the stack-trace rules engine: rule grammar, globs, matchers, actions and ranges,
// variables, the app/system variant decisions, Sentry's conformance cases that carry custom
// rules, and the per-frame cost with the built-in rules.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "errors.hpp"
#include "event.hpp"
#include "function_names.hpp"
#include "json.hpp"
#include "stacktrace_rules.hpp"

#include "conformance_data.hpp"

using namespace triage;

namespace {

Frame frame(std::string_view function, std::string_view platform = "python") {
	Frame f;
	f.function = function;
	f.has_function = !function.empty();
	f.platform = platform;
	return f;
}

Stacktrace stack(std::vector<Frame> frames) {
	Stacktrace st;
	st.frames = std::move(frames);
	return st;
}

// True when `matchers` (rule text without actions) matches the frame at idx of st.
bool matches_at(const std::string &matchers, Stacktrace st, size_t idx, const Exception *e = nullptr) {
	StacktraceRules rules = StacktraceRules::parse(matchers + " category=hit");
	apply_classifier_rules(rules, st, e);
	return st.frames.at(idx).category == "hit";
}

bool matches(const std::string &matchers, const Frame &f, const Exception *e = nullptr) {
	return matches_at(matchers, stack({f}), 0, e);
}

std::vector<FrameContribution> all_contribute(size_t n) { return std::vector<FrameContribution>(n); }

std::vector<bool> contributing(const StacktraceContribution &c) {
	std::vector<bool> out;
	for (const auto &f : c.frames)
		out.push_back(f.contributes);
	return out;
}

std::string syntax_error(const std::string &text) {
	try {
		StacktraceRules::parse(text);
	} catch (const Error &e) {
		EXPECT_EQ(e.kind(), ErrorKind::rule_syntax);
		return e.what();
	}
	ADD_FAILURE() << "no error for: " << text;
	return "";
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Grammar

TEST(StacktraceRulesParse, AcceptsEveryMatcherAndAction) {
	StacktraceRules rules = StacktraceRules::parse(R"(
# a comment line
   # an indented comment
family:native function:abort category=throw
stack.function:foo stack.module:bar stack.abs_path:**/x.py stack.package:libc* -app
module:m path:p package:q category:c app:yes +app
error.type:ValueError error.value:*boom* error.mechanism:generic -group
[ function:caller ] | function:me | [ function:callee ] ^-group v+group
family:javascript,native max-frames=3 min-frames = 2  # trailing comment
!function:x -group-app
)");
	EXPECT_FALSE(rules.empty());
	EXPECT_TRUE(StacktraceRules::parse("").empty());
	EXPECT_TRUE(StacktraceRules::parse("# only\n\n   \r\n").empty());
}

TEST(StacktraceRulesParse, ErrorsNameTheLineAndToken) {
	std::string e = syntax_error("function:a -group\nfunction:b frobnicate\n");
	EXPECT_NE(e.find("line 2"), std::string::npos) << e;
	EXPECT_NE(e.find("frobnicate"), std::string::npos) << e;

	e = syntax_error("\n\nbogus:thing -app");
	EXPECT_NE(e.find("line 3"), std::string::npos) << e;
	EXPECT_NE(e.find("bogus"), std::string::npos) << e;

	e = syntax_error("function:foo");  // no action
	EXPECT_NE(e.find("expected an action"), std::string::npos) << e;
	e = syntax_error("-group");  // no matcher
	EXPECT_NE(e.find("expected a matcher"), std::string::npos) << e;
	e = syntax_error("max-frames=3");  // variables need a matcher too, as in Sentry's grammar
	EXPECT_NE(e.find("line 1"), std::string::npos) << e;
	e = syntax_error("function:foo max-frames=abc");
	EXPECT_NE(e.find("abc"), std::string::npos) << e;
	e = syntax_error("function:foo max-frames=-1");
	EXPECT_NE(e.find("max-frames"), std::string::npos) << e;
	e = syntax_error("function:foo invert-stacktrace=1");  // dropped from Sentry's current grammar
	EXPECT_NE(e.find("invert-stacktrace"), std::string::npos) << e;
	e = syntax_error("function:foo +prefix");
	EXPECT_NE(e.find("+prefix"), std::string::npos) << e;
	e = syntax_error("[ function:a | function:b -group");
	EXPECT_NE(e.find("]"), std::string::npos) << e;
	e = syntax_error("function:b | function:c -group");
	EXPECT_NE(e.find("["), std::string::npos) << e;
	e = syntax_error("type:ValueError -group");  // only error.type is accepted
	EXPECT_NE(e.find("type"), std::string::npos) << e;
	e = syntax_error("error.type:[abc -group");  // malformed exception pattern
	EXPECT_NE(e.find("character class"), std::string::npos) << e;
	e = syntax_error("function:a -group\r\nfunction:b +nope");
	EXPECT_NE(e.find("line 2"), std::string::npos) << e;
	syntax_error("function:a category=");
	syntax_error("function:a category=x +app extra:");
}

TEST(StacktraceRulesParse, QuotedArgumentsAndEscapes) {
	EXPECT_TRUE(matches(R"(function:"stub InvokeDartCode")", frame("stub InvokeDartCode")));
	// Native names are trimmed first (to their last token here), as Sentry does without raw_function.
	EXPECT_FALSE(matches(R"(function:"stub InvokeDartCode")", frame("stub InvokeDartCode", "native")));
	// \[ is kept and then escapes the bracket in the glob; \\ is one backslash.
	EXPECT_TRUE(matches(R"(function:"-\[NSISEngine*")", frame("-[NSISEngine foo]", "native")));
	EXPECT_TRUE(matches(R"(function:"*::\\{dtor\\}")", frame("Foo::{dtor}", "native")));
	EXPECT_TRUE(matches(R"(function:"a\"b")", frame("a\"b")));
	// A quoted matcher type, and an unterminated quote taken as an unquoted argument.
	EXPECT_TRUE(matches(R"("function":foo)", frame("foo")));
	EXPECT_TRUE(matches(R"(function:"foo)", frame("\"foo")));
	// Tabs separate like spaces; "=" may be surrounded by spaces.
	EXPECT_TRUE(matches("function:foo\tfamily:other", frame("foo")));
}

TEST(StacktraceRulesParse, GarbageNeverCrashes) {
	// Random lines over the grammar's alphabet: each either parses (and then runs) or is a syntax error.
	static const char alphabet[] = "ab:!\"\\[]|{},*?^v+-=# \tfunction:path:category=max-frames=group app/";
	uint32_t state = 12345;
	auto next = [&]() {
		state = state * 1103515245u + 12345u;
		return (state >> 16) & 0x7fff;
	};
	int parsed = 0, rejected = 0;
	for (int i = 0; i < 3000; i++) {
		std::string line;
		size_t length = next() % 40;
		for (size_t j = 0; j < length; j++)
			line.push_back(alphabet[next() % (sizeof(alphabet) - 1)]);
		try {
			StacktraceRules rules = StacktraceRules::parse(line);
			Frame f = frame("ab*", "native");
			f.abs_path = "/a/b";
			Stacktrace st = stack({f, f, f});
			apply_classifier_rules(rules, st, nullptr);
			assemble_stacktrace(rules, "app", st, all_contribute(3), nullptr);
			parsed++;
		} catch (const Error &e) {
			EXPECT_EQ(e.kind(), ErrorKind::rule_syntax);
			rejected++;
		}
	}
	EXPECT_GT(parsed, 0);
	EXPECT_GT(rejected, 0);
}

// ---------------------------------------------------------------------------------------------
// Globs and matchers

// Every glob ignores case: ophio builds each one with globset's case_insensitive(true).
TEST(StacktraceRulesGlob, FunctionGlobsIgnoreCaseAndCrossEverything) {
	EXPECT_TRUE(matches("function:foo", frame("foo")));
	EXPECT_TRUE(matches("function:foo", frame("Foo")));
	EXPECT_TRUE(matches("function:FOO*", frame("fooBar")));
	EXPECT_TRUE(matches("function:[F]oo", frame("foo")));
	EXPECT_FALSE(matches("function:foo", frame("foobar")));
	EXPECT_TRUE(matches("function:log_demo::*", frame("log_demo::main")));
	EXPECT_TRUE(matches("function:*::__*", frame("log::__private_api_log")));
	EXPECT_FALSE(matches("function:*::__*", frame("log::private")));
	EXPECT_TRUE(matches("function:a*b", frame("a/x/b")));  // "*" crosses "/" outside paths
	EXPECT_TRUE(matches("function:f?o", frame("fxo")));
	EXPECT_FALSE(matches("function:f?o", frame("fo")));
	EXPECT_TRUE(matches("function:?[[]KSCrash*", frame("-[KSCrash run]", "native")));
	EXPECT_TRUE(matches("function:[!a]x", frame("bx")));
	EXPECT_FALSE(matches("function:[!a]x", frame("ax")));
	EXPECT_TRUE(matches("function:[a-c]x", frame("bx")));
	EXPECT_TRUE(matches("function:{foo,bar}baz", frame("barbaz")));
	EXPECT_FALSE(matches("function:{foo,bar}baz", frame("quxbaz")));
	EXPECT_TRUE(matches("function:*a*b*c*d*", frame("xxaxxbxxcxxdxx")));
	EXPECT_FALSE(matches("function:*a*b*c*d*", frame("xxaxxbxxcxx")));
	// A frame without a function is "<unknown>" to the rules.
	EXPECT_TRUE(matches("function:<unknown>", frame("")));
	// A malformed frame pattern never matches (and its negation always does), as in Sentry.
	EXPECT_FALSE(matches("function:[abc", frame("[abc")));
	EXPECT_TRUE(matches("!function:[abc", frame("[abc")));
}

TEST(StacktraceRulesGlob, PathGlobs) {
	auto with_path = [](std::string_view abs_path, std::string_view filename = {}) {
		Frame f = frame("f");
		f.abs_path = abs_path;
		f.filename = filename;
		return f;
	};
	EXPECT_TRUE(matches("path:**/site-packages/**", with_path("/usr/lib/python3/site-packages/django/x.py")));
	EXPECT_TRUE(matches("path:**/site-packages/**", with_path("site-packages/x.py")));  // leading "/" added
	EXPECT_FALSE(matches("path:**/site-packages/**", with_path("/usr/lib/site-packages")));
	EXPECT_TRUE(matches("path:**/release_webhook.py", with_path("/a/b/Release_Webhook.py")));  // case-insensitive
	EXPECT_TRUE(matches("path:**/RELEASE_webhook.py", with_path("/a/release_webhook.py")));
	EXPECT_TRUE(matches("path:**/x.py", with_path("x.py")));
	EXPECT_TRUE(matches("path:C:/Windows/**", with_path("c:\\windows\\system32\\k.dll")));  // "\" is "/"
	EXPECT_TRUE(matches("path:C:\\Windows\\**", with_path("C:/Windows/a")));
	EXPECT_FALSE(matches("path:/usr/*.py", with_path("/usr/lib/x.py")));  // "*" stops at "/"
	EXPECT_TRUE(matches("path:/usr/*.py", with_path("/usr/x.py")));
	EXPECT_FALSE(matches("path:/usr/?", with_path("/usr//")));
	EXPECT_TRUE(matches("path:/a/**/b", with_path("/a/b")));
	EXPECT_TRUE(matches("path:/a/**/b", with_path("/a/x/y/b")));
	EXPECT_FALSE(matches("path:/a/**/b", with_path("/ab")));
	EXPECT_TRUE(matches("path:**", with_path("/anything/at/all")));
	EXPECT_TRUE(matches("path:**/**", with_path("/anything")));  // as globset: the lone "**" case
	EXPECT_TRUE(matches("path:/usr/lib/**", with_path("/usr/lib/x")));
	EXPECT_FALSE(matches("path:/usr/lib/**", with_path("/usr/lib")));
	EXPECT_TRUE(matches("path:/a/{b,c/**}", with_path("/a/c/d/e")));
	EXPECT_TRUE(matches("path:/a/[B]", with_path("/a/b")));  // classes fold case for paths too
	// "**" inside a name is a plain "*": it does not cross directories.
	EXPECT_TRUE(matches("path:**https://unpkg.com/**", with_path("https://unpkg.com/react@18/index.js")));
	EXPECT_FALSE(matches("path:**.app/Contents/**", with_path("/Applications/My.app/Contents/MacOS/My")));
	EXPECT_TRUE(matches("path:**/*.app/Contents/**", with_path("/Applications/My.app/Contents/MacOS/My")));
	// path is abs_path, else filename.
	EXPECT_TRUE(matches("path:**/y.js", with_path("", "/x/y.js")));
	EXPECT_FALSE(matches("path:**/y.js", with_path("/x/z.js", "/x/y.js")));
	EXPECT_FALSE(matches("path:*", frame("f")));  // no path: a field matcher fails
	EXPECT_TRUE(matches("!path:*", frame("f")));
}

TEST(StacktraceRulesGlob, PackageModuleCategoryFamilyApp) {
	Frame f = frame("f", "native");
	f.package = "/var/containers/MyApp/Frameworks/libsomething";
	EXPECT_TRUE(matches("package:/var/**/Frameworks/**", f));
	f.package = "/var2/containers/MyApp/Frameworks/libsomething";
	EXPECT_FALSE(matches("package:/var/**/Frameworks/**", f));
	f.package = "D:\\Windows\\System32\\kernel32.dll";
	EXPECT_TRUE(matches("package:?:/Windows/**", f));
	f.package = "linux-gate.so";
	EXPECT_TRUE(matches("package:linux-gate.so*", f));

	Frame m = frame("f", "java");
	m.module = "io.sentry.Hub";
	EXPECT_TRUE(matches("module:io.sentry.*", m));
	EXPECT_TRUE(matches("module:IO.sentry.*", m));  // case is ignored
	EXPECT_FALSE(matches("module:io.sentry.*x", m));
	EXPECT_FALSE(matches("module:*", frame("f")));

	EXPECT_TRUE(matches("family:native", frame("f", "cocoa")));
	EXPECT_TRUE(matches("family:native", frame("f", "c")));
	EXPECT_FALSE(matches("family:native", frame("f", "python")));
	EXPECT_TRUE(matches("family:other", frame("f", "python")));
	EXPECT_TRUE(matches("family:javascript", frame("f", "node")));
	EXPECT_TRUE(matches("family:native,javascript", frame("f", "javascript")));
	EXPECT_TRUE(matches("family:all", frame("f", "ruby")));
	EXPECT_FALSE(matches("family:bogus", frame("f", "ruby")));
	EXPECT_TRUE(matches("!family:native", frame("f", "python")));

	Frame in = frame("f");
	in.in_app = true;
	EXPECT_TRUE(matches("app:yes", in));
	EXPECT_TRUE(matches("app:1", in));
	EXPECT_FALSE(matches("app:no", in));
	EXPECT_TRUE(matches("app:false", frame("f")));  // absent in_app counts as false
	EXPECT_FALSE(matches("app:maybe", in));         // an invalid value never matches
	EXPECT_TRUE(matches("!app:maybe", in));

	// category: sees what earlier rules set.
	StacktraceRules rules = StacktraceRules::parse("function:abort category=throw\ncategory:throw -app");
	Stacktrace st = stack({frame("abort", "native")});
	st.frames[0].in_app = true;
	apply_classifier_rules(rules, st, nullptr);
	EXPECT_EQ(st.frames[0].category, "throw");
	EXPECT_EQ(st.frames[0].in_app, false);
	EXPECT_EQ(st.frames[0].orig_in_app, true);
	EXPECT_FALSE(matches("category:*", frame("f")));  // no category: fails
}

TEST(StacktraceRulesGlob, NativeFunctionsAreTrimmedBeforeMatching) {
	EXPECT_TRUE(matches("function:Scaleform::GFx::AS3::IMEManager::DispatchEvent",
	                    frame("Scaleform::GFx::AS3::IMEManager::DispatchEvent(char const *,char const *)", "native")));
	// A raw_function means function is already trimmed: it is used as is.
	Frame f = frame("foo(int)", "native");
	f.raw_function = "foo(int)";
	f.has_raw_function = true;
	EXPECT_TRUE(matches("function:foo(int)", f));
	// Other platforms are not trimmed.
	EXPECT_FALSE(matches("function:foo", frame("foo(int)", "python")));
}

TEST(StacktraceRulesGlob, ExceptionMatchers) {
	Exception e;
	e.type = std::string_view("ValueError");
	e.value = std::string_view("it went boom");
	Mechanism mech;
	mech.type = "onerror";
	e.mechanism = mech;
	EXPECT_TRUE(matches("error.type:ValueError function:f", frame("f"), &e));
	EXPECT_FALSE(matches("error.type:TypeError function:f", frame("f"), &e));
	EXPECT_TRUE(matches("error.value:*boom function:f", frame("f"), &e));
	EXPECT_TRUE(matches("error.mechanism:on* function:f", frame("f"), &e));
	EXPECT_TRUE(matches("!error.type:TypeError function:f", frame("f"), &e));
	// Without an exception (or a field) the value is "<unknown>".
	EXPECT_TRUE(matches("error.type:<unknown> function:f", frame("f"), nullptr));
	EXPECT_FALSE(matches("error.type:* function:f", frame("f"), nullptr) == false);
}

TEST(StacktraceRulesGlob, HostilePatternsStayFast) {
	std::string pattern = "function:";
	for (int i = 0; i < 30; i++)
		pattern += "*a";
	pattern += "*b";
	std::string value(5000, 'a');
	Frame f = frame(value);
	auto start = std::chrono::steady_clock::now();
	EXPECT_FALSE(matches(pattern, f));
	std::string path_pattern = "path:";
	for (int i = 0; i < 20; i++)
		path_pattern += "**/a/";
	path_pattern += "b";
	std::string path;
	for (int i = 0; i < 1000; i++)
		path += "/a";
	f.abs_path = path;
	EXPECT_FALSE(matches(path_pattern, f));
	double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
	EXPECT_LT(ms, 2000.0);
	// Absurd wildcard counts are refused rather than risked.
	std::string many = "function:";
	for (int i = 0; i < 100; i++)
		many += "*x";
	EXPECT_FALSE(matches(many, frame("x")));
}

// ---------------------------------------------------------------------------------------------
// Caller / callee and ranges

TEST(StacktraceRulesNeighbours, CallerAndCallee) {
	// Frames are stored oldest first: the caller of frames[i] is frames[i-1].
	Stacktrace st = stack({frame("main"), frame("run"), frame("crash")});
	EXPECT_TRUE(matches_at("[ function:main ] | function:run", st, 1));
	EXPECT_FALSE(matches_at("[ function:crash ] | function:run", st, 1));
	EXPECT_TRUE(matches_at("function:run | [ function:crash ]", st, 1));
	EXPECT_FALSE(matches_at("function:run | [ function:main ]", st, 1));
	EXPECT_TRUE(matches_at("[ function:main ] | function:run | [ function:crash ]", st, 1));
	// No caller for the first frame, no callee for the last, even when negated.
	EXPECT_FALSE(matches_at("[ !function:x ] | function:main", st, 0));
	EXPECT_FALSE(matches_at("function:crash | [ !function:x ]", st, 2));
	EXPECT_TRUE(matches_at("[ !function:x ] | function:run", st, 1));
	// An unquoted argument runs to the next space, so "]" must be separated, as in Sentry's grammar.
	EXPECT_THROW(StacktraceRules::parse("[function:main]|function:run -group"), Error);
	EXPECT_TRUE(matches_at("[ function:main ]|function:run", st, 1));
}

TEST(StacktraceRulesActions, InAppRangesFollowCrashDirection) {
	auto run = [](const std::string &rule) {
		Stacktrace st = stack({frame("a"), frame("b"), frame("mark"), frame("d"), frame("e")});
		apply_classifier_rules(StacktraceRules::parse(rule), st, nullptr);
		std::string out;
		for (auto &f : st.frames)
			out += !f.in_app ? '?' : *f.in_app ? 'Y' : 'n';
		return out;
	};
	EXPECT_EQ(run("function:mark +app"), "??Y??");
	EXPECT_EQ(run("function:mark ^+app"), "???YY");  // toward the crash: later frames
	EXPECT_EQ(run("function:mark v+app"), "YY???");  // away from the crash: earlier frames
	EXPECT_EQ(run("function:mark v+app -app ^-app"), "YYnnn");
	EXPECT_EQ(run("function:* -app\nfunction:mark +app"), "nnYnn");  // later rules win
	EXPECT_EQ(run("function:mark +app\nfunction:* -app"), "nnnnn");
}

TEST(StacktraceRulesActions, ClassifierMatchesBeforeChanging) {
	// The rule matches frames with app:no; turning the first on must not stop later matches, and
	// a "^-app" from one match is not undone by another frame's own action in the same rule.
	Stacktrace st = stack({frame("a"), frame("b"), frame("c")});
	apply_classifier_rules(StacktraceRules::parse("app:no +app"), st, nullptr);
	for (auto &f : st.frames)
		EXPECT_EQ(f.in_app, true);
	// Matches are taken on the state before the rule: b is marked by a's "^-app" and still matches.
	Stacktrace st2 = stack({frame("a"), frame("b"), frame("c")});
	st2.frames[0].in_app = st2.frames[1].in_app = st2.frames[2].in_app = true;
	// Categories are views into the rules, which must outlive the frames.
	StacktraceRules rules = StacktraceRules::parse("function:a ^-app\napp:no category=was_off");
	apply_classifier_rules(rules, st2, nullptr);
	EXPECT_EQ(st2.frames[0].category, "");
	EXPECT_EQ(st2.frames[1].category, "was_off");
	EXPECT_EQ(st2.frames[1].orig_in_app, true);
	EXPECT_FALSE(st2.frames[0].orig_in_app.has_value());
}

TEST(StacktraceRulesActions, GroupRangesAndHints) {
	Stacktrace st = stack({frame("a"), frame("b"), frame("mark"), frame("d"), frame("e")});
	auto sys = [&](const std::string &rule) {
		return assemble_stacktrace(StacktraceRules::parse(rule), "system", st, all_contribute(5), nullptr);
	};
	EXPECT_EQ(contributing(sys("function:mark ^-group -group")), (std::vector<bool>{true, true, false, false, false}));
	EXPECT_EQ(contributing(sys("function:mark v-group")), (std::vector<bool>{false, false, true, true, true}));
	EXPECT_EQ(contributing(sys("function:* -group\nfunction:mark +group")),
	          (std::vector<bool>{false, false, true, false, false}));
	StacktraceContribution c = sys("function:mark -group");
	EXPECT_EQ(c.frames[2].hint, "ignored by custom stack trace rule (function:mark -group)");
	EXPECT_EQ(c.frames[0].hint, "");
	EXPECT_TRUE(c.contributes);
	c = sys("function:* -group\nfunction:mark +group");
	EXPECT_EQ(c.frames[2].hint, "un-ignored by custom stack trace rule (function:mark +group)");
	// Only the contribution actions appear in a contribution hint.
	c = sys("function:mark -app -group");
	EXPECT_EQ(c.frames[2].hint, "ignored by custom stack trace rule (function:mark -group)");
	// Every frame ignored: the stack trace does not contribute.
	c = sys("function:* -group");
	EXPECT_FALSE(c.contributes);
	EXPECT_EQ(c.hint, "ignored because it contains no contributing frames");
	// Initial decisions are kept unless a rule changes them, hints included.
	std::vector<FrameContribution> initial = all_contribute(5);
	initial[0].contributes = false;
	initial[0].hint = "ignored due to recursion";
	c = assemble_stacktrace(StacktraceRules::parse("function:e -group"), "system", st, initial, nullptr);
	EXPECT_EQ(contributing(c), (std::vector<bool>{false, true, true, true, false}));
	EXPECT_EQ(c.frames[0].hint, "ignored due to recursion");
	// Exception matchers gate contribution rules too.
	Exception e;
	e.type = std::string_view("Boom");
	c = assemble_stacktrace(StacktraceRules::parse("error.type:Other function:e -group"), "system", st,
	                        all_contribute(5), &e);
	EXPECT_TRUE(c.frames[4].contributes);
	c = assemble_stacktrace(StacktraceRules::parse("error.type:Boom function:e -group"), "system", st,
	                        all_contribute(5), &e);
	EXPECT_FALSE(c.frames[4].contributes);
}

// ---------------------------------------------------------------------------------------------
// Variables

TEST(StacktraceRulesVariables, MaxFramesKeepsFramesNearestTheCrash) {
	Stacktrace st = stack({frame("a", "native"), frame("b", "native"), frame("c", "native"), frame("d", "native")});
	std::vector<FrameContribution> initial = all_contribute(4);
	initial[3].contributes = false;  // already ignored frames are not counted
	StacktraceContribution c =
	    assemble_stacktrace(StacktraceRules::parse("family:native max-frames=2"), "system", st, initial, nullptr);
	EXPECT_EQ(contributing(c), (std::vector<bool>{false, true, true, false}));
	EXPECT_EQ(c.frames[0].hint,
	          "ignored because only 2 frames are considered by custom stack trace rule (family:native max-frames=2)");
	c = assemble_stacktrace(StacktraceRules::parse("family:native max-frames=1"), "system", st, initial, nullptr);
	EXPECT_EQ(contributing(c), (std::vector<bool>{false, false, true, false}));
	EXPECT_NE(c.frames[0].hint.find("only 1 frame is considered"), std::string::npos);
	// 0 means unlimited; the last rule that sets it wins; rules that match no frame set nothing.
	c = assemble_stacktrace(StacktraceRules::parse("family:native max-frames=0"), "system", st, initial, nullptr);
	EXPECT_EQ(contributing(c), (std::vector<bool>{true, true, true, false}));
	c = assemble_stacktrace(StacktraceRules::parse("family:native max-frames=1\nfamily:native max-frames=0"), "system",
	                        st, initial, nullptr);
	EXPECT_EQ(contributing(c), (std::vector<bool>{true, true, true, false}));
	c = assemble_stacktrace(StacktraceRules::parse("family:native max-frames=1\nfamily:javascript max-frames=0"),
	                        "system", st, initial, nullptr);
	EXPECT_EQ(contributing(c), (std::vector<bool>{false, false, true, false}));
}

TEST(StacktraceRulesVariables, MinFramesDiscardsShortStacktraces) {
	Stacktrace st = stack({frame("a"), frame("b"), frame("c")});
	StacktraceContribution c =
	    assemble_stacktrace(StacktraceRules::parse("function:* min-frames=4"), "system", st, all_contribute(3), nullptr);
	EXPECT_FALSE(c.contributes);
	EXPECT_EQ(c.hint, "discarded because stack trace only contains 3 frames which is under the configured threshold "
	                  "by custom stack trace rule (function:* min-frames=4)");
	EXPECT_EQ(contributing(c), (std::vector<bool>{true, true, true}));  // the frames themselves still contribute
	c = assemble_stacktrace(StacktraceRules::parse("function:* min-frames=3"), "system", st, all_contribute(3), nullptr);
	EXPECT_TRUE(c.contributes);
	c = assemble_stacktrace(StacktraceRules::parse("function:* min-frames=3\nfunction:a -group"), "system", st,
	                        all_contribute(3), nullptr);
	EXPECT_FALSE(c.contributes);
	EXPECT_NE(c.hint.find("only contains 2 frames"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Variants

TEST(StacktraceRulesVariants, AppVariantOnlyCountsInAppFrames) {
	Stacktrace st = stack({frame("lib"), frame("mine"), frame("lib2")});
	st.frames[0].in_app = false;
	st.frames[1].in_app = true;
	st.frames[2].in_app = false;
	StacktraceRules none;
	StacktraceContribution app = assemble_stacktrace(none, "app", st, all_contribute(3), nullptr);
	EXPECT_EQ(contributing(app), (std::vector<bool>{false, true, false}));
	EXPECT_EQ(app.frames[0].hint, "non app frame");
	EXPECT_TRUE(app.contributes);
	StacktraceContribution sys = assemble_stacktrace(none, "system", st, all_contribute(3), nullptr);
	EXPECT_EQ(contributing(sys), (std::vector<bool>{true, true, true}));

	// +group cannot make a system frame contribute to the app variant.
	app = assemble_stacktrace(StacktraceRules::parse("function:lib +group"), "app", st, all_contribute(3), nullptr);
	EXPECT_FALSE(app.frames[0].contributes);

	// No in-app frame, or none contributing: the app stack trace does not contribute.
	st.frames[1].in_app = false;
	app = assemble_stacktrace(none, "app", st, all_contribute(3), nullptr);
	EXPECT_FALSE(app.contributes);
	EXPECT_EQ(app.hint, "ignored because it contains no in-app frames");
	st.frames[1].in_app = true;
	app = assemble_stacktrace(StacktraceRules::parse("function:mine -group"), "app", st, all_contribute(3), nullptr);
	EXPECT_FALSE(app.contributes);
	EXPECT_EQ(app.hint, "ignored because it contains no contributing frames");

	// Empty stack traces contribute in neither variant.
	Stacktrace empty;
	EXPECT_FALSE(assemble_stacktrace(none, "app", empty, {}, nullptr).contributes);
	EXPECT_FALSE(assemble_stacktrace(none, "system", empty, {}, nullptr).contributes);
	EXPECT_THROW(assemble_stacktrace(none, "system", st, all_contribute(2), nullptr), Error);
}

TEST(StacktraceRulesVariants, AppVariantJudgedBySystemVariantUnderMaxFrames) {
	// max-frames counts system frames in the system variant, so there the in-app frame is cut;
	// Sentry then discards the app stack trace although the app variant itself kept the frame.
	Stacktrace st = stack({frame("mine"), frame("lib")});
	st.frames[0].in_app = true;
	st.frames[1].in_app = false;
	StacktraceRules rules = StacktraceRules::parse("function:* max-frames=1");
	StacktraceContribution sys = assemble_stacktrace(rules, "system", st, all_contribute(2), nullptr);
	EXPECT_EQ(contributing(sys), (std::vector<bool>{false, true}));
	StacktraceContribution app = assemble_stacktrace(rules, "app", st, all_contribute(2), nullptr);
	EXPECT_EQ(contributing(app), (std::vector<bool>{true, false}));
	EXPECT_FALSE(app.contributes);
}

TEST(StacktraceRulesCombine, CustomRulesComeAfterBase) {
	StacktraceRules base = StacktraceRules::parse("function:f -app");
	StacktraceRules custom = StacktraceRules::parse("function:f +app");
	Stacktrace st = stack({frame("f")});
	apply_classifier_rules(StacktraceRules::combine(base, custom), st, nullptr);
	EXPECT_EQ(st.frames[0].in_app, true);
	st = stack({frame("f")});
	apply_classifier_rules(StacktraceRules::combine(custom, base), st, nullptr);
	EXPECT_EQ(st.frames[0].in_app, false);
	// Categories stay valid after the parts are gone: the combination shares the rules.
	Stacktrace st2 = stack({frame("g")});
	{
		StacktraceRules a = StacktraceRules::parse("function:g category=kept");
		StacktraceRules both = StacktraceRules::combine(a, StacktraceRules());
		a = StacktraceRules();
		apply_classifier_rules(both, st2, nullptr);
		EXPECT_EQ(st2.frames[0].category, "kept");
	}
	EXPECT_TRUE(StacktraceRules::combine(StacktraceRules(), StacktraceRules()).empty());
}

TEST(StacktraceRulesDefaults, BuiltInRules) {
	EXPECT_EQ(default_stacktrace_rules("no-such-config"), nullptr);
	const StacktraceRules *rules = default_stacktrace_rules("newstyle:2026-01-20");
	ASSERT_NE(rules, nullptr);
	EXPECT_EQ(rules, default_stacktrace_rules("newstyle:2026-01-20"));  // parsed once
	EXPECT_FALSE(rules->empty());
	// abort() is a throw frame: it and everything toward the crash are cut and not in-app.
	Stacktrace st = stack({frame("main", "native"), frame("my_func", "native"), frame("abort", "native"),
	                       frame("__pthread_kill", "native")});
	for (auto &f : st.frames)
		f.in_app = true;
	apply_classifier_rules(*rules, st, nullptr);
	EXPECT_EQ(st.frames[2].category, "throw");
	EXPECT_EQ(st.frames[2].in_app, false);
	EXPECT_EQ(st.frames[3].in_app, false);
	StacktraceContribution c = assemble_stacktrace(*rules, "system", st, all_contribute(4), nullptr);
	EXPECT_EQ(contributing(c)[1], true);
	EXPECT_EQ(contributing(c)[2], false);
	EXPECT_EQ(contributing(c)[3], false);
	EXPECT_NE(c.frames[2].hint.find("built-in stack trace rule"), std::string::npos) << c.frames[2].hint;
	// Python site-packages are not in-app.
	Frame p = frame("get_response");
	p.abs_path = "/usr/local/lib/python2.7/site-packages/django/core/handlers/base.py";
	p.in_app = true;
	Stacktrace py = stack({p});
	apply_classifier_rules(*rules, py, nullptr);
	EXPECT_EQ(py.frames[0].in_app, false);
}

// ---------------------------------------------------------------------------------------------
// Sentry's conformance cases that carry custom stack-trace rules

namespace {

struct CaseOutcome {
	std::vector<bool> app, system;
	bool app_contributes = false, system_contributes = false;
};

CaseOutcome run_case(const StacktraceRules &rules, Stacktrace st, const Exception *e) {
	apply_classifier_rules(rules, st, e);
	for (auto &f : st.frames)
		if (!f.in_app)
			f.in_app = false;
	CaseOutcome out;
	StacktraceContribution app = assemble_stacktrace(rules, "app", st, all_contribute(st.frames.size()), e);
	StacktraceContribution sys = assemble_stacktrace(rules, "system", st, all_contribute(st.frames.size()), e);
	out.app = contributing(app);
	out.system = contributing(sys);
	out.app_contributes = app.contributes;
	out.system_contributes = sys.contributes;
	return out;
}

// The value a frame's function contributes, which Sentry lists among a variant's values.
std::string function_key(const Frame &f) {
	if (!f.raw_function.empty() || f.function.empty())
		return std::string(f.function);
	return trim_function_name(f.function, f.platform);
}

} // namespace

TEST(StacktraceRulesConformance, CasesWithCustomRules) {
	CONFORMANCE_LINES_OR_SKIP(lines, "cases.jsonl");
	const StacktraceRules *defaults = default_stacktrace_rules("newstyle:2026-01-20");
	int cases = 0, frame_checks = 0, full_checks = 0;
	for (const std::string &line : lines) {
		JsonDocument doc;
		parse_json(line, doc, "case");
		const JsonValue *event_json = member(doc, "event");
		ASSERT_NE(event_json, nullptr);
		const JsonValue *grouping = member_object(*event_json, "_grouping");
		std::optional<std::string_view> custom_text;
		if (grouping)
			custom_text = member_string(*grouping, "enhancements");
		if (!custom_text)
			continue;
		std::string name(*member_string(doc, "name"));
		SCOPED_TRACE(name);
		cases++;
		Event event = read_event(*event_json);
		StacktraceRules custom = StacktraceRules::parse(*custom_text);
		const JsonValue *expected = member_object(doc, "expected_components_by_variant");
		ASSERT_NE(expected, nullptr);
		auto expected_values = [&](const char *variant, bool &present) {
			std::set<std::string> values;
			const JsonValue *list = member_array(*expected, variant);
			present = list != nullptr;
			if (list)
				for (const JsonValue &v : list->GetArray())
					if (v.IsString())
						values.insert(std::string(string_of(v)));
			return values;
		};
		bool has_app = false, has_system = false;
		std::set<std::string> app_values = expected_values("app", has_app);
		std::set<std::string> system_values = expected_values("system", has_system);

		for (const Exception &e : event.exceptions) {
			if (!e.stacktrace)
				continue;
			const Stacktrace &st = *e.stacktrace;
			std::vector<std::string> keys;
			std::multiset<std::string> key_count;
			for (const Frame &f : st.frames) {
				keys.push_back(function_key(f));
				key_count.insert(keys.back());
			}
			const bool limits_frames = custom_text->find("max-frames=") != std::string_view::npos;
			auto check = [&](const CaseOutcome &o, bool exact) {
				// Without the built-in rules, max-frames counts frames that those rules would have cut.
				if (!exact && limits_frames)
					return;
				for (size_t i = 0; i < st.frames.size(); i++) {
					if (key_count.count(keys[i]) != 1 || keys[i].empty())
						continue;
					SCOPED_TRACE("frame " + std::to_string(i) + " " + keys[i]);
					for (int v = 0; v < 2; v++) {
						bool present = v == 0 ? has_app : has_system;
						if (!present)
							continue;
						bool in_expected = (v == 0 ? app_values : system_values).count(keys[i]) > 0;
						bool mine = (v == 0 ? o.app : o.system)[i];
						SCOPED_TRACE(v == 0 ? "app" : "system");
						// A frame Sentry hashes must contribute; with the built-in rules, exactly those.
						if (in_expected || exact) {
							EXPECT_EQ(mine, in_expected);
						}
						// A frame that the custom rules alone switch off is never hashed by Sentry.
						if (!mine && (v == 1 || st.frames[i].is_in_app())) {
							EXPECT_FALSE(in_expected);
						}
						frame_checks++;
					}
				}
			};
			CaseOutcome only_custom = run_case(custom, st, &e);
			check(only_custom, false);
			if (has_system) {
				bool any_frame_expected = false;
				for (const std::string &k : keys)
					any_frame_expected |= system_values.count(k) > 0;
				if (any_frame_expected) {
					EXPECT_TRUE(only_custom.system_contributes);
				}
			}
			// max-frames keeps at most N frames, as the expected values show.
			size_t max_frames_at = custom_text->find("max-frames=");
			if (max_frames_at != std::string_view::npos) {
				size_t n = std::stoul(std::string(custom_text->substr(max_frames_at + 11)));
				size_t kept = 0, expected_kept = 0;
				for (size_t i = 0; i < st.frames.size(); i++) {
					kept += only_custom.system[i];
					expected_kept += system_values.count(keys[i]) > 0;
				}
				if (n > 0) {
					EXPECT_EQ(kept, n);
					EXPECT_LE(expected_kept, n);
				} else {
					EXPECT_EQ(kept, st.frames.size());
				}
			}
			if (defaults) {
				CaseOutcome full = run_case(StacktraceRules::combine(*defaults, custom), st, &e);
				check(full, true);
				full_checks++;
			}
		}
	}
	EXPECT_GE(cases, 9);
	EXPECT_GT(frame_checks, 40);
	std::printf("[ conformance ] %d cases with custom rules, %d frame checks, %d checked with built-in rules\n", cases,
	            frame_checks, full_checks);

}

// ---------------------------------------------------------------------------------------------
// Cost per frame with the built-in rules

TEST(StacktraceRulesPerformance, PerFrameCostWithDefaultRules) {
	const StacktraceRules *rules = default_stacktrace_rules("newstyle:2026-01-20");
	ASSERT_NE(rules, nullptr);
	static const char *native_functions[] = {
	    "start",          "main",           "UIApplicationMain",           "-[AppDelegate application:didFinish]",
	    "MyApp::run()",   "std::vector<int>::push_back(int const&)", "objc_msgSend", "MyApp::crash(int)",
	    "abort",          "__pthread_kill"};
	static const char *packages[] = {"/usr/lib/system/libdyld.dylib", "/var/containers/Bundle/Application/X/My.app/My",
	                                 "/System/Library/Frameworks/UIKit.framework/UIKit", "/usr/lib/libobjc.A.dylib"};
	Stacktrace native;
	for (int i = 0; i < 30; i++) {
		Frame f = frame(native_functions[i % 10], "cocoa");
		f.package = packages[i % 4];
		native.frames.push_back(f);
	}
	Stacktrace python;
	for (int i = 0; i < 30; i++) {
		Frame f = frame(i % 2 ? "get_response" : "handle");
		f.abs_path = i % 3 ? "/usr/local/lib/python3.11/site-packages/django/core/handlers/base.py"
		                   : "/srv/app/views/release_webhook.py";
		f.module = i % 3 ? "django.core.handlers.base" : "app.views";
		python.frames.push_back(f);
	}
	Stacktrace js;
	for (int i = 0; i < 30; i++) {
		Frame f = frame(i % 2 ? "processTicksAndRejections" : "handleRequest", "javascript");
		f.abs_path = i % 3 ? "webpack:///node_modules/express/lib/router/index.js" : "webpack:///src/app.js";
		f.module = i % 3 ? "express/lib/router/index" : "app";
		js.frames.push_back(f);
	}
	for (const Stacktrace *sample : {&native, &python, &js}) {
		const int rounds = 1000;
		std::vector<FrameContribution> initial = all_contribute(sample->frames.size());
		// CPU time, so that other processes on the machine do not inflate the figure.
		std::clock_t start = std::clock();
		for (int r = 0; r < rounds; r++) {
			Stacktrace st = *sample;
			apply_classifier_rules(*rules, st, nullptr);
			StacktraceContribution a = assemble_stacktrace(*rules, "app", st, initial, nullptr);
			StacktraceContribution s = assemble_stacktrace(*rules, "system", st, initial, nullptr);
			ASSERT_EQ(a.frames.size(), s.frames.size());
		}
		double ns = double(std::clock() - start) * 1e9 / CLOCKS_PER_SEC;
		double per_frame = ns / (rounds * sample->frames.size());
		const char *label = sample == &native ? "native" : sample == &python ? "python" : "javascript";
		std::printf("[ perf ] %-10s classifier + app + system: %.0f ns per frame\n", label, per_frame);
		RecordProperty(std::string("ns_per_frame_") + label, static_cast<int>(per_frame));
		EXPECT_LT(per_frame, 100000.0);  // a loose bound that only catches pathological regressions
	}
}

TEST(StacktraceRulesGlob, ExceptionAndCategoryMatchersIgnoreCase) {
	Exception e;
	e.type = "ValueError";
	e.value = "Bad Input";
	StacktraceRules rules = StacktraceRules::parse("error.type:valueerror error.value:BAD* function:f category=MyCat\n"
	                                               "category:mycat -group");
	Stacktrace st;
	st.frames.push_back(frame("f"));
	apply_classifier_rules(rules, st, &e);
	EXPECT_EQ(st.frames[0].category, "mycat");
	std::vector<FrameContribution> initial(1);
	StacktraceContribution decided = assemble_stacktrace(rules, "system", st, initial, &e);
	EXPECT_FALSE(decided.frames[0].contributes);
}
