#include "json.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

namespace triage {

namespace {

void *malloc_alloc(size_t size) {
	void *p = std::malloc(size ? size : 1);
	if (!p)
		throw std::bad_alloc();
	return p;
}
void *malloc_realloc(void *ptr, size_t, size_t new_size) {
	void *p = std::realloc(ptr, new_size ? new_size : 1);
	if (!p)
		throw std::bad_alloc();
	return p;
}
void malloc_free(void *ptr) { std::free(ptr); }

AllocHooks g_hooks = {malloc_alloc, malloc_realloc, malloc_free};

// Forwards SAX events to a target (the DOM document, or a JsonHandler) while counting nesting,
// so that a hostile payload cannot make anything arbitrarily deep, and refusing decoded strings
// that are not text.
template <typename Target> class CheckedHandler {
public:
	explicit CheckedHandler(Target &target) : target_(target) {}
	bool depth_exceeded = false;
	bool lone_surrogate = false;
	bool check_surrogates = true;

	bool Null() { return target_.Null(); }
	bool Bool(bool b) { return target_.Bool(b); }
	bool Int(int i) { return target_.Int(i); }
	bool Uint(unsigned i) { return target_.Uint(i); }
	bool Int64(int64_t i) { return target_.Int64(i); }
	bool Uint64(uint64_t i) { return target_.Uint64(i); }
	bool Double(double d) { return target_.Double(d); }
	bool RawNumber(const char *str, rapidjson::SizeType length, bool copy) {
		return target_.RawNumber(str, length, copy);
	}
	bool String(const char *str, rapidjson::SizeType length, bool copy) {
		return (!check_surrogates || valid_text(str, length)) && target_.String(str, length, copy);
	}
	bool Key(const char *str, rapidjson::SizeType length, bool copy) {
		return (!check_surrogates || valid_text(str, length)) && target_.Key(str, length, copy);
	}
	bool StartObject() { return enter() && target_.StartObject(); }
	bool EndObject(rapidjson::SizeType count) {
		--depth_;
		return target_.EndObject(count);
	}
	bool StartArray() { return enter() && target_.StartArray(); }
	bool EndArray(rapidjson::SizeType count) {
		--depth_;
		return target_.EndArray(count);
	}

private:
	// The input is valid UTF-8, but a \u escape of a lone low surrogate (\udc00) still decodes
	// to bytes that are not UTF-8 (ED B0 80). Such strings are refused.
	bool valid_text(const char *str, rapidjson::SizeType length) {
		const char *end = str + length;
		for (const char *p = str; (p = static_cast<const char *>(std::memchr(p, '\xED', end - p))); ++p)
			if (p + 1 < end && static_cast<unsigned char>(p[1]) >= 0xA0) {
				lone_surrogate = true;
				return false;
			}
		return true;
	}

	bool enter() {
		if (++depth_ > kMaxJsonDepth) {
			depth_exceeded = true;
			return false;
		}
		return true;
	}
	Target &target_;
	unsigned depth_ = 0;
};

struct ParseOutcome {
	rapidjson::ParseResult result;
	bool depth_exceeded;
	bool lone_surrogate;
};

} // namespace

void set_alloc_hooks(const AllocHooks &hooks) { g_hooks = hooks; }

void *HookAllocator::Malloc(size_t size) { return size ? g_hooks.alloc(size) : nullptr; }

void *HookAllocator::Realloc(void *ptr, size_t old_size, size_t new_size) {
	if (new_size == 0) {
		Free(ptr);
		return nullptr;
	}
	if (!ptr)
		return g_hooks.alloc(new_size);
	return g_hooks.realloc(ptr, old_size, new_size);
}

void HookAllocator::Free(void *ptr) {
	if (ptr && g_hooks.free)
		g_hooks.free(ptr);
}

namespace {

// Runs the reader with the depth- and surrogate-checking handler over a stream, then turns the
// outcome into our errors. Recursive descent: the handler stops it at kMaxJsonDepth levels.
// Whether text may hold a \u escape of a surrogate (\uD800-\uDFFF); only then need decoded
// strings be checked for lone surrogates.
bool may_escape_surrogates(std::string_view text) {
	for (size_t i = text.find('\\'); i != std::string_view::npos && i + 2 < text.size(); i = text.find('\\', i + 2))
		if (text[i + 1] == 'u' && (text[i + 2] == 'd' || text[i + 2] == 'D'))
			return true;
	return false;
}

void raise_parse_error(const ParseOutcome &outcome, const char *what) {
	if (outcome.depth_exceeded)
		throw Error(ErrorKind::program_limit, std::string(what) + " JSON is nested more than " +
		                                          std::to_string(kMaxJsonDepth) + " levels deep");
	if (outcome.lone_surrogate)
		throw Error(ErrorKind::invalid_json, std::string("invalid ") + what + " JSON at byte " +
		                                         std::to_string(outcome.result.Offset()) +
		                                         ": a \\u escape encodes a lone surrogate, which is not text");
	throw Error(ErrorKind::invalid_json, std::string("invalid ") + what + " JSON at byte " +
	                                         std::to_string(outcome.result.Offset()) + ": " +
	                                         rapidjson::GetParseError_En(outcome.result.Code()));
}

// Runs the reader over a stream into target through the checks. Recursive descent: the
// handler stops it at kMaxJsonDepth levels.
template <unsigned kFlags, typename Stream, typename Target>
ParseOutcome run_reader(Stream &stream, Target &target, bool check_surrogates) {
	CheckedHandler<Target> handler(target);
	handler.check_surrogates = check_surrogates;
	rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, HookAllocator> reader;
	ParseOutcome outcome{};
	outcome.result = reader.Parse<kFlags>(stream, handler);
	outcome.depth_exceeded = handler.depth_exceeded;
	outcome.lone_surrogate = handler.lone_surrogate;
	return outcome;
}

template <unsigned kFlags, typename Stream>
void parse_stream(Stream &stream, JsonDocument &doc, const char *what, bool check_surrogates) {
	ParseOutcome outcome{};
	auto generate = [&](JsonDocument &target) {
		outcome = run_reader<kFlags>(stream, target, check_surrogates);
		return !outcome.result.IsError();
	};
	doc.Populate(generate);
	if (outcome.result.IsError())
		raise_parse_error(outcome, what);
}

} // namespace

void parse_json(std::string_view text, JsonDocument &doc, const char *what, bool validate_utf8) {
	rapidjson::MemoryStream raw(text.data(), text.size());
	bool check_surrogates = may_escape_surrogates(text);
	if (validate_utf8)
		parse_stream<rapidjson::kParseValidateEncodingFlag>(raw, doc, what, check_surrogates);
	else
		parse_stream<rapidjson::kParseDefaultFlags>(raw, doc, what, check_surrogates);
}

void parse_json_in_place(char *buffer, size_t length, JsonDocument &doc, const char *what, bool validate_utf8) {
	// The in-place reader stops at the first NUL: text holding one is parsed by copying instead.
	if (std::memchr(buffer, '\0', length)) {
		parse_json(std::string_view(buffer, length), doc, what, validate_utf8);
		return;
	}
	bool check_surrogates = may_escape_surrogates(std::string_view(buffer, length));
	rapidjson::InsituStringStream stream(buffer);
	if (validate_utf8)
		parse_stream<rapidjson::kParseInsituFlag | rapidjson::kParseValidateEncodingFlag>(stream, doc, what,
		                                                                                  check_surrogates);
	else
		parse_stream<rapidjson::kParseInsituFlag>(stream, doc, what, check_surrogates);
}

void parse_json_in_place(char *buffer, size_t length, JsonHandler &handler, const char *what, bool validate_utf8) {
	// A NUL byte is never valid JSON (outside strings it is no token, inside it is a raw
	// control character); the in-place reader would stop there, so it is refused up front.
	if (const void *nul = std::memchr(buffer, '\0', length))
		throw Error(ErrorKind::invalid_json, std::string("invalid ") + what + " JSON at byte " +
		                                         std::to_string(static_cast<const char *>(nul) - buffer) +
		                                         ": a NUL byte");
	bool check_surrogates = may_escape_surrogates(std::string_view(buffer, length));
	rapidjson::InsituStringStream stream(buffer);
	ParseOutcome outcome =
	    validate_utf8
	        ? run_reader<rapidjson::kParseInsituFlag | rapidjson::kParseValidateEncodingFlag>(stream, handler,
	                                                                                          check_surrogates)
	        : run_reader<rapidjson::kParseInsituFlag>(stream, handler, check_surrogates);
	if (outcome.result.IsError())
		raise_parse_error(outcome, what);
}

const JsonValue *member(const JsonValue &object, std::string_view key) {
	if (!object.IsObject())
		return nullptr;
	const JsonValue *found = nullptr;
	for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
		const JsonValue &name = it->name;
		if (name.GetStringLength() == key.size() && std::memcmp(name.GetString(), key.data(), key.size()) == 0)
			found = &it->value;
	}
	return found;
}

