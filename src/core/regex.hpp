// A compiled PCRE2 pattern for the few fixed rewrites grouping needs (Java code-generation
// markers, Python multiprocessing lines). Patterns are compiled on first use, never at load time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct pcre2_real_code_8;

namespace triage {

class Regex {
public:
	explicit Regex(const char *pattern);
	~Regex();
	Regex(const Regex &) = delete;
	Regex &operator=(const Regex &) = delete;

	// Every match replaced; replacement uses PCRE2 syntax ($1 for the first group).
	std::string replace_all(std::string_view subject, const char *replacement) const;
	// Whether the pattern matches at the start of subject (Python's re.match).
	bool matches_prefix(std::string_view subject) const;

private:
	pcre2_real_code_8 *code_;
};

} // namespace triage
