#include "metadata.hpp"

#include "civil_dates.hpp"
#include "releases.hpp"
#include "sdk_name.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <cmath>
#include <cstring>

#include "function_names.hpp"

namespace triage {

namespace {

// ---------------------------------------------------------------------------------------------
// Text helpers with Python's notion of characters (code points) and white space, since Sentry's
// limits and line splitting are Python's.

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length in bytes of the white space (as Python's str.strip sees it) starting at text[i], or 0.
size_t space_at(std::string_view text, size_t i) {
	unsigned char c = static_cast<unsigned char>(text[i]);
	if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F))
		return 1;
	auto rest = text.substr(i);
	if (c == 0xC2 && rest.size() >= 2 && (rest[1] == '\x85' || rest[1] == '\xA0'))
		return 2;
	if (rest.size() >= 3 && (c == 0xE1 || c == 0xE2 || c == 0xE3)) {
		unsigned char b = static_cast<unsigned char>(rest[1]), d = static_cast<unsigned char>(rest[2]);
		if (c == 0xE1 && b == 0x9A && d == 0x80) // U+1680
			return 3;
		if (c == 0xE2 && b == 0x80 && (d <= 0x8A || d == 0xA8 || d == 0xA9 || d == 0xAF)) // U+2000-200A, 2028/9, 202F
			return 3;
		if (c == 0xE2 && b == 0x81 && d == 0x9F) // U+205F
			return 3;
		if (c == 0xE3 && b == 0x80 && d == 0x80) // U+3000
			return 3;
	}
	return 0;
}

std::string_view strip(std::string_view text) {
	size_t begin = 0;
	while (begin < text.size()) {
		size_t n = space_at(text, begin);
		if (!n)
			break;
		begin += n;
	}
	size_t end = text.size();
	while (end > begin) {
		size_t start = end - 1; // the start of the last character
		while (start > begin && is_continuation(static_cast<unsigned char>(text[start])))
			start--;
		if (space_at(text, start) != end - start)
			break;
		end = start;
	}
	return text.substr(begin, end - begin);
}

// The first line as Python's str.splitlines() cuts it (\n, \r, \v, \f, \x1c-\x1e, U+0085,
// U+2028, U+2029 end a line).
std::string_view first_line(std::string_view text) {
	for (size_t i = 0; i < text.size(); i++) {
		unsigned char c = static_cast<unsigned char>(text[i]);
		if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E))
			return text.substr(0, i);
		if (c == 0xC2 && i + 1 < text.size() && text[i + 1] == '\x85')
			return text.substr(0, i);
		if (c == 0xE2 && i + 2 < text.size() && text[i + 1] == '\x80' && (text[i + 2] == '\xA8' || text[i + 2] == '\xA9'))
			return text.substr(0, i);
	}
	return text;
}

bool contains(std::string_view haystack, std::string_view needle) {
	return haystack.find(needle) != std::string_view::npos;
}

// ---------------------------------------------------------------------------------------------
// Stack traces

bool has_frames(const std::optional<Stacktrace> &st) { return st && !st->frames.empty(); }

// The frames the crash location comes from: the last exception's, else the event's, else those
// of the only thread.
const std::vector<Frame> *crash_frames(const Event &event) {
	if (!event.exceptions.empty() && has_frames(event.exceptions.back().stacktrace))
		return &event.exceptions.back().stacktrace->frames;
	if (has_frames(event.stacktrace))
		return &event.stacktrace->frames;
	if (event.threads.size() == 1 && has_frames(event.threads[0].stacktrace))
		return &event.threads[0].stacktrace->frames;
	return nullptr;
}

