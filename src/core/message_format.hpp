// Relay fills a log entry's formatted text from its message template and params when the SDK sent
// only those (Python's logging does): printf-style with Python's rules (%s, %d, %.2f, %(name)s,
// %%). Formatting that fails leaves the text unformatted, as in Relay.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace triage {

// A parameter as the payload gave it.
struct MessageParam {
	enum Kind { null, boolean, integer, real, string, other } kind = null;
	bool b = false;
	int64_t i = 0;
	double d = 0;
	std::string_view text;
};

// Positional params (an array) or named ones (an object).
std::optional<std::string> format_message(std::string_view message, const std::vector<MessageParam> &positional,
                                          const std::vector<std::pair<std::string_view, MessageParam>> &named,
                                          bool params_named);

} // namespace triage
