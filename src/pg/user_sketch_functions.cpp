// SQL access to the users-seen sketches (src/core/user_sketch.hpp): add a user, union two
// sketches, estimate. Merge and unmerge use them; the save path calls the core directly.
#include "boundary.hpp"

#include "user_sketch.hpp"

#include <optional>
#include <string>

extern "C" {
#include "utils/builtins.h"
}

namespace {

// A bytea argument as a string (NULL: empty, the sketch of no users).
std::string sketch_arg(FunctionCallInfo fcinfo, int n) {
	if (PG_ARGISNULL(n))
		return std::string();
	std::pair<const char *, size_t> arg;
	triage_pg::pg_guarded([&]() -> Datum {
		bytea *b = PG_GETARG_BYTEA_PP(n);
		arg = {VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)};
		return (Datum)0;
	});
	return std::string(arg.first, arg.second);
}

Datum sketch_result(const std::string &sketch) {
	return triage_pg::pg_guarded([&]() -> Datum { return triage_pg::bytea_datum(sketch); });
}

} // namespace

// user_sketch_add(sketch, user_key): NULL keys add nothing (events without a user).
TRIAGE_FUNCTION(triage_user_sketch_add) {
	if (PG_ARGISNULL(1)) {
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	std::string sketch = sketch_arg(fcinfo, 0);
	std::pair<const char *, size_t> key;
	triage_pg::pg_guarded([&]() -> Datum {
		key = triage_pg::text_arg(fcinfo, 1);
		return (Datum)0;
	});
	triage::user_sketch_add(sketch, std::string_view(key.first, key.second));
	PG_RETURN_DATUM(sketch_result(sketch));
}

TRIAGE_FUNCTION(triage_user_sketch_union) {
	if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
		PG_RETURN_NULL();
	std::string into = sketch_arg(fcinfo, 0);
	triage::user_sketch_merge(into, sketch_arg(fcinfo, 1));
	PG_RETURN_DATUM(sketch_result(into));
}

TRIAGE_FUNCTION(triage_user_sketch_estimate) {
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(static_cast<int64>(triage::user_sketch_estimate(sketch_arg(fcinfo, 0))));
}

namespace {

std::optional<std::string> recent_with(FunctionCallInfo fcinfo, int recent_arg, int delta_arg) {
	return triage::user_sketch_recent_with(sketch_arg(fcinfo, recent_arg), sketch_arg(fcinfo, delta_arg));
}

} // namespace

TRIAGE_FUNCTION(triage_user_sketch_recent) {
	std::optional<std::string> recent = recent_with(fcinfo, 0, 1);
	if (!recent)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(sketch_result(*recent));
}

TRIAGE_FUNCTION(triage_user_sketch_main) {
	if (recent_with(fcinfo, 1, 2)) {
		// The value as stored (an out-of-line one stays where it is, unread).
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	std::string main = sketch_arg(fcinfo, 0);
	triage::user_sketch_merge(main, sketch_arg(fcinfo, 1));
	triage::user_sketch_merge(main, sketch_arg(fcinfo, 2));
	PG_RETURN_DATUM(sketch_result(main));
}
