// The grouping strategies, variants and hash list, one behaviour per test.
#include <gtest/gtest.h>

#include "grouping.hpp"
#include "hashing.hpp"

using namespace triage;

namespace {

GroupingResult group(const std::string &json, const std::string &stacktrace_rules = "",
                     const std::string &fingerprint_rules = "", HashAlgorithm algorithm = HashAlgorithm::md5) {
	Grouper grouper(kDefaultGroupingConfig, stacktrace_rules, fingerprint_rules);
	return grouper.group_json(json, algorithm);
}

const Variant *variant(const GroupingResult &r, const std::string &name) {
	for (const auto &v : r.variants)
		if (v.name == name)
			return &v;
	return nullptr;
}

std::string md5_of(std::initializer_list<std::string> values) {
	ValueHasher h(HashAlgorithm::md5);
	for (const auto &v : values)
		h.update(v);
	return h.hex();
}

// Python frames, so that context lines count and no default rule changes them.
const char *kTwoFrames = R"J("stacktrace":{"frames":[
	{"module":"app.views","function":"handle","context_line":"  do_it()  ","in_app":true},
	{"module":"lib.core","function":"do_it","context_line":"raise ValueError(x)","in_app":false}]})J";

} // namespace

TEST(Grouping, ChecksumIsUsedAsGiven) {
	auto r = group(R"({"checksum":"0123456789abcdef0123456789abcdef","message":"x"})");
	ASSERT_EQ(r.hashes.size(), 1u);
	EXPECT_EQ(r.hashes[0], "0123456789abcdef0123456789abcdef");
	EXPECT_EQ(r.variants[0].name, "checksum");
}

TEST(Grouping, NonHexChecksumIsHashed) {
	auto r = group(R"({"checksum":"not-a-hash"})");
	ASSERT_EQ(r.hashes.size(), 1u);
	EXPECT_EQ(r.hashes[0], md5_of({"not-a-hash"}));
	EXPECT_EQ(r.variants[0].name, "hashed_checksum");
}

TEST(Grouping, EmptyEventFallsBack) {
	auto r = group("{}");
	ASSERT_EQ(r.hashes, std::vector<std::string>{"d41d8cd98f00b204e9800998ecf8427e"});
	EXPECT_EQ(r.variants.back().name, "fallback");
}

TEST(Grouping, MessageIsParameterized) {
	auto a = group(R"({"logentry":{"formatted":"timeout after 31ms on 10.0.0.1"}})");
	auto b = group(R"({"logentry":{"formatted":"timeout after 2ms on 10.0.0.7"}})");
	EXPECT_EQ(a.hashes, b.hashes);
	ASSERT_TRUE(variant(a, "default"));
	EXPECT_EQ(variant(a, "default")->hashed_values, std::vector<std::string>{"timeout after <duration> on <ip>"});
}

TEST(Grouping, MessagePrefersTheTemplate) {
	auto r = group(R"({"logentry":{"message":"Hello %s","formatted":"Hello Peter"}})");
	EXPECT_EQ(variant(r, "default")->hashed_values, std::vector<std::string>{"Hello %s"});
}

TEST(Grouping, ExceptionWithoutStacktraceHasOnlyAppVariant) {
	auto r = group(R"({"exception":{"values":[{"type":"ValueError","value":"bad 42"}]}})");
	ASSERT_EQ(r.hashes.size(), 1u);
	EXPECT_EQ(r.hashes[0], md5_of({"ValueError", "bad <int>"}));
	EXPECT_FALSE(variant(r, "system"));
}

