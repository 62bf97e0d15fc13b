// Message normalization: a reimplementation of the behaviour of Sentry's message trimming and its
// "regex_pattern_keys" parameterization (the version the newstyle:2026-01-20 snapshots were made with).
//
// Sentry runs one Python `re` pattern in verbose mode: the alternatives below OR-ed in order, each in a
// named group, substituted leftmost-first. We run the same alternation with PCRE2. Python 3 str patterns
// are Unicode-aware, so the pattern is compiled with PCRE2_UTF | PCRE2_UCP: \d is then any Nd digit and
// \w (hence \b) is letters, numbers and '_', as Python's str.isalnum() plus '_'. \s differs in a few
// characters, so the pattern text spells out Python's set (see kPythonSpaces).
#include "parameterize.hpp"

#include "errors.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace triage {

namespace {

struct PlaceholderKind {
	const char *name;
	// The group body, PCRE2 extended syntax (white space and #-comments ignored outside classes).
	const char *pattern;
	// Text that must directly precede the match, checked by a lookbehind outside the group.
	const char *required_before;
	// What any match of the body starts with, checked first: a cheap test that spares most positions the
	// body's branches and its Unicode \b tests. It must never reject a position the body accepts.
	const char *start;
};

// Common top-level domains from Sentry's list; the hostname pattern accepts each all-upper or all-lower.
constexpr const char *kTopLevelDomains =
	"com|net|org|jp|de|uk|fr|br|it|ru|es|me|gov|pl|ca|au|cn|co|in|nl|edu|info|eu|ch|id|at|kr|cz|mx|be|tv|se|tr|"
	"tw|al|ua|ir|vn|cl|sk|ly|cc|to|no|fi|us|pt|dk|ar|hu|tk|gr|il|news|ro|my|biz|ie|za|nz|sg|ee|th|io|xyz|pe|bg|"
	"hk|rs|lt|link|ph|club|si|site|mobi|by|cat|wiki|la|ga|xxx|cf|hr|ng|jobs|online|kz|ug|gq|ae|is|lv|pro|fm|"
	"tips|ms|sa|app";

// "@TLDS@" in the hostname pattern is replaced by both spellings of kTopLevelDomains.
constexpr const char *kTopLevelDomainsSlot = "@TLDS@";

// An IPv4 dotted quad with each part 0-255, used by several ip alternatives.
#define TRIAGE_IPV4_OCTET R"re((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9]))re"
#define TRIAGE_IPV4 "(" TRIAGE_IPV4_OCTET R"re(\.){3,3})re" TRIAGE_IPV4_OCTET
#define TRIAGE_H16 "[0-9a-fA-F]{1,4}"
#define TRIAGE_WEEKDAY "(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat)"
#define TRIAGE_MONTH "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
#define TRIAGE_ZONE_NAME "(?:UT|GMT|(?:E|C|M|P)(?:ST|DT)|[A-IK-Z])"

// The order is significant: at each position the first alternative that matches wins.
constexpr std::array<PlaceholderKind, 15> kPlaceholderKinds = {{
	{"email", R"re([a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+ @ [a-zA-Z0-9-]+ (?:\.[a-zA-Z0-9-]+)*)re", nullptr, nullptr},
	{"url", R"re(\b (wss?|https?|ftp) :// [^\s/$.?#] . [^\s]*)re", nullptr, "[whf]"},
	{"hostname", R"re(\b ([a-zA-Z0-9\-]{1,63}\.)+? (@TLDS@) \b)re", nullptr, R"re([a-zA-Z0-9\-]{1,63}\.)re"},
	{"ip",
	 "(" TRIAGE_H16 ":){7,7}" TRIAGE_H16
	 " | (" TRIAGE_H16 ":){1,7}:"
	 " | (" TRIAGE_H16 ":){1,6}:" TRIAGE_H16
	 " | (" TRIAGE_H16 ":){1,5}(:" TRIAGE_H16 "){1,2}"
	 " | (" TRIAGE_H16 ":){1,4}(:" TRIAGE_H16 "){1,3}"
	 " | (" TRIAGE_H16 ":){1,3}(:" TRIAGE_H16 "){1,4}"
	 " | (" TRIAGE_H16 ":){1,2}(:" TRIAGE_H16 "){1,5}"
	 " | " TRIAGE_H16 ":((:" TRIAGE_H16 "){1,6})"
	 " | :((:" TRIAGE_H16 "){1,7}|:)"
	 " | fe80:(:[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}"
	 " | ::(ffff(:0{1,4}){0,1}:){0,1}" TRIAGE_IPV4
	 " | (" TRIAGE_H16 ":){1,4}:" TRIAGE_IPV4 R"re(\b)re"
	 R"re( | \b)re" TRIAGE_IPV4 R"re(\b)re",
	 nullptr, R"re([0-9a-fA-F]{0,4}: | [0-9]{1,3}\.)re"},
	// W3C trace context, or an AWS X-Ray trace id
	{"traceparent", R"re(\b00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]\b | \b1-[0-9a-f]{8}-[0-9a-f]{24}\b)re", nullptr,
	 "00-|1-"},
	{"uuid", R"re(\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)re", nullptr,
	 "[0-9a-fA-F]{8}-"},
	{"sha1", R"re(\b[0-9a-fA-F]{40}\b)re", nullptr, "[0-9a-fA-F]{40}"},
	{"md5", R"re(\b[0-9a-fA-F]{32}\b)re", nullptr, "[0-9a-fA-F]{32}"},
	// Dates need no word boundary in front, except the last two syslog-like forms.
	{"date",
	 // RFC 822 / 1123: "Tue, 3 Jun 2008 11:05:30 GMT"
	 TRIAGE_WEEKDAY R"re(,\s\d{1,2}\s)re" TRIAGE_MONTH R"re(\s\d{2,4}\s\d{1,2}:\d{1,2}(:\d{1,2})?\s)re"
	 R"re(([-\+][\d]{2}[0-5][\d]|)re" TRIAGE_ZONE_NAME ")"
	 // "Mon Jan 02, 1999" and "Jan 02, 1999"
	 " | (" TRIAGE_WEEKDAY R"re(\s)?)re" TRIAGE_MONTH R"re(\s[0-3]\d,\s\d{2,4})re"
	 // RFC 850: "Monday, 02-Jan-06 15:04:05 MST"
	 " | (?:Sun|Sunday|Mon|Monday|Tue|Tuesday|Wed|Wednesday|Thu|Thursday|Fri|Friday|Sat|Saturday)"
	 R"re(,\s\d{2}-)re" TRIAGE_MONTH R"re(-\d{2}\s\d{2}:\d{2}:\d{2}\s)re" TRIAGE_ZONE_NAME
	 // RFC 3339, with optional fraction, Z and offset
	 R"re( | \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?([+-]?\d{2}:\d{2})?)re"
	 // JavaScript Date.toString(): "Mon Jan 02 2006 15:04:05 GMT+0100 (CET)"
	 " | " TRIAGE_WEEKDAY R"re(\s)re" TRIAGE_MONTH
	 R"re(\s\d{2}\s\d{4}\s\d{2}:\d{2}:\d{2}\sGMT[+-]\d{4}(?:\s\([^)]+\))?)re"
	 // "2006-01-02 15:04:05.999"
	 R"re( | (\d{4}-?[01]\d-?[0-3]\d\s[0-2]\d:[0-5]\d:[0-5]\d)(\.\d+)?)re"
	 // Kitchen time. Sentry writes " [aApP][Mm]" in verbose mode, where the space is ignored, so
	 // "3:04PM" is one date while "3:04 PM" leaves " PM" behind.
	 R"re( | [1-9]\d?:\d{2}(:\d{2})?(?:[aApP][Mm])?)re"
	 R"re( | \d{4}-[01]\d-[0-3]\d)re"
	 R"re( | [0-2]\d:[0-5]\d:[0-5]\d)re"
	 // Older ISO 8601 forms with a mandatory zone
	 R"re( | \d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d+([+-][0-2]\d:[0-5]\d|Z))re"
	 R"re( | \d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d([+-][0-2]\d:[0-5]\d|Z))re"
	 R"re( | \d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d([+-][0-2]\d:[0-5]\d|Z))re"
	 // syslog / ctime: "Wed Apr 17 22:31:45 2019"
	 R"re( | \b(?:)re" TRIAGE_WEEKDAY R"re(\s+)?)re" TRIAGE_MONTH
	 R"re(\s+[\d]{1,2}\s+[\d]{2}:[\d]{2}:[\d]{2}\s+[\d]{4})re"
	 // "Wed, 02 Oct 2002 13:00:00 +0200" with looser spacing
	 R"re( | \b(?:)re" TRIAGE_WEEKDAY R"re(,\s+)?(0[1-9]|[1-2]?[\d]|3[01])\s+)re" TRIAGE_MONTH
	 R"re(\s+(19[\d]{2}|[2-9][\d]{3})\s+(2[0-3]|[0-1][\d]):([0-5][\d])(?::(60|[0-5][\d]))?\s+)re"
	 R"re(([-\+][\d]{2}[0-5][\d]|)re" TRIAGE_ZONE_NAME ")"
	 // Python repr: "datetime.datetime(2023, 5, 2, 23, 46)". The dots are unescaped in Sentry's pattern, and its
	 // lazy ".*?\)" is written as the equivalent "up to the first ')' on the line" without a step per character.
	 R"re( | datetime.datetime\([^\n)]*+\))re",
	 nullptr, R"re([ADFJMNOSTWd] | \d)re"},
	// "31ms" needs a boundary in front only, "1.5s" behind only.
	{"duration", R"re(\b(\d+ms) | (\d+(\.\d+)?s)\b)re", nullptr, R"re(\d)re"},
	// 0x-prefixed, or exactly 8 or 16 lowercase hex digits with a decimal digit somewhere between the start of
	// the word and the end of the line (Sentry's lookahead is ".*[0-9]"). The length is checked before that scan
	// so it only runs at candidate words; the possessive form finds the first digit without backtracking.
	{"hex",
	 R"re(\b0[xX][0-9a-fA-F]+\b)re"
	 R"re( | \b(?=[0-9a-f]{8}\b)(?=[^\n0-9]*+[0-9])[0-9a-f]{8}\b)re"
	 R"re( | \b(?=[0-9a-f]{16}\b)(?=[^\n0-9]*+[0-9])[0-9a-f]{16}\b)re",
	 nullptr, "0[xX] | [0-9a-f]{8}"},
	{"float", R"re(-\d+\.\d+\b | \b\d+\.\d+\b)re", nullptr, R"re(-?\d+\.)re"},
	{"int", R"re(-\d+\b | \b\d+\b)re", nullptr, R"re(-?\d)re"},
	// Only the value half of key=value pairs; neither has a boundary behind ("k=trueish" gives "k=<bool>ish").
	{"quoted_str", R"re('([^']+)' | "([^"]+)")re", "=", nullptr},
	{"bool", R"re(True | true | False | false)re", "=", nullptr},
}};

#undef TRIAGE_IPV4_OCTET
#undef TRIAGE_IPV4
#undef TRIAGE_H16
#undef TRIAGE_WEEKDAY
#undef TRIAGE_MONTH
#undef TRIAGE_ZONE_NAME

// Python's \s (str.isspace()) as class members. PCRE2's Unicode \s lacks U+001C..U+001F and U+0085 and has
// U+180E, so it is spelled out instead.
constexpr const char *kPythonSpaces =
	R"re(\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000})re";

// Rewrites each \s, in a class or not, as kPythonSpaces.
std::string with_python_spaces(const std::string &pattern) {
	std::string out;
	bool in_class = false;
	for (size_t i = 0; i < pattern.size(); ++i) {
		char c = pattern[i];
		if (c == '\\' && i + 1 < pattern.size()) {
			char escaped = pattern[++i];
			if (escaped == 's')
				out += in_class ? std::string(kPythonSpaces) : std::string("[") + kPythonSpaces + "]";
			else
				out.append({c, escaped});
			continue;
		}
		if (c == '[' && !in_class) {
			in_class = true;
			out += c;
			if (i + 1 < pattern.size() && pattern[i + 1] == '^')
				out += pattern[++i];
			continue;
		}
		if (c == ']' && in_class)
			in_class = false;
		out += c;
	}
	return out;
}

// Writes words as a prefix tree, "(?:a(?:e|l|pp|...)|b(?:...)|...)". PCRE2 tries a plain alternation's branches one
// by one after every label of a dotted name; on long dotted runs the tree makes the hostname attempts about three
// times cheaper. The hostname pattern ends with \b, so at most one domain can match and branch order is irrelevant.
std::string prefix_tree_alternation(const std::vector<std::string> &words) {
	std::map<char, std::vector<std::string>> by_first_char;
	bool has_empty = false;
	for (const std::string &word : words) {
		if (word.empty())
			has_empty = true;
		else
			by_first_char[word[0]].push_back(word.substr(1));
	}
	std::string out = "(?:";
	for (const auto &[first, rests] : by_first_char) {
		if (out.size() > 3)
			out += '|';
		out += first;
		if (!(rests.size() == 1 && rests[0].empty()))
			out += prefix_tree_alternation(rests);
	}
	out += has_empty ? ")?" : ")";
	return out;
}

std::string top_level_domain_alternatives() {
	std::vector<std::string> domains;
	std::string_view list = kTopLevelDomains;
	for (size_t start = 0; start <= list.size();) {
		size_t end = std::min(list.find('|', start), list.size());
		domains.emplace_back(list.substr(start, end - start));
		start = end + 1;
	}
	std::string lower = prefix_tree_alternation(domains);
	std::string upper = lower;
	for (char &c : upper)
		if (c >= 'a' && c <= 'z')
			c = static_cast<char>(c - 'a' + 'A');
	return upper + "|" + lower;
}

std::string combined_pattern() {
	std::string combined;
	for (const PlaceholderKind &kind : kPlaceholderKinds) {
		if (!combined.empty())
			combined += "\n|";
		if (kind.required_before != nullptr)
			combined += std::string("(?<=") + kind.required_before + ")";
		if (kind.start != nullptr)
			combined += std::string("(?=") + kind.start + ")";
		std::string body = kind.pattern;
		size_t slot = body.find(kTopLevelDomainsSlot);
		if (slot != std::string::npos)
			body.replace(slot, std::string(kTopLevelDomainsSlot).size(), top_level_domain_alternatives());
		// The newline ends any #-comment in the body before the group is closed.
		combined += std::string("(?<") + kind.name + ">" + body + "\n)";
	}
	return with_python_spaces(combined);
}

// Bounds for hostile input; real messages stay below them. Sentry's ingestion (Relay) cuts messages and exception
// values to 8192 characters (plus a small allowance), so only the first kMaxParameterizedChars code points are
// parameterized: some alternatives cost time proportional to the rest of a run at every start position (the email
// local part, the hostname labels, the hex digit lookahead). One attempt at one position may take at most
// kMatchLimit backtracking steps, enough for several hundred hostname labels.
constexpr size_t kMaxParameterizedChars = 8192 + 256;
constexpr uint32_t kMatchLimit = 1000;
constexpr uint32_t kHeapLimitKib = 20 * 1024;

bool is_utf8_continuation(char c) {
	return (static_cast<unsigned char>(c) & 0xc0) == 0x80;
}

// Byte length of the first max_chars code points of text.
size_t prefix_bytes(std::string_view text, size_t max_chars) {
	size_t chars = 0;
	for (size_t i = 0; i < text.size(); ++i)
		if (!is_utf8_continuation(text[i]) && chars++ == max_chars)
			return i;
	return text.size();
}

using CodePtr = std::unique_ptr<pcre2_code, decltype(&pcre2_code_free)>;

CodePtr compile_pattern(const std::string &pattern, uint32_t extra_options) {
	std::unique_ptr<pcre2_compile_context, decltype(&pcre2_compile_context_free)> context(
		pcre2_compile_context_create(nullptr), &pcre2_compile_context_free);
	if (!context)
		throw Error(ErrorKind::program_limit, "out of memory preparing message parameterization");
	// Python's "." stops at "\n" only.
	pcre2_set_newline(context.get(), PCRE2_NEWLINE_LF);
	// Only the named groups are read, and unnamed captures would make every backtracking frame larger.
	uint32_t options = PCRE2_EXTENDED | PCRE2_NO_AUTO_CAPTURE | PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
	int error_code = 0;
	PCRE2_SIZE error_offset = 0;
	CodePtr code(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options | extra_options,
					 &error_code, &error_offset, context.get()),
		&pcre2_code_free);
	if (!code) {
		PCRE2_UCHAR message[256];
		pcre2_get_error_message(error_code, message, sizeof message);
		throw Error(ErrorKind::program_limit, "cannot compile the message parameterization pattern at offset " +
			std::to_string(error_offset) + ": " + reinterpret_cast<const char *>(message));
	}
	// Without JIT support (or on failure) pcre2_match uses the interpreter by itself.
	pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE);
	return code;
}

class Parameterizer {
public:
	Parameterizer()
		: search_code_(compile_pattern(combined_pattern(), 0)),
		  // The JIT serves PCRE2_ANCHORED only when it is given at compile time, hence a second compilation.
		  anchored_code_(compile_pattern(combined_pattern(), PCRE2_ANCHORED)),
		  match_context_(pcre2_match_context_create(nullptr), &pcre2_match_context_free) {
		if (!match_context_)
			throw Error(ErrorKind::program_limit, "out of memory preparing message parameterization");
		pcre2_set_match_limit(match_context_.get(), kMatchLimit);
		pcre2_set_heap_limit(match_context_.get(), kHeapLimitKib);
		for (size_t i = 0; i < kPlaceholderKinds.size(); ++i)
			group_numbers_[i] = pcre2_substring_number_from_name(
				search_code_.get(), reinterpret_cast<PCRE2_SPTR>(kPlaceholderKinds[i].name));
	}

