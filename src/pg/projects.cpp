#include "projects.hpp"

#include <unordered_map>

#include "settings.hpp"
#include "spi.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace triage_pg {

namespace {

// A backend keeps at most this many projects' Groupers (each may hold a stack-trace cache).
constexpr size_t kMaxCachedProjects = 32;

std::unordered_map<int64_t, std::unique_ptr<Project>> projects;
// Set by invalidation callbacks, which must not free memory a caller may still use; the cache is
// emptied at the next find_project.
bool stale = false;

void mark_stale() { stale = true; }

// The oid of triage.projects, looked up when projects are loaded (callbacks may not read the
// catalog). Invalidations of other relations leave the cache alone.
Oid projects_relid = InvalidOid;

void relcache_changed(Datum, Oid relid) {
	if (relid == InvalidOid || relid == projects_relid)
		mark_stale();
}

void transaction_ended(XactEvent event, void *) {
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		mark_stale();
}

void subtransaction_ended(SubXactEvent event, SubTransactionId, SubTransactionId, void *) {
	if (event == SUBXACT_EVENT_ABORT_SUB)
		mark_stale();
}

KeptPlan load_plan{
    "SELECT slug, organization_id, grouping_config, secondary_grouping_config, secondary_grouping_expiry, "
    "hash_algorithm, stacktrace_rules, fingerprinting_rules, on_bad_event, max_event_bytes, "
    "(pg_catalog.date_part('epoch', resolve_age) * 1000000)::pg_catalog.int8, first_event IS NOT NULL "
    "FROM triage.projects WHERE id = $1",
    {INT8OID}};

std::unique_ptr<Project> load(int64_t project_id) {
	if (projects_relid == InvalidOid)
		pg_guarded([]() -> Datum {
			projects_relid = get_relname_relid("projects", get_namespace_oid("triage", false));
			return (Datum)0;
		});
	SpiResult r = spi_execute(load_plan, SpiArgs().int8(project_id));
	if (r.rows() == 0)
		return nullptr;
	auto p = std::make_unique<Project>();
	p->id = project_id;
	p->slug = r.text(0, 0);
	p->organization_id = r.int8(0, 1);
	std::string config = r.text(0, 2);
	std::optional<std::string> secondary = r.text_or_null(0, 3);
	if (!r.is_null(0, 4))
		p->secondary_expiry = r.timestamptz(0, 4);
	p->algorithm = triage::parse_hash_algorithm(r.text(0, 5));
	std::string stacktrace_rules = r.text(0, 6), fingerprinting_rules = r.text(0, 7);
	p->quarantine = r.text(0, 8) == "quarantine";
	p->max_event_bytes = r.int8(0, 9);
	p->resolve_age_us = r.int8_or_null(0, 10);
	p->has_first_event = r.boolean(0, 11);
	p->grouper = std::make_unique<triage::Grouper>(config, stacktrace_rules, fingerprinting_rules);
	if (secondary)
		p->secondary_grouper = std::make_unique<triage::Grouper>(*secondary, stacktrace_rules, fingerprinting_rules);
	return p;
}

} // namespace

Project *find_project(int64_t project_id) {
	if (stale) {
		projects.clear();
		projects_relid = InvalidOid; // the extension may have been re-created
		stale = false;
	}
	auto it = projects.find(project_id);
	if (it == projects.end()) {
		std::unique_ptr<Project> loaded = load(project_id);
		if (!loaded)
			return nullptr;
		if (projects.size() >= kMaxCachedProjects)
			projects.erase(projects.begin());
		it = projects.emplace(project_id, std::move(loaded)).first;
	}
	Project &p = *it->second;
	size_t cache_entries = static_cast<size_t>(std::max(stacktrace_cache_entries_setting, 0));
	if (p.grouper->stacktrace_cache_stats().capacity != cache_entries)
		p.grouper->set_stacktrace_cache_entries(cache_entries);
	return &p;
}

void forget_projects() { mark_stale(); }

void register_project_cache_callbacks() {
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

// CHECK constraint of triage.projects: the config must be known and the rules must parse.
TRIAGE_FUNCTION(triage_check_grouping_setup) {
	for (int i = 0; i < 3; i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_BOOL(true); // NOT NULL constraints speak for themselves
	auto config = triage_pg::text_arg(fcinfo, 0);
	auto stacktrace_rules = triage_pg::text_arg(fcinfo, 1);
	auto fingerprinting_rules = triage_pg::text_arg(fcinfo, 2);
	triage::Grouper grouper(std::string_view(config.first, config.second),
	                        std::string_view(stacktrace_rules.first, stacktrace_rules.second),
	                        std::string_view(fingerprinting_rules.first, fingerprinting_rules.second));
	PG_RETURN_BOOL(true);
}
