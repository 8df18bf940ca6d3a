#include "support/keys.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>

namespace cdp::testing {
namespace {

std::string Drain(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

KeyPair ToPem(EVP_PKEY* key) {
  if (!key) throw std::runtime_error("key generation failed");
  KeyPair out;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.private_pem = Drain(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(b, key);
  out.public_pem = Drain(b);
  EVP_PKEY_free(key);
  return out;
}

}  // namespace

KeyPair GenerateKey(const char* curve) {
  return ToPem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

KeyPair GenerateP256Key() { return GenerateKey("P-256"); }

KeyPair GenerateRsaKey() {
  return ToPem(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
}

}  // namespace cdp::testing
