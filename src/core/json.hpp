// JSON parsing for events and rules: RapidJSON on a pluggable allocator (palloc inside
// PostgreSQL, malloc elsewhere), bounded nesting depth, and "last duplicate key wins" look-ups.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "errors.hpp"

// A misused RapidJSON accessor must never abort() the server: make its assertions throw.
#ifndef RAPIDJSON_ASSERT
#define RAPIDJSON_ASSERT(x)                                                                                    \
	do {                                                                                                       \
		if (!(x))                                                                                              \
			throw ::triage::Error(::triage::ErrorKind::invalid_parameter, "internal JSON access error: " #x); \
	} while (0)
#endif
#define RAPIDJSON_HAS_STDSTRING 0
#if defined(__SSE2__) && !defined(RAPIDJSON_SSE2)
#define RAPIDJSON_SSE2 // vectorized scanning of strings and white space (baseline on x86-64)
#endif
#include <rapidjson/document.h>

namespace triage {

// Where the core gets its bulk memory. PostgreSQL installs palloc-based hooks so that an
// error anywhere frees everything with the memory context; tests and tools use malloc.
struct AllocHooks {
	void *(*alloc)(size_t size);
	void *(*realloc)(void *ptr, size_t old_size, size_t new_size);
	void (*free)(void *ptr); // may be null: memory is released in bulk by the owner
};
void set_alloc_hooks(const AllocHooks &hooks);

class HookAllocator {
public:
	static const bool kNeedFree = true;
	void *Malloc(size_t size);
	void *Realloc(void *ptr, size_t old_size, size_t new_size);
	static void Free(void *ptr);
	bool operator==(const HookAllocator &) const { return true; }
	bool operator!=(const HookAllocator &) const { return false; }
};

using JsonAllocator = rapidjson::MemoryPoolAllocator<HookAllocator>;
using JsonDocument = rapidjson::GenericDocument<rapidjson::UTF8<>, JsonAllocator, HookAllocator>;
using JsonValue = JsonDocument::ValueType;

// Deepest nesting accepted in an event. Real SDK payloads stay far below it.
constexpr unsigned kMaxJsonDepth = 256;

// Parses JSON text into doc. Throws Error(invalid_json) with the byte offset on malformed input
// (and on invalid UTF-8 when validate_utf8; callers whose text is known to be UTF-8, such as
// PostgreSQL text in a UTF-8 database, skip that pass), Error(program_limit) when nesting
// exceeds kMaxJsonDepth.
void parse_json(std::string_view text, JsonDocument &doc, const char *what = "event", bool validate_utf8 = true);

// A consumer of parse events (RapidJSON's handler concept, as virtual functions): what reads
// events straight from their text without building a document. Strings passed to it point
// into the parsed buffer. Returning false stops the parse (reported as invalid JSON).
class JsonHandler {
public:
	virtual ~JsonHandler() = default;
	virtual bool Null() = 0;
	virtual bool Bool(bool b) = 0;
	virtual bool Int64(int64_t i) = 0;
	virtual bool Uint64(uint64_t u) = 0;
	virtual bool Double(double d) = 0;
	virtual bool String(std::string_view s) = 0;
	virtual bool Key(std::string_view k) = 0;
	virtual bool StartObject() = 0;
	virtual bool EndObject() = 0;
	virtual bool StartArray() = 0;
	virtual bool EndArray() = 0;

	// RapidJSON's handler signatures, for its reader and for GenericValue::Accept.
	bool Int(int i) { return Int64(i); }
	bool Uint(unsigned u) { return Int64(u); }
	bool RawNumber(const char *, rapidjson::SizeType, bool) { return false; }
	bool String(const char *s, rapidjson::SizeType n, bool) { return String(std::string_view(s, n)); }
	bool Key(const char *s, rapidjson::SizeType n, bool) { return Key(std::string_view(s, n)); }
	bool EndObject(rapidjson::SizeType) { return EndObject(); }
	bool EndArray(rapidjson::SizeType) { return EndArray(); }
};

// Parses in place into a handler (no document): buffer[length] must be NUL, and the buffer must
// outlive what the handler keeps of its strings. Same errors as parse_json.
void parse_json_in_place(char *buffer, size_t length, JsonHandler &handler, const char *what = "event",
                         bool validate_utf8 = true);

// The same, parsing in place: buffer (which must end with a NUL byte at buffer[length]) is
// overwritten and the document's strings point into it, so it must outlive doc. Faster: no
// string is copied.
void parse_json_in_place(char *buffer, size_t length, JsonDocument &doc, const char *what = "event",
                         bool validate_utf8 = true);

// Member look-up where a duplicated key resolves to its last occurrence, as Python's json does.
const JsonValue *member(const JsonValue &object, std::string_view key);
// Typed look-ups: absent when the member is missing or of another type.
std::optional<std::string_view> member_string(const JsonValue &object, std::string_view key);
const JsonValue *member_object(const JsonValue &object, std::string_view key);
const JsonValue *member_array(const JsonValue &object, std::string_view key);
std::optional<bool> member_bool(const JsonValue &object, std::string_view key);
std::optional<int64_t> member_int(const JsonValue &object, std::string_view key);
// A number that is an integer (or a float with an integral value), else absent.
std::optional<int64_t> int_value(const JsonValue &value);

inline std::string_view string_of(const JsonValue &value) {
	return std::string_view(value.GetString(), value.GetStringLength());
}

// Appends value to out as a JSON string literal (quotes and escapes included). A NUL byte is
// written as U+2400 (the symbol for NUL), since PostgreSQL's jsonb cannot hold \u0000.
void append_json_string(std::string &out, std::string_view value);

// The shortest text that reads back as d, written as serde_json (ryu) writes floats: 1.0, 12.5,
// 0.001, 1e-7, 1.5e300 (no exponent from 1e-5 up to below 1e16).
std::string float_json_text(double d);

// The compact JSON text of a value, built from its parse events as Relay's serde_json writes its
// values: no spaces, object keys in byte order (of duplicate keys the last wins), floats as
// float_json_text. (Relay stores a legacy "message" sent as an array as this text.)
class CompactJsonText {
public:
	void null() { value("null"); }
	void boolean(bool b) { value(b ? "true" : "false"); }
	void integer(int64_t i) { value(std::to_string(i)); }
	void unsigned_integer(uint64_t u) { value(std::to_string(u)); }
	void real(double d) { value(float_json_text(d)); }
	void string(std::string_view s);
	void key(std::string_view k);
	void open(bool is_object);
	// Closes the innermost container; true when that was the outermost one (the text is done).
	bool close();
	const std::string &text() const { return text_; }

private:
	struct Container {
		bool is_object;
		std::vector<std::pair<std::string, std::string>> members; // (key, value text); keys empty in arrays
		std::string key;
	};
	void value(std::string text);
	std::vector<Container> open_;
	std::string text_;
};

} // namespace triage
