#include "releases.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "errors.hpp"

namespace triage {

namespace {

constexpr uint64_t kMaxBigint = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_alnum(char c) { return is_digit(c) || is_lower(c) || (c >= 'A' && c <= 'Z'); }
bool is_identifier_char(char c) { return is_alnum(c) || c == '-'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// ---------------------------------------------------------------------------------------------
// Unicode white space (Rust's str::trim, Python's str.strip)

bool is_unicode_space(uint32_t cp) {
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	       cp == 0x3000;
}

// The code point starting at text[at] and its length in bytes; a malformed sequence reads as one
// byte that is not white space.
std::pair<uint32_t, size_t> code_point_at(std::string_view text, size_t at) {
	auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
	unsigned char lead = byte(at);
	size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 0;
	if (length == 0 || at + length > text.size())
		return {0xfffd, 1};
	uint32_t cp = length == 1 ? lead : lead & (0x7f >> length);
	for (size_t i = 1; i < length; ++i) {
		if ((byte(at + i) & 0xc0) != 0x80)
			return {0xfffd, 1};
		cp = (cp << 6) | (byte(at + i) & 0x3f);
	}
	return {cp, length};
}

std::string_view trim_unicode(std::string_view text) {
	while (!text.empty()) {
		auto [cp, length] = code_point_at(text, 0);
		if (!is_unicode_space(cp))
			break;
		text.remove_prefix(length);
	}
	while (!text.empty()) {
		// Step back to the start of the last code point.
		size_t start = text.size() - 1;
		while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xc0) == 0x80 && text.size() - start < 4)
			--start;
		auto [cp, length] = code_point_at(text, start);
		if (start + length != text.size() || !is_unicode_space(cp))
			break;
		text.remove_suffix(length);
	}
	return text;
}

bool equals_ignoring_ascii_case(std::string_view text, std::string_view lower) {
	if (text.size() != lower.size())
		return false;
	for (size_t i = 0; i < text.size(); ++i) {
		char c = text[i];
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
		if (c != lower[i])
			return false;
	}
	return true;
}

// ---------------------------------------------------------------------------------------------
// Version grammar

// A dotted pre-release or build identifier: letters, digits and '-'; a purely numeric one must be
// "0" or have no leading zero.
bool is_prerelease_identifier(std::string_view piece) {
	if (piece.empty())
		return false;
	bool all_digits = true;
	for (char c : piece) {
		if (!is_identifier_char(c))
			return false;
		all_digits = all_digits && is_digit(c);
	}
	return !all_digits || piece.size() == 1 || piece[0] != '0';
}

// The pre-release text as written: its first character ('-' or a lowercase letter) is followed by
// an optional identifier and then ".identifier" pieces.
bool is_prerelease_text(std::string_view text) {
	std::string_view rest = text.substr(1);
	bool first = true;
	while (true) {
		size_t dot = rest.find('.');
		std::string_view piece = rest.substr(0, dot);
		if (!(first && piece.empty()) && !is_prerelease_identifier(piece))
			return false;
		if (dot == std::string_view::npos)
			return true;
		rest.remove_prefix(dot + 1);
		first = false;
	}
}

bool is_build_text(std::string_view text) {
	while (true) {
		size_t dot = text.find('.');
		std::string_view piece = text.substr(0, dot);
		if (piece.empty())
			return false;
		for (char c : piece)
			if (!is_identifier_char(c))
				return false;
		if (dot == std::string_view::npos)
			return true;
		text.remove_prefix(dot + 1);
	}
}

// A run of digits as u64; the parser reads an overflowing component as 0.
uint64_t component_value(std::string_view digits) {
	uint64_t value = 0;
	for (char c : digits) {
		uint64_t digit = static_cast<uint64_t>(c - '0');
		if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10)
			return 0;
		value = value * 10 + digit;
	}
	return value;
}

bool is_build_hash(std::string_view text) {
	switch (text.size()) {
	case 12: case 16: case 20: case 32: case 40: case 64:
		break;
	default:
		return false;
	}
	for (char c : text)
		if (!is_hex(c))
			return false;
	return true;
}

