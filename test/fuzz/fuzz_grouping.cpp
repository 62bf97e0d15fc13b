// libFuzzer target over everything in the core that reads untrusted text: event JSON through
// the whole grouping pipeline (both hash algorithms, grouping_info), stack-trace rule text,
// fingerprinting rule text or JSON, and message normalization. The first byte picks the input
// kind. triage::Error is the expected answer to bad input; anything else escaping is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "grouping.hpp"
#include "parameterize.hpp"

namespace {
const triage::Grouper &default_grouper() {
	static const triage::Grouper grouper(triage::kDefaultGroupingConfig, "", "");
	return grouper;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size == 0)
		return 0;
	std::string_view input(reinterpret_cast<const char *>(data + 1), size - 1);
	try {
		switch (data[0] % 4) {
		case 0: {
			auto result = default_grouper().group_json(input, triage::HashAlgorithm::xxh3_128);
			triage::grouping_info_json(result);
			default_grouper().group_json(input, triage::HashAlgorithm::md5);
			break;
		}
		case 1: {
			triage::Grouper grouper(triage::kDefaultGroupingConfig, input, "");
			grouper.group_json(R"({"exception":{"values":[{"type":"E","stacktrace":{"frames":[{"function":"f","in_app":true}]}}]}})",
			                   triage::HashAlgorithm::md5);
			break;
		}
		case 2: {
			triage::Grouper grouper(triage::kDefaultGroupingConfig, "", input);
			grouper.group_json(R"({"message":"boom","exception":{"values":[{"type":"E","value":"v"}]}})",
			                   triage::HashAlgorithm::md5);
			break;
		}
		default: triage::normalize_message(input); break;
		}
	} catch (const triage::Error &) {
	}
	return 0;
}
