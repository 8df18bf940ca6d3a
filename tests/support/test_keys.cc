#include "support/test_keys.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>

namespace cdp::testing {
namespace {

std::string Pem(EVP_PKEY* key, bool is_private) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  const int ok =
      is_private ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                 : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) throw std::runtime_error("PEM encoding failed");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

KeyPair Export(EVP_PKEY* key) {
  if (!key) throw std::runtime_error("key generation failed");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> owned(key, &EVP_PKEY_free);
  return {Pem(key, true), Pem(key, false)};
}

}  // namespace

KeyPair GenerateRsaKeyPair() {
  return Export(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
}

KeyPair GenerateEcKeyPair(const char* curve) {
  return Export(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

KeyPair GenerateP256KeyPair() { return GenerateEcKeyPair("P-256"); }

}  // namespace cdp::testing