TEST(Grouping, StacktraceTakesPrecedenceOverValueAndSystemFollowsApp) {
	std::string json = std::string(R"({"platform":"python","exception":{"values":[{"type":"ValueError","value":"v",)") +
	                   kTwoFrames + "}]}}";
	auto r = group(json);
	ASSERT_EQ(r.hashes.size(), 2u);
	const Variant *app = variant(r, "app");
	const Variant *system = variant(r, "system");
	ASSERT_TRUE(app && system);
	EXPECT_EQ(app->hashed_values, (std::vector<std::string>{"ValueError", "app.views", "handle", "do_it()"}));
	EXPECT_EQ(system->hashed_values, (std::vector<std::string>{"ValueError", "app.views", "handle", "do_it()",
	                                                            "lib.core", "do_it", "raise ValueError(x)"}));
	EXPECT_EQ(r.hashes.back(), *system->hash); // system last
}

TEST(Grouping, SystemVariantEqualToAppIsDropped) {
	auto r = group(R"({"platform":"python","exception":{"values":[{"type":"E","stacktrace":{"frames":[
		{"module":"m","function":"f","in_app":true}]}}]}})");
	ASSERT_EQ(r.hashes.size(), 1u);
	EXPECT_FALSE(variant(r, "system")->contributes());
}

TEST(Grouping, RecursionIsCollapsed) {
	auto r = group(R"({"platform":"python","stacktrace":{"frames":[
		{"module":"m","function":"f","lineno":3,"in_app":true},
		{"module":"m","function":"f","lineno":3,"in_app":true},
		{"module":"m","function":"f","lineno":4,"in_app":true}]}})");
	EXPECT_EQ(variant(r, "app")->hashed_values, (std::vector<std::string>{"m", "f", "m", "f"}));
}

TEST(Grouping, ModuleTakesPrecedenceOverFilenameWhichIsALowercasedBasename) {
	auto r = group(R"({"platform":"python","stacktrace":{"frames":[
		{"filename":"C:\\Src\\App\\Views.PY","function":"f","in_app":true},
		{"module":"pkg.mod","filename":"pkg/mod.py","function":"g","in_app":true}]}})");
	EXPECT_EQ(variant(r, "app")->hashed_values, (std::vector<std::string>{"views.py", "f", "pkg.mod", "g"}));
}

TEST(Grouping, CustomFingerprintReplacesEverything) {
	auto r = group(R"({"fingerprint":["db-down","{{ type }}"],"exception":{"values":[{"type":"E","value":"x"}]}})");
	ASSERT_EQ(r.hashes.size(), 1u);
	EXPECT_EQ(r.hashes[0], md5_of({"db-down", "E"}));
	EXPECT_EQ(r.variants.back().name, "custom_client_fingerprint");
	EXPECT_FALSE(variant(r, "app")->contributes());
}

TEST(Grouping, HybridFingerprintSaltsEachVariant) {
	auto r = group(R"({"fingerprint":["{{ default }}","extra"],"exception":{"values":[{"type":"E","value":"x"}]}})");
	ASSERT_EQ(r.hashes.size(), 1u);
	EXPECT_EQ(r.hashes[0], md5_of({"E", "x", "extra"}));
	EXPECT_EQ(variant(r, "app")->type, "salted_component");
}

TEST(Grouping, DefaultFingerprintSpellingsAreEquivalent) {
	auto a = group(R"({"fingerprint":["{{default}}"],"message":"m"})");
	auto b = group(R"({"message":"m"})");
	EXPECT_EQ(a.hashes, b.hashes);
}

TEST(Grouping, ChainedExceptionsHashInStoredOrder) {
	auto r = group(R"({"exception":{"values":[{"type":"Inner","value":"a"},{"type":"Outer","value":"b"}]}})");
	EXPECT_EQ(r.hashes[0], md5_of({"Inner", "a", "Outer", "b"}));
}

TEST(Grouping, ExceptionGroupWithOneDistinctChildUsesIt) {
	auto r = group(R"({"exception":{"values":[
		{"type":"Da","value":"x","mechanism":{"exception_id":2,"parent_id":0}},
		{"type":"Da","value":"x","mechanism":{"exception_id":1,"parent_id":0}},
		{"type":"Group","value":"g","mechanism":{"exception_id":0,"is_exception_group":true}}]}})");
	EXPECT_EQ(r.hashes[0], md5_of({"Da", "x"}));
}

