#include "side_tables.hpp"

#include <unordered_map>
#include <unordered_set>

#include "backend_cache.hpp"
#include "metadata.hpp"
#include "spi.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
}

namespace triage_pg {

namespace {

KeptPlan find_environment{"SELECT id FROM triage.environments WHERE project_id = $1 AND name = $2",
                          {INT8OID, TEXTOID}};

KeptPlan create_environment{"INSERT INTO triage.environments (project_id, name) VALUES ($1, $2) "
                            "ON CONFLICT (project_id, name) DO NOTHING RETURNING id",
                            {INT8OID, TEXTOID}};

// Sentry prefers an existing "<slug>-<version>" release (legacy naming) over "<version>".
KeptPlan find_release{"(SELECT id, version, COALESCE(date_released, date_added) FROM triage.releases "
                      "WHERE project_id = $1 AND version = $3) UNION ALL "
                      "(SELECT id, version, COALESCE(date_released, date_added) FROM triage.releases "
                      "WHERE project_id = $1 AND version = $2) LIMIT 1",
                      {INT8OID, TEXTOID, TEXTOID}};

KeptPlan create_release{
    "INSERT INTO triage.releases (project_id, organization_id, version, date_added, package, major, minor, patch, "
    "revision, prerelease, build_code, build_number) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
    "ON CONFLICT (project_id, version) DO NOTHING RETURNING id, version, date_added",
    {INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTOID, INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TEXTOID,
     INT8OID}};

KeptPlan add_group_environment{
    "INSERT INTO triage.group_environments (project_id, group_id, environment_id, first_release, first_seen) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, group_id, environment_id) DO NOTHING RETURNING 1",
    {INT8OID, INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID}};

// last_seen moves only when it is more than a minute behind (Sentry's 60-second throttle).
KeptPlan touch_release_environment{
    "INSERT INTO triage.release_environments AS re (project_id, release_id, environment_id, first_seen, last_seen, "
    "new_issues_count) VALUES ($1, $2, $3, $4, $4, $5) "
    "ON CONFLICT (project_id, release_id, environment_id) DO UPDATE SET "
    "last_seen = CASE WHEN re.last_seen < EXCLUDED.last_seen - interval '60 seconds' THEN EXCLUDED.last_seen "
    "ELSE re.last_seen END, new_issues_count = re.new_issues_count + EXCLUDED.new_issues_count "
    "WHERE re.last_seen < EXCLUDED.last_seen - interval '60 seconds' OR EXCLUDED.new_issues_count > 0",
    {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, INT8OID}};

KeptPlan touch_group_release{
    "INSERT INTO triage.group_releases AS gr (project_id, group_id, release_id, environment, first_seen, last_seen) "
    "VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (project_id, group_id, release_id, environment) DO UPDATE SET "
    "last_seen = EXCLUDED.last_seen WHERE gr.last_seen < EXCLUDED.last_seen - interval '60 seconds'",
    {INT8OID, INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID}};

KeptPlan count_release_new_group{"UPDATE triage.releases SET new_groups = new_groups + 1 WHERE id = $1", {INT8OID}};


// ------------------------------------------------------------------------------------------
// What this backend knows to exist. Keys are the rows' keys as bytes. Entries are dropped all at
// once when the cache generation moves (a change to these tables by anyone else, an abort) or
// when a map grows past kMaxEntries.
constexpr size_t kMaxEntries = 200000;
constexpr TimestampTz kLastSeenThrottle = 60 * USECS_PER_SEC; // Sentry's 60-second rule

struct Caches {
	uint64_t generation = 0;
	std::unordered_map<std::string, triage::ReleaseRef> releases;
	std::unordered_map<std::string, int64_t> environments;
	std::unordered_set<std::string> group_environments;
	std::unordered_map<std::string, TimestampTz> release_environments; // last_seen written
	std::unordered_map<std::string, TimestampTz> group_releases;       // last_seen written
};

Caches &caches() {
	static Caches c;
	watch_cached_tables();
	uint64_t generation =
	    cache_generation({CachedTable::releases, CachedTable::environments, CachedTable::group_environments,
	                      CachedTable::group_releases, CachedTable::release_environments});
	if (c.generation != generation) {
		c.releases.clear();
		c.environments.clear();
		c.group_environments.clear();
		c.release_environments.clear();
		c.group_releases.clear();
		c.generation = generation;
	}
	return c;
}

template <typename Map, typename Value> void remember(Map &map, std::string key, Value value) {
	if (map.size() >= kMaxEntries)
		map.clear();
	map.insert_or_assign(std::move(key), std::move(value));
}

void append(std::string &key, int64_t value) { key.append(reinterpret_cast<const char *>(&value), sizeof value); }

std::string make_key(int64_t a, int64_t b = 0, int64_t c = 0) {
	std::string key;
	append(key, a);
	append(key, b);
	append(key, c);
	return key;
}

// The first n code points of UTF-8 text (Python's text[:n], which Sentry uses for names).
std::string first_code_points(const std::string &text, size_t n) {
	size_t i = 0;
	for (size_t count = 0; i < text.size(); i++)
		if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && count++ == n)
			break;
	return text.substr(0, i);
}

int64_t to_unix_micros(TimestampTz ts) { return ts + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY; }

int64_t find_or_create_environment(const Project &project, const std::string &name) {
	Caches &c = caches();
	std::string key = make_key(project.id) + name;
	if (auto it = c.environments.find(key); it != c.environments.end())
		return it->second;
	for (int attempt = 0; attempt < 2; attempt++) {
		SpiResult found = spi_execute(find_environment, SpiArgs().int8(project.id).text(name), 1);
		if (found.rows() == 0)
			found = spi_execute(create_environment, SpiArgs().int8(project.id).text(name), 1);
		if (found.rows() > 0) {
			int64_t id = found.int8(0, 0);
			remember(c.environments, key, id);
			return id;
		}
	}
	throw SqlError{ERRCODE_INTERNAL_ERROR, "environment \"" + name + "\" could not be found or created", ""};
}

} // namespace

