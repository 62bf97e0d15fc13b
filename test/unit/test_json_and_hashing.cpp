// The JSON layer (duplicate keys, depth and encoding limits) and the value hashers.
#include <gtest/gtest.h>

#include "event.hpp"
#include "hashing.hpp"
#include "json.hpp"

using namespace triage;

TEST(Json, DuplicateKeysResolveToTheLastOccurrence) {
	JsonDocument doc;
	parse_json(R"({"platform":"python","platform":"java","level":"error"})", doc);
	EXPECT_EQ(*member_string(doc, "platform"), "java");
	EXPECT_EQ(read_event(doc).platform, "java");
}

TEST(Json, InvalidJsonIsInvalidJsonWithOffset) {
	JsonDocument doc;
	try {
		parse_json(R"({"a": [1, 2,)", doc);
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.kind(), ErrorKind::invalid_json);
		EXPECT_NE(std::string(e.what()).find("at byte"), std::string::npos);
	}
}

TEST(Json, InvalidUtf8IsInvalidJson) {
	JsonDocument doc;
	std::string text = "{\"message\":\"caf\xC3\x28\"}";
	try {
		parse_json(text, doc);
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.kind(), ErrorKind::invalid_json);
	}
}

TEST(Json, NestingBeyondTheLimitIsAProgramLimit) {
	std::string deep(10000, '[');
	deep += std::string(10000, ']');
	JsonDocument doc;
	try {
		parse_json(deep, doc);
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.kind(), ErrorKind::program_limit);
	}
	JsonDocument ok;
	std::string shallow = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
	EXPECT_NO_THROW(parse_json(shallow, ok));
}

TEST(Json, WrongShapedFieldsAreIgnoredFieldByField) {
	JsonDocument doc;
	parse_json(R"({"exception":"boom","threads":7,"stacktrace":{"frames":[1,"x",null,{"function":"f","lineno":"12"}]},
	              "fingerprint":"nope","tags":[["a","b"],["c"]],"logentry":{"formatted":3},"message":"hello"})",
	           doc);
	Event e = read_event(doc);
	EXPECT_TRUE(e.exceptions.empty());
	EXPECT_TRUE(e.threads.empty());
	ASSERT_TRUE(e.stacktrace);
	ASSERT_EQ(e.stacktrace->frames.size(), 1u);
	EXPECT_EQ(e.stacktrace->frames[0].function, "f");
	EXPECT_FALSE(e.stacktrace->frames[0].lineno);
	EXPECT_FALSE(e.fingerprint);
	ASSERT_EQ(e.tags.size(), 1u);
	EXPECT_EQ(*e.logentry_formatted, "hello");
}

TEST(Json, NonObjectEventIsRejected) {
	JsonDocument doc;
	parse_json("[1,2]", doc);
	try {
		read_event(doc);
		FAIL() << "no error";
	} catch (const Error &e) {
		EXPECT_EQ(e.kind(), ErrorKind::invalid_parameter);
	}
}

TEST(Json, ExceptionAsBareListAndFramePlatformFallback) {
	JsonDocument doc;
	parse_json(R"({"platform":"node","exception":[{"type":"E","stacktrace":{"frames":[{"function":"a"},{"function":"b","platform":"java"}]}}]})",
	           doc);
	Event e = read_event(doc);
	ASSERT_EQ(e.exceptions.size(), 1u);
	EXPECT_EQ(e.exceptions[0].stacktrace->frames[0].platform, "node");
	EXPECT_EQ(e.exceptions[0].stacktrace->frames[1].platform, "java");
}

TEST(Hashing, Md5MatchesKnownDigests) {
	ValueHasher empty(HashAlgorithm::md5);
	EXPECT_EQ(empty.hex(), "d41d8cd98f00b204e9800998ecf8427e");
	ValueHasher split(HashAlgorithm::md5);
	split.update("Value");
	split.update("Error");
	EXPECT_EQ(split.hex(), "5a2cfd89b7b171fd7b4794b08023d04f"); // md5("ValueError"): no separators
}

TEST(Hashing, Xxh3MatchesTheReferenceTool) {
	// Values from xxh128sum (Debian's xxhash package).
	ValueHasher empty(HashAlgorithm::xxh3_128);
	EXPECT_EQ(empty.hex(), "99aa06d3014798d86001c324468d497f");
	ValueHasher split(HashAlgorithm::xxh3_128);
	split.update("Value");
	split.update("Error");
	EXPECT_EQ(split.hex(), "570169d354e59e27eaf682034e07395d");
}

TEST(Hashing, AlgorithmNames) {
	EXPECT_EQ(parse_hash_algorithm("md5"), HashAlgorithm::md5);
	EXPECT_EQ(parse_hash_algorithm("xxh3_128"), HashAlgorithm::xxh3_128);
	EXPECT_THROW(parse_hash_algorithm("sha1"), Error);
	EXPECT_TRUE(is_hex32("0123456789abcdef0123456789abcdef"));
	EXPECT_FALSE(is_hex32("0123456789ABCDEF0123456789abcdef"));
}

TEST(Json, LoneSurrogateEscapesAreInvalidJson) {
	for (const char *text : {R"({"m":"\udc00"})", R"({"m":"\ud800"})", R"({"\udfff":1})"}) {
		JsonDocument doc;
		try {
			parse_json(text, doc);
			FAIL() << "no error for " << text;
		} catch (const Error &e) {
			EXPECT_EQ(e.kind(), ErrorKind::invalid_json) << text;
		}
	}
	JsonDocument ok;
	EXPECT_NO_THROW(parse_json(R"({"m":"\ud83d\ude00 caf\u00e9"})", ok)); // a valid pair and a BMP escape
}