TEST(Grouping, ThreadsUseTheCrashedThread) {
	auto r = group(R"({"platform":"python","threads":{"values":[
		{"id":1,"stacktrace":{"frames":[{"module":"a","function":"idle","in_app":true}]}},
		{"id":2,"crashed":true,"stacktrace":{"frames":[{"module":"b","function":"boom","in_app":true}]}}]}})");
	EXPECT_EQ(variant(r, "app")->hashed_values, (std::vector<std::string>{"b", "boom"}));
}

TEST(Grouping, CspUsesDirectiveAndOrigin) {
	auto r = group(R"({"csp":{"effective_directive":"img-src","blocked_uri":"https://cdn.example.com/a.png"}})");
	EXPECT_EQ(variant(r, "default")->hashed_values, (std::vector<std::string>{"img-src", "cdn.example.com"}));
	auto local = group(R"({"csp":{"effective_directive":"script-src","blocked_uri":"","violated_directive":"script-src 'unsafe-inline'"}})");
	EXPECT_EQ(variant(local, "default")->hashed_values, (std::vector<std::string>{"script-src", "'unsafe-inline'"}));
}

TEST(Grouping, HpkpAndTemplate) {
	auto h = group(R"({"hpkp":{"hostname":"example.com"}})");
	EXPECT_EQ(variant(h, "default")->hashed_values, (std::vector<std::string>{"hpkp", "example.com"}));
	auto t = group(R"({"template":{"filename":"foo.html","context_line":"{% bad %}"}})");
	EXPECT_EQ(variant(t, "default")->hashed_values, (std::vector<std::string>{"foo.html", "{% bad %}"}));
}

TEST(Grouping, JavaCodegenMarkersBecomeAuto) {
	auto r = group(R"({"platform":"java","stacktrace":{"frames":[
		{"module":"com.example.Foo$$EnhancerBySpringCGLIB$$1a2b3c","function":"run","in_app":true},
		{"module":"sun.reflect.GeneratedMethodAccessor42","function":"invoke","in_app":true},
		{"module":"com.example.Bar$$Lambda$12/0x0000000800c02000","function":"apply","in_app":true}]}})");
	// The module component of each frame of the system variant's stack trace.
	const Component &stacktrace = variant(r, "system")->root->child_components().at(0);
	ASSERT_EQ(stacktrace.id, "stacktrace");
	const auto &frames = stacktrace.child_components();
	ASSERT_EQ(frames.size(), 3u);
	const Component &enhanced = frames[0].child_components().at(0);
	const Component &accessor = frames[1].child_components().at(0);
	const Component &lambda = frames[2].child_components().at(0);
	EXPECT_EQ(enhanced.values.at(0), "com.example.Foo$$EnhancerBySpringCGLIB$$<auto>");
	EXPECT_EQ(accessor.values.at(0), "sun.reflect.GeneratedMethodAccessor");
	EXPECT_EQ(lambda.id, "module");
	EXPECT_FALSE(lambda.contributes);
}

TEST(Grouping, Xxh3HashesTheSameBytesAsMd5) {
	std::string json = R"({"exception":{"values":[{"type":"E","value":"x"}]}})";
	auto r = group(json, "", "", HashAlgorithm::xxh3_128);
	ValueHasher h(HashAlgorithm::xxh3_128);
	h.update("E");
	h.update("x");
	EXPECT_EQ(r.hashes, std::vector<std::string>{h.hex()});
}

