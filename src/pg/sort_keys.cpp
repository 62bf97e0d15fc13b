// triage.minute_bucket() and triage.count_bucket(): the coarse, rarely changing sort keys that the
// stream's indexes hold instead of last_seen, times_seen and users_seen (which change with every
// event and would make every counter update a non-HOT update). Both are monotonic, so ordering by
// (bucket, value) is ordering by value.
#include "boundary.hpp"

#include <cmath>

extern "C" {
#include "utils/timestamp.h"
}

TRIAGE_FUNCTION(triage_minute_bucket) {
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(0);
	// Floor division: minutes since 2000-01-01 UTC, also before it.
	constexpr int64 minute = 60 * USECS_PER_SEC;
	int64 q = ts / minute;
	if (ts % minute < 0)
		q -= 1;
	PG_RETURN_INT64(q);
}

TRIAGE_FUNCTION(triage_count_bucket) {
	int64 n = PG_GETARG_INT64(0);
	// Two buckets per doubling (1, 2, 3, 4-5, 6-7, 8-11, ...): a new bucket makes the counter's
	// update a non-HOT one (new entries in every index), so it must come rarely, also for the many
	// issues with few events. Buckets stay small where it matters: issues with equal counts are in
	// one bucket anyway.
	if (n <= 0)
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(1 + static_cast<int32>(std::floor(2.0 * std::log2(static_cast<double>(n)))));
}
