// Tests of the built-in stack-trace rules of the grouping configs: both texts parse, they differ
// only by the 2026 Flutter additions, key facts hold (throw, thread base, handler, not in-app
// paths, SDK frames), and on Sentry's conformance cases no frame the rules cut is hashed and
// every frame Sentry hashes survives the rules.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "event.hpp"
#include "function_names.hpp"
#include "json.hpp"
#include "stacktrace_rules.hpp"

#include "conformance_data.hpp"

namespace triage {
std::string_view default_stacktrace_rules_text(std::string_view config_id);
}

using namespace triage;

namespace {

constexpr std::string_view config_2026 = "newstyle:2026-01-20";
constexpr std::string_view config_2025 = "newstyle:2025-11-21";

Frame native_frame(std::string_view function, std::string_view package = {}) {
	Frame f;
	f.function = function;
	f.has_function = !function.empty();
	f.package = package;
	f.platform = "native";
	return f;
}

Frame frame_on(std::string_view platform, std::string_view function, std::string_view module = {},
               std::string_view abs_path = {}) {
	Frame f;
	f.function = function;
	f.has_function = !function.empty();
	f.module = module;
	f.abs_path = abs_path;
	f.platform = platform;
	return f;
}

struct Outcome {
	Stacktrace classified;
	std::vector<bool> app, system;  // per frame: contributes in that variant
};

// Runs both rule passes the way grouping does: classify, then decide contributions per variant.
Outcome run(const StacktraceRules &rules, std::vector<Frame> frames, bool all_in_app = false) {
	Outcome out;
	out.classified.frames = std::move(frames);
	for (Frame &f : out.classified.frames)
		if (all_in_app)
			f.in_app = true;
	apply_classifier_rules(rules, out.classified, nullptr);
	for (Frame &f : out.classified.frames)
		if (!f.in_app)
			f.in_app = false;
	std::vector<FrameContribution> initial(out.classified.frames.size());
	StacktraceContribution app = assemble_stacktrace(rules, "app", out.classified, initial, nullptr);
	StacktraceContribution system = assemble_stacktrace(rules, "system", out.classified, initial, nullptr);
	for (size_t i = 0; i < initial.size(); i++) {
		out.app.push_back(app.frames[i].contributes);
		out.system.push_back(system.frames[i].contributes);
	}
	return out;
}

const StacktraceRules &rules_of(std::string_view config) {
	const StacktraceRules *rules = default_stacktrace_rules(config);
	if (!rules)
		throw std::runtime_error("no built-in rules for " + std::string(config));
	return *rules;
}

// Rule lines of a text: neither blank nor comments.
std::vector<std::string> rule_lines(std::string_view text) {
	std::vector<std::string> lines;
	size_t start = 0;
	while (start < text.size()) {
		size_t end = text.find('\n', start);
		if (end == std::string_view::npos)
			end = text.size();
		std::string_view line = text.substr(start, end - start);
		size_t first = line.find_first_not_of(" \t");
		if (first != std::string_view::npos && line[first] != '#')
			lines.emplace_back(line.substr(first));
		start = end + 1;
	}
	return lines;
}

// A real function name, not a placeholder such as "<unknown>" or an anonymous class with a NUL in it.
bool plain_name(const std::string &name) {
	return !name.empty() && name[0] != '<' && name.find('\0') == std::string::npos;
}

} // namespace

TEST(DefaultStacktraceRules, TextsExistOnlyForTheTwoConfigs) {
	EXPECT_FALSE(default_stacktrace_rules_text(config_2026).empty());
	EXPECT_FALSE(default_stacktrace_rules_text(config_2025).empty());
	EXPECT_TRUE(default_stacktrace_rules_text("newstyle:2023-01-11").empty());
	EXPECT_TRUE(default_stacktrace_rules_text("").empty());
	EXPECT_TRUE(default_stacktrace_rules_text("newstyle:2026-01-20 ").empty());
	// Built once: later calls return the same storage.
	EXPECT_EQ(default_stacktrace_rules_text(config_2026).data(), default_stacktrace_rules_text(config_2026).data());
}

