// Sentry's grouping test data, for the tests that check a piece of the engine against it. It
// lives in ../shared beside the checkout (CMake passes its path as TRIAGE_SHARED_DIR) and is not
// part of this repository: without it those tests are skipped with a message.
#pragma once

#include <fstream>
#include <string>
#include <vector>

namespace triage_test {

inline std::string conformance_file(const std::string &name) {
	return std::string(TRIAGE_SHARED_DIR) + "/conformance/sentry-grouping/" + name;
}

// The file's non-empty lines, or none when the file is absent.
inline std::vector<std::string> conformance_lines(const std::string &name) {
	std::vector<std::string> lines;
	std::ifstream in(conformance_file(name));
	for (std::string line; std::getline(in, line);)
		if (!line.empty())
			lines.push_back(line);
	return lines;
}

} // namespace triage_test

// Skips the test when the data file is absent; otherwise declares `lines`.
#define CONFORMANCE_LINES_OR_SKIP(lines, name)                                                                 \
	const std::vector<std::string> lines = triage_test::conformance_lines(name);                             \
	if (lines.empty())                                                                                         \
	GTEST_SKIP() << "conformance data not found: " << triage_test::conformance_file(name)
