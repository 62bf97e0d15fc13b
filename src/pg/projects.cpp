#include "projects.hpp"

#include <unordered_map>

#include "backend_cache.hpp"
#include "settings.hpp"
#include "spi.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
}

namespace triage_pg {

namespace {

// A backend keeps at most this many projects' Groupers (each may hold a stack-trace cache).
constexpr size_t kMaxCachedProjects = 32;

std::unordered_map<int64_t, std::unique_ptr<Project>> projects;
uint64_t projects_generation = 0;

KeptPlan load_plan{
    "SELECT slug, organization_id, grouping_config, secondary_grouping_config, secondary_grouping_expiry, "
    "hash_algorithm, stacktrace_rules, fingerprinting_rules, on_bad_event, max_event_bytes, "
    "(pg_catalog.date_part('epoch', resolve_age) * 1000000)::pg_catalog.int8, first_event IS NOT NULL, "
    "auto_upgrade_grouping "
    "FROM triage.projects WHERE id = $1",
    {INT8OID}};

std::unique_ptr<Project> load(int64_t project_id) {
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
	p->upgrade_grouping = r.boolean(0, 12) && config != triage::kDefaultGroupingConfig;
	p->grouper = std::make_unique<triage::Grouper>(config, stacktrace_rules, fingerprinting_rules);
	if (secondary)
		p->secondary_grouper = std::make_unique<triage::Grouper>(*secondary, stacktrace_rules, fingerprinting_rules);
	return p;
}

} // namespace

Project *find_project(int64_t project_id) {
	watch_cached_tables();
	if (projects_generation != cache_generation({CachedTable::projects})) {
		projects.clear();
		projects_generation = cache_generation({CachedTable::projects});
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

} // namespace triage_pg

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
