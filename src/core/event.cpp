#include "event.hpp"

#include "message_format.hpp"

#include <charconv>
#include <cstdint>
#include <deque>

namespace triage {

namespace {

// Builds the Event straight from parse events: no document is built, and every field is
// set in the one pass over the text. Each container's handling mirrors the payload shape:
//
//   a member of an unexpected type is absent (the event is still grouped);
//   a repeated key replaces what the earlier one set (the last occurrence wins);
//   anything not read is skipped.
class EventBuilder final : public JsonHandler {
public:
	explicit EventBuilder(Event &event) : event_(event) { stack_.reserve(16); }

	// Called when the parse has finished without error.
	void finish() {
		if (!root_is_object_)
			throw Error(ErrorKind::invalid_parameter, "event must be a JSON object");
		resolve_message();
		resolve_exceptions();
		// Frames without a platform of their own take the event's (known only now).
		auto fill = [&](Stacktrace &st) {
			if (st.frames.size() > kMaxFrames)
				st.frames.erase(st.frames.begin(), st.frames.end() - kMaxFrames);
			for (Frame &f : st.frames)
				if (f.platform.empty())
					f.platform = event_.platform;
		};
		for (Exception &e : event_.exceptions) {
			if (e.stacktrace)
				fill(*e.stacktrace);
			if (e.raw_stacktrace)
				fill(*e.raw_stacktrace);
		}
		for (Thread &t : event_.threads)
			if (t.stacktrace)
				fill(*t.stacktrace);
		if (event_.stacktrace)
			fill(*event_.stacktrace);
	}

	bool Null() override { return scalar(Scalar{}); }
	bool Bool(bool b) override {
		Scalar v;
		v.kind = Scalar::boolean;
		v.b = b;
		return scalar(v);
	}
	bool Int64(int64_t i) override {
		Scalar v;
		v.kind = Scalar::integer;
		v.i = i;
		return scalar(v);
	}
	bool Uint64(uint64_t u) override {
		Scalar v;
		v.kind = Scalar::unsigned_integer;
		v.u = u;
		return scalar(v);
	}
	bool Double(double d) override {
		Scalar v;
		v.kind = Scalar::real;
		v.d = d;
		return scalar(v);
	}
	bool String(std::string_view text) override {
		Scalar v;
		v.kind = Scalar::string;
		v.text = text;
		return scalar(v);
	}
	bool Key(std::string_view key) override {
		if (capturing_)
			message_json_.key(key);
		key_ = key;
		return true;
	}
	bool StartObject() override { return open(true); }
	bool StartArray() override { return open(false); }
	bool EndObject() override { return close(); }
	bool EndArray() override { return close(); }

private:
	struct Scalar {
		enum Kind { null, boolean, integer, unsigned_integer, real, string } kind = null;
		bool b = false;
		int64_t i = 0;
		uint64_t u = 0;
		double d = 0;
		std::string_view text;

		std::optional<std::string_view> as_string() const {
			return kind == string ? std::optional<std::string_view>(text) : std::nullopt;
		}
		std::string_view string_or_empty() const { return kind == string ? text : std::string_view(); }
		std::optional<bool> as_bool() const { return kind == boolean ? std::optional<bool>(b) : std::nullopt; }
		std::optional<double> as_number() const {
			switch (kind) {
			case integer: return static_cast<double>(i);
			case unsigned_integer: return static_cast<double>(u);
			case real: return d;
			default: return std::nullopt;
			}
		}
		// An integer, or a float with an integral value.
		std::optional<int64_t> as_int() const {
			switch (kind) {
			case integer: return i;
			case unsigned_integer: return static_cast<int64_t>(u & 0x7fffffffffffffffULL);
			case real:
				if (d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d)))
					return static_cast<int64_t>(d);
				return std::nullopt;
			default: return std::nullopt;
			}
		}
	};

