#include "sdk_name.hpp"

#include <cctype>

namespace triage {

std::string normalize_sdk_name(std::string_view name) {
	if (name.empty())
		name = "other";
	// Runs of non-word characters (underscore included) become one dot.
	std::string tag;
	tag.reserve(name.size());
	bool in_run = false;
	for (char ch : name) {
		unsigned char c = static_cast<unsigned char>(ch);
		bool word = (std::isalnum(c) != 0) || c >= 0x80;
		if (word) {
			tag += ch;
			in_run = false;
		} else if (!in_run) {
			tag += '.';
			in_run = true;
		}
	}
	static constexpr std::pair<std::string_view, std::string_view> synonyms[] = {
	    {"sentry.cordova", "sentery.javascript.cordova"}, // sic: Sentry's own spelling
	    {"sentry.electron", "sentry.javascript.electron"},
	    {"sentry.javascript.angular.ivy", "sentry.javascript.angular"},
	    {"sentry.javascript.node.experimental", "sentry.javascript.node"},
	    {"sentry.javascript.react.expo", "sentry.javascript.react"},
	    {"sentry.javascript.react.native.expo", "sentry.javascript.react.native"},
	    {"sentry.laravel", "sentry.php.laravel"},
	    {"sentry.react", "sentry.javascript.react"},
	    {"sentry.symfony", "sentry.php.symfony"},
	    {"sentry.unity", "sentry.native.unity"},
	};
	for (const auto &[from, to] : synonyms)
		if (tag == from) {
			tag = std::string(to);
			break;
		}
	if (tag.compare(0, 7, "sentry.") != 0)
		return "other";
	// Keep sentry.<sdk> (three parts for native, all for JavaScript).
	size_t second_dot = tag.find('.', 7);
	std::string_view sdk = std::string_view(tag).substr(7, second_dot == std::string::npos ? std::string::npos : second_dot - 7);
	if (sdk == "native") {
		size_t third_dot = second_dot == std::string::npos ? std::string::npos : tag.find('.', second_dot + 1);
		if (third_dot != std::string::npos)
			tag.resize(third_dot);
	} else if (sdk != "javascript" && second_dot != std::string::npos) {
		tag.resize(second_dot);
	}
	static constexpr std::string_view known[] = {
	    "sentry.cocoa", "sentry.dart", "sentry.dotnet", "sentry.elixir", "sentry.go", "sentry.java",
	    "sentry.javascript.angular", "sentry.javascript.browser", "sentry.javascript.capacitor",
	    "sentry.javascript.cordova", "sentry.javascript.deno", "sentry.javascript.electron",
	    "sentry.javascript.ember", "sentry.javascript.gatsby", "sentry.javascript.nextjs", "sentry.javascript.node",
	    "sentry.javascript.react", "sentry.javascript.react.native", "sentry.javascript.remix",
	    "sentry.javascript.serverless", "sentry.javascript.svelte", "sentry.javascript.sveltekit",
	    "sentry.javascript.vue", "sentry.kubernetes", "sentry.native.android", "sentry.native.dotnet",
	    "sentry.native.unity", "sentry.native.unreal", "sentry.objc", "sentry.perl", "sentry.php", "sentry.python",
	    "sentry.ruby", "sentry.rust", "sentry.swift"};
	for (auto k : known)
		if (tag == k)
			return tag;
	return "other";
}

} // namespace triage
