// Kept SPI plans for C++ code (the ri_triggers.c pattern): each statement is prepared once per
// backend, kept with SPI_keepplan, and run with parameters built here. Every call that can raise
// a PostgreSQL error runs through pg_guarded, so an error reaches the entry point's boundary as
// a C++ exception (with its SQLSTATE) and never longjmps over live C++ objects.
#pragma once

#include "boundary.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include "executor/spi.h"
#include "utils/timestamp.h"
}

namespace triage_pg {

// A statement with its parameter types. Plans live in static storage: one per backend.
struct KeptPlan {
	const char *sql;
	std::vector<Oid> types;
	SPIPlanPtr plan = nullptr;
	bool planned = false; // executed once, so its generic plan exists
};

// Parameters of one execution. Datums are allocated in the current memory context.
class SpiArgs {
public:
	SpiArgs &int8(int64_t v);
	SpiArgs &int4(int32_t v);
	SpiArgs &boolean(bool v);
	SpiArgs &float8(double v);
	SpiArgs &text(std::string_view v);
	SpiArgs &optional_text(const std::optional<std::string> &v);
	SpiArgs &text_array(const std::vector<std::string> &v);
	SpiArgs &text_array(const std::vector<std::string> &v, const std::vector<bool> &is_null);
	SpiArgs &int8_array(const std::vector<Datum> &v);
	SpiArgs &timestamptz_array(const std::vector<Datum> &v);
	SpiArgs &bool_array(const std::vector<Datum> &v);
	SpiArgs &bytea(const std::string &v);
	SpiArgs &bytea_array(const std::vector<std::optional<std::string>> &v); // nullopt: NULL
	SpiArgs &jsonb(const std::string &json);            // parsed once, here
	SpiArgs &jsonb_array(const std::vector<std::string> &json);
	SpiArgs &timestamptz(TimestampTz v);
	SpiArgs &null();

	const Datum *values() const { return values_.data(); }
	const char *nulls() const { return nulls_.c_str(); }
	size_t size() const { return values_.size(); }

private:
	SpiArgs &push(Datum v, bool is_null = false);
	SpiArgs &array(const std::vector<Datum> &v, Oid element_type, int length, bool by_value, char align);
	std::vector<Datum> values_;
	std::string nulls_;
};

// The result rows of the last execution (SPI_tuptable), read by column number (from 0).
class SpiResult {
public:
	uint64_t rows() const { return rows_; }
	bool is_null(uint64_t row, int col) const;
	int64_t int8(uint64_t row, int col) const;
	bool boolean(uint64_t row, int col) const;
	double float8(uint64_t row, int col) const;
	std::string text(uint64_t row, int col) const; // any type, through its output function
	std::optional<int64_t> int8_or_null(uint64_t row, int col) const;
	std::optional<std::string> text_or_null(uint64_t row, int col) const;
	TimestampTz timestamptz(uint64_t row, int col) const;

private:
	friend SpiResult spi_execute(KeptPlan &, const SpiArgs &, long);
	Datum value(uint64_t row, int col, bool *is_null) const;
	SPITupleTable *table_ = nullptr;
	uint64_t rows_ = 0;
};

// Prepares the plan on first use, then executes it (read-write, so each statement sees the
// effects of the ones before it). limit 0: all rows.
SpiResult spi_execute(KeptPlan &plan, const SpiArgs &args, long limit = 0);

// An SPI connection for the duration of a trigger call, opened lazily by the first spi_execute()
// (the common event needs no SQL at all), closed by an explicit finish(). On an exception the
// connection is left to the transaction's abort, which closes it. Connections nest.
class SpiConnection {
public:
	SpiConnection();
	~SpiConnection();
	SpiConnection(const SpiConnection &) = delete;
	SpiConnection &operator=(const SpiConnection &) = delete;
	void finish(); // SPI_finish now, if opened (memory of results is released)

private:
	friend SpiResult spi_execute(KeptPlan &, const SpiArgs &, long);
	void open();
	bool open_ = false;
	SpiConnection *outer_;
};

} // namespace triage_pg
