#include "backend_cache.hpp"

#include "boundary.hpp"

#include <array>
#include <vector>

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace triage_pg {

namespace {

constexpr size_t kTables = static_cast<size_t>(CachedTable::count);
constexpr std::array<const char *, kTables> kTableNames = {
    "projects", "grouphashes", "groups", "releases", "environments", "group_environments", "group_releases",
    "release_environments", "tag_keys"};
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
	for (size_t i = 0; i < kTables; i++) {
		if (relids[i] == relid) {
			generations[i]++;
			// An ALTER EXTENSION UPDATE changes cached tables too: tables it adds are found then.
			watching = false;
		}
	}
}

std::vector<void (*)()> abort_hooks;

void aborted() {
	advance_all();
	for (void (*hook)() : abort_hooks)
		hook();
}

void transaction_ended(XactEvent event, void *) {
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		aborted();
}

void subtransaction_ended(SubXactEvent event, SubTransactionId, SubTransactionId, void *) {
	if (event == SUBXACT_EVENT_ABORT_SUB)
		aborted();
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

Oid cached_table_oid(CachedTable table) {
	watch_cached_tables();
	return relids[static_cast<size_t>(table)];
}

bool cached_table_exists(CachedTable table) { return cached_table_oid(table) != InvalidOid; }

void call_on_abort(void (*hook)()) { abort_hooks.push_back(hook); }

void register_cache_callbacks() {
	CacheRegisterRelcacheCallback(relcache_changed, (Datum)0);
	RegisterXactCallback(transaction_ended, nullptr);
	RegisterSubXactCallback(subtransaction_ended, nullptr);
}

} // namespace triage_pg

// Statement trigger on tables whose rows backends cache: tells every backend (at commit) and this
// one (at the end of the statement) to drop its cache.
TRIAGE_FUNCTION(triage_invalidate_cache) {
	if (!CALLED_AS_TRIGGER(fcinfo))
		throw triage_pg::SqlError{ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "triage.invalidate_cache() must be called as a trigger", ""};
	auto *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
	triage_pg::pg_guarded([&]() -> Datum {
		CacheInvalidateRelcache(trigger->tg_relation);
		return (Datum)0;
	});
	return PointerGetDatum(nullptr);
}

// BEFORE UPDATE FOR EACH ROW on tables whose rows backends cache: drops the caches only when a
// column a cache holds changes. The trigger's arguments name those columns; "+column" counts
// only a change from a non-null value (a grouphash being linked for the first time touches no
// cached link). A C comparison, because a WHEN clause is parsed again by every statement.
TRIAGE_FUNCTION(triage_invalidate_cache_on_change) {
	auto *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigger->tg_event) ||
	    !TRIGGER_FIRED_FOR_ROW(trigger->tg_event) || !TRIGGER_FIRED_BY_UPDATE(trigger->tg_event))
		throw triage_pg::SqlError{ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
		                          "triage.invalidate_cache_on_change() must run BEFORE UPDATE FOR EACH ROW", ""};
	return triage_pg::pg_guarded([&]() -> Datum {
		Relation rel = trigger->tg_relation;
		TupleDesc desc = RelationGetDescr(rel);
		bool changed = false;
		for (int i = 0; i < trigger->tg_trigger->tgnargs && !changed; i++) {
			const char *name = trigger->tg_trigger->tgargs[i];
			bool only_from_set = name[0] == '+';
			int attnum = SPI_fnumber(desc, only_from_set ? name + 1 : name);
			if (attnum <= 0)
				elog(ERROR, "invalidate_cache_on_change: no column \"%s\"", name);
			bool old_null, new_null;
			Datum old_value = heap_getattr(trigger->tg_trigtuple, attnum, desc, &old_null);
			Datum new_value = heap_getattr(trigger->tg_newtuple, attnum, desc, &new_null);
			if (only_from_set && old_null)
				continue;
			Form_pg_attribute attr = TupleDescAttr(desc, attnum - 1);
			changed = old_null != new_null ||
			          (!old_null && !datumIsEqual(old_value, new_value, attr->attbyval, attr->attlen));
		}
		if (changed)
			CacheInvalidateRelcache(rel);
		return PointerGetDatum(trigger->tg_newtuple);
	});
}