// Python's int() of a build code, kept when it is a non-negative bigint (Sentry's build_number).
// A build code has no '+', so '-' is the only sign it can carry; "-0" still reads as 0.
std::optional<int64_t> build_number_of(std::string_view code) {
	bool negative = !code.empty() && code[0] == '-';
	if (negative)
		code.remove_prefix(1);
	if (code.empty())
		return std::nullopt;
	uint64_t value = 0;
	for (char c : code) {
		if (!is_digit(c))
			return std::nullopt;
		uint64_t digit = static_cast<uint64_t>(c - '0');
		if (value > (kMaxBigint - digit) / 10)
			return std::nullopt;
		value = value * 10 + digit;
	}
	if (negative && value != 0)
		return std::nullopt;
	return static_cast<int64_t>(value);
}

// Sentry's Release.is_valid_version (BAD_RELEASE_CHARS and the reserved names), which it checks
// before parsing; Relay's stricter check follows in parse_release.
bool is_valid_sentry_version(std::string_view value) {
	if (value.find_first_of(std::string_view("\r\n\f\t/\\")) != std::string_view::npos)
		return false;
	std::string_view stripped = trim_unicode(value);
	return !stripped.empty() && stripped != "." && stripped != ".." && !equals_ignoring_ascii_case(stripped, "latest");
}

// ---------------------------------------------------------------------------------------------
// Short ids

constexpr std::string_view kBase32Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

