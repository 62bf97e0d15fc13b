#include "grouping.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <set>
#include <unordered_map>

#include "function_names.hpp"
#include "parameterize.hpp"
#include "regex.hpp"

namespace triage {

namespace {

// ---------------------------------------------------------------------------------------------
// Components

Component leaf(std::string id, std::string value) {
	Component c;
	c.id = std::move(id);
	c.values.push_back(std::move(value));
	c.contributes = true;
	return c;
}

Component empty_component(std::string id, std::string hint = {}) {
	Component c;
	c.id = std::move(id);
	c.hint = std::move(hint);
	return c;
}

Component parent(std::string id, std::vector<Component> children) {
	Component c;
	c.id = std::move(id);
	c.children = std::move(children);
	c.contributes = std::any_of(c.children.begin(), c.children.end(), [](const Component &x) { return x.contributes; });
	return c;
}

// Rewriting a leaf's value makes it contribute again, as in Sentry (a component's contributes
// is recomputed from new values).
void set_value(Component &c, std::string value, std::string hint) {
	c.values.assign(1, std::move(value));
	c.contributes = !c.values[0].empty();
	c.hint = std::move(hint);
}

void disable(Component &c, std::string hint) {
	c.contributes = false;
	if (!hint.empty())
		c.hint = std::move(hint);
}

template <typename F> void for_each_contributing_value(const Component &c, F &&f) {
	if (!c.contributes)
		return;
	for (const auto &v : c.leaf_values())
		f(v);
	for (const auto &child : c.child_components())
		for_each_contributing_value(child, f);
}

// The bytes a hash over the component takes, in chunks: shared subtrees give their values
// concatenated in one piece.
template <typename F> void for_each_contributing_chunk(const Component &c, F &&f) {
	if (!c.contributes)
		return;
	if (c.shared && !c.shared->flat_values.empty()) {
		f(c.shared->flat_values);
		return;
	}
	for (const auto &v : c.leaf_values())
		f(v);
	for (const auto &child : c.child_components())
		for_each_contributing_chunk(child, f);
}

// Equal digests, equal hashes: a 128-bit digest of what the component's hash is computed over.
XXH128_hash_t hash_input_digest(const Component &c) {
	XXH3_state_t state;
	XXH3_128bits_reset(&state);
	for_each_contributing_chunk(c, [&](const std::string &v) { XXH3_128bits_update(&state, v.data(), v.size()); });
	return XXH3_128bits_digest(&state);
}

bool has_contributing_stacktrace(const Component &c) {
	if (!c.contributes)
		return false;
	if (c.id == "stacktrace")
		return true;
	const auto &children = c.child_components();
	return std::any_of(children.begin(), children.end(), has_contributing_stacktrace);
}

bool same_component(const Component &a, const Component &b) {
	const auto &a_children = a.child_components();
	const auto &b_children = b.child_components();
	if (a.id != b.id || a.contributes != b.contributes || a.hint_text() != b.hint_text() ||
	    a.leaf_values() != b.leaf_values() ||
	    a_children.size() != b_children.size())
		return false;
	for (size_t i = 0; i < a_children.size(); i++)
		if (!same_component(a_children[i], b_children[i]))
			return false;
	return true;
}

// A strategy's result: one component per variant name, in the order the names first appear.
using ComponentsByVariant = std::vector<std::pair<std::string, Component>>;

Component *find_variant(ComponentsByVariant &by_variant, std::string_view name) {
	for (auto &[n, c] : by_variant)
		if (n == name)
			return &c;
	return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Frame normalization before grouping

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view s, std::string_view suffix) {
	return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool has_url_origin(std::string_view path, bool files_count_as_urls) {
	if (path.empty())
		return false;
	if (starts_with(path, "http:") || starts_with(path, "https:") || starts_with(path, "applewebdata:") ||
	    starts_with(path, "blob:"))
		return true;
	return files_count_as_urls && starts_with(path, "file:");
}

std::string_view basename_of(std::string_view path) {
	size_t pos = path.find_last_of("/\\");
	return pos == std::string_view::npos ? path : path.substr(pos + 1);
}

std::string ascii_lower(std::string_view s) {
	std::string out(s);
	for (auto &c : out)
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
	return out;
}

size_t utf8_length(std::string_view s) {
	size_t n = 0;
	for (unsigned char c : s)
		n += (c & 0xC0) != 0x80;
	return n;
}

// Python's " ".join(line.split()) for ASCII whitespace.
std::string collapse_whitespace(std::string_view s) {
	std::string out;
	out.reserve(s.size());
	bool pending_space = false;
	for (char c : s) {
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			pending_space = !out.empty();
		} else {
			if (pending_space)
				out.push_back(' ');
			pending_space = false;
			out.push_back(c);
		}
	}
	return out;
}

// Removes "?query" from a JavaScript filename, as Sentry does before grouping.
std::optional<std::string> strip_query_string(std::string_view filename) {
	size_t q = filename.find('?');
	if (q == std::string_view::npos)
		return std::nullopt;
	size_t hash = filename.find('#', q);
	std::string_view query = filename.substr(q + 1, hash == std::string_view::npos ? std::string_view::npos : hash - q - 1);
	if (query.empty())
		return std::nullopt;
	std::string needle = "?" + std::string(query);
	std::string out(filename);
	for (size_t pos = out.find(needle); pos != std::string::npos; pos = out.find(needle, pos))
		out.erase(pos, needle.size());
	return out;
}

const Regex &python_multiprocessing_call() {
	static const Regex re("from multiprocessing\\.spawn import spawn_main; spawn_main\\("
	                      "(tracker_fd|parent_pid)=\\d+, pipe_handle=\\d+\\)");
	return re;
}

void normalize_frame(Frame &frame, Event &event) {
	// Function names are trimmed once, keeping the original as raw_function.
	if (!frame.function.empty() && !frame.has_raw_function) {
		std::string trimmed = trim_function_name(frame.function, frame.platform);
		if (trimmed != frame.function) {
			frame.raw_function = frame.function;
			frame.has_raw_function = true;
			frame.function = event.own(std::move(trimmed));
		}
	}
	if (event.platform == "javascript")
		if (auto stripped = strip_query_string(frame.filename))
			frame.filename = event.own(std::move(*stripped));
	// CPython's multiprocessing spawns children with a generated line holding pids and handles.
	if (!frame.context_line.empty() && event.platform == "python" && frame.module == "__main__" &&
	    frame.filename == "<string>" && frame.function == "<module>" &&
	    python_multiprocessing_call().matches_prefix(frame.context_line)) {
		static const Regex digits_after_equals("=\\d+");
		frame.context_line = event.own(digits_after_equals.replace_all(frame.context_line, "=<int>"));
	}
}

} // namespace

// ---------------------------------------------------------------------------------------------
// The stack-trace cache
//
// Everything grouping decides about a stack trace (normalized names, in-app and category from
// the rules, each variant's stacktrace component) depends only on its frames, the event's
// platform and, when some rule has an error.* matcher, its exception. Production traffic repeats
// a few stack traces endlessly, so a Grouper remembers those decisions, keyed by a 128-bit hash
// of exactly those inputs.

struct ParseBuffers {
	std::string text;               // the event text, parsed in place
	std::vector<std::string> spent; // large texts still referenced by the last event
};

struct CachedFrame {
	// Set only where normalization changed the value.
	std::optional<std::string> function, raw_function, filename, context_line;
	std::optional<bool> in_app, orig_in_app;
	std::string_view category; // views rule storage, which lives as long as the Grouper
};

struct CachedStacktrace {
	std::vector<CachedFrame> frames;
	std::vector<std::pair<std::string, std::shared_ptr<const Component>>> components; // app, system
};

struct StacktraceCache {
	struct KeyHash {
		size_t operator()(const XXH128_hash_t &k) const { return static_cast<size_t>(k.low64); }
	};
	struct KeyEqual {
		bool operator()(const XXH128_hash_t &a, const XXH128_hash_t &b) const { return XXH128_isEqual(a, b); }
	};
	size_t capacity = kDefaultStacktraceCacheEntries;
	std::unordered_map<XXH128_hash_t, std::shared_ptr<CachedStacktrace>, KeyHash, KeyEqual> entries;
	uint64_t hits = 0, misses = 0;
	std::vector<char> key_buffer; // reused by stacktrace_key
};

namespace {

using StacktraceEntries = std::unordered_map<const Stacktrace *, std::shared_ptr<CachedStacktrace>>;

XXH128_hash_t stacktrace_key(const Stacktrace &st, const Event &event, const Exception *exception,
                             std::vector<char> &buffer) {
	// The inputs are serialized (lengths first, so that no two inputs serialize alike) into one
	// buffer, sized in a first pass, and hashed once: far cheaper than an update per field.
	auto fields = [](const Frame &f) {
		return std::array<std::string_view, 8>{f.function, f.raw_function, f.module, f.filename,
		                                       f.abs_path,  f.package,      f.context_line, f.platform};
	};
	std::array<std::string_view, 3> exception_fields{};
	if (exception)
		exception_fields = {exception->type.value_or("\x01"), exception->value.value_or("\x01"),
		                    exception->mechanism ? exception->mechanism->type : std::string_view("\x01")};
	constexpr size_t kFrameFixed = 1 + 8 * sizeof(uint32_t) + 4 * sizeof(int64_t);
	size_t size = sizeof(uint32_t) + event.platform.size() + st.frames.size() * kFrameFixed;
	for (const Frame &f : st.frames)
		for (std::string_view v : fields(f))
			size += v.size();
	for (std::string_view v : exception_fields)
		size += sizeof(uint32_t) + v.size();

	if (buffer.size() < size)
		buffer.resize(size);
	char *out = buffer.data();
	auto put = [&](std::string_view v) {
		uint32_t n = static_cast<uint32_t>(v.size());
		std::memcpy(out, &n, sizeof n);
		if (!v.empty()) // an empty view may have no data pointer, which memcpy must not get
			std::memcpy(out + sizeof n, v.data(), v.size());
		out += sizeof n + v.size();
	};
	auto put_int = [&](std::optional<int64_t> v) {
		int64_t x[2] = {v.has_value(), v.value_or(0)};
		std::memcpy(out, x, sizeof x);
		out += sizeof x;
	};
	put(event.platform);
	for (const Frame &f : st.frames) {
		*out++ = char(f.has_function | f.has_raw_function << 1 | f.has_context_line << 2 | f.has_sourcemap << 3 |
		              f.in_app.has_value() << 4 | f.in_app.value_or(false) << 5);
		for (std::string_view v : fields(f))
			put(v);
		put_int(f.lineno);
		put_int(f.colno);
	}
	for (std::string_view v : exception_fields)
		put(v);
	return XXH3_128bits(buffer.data(), static_cast<size_t>(out - buffer.data()));
}

void remember_frame(CachedFrame &cached, const Frame &before, const Frame &after) {
	auto changed = [](std::string_view a, std::string_view b) { return a.data() != b.data() || a.size() != b.size(); };
	if (changed(before.function, after.function))
		cached.function = std::string(after.function);
	if (changed(before.raw_function, after.raw_function))
		cached.raw_function = std::string(after.raw_function);
	if (changed(before.filename, after.filename))
		cached.filename = std::string(after.filename);
	if (changed(before.context_line, after.context_line))
		cached.context_line = std::string(after.context_line);
	cached.in_app = after.in_app;
	cached.orig_in_app = after.orig_in_app;
	cached.category = after.category;
}

void recall_frame(Frame &frame, const CachedFrame &cached) {
	if (cached.function)
		frame.function = *cached.function;
	if (cached.raw_function) {
		frame.raw_function = *cached.raw_function;
		frame.has_raw_function = true;
	}
	if (cached.filename)
		frame.filename = *cached.filename;
	if (cached.context_line)
		frame.context_line = *cached.context_line;
	frame.in_app = cached.in_app;
	frame.orig_in_app = cached.orig_in_app;
	frame.category = cached.category;
}

// Normalizes and classifies every stack trace that grouping reads, from the cache when it can.
// entries maps each stack trace to its cache entry (also keeping the entry alive while the
// event's frames view its strings).
void prepare_frames(Event &event, const StacktraceRules &rules, bool keyed_by_exception, StacktraceCache *cache,
                    StacktraceEntries &entries) {
	auto prepare = [&](Stacktrace &st, Exception *exception) {
		std::shared_ptr<CachedStacktrace> entry;
		XXH128_hash_t key{};
		if (cache && cache->capacity > 0 && !st.frames.empty()) {
			key = stacktrace_key(st, event, keyed_by_exception ? exception : nullptr, cache->key_buffer);
			auto it = cache->entries.find(key);
			if (it != cache->entries.end()) {
				cache->hits++;
				entry = it->second;
				for (size_t i = 0; i < st.frames.size(); i++)
					recall_frame(st.frames[i], entry->frames[i]);
				entries[&st] = std::move(entry);
				return;
			}
			cache->misses++;
		}
		std::vector<Frame> before;
		if (cache && cache->capacity > 0)
			before = st.frames;
		for (auto &f : st.frames)
			normalize_frame(f, event);
		apply_classifier_rules(rules, st, exception);
		for (auto &f : st.frames)
			if (!f.in_app)
				f.in_app = false;
		if (cache && cache->capacity > 0 && !st.frames.empty()) {
			entry = std::make_shared<CachedStacktrace>();
			entry->frames.resize(st.frames.size());
			for (size_t i = 0; i < st.frames.size(); i++)
				remember_frame(entry->frames[i], before[i], st.frames[i]);
			// A full cache drops an arbitrary entry (in use ones stay alive through their shared
			// pointers): hot stack traces keep coming back, so they are mostly the ones kept.
			if (cache->entries.size() >= cache->capacity)
				cache->entries.erase(cache->entries.begin());
			cache->entries.emplace(key, entry);
			entries[&st] = std::move(entry);
		}
	};
	// Raw (unsymbolicated) stack traces are not grouped, so they are left as they are.
	for (auto &e : event.exceptions)
		if (e.stacktrace)
			prepare(*e.stacktrace, &e);
	if (event.stacktrace)
		prepare(*event.stacktrace, nullptr);
	for (auto &t : event.threads)
		if (t.stacktrace)
			prepare(*t.stacktrace, nullptr);
}

// ---------------------------------------------------------------------------------------------
// Frame components

bool is_context_line_platform(std::string_view platform) {
	return platform == "javascript" || platform == "node" || platform == "python" || platform == "php" ||
	       platform == "ruby";
}

Component filename_component(const Frame &frame) {
	std::string_view filename = frame.filename.empty() ? frame.abs_path : frame.filename;
	if (filename.empty())
		return empty_component("filename");
	Component c = leaf("filename", ascii_lower(basename_of(filename)));
	const std::string &name = c.values[0];
	if (has_url_origin(frame.abs_path, false)) {
		disable(c, "ignored because frame points to a URL");
	} else if (name == "<anonymous>") {
		disable(c, "ignored because filename is anonymous");
	} else if (name == "[native code]") {
		disable(c, "ignored because filename suggests native code");
	} else if (frame.platform == "java") {
		static const Regex javassist("(\\$\\$_javassist)(?:_seam)?(?:_[0-9]+)?");
		std::string cleaned = javassist.replace_all(name, "$1<auto>");
		if (cleaned != name)
			set_value(c, std::move(cleaned), "cleaned javassist parts");
	}
	return c;
}

// Java code generators put counters and hashes into class names; they are replaced by <auto>.
std::string clean_java_codegen_markers(std::string_view module) {
	static const Regex reflect("(sun\\.reflect\\.Generated(?:Serialization)?ConstructorAccessor)\\d+");
	static const Regex cglib("(\\$\\$[\\w_]+?CGLIB\\$\\$)[a-fA-F0-9]+(_[0-9]+)?");
	static const Regex javassist("(\\$\\$_javassist)(?:_seam)?(?:_[0-9]+)?");
	static const Regex clojure("(\\$fn__)\\d+");
	static const Regex enhancer_by("(\\$\\$?EnhancerBy[\\w_]+?\\$?\\$)[a-fA-F0-9]+(_[0-9]+)?");
	static const Regex fast_class_by("(\\$\\$?FastClassBy[\\w_]+?\\$?\\$)[a-fA-F0-9]+(_[0-9]+)?");
	static const Regex hibernate_proxy("(\\$\\$?HibernateProxy\\$?\\$)\\w+(_[0-9]+)?");
	std::string m(module);
	if (m.find('$') == std::string::npos && m.find("ConstructorAccessor") == std::string::npos)
		return m;
	for (const Regex *re : {&reflect, &cglib, &javassist, &clojure, &enhancer_by, &fast_class_by, &hibernate_proxy})
		m = re->replace_all(m, "$1<auto>");
	return m;
}

Component module_component(const Frame &frame) {
	if (frame.module.empty())
		return empty_component("module");
	Component c = leaf("module", std::string(frame.module));
	if (frame.platform == "javascript" && frame.module.find('/') != std::string_view::npos &&
	    !frame.abs_path.empty() && ends_with(frame.abs_path, frame.module)) {
		disable(c, "ignored bad javascript module");
	} else if (frame.platform == "java") {
		if (frame.module.find("$$Lambda$") != std::string_view::npos)
			disable(c, "ignored java lambda");
		for (std::string_view accessor :
		     {std::string_view("sun.reflect.GeneratedMethodAccessor"), std::string_view("jdk.internal.reflect.GeneratedMethodAccessor")})
			if (starts_with(frame.module, accessor)) {
				set_value(c, std::string(accessor), "removed reflection marker");
				return c;
			}
		std::string cleaned = clean_java_codegen_markers(frame.module);
		if (cleaned != frame.module)
			set_value(c, std::move(cleaned), "removed codegen marker");
	}
	return c;
}

// Ruby's ERB templates compile to methods with a generated numeric suffix.
std::string_view strip_erb_suffix(std::string_view func) {
	// __\d{4,}_\d{4,}$
	size_t i = func.size();
	size_t digits2 = 0;
	while (i > 0 && func[i - 1] >= '0' && func[i - 1] <= '9') {
		--i;
		++digits2;
	}
	if (digits2 < 4 || i == 0 || func[i - 1] != '_')
		return func;
	--i;
	size_t digits1 = 0;
	while (i > 0 && func[i - 1] >= '0' && func[i - 1] <= '9') {
		--i;
		++digits1;
	}
	if (digits1 < 4 || i < 2 || func[i - 1] != '_' || func[i - 2] != '_')
		return func;
	return func.substr(0, i - 2);
}

Component function_component(const Frame &frame, bool context_line_contributes) {
	std::string_view func;
	if (frame.platform == "csharp")
		func = frame.has_raw_function && !frame.raw_function.empty() ? frame.raw_function : frame.function;
	else
		func = !frame.function.empty() ? frame.function : frame.raw_function;
	if (func.empty())
		return empty_component("function");
	Component c = leaf("function", std::string(func));
	Family family = frame.family();
	if (frame.platform == "ruby") {
		if (starts_with(func, "block "))
			set_value(c, "block", "ruby block");
		else if (std::string_view stripped = strip_erb_suffix(func); stripped.size() != func.size())
			set_value(c, std::string(stripped), "removed generated erb template suffix");
	} else if (frame.platform == "php") {
		if (starts_with(func, "[Anonymous") || starts_with(func, std::string_view("class@anonymous\0", 16)))
			disable(c, "ignored anonymous function");
		if (starts_with(func, "class@anonymous")) {
			size_t pos = func.rfind("::");
			if (pos != std::string_view::npos)
				set_value(c, std::string(func.substr(pos + 2)), "anonymous class method");
		}
	} else if (frame.platform == "java") {
		if (starts_with(func, "lambda$"))
			disable(c, "ignored lambda function");
	} else if (family == Family::native && (func == "<redacted>" || func == "<unknown>")) {
		disable(c, "ignored unknown function");
	} else if (family == Family::javascript) {
		size_t dot = func.rfind('.');
		if (dot != std::string_view::npos)
			set_value(c, std::string(func.substr(dot + 1)), "trimmed javascript function");
		if (frame.has_sourcemap && context_line_contributes)
			disable(c, "ignored because sourcemap used and context line available");
	}
	return c;
}

std::optional<Component> context_line_component(const Frame &frame) {
	if (frame.context_line.empty() || !is_context_line_platform(frame.platform))
		return std::nullopt;
	std::string line = collapse_whitespace(frame.context_line);
	if (line.empty())
		return empty_component("context_line");
	Component c = leaf("context_line", std::move(line));
	if (utf8_length(frame.context_line) > 120)
		disable(c, "ignored because line is too long");
	else if (frame.family() == Family::javascript && frame.function.empty() && has_url_origin(frame.abs_path, true))
		disable(c, "ignored because file path is a URL and function name is missing");
	return c;
}

Component frame_component(const Frame &frame) {
	Component filename = filename_component(frame);
	Component module = module_component(frame);
	if (module.contributes && filename.contributes)
		disable(filename, "ignored because module takes precedence");
	std::optional<Component> context_line = context_line_component(frame);
	Component function = function_component(frame, context_line && context_line->contributes);

	bool low_quality_frame = false;
	if (frame.family() == Family::javascript) {
		std::string_view func = !frame.raw_function.empty() ? frame.raw_function : frame.function;
		size_t dot = func.rfind('.');
		if (dot != std::string_view::npos)
			func = func.substr(dot + 1);
		if (func.empty())
			function.contributes = false;
		else if (func == "?" || func == "<anonymous function>" || func == "<anonymous>" ||
		         func == "Anonymous function" || ends_with(func, "/<"))
			disable(function, "ignored unknown function name");
		low_quality_frame = func == "eval" || frame.abs_path == "[native code]" || frame.abs_path == "native code" ||
		                    frame.abs_path == "eval code" || frame.abs_path == "<anonymous>";
	}

	std::vector<Component> children;
	children.reserve(4);
	children.push_back(std::move(module));
	children.push_back(std::move(filename));
	children.push_back(std::move(function));
	if (context_line)
		children.push_back(std::move(*context_line));
	Component c = parent("frame", std::move(children));
	if (low_quality_frame)
		disable(c, "ignored low quality javascript frame");
	return c;
}

bool is_recursive_frame(const Frame &frame, const Frame &previous) {
	return frame.abs_path == previous.abs_path && frame.package == previous.package && frame.module == previous.module &&
	       frame.filename == previous.filename && frame.function == previous.function &&
	       frame.lineno == previous.lineno && frame.colno == previous.colno;
}

// ---------------------------------------------------------------------------------------------
// Strategies

class Strategies {
public:
	Strategies(const Event &event, const StacktraceRules &rules, const StacktraceEntries &entries, bool details)
	    : event_(event), rules_(rules), entries_(entries), details_(details) {}

