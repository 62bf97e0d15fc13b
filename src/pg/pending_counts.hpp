// Issue counters folded once per statement. The row trigger decides each event's issue; the
// counts (times_seen, first_seen, last_seen) and the latest event's fields are collected here
// and written by one UPDATE at the end of the statement, so that a batch of events of one issue
// creates one new row version instead of one per event, and the row lock is taken once,
// late. Counts come from an AFTER ROW trigger, which fires only for rows really stored (not for
// rows INSERT ... ON CONFLICT DO NOTHING skips).
#pragma once

#include "boundary.hpp"

#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "utils/timestamp.h"
}

namespace triage_pg {

// What the latest event of an existing issue brings (section 7 of the save-path notes).
struct LatestFields {
	std::string level, culprit, message, title, data_json;
	double received = 0; // the event's arrival (data.last_received, also inside data_json)
};

struct PendingGroup {
	int64_t count = 0;
	TimestampTz first_seen = 0, last_seen = 0;
	std::optional<LatestFields> latest;
	std::vector<uint64_t> user_hashes; // of the counted events' user keys (user_sketch_hash)
};

class PendingCounts {
public:
	void note_latest(int64_t project_id, int64_t group_id, LatestFields fields);
	// The row trigger assigned this event to an issue (rows it passed through, such as restored
	// ones, are not counted: their issue's counters were restored with them).
	void note_assigned(int64_t project_id, const unsigned char *event_id);
	// Counts a stored row if the row trigger assigned it.
	void note_stored(int64_t project_id, const unsigned char *event_id, int64_t group_id, TimestampTz occurred_at,
	                 std::optional<uint64_t> user_hash);
	// The latest event time counted for the issue and not yet folded.
	std::optional<TimestampTz> pending_last_seen(int64_t project_id, int64_t group_id) const;
	// Writes the pending counts (SPI connected), in (project_id, group_id) order; returns the
	// issues counted.
	std::set<std::pair<int64_t, int64_t>> fold();
	void clear() {
		groups_.clear();
		assigned_.clear();
	}

private:
	// The users of hashes that this session's copy of the sketch lacks, as a delta sketch
	// (none: nothing to add). The copy only ever holds users already written (or being written by
	// this statement), so a user it has is counted.
	std::optional<std::string> new_users(int64_t group_id, const std::vector<uint64_t> &hashes);
	std::map<std::pair<int64_t, int64_t>, PendingGroup> groups_;
	struct EventKey {
		int64_t project_id;
		unsigned char event_id[16];
		bool operator==(const EventKey &o) const {
			return project_id == o.project_id && memcmp(event_id, o.event_id, sizeof event_id) == 0;
		}
	};
	struct EventKeyHash {
		size_t operator()(const EventKey &k) const {
			uint64_t a, b;
			memcpy(&a, k.event_id, 8);
			memcpy(&b, k.event_id + 8, 8);
			return static_cast<size_t>(a ^ (b * 0x9E3779B97F4A7C15ULL) ^ static_cast<uint64_t>(k.project_id));
		}
	};
	static EventKey event_key(int64_t project_id, const unsigned char *event_id);
	std::unordered_set<EventKey, EventKeyHash> assigned_;
	// Per issue, a digest of the latest-event fields (all but last_received) this session last
	// wrote: an event that brings the same fields again only moves the counters and
	// last_received. (Other sessions may write other values meanwhile: as with Sentry's buffer,
	// the latest-event fields are then last-writer-wins.)
	std::unordered_map<int64_t, uint64_t> written_;
	uint64_t written_generation_ = 0;
	// This session's copies of issues' user sketches: each a subset of the stored sketch, since
	// sketches only grow until a merge, unmerge or delete (which clears the copies).
	static constexpr size_t kMaxSketchCopyBytes = 2 << 20;
	std::unordered_map<int64_t, std::string> sketch_copies_;
	size_t sketch_copy_bytes_ = 0;
	uint64_t sketch_copies_generation_ = 0;
};

PendingCounts &pending_counts();
void register_pending_counts_callbacks();

} // namespace triage_pg
