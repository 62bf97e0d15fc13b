#include "side_tables.hpp"

#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "backend_cache.hpp"
#include "hashing.hpp"
#include "metadata.hpp"
#include "spi.hpp"
#include "time_conversions.hpp"

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

// Taken before a release or an environment is created: the project's counter row, which issue
// creation locks first too (ingest.cpp), so that a transaction creating rows in a project holds
// it before any of them and creators never wait for each other in opposite orders. (Objects of
// 0.2.0 do not allow the row's value 0: creations there go without it.)
KeptPlan lock_creations{"INSERT INTO triage.project_counters AS c (project_id, value) VALUES ($1, 0) "
                        "ON CONFLICT (project_id) DO UPDATE SET value = c.value",
                        {INT8OID}};

void lock_project_creations(int64_t project_id) {
	if (cached_table_exists(CachedTable::tag_keys))
		spi_execute(lock_creations, SpiArgs().int8(project_id));
}

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

// The statement's side-table writes, each one statement over arrays sorted by key, so that
// concurrent statements lock these rows in one order.
KeptPlan add_group_environments{
    "INSERT INTO triage.group_environments (project_id, group_id, environment_id, first_release, first_seen) "
    "SELECT * FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int8[]), pg_catalog.unnest($2::pg_catalog.int8[]), "
    "pg_catalog.unnest($3::pg_catalog.int8[]), pg_catalog.unnest($4::pg_catalog.text[]), "
    "pg_catalog.unnest($5::pg_catalog.timestamptz[])) AS d(p, g, e, r, t) ORDER BY p, g, e "
    "ON CONFLICT (project_id, group_id, environment_id) DO NOTHING RETURNING project_id, group_id, environment_id",
    {INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID}};

// last_seen moves only when it is more than a minute behind (Sentry's 60-second throttle);
// new_issues_count counts new issue-environment pairs.
KeptPlan touch_release_environments{
    "INSERT INTO triage.release_environments AS re (project_id, release_id, environment_id, first_seen, last_seen, "
    "new_issues_count) SELECT * FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int8[]), "
    "pg_catalog.unnest($2::pg_catalog.int8[]), pg_catalog.unnest($3::pg_catalog.int8[]), "
    "pg_catalog.unnest($4::pg_catalog.timestamptz[]), pg_catalog.unnest($5::pg_catalog.timestamptz[]), "
    "pg_catalog.unnest($6::pg_catalog.int8[])) AS d(p, r, e, f, l, n) ORDER BY p, r, e "
    "ON CONFLICT (project_id, release_id, environment_id) DO UPDATE SET "
    "last_seen = CASE WHEN re.last_seen < EXCLUDED.last_seen - interval '60 seconds' THEN EXCLUDED.last_seen "
    "ELSE re.last_seen END, new_issues_count = re.new_issues_count + EXCLUDED.new_issues_count "
    "WHERE re.last_seen < EXCLUDED.last_seen - interval '60 seconds' OR EXCLUDED.new_issues_count > 0",
    {INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID, INT8ARRAYOID}};

KeptPlan touch_group_releases{
    "INSERT INTO triage.group_releases AS gr (project_id, group_id, release_id, environment, first_seen, last_seen) "
    "SELECT * FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int8[]), pg_catalog.unnest($2::pg_catalog.int8[]), "
    "pg_catalog.unnest($3::pg_catalog.int8[]), pg_catalog.unnest($4::pg_catalog.text[]), "
    "pg_catalog.unnest($5::pg_catalog.timestamptz[]), pg_catalog.unnest($6::pg_catalog.timestamptz[])) "
    "AS d(p, g, r, e, f, l) ORDER BY p, g, r, e "
    "ON CONFLICT (project_id, group_id, release_id, environment) DO UPDATE SET "
    "last_seen = EXCLUDED.last_seen WHERE gr.last_seen < EXCLUDED.last_seen - interval '60 seconds'",
    {INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID}};

KeptPlan add_tag_keys{
    "INSERT INTO triage.tag_keys (project_id, key, first_seen) "
    "SELECT * FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int8[]), pg_catalog.unnest($2::pg_catalog.text[]), "
    "pg_catalog.unnest($3::pg_catalog.timestamptz[])) AS d(p, k, t) ORDER BY p, k "
    "ON CONFLICT (project_id, key) DO NOTHING",
    {INT8ARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID}};

KeptPlan count_release_new_groups{
    "UPDATE triage.releases r SET new_groups = r.new_groups + d.n FROM ROWS FROM "
    "(pg_catalog.unnest($1::pg_catalog.int8[]), pg_catalog.unnest($2::pg_catalog.int8[])) AS d(id, n) "
    "WHERE r.id = d.id",
    {INT8ARRAYOID, INT8ARRAYOID}};

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
	std::unordered_set<uint64_t> tag_keys;
};

