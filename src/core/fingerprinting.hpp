// Fingerprints: the client's "fingerprint" list, server-side fingerprinting rules (Sentry's
// text syntax or its JSON form) and the built-in rules of a config, and the resolution of
// variables such as {{ type }} or {{ function }}.
//
// Text syntax (one rule a line, '#' comments):
//     error.type:DatabaseUnavailable -> system-down
//     type:ConnectionError message:"*timed out*" -> conn-timeout, {{ transaction }} title="Timeout in {{ transaction }}"
// JSON form: [{"matchers": [["type", "DatabaseUnavailable"]], "fingerprint": ["system-down"],
//              "attributes": {"title": "..."}}, ...]
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event.hpp"

namespace triage {

struct FingerprintRuleSet;  // opaque

class FingerprintRules {
public:
	FingerprintRules();
	~FingerprintRules();
	FingerprintRules(FingerprintRules &&) noexcept;
	FingerprintRules &operator=(FingerprintRules &&) noexcept;

	// Text or JSON form: JSON when the text starts with '{', "[{" or "[]" (a text rule may
	// itself start with '[', a caller-frame matcher).
	// Throws Error(rule_syntax) naming the line / rule and what is wrong.
	static FingerprintRules parse(std::string_view text);
	bool empty() const;
	const FingerprintRuleSet &set() const { return *set_; }

private:
	std::unique_ptr<FingerprintRuleSet> set_;
};

// The built-in fingerprinting rules of a grouping config (for the current configs the
// "javascript@2024-02-02" base: chunk-load errors, hydration errors). nullptr for none.
const FingerprintRules *builtin_fingerprint_rules(std::string_view config_id);

struct FingerprintMatch {
	std::vector<std::string> fingerprint;  // the rule's raw fingerprint (variables unresolved)
	std::optional<std::string> title;      // attributes.title, unresolved
	bool builtin = false;                  // matched a built-in rule rather than a project rule
};

// First matching rule: project rules first, then the built-in ones. Either may be null.
std::optional<FingerprintMatch> match_fingerprint_rules(const FingerprintRules *project,
                                                        const FingerprintRules *builtin, const Event &event);

// Whether an entry is the {{ default }} placeholder ("{{default}}" and other spacing count).
bool is_default_entry(std::string_view entry);

// Resolves variables in each entry that is a whole "{{ name }}" (everything but {{ default }},
// which stays). legacy_unknown keeps unknown variables verbatim (newstyle:2025-11-21); otherwise they
// become "<unrecognized-variable-NAME>".
std::vector<std::string> resolve_fingerprint(const std::vector<std::string> &fingerprint, const Event &event,
                                             bool legacy_unknown = false);

// Expands {{ name }} occurrences inside a title template with the same variables.
std::string resolve_title_template(std::string_view title, const Event &event);

} // namespace triage
