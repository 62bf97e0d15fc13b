// NOTIFY triage_issues: a small JSON payload for each new issue and regression, delivered by
// PostgreSQL when the transaction commits (never for work rolled back).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace triage_pg {

// what: "new_issue" or "regression".
void notify_issue(const char *what, int64_t project_id, int64_t group_id, const std::string &short_id,
                  const std::string &title);

} // namespace triage_pg