	// The stacktrace component of one stack trace in both variants ("app" first).
	ComponentsByVariant stacktrace_variants(const Stacktrace &st, const Exception *exception) const {
		auto entry = entries_.find(&st);
		if (entry == entries_.end())
			return build_stacktrace_variants(st, exception);
		auto &cached = entry->second->components;
		if (cached.empty())
			for (auto &entry : build_stacktrace_variants(st, exception)) {
				Component &component = entry.second;
				for_each_contributing_value(component, [&](const std::string &v) { component.flat_values += v; });
				cached.emplace_back(entry.first, std::make_shared<const Component>(std::move(component)));
			}
		// Nodes standing for the cached components: nothing is copied but the top node.
		ComponentsByVariant out;
		out.reserve(cached.size());
		for (const auto &[variant, component] : cached) {
			Component node;
			node.id = component->id;
			node.contributes = component->contributes;
			node.shared = component;
			out.emplace_back(variant, std::move(node));
		}
		return out;
	}

	ComponentsByVariant build_stacktrace_variants(const Stacktrace &st, const Exception *exception) const {
		std::vector<Component> frames;
		frames.reserve(st.frames.size());
		for (size_t i = 0; i < st.frames.size(); i++) {
			frames.push_back(frame_component(st.frames[i]));
			if (i > 0 && is_recursive_frame(st.frames[i], st.frames[i - 1]))
				disable(frames.back(), "ignored due to recursion");
		}
		// A lone JavaScript frame without a function is only kept when it points to a URL.
		if (st.frames.size() == 1 && st.frames[0].family() == Family::javascript && st.frames[0].function.empty() &&
		    !has_url_origin(st.frames[0].abs_path, true))
			disable(frames[0], "ignored single non-URL JavaScript frame");

		ComponentsByVariant out;
		out.reserve(2);
		for (std::string_view variant : {std::string_view("app"), std::string_view("system")}) {
			std::vector<FrameContribution> initial(frames.size());
			for (size_t i = 0; i < frames.size(); i++) {
				initial[i].contributes = frames[i].contributes;
				initial[i].hint = frames[i].hint;
			}
			StacktraceContribution decided = assemble_stacktrace(rules_, variant, st, initial, exception);
			// The system variant, built last, takes the frames themselves; app works on a copy.
			std::vector<Component> variant_frames = variant == "app" ? frames : std::move(frames);
			for (size_t i = 0; i < variant_frames.size() && i < decided.frames.size(); i++) {
				variant_frames[i].contributes = decided.frames[i].contributes;
				if (!decided.frames[i].hint.empty())
					variant_frames[i].hint = decided.frames[i].hint;
			}
			Component stacktrace = parent("stacktrace", std::move(variant_frames));
			if (!decided.contributes)
				disable(stacktrace, decided.hint);
			out.emplace_back(std::string(variant), std::move(stacktrace));
		}

		// Stack-trace level rules, from the frame tallies of the system variant.
		Component &app = out[0].second;
		Component &system = out[1].second;
		size_t in_app = 0, contributing = 0, in_app_contributing = 0;
		for (size_t i = 0; i < st.frames.size(); i++) {
			bool frame_in_app = st.frames[i].is_in_app();
			bool frame_contributes = system.children[i].contributes;
			in_app += frame_in_app;
			contributing += frame_contributes;
			in_app_contributing += frame_in_app && frame_contributes;
		}
		if (st.frames.empty()) {
			disable(system, "ignored because it contains no frames");
			disable(app, "ignored because it contains no frames");
		} else {
			if (contributing == 0)
				disable(system, "ignored because it contains no contributing frames");
			if (in_app == 0)
				disable(app, "ignored because it contains no in-app frames");
			else if (in_app_contributing == 0)
				disable(app, "ignored because it contains no contributing frames");
		}
		return out;
	}

