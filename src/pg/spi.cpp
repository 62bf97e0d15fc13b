#include "spi.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
}

namespace triage_pg {

namespace {
SpiConnection *active_connection = nullptr; // the innermost connection of the running trigger call
}

SpiArgs &SpiArgs::push(Datum v, bool is_null) {
	values_.push_back(v);
	nulls_.push_back(is_null ? 'n' : ' ');
	return *this;
}

SpiArgs &SpiArgs::int8(int64_t v) { return push(Int64GetDatum(v)); }
SpiArgs &SpiArgs::int4(int32_t v) { return push(Int32GetDatum(v)); }
SpiArgs &SpiArgs::boolean(bool v) { return push(BoolGetDatum(v)); }
SpiArgs &SpiArgs::float8(double v) { return push(Float8GetDatum(v)); }
SpiArgs &SpiArgs::timestamptz(TimestampTz v) { return push(TimestampTzGetDatum(v)); }
SpiArgs &SpiArgs::null() { return push((Datum)0, true); }

SpiArgs &SpiArgs::text(std::string_view v) {
	return push(pg_guarded([&]() -> Datum {
		return PointerGetDatum(cstring_to_text_with_len(v.data(), static_cast<int>(v.size())));
	}));
}

SpiArgs &SpiArgs::optional_text(const std::optional<std::string> &v) { return v ? text(*v) : null(); }

SpiArgs &SpiArgs::text_array(const std::vector<std::string> &v) { return text_array(v, {}); }

SpiArgs &SpiArgs::text_array(const std::vector<std::string> &v, const std::vector<bool> &is_null) {
	return push(pg_guarded([&]() -> Datum {
		if (v.empty())
			return PointerGetDatum(construct_empty_array(TEXTOID));
		Datum *items = static_cast<Datum *>(palloc(sizeof(Datum) * (v.size() + 1)));
		bool *nulls = static_cast<bool *>(palloc0(sizeof(bool) * (v.size() + 1)));
		for (size_t i = 0; i < v.size(); i++) {
			nulls[i] = i < is_null.size() && is_null[i];
			items[i] = nulls[i] ? (Datum)0
			                    : PointerGetDatum(cstring_to_text_with_len(v[i].data(), static_cast<int>(v[i].size())));
		}
		int dims[1] = {static_cast<int>(v.size())}, lbs[1] = {1};
		return PointerGetDatum(construct_md_array(items, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
	}));
}

SpiArgs &SpiArgs::array(const std::vector<Datum> &v, Oid element_type, int length, bool by_value, char align) {
	return push(pg_guarded([&]() -> Datum {
		return PointerGetDatum(construct_array(const_cast<Datum *>(v.data()), static_cast<int>(v.size()), element_type,
		                                       length, by_value, align));
	}));
}

SpiArgs &SpiArgs::int8_array(const std::vector<Datum> &v) { return array(v, INT8OID, 8, true, TYPALIGN_DOUBLE); }
SpiArgs &SpiArgs::timestamptz_array(const std::vector<Datum> &v) {
	return array(v, TIMESTAMPTZOID, 8, true, TYPALIGN_DOUBLE);
}
SpiArgs &SpiArgs::bool_array(const std::vector<Datum> &v) { return array(v, BOOLOID, 1, true, TYPALIGN_CHAR); }

SpiArgs &SpiArgs::bytea(const std::string &v) {
	return push(pg_guarded([&]() -> Datum { return bytea_datum(v); }));
}

SpiArgs &SpiArgs::bytea_array(const std::vector<std::optional<std::string>> &v) {
	return push(pg_guarded([&]() -> Datum {
		Datum *items = static_cast<Datum *>(palloc(sizeof(Datum) * (v.size() + 1)));
		bool *nulls = static_cast<bool *>(palloc0(sizeof(bool) * (v.size() + 1)));
		for (size_t i = 0; i < v.size(); i++) {
			nulls[i] = !v[i];
			items[i] = v[i] ? bytea_datum(*v[i]) : (Datum)0;
		}
		int dims[1] = {static_cast<int>(v.size())}, lbs[1] = {1};
		return PointerGetDatum(construct_md_array(items, nulls, 1, dims, lbs, BYTEAOID, -1, false, TYPALIGN_INT));
	}));
}

SpiArgs &SpiArgs::jsonb(const std::string &json) {
	return push(pg_guarded([&]() -> Datum { return DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); }));
}

SpiArgs &SpiArgs::jsonb_array(const std::vector<std::string> &json) {
	return push(pg_guarded([&]() -> Datum {
		Datum *items = static_cast<Datum *>(palloc(sizeof(Datum) * (json.size() + 1)));
		for (size_t i = 0; i < json.size(); i++)
			items[i] = DirectFunctionCall1(jsonb_in, CStringGetDatum(json[i].c_str()));
		return PointerGetDatum(construct_array(items, static_cast<int>(json.size()), JSONBOID, -1, false, TYPALIGN_INT));
	}));
}

Datum SpiResult::value(uint64_t row, int col, bool *is_null) const {
	return SPI_getbinval(table_->vals[row], table_->tupdesc, col + 1, is_null);
}

bool SpiResult::is_null(uint64_t row, int col) const {
	bool n;
	value(row, col, &n);
	return n;
}

int64_t SpiResult::int8(uint64_t row, int col) const {
	bool n;
	Datum d = value(row, col, &n);
	if (n)
		throw std::logic_error("unexpected NULL in an SPI result");
	return DatumGetInt64(d);
}

std::optional<int64_t> SpiResult::int8_or_null(uint64_t row, int col) const {
	bool n;
	Datum d = value(row, col, &n);
	return n ? std::nullopt : std::optional<int64_t>(DatumGetInt64(d));
}

bool SpiResult::boolean(uint64_t row, int col) const {
	bool n;
	Datum d = value(row, col, &n);
	return !n && DatumGetBool(d);
}

double SpiResult::float8(uint64_t row, int col) const {
	bool n;
	Datum d = value(row, col, &n);
	if (n)
		throw std::logic_error("unexpected NULL in an SPI result");
	return DatumGetFloat8(d);
}

TimestampTz SpiResult::timestamptz(uint64_t row, int col) const {
	bool n;
	Datum d = value(row, col, &n);
	if (n)
		throw std::logic_error("unexpected NULL in an SPI result");
	return DatumGetTimestampTz(d);
}

std::optional<std::string> SpiResult::text_or_null(uint64_t row, int col) const {
	bool n;
	Datum d = value(row, col, &n);
	if (n)
		return std::nullopt;
	std::string out;
	pg_guarded([&]() -> Datum {
		Oid type = SPI_gettypeid(table_->tupdesc, col + 1);
		if (type == TEXTOID) {
			auto *t = reinterpret_cast<::text *>(PG_DETOAST_DATUM_PACKED(d));
			out.assign(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		} else {
			Oid output;
			bool varlena;
			getTypeOutputInfo(type, &output, &varlena);
			out = OidOutputFunctionCall(output, d);
		}
		return (Datum)0;
	});
	return out;
}

std::string SpiResult::text(uint64_t row, int col) const { return text_or_null(row, col).value_or(std::string()); }

SpiResult spi_execute(KeptPlan &plan, const SpiArgs &args, long limit) {
	if (args.size() != plan.types.size())
		throw std::logic_error(std::string("wrong number of parameters for: ") + plan.sql);
	if (!active_connection)
		throw std::logic_error("spi_execute outside an SpiConnection");
	if (!active_connection->open_)
		active_connection->open();
	SpiResult result;
	pg_guarded([&]() -> Datum {
		if (!plan.plan) {
			// Generic plans always: the statements probe full keys, so a plan made once fits every
			// execution, and re-planning each call would cost more than the statement.
			SPIPlanPtr p = SPI_prepare_cursor(plan.sql, static_cast<int>(plan.types.size()), plan.types.data(),
			                                  CURSOR_OPT_GENERIC_PLAN);
			if (!p)
				elog(ERROR, "SPI_prepare failed (%s): %s", SPI_result_code_string(SPI_result), plan.sql);
			SPI_keepplan(p);
			plan.plan = p;
		}
		// The generic plan is built at an execution (the first, or the first after an invalidation),
		// often while the tables are still small: a plan made then must not be a sequential scan
		// that the backend keeps once the table has grown. So plans are made with seqscans off, and
		// with JIT off: a scan with no other way (a whole small table) then costs more than
		// jit_above_cost, and JIT would compile these short statements at every execution.
		bool planning = !plan.planned || !SPI_plan_is_valid(plan.plan);
		int guc_level = 0;
		if (planning) {
			guc_level = NewGUCNestLevel();
			(void)set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
			                        false);
			(void)set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
		}
		int rc = SPI_execute_plan(plan.plan, const_cast<Datum *>(args.values()), args.nulls(), false, limit);
		if (planning) {
			AtEOXact_GUC(true, guc_level);
			plan.planned = true;
		}
		if (rc < 0)
			elog(ERROR, "SPI_execute_plan failed (%s): %s", SPI_result_code_string(rc), plan.sql);
		result.table_ = SPI_tuptable;
		result.rows_ = SPI_processed;
		return (Datum)0;
	});
	return result;
}

SpiConnection::SpiConnection() : outer_(active_connection) { active_connection = this; }

SpiConnection::~SpiConnection() {
	if (active_connection == this)
		active_connection = outer_;
}

void SpiConnection::open() {
	pg_guarded([&]() -> Datum {
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		return (Datum)0;
	});
	open_ = true;
}

void SpiConnection::finish() {
	if (active_connection == this)
		active_connection = outer_;
	if (!open_)
		return;
	open_ = false;
	pg_guarded([&]() -> Datum {
		SPI_finish();
		return (Datum)0;
	});
}

} // namespace triage_pg
