// Sentry's normalized SDK name (normalize_sdk_tag): the canonical form of an event's sdk.name that
// fingerprinting rules match ("sdk:") and group metadata stores.
#pragma once

#include <string>
#include <string_view>

namespace triage {

// sentry.python, sentry.javascript.node, sentry.native.unity, ... or "other" (also for an empty
// name): separators become dots, synonyms are folded, frameworks are dropped (all but JavaScript
// and native), and names outside Sentry's known list become "other".
std::string normalize_sdk_name(std::string_view name);

} // namespace triage