	ComponentsByVariant single_exception(const Exception &e) const {
		Component type = e.type && !e.type->empty() ? leaf("type", std::string(*e.type)) : empty_component("type");
		std::optional<Component> ns_error;
		if (e.mechanism) {
			if (e.mechanism->synthetic)
				disable(type, "ignored because exception is synthetic");
			if (e.mechanism->ns_error_domain || e.mechanism->ns_error_code) {
				std::vector<Component> parts;
				parts.push_back(e.mechanism->ns_error_domain ? leaf("domain", std::string(*e.mechanism->ns_error_domain))
				                                             : empty_component("domain"));
				parts.push_back(e.mechanism->ns_error_code ? leaf("code", std::to_string(*e.mechanism->ns_error_code))
				                                           : empty_component("code"));
				ns_error = parent("ns_error", std::move(parts));
			}
		}
		ComponentsByVariant stacktraces;
		if (e.stacktrace)
			stacktraces = stacktrace_variants(*e.stacktrace, &e);
		else
			stacktraces.emplace_back("app", empty_component("stacktrace"));

		// The value is normalized only where it can matter: it never contributes next to a
		// contributing stack trace, and only exception groups compare whole components.
		bool value_unused = !details_ && event_.exceptions.size() == 1 &&
		                    std::all_of(stacktraces.begin(), stacktraces.end(),
		                                [](const auto &p) { return p.second.contributes; });
		std::optional<std::string> normalized_value;
		if (e.value && !value_unused)
			normalized_value = normalize_message(*e.value);

		ComponentsByVariant out;
		out.reserve(2);
		for (auto &[variant, stacktrace] : stacktraces) {
			Component value = empty_component("value");
			if (normalized_value && !normalized_value->empty()) {
				value = leaf("value", *normalized_value);
				if (*normalized_value != *e.value)
					value.hint = "stripped event-specific values";
			}
			if (stacktrace.contributes && value.contributes)
				disable(value, "ignored because stacktrace takes precedence");
			if (ns_error && ns_error->contributes && value.contributes)
				disable(value, "ignored because ns-error info takes precedence");
			std::vector<Component> children;
			children.reserve(4);
			children.push_back(type);
			children.push_back(std::move(value));
			if (ns_error)
				children.push_back(*ns_error);
			children.push_back(std::move(stacktrace));
			out.emplace_back(variant, parent("exception", std::move(children)));
		}
		return out;
	}

