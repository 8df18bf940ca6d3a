#include "delivery/push/jwt.h"

#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <optional>
#include <vector>

#include "core/base64.h"
#include "core/json.h"

namespace cdp::delivery {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Key ReadKey(std::string_view pem, bool is_private) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return {nullptr, &EVP_PKEY_free};
  EVP_PKEY* key = is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                             : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  return {key, &EVP_PKEY_free};
}

bool IsP256(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = "";
  size_t len = 0;
  return EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1 &&
         std::string_view(group, len) == "prime256v1";
}

// The JOSE form of an ECDSA signature: R and S as 32-byte big-endian numbers.
std::optional<std::string> DerToJose(const std::vector<unsigned char>& der) {
  const unsigned char* p = der.data();
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), &ECDSA_SIG_free);
  if (!sig) return std::nullopt;
  std::string out(64, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), o, 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), o + 32, 32) != 32)
    return std::nullopt;
  return out;
}

std::optional<std::vector<unsigned char>> JoseToDer(std::string_view jose) {
  if (jose.size() != 64) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(jose.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), &ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(p, 32, nullptr);
  BIGNUM* s = BN_bin2bn(p + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  std::vector<unsigned char> der(static_cast<size_t>(len));
  unsigned char* out = der.data();
  i2d_ECDSA_SIG(sig.get(), &out);
  return der;
}

}  // namespace

Result<std::string> SignJwt(std::string_view header_json, std::string_view claims_json,
                            std::string_view private_key_pem) {
  Key key = ReadKey(private_key_pem, true);
  if (!key) return InvalidArgument("private key: not a PEM private key");
  const bool ec = IsP256(key.get());
  if (!ec && EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
    return InvalidArgument("private key: must be a P-256 (ES256) or RSA (RS256) key");
  // A header naming another algorithm would make a token no verifier accepts.
  auto header = ParseJson(header_json);
  const boost::json::value* alg =
      header.ok() && header->is_object() ? header->as_object().if_contains("alg") : nullptr;
  const char* expected = ec ? "ES256" : "RS256";
  if (!alg || !alg->is_string() || alg->as_string() != expected)
    return InvalidArgument(std::string("JWT header: this key signs ") + expected);
  const std::string input = Base64Url(header_json) + "." + Base64Url(claims_json);
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1)
    return Internal("JWT signing failed");
  std::vector<unsigned char> sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    return Internal("JWT signing failed");
  sig.resize(len);
  if (!ec) return input + "." + Base64Url({reinterpret_cast<const char*>(sig.data()), sig.size()});
  auto jose = DerToJose(sig);
  if (!jose) return Internal("JWT signing failed");
  return input + "." + Base64Url(*jose);
}

std::string_view JwtAlgorithm(std::string_view private_key_pem) {
  Key key = ReadKey(private_key_pem, true);
  if (!key) return "";
  if (IsP256(key.get())) return "ES256";
  return EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA ? "RS256" : "";
}

bool VerifyJwt(std::string_view token, std::string_view public_key_pem) {
  const size_t dot = token.rfind('.');
  if (dot == std::string_view::npos || token.find('.') == dot) return false;
  const std::string_view input = token.substr(0, dot);
  auto sig = FromBase64Url(token.substr(dot + 1));
  Key key = ReadKey(public_key_pem, false);
  if (!sig || !key) return false;
  std::vector<unsigned char> raw(sig->begin(), sig->end());
  if (IsP256(key.get())) {
    auto der = JoseToDer(*sig);
    if (!der) return false;
    raw = std::move(*der);
  }
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), raw.data(), raw.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

}  // namespace cdp::delivery
