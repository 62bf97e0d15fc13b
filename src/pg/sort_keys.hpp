// The coarse sort keys of an issue (triage.minute_bucket(), triage.count_bucket()): generated
// columns of triage.groups, which the direct counter update computes itself.
#pragma once

#include <cstdint>

namespace triage_pg {

// Minutes since 2000-01-01 UTC (floor division, also before it) of a timestamptz value.
int64_t minute_bucket(int64_t timestamptz);
// 0 for no events, else two buckets per doubling: 1, 2, 3, 4-5, 6-7, 8-11, ...
int32_t count_bucket(int64_t n);

} // namespace triage_pg
