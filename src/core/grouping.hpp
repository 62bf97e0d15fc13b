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
	// A node may stand for a shared, immutable subtree (a cached stack trace): its values and
	// children are then those of `shared`, while contributes stays its own, and so does a hint
	// set on it (hint_text() falls back to the shared one).
	std::shared_ptr<const Component> shared;
	// On a node built for sharing: its contributing values concatenated, which is all a hash
	// over it needs (hashes take the values' bytes with no separator).
	std::string flat_values;

	const std::vector<std::string> &leaf_values() const { return shared ? shared->values : values; }
	const std::string &hint_text() const { return hint.empty() && shared ? shared->hint : hint; }
	const std::vector<Component> &child_components() const { return shared ? shared->children : children; }
};

struct Variant {
	std::string name;      // app, system, default, checksum, hashed_checksum, custom_client_fingerprint, ...
	std::string type;      // component, salted_component, checksum, hashed_checksum, custom_fingerprint,
	                       // built_in_fingerprint, fallback
	std::optional<std::string> hash;
	std::string hint;
	std::optional<Component> root;        // component and salted_component variants
	std::vector<std::string> fingerprint; // custom and salted variants: the resolved fingerprint
	std::vector<std::string> hashed_values; // what was hashed (with details only)
	bool contributes() const { return hash.has_value(); }
};

struct GroupingResult {
	std::string config;
	HashAlgorithm algorithm = HashAlgorithm::xxh3_128;
	std::vector<Variant> variants;   // in Sentry's variant order
	std::vector<std::string> hashes; // primary first, system last, no duplicates
	std::optional<std::string> fingerprint_title; // a matching rule's attributes.title, variables resolved
	// The exception exception-group filtering chose as the main one (its mechanism.exception_id),
	// which the title describes (Sentry writes it to the event as main_exception_id).
	std::optional<int64_t> main_exception_id;
};

constexpr std::string_view kDefaultGroupingConfig = "newstyle:2026-01-20";
// Stack traces whose grouping decisions a Grouper remembers (0 turns the cache off). An entry
// takes about 2.5 KB per frame (about 50 KB for a 20-frame stack trace, both variants' trees).
constexpr size_t kDefaultStacktraceCacheEntries = 256;

struct StacktraceCache;
struct ParseBuffers;
struct StacktraceCacheStats {
	size_t entries, capacity;
	uint64_t hits, misses;
};
bool is_known_grouping_config(std::string_view config_id);

// A reusable grouping setup: a config plus a project's own rules (parsed once), and a cache of
// stack-trace decisions. Not thread-safe: one Grouper per thread (PostgreSQL backends have one).
class Grouper {
public:
	// Throws Error(invalid_parameter) for an unknown config, Error(rule_syntax) for bad rules.
	Grouper(std::string_view config_id, std::string_view stacktrace_rules, std::string_view fingerprinting_rules);
	~Grouper();
	Grouper(Grouper &&) noexcept;

	void set_stacktrace_cache_entries(size_t entries);
	StacktraceCacheStats stacktrace_cache_stats() const;

	// Groups a parsed event. The event's frames are classified in place (in_app, category).
	// Without details only the hashes are computed: variants carry no hashed_values, and
	// components that cannot contribute may hold no values (what grouping_hashes needs).
	GroupingResult group(Event &event, HashAlgorithm algorithm, bool details = true) const;

	// Parses event JSON into a buffer the Grouper keeps: the event's strings are valid until
	// the next parse() or release_parse_buffers(). Errors as parse_event.
	Event parse(std::string_view event_json, bool validate_utf8 = true) const;
	// Frees a large event's text once its Event is no longer used.
	void release_parse_buffers() const;

	// Parses event JSON and groups it. validate_utf8 = false for text already known to be UTF-8.
	GroupingResult group_json(std::string_view event_json, HashAlgorithm algorithm, bool validate_utf8 = true,
	                          bool details = true) const;

	const std::string &config() const { return config_; }

private:
	std::string config_;
	StacktraceRules stacktrace_rules_;   // the config's defaults combined with the project's rules
	FingerprintRules fingerprint_rules_; // the project's rules (may be empty)
	const FingerprintRules *builtin_fingerprint_rules_ = nullptr;
	// newstyle:2025-11-21 still keeps unknown fingerprint variables verbatim; 2026-01-20 flags them.
	bool legacy_unknown_variables_ = false;
	std::unique_ptr<StacktraceCache> stacktrace_cache_;
	std::unique_ptr<ParseBuffers> parse_buffers_; // reused by group_json
	bool rules_read_exceptions_ = false; // cache keys then include the exception
};

// grouping_info as JSON text: {"config", "hash_algorithm", "hashes", "variants": {...}}.
std::string grouping_info_json(const GroupingResult &result);

} // namespace triage
