#include "auth/password.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "auth/operators.h"

namespace cdp::auth {
namespace {

using ::testing::MatchesRegex;

// Cheap parameters for the tests of behaviour; the default cost is tested once.
constexpr ScryptCost kCheap{1 << 10, 8, 1};

TEST(Password, HashesAtTheDocumentedCostWithTheParametersKept) {
  auto hash = HashPassword("a long passphrase");
  ASSERT_TRUE(hash.ok()) << hash.status().message();
  EXPECT_THAT(*hash,
              MatchesRegex(R"(scrypt\$32768\$8\$3\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=)"));
  EXPECT_TRUE(VerifyPassword("a long passphrase", *hash));
}

TEST(Password, RefusesAWrongPassword) {
  auto hash = HashPassword("a long passphrase", kCheap);
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(VerifyPassword("a long passphrasE", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
}

TEST(Password, SaltsEveryHash) {
  auto a = HashPassword("a long passphrase", kCheap);
  auto b = HashPassword("a long passphrase", kCheap);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword("a long passphrase", *b));
}

TEST(Password, VerifiesAtTheCostTheHashNames) {
  auto hash = HashPassword("a long passphrase", ScryptCost{1 << 11, 4, 2});
  ASSERT_TRUE(hash.ok());
  EXPECT_THAT(*hash, ::testing::StartsWith("scrypt$2048$4$2$"));
  EXPECT_TRUE(VerifyPassword("a long passphrase", *hash));
}

TEST(Password, RefusesEncodingsItCannotReadOrCostsBeyondItsBounds) {
  auto hash = HashPassword("a long passphrase", kCheap);
  ASSERT_TRUE(hash.ok());
  const std::string tail = hash->substr(hash->find('$', hash->find('$', 7) + 1));
  EXPECT_FALSE(VerifyPassword("a long passphrase", ""));
  EXPECT_FALSE(VerifyPassword("a long passphrase", "bcrypt$1024$8$1$AAAA$AAAA"));
  EXPECT_FALSE(VerifyPassword("a long passphrase", "scrypt$1000" + hash->substr(11)));
  EXPECT_FALSE(VerifyPassword("a long passphrase", "scrypt$2097152$8" + tail));
  EXPECT_FALSE(VerifyPassword("a long passphrase", hash->substr(0, hash->size() - 4)));
}

TEST(Operators, NormalizesEmailsAndChecksPasswordsAndRoles) {
  EXPECT_EQ(NormalizeEmail("Ada@Example.COM").value(), "ada@example.com");
  EXPECT_EQ(NormalizeEmail("ada").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(NormalizeEmail("a b@example.com").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(NormalizeEmail("@example.com").status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(CheckPassword("0123456789").ok());
  EXPECT_EQ(CheckPassword("012345678").message(),
            "a password must have 10 to 1024 bytes, this one has 9");
  EXPECT_FALSE(CheckPassword(std::string(1025, 'x')).ok());
  EXPECT_EQ(NewOperator("b", "a@example.com", "0123456789", "owner", 0, kCheap).status().message(),
            "role must be editor or viewer, got 'owner'");
  auto op = NewOperator("b", "A@Example.com", "0123456789", "viewer", 5, kCheap);
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->email, "a@example.com");
  EXPECT_EQ(op->role, "viewer");
  EXPECT_TRUE(op->id.starts_with("op_"));
  EXPECT_TRUE(VerifyPassword("0123456789", op->password_hash));
}

}  // namespace
}  // namespace cdp::auth
