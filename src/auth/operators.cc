#include "auth/operators.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/ascii.h"
#include "core/ids.h"

namespace cdp::auth {

std::string_view RoleName(Role role) { return role == Role::kViewer ? "viewer" : "editor"; }

std::optional<Role> RoleNamed(std::string_view name) {
  if (name == "editor") return Role::kEditor;
  if (name == "viewer") return Role::kViewer;
  return std::nullopt;
}

Result<std::string> NormalizeEmail(std::string_view email) {
  const size_t at = email.find('@');
  const bool plain = std::none_of(email.begin(), email.end(),
                                  [](unsigned char c) { return c <= ' ' || c == 0x7f; });
  if (email.size() > 254 || !plain || at == std::string_view::npos || at == 0 ||
      at + 1 == email.size() || email.find('@', at + 1) != std::string_view::npos)
    return InvalidArgument(fmt::format("'{}' is not an email address", email));
  return AsciiLower(email);
}

Status CheckPassword(std::string_view password) {
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes)
    return InvalidArgument(fmt::format("a password must have {} to {} bytes, this one has {}",
                                       kMinPasswordBytes, kMaxPasswordBytes, password.size()));
  return Status::Ok();
}

Result<store::Operator> NewOperator(std::string_view brand_id, std::string_view email,
                                    std::string_view password, std::string_view role, int64_t now,
                                    const ScryptCost& cost) {
  auto normalized = NormalizeEmail(email);
  if (!normalized.ok()) return std::move(normalized).take_status();
  if (!RoleNamed(role))
    return InvalidArgument(fmt::format("role must be editor or viewer, got '{}'", role));
  CDP_RETURN_IF_ERROR(CheckPassword(password));
  auto hash = HashPassword(password, cost);
  if (!hash.ok()) return std::move(hash).take_status();
  store::Operator op;
  op.id = fmt::format("op_{}", RandomHex(8));
  op.brand_id = std::string(brand_id);
  op.email = std::move(normalized).value();
  op.role = std::string(role);
  op.password_hash = std::move(hash).value();
  op.created_at = now;
  op.updated_at = now;
  return op;
}

}  // namespace cdp::auth
