#include "message_format.hpp"

#include <charconv>
#include <cstdio>

namespace triage {

namespace {

// The shortest text that reads back as the same double (Rust's Display, which Relay uses).
std::string real_text(double d) {
	if (d == static_cast<double>(static_cast<int64_t>(d)) && d > -1e15 && d < 1e15)
		return std::to_string(static_cast<int64_t>(d));
	char buffer[64];
	auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
	return ec == std::errc() ? std::string(buffer, end) : std::string();
}

std::optional<std::string> as_text(const MessageParam &p) {
	switch (p.kind) {
	case MessageParam::string: return std::string(p.text);
	case MessageParam::integer: return std::to_string(p.i);
	case MessageParam::real: return real_text(p.d);
	case MessageParam::boolean: return std::string(p.b ? "true" : "false");
	case MessageParam::null: return std::string("null");
	default: return std::nullopt;
	}
}

std::optional<double> as_number(const MessageParam &p) {
	if (p.kind == MessageParam::integer)
		return static_cast<double>(p.i);
	if (p.kind == MessageParam::real)
		return p.d;
	return std::nullopt;
}

} // namespace

std::optional<std::string> format_message(std::string_view message, const std::vector<MessageParam> &positional,
                                          const std::vector<std::pair<std::string_view, MessageParam>> &named,
                                          bool params_named) {
	std::string out;
	size_t next = 0; // the next positional param
	for (size_t i = 0; i < message.size(); i++) {
		char c = message[i];
		if (c != '%') {
			out.push_back(c);
			continue;
		}
		if (++i >= message.size())
			return std::nullopt;
		if (message[i] == '%') {
			out.push_back('%');
			continue;
		}
		const MessageParam *param = nullptr;
		if (message[i] == '(') {
			size_t close = message.find(')', i);
			if (!params_named || close == std::string_view::npos)
				return std::nullopt;
			std::string_view name = message.substr(i + 1, close - i - 1);
			for (const auto &[key, value] : named)
				if (key == name)
					param = &value;
			if (!param)
				return std::nullopt;
			i = close + 1;
		}
		// Flags, width and precision, as printf reads them.
		std::string spec = "%";
		while (i < message.size() && std::string_view("-+ #0").find(message[i]) != std::string_view::npos)
			spec.push_back(message[i++]);
		while (i < message.size() && message[i] >= '0' && message[i] <= '9')
			spec.push_back(message[i++]);
		if (i < message.size() && message[i] == '.') {
			spec.push_back(message[i++]);
			while (i < message.size() && message[i] >= '0' && message[i] <= '9')
				spec.push_back(message[i++]);
		}
		if (i >= message.size() || spec.size() > 16)
			return std::nullopt;
		char conversion = message[i];
		if (!param) {
			if (params_named || next >= positional.size())
				return std::nullopt;
			param = &positional[next++];
		}
		char buffer[512];
		int n = -1;
		switch (conversion) {
		case 's':
		case 'r': {
			std::optional<std::string> text = as_text(*param);
			if (!text)
				return std::nullopt;
			if (conversion == 'r' && param->kind == MessageParam::string)
				*text = "'" + *text + "'";
			n = snprintf(buffer, sizeof buffer, (spec + "s").c_str(), text->c_str());
			if (n >= static_cast<int>(sizeof buffer))
				out += *text; // longer than the buffer: the text itself, unpadded
			break;
		}
		case 'd':
		case 'i':
		case 'u': {
			std::optional<double> number = as_number(*param);
			if (!number)
				return std::nullopt;
			n = snprintf(buffer, sizeof buffer, (spec + "lld").c_str(), static_cast<long long>(*number));
			break;
		}
		case 'f':
		case 'F':
		case 'e':
		case 'E':
		case 'g':
		case 'G': {
			std::optional<double> number = as_number(*param);
			if (!number)
				return std::nullopt;
			n = snprintf(buffer, sizeof buffer, (spec + conversion).c_str(), *number);
			break;
		}
		case 'x':
		case 'X':
		case 'o': {
			if (param->kind != MessageParam::integer)
				return std::nullopt;
			n = snprintf(buffer, sizeof buffer, (spec + "ll" + conversion).c_str(), static_cast<long long>(param->i));
			break;
		}
		default: return std::nullopt;
		}
		if (n < 0)
			return std::nullopt;
		if (n < static_cast<int>(sizeof buffer))
			out.append(buffer, static_cast<size_t>(n));
	}
	// Python refuses leftover positional params ("not all arguments converted").
	if (!params_named && next != positional.size())
		return std::nullopt;
	return out;
}

} // namespace triage