	// What an open container is, and so what its members mean.
	enum class Ctx {
		skip,            // not read
		root,            // the event
		exception_iface, // "exception" as an object: {"values": [...]}, or one legacy exception
		exception_list,  // a list of exceptions
		exception,       // one exception of a list
		stacktrace,      // {"frames": [...]}
		frame_list,
		frame,
		frame_data,      // frame.data
		mechanism,
		mechanism_meta,
		ns_error,
		threads_iface,   // {"values": [...]}
		thread_list,
		thread,
		messages,        // logentry / sentry.interfaces.Message / the "message" object
		message_json,    // one of those as an array: kept as its JSON text (message_json_)
		message_params,  // its "params" (an array, or an object of named params)
		fingerprint,
		tags_object,
		tags_list,
		tag_pair,
		sdk,
		csp,
		hostname_report, // hpkp, expectct, expectstaple
		template_info,
		user,
		contexts,
		named_context,   // contexts.os, contexts.runtime, contexts.browser
		request,
	};

	struct Messages;
	struct Container {
		Ctx ctx;
		Stacktrace *stacktrace = nullptr; // stacktrace, frame_list, frame: the stack trace read
		Exception *exception = nullptr;   // exception, mechanism, ...: the exception read
		bool from_values = false;         // exception_list: the "values" of an exception interface
		NamedContext *context = nullptr;  // named_context: the context read
		Messages *messages = nullptr;     // message_json: the messages the text goes to
	};

	// Messages by where they came from: logentry wins over the legacy "message".
	struct Messages {
		std::optional<std::string_view> message, formatted;
		bool is_object = false;
		std::vector<MessageParam> params;
		std::vector<std::pair<std::string_view, MessageParam>> named_params;
		bool params_named = false;
	};

	// ------------------------------------------------------------------------------------
	// Containers

	bool open(bool is_object) {
		if (capturing_) {
			message_json_.open(is_object);
			return true;
		}
		Container c{Ctx::skip};
		if (stack_.empty()) {
			root_is_object_ = is_object;
			c.ctx = is_object ? Ctx::root : Ctx::skip;
		} else {
			c = child(stack_.back(), is_object);
		}
		switch (c.ctx) {
		case Ctx::frame: {
			std::vector<Frame> &frames = c.stacktrace->frames;
			if (frames.empty())
				frames.reserve(32); // frames are large: avoid growing step by step
			else if (frames.size() >= 2 * kMaxFrames) // only the last kMaxFrames are kept
				frames.erase(frames.begin(), frames.end() - (kMaxFrames - 1));
			frames.emplace_back();
			break;
		}
		case Ctx::thread: event_.threads.emplace_back(); break;
		case Ctx::tag_pair:
			pair_ = {};
			pair_count_ = pair_strings_ = 0;
			break;
		default: break;
		}
		stack_.push_back(c);
		if (c.ctx == Ctx::message_json) {
			message_json_ = CompactJsonText();
			message_json_.open(is_object);
			capturing_ = true;
		}
		return true;
	}

	bool close() {
		if (capturing_) {
			if (!message_json_.close())
				return true;
			// The array is complete: Relay stores it as its JSON text, the formatted message.
			capturing_ = false;
			Messages *m = stack_.back().messages;
			stack_.pop_back();
			m->formatted = event_.own(std::string(message_json_.text()));
			m->is_object = m != &message_;
			return true;
		}
		Container c = stack_.back();
		stack_.pop_back();
		if (c.ctx == Ctx::tag_pair && pair_count_ == 2 && pair_strings_ == 2)
			event_.tags.emplace_back(pair_.first, pair_.second);
		if (c.ctx == Ctx::fingerprint && !fingerprint_values_.empty())
			event_.fingerprint = std::move(fingerprint_values_);
		return true;
	}

