// SQL functions over the grouping engine: triage.grouping_hashes() and triage.grouping_info().
#include "boundary.hpp"

#include <memory>

#include "grouping.hpp"
#include "settings.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "mb/pg_wchar.h"
#include "utils/jsonb.h"
}

namespace {

struct GroupingArgs {
	std::pair<const char *, size_t> event;
	std::pair<const char *, size_t> algorithm;
	std::pair<const char *, size_t> stacktrace_rules;
	std::pair<const char *, size_t> fingerprinting_rules;
};

// Detoasts every argument before any C++ object exists (a PostgreSQL error here must not
// longjmp over destructors).
GroupingArgs read_args(FunctionCallInfo fcinfo) {
	GroupingArgs args{};
	args.event = triage_pg::text_arg(fcinfo, 0);
	args.algorithm = PG_ARGISNULL(1) ? std::pair<const char *, size_t>("xxh3_128", 8) : triage_pg::text_arg(fcinfo, 1);
	if (!PG_ARGISNULL(2))
		args.stacktrace_rules = triage_pg::text_arg(fcinfo, 2);
	if (!PG_ARGISNULL(3))
		args.fingerprinting_rules = triage_pg::text_arg(fcinfo, 3);
	return args;
}

std::string_view view(std::pair<const char *, size_t> p) { return std::string_view(p.first ? p.first : "", p.second); }

// Parsed rules (and the stack-trace cache that goes with them) are kept per backend for the
// last (config, rules) seen: ingest and bulk queries call these functions with the same rules
// row after row.
const triage::Grouper &grouper_for(std::string_view stacktrace_rules, std::string_view fingerprinting_rules) {
	static std::unique_ptr<triage::Grouper> cached;
	static std::string cached_config, cached_stacktrace_rules, cached_fingerprinting_rules;
	std::string_view config = triage_pg::grouping_config_setting ? triage_pg::grouping_config_setting : "";
	if (!cached || config != cached_config || stacktrace_rules != cached_stacktrace_rules ||
	    fingerprinting_rules != cached_fingerprinting_rules) {
		cached.reset();
		cached = std::make_unique<triage::Grouper>(config, stacktrace_rules, fingerprinting_rules);
		cached_config = config;
		cached_stacktrace_rules = stacktrace_rules;
		cached_fingerprinting_rules = fingerprinting_rules;
	}
	size_t cache_entries = static_cast<size_t>(std::max(triage_pg::stacktrace_cache_entries_setting, 0));
	if (cached->stacktrace_cache_stats().capacity != cache_entries)
		cached->set_stacktrace_cache_entries(cache_entries);
	return *cached;
}

// details: the variants' component trees and hashed values (grouping_info), or hashes only.
triage::GroupingResult group(const GroupingArgs &args, bool utf8_database, bool details) {
	triage::HashAlgorithm algorithm = triage::parse_hash_algorithm(view(args.algorithm));
	const triage::Grouper &grouper = grouper_for(view(args.stacktrace_rules), view(args.fingerprinting_rules));
	// Text in a UTF-8 database has been validated by PostgreSQL already.
	return grouper.group_json(view(args.event), algorithm, !utf8_database, details);
}

} // namespace

TRIAGE_FUNCTION(triage_grouping_hashes) {
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	GroupingArgs args = read_args(fcinfo);
	bool utf8_database = GetDatabaseEncoding() == PG_UTF8;
	triage::GroupingResult result = group(args, utf8_database, false);
	const std::vector<std::string> &hashes = result.hashes;
	return triage_pg::pg_guarded([&]() -> Datum {
		Datum *items = static_cast<Datum *>(palloc(sizeof(Datum) * std::max<size_t>(hashes.size(), 1)));
		for (size_t i = 0; i < hashes.size(); i++)
			items[i] = PointerGetDatum(cstring_to_text_with_len(hashes[i].data(), static_cast<int>(hashes[i].size())));
		return PointerGetDatum(construct_array(items, static_cast<int>(hashes.size()), TEXTOID, -1, false, TYPALIGN_INT));
	});
}

TRIAGE_FUNCTION(triage_grouping_info) {
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	GroupingArgs args = read_args(fcinfo);
	bool utf8_database = GetDatabaseEncoding() == PG_UTF8;
	std::string json = triage::grouping_info_json(group(args, utf8_database, true));
	return triage_pg::pg_guarded([&]() -> Datum { return DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
}
