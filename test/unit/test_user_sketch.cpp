// Users-seen sketch (user_sketch.hpp): exact hash list up to 256 users, then 4096 HyperLogLog
// registers read with Ertl's improved estimator; the serialized format and its checks; merges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "errors.hpp"
#include "user_sketch.hpp"

using namespace triage;

namespace {

std::string user_key(int seed, int64_t i) { return "user-" + std::to_string(seed) + "-" + std::to_string(i); }

// The sketch of users [begin, end) of one seed.
std::string sketch_of(int seed, int64_t begin, int64_t end) {
	std::string sketch;
	for (int64_t i = begin; i < end; i++)
		user_sketch_add(sketch, user_key(seed, i));
	return sketch;
}

uint64_t stored_hash(const std::string &sketch, size_t i) {
	uint64_t hash = 0;
	for (size_t b = 0; b < 8; b++)
		hash |= uint64_t(static_cast<unsigned char>(sketch[1 + i * 8 + b])) << (8 * b);
	return hash;
}

// Registers as the format describes them, computed independently of the implementation.
std::string registers_for(const std::vector<uint64_t> &hashes) {
	std::string expected(1 + 4096, '\0');
	expected[0] = 0x02;
	for (uint64_t hash : hashes) {
		int rank = 1;
		for (uint64_t bit = uint64_t(1) << 51; bit != 0 && !(hash & bit); bit >>= 1)
			rank++;
		char &reg = expected[1 + (hash >> 52)];
		reg = std::max<char>(reg, static_cast<char>(rank));
	}
	return expected;
}

ErrorKind estimate_error(const std::string &sketch) {
	try {
		user_sketch_estimate(sketch);
	} catch (const Error &error) {
		return error.kind();
	}
	ADD_FAILURE() << "no error for a sketch of " << sketch.size() << " bytes";
	return ErrorKind::invalid_json;
}

double relative_error(uint64_t estimate, int64_t n) { return (double(estimate) - double(n)) / double(n); }

} // namespace

TEST(UserSketchHash, IsXxh3SixtyFourOfTheKeyBytes) {
	// Reference values from xxhsum -H3; the stored format depends on them.
	EXPECT_EQ(user_sketch_hash(""), 0x2d06800538d394c2u);
	EXPECT_EQ(user_sketch_hash("a"), 0xe6c632b61e964e1fu);
}

TEST(UserSketchExact, EmptySketchIsZeroBytesAndCountsNobody) {
	std::string sketch;
	EXPECT_EQ(user_sketch_estimate(sketch), 0u);
	EXPECT_TRUE(user_sketch_add(sketch, ""));  // an empty key is a user like any other
	EXPECT_EQ(user_sketch_estimate(sketch), 1u);
}

TEST(UserSketchExact, StoresDistinctHashesAscendingLittleEndian) {
	std::string sketch;
	EXPECT_TRUE(user_sketch_add(sketch, "alice"));
	EXPECT_TRUE(user_sketch_add(sketch, "bob"));
	EXPECT_FALSE(user_sketch_add(sketch, "alice"));
	EXPECT_FALSE(user_sketch_add(sketch, "bob"));
	EXPECT_TRUE(user_sketch_add(sketch, "carol"));
	ASSERT_EQ(sketch.size(), 1u + 3 * 8);
	EXPECT_EQ(sketch[0], 0x01);
	std::set<uint64_t> expected{user_sketch_hash("alice"), user_sketch_hash("bob"),
	                            user_sketch_hash("carol")};
	std::vector<uint64_t> stored{stored_hash(sketch, 0), stored_hash(sketch, 1), stored_hash(sketch, 2)};
	EXPECT_EQ(stored, std::vector<uint64_t>(expected.begin(), expected.end()));
	EXPECT_EQ(user_sketch_estimate(sketch), 3u);
	// A precomputed hash is the same user.
	EXPECT_FALSE(user_sketch_add_hash(sketch, user_sketch_hash("carol")));
	EXPECT_TRUE(user_sketch_add_hash(sketch, 0));
	EXPECT_TRUE(user_sketch_add_hash(sketch, UINT64_MAX));
	EXPECT_EQ(stored_hash(sketch, 0), 0u);
	EXPECT_EQ(stored_hash(sketch, 4), UINT64_MAX);
	EXPECT_EQ(user_sketch_estimate(sketch), 5u);
}