	// The container opened as the value of key_ (in an object) or as an element (in an array)
	// of parent. A key whose value is a container also drops what the key set before.
	Container child(const Container &parent, bool is_object) {
		std::string_view key = key_;
		Container c{Ctx::skip};
		switch (parent.ctx) {
		case Ctx::root: return root_child(key, is_object);
		case Ctx::exception_iface:
			if (key == "values") {
				exception_values_ = is_object ? Values::other : Values::list;
				exception_values_list_.clear();
				if (!is_object) {
					c.ctx = Ctx::exception_list;
					c.from_values = true;
				}
				return c;
			}
			return exception_child(legacy_exception(), key, is_object);
		case Ctx::exception_list:
			if (is_object) {
				c.ctx = Ctx::exception;
				c.exception = &exceptions_.emplace_back();
				(parent.from_values ? exception_values_list_ : exception_bare_list_).push_back(c.exception);
			}
			return c;
		case Ctx::exception: return exception_child(parent.exception, key, is_object);
		case Ctx::stacktrace:
			if (key == "frames") {
				parent.stacktrace->frames.clear();
				if (!is_object) {
					c.ctx = Ctx::frame_list;
					c.stacktrace = parent.stacktrace;
				}
			}
			return c;
		case Ctx::frame_list:
			if (is_object) {
				c.ctx = Ctx::frame;
				c.stacktrace = parent.stacktrace;
			}
			return c;
		case Ctx::frame: {
			Frame &f = parent.stacktrace->frames.back();
			frame_member(f, key, Scalar{});
			if (key == "data" && is_object) {
				c.ctx = Ctx::frame_data;
				c.stacktrace = parent.stacktrace;
			}
			return c;
		}
		case Ctx::frame_data:
			if (key == "sourcemap")
				parent.stacktrace->frames.back().has_sourcemap = true; // a container is not null
			return c;
		case Ctx::mechanism:
			mechanism_member(*parent.exception->mechanism, key, Scalar{});
			if (key == "meta" && is_object) {
				c.ctx = Ctx::mechanism_meta;
				c.exception = parent.exception;
			}
			return c;
		case Ctx::mechanism_meta:
			if (key == "ns_error") {
				Mechanism &m = *parent.exception->mechanism;
				m.ns_error_domain.reset();
				m.ns_error_code.reset();
				if (is_object) {
					c.ctx = Ctx::ns_error;
					c.exception = parent.exception;
				}
			}
			return c;
		case Ctx::threads_iface:
			if (key == "values") {
				event_.threads.clear();
				if (!is_object)
					c.ctx = Ctx::thread_list;
			}
			return c;
		case Ctx::thread_list:
			if (is_object)
				c.ctx = Ctx::thread;
			return c;
		case Ctx::thread: {
			Thread &t = event_.threads.back();
			thread_member(t, key, Scalar{});
			if (key == "stacktrace" && is_object) {
				c.ctx = Ctx::stacktrace;
				c.stacktrace = &t.stacktrace.emplace();
			}
			return c;
		}
		case Ctx::tags_list:
			if (!is_object)
				c.ctx = Ctx::tag_pair;
			return c;
		case Ctx::tag_pair:
			pair_count_++; // a container in a pair: it is not two strings
			return c;
		case Ctx::contexts:
			if (NamedContext *context = named_context(key)) {
				*context = {};
				if (is_object) {
					context->present = true;
					c.ctx = Ctx::named_context;
					c.context = context;
				}
			}
			return c;
		case Ctx::fingerprint:
		case Ctx::tags_object:
		case Ctx::skip: return c;
		case Ctx::message_params: // a container as a param: no formatting
			message_param(key, container_param());
			return c;
		case Ctx::messages:
			if (key == "params") {
				current_messages_->params.clear();
				current_messages_->named_params.clear();
				current_messages_->params_named = is_object;
				c.ctx = Ctx::message_params;
				return c;
			}
			scalar_member(parent, key, Scalar{});
			return c;
		case Ctx::ns_error:
		case Ctx::sdk:
		case Ctx::csp:
		case Ctx::hostname_report:
		case Ctx::template_info:
		case Ctx::user:
		case Ctx::named_context:
		case Ctx::request:
			scalar_member(parent, key, Scalar{}); // a container where a string belongs
			return c;
		}
		return c;
	}

