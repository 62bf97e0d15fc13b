// The event model the grouping engine reads: the parts of a Sentry event payload that grouping,
// fingerprinting and stack-trace rules look at. Strings are views into the parsed JSON document
// (which must outlive the Event) unless noted.
//
// Wrong-shaped fields are ignored field by field: a field of an unexpected JSON type is treated
// as absent and the event is still grouped (see README, "Bad input").
#pragma once

#include <cstdint>
#include <forward_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json.hpp"

namespace triage {

// Behaviour family of a platform, as stack-trace rules and frame normalization see it.
enum class Family { native, javascript, other };
Family family_for_platform(std::string_view platform);
std::string_view family_name(Family family);

struct Frame {
	std::string_view function;      // may be empty
	std::string_view raw_function;
	std::string_view module;
	std::string_view filename;
	std::string_view abs_path;
	std::string_view package;
	std::string_view context_line;
	std::string_view platform;      // frame.platform, else the event's platform
	std::optional<int64_t> lineno;
	std::optional<int64_t> colno;
	std::optional<bool> in_app;     // as sent; stack-trace rules may change it
	bool has_function = false;      // "function" present as a string (even empty)
	bool has_raw_function = false;
	bool has_context_line = false;
	bool has_sourcemap = false;     // frame.data.sourcemap present
	// Set by classifier stack-trace rules (category=...). Views into rule storage, or empty.
	std::string_view category;
	std::optional<bool> orig_in_app; // in_app before a rule changed it
	Family family() const { return family_for_platform(platform); }
	bool is_in_app() const { return in_app.value_or(false); }
};

struct Stacktrace {
	std::vector<Frame> frames;
};

// Frames kept of one stack trace: the ones nearest the crash (the last ones), as Sentry's Relay
// trims them before grouping. It also bounds what an absurd payload costs.
constexpr size_t kMaxFrames = 250;

struct Mechanism {
	std::string_view type;
	std::string_view source; // how the exception relates to its parent ("cause", "__context__", ...)
	bool synthetic = false;
	bool is_exception_group = false;
	std::optional<bool> handled;     // absent: unknown (no "handled" tag)
	std::optional<int64_t> exception_id;
	std::optional<int64_t> parent_id;
	std::optional<std::string_view> ns_error_domain;
	std::optional<int64_t> ns_error_code;
};

struct Exception {
	std::optional<std::string_view> type;
	std::optional<std::string_view> value;
	std::string_view module;
	std::optional<Stacktrace> stacktrace;   // absent when the payload has none
	std::optional<Stacktrace> raw_stacktrace;
	std::optional<Mechanism> mechanism;
};

struct Thread {
	bool crashed = false;
	bool current = false;
	std::optional<Stacktrace> stacktrace;
};

struct Csp {
	std::string_view effective_directive;
	std::string_view blocked_uri;
	std::string_view violated_directive;
	std::string_view original_policy;
	std::string_view document_uri;
	std::string_view source_file;
	bool present = false;
};

struct HostnameReport {      // hpkp, expectct, expectstaple
	std::string_view hostname;
	bool present = false;
};

struct Template {
	std::string_view filename;
	std::string_view abs_path;
	std::string_view context_line;
	bool present = false;
};

// The user interface: what identifies the user (the sentry:user tag).
struct User {
	std::optional<std::string_view> id; // a number is kept as its text, as Relay does
	std::optional<std::string_view> username;
	std::optional<std::string_view> email;
	std::optional<std::string_view> ip_address;
};

// One of the contexts that yield tags (os, runtime, browser).
struct NamedContext {
	std::optional<std::string_view> name;
	std::optional<std::string_view> version;
	bool present = false;
};

struct Event {
	std::optional<std::string_view> event_id; // as sent; see parse_event_id
	// "timestamp" as sent: a number of seconds, or a string (RFC 3339, or a number as text).
	std::optional<double> timestamp_seconds;
	std::optional<std::string_view> timestamp_text;
	std::string_view platform;
	std::string_view level;
	std::optional<int64_t> level_number; // "level" given as a number (Python logging levels)
	std::string_view logger;
	std::string_view transaction;
	std::string_view type; // as sent; "transaction" events never join an error group
	std::string_view release;
	std::string_view environment;
	std::string_view sdk_name;
	std::string_view sdk_version;
	std::optional<std::string_view> culprit; // the client's culprit
	std::string_view server_name;            // legacy attributes Relay turns into tags
	std::string_view site;
	std::string_view request_url;
	std::optional<int64_t> main_exception_id; // the exception the title describes (mechanism.exception_id)
	std::optional<User> user;
	NamedContext os_context, runtime_context, browser_context;
	std::optional<std::string_view> checksum;
	std::optional<std::vector<std::string>> fingerprint;  // client fingerprint, values as strings
	// logentry (or the legacy "message" key): the template and the formatted text.
	std::optional<std::string_view> logentry_message;
	std::optional<std::string_view> logentry_formatted;
	std::vector<Exception> exceptions;  // stored order: innermost/cause first, outermost last
	std::vector<Thread> threads;
	std::optional<Stacktrace> stacktrace; // event-level stack trace
	std::vector<std::pair<std::string_view, std::string_view>> tags;
	Csp csp;
	HostnameReport hpkp;
	HostnameReport expectct;
	HostnameReport expectstaple;
	Template template_info;

	// Storage for strings that normalization rewrites (trimmed function names, ...): the views
	// above may point here. A list never moves its elements and costs nothing while empty.
	std::forward_list<std::string> owned_strings;
	std::string_view own(std::string s) {
		owned_strings.push_front(std::move(s));
		return owned_strings.front();
	}

	// Every stack trace of the event (exceptions, threads, event-level), for rules and fingerprints.
	template <typename F> void for_each_stacktrace(F &&f) {
		for (auto &e : exceptions)
			if (e.stacktrace)
				f(*e.stacktrace, &e);
		for (auto &t : threads)
			if (t.stacktrace)
				f(*t.stacktrace, static_cast<Exception *>(nullptr));
		if (stacktrace)
			f(*stacktrace, static_cast<Exception *>(nullptr));
	}
};

// Builds the model from a parsed payload. The document must be a JSON object (else
// Error(invalid_parameter)). Keys not listed above (such as Sentry's test-only _grouping) are
// never read.
Event read_event(const JsonValue &root);

// Parses event JSON in place and builds the model in the same pass, without a document: the
// fast path. buffer[length] must be NUL; the event's strings point into buffer, which must
// outlive it. Errors as parse_json and read_event.
Event parse_event(char *buffer, size_t length, bool validate_utf8 = true);

} // namespace triage
