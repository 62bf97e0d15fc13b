#include "user_sketch.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

#include "errors.hpp"
#include "hashing.hpp"

namespace triage {

namespace {

constexpr char kHashListKind = 0x01;
constexpr char kRegistersKind = 0x02;
constexpr size_t kHashBytes = 8;
// Rank when the 52 bits after the register index are all zero.
constexpr int kMaxRank = 64 - kUserSketchPrecision + 1;

enum class Form { empty, hash_list, registers };

[[noreturn]] void corrupt(const std::string &what) {
	throw Error(ErrorKind::invalid_parameter, "corrupt user sketch: " + what);
}

// Checks the kind and the length: enough to index the sketch safely.
Form form_of(std::string_view sketch) {
	if (sketch.empty())
		return Form::empty;
	if (sketch[0] == kHashListKind) {
		size_t bytes = sketch.size() - 1;
		if (bytes == 0 || bytes % kHashBytes != 0)
			corrupt("a hash list of " + std::to_string(bytes) + " bytes (expected a positive multiple of 8)");
		if (bytes / kHashBytes > kUserSketchMaxHashes)
			corrupt(std::to_string(bytes / kHashBytes) + " hashes in list form (at most " +
			        std::to_string(kUserSketchMaxHashes) + ")");
		return Form::hash_list;
	}
	if (sketch[0] == kRegistersKind) {
		if (sketch.size() != kUserSketchRegistersSize)
			corrupt("registers of " + std::to_string(sketch.size() - 1) + " bytes (expected " +
			        std::to_string(kUserSketchRegisters) + ")");
		return Form::registers;
	}
	corrupt("unknown kind " + std::to_string(static_cast<unsigned char>(sketch[0])));
}

size_t hash_count(std::string_view hash_list) { return (hash_list.size() - 1) / kHashBytes; }

uint64_t hash_at(std::string_view hash_list, size_t i) {
	const auto *bytes = reinterpret_cast<const unsigned char *>(hash_list.data()) + 1 + i * kHashBytes;
	uint64_t hash = 0;
	for (size_t b = kHashBytes; b-- > 0;)
		hash = hash << 8 | bytes[b];
	return hash;
}

void encode_hash(uint64_t hash, char out[kHashBytes]) {
	for (size_t b = 0; b < kHashBytes; b++)
		out[b] = static_cast<char>(hash >> (8 * b));
}

std::vector<uint64_t> hashes_of(std::string_view hash_list) {
	std::vector<uint64_t> hashes(hash_count(hash_list));
	for (size_t i = 0; i < hashes.size(); i++)
		hashes[i] = hash_at(hash_list, i);
	return hashes;
}

std::string hash_list_of(const std::vector<uint64_t> &hashes) {
	std::string sketch(1 + hashes.size() * kHashBytes, kHashListKind);
	for (size_t i = 0; i < hashes.size(); i++)
		encode_hash(hashes[i], &sketch[1 + i * kHashBytes]);
	return sketch;
}

// Raises the hash's register to the hash's rank; true when the register grew.
bool raise_register(std::string &registers, uint64_t hash) {
	uint64_t rest = hash << kUserSketchPrecision;
	unsigned rank = rest == 0 ? kMaxRank : unsigned(__builtin_clzll(rest)) + 1;
	char &reg = registers[1 + (hash >> (64 - kUserSketchPrecision))];
	if (rank <= static_cast<unsigned char>(reg))
		return false;
	reg = static_cast<char>(rank);
	return true;
}

std::string empty_registers() {
	std::string registers(kUserSketchRegistersSize, '\0');
	registers[0] = kRegistersKind;
	return registers;
}

// What form_of leaves out: hashes strictly ascending (hence distinct), registers at most kMaxRank.
void check_contents(std::string_view sketch, Form form) {
	if (form == Form::hash_list) {
		size_t n = hash_count(sketch);
		for (size_t i = 1; i < n; i++)
			if (hash_at(sketch, i - 1) >= hash_at(sketch, i))
				corrupt("hashes not strictly ascending at position " + std::to_string(i));
	} else if (form == Form::registers) {
		for (size_t j = 1; j < sketch.size(); j++)
			if (static_cast<unsigned char>(sketch[j]) > kMaxRank)
				corrupt("register " + std::to_string(j - 1) + " holds " +
				        std::to_string(static_cast<unsigned char>(sketch[j])) + " (at most " +
				        std::to_string(kMaxRank) + ")");
	}
}

// Ertl's sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1), summed until a term no longer changes the double.
double ertl_sigma(double x) {
	if (x == 1)
		return HUGE_VAL;
	double weight = 1, sum = x, previous;
	do {
		x *= x;
		previous = sum;
		sum += x * weight;
		weight += weight;
	} while (sum != previous);
	return sum;
}

// Ertl's tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3.
double ertl_tau(double x) {
	if (x == 0 || x == 1)
		return 0;
	double weight = 1, sum = 1 - x, previous;
	do {
		x = std::sqrt(x);
		previous = sum;
		weight *= 0.5;
		sum -= (1 - x) * (1 - x) * weight;
	} while (sum != previous);
	return sum / 3;
}

// The improved raw estimator of O. Ertl, "New cardinality estimation algorithms for HyperLogLog
// sketches" (2017). With m registers, q = 64 - p bits after the index and C_k registers holding k:
//   E = alpha m^2 / (m sigma(C_0 / m) + sum_{k=1..q} C_k 2^-k + m tau(1 - C_{q+1} / m) 2^-q),
//   alpha = 1 / (2 ln 2).
// sigma takes the place of the linear-counting correction for empty registers and tau that of the
// large-range correction for saturated ones, so no range switch (and none of the bias the classic
// estimator shows between 2.5m and 5m) is needed. The sum is evaluated Horner-style from k = q down.
double ertl_estimate(std::string_view registers) {
	uint32_t counts[kMaxRank + 1] = {};
	for (size_t j = 1; j < registers.size(); j++)
		counts[static_cast<unsigned char>(registers[j])]++;
	const double m = kUserSketchRegisters;
	double z = m * ertl_tau(1 - counts[kMaxRank] / m);
	for (int k = kMaxRank - 1; k >= 1; k--)
		z = 0.5 * (z + counts[k]);
	z += m * ertl_sigma(counts[0] / m);
	return m * m / (2 * std::log(2.0)) / z;
}

} // namespace

uint64_t user_sketch_hash(std::string_view user_key) { return hash64(user_key); }

bool user_sketch_add(std::string &sketch, std::string_view user_key) {
	return user_sketch_add_hash(sketch, user_sketch_hash(user_key));
}

bool user_sketch_add_hash(std::string &sketch, uint64_t hash) {
	char encoded[kHashBytes];
	switch (form_of(sketch)) {
	case Form::empty:
		encode_hash(hash, encoded);
		sketch.assign(1, kHashListKind).append(encoded, kHashBytes);
		return true;
	case Form::registers:
		return raise_register(sketch, hash);
	case Form::hash_list:
		break;
	}
	size_t n = hash_count(sketch);
	size_t low = 0, high = n;
	while (low < high) {
		size_t mid = low + (high - low) / 2;
		if (hash_at(sketch, mid) < hash)
			low = mid + 1;
		else
			high = mid;
	}
	if (low < n && hash_at(sketch, low) == hash)
		return false;
	if (n < kUserSketchMaxHashes) {
		encode_hash(hash, encoded);
		sketch.insert(1 + low * kHashBytes, encoded, kHashBytes);
		return true;
	}
	std::string registers = empty_registers();
	for (size_t i = 0; i < n; i++)
		raise_register(registers, hash_at(sketch, i));
	raise_register(registers, hash);
	sketch = std::move(registers);
	return true;
}

bool user_sketch_is_list(std::string_view sketch) { return form_of(sketch) != Form::registers; }

uint64_t user_sketch_estimate(std::string_view sketch) {
	Form form = form_of(sketch);
	check_contents(sketch, form);
	if (form == Form::empty)
		return 0;
	if (form == Form::hash_list)
		return hash_count(sketch);
	double estimate = std::round(ertl_estimate(sketch));
	if (!(estimate < 9223372036854775808.0))  // 2^63; infinite when every register is saturated
		return INT64_MAX;
	// Registers only ever hold more users than the hash list can: the count never drops at the switch.
	return std::max<uint64_t>(static_cast<uint64_t>(estimate), kUserSketchMaxHashes + 1);
}

bool user_sketch_merge(std::string &into, std::string_view other) {
	Form into_form = form_of(into);
	Form other_form = form_of(other);
	check_contents(into, into_form);
	check_contents(other, other_form);
	if (other_form == Form::empty)
		return false;
	if (into_form == Form::empty) {
		into.assign(other.data(), other.size());
		return true;
	}
	if (into_form == Form::registers) {
		bool changed = false;
		if (other_form == Form::registers) {
			for (size_t j = 1; j < kUserSketchRegistersSize; j++)
				if (static_cast<unsigned char>(other[j]) > static_cast<unsigned char>(into[j])) {
					into[j] = other[j];
					changed = true;
				}
		} else {
			for (size_t i = 0, n = hash_count(other); i < n; i++)
				changed |= raise_register(into, hash_at(other, i));
		}
		return changed;
	}
	if (other_form == Form::registers) {
		std::string merged(other);
		for (size_t i = 0, n = hash_count(into); i < n; i++)
			raise_register(merged, hash_at(into, i));
		into = std::move(merged);
		return true;
	}
	std::vector<uint64_t> mine = hashes_of(into), theirs = hashes_of(other), both;
	both.reserve(mine.size() + theirs.size());
	std::set_union(mine.begin(), mine.end(), theirs.begin(), theirs.end(), std::back_inserter(both));
	if (both.size() == mine.size())
		return false;
	if (both.size() <= kUserSketchMaxHashes) {
		into = hash_list_of(both);
		return true;
	}
	into = empty_registers();
	for (uint64_t hash : both)
		raise_register(into, hash);
	return true;
}

std::optional<std::string> user_sketch_recent_with(std::string_view recent, std::string_view delta) {
	std::string united(recent);
	user_sketch_merge(united, delta);
	if (user_sketch_is_list(united) && user_sketch_estimate(united) <= kUserSketchMaxRecent)
		return united;
	return std::nullopt;
}

} // namespace triage