	Container root_child(std::string_view key, bool is_object) {
		Container c{Ctx::skip};
		root_member(key, Scalar{}); // the container replaces whatever the key held
		if (key == "exception") {
			if (is_object) {
				exception_form_ = ExceptionForm::object;
				c.ctx = Ctx::exception_iface;
			} else {
				exception_form_ = ExceptionForm::list;
				c.ctx = Ctx::exception_list;
			}
		} else if (key == "threads") {
			c.ctx = is_object ? Ctx::threads_iface : Ctx::thread_list;
		} else if (key == "stacktrace") {
			if (is_object) {
				c.ctx = Ctx::stacktrace;
				c.stacktrace = &event_.stacktrace.emplace();
			}
		} else if (Messages *m = messages_for(key)) {
			m->is_object = is_object;
			if (is_object) {
				c.ctx = Ctx::messages;
				current_messages_ = m;
			} else {
				c.ctx = Ctx::message_json;
				c.messages = m;
			}
		} else if (key == "fingerprint") {
			if (!is_object)
				c.ctx = Ctx::fingerprint;
		} else if (key == "tags") {
			c.ctx = is_object ? Ctx::tags_object : Ctx::tags_list;
		} else if (is_object) {
			if (key == "sdk") {
				c.ctx = Ctx::sdk;
			} else if (key == "csp") {
				event_.csp.present = true;
				c.ctx = Ctx::csp;
			} else if (HostnameReport *r = hostname_report(key)) {
				r->present = true;
				current_report_ = r;
				c.ctx = Ctx::hostname_report;
			} else if (key == "template") {
				event_.template_info.present = true;
				c.ctx = Ctx::template_info;
			} else if (key == "user") {
				event_.user.emplace();
				c.ctx = Ctx::user;
			} else if (key == "contexts") {
				c.ctx = Ctx::contexts;
			} else if (key == "request") {
				c.ctx = Ctx::request;
			}
		}
		return c;
	}

	// ------------------------------------------------------------------------------------
	// Scalars

	bool scalar(const Scalar &v) {
		if (capturing_) {
			switch (v.kind) {
			case Scalar::null: message_json_.null(); break;
			case Scalar::boolean: message_json_.boolean(v.b); break;
			case Scalar::integer: message_json_.integer(v.i); break;
			case Scalar::unsigned_integer: message_json_.unsigned_integer(v.u); break;
			case Scalar::real: message_json_.real(v.d); break;
			case Scalar::string: message_json_.string(v.text); break;
			}
			return true;
		}
		if (stack_.empty()) { // the document is a scalar
			root_is_object_ = false;
			return true;
		}
		const Container &c = stack_.back();
		std::string_view key = key_;
		switch (c.ctx) {
		case Ctx::root: root_member(key, v); break;
		case Ctx::exception_iface:
			if (key == "values") {
				exception_values_ = Values::other;
				exception_values_list_.clear();
			} else {
				exception_member(*legacy_exception(), key, v);
			}
			break;
		case Ctx::exception: exception_member(*c.exception, key, v); break;
		case Ctx::stacktrace:
			if (key == "frames")
				c.stacktrace->frames.clear();
			break;
		case Ctx::frame: frame_member(c.stacktrace->frames.back(), key, v); break;
		case Ctx::frame_data:
			if (key == "sourcemap")
				c.stacktrace->frames.back().has_sourcemap = v.kind != Scalar::null;
			break;
		case Ctx::mechanism: mechanism_member(*c.exception->mechanism, key, v); break;
		case Ctx::mechanism_meta:
			if (key == "ns_error") {
				c.exception->mechanism->ns_error_domain.reset();
				c.exception->mechanism->ns_error_code.reset();
			}
			break;
		case Ctx::threads_iface:
			if (key == "values")
				event_.threads.clear();
			break;
		case Ctx::thread: thread_member(event_.threads.back(), key, v); break;
		case Ctx::fingerprint: fingerprint_entry(v); break;
		case Ctx::tags_object:
			if (v.kind == Scalar::string)
				event_.tags.emplace_back(key, v.text);
			break;
		case Ctx::tag_pair:
			if (pair_count_ == 0)
				pair_.first = v.text;
			else if (pair_count_ == 1)
				pair_.second = v.text;
			pair_count_++;
			pair_strings_ += v.kind == Scalar::string;
			break;
		case Ctx::messages:
		case Ctx::ns_error:
		case Ctx::sdk:
		case Ctx::csp:
		case Ctx::hostname_report:
		case Ctx::template_info:
		case Ctx::user:
		case Ctx::named_context:
		case Ctx::request: scalar_member(c, key, v); break;
		case Ctx::message_params: message_param(key, to_param(v)); break;
		case Ctx::contexts:
			if (NamedContext *context = named_context(key))
				*context = {};
			break;
		case Ctx::exception_list:
		case Ctx::frame_list:
		case Ctx::thread_list:
		case Ctx::tags_list:
		case Ctx::skip: break;
		}
		return true;
	}