	ComponentsByVariant chained_exception() const {
		const auto &all = event_.exceptions;
		std::vector<ComponentsByVariant> per_exception;
		per_exception.reserve(all.size());
		for (const auto &e : all)
			per_exception.push_back(single_exception(e));

		std::vector<size_t> chosen = filter_exception_groups(per_exception);
		if (chosen.size() == 1)
			return std::move(per_exception[chosen[0]]);

		ComponentsByVariant grouped;
		for (size_t index : chosen)
			for (auto &[variant, component] : per_exception[index]) {
				Component *target = find_variant(grouped, variant);
				if (!target) {
					grouped.emplace_back(variant, empty_component("chained_exception"));
					target = &grouped.back().second;
				}
				target->children.push_back(std::move(component));
			}
		for (auto &[variant, component] : grouped)
			component.contributes = std::any_of(component.children.begin(), component.children.end(),
			                                    [](const Component &c) { return c.contributes; });
		return grouped;
	}

	// Exception groups (Sentry RFC 0079): keep the distinct top-level exceptions (and the root
	// group when there are several), or the one top-level exception with its first-child chain.
	// Any inconsistency in the ids keeps all exceptions as they are.
	std::vector<size_t> filter_exception_groups(const std::vector<ComponentsByVariant> &components) const {
		const auto &all = event_.exceptions;
		std::vector<size_t> everything(all.size());
		for (size_t i = 0; i < all.size(); i++)
			everything[i] = i;
		if (all.size() <= 1)
			return everything;
		if (event_.platform == "python" && starts_with(event_.sdk_version, "3"))
			return everything;

		struct Node {
			std::optional<size_t> exception;
			std::vector<size_t> children;
		};
		std::unordered_map<int64_t, Node> tree;
		for (size_t k = all.size(); k-- > 0;) {
			const auto &m = all[k].mechanism;
			if (!m || !m->exception_id || m->exception_id == m->parent_id ||
			    (tree.count(*m->exception_id) && tree[*m->exception_id].exception))
				return everything;
			tree[*m->exception_id].exception = k;
			if (m->parent_id)
				tree[*m->parent_id].children.push_back(k);
		}
		auto root = tree.find(0);
		if (root == tree.end() || !root->second.exception)
			return everything;

		auto children_of = [&](size_t k) -> const std::vector<size_t> & {
			static const std::vector<size_t> none;
			auto it = tree.find(*all[k].mechanism->exception_id);
			return it == tree.end() ? none : it->second.children;
		};
		std::vector<size_t> top_level;
		std::set<size_t> visited;
		bool cycle = false;
		std::function<void(size_t)> collect = [&](size_t k) {
			if (!visited.insert(k).second) {
				cycle = true;
				return;
			}
			if (all[k].mechanism->is_exception_group) {
				for (size_t child : children_of(k))
					collect(child);
			} else {
				top_level.push_back(k);
			}
		};
		collect(*root->second.exception);
		if (cycle || top_level.empty())
			return everything;
		auto type_text = [&](size_t k) { return all[k].type ? std::string(*all[k].type) : std::string("None"); };
		std::stable_sort(top_level.begin(), top_level.end(),
		                 [&](size_t a, size_t b) { return type_text(a) > type_text(b); });

		std::vector<size_t> distinct;
		for (size_t k : top_level)
			if (distinct.empty() || !same_variants(components[distinct.back()], components[k]))
				distinct.push_back(k);

		if (distinct.size() == 1) {
			// The one distinct top-level exception is the one the issue's title describes.
			main_exception_id_ = all[distinct[0]].mechanism->exception_id;
			std::vector<size_t> path;
			std::set<size_t> on_path;
			for (size_t k = distinct[0]; on_path.insert(k).second;) {
				path.push_back(k);
				const auto &children = children_of(k);
				if (children.empty())
					break;
				k = children[0];
			}
			return path;
		}
		distinct.push_back(*root->second.exception);
		return distinct;
	}

