#include "issue_row_update.hpp"

#include "backend_cache.hpp"
#include "group_data.hpp"
#include "sort_keys.hpp"
#include "user_sketch.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_class_d.h"
#include "catalog/pg_trigger_d.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

PGDLLEXPORT Datum triage_merge_group_data(PG_FUNCTION_ARGS);
}

namespace triage_pg {

namespace {

// The columns of triage.groups this update reads or writes, by number (0: the installed objects,
// older than the library, lack it).
struct GroupColumns {
	Oid relid = InvalidOid;
	uint64_t generation = 0;
	bool usable = false; // every column found has the type this update writes, and the primary
	                     // key is (project_id, id)
	int project_id = 0, id = 0, times_seen = 0, first_seen = 0, last_seen = 0, level = 0, culprit = 0, message = 0,
	    title = 0, data = 0;
	int users_seen = 0, user_sketch = 0, user_sketch_recent = 0;
	int last_seen_bucket = 0, times_seen_bucket = 0, users_seen_bucket = 0;
	Oid level_type = InvalidOid;
};

// Inside pg_guarded. Looked up again whenever the table's relcache entry changed (an ALTER
// TABLE), since generation is cache_generation({CachedTable::groups}).
const GroupColumns &group_columns(Relation rel, uint64_t generation) {
	static GroupColumns c;
	TupleDesc desc = RelationGetDescr(rel);
	if (c.relid == RelationGetRelid(rel) && c.generation == generation)
		return c;
	c = GroupColumns{};
	bool types_ok = true;
	auto typed = [desc, &types_ok](const char *name, Oid type) {
		int n = SPI_fnumber(desc, name);
		if (n <= 0)
			return 0;
		if (type != InvalidOid && TupleDescAttr(desc, n - 1)->atttypid != type)
			types_ok = false;
		return n;
	};
	auto required = [&typed](const char *name, Oid type) {
		int n = typed(name, type);
		if (n == 0)
			elog(ERROR, "triage.groups has no column %s", name);
		return n;
	};
	c.project_id = required("project_id", INT8OID);
	c.id = required("id", INT8OID);
	c.times_seen = required("times_seen", INT8OID);
	c.first_seen = required("first_seen", TIMESTAMPTZOID);
	c.last_seen = required("last_seen", TIMESTAMPTZOID);
	c.level = required("level", InvalidOid);
	c.culprit = required("culprit", TEXTOID);
	c.message = required("message", TEXTOID);
	c.title = required("title", TEXTOID);
	c.data = required("data", JSONBOID);
	c.users_seen = typed("users_seen", INT8OID);
	c.user_sketch = typed("user_sketch", BYTEAOID);
	c.user_sketch_recent = typed("user_sketch_recent", BYTEAOID);
	c.last_seen_bucket = typed("last_seen_bucket", INT8OID);
	c.times_seen_bucket = typed("times_seen_bucket", INT4OID);
	c.users_seen_bucket = typed("users_seen_bucket", INT4OID);
	c.level_type = TupleDescAttr(desc, c.level - 1)->atttypid;
	bool key_ok = false;
	if (Oid pkey_oid = RelationGetPrimaryKeyIndex(rel); pkey_oid != InvalidOid) {
		Relation pkey = index_open(pkey_oid, AccessShareLock);
		const int2vector &keys = pkey->rd_index->indkey;
		key_ok = pkey->rd_index->indnkeyatts == 2 && keys.values[0] == c.project_id && keys.values[1] == c.id;
		index_close(pkey, NoLock);
	}
	c.usable = types_ok && key_ok && get_typtype(c.level_type) == TYPTYPE_ENUM &&
	           (c.users_seen_bucket == 0 || c.users_seen != 0);
	c.relid = RelationGetRelid(rel);
	c.generation = generation;
	return c;
}

// Whether an UPDATE of these columns would run nothing that this path leaves out (inside
// pg_guarded): only our own trigger (it reacts to columns never written here), only our CHECK (on
// status and substatus, never written here), only our generated columns (computed here), no rule,
// no row-level security, usable columns (group_columns), and the privileges the UPDATE needs.
bool direct_update_allowed(Relation rel, const GroupColumns &c) {
	if (!c.usable)
		return false;
	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rel->relrowsecurity || rel->rd_rules != nullptr)
		return false;
	if (const TriggerDesc *triggers = rel->trigdesc)
		for (int i = 0; i < triggers->numtriggers; i++) {
			const Trigger &t = triggers->triggers[i];
			if (TRIGGER_FOR_UPDATE(t.tgtype) && strcmp(t.tgname, "invalidate_cache") != 0)
				return false;
		}
	TupleDesc desc = RelationGetDescr(rel);
	if (const TupleConstr *constr = desc->constr) {
		if (constr->num_check > 1 || (constr->num_check == 1 && strcmp(constr->check[0].ccname, "groups_check") != 0))
			return false;
		for (int i = 0; constr->has_generated_stored && i < desc->natts; i++) {
			int attnum = i + 1;
			if (TupleDescAttr(desc, i)->attgenerated && attnum != c.last_seen_bucket && attnum != c.times_seen_bucket &&
			    attnum != c.users_seen_bucket)
				return false;
		}
	}
	constexpr AclMode wanted = ACL_SELECT | ACL_UPDATE;
	return pg_class_aclmask(RelationGetRelid(rel), GetUserId(), wanted, ACLMASK_ALL) == wanted;
}

// PostgreSQL memory of one update.
struct Row {
	Relation rel = nullptr;
	const GroupColumns *columns = nullptr;
	Snapshot snapshot = nullptr;
	CommandId cid = 0;
	TupleTableSlot *old_slot = nullptr; // the version to update (its buffer stays pinned)
	TupleTableSlot *new_slot = nullptr; // virtual: the new values
	bool found = false;
};

// What the update reads of the version in old_slot, as views of PostgreSQL memory.
struct OldValues {
	int64 project_id = 0, id = 0, times_seen = 0;
	TimestampTz first_seen = 0, last_seen = 0;
	std::optional<std::string_view> title, recent, main;
};

std::optional<std::string_view> varlena_view(Datum d, bool is_null) {
	if (is_null)
		return std::nullopt;
	varlena *v = PG_DETOAST_DATUM_PACKED(d);
	return std::string_view(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}

// The new values of the columns this update writes, computed in C++ from the old ones.
struct NewValues {
	int64 times_seen = 0;
	TimestampTz first_seen = 0, last_seen = 0;
	std::optional<std::string> title; // with latest
	bool keep_message = true;
	std::optional<std::string> recent; // with users: the new recent half (none: NULL)
	std::optional<std::string> main;   // with users: a rewritten main half (none: unchanged)
	int64 users_seen = 0;
};

NewValues compute(const IssueRowChange &change, const OldValues &old) {
	NewValues n;
	n.times_seen = old.times_seen + change.count;
	n.first_seen = std::min(old.first_seen, change.first_seen);
	n.last_seen = std::max(old.last_seen, change.last_seen);
	if (change.latest && !change.only_received) {
		const LatestFields &l = *change.latest;
		std::optional<std::string> existing;
		if (old.title)
			existing.emplace(*old.title);
		n.title = updated_title(existing, l.title);
		if (!n.title) // (only a NULL title before could give that; the UPDATE would refuse it too)
			throw SqlError{ERRCODE_NOT_NULL_VIOLATION,
			               "null value in column \"title\" of relation \"groups\" violates not-null constraint", ""};
		n.keep_message = l.message.empty() || is_placeholder_title(l.message);
	}
	if (change.user_delta) {
		std::string_view recent = old.recent.value_or(std::string_view());
		std::string all(old.main.value_or(std::string_view()));
		n.recent = triage::user_sketch_recent_with(recent, *change.user_delta);
		if (n.recent) {
			triage::user_sketch_merge(all, *n.recent);
		} else {
			triage::user_sketch_merge(all, recent);
			triage::user_sketch_merge(all, *change.user_delta);
			n.main = all;
		}
		n.users_seen = static_cast<int64>(triage::user_sketch_estimate(all));
	}
	return n;
}

// Reads the version in old_slot (inside pg_guarded).
OldValues read_old(const Row &row, bool with_users) {
	const GroupColumns &c = *row.columns;
	TupleTableSlot *slot = row.old_slot;
	slot_getallattrs(slot);
	auto value = [slot](int attnum) { return slot->tts_values[attnum - 1]; };
	auto is_null = [slot](int attnum) { return slot->tts_isnull[attnum - 1]; };
	OldValues old;
	old.project_id = DatumGetInt64(value(c.project_id));
	old.id = DatumGetInt64(value(c.id));
	old.times_seen = DatumGetInt64(value(c.times_seen));
	old.first_seen = DatumGetTimestampTz(value(c.first_seen));
	old.last_seen = DatumGetTimestampTz(value(c.last_seen));
	old.title = varlena_view(value(c.title), is_null(c.title));
	if (with_users) {
		old.recent = varlena_view(value(c.user_sketch_recent), is_null(c.user_sketch_recent));
		old.main = varlena_view(value(c.user_sketch), is_null(c.user_sketch)); // out of line: read here
	}
	return old;
}

// The new version's values into new_slot (inside pg_guarded); returns the columns written.
Bitmapset *fill_new(Row &row, const IssueRowChange &change, const NewValues &n) {
	const GroupColumns &c = *row.columns;
	TupleTableSlot *slot = row.new_slot;
	int natts = RelationGetDescr(row.rel)->natts;
	ExecClearTuple(slot);
	memcpy(slot->tts_values, row.old_slot->tts_values, sizeof(Datum) * natts);
	memcpy(slot->tts_isnull, row.old_slot->tts_isnull, sizeof(bool) * natts);
	Bitmapset *written = nullptr;
	auto set = [slot, &written](int attnum, Datum value, bool is_null = false) {
		slot->tts_values[attnum - 1] = value;
		slot->tts_isnull[attnum - 1] = is_null;
		written = bms_add_member(written, attnum - FirstLowInvalidHeapAttributeNumber);
	};
	set(c.times_seen, Int64GetDatum(n.times_seen));
	set(c.first_seen, TimestampTzGetDatum(n.first_seen));
	set(c.last_seen, TimestampTzGetDatum(n.last_seen));
	Datum old_data = row.old_slot->tts_values[c.data - 1];
	if (change.latest && !change.only_received) {
		const LatestFields &l = *change.latest;
		set(c.level, DirectFunctionCall2(enum_in, CStringGetDatum(l.level.c_str()), ObjectIdGetDatum(c.level_type)));
		set(c.culprit, PointerGetDatum(cstring_to_text_with_len(l.culprit.data(), static_cast<int>(l.culprit.size()))));
		if (!n.keep_message)
			set(c.message,
			    PointerGetDatum(cstring_to_text_with_len(l.message.data(), static_cast<int>(l.message.size()))));
		set(c.title, PointerGetDatum(cstring_to_text_with_len(n.title->data(), static_cast<int>(n.title->size()))));
		Datum incoming = DirectFunctionCall1(jsonb_in, CStringGetDatum(l.data_json.c_str()));
		set(c.data, DirectFunctionCall2(triage_merge_group_data, old_data, incoming));
	} else if (change.latest) {
		// data || {"last_received": received}, as jsonb_set() of that key.
		char number[64];
		snprintf(number, sizeof number, "{\"last_received\": %s}",
		         DatumGetCString(DirectFunctionCall1(float8out, Float8GetDatum(change.latest->received))));
		set(c.data, DirectFunctionCall2(jsonb_concat, old_data, DirectFunctionCall1(jsonb_in, CStringGetDatum(number))));
	}
	if (change.user_delta) {
		if (n.recent)
			set(c.user_sketch_recent, bytea_datum(*n.recent));
		else
			set(c.user_sketch_recent, (Datum)0, true);
		if (n.main)
			set(c.user_sketch, bytea_datum(*n.main));
		set(c.users_seen, Int64GetDatum(n.users_seen));
	}
	if (c.last_seen_bucket)
		set(c.last_seen_bucket, Int64GetDatum(minute_bucket(n.last_seen)));
	if (c.times_seen_bucket)
		set(c.times_seen_bucket, Int32GetDatum(count_bucket(n.times_seen)));
	if (c.users_seen_bucket)
		set(c.users_seen_bucket, Int32GetDatum(count_bucket(DatumGetInt64(slot->tts_values[c.users_seen - 1]))));
	ExecStoreVirtualTuple(slot);
	return written;
}

// Index entries for the new version of a non-HOT update (inside pg_guarded). The range table
// names the columns written, so that unchanged indexes get the bottom-up deletion hint.
void insert_index_entries(Row &row, Bitmapset *written) {
	EState *estate = CreateExecutorState();
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(row.rel);
	rte->relkind = RELKIND_RELATION;
	rte->rellockmode = RowExclusiveLock;
	rte->updatedCols = written;
	ExecInitRangeTable(estate, list_make1(rte));
	ResultRelInfo *info = makeNode(ResultRelInfo);
	InitResultRelInfo(info, row.rel, 1, nullptr, 0);
	ExecOpenIndices(info, false);
	ExecInsertIndexTuples(info, row.new_slot, estate, true, false, nullptr, NIL);
	ExecCloseIndices(info);
	FreeExecutorState(estate);
}

void finish(Row &row) {
	pg_guarded([&]() -> Datum {
		if (row.old_slot)
			ExecDropSingleTupleTableSlot(row.old_slot);
		if (row.new_slot)
			ExecDropSingleTupleTableSlot(row.new_slot);
		PopActiveSnapshot();
		table_close(row.rel, NoLock);
		return (Datum)0;
	});
}

// A result the update cannot go on from: the row was changed by this very command (as the
// executor reports it), or something unexpected.
[[noreturn]] void fail(Row &row, TM_Result result) {
	finish(row);
	if (result == TM_SelfModified)
		throw SqlError{ERRCODE_TRIGGERED_DATA_CHANGE_VIOLATION,
		               "the issue's row was already modified by an operation triggered by the current command", ""};
	throw SqlError{ERRCODE_INTERNAL_ERROR, "unexpected result of an issue row update", ""};
}

} // namespace

RowUpdate update_issue_row(const IssueRowChange &change) {
	Oid relid = cached_table_oid(CachedTable::groups);
	uint64_t generation = cache_generation({CachedTable::groups});
	Row row;
	bool allowed = DatumGetBool(pg_guarded([&]() -> Datum {
		row.rel = table_open(relid, RowExclusiveLock);
		row.columns = &group_columns(row.rel, generation);
		if (!direct_update_allowed(row.rel, *row.columns)) {
			table_close(row.rel, NoLock);
			return BoolGetDatum(false);
		}
		CheckCmdReplicaIdentity(row.rel, CMD_UPDATE);
		// As SPI runs a statement: see this statement's earlier writes (the issue may have been
		// created by its row trigger), under a new snapshot in READ COMMITTED.
		CommandCounterIncrement();
		PushActiveSnapshot(GetTransactionSnapshot());
		UpdateActiveSnapshotCommandId();
		row.snapshot = GetActiveSnapshot();
		row.cid = GetCurrentCommandId(true);
		row.old_slot = table_slot_create(row.rel, nullptr);
		row.new_slot = MakeSingleTupleTableSlot(RelationGetDescr(row.rel), &TTSOpsVirtual);
		Relation pkey = index_open(RelationGetPrimaryKeyIndex(row.rel), AccessShareLock);
		ScanKeyData keys[2];
		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(change.project_id));
		ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(change.group_id));
		IndexScanDesc scan = index_beginscan(row.rel, pkey, row.snapshot, 2, 0);
		index_rescan(scan, keys, 2, nullptr, 0);
		row.found = index_getnext_slot(scan, ForwardScanDirection, row.old_slot);
		index_endscan(scan);
		index_close(pkey, NoLock);
		return BoolGetDatum(true);
	}));
	if (!allowed)
		return RowUpdate::use_sql;
	const bool with_users = change.user_delta && row.columns->user_sketch && row.columns->user_sketch_recent &&
	                        row.columns->users_seen;
	IssueRowChange effective = change;
	if (!with_users)
		effective.user_delta = nullptr;
	for (;;) {
		OldValues old;
		if (row.found)
			pg_guarded([&]() -> Datum {
				old = read_old(row, with_users);
				return (Datum)0;
			});
		if (!row.found || old.project_id != change.project_id || old.id != change.group_id) {
			finish(row);
			return RowUpdate::missing;
		}
		NewValues n;
		try {
			n = compute(effective, old);
		} catch (...) {
			finish(row);
			throw;
		}
		TM_Result result;
		TM_FailureData failure;
		LockTupleMode lock_mode;
		bool update_indexes = false;
		pg_guarded([&]() -> Datum {
			Bitmapset *written = fill_new(row, effective, n);
			ItemPointerData tid = row.old_slot->tts_tid;
			result = table_tuple_update(row.rel, &tid, row.new_slot, row.cid, row.snapshot, InvalidSnapshot, true,
			                            &failure, &lock_mode, &update_indexes);
			if (result == TM_Ok && update_indexes)
				insert_index_entries(row, written);
			return (Datum)0;
		});
		if (result == TM_Ok) {
			finish(row);
			return RowUpdate::updated;
		}
		if (result != TM_Updated && result != TM_Deleted)
			fail(row, result);
		if (IsolationUsesXactSnapshot()) {
			finish(row);
			throw SqlError{ERRCODE_T_R_SERIALIZATION_FAILURE,
			               result == TM_Updated ? "could not serialize access due to concurrent update"
			                                    : "could not serialize access due to concurrent delete",
			               ""};
		}
		if (result == TM_Deleted) {
			finish(row);
			return RowUpdate::missing;
		}
		// READ COMMITTED: another transaction updated the row first; lock its latest version and
		// apply the change to that one.
		pg_guarded([&]() -> Datum {
			ItemPointerData tid = row.old_slot->tts_tid;
			result = table_tuple_lock(row.rel, &tid, row.snapshot, row.old_slot, row.cid, lock_mode, LockWaitBlock,
			                          TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &failure);
			return (Datum)0;
		});
		if (result == TM_Deleted) {
			finish(row);
			return RowUpdate::missing;
		}
		if (result != TM_Ok)
			fail(row, result);
	}
}

} // namespace triage_pg