	// A member of the event itself. With an empty Scalar it drops what the key set before.
	void root_member(std::string_view key, const Scalar &v) {
		std::string_view s = v.string_or_empty();
		if (key == "platform")
			event_.platform = s;
		else if (key == "level") {
			event_.level = s;
			event_.level_number = v.kind == Scalar::string ? std::nullopt : v.as_int();
		} else if (key == "event_id")
			event_.event_id = v.as_string();
		else if (key == "timestamp") {
			event_.timestamp_seconds = v.as_number();
			event_.timestamp_text = v.as_string();
		} else if (key == "culprit")
			event_.culprit = v.as_string();
		else if (key == "server_name")
			event_.server_name = s;
		else if (key == "site")
			event_.site = s;
		else if (key == "main_exception_id")
			event_.main_exception_id = v.as_int();
		else if (key == "user")
			event_.user.reset();
		else if (key == "contexts")
			event_.os_context = event_.runtime_context = event_.browser_context = {};
		else if (key == "request")
			event_.request_url = {};
		else if (key == "logger")
			event_.logger = s;
		else if (key == "transaction")
			event_.transaction = s;
		else if (key == "type")
			event_.type = s;
		else if (key == "release")
			event_.release = s;
		else if (key == "environment")
			event_.environment = s;
		else if (key == "checksum")
			event_.checksum = v.as_string();
		else if (key == "exception") {
			exception_form_ = ExceptionForm::none;
			exception_values_ = Values::none;
			exception_values_list_.clear();
			exception_bare_list_.clear();
			legacy_ = nullptr;
		} else if (key == "threads")
			event_.threads.clear();
		else if (key == "stacktrace")
			event_.stacktrace.reset();
		else if (Messages *m = messages_for(key)) {
			*m = {};
			// A value that is not an object is the formatted text (Relay): a string as it is, a
			// number or true as its JSON text; false and null are no message. The legacy
			// "message" is only the fallback; a logentry given so wins over it.
			std::optional<std::string_view> text = v.as_string();
			if (v.kind == Scalar::integer || v.kind == Scalar::unsigned_integer || v.kind == Scalar::real ||
			    (v.kind == Scalar::boolean && v.b))
				text = event_.own(scalar_json(v));
			m->formatted = text;
			if (key != "message" && text)
				m->is_object = true;
		} else if (key == "fingerprint") {
			event_.fingerprint.reset();
			fingerprint_values_.clear();
		} else if (key == "tags")
			event_.tags.clear();
		else if (key == "sdk")
			event_.sdk_name = event_.sdk_version = {};
		else if (key == "csp")
			event_.csp = {};
		else if (HostnameReport *r = hostname_report(key))
			*r = {};
		else if (key == "template")
			event_.template_info = {};
	}

