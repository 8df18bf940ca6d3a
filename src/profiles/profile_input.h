// Validation of one profile as sent to the User API (and, later, inside events), producing
// a ProfilePatch. Every documented spelling of a field is accepted (userID/userId/user_id,
// firstName/first_name, birthDate/birth_date, ...). Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "core/status.h"
#include "profiles/profile.h"

namespace cdp::profiles {

inline constexpr size_t kMaxIdChars = 100;
inline constexpr size_t kMaxAttributeNameChars = 49;  // "less than 50 characters"
inline constexpr size_t kMaxStringValueChars = 999;   // "less than 1000 characters"
inline constexpr size_t kMaxAttributesPerProfile = 200;

// Parses one user object. Standard fields may appear at the top level or inside
// `user_attributes`; custom attributes go in `attributes`, or in `user_attributes` (any name
// that is not a standard field, and every key of its own `attributes` object). A custom
// attribute given in two of these places with different values is refused, naming it.
// Unknown top-level keys are rejected so typos do not silently become data. Errors are
// InvalidArgument naming the field.
Result<ProfilePatch> ParseProfileInput(const boost::json::object& user);

// Whether `key` is a spelling of userId or anonymousId.
bool IsIdentifierKey(std::string_view key);

// Validates one standard field's value (null is accepted: it clears the field) and returns
// it normalised: E.164 mobile, lower-case gender, YYYY-MM-DD birth date, integer opt-ins.
Result<boost::json::value> NormalizeField(Field field, const boost::json::value& value);

// Validates custom attributes: names 1..49 chars, string values < 1000 chars.
Status ValidateAttributes(const boost::json::object& attributes, std::string_view where);

// The standard field named `key` in any accepted spelling.
std::optional<Field> FieldByName(std::string_view key);

}  // namespace cdp::profiles