TEST(UserSketchExact, CountsExactlyUpToTheThresholdAndStaysSmall) {
	std::string sketch;
	for (size_t i = 0; i < kUserSketchMaxHashes; i++) {
		ASSERT_TRUE(user_sketch_add(sketch, user_key(1, int64_t(i)))) << i;
		ASSERT_EQ(user_sketch_estimate(sketch), i + 1);
		ASSERT_EQ(sketch.size(), 1 + 8 * (i + 1));
	}
	EXPECT_EQ(sketch.size(), 2049u);
	// Users already present: false, same bytes, same buffer.
	const std::string before = sketch;
	const char *buffer = sketch.data();
	const size_t capacity = sketch.capacity();
	for (size_t i = 0; i < kUserSketchMaxHashes; i++)
		ASSERT_FALSE(user_sketch_add(sketch, user_key(1, int64_t(i)))) << i;
	EXPECT_EQ(sketch, before);
	EXPECT_EQ(sketch.data(), buffer);
	EXPECT_EQ(sketch.capacity(), capacity);
}

TEST(UserSketchExact, SizeOfSmallSketches) {
	EXPECT_EQ(sketch_of(2, 0, 0).size(), 0u);
	EXPECT_EQ(sketch_of(2, 0, 1).size(), 9u);
	EXPECT_EQ(sketch_of(2, 0, 10).size(), 81u);
	EXPECT_LE(sketch_of(2, 0, 100).size(), 801u);
	EXPECT_EQ(sketch_of(2, 0, 257).size(), kUserSketchRegistersSize);
	EXPECT_EQ(sketch_of(2, 0, 100000).size(), kUserSketchRegistersSize);
}

TEST(UserSketchConversion, TheUserAfterTheThresholdTurnsTheListIntoRegisters) {
	std::string sketch = sketch_of(3, 0, 256);
	ASSERT_EQ(sketch[0], 0x01);
	std::vector<uint64_t> hashes;
	for (int64_t i = 0; i <= 256; i++)
		hashes.push_back(user_sketch_hash(user_key(3, i)));
	EXPECT_FALSE(user_sketch_add(sketch, user_key(3, 255)));
	EXPECT_EQ(sketch[0], 0x01);
	EXPECT_TRUE(user_sketch_add(sketch, user_key(3, 256)));
	ASSERT_EQ(sketch.size(), 4097u);
	EXPECT_EQ(sketch, registers_for(hashes));
	// Linear-counting territory: a handful of users off at most, and never below the exact count.
	uint64_t estimate = user_sketch_estimate(sketch);
	EXPECT_GE(estimate, 257u);
	EXPECT_LE(estimate, 267u);
}

TEST(UserSketchConversion, RegistersFollowTheFormat) {
	std::string sketch = sketch_of(4, 0, 300);
	// The first 12 bits pick the register; rank = 1 + leading zeros of the other 52 bits (53 for none).
	uint64_t index = 0xabc;
	EXPECT_TRUE(user_sketch_add_hash(sketch, index << 52 | uint64_t(1) << 40));
	EXPECT_EQ(sketch[1 + index], 12);
	EXPECT_FALSE(user_sketch_add_hash(sketch, index << 52 | uint64_t(1) << 41));
	EXPECT_TRUE(user_sketch_add_hash(sketch, index << 52));
	EXPECT_EQ(sketch[1 + index], 53);
	EXPECT_FALSE(user_sketch_add_hash(sketch, index << 52 | 1));
	EXPECT_EQ(sketch[1 + index], 53);
	EXPECT_TRUE(user_sketch_add_hash(sketch, UINT64_MAX));
	EXPECT_EQ(sketch[4096], 1);
}

TEST(UserSketchDense, RepeatedUsersReturnFalseWithoutTouchingTheSketch) {
	std::string sketch = sketch_of(5, 0, 20000);
	const std::string before = sketch;
	const char *buffer = sketch.data();
	for (int64_t i = 0; i < 20000; i++)
		ASSERT_FALSE(user_sketch_add(sketch, user_key(5, i))) << i;
	EXPECT_EQ(sketch, before);
	EXPECT_EQ(sketch.data(), buffer);
	// Most new users land on a register that already holds a higher rank.
	int changed = 0;
	for (int64_t i = 20000; i < 21000; i++)
		changed += user_sketch_add(sketch, user_key(5, i));
	EXPECT_GT(changed, 0);
	EXPECT_LT(changed, 500);
}

TEST(UserSketchAccuracy, WithinThreeStandardErrorsAcrossTheRange) {
	// 3 x 2%; also covers 2.5m..5m (10k..20k), where the classic estimator is biased.
	for (int64_t n : {300, 1000, 3000, 10000, 15000, 30000, 100000, 1000000})
		for (int seed : {11, 12, 13}) {
			if (n == 1000000 && seed == 13)
				continue;  // keeps the run short; two seeds at a million suffice
			uint64_t estimate = user_sketch_estimate(sketch_of(seed, 0, n));
			EXPECT_LE(std::fabs(relative_error(estimate, n)), 0.06) << "n=" << n << " seed=" << seed
			                                                       << " estimate=" << estimate;
		}
}

