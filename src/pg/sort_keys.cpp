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
	// Exact up to 64 (where most issues are, so their order costs no sort), then 16 buckets per
	// doubling (about 4.4% wide): a bucket rarely changes, even for a busy issue.
	if (n < 64)
		PG_RETURN_INT32(static_cast<int32>(n < 0 ? 0 : n));
	double steps = std::floor(std::log2(static_cast<double>(n) / 64.0) * 16.0);
	PG_RETURN_INT32(64 + static_cast<int32>(steps));
}
