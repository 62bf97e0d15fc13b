// Sentry grouping conformance: runs every case of Sentry's own grouping test data (md5 mode,
// the case's stack-trace and fingerprinting rules passed as rule arguments) and compares the
// whole hash list and each contributing variant's hashed values with what Sentry computed.
//
//   conformance CASES.jsonl [--min-match N] [--verbose] [--show NAME]
//
// --show NAME prints the grouping_info JSON of one case, for working on a mismatch.
//
// Prints "sentry-grouping conformance: N/M cases match" and the failures. Exits 1 when fewer
// than N cases match (default: all), 0 with a message when the data is absent.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "grouping.hpp"
#include "json.hpp"

using namespace triage;

namespace {

std::string to_json_text(const JsonValue &v) {
	rapidjson::StringBuffer buffer;
	rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
	v.Accept(writer);
	return std::string(buffer.GetString(), buffer.GetSize());
}

std::vector<std::string> strings_of(const JsonValue *array) {
	std::vector<std::string> out;
	if (array && array->IsArray())
		for (const auto &v : array->GetArray())
			out.push_back(v.IsString() ? std::string(string_of(v)) : to_json_text(v));
	return out;
}

std::string join(const std::vector<std::string> &values) {
	std::string out = "[";
	for (size_t i = 0; i < values.size(); i++) {
		if (i)
			out += ", ";
		append_json_string(out, values[i]);
	}
	return out + "]";
}

} // namespace

int main(int argc, char **argv) {
	if (argc < 2) {
		std::cerr << "usage: conformance CASES.jsonl [--min-match N] [--verbose]\n";
		return 2;
	}
	long min_match = -1;
	bool verbose = false;
	std::string show;
	for (int i = 2; i < argc; i++) {
		std::string arg = argv[i];
		if (arg == "--min-match" && i + 1 < argc)
			min_match = std::strtol(argv[++i], nullptr, 10);
		else if (arg == "--verbose")
			verbose = true;
		else if (arg == "--show" && i + 1 < argc)
			show = argv[++i];
	}
	std::ifstream in(argv[1]);
	if (!in) {
		std::cout << "sentry-grouping conformance: SKIPPED, " << argv[1]
		          << " not found (the shared conformance data is absent)\n";
		return 0;
	}

	int total = 0, matched = 0, component_checks = 0, component_mismatches = 0;
	std::string line;
	while (std::getline(in, line)) {
		if (line.empty())
			continue;
		total++;
		JsonDocument doc;
		parse_json(line, doc, "conformance case");
		std::string name(string_of(*member(doc, "name")));
		const JsonValue &event_json = *member(doc, "event");
		std::string stacktrace_rules, fingerprint_rules;
		if (const JsonValue *g = member_object(event_json, "_grouping"))
			if (auto e = member_string(*g, "enhancements"))
				stacktrace_rules = std::string(*e);
		if (const JsonValue *f = member(event_json, "_fingerprinting_rules"))
			fingerprint_rules = to_json_text(*f);
		std::vector<std::string> expected = strings_of(member(doc, "expected_hashes"));

		std::vector<std::string> problems;
		try {
			Grouper grouper(std::string(string_of(*member(doc, "config"))), stacktrace_rules, fingerprint_rules);
			Event event = read_event(event_json);
			GroupingResult result = grouper.group(event, HashAlgorithm::md5);
			if (name == show)
				std::cout << grouping_info_json(result) << "\n";
			// The same event again takes the stack-trace cache's path: it must change nothing.
			Event again = read_event(event_json);
			GroupingResult cached = grouper.group(again, HashAlgorithm::md5);
			if (cached.hashes != result.hashes)
				problems.push_back("cached grouping differs: " + join(cached.hashes) + " != " + join(result.hashes));
			for (size_t v = 0; v < result.variants.size() && v < cached.variants.size(); v++)
				if (cached.variants[v].hashed_values != result.variants[v].hashed_values)
					problems.push_back("cached grouping of variant " + result.variants[v].name + " differs");
			if (result.hashes != expected)
				problems.push_back("hashes " + join(result.hashes) + " != expected " + join(expected));
			if (const JsonValue *by_variant = member_object(doc, "expected_components_by_variant"))
				for (auto it = by_variant->MemberBegin(); it != by_variant->MemberEnd(); ++it) {
					if (!it->value.IsArray())
						continue;
					component_checks++;
					std::string variant_name(string_of(it->name));
					std::vector<std::string> want = strings_of(&it->value);
					const Variant *got = nullptr;
					for (const auto &v : result.variants)
						if (v.name == variant_name)
							got = &v;
					if (!got) {
						component_mismatches++;
						problems.push_back("variant " + variant_name + " missing");
					} else if (got->hashed_values != want) {
						component_mismatches++;
						problems.push_back("variant " + variant_name + " values " + join(got->hashed_values) +
						                   " != expected " + join(want));
					}
				}
		} catch (const std::exception &e) {
			problems.push_back(std::string("error: ") + e.what());
		}
		if (problems.empty()) {
			matched++;
		} else {
			std::cout << "MISMATCH " << name << "\n";
			for (const auto &p : problems)
				std::cout << "    " << (verbose || p.size() < 600 ? p : p.substr(0, 600) + "...") << "\n";
		}
	}
	std::cout << "sentry-grouping conformance: " << matched << "/" << total << " cases match"
	          << " (component lists: " << component_checks - component_mismatches << "/" << component_checks
	          << " match)\n";
	if (min_match < 0)
		min_match = total;
	if (matched < min_match) {
		std::cout << "conformance below the required " << min_match << " matching cases\n";
		return 1;
	}
	return 0;
}
