// Fresh key pairs as PEM text, for tests that configure push providers or check JWTs.
#pragma once

#include <string>

namespace cdp::testing {

struct KeyPair {
  std::string private_pem;  // PKCS#8
  std::string public_pem;   // SubjectPublicKeyInfo
};

KeyPair GenerateP256Key();
KeyPair GenerateRsaKey();                // 2048 bits
KeyPair GenerateKey(const char* curve);  // e.g. "P-384"

}  // namespace cdp::testing
