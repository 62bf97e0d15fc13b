#include "notifications.hpp"

#include "boundary.hpp"
#include "json.hpp"
#include "metadata.hpp"

extern "C" {
#include "commands/async.h"
}

namespace triage_pg {

namespace {
bool is_placeholder_title(std::string_view title) {
	return title == "<untitled>" || title == "<unknown>" || title == "<unlabeled event>" || title == "Error";
}
} // namespace

std::string updated_title(const std::string &existing, const std::string &incoming) {
	if (!incoming.empty() && !is_placeholder_title(incoming))
		return incoming;
	return is_placeholder_title(existing) ? incoming : existing;
}

void notify_issue(const char *what, int64_t project_id, int64_t group_id, const std::string &short_id,
                  const std::string &title) {
	std::string payload = "{\"event\":";
	triage::append_json_string(payload, what);
	payload += ",\"project_id\":" + std::to_string(project_id) + ",\"group_id\":" + std::to_string(group_id) +
	           ",\"short_id\":";
	triage::append_json_string(payload, short_id);
	payload += ",\"title\":";
	triage::append_json_string(payload, triage::truncate_chars(title, 200));
	payload += "}";
	pg_guarded([&]() -> Datum {
		Async_Notify("triage_issues", payload.c_str());
		return (Datum)0;
	});
}

} // namespace triage_pg
