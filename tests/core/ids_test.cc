// core/ids: random identifiers and secrets, their hashes, and comparing secrets.
#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace cdp {
namespace {

TEST(RandomHex, HasTwoDigitsPerByte) {
  EXPECT_EQ(RandomHex(1).size(), 2u);
  EXPECT_EQ(RandomHex(16).size(), 32u);
  EXPECT_EQ(RandomHex(24).size(), 48u);
}

TEST(RandomHex, IsEmptyForZeroBytes) { EXPECT_EQ(RandomHex(0), ""); }

TEST(RandomHex, UsesOnlyLowerCaseHexDigits) {
  for (int i = 0; i < 100; ++i) {
    std::string h = RandomHex(16);
    EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos) << h;
  }
}

TEST(RandomHex, DoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(RandomHex(16)).second);
}

TEST(Sha256Hex, MatchesTheKnownVectorOfAbc) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Hex, MatchesTheKnownVectorOfTheEmptyString) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Hex, HashesBytesAfterANul) {
  using namespace std::string_view_literals;
  EXPECT_NE(Sha256Hex("a\0b"sv), Sha256Hex("a"sv));
}

TEST(ConstantTimeEquals, AcceptsEqualStrings) { EXPECT_TRUE(ConstantTimeEquals("abc", "abc")); }

TEST(ConstantTimeEquals, AcceptsTwoEmptyStrings) { EXPECT_TRUE(ConstantTimeEquals("", "")); }

TEST(ConstantTimeEquals, RejectsADifferenceInTheLastCharacter) {
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
}

TEST(ConstantTimeEquals, RejectsADifferenceInTheFirstCharacter) {
  EXPECT_FALSE(ConstantTimeEquals("abc", "xbc"));
}

TEST(ConstantTimeEquals, RejectsAPrefix) { EXPECT_FALSE(ConstantTimeEquals("abc", "abcd")); }

TEST(ConstantTimeEquals, RejectsAnEmptyStringAgainstANonEmptyOne) {
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
}

}  // namespace
}  // namespace cdp
