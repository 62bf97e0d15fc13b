#include "boundary.hpp"

#include "grouping.hpp"
#include "settings.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace triage_pg {

char *grouping_config_setting = nullptr;
int stacktrace_cache_entries_setting = static_cast<int>(triage::kDefaultStacktraceCacheEntries);

namespace {

bool check_grouping_config(char **newval, void **, GucSource) {
	if (*newval && triage::is_known_grouping_config(*newval))
		return true;
	GUC_check_errdetail("Known grouping configs are newstyle:2026-01-20 (the default) and newstyle:2025-11-21.");
	return false;
}

} // namespace

void define_settings() {
	DefineCustomStringVariable("triage.grouping_config", "Grouping config used by triage.grouping_hashes().",
	                           "Sentry grouping config id: newstyle:2026-01-20 or newstyle:2025-11-21.",
	                           &grouping_config_setting, "newstyle:2026-01-20", PGC_USERSET, 0,
	                           check_grouping_config, nullptr, nullptr);
	DefineCustomIntVariable("triage.stacktrace_cache_entries",
	                        "Stack traces whose grouping decisions each backend remembers (0 turns the cache off).",
	                        "Production traffic repeats a few stack traces: remembering their normalized frames, "
	                        "rule decisions and components skips that work. An entry takes about 2.5 kB per frame.",
	                        &stacktrace_cache_entries_setting, static_cast<int>(triage::kDefaultStacktraceCacheEntries), 0,
	                        1000000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
	MarkGUCPrefixReserved("triage");
}

} // namespace triage_pg
