// Regressions (section 8 of the save-path notes). The row trigger decides, with reads only,
// whether an event reopens its resolved issue; the writes (the conditional update with its
// 5-second window, the resolution's removal, the activities, the notification) happen at the end
// of the statement, issue by issue in id order, so that concurrent statements lock issue rows in
// one order.
#pragma once

#include "boundary.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "projects.hpp"
#include "releases.hpp"

extern "C" {
#include "utils/timestamp.h"
}

namespace triage_pg {

// An issue as the row trigger sees it (its counters may lag until the statement's fold).
struct GroupState {
	std::string status;
	std::string type;
	TimestampTz last_seen = 0;
	int64_t short_id = 0;
	std::string title;
};

// The row as it is now (SPI connected); none when it is gone.
std::optional<GroupState> read_group_state(int64_t project_id, int64_t group_id);

struct RegressionEvent {
	TimestampTz occurred_at = 0;
	TimestampTz now = 0;
	std::string event_id;                     // 32 hex digits
	std::optional<triage::ReleaseRef> release;
	std::string title;
};

// Queues a regression when the issue is resolved (or unresolved past the project's resolve_age)
// and its resolution does not cover the event's release. state: possibly from a cache.
void consider_regression(const Project &project, int64_t group_id, const GroupState &state,
                         const RegressionEvent &event);

// Statement end (SPI connected): applies the queued regressions of the issues whose events were
// stored (counted), in issue order.
void apply_regressions(const std::set<std::pair<int64_t, int64_t>> &counted);
void forget_regressions();

} // namespace triage_pg
