#include "boundary.hpp"

#include <cstring>

extern "C" {
#include "utils/builtins.h"
#include "utils/elog.h"
}

namespace triage_pg {

int sqlstate_for(triage::ErrorKind kind) {
	switch (kind) {
	case triage::ErrorKind::invalid_json: return ERRCODE_INVALID_TEXT_REPRESENTATION;
	case triage::ErrorKind::invalid_parameter: return ERRCODE_INVALID_PARAMETER_VALUE;
	case triage::ErrorKind::rule_syntax: return ERRCODE_SYNTAX_ERROR;
	case triage::ErrorKind::program_limit: return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
	}
	return ERRCODE_INTERNAL_ERROR;
}

Datum invoke(Datum (*body)(FunctionCallInfo), FunctionCallInfo fcinfo) {
	char message[1024];
	char detail[1024] = "";
	int sqlstate = ERRCODE_INTERNAL_ERROR;
	ErrorData *pg_error = nullptr;
	try {
		return body(fcinfo);
	} catch (const PgError &e) {
		pg_error = e.data;
	} catch (const SqlError &e) {
		sqlstate = e.sqlstate;
		strlcpy(message, e.message.c_str(), sizeof message);
		strlcpy(detail, e.detail.c_str(), sizeof detail);
	} catch (const triage::Error &e) {
		sqlstate = sqlstate_for(e.kind());
		strlcpy(message, e.what(), sizeof message);
	} catch (const std::bad_alloc &) {
		sqlstate = ERRCODE_OUT_OF_MEMORY;
		strlcpy(message, "out of memory", sizeof message);
	} catch (const std::exception &e) {
		strlcpy(message, e.what(), sizeof message);
	} catch (...) {
		strlcpy(message, "unexpected C++ exception", sizeof message);
	}
	// Outside every handler now: PostgreSQL may longjmp from here.
	if (pg_error)
		ReThrowError(pg_error);
	ereport(ERROR, (errcode(sqlstate), errmsg("%s", message), detail[0] ? errdetail("%s", detail) : 0));
	pg_unreachable();
}

Datum bytea_datum(std::string_view bytes) {
	bytea *b = static_cast<bytea *>(palloc(VARHDRSZ + bytes.size()));
	SET_VARSIZE(b, VARHDRSZ + bytes.size());
	memcpy(VARDATA(b), bytes.data(), bytes.size());
	return PointerGetDatum(b);
}

std::pair<const char *, size_t> text_arg(FunctionCallInfo fcinfo, int n) {
	text *t = PG_GETARG_TEXT_PP(n);
	return {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

} // namespace triage_pg