	// A string member of a small interface (or, with an empty Scalar, its reset).
	void scalar_member(const Container &c, std::string_view key, const Scalar &v) {
		std::string_view s = v.string_or_empty();
		switch (c.ctx) {
		case Ctx::messages:
			if (key == "message")
				current_messages_->message = v.as_string();
			else if (key == "formatted")
				current_messages_->formatted = v.as_string();
			break;
		case Ctx::ns_error:
			if (key == "domain")
				c.exception->mechanism->ns_error_domain = v.as_string();
			else if (key == "code")
				c.exception->mechanism->ns_error_code = v.as_int();
			break;
		case Ctx::sdk:
			if (key == "name")
				event_.sdk_name = s;
			else if (key == "version")
				event_.sdk_version = s;
			break;
		case Ctx::csp: {
			Csp &csp = event_.csp;
			if (key == "effective_directive")
				csp.effective_directive = s;
			else if (key == "violated_directive")
				csp.violated_directive = s;
			else if (key == "blocked_uri")
				csp.blocked_uri = s;
			else if (key == "original_policy")
				csp.original_policy = s;
			else if (key == "document_uri")
				csp.document_uri = s;
			else if (key == "source_file")
				csp.source_file = s;
			break;
		}
		case Ctx::hostname_report:
			if (key == "hostname")
				current_report_->hostname = s;
			break;
		case Ctx::user: {
			User &user = *event_.user;
			if (key == "id") {
				// Relay keeps an integral id as its text.
				if (v.kind == Scalar::integer)
					user.id = event_.own(std::to_string(v.i));
				else if (v.kind == Scalar::unsigned_integer)
					user.id = event_.own(std::to_string(v.u));
				else
					user.id = v.as_string();
			} else if (key == "username")
				user.username = v.as_string();
			else if (key == "email")
				user.email = v.as_string();
			else if (key == "ip_address")
				user.ip_address = v.as_string();
			break;
		}
		case Ctx::named_context:
			if (key == "name")
				c.context->name = v.as_string();
			else if (key == "version")
				c.context->version = v.as_string();
			break;
		case Ctx::request:
			if (key == "url")
				event_.request_url = s;
			break;
		case Ctx::template_info:
			if (key == "filename")
				event_.template_info.filename = s;
			else if (key == "abs_path")
				event_.template_info.abs_path = s;
			else if (key == "context_line")
				event_.template_info.context_line = s;
			break;
		default: break;
		}
	}

	static MessageParam to_param(const Scalar &v) {
		MessageParam p;
		switch (v.kind) {
		case Scalar::null: p.kind = MessageParam::null; break;
		case Scalar::boolean: p.kind = MessageParam::boolean, p.b = v.b; break;
		case Scalar::integer: p.kind = MessageParam::integer, p.i = v.i; break;
		case Scalar::unsigned_integer:
			if (v.u <= static_cast<uint64_t>(INT64_MAX))
				p.kind = MessageParam::integer, p.i = static_cast<int64_t>(v.u);
			else
				p.kind = MessageParam::real, p.d = static_cast<double>(v.u);
			break;
		case Scalar::real: p.kind = MessageParam::real, p.d = v.d; break;
		case Scalar::string: p.kind = MessageParam::string, p.text = v.text; break;
		}
		return p;
	}

	static MessageParam container_param() {
		MessageParam p;
		p.kind = MessageParam::other;
		return p;
	}

	void message_param(std::string_view key, MessageParam p) {
		if (current_messages_->params_named)
			current_messages_->named_params.emplace_back(key, p);
		else
			current_messages_->params.push_back(p);
	}

	// A number or boolean as JSON writes it.
	static std::string scalar_json(const Scalar &v) {
		switch (v.kind) {
		case Scalar::boolean: return v.b ? "true" : "false";
		case Scalar::integer: return std::to_string(v.i);
		case Scalar::unsigned_integer: return std::to_string(v.u);
		case Scalar::real: return float_json_text(v.d);
		default: return {};
		}
	}

	Messages *messages_for(std::string_view key) {
		if (key == "logentry")
			return &logentry_;
		if (key == "sentry.interfaces.Message")
			return &interfaces_message_;
		if (key == "message")
			return &message_;
		return nullptr;
	}

