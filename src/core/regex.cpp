#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.hpp"

#include <pcre2.h>

#include <memory>

#include "errors.hpp"

namespace triage {

namespace {
// Bounds the work one match may do, so that no input can make a rewrite run away.
constexpr uint32_t kMatchLimit = 1000000;

struct MatchContext {
	pcre2_match_context *context = pcre2_match_context_create(nullptr);
	MatchContext() { pcre2_set_match_limit(context, kMatchLimit); }
	~MatchContext() { pcre2_match_context_free(context); }
};

pcre2_match_context *match_context() {
	static MatchContext ctx;
	return ctx.context;
}
} // namespace

Regex::Regex(const char *pattern) {
	int error = 0;
	PCRE2_SIZE offset = 0;
	code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern), PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
	                      &error, &offset, nullptr);
	if (!code_)
		throw Error(ErrorKind::invalid_parameter, std::string("internal regex does not compile: ") + pattern);
	pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);
}

Regex::~Regex() { pcre2_code_free(code_); }

std::string Regex::replace_all(std::string_view subject, const char *replacement) const {
	std::string out(subject.size() + 64, '\0');
	for (int attempt = 0; attempt < 2; attempt++) {
		PCRE2_SIZE out_len = out.size();
		int rc = pcre2_substitute(code_, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
		                          PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH,
		                          nullptr, match_context(), reinterpret_cast<PCRE2_SPTR>(replacement),
		                          PCRE2_ZERO_TERMINATED, reinterpret_cast<PCRE2_UCHAR *>(out.data()), &out_len);
		if (rc >= 0) {
			out.resize(out_len);
			return out;
		}
		if (rc != PCRE2_ERROR_NOMEMORY)
			return std::string(subject); // match limit or other failure: leave the text as it is
		out.resize(out_len);
	}
	return std::string(subject);
}

bool Regex::matches_prefix(std::string_view subject) const {
	std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> data(
	    pcre2_match_data_create_from_pattern(code_, nullptr), pcre2_match_data_free);
	int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
	                     PCRE2_ANCHORED, data.get(), match_context());
	return rc >= 0;
}

} // namespace triage