Caches &caches() {
	static Caches c;
	watch_cached_tables();
	uint64_t generation =
	    cache_generation({CachedTable::releases, CachedTable::environments, CachedTable::group_environments,
	                      CachedTable::group_releases, CachedTable::release_environments, CachedTable::tag_keys});
	if (c.generation != generation) {
		c.releases.clear();
		c.environments.clear();
		c.group_environments.clear();
		c.release_environments.clear();
		c.group_releases.clear();
		c.tag_keys.clear();
		c.generation = generation;
	}
	return c;
}

// The writes of the running statement, by key.
struct PendingGroupEnvironment {
	std::optional<int64_t> release_id; // the first event's release: a new pair counts for it
	std::optional<std::string> first_release;
	TimestampTz first_seen;
};
struct PendingSeen {
	TimestampTz first_seen, last_seen;
};
using Key3 = std::tuple<int64_t, int64_t, int64_t>;
struct Pending {
	std::map<Key3, PendingGroupEnvironment> group_environments;         // project, issue, environment
	std::map<Key3, PendingSeen> release_environments;                   // project, release, environment
	std::map<std::tuple<int64_t, int64_t, int64_t, std::string>, PendingSeen> group_releases; // + env name
	std::map<int64_t, int64_t> new_groups;                              // release id: new issues
	std::map<std::pair<int64_t, std::string>, TimestampTz> tag_keys;     // project, key: first seen
};
Pending pending;

void seen(PendingSeen &s, TimestampTz t, bool first) {
	if (first || t < s.first_seen)
		s.first_seen = t;
	if (first || t > s.last_seen)
		s.last_seen = t;
}

