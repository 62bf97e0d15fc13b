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

constexpr size_t kTables = static_cast<size_t>(CachedTable::count);
constexpr std::array<const char *, kTables> kTableNames = {
    "projects", "grouphashes", "groups", "releases", "environments", "group_environments", "group_releases",
    "release_environments"};
std::array<Oid, kTables> relids{};
std::array<uint64_t, kTables> generations{};
bool watching = false;

void advance_all() {
	for (uint64_t &g : generations)
		g++;
	watching = false; // the extension may have been dropped and created again: look the oids up anew
}

void relcache_changed(Datum, Oid relid) {
	if (relid == InvalidOid) {
		advance_all();
		return;
	}
	for (size_t i = 0; i < kTables; i++)
		if (relids[i] == relid)
			generations[i]++;
}

void transaction_ended(XactEvent event, void *) {
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		advance_all();
}

void subtransaction_ended(SubXactEvent event, SubTransactionId, SubTransactionId, void *) {
	if (event == SUBXACT_EVENT_ABORT_SUB)
		advance_all();
}

} // namespace

uint64_t cache_generation(std::initializer_list<CachedTable> tables) {
	uint64_t sum = 0;
	for (CachedTable t : tables)
		sum += generations[static_cast<size_t>(t)];
	return sum;
}

void watch_cached_tables() {
	if (watching)
		return;
	pg_guarded([]() -> Datum {
		Oid schema = get_namespace_oid("triage", false);
		for (size_t i = 0; i < kTables; i++)
			relids[i] = get_relname_relid(kTableNames[i], schema);
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