	NamedContext *named_context(std::string_view key) {
		if (key == "os")
			return &event_.os_context;
		if (key == "runtime")
			return &event_.runtime_context;
		if (key == "browser")
			return &event_.browser_context;
		return nullptr;
	}

	HostnameReport *hostname_report(std::string_view key) {
		if (key == "hpkp")
			return &event_.hpkp;
		if (key == "expectct")
			return &event_.expectct;
		if (key == "expectstaple")
			return &event_.expectstaple;
		return nullptr;
	}

	// ------------------------------------------------------------------------------------
	// Exceptions

	// The exception an "exception" object describes itself, in the legacy form without "values".
	Exception *legacy_exception() {
		if (!legacy_)
			legacy_ = &exceptions_.emplace_back();
		return legacy_;
	}

	Container exception_child(Exception *e, std::string_view key, bool is_object) {
		Container c{Ctx::skip};
		exception_member(*e, key, Scalar{});
		if (!is_object)
			return c;
		if (key == "stacktrace" || key == "raw_stacktrace") {
			c.ctx = Ctx::stacktrace;
			c.stacktrace = &(key == "stacktrace" ? e->stacktrace : e->raw_stacktrace).emplace();
		} else if (key == "mechanism") {
			e->mechanism.emplace();
			c.ctx = Ctx::mechanism;
			c.exception = e;
		}
		return c;
	}

	void exception_member(Exception &e, std::string_view key, const Scalar &v) {
		if (key == "type")
			e.type = v.as_string();
		else if (key == "value")
			e.value = v.as_string();
		else if (key == "module")
			e.module = v.string_or_empty();
		else if (key == "stacktrace")
			e.stacktrace.reset();
		else if (key == "raw_stacktrace")
			e.raw_stacktrace.reset();
		else if (key == "mechanism")
			e.mechanism.reset();
	}

	// The exceptions of the event: those of "values" (or of a bare list), else the legacy one.
	void resolve_exceptions() {
		std::vector<Exception *> chosen;
		if (exception_form_ == ExceptionForm::list)
			chosen = exception_bare_list_;
		else if (exception_form_ == ExceptionForm::object && exception_values_ == Values::list)
			chosen = exception_values_list_;
		else if (exception_form_ == ExceptionForm::object && exception_values_ == Values::none && legacy_)
			chosen = {legacy_};
		for (Exception *e : chosen) {
			// An exception with neither type nor value nor stack trace carries nothing (Sentry drops it).
			if (!e->type && !e->value && !e->stacktrace)
				continue;
			event_.exceptions.push_back(std::move(*e));
		}
	}

	// ------------------------------------------------------------------------------------
	// Frames, mechanisms, threads, fingerprints

	// One frame member (with an empty Scalar: its reset); frames are most of an event.
	static void frame_member(Frame &f, std::string_view key, const Scalar &v) {
		std::optional<std::string_view> s = v.as_string();
		auto set = [&](std::string_view &field, bool *present = nullptr) {
			field = s.value_or(std::string_view());
			if (present)
				*present = s.has_value();
		};
		switch (key.size()) {
		case 4:
			if (key == "data")
				f.has_sourcemap = false;
			break;
		case 5:
			if (key == "colno")
				f.colno = v.as_int();
			break;
		case 6:
			if (key == "module")
				set(f.module);
			else if (key == "lineno")
				f.lineno = v.as_int();
			else if (key == "in_app")
				f.in_app = v.as_bool();
			break;
		case 7:
			if (key == "package")
				set(f.package);
			break;
		case 8:
			if (key == "function")
				set(f.function, &f.has_function);
			else if (key == "filename")
				set(f.filename);
			else if (key == "abs_path")
				set(f.abs_path);
			else if (key == "platform")
				set(f.platform);
			break;
		case 12:
			if (key == "raw_function")
				set(f.raw_function, &f.has_raw_function);
			else if (key == "context_line")
				set(f.context_line, &f.has_context_line);
			break;
		default: break;
		}
	}

