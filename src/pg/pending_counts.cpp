#include "pending_counts.hpp"

#include "backend_cache.hpp"
#include "boundary.hpp"
#include "event_columns.hpp"
#include "ignored_issues.hpp"
#include "issue_row_update.hpp"
#include "regressions.hpp"
#include "side_tables.hpp"
#include "spi.hpp"
#include "user_sketch.hpp"

#include <algorithm>

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "utils/rel.h"
#include "utils/uuid.h"
}

namespace triage_pg {

namespace {

// The latest-event fields of an issue whose events bring none (the statement created it).
const LatestFields kNoLatest{"error", "", "", "", "{}"};

// The issue rows of a multi-issue fold are locked first, in (project_id, id) order: the UPDATE's
// join may visit them in any order (heap order, which differs between sessions as rows move).
KeptPlan lock_groups{"SELECT 1 FROM triage.groups WHERE id = ANY ($1::pg_catalog.int8[]) "
                     "ORDER BY project_id, id FOR NO KEY UPDATE",
                     {INT8ARRAYOID}};

// The statements share their text: the variants ending in _users also add the events' new users
// to the issue's sketch (a delta sketch, united with the stored one under the row lock, so that
// concurrent statements add up) and refresh users_seen. Objects of 0.2.0 lack those columns.
#define FOLD_COUNTS_SET                                                                                            \
	"UPDATE triage.groups g SET times_seen = g.times_seen + d.n, "                                                 \
	"first_seen = LEAST(g.first_seen, d.first_seen), last_seen = GREATEST(g.last_seen, d.last_seen), "             \
	"level = CASE WHEN d.has_latest THEN d.level::triage.log_level ELSE g.level END, "                             \
	"culprit = CASE WHEN d.has_latest THEN d.culprit ELSE g.culprit END, "                                         \
	"message = CASE WHEN d.has_latest AND d.message <> '' AND NOT triage.is_placeholder_title(d.message) "         \
	"THEN d.message ELSE g.message END, "                                                                          \
	"title = CASE WHEN d.has_latest THEN triage.updated_title(g.title, d.title) ELSE g.title END, "                \
	"data = CASE WHEN d.has_latest THEN triage.merge_group_data(g.data, d.data) ELSE g.data END "
#define FOLD_COUNTS_ARRAYS                                                                                         \
	"pg_catalog.unnest($1::pg_catalog.int8[]), pg_catalog.unnest($2::pg_catalog.int8[]), "                         \
	"pg_catalog.unnest($3::pg_catalog.int8[]), pg_catalog.unnest($4::pg_catalog.timestamptz[]), "                  \
	"pg_catalog.unnest($5::pg_catalog.timestamptz[]), pg_catalog.unnest($6::pg_catalog.bool[]), "                  \
	"pg_catalog.unnest($7::pg_catalog.text[]), pg_catalog.unnest($8::pg_catalog.text[]), "                         \
	"pg_catalog.unnest($9::pg_catalog.text[]), pg_catalog.unnest($10::pg_catalog.text[]), "                        \
	"pg_catalog.unnest($11::pg_catalog.jsonb[])"
#define FOLD_COUNTS_COLUMNS "project_id, group_id, n, first_seen, last_seen, has_latest, level, culprit, message, title, data"
#define FOLD_USERS_SET(delta)                                                                                      \
	", user_sketch_recent = CASE WHEN " delta " IS NULL THEN g.user_sketch_recent "                                \
	"ELSE triage.user_sketch_recent(g.user_sketch_recent, " delta ") END, "                                        \
	"user_sketch = CASE WHEN " delta " IS NULL THEN g.user_sketch "                                                \
	"ELSE triage.user_sketch_main(g.user_sketch, g.user_sketch_recent, " delta ") END, "                           \
	"users_seen = CASE WHEN " delta " IS NULL THEN g.users_seen ELSE triage.user_sketch_estimate("                 \
	"triage.user_sketch_union(g.user_sketch, triage.user_sketch_union(g.user_sketch_recent, " delta "))) END "

KeptPlan fold_counts{FOLD_COUNTS_SET "FROM ROWS FROM (" FOLD_COUNTS_ARRAYS ") AS d(" FOLD_COUNTS_COLUMNS ") "
                                     "WHERE g.project_id = d.project_id AND g.id = d.group_id",
                     {INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID, BOOLARRAYOID,
                      TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID}};
KeptPlan fold_counts_users{
    FOLD_COUNTS_SET FOLD_USERS_SET("d.users") "FROM ROWS FROM (" FOLD_COUNTS_ARRAYS
                                              ", pg_catalog.unnest($12::pg_catalog.bytea[])) AS d(" FOLD_COUNTS_COLUMNS
                                              ", users) WHERE g.project_id = d.project_id AND g.id = d.group_id",
    {INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID, BOOLARRAYOID, TEXTARRAYOID,
     TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID, BYTEAARRAYOID}};

// The same for one issue, when the direct row update (issue_row_update.hpp) leaves it to SQL: a
// plan with scalar parameters starts much faster than the unnest join.
#define FOLD_ONE_SET                                                                                               \
	"UPDATE triage.groups g SET times_seen = g.times_seen + $3, "                                                  \
	"first_seen = LEAST(g.first_seen, $4), last_seen = GREATEST(g.last_seen, $5), "                                \
	"level = CASE WHEN $6 THEN $7::triage.log_level ELSE g.level END, "                                            \
	"culprit = CASE WHEN $6 THEN $8 ELSE g.culprit END, "                                                          \
	"message = CASE WHEN $6 AND $9 <> '' AND NOT triage.is_placeholder_title($9) THEN $9 ELSE g.message END, "     \
	"title = CASE WHEN $6 THEN triage.updated_title(g.title, $10) ELSE g.title END, "                              \
	"data = CASE WHEN $6 THEN triage.merge_group_data(g.data, $11) ELSE g.data END "
KeptPlan fold_one{FOLD_ONE_SET "WHERE g.project_id = $1 AND g.id = $2",
                  {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, BOOLOID, TEXTOID, TEXTOID, TEXTOID,
                   TEXTOID, JSONBOID}};
KeptPlan fold_one_users{FOLD_ONE_SET FOLD_USERS_SET("$12::pg_catalog.bytea") "WHERE g.project_id = $1 AND g.id = $2",
                        {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, BOOLOID, TEXTOID, TEXTOID, TEXTOID,
                         TEXTOID, JSONBOID, BYTEAOID}};

// The same when the event brings the latest-event fields this session last wrote for the issue:
// counters and last_received only.
#define FOLD_ONE_COUNTS_SET                                                                                        \
	"UPDATE triage.groups g SET times_seen = g.times_seen + $3, "                                                  \
	"first_seen = LEAST(g.first_seen, $4), last_seen = GREATEST(g.last_seen, $5), "                                \
	"data = pg_catalog.jsonb_set(g.data, '{last_received}', pg_catalog.to_jsonb($6::pg_catalog.float8)) "
KeptPlan fold_one_counts{FOLD_ONE_COUNTS_SET "WHERE g.project_id = $1 AND g.id = $2",
                         {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, FLOAT8OID}};
KeptPlan fold_one_counts_users{FOLD_ONE_COUNTS_SET FOLD_USERS_SET("$7::pg_catalog.bytea")
                               "WHERE g.project_id = $1 AND g.id = $2",
                               {INT8OID, INT8OID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, FLOAT8OID, BYTEAOID}};

// A digest of the latest-event fields, last_received left out (it ends data_json).
uint64_t fields_digest(const LatestFields &l) {
	std::string_view data = l.data_json;
	size_t cut = data.rfind(",\"last_received\":");
	if (cut != std::string_view::npos)
		data = data.substr(0, cut);
	uint64_t h = 1469598103934665603ULL; // FNV-1a over the fields and their lengths
	auto mix = [&](std::string_view s) {
		for (unsigned char ch : s)
			h = (h ^ ch) * 1099511628211ULL;
		h = (h ^ s.size()) * 1099511628211ULL;
	};
	mix(l.level), mix(l.culprit), mix(l.message), mix(l.title), mix(data);
	return h;
}

// The statement's events name issues that a concurrent merge or delete removed after the row
// trigger read them: the statement fails, and its retry sees where the hashes point now.
void require_all_updated(uint64_t rows, size_t issues) {
	if (rows < issues)
		throw SqlError{ERRCODE_T_R_SERIALIZATION_FAILURE,
		               "an issue of these events was merged or deleted by a concurrent transaction",
		               "Retry the statement: it groups the events anew."};
}

// The single-issue fold as an SQL UPDATE (for a table the direct update leaves to the executor);
// returns whether the issue's row was there.
bool fold_one_with_sql(const IssueRowChange &change) {
	SpiArgs args;
	args.int8(change.project_id).int8(change.group_id).int8(change.count);
	args.timestamptz(change.first_seen).timestamptz(change.last_seen);
	const bool users = change.user_delta != nullptr;
	if (change.latest && change.only_received) {
		args.float8(change.latest->received);
		if (users)
			args.bytea(*change.user_delta);
		return spi_execute(users ? fold_one_counts_users : fold_one_counts, args).rows() == 1;
	}
	const LatestFields &l = change.latest ? *change.latest : kNoLatest;
	args.boolean(change.latest != nullptr).text(l.level).text(l.culprit).text(l.message).text(l.title).jsonb(l.data_json);
	if (users)
		args.bytea(*change.user_delta);
	return spi_execute(users ? fold_one_users : fold_one, args).rows() == 1;
}

// Whatever a failed statement queued is gone with its rows.
void forget_statement() {
	pending_counts().clear();
	forget_regressions();
	forget_ignored();
	forget_side_tables();
}

} // namespace

PendingCounts &pending_counts() {
	static PendingCounts counts;
	return counts;
}

void PendingCounts::note_latest(int64_t project_id, int64_t group_id, LatestFields fields) {
	groups_[{project_id, group_id}].latest = std::move(fields);
}

PendingCounts::EventKey PendingCounts::event_key(int64_t project_id, const unsigned char *event_id) {
	EventKey key{project_id, {}};
	memcpy(key.event_id, event_id, sizeof key.event_id);
	return key;
}

void PendingCounts::note_assigned(int64_t project_id, const unsigned char *event_id) {
	assigned_.insert(event_key(project_id, event_id));
}

void PendingCounts::note_stored(int64_t project_id, const unsigned char *event_id, int64_t group_id,
                                TimestampTz occurred_at, std::optional<uint64_t> user_hash) {
	if (assigned_.erase(event_key(project_id, event_id)) == 0)
		return;
	PendingGroup &g = groups_[{project_id, group_id}];
	if (user_hash && (g.user_hashes.empty() || g.user_hashes.back() != *user_hash))
		g.user_hashes.push_back(*user_hash);
	if (g.count == 0 || occurred_at < g.first_seen)
		g.first_seen = occurred_at;
	if (g.count == 0 || occurred_at > g.last_seen)
		g.last_seen = occurred_at;
	g.count++;
}

std::optional<TimestampTz> PendingCounts::pending_last_seen(int64_t project_id, int64_t group_id) const {
	auto it = groups_.find({project_id, group_id});
	if (it == groups_.end() || it->second.count == 0)
		return std::nullopt;
	return it->second.last_seen;
}

std::set<std::pair<int64_t, int64_t>> PendingCounts::fold() {
	std::set<std::pair<int64_t, int64_t>> counted;
	if (groups_.empty())
		return counted;
	const bool with_users = cached_table_exists(CachedTable::tag_keys); // objects of 0.3.0 or later
	std::vector<Datum> project_ids, group_ids, counts, firsts, lasts, has_latest;
	std::vector<std::string> levels, culprits, messages, titles, datas;
	std::vector<std::optional<std::string>> user_deltas;
	std::optional<LatestFields> latest_of_single;
	for (auto &[key, g] : groups_) {
		if (g.count == 0)
			continue; // every row of it was skipped (ON CONFLICT DO NOTHING)
		latest_of_single = g.latest;
		counted.insert(key);
		project_ids.push_back(Int64GetDatum(key.first));
		group_ids.push_back(Int64GetDatum(key.second));
		counts.push_back(Int64GetDatum(g.count));
		firsts.push_back(TimestampTzGetDatum(g.first_seen));
		lasts.push_back(TimestampTzGetDatum(g.last_seen));
		has_latest.push_back(BoolGetDatum(g.latest.has_value()));
		const LatestFields &l = g.latest ? *g.latest : kNoLatest;
		levels.push_back(l.level);
		culprits.push_back(l.culprit);
		messages.push_back(l.message);
		titles.push_back(l.title);
		datas.push_back(l.data_json);
		user_deltas.push_back(with_users ? new_users(key.second, g.user_hashes) : std::nullopt);
	}
	groups_.clear();
	assigned_.clear();
	if (project_ids.empty())
		return counted;
	const bool any_users =
	    std::any_of(user_deltas.begin(), user_deltas.end(), [](const auto &d) { return d.has_value(); });
	if (project_ids.size() == 1) {
		uint64_t generation = cache_generation({CachedTable::groups});
		if (written_generation_ != generation || written_.size() > 65536) {
			written_.clear();
			written_generation_ = generation;
		}
		IssueRowChange change;
		change.project_id = DatumGetInt64(project_ids[0]);
		change.group_id = DatumGetInt64(group_ids[0]);
		change.count = DatumGetInt64(counts[0]);
		change.first_seen = DatumGetTimestampTz(firsts[0]);
		change.last_seen = DatumGetTimestampTz(lasts[0]);
		if (latest_of_single) {
			change.latest = &*latest_of_single;
			uint64_t digest = fields_digest(*latest_of_single);
			auto it = written_.find(change.group_id);
			change.only_received = it != written_.end() && it->second == digest;
			written_[change.group_id] = digest;
		}
		if (any_users)
			change.user_delta = &*user_deltas[0];
		RowUpdate done = update_issue_row(change);
		if (done == RowUpdate::use_sql)
			done = fold_one_with_sql(change) ? RowUpdate::updated : RowUpdate::missing;
		require_all_updated(done == RowUpdate::updated ? 1 : 0, 1);
		return counted;
	}
	require_all_updated(spi_execute(lock_groups, SpiArgs().int8_array(group_ids)).rows(), group_ids.size());
	SpiArgs args;
	args.int8_array(project_ids).int8_array(group_ids).int8_array(counts);
	args.timestamptz_array(firsts).timestamptz_array(lasts).bool_array(has_latest);
	args.text_array(levels).text_array(culprits).text_array(messages).text_array(titles).jsonb_array(datas);
	if (any_users)
		args.bytea_array(user_deltas);
	spi_execute(any_users ? fold_counts_users : fold_counts, args);
	return counted;
}

std::optional<std::string> PendingCounts::new_users(int64_t group_id, const std::vector<uint64_t> &hashes) {
	if (hashes.empty())
		return std::nullopt;
	// Merge, unmerge and delete rewrite sketches (each also changes grouphash links or deletes
	// issues), and an abort may have left a copy ahead of its row: then the copies start again.
	uint64_t generation = cache_generation({CachedTable::groups, CachedTable::grouphashes});
	if (sketch_copies_generation_ != generation || sketch_copy_bytes_ > kMaxSketchCopyBytes) {
		sketch_copies_.clear();
		sketch_copy_bytes_ = 0;
		sketch_copies_generation_ = generation;
	}
	std::string &copy = sketch_copies_[group_id];
	size_t before = copy.size();
	std::string delta;
	for (uint64_t h : hashes)
		if (triage::user_sketch_add_hash(copy, h))
			triage::user_sketch_add_hash(delta, h);
	sketch_copy_bytes_ += copy.size() - before;
	if (delta.empty())
		return std::nullopt;
	return delta;
}

void register_pending_counts_callbacks() { call_on_abort(forget_statement); }

} // namespace triage_pg

