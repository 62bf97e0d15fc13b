// When rows a backend caches (project settings, release and environment ids, side-table rows
// known to exist) may have changed. A statement trigger on each cached table sends a relcache
// invalidation for it (triage.invalidate_cache()); any invalidation of those tables, and any
// transaction or subtransaction abort (rows it created are gone), moves the generation on, and
// each cache empties itself when it sees a new generation.
#pragma once

#include <cstdint>

namespace triage_pg {

uint64_t cache_generation();

// Registers the invalidation callbacks (from _PG_init).
void register_cache_callbacks();

// Looks up the cached tables' oids (inside a transaction) so that callbacks can recognize them.
void watch_cached_tables();

} // namespace triage_pg
