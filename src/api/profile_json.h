// The JSON form of a profile in API responses.
#pragma once

#include <boost/json/object.hpp>

#include "profiles/profile.h"

namespace cdp::api {

// {"userId", "anonymousId", every standard field (null when unset), "attributes",
//  "created_at", "updated_at"}.
boost::json::object ProfileToJson(const profiles::Profile& p);

}  // namespace cdp::api
