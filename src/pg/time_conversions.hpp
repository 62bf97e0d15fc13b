// Time: the core speaks Unix seconds, PostgreSQL microseconds since 2000-01-01.
#pragma once

#include "boundary.hpp"

#include <cmath>
#include <cstdint>

extern "C" {
#include "utils/timestamp.h"
}

namespace triage_pg {

constexpr int64_t kUnixToPostgresSeconds = (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;

// Rounded to the microsecond, as to_timestamp() and Sentry do.
inline TimestampTz to_timestamptz(double unix_seconds) {
	return static_cast<TimestampTz>(std::llround((unix_seconds - kUnixToPostgresSeconds) * 1e6));
}
inline double to_unix_seconds(TimestampTz ts) { return static_cast<double>(ts) / 1e6 + kUnixToPostgresSeconds; }
inline int64_t to_unix_micros(TimestampTz ts) { return ts + kUnixToPostgresSeconds * USECS_PER_SEC; }

} // namespace triage_pg