std::optional<std::string_view> member_string(const JsonValue &object, std::string_view key) {
	const JsonValue *v = member(object, key);
	if (v && v->IsString())
		return string_of(*v);
	return std::nullopt;
}

const JsonValue *member_object(const JsonValue &object, std::string_view key) {
	const JsonValue *v = member(object, key);
	return v && v->IsObject() ? v : nullptr;
}

const JsonValue *member_array(const JsonValue &object, std::string_view key) {
	const JsonValue *v = member(object, key);
	return v && v->IsArray() ? v : nullptr;
}

std::optional<bool> member_bool(const JsonValue &object, std::string_view key) {
	const JsonValue *v = member(object, key);
	if (v && v->IsBool())
		return v->GetBool();
	return std::nullopt;
}

std::optional<int64_t> int_value(const JsonValue &v) {
	if (v.IsInt64())
		return v.GetInt64();
	if (v.IsUint64())
		return static_cast<int64_t>(v.GetUint64() & 0x7fffffffffffffffULL);
	if (v.IsDouble()) {
		double d = v.GetDouble();
		if (d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d)))
			return static_cast<int64_t>(d);
	}
	return std::nullopt;
}

std::optional<int64_t> member_int(const JsonValue &object, std::string_view key) {
	const JsonValue *v = member(object, key);
	return v ? int_value(*v) : std::nullopt;
}

