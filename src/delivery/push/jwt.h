// JSON Web Tokens as push providers want them (RFC 7519, compact JWS, RFC 7515), signed
// with OpenSSL: ES256 for VAPID (RFC 8292) and APNs, RS256 for Google's service-account
// token exchange (FCM).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace cdp::delivery {

// base64url(header).base64url(claims).base64url(signature), both JSON texts taken as
// given. The key (PEM, PKCS#8 or traditional) picks the algorithm, which `header` must
// name in "alg": a P-256 key signs ES256 (signature R||S, 64 bytes, RFC 7518 §3.4), an
// RSA key RS256 (PKCS#1 v1.5, SHA-256). Errors (InvalidArgument): a key that does not
// parse or has another type, a header whose "alg" is not the key's.
Result<std::string> SignJwt(std::string_view header_json, std::string_view claims_json,
                            std::string_view private_key_pem);

// "ES256" or "RS256": the algorithm a PEM private key signs with; "" when it parses as
// neither a P-256 nor an RSA private key.
std::string_view JwtAlgorithm(std::string_view private_key_pem);

// True when `token` is a compact JWS whose signature verifies with `public_key_pem`
// (ES256 or RS256, by key type). For tests and diagnostics.
bool VerifyJwt(std::string_view token, std::string_view public_key_pem);

}  // namespace cdp::delivery