TEST(DefaultStacktraceRules, BothConfigsParse) {
	for (std::string_view config : {config_2026, config_2025}) {
		SCOPED_TRACE(std::string(config));
		std::string_view text = default_stacktrace_rules_text(config);
		try {
			EXPECT_FALSE(StacktraceRules::parse(text).empty());
		} catch (const Error &e) {
			ADD_FAILURE() << e.what();
		}
		// Every line on its own is a valid rule too (no rule depends on a line break inside it).
		for (const std::string &line : rule_lines(text)) {
			EXPECT_NO_THROW(StacktraceRules::parse(line)) << line;
		}
	}
}

TEST(DefaultStacktraceRules, ConfigsDifferOnlyByTheFlutterAdditions) {
	std::vector<std::string> rules_2025 = rule_lines(default_stacktrace_rules_text(config_2025));
	std::vector<std::string> rules_2026 = rule_lines(default_stacktrace_rules_text(config_2026));
	EXPECT_GT(rules_2025.size(), 300u);
	ASSERT_EQ(rules_2026.size(), rules_2025.size() + 8);
	EXPECT_TRUE(std::equal(rules_2025.begin(), rules_2025.end(), rules_2026.begin()));
	for (size_t i = rules_2025.size(); i < rules_2026.size(); i++) {
		EXPECT_EQ(rules_2026[i].rfind("family:native ", 0), 0u) << rules_2026[i];
		EXPECT_NE(rules_2026[i].find(" -app"), std::string::npos) << rules_2026[i];
	}
	// No rule twice: the rewrite dropped the duplicate lines of the original.
	std::set<std::string> unique(rules_2026.begin(), rules_2026.end());
	EXPECT_EQ(unique.size(), rules_2026.size());
}

TEST(DefaultStacktraceRules, ThrowFramesCutThemselvesAndTheirCallees) {
	for (std::string_view config : {config_2026, config_2025}) {
		SCOPED_TRACE(std::string(config));
		Outcome o = run(rules_of(config), {native_frame("main"), native_frame("crashing_function"),
		                                   native_frame("abort"), native_frame("raise"),
		                                   native_frame("__pthread_kill", "/usr/lib/system/libsystem_kernel.dylib")},
		                true);
		EXPECT_EQ(o.classified.frames[2].category, "throw");
		// raise() under abort() only counts once: it becomes internals.
		EXPECT_EQ(o.classified.frames[3].category, "internals");
		EXPECT_EQ(o.classified.frames[1].in_app, true);
		for (size_t i = 2; i < 5; i++) {
			EXPECT_EQ(o.classified.frames[i].in_app, false) << i;
			EXPECT_FALSE(o.system[i]) << i;
			EXPECT_FALSE(o.app[i]) << i;
		}
		EXPECT_TRUE(o.system[1]);
		EXPECT_TRUE(o.app[1]);
	}
}

TEST(DefaultStacktraceRules, ThreadBasesCutThemselvesAndTheirCallers) {
	const StacktraceRules &rules = rules_of(config_2026);
	Outcome o = run(rules, {native_frame("start", "/usr/lib/system/libdyld.dylib"), native_frame("main"),
	                        native_frame("_pthread_start"), native_frame("worker"), native_frame("crash_here")});
	EXPECT_EQ(o.classified.frames[0].category, "threadbase");
	EXPECT_EQ(o.classified.frames[2].category, "threadbase");
	EXPECT_EQ(o.system, (std::vector<bool>{false, false, false, true, true}));

	Outcome java = run(rules, {frame_on("java", "main", "android.app.ActivityThread"),
	                           frame_on("java", "loop", "android.os.Looper"),
	                           frame_on("java", "onClick", "com.example.MainActivity")});
	EXPECT_EQ(java.classified.frames[0].category, "threadbase");
	EXPECT_EQ(java.classified.frames[1].category, "threadbase");
	EXPECT_EQ(java.system, (std::vector<bool>{false, false, true}));
}

