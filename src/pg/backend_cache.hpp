// When rows a backend caches (project settings, grouphash-to-issue links and issue states,
// release and environment ids, side-table rows known to exist) may have changed. A statement
// trigger on each cached table sends a relcache invalidation for it (triage.invalidate_cache());
// an invalidation of a table moves that table's generation on, and a transaction or
// subtransaction abort (rows it created are gone) moves every generation on. Each cache empties
// itself when the generations of the tables it reads have moved.
#pragma once

#include <cstdint>
#include <initializer_list>

extern "C" {
#include "postgres_ext.h"
}

namespace triage_pg {

enum class CachedTable { projects, grouphashes, groups, releases, environments, group_environments, group_releases,
	                     release_environments, tag_keys, count };

// A number that changes whenever one of the tables changes.
uint64_t cache_generation(std::initializer_list<CachedTable> tables);

// Whether the installed extension has the table: the library may be newer than the extension's
// objects until ALTER EXTENSION pg_triage UPDATE runs, and then leaves out what they lack
// (tag_keys marks 0.3.0: users seen, ignore conditions, tag keys).
bool cached_table_exists(CachedTable table);
// Its oid (InvalidOid: the installed objects lack it).
Oid cached_table_oid(CachedTable table);

// Registers the invalidation callbacks (from _PG_init).
void register_cache_callbacks();

// Also runs hook when a transaction or subtransaction aborts (from _PG_init).
void call_on_abort(void (*hook)());

// Looks up the cached tables' oids (inside a transaction) so that callbacks can recognize them.
void watch_cached_tables();

} // namespace triage_pg