TEST(UserSketchAccuracy, MeanRelativeErrorOfTwentySketchesIsWithinTwoPercent) {
	const int64_t n = 100000;
	double sum_abs = 0, sum_signed = 0;
	for (int seed = 100; seed < 120; seed++) {
		double error = relative_error(user_sketch_estimate(sketch_of(seed, 0, n)), n);
		sum_abs += std::fabs(error);
		sum_signed += error;
	}
	EXPECT_LE(sum_abs / 20, 0.02);
	// No bias beyond the noise of 20 samples (one standard error of their mean is 1.6% / sqrt(20)).
	EXPECT_LE(std::fabs(sum_signed / 20), 0.01);
}

TEST(UserSketchMerge, EmptyOnEitherSide) {
	std::string into;
	EXPECT_FALSE(user_sketch_merge(into, ""));
	EXPECT_EQ(into, "");
	const std::string few = sketch_of(6, 0, 3);
	EXPECT_TRUE(user_sketch_merge(into, few));
	EXPECT_EQ(into, few);
	EXPECT_FALSE(user_sketch_merge(into, ""));
	EXPECT_EQ(into, few);
	const std::string many = sketch_of(6, 0, 1000);
	into.clear();
	EXPECT_TRUE(user_sketch_merge(into, many));
	EXPECT_EQ(into, many);
}

TEST(UserSketchMerge, ListsStayAListUpToTheThreshold) {
	std::string into = sketch_of(7, 0, 100);
	EXPECT_TRUE(user_sketch_merge(into, sketch_of(7, 50, 200)));
	EXPECT_EQ(into, sketch_of(7, 0, 200));
	EXPECT_EQ(user_sketch_estimate(into), 200u);
	EXPECT_FALSE(user_sketch_merge(into, sketch_of(7, 10, 60)));  // a subset
	EXPECT_EQ(into, sketch_of(7, 0, 200));
	into = sketch_of(7, 0, 128);
	EXPECT_TRUE(user_sketch_merge(into, sketch_of(7, 128, 256)));
	EXPECT_EQ(into, sketch_of(7, 0, 256));
	EXPECT_EQ(into[0], 0x01);
}

TEST(UserSketchMerge, ListsBeyondTheThresholdBecomeTheRegistersOfTheUnion) {
	std::string into = sketch_of(8, 0, 200);
	EXPECT_TRUE(user_sketch_merge(into, sketch_of(8, 150, 350)));
	EXPECT_EQ(into, sketch_of(8, 0, 350));
	EXPECT_EQ(into[0], 0x02);
}

TEST(UserSketchMerge, ListIntoRegistersAndRegistersIntoList) {
	const std::string list = sketch_of(9, 0, 200);
	const std::string registers = sketch_of(9, 100, 5000);
	const std::string expected = sketch_of(9, 0, 5000);
	std::string into = registers;
	user_sketch_merge(into, list);
	EXPECT_EQ(into, expected);
	into = list;
	EXPECT_TRUE(user_sketch_merge(into, registers));
	EXPECT_EQ(into, expected);
	// Already covered: no change.
	EXPECT_FALSE(user_sketch_merge(into, sketch_of(9, 100, 300)));
	EXPECT_FALSE(user_sketch_merge(into, registers));
	EXPECT_EQ(into, expected);
}

TEST(UserSketchMerge, RegistersOfBothAreTheRegistersOfTheUnion) {
	std::string into = sketch_of(10, 0, 30000);
	const std::string other = sketch_of(10, 20000, 60000);
	EXPECT_TRUE(user_sketch_merge(into, other));
	EXPECT_EQ(into, sketch_of(10, 0, 60000));
	// Order does not matter.
	std::string reversed = other;
	EXPECT_TRUE(user_sketch_merge(reversed, sketch_of(10, 0, 30000)));
	EXPECT_EQ(reversed, into);
	uint64_t estimate = user_sketch_estimate(into);
	EXPECT_LE(std::fabs(relative_error(estimate, 60000)), 0.06) << estimate;
}

TEST(UserSketchMerge, WithItself) {
	std::string list = sketch_of(11, 0, 50);
	const std::string list_before = list;
	EXPECT_FALSE(user_sketch_merge(list, list));
	EXPECT_EQ(list, list_before);
	std::string registers = sketch_of(11, 0, 5000);
	const std::string registers_before = registers;
	EXPECT_FALSE(user_sketch_merge(registers, registers));
	EXPECT_EQ(registers, registers_before);
}

