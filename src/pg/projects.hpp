// Project settings as the save path needs them, cached per backend with the Groupers built from
// them (emptied when backend_cache.hpp says so).
#pragma once

#include "boundary.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "grouping.hpp"

extern "C" {
#include "utils/timestamp.h"
}

namespace triage_pg {

struct Project {
	int64_t id = 0;
	std::string slug;
	int64_t organization_id = 1;
	triage::HashAlgorithm algorithm = triage::HashAlgorithm::xxh3_128;
	bool quarantine = false;      // on_bad_event = 'quarantine'
	int64_t max_event_bytes = 0;
	std::optional<int64_t> resolve_age_us; // microseconds
	bool has_first_event = false;
	bool upgrade_grouping = false; // on an older config, and auto_upgrade_grouping
	std::optional<TimestampTz> secondary_expiry;
	std::unique_ptr<triage::Grouper> grouper;
	std::unique_ptr<triage::Grouper> secondary_grouper; // set while a secondary config is configured

	// In Sentry's transition period at time now.
	bool in_transition(TimestampTz now) const { return secondary_grouper && secondary_expiry && *secondary_expiry >= now; }
};

// The project's settings, loaded through SPI (the caller is connected) on first use. Null when
// the project does not exist.
Project *find_project(int64_t project_id);

} // namespace triage_pg
