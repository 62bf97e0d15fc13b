// Function-name normalization, behaviour-compatible with Sentry's trim_function_name.
//
// Sentry works on Python str (code points), so names are decoded to UTF-32 first: whitespace, word
// boundaries and the placeholder characters below then behave as they do there. Every step is linear
// in the length of the name; nested template arguments are walked iteratively, never recursively.
#include "function_names.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace triage {
namespace {

using Text = std::u32string;
using TextView = std::u32string_view;

// Sentry hides operator spellings that would upset bracket balancing behind these code points and
// restores them at the end. Using the same ones keeps its behaviour for names that already contain them.
constexpr char32_t angle_placeholder = U'\u27E8';
constexpr char32_t call_placeholder = U'\u25EF';
constexpr char32_t arrow_placeholder = U'\u27FF';
constexpr TextView anon_namespace_placeholder = U"\u3014anonymousnamespace\u3015";
constexpr TextView anon_namespace_spelling = U"`anonymous namespace'";

// Bytes that are not valid UTF-8 travel as lone low surrogates (never produced by decoding) and are
// written back unchanged, so nothing is lost.
constexpr char32_t raw_byte_base = 0xDC00;

Text decode_utf8(std::string_view in)
{
	Text out;
	out.reserve(in.size());
	size_t i = 0;
	while (i < in.size()) {
		const unsigned char lead = static_cast<unsigned char>(in[i]);
		size_t length = 0;
		char32_t cp = 0;
		if (lead < 0x80) {
			length = 1;
			cp = lead;
		} else if (lead >= 0xC2 && lead <= 0xDF) {
			length = 2;
			cp = lead & 0x1F;
		} else if (lead >= 0xE0 && lead <= 0xEF) {
			length = 3;
			cp = lead & 0x0F;
		} else if (lead >= 0xF0 && lead <= 0xF4) {
			length = 4;
			cp = lead & 0x07;
		}
		bool valid = length != 0 && i + length <= in.size();
		for (size_t k = 1; valid && k < length; ++k) {
			const unsigned char next = static_cast<unsigned char>(in[i + k]);
			valid = (next & 0xC0) == 0x80;
			cp = (cp << 6) | (next & 0x3F);
		}
		if (valid && length == 3)
			valid = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
		if (valid && length == 4)
			valid = cp >= 0x10000 && cp <= 0x10FFFF;
		if (!valid) {
			out.push_back(raw_byte_base + lead);
			++i;
			continue;
		}
		out.push_back(cp);
		i += length;
	}
	return out;
}

std::string encode_utf8(TextView in)
{
	std::string out;
	out.reserve(in.size());
	for (char32_t cp : in) {
		if (cp < 0x80) {
			out.push_back(static_cast<char>(cp));
		} else if (cp >= raw_byte_base + 0x80 && cp <= raw_byte_base + 0xFF) {
			out.push_back(static_cast<char>(cp - raw_byte_base));
		} else if (cp < 0x800) {
			out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
			out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
		} else if (cp < 0x10000) {
			out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
			out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
			out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
		} else {
			out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
			out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
			out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
			out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
		}
	}
	return out;
}

// Python's str.isspace(), which also drives str.strip() and the \s of its regexes.
bool is_space(char32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	       c == 0x3000;
}

bool is_ascii_digit(char32_t c) { return c >= '0' && c <= '9'; }

bool is_lower_hex(char32_t c) { return is_ascii_digit(c) || (c >= 'a' && c <= 'f'); }

// The \w of Python's regexes (alphanumerics and '_'). Outside ASCII this approximates "letter or digit"
// as "not whitespace, punctuation or a symbol block".
bool is_word_char(char32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
	if (is_space(c) || (c >= raw_byte_base + 0x80 && c <= raw_byte_base + 0xFF))
		return false;
	if (c <= 0xBF)
		return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA || (c >= 0xBC && c <= 0xBE);
	if (c == 0xD7 || c == 0xF7)
		return false;
	if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x2010 && c <= 0x206F) || (c >= 0x20A0 && c <= 0x20FF) ||
	    (c >= 0x2190 && c <= 0x245F) || (c >= 0x2500 && c <= 0x2775) ||
	    (c >= 0x2794 && c <= 0x2BFF) || (c >= 0x3001 && c <= 0x3004) || (c >= 0x3008 && c <= 0x3020) ||
	    (c >= 0xFF01 && c <= 0xFF0F))
		return false;
	return true;
}

