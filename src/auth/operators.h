// Operators of the dashboard: the rules for their emails, passwords and roles, shared by
// the `cdp operator` commands and the dashboard's operator endpoints. Pure functions apart
// from NewOperator's hashing; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/password.h"
#include "core/status.h"
#include "store/operator_store.h"

namespace cdp::auth {

enum class Role { kEditor, kViewer };

inline constexpr size_t kMinPasswordBytes = 10;
inline constexpr size_t kMaxPasswordBytes = 1024;

std::string_view RoleName(Role role);  // "editor" | "viewer"
// nullopt for anything but "editor" and "viewer".
std::optional<Role> RoleNamed(std::string_view name);

// `email` lower-cased; InvalidArgument unless it looks like an address (one '@' with
// something on each side, no spaces or controls, at most 254 bytes).
Result<std::string> NormalizeEmail(std::string_view email);
// InvalidArgument unless the password has 10 to 1,024 bytes.
Status CheckPassword(std::string_view password);

// A new operator of `brand_id` (id, lower-cased email, role, scrypt hash, times), or
// InvalidArgument naming what is wrong with the email, password or role.
Result<store::Operator> NewOperator(std::string_view brand_id, std::string_view email,
                                    std::string_view password, std::string_view role, int64_t now,
                                    const ScryptCost& cost = {});

}  // namespace cdp::auth