TEST(UserSketchFormat, CorruptOrTruncatedSketchesThrow) {
	const std::string list = sketch_of(12, 0, 3);
	const std::string registers = sketch_of(12, 0, 1000);
	std::string unsorted = list;
	std::swap_ranges(unsorted.begin() + 1, unsorted.begin() + 9, unsorted.begin() + 9);
	std::string duplicate = list;
	std::copy(list.begin() + 1, list.begin() + 9, duplicate.begin() + 9);
	std::string too_many = sketch_of(12, 0, 256);
	too_many.append(8, '\xff');  // ascending, but 257 hashes belong in registers
	std::string high_register = registers;
	high_register[100] = 54;

	struct Case {
		const char *what;
		std::string sketch;
		bool shape;  // wrong kind or length: the add notices too
	};
	const std::vector<Case> cases{
	    {"kind 0", std::string(1, '\0'), true},
	    {"kind 3", "\x03" + list.substr(1), true},
	    {"kind 0xff", std::string(9, '\xff'), true},
	    {"list header alone", "\x01", true},
	    {"list cut mid-hash", list.substr(0, list.size() - 1), true},
	    {"list with a byte too many", list + "x", true},
	    {"too many hashes", too_many, true},
	    {"registers cut short", registers.substr(0, 4096), true},
	    {"registers with a byte too many", registers + '\0', true},
	    {"registers header alone", "\x02", true},
	    {"unsorted hashes", unsorted, false},
	    {"duplicate hashes", duplicate, false},
	    {"register above 53", high_register, false},
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.what);
		EXPECT_EQ(estimate_error(c.sketch), ErrorKind::invalid_parameter);
		// A corrupt other leaves into untouched; a corrupt into is refused.
		for (const std::string &valid : {std::string(), list, registers}) {
			std::string into = valid;
			EXPECT_THROW(user_sketch_merge(into, c.sketch), Error);
			EXPECT_EQ(into, valid);
			std::string corrupt_into = c.sketch;
			EXPECT_THROW(user_sketch_merge(corrupt_into, valid), Error);
			EXPECT_EQ(corrupt_into, c.sketch);
		}
		if (c.shape) {
			std::string sketch = c.sketch;
			EXPECT_THROW(user_sketch_add(sketch, "someone"), Error);
			EXPECT_EQ(sketch, c.sketch);
		}
	}
}

TEST(UserSketchFormat, SaturatedRegistersDoNotOverflowTheEstimate) {
	std::string all_max(4097, 53);
	all_max[0] = 0x02;
	EXPECT_EQ(user_sketch_estimate(all_max), uint64_t(INT64_MAX));
	std::string all_zero(4097, 0);
	all_zero[0] = 0x02;
	EXPECT_EQ(user_sketch_estimate(all_zero), 257u);
}

TEST(UserSketchForm, ListUntilTheSwitchToRegisters) {
	std::string sketch;
	EXPECT_TRUE(triage::user_sketch_is_list(sketch));
	for (uint64_t i = 0; i < triage::kUserSketchMaxHashes; i++)
		triage::user_sketch_add(sketch, "user-" + std::to_string(i));
	EXPECT_TRUE(triage::user_sketch_is_list(sketch));
	triage::user_sketch_add(sketch, "one more");
	EXPECT_FALSE(triage::user_sketch_is_list(sketch));
}

TEST(UserSketchRecentHalf, HoldsTheUnionUpToThirtyTwoUsers) {
	EXPECT_EQ(user_sketch_recent_with("", sketch_of(9, 0, 5)), sketch_of(9, 0, 5));
	EXPECT_EQ(user_sketch_recent_with(sketch_of(9, 0, 20), sketch_of(9, 10, 32)), sketch_of(9, 0, 32));
	EXPECT_EQ(user_sketch_recent_with(sketch_of(9, 0, 32), ""), sketch_of(9, 0, 32));
}

TEST(UserSketchRecentHalf, OverflowsPastThirtyTwoUsersOrRegisters) {
	EXPECT_EQ(user_sketch_recent_with(sketch_of(9, 0, 32), sketch_of(9, 32, 33)), std::nullopt);
	EXPECT_EQ(user_sketch_recent_with("", sketch_of(9, 0, 1000)), std::nullopt);
	EXPECT_THROW(user_sketch_recent_with("\x07", sketch_of(9, 0, 1)), triage::Error);
}