	std::string parameterize(std::string_view text) const {
		std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match_data(
			pcre2_match_data_create_from_pattern(search_code_.get(), nullptr), &pcre2_match_data_free);
		if (!match_data)
			throw Error(ErrorKind::program_limit, "out of memory parameterizing a message");
		std::string_view subject = text.substr(0, prefix_bytes(text, kMaxParameterizedChars));
		std::string out;
		out.reserve(text.size());
		size_t copied_up_to = 0;
		while (copied_up_to < subject.size() && find_next(subject, copied_up_to, match_data.get())) {
			const PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(match_data.get());
			size_t start = ovector[0];
			size_t end = ovector[1];
			out.append(text.data() + copied_up_to, start - copied_up_to);
			out += '<';
			out += matched_kind(ovector);
			out += '>';
			// Every alternative consumes at least one character; this only guards the loop's progress.
			if (end <= start)
				break;
			copied_up_to = end;
		}
		out.append(text.data() + copied_up_to, text.size() - copied_up_to);
		return out;
	}

private:
	// Finds the leftmost match starting at or after offset; false when there is none.
	bool find_next(std::string_view subject, size_t offset, pcre2_match_data *match_data) const {
		int rc = match(search_code_.get(), subject, offset, match_data);
		if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH)
			return rc >= 0;
		// Some position exceeded a limit (hostile input). Try the positions one by one, so that only those
		// that exceed it are passed over as if they did not match.
		for (size_t position = offset; position < subject.size(); ++position) {
			if (is_utf8_continuation(subject[position]))
				continue;
			if (match(anchored_code_.get(), subject, position, match_data) >= 0)
				return true;
		}
		return false;
	}

