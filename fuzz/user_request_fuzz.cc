// Fuzz target: the body of the User API's writes (POST /api/v1/user/create) as the server
// decodes it: the strict JSON parser api::Admit runs (core/json), then each user object
// validated by profiles::ParseProfileInput, as api::CreateUsers does.
//
// CreateUsers itself needs a Store, so the few lines that pick the users out of a batch
// ({"nv":[...]}) are mirrored here, more leniently (every object of "nv" is validated, where
// the handler refuses a batch with a non-object); everything that reads a field is the
// product's code.
//
// Properties: accepted JSON survives serialize -> parse; an accepted user has an
// identifier within the limits, at most kMaxAttributesPerProfile attributes, and standard
// fields already in normal form (normalising them again changes nothing, so a profile
// read back and sent again is accepted as is).
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "check.h"
#include "core/json.h"
#include "profiles/profile.h"
#include "profiles/profile_input.h"

namespace {

namespace json = boost::json;
using cdp::fuzz::Check;

void CheckId(const std::optional<std::string>& id) {
  if (!id) return;
  Check(!id->empty(), "an accepted identifier is empty");
  Check(cdp::Utf8Length(*id) <= cdp::profiles::kMaxIdChars, "an accepted identifier is too long",
        *id);
}

void CheckPatch(const cdp::profiles::ProfilePatch& patch) {
  using cdp::profiles::Field;
  Check(patch.user_id || patch.anonymous_id, "a user without identifiers was accepted");
  CheckId(patch.user_id);
  CheckId(patch.anonymous_id);
  Check(patch.attributes.size() <= cdp::profiles::kMaxAttributesPerProfile,
        "more attributes than a profile may hold were accepted");
  for (const auto& info : cdp::profiles::Fields()) {
    const auto& value = patch[info.field];
    if (!value) continue;
    auto again = cdp::profiles::NormalizeField(info.field, *value);
    Check(again.ok(), "a normalised standard field is refused when sent again",
          std::string(info.name) + ": " + json::serialize(*value));
    Check(*again == *value, "normalising a standard field twice changes it",
          std::string(info.name) + ": " + json::serialize(*value));
  }
  // Applying the patch to an empty profile leaves no null attribute (null means "remove").
  cdp::profiles::Profile profile;
  cdp::profiles::ApplyPatch(patch, profile);
  for (const auto& [name, value] : profile.attributes)
    Check(!value.is_null(), "a null attribute was stored instead of removed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = cdp::ParseJson(cdp::fuzz::AsText(data, size));
  if (!body.ok()) {
    Check(body.status().code() == cdp::Code::kInvalidArgument && !body.status().message().empty(),
          "malformed JSON must be InvalidArgument with a message");
    return 0;
  }
  cdp::fuzz::CheckJsonRoundTrip(*body);
  if (!body->is_object()) return 0;  // Admit answers 400 before any handler runs
  const json::object& obj = body->get_object();

  std::vector<const json::object*> users;
  if (const json::value* nv = obj.if_contains("nv")) {
    if (!nv->is_array()) return 0;
    for (const json::value& user : nv->get_array())
      if (user.is_object()) users.push_back(&user.get_object());
  } else {
    users.push_back(&obj);
  }
  for (const json::object* user : users) {
    auto patch = cdp::profiles::ParseProfileInput(*user);
    if (patch.ok()) {
      CheckPatch(*patch);
    } else {
      Check(patch.status().code() == cdp::Code::kInvalidArgument,
            "a rejected user must be InvalidArgument");
    }
  }
  return 0;
}
