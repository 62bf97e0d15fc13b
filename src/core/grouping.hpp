// The grouping engine: from an event to its grouping variants and ordered hash list, as
// Sentry's grouping config newstyle:2026-01-20 computes them (see README, "How grouping works").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event.hpp"
#include "fingerprinting.hpp"
#include "hashing.hpp"
#include "stacktrace_rules.hpp"

namespace triage {

// A node of a variant's component tree. A node holds either leaf values or child nodes. Only
// contributing nodes feed the hash, depth first in child order.
struct Component {
	std::string id;
	bool contributes = false;
	std::string hint;
	std::vector<std::string> values;
	std::vector<Component> children;
};

struct Variant {
	std::string name;      // app, system, default, checksum, hashed_checksum, custom_client_fingerprint, ...
	std::string type;      // component, salted_component, checksum, hashed_checksum, custom_fingerprint,
	                       // built_in_fingerprint, fallback
	std::optional<std::string> hash;
	std::string hint;
	std::optional<Component> root;        // component and salted_component variants
	std::vector<std::string> fingerprint; // custom and salted variants: the resolved fingerprint
	std::vector<std::string> hashed_values; // what was hashed (for inspection and tests)
	bool contributes() const { return hash.has_value(); }
};

struct GroupingResult {
	std::string config;
	HashAlgorithm algorithm = HashAlgorithm::xxh3_128;
	std::vector<Variant> variants;   // in Sentry's variant order
	std::vector<std::string> hashes; // primary first, system last, no duplicates
	std::optional<std::string> fingerprint_title; // attributes.title of a matching fingerprint rule
};

constexpr std::string_view kDefaultGroupingConfig = "newstyle:2026-01-20";
bool is_known_grouping_config(std::string_view config_id);

// A reusable grouping setup: a config plus a project's own rules (parsed once).
class Grouper {
public:
	// Throws Error(invalid_parameter) for an unknown config, Error(rule_syntax) for bad rules.
	Grouper(std::string_view config_id, std::string_view stacktrace_rules, std::string_view fingerprinting_rules);

	// Groups a parsed event. The event's frames are classified in place (in_app, category).
	GroupingResult group(Event &event, HashAlgorithm algorithm) const;

	// Parses event JSON and groups it. validate_utf8 = false for text already known to be UTF-8.
	GroupingResult group_json(std::string_view event_json, HashAlgorithm algorithm, bool validate_utf8 = true) const;

	const std::string &config() const { return config_; }

private:
	std::string config_;
	StacktraceRules stacktrace_rules_;   // the config's defaults combined with the project's rules
	FingerprintRules fingerprint_rules_; // the project's rules (may be empty)
	const FingerprintRules *builtin_fingerprint_rules_ = nullptr;
	// newstyle:2025-11-21 still keeps unknown fingerprint variables verbatim; 2026-01-20 flags them.
	bool legacy_unknown_variables_ = false;
};

// grouping_info as JSON text: {"config", "hash_algorithm", "hashes", "variants": {...}}.
std::string grouping_info_json(const GroupingResult &result);

} // namespace triage
