// Releases (releases.hpp): release names and versions as sentry-release-parser 1.3 reads them,
// Sentry's semver columns and is_semver_version, follows_semver_versioning_scheme, the branches of
// GroupResolution.has_resolution and short ids. Expectations come from Sentry's own tests
// (tests/sentry/models/test_release.py FollowsSemverVersioningSchemeTestCase,
// tests/sentry/models/test_groupresolution.py, tests/sentry/utils/test_numbers.py) and from the
// parser's tests; AT-nn names the save-path spec's acceptance behaviours (16.3) they back.
#include <gtest/gtest.h>

#include "errors.hpp"
#include "releases.hpp"

using namespace triage;

namespace {

std::vector<bool> semver_flags(const std::vector<std::string> &versions_newest_first) {
	std::vector<bool> flags;
	for (const std::string &version : versions_newest_first)
		flags.push_back(semver_columns(version).has_value());
	return flags;
}

int compare(std::string_view left, std::string_view right) {
	std::optional<ReleaseVersion> a = parse_version(left);
	std::optional<ReleaseVersion> b = parse_version(right);
	EXPECT_TRUE(a && b) << left << " / " << right;
	return a && b ? compare_versions(*a, *b) : 99;
}

ErrorKind error_kind_of_short_id(std::string_view text) {
	try {
		parse_short_id(text);
	} catch (const Error &error) {
		return error.kind();
	}
	ADD_FAILURE() << "no error for \"" << text << "\"";
	return ErrorKind::invalid_json;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Release names (Relay's validate_release, sentry-release-parser's test_release_validation)

TEST(Releases, NameValidationFollowsRelay) {
	EXPECT_EQ(check_release_name("good"), ReleaseNameProblem::none);
	EXPECT_EQ(check_release_name("latest"), ReleaseNameProblem::restricted_name);
	EXPECT_EQ(check_release_name("LaTeSt"), ReleaseNameProblem::restricted_name);
	EXPECT_EQ(check_release_name("."), ReleaseNameProblem::restricted_name);
	EXPECT_EQ(check_release_name(".."), ReleaseNameProblem::restricted_name);
	EXPECT_EQ(check_release_name("..."), ReleaseNameProblem::none);
	EXPECT_EQ(check_release_name("foo\nbar"), ReleaseNameProblem::bad_characters);
	EXPECT_EQ(check_release_name("foo/bar"), ReleaseNameProblem::bad_characters);
	EXPECT_EQ(check_release_name("foo\\bar"), ReleaseNameProblem::bad_characters);
	EXPECT_EQ(check_release_name("a\tb"), ReleaseNameProblem::bad_characters);
	EXPECT_EQ(check_release_name(std::string_view("a\0b", 3)), ReleaseNameProblem::bad_characters);
	EXPECT_EQ(check_release_name("a\x7f"), ReleaseNameProblem::bad_characters);
	EXPECT_EQ(check_release_name(std::string(200, 'a')), ReleaseNameProblem::none);
	EXPECT_EQ(check_release_name(std::string(201, 'a')), ReleaseNameProblem::too_long);
	// The limit is in bytes: 100 two-byte characters fit, 101 do not.
	std::string e_acute;
	for (int i = 0; i < 101; ++i)
		e_acute += "\xc3\xa9";
	EXPECT_EQ(check_release_name(e_acute), ReleaseNameProblem::too_long);
	EXPECT_EQ(check_release_name(e_acute.substr(2)), ReleaseNameProblem::none);
}

TEST(Releases, ParseReleaseTrimsThenRejectsInvalidNames) {
	ASSERT_TRUE(parse_release("  foo   "));
	EXPECT_EQ(parse_release("  foo   ")->version_raw, "foo");
	EXPECT_EQ(parse_release("\xc2\xa0" "foo\xe3\x80\x80")->version_raw, "foo"); // NBSP, ideographic space
	EXPECT_FALSE(parse_release("foo/bar"));
	EXPECT_FALSE(parse_release(" latest "));
	EXPECT_FALSE(parse_release(".."));
}

// ---------------------------------------------------------------------------------------------
// Release and version parsing (sentry-release-parser tests/test_parser.rs)

TEST(Releases, ParsesPackageVersionPreReleaseAndBuild) {
	auto release = parse_release("@foo.bar.baz--blah@1.2.3-dev+BUILD-code");
	ASSERT_TRUE(release && release->version);
	EXPECT_EQ(release->package, "@foo.bar.baz--blah");
	EXPECT_EQ(release->version_raw, "1.2.3-dev+BUILD-code");
	const ReleaseVersion &v = *release->version;
	EXPECT_EQ(v.major, 1u);
	EXPECT_EQ(v.minor, 2u);
	EXPECT_EQ(v.patch, 3u);
	EXPECT_EQ(v.revision, 0u);
	EXPECT_EQ(v.components, 3);
	EXPECT_EQ(v.prerelease, "dev");
	EXPECT_EQ(v.build_code, "BUILD-code");
}

TEST(Releases, ParsesMobileStylePreReleaseWithoutDash) {
	auto release = parse_release("org.example.FooApp@1.0rc1+20200101100");
	ASSERT_TRUE(release && release->version);
	EXPECT_EQ(release->package, "org.example.FooApp");
	EXPECT_EQ(release->version->components, 2);
	EXPECT_EQ(release->version->prerelease, "rc1");
	EXPECT_EQ(release->version->build_code, "20200101100");
	auto dotted_build = parse_version("1.0rc1+1.2.3");
	ASSERT_TRUE(dotted_build);
	EXPECT_EQ(dotted_build->build_code, "1.2.3");
}

TEST(Releases, SingleComponentNeedsDashForPreRelease) {
	// sentry-release-parser 1.1.2: "1a1" is no version, "1-a1" is.
	EXPECT_FALSE(parse_version("1a"));
	auto dashed = parse_version("1-a1");
	ASSERT_TRUE(dashed);
	EXPECT_EQ(dashed->prerelease, "a1");
	auto release = parse_release("@foo.bar.baz--blah@1a+build-code");
	ASSERT_TRUE(release);
	EXPECT_EQ(release->package, "@foo.bar.baz--blah");
	EXPECT_FALSE(release->version);
}

TEST(Releases, FourComponentsAndLooseForms) {
	auto quad = parse_version("1.2.3.4-beta.2+exp.sha.5114f85");
	ASSERT_TRUE(quad);
	EXPECT_EQ(quad->components, 4);
	EXPECT_EQ(quad->revision, 4u);
	EXPECT_EQ(quad->prerelease, "beta.2");
	EXPECT_EQ(quad->build_code, "exp.sha.5114f85");
	auto leading_zeroes = parse_version("01.002");
	ASSERT_TRUE(leading_zeroes);
	EXPECT_EQ(leading_zeroes->major, 1u);
	EXPECT_EQ(leading_zeroes->minor, 2u);
	auto overflow = parse_version("99999999999999999999.1");
	ASSERT_TRUE(overflow);
	EXPECT_EQ(overflow->major, 0u); // the parser reads an overflowing component as 0

	for (const char *bad : {"", "v1.0", "1.", "1..2", "1.2.3.4.5", "1.0RC1", "1.0-rc.01", "1.0-rc..1", "1.0+",
	                        "1.0+a..b", "1.0+a+b", "1.0 beta", "abc"})
		EXPECT_FALSE(parse_version(bad)) << bad;
	// A lone dash is an empty pre-release, which the parser accepts.
	auto lone_dash = parse_version("1.0-");
	ASSERT_TRUE(lone_dash);
	EXPECT_EQ(lone_dash->prerelease, "");
	auto numeric_zero = parse_version("1.0-rc.0");
	ASSERT_TRUE(numeric_zero);
	EXPECT_EQ(numeric_zero->prerelease, "rc.0");
}

TEST(Releases, UnqualifiedNamesAndBuildHashesHaveNoVersion) {
	auto hash = parse_release("a86d127c4b2f23a0a862620280427dcc01c78676");
	ASSERT_TRUE(hash);
	EXPECT_EQ(hash->package, "");
	EXPECT_FALSE(hash->version);
	auto packaged_hash = parse_release("package@085240e737828d8326719bf97730188e927e49ca");
	ASSERT_TRUE(packaged_hash);
	EXPECT_EQ(packaged_hash->package, "package");
	EXPECT_FALSE(packaged_hash->version); // 40 hex digits: a hash, even though it starts with digits
	auto plain = parse_release("1.2.3");
	ASSERT_TRUE(plain);
	EXPECT_EQ(plain->package, "");
	EXPECT_FALSE(plain->version); // no package: the version part is never parsed
	auto trailing_at = parse_release("foo@");
	ASSERT_TRUE(trailing_at);
	EXPECT_EQ(trailing_at->package, "");
	EXPECT_EQ(trailing_at->version_raw, "foo@");
	auto double_at = parse_release("@@1.0");
	ASSERT_TRUE(double_at);
	EXPECT_EQ(double_at->package, "");
	auto version_with_at = parse_release("a@b@1");
	ASSERT_TRUE(version_with_at);
	EXPECT_EQ(version_with_at->package, "a");
	EXPECT_EQ(version_with_at->version_raw, "b@1");
}

// ---------------------------------------------------------------------------------------------
// Ordering (Relay's compare_version)

TEST(Releases, CompareOrdersComponentsThenPreRelease) {
	EXPECT_EQ(compare("1.0.0", "1.0.1"), -1);
	EXPECT_EQ(compare("2.0", "1.9.9"), 1);
	EXPECT_EQ(compare("1.0", "1.0.0"), 0);
	EXPECT_EQ(compare("1.0.0.1", "1.0.0"), 1); // the revision counts
	EXPECT_EQ(compare("1.0.0-rc1", "1.0.0"), -1); // a pre-release sorts before its release
	EXPECT_EQ(compare("1.0.0", "1.0.0-rc1"), 1);
	EXPECT_EQ(compare("1.0.0-alpha", "1.0.0-beta"), -1);
	EXPECT_EQ(compare("1.0.0-rc10", "1.0.0-rc2"), -1); // plain byte order, not semver's numeric order
	EXPECT_EQ(compare("1.0rc1", "1.0.0-rc1"), 0);
}

TEST(Releases, CompareIgnoresBuildCodes) {
	EXPECT_EQ(compare("1.0.0+1", "1.0.0+2"), 0);
	EXPECT_EQ(compare("1.0.0+abc", "1.0.0"), 0);
	EXPECT_EQ(compare("1.0.0-rc1+9", "1.0.0-rc1+1"), 0);
}

// ---------------------------------------------------------------------------------------------
// Semver columns and is_semver_version (9.2, 12.10)

TEST(Releases, SemverColumnsFilledOnlyForPackagedVersions) {
	auto columns = semver_columns("foo@1.2.3.4-rc1+0042");
	ASSERT_TRUE(columns);
	EXPECT_EQ(columns->package, "foo");
	EXPECT_EQ(columns->major, 1);
	EXPECT_EQ(columns->minor, 2);
	EXPECT_EQ(columns->patch, 3);
	EXPECT_EQ(columns->revision, 4);
	EXPECT_EQ(columns->prerelease, "rc1");
	EXPECT_EQ(columns->build_code, std::optional<std::string>("0042"));
	EXPECT_EQ(columns->build_number, std::optional<int64_t>(42));

	auto plain = semver_columns("foo@2.0");
	ASSERT_TRUE(plain);
	EXPECT_EQ(plain->prerelease, "");
	EXPECT_FALSE(plain->build_code);
	EXPECT_FALSE(plain->build_number);

	EXPECT_FALSE(semver_columns("foo@1.0+abc")->build_number);
	EXPECT_FALSE(semver_columns("foo@1.0+-5")->build_number);            // negative: no bigint column
	EXPECT_EQ(semver_columns("foo@1.0+-0")->build_number, std::optional<int64_t>(0));
	EXPECT_FALSE(semver_columns("foo@1.0+99999999999999999999")->build_number);
	EXPECT_FALSE(semver_columns("foo@9223372036854775808.0")); // a component above the largest bigint
	EXPECT_TRUE(semver_columns("foo@9223372036854775807.0"));
	EXPECT_FALSE(semver_columns("1.2.3"));
	EXPECT_FALSE(semver_columns("foo@bar"));
	EXPECT_FALSE(semver_columns("foo release 1"));
}

TEST(Releases, IsSemverVersion) {
	EXPECT_TRUE(is_semver_version("fake_package@2.0.0"));
	EXPECT_TRUE(is_semver_version("foo_package@1.0"));
	EXPECT_FALSE(is_semver_version("2.0.0")); // no package
	EXPECT_FALSE(is_semver_version("fizbuzz"));
	EXPECT_FALSE(is_semver_version("foo@bar"));
	EXPECT_FALSE(is_semver_version("foo@1.0\f"));
	EXPECT_FALSE(is_semver_version(""));
}

// ---------------------------------------------------------------------------------------------
// follows_semver_versioning_scheme (8.4; FollowsSemverVersioningSchemeTestCase)

TEST(Releases, FollowsSemverWithTenSemverReleases) {
	std::vector<std::string> versions;
	for (int i = 9; i >= 0; --i)
		versions.push_back("fake_package-ahmed@1.1." + std::to_string(i));
	std::vector<bool> flags = semver_flags(versions);
	EXPECT_TRUE(follows_semver_versioning_scheme(flags));
	EXPECT_TRUE(follows_semver_versioning_scheme(flags, "fake_package@2.0.0"));
	EXPECT_FALSE(follows_semver_versioning_scheme(flags, "2.0.0")); // the event release lacks a package
	EXPECT_FALSE(follows_semver_versioning_scheme(flags, "fizbuzz"));
	EXPECT_TRUE(follows_semver_versioning_scheme(flags, "")); // an empty version is not checked
}

TEST(Releases, FollowsSemverNoReleases) {
	EXPECT_FALSE(follows_semver_versioning_scheme({}));
	EXPECT_FALSE(follows_semver_versioning_scheme({}, "foo@1.0"));
}

TEST(Releases, FollowsSemverAccidentallyStoppedAFewTimes) {
	// Oldest first: two semver, seven not, one semver; newest first below.
	std::vector<std::string> versions = {"pkg@1.9"};
	for (int i = 6; i >= 0; --i)
		versions.push_back("foo release " + std::to_string(i));
	versions.push_back("pkg@1.1");
	versions.push_back("pkg@1.0");
	EXPECT_TRUE(follows_semver_versioning_scheme(semver_flags(versions)));
}

TEST(Releases, FollowsSemverStopsWhenNewestThreeAreNotSemver) {
	std::vector<std::string> versions = {"helloworld 2", "helloworld 1", "helloworld 0"};
	for (int i = 6; i >= 0; --i)
		versions.push_back("pkg@1." + std::to_string(i));
	EXPECT_FALSE(follows_semver_versioning_scheme(semver_flags(versions)));
}

TEST(Releases, FollowsSemverNeedsThreeOfTen) {
	// Accidentally semver twice (the two newest), eight others: fewer than 3 of 10.
	std::vector<std::string> versions = {"pkg@1.1", "pkg@1.0"};
	for (int i = 7; i >= 0; --i)
		versions.push_back("foo release " + std::to_string(i));
	EXPECT_FALSE(follows_semver_versioning_scheme(semver_flags(versions)));
	// Starts using semver: the three newest are semver.
	versions = {"pkg@1.2", "pkg@1.1", "pkg@1.0"};
	for (int i = 6; i >= 0; --i)
		versions.push_back("foo release " + std::to_string(i));
	EXPECT_TRUE(follows_semver_versioning_scheme(semver_flags(versions)));
}

TEST(Releases, FollowsSemverFewerThanTenNeedsOneOfNewestThree) {
	std::vector<std::string> versions = {"pkg@1.0", "helloworld 3", "helloworld 2", "helloworld 1", "helloworld 0"};
	EXPECT_TRUE(follows_semver_versioning_scheme(semver_flags(versions)));
	std::vector<bool> fourth_only = {false, false, false, true, true};
	EXPECT_FALSE(follows_semver_versioning_scheme(fourth_only));
}

TEST(Releases, FollowsSemverTwoReleasesNewestDecides) {
	EXPECT_TRUE(follows_semver_versioning_scheme(semver_flags({"pkg@1.0", "helloworld 0"})));
	EXPECT_FALSE(follows_semver_versioning_scheme(semver_flags({"helloworld 1", "pkg@1.0"})));
	EXPECT_TRUE(follows_semver_versioning_scheme({true}));
}

TEST(Releases, FollowsSemverExaminesOnlyTenNewest) {
	// Archived releases are left out by the caller's query (test_..._with_archived_non_semver_releases);
	// here the eleventh and later never count.
	std::vector<bool> flags = {true, false, false, false, false, false, false, false, false, true, true, true};
	EXPECT_FALSE(follows_semver_versioning_scheme(flags)); // 2 of the 10 newest
	flags[8] = true;
	EXPECT_TRUE(follows_semver_versioning_scheme(flags));
}

// ---------------------------------------------------------------------------------------------
// has_resolution (8.2; test_groupresolution.py). Releases as in its setUp: a (30 minutes old), b
// (now), foo_package@1.0 and @2.0 (now, later). With those four releases the project follows
// semver; each event release's own version decides the rest.

namespace {

constexpr int64_t kMinute = 60'000'000; // microseconds
constexpr int64_t kNow = 1'700'000'000'000'000;

const ReleaseRef kOld{1, "a", kNow - 30 * kMinute};
const ReleaseRef kNew{2, "b", kNow};
const ReleaseRef kOldSemver{3, "foo_package@1.0", kNow + 1};
const ReleaseRef kNewSemver{4, "foo_package@2.0", kNow + 2};
// Newest first, by date_added.
const bool kProjectSemver = follows_semver_versioning_scheme(
    semver_flags({kNewSemver.version, kOldSemver.version, kNew.version, kOld.version}));

Resolution resolution(ResolutionType type, const ReleaseRef &release, bool with_current_release_version = false) {
	Resolution r;
	r.type = type;
	r.release = release;
	if (with_current_release_version) {
		r.current_release_version = release.version;
		r.current_release = release;
	}
	return r;
}

bool covered(const Resolution &r, const ReleaseRef &event_release) {
	return has_resolution(r, event_release, kProjectSemver);
}

constexpr ResolutionType kBothTypes[] = {ResolutionType::in_release, ResolutionType::in_next_release};

} // namespace

TEST(Releases, HasResolutionSetUpProjectFollowsSemver) {
	EXPECT_TRUE(kProjectSemver);
}

TEST(Releases, HasResolutionNoResolutionRow) {
	EXPECT_FALSE(has_resolution(std::nullopt, std::nullopt, true)); // test_no_release_with_no_resolution
	EXPECT_FALSE(has_resolution(std::nullopt, kNew, false));
}

TEST(Releases, HasResolutionEventWithoutRelease) {
	// test_no_release_with_resolution
	EXPECT_TRUE(has_resolution(resolution(ResolutionType::in_release, kNew), std::nullopt, kProjectSemver));
}

TEST(Releases, HasResolutionInNextReleaseByDate) {
	EXPECT_FALSE(covered(resolution(ResolutionType::in_next_release, kOld), kNew)); // ..._with_new_release
	EXPECT_TRUE(covered(resolution(ResolutionType::in_next_release, kOld), kOld));  // ..._with_same_release
	EXPECT_TRUE(covered(resolution(ResolutionType::in_next_release, kNew), kOld));  // ..._with_old_release
}

TEST(Releases, HasResolutionUnsetTypeBehavesAsInNextRelease) {
	EXPECT_FALSE(covered(resolution(ResolutionType::unset, kOld), kNew));
	EXPECT_TRUE(covered(resolution(ResolutionType::unset, kOld), kOld));
	// Same order date, different release: not later, so not covered.
	ReleaseRef twin{9, "twin", kOld.order_date};
	EXPECT_FALSE(covered(resolution(ResolutionType::unset, kOld), twin));
}

TEST(Releases, HasResolutionWorkedExampleAT28) {
	// AT-28 (test_marks_as_unresolved_with_new_release): resolved with release a, type null. An
	// event in a stays covered; one in the newer release b is a regression.
	Resolution r = resolution(ResolutionType::unset, kOld);
	EXPECT_TRUE(has_resolution(r, kOld, false));
	EXPECT_FALSE(has_resolution(r, kNew, false));
}

TEST(Releases, HasResolutionInReleaseByDate) {
	EXPECT_FALSE(covered(resolution(ResolutionType::in_release, kOld), kNew)); // test_in_release_with_new_release
	EXPECT_FALSE(covered(resolution(ResolutionType::in_release, kOld), kOld)); // ..._with_current_release
	EXPECT_TRUE(covered(resolution(ResolutionType::in_release, kNew), kOld));  // ..._with_old_release
	// By date the resolved release covers an equally dated one (>=), unlike in_next_release.
	ReleaseRef twin{9, "twin", kOld.order_date};
	EXPECT_TRUE(covered(resolution(ResolutionType::in_release, kOld), twin));
}

TEST(Releases, HasResolutionInReleaseBySemver) {
	EXPECT_FALSE(covered(resolution(ResolutionType::in_release, kOldSemver), kNewSemver));
	EXPECT_FALSE(covered(resolution(ResolutionType::in_release, kOldSemver), kOldSemver)); // same id
	EXPECT_TRUE(covered(resolution(ResolutionType::in_release, kNewSemver), kOldSemver));
	// Semver decides against the dates: a newer-dated event release with an older version is covered.
	ReleaseRef late_old_version{7, "foo_package@0.9", kNow + 60 * kMinute};
	EXPECT_TRUE(covered(resolution(ResolutionType::in_release, kOldSemver), late_old_version));
	EXPECT_FALSE(has_resolution(resolution(ResolutionType::in_release, kOldSemver), late_old_version, false));
	// Equal versions under different names (build code only) are not greater: a regression.
	ReleaseRef rebuilt{8, "foo_package@1.0+2", kNow - 60 * kMinute};
	EXPECT_FALSE(covered(resolution(ResolutionType::in_release, kOldSemver), rebuilt));
}

TEST(Releases, HasResolutionInReleaseSemverFallsBackToDates) {
	// The event release is semver, the resolved one is not a version: compare_version fails.
	Resolution r = resolution(ResolutionType::in_release, ReleaseRef{5, "foo_package@abc", kNow + 10});
	EXPECT_TRUE(covered(r, kOldSemver));
	EXPECT_FALSE(covered(r, ReleaseRef{6, "foo_package@0.1", kNow + 20}));
}

TEST(Releases, HasResolutionCurrentReleaseVersionSemver) {
	for (ResolutionType type : kBothTypes) {
		EXPECT_FALSE(covered(resolution(type, kOldSemver, true), kNewSemver));
		EXPECT_TRUE(covered(resolution(type, kOldSemver, true), kOldSemver));
		EXPECT_TRUE(covered(resolution(type, kNewSemver, true), kOldSemver));
	}
}

TEST(Releases, HasResolutionCurrentReleaseVersionStaleFallsBackToResolvedRelease) {
	// current_release_version older than the event, but the resolved release is newer: covered.
	Resolution r = resolution(ResolutionType::in_next_release, kNewSemver);
	r.current_release_version = "foo_package@0.5";
	ReleaseRef event{7, "foo_package@1.5", kNow + 100};
	EXPECT_TRUE(covered(r, event));
	r.release = kOldSemver;
	EXPECT_FALSE(covered(r, event));
}

TEST(Releases, HasResolutionCurrentReleaseVersionByDate) {
	for (ResolutionType type : kBothTypes) {
		EXPECT_FALSE(covered(resolution(type, kOld, true), kNew));
		EXPECT_TRUE(covered(resolution(type, kOld, true), kOld));
		EXPECT_TRUE(covered(resolution(type, kNew, true), kOld));
	}
	// The date branch decides even for in_release, where the same release would otherwise regress.
	EXPECT_TRUE(covered(resolution(ResolutionType::in_release, kOld, true), kOld));
}

TEST(Releases, HasResolutionCurrentReleaseVersionIncorrectInputsFallBack) {
	// test_when_current_release_version_is_set_incorrect_inputs_fallback_to_older_model
	ReleaseRef doggo{10, "doggo", kNow - 45 * kMinute};
	Resolution r = resolution(ResolutionType::in_next_release, doggo, true);
	for (const ReleaseRef &event : {kOld, kNew, kOldSemver, kNewSemver})
		EXPECT_FALSE(covered(r, event)) << event.version;
}

TEST(Releases, HasResolutionCurrentReleaseVersionMissingRowFallsBack) {
	// test_when_current_release_version_is_set_but_does_not_exist_fallback_to_older_model
	Resolution r = resolution(ResolutionType::in_next_release, kOld);
	r.current_release_version = "kittie 12";
	for (const ReleaseRef &event : {kNew, kOldSemver, kNewSemver})
		EXPECT_FALSE(covered(r, event)) << event.version;
}

TEST(Releases, HasResolutionFollowsSemverChecksEventVersion) {
	// AT-29/AT-31: the event's own version joins the project's answer; a non-semver event release
	// ("b") is ordered by date even in a semver project.
	Resolution r = resolution(ResolutionType::in_release, kNewSemver);
	ReleaseRef newer_plain{11, "zzz", kNow + 60 * kMinute};
	EXPECT_FALSE(has_resolution(r, newer_plain, true));
	ReleaseRef older_plain{12, "aaa", kNow - 60 * kMinute};
	EXPECT_TRUE(has_resolution(r, older_plain, true));
}

// ---------------------------------------------------------------------------------------------
// Short ids (18 item 8; test_numbers.py test_base32)

TEST(Releases, Base32EncodesLikeSentry) {
	const char *expected[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F",
	                          "G", "H", "J", "K", "M", "N", "P", "Q", "R", "S", "T", "V", "W", "X", "Y", "Z",
	                          "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "1A", "1B", "1C", "1D",
	                          "1E", "1F", "1G", "1H", "1J", "1K", "1M", "1N", "1P", "1Q", "1R", "1S", "1T", "1V",
	                          "1W", "1X", "1Y", "1Z"};
	for (int64_t i = 0; i < 64; ++i)
		EXPECT_EQ(base32_encode(i), expected[i]);
	EXPECT_EQ(base32_encode(127), "3Z");
	for (int64_t i = 0; i < 128; ++i)
		EXPECT_EQ(base32_decode(base32_encode(i)), i);
	EXPECT_EQ(base32_encode(-33), "-11");
	EXPECT_EQ(base32_encode(INT64_MAX), "7ZZZZZZZZZZZZ");
	EXPECT_EQ(base32_decode("7ZZZZZZZZZZZZ"), INT64_MAX);
	EXPECT_EQ(base32_encode(INT64_MIN), "-8000000000000");
}

TEST(Releases, Base32DecodeReadsLookAlikes) {
	EXPECT_EQ(base32_decode("1z"), 63);
	EXPECT_EQ(base32_decode("O"), 0);
	EXPECT_EQ(base32_decode("Io"), 32);
	EXPECT_EQ(base32_decode("l0"), 32);
	EXPECT_THROW(base32_decode("U"), Error);
	EXPECT_THROW(base32_decode(""), Error);
	EXPECT_THROW(base32_decode("80000000000000"), Error); // above the largest bigint
}

TEST(Releases, ShortIdDisplayForm) {
	EXPECT_EQ(format_short_id("my-project", 1), "MY-PROJECT-1");
	EXPECT_EQ(format_short_id("foo", 32), "FOO-10");
	EXPECT_EQ(format_short_id("foo", 1000), "FOO-Z8");
}

TEST(Releases, ShortIdParsesBack) {
	ShortId id = parse_short_id("MY-PROJECT-Z8");
	EXPECT_EQ(id.project_slug, "my-project");
	EXPECT_EQ(id.short_id, 1000);
	id = parse_short_id("  foo_1z ");
	EXPECT_EQ(id.project_slug, "foo");
	EXPECT_EQ(id.short_id, 63);
	id = parse_short_id("foo bar 10");
	EXPECT_EQ(id.project_slug, "foo bar");
	EXPECT_EQ(id.short_id, 32);
	for (int64_t n : {int64_t(1), int64_t(31), int64_t(32), int64_t(123456789), INT64_MAX}) {
		ShortId round = parse_short_id(format_short_id("Proj", n));
		EXPECT_EQ(round.project_slug, "proj");
		EXPECT_EQ(round.short_id, n);
	}
}

TEST(Releases, ShortIdMalformedInputIsAClearError) {
	for (const char *bad : {"", "FOO", "FOO-", "-1", "FOO-U1", "FOO-1.2", "FOO-80000000000000", "a\nb-1"})
		EXPECT_EQ(error_kind_of_short_id(bad), ErrorKind::invalid_parameter) << bad;
	try {
		parse_short_id("FOO-U1");
	} catch (const Error &error) {
		EXPECT_NE(std::string(error.what()).find("'U' is not a base32 digit"), std::string::npos) << error.what();
	}
}
