#include "profiles/profile_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "core/json.h"
#include "core/time.h"
#include "profiles/phone.h"

namespace cdp::profiles {
namespace {

namespace json = boost::json;

struct Alias {
  std::string_view spelling;
  Field field;
};

constexpr Alias kAliases[] = {
    {"name", Field::kName},
    {"firstName", Field::kFirstName},
    {"first_name", Field::kFirstName},
    {"firstname", Field::kFirstName},
    {"first Name", Field::kFirstName},
    {"lastName", Field::kLastName},
    {"last_name", Field::kLastName},
    {"lastname", Field::kLastName},
    {"last Name", Field::kLastName},
    {"birthDate", Field::kBirthDate},
    {"birth_date", Field::kBirthDate},
    {"birthdate", Field::kBirthDate},
    {"gender", Field::kGender},
    {"email", Field::kEmail},
    {"mobile", Field::kMobile},
    {"phone", Field::kMobile},
    {"company", Field::kCompany},
    {"hashed_email", Field::kHashedEmail},
    {"hashedEmail", Field::kHashedEmail},
    {"hashed_mobile", Field::kHashedMobile},
    {"hashedMobile", Field::kHashedMobile},
    {"email_opt_in", Field::kEmailOptIn},
    {"emailOptIn", Field::kEmailOptIn},
    {"sms_opt_in", Field::kSmsOptIn},
    {"smsOptIn", Field::kSmsOptIn},
    {"whatsapp_opt_in", Field::kWhatsappOptIn},
    {"whatsappOptIn", Field::kWhatsappOptIn},
};

constexpr std::string_view kUserIdSpellings[] = {"userID", "userId", "user_id", "userid"};
constexpr std::string_view kAnonymousIdSpellings[] = {"anonymousId", "anonymousID", "anonymous_id"};

template <size_t N>
bool IsOneOf(std::string_view key, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), key) != std::end(set);
}

std::string Quote(const json::value& v) {
  std::string s = json::serialize(v);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

bool IsValidEmail(std::string_view s) {
  if (s.size() > 254) return false;
  auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos)
    return false;
  std::string_view domain = s.substr(at + 1);
  auto dot = domain.find('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || domain.back() == '.')
    return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '<' || c == '>';
  });
}

// An identifier: a non-empty string (or an integer, taken as its decimal text) of at most
// kMaxIdChars characters. Empty strings and null count as absent.
Result<std::optional<std::string>> ParseId(const json::value& v, std::string_view name) {
  std::string id;
  if (v.is_null()) return std::optional<std::string>();
  if (v.is_string()) {
    id = std::string(v.get_string());
  } else if (v.is_int64() || v.is_uint64()) {
    id = json::serialize(v);
  } else {
    return InvalidArgument(fmt::format("{}: must be a string, got {}", name, Quote(v)));
  }
  if (id.empty()) return std::optional<std::string>();
  if (Utf8Length(id) > kMaxIdChars)
    return InvalidArgument(fmt::format("{}: must be at most {} characters, got {}", name,
                                       kMaxIdChars, Utf8Length(id)));
  return std::optional<std::string>(std::move(id));
}

// Sets the field once; the same field under two spellings must agree.
Status SetField(ProfilePatch& patch, Field field, std::string_view key, const json::value& v) {
  auto normalized = NormalizeField(field, v);
  if (!normalized.ok()) {
    return InvalidArgument(fmt::format("{}: {}", key, normalized.status().message()));
  }
  if (patch[field] && *patch[field] != *normalized)
    return InvalidArgument(fmt::format("{}: given twice with different values", key));
  patch[field] = std::move(normalized).value();
  return Status::Ok();
}

// Where each custom attribute of one user object came from ("attributes", "user_attributes"
// or "user_attributes.attributes"), so that a name given in two places with different values
// is refused by name instead of one value silently winning.
using Sources = std::vector<std::pair<std::string, std::string_view>>;

Status AddCustom(ProfilePatch& patch, Sources& sources, std::string_view where,
                 const json::object& custom) {
  for (const auto& [name_ref, v] : custom) {
    std::string_view name = name_ref;
    if (const json::value* old = patch.attributes.if_contains(name)) {
      if (*old != v) {
        auto it = std::find_if(sources.begin(), sources.end(),
                               [&](const auto& s) { return s.first == name; });
        return InvalidArgument(fmt::format("{}.{}: given twice with different values (also in {})",
                                           where, name,
                                           it != sources.end() ? it->second : "attributes"));
      }
      continue;
    }
    patch.attributes[name] = v;
    sources.emplace_back(std::string(name), where);
  }
  return Status::Ok();
}

}  // namespace

bool IsIdentifierKey(std::string_view key) {
  return IsOneOf(key, kUserIdSpellings) || IsOneOf(key, kAnonymousIdSpellings);
}

std::optional<Field> FieldByName(std::string_view key) {
  for (const auto& a : kAliases)
    if (a.spelling == key) return a.field;
  return std::nullopt;
}

