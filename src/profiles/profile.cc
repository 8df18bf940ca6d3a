#include "profiles/profile.h"

#include <algorithm>

namespace cdp::profiles {

const std::array<FieldInfo, kFieldCount>& Fields() {
  static const std::array<FieldInfo, kFieldCount> kFields = {{
      {Field::kName, "name", false},
      {Field::kFirstName, "firstName", false},
      {Field::kLastName, "lastName", false},
      {Field::kBirthDate, "birthDate", false},
      {Field::kGender, "gender", false},
      {Field::kEmail, "email", false},
      {Field::kMobile, "mobile", false},
      {Field::kCompany, "company", false},
      {Field::kHashedEmail, "hashed_email", false},
      {Field::kHashedMobile, "hashed_mobile", false},
      {Field::kEmailOptIn, "email_opt_in", true},
      {Field::kSmsOptIn, "sms_opt_in", true},
      {Field::kWhatsappOptIn, "whatsapp_opt_in", true},
  }};
  return kFields;
}

void ApplyPatch(const ProfilePatch& patch, Profile& profile) {
  for (size_t i = 0; i < kFieldCount; ++i)
    if (patch.fields[i]) profile.fields[i] = *patch.fields[i];
  for (const auto& [name, value] : patch.attributes) {
    if (value.is_null()) {
      profile.attributes.erase(name);
    } else {
      profile.attributes[name] = value;
    }
  }
}

void FoldProfile(const Profile& from, Profile& into) {
  for (size_t i = 0; i < kFieldCount; ++i)
    if (into.fields[i].is_null()) into.fields[i] = from.fields[i];
  for (const auto& [name, value] : from.attributes)
    if (!into.attributes.contains(name)) into.attributes[name] = value;
  into.created_at = std::min(into.created_at, from.created_at);
}

std::string_view AttributeType(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::string:
      return "string";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "number";
    case boost::json::kind::bool_:
      return "boolean";
    case boost::json::kind::object:
      return "object";
    case boost::json::kind::array:
      return "array";
    case boost::json::kind::null:
      return "";
  }
  return "";
}

}  // namespace cdp::profiles