bool is_short_id_separator(char c) {
	return c == '-' || c == '_' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Release names and versions

ReleaseNameProblem check_release_name(std::string_view trimmed_name) {
	if (trimmed_name.size() > kMaxRelayReleaseBytes)
		return ReleaseNameProblem::too_long;
	if (trimmed_name == "." || trimmed_name == ".." || equals_ignoring_ascii_case(trimmed_name, "latest"))
		return ReleaseNameProblem::restricted_name;
	for (char c : trimmed_name) {
		auto byte = static_cast<unsigned char>(c);
		if (byte < 0x20 || byte == 0x7f || c == '/' || c == '\\')
			return ReleaseNameProblem::bad_characters;
	}
	return ReleaseNameProblem::none;
}

std::optional<ReleaseVersion> parse_version(std::string_view text) {
	ReleaseVersion version;
	version.raw = std::string(text);
	std::array<uint64_t *, 4> fields = {&version.major, &version.minor, &version.patch, &version.revision};
	size_t at = 0;
	for (int component = 0; component < 4; ++component) {
		if (component > 0) {
			if (at >= text.size() || text[at] != '.')
				break;
			++at; // a '.' must introduce another component: nothing else may start with one
		}
		size_t start = at;
		while (at < text.size() && is_digit(text[at]))
			++at;
		if (at == start)
			return std::nullopt;
		*fields[component] = component_value(text.substr(start, at - start));
		version.components = component + 1;
	}
	if (at < text.size() && (text[at] == '-' || is_lower(text[at]))) {
		// "1a1" is refused: with a single component the pre-release needs its dash.
		if (version.components == 1 && text[at] != '-')
			return std::nullopt;
		size_t end = text.find('+', at);
		std::string_view prerelease = end == std::string_view::npos ? text.substr(at) : text.substr(at, end - at);
		if (!is_prerelease_text(prerelease))
			return std::nullopt;
		if (prerelease[0] == '-')
			prerelease.remove_prefix(1);
		version.prerelease = std::string(prerelease);
		at = end == std::string_view::npos ? text.size() : end;
	}
	if (at < text.size() && text[at] == '+') {
		std::string_view build = text.substr(at + 1);
		if (!is_build_text(build))
			return std::nullopt;
		version.build_code = std::string(build);
		at = text.size();
	}
	if (at != text.size())
		return std::nullopt;
	return version;
}

int compare_versions(const ReleaseVersion &left, const ReleaseVersion &right) {
	const std::array<uint64_t, 4> a = {left.major, left.minor, left.patch, left.revision};
	const std::array<uint64_t, 4> b = {right.major, right.minor, right.patch, right.revision};
	if (a != b)
		return a < b ? -1 : 1;
	if (left.prerelease.empty() != right.prerelease.empty())
		return left.prerelease.empty() ? 1 : -1;
	int order = left.prerelease.compare(right.prerelease);
	return order < 0 ? -1 : order > 0 ? 1 : 0;
}

std::optional<ParsedRelease> parse_release(std::string_view name) {
	name = trim_unicode(name);
	if (check_release_name(name) != ReleaseNameProblem::none)
		return std::nullopt;
	ParsedRelease release;
	// "package@version": the package is an optional leading '@' and then no '@'; the version is
	// the non-empty rest.
	size_t package_start = !name.empty() && name[0] == '@' ? 1 : 0;
	size_t at = name.find('@', package_start);
	bool has_package = at != std::string_view::npos && at > package_start && at + 1 < name.size();
	if (!has_package) {
		release.version_raw = std::string(name);
		return release;
	}
	release.package = std::string(name.substr(0, at));
	release.version_raw = std::string(name.substr(at + 1));
	if (!is_build_hash(release.version_raw))
		release.version = parse_version(release.version_raw);
	return release;
}

std::optional<SemverColumns> semver_columns(std::string_view version) {
	std::optional<ParsedRelease> release = parse_release(version);
	if (!release || !release->version)
		return std::nullopt;
	const ReleaseVersion &parsed = *release->version;
	for (uint64_t value : {parsed.major, parsed.minor, parsed.patch, parsed.revision})
		if (value > kMaxBigint)
			return std::nullopt;
	SemverColumns columns;
	columns.package = release->package;
	columns.major = static_cast<int64_t>(parsed.major);
	columns.minor = static_cast<int64_t>(parsed.minor);
	columns.patch = static_cast<int64_t>(parsed.patch);
	columns.revision = static_cast<int64_t>(parsed.revision);
	columns.prerelease = parsed.prerelease;
	if (!parsed.build_code.empty()) {
		columns.build_code = parsed.build_code;
		columns.build_number = build_number_of(parsed.build_code);
	}
	return columns;
}

bool is_semver_version(std::string_view version) {
	return is_valid_sentry_version(version) && version.find('@') != std::string_view::npos &&
	       semver_columns(version).has_value();
}

// ---------------------------------------------------------------------------------------------
// Regressions

bool follows_semver_versioning_scheme(const std::vector<bool> &recent_is_semver,
                                      std::optional<std::string_view> event_release_version) {
	size_t examined = std::min<size_t>(recent_is_semver.size(), 10);
	bool follows = false;
	if (examined > 0) {
		size_t semver_count = 0;
		bool in_newest_three = false;
		for (size_t i = 0; i < examined; ++i) {
			semver_count += recent_is_semver[i];
			in_newest_three = in_newest_three || (i < 3 && recent_is_semver[i]);
		}
		if (examined <= 2)
			follows = recent_is_semver[0]; // only the newest release decides
		else if (examined < 10)
			follows = in_newest_three;
		else
			follows = in_newest_three && semver_count >= 3;
	}
	if (event_release_version && !event_release_version->empty())
		follows = follows && is_semver_version(*event_release_version);
	return follows;
}

namespace {

// Relay's compare_version on the version parts of two release names: null when either name or
// either version does not parse, where Sentry catches a RelayError and falls back to dates.
std::optional<int> compare_release_versions(std::string_view left_name, std::string_view right_name) {
	std::optional<ParsedRelease> left = parse_release(left_name);
	std::optional<ParsedRelease> right = parse_release(right_name);
	if (!left || !right)
		return std::nullopt;
	// The raw version part is parsed again on its own, so a hash-like or package-less version
	// still compares when it reads as a version.
	std::optional<ReleaseVersion> left_version = parse_version(left->version_raw);
	std::optional<ReleaseVersion> right_version = parse_version(right->version_raw);
	if (!left_version || !right_version)
		return std::nullopt;
	return compare_versions(*left_version, *right_version);
}

// "Resolved in next release" by dates: covered when the event is in that very release or in one
// ordered before it.
bool covered_by_date(const ReleaseRef &resolved, const ReleaseRef &event_release) {
	return resolved.id == event_release.id || resolved.order_date > event_release.order_date;
}

} // namespace

bool has_resolution(const std::optional<Resolution> &resolution, const std::optional<ReleaseRef> &event_release,
                    bool project_follows_semver) {
	if (!resolution)
		return false;
	// An event without a release is taken to predate the switch to releases.
	if (!event_release)
		return true;
	// Sentry passes the event's version as release_version, which must be semver too when set.
	bool follows_semver =
	    project_follows_semver && (event_release->version.empty() || is_semver_version(event_release->version));

	const std::optional<std::string> &current = resolution->current_release_version;
	if (current && !current->empty()) {
		if (follows_semver) {
			std::optional<int> order = compare_release_versions(*current, event_release->version);
			if (order) {
				if (*order >= 0)
					return true;
				// current_release_version may predate the project's switch to semver: the resolved
				// release itself decides then, and a newer event release is a regression.
				std::optional<int> resolved_order =
				    compare_release_versions(resolution->release.version, event_release->version);
				if (resolved_order)
					return *resolved_order == 1;
			}
		} else if (resolution->current_release) {
			return covered_by_date(*resolution->current_release, *event_release);
		}
	}

	switch (resolution->type) {
	case ResolutionType::unset:
	case ResolutionType::in_next_release:
		return covered_by_date(resolution->release, *event_release);
	case ResolutionType::in_release:
		// The release that was meant to contain the fix shows the issue again.
		if (resolution->release.id == event_release->id)
			return false;
		if (follows_semver) {
			std::optional<int> order = compare_release_versions(resolution->release.version, event_release->version);
			if (order)
				return *order == 1;
		}
		return resolution->release.order_date >= event_release->order_date;
	}
	return false;
}

// ---------------------------------------------------------------------------------------------
// Short ids

std::string base32_encode(int64_t number) {
	if (number == 0)
		return std::string(1, kBase32Alphabet[0]);
	// The magnitude in unsigned arithmetic, so that the smallest int64 has one too.
	uint64_t magnitude = number < 0 ? 0 - static_cast<uint64_t>(number) : static_cast<uint64_t>(number);
	std::string digits;
	while (magnitude != 0) {
		digits.insert(digits.begin(), kBase32Alphabet[magnitude % 32]);
		magnitude /= 32;
	}
	if (number < 0)
		digits.insert(digits.begin(), '-');
	return digits;
}

int64_t base32_decode(std::string_view text) {
	if (text.empty())
		throw Error(ErrorKind::invalid_parameter, "short id: the number part is empty");
	uint64_t value = 0;
	for (char c : text) {
		char symbol = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
		if (symbol == 'O')
			symbol = '0';
		else if (symbol == 'I' || symbol == 'L')
			symbol = '1';
		size_t digit = kBase32Alphabet.find(symbol);
		if (digit == std::string_view::npos)
			throw Error(ErrorKind::invalid_parameter,
			            "short id: '" + std::string(1, c) + "' is not a base32 digit in \"" + std::string(text) + "\"");
		if (value > (kMaxBigint - digit) / 32)
			throw Error(ErrorKind::invalid_parameter,
			            "short id: \"" + std::string(text) + "\" is larger than a bigint");
		value = value * 32 + digit;
	}
	return static_cast<int64_t>(value);
}

std::string format_short_id(std::string_view project_slug, int64_t short_id) {
	std::string out;
	out.reserve(project_slug.size() + 14);
	for (char c : project_slug)
		out += c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
	out += '-';
	out += base32_encode(short_id);
	return out;
}

ShortId parse_short_id(std::string_view text) {
	std::string_view trimmed = trim_unicode(text);
	size_t id_start = trimmed.size();
	while (id_start > 0 && is_alnum(trimmed[id_start - 1]))
		--id_start;
	if (id_start == trimmed.size())
		throw Error(ErrorKind::invalid_parameter,
		            "short id \"" + std::string(trimmed) + "\" does not end in letters or digits");
	if (id_start == 0 || !is_short_id_separator(trimmed[id_start - 1]))
		throw Error(ErrorKind::invalid_parameter, "short id \"" + std::string(trimmed) +
		                                              "\" has no '-', '_' or space between the slug and the number");
	std::string_view slug = trimmed.substr(0, id_start - 1);
	if (slug.empty())
		throw Error(ErrorKind::invalid_parameter, "short id \"" + std::string(trimmed) + "\" has no project slug");
	if (slug.find('\n') != std::string_view::npos)
		throw Error(ErrorKind::invalid_parameter, "short id: the project slug spans more than one line");
	ShortId id;
	id.project_slug.reserve(slug.size());
	for (char c : slug)
		id.project_slug += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
	id.short_id = base32_decode(trimmed.substr(id_start));
	return id;
}

} // namespace triage