using namespace triage_pg;

// AFTER INSERT FOR EACH ROW: the row was stored; count it for its issue.
TRIAGE_FUNCTION(triage_count_event) {
	auto *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigger->tg_event) ||
	    !TRIGGER_FIRED_FOR_ROW(trigger->tg_event))
		throw SqlError{ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "triage.count_event() must run AFTER INSERT FOR EACH ROW", ""};
	bool project_null = true, group_null = true, time_null = true, id_null = true, user_null = true;
	Datum project, group, time, event_id;
	std::string_view user_key;
	const Columns &col = columns_of(trigger->tg_relation);
	pg_guarded([&]() -> Datum {
		TupleDesc desc = RelationGetDescr(trigger->tg_relation);
		HeapTuple tuple = trigger->tg_trigtuple;
		project = heap_getattr(tuple, col.project_id, desc, &project_null);
		group = heap_getattr(tuple, col.group_id, desc, &group_null);
		time = heap_getattr(tuple, col.occurred_at, desc, &time_null);
		event_id = heap_getattr(tuple, col.event_id, desc, &id_null);
		Datum user = heap_getattr(tuple, col.user_key, desc, &user_null);
		if (!user_null) {
			text *t = DatumGetTextPP(user);
			user_key = std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		}
		return (Datum)0;
	});
	std::optional<uint64_t> user_hash;
	if (!user_null)
		user_hash = triage::user_sketch_hash(user_key);
	if (!project_null && !group_null && !time_null && !id_null)
		pending_counts().note_stored(DatumGetInt64(project), DatumGetUUIDP(event_id)->data, DatumGetInt64(group),
		                             DatumGetTimestampTz(time), user_hash);
	return PointerGetDatum(nullptr);
}

// AFTER INSERT FOR EACH STATEMENT: the statement's writes to shared rows, each kind in key order
// (counters by issue, regressions of those issues, then the side tables), so that concurrent
// statements take these row locks in one order.
TRIAGE_FUNCTION(triage_fold_counts) {
	if (!CALLED_AS_TRIGGER(fcinfo))
		throw SqlError{ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "triage.fold_counts() must be called as a trigger", ""};
	SpiConnection spi;
	std::set<std::pair<int64_t, int64_t>> counted = pending_counts().fold();
	apply_regressions(counted); // rows the fold has locked already
	apply_ignored(counted);
	flush_side_tables();
	spi.finish();
	return PointerGetDatum(nullptr);
}