TEST(DefaultStacktraceRules, HandlerFramesCutWhatTheyCalled) {
	Outcome o = run(rules_of(config_2026), {native_frame("bad_pointer_use"), native_frame("_sigtramp"),
	                                        native_frame("report_crash")});
	EXPECT_EQ(o.classified.frames[1].category, "handler");
	EXPECT_EQ(o.system, (std::vector<bool>{true, false, false}));
}

TEST(DefaultStacktraceRules, CategoriesOfPlatformCode) {
	const StacktraceRules &rules = rules_of(config_2026);
	Outcome o = run(rules, {frame_on("java", "onCreate", "com.example.App"),
	                        frame_on("java", "setText", "android.widget.TextView"),
	                        frame_on("java", "query", "android.database.sqlite.SQLiteDatabase"),
	                        frame_on("java", "handleRequest", "org.springframework.web.Dispatcher"),
	                        frame_on("java", "capture", "io.sentry.Hub")});
	EXPECT_EQ(o.classified.frames[0].category, "");
	EXPECT_EQ(o.classified.frames[1].category, "ui");
	EXPECT_EQ(o.classified.frames[2].category, "std");
	EXPECT_EQ(o.classified.frames[3].category, "framework");
	EXPECT_EQ(o.classified.frames[4].category, "framework");
	EXPECT_EQ(o.classified.frames[3].in_app, false);
	// The Sentry Java SDK is not even grouped in the system variant.
	EXPECT_EQ(o.system, (std::vector<bool>{true, true, true, true, false}));

	// android.os overrides the broader android.* rule; a lone system frame between two app
	// frames is noise.
	Outcome sys = run(rules, {native_frame("app_entry"), native_frame("memcpy"), native_frame("app_work")});
	EXPECT_EQ(sys.classified.frames[1].category, "indirection");
	EXPECT_EQ(sys.system, (std::vector<bool>{true, false, true}));
	Outcome os = run(rules, {frame_on("java", "sendMessage", "android.os.Messenger")});
	EXPECT_EQ(os.classified.frames[0].category, "system");
}

TEST(DefaultStacktraceRules, DependencyPathsAreNotInApp) {
	const StacktraceRules &rules = rules_of(config_2026);
	struct Case {
		std::string_view platform, abs_path, module;
	};
	for (const Case &c : {Case{"javascript", "/app/node_modules/react-dom/index.js", ""},
	                      Case{"node", "webpack:///./node_modules/lodash/lodash.js", ""},
	                      Case{"python", "/usr/lib/python3/dist-packages/requests/api.py", ""},
	                      Case{"python", "/venv/lib/python3.11/site-packages/django/core.py", ""},
	                      Case{"go", "/root/go/pkg/mod/github.com/pkg/errors@v0.9.1/errors.go", ""},
	                      Case{"php", "/var/www/vendor/laravel/framework/src/Router.php", ""},
	                      Case{"javascript", "https://unpkg.com/react@18/umd/react.js", ""},
	                      Case{"java", "", "kotlinx.coroutines.DispatchedTask"}}) {
		SCOPED_TRACE(std::string(c.abs_path) + std::string(c.module));
		Outcome o = run(rules, {frame_on(c.platform, "f", c.module, c.abs_path)}, true);
		EXPECT_EQ(o.classified.frames[0].in_app, false);
		EXPECT_FALSE(o.app[0]);
		EXPECT_TRUE(o.system[0]);
	}
	// App code stays in-app.
	Outcome mine = run(rules, {frame_on("javascript", "f", "", "/app/src/index.js")}, true);
	EXPECT_EQ(mine.classified.frames[0].in_app, true);
	// Transpiler helpers and Node's task queue are not grouped at all.
	Outcome noise = run(rules, {frame_on("node", "processTicksAndRejections", "", "node:internal/process/task_queues"),
	                            frame_on("javascript", "f", "core-js/modules/es.promise")},
	                    true);
	EXPECT_EQ(noise.system, (std::vector<bool>{false, false}));
}