// in-app-only, system-only or mixed over every stack trace with frames (raw ones included, as
// Sentry's stack-trace normalization counts them); empty when there is none.
std::string_view in_app_frame_mix(const Event &event) {
	size_t traces = 0, in_app_only = 0, system_only = 0;
	auto count = [&](const std::optional<Stacktrace> &st) {
		if (!has_frames(st))
			return;
		bool any_in_app = false, any_system = false;
		for (const Frame &f : st->frames)
			(f.is_in_app() ? any_in_app : any_system) = true;
		traces++;
		in_app_only += any_in_app && !any_system;
		system_only += any_system && !any_in_app;
	};
	for (const Exception &e : event.exceptions)
		count(e.stacktrace);
	count(event.stacktrace);
	for (const Thread &t : event.threads)
		count(t.stacktrace);
	for (const Exception &e : event.exceptions)
		count(e.raw_stacktrace);
	if (!traces)
		return {};
	return in_app_only == traces ? "in-app-only" : system_only == traces ? "system-only" : "mixed";
}

// A frame's culprit: "function(module)" for JavaScript, "module in function" elsewhere, the
// function alone for native code.
std::string frame_culprit(const Frame &frame) {
	std::string_view platform = frame.platform;
	std::string_view function = frame.function.empty() ? std::string_view("?") : frame.function;
	if (platform == "objc" || platform == "cocoa" || platform == "native")
		return std::string(function);
	std::string_view fileloc = !frame.module.empty() ? frame.module : frame.filename;
	if (fileloc.empty())
		return {};
	std::string out;
	if (platform == "javascript" || platform == "node") {
		out.reserve(function.size() + fileloc.size() + 2);
		out.append(function).append("(").append(fileloc).append(")");
	} else {
		out.reserve(function.size() + fileloc.size() + 4);
		out.append(fileloc).append(" in ").append(function);
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// Metadata

const Exception *main_exception(const Event &event, std::optional<int64_t> main_id) {
	if (event.exceptions.empty())
		return nullptr;
	if (main_id && *main_id != 0) // Sentry tests the id for truth: 0 means none
		for (const Exception &e : event.exceptions)
			if (e.mechanism && e.mechanism->exception_id == main_id)
				return &e;
	return &event.exceptions.back();
}

// Metadata entries in Sentry's order; values absent are JSON null.
struct Metadata {
	std::vector<std::pair<std::string_view, std::optional<std::string>>> entries;

	void set(std::string_view key, std::optional<std::string> value) {
		for (auto &entry : entries)
			if (entry.first == key) {
				entry.second = std::move(value); // a dict keeps the key's first position
				return;
			}
		entries.emplace_back(key, std::move(value));
	}
	const std::optional<std::string> *find(std::string_view key) const {
		for (const auto &entry : entries)
			if (entry.first == key)
				return &entry.second;
		return nullptr;
	}
	std::string_view text(std::string_view key) const {
		const auto *value = find(key);
		return value && *value ? std::string_view(**value) : std::string_view();
	}
};

// The function name Sentry shows for a frame: the trimmed name (grouping stored it in function,
// keeping the original in raw_function).
std::string function_name(const Frame &frame) {
	if (!frame.raw_function.empty() || frame.function.empty())
		return std::string(frame.function);
	return trim_function_name(frame.function, frame.platform);
}

void error_metadata(const Event &event, std::optional<int64_t> main_id, Metadata &metadata) {
	const Exception *exception = main_exception(event, main_id);
	if (!exception)
		return;
	metadata.set("value", truncate_chars(exception->value.value_or(""), kMaxExceptionValueLength));
	// A synthetic exception's type is made up by the SDK: it says nothing.
	if (!(exception->mechanism && exception->mechanism->synthetic))
		metadata.set("type", truncate_chars(exception->type.value_or("Error"), kMaxExceptionTypeLength));
	if (const Frame *frame = crash_frame(event)) {
		std::string_view filename = !frame->filename.empty() ? frame->filename : frame->abs_path;
		if (!filename.empty())
			metadata.set("filename", std::string(filename));
		std::string function = function_name(*frame);
		if (!function.empty())
			metadata.set("function", std::move(function));
	}
}

// A CSP report's blocked URI as Sentry shows it: the host for http(s), "scheme://host" or
// "scheme:" for other schemes, 'self' for the page itself.
std::string normalize_blocked_uri(std::string_view value) {
	if (value.empty() || value == "'self'" || value == "self")
		return "'self'";
	size_t colon = value.find(':');
	std::string scheme;
	std::string_view netloc;
	if (colon == std::string_view::npos) {
		scheme = std::string(value);
	} else {
		// urlsplit accepts a scheme of letters, digits, + - . starting with a letter, and lowercases it.
		std::string_view candidate = value.substr(0, colon);
		bool valid = !candidate.empty() && std::isalpha(static_cast<unsigned char>(candidate[0]));
		for (char c : candidate)
			valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.');
		std::string_view rest = value;
		if (valid) {
			for (char c : candidate)
				scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
			rest = value.substr(colon + 1);
		}
		if (rest.substr(0, 2) == "//") {
			rest.remove_prefix(2);
			netloc = rest.substr(0, rest.find_first_of("/?#"));
		}
		if (scheme == "http" || scheme == "https")
			return std::string(netloc);
	}
	static constexpr std::string_view uses_netloc[] = {
	    "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp", "snews",
	    "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git", "git+ssh", "ws", "wss"};
	bool netloc_scheme = false;
	for (auto s : uses_netloc)
		netloc_scheme = netloc_scheme || scheme == s;
	std::string out;
	if (!netloc.empty() || netloc_scheme)
		out = "//" + std::string(netloc);
	if (!scheme.empty())
		out = scheme + ":" + out;
	return out;
}

std::string_view logentry_text(const Event &event) {
	if (event.logentry_formatted && !event.logentry_formatted->empty())
		return *event.logentry_formatted;
	return event.logentry_message.value_or(std::string_view());
}

void append_metadata_json(std::string &out, const Metadata &metadata, std::string_view sdk_name, int priority) {
	out += '{';
	for (const auto &[key, value] : metadata.entries) {
		if (out.size() > 1)
			out += ',';
		append_json_string(out, key);
		out += ':';
		if (value)
			append_json_string(out, *value);
		else
			out += "null";
	}
	if (!sdk_name.empty()) {
		out += out.size() > 1 ? ",\"sdk\":{\"name\":" : "\"sdk\":{\"name\":";
		append_json_string(out, sdk_name);
		out += ",\"name_normalized\":";
		append_json_string(out, normalize_sdk_name(sdk_name));
		out += '}';
	}
	if (out.size() > 1)
		out += ',';
	out += "\"initial_priority\":";
	out += std::to_string(priority);
	out += '}';
}

// ---------------------------------------------------------------------------------------------
// Release, environment, user, tags

bool has_any_of(std::string_view text, std::string_view chars) {
	return text.find_first_of(chars) != std::string_view::npos;
}

size_t char_count(std::string_view text) {
	size_t n = 0;
	for (char c : text)
		n += !is_continuation(static_cast<unsigned char>(c));
	return n;
}

// The release as Relay keeps it: trimmed, and dropped when Relay's validation refuses it.
std::optional<std::string> valid_release(std::string_view release) {
	release = strip(release);
	if (release.empty() || check_release_name(release) != ReleaseNameProblem::none)
		return std::nullopt;
	return std::string(release);
}

std::optional<std::string> valid_environment(std::string_view environment) {
	environment = strip(environment);
	if (environment.empty() || char_count(environment) > kMaxEnvironmentLength ||
	    has_any_of(environment, "\n\r\f/"))
		return std::nullopt;
	return std::string(environment);
}

bool is_ip_address(std::string_view text) {
	if (text.empty() || text.size() > 64)
		return false;
	char buffer[65];
	std::memcpy(buffer, text.data(), text.size());
	buffer[text.size()] = '\0';
	unsigned char address[16];
	return inet_pton(AF_INET, buffer, address) == 1 || inet_pton(AF_INET6, buffer, address) == 1;
}

// The sentry:user tag value: the first of id, username, email and a valid IP address.
std::optional<std::string> user_tag_value(const std::optional<User> &user) {
	if (!user)
		return std::nullopt;
	auto non_empty = [](const std::optional<std::string_view> &v) { return v && !v->empty(); };
	if (non_empty(user->id))
		return "id:" + std::string(*user->id);
	if (non_empty(user->username))
		return "username:" + std::string(*user->username);
	if (non_empty(user->email))
		return "email:" + std::string(*user->email);
	if (non_empty(user->ip_address) && is_ip_address(*user->ip_address))
		return "ip:" + std::string(*user->ip_address);
	return std::nullopt;
}

using Tags = std::vector<std::pair<std::string, std::string>>;

// Sentry's set_tag: an existing tag of that key goes, the new one is appended (value cut to 200).
void set_tag(Tags &tags, std::string_view key, std::string_view value) {
	for (auto it = tags.begin(); it != tags.end();)
		it = it->first == key ? tags.erase(it) : it + 1;
	tags.emplace_back(std::string(key), truncate_chars(value, kMaxTagValueLength));
}

void remove_tag(Tags &tags, std::string_view key) {
	for (auto it = tags.begin(); it != tags.end();)
		it = it->first == key ? tags.erase(it) : it + 1;
}

void context_tags(Tags &tags, std::string_view alias, const NamedContext &context) {
	if (!context.present || !context.name)
		return;
	// Sentry formats "{name} {version}" and "{name}" and keeps non-empty results, stripped.
	if (context.version) {
		std::string both = std::string(*context.name) + " " + std::string(*context.version);
		if (std::string_view value = strip(both); !value.empty())
			set_tag(tags, alias, value);
	}
	if (std::string_view name = strip(*context.name); !name.empty())
		set_tag(tags, std::string(alias) + ".name", name);
}

Tags event_tags(const Event &event, const SaveFields &fields) {
	Tags tags;
	tags.reserve(event.tags.size() + 10);
	// The payload's tags, as Relay keeps them: non-empty, at most 200 characters, one line.
	for (const auto &[key, value] : event.tags) {
		std::string_view k = strip(key), v = strip(value);
		if (k.empty() || v.empty() || char_count(k) > kMaxTagKeyLength || char_count(v) > kMaxTagValueLength ||
		    has_any_of(v, "\n\r"))
			continue;
		tags.emplace_back(std::string(k), std::string(v));
	}
	if (!event.server_name.empty())
		set_tag(tags, "server_name", event.server_name);
	if (!event.site.empty())
		set_tag(tags, "site", event.site);
	set_tag(tags, "level", fields.level);
	if (!event.logger.empty())
		set_tag(tags, "logger", event.logger);
	if (fields.environment)
		set_tag(tags, "environment", *fields.environment);
	if (!event.transaction.empty())
		set_tag(tags, "transaction", event.transaction);
	if (fields.release) {
		remove_tag(tags, "release");
		set_tag(tags, "sentry:release", *fields.release);
	}
	if (fields.user_key) {
		remove_tag(tags, "user");
		set_tag(tags, "sentry:user", *fields.user_key);
	}
	// Interface tags: the outermost exception's mechanism, then the contexts.
	if (!event.exceptions.empty() && event.exceptions.back().mechanism) {
		const Mechanism &m = *event.exceptions.back().mechanism;
		if (!m.type.empty())
			set_tag(tags, "mechanism", m.type);
		if (m.handled)
			set_tag(tags, "handled", *m.handled ? "yes" : "no");
	}
	// The request interface's tag: its URL without query string or fragment (Relay keeps those
	// apart).
	if (!event.request_url.empty()) {
		std::string_view url = event.request_url.substr(0, event.request_url.find_first_of("?#"));
		if (!url.empty())
			set_tag(tags, "url", url);
	}
	context_tags(tags, "os", event.os_context);
	context_tags(tags, "runtime", event.runtime_context);
	context_tags(tags, "browser", event.browser_context);
	return tags;
}

std::string_view valid_platform(std::string_view platform) {
	static constexpr std::string_view known[] = {"as3",     "c",       "cfml", "cocoa", "csharp", "elixir", "haskell",
	                                             "go",      "groovy",  "java", "javascript", "native", "node", "objc",
	                                             "other",   "perl",    "php",  "python", "ruby"};
	for (auto p : known)
		if (platform == p)
			return platform;
	return "other";
}

} // namespace

// ---------------------------------------------------------------------------------------------

std::string truncate_chars(std::string_view text, size_t max_chars) {
	if (text.size() <= max_chars) // fewer bytes than the limit: fewer characters too
		return std::string(text);
	size_t chars = 0, keep_bytes = 0, keep = max_chars >= 3 ? max_chars - 3 : 0;
	for (size_t i = 0; i < text.size(); i++) {
		if (is_continuation(static_cast<unsigned char>(text[i])))
			continue;
		if (chars == keep)
			keep_bytes = i;
		chars++;
	}
	if (chars <= max_chars)
		return std::string(text);
	std::string out(text.substr(0, keep_bytes));
	out += "...";
	return out;
}

std::string_view event_type_of(const Event &event) {
	if (!event.exceptions.empty())
		return "error";
	if (event.csp.present)
		return "csp";
	if (event.hpkp.present)
		return "hpkp";
	if (event.expectct.present)
		return "expectct";
	if (event.expectstaple.present)
		return "expectstaple";
	return "default";
}

std::string_view normalize_level(const Event &event) {
	if (event.level_number) {
		switch (*event.level_number) {
		case 10: return "debug";
		case 20: return "info";
		case 30: return "warning";
		case 40: return "error";
		case 50: return "fatal";
		default: return "error";
		}
	}
	std::string_view level = event.level;
	if (level == "debug" || level == "info" || level == "warning" || level == "error" || level == "fatal")
		return level;
	if (level == "log")
		return "info";
	if (level == "warn")
		return "warning";
	if (level == "critical")
		return "fatal";
	return "error";
}

std::optional<std::string> parse_event_id(std::string_view text) {
	if (text.size() == 45 && text.substr(0, 9) == "urn:uuid:")
		text.remove_prefix(9);
	else if (text.size() == 38 && text.front() == '{' && text.back() == '}')
		text = text.substr(1, 36);
	if (text.size() != 32 && text.size() != 36)
		return std::nullopt;
	std::string out;
	out.reserve(32);
	for (size_t i = 0; i < text.size(); i++) {
		char c = text[i];
		if (text.size() == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (c != '-')
				return std::nullopt;
			continue;
		}
		if (c >= 'A' && c <= 'F')
			c = static_cast<char>(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return std::nullopt;
		out += c;
	}
	return out;
}

std::optional<double> parse_timestamp(std::string_view text) {
	// A number of seconds written as text.
	if (!text.empty() && text.size() < 40 && text.find_first_not_of("0123456789.") == std::string_view::npos) {
		char buffer[48];
		std::memcpy(buffer, text.data(), text.size());
		buffer[text.size()] = '\0';
		char *end = nullptr;
		double value = std::strtod(buffer, &end);
		if (end == buffer + text.size() && std::isfinite(value))
			return value;
		return std::nullopt;
	}
	// YYYY-MM-DD[T ]hh:mm:ss[.fraction][Z|±hh:mm|±hhmm]
	size_t pos = 0;
	auto digits = [&](size_t n, int64_t &out) {
		if (pos + n > text.size())
			return false;
		out = 0;
		for (size_t i = 0; i < n; i++) {
			char c = text[pos + i];
			if (c < '0' || c > '9')
				return false;
			out = out * 10 + (c - '0');
		}
		pos += n;
		return true;
	};
	auto literal = [&](char c) {
		if (pos < text.size() && text[pos] == c) {
			pos++;
			return true;
		}
		return false;
	};
	int64_t year, month, day, hour, minute, second;
	if (!digits(4, year) || !literal('-') || !digits(2, month) || !literal('-') || !digits(2, day))
		return std::nullopt;
	if (!(literal('T') || literal('t') || literal(' ')))
		return std::nullopt;
	if (!digits(2, hour) || !literal(':') || !digits(2, minute) || !literal(':') || !digits(2, second))
		return std::nullopt;
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
		return std::nullopt;
	double fraction = 0;
	if (literal('.')) {
		double scale = 0.1;
		size_t start = pos;
		while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
			fraction += (text[pos] - '0') * scale;
			scale /= 10;
			pos++;
		}
		if (pos == start)
			return std::nullopt;
	}
	int64_t offset = 0;
	if (literal('Z') || literal('z')) {
	} else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
		int sign = text[pos] == '-' ? -1 : 1;
		pos++;
		int64_t oh, om;
		if (!digits(2, oh))
			return std::nullopt;
		literal(':');
		if (!digits(2, om) || oh > 23 || om > 59)
			return std::nullopt;
		offset = sign * (oh * 3600 + om * 60);
	}
	if (pos != text.size())
		return std::nullopt;
	int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
	return static_cast<double>(days * 86400 + hour * 3600 + minute * 60 + second - offset) + fraction;
}