bool starts_with(TextView s, TextView prefix) { return s.substr(0, prefix.size()) == prefix; }

bool contains(TextView s, TextView needle) { return s.find(needle) != TextView::npos; }

TextView strip(TextView s)
{
	size_t begin = 0;
	size_t end = s.size();
	while (begin < end && is_space(s[begin]))
		++begin;
	while (end > begin && is_space(s[end - 1]))
		--end;
	return s.substr(begin, end - begin);
}

void rstrip(Text &s)
{
	size_t end = s.size();
	while (end > 0 && is_space(s[end - 1]))
		--end;
	s.resize(end);
}

void replace_all(Text &s, TextView from, TextView to)
{
	if (!contains(s, from))
		return;
	Text out;
	out.reserve(s.size());
	size_t pos = 0;
	for (size_t hit = s.find(from); hit != Text::npos; hit = s.find(from, pos)) {
		out.append(s, pos, hit - pos);
		out.append(to);
		pos = hit + from.size();
	}
	out.append(s, pos, Text::npos);
	s = std::move(out);
}

// Sentry's bracket eraser: characters at depth 0 are kept, each outermost open..close pair is handed to
// on_pair(open_index, close_index, out). Unbalanced input follows its counting exactly: a stray closer
// drives the depth negative, and everything until the depth is back at 0 disappears.
template <typename OnPair> Text replace_enclosed(const Text &s, char32_t open, char32_t close, OnPair on_pair)
{
	if (s.find(open) == Text::npos)
		return s;
	Text out;
	out.reserve(s.size());
	long long depth = 0;
	size_t pair_start = 0;
	for (size_t i = 0; i < s.size(); ++i) {
		const char32_t c = s[i];
		if (c == open) {
			if (depth == 0)
				pair_start = i;
			++depth;
		} else if (c == close) {
			--depth;
			if (depth == 0)
				on_pair(pair_start, i, out);
		} else if (depth == 0) {
			out.push_back(c);
		}
	}
	return out;
}

// Finds the lambda spellings of gcc ("{lambda(...)#1}"), msvc ("lambda_<32 hex>") and clang ("$_1") in one
// text. The gcc form's lazy search for its ")#<n>}" end is answered from precomputed tables so that many
// unterminated "{lambda(" cannot make the scan quadratic.
class LambdaFinder {
public:
	explicit LambdaFinder(const Text &text)
	    : text_(text), digits_end_(text.size() + 1), next_newline_(text.size() + 1),
	      next_terminator_(text.size() + 1)
	{
		const size_t n = text.size();
		digits_end_[n] = n;
		next_newline_[n] = n;
		next_terminator_[n] = n;
		for (size_t i = n; i-- > 0;) {
			digits_end_[i] = is_ascii_digit(text[i]) ? digits_end_[i + 1] : i;
			next_newline_[i] = text[i] == '\n' ? i : next_newline_[i + 1];
		}
		for (size_t i = n; i-- > 0;)
			next_terminator_[i] = terminator_end(i) != 0 ? i : next_terminator_[i + 1];
	}

	// Length of the lambda spelling at pos that ends by limit (the end of the string being matched), or 0.
	// string_start says pos begins that string, which satisfies the \b in front of "lambda_".
	size_t match(size_t pos, size_t limit, bool string_start) const
	{
		const Text &s = text_;
		if (starts(pos, limit, U"{lambda(")) {
			const size_t terminator = next_terminator_[pos + 8];
			const size_t end = terminator_end(terminator);
			if (terminator < next_newline_[pos + 8] && end != 0 && end <= limit)
				return end - pos;
			return 0;
		}
		if (starts(pos, limit, U"lambda_")) {
			const size_t end = pos + 39;
			if (end > limit || (!string_start && pos > 0 && is_word_char(s[pos - 1])))
				return 0;
			for (size_t i = pos + 7; i < end; ++i)
				if (!is_lower_hex(s[i]))
					return 0;
			return end == limit || !is_word_char(s[end]) ? end - pos : 0;
		}
		if (starts(pos, limit, U"$_")) {
			const size_t end = std::min(digits_end_[pos + 2], limit);
			if (end == pos + 2)
				return 0;
			return end == limit || !is_word_char(s[end]) ? end - pos : 0;
		}
		return 0;
	}

private:
	bool starts(size_t pos, size_t limit, TextView prefix) const
	{
		return pos + prefix.size() <= limit && TextView(text_).substr(pos, prefix.size()) == prefix;
	}

