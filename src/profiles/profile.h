// Profile: a user as the brand knows them — standard fields, custom attributes, and the
// identifiers (userId for known users, anonymousId for not-yet-identified ones).
//
// Standard fields are indexed by Field so that the API mapping, validation and storage
// iterate one table instead of repeating the field list. Plain values; thread-compatible.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdp::profiles {

enum class Field {
  kName,
  kFirstName,
  kLastName,
  kBirthDate,
  kGender,
  kEmail,
  kMobile,
  kCompany,
  kHashedEmail,
  kHashedMobile,
  kEmailOptIn,
  kSmsOptIn,
  kWhatsappOptIn,
};
inline constexpr size_t kFieldCount = 13;

struct FieldInfo {
  Field field;
  std::string_view name;  // the name used in API output
  bool is_integer;        // opt-in flags; everything else is a string
};

// All standard fields, in Field order.
const std::array<FieldInfo, kFieldCount>& Fields();

inline const FieldInfo& InfoFor(Field f) { return Fields()[static_cast<size_t>(f)]; }

// Which identifier a lookup uses.
struct ProfileKey {
  enum class Kind { kUserId, kAnonymousId };
  Kind kind = Kind::kUserId;
  std::string id;
};

struct Profile {
  int64_t id = 0;  // internal, stable for the life of the profile
  std::optional<std::string> user_id;
  std::optional<std::string> anonymous_id;
  // A null value means "not set". Strings for string fields, int64 for opt-ins.
  std::array<boost::json::value, kFieldCount> fields;
  boost::json::object attributes;
  int64_t created_at = 0;  // micros since epoch, UTC
  int64_t updated_at = 0;

  const boost::json::value& operator[](Field f) const { return fields[static_cast<size_t>(f)]; }
  boost::json::value& operator[](Field f) { return fields[static_cast<size_t>(f)]; }
};

// A validated change to one profile. For standard fields: nullopt keeps the stored value,
// a null value clears it. For attributes: a key present with null removes the attribute,
// any other value replaces it; keys not present are kept.
struct ProfilePatch {
  std::optional<std::string> user_id;
  std::optional<std::string> anonymous_id;
  std::array<std::optional<boost::json::value>, kFieldCount> fields;
  boost::json::object attributes;

  std::optional<boost::json::value>& operator[](Field f) { return fields[static_cast<size_t>(f)]; }
  const std::optional<boost::json::value>& operator[](Field f) const {
    return fields[static_cast<size_t>(f)];
  }
};

// Applies `patch` on top of `profile` (fields and attributes; not identifiers).
void ApplyPatch(const ProfilePatch& patch, Profile& profile);

// Merges profile `from` (an anonymous one being identified) into `into`: `into` keeps its
// own fields and attributes and takes those it lacks from `from`, and the earlier creation
// time. Identifiers are left to the caller.
void FoldProfile(const Profile& from, Profile& into);

// The JSON type name used for attribute type consistency: "string", "number", "boolean",
// "object" or "array". Null has no type.
std::string_view AttributeType(const boost::json::value& v);

}  // namespace cdp::profiles