	static void mechanism_member(Mechanism &m, std::string_view key, const Scalar &v) {
		if (key == "type")
			m.type = v.string_or_empty();
		else if (key == "source")
			m.source = v.string_or_empty();
		else if (key == "synthetic")
			m.synthetic = v.as_bool().value_or(false);
		else if (key == "handled")
			m.handled = v.as_bool();
		else if (key == "is_exception_group")
			m.is_exception_group = v.as_bool().value_or(false);
		else if (key == "exception_id")
			m.exception_id = v.as_int();
		else if (key == "parent_id")
			m.parent_id = v.as_int();
		else if (key == "meta") {
			m.ns_error_domain.reset();
			m.ns_error_code.reset();
		}
	}

	static void thread_member(Thread &t, std::string_view key, const Scalar &v) {
		if (key == "crashed")
			t.crashed = v.as_bool().value_or(false);
		else if (key == "current")
			t.current = v.as_bool().value_or(false);
		else if (key == "stacktrace")
			t.stacktrace.reset();
	}

	// Fingerprint entries as strings: Sentry keeps strings and numbers (as their text) and drops
	// anything else.
	void fingerprint_entry(const Scalar &v) {
		switch (v.kind) {
		case Scalar::string: fingerprint_values_.emplace_back(v.text); break;
		case Scalar::integer: fingerprint_values_.push_back(std::to_string(v.i)); break;
		case Scalar::unsigned_integer: fingerprint_values_.push_back(std::to_string(v.u)); break;
		case Scalar::real:
			if (v.d == static_cast<double>(static_cast<int64_t>(v.d)) && v.d > -9.2e18 && v.d < 9.2e18)
				fingerprint_values_.push_back(std::to_string(static_cast<int64_t>(v.d)) + ".0");
			else
				fingerprint_values_.push_back(std::to_string(v.d));
			break;
		default: break;
		}
	}

	// logentry (or sentry.interfaces.Message) when it is an object with a message or formatted
	// text, else the legacy "message" (a string: the formatted text; or a logentry-like object).
	void resolve_message() {
		const Messages *source = logentry_.is_object ? &logentry_
		                         : interfaces_message_.is_object ? &interfaces_message_
		                                                         : nullptr;
		if (!source || !(source->message || source->formatted))
			source = &message_;
		event_.logentry_message = source->message;
		event_.logentry_formatted = source->formatted;
		// Relay formats the template with the params when the SDK sent no text.
		if (!source->formatted && source->message && (!source->params.empty() || !source->named_params.empty()))
			if (std::optional<std::string> text =
			        format_message(*source->message, source->params, source->named_params, source->params_named))
				event_.logentry_formatted = event_.own(std::move(*text));
	}

	Event &event_;
	std::vector<Container> stack_;
	std::string_view key_;
	bool root_is_object_ = false;

	// Exceptions are read into a deque (stable addresses while later ones are added) and moved
	// into the event once the form of the "exception" member is known.
	enum class ExceptionForm { none, list, object } exception_form_ = ExceptionForm::none;
	enum class Values { none, list, other } exception_values_ = Values::none;
	std::deque<Exception> exceptions_;
	std::vector<Exception *> exception_values_list_, exception_bare_list_;
	Exception *legacy_ = nullptr;

	Messages logentry_, interfaces_message_, message_;
	Messages *current_messages_ = nullptr;
	CompactJsonText message_json_; // while capturing_: the array being read as a message
	bool capturing_ = false;
	std::vector<std::string> fingerprint_values_;
	std::pair<std::string_view, std::string_view> pair_;
	int pair_count_ = 0, pair_strings_ = 0;
	HostnameReport *current_report_ = nullptr;
};

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
	Event event;
	EventBuilder builder(event);
	JsonHandler &handler = builder;
	root.Accept(handler);
	builder.finish();
	return event;
}

Event parse_event(char *buffer, size_t length, bool validate_utf8) {
	Event event;
	EventBuilder builder(event);
	parse_json_in_place(buffer, length, builder, "event", validate_utf8);
	builder.finish();
	return event;
}

} // namespace triage
