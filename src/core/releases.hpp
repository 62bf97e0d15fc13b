// Releases for the save path: reading a release name the way Sentry's release parser
// (sentry-release-parser 1.3, behind sentry_relay's parse_release and compare_version) does, the
// semver columns Sentry stores on a new release, whether a project follows semver, whether a
// resolution still covers an event's release (GroupResolution.has_resolution) and the display form
// of short ids (SLUG-<base32>). Pure functions: the caller reads the rows and passes them in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

// ---------------------------------------------------------------------------------------------
// Release names and versions

// Relay's limit on a release name, in bytes after trimming.
constexpr size_t kMaxRelayReleaseBytes = 200;

// Why Relay's validate_release refuses a (trimmed) release name.
enum class ReleaseNameProblem {
	none,
	too_long,        // more than 200 bytes
	restricted_name, // ".", ".." or "latest" in any ASCII case
	bad_characters,  // '/', '\\', a control character (0x00-0x1f) or DEL
};

ReleaseNameProblem check_release_name(std::string_view trimmed_name);

// A version in the parser's permissive semver: major[.minor[.patch[.revision]]], then a
// pre-release (after '-', or directly after a lowercase letter when there are at least two
// components: "1.0rc1"), then "+build". Components too large for 64 bits read as 0, as the parser
// reads them.
struct ReleaseVersion {
	std::string raw;
	uint64_t major = 0;
	uint64_t minor = 0;
	uint64_t patch = 0;
	uint64_t revision = 0;
	int components = 1;       // how many of major, minor, patch, revision were written
	std::string prerelease;   // without the leading '-'; empty when none
	std::string build_code;   // after '+'; empty when none
};

std::optional<ReleaseVersion> parse_version(std::string_view text);

// Sentry's version precedence (Relay's compare_version): major, minor, patch, revision, then a
// version without pre-release above one with, then pre-releases compared as plain byte strings
// ("rc10" < "rc2"). Build codes never count: 1.0+a and 1.0+b compare equal. -1, 0 or 1.
int compare_versions(const ReleaseVersion &left, const ReleaseVersion &right);

// A release name read as "package@version". The version is parsed only when there is a package
// and the version part is not a build hash (12, 16, 20, 32, 40 or 64 hex digits).
struct ParsedRelease {
	std::string package;      // empty when the name has no "package@" part
	std::string version_raw;  // the part after '@', or the whole name when there is no package
	std::optional<ReleaseVersion> version;
};

// Trims Unicode white space, then validates (check_release_name) and splits. Null when the name
// is invalid, where Sentry's parse_release raises.
std::optional<ParsedRelease> parse_release(std::string_view name);

// The denormalized semver columns of sentry_release, filled on create when the version parses
// with a package and every component fits a non-negative bigint (9.2, 12.10). A release with these
// columns is what Sentry calls a semver release (Release.is_semver_release: package is not null).
struct SemverColumns {
	std::string package;
	int64_t major = 0;
	int64_t minor = 0;
	int64_t patch = 0;
	int64_t revision = 0;
	std::string prerelease;                // "" when none
	std::optional<std::string> build_code; // null when none
	std::optional<int64_t> build_number;   // the build code as a non-negative bigint, when it is one
};

std::optional<SemverColumns> semver_columns(std::string_view version);

// Release.is_semver_version: a valid release name (Sentry's own check: none of "\r\n\f\t/\\",
// not blank, ".", ".." or "latest") that contains '@' and has semver columns.
bool is_semver_version(std::string_view version);

// ---------------------------------------------------------------------------------------------
// Regressions (8.2, 8.4)

// Whether a project orders its releases by semver. recent_is_semver: for the project's most recent
// open releases by date_added, newest first, whether each is a semver release (its package column
// is set); only the first 10 count. event_release_version: when given and not empty, it must be a
// semver version too (is_semver_version).
bool follows_semver_versioning_scheme(const std::vector<bool> &recent_is_semver,
                                      std::optional<std::string_view> event_release_version = std::nullopt);

// GroupResolution.type: null, 0 or 1.
enum class ResolutionType { unset, in_release, in_next_release };

// A release row as the regression check sees it. order_date is COALESCE(date_released,
// date_added) in microseconds since the Unix epoch (PostgreSQL's timestamptz resolution).
struct ReleaseRef {
	int64_t id = 0;
	std::string version;
	int64_t order_date = 0;
};

struct Resolution {
	ResolutionType type = ResolutionType::unset;
	ReleaseRef release;                                 // the release the fix is expected in
	std::optional<std::string> current_release_version; // set by "resolve in next release"
	// The organization's release named current_release_version, when the caller found one; only
	// the date-ordered branch uses it.
	std::optional<ReleaseRef> current_release;
};

// GroupResolution.has_resolution: true when the resolution still covers an event of
// event_release, so that the event is no regression. resolution: the group's GroupResolution row
// (null: none). event_release: null when the event has no release. project_follows_semver: the
// project-level answer of follows_semver_versioning_scheme; the event's own version is checked
// here, as Sentry passes it as release_version.
bool has_resolution(const std::optional<Resolution> &resolution, const std::optional<ReleaseRef> &event_release,
                    bool project_follows_semver);

// ---------------------------------------------------------------------------------------------
// Short ids (18.8)

// Sentry's base32 (sentry.utils.numbers): Crockford's alphabet "0123456789ABCDEFGHJKMNPQRSTVWXYZ",
// upper case, no padding, 0 as "0", a negative number with a leading '-'.
std::string base32_encode(int64_t number);

// Sentry's base32_decode for one short-id part: case-insensitive, O read as 0, I and L as 1.
// Throws invalid_parameter on an empty text, a character outside the alphabet (such as U) or a
// value above the largest bigint.
int64_t base32_decode(std::string_view text);

// Group.qualified_short_id: the project slug upper-cased, '-', the short id in base32 ("FOO-1Z").
std::string format_short_id(std::string_view project_slug, int64_t short_id);

struct ShortId {
	std::string project_slug; // lower-cased, as Sentry looks projects up
	int64_t short_id = 0;
};

// Sentry's parse_short_id: surrounding white space is ignored; the id is the run of letters and
// digits after the last '-', '_' or white-space character, and the slug is everything before it.
// Throws invalid_parameter, naming the problem, when there is no separator, the slug is empty, or
// the id part is not valid base32 (see base32_decode).
ShortId parse_short_id(std::string_view text);

} // namespace triage
