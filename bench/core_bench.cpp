// Micro-benchmarks of the core (Google Benchmark): grouping one ~4 KB Node event and one
// ~20 KB Java event, parse included, in both hash modes, with the stack-trace cache warm (the
// steady state of repeated stack traces) and off (a stack trace seen for the first time).
//     build/core_bench [--benchmark_repetitions=10]
#include <benchmark/benchmark.h>

#include <string>

#include "grouping.hpp"

using namespace triage;

namespace {

// A Node event shaped like ../shared/bench/gen_events.py's (about 3.9 KB).
std::string node_event() {
	std::string frames;
	const char *modules[] = {"api", "billing", "auth", "db", "cache", "worker"};
	for (int i = 0; i < 19; i++) {
		bool in_app = i % 3 != 0;
		std::string m = modules[i % 6];
		if (!frames.empty())
			frames += ",";
		frames += R"({"filename":")" +
		          (in_app ? "/srv/app/" + m + "/" + m + "_" + std::to_string(i) + ".js"
		                  : "node_modules/lib" + std::to_string(i) + "/index.js") +
		          R"(","module":")" + m + R"(","function":")" + m + "Handler" + std::to_string(i * 7) +
		          R"(","lineno":)" + std::to_string(100 + i) + R"(,"colno":17,"in_app":)" + (in_app ? "true" : "false") +
		          R"(,"context_line":"    const x = await )" + m + R"J(.call(arg3);"})J";
	}
	return R"({"event_id":"9f2c4b1e8a7d4c3b9e1f0a2b3c4d5e6f","timestamp":1795294011.157,"platform":"node","level":"error",)"
	       R"("release":"app@1.2.0","environment":"production","exception":{"values":[{"type":"TypeError",)"
	       R"J("value":"Cannot read properties of undefined (reading 'x48213')","stacktrace":{"frames":[)J" +
	       frames +
	       R"(]},"mechanism":{"type":"generic","handled":true}}]},"tags":{"route":"/api/v1/thing","region":"eu"},)"
	       R"("user":{"id":"4211"},"sdk":{"name":"sentry.javascript.node","version":"11.12.0"}})";
}

// A Java event with a deep framework stack (about 20 KB).
std::string java_event() {
	const char *packages[] = {"org.springframework.web.servlet", "org.apache.catalina.core", "org.apache.tomcat.util.net",
	                          "com.example.shop.orders", "com.example.shop.payments", "java.util.concurrent"};
	std::string frames;
	for (int i = 0; i < 125; i++) {
		std::string pkg = packages[i % 6];
		bool in_app = pkg.rfind("com.example", 0) == 0;
		std::string cls = "Component" + std::to_string(i % 17);
		if (!frames.empty())
			frames += ",";
		frames += R"({"module":")" + pkg + "." + cls + R"(","function":"invoke)" + std::to_string(i % 5) +
		          R"(","filename":")" + cls + R"(.java","abs_path":")" + cls + R"(.java","lineno":)" +
		          std::to_string(200 + i) + R"(,"in_app":)" + (in_app ? "true" : "false") + "}";
	}
	return R"({"event_id":"0f2c4b1e8a7d4c3b9e1f0a2b3c4d5e6f","platform":"java","level":"error","release":"shop@3.1.0",)"
	       R"("exception":{"values":[{"type":"IllegalStateException","module":"java.lang",)"
	       R"("value":"Order 991823 is in state PAID, expected NEW","stacktrace":{"frames":[)" +
	       frames + R"(]}}]}})";
}

void group_event(benchmark::State &state, const std::string &event, HashAlgorithm algorithm, bool cache = true) {
	// As triage.grouping_hashes() runs it: text known to be UTF-8, hashes only.
	Grouper grouper(kDefaultGroupingConfig, "", "");
	grouper.set_stacktrace_cache_entries(cache ? kDefaultStacktraceCacheEntries : 0);
	for (auto _ : state) {
		GroupingResult r = grouper.group_json(event, algorithm, false, false);
		benchmark::DoNotOptimize(r.hashes.data());
	}
	state.counters["event_bytes"] = static_cast<double>(event.size());
	state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(event.size()));
}

void BM_Node4K_xxh3(benchmark::State &s) { group_event(s, node_event(), HashAlgorithm::xxh3_128); }
void BM_Node4K_md5(benchmark::State &s) { group_event(s, node_event(), HashAlgorithm::md5); }
void BM_Node4K_xxh3_uncached(benchmark::State &s) { group_event(s, node_event(), HashAlgorithm::xxh3_128, false); }
void BM_Java20K_xxh3(benchmark::State &s) { group_event(s, java_event(), HashAlgorithm::xxh3_128); }
void BM_Java20K_md5(benchmark::State &s) { group_event(s, java_event(), HashAlgorithm::md5); }
void BM_Java20K_xxh3_uncached(benchmark::State &s) { group_event(s, java_event(), HashAlgorithm::xxh3_128, false); }

} // namespace

BENCHMARK(BM_Node4K_xxh3)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Node4K_md5)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Node4K_xxh3_uncached)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Java20K_xxh3)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Java20K_md5)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Java20K_xxh3_uncached)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
