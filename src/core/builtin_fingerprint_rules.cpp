// The built-in fingerprinting rules of the grouping configs. Every current config uses Sentry's
// "javascript@2024-02-02" base, whose facts are restated here in our own rule text.
#include <string>

#include "fingerprinting.hpp"

namespace triage {

namespace {

// Failed chunk loads (webpack and friends) become one issue whatever the chunk: recognized by the
// exception type, or by a value that starts with the type name.
constexpr std::string_view kChunkLoadRules = "family:javascript type:ChunkLoadError -> chunkloaderror\n"
                                             "family:javascript value:\"ChunkLoadError*\" -> chunkloaderror\n";

// React's hydration failures become one issue per transaction (the tag the SDK sets). Messages
// match whole, ignoring case.
constexpr std::string_view kHydrationMessages[] = {
    "Hydration failed because the initial UI does not match what was rendered on the server.",
    "The server could not finish this Suspense boundary, likely due to an error during server rendering. "
    "Switched to client rendering.",
    "There was an error while hydrating this Suspense boundary. Switched to client rendering.",
    "There was an error while hydrating. Because the error happened outside of a Suspense boundary, the entire "
    "root will switch to client rendering.",
    "Text content does not match server-rendered HTML.",
};

std::string javascript_rules() {
	std::string text(kChunkLoadRules);
	for (std::string_view message : kHydrationMessages) {
		text += "family:javascript tags.transaction:* message:\"";
		text += message;
		text += "\" -> hydrationerror, {{ tags.transaction }}\n";
	}
	return text;
}

} // namespace

const FingerprintRules *builtin_fingerprint_rules(std::string_view config_id) {
	if (config_id != "newstyle:2026-01-20" && config_id != "newstyle:2025-11-21" && config_id != "newstyle:2023-01-11")
		return nullptr;
	static const FingerprintRules javascript = FingerprintRules::parse(javascript_rules());
	return &javascript;
}

} // namespace triage
