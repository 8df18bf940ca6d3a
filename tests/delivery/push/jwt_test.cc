#include "delivery/push/jwt.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>

#include "core/base64.h"
#include "support/test_keys.h"

namespace cdp::delivery {
namespace {

TEST(Jwt, Es256SignatureIsRawRAndSAndVerifies) {
  const testing::KeyPair key = testing::GenerateP256KeyPair();
  EXPECT_EQ(JwtAlgorithm(key.private_pem), "ES256");
  const auto token =
      SignJwt(R"({"typ":"JWT","alg":"ES256"})", R"({"aud":"https://x","exp":1})", key.private_pem);
  ASSERT_TRUE(token.ok()) << token.status().message();
  const size_t a = token->find('.'), b = token->rfind('.');
  EXPECT_EQ(*FromBase64Url(std::string_view(*token).substr(0, a)),
            R"({"typ":"JWT","alg":"ES256"})");
  EXPECT_EQ(boost::json::parse(*FromBase64Url(std::string_view(*token).substr(a + 1, b - a - 1)))
                .at("aud"),
            "https://x");
  EXPECT_EQ(FromBase64Url(std::string_view(*token).substr(b + 1))->size(), 64u);
  EXPECT_TRUE(VerifyJwt(*token, key.public_pem));
  EXPECT_FALSE(VerifyJwt(*token, testing::GenerateP256KeyPair().public_pem));
  std::string tampered = *token;
  tampered[a + 2] ^= 1;
  EXPECT_FALSE(VerifyJwt(tampered, key.public_pem));
}

TEST(Jwt, Rs256VerifiesWithTheRsaKey) {
  const testing::KeyPair key = testing::GenerateRsaKeyPair();
  EXPECT_EQ(JwtAlgorithm(key.private_pem), "RS256");
  const auto token = SignJwt(R"({"alg":"RS256","typ":"JWT"})", R"({"iss":"a@b"})", key.private_pem);
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(FromBase64Url(std::string_view(*token).substr(token->rfind('.') + 1))->size(), 256u);
  EXPECT_TRUE(VerifyJwt(*token, key.public_pem));
}

TEST(Jwt, RefusesWhatIsNotAUsableKey) {
  EXPECT_EQ(SignJwt("{}", "{}", "not a key").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(JwtAlgorithm("not a key"), "");
  EXPECT_EQ(JwtAlgorithm(testing::GenerateEcKeyPair("P-384").private_pem), "");
  EXPECT_EQ(SignJwt("{}", "{}", testing::GenerateEcKeyPair("P-384").private_pem).status().code(),
            Code::kInvalidArgument);
}

TEST(Jwt, RefusesAHeaderNamingAnotherAlgorithmThanTheKeys) {
  const auto rsa_as_es256 =
      SignJwt(R"({"alg":"ES256","kid":"K"})", "{}", testing::GenerateRsaKeyPair().private_pem);
  EXPECT_EQ(rsa_as_es256.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(rsa_as_es256.status().message(), "JWT header: this key signs RS256");
  EXPECT_EQ(
      SignJwt(R"({"typ":"JWT"})", "{}", testing::GenerateP256KeyPair().private_pem).status().code(),
      Code::kInvalidArgument);
}

}  // namespace
}  // namespace cdp::delivery