	// End of a ")#<digits>}" at pos, or 0.
	size_t terminator_end(size_t pos) const
	{
		const Text &s = text_;
		if (pos + 2 >= s.size() || s[pos] != ')' || s[pos + 1] != '#')
			return 0;
		const size_t digits = digits_end_[pos + 2];
		return digits > pos + 2 && digits < s.size() && s[digits] == '}' ? digits + 1 : 0;
	}

	const Text &text_;
	std::vector<size_t> digits_end_;
	std::vector<size_t> next_newline_;
	std::vector<size_t> next_terminator_;
};

// Compilers name lambdas inconsistently; every spelling becomes plain "lambda".
Text normalize_lambdas(const Text &s)
{
	const LambdaFinder finder(s);
	Text out;
	out.reserve(s.size());
	for (size_t i = 0; i < s.size();) {
		const size_t length = finder.match(i, s.size(), false);
		if (length != 0) {
			out.append(U"lambda");
			i += length;
		} else {
			out.push_back(s[i++]);
		}
	}
	return out;
}

// MSVC spells the anonymous namespace of inline functions as "?A0x<8 hex>::" and elsewhere as
// "`anonymous namespace'". The trailing "::" keeps mangled names untouched.
Text normalize_msvc_anon_namespaces(const Text &s)
{
	Text out;
	out.reserve(s.size());
	for (size_t i = 0; i < s.size();) {
		bool hit = s.compare(i, 4, U"?A0x") == 0 && i + 14 <= s.size() && s[i + 12] == ':' && s[i + 13] == ':';
		for (size_t k = i + 4; hit && k < i + 12; ++k)
			hit = is_lower_hex(s[k]);
		if (hit) {
			out.append(anon_namespace_placeholder);
			out.append(U"::");
			i += 14;
		} else {
			out.push_back(s[i++]);
		}
	}
	return out;
}

// Generic arguments collapse to "<T>", except that a name opening with "<...>" is a Rust qualified path:
// "<X as Trait>::f" keeps X ("<T as Trait>" keeps Trait), recursively for "<<X as A>::B as C>::f".
// Lambda arguments ("<lambda>") survive.
class GenericsCollapser {
public:
	explicit GenericsCollapser(const Text &s) : s_(s), lambdas_(s) {}

	Text run()
	{
		return replace_enclosed(s_, '<', '>', [this](size_t open, size_t close, Text &out) {
			if (is_lambda(open + 1, close))
				append_bracketed(open, close, out);
			else if (open > 0)
				out.append(U"<T>");
			else
				collapse_qualified_path(open + 1, close, out);
		});
	}

private:
	bool is_lambda(size_t begin, size_t end) const
	{
		return TextView(s_).substr(begin, end - begin) == U"lambda" || lambdas_.match(begin, end, true) != 0;
	}

	void append_bracketed(size_t open, size_t close, Text &out) const { out.append(s_, open, close - open + 1); }

	// Sentry drops a leading "<single capital> as " so that blanket impls are named by their trait.
	size_t skip_blanket_impl(size_t begin, size_t end) const
	{
		const bool blanket = end - begin >= 5 && s_[begin] >= 'A' && s_[begin] <= 'Z' &&
		                     TextView(s_).substr(begin + 1, 4) == U" as ";
		return blanket ? begin + 5 : begin;
	}

	// Content [begin, end) of a balanced "<...>" at the very start of the name. Each level may open with
	// another such path; the chain of levels is collected first and then emitted innermost first, every
	// level appending after its child's output and cutting its own output at the first " as ".
	void collapse_qualified_path(size_t begin, size_t end, Text &out)
	{
		const size_t base = begin;
		const std::vector<size_t> closing = match_angles(begin, end);
		struct Level {
			size_t begin, end;
		};
		std::vector<Level> chain;
		for (;;) {
			begin = skip_blanket_impl(begin, end);
			chain.push_back({begin, end});
			if (begin == end || s_[begin] != '<' || is_lambda(begin + 1, closing[begin - base]))
				break;
			const size_t close = closing[begin - base];
			begin = begin + 1;
			end = close;
		}
		const size_t level_output = out.size();
		size_t child_output_end = level_output;
		for (size_t k = chain.size(); k-- > 0;) {
			const bool innermost = k + 1 == chain.size();
			size_t i = innermost ? chain[k].begin : chain[k + 1].end + 1;
			while (i < chain[k].end) {
				if (s_[i] == '<') {
					const size_t close = closing[i - base];
					if (is_lambda(i + 1, close))
						append_bracketed(i, close, out);
					else
						out.append(U"<T>");
					i = close + 1;
				} else {
					out.push_back(s_[i++]);
				}
			}
			// The child's output holds no " as " of its own; only a match straddling its end is new.
			const size_t search_from = child_output_end - level_output >= 3 ? child_output_end - 3 : level_output;
			const size_t cut = out.find(U" as ", search_from);
			if (cut != Text::npos)
				out.resize(cut);
			child_output_end = out.size();
		}
	}

