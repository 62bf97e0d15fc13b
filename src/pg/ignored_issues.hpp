// Ignored issues whose ignore condition an event may meet (Sentry's snoozes, triage.ignore()).
// The row trigger notes the ignored issues its events join; at the end of the statement, after
// the counters are folded (the rows locked), triage.check_ignored() unignores those whose
// condition is met, and each becomes a notification. Conditions that count events in a window
// (and the escalation rule) read the events table, so they are checked at most every
// kSlowCheckSeconds per issue and session; the counter and time conditions at every statement.
#pragma once

#include <cstdint>
#include <set>
#include <utility>

namespace triage_pg {

void consider_ignored(int64_t project_id, int64_t group_id);

// Statement end (SPI connected): checks the noted issues whose events were stored (counted).
void apply_ignored(const std::set<std::pair<int64_t, int64_t>> &counted);
void forget_ignored();

} // namespace triage_pg