	static bool same_variants(const ComponentsByVariant &a, const ComponentsByVariant &b) {
		if (a.size() != b.size())
			return false;
		for (size_t i = 0; i < a.size(); i++)
			if (a[i].first != b[i].first || !same_component(a[i].second, b[i].second))
				return false;
		return true;
	}

	ComponentsByVariant threads() const {
		auto pick = [&](auto predicate) -> const Thread * {
			const Thread *found = nullptr;
			size_t n = 0;
			for (const auto &t : event_.threads)
				if (predicate(t)) {
					found = &t;
					n++;
				}
			return n == 1 ? found : nullptr;
		};
		const Thread *thread = pick([](const Thread &t) { return t.crashed; });
		if (!thread)
			thread = pick([](const Thread &t) { return t.current; });
		if (!thread)
			thread = pick([](const Thread &) { return true; });
		ComponentsByVariant out;
		out.reserve(2);
		if (!thread) {
			size_t crashed = 0, current = 0;
			for (const auto &t : event_.threads) {
				crashed += t.crashed;
				current += t.current;
			}
			out.emplace_back("app", empty_component("threads",
			                                        "ignored because it contains neither a single thread nor multiple "
			                                        "threads with exactly one crashing or current thread; instead "
			                                        "contains " + std::to_string(crashed) + " crashing, " +
			                                            std::to_string(current) + " current, and " +
			                                            std::to_string(event_.threads.size()) + " total threads"));
			return out;
		}
		if (!thread->stacktrace) {
			out.emplace_back("app", empty_component("threads", "ignored because thread has no stacktrace"));
			return out;
		}
		for (auto &[variant, stacktrace] : stacktrace_variants(*thread->stacktrace, nullptr)) {
			std::vector<Component> children;
			children.push_back(std::move(stacktrace));
			out.emplace_back(variant, parent("threads", std::move(children)));
		}
		return out;
	}