	// Closing '>' for every '<' in the balanced range [begin, end), indexed from begin.
	std::vector<size_t> match_angles(size_t begin, size_t end) const
	{
		std::vector<size_t> closing(end - begin, 0);
		std::vector<size_t> open;
		for (size_t i = begin; i < end; ++i) {
			if (s_[i] == '<') {
				open.push_back(i);
			} else if (s_[i] == '>' && !open.empty()) {
				closing[open.back() - begin] = i;
				open.pop_back();
			}
		}
		return closing;
	}

	const Text &s_;
	LambdaFinder lambdas_;
};

// Whitespace-separated tokens, where brackets group: "unsigned int foo<a b>" is {"unsigned", "int",
// "foo<a b>"}. As in Sentry, an unclosed bracket loses the rest of the name.
std::vector<Text> split_tokens(const Text &s)
{
	std::vector<Text> tokens;
	std::vector<char32_t> expected_closers;
	size_t token_begin = 0;
	size_t token_end = 0;
	for (size_t i = 0; i < s.size(); ++i) {
		const char32_t c = s[i];
		if (c == '(' || c == '{' || c == '[' || c == '<') {
			expected_closers.push_back(c == '(' ? ')' : c == '{' ? '}' : c == '[' ? ']' : '>');
		} else if (!expected_closers.empty() && c == expected_closers.back()) {
			expected_closers.pop_back();
			if (expected_closers.empty())
				token_end = i + 1;
		} else if (expected_closers.empty()) {
			if (is_space(c)) {
				if (token_end > token_begin)
					tokens.emplace_back(s, token_begin, token_end - token_begin);
				token_begin = token_end = i + 1;
			} else {
				token_end = i + 1;
			}
		}
	}
	if (token_end > token_begin)
		tokens.emplace_back(s, token_begin, token_end - token_begin);
	return tokens;
}

// Index of the last token equal to value, or -1.
long long last_index_of(const std::vector<Text> &tokens, TextView value)
{
	for (size_t i = tokens.size(); i-- > 0;)
		if (tokens[i] == value)
			return static_cast<long long>(i);
	return -1;
}

// Python-style indexing (negative counts from the end); null when out of range.
const Text *token_at(const std::vector<Text> &tokens, long long index)
{
	const long long size = static_cast<long long>(tokens.size());
	if (index < 0)
		index += size;
	return index >= 0 && index < size ? &tokens[static_cast<size_t>(index)] : nullptr;
}

// Swift "variable initialization expression of [static] X" names the variable. Sentry raises on the
// shapes handled as null here (no standalone "of", nothing after it); the caller then falls back to the
// general rule.
const Text *swift_initializer_subject(const std::vector<Text> &tokens)
{
	const long long of = last_index_of(tokens, U"of");
	if (of < 0)
		return nullptr;
	const Text *subject = token_at(tokens, of + 1);
	if (subject != nullptr && *subject == U"static")
		subject = token_at(tokens, of + 2);
	return subject;
}

// The function-name token: the one before the last "->" (Swift return arrow, skipping "throws"),
// else the last token.
const Text &function_token(const std::vector<Text> &tokens)
{
	const Text arrow(1, arrow_placeholder);
	const long long arrow_index = last_index_of(tokens, arrow);
	if (arrow_index >= 0) {
		const Text *candidate = token_at(tokens, arrow_index - 1);
		if (candidate != nullptr && *candidate == U"throws")
			candidate = token_at(tokens, arrow_index - 2);
		if (candidate != nullptr)
			return *candidate;
	}
	return tokens.back();
}

void restore_placeholders(Text &s)
{
	replace_all(s, TextView(&angle_placeholder, 1), U"<");
	replace_all(s, TextView(&call_placeholder, 1), U"()");
	replace_all(s, TextView(&arrow_placeholder, 1), U"->");
	replace_all(s, anon_namespace_placeholder, anon_namespace_spelling);
}

