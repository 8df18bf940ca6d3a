// Key pairs generated with OpenSSL for tests of signed credentials (JWTs): PEM texts, the
// private key as PKCS#8, the public key as SubjectPublicKeyInfo. Thread-safe.
#pragma once

#include <string>

namespace cdp::testing {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair GenerateRsaKeyPair();                  // 2048 bits, as Google's service-account keys
KeyPair GenerateP256KeyPair();                 // as APNs' .p8 keys and VAPID
KeyPair GenerateEcKeyPair(const char* curve);  // e.g. "P-384", for keys of the wrong kind

}  // namespace cdp::testing
