// The columns of triage.events by name, looked up once per relation (the row triggers read and
// fill them by number).
#pragma once

#include "boundary.hpp"

extern "C" {
#include "utils/rel.h"
}

namespace triage_pg {

struct Columns {
	Oid relid = InvalidOid;
	int project_id, event_id, group_id, payload, hashes, type, title, culprit, level, platform, release, environment,
	    occurred_at, received_at, tags, user_key;
	Oid level_type;
};

const Columns &columns_of(Relation rel);

} // namespace triage_pg
