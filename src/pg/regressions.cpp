#include "regressions.hpp"

#include <map>

#include "group_data.hpp"
#include "json.hpp"
#include "notifications.hpp"
#include "pending_counts.hpp"
#include "spi.hpp"
#include "time_conversions.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
}

namespace triage_pg {

namespace {

KeptPlan load_group_state{"SELECT status::pg_catalog.text, type, last_seen, short_id, title FROM triage.groups "
                          "WHERE project_id = $1 AND id = $2",
                          {INT8OID, INT8OID}};

KeptPlan load_resolution{
    "SELECT r.id, r.type, r.current_release_version, rel.id, rel.version, "
    "COALESCE(rel.date_released, rel.date_added), cur.id, cur.version, "
    "COALESCE(cur.date_released, cur.date_added) "
    "FROM triage.group_resolutions r JOIN triage.releases rel ON rel.id = r.release_id "
    "LEFT JOIN LATERAL (SELECT c.* FROM triage.releases c WHERE c.project_id = r.project_id "
    "AND c.version = r.current_release_version LIMIT 1) cur ON true "
    "WHERE r.group_id = $1",
    {INT8OID}};

KeptPlan recent_releases_semver{"SELECT package IS NOT NULL FROM triage.releases WHERE project_id = $1 "
                                "AND status = 'open' ORDER BY date_added DESC, id DESC LIMIT 10",
                                {INT8OID}};

// Only a row actually updated counts, and the 5-second window on active_at keeps racing or
// repeated events from regressing twice.
KeptPlan regress_group{"UPDATE triage.groups SET active_at = $3, last_seen = GREATEST(last_seen, $3), "
                       "status = 'unresolved', substatus = 'regressed' WHERE project_id = $1 AND id = $2 "
                       "AND status IN ('resolved', 'unresolved') "
                       "AND NOT (active_at >= $3 - interval '5 seconds') RETURNING short_id, title",
                       {INT8OID, INT8OID, TIMESTAMPTZOID}};

KeptPlan delete_resolution{"DELETE FROM triage.group_resolutions WHERE id = $1 RETURNING id", {INT8OID}};

// The latest resolved-in-release activity of a resolution, with its version (null: no key).
KeptPlan find_resolution_activity{
    "SELECT id, data ->> 'version' FROM triage.activities WHERE project_id = $1 "
    "AND type = 'set_resolved_in_release' AND ident = $2 ORDER BY datetime DESC, id DESC LIMIT 1",
    {INT8OID, TEXTOID}};

// A "resolved in next release" activity (version '') learns the release that regressed it,
// keeping its other keys; one without a version gets {version}.
KeptPlan set_resolution_activity_version{
    "UPDATE triage.activities SET data = CASE WHEN data ? 'version' "
    "THEN data || pg_catalog.jsonb_build_object('version', $2::pg_catalog.text) "
    "ELSE pg_catalog.jsonb_build_object('version', $2::pg_catalog.text) END WHERE id = $1",
    {INT8OID, TEXTOID}};

KeptPlan insert_activity{"INSERT INTO triage.activities (project_id, group_id, type, data) "
                         "VALUES ($1, $2, $3, $4::pg_catalog.jsonb)",
                         {INT8OID, INT8OID, TEXTOID, TEXTOID}};

struct Candidate {
	std::string slug;
	TimestampTz date = 0;
	RegressionEvent event;
	std::optional<int64_t> resolution_id;
	bool follows_semver = false; // for the event's release, when there is a resolution
};

// The first candidate of each issue in the statement (a later event finds the issue reopened).
std::map<std::pair<int64_t, int64_t>, Candidate> candidates;

bool follows_semver(int64_t project_id, std::optional<std::string_view> version) {
	SpiResult recent = spi_execute(recent_releases_semver, SpiArgs().int8(project_id));
	std::vector<bool> semver;
	for (uint64_t i = 0; i < recent.rows(); i++)
		semver.push_back(recent.boolean(i, 0));
	return triage::follows_semver_versioning_scheme(semver, version);
}

bool is_resolved(const Project &project, const GroupState &state, TimestampTz now) {
	// Group.is_resolved: resolved, or unresolved and not seen for the project's resolve_age.
	// (Sentry compares the last_seen this event already moved, which makes the age rule nearly
	// inert; we compare the one before it.)
	return state.status == "resolved" ||
	       (state.status == "unresolved" && project.resolve_age_us && state.last_seen < now - *project.resolve_age_us);
}

} // namespace

std::optional<GroupState> read_group_state(int64_t project_id, int64_t group_id) {
	SpiResult r = spi_execute(load_group_state, SpiArgs().int8(project_id).int8(group_id), 1);
	if (r.rows() == 0)
		return std::nullopt;
	return GroupState{r.text(0, 0), r.text(0, 1), r.timestamptz(0, 2), r.int8(0, 3), r.text(0, 4)};
}

void consider_regression(const Project &project, int64_t group_id, const GroupState &state,
                         const RegressionEvent &event) {
	if (!is_resolved(project, state, event.now) || candidates.count({project.id, group_id}))
		return;
	// The state may come from this backend's cache: decide on the row as it is now.
	std::optional<GroupState> current = read_group_state(project.id, group_id);
	if (!current)
		return;
	if (std::optional<TimestampTz> pending = pending_counts().pending_last_seen(project.id, group_id))
		current->last_seen = std::max(current->last_seen, *pending);
	if (!is_resolved(project, *current, event.now))
		return;

	Candidate candidate{project.slug, std::max(event.occurred_at, current->last_seen), event, std::nullopt, false};
	SpiResult r = spi_execute(load_resolution, SpiArgs().int8(group_id), 1);
	if (r.rows() > 0) {
		// has_resolution: an event without a release is older than the fix.
		if (!event.release)
			return;
		triage::Resolution resolution;
		std::optional<std::string> type = r.text_or_null(0, 1);
		resolution.type = !type ? triage::ResolutionType::unset
		                  : *type == "in_release" ? triage::ResolutionType::in_release
		                                          : triage::ResolutionType::in_next_release;
		resolution.current_release_version = r.text_or_null(0, 2);
		resolution.release = {r.int8(0, 3), r.text(0, 4), to_unix_micros(r.timestamptz(0, 5))};
		if (!r.is_null(0, 6))
			resolution.current_release =
			    triage::ReleaseRef{r.int8(0, 6), r.text(0, 7), to_unix_micros(r.timestamptz(0, 8))};
		if (triage::has_resolution(resolution, event.release, follows_semver(project.id, std::nullopt)))
			return;
		candidate.resolution_id = r.int8(0, 0);
		candidate.follows_semver = follows_semver(project.id, event.release->version);
	}
	candidates.emplace(std::make_pair(project.id, group_id), std::move(candidate));
}

void apply_regressions(const std::set<std::pair<int64_t, int64_t>> &counted) {
	std::map<std::pair<int64_t, int64_t>, Candidate> queued;
	queued.swap(candidates);
	for (const auto &[key, c] : queued) {
		if (!counted.count(key))
			continue; // its event was not stored after all (INSERT ... ON CONFLICT DO NOTHING)
		auto [project_id, group_id] = key;
		SpiResult regressed =
		    spi_execute(regress_group, SpiArgs().int8(project_id).int8(group_id).timestamptz(c.date), 1);
		if (regressed.rows() == 0)
			continue;
		const std::optional<triage::ReleaseRef> &release = c.event.release;
		std::string data = "{\"event_id\":";
		triage::append_json_string(data, c.event.event_id);
		data += ",\"version\":";
		triage::append_json_string(data, release ? release->version : "");
		if (release && c.resolution_id &&
		    spi_execute(delete_resolution, SpiArgs().int8(*c.resolution_id), 1).rows() > 0) {
			SpiResult activity = spi_execute(
			    find_resolution_activity, SpiArgs().int8(project_id).text(std::to_string(*c.resolution_id)), 1);
			if (activity.rows() > 0) {
				std::optional<std::string> version = activity.text_or_null(0, 1);
				if (!version || version->empty())
					spi_execute(set_resolution_activity_version,
					            SpiArgs().int8(activity.int8(0, 0)).text(release->version));
				data += ",\"follows_semver\":";
				data += c.follows_semver ? "true" : "false";
				data += ",\"resolved_in_version\":";
				triage::append_json_string(data, version && !version->empty() ? *version : release->version);
			}
		}
		data += "}";
		spi_execute(insert_activity, SpiArgs().int8(project_id).int8(group_id).text("set_regression").text(data));
		// The title the issue will have once the statement's counters are folded in.
		notify_issue("regression", project_id, group_id, triage::format_short_id(c.slug, regressed.int8(0, 0)),
		             updated_title(regressed.text(0, 1), c.event.title).value_or(""));
	}
}

void forget_regressions() { candidates.clear(); }

} // namespace triage_pg
