// Distinct users of an issue (users_seen) as a compact serialized sketch that the save path stores
// per issue as bytea and updates at ingest. Small counts are exact; past kUserSketchMaxHashes
// distinct users the sketch becomes a HyperLogLog with 4096 registers (standard error 1.04/64, about
// 1.6%). The sketch depends only on the set of users added, not on their order or on merges, so equal
// sets give equal bytes.
//
// Serialized format (first byte = kind; multi-byte values little-endian):
//   ""                               no users
//   0x01, h_1 .. h_n (8 bytes each)   the distinct user hashes, strictly ascending, 1 <= n <= 256
//   0x02, r_0 .. r_4095 (1 byte each) HyperLogLog registers, each 0..53
// A hash is XXH3-64 (seed 0) of the user key bytes; register j holds the largest rank seen among
// hashes whose top 12 bits are j, the rank being 1 + the number of leading zeros of the remaining 52
// bits (53 when all are zero). Registers take a byte each rather than 6 packed bits: an add is one
// byte compare, a merge a byte-wise max, and the 1 KiB saved would only be saved on the few issues
// with more than 256 users (the hash list keeps the quiet ones at 1 + 8n bytes).
//
// Functions that read a sketch throw Error(invalid_parameter) on an unknown kind or a wrong length
// before touching it, so they never read out of bounds. The adds check only that much (an add of a
// user already present stays a binary search or a single register compare); estimate and merge also
// check every hash and register value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace triage {

// Largest number of distinct users counted exactly; one more turns the sketch into registers.
constexpr size_t kUserSketchMaxHashes = 256;
constexpr int kUserSketchPrecision = 12;
constexpr size_t kUserSketchRegisters = size_t(1) << kUserSketchPrecision;
// Size of a sketch in register form: kind byte + one byte per register.
constexpr size_t kUserSketchRegistersSize = 1 + kUserSketchRegisters;

// XXH3-64 of the user key. Part of the stored format: it must never change.
uint64_t user_sketch_hash(std::string_view user_key);

// Adds a user; returns true when the serialized sketch changed (the caller writes it back only
// then). Adding a user already present neither modifies nor reallocates the string.
bool user_sketch_add(std::string &sketch, std::string_view user_key);
// Same with a precomputed user_sketch_hash (the glue may hash once and reuse).
bool user_sketch_add_hash(std::string &sketch, uint64_t hash);

// The number of distinct users: exact in hash-list form, the HyperLogLog estimate otherwise. At most
// INT64_MAX (reached only by near-saturated registers), so it always fits a bigint.
uint64_t user_sketch_estimate(std::string_view sketch);

// Whether the sketch is still an exact list of users (empty included), not registers.
bool user_sketch_is_list(std::string_view sketch);

// Union, for merging issues: into becomes the sketch of both sets of users. Returns true when into
// changed. Both sketches are checked before into is modified; other may be into itself.
bool user_sketch_merge(std::string &into, std::string_view other);

// An issue stores its sketch in two halves: a small inline "recent" list of users and the main
// sketch out of line, rewritten only when the recent half overflows. The recent half holds at most
// this many users (9 + 8 * 32 bytes).
constexpr size_t kUserSketchMaxRecent = 32;

// recent united with delta, if that is still a list of at most kUserSketchMaxRecent users; nothing
// when the users must move to the main half.
std::optional<std::string> user_sketch_recent_with(std::string_view recent, std::string_view delta);

} // namespace triage
