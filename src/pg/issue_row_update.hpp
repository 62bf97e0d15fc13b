// The counter update of one issue at the end of a statement, written through the table access
// method instead of an SQL UPDATE. A single-row INSERT (what applications send) folds into one
// issue, and its kept UPDATE plan spent more time starting an executor (opening every index of
// triage.groups, compiling the CHECK and generated-column expressions) than everything else the
// event costs. This path does what that UPDATE does for the one row, with the executor's
// concurrency rules: it updates the version its snapshot sees and, under READ COMMITTED, when a
// concurrent transaction updated the row first, locks the latest version and applies the change
// to it (EvalPlanQual); under REPEATABLE READ or SERIALIZABLE that is a serialization failure. Index
// entries are written only when the update is not HOT. Anything on the table that an UPDATE would
// run and this path does not (another trigger, a rule, row-level security, another constraint or
// generated column, missing privileges) sends the caller back to the SQL statement.
#pragma once

#include "pending_counts.hpp"

#include <cstdint>
#include <string>

namespace triage_pg {

// What one statement adds to one issue.
struct IssueRowChange {
	int64_t project_id = 0, group_id = 0, count = 0;
	TimestampTz first_seen = 0, last_seen = 0;
	const LatestFields *latest = nullptr;    // the latest event's fields (null: none of them changes)
	bool only_received = false;              // of those, only data.last_received (the rest is written)
	const std::string *user_delta = nullptr; // new users as a delta sketch (null: none)
};

enum class RowUpdate { updated, missing, use_sql };

// Applies change to the issue's row. missing: no such issue (a concurrent merge
// or delete removed it); use_sql: the table needs the SQL statement.
RowUpdate update_issue_row(const IssueRowChange &change);

} // namespace triage_pg
