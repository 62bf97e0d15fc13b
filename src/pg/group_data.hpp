// An issue's title and data as events update them (section 7 of the save-path notes); the SQL
// functions triage.updated_title() and triage.merge_group_data() follow the same rule.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace triage_pg {

// <untitled>, <unknown>, <unlabeled event> and Error (triage.is_placeholder_title()).
bool is_placeholder_title(std::string_view title);

// Placeholder titles (<untitled>, <unknown>, <unlabeled event>, Error) never replace a real one,
// and a placeholder title is replaced by whatever comes next. Null: no title.
std::optional<std::string> updated_title(const std::optional<std::string> &existing,
                                         const std::optional<std::string> &incoming);

} // namespace triage_pg