	ComponentsByVariant message() const {
		std::optional<std::string_view> text =
		    event_.logentry_message ? event_.logentry_message : event_.logentry_formatted;
		ComponentsByVariant out;
		out.reserve(2);
		Component c = empty_component("message");
		if (text) {
			std::string normalized = normalize_message(*text);
			if (!normalized.empty()) {
				c = leaf("message", normalized);
				if (normalized != *text)
					c.hint = "stripped event-specific values";
			}
		}
		out.emplace_back("default", std::move(c));
		return out;
	}

	ComponentsByVariant template_strategy() const {
		std::vector<Component> children;
		const auto &t = event_.template_info;
		children.push_back(t.filename.empty() ? empty_component("filename") : leaf("filename", std::string(t.filename)));
		children.push_back(t.context_line.empty() ? empty_component("context_line")
		                                          : leaf("context_line", std::string(t.context_line)));
		ComponentsByVariant out;
		out.reserve(2);
		out.emplace_back("default", parent("template", std::move(children)));
		return out;
	}

	static ComponentsByVariant hostname_report(const char *id, const HostnameReport &report) {
		std::vector<Component> children;
		children.push_back(leaf("salt", id));
		children.push_back(report.hostname.empty() ? empty_component("hostname")
		                                           : leaf("hostname", std::string(report.hostname)));
		ComponentsByVariant out;
		out.reserve(2);
		out.emplace_back("default", parent(id, std::move(children)));
		return out;
	}

	ComponentsByVariant csp() const {
		const Csp &csp = event_.csp;
		std::string_view directive = csp.effective_directive;
		if (directive.empty()) // derived from the violated directive, as Relay does
			directive = csp.violated_directive.substr(0, csp.violated_directive.find(' '));
		std::string uri = normalize_csp_uri(csp.blocked_uri);
		std::optional<std::string> local_violation;
		if (!csp.violated_directive.empty() && directive == "script-src" && uri == "'self'") {
			if (csp.violated_directive.find("'unsafe-inline'") != std::string_view::npos)
				local_violation = "unsafe-inline";
			else if (csp.violated_directive.find("'unsafe-eval'") != std::string_view::npos)
				local_violation = "unsafe-eval";
		}
		Component violation = empty_component("violation");
		Component uri_component = leaf("uri", uri);
		if (local_violation) {
			violation = leaf("violation", "'" + *local_violation + "'");
			disable(uri_component, "violation takes precedence");
		} else {
			violation.hint = "not a local script violation";
		}
		std::vector<Component> children;
		children.push_back(directive.empty() ? empty_component("salt") : leaf("salt", std::string(directive)));
		children.push_back(std::move(violation));
		children.push_back(std::move(uri_component));
		ComponentsByVariant out;
		out.reserve(2);
		out.emplace_back("default", parent("csp", std::move(children)));
		return out;
	}

	// A blocked URI reduced to what identifies its origin: the host for http(s), scheme://host
	// otherwise, 'self' for the document itself.
	static std::string normalize_csp_uri(std::string_view value) {
		if (value.empty() || value == "'self'" || value == "self")
			return "'self'";
		size_t colon = value.find(':');
		std::string scheme, host;
		if (colon == std::string_view::npos) {
			scheme = ascii_lower(value);
		} else {
			scheme = ascii_lower(value.substr(0, colon));
			std::string_view rest = value.substr(colon + 1);
			if (starts_with(rest, "//")) {
				rest = rest.substr(2);
				host = std::string(rest.substr(0, rest.find_first_of("/?#")));
			}
			if (scheme == "http" || scheme == "https")
				return host;
		}
		return host.empty() ? scheme + ":" : scheme + "://" + host;
	}

