#include "delivery/jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <memory>

#include "core/base64.h"

namespace cdp::delivery {
namespace {

struct Pem {
  std::string private_key, public_key;
};

Pem Generate(const char* type, const char* arg) {
  EVP_PKEY* key = std::string_view(type) == "EC"
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, arg)
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, type, static_cast<size_t>(2048));
  Pem out;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  out.private_key.assign(data, BIO_get_mem_data(b, &data));
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(b, key);
  out.public_key.assign(data, BIO_get_mem_data(b, &data));
  BIO_free(b);
  EVP_PKEY_free(key);
  return out;
}

TEST(Jwt, Es256SignatureIsRawRAndSAndVerifies) {
  const Pem key = Generate("EC", "P-256");
  const auto token =
      SignJwt(R"({"typ":"JWT","alg":"ES256"})", R"({"aud":"https://x","exp":1})", key.private_key);
  ASSERT_TRUE(token.ok()) << token.status().message();
  const size_t a = token->find('.'), b = token->rfind('.');
  EXPECT_EQ(*FromBase64Url(std::string_view(*token).substr(0, a)),
            R"({"typ":"JWT","alg":"ES256"})");
  EXPECT_EQ(boost::json::parse(*FromBase64Url(std::string_view(*token).substr(a + 1, b - a - 1)))
                .at("aud"),
            "https://x");
  EXPECT_EQ(FromBase64Url(std::string_view(*token).substr(b + 1))->size(), 64u);
  EXPECT_TRUE(VerifyJwt(*token, key.public_key));
  EXPECT_FALSE(VerifyJwt(*token, Generate("EC", "P-256").public_key));
  std::string tampered = *token;
  tampered[a + 2] ^= 1;
  EXPECT_FALSE(VerifyJwt(tampered, key.public_key));
}

TEST(Jwt, Rs256VerifiesWithTheRsaKey) {
  const Pem key = Generate("RSA", nullptr);
  const auto token = SignJwt(R"({"alg":"RS256","typ":"JWT"})", R"({"iss":"a@b"})", key.private_key);
  ASSERT_TRUE(token.ok()) << token.status().message();
  EXPECT_EQ(FromBase64Url(std::string_view(*token).substr(token->rfind('.') + 1))->size(), 256u);
  EXPECT_TRUE(VerifyJwt(*token, key.public_key));
}

TEST(Jwt, RefusesWhatIsNotAUsableKey) {
  EXPECT_EQ(SignJwt("{}", "{}", "not a key").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(SignJwt("{}", "{}", Generate("EC", "P-384").private_key).status().code(),
            Code::kInvalidArgument);
}

TEST(Jwt, RefusesAHeaderNamingAnotherAlgorithmThanTheKeys) {
  const auto rsa_as_es256 =
      SignJwt(R"({"alg":"ES256","kid":"K"})", "{}", Generate("RSA", nullptr).private_key);
  EXPECT_EQ(rsa_as_es256.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(rsa_as_es256.status().message(), "JWT header: this key signs RS256");
  EXPECT_EQ(SignJwt(R"({"typ":"JWT"})", "{}", Generate("EC", "P-256").private_key).status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace cdp::delivery
