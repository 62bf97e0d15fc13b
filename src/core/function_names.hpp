// Function-name normalization for grouping (Sentry's trim_function_name): native and other
// platforms' symbol names lose argument lists, return types and template arguments so that
// the same function groups alike across builds and compilers.
#pragma once

#include <string>
#include <string_view>

namespace triage {

// Returns the name a frame's function component hashes. platform is the frame's platform
// (frame.platform or the event's). Names that need no change come back unchanged.
std::string trim_function_name(std::string_view function, std::string_view platform);

} // namespace triage
