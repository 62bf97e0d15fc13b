// triage.status_allows_substatus(): the CHECK of triage.groups (Sentry's status/substatus pairs).
#include "boundary.hpp"

#include <cstring>

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "utils/syscache.h"
}

namespace {

// An enum value's label (the Datum is the pg_enum row's oid).
const char *enum_label(Datum value, char *buffer, size_t size) {
	HeapTuple tuple = SearchSysCache1(ENUMOID, value);
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "invalid enum value %u", DatumGetObjectId(value));
	strlcpy(buffer, NameStr(reinterpret_cast<Form_pg_enum>(GETSTRUCT(tuple))->enumlabel), size);
	ReleaseSysCache(tuple);
	return buffer;
}

bool one_of(const char *label, std::initializer_list<const char *> labels) {
	for (const char *l : labels)
		if (strcmp(label, l) == 0)
			return true;
	return false;
}

} // namespace

TRIAGE_FUNCTION(triage_status_allows_substatus) {
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	char status[NAMEDATALEN], substatus[NAMEDATALEN];
	bool has_substatus = !PG_ARGISNULL(1);
	triage_pg::pg_guarded([&]() -> Datum {
		enum_label(PG_GETARG_DATUM(0), status, sizeof status);
		if (has_substatus)
			enum_label(PG_GETARG_DATUM(1), substatus, sizeof substatus);
		return (Datum)0;
	});
	// No substatus is always allowed (rows written by hand, or by older tools).
	if (!has_substatus)
		PG_RETURN_BOOL(true);
	if (strcmp(status, "unresolved") == 0)
		PG_RETURN_BOOL(one_of(substatus, {"new", "regressed", "ongoing", "escalating"}));
	if (strcmp(status, "ignored") == 0)
		PG_RETURN_BOOL(one_of(substatus, {"archived_until_escalating", "archived_until_condition_met", "archived_forever"}));
	PG_RETURN_BOOL(false);
}