	int match(const pcre2_code *code, std::string_view subject, size_t offset, pcre2_match_data *match_data) const {
		auto data = reinterpret_cast<PCRE2_SPTR>(subject.data());
		int rc = pcre2_match(code, data, subject.size(), offset, 0, match_data, match_context_.get());
		// The JIT's own stack is small; the interpreter keeps its backtracking state on the heap.
		if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
			rc = pcre2_match(code, data, subject.size(), offset, PCRE2_NO_JIT, match_data, match_context_.get());
		return rc;
	}

	const char *matched_kind(const PCRE2_SIZE *ovector) const {
		for (size_t i = 0; i < kPlaceholderKinds.size(); ++i)
			if (group_numbers_[i] > 0 && ovector[2 * group_numbers_[i]] != PCRE2_UNSET)
				return kPlaceholderKinds[i].name;
		return "";
	}

	CodePtr search_code_;
	CodePtr anchored_code_;
	std::unique_ptr<pcre2_match_context, decltype(&pcre2_match_context_free)> match_context_;
	std::array<int, kPlaceholderKinds.size()> group_numbers_{};
};

// Compiled on first use, not at load time: the library is loaded into PostgreSQL backends.
const Parameterizer &parameterizer() {
	static const Parameterizer instance;
	return instance;
}