void append_json_string(std::string &out, std::string_view value) {
	static const char hex[] = "0123456789abcdef";
	out.push_back('"');
	for (unsigned char c : value) {
		switch (c) {
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		case '\b': out += "\\b"; break;
		case '\f': out += "\\f"; break;
		case '\0': out += "\\u2400"; break; // shown as the symbol for NUL: jsonb cannot hold \u0000
		default:
			if (c < 0x20) {
				out += "\\u00";
				out.push_back(hex[c >> 4]);
				out.push_back(hex[c & 15]);
			} else {
				out.push_back(static_cast<char>(c));
			}
		}
	}
	out.push_back('"');
}

std::string float_json_text(double d) {
	// The shortest round-trip digits and exponent, from to_chars' scientific form (d.ddde±x).
	char buffer[64];
	auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::scientific);
	if (ec != std::errc())
		return "null";
	std::string_view sci(buffer, static_cast<size_t>(end - buffer));
	std::string out;
	if (sci.front() == '-') {
		out.push_back('-');
		sci.remove_prefix(1);
	}
	size_t e = sci.find('e');
	std::string digits;
	for (char c : sci.substr(0, e))
		if (c != '.')
			digits.push_back(c);
	while (digits.size() > 1 && digits.back() == '0')
		digits.pop_back();
	if (digits == "0")
		return out + "0.0";
	int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
	// value = 0.digits * 10^point
	int length = static_cast<int>(digits.size()), point = exponent + 1;
	if (point >= length && point <= 16) { // 1234e7 -> 12340000000.0
		out += digits;
		out.append(static_cast<size_t>(point - length), '0');
		out += ".0";
	} else if (point > 0 && point <= 16) { // 1234e-2 -> 12.34
		out += digits.substr(0, static_cast<size_t>(point));
		out += '.';
		out += digits.substr(static_cast<size_t>(point));
	} else if (point > -5 && point <= 0) { // 1234e-6 -> 0.001234
		out += "0.";
		out.append(static_cast<size_t>(-point), '0');
		out += digits;
	} else { // 1e30, 1.234e33
		out += digits[0];
		if (length > 1) {
			out += '.';
			out += digits.substr(1);
		}
		out += 'e';
		out += std::to_string(point - 1);
	}
	return out;
}

void CompactJsonText::string(std::string_view s) {
	std::string text;
	append_json_string(text, s);
	value(std::move(text));
}

void CompactJsonText::key(std::string_view k) {
	if (!open_.empty())
		open_.back().key.assign(k);
}

void CompactJsonText::open(bool is_object) { open_.push_back(Container{is_object, {}, {}}); }

bool CompactJsonText::close() {
	Container c = std::move(open_.back());
	open_.pop_back();
	std::string text(1, c.is_object ? '{' : '[');
	if (c.is_object)
		std::stable_sort(c.members.begin(), c.members.end(),
		                 [](const auto &a, const auto &b) { return a.first < b.first; });
	bool first = true;
	for (size_t i = 0; i < c.members.size(); i++) {
		if (c.is_object && i + 1 < c.members.size() && c.members[i + 1].first == c.members[i].first)
			continue; // a duplicate key: the last value wins
		if (!first)
			text.push_back(',');
		first = false;
		if (c.is_object) {
			append_json_string(text, c.members[i].first);
			text.push_back(':');
		}
		text += c.members[i].second;
	}
	text.push_back(c.is_object ? '}' : ']');
	value(std::move(text));
	return open_.empty();
}

void CompactJsonText::value(std::string text) {
	if (open_.empty()) {
		text_ = std::move(text);
		return;
	}
	Container &c = open_.back();
	c.members.emplace_back(c.is_object ? c.key : std::string(), std::move(text));
}

} // namespace triage