TEST(DefaultStacktraceRules, AppBundlesAreInAppButTheirSdkFrameworksAreNot) {
	const StacktraceRules &rules = rules_of(config_2026);
	Outcome o = run(rules,
	                {native_frame("main", "/private/var/containers/Bundle/Application/ABC/MyApp.app/MyApp"),
	                 native_frame("-[SentryClient capture]",
	                              "/private/var/containers/Bundle/Application/ABC/MyApp.app/Frameworks/"
	                              "Sentry.framework/Sentry")});
	EXPECT_EQ(o.classified.frames[0].in_app, true);
	EXPECT_EQ(o.classified.frames[1].in_app, false);
	EXPECT_FALSE(o.system[1]);
}

TEST(DefaultStacktraceRules, RustPanicBorder) {
	Outcome o = run(rules_of(config_2026), {native_frame("my_crate::run"), native_frame("std::panicking::begin_panic"),
	                                        native_frame("std::panicking::rust_panic_with_hook")},
	                true);
	EXPECT_EQ(o.classified.frames[0].in_app, true);
	EXPECT_EQ(o.classified.frames[1].in_app, false);
	EXPECT_EQ(o.system, (std::vector<bool>{true, false, false}));
}

TEST(DefaultStacktraceRules, PythonMultiprocessingModuleFrame) {
	Outcome o = run(rules_of(config_2025), {frame_on("python", "<module>", "__main__"),
	                                        frame_on("python", "spawn_main", "multiprocessing.spawn"),
	                                        frame_on("python", "_main", "multiprocessing.spawn")});
	EXPECT_EQ(o.classified.frames[0].category, "internals");
	EXPECT_EQ(o.system, (std::vector<bool>{false, true, true}));
}

TEST(DefaultStacktraceRules, InternalsAreNotInApp) {
	for (std::string_view config : {config_2026, config_2025}) {
		SCOPED_TRACE(std::string(config));
		Outcome o = run(rules_of(config), {native_frame("do_work"), native_frame("@callee_guaranteed"),
		                                   native_frame("do_more_work")},
		                true);
		EXPECT_EQ(o.classified.frames[1].category, "internals");
		EXPECT_EQ(o.classified.frames[1].in_app, false);
		EXPECT_EQ(o.system, (std::vector<bool>{true, false, true}));
	}
}

TEST(DefaultStacktraceRules, FlutterNativeFramesDifferBetweenConfigs) {
	for (std::string_view abs_path : {"dart:core/errors_patch.dart", "package:flutter/src/widgets/framework.dart",
	                                  "third_party/dart/sdk/lib/async/zone.dart"}) {
		SCOPED_TRACE(std::string(abs_path));
		Outcome newer = run(rules_of(config_2026), {frame_on("native", "f", "", abs_path)}, true);
		Outcome older = run(rules_of(config_2025), {frame_on("native", "f", "", abs_path)}, true);
		EXPECT_EQ(newer.classified.frames[0].in_app, false);
		EXPECT_EQ(older.classified.frames[0].in_app, true);
	}
	// Symbolicated Dart stubs carry raw_function, so their name is matched untrimmed.
	Frame stub = native_frame("stub InvokeDartCode");
	stub.raw_function = "stub InvokeDartCode";
	stub.has_raw_function = true;
	EXPECT_EQ(run(rules_of(config_2026), {stub}, true).classified.frames[0].in_app, false);
	EXPECT_EQ(run(rules_of(config_2025), {stub}, true).classified.frames[0].in_app, true);
	// Common to both: the Flutter framework under packages/ is not in-app.
	Frame flutter = frame_on("native", "f", "", "/src/packages/flutter/lib/src/widgets/binding.dart");
	EXPECT_EQ(run(rules_of(config_2025), {flutter}, true).classified.frames[0].in_app, false);
}

