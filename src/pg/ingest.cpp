// The save path: the BEFORE INSERT row trigger on triage.events. It parses the payload once,
// groups it with the project's rules, finds or creates the issue and updates it, records
// releases and environments, and fills the event row's computed columns, all in the inserting
// transaction (if anything fails, nothing of the event is written).
//
// Lock order, the same for every writer so that concurrent inserts cannot deadlock:
//   1. the project's short-id counter row, before anything else, and only by a transaction that
//      creates an issue, a release or an environment (held to its end, so creations in a project
//      are serialized);
//   2. grouphash rows of the event, in hash order (inserts, then FOR UPDATE);
//   3. at the end of each statement (pending_counts.cpp), in key order: issue rows (regressions,
//      then counters), then side-table rows.
// Reads before that take no row locks.
#include "boundary.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "backend_cache.hpp"
#include "event_columns.hpp"
#include "ignored_issues.hpp"
#include "json.hpp"
#include "metadata.hpp"
#include "notifications.hpp"
#include "pending_counts.hpp"
#include "projects.hpp"
#include "regressions.hpp"
#include "releases.hpp"
#include "side_tables.hpp"
#include "spi.hpp"
#include "time_conversions.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "mb/pg_wchar.h"
#include "port.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/uuid.h"
}

namespace triage_pg {
namespace {

// ------------------------------------------------------------------------------------------
// The statements. All names are schema-qualified: they run under any search_path.

// The event's grouphash rows in the event's hash order, with their issue's state.
// (Each table is probed through LATERAL ... LIMIT 1 by its full key: a kept generic plan made
// while the tables were empty must not be able to turn the probes into scans.)
KeptPlan lookup_hashes{
    "SELECT h.hash, gh.group_id, gh.group_tombstone_id, gh.locked, gh.present, g.status, g.type, g.last_seen "
    "FROM pg_catalog.unnest($2::pg_catalog.text[]) WITH ORDINALITY AS h(hash, ord) "
    "LEFT JOIN LATERAL (SELECT x.group_id, x.group_tombstone_id, x.state IS NOT NULL AS locked, true AS present "
    "FROM triage.grouphashes x WHERE x.project_id = $1 AND x.hash = h.hash LIMIT 1) gh ON true "
    "LEFT JOIN LATERAL (SELECT y.status::pg_catalog.text AS status, y.type, y.last_seen FROM triage.groups y "
    "WHERE y.id = gh.group_id LIMIT 1) g ON true ORDER BY h.ord",
    {INT8OID, TEXTARRAYOID}};

KeptPlan insert_hashes{"INSERT INTO triage.grouphashes (project_id, hash) "
                       "SELECT $1, h FROM pg_catalog.unnest($2::pg_catalog.text[]) AS h ORDER BY h "
                       "ON CONFLICT (project_id, hash) DO NOTHING",
                       {INT8OID, TEXTARRAYOID}};

KeptPlan lock_hashes{"SELECT hash, group_id, group_tombstone_id, state IS NOT NULL FROM triage.grouphashes "
                     "WHERE project_id = $1 AND hash = ANY ($2::pg_catalog.text[]) ORDER BY hash FOR UPDATE",
                     {INT8OID, TEXTARRAYOID}};

KeptPlan link_hashes{"UPDATE triage.grouphashes SET group_id = $3 "
                     "WHERE project_id = $1 AND hash = ANY ($2::pg_catalog.text[]) "
                     "AND group_id IS NULL AND group_tombstone_id IS NULL AND state IS NULL",
                     {INT8OID, TEXTARRAYOID, INT8OID}};

KeptPlan next_short_id{"INSERT INTO triage.project_counters AS c (project_id, value) VALUES ($1, 1) "
                       "ON CONFLICT (project_id) DO UPDATE SET value = c.value + 1 RETURNING value",
                       {INT8OID}};

// A counter behind the project's short ids (restored data, a hand edit): move it past them.
KeptPlan repair_short_id{"UPDATE triage.project_counters SET value = GREATEST(value, "
                         "(SELECT pg_catalog.max(short_id) FROM triage.groups WHERE project_id = $1)) + 1 "
                         "WHERE project_id = $1 RETURNING value",
                         {INT8OID}};

KeptPlan create_group{
    "INSERT INTO triage.groups (project_id, short_id, status, substatus, priority, level, title, culprit, message, "
    "logger, platform, times_seen, first_seen, last_seen, active_at, first_release, type, data) "
    "VALUES ($1, $2, 'unresolved', 'new', $3::triage.priority_level, $4::triage.log_level, $5, $6, $7, $8, $9, 0, "
    "$10, $10, $10, $11, 'error', $12::pg_catalog.jsonb) "
    "ON CONFLICT (project_id, short_id) DO NOTHING RETURNING id",
    {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID,
     TEXTOID}};

KeptPlan count_skipped{
    "INSERT INTO triage.ingest_counters AS c (project_id, duplicates_skipped, discarded, quarantined) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (project_id) DO UPDATE SET "
    "duplicates_skipped = c.duplicates_skipped + EXCLUDED.duplicates_skipped, "
    "discarded = c.discarded + EXCLUDED.discarded, quarantined = c.quarantined + EXCLUDED.quarantined",
    {INT8OID, INT8OID, INT8OID, INT8OID}};

KeptPlan count_tombstone_hit{"UPDATE triage.group_tombstones SET times_discarded = times_discarded + 1, "
                             "last_discarded = pg_catalog.now() WHERE id = $1",
                             {INT8OID}};

KeptPlan quarantine_event{"INSERT INTO triage.rejected_events (project_id, event_id, sqlstate, error, payload) "
                          "VALUES ($1, $2, $3, $4, $5)",
                          {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID}};







// Sentry's grouping-config auto-upgrade: the project moves to the current config, and the old
// one stays secondary for a week so that its issues keep matching.
KeptPlan upgrade_grouping_config{
    "UPDATE triage.projects SET secondary_grouping_config = grouping_config, "
    "secondary_grouping_expiry = pg_catalog.now() + interval '7 days', grouping_config = $2 "
    "WHERE id = $1 AND grouping_config <> $2 AND auto_upgrade_grouping",
    {INT8OID, TEXTOID}};

KeptPlan set_first_event{"UPDATE triage.projects SET first_event = $2 WHERE id = $1 AND first_event IS NULL",
                         {INT8OID, TIMESTAMPTZOID}};

// ------------------------------------------------------------------------------------------
// What the trigger decided, to be written into the row after SPI is closed.

struct Outcome {
	bool store = true;              // false: the row is skipped (duplicate, discarded, quarantined)
	std::optional<int64_t> group_id;
	std::vector<std::string> hashes;
	triage::SaveFields fields;
	pg_uuid_t event_id;
	TimestampTz occurred_at = 0;
	TimestampTz received_at = 0;
};

struct HashRow {
	std::string hash;
	std::optional<int64_t> group_id;
	std::optional<int64_t> tombstone_id;
	bool locked = false;  // state locked_in_migration: never linked by ingest
	bool present = false; // a grouphash row exists
	std::optional<GroupState> group; // from lookup_hashes only
};

std::vector<HashRow> read_hash_rows(const SpiResult &r, bool from_lookup) {
	std::vector<HashRow> rows(r.rows());
	for (uint64_t i = 0; i < r.rows(); i++) {
		rows[i].hash = r.text(i, 0);
		rows[i].group_id = r.int8_or_null(i, 1);
		rows[i].tombstone_id = r.int8_or_null(i, 2);
		rows[i].locked = r.boolean(i, 3);
		rows[i].present = from_lookup ? r.boolean(i, 4) : true;
		if (from_lookup && !r.is_null(i, 5))
			rows[i].group = GroupState{r.text(i, 5), r.text(i, 6), r.timestamptz(i, 7)};
	}
	return rows;
}

// Sentry's find_grouphash_with_group: the first hash (in the event's order) with a group wins;
// a tombstone met before it discards the event.
struct Match {
	std::optional<int64_t> group_id;
	std::optional<int64_t> tombstone_id;
};

Match first_match(const std::vector<HashRow> &rows) {
	for (const HashRow &row : rows) {
		if (row.group_id)
			return {row.group_id, std::nullopt};
		if (row.tombstone_id)
			return {std::nullopt, row.tombstone_id};
	}
	return {};
}

// Sentry's form of an event id: 32 lowercase hex digits.
std::string event_id_hex(const pg_uuid_t &id) {
	static const char *hex = "0123456789abcdef";
	std::string out;
	for (int i = 0; i < UUID_LEN; i++) {
		out.push_back(hex[id.data[i] >> 4]);
		out.push_back(hex[id.data[i] & 15]);
	}
	return out;
}

int hex_digit(char c) {
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

// 32 lowercase hex digits (from compute_save_fields) as a UUID.
pg_uuid_t uuid_from_hex(const std::string &hex) {
	pg_uuid_t id;
	for (int i = 0; i < UUID_LEN; i++)
		id.data[i] = static_cast<unsigned char>(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
	return id;
}

pg_uuid_t random_uuid() {
	pg_uuid_t id;
	if (!pg_strong_random(id.data, UUID_LEN))
		throw SqlError{ERRCODE_INTERNAL_ERROR, "could not generate a random event id", ""};
	id.data[6] = (id.data[6] & 0x0f) | 0x40; // version 4
	id.data[8] = (id.data[8] & 0x3f) | 0x80; // RFC 4122 variant
	return id;
}

// The tags as a jsonb object, built directly (no JSON text to parse). Call inside pg_guarded.
Datum tags_jsonb(const std::vector<std::pair<std::string, std::string>> &tags) {
	auto string_value = [](const std::string &text) {
		JsonbValue v;
		v.type = jbvString;
		v.val.string.val = const_cast<char *>(text.data());
		v.val.string.len = static_cast<int>(text.size());
		return v;
	};
	JsonbParseState *state = nullptr;
	JsonbValue *result = pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
	for (const auto &[key, value] : tags) {
		JsonbValue k = string_value(key), v = string_value(value);
		pushJsonbValue(&state, WJB_KEY, &k);
		pushJsonbValue(&state, WJB_VALUE, &v);
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
	return JsonbPGetDatum(JsonbValueToJsonb(result));
}

// group.data: {type, title, culprit, location, metadata, last_received}.
std::string group_data_json(const triage::SaveFields &f, double received) {
	std::string out = "{\"type\":";
	triage::append_json_string(out, f.event_type);
	out += ",\"title\":";
	triage::append_json_string(out, f.title);
	out += ",\"culprit\":";
	triage::append_json_string(out, f.culprit);
	out += ",\"location\":";
	if (f.location)
		triage::append_json_string(out, *f.location);
	else
		out += "null";
	out += ",\"metadata\":";
	out += f.metadata_json;
	char number[64];
	snprintf(number, sizeof number, ",\"last_received\":%.6f}", received);
	out += number;
	return out;
}

const char *priority_name(int priority) { return priority >= 75 ? "high" : priority >= 50 ? "medium" : "low"; }

// ------------------------------------------------------------------------------------------

// Whether the project already stored this event id: a direct probe of the primary key with a
// dirty snapshot, which also sees rows stored earlier in this transaction (this statement
// included) and rows another transaction is inserting. For those, like a unique index, it waits
// for that transaction: committed, the event is a duplicate; rolled back, it is not. (Two copies
// probing at the very same moment, before either is stored, still meet at the unique index: the
// later one fails with 23505.)
bool event_stored(Relation events, int64_t project_id, const pg_uuid_t &event_id) {
	return DatumGetBool(pg_guarded([&]() -> Datum {
		Oid pkey = RelationGetPrimaryKeyIndex(events);
		Relation index = index_open(pkey, AccessShareLock);
		ScanKeyData keys[2];
		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(project_id));
		ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_UUID_EQ, UUIDPGetDatum(const_cast<pg_uuid_t *>(&event_id)));
		TupleTableSlot *slot = table_slot_create(events, nullptr);
		bool found;
		for (;;) {
			SnapshotData dirty;
			InitDirtySnapshot(dirty);
			IndexScanDesc scan = index_beginscan(events, index, &dirty, 2, 0);
			index_rescan(scan, keys, 2, nullptr, 0);
			found = index_getnext_slot(scan, ForwardScanDirection, slot);
			index_endscan(scan);
			if (!found || !TransactionIdIsValid(dirty.xmin))
				break;
			// Being inserted by another transaction: wait for its end, then look again.
			XactLockTableWait(dirty.xmin, events, &slot->tts_tid, XLTW_InsertIndex);
		}
		ExecDropSingleTupleTableSlot(slot);
		index_close(index, AccessShareLock);
		return BoolGetDatum(found);
	}));
}

struct HashKey {
	int64_t project_id;
	unsigned char hash[16]; // the 32 hex digits as bytes
	bool operator==(const HashKey &o) const {
		return project_id == o.project_id && memcmp(hash, o.hash, sizeof hash) == 0;
	}
};
struct HashKeyHash {
	size_t operator()(const HashKey &k) const {
		uint64_t a;
		memcpy(&a, k.hash, sizeof a); // the hashes are uniformly distributed already
		return static_cast<size_t>(a ^ static_cast<uint64_t>(k.project_id));
	}
};
// What a cached grouphash says, in about 40 bytes.
struct CachedLink {
	int64_t target = 0;          // the issue's id, or the tombstone's
	TimestampTz last_seen = 0;   // the issue's, when read
	bool tombstone = false;
	bool locked = false;
	bool error_type = true;      // the issue's type is error
	char status = 'u';           // the first letter of the issue's status (u, r, i, p, d)
};
struct HashCache {
	uint64_t generation = 0;
	std::unordered_map<HashKey, CachedLink, HashKeyHash> links;
};
// At most this many links per backend (about 5 MB); beyond, the cache starts again.
constexpr size_t kMaxCachedHashes = 65536;

HashCache &hash_cache() {
	static HashCache cache;
	uint64_t generation = cache_generation({CachedTable::grouphashes, CachedTable::groups});
	if (cache.generation != generation) {
		cache.links.clear();
		cache.generation = generation;
	}
	return cache;
}

// Hashes are 32 hex digits; anything else is not cached.
std::optional<HashKey> hash_key(int64_t project_id, const std::string &hash) {
	if (hash.size() != 32)
		return std::nullopt;
	HashKey key{project_id, {}};
	for (size_t i = 0; i < 16; i++) {
		int hi = hex_digit(hash[2 * i]), lo = hex_digit(hash[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return std::nullopt;
		key.hash[i] = static_cast<unsigned char>(hi << 4 | lo);
	}
	return key;
}

std::string status_name(char code) {
	switch (code) {
	case 'u': return "unresolved";
	case 'r': return "resolved";
	case 'i': return "ignored";
	default: return "other"; // pending deletion or merge, reprocessing: never regressed
	}
}

std::vector<HashRow> look_up_hashes(int64_t project_id, const std::vector<std::string> &hashes) {
	watch_cached_tables();
	HashCache &cache = hash_cache();
	std::vector<HashRow> rows;
	for (const std::string &hash : hashes) {
		std::optional<HashKey> key = hash_key(project_id, hash);
		auto it = key ? cache.links.find(*key) : cache.links.end();
		if (it == cache.links.end())
			break;
		const CachedLink &link = it->second;
		HashRow row;
		row.hash = hash;
		row.present = true;
		row.locked = link.locked;
		if (link.tombstone) {
			row.tombstone_id = link.target;
		} else {
			row.group_id = link.target;
			row.group = GroupState{status_name(link.status), link.error_type ? "error" : "other", link.last_seen};
		}
		rows.push_back(std::move(row));
	}
	if (rows.size() == hashes.size())
		return rows;
	rows = read_hash_rows(spi_execute(lookup_hashes, SpiArgs().int8(project_id).text_array(hashes)), true);
	if (cache.links.size() + rows.size() > kMaxCachedHashes)
		cache.links.clear();
	for (const HashRow &row : rows) {
		std::optional<HashKey> key = hash_key(project_id, row.hash);
		if (!key || !row.present)
			continue;
		CachedLink link;
		link.locked = row.locked;
		if (row.group_id && row.group) {
			link.target = *row.group_id;
			link.last_seen = row.group->last_seen;
			link.error_type = row.group->type == "error";
			link.status = row.group->status.empty() ? 'o' : row.group->status[0];
			if (row.group->status == "pending_deletion" || row.group->status == "pending_merge" ||
			    row.group->status == "deletion_in_progress" || row.group->status == "reprocessing")
				link.status = 'o';
		} else if (row.tombstone_id && !row.group_id) {
			link.target = *row.tombstone_id;
			link.tombstone = true;
		} else {
			continue;
		}
		cache.links.insert_or_assign(*key, link);
	}
	return rows;
}

class Ingest {
public:
	Ingest(Relation events, Project &project, Outcome &out, TimestampTz now)
	    : events_(events), project_(project), out_(out), now_(now) {}

	// Assigns the event to an issue (creating it if needed) and writes the side tables.
	void save(std::string_view payload, bool utf8_database);

private:
	std::vector<HashRow> secondary_rows(std::string_view payload, bool utf8_database);
	void discard(int64_t tombstone_id);
	void count_not_stored(int64_t duplicates, int64_t discarded);
	std::vector<std::string> working_hashes(const std::vector<HashRow> &rows) const;
	void update_existing(int64_t group_id, const std::vector<HashRow> &rows, std::optional<GroupState> state);
	void create_new(const std::vector<HashRow> &rows);

	Relation events_;
	Project &project_;
	Outcome &out_;
	TimestampTz now_;
	std::optional<triage::ReleaseRef> release_;
	bool is_new_ = false;
	bool duplicate_ = false;
};

void Ingest::count_not_stored(int64_t duplicates, int64_t discarded) {
	spi_execute(count_skipped, SpiArgs().int8(project_.id).int8(duplicates).int8(discarded).int8(0));
}

void Ingest::discard(int64_t tombstone_id) {
	spi_execute(count_tombstone_hit, SpiArgs().int8(tombstone_id));
	count_not_stored(0, 1);
	out_.store = false;
}

// Sentry's transition period: the older config's hashes that already have a grouphash row.
std::vector<HashRow> Ingest::secondary_rows(std::string_view payload, bool utf8_database) {
	std::vector<HashRow> rows;
	try {
		const triage::Grouper &grouper = *project_.secondary_grouper;
		triage::Event event = grouper.parse(payload, !utf8_database);
		triage::GroupingResult secondary = grouper.group(event, project_.algorithm, false);
		grouper.release_parse_buffers();
		SpiResult r = spi_execute(lookup_hashes, SpiArgs().int8(project_.id).text_array(secondary.hashes));
		for (HashRow &row : read_hash_rows(r, true))
			if (row.present && std::find(out_.hashes.begin(), out_.hashes.end(), row.hash) == out_.hashes.end())
				rows.push_back(std::move(row));
	} catch (const triage::Error &) {
		// As in Sentry, a failure of secondary grouping only means no secondary hashes.
	}
	return rows;
}

std::vector<std::string> Ingest::working_hashes(const std::vector<HashRow> &rows) const {
	std::vector<std::string> hashes;
	for (const HashRow &row : rows)
		hashes.push_back(row.hash);
	return hashes;
}

void Ingest::save(std::string_view payload, bool utf8_database) {
	if (out_.fields.release) {
		release_ = find_or_create_release(project_, *out_.fields.release, out_.occurred_at);
		// An existing "<slug>-<version>" release stands for the version everywhere (Sentry's legacy
		// naming): the event's release column and its sentry:release tag.
		out_.fields.release = release_->version;
		for (auto &[key, value] : out_.fields.tags)
			if (key == "sentry:release")
				value = release_->version;
	}

	if (event_stored(events_, project_.id, out_.event_id)) {
		count_not_stored(1, 0);
		out_.store = false;
		return;
	}
	std::vector<HashRow> rows = look_up_hashes(project_.id, out_.hashes);
	Match match = first_match(rows);
	if (!match.group_id && !match.tombstone_id && project_.in_transition(now_)) {
		std::vector<HashRow> secondary = secondary_rows(payload, utf8_database);
		Match found = first_match(secondary);
		rows.insert(rows.end(), secondary.begin(), secondary.end());
		if (found.group_id || found.tombstone_id)
			match = found;
	}
	if (match.tombstone_id) {
		discard(*match.tombstone_id);
		return;
	}
	if (match.group_id) {
		auto row = std::find_if(rows.begin(), rows.end(), [&](const HashRow &r) { return r.group_id == match.group_id; });
		update_existing(*match.group_id, rows, row->group);
	} else
		create_new(rows);
	if (!out_.store)
		return;
	EventPlacement placement;
	placement.group_id = out_.group_id;
	placement.is_new_group = is_new_;
	placement.release = release_;
	placement.environment = out_.fields.environment.value_or("");
	placement.occurred_at = out_.occurred_at;
	placement.tags = &out_.fields.tags;
	record_side_tables(project_, placement);
}

void Ingest::update_existing(int64_t group_id, const std::vector<HashRow> &rows, std::optional<GroupState> state) {
	if (!state) // found on the re-check under lock: created by a concurrent insert
		state = read_group_state(project_.id, group_id);
	if (!state || state->type != "error") {
		// The hash belongs to an issue of another type (or one deleted meanwhile): Sentry's
		// category guard. The event is kept, without an issue.
		out_.group_id.reset();
		return;
	}
	// New hashes of the event (a changed config, a new system variant) join the group.
	bool unlinked = std::any_of(rows.begin(), rows.end(), [](const HashRow &r) {
		return !r.present || (!r.group_id && !r.tombstone_id && !r.locked);
	});
	if (unlinked) {
		std::vector<std::string> hashes = working_hashes(rows);
		spi_execute(insert_hashes, SpiArgs().int8(project_.id).text_array(hashes));
		spi_execute(link_hashes, SpiArgs().int8(project_.id).text_array(hashes).int8(group_id));
	}
	const triage::SaveFields &f = out_.fields;
	pending_counts().note_latest(project_.id, group_id,
	                             LatestFields{f.level, f.culprit, f.group_message, f.title,
	                                          group_data_json(f, to_unix_seconds(out_.received_at)),
	                                          to_unix_seconds(out_.received_at)});
	out_.group_id = group_id;
	if (std::optional<TimestampTz> pending = pending_counts().pending_last_seen(project_.id, group_id))
		state->last_seen = std::max(state->last_seen, *pending);
	if (state->status == "ignored")
		consider_ignored(project_.id, group_id);
	// Only a resolved issue (or, with resolve_age, any) can regress: the common event builds nothing.
	if (state->status == "resolved" || project_.resolve_age_us)
		consider_regression(project_, group_id, *state,
		                    RegressionEvent{out_.occurred_at, now_, event_id_hex(out_.event_id), release_, f.title});
}

void Ingest::create_new(const std::vector<HashRow> &rows) {
	// The short id comes first: taking the project's counter row before any new grouphash row
	// keeps one lock order (counter, then grouphashes) for every transaction that creates issues,
	// however many it creates. If a concurrent insert turns out to have created the issue, the
	// id is skipped (gaps are allowed, as in Sentry).
	int64_t short_id = spi_execute(next_short_id, SpiArgs().int8(project_.id), 1).int8(0, 0);
	std::vector<std::string> hashes = working_hashes(rows);
	spi_execute(insert_hashes, SpiArgs().int8(project_.id).text_array(hashes));
	// Double-checked creation: with the event's grouphash rows locked (in hash order), look again.
	SpiResult locked = spi_execute(lock_hashes, SpiArgs().int8(project_.id).text_array(hashes));
	std::unordered_map<std::string, HashRow> by_hash;
	for (HashRow &row : read_hash_rows(locked, false))
		by_hash.emplace(row.hash, std::move(row));
	std::vector<HashRow> rechecked;
	for (const std::string &hash : hashes) {
		auto it = by_hash.find(hash);
		if (it != by_hash.end())
			rechecked.push_back(it->second);
	}
	Match match = first_match(rechecked);
	if (match.tombstone_id) {
		discard(*match.tombstone_id);
		return;
	}
	if (match.group_id) {
		update_existing(*match.group_id, rechecked, std::nullopt);
		return;
	}

	const triage::SaveFields &f = out_.fields;
	auto insert = [&](int64_t id) {
		SpiArgs args;
		args.int8(project_.id).int8(id).text(priority_name(f.initial_priority)).text(f.level).text(f.title);
		args.text(f.culprit).text(f.group_message).text(f.logger);
		args.text(f.platform).timestamptz(out_.occurred_at).optional_text(f.release);
		args.text(group_data_json(f, to_unix_seconds(out_.received_at)));
		return spi_execute(create_group, args, 1);
	};
	SpiResult created = insert(short_id);
	if (created.rows() == 0) {
		// The short id is taken: the counter fell behind. Move it past every short id, once.
		short_id = spi_execute(repair_short_id, SpiArgs().int8(project_.id), 1).int8(0, 0);
		created = insert(short_id);
		if (created.rows() == 0)
			throw SqlError{ERRCODE_UNIQUE_VIOLATION, "could not allocate a short id for a new issue", ""};
	}
	int64_t group_id = created.int8(0, 0);
	spi_execute(link_hashes, SpiArgs().int8(project_.id).text_array(hashes).int8(group_id));
	out_.group_id = group_id;
	is_new_ = true;
	notify_issue("new_issue", project_.id, group_id, triage::format_short_id(project_.slug, short_id), f.title);
}

// ------------------------------------------------------------------------------------------

// A bad event: the statement fails (the project's default), or the event is set aside.
struct BadEvent {
	int sqlstate;
	std::string message;
};

std::string excerpt(std::string_view payload) {
	std::string_view head = payload.substr(0, 80);
	std::string out(head);
	for (char &c : out)
		if (static_cast<unsigned char>(c) < 0x20)
			c = ' ';
	return payload.size() > head.size() ? out + "..." : out;
}

} // namespace
} // namespace triage_pg

using namespace triage_pg;

TRIAGE_FUNCTION(triage_ingest_event) {
	if (!CALLED_AS_TRIGGER(fcinfo))
		throw SqlError{ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "triage.ingest_event() must be called as a trigger", ""};
	auto *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
	if (!TRIGGER_FIRED_BEFORE(trigger->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigger->tg_event) ||
	    !TRIGGER_FIRED_BY_INSERT(trigger->tg_event))
		throw SqlError{ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
		               "triage.ingest_event() must run BEFORE INSERT FOR EACH ROW", ""};
	Relation rel = trigger->tg_relation;
	HeapTuple tuple = trigger->tg_trigtuple;
	const Columns &col = columns_of(rel);
	MemoryContext caller_context = CurrentMemoryContext;

	// Read the row before any C++ object that matters exists.
	bool project_null, hashes_null, payload_null, event_id_null;
	Datum project_datum, payload_datum, event_id_datum;
	pg_guarded([&]() -> Datum {
		TupleDesc desc = RelationGetDescr(rel);
		project_datum = heap_getattr(tuple, col.project_id, desc, &project_null);
		heap_getattr(tuple, col.hashes, desc, &hashes_null);
		payload_datum = heap_getattr(tuple, col.payload, desc, &payload_null);
		event_id_datum = heap_getattr(tuple, col.event_id, desc, &event_id_null);
		if (!payload_null)
			payload_datum = PointerGetDatum(PG_DETOAST_DATUM_PACKED(payload_datum));
		return (Datum)0;
	});
	if (project_null)
		throw SqlError{ERRCODE_NOT_NULL_VIOLATION, "an event needs a project_id", ""};
	// A row that already carries its hashes was ingested before (pg_restore, a copy between
	// databases): it is stored as it is.
	if (!hashes_null)
		return PointerGetDatum(tuple);
	int64_t project_id = DatumGetInt64(project_datum);
	std::string_view payload;
	if (!payload_null) {
		auto *t = reinterpret_cast<text *>(DatumGetPointer(payload_datum));
		payload = std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	bool utf8_database = GetDatabaseEncoding() == PG_UTF8;
	TimestampTz now = GetCurrentTimestamp();

	SpiConnection spi;
	Project *project = find_project(project_id);
	if (!project)
		throw SqlError{ERRCODE_FOREIGN_KEY_VIOLATION, "project " + std::to_string(project_id) + " does not exist",
		               "Create it first: INSERT INTO triage.projects (slug) VALUES (...)."};

	Outcome out;
	out.received_at = now;
	std::optional<BadEvent> bad;
	bool is_transaction = false;
	try {
		if (payload_null)
			throw BadEvent{ERRCODE_NULL_VALUE_NOT_ALLOWED, "the payload is NULL"};
		if (static_cast<int64_t>(payload.size()) > project->max_event_bytes)
			throw BadEvent{ERRCODE_PROGRAM_LIMIT_EXCEEDED, "the event has " + std::to_string(payload.size()) +
			                                                   " bytes, more than the project's max_event_bytes (" +
			                                                   std::to_string(project->max_event_bytes) + ")"};
		const triage::Grouper &grouper = *project->grouper;
		triage::Event event = grouper.parse(payload, !utf8_database);
		is_transaction = event.type == "transaction";
		triage::GroupingResult grouping = grouper.group(event, project->algorithm, false);
		triage::SaveOptions options;
		options.received = to_unix_seconds(now);
		options.main_exception_id = grouping.main_exception_id;
		out.fields = triage::compute_save_fields(event, grouping, options);
		grouper.release_parse_buffers();
		if (!is_transaction)
			out.hashes = std::move(grouping.hashes);
	} catch (const BadEvent &e) {
		bad = e;
	} catch (const triage::Error &e) {
		bad = BadEvent{sqlstate_for(e.kind()), e.what()};
	}
	if (bad) {
		if (!project->quarantine)
			throw SqlError{bad->sqlstate, "invalid event for project " + std::to_string(project_id) + ": " + bad->message,
			               "The payload begins: " + excerpt(payload) +
			                   "\nSet the project's on_bad_event to 'quarantine' to set bad events aside instead."};
		spi_execute(quarantine_event, SpiArgs()
		                                  .int8(project_id)
		                                  .null()
		                                  .text(std::string(unpack_sql_state(bad->sqlstate)))
		                                  .text(bad->message)
		                                  .text(payload));
		spi_execute(count_skipped, SpiArgs().int8(project_id).int8(0).int8(0).int8(1));
		spi.finish();
		return PointerGetDatum(nullptr);
	}

	if (out.fields.event_id)
		out.event_id = uuid_from_hex(*out.fields.event_id);
	else if (!event_id_null)
		out.event_id = *DatumGetUUIDP(event_id_datum);
	else
		out.event_id = random_uuid();
	out.occurred_at = out.fields.timestamp ? to_timestamptz(*out.fields.timestamp) : now;

	Ingest ingest(rel, *project, out, now);
	if (is_transaction) {
		// Transactions never join an error issue; they are stored, without one.
		if (event_stored(rel, project_id, out.event_id)) {
			spi_execute(count_skipped, SpiArgs().int8(project_id).int8(1).int8(0).int8(0));
			out.store = false;
		}
	} else {
		ingest.save(payload, utf8_database);
	}
	if (out.store && out.group_id)
		pending_counts().note_assigned(project_id, out.event_id.data);
	if (project->upgrade_grouping && !is_transaction)
		spi_execute(upgrade_grouping_config, SpiArgs().int8(project_id).text(triage::kDefaultGroupingConfig));
	if (out.store && !project->has_first_event)
		spi_execute(set_first_event, SpiArgs().int8(project_id).timestamptz(out.occurred_at));
	spi.finish();
	if (!out.store)
		return PointerGetDatum(nullptr);

	// The stored row, built in the executor's context (SPI's memory is gone).
	return pg_guarded([&]() -> Datum {
		MemoryContextSwitchTo(caller_context);
		TupleDesc desc = RelationGetDescr(rel);
		int n = desc->natts;
		Datum *values = static_cast<Datum *>(palloc0(sizeof(Datum) * n));
		bool *nulls = static_cast<bool *>(palloc0(sizeof(bool) * n));
		bool *replace = static_cast<bool *>(palloc0(sizeof(bool) * n));
		auto set = [&](int attnum, Datum value, bool is_null = false) {
			values[attnum - 1] = value;
			nulls[attnum - 1] = is_null;
			replace[attnum - 1] = true;
		};
		auto text_datum = [](const std::string &s) {
			return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
		};
		auto optional_text = [&](int attnum, const std::optional<std::string> &s) {
			if (s)
				set(attnum, text_datum(*s));
			else
				set(attnum, (Datum)0, true);
		};
		const triage::SaveFields &f = out.fields;
		auto *id = static_cast<pg_uuid_t *>(palloc(sizeof(pg_uuid_t)));
		*id = out.event_id;
		set(col.event_id, UUIDPGetDatum(id));
		if (out.group_id)
			set(col.group_id, Int64GetDatum(*out.group_id));
		else
			set(col.group_id, (Datum)0, true);
		Datum *items = static_cast<Datum *>(palloc(sizeof(Datum) * (out.hashes.size() + 1)));
		for (size_t i = 0; i < out.hashes.size(); i++)
			items[i] = text_datum(out.hashes[i]);
		set(col.hashes, PointerGetDatum(construct_array(items, static_cast<int>(out.hashes.size()), TEXTOID, -1,
		                                                false, TYPALIGN_INT)));
		set(col.type, text_datum(is_transaction ? std::string("transaction") : f.event_type));
		set(col.title, text_datum(f.title));
		set(col.culprit, text_datum(f.culprit));
		set(col.level, DirectFunctionCall2(enum_in, CStringGetDatum(f.level.c_str()), ObjectIdGetDatum(col.level_type)));
		set(col.platform, text_datum(f.platform));
		optional_text(col.release, f.release);
		optional_text(col.environment, f.environment);
		set(col.occurred_at, TimestampTzGetDatum(out.occurred_at));
		set(col.received_at, TimestampTzGetDatum(out.received_at));
		set(col.tags, tags_jsonb(f.tags));
		optional_text(col.user_key, f.user_key);
		return PointerGetDatum(heap_modify_tuple(tuple, desc, values, nulls, replace));
	});
}

TRIAGE_FUNCTION(triage_format_short_id) {
	auto slug = triage_pg::text_arg(fcinfo, 0);
	int64_t short_id = PG_GETARG_INT64(1);
	std::string formatted = triage::format_short_id(std::string_view(slug.first, slug.second), short_id);
	return triage_pg::pg_guarded([&]() -> Datum {
		return PointerGetDatum(cstring_to_text_with_len(formatted.data(), static_cast<int>(formatted.size())));
	});
}