	std::optional<int64_t> main_exception_id() const { return main_exception_id_; }

private:
	const Event &event_;
	const StacktraceRules &rules_;
	const StacktraceEntries &entries_;
	bool details_;
	mutable std::optional<int64_t> main_exception_id_; // set by exception-group filtering
};

// React 19 reports an error it recovered from as an Error with a fixed text, wrapping the error
// that caused it (mechanism source "cause"): that cause is what the issue is about.
std::optional<int64_t> react_cause_exception_id(const Event &event) {
	static constexpr std::string_view kRecovered[] = {
	    "There was an error during concurrent rendering but React was able to recover by instead synchronously "
	    "rendering the entire root.",
	    "There was an error while hydrating but React was able to recover by instead client rendering from the "
	    "nearest Suspense boundary."};
	if (event.exceptions.size() < 2)
		return std::nullopt;
	const Exception &outer = event.exceptions.back(), &cause = event.exceptions.front();
	if (outer.type != std::optional<std::string_view>("Error") || !outer.value ||
	    std::find(std::begin(kRecovered), std::end(kRecovered), *outer.value) == std::end(kRecovered))
		return std::nullopt;
	if (!cause.mechanism || cause.mechanism->source != "cause")
		return std::nullopt;
	return cause.mechanism->exception_id;
}

// Sentry's post-processing of a strategy's variants: a system variant equal to the app variant
// is dropped, and when some variant has a contributing stack trace, the variants without one
// stop contributing.
void deduplicate_and_prefer_stacktraces(ComponentsByVariant &by_variant, bool stacktrace_strategy) {
	Component *app = find_variant(by_variant, "app");
	if (app && app->contributes) {
		XXH128_hash_t app_input = hash_input_digest(*app);
		for (auto &[name, c] : by_variant)
			if (name != "app" && c.contributes && XXH128_isEqual(hash_input_digest(c), app_input))
				disable(c, "ignored because hash matches app variant");
	}
	if (!stacktrace_strategy || by_variant.size() <= 1)
		return;
	std::vector<std::string> with_stacktrace;
	for (auto &[name, c] : by_variant)
		if (has_contributing_stacktrace(c))
			with_stacktrace.push_back(name);
	if (with_stacktrace.empty())
		return;
	std::string suffix = with_stacktrace.size() == 1 ? "the " + with_stacktrace[0] + " variant does" : "others do";
	for (auto &[name, c] : by_variant)
		if (!has_contributing_stacktrace(c))
			disable(c, "ignored because this variant does not have a contributing stacktrace, but " + suffix);
}

std::string hash_values(const std::vector<std::string> &values, HashAlgorithm algorithm) {
	ValueHasher hasher(algorithm);
	for (const auto &v : values)
		hasher.update(v);
	return hasher.hex();
}

} // namespace

// ---------------------------------------------------------------------------------------------

bool is_known_grouping_config(std::string_view config_id) {
	return config_id == "newstyle:2026-01-20" || config_id == "newstyle:2025-11-21";
}

Grouper::Grouper(std::string_view config_id, std::string_view stacktrace_rules, std::string_view fingerprinting_rules)
    : config_(config_id) {
	if (!is_known_grouping_config(config_id))
		throw Error(ErrorKind::invalid_parameter, "unknown grouping config \"" + std::string(config_id) +
		                                              "\" (known: newstyle:2026-01-20, newstyle:2025-11-21)");
	const StacktraceRules *defaults = default_stacktrace_rules(config_id);
	StacktraceRules custom = StacktraceRules::parse(stacktrace_rules);
	stacktrace_rules_ = defaults ? StacktraceRules::combine(*defaults, custom) : std::move(custom);
	fingerprint_rules_ = FingerprintRules::parse(fingerprinting_rules);
	builtin_fingerprint_rules_ = builtin_fingerprint_rules(config_id);
	legacy_unknown_variables_ = config_id == "newstyle:2025-11-21";
	stacktrace_cache_ = std::make_unique<StacktraceCache>();
	parse_buffers_ = std::make_unique<ParseBuffers>();
	rules_read_exceptions_ = stacktrace_rules_.reads_exceptions();
}

Grouper::~Grouper() = default;
Grouper::Grouper(Grouper &&) noexcept = default;

void Grouper::set_stacktrace_cache_entries(size_t entries) {
	stacktrace_cache_->capacity = entries;
	if (stacktrace_cache_->entries.size() > entries)
		stacktrace_cache_->entries.clear();
}

StacktraceCacheStats Grouper::stacktrace_cache_stats() const {
	return {stacktrace_cache_->entries.size(), stacktrace_cache_->capacity, stacktrace_cache_->hits,
	        stacktrace_cache_->misses};
}

Event Grouper::parse(std::string_view event_json, bool validate_utf8) const {
	// Parsed in place from a private copy (kept by the Grouper and reused call after call), so
	// that the event's strings need no allocation of their own.
	ParseBuffers &reused = *parse_buffers_;
	reused.text.assign(event_json);
	Event event = parse_event(reused.text.data(), reused.text.size(), validate_utf8);
	// A large event's buffer is not kept for the next one.
	constexpr size_t kReusedTextBytes = 256 * 1024;
	if (reused.text.capacity() > kReusedTextBytes)
		reused.spent.push_back(std::move(reused.text)), reused.text = std::string();
	return event;
}

void Grouper::release_parse_buffers() const { parse_buffers_->spent.clear(); }

GroupingResult Grouper::group_json(std::string_view event_json, HashAlgorithm algorithm, bool validate_utf8,
                                   bool details) const {
	Event event = parse(event_json, validate_utf8);
	GroupingResult result = group(event, algorithm, details);
	release_parse_buffers();
	return result;
}

GroupingResult Grouper::group(Event &event, HashAlgorithm algorithm, bool details) const {
	GroupingResult result;
	result.config = config_;
	result.algorithm = algorithm;

	auto finish = [&]() {
		std::vector<const Variant *> order;
		for (const auto &v : result.variants)
			if (v.name != "system")
				order.push_back(&v);
		for (const auto &v : result.variants)
			if (v.name == "system")
				order.push_back(&v);
		for (const Variant *v : order)
			if (v->hash && std::find(result.hashes.begin(), result.hashes.end(), *v->hash) == result.hashes.end())
				result.hashes.push_back(*v->hash);
		return std::move(result);
	};

	// A checksum sent by the client replaces grouping altogether.
	if (event.checksum && !event.checksum->empty()) {
		Variant v;
		if (is_hex32(*event.checksum)) {
			v.name = v.type = "checksum";
			v.hash = std::string(*event.checksum);
		} else {
			v.name = v.type = "hashed_checksum";
			v.hash = hash_values({std::string(*event.checksum)}, algorithm);
			if (details)
				v.hashed_values = {std::string(*event.checksum)};
		}
		v.hint = "client-provided checksum";
		result.variants.push_back(std::move(v));
		return finish();
	}

	StacktraceEntries stacktrace_entries;
	prepare_frames(event, stacktrace_rules_, rules_read_exceptions_, stacktrace_cache_.get(), stacktrace_entries);

	// The fingerprint in force: a matching server-side rule replaces the client's.
	std::vector<std::string> fingerprint = event.fingerprint.value_or(std::vector<std::string>{"{{ default }}"});
	std::string fingerprint_source = "client";
	if (auto match = match_fingerprint_rules(fingerprint_rules_.empty() ? nullptr : &fingerprint_rules_,
	                                         builtin_fingerprint_rules_, event)) {
		fingerprint = match->fingerprint;
		fingerprint_source = match->builtin ? "built_in" : "server";
		if (match->title) // a rule's title template, with its variables resolved
			result.fingerprint_title = resolve_title_template(*match->title, event);
	}
	bool has_default = std::any_of(fingerprint.begin(), fingerprint.end(), is_default_entry);
	bool is_default = has_default && fingerprint.size() == 1;
	bool is_custom = !has_default;
	std::vector<std::string> resolved =
	    is_default ? fingerprint : resolve_fingerprint(fingerprint, event, legacy_unknown_variables_);

	// Run every applicable strategy, highest score first.
	Strategies strategies(event, stacktrace_rules_, stacktrace_entries, details);
	struct StrategyRun {
		const char *name;
		ComponentsByVariant components;
	};
	std::vector<StrategyRun> runs;
	if (!event.exceptions.empty()) {
		runs.push_back({"chained-exception", strategies.chained_exception()});
		deduplicate_and_prefer_stacktraces(runs.back().components, true);
		result.main_exception_id = react_cause_exception_id(event);
		if (!result.main_exception_id)
			result.main_exception_id = strategies.main_exception_id();
	}
	if (!event.threads.empty()) {
		runs.push_back({"threads", strategies.threads()});
		deduplicate_and_prefer_stacktraces(runs.back().components, true);
	}
	if (event.stacktrace) {
		runs.push_back({"stacktrace", strategies.stacktrace_variants(*event.stacktrace, nullptr)});
		deduplicate_and_prefer_stacktraces(runs.back().components, true);
	}
	if (event.template_info.present)
		runs.push_back({"template", strategies.template_strategy()});
	if (event.csp.present)
		runs.push_back({"csp", strategies.csp()});
	if (event.hpkp.present)
		runs.push_back({"hpkp", Strategies::hostname_report("hpkp", event.hpkp)});
	if (event.expectstaple.present)
		runs.push_back({"expect-staple", Strategies::hostname_report("expect-staple", event.expectstaple)});
	if (event.expectct.present)
		runs.push_back({"expect-ct", Strategies::hostname_report("expect-ct", event.expectct)});
	if (event.logentry_message || event.logentry_formatted)
		runs.push_back({"message", strategies.message()});

	// The first strategy with a contributing component wins; later ones are shown, not hashed.
	const char *winner = nullptr;
	std::string precedence_hint;
	for (auto &run : runs) {
		if (winner) {
			for (auto &entry : run.components)
				disable(entry.second, precedence_hint);
			continue;
		}
		std::vector<std::string> contributing;
		for (const auto &entry : run.components)
			if (entry.second.contributes)
				contributing.push_back(entry.first);
		if (contributing.empty())
			continue;
		winner = run.name;
		std::string strategy = run.name;
		std::string subject = strategy;
		if (contributing[0] != "default") {
			std::sort(contributing.begin(), contributing.end());
			std::string descriptor;
			for (const auto &name : contributing)
				descriptor += (descriptor.empty() ? "" : "/") + name;
			subject = descriptor + " " + strategy;
		}
		precedence_hint = "ignored because " + subject + (ends_with(strategy, "s") ? " take" : " takes") + " precedence";
	}

	// One root per variant name, in order of first appearance, wrapping that variant's
	// component from every strategy.
	std::vector<Component> roots;
	roots.reserve(3);
	for (auto &run : runs)
		for (auto &entry : run.components) {
			const std::string &name = entry.first;
			auto it = std::find_if(roots.begin(), roots.end(), [&](const Component &r) { return r.id == name; });
			if (it == roots.end()) {
				roots.push_back(empty_component(name));
				it = roots.end() - 1;
				it->children.reserve(runs.size());
			}
			it->children.push_back(std::move(entry.second));
		}
	for (auto &root : roots) {
		root.contributes = std::any_of(root.children.begin(), root.children.end(),
		                               [](const Component &c) { return c.contributes; });
		if (!root.contributes && !precedence_hint.empty())
			root.hint = precedence_hint;
	}

	if (is_custom) {
		for (auto &root : roots) {
			disable(root, "ignored because custom fingerprint takes precedence");
			Variant v;
			v.name = root.id;
			v.type = "component";
			v.hint = root.hint;
			v.root = std::move(root);
			result.variants.push_back(std::move(v));
		}
		Variant v;
		v.name = fingerprint_source == "built_in" ? "built_in_fingerprint"
		                                          : "custom_" + fingerprint_source + "_fingerprint";
		v.type = fingerprint_source == "built_in" ? "built_in_fingerprint" : "custom_fingerprint";
		v.fingerprint = resolved;
		v.hash = hash_values(resolved, algorithm);
		if (details)
			v.hashed_values = resolved;
		v.hint = fingerprint_source == "client" ? "custom client fingerprint"
		                                        : fingerprint_source == "server" ? "custom server fingerprint"
		                                                                         : "built-in fingerprint";
		result.variants.push_back(std::move(v));
	} else {
		for (auto &root : roots) {
			Variant v;
			v.name = root.id;
			v.type = is_default ? "component" : "salted_component";
			if (!is_default)
				v.fingerprint = resolved;
			if (root.contributes) {
				// The values hashed: the component's, or the fingerprint with {{ default }} spliced.
				ValueHasher hasher(algorithm);
				auto feed = [&](const std::string &value) { hasher.update(value); };
				auto feed_root = [&]() {
					if (details)
						for_each_contributing_value(root, [&](const std::string &value) {
							hasher.update(value);
							v.hashed_values.push_back(value);
						});
					else
						for_each_contributing_chunk(root, feed);
				};
				if (is_default) {
					feed_root();
				} else {
					for (const auto &entry : resolved) {
						if (is_default_entry(entry)) {
							feed_root();
						} else {
							feed(entry);
							if (details)
								v.hashed_values.push_back(entry);
						}
					}
				}
				v.hash = hasher.hex();
			}
			v.hint = root.hint;
			v.root = std::move(root);
			result.variants.push_back(std::move(v));
		}
	}

	if (std::none_of(result.variants.begin(), result.variants.end(), [](const Variant &v) { return v.contributes(); })) {
		Variant v;
		v.name = v.type = "fallback";
		v.hash = hash_values({}, algorithm);
		v.hint = "no other variant contributes";
		result.variants.push_back(std::move(v));
	}
	return finish();
}

// ---------------------------------------------------------------------------------------------
// grouping_info

namespace {

void append_component_json(std::string &out, const Component &c) {
	out += "{\"id\":";
	append_json_string(out, c.id);
	out += ",\"contributes\":";
	out += c.contributes ? "true" : "false";
	out += ",\"hint\":";
	if (c.hint_text().empty())
		out += "null";
	else
		append_json_string(out, c.hint_text());
	out += ",\"values\":[";
	bool first = true;
	for (const auto &v : c.leaf_values()) {
		if (!first)
			out += ',';
		first = false;
		append_json_string(out, v);
	}
	for (const auto &child : c.child_components()) {
		if (!first)
			out += ',';
		first = false;
		append_component_json(out, child);
	}
	out += "]}";
}

void append_string_array(std::string &out, const std::vector<std::string> &values) {
	out += '[';
	for (size_t i = 0; i < values.size(); i++) {
		if (i)
			out += ',';
		append_json_string(out, values[i]);
	}
	out += ']';
}

} // namespace

std::string grouping_info_json(const GroupingResult &result) {
	std::string out = "{\"config\":";
	append_json_string(out, result.config);
	out += ",\"hash_algorithm\":";
	append_json_string(out, hash_algorithm_name(result.algorithm));
	out += ",\"hashes\":";
	append_string_array(out, result.hashes);
	out += ",\"variants\":{";
	for (size_t i = 0; i < result.variants.size(); i++) {
		const Variant &v = result.variants[i];
		if (i)
			out += ',';
		append_json_string(out, v.name);
		out += ":{\"type\":";
		append_json_string(out, v.type);
		out += ",\"hash\":";
		if (v.hash)
			append_json_string(out, *v.hash);
		else
			out += "null";
		out += ",\"contributes\":";
		out += v.contributes() ? "true" : "false";
		out += ",\"hint\":";
		if (v.hint.empty())
			out += "null";
		else
			append_json_string(out, v.hint);
		if (!v.fingerprint.empty()) {
			out += ",\"fingerprint\":";
			append_string_array(out, v.fingerprint);
		}
		out += ",\"values\":";
		append_string_array(out, v.hashed_values);
		if (v.root) {
			out += ",\"component\":";
			append_component_json(out, *v.root);
		}
		out += '}';
	}
	out += '}';
	if (result.fingerprint_title) {
		out += ",\"fingerprint_title\":";
		append_json_string(out, *result.fingerprint_title);
	}
	out += '}';
	return out;
}

} // namespace triage
