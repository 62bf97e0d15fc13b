#include "ignored_issues.hpp"

#include "backend_cache.hpp"
#include "notifications.hpp"
#include "spi.hpp"

#include <unordered_map>
#include <vector>

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/timestamp.h"
}

namespace triage_pg {

namespace {

constexpr int64_t kSlowCheckSeconds = 10;

KeptPlan check_ignored{"SELECT project_id, group_id, short_id, title, substatus FROM "
                       "triage.check_ignored($1::pg_catalog.int8[], $2::pg_catalog.int8[])",
                       {INT8ARRAYOID, INT8ARRAYOID}};

std::set<std::pair<int64_t, int64_t>> &noted() {
	static std::set<std::pair<int64_t, int64_t>> issues;
	return issues;
}

// When this session last ran the slow checks of an issue.
std::unordered_map<int64_t, TimestampTz> &slow_checked() {
	static std::unordered_map<int64_t, TimestampTz> at;
	return at;
}

} // namespace

void consider_ignored(int64_t project_id, int64_t group_id) { noted().insert({project_id, group_id}); }

void forget_ignored() { noted().clear(); }

void apply_ignored(const std::set<std::pair<int64_t, int64_t>> &counted) {
	if (noted().empty())
		return;
	std::vector<Datum> all, slow;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	auto &checked = slow_checked();
	if (checked.size() > 10000)
		checked.clear();
	for (const auto &key : noted()) {
		if (!counted.count(key))
			continue;
		all.push_back(Int64GetDatum(key.second));
		auto it = checked.find(key.second);
		if (it == checked.end() || now - it->second >= kSlowCheckSeconds * USECS_PER_SEC) {
			slow.push_back(Int64GetDatum(key.second));
			checked[key.second] = now;
		}
	}
	noted().clear();
	if (all.empty() || !cached_table_exists(CachedTable::tag_keys)) // objects of 0.2.0: no conditions
		return;
	SpiResult unignored = spi_execute(check_ignored, SpiArgs().int8_array(all).int8_array(slow));
	for (uint64_t row = 0; row < unignored.rows(); row++)
		notify_issue(unignored.text(row, 4) == "escalating" ? "escalation" : "unignored", unignored.int8(row, 0),
		             unignored.int8(row, 1), unignored.text(row, 2), unignored.text(row, 3));
}

} // namespace triage_pg
