// Hashes over a list of values, as Sentry computes them: the UTF-8 bytes of each value fed in
// order, with no separator and no length prefix (so ["ab","c"] and ["a","bc"] collide, on
// purpose). md5 reproduces Sentry's hashes; XXH3-128 is the fast default.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace triage {

enum class HashAlgorithm { xxh3_128, md5 };

// XXH3-64 of some bytes, for in-memory keys (not for grouping hashes, which are listed above).
inline uint64_t hash64(std::string_view bytes, uint64_t seed = 0) {
	return XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
}

// Parses "xxh3_128" / "md5"; throws Error(invalid_parameter) otherwise.
HashAlgorithm parse_hash_algorithm(std::string_view name);
std::string_view hash_algorithm_name(HashAlgorithm algorithm);

class Md5 {
public:
	Md5();
	void update(std::string_view bytes);
	void digest(uint8_t out[16]);

private:
	void block(const uint8_t *p);
	uint32_t state_[4];
	uint64_t length_ = 0;
	uint8_t buffer_[64];
	size_t buffered_ = 0;
};

class ValueHasher {
public:
	explicit ValueHasher(HashAlgorithm algorithm);
	void update(std::string_view value);
	std::string hex();  // 32 lowercase hex characters

private:
	HashAlgorithm algorithm_;
	Md5 md5_;
	XXH3_state_t xxh_;
};

std::string to_hex(const uint8_t *bytes, size_t n);
bool is_hex32(std::string_view s);  // exactly 32 lowercase hex characters

} // namespace triage
