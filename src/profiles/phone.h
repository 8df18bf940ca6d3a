// Phone numbers: validation and E.164 normalisation via libphonenumber. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cdp::profiles {

// The number in E.164 form ("+919899999999") when `text` is a valid international
// number (it must start with '+' and a country code); nullopt otherwise.
std::optional<std::string> NormalizeMobile(std::string_view text);

}  // namespace cdp::profiles
