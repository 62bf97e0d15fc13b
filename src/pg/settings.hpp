// GUCs (configuration settings) of pg_triage.
#pragma once

namespace triage_pg {

// triage.grouping_config: the grouping config grouping_hashes() and grouping_info() use.
extern char *grouping_config_setting;
// triage.stacktrace_cache_entries: stack traces whose grouping decisions a backend remembers.
extern int stacktrace_cache_entries_setting;

void define_settings();

} // namespace triage_pg