// Length of the Python str.splitlines() line break starting at text[i], or 0. "\r\n" counts as one.
size_t line_break_length(std::string_view text, size_t i) {
	unsigned char c = static_cast<unsigned char>(text[i]);
	if (c == '\r')
		return i + 1 < text.size() && text[i + 1] == '\n' ? 2 : 1;
	if (c == '\n' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e))
		return 1;
	std::string_view rest = text.substr(i);
	if (rest.substr(0, 2) == "\xc2\x85") // U+0085 NEL
		return 2;
	if (rest.substr(0, 3) == "\xe2\x80\xa8" || rest.substr(0, 3) == "\xe2\x80\xa9") // U+2028, U+2029
		return 3;
	return 0;
}

// Length of the Python str.isspace() character starting at text[i], or 0.
size_t space_length(std::string_view text, size_t i) {
	unsigned char c = static_cast<unsigned char>(text[i]);
	if ((c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20))
		return 1;
	std::string_view rest = text.substr(i);
	if (rest.substr(0, 2) == "\xc2\x85" || rest.substr(0, 2) == "\xc2\xa0")
		return 2;
	if (rest.size() < 3)
		return 0;
	auto b1 = static_cast<unsigned char>(rest[1]);
	auto b2 = static_cast<unsigned char>(rest[2]);
	bool space = (c == 0xe1 && b1 == 0x9a && b2 == 0x80)                               // U+1680
		|| (c == 0xe2 && b1 == 0x80 && b2 >= 0x80 && b2 <= 0x8a)                       // U+2000..U+200A
		|| (c == 0xe2 && b1 == 0x80 && (b2 == 0xa8 || b2 == 0xa9 || b2 == 0xaf))       // U+2028, U+2029, U+202F
		|| (c == 0xe2 && b1 == 0x81 && b2 == 0x9f)                                     // U+205F
		|| (c == 0xe3 && b1 == 0x80 && b2 == 0x80);                                    // U+3000
	return space ? 3 : 0;
}

bool is_blank(std::string_view line) {
	for (size_t i = 0; i < line.size();) {
		size_t length = space_length(line, i);
		if (length == 0)
			return false;
		i += length;
	}
	return true;
}

} // namespace

std::string trim_message(std::string_view text) {
	constexpr int kKeptLines = 2;
	std::string trimmed;
	int kept = 0;
	size_t line_start = 0;
	while (kept < kKeptLines && line_start < text.size()) {
		size_t line_end = line_start;
		size_t break_length = 0;
		while (line_end < text.size() && (break_length = line_break_length(text, line_end)) == 0)
			++line_end;
		std::string_view line = text.substr(line_start, line_end - line_start);
		if (!is_blank(line)) {
			if (kept++ > 0)
				trimmed += '\n';
			trimmed.append(line);
		}
		line_start = line_end + break_length;
	}
	if (trimmed != text)
		trimmed += "...";
	return trimmed;
}

std::string parameterize_message(std::string_view text) {
	return parameterizer().parameterize(text);
}

std::string normalize_message(std::string_view text) {
	return parameterize_message(trim_message(text));
}

} // namespace triage
