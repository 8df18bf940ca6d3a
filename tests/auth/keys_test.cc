// auth/keys: issuing API keys and the form the store keeps of them.
#include "auth/keys.h"

#include <gtest/gtest.h>

#include <string>

#include "core/ids.h"

namespace cdp::auth {
namespace {

TEST(IssueKey, StartsTheSecretWithCdp) { EXPECT_EQ(IssueKey("b", 1).secret.rfind("cdp_", 0), 0u); }

TEST(IssueKey, FollowsThePrefixWith48LowerCaseHexDigits) {
  std::string secret = IssueKey("b", 1).secret;
  ASSERT_EQ(secret.size(), 4u + 48u);
  EXPECT_EQ(secret.find_first_not_of("0123456789abcdef", 4), std::string::npos) << secret;
}

TEST(IssueKey, RecordsTheFirstTwelveCharactersAsThePrefix) {
  IssuedKey k = IssueKey("b", 1);
  EXPECT_EQ(k.record.prefix.size(), kKeyPrefixChars);
  EXPECT_EQ(k.record.prefix, k.secret.substr(0, 12));
}

TEST(IssueKey, RecordsTheSha256OfTheSecret) {
  IssuedKey k = IssueKey("b", 1);
  EXPECT_EQ(k.record.hash, Sha256Hex(k.secret));
}

TEST(IssueKey, NeverRecordsTheSecretItself) {
  IssuedKey k = IssueKey("b", 1);
  EXPECT_EQ(k.record.hash.find(k.secret), std::string::npos);
  EXPECT_EQ(k.record.prefix.find(k.secret), std::string::npos);
}

TEST(IssueKey, RecordsTheBrandAndCreationTime) {
  IssuedKey k = IssueKey("brand-7", 42);
  EXPECT_EQ(k.record.brand_id, "brand-7");
  EXPECT_EQ(k.record.created_at, 42);
  EXPECT_FALSE(k.record.revoked_at);
}

TEST(IssueKey, IssuesADifferentSecretEachTime) {
  EXPECT_NE(IssueKey("b", 1).secret, IssueKey("b", 1).secret);
}

TEST(HashKey, IsTheSha256HexOfThePresentedKey) {
  EXPECT_EQ(HashKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(NewBrandId, Is16LowerCaseHexDigits) {
  std::string id = NewBrandId();
  ASSERT_EQ(id.size(), 16u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
}

TEST(NewBrandId, DiffersEachTime) { EXPECT_NE(NewBrandId(), NewBrandId()); }

}  // namespace
}  // namespace cdp::auth
