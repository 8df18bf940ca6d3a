#include "auth/keys.h"

#include "core/ids.h"

namespace cdp::auth {

IssuedKey IssueKey(std::string_view brand_id, int64_t now) {
  IssuedKey key;
  key.secret = "cdp_" + RandomHex(24);
  key.record.brand_id = std::string(brand_id);
  key.record.prefix = key.secret.substr(0, kKeyPrefixChars);
  key.record.hash = HashKey(key.secret);
  key.record.created_at = now;
  return key;
}

std::string NewBrandId() { return RandomHex(8); }

std::string HashKey(std::string_view secret) { return Sha256Hex(secret); }

}  // namespace cdp::auth
