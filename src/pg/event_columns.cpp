#include "event_columns.hpp"

extern "C" {
#include "executor/spi.h"
}

namespace triage_pg {

const Columns &columns_of(Relation rel) {
	static Columns c;
	if (c.relid == RelationGetRelid(rel))
		return c;
	pg_guarded([&]() -> Datum {
		TupleDesc desc = RelationGetDescr(rel);
		auto number = [&](const char *name) {
			int n = SPI_fnumber(desc, name);
			if (n <= 0)
				elog(ERROR, "triage.events has no column %s", name);
			return n;
		};
		c.project_id = number("project_id");
		c.event_id = number("event_id");
		c.group_id = number("group_id");
		c.payload = number("payload");
		c.hashes = number("hashes");
		c.type = number("type");
		c.title = number("title");
		c.culprit = number("culprit");
		c.level = number("level");
		c.platform = number("platform");
		c.release = number("release");
		c.environment = number("environment");
		c.occurred_at = number("occurred_at");
		c.received_at = number("received_at");
		c.tags = number("tags");
		c.user_key = number("user_key");
		c.level_type = TupleDescAttr(desc, c.level - 1)->atttypid;
		c.relid = RelationGetRelid(rel);
		return (Datum)0;
	});
	return c;
}

} // namespace triage_pg
