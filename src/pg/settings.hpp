// GUCs (configuration settings) of pg_triage.
#pragma once

namespace triage_pg {

// triage.grouping_config: the grouping config grouping_hashes() and grouping_info() use.
extern char *grouping_config_setting;

void define_settings();

} // namespace triage_pg
