// Stack-trace rules ("enhancements" in Sentry): a small rule language that classifies frames
// (in-app or not, category) before grouping and decides which frames contribute to a
// stack trace's hash. Text syntax as Sentry's, e.g.
//     family:native function:abort  category=throw
//     stack.abs_path:**/node_modules/**  -app
//     category:throw  ^-group -group
//     family:native  max-frames=3
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event.hpp"

namespace triage {

struct StacktraceRuleSet;  // parsed rules; opaque

class StacktraceRules {
public:
	StacktraceRules();
	~StacktraceRules();
	StacktraceRules(StacktraceRules &&) noexcept;
	StacktraceRules &operator=(StacktraceRules &&) noexcept;

	// Parses rule text. Throws Error(rule_syntax) naming the line and what is wrong.
	static StacktraceRules parse(std::string_view text);
	// The rules in force: these rules appended after base (which is applied first, so these win).
	static StacktraceRules combine(const StacktraceRules &base, const StacktraceRules &custom);

	bool empty() const;
	// Whether any rule has an error.type / error.value / error.mechanism matcher, i.e. whether
	// a stack trace's decisions can depend on its exception.
	bool reads_exceptions() const;
	const StacktraceRuleSet &set() const { return *set_; }

private:
	std::unique_ptr<StacktraceRuleSet> set_;
};

// The built-in rules of a grouping config ("newstyle:2026-01-20", "newstyle:2025-11-21").
// Returns nullptr for an unknown config id.
const StacktraceRules *default_stacktrace_rules(std::string_view config_id);

// Classifier pass, before grouping: applies the rules' in-app (+app/-app) and category=
// actions to the frames of one stack trace, in place. exception is the stack trace's
// exception, if any (for error.type / error.value / error.mechanism matchers).
void apply_classifier_rules(const StacktraceRules &rules, Stacktrace &stacktrace, const Exception *exception);

// The grouping decision for one frame.
struct FrameContribution {
	bool contributes = true;
	std::string hint;  // why it does not contribute (or why a rule changed it); may be empty
};

// The grouping decision for a stack trace in one variant.
struct StacktraceContribution {
	std::vector<FrameContribution> frames;  // one per frame, same order
	bool contributes = true;
	std::string hint;
};

// Contributes pass, inside grouping, once per variant ("app" or "system"): starts from the
// frames' own decisions (initial: component-level decisions such as recursion or empty
// function, one per frame), applies +group/-group (with ^ and v ranges), the in-app
// requirement of the app variant, and the max-frames / min-frames variables, and decides whether the stack trace contributes at all.
StacktraceContribution assemble_stacktrace(const StacktraceRules &rules, std::string_view variant,
                                           const Stacktrace &stacktrace,
                                           const std::vector<FrameContribution> &initial,
                                           const Exception *exception);

} // namespace triage