// Sentry's conformance cases: a frame whose function Sentry hashes in a variant must survive the
// built-in rules in that variant, a frame the rules cut must not be hashed, and (outside
// JavaScript) a frame that survives must be hashed. Only frames whose
// function occurs once in the event are compared (recursion and repeated names make the flat
// value list ambiguous), and only in stack traces that contribute.
TEST(DefaultStacktraceRules, ConformanceFramesAgreeWithTheRules) {
	CONFORMANCE_LINES_OR_SKIP(lines, "cases.jsonl");
	const StacktraceRules &defaults = rules_of(config_2026);
	int cases = 0, kept_checks = 0, cut_checks = 0, reverse_checks = 0;
	for (const std::string &line : lines) {
		JsonDocument doc;
		parse_json(line, doc, "case");
		const JsonValue *event_json = member(doc, "event");
		const JsonValue *expected = member_object(doc, "expected_components_by_variant");
		ASSERT_NE(event_json, nullptr);
		ASSERT_NE(expected, nullptr);
		std::string name(member_string(doc, "name").value_or(""));
		SCOPED_TRACE(name);
		Event event = read_event(*event_json);
		StacktraceRules rules = StacktraceRules::combine(defaults, StacktraceRules());
		if (const JsonValue *grouping = member_object(*event_json, "_grouping"))
			if (auto custom = member_string(*grouping, "enhancements"))
				rules = StacktraceRules::combine(defaults, StacktraceRules::parse(*custom));

		std::map<std::string, std::multiset<std::string>> values;  // variant -> hashed values
		for (const char *variant : {"app", "system"})
			if (const JsonValue *list = member_array(*expected, variant))
				for (const JsonValue &v : list->GetArray())
					if (v.IsString())
						values[variant].insert(std::string(string_of(v)));
		if (values.empty())
			continue;

		std::vector<std::pair<Stacktrace, const Exception *>> stacks;
		std::multiset<std::string> all_keys;
		event.for_each_stacktrace([&](Stacktrace &st, const Exception *e) {
			stacks.emplace_back(st, e);
			for (const Frame &f : st.frames)
				all_keys.insert(trim_function_name(f.function, f.platform));
		});
		bool counted = false;
		for (auto &[st, exception] : stacks) {
			apply_classifier_rules(rules, st, exception);
			for (Frame &f : st.frames)
				if (!f.in_app)
					f.in_app = false;
			std::vector<FrameContribution> initial(st.frames.size());
			for (const auto &[variant, hashed] : values) {
				StacktraceContribution c = assemble_stacktrace(rules, variant, st, initial, exception);
				std::vector<std::string> keys;
				bool contributes = false;
				for (const Frame &f : st.frames) {
					keys.push_back(trim_function_name(f.function, f.platform));
					contributes |= !keys.back().empty() && hashed.count(keys.back()) > 0;
				}
				if (!contributes)
					continue;
				for (size_t i = 0; i < st.frames.size(); i++) {
					if (keys[i].empty() || all_keys.count(keys[i]) != 1)
						continue;
					SCOPED_TRACE(variant + " frame " + std::to_string(i) + " " + keys[i]);
					bool survives = c.frames[i].contributes && (variant != "app" || st.frames[i].is_in_app());
					if (hashed.count(keys[i])) {
						EXPECT_TRUE(survives) << c.frames[i].hint;
						kept_checks++;
					}
					if (!survives) {
						EXPECT_EQ(hashed.count(keys[i]), 0u) << c.frames[i].hint;
						cut_checks++;
					} else if (plain_name(keys[i]) && st.frames[i].family() != Family::javascript) {
						// JavaScript frames and placeholder names are dropped by other grouping logic.
						EXPECT_EQ(hashed.count(keys[i]), 1u) << "survives the rules but Sentry does not hash it";
						reverse_checks++;
					}
				}
				counted = true;
			}
		}
		cases += counted;
	}
	EXPECT_GE(cases, 50);
	EXPECT_GT(kept_checks, 200);
	EXPECT_GT(cut_checks, 100);
	EXPECT_GT(reverse_checks, 200);
	std::printf("[ conformance ] %d cases, %d hashed frames kept, %d cut frames absent, %d kept frames hashed\n",
	            cases, kept_checks, cut_checks, reverse_checks);

}
