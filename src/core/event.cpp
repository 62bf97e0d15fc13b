#include "event.hpp"

#include <array>

namespace triage {

namespace {

std::string_view string_or_empty(const JsonValue &object, std::string_view key) {
	return member_string(object, key).value_or(std::string_view());
}

// The list an interface holds: {"values": [...]} or, as older SDKs send it, the bare array.
const JsonValue *values_of(const JsonValue *interface) {
	if (!interface)
		return nullptr;
	if (interface->IsArray())
		return interface;
	if (interface->IsObject())
		return member_array(*interface, "values");
	return nullptr;
}

// One pass over the frame's members (frames are most of an event). A later duplicate key
// replaces an earlier one, and a member of the wrong type counts as absent, as with member().
Frame read_frame(const JsonValue &f, std::string_view event_platform) {
	Frame frame;
	std::optional<std::string_view> platform;
	for (auto it = f.MemberBegin(); it != f.MemberEnd(); ++it) {
		std::string_view key = string_of(it->name);
		const JsonValue &v = it->value;
		std::optional<std::string_view> text;
		if (v.IsString())
			text = string_of(v);
		auto set = [&](std::string_view &field, bool *present = nullptr) {
			field = text.value_or(std::string_view());
			if (present)
				*present = text.has_value();
		};
		if (key == "function")
			set(frame.function, &frame.has_function);
		else if (key == "raw_function")
			set(frame.raw_function, &frame.has_raw_function);
		else if (key == "context_line")
			set(frame.context_line, &frame.has_context_line);
		else if (key == "module")
			set(frame.module);
		else if (key == "filename")
			set(frame.filename);
		else if (key == "abs_path")
			set(frame.abs_path);
		else if (key == "package")
			set(frame.package);
		else if (key == "platform")
			platform = text;
		else if (key == "lineno")
			frame.lineno = int_value(v);
		else if (key == "colno")
			frame.colno = int_value(v);
		else if (key == "in_app")
			frame.in_app = v.IsBool() ? std::optional<bool>(v.GetBool()) : std::nullopt;
		else if (key == "data") {
			const JsonValue *sourcemap = v.IsObject() ? member(v, "sourcemap") : nullptr;
			frame.has_sourcemap = sourcemap && !sourcemap->IsNull();
		}
	}
	frame.platform = platform && !platform->empty() ? *platform : event_platform;
	return frame;
}

std::optional<Stacktrace> read_stacktrace(const JsonValue *st, std::string_view event_platform) {
	if (!st || !st->IsObject())
		return std::nullopt;
	Stacktrace stacktrace;
	if (const JsonValue *frames = member_array(*st, "frames")) {
		stacktrace.frames.reserve(frames->Size());
		for (const JsonValue &f : frames->GetArray())
			if (f.IsObject())
				stacktrace.frames.push_back(read_frame(f, event_platform));
	}
	return stacktrace;
}

Mechanism read_mechanism(const JsonValue &m) {
	Mechanism mechanism;
	mechanism.type = string_or_empty(m, "type");
	mechanism.synthetic = member_bool(m, "synthetic").value_or(false);
	mechanism.is_exception_group = member_bool(m, "is_exception_group").value_or(false);
	mechanism.exception_id = member_int(m, "exception_id");
	mechanism.parent_id = member_int(m, "parent_id");
	if (const JsonValue *meta = member_object(m, "meta"))
		if (const JsonValue *ns_error = member_object(*meta, "ns_error")) {
			mechanism.ns_error_domain = member_string(*ns_error, "domain");
			mechanism.ns_error_code = member_int(*ns_error, "code");
		}
	return mechanism;
}

void read_exception(const JsonValue &v, Event &event) {
	if (!v.IsObject())
		return;
	{
		Exception e;
		e.type = member_string(v, "type");
		e.value = member_string(v, "value");
		e.module = string_or_empty(v, "module");
		e.stacktrace = read_stacktrace(member(v, "stacktrace"), event.platform);
		e.raw_stacktrace = read_stacktrace(member(v, "raw_stacktrace"), event.platform);
		if (const JsonValue *m = member_object(v, "mechanism"))
			e.mechanism = read_mechanism(*m);
		// An exception with neither type nor value nor stack trace carries nothing (Sentry drops it).
		if (!e.type && !e.value && !e.stacktrace)
			return;
		event.exceptions.push_back(std::move(e));
	}
}

void read_exceptions(const JsonValue &root, Event &event) {
	const JsonValue *exception = member(root, "exception");
	const JsonValue *values = values_of(exception);
	if (values) {
		event.exceptions.reserve(values->Size());
		for (const JsonValue &v : values->GetArray())
			read_exception(v, event);
	} else if (exception && exception->IsObject() && !member(*exception, "values")) {
		read_exception(*exception, event); // the legacy single-exception form
	}
}

void read_threads(const JsonValue &root, Event &event) {
	const JsonValue *values = values_of(member(root, "threads"));
	if (!values)
		return;
	for (const JsonValue &v : values->GetArray()) {
		if (!v.IsObject())
			continue;
		Thread t;
		t.crashed = member_bool(v, "crashed").value_or(false);
		t.current = member_bool(v, "current").value_or(false);
		t.stacktrace = read_stacktrace(member(v, "stacktrace"), event.platform);
		event.threads.push_back(std::move(t));
	}
}

void read_logentry(const JsonValue &root, Event &event) {
	const JsonValue *logentry = member(root, "logentry");
	if (!logentry || !logentry->IsObject())
		logentry = member(root, "sentry.interfaces.Message");
	if (logentry && logentry->IsObject()) {
		event.logentry_message = member_string(*logentry, "message");
		event.logentry_formatted = member_string(*logentry, "formatted");
		if (event.logentry_message || event.logentry_formatted)
			return;
	}
	// The legacy top-level "message": a string (the formatted text) or a logentry-like object.
	const JsonValue *message = member(root, "message");
	if (!message)
		return;
	if (message->IsString()) {
		event.logentry_formatted = string_of(*message);
	} else if (message->IsObject()) {
		event.logentry_message = member_string(*message, "message");
		event.logentry_formatted = member_string(*message, "formatted");
	}
}

// Fingerprint entries as strings. Sentry keeps strings and numbers (as their text) and drops
// anything else.
void read_fingerprint(const JsonValue &root, Event &event) {
	const JsonValue *fp = member_array(root, "fingerprint");
	if (!fp)
		return;
	std::vector<std::string> values;
	for (const JsonValue &v : fp->GetArray()) {
		if (v.IsString())
			values.emplace_back(string_of(v));
		else if (v.IsInt64())
			values.push_back(std::to_string(v.GetInt64()));
		else if (v.IsUint64())
			values.push_back(std::to_string(v.GetUint64()));
		else if (v.IsDouble()) {
			double d = v.GetDouble();
			if (d == static_cast<double>(static_cast<int64_t>(d)) && d > -9.2e18 && d < 9.2e18)
				values.push_back(std::to_string(static_cast<int64_t>(d)) + ".0");
			else
				values.push_back(std::to_string(d));
		}
	}
	if (!values.empty())
		event.fingerprint = std::move(values);
}

void read_tags(const JsonValue &root, Event &event) {
	const JsonValue *tags = member(root, "tags");
	if (!tags)
		return;
	if (tags->IsObject()) {
		for (auto it = tags->MemberBegin(); it != tags->MemberEnd(); ++it)
			if (it->value.IsString())
				event.tags.emplace_back(string_of(it->name), string_of(it->value));
	} else if (tags->IsArray()) {
		for (const JsonValue &pair : tags->GetArray())
			if (pair.IsArray() && pair.Size() == 2 && pair[0].IsString() && pair[1].IsString())
				event.tags.emplace_back(string_of(pair[0]), string_of(pair[1]));
	}
}

void read_security_reports(const JsonValue &root, Event &event) {
	if (const JsonValue *csp = member_object(root, "csp")) {
		event.csp.present = true;
		event.csp.effective_directive = string_or_empty(*csp, "effective_directive");
		event.csp.violated_directive = string_or_empty(*csp, "violated_directive");
		event.csp.blocked_uri = string_or_empty(*csp, "blocked_uri");
		event.csp.original_policy = string_or_empty(*csp, "original_policy");
		event.csp.document_uri = string_or_empty(*csp, "document_uri");
		event.csp.source_file = string_or_empty(*csp, "source_file");
	}
	const std::array<std::pair<const char *, HostnameReport *>, 3> reports = {
	    {{"hpkp", &event.hpkp}, {"expectct", &event.expectct}, {"expectstaple", &event.expectstaple}}};
	for (const auto &[key, report] : reports)
		if (const JsonValue *r = member_object(root, key)) {
			report->present = true;
			report->hostname = string_or_empty(*r, "hostname");
		}
	if (const JsonValue *t = member_object(root, "template")) {
		event.template_info.present = true;
		event.template_info.filename = string_or_empty(*t, "filename");
		event.template_info.abs_path = string_or_empty(*t, "abs_path");
		event.template_info.context_line = string_or_empty(*t, "context_line");
	}
}

} // namespace

Family family_for_platform(std::string_view platform) {
	static constexpr std::string_view native[] = {"objc", "cocoa", "swift", "native", "c"};
	for (auto p : native)
		if (platform == p)
			return Family::native;
	if (platform == "javascript" || platform == "node")
		return Family::javascript;
	return Family::other;
}

std::string_view family_name(Family family) {
	switch (family) {
	case Family::native: return "native";
	case Family::javascript: return "javascript";
	case Family::other: break;
	}
	return "other";
}

Event read_event(const JsonValue &root) {
	if (!root.IsObject())
		throw Error(ErrorKind::invalid_parameter, "event must be a JSON object");
	Event event;
	event.platform = string_or_empty(root, "platform");
	event.level = string_or_empty(root, "level");
	event.logger = string_or_empty(root, "logger");
	event.transaction = string_or_empty(root, "transaction");
	event.release = string_or_empty(root, "release");
	event.environment = string_or_empty(root, "environment");
	if (const JsonValue *sdk = member_object(root, "sdk")) {
		event.sdk_name = string_or_empty(*sdk, "name");
		event.sdk_version = string_or_empty(*sdk, "version");
	}
	event.checksum = member_string(root, "checksum");
	read_fingerprint(root, event);
	read_logentry(root, event);
	read_exceptions(root, event);
	read_threads(root, event);
	event.stacktrace = read_stacktrace(member(root, "stacktrace"), event.platform);
	read_tags(root, event);
	read_security_reports(root, event);
	return event;
}

} // namespace triage