// The latest last_seen written for a key (events need not arrive in time order).
void remember_latest(std::unordered_map<std::string, TimestampTz> &map, std::string key, TimestampTz seen) {
	auto it = map.find(key);
	if (it != map.end()) {
		it->second = std::max(it->second, seen);
		return;
	}
	if (map.size() >= kMaxEntries)
		map.clear();
	map.emplace(std::move(key), seen);
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


int64_t find_or_create_environment(const Project &project, const std::string &name) {
	Caches &c = caches();
	std::string key = make_key(project.id) + name;
	if (auto it = c.environments.find(key); it != c.environments.end())
		return it->second;
	for (int attempt = 0; attempt < 2; attempt++) {
		SpiResult found = spi_execute(find_environment, SpiArgs().int8(project.id).text(name), 1);
		if (found.rows() == 0) {
			lock_project_creations(project.id);
			found = spi_execute(create_environment, SpiArgs().int8(project.id).text(name), 1);
		}
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
			lock_project_creations(project.id);
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
	Caches &c = caches();
	if (event.tags) {
		// Known keys by a 64-bit hash (seeded with the project): every event checks all its tags.
		for (const auto &tag : *event.tags) {
			uint64_t key = triage::hash64(tag.first, static_cast<uint64_t>(project.id));
			if (c.tag_keys.count(key))
				continue;
			auto [it, first] = pending.tag_keys.try_emplace({project.id, tag.first}, event.occurred_at);
			if (!first && event.occurred_at < it->second)
				it->second = event.occurred_at;
			if (c.tag_keys.size() >= kMaxEntries)
				c.tag_keys.clear();
			c.tag_keys.insert(key);
		}
	}
	if (!event.group_id)
		return;
	int64_t group_id = *event.group_id;

	std::string group_environment_key = make_key(project.id, group_id, environment_id);
	if (!c.group_environments.count(group_environment_key)) {
		PendingGroupEnvironment ge{std::nullopt, std::nullopt, event.occurred_at};
		if (event.release) {
			ge.release_id = event.release->id;
			ge.first_release = event.release->version;
		}
		pending.group_environments.emplace(Key3{project.id, group_id, environment_id}, ge);
		if (c.group_environments.size() >= kMaxEntries)
			c.group_environments.clear();
		c.group_environments.insert(std::move(group_environment_key));
	}
	if (!event.release)
		return;
	const triage::ReleaseRef &release = *event.release;

	// Written when new to this backend, or when the last last_seen it wrote is more than a minute
	// behind (new issue-environment pairs are added at the end of the statement).
	auto due = [&](std::unordered_map<std::string, TimestampTz> &map, const std::string &key) {
		auto it = map.find(key);
		return it == map.end() || it->second < event.occurred_at - kLastSeenThrottle;
	};
	std::string release_environment_key = make_key(project.id, release.id, environment_id);
	if (due(c.release_environments, release_environment_key)) {
		Key3 key{project.id, release.id, environment_id};
		auto [it, first] = pending.release_environments.try_emplace(key);
		seen(it->second, event.occurred_at, first);
		remember_latest(c.release_environments, release_environment_key, event.occurred_at);
	}
	std::string group_release_key = make_key(project.id, group_id, release.id) + event.environment;
	if (due(c.group_releases, group_release_key)) {
		auto [it, first] = pending.group_releases.try_emplace({project.id, group_id, release.id, event.environment});
		seen(it->second, event.occurred_at, first);
		remember_latest(c.group_releases, group_release_key, event.occurred_at);
	}
	if (event.is_new_group)
		pending.new_groups[release.id]++;
}

void flush_side_tables() {
	Pending p;
	std::swap(p, pending);
	std::map<Key3, int64_t> new_issues; // project, release, environment: new pairs
	if (!p.group_environments.empty()) {
		std::vector<Datum> projects, groups, environments, times;
		std::vector<std::string> releases;
		std::vector<bool> release_null;
		for (const auto &[key, ge] : p.group_environments) {
			projects.push_back(Int64GetDatum(std::get<0>(key)));
			groups.push_back(Int64GetDatum(std::get<1>(key)));
			environments.push_back(Int64GetDatum(std::get<2>(key)));
			releases.push_back(ge.first_release.value_or(""));
			release_null.push_back(!ge.first_release);
			times.push_back(TimestampTzGetDatum(ge.first_seen));
		}
		SpiArgs args;
		args.int8_array(projects).int8_array(groups).int8_array(environments);
		args.text_array(releases, release_null).timestamptz_array(times);
		SpiResult added = spi_execute(add_group_environments, args);
		for (uint64_t i = 0; i < added.rows(); i++) {
			Key3 key{added.int8(i, 0), added.int8(i, 1), added.int8(i, 2)};
			const PendingGroupEnvironment &ge = p.group_environments.at(key);
			if (!ge.release_id)
				continue;
			Key3 release_key{std::get<0>(key), *ge.release_id, std::get<2>(key)};
			new_issues[release_key]++;
			auto [it, first] = p.release_environments.try_emplace(release_key);
			if (first)
				it->second = PendingSeen{ge.first_seen, ge.first_seen};
		}
	}
	if (!p.release_environments.empty()) {
		std::vector<Datum> projects, releases, environments, firsts, lasts, counts;
		for (const auto &[key, s] : p.release_environments) {
			projects.push_back(Int64GetDatum(std::get<0>(key)));
			releases.push_back(Int64GetDatum(std::get<1>(key)));
			environments.push_back(Int64GetDatum(std::get<2>(key)));
			firsts.push_back(TimestampTzGetDatum(s.first_seen));
			lasts.push_back(TimestampTzGetDatum(s.last_seen));
			auto n = new_issues.find(key);
			counts.push_back(Int64GetDatum(n == new_issues.end() ? 0 : n->second));
		}
		SpiArgs args;
		args.int8_array(projects).int8_array(releases).int8_array(environments);
		args.timestamptz_array(firsts).timestamptz_array(lasts).int8_array(counts);
		spi_execute(touch_release_environments, args);
	}
	if (!p.group_releases.empty()) {
		std::vector<Datum> projects, groups, releases, firsts, lasts;
		std::vector<std::string> environments;
		for (const auto &[key, s] : p.group_releases) {
			projects.push_back(Int64GetDatum(std::get<0>(key)));
			groups.push_back(Int64GetDatum(std::get<1>(key)));
			releases.push_back(Int64GetDatum(std::get<2>(key)));
			environments.push_back(std::get<3>(key));
			firsts.push_back(TimestampTzGetDatum(s.first_seen));
			lasts.push_back(TimestampTzGetDatum(s.last_seen));
		}
		SpiArgs args;
		args.int8_array(projects).int8_array(groups).int8_array(releases).text_array(environments);
		args.timestamptz_array(firsts).timestamptz_array(lasts);
		spi_execute(touch_group_releases, args);
	}
	if (!p.tag_keys.empty() && cached_table_exists(CachedTable::tag_keys)) {
		std::vector<Datum> projects, times;
		std::vector<std::string> keys;
		for (const auto &[key, first_seen] : p.tag_keys) {
			projects.push_back(Int64GetDatum(key.first));
			keys.push_back(key.second);
			times.push_back(TimestampTzGetDatum(first_seen));
		}
		spi_execute(add_tag_keys, SpiArgs().int8_array(projects).text_array(keys).timestamptz_array(times));
	}
	if (!p.new_groups.empty()) {
		std::vector<Datum> ids, counts;
		for (const auto &[id, n] : p.new_groups) {
			ids.push_back(Int64GetDatum(id));
			counts.push_back(Int64GetDatum(n));
		}
		spi_execute(count_release_new_groups, SpiArgs().int8_array(ids).int8_array(counts));
	}
}

void forget_side_tables() { pending = Pending(); }

} // namespace triage_pg
