// Message normalization for grouping: the exception value or log message is cut to its first
// lines and its variable parts (numbers, ids, addresses, dates, ...) become placeholders such
// as <int>, so that "timeout after 31ms" and "timeout after 2ms" group together.
#pragma once

#include <string>
#include <string_view>

namespace triage {

// Keeps the first two lines that are not blank, joined by "\n"; appends "..." when that
// dropped anything.
std::string trim_message(std::string_view text);

// Replaces each variable part of text by <name> (email, url, hostname, ip, traceparent, uuid,
// sha1, md5, date, duration, hex, float, int, quoted_str, bool), leftmost match first, the
// alternatives tried in that order.
std::string parameterize_message(std::string_view text);

// trim_message, then parameterize_message: what the message and exception-value components hash.
std::string normalize_message(std::string_view text);

} // namespace triage
