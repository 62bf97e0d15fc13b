// triage.merge_group_data(existing, incoming): an issue's data after an event (section 7 of the
// save-path notes). Incoming top-level keys win; title and metadata.title follow the placeholder
// rule (triage.updated_title); metadata is merged key by key, except what only the
// issue's creation sets (sdk, initial_priority). In C over the jsonb containers: as SQL, the
// expression is compiled again by every statement and cost a single-event INSERT a fifth of its
// time.
#include "group_data.hpp"

#include "boundary.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "utils/jsonb.h"
}

namespace {

using Pairs = std::vector<std::pair<std::string, JsonbValue>>;

// The key-value pairs of a jsonb object (values of nested containers stay binary). The object is
// read into PostgreSQL memory under pg_guarded (the iterator may raise on a damaged value), and
// only then copied into C++ objects, so that no error longjmps over them.
Pairs object_pairs(JsonbContainer *container) {
	struct RawPair {
		const char *key;
		int key_len;
		JsonbValue value;
	};
	RawPair *raw = nullptr;
	int count = 0;
	triage_pg::pg_guarded([&]() -> Datum {
		int capacity = 16;
		raw = static_cast<RawPair *>(palloc(sizeof(RawPair) * capacity));
		JsonbIterator *it = JsonbIteratorInit(container);
		JsonbValue v;
		JsonbIteratorToken token;
		const char *key = "";
		int key_len = 0;
		while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE) {
			if (token == WJB_KEY) {
				key = v.val.string.val;
				key_len = v.val.string.len;
			} else if (token == WJB_VALUE) {
				if (count == capacity) {
					capacity *= 2;
					raw = static_cast<RawPair *>(repalloc(raw, sizeof(RawPair) * capacity));
				}
				raw[count++] = RawPair{key, key_len, v};
			}
		}
		return (Datum)0;
	});
	Pairs pairs;
	pairs.reserve(static_cast<size_t>(count));
	for (int i = 0; i < count; i++)
		pairs.emplace_back(std::string(raw[i].key, static_cast<size_t>(raw[i].key_len)), raw[i].value);
	return pairs;
}

void set(Pairs &pairs, const std::string &key, const JsonbValue &value) {
	for (auto &p : pairs)
		if (p.first == key) {
			p.second = value;
			return;
		}
	pairs.emplace_back(key, value);
}

const JsonbValue *find(const Pairs &pairs, const char *key) {
	for (const auto &p : pairs)
		if (p.first == key)
			return &p.second;
	return nullptr;
}

std::optional<std::string> string_of(const JsonbValue *v) {
	if (!v || v->type != jbvString)
		return std::nullopt;
	return std::string(v->val.string.val, v->val.string.len);
}

bool is_object(const JsonbValue *v) { return v && v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data); }

// triage.updated_title() with SQL's nulls (a missing or non-string title is null).
JsonbValue merged_title(const JsonbValue *existing, const JsonbValue *incoming, std::deque<std::string> &keep) {
	std::optional<std::string> result = triage_pg::updated_title(string_of(existing), string_of(incoming));
	JsonbValue v;
	if (!result) {
		v.type = jbvNull;
		return v;
	}
	keep.push_back(*result);
	v.type = jbvString;
	v.val.string.val = const_cast<char *>(keep.back().data());
	v.val.string.len = static_cast<int>(keep.back().size());
	return v;
}

void push_pairs(JsonbParseState **state, const Pairs &pairs) {
	for (const auto &[key, value] : pairs) {
		JsonbValue k;
		k.type = jbvString;
		k.val.string.val = const_cast<char *>(key.data());
		k.val.string.len = static_cast<int>(key.size());
		pushJsonbValue(state, WJB_KEY, &k);
		pushJsonbValue(state, WJB_VALUE, const_cast<JsonbValue *>(&value));
	}
}

} // namespace

bool triage_pg::is_placeholder_title(std::string_view title) {
	return title == "<untitled>" || title == "<unknown>" || title == "<unlabeled event>" || title == "Error";
}

std::optional<std::string> triage_pg::updated_title(const std::optional<std::string> &existing,
                                                    const std::optional<std::string> &incoming) {
	if (incoming && !incoming->empty() && !is_placeholder_title(*incoming))
		return incoming;
	if (!existing)
		return incoming && is_placeholder_title(*incoming) ? std::nullopt : incoming;
	return is_placeholder_title(*existing) ? incoming : existing;
}

TRIAGE_FUNCTION(triage_merge_group_data) {
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	Jsonb *existing = nullptr, *incoming = nullptr;
	triage_pg::pg_guarded([&]() -> Datum {
		existing = PG_GETARG_JSONB_P(0);
		incoming = PG_GETARG_JSONB_P(1);
		return (Datum)0;
	});
	if (!JB_ROOT_IS_OBJECT(incoming) || JB_ROOT_IS_SCALAR(incoming))
		return JsonbPGetDatum(existing);
	if (!JB_ROOT_IS_OBJECT(existing) || JB_ROOT_IS_SCALAR(existing))
		return JsonbPGetDatum(incoming);
	Pairs old_pairs = object_pairs(&existing->root), new_pairs = object_pairs(&incoming->root);
	std::deque<std::string> keep; // strings the result points to (a deque never moves them)

	Pairs merged = old_pairs;
	for (const auto &[key, value] : new_pairs)
		set(merged, key, value);
	set(merged, "title", merged_title(find(old_pairs, "title"), find(new_pairs, "title"), keep));

	// metadata, merged key by key.
	const JsonbValue *old_meta = find(old_pairs, "metadata"), *new_meta = find(new_pairs, "metadata");
	Pairs meta = is_object(old_meta) ? object_pairs(old_meta->val.binary.data) : Pairs();
	Pairs incoming_meta = is_object(new_meta) ? object_pairs(new_meta->val.binary.data) : Pairs();
	for (const auto &[key, value] : incoming_meta)
		if (key != "sdk" && key != "initial_priority")
			set(meta, key, value);
	Pairs old_meta_pairs = is_object(old_meta) ? object_pairs(old_meta->val.binary.data) : Pairs();
	if (find(old_meta_pairs, "title") || find(incoming_meta, "title"))
		set(meta, "title", merged_title(find(old_meta_pairs, "title"), find(incoming_meta, "title"), keep));
	merged.erase(std::remove_if(merged.begin(), merged.end(), [](const auto &p) { return p.first == "metadata"; }),
	             merged.end());

	// Built in PostgreSQL memory; pushJsonbValue keeps pointers to the key strings until the end,
	// and merged, meta and keep outlive it.
	return triage_pg::pg_guarded([&]() -> Datum {
		JsonbParseState *state = nullptr;
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
		push_pairs(&state, merged);
		JsonbValue k;
		k.type = jbvString;
		k.val.string.val = const_cast<char *>("metadata");
		k.val.string.len = 8;
		pushJsonbValue(&state, WJB_KEY, &k);
		pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
		push_pairs(&state, meta);
		JsonbValue *result = pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
		result = pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
		return JsonbPGetDatum(JsonbValueToJsonb(result));
	});
}