TEST(Grouping, HashesWithoutDetailsAreTheSame) {
	Grouper grouper(kDefaultGroupingConfig, "", "");
	for (const char *json :
	     {R"({"platform":"python","exception":{"values":[{"type":"E","value":"v 42","stacktrace":{"frames":[
	          {"module":"a","function":"f","in_app":true},{"module":"b","function":"g"}]}}]}})",
	      R"({"fingerprint":["{{ default }}","x"],"exception":{"values":[{"type":"E","value":"v 1"}]}})",
	      R"({"fingerprint":["custom"],"message":"m"})", R"({"checksum":"abc"})", "{}"}) {
		auto full = grouper.group_json(json, HashAlgorithm::md5);
		auto lean = grouper.group_json(json, HashAlgorithm::md5, true, false);
		EXPECT_EQ(full.hashes, lean.hashes) << json;
		for (const auto &v : lean.variants)
			EXPECT_TRUE(v.hashed_values.empty()) << json;
	}
}

TEST(Grouping, StacktraceCacheHitsGiveTheSameResult) {
	Grouper grouper(kDefaultGroupingConfig, "", "");
	std::string json = R"J({"platform":"node","exception":{"values":[{"type":"TypeError","value":"x 1","stacktrace":{"frames":[
		{"filename":"/srv/app/a.js","function":"Object.route","in_app":true,"context_line":"  go()"},
		{"filename":"node_modules/lib/index.js","function":"call"}]}}]}})J";
	auto first = grouper.group_json(json, HashAlgorithm::md5);
	auto second = grouper.group_json(json, HashAlgorithm::md5);
	EXPECT_EQ(first.hashes, second.hashes);
	EXPECT_EQ(grouping_info_json(first), grouping_info_json(second));
	auto stats = grouper.stacktrace_cache_stats();
	EXPECT_EQ(stats.misses, 1u);
	EXPECT_EQ(stats.hits, 1u);
	grouper.set_stacktrace_cache_entries(0);
	auto uncached = grouper.group_json(json, HashAlgorithm::md5);
	EXPECT_EQ(grouping_info_json(uncached), grouping_info_json(first));
	EXPECT_EQ(grouper.stacktrace_cache_stats().entries, 0u);
}

TEST(Grouping, UnknownConfigIsRejected) {
	EXPECT_THROW(Grouper("newstyle:1999-01-01", "", ""), Error);
}

TEST(Grouping, InfoJsonNamesVariantsAndComponents) {
	auto r = group(R"({"exception":{"values":[{"type":"E","value":"x"}]}})");
	std::string info = grouping_info_json(r);
	EXPECT_NE(info.find("\"config\":\"newstyle:2026-01-20\""), std::string::npos);
	EXPECT_NE(info.find("\"app\":{\"type\":\"component\""), std::string::npos);
	EXPECT_NE(info.find("\"id\":\"exception\""), std::string::npos);
}

TEST(Grouping, FingerprintRuleTitlesAreResolved) {
	auto r = group(R"({"transaction":"/checkout","exception":{"values":[{"type":"Timeout","value":"x"}]}})", "",
	               R"(type:Timeout -> timeout, {{ transaction }} title="Timeout in {{ transaction }}")");
	ASSERT_TRUE(r.fingerprint_title);
	EXPECT_EQ(*r.fingerprint_title, "Timeout in /checkout");
	EXPECT_EQ(r.hashes, std::vector<std::string>{md5_of({"timeout", "/checkout"})});
}

TEST(Grouping, StacktraceCacheStaysWithinItsCapacity) {
	Grouper grouper(kDefaultGroupingConfig, "", "");
	grouper.set_stacktrace_cache_entries(2);
	Grouper uncached(kDefaultGroupingConfig, "", "");
	uncached.set_stacktrace_cache_entries(0);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 5; i++) {
			std::string json = R"({"platform":"python","stacktrace":{"frames":[{"module":"m)" + std::to_string(i) +
			                   R"(","function":"f","in_app":true}]}})";
			EXPECT_EQ(grouper.group_json(json, HashAlgorithm::md5).hashes,
			          uncached.group_json(json, HashAlgorithm::md5).hashes);
			EXPECT_LE(grouper.stacktrace_cache_stats().entries, 2u);
		}
}