const Frame *crash_frame(const Event &event) {
	const std::vector<Frame> *frames = crash_frames(event);
	if (!frames)
		return nullptr;
	const Frame *fallback = nullptr;
	for (auto it = frames->rbegin(); it != frames->rend(); ++it) {
		const Frame &f = *it;
		// "?" is how JavaScript SDKs write an anonymous function; Relay drops it.
		if (!f.has_function || f.function == "<redacted>" || f.function == "<unknown>" || f.function == "?")
			continue;
		if (f.is_in_app())
			return &f;
		if (!fallback)
			fallback = &f;
	}
	return fallback;
}

std::string generate_culprit(const Event &event) {
	const Stacktrace *stacktrace = nullptr;
	if (!event.exceptions.empty()) {
		// Synthetic exceptions no longer get a culprit.
		const auto &last = event.exceptions.back();
		if (last.mechanism && last.mechanism->synthetic)
			return {};
		for (const Exception &e : event.exceptions)
			if (has_frames(e.stacktrace))
				stacktrace = &*e.stacktrace;
	} else if (has_frames(event.stacktrace)) {
		stacktrace = &*event.stacktrace;
	}
	if (stacktrace) {
		// The innermost in-app frame with a culprit, else the innermost other frame's (even empty).
		std::optional<std::string> fallback;
		for (auto it = stacktrace->frames.rbegin(); it != stacktrace->frames.rend(); ++it) {
			if (it->is_in_app()) {
				std::string culprit = frame_culprit(*it);
				if (!culprit.empty())
					return culprit;
			} else if (!fallback) {
				fallback = frame_culprit(*it);
			}
		}
		if (fallback && !fallback->empty())
			return *fallback;
	}
	return std::string(event.request_url);
}

