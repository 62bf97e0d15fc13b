// triage.minute_bucket() and triage.count_bucket(): the coarse, rarely changing sort keys that the
// stream's indexes hold instead of last_seen, times_seen and users_seen (which change with every
// event and would make every counter update a non-HOT update). Both are monotonic, so ordering by
// (bucket, value) is ordering by value.
#include "sort_keys.hpp"

#include "boundary.hpp"

#include <cmath>

extern "C" {
#include "utils/timestamp.h"
}

int64_t triage_pg::minute_bucket(int64_t ts) {
	constexpr int64 minute = 60 * USECS_PER_SEC;
	int64 q = ts / minute;
	if (ts % minute < 0)
		q -= 1;
	return q;
}

int32_t triage_pg::count_bucket(int64_t n) {
	// Two buckets per doubling: a new bucket makes the counter's update a non-HOT one (new
	// entries in every index), so it must come rarely, also for the many issues with few events.
	// Buckets stay small where it matters: issues with equal counts are in one bucket anyway.
	if (n <= 0)
		return 0;
	return 1 + static_cast<int32_t>(std::floor(2.0 * std::log2(static_cast<double>(n))));
}

TRIAGE_FUNCTION(triage_minute_bucket) { PG_RETURN_INT64(triage_pg::minute_bucket(PG_GETARG_TIMESTAMPTZ(0))); }

TRIAGE_FUNCTION(triage_count_bucket) { PG_RETURN_INT32(triage_pg::count_bucket(PG_GETARG_INT64(0))); }