// Where a trailing regex "$" matches in Python: at the end, or before a final newline.
size_t regex_end(const Text &s) { return !s.empty() && s.back() == '\n' ? s.size() - 1 : s.size(); }

// Rust legacy mangling hash "::h<16 alphanumerics>" at the end.
void strip_rust_hash(Text &s)
{
	const size_t end = regex_end(s);
	if (end < 19 || s.compare(end - 19, 3, U"::h") != 0)
		return;
	for (size_t i = end - 16; i < end; ++i)
		if (!(is_ascii_digit(s[i]) || (s[i] >= 'a' && s[i] <= 'z')))
			return;
	s.erase(end - 19, 19);
}

// Unity's IL2CPP appends "_m" and a 40-digit hash of the method signature to every managed method, ahead of a
// few code-generation suffixes. Sentry drops the hash. Its rule is inferred from its tests and snapshots: the
// suffixes they show are listed here, and a name ending otherwise (e.g. "_RuntimeMethod_var") keeps the hash.
constexpr TextView il2cpp_suffixes[] = {
	U"",
	U"_gshared",
	U"_fshared",
	U"_inline",
	U"_gshared_inline",
	U"_fshared_inline",
	U"_AdjustorThunk",
	U"_Multicast",
	U"_OpenStatic",
	U"_OpenInstance",
	U"_OpenGenericVirtual",
	U"_OpenStaticInvoker",
	U"_OpenVirtualInvoker",
	U"_OpenInterfaceInvoker",
};
constexpr size_t il2cpp_hash_length = 42; // "_m" and 40 upper-case hex digits