triage::ReleaseRef find_or_create_release(const Project &project, const std::string &version, TimestampTz occurred_at) {
	Caches &c = caches();
	std::string key = make_key(project.id) + version;
	if (auto it = c.releases.find(key); it != c.releases.end())
		return it->second;
	std::string prefixed = first_code_points(project.slug + "-" + version, 250);
	for (int attempt = 0; attempt < 2; attempt++) {
		SpiResult found = spi_execute(find_release, SpiArgs().int8(project.id).text(version).text(prefixed), 1);
		if (found.rows() == 0) {
			std::optional<triage::SemverColumns> semver = triage::semver_columns(version);
			SpiArgs args;
			args.int8(project.id).int8(project.organization_id).text(version).timestamptz(occurred_at);
			if (semver) {
				args.text(semver->package).int8(semver->major).int8(semver->minor).int8(semver->patch);
				args.int8(semver->revision).text(semver->prerelease).optional_text(semver->build_code);
				if (semver->build_number)
					args.int8(*semver->build_number);
				else
					args.null();
			} else {
				args.null().null().null().null().null().null().null().null();
			}
			found = spi_execute(create_release, args, 1);
			if (found.rows() == 0)
				continue; // created concurrently: read it again
		}
		triage::ReleaseRef ref{found.int8(0, 0), found.text(0, 1), to_unix_micros(found.timestamptz(0, 2))};
		remember(c.releases, key, ref);
		return ref;
	}
	throw SqlError{ERRCODE_INTERNAL_ERROR, "release \"" + version + "\" could not be found or created", ""};
}

void record_side_tables(const Project &project, const EventPlacement &event) {
	int64_t environment_id = find_or_create_environment(project, event.environment);
	if (!event.group_id)
		return;
	Caches &c = caches();
	int64_t group_id = *event.group_id;

	bool new_group_environment = false;
	std::string group_environment_key = make_key(project.id, group_id, environment_id);
	if (!c.group_environments.count(group_environment_key)) {
		SpiArgs args;
		args.int8(project.id).int8(group_id).int8(environment_id);
		if (event.release)
			args.text(event.release->version);
		else
			args.null();
		args.timestamptz(event.occurred_at);
		new_group_environment = spi_execute(add_group_environment, args, 1).rows() > 0;
		if (c.group_environments.size() >= kMaxEntries)
			c.group_environments.clear();
		c.group_environments.insert(std::move(group_environment_key));
	}
	if (!event.release)
		return;
	const triage::ReleaseRef &release = *event.release;

	// Written when new to this backend, when a new issue-environment pair counts, or when the last
	// last_seen it wrote is more than a minute behind.
	auto due = [&](std::unordered_map<std::string, TimestampTz> &map, const std::string &key) {
		auto it = map.find(key);
		return it == map.end() || it->second < event.occurred_at - kLastSeenThrottle;
	};
	std::string release_environment_key = make_key(project.id, release.id, environment_id);
	if (new_group_environment || due(c.release_environments, release_environment_key)) {
		spi_execute(touch_release_environment, SpiArgs()
		                                           .int8(project.id)
		                                           .int8(release.id)
		                                           .int8(environment_id)
		                                           .timestamptz(event.occurred_at)
		                                           .int8(new_group_environment ? 1 : 0));
		remember(c.release_environments, release_environment_key, event.occurred_at);
	}
	std::string group_release_key = make_key(project.id, group_id, release.id) + event.environment;
	if (due(c.group_releases, group_release_key)) {
		spi_execute(touch_group_release, SpiArgs()
		                                     .int8(project.id)
		                                     .int8(group_id)
		                                     .int8(release.id)
		                                     .text(event.environment)
		                                     .timestamptz(event.occurred_at));
		remember(c.group_releases, group_release_key, event.occurred_at);
	}
	if (event.is_new_group)
		spi_execute(count_release_new_group, SpiArgs().int8(release.id));
}

} // namespace triage_pg
