#include "hashing.hpp"

#include <cstring>

#include "errors.hpp"

namespace triage {

HashAlgorithm parse_hash_algorithm(std::string_view name) {
	if (name == "xxh3_128")
		return HashAlgorithm::xxh3_128;
	if (name == "md5")
		return HashAlgorithm::md5;
	throw Error(ErrorKind::invalid_parameter,
	            "unknown hash algorithm \"" + std::string(name) + "\" (expected \"xxh3_128\" or \"md5\")");
}

std::string_view hash_algorithm_name(HashAlgorithm algorithm) {
	return algorithm == HashAlgorithm::md5 ? "md5" : "xxh3_128";
}

// MD5 as specified in RFC 1321.
namespace {
constexpr uint32_t kSine[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
constexpr uint8_t kShift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
inline uint32_t rotl(uint32_t x, unsigned c) { return (x << c) | (x >> (32 - c)); }
} // namespace

Md5::Md5() : state_{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476} {}

void Md5::block(const uint8_t *p) {
	uint32_t m[16];
	for (int i = 0; i < 16; i++)
		m[i] = uint32_t(p[i * 4]) | uint32_t(p[i * 4 + 1]) << 8 | uint32_t(p[i * 4 + 2]) << 16 |
		       uint32_t(p[i * 4 + 3]) << 24;
	uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
	for (int i = 0; i < 64; i++) {
		uint32_t f;
		int g;
		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) % 16;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) % 16;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) % 16;
		}
		uint32_t rotated = rotl(a + f + kSine[i] + m[g], kShift[i]);
		a = d;
		d = c;
		c = b;
		b = b + rotated;
	}
	state_[0] += a;
	state_[1] += b;
	state_[2] += c;
	state_[3] += d;
}

void Md5::update(std::string_view bytes) {
	const auto *p = reinterpret_cast<const uint8_t *>(bytes.data());
	size_t n = bytes.size();
	length_ += n;
	if (buffered_) {
		size_t take = std::min(n, sizeof buffer_ - buffered_);
		std::memcpy(buffer_ + buffered_, p, take);
		buffered_ += take;
		p += take;
		n -= take;
		if (buffered_ < sizeof buffer_)
			return;
		block(buffer_);
		buffered_ = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		block(p);
	std::memcpy(buffer_, p, n);
	buffered_ = n;
}

void Md5::digest(uint8_t out[16]) {
	uint64_t bits = length_ * 8;
	static const uint8_t pad[64] = {0x80};
	update(std::string_view(reinterpret_cast<const char *>(pad), ((buffered_ < 56) ? 56 : 120) - buffered_));
	uint8_t len[8];
	for (int i = 0; i < 8; i++)
		len[i] = uint8_t(bits >> (8 * i));
	update(std::string_view(reinterpret_cast<const char *>(len), 8));
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			out[i * 4 + j] = uint8_t(state_[i] >> (8 * j));
}

ValueHasher::ValueHasher(HashAlgorithm algorithm) : algorithm_(algorithm) {
	if (algorithm_ == HashAlgorithm::xxh3_128)
		XXH3_128bits_reset(&xxh_);
}

void ValueHasher::update(std::string_view value) {
	if (algorithm_ == HashAlgorithm::md5)
		md5_.update(value);
	else
		XXH3_128bits_update(&xxh_, value.data(), value.size());
}

std::string ValueHasher::hex() {
	uint8_t out[16];
	if (algorithm_ == HashAlgorithm::md5) {
		md5_.digest(out);
	} else {
		XXH128_canonical_t canonical;
		XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(&xxh_));
		std::memcpy(out, canonical.digest, 16);
	}
	return to_hex(out, 16);
}

std::string to_hex(const uint8_t *bytes, size_t n) {
	static const char digits[] = "0123456789abcdef";
	std::string s(n * 2, '0');
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[bytes[i] >> 4];
		s[2 * i + 1] = digits[bytes[i] & 15];
	}
	return s;
}

bool is_hex32(std::string_view s) {
	if (s.size() != 32)
		return false;
	for (char c : s)
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	return true;
}

} // namespace triage