SaveFields compute_save_fields(const Event &event, const GroupingResult &result, const SaveOptions &options) {
	SaveFields fields;
	fields.event_type = std::string(event_type_of(event));
	fields.platform = std::string(valid_platform(event.platform.empty() ? "other" : event.platform));
	fields.level = std::string(normalize_level(event));
	fields.logger = triage::truncate_chars(event.logger, kMaxLoggerLength);
	static constexpr std::pair<std::string_view, int> levels[] = {
	    {"fatal", 50}, {"error", 40}, {"warning", 30}, {"info", 20}, {"debug", 10}};
	for (const auto &[name, number] : levels)
		if (fields.level == name)
			fields.level_number = number;
	fields.initial_priority = fields.level_number >= 40 ? 75 : fields.level_number == 30 ? 50 : 25;

	if (event.event_id)
		fields.event_id = parse_event_id(*event.event_id);
	if (event.timestamp_seconds)
		fields.timestamp = event.timestamp_seconds;
	else if (event.timestamp_text)
		fields.timestamp = parse_timestamp(*event.timestamp_text);
	if (fields.timestamp && !std::isfinite(*fields.timestamp))
		fields.timestamp.reset();
	if (fields.timestamp && options.received &&
	    (*fields.timestamp > *options.received + 60 || *fields.timestamp < *options.received - 30 * 86400))
		fields.timestamp = options.received;
	fields.release = valid_release(event.release);
	fields.environment = valid_environment(event.environment);
	fields.user_key = user_tag_value(event.user);

	// Metadata: the event type's, a fingerprint rule's title, then in_app_frame_mix.
	Metadata metadata;
	std::string_view type = fields.event_type;
	bool security = type == "csp" || type == "hpkp" || type == "expectct" || type == "expectstaple";
	if (type == "error") {
		error_metadata(event, options.main_exception_id ? options.main_exception_id : event.main_exception_id,
		               metadata);
	} else if (security) {
		metadata.set("message", std::string(strip(logentry_text(event))));
		auto optional_text = [](std::string_view s) {
			return s.empty() ? std::nullopt : std::optional<std::string>(std::string(s));
		};
		if (type == "csp") {
			metadata.set("uri", normalize_blocked_uri(event.csp.blocked_uri));
			metadata.set("directive", optional_text(event.csp.effective_directive));
		} else {
			const HostnameReport &report =
			    type == "hpkp" ? event.hpkp : type == "expectct" ? event.expectct : event.expectstaple;
			metadata.set("origin", optional_text(report.hostname));
		}
	} else {
		std::string_view message = strip(logentry_text(event));
		metadata.set("title", message.empty() ? std::string("<unlabeled event>")
		                                      : truncate_chars(first_line(message), kMaxTitleValueLength));
	}
	if (result.fingerprint_title)
		metadata.set("title", *result.fingerprint_title);
	std::string_view mix = in_app_frame_mix(event);
	if (!mix.empty())
		metadata.set("in_app_frame_mix", std::string(mix));

	// Title and location.
	if (security) {
		std::string_view message = metadata.text("message"), title = metadata.text("title");
		fields.title = std::string(!message.empty() ? message : !title.empty() ? title : "<untitled>");
		std::string_view uri = metadata.text("uri"), origin = metadata.text("origin");
		if (!uri.empty() || !origin.empty())
			fields.location = std::string(!uri.empty() ? uri : origin);
	} else if (const auto *title = metadata.find("title"); title && *title) {
		fields.title = **title;
	} else if (type == "error") {
		const auto *exception_type = metadata.find("type");
		if (exception_type && *exception_type) {
			fields.title = **exception_type;
			std::string_view value = metadata.text("value");
			if (!value.empty())
				fields.title.append(": ").append(truncate_chars(first_line(value), kMaxTitleValueLength));
		}
		if (fields.title.empty()) {
			std::string_view function = metadata.text("function");
			fields.title = std::string(!function.empty() ? function : "<unknown>");
		}
	}
	if (fields.title.empty())
		fields.title = "<untitled>";
	if (type == "error" && metadata.find("filename"))
		fields.location = std::string(metadata.text("filename"));

	// Culprit: the client's, else the transaction, else generated from the stack trace.
	std::string culprit;
	if (event.culprit && !event.culprit->empty())
		culprit = std::string(*event.culprit);
	else if (!event.transaction.empty())
		culprit = std::string(event.transaction);
	else
		culprit = generate_culprit(event);
	fields.culprit = truncate_chars(culprit, kMaxCulpritLength);

	// search_message: the log message, then metadata texts and the culprit not already in it.
	std::string message(logentry_text(event));
	for (const auto &[key, value] : metadata.entries) {
		if (key == "in_app_frame_mix")
			continue;
		std::string_view text = value ? std::string_view(*value) : std::string_view("None");
		if (!contains(message, text))
			message.append(" ").append(text);
	}
	if (!fields.culprit.empty() && !contains(message, fields.culprit))
		message.append(" ").append(fields.culprit);
	fields.search_message = truncate_chars(strip(message), kMaxSearchMessageLength);
	std::string_view stripped = strip(fields.search_message);
	fields.group_message = stripped.empty() ? std::string() : truncate_chars(first_line(stripped), kMaxGroupMessageLength);

	fields.metadata_json.reserve(256);
	append_metadata_json(fields.metadata_json, metadata, event.sdk_name, fields.initial_priority);
	fields.tags = event_tags(event, fields);
	return fields;
}

} // namespace triage