Result<json::value> NormalizeField(Field field, const json::value& value) {
  if (value.is_null()) return json::value(nullptr);
  const FieldInfo& info = InfoFor(field);
  if (info.is_integer) {
    int64_t n = -1;
    if (value.is_int64())
      n = value.get_int64();
    else if (value.is_uint64())
      n = value.get_uint64() > 2 ? -1 : static_cast<int64_t>(value.get_uint64());
    else if (value.is_string() && value.get_string().size() == 1)
      n = value.get_string()[0] - '0';
    if (n < 0 || n > 2)
      return InvalidArgument(fmt::format("must be 0, 1 or 2, got {}", Quote(value)));
    return json::value(n);
  }
  if (!value.is_string())
    return InvalidArgument(fmt::format("must be a string, got {}", Quote(value)));
  std::string_view s = value.get_string();
  if (Utf8Length(s) > kMaxStringValueChars)
    return InvalidArgument(fmt::format("must be less than 1000 characters, got {}", Utf8Length(s)));
  switch (field) {
    case Field::kGender: {
      const std::string lower = AsciiLower(s);
      if (lower != "male" && lower != "female" && lower != "other")
        return InvalidArgument(
            fmt::format("must be one of male, female, other, got {}", Quote(value)));
      return json::value(lower);
    }
    case Field::kBirthDate: {
      auto t = ParseTimestamp(s);
      if (!t)
        return InvalidArgument(fmt::format(
            "must be a date as YYYY-MM-DD (or yyyy-MM-ddTHH:mm:ss with an offset), got {}",
            Quote(value)));
      return json::value(fmt::format("{:04}-{:02}-{:02}", t->year, t->month, t->day));
    }
    case Field::kEmail:
      if (!IsValidEmail(s))
        return InvalidArgument(fmt::format("is not a valid email address: {}", Quote(value)));
      return json::value(s);
    case Field::kMobile: {
      auto e164 = NormalizeMobile(s);
      if (!e164)
        return InvalidArgument(
            fmt::format("must be a valid phone number in E.164 format, e.g. +919899999999, got {}",
                        Quote(value)));
      return json::value(*e164);
    }
    default:
      return json::value(s);
  }
}

Status ValidateAttributes(const json::object& attributes, std::string_view where) {
  if (attributes.size() > kMaxAttributesPerProfile)
    return InvalidArgument(fmt::format("{}: at most {} attributes per call, got {}", where,
                                       kMaxAttributesPerProfile, attributes.size()));
  for (const auto& [name, value] : attributes) {
    size_t len = Utf8Length(name);
    if (len == 0)
      return InvalidArgument(fmt::format("{}: attribute names must not be empty", where));
    if (len > kMaxAttributeNameChars)
      return InvalidArgument(fmt::format("{}.{}: attribute names must be less than 50 characters",
                                         where, std::string_view(name)));
    if (value.is_string() && Utf8Length(value.get_string()) > kMaxStringValueChars)
      return InvalidArgument(fmt::format("{}.{}: string values must be less than 1000 characters",
                                         where, std::string_view(name)));
  }
  return Status::Ok();
}

Result<ProfilePatch> ParseProfileInput(const json::object& user) {
  ProfilePatch patch;
  Sources sources;
  for (const auto& [key_ref, value] : user) {
    std::string_view key = key_ref;
    if (IsOneOf(key, kUserIdSpellings)) {
      auto id = ParseId(value, key);
      if (!id.ok()) return std::move(id).take_status();
      if (*id && patch.user_id && *patch.user_id != **id)
        return InvalidArgument(fmt::format("{}: given twice with different values", key));
      if (*id) patch.user_id = **id;
    } else if (IsOneOf(key, kAnonymousIdSpellings)) {
      auto id = ParseId(value, key);
      if (!id.ok()) return std::move(id).take_status();
      if (*id) patch.anonymous_id = **id;
    } else if (key == "attributes") {
      if (!value.is_object())
        return InvalidArgument(fmt::format("attributes: must be an object, got {}", Quote(value)));
      CDP_RETURN_IF_ERROR(ValidateAttributes(value.get_object(), "attributes"));
      CDP_RETURN_IF_ERROR(AddCustom(patch, sources, "attributes", value.get_object()));
    } else if (key == "user_attributes") {
      if (!value.is_object())
        return InvalidArgument(
            fmt::format("user_attributes: must be an object, got {}", Quote(value)));
      json::object custom;
      const json::object* nested = nullptr;  // user_attributes.attributes
      for (const auto& [name, v] : value.get_object()) {
        if (name == "attributes") {
          if (!v.is_object())
            return InvalidArgument(fmt::format(
                "user_attributes.attributes: must be an object of custom attributes, got {}",
                Quote(v)));
          nested = &v.get_object();
        } else if (auto field = FieldByName(name)) {
          CDP_RETURN_IF_ERROR(SetField(
              patch, *field, fmt::format("user_attributes.{}", std::string_view(name)), v));
        } else {
          custom[name] = v;
        }
      }
      CDP_RETURN_IF_ERROR(ValidateAttributes(custom, "user_attributes"));
      CDP_RETURN_IF_ERROR(AddCustom(patch, sources, "user_attributes", custom));
      if (nested) {
        CDP_RETURN_IF_ERROR(ValidateAttributes(*nested, "user_attributes.attributes"));
        CDP_RETURN_IF_ERROR(AddCustom(patch, sources, "user_attributes.attributes", *nested));
      }
    } else if (auto field = FieldByName(key)) {
      CDP_RETURN_IF_ERROR(SetField(patch, *field, key, value));
    } else {
      return InvalidArgument(
          fmt::format("unknown field '{}'; custom attributes go inside \"attributes\"", key));
    }
  }
  if (!patch.user_id && !patch.anonymous_id)
    return InvalidArgument("Error: userId and anonymousId cannot be empty.");
  if (patch.attributes.size() > kMaxAttributesPerProfile)
    return InvalidArgument(fmt::format("at most {} attributes per call, got {}",
                                       kMaxAttributesPerProfile, patch.attributes.size()));
  return patch;
}

}  // namespace cdp::profiles
