// The one boundary between PostgreSQL and the C++ core.
//
// Every SQL-callable function is declared with TRIAGE_FUNCTION: its body runs inside a
// try/catch, and a C++ exception becomes an ereport(ERROR) only after the handler has finished,
// so no PostgreSQL longjmp ever crosses a live C++ frame. Inside a body, PostgreSQL calls that
// may raise run through pg_guarded(), which turns a PostgreSQL error into a C++ exception that
// keeps the original error (SQLSTATE included) and re-raises it at the boundary.
#pragma once

// C++ and third-party headers come before postgres.h, whose port.h redefines printf & co.
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "errors.hpp"

#define PGDLLEXPORT __attribute__((visibility("default")))
extern "C" {
#include "postgres.h"

#include "fmgr.h"
}

namespace triage_pg {

// A PostgreSQL error caught by pg_guarded, carried across C++ frames to the boundary.
struct PgError {
	ErrorData *data;
};

// An error the glue raises itself, with its SQLSTATE (an ERRCODE_ value) and an optional detail.
struct SqlError {
	int sqlstate;
	std::string message;
	std::string detail;
};

template <typename F> Datum pg_guarded(F &&f) {
	MemoryContext context = CurrentMemoryContext;
	ErrorData *volatile error = nullptr;
	volatile Datum result = (Datum)0;
	PG_TRY();
	{ result = f(); }
	PG_CATCH();
	{
		MemoryContextSwitchTo(context);
		error = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	if (error)
		throw PgError{error};
	return result;
}

int sqlstate_for(triage::ErrorKind kind);

// Runs body and reports what it threw as a PostgreSQL error, after leaving the handler.
Datum invoke(Datum (*body)(FunctionCallInfo), FunctionCallInfo fcinfo);

// Reads a text argument (detoasted) as a view; call before any C++ object is alive.
std::pair<const char *, size_t> text_arg(FunctionCallInfo fcinfo, int n);

// A bytea holding bytes, in the current memory context; call inside pg_guarded.
Datum bytea_datum(std::string_view bytes);

} // namespace triage_pg

#define TRIAGE_FUNCTION(name)                                                                                  \
	extern "C" {                                                                                               \
	PGDLLEXPORT Datum name(PG_FUNCTION_ARGS);                                                                  \
	PG_FUNCTION_INFO_V1(name);                                                                                 \
	}                                                                                                          \
	static Datum name##_body(FunctionCallInfo fcinfo);                                                         \
	Datum name(PG_FUNCTION_ARGS) { return triage_pg::invoke(name##_body, fcinfo); }                            \
	static Datum name##_body(FunctionCallInfo fcinfo)
