// What the save path stores for an event and its group besides the hashes: event type, title,
// culprit, location, metadata, search message, level, tags and the identifying fields (event id,
// timestamp, release, environment, user), as Sentry's EventManager and Relay's normalization
// derive them. Used by the save path (the next milestone); nothing in SQL calls it yet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "event.hpp"
#include "grouping.hpp"
#include "sdk_name.hpp"

namespace triage {

// Sentry's limits (sentry.constants and the event-type classes).
constexpr size_t kMaxCulpritLength = 200;
constexpr size_t kMaxTitleValueLength = 100;     // the value part of an error title, default title
constexpr size_t kMaxExceptionTypeLength = 128;
constexpr size_t kMaxExceptionValueLength = 1024;
constexpr size_t kMaxSearchMessageLength = 8192;
constexpr size_t kMaxGroupMessageLength = 255;   // Group.message on create: first line
constexpr size_t kMaxTagKeyLength = 200;         // Relay's limits; longer tags are dropped
constexpr size_t kMaxTagValueLength = 200;
constexpr size_t kMaxEnvironmentLength = 64;
constexpr size_t kMaxLoggerLength = 64;          // Group.logger is a varchar(64) in Sentry

struct SaveFields {
	std::string event_type;   // error, default, csp, hpkp, expectct, expectstaple
	std::string title;
	std::string culprit;
	std::optional<std::string> location;
	// group.data["metadata"] as a JSON object: the event's metadata plus sdk and initial_priority.
	std::string metadata_json;
	std::string search_message; // the event's search_message (the full Group.message on update)
	std::string group_message;  // Group.message on create: its first line, at most 255 characters
	std::string level;          // fatal, error, warning, info or debug
	int level_number = 40;      // Group.level: 50, 40, 30, 20, 10
	int initial_priority = 75;  // 75 high (error, fatal), 50 medium (warning), 25 low (info, debug)
	std::string platform;
	std::string logger;         // empty when the event names none
	std::optional<std::string> event_id;  // 32 lowercase hex digits; absent: the caller makes one
	std::optional<double> timestamp;      // Unix seconds; absent: the caller uses the received time
	std::optional<std::string> release;
	std::optional<std::string> environment;
	std::optional<std::string> user_key;  // the sentry:user tag value
	std::vector<std::pair<std::string, std::string>> tags;
};

struct SaveOptions {
	// When the event arrived (Unix seconds). With it, timestamps more than 30 days in the past or
	// more than 60 seconds in the future are replaced by it, as Relay does.
	std::optional<double> received;
	// The exception the grouping chose as main (mechanism.exception_id), which overrides the
	// payload's main_exception_id.
	std::optional<int64_t> main_exception_id;
};

// Computes the stored fields of an event. The event must have been grouped (Grouper::group
// classifies its frames and normalizes function names); result supplies a fingerprint rule's
// title. Never throws on odd input.
SaveFields compute_save_fields(const Event &event, const GroupingResult &result, const SaveOptions &options = {});

// The parts, for callers and tests.

// Sentry's truncatechars: at most max_chars code points, the last three of them "..." when cut.
std::string truncate_chars(std::string_view text, size_t max_chars);
// The event type as Relay infers it: error when there is an exception, else a security report's
// type, else default.
std::string_view event_type_of(const Event &event);
// The level's canonical name (aliases log, warn, critical; numeric Python levels), error when
// absent or unknown.
std::string_view normalize_level(const Event &event);
// A UUID in the simple, hyphenated, braced or urn form, as 32 lowercase hex digits.
std::optional<std::string> parse_event_id(std::string_view text);
// A timestamp string: RFC 3339 (offset optional, UTC assumed) or a number of seconds.
std::optional<double> parse_timestamp(std::string_view text);
// The culprit Sentry generates from the crash stack trace (or the request URL), untruncated.
std::string generate_culprit(const Event &event);
// The frame the title and location describe: the innermost in-app frame with a function, else the
// innermost frame with one. Null when there is none.
const Frame *crash_frame(const Event &event);

} // namespace triage