bool is_il2cpp_hash_at(const Text &s, size_t pos)
{
	if (pos == 0 || pos + il2cpp_hash_length > s.size() || s[pos] != '_' || s[pos + 1] != 'm')
		return false;
	for (size_t i = pos + 2; i < pos + il2cpp_hash_length; ++i)
		if (!(is_ascii_digit(s[i]) || (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

void strip_il2cpp_method_hash(Text &s)
{
	for (const TextView suffix : il2cpp_suffixes) {
		if (s.size() < suffix.size() + il2cpp_hash_length || TextView(s).substr(s.size() - suffix.size()) != suffix)
			continue;
		const size_t hash = s.size() - suffix.size() - il2cpp_hash_length;
		if (is_il2cpp_hash_at(s, hash)) {
			s.erase(hash, il2cpp_hash_length);
			return;
		}
	}
	// Generic instantiations end in "_gp" and any number of "_<n>" indices.
	for (size_t index_start = s.size();;) {
		size_t digits = index_start;
		while (digits > 0 && is_ascii_digit(s[digits - 1]))
			--digits;
		if (digits == index_start || digits == 0 || s[digits - 1] != '_')
			return;
		index_start = digits - 1;
		if (index_start >= 3 + il2cpp_hash_length && s.compare(index_start - 3, 3, U"_gp") == 0 &&
		    is_il2cpp_hash_at(s, index_start - 3 - il2cpp_hash_length)) {
			s.erase(index_start - 3 - il2cpp_hash_length, il2cpp_hash_length);
			return;
		}
	}
}

// GNU symbol versioning "@GLIBC_2.2.5" or "@@GLIBC_2.2.5" at the end.
void strip_glibc_version(Text &s)
{
	const size_t end = regex_end(s);
	size_t version = end;
	while (version > 0 && (is_ascii_digit(s[version - 1]) || s[version - 1] == '.'))
		--version;
	const TextView marker = U"@GLIBC_";
	if (version == end || version < marker.size() || s.compare(version - marker.size(), marker.size(), marker) != 0)
		return;
	size_t begin = version - marker.size();
	if (begin > 0 && s[begin - 1] == '@')
		--begin;
	s.erase(begin, end - begin);
}

// Windows calling-convention decoration "@name@12" / "name@12": keeps the name.
void strip_windows_decoration(Text &s)
{
	const size_t end = regex_end(s);
	size_t at = end;
	while (at > 0 && is_ascii_digit(s[at - 1]))
		--at;
	if (at == end || at == 0 || s[at - 1] != '@')
		return;
	--at;
	// "^@?(.*?)" cannot cross a newline; a leading '@' is dropped unless it is the decoration's own.
	const size_t name_begin = at > 0 && s[0] == '@' ? 1 : 0;
	for (size_t i = name_begin; i < at; ++i)
		if (s[i] == '\n')
			return;
	s.erase(at, end - at);
	s.erase(0, name_begin);
}

std::string trim_native_function_name(std::string_view original, std::string_view platform)
{
	if (original == "<redacted>" || original == "<unknown>")
		return std::string(original);
	Text name(strip(decode_utf8(original)));

	// Objective-C selectors are already canonical.
	if (starts_with(name, U"[") || starts_with(name, U"+[") || starts_with(name, U"-["))
		return encode_utf8(name);

	// "[clone .cold]"-style annotations of split functions go; other bracketed parts stay verbatim.
	name = replace_enclosed(name, '[', ']', [&name](size_t open, size_t close, Text &out) {
		if (!starts_with(TextView(name).substr(open + 1, close - open - 1), U"clone ."))
			out.append(name, open, close - open + 1);
	});
	rstrip(name);

	// Trailing qualifiers of member functions: "const", "&", "&&", in any mix.
	for (;;) {
		const size_t n = name.size();
		if (n > 0 && name[n - 1] == '&')
			name.pop_back();
		else if (n >= 5 && name.compare(n - 5, 5, U"const") == 0 && (n == 5 || !is_word_char(name[n - 6])))
			name.resize(n - 5);
		else
			break;
		rstrip(name);
	}

	replace_all(name, U"operator<<", U"operator\u27E8\u27E8");
	replace_all(name, U"operator<", U"operator\u27E8");
	replace_all(name, U"operator()", U"operator\u25EF");
	replace_all(name, U"operator->", U"operator\u27FF");
	replace_all(name, U" -> ", U" \u27FF ");
	replace_all(name, anon_namespace_spelling, anon_namespace_placeholder);

	if (contains(name, U"lambda") || contains(name, U"$_"))
		name = normalize_lambdas(name);
	if (contains(name, U"?A0x"))
		name = normalize_msvc_anon_namespaces(name);

	// Argument lists go, except the "(anonymous namespace)" and "(operator)" name parts.
	name = replace_enclosed(name, '(', ')', [&name](size_t open, size_t close, Text &out) {
		const TextView inner = strip(TextView(name).substr(open + 1, close - open - 1));
		if (inner == U"anonymous namespace" || inner == U"operator") {
			out.push_back('(');
			out.append(inner);
			out.push_back(')');
		}
	});

	if (contains(name, U"<"))
		name = GenericsCollapser(name).run();

	const bool is_thunk = contains(name, U"thunk for ");
	std::vector<Text> tokens = split_tokens(name);
	// MSVC writes generic operators as "operator< <T>": both parts belong to the name.
	if (tokens.size() > 1 && tokens.back() == U"<T>") {
		tokens.pop_back();
		tokens.back().append(U" <T>");
	}

	Text result;
	const Text *initializer = contains(name, U"initialization expression of") ? swift_initializer_subject(tokens)
	                                                                            : nullptr;
	if (initializer != nullptr) {
		const TextView subject = starts_with(*initializer, U":") ? TextView(*initializer).substr(1) : *initializer;
		result = U"initializer expression of ";
		result.append(subject);
	} else if (!tokens.empty()) {
		result = function_token(tokens);
	}

	if (result.empty()) {
		// Nothing left to call a name (only an unclosed bracket): Sentry keeps the name as given.
		result = decode_utf8(original);
	} else {
		if (starts_with(result, U"@") && (platform == "cocoa" || platform == "swift"))
			result = is_thunk ? U"thunk for closure" : U"closure"; // a Swift attribute: anonymous function
		else if (result != U"closure" && last_index_of(tokens, U"closure") >= 0)
			result = U"closure in " + result;
		restore_placeholders(result);
	}

	if (contains(result, U"::h"))
		strip_rust_hash(result);
	if (contains(result, U"_m"))
		strip_il2cpp_method_hash(result);
	if (contains(result, U"@GLIBC_"))
		strip_glibc_version(result);
	if (contains(result, U"@"))
		strip_windows_decoration(result);
	return encode_utf8(result);
}

bool is_native_platform(std::string_view platform)
{
	return platform == "objc" || platform == "cocoa" || platform == "swift" || platform == "native" ||
	       platform == "c";
}

} // namespace

std::string trim_function_name(std::string_view function, std::string_view platform)
{
	// Unity's C# frames carry "Namespace.Class.Method (args)": the signature goes.
	if (platform == "csharp")
		return std::string(function.substr(0, function.find(" (")));
	if (is_native_platform(platform))
		return trim_native_function_name(function, platform);
	return std::string(function);
}

} // namespace triage
