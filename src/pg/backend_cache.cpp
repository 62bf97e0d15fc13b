#include "backend_cache.hpp"

#include "boundary.hpp"

#include <array>

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
}

namespace triage_pg {

namespace {

uint64_t generation = 1;
constexpr std::array<const char *, 6> kCachedTables = {"projects", "releases", "environments",
                                                      "group_environments", "group_releases", "release_environments"};
std::array<Oid, kCachedTables.size()> cached_relids{};
bool watching = false;

void advance() {
	generation++;
	watching = false; // the extension may have been dropped and created again: look the oids up anew
}

void relcache_changed(Datum, Oid relid) {
	if (relid == InvalidOid) {
		advance();
		return;
	}
	for (Oid watched : cached_relids)
		if (watched == relid) {
			advance();
			return;
		}
}

void transaction_ended(XactEvent event, void *) {
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		advance();
}

void subtransaction_ended(SubXactEvent event, SubTransactionId, SubTransactionId, void *) {
	if (event == SUBXACT_EVENT_ABORT_SUB)
		advance();
}

} // namespace

uint64_t cache_generation() { return generation; }

void watch_cached_tables() {
	if (watching)
		return;
	pg_guarded([]() -> Datum {
		Oid schema = get_namespace_oid("triage", false);
		for (size_t i = 0; i < kCachedTables.size(); i++)
			cached_relids[i] = get_relname_relid(kCachedTables[i], schema);
		return (Datum)0;
	});
	watching = true;
}

void register_cache_callbacks() {
	CacheRegisterRelcacheCallback(relcache_changed, (Datum)0);
	RegisterXactCallback(transaction_ended, nullptr);
	RegisterSubXactCallback(subtransaction_ended, nullptr);
}

} // namespace triage_pg
