#include "notifications.hpp"

#include "boundary.hpp"
#include "json.hpp"
#include "metadata.hpp"

extern "C" {
#include "commands/async.h"
}

namespace triage_pg {

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
