// Releases, environments and the per-issue side tables (section 9 of the save-path notes), with
// per-backend caches of rows known to exist, so that the common event (a known issue, release
// and environment) writes none of them.
#pragma once

#include "boundary.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "projects.hpp"
#include "releases.hpp"

namespace triage_pg {

// The project's release for a version (an existing "<slug>-<version>" one preferred), created
// with date_added = the event's time when missing. SPI connected.
triage::ReleaseRef find_or_create_release(const Project &project, const std::string &version, TimestampTz occurred_at);

struct EventPlacement {
	std::optional<int64_t> group_id;   // none: the event has no issue
	bool is_new_group = false;
	std::optional<triage::ReleaseRef> release;
	std::string environment;           // "" when none
	TimestampTz occurred_at = 0;
	const std::vector<std::pair<std::string, std::string>> *tags = nullptr; // the event's tags
};

// Environment (created now), then queued for the end of the statement: group environment,
// release environment, group release, the release's new_groups count, and tag keys new to the
// project (triage.tag_keys, which search uses to tell tags from unknown keys). SPI connected.
void record_side_tables(const Project &project, const EventPlacement &event);

// Statement end (SPI connected): writes what was queued, table by table in key order.
void flush_side_tables();
void forget_side_tables();

} // namespace triage_pg
