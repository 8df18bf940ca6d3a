// What API handlers are given: the domain services, built once in main.cc, and the parsed
// call (authenticated brand and JSON body). Handlers are plain functions
// (const Call&, Services&) -> http::Response.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "auth/authenticator.h"
#include "core/clock.h"
#include "http/message.h"
#include "store/store.h"

namespace cdp::campaigns {
class Engine;
class Links;
}  // namespace cdp::campaigns

namespace cdp::auth {
class OAuth;
class Sessions;
class WriteKeys;
}  // namespace cdp::auth

namespace cdp::tracking {
class CallLog;
}

namespace cdp::ratelimit {
class Policy;
}

namespace cdp::api {

// The store by role: a handler names the role it uses (services.store.profiles...).
struct Stores {
  Stores(store::Store& s)  // NOLINT(google-explicit-constructor): main hands over its Store
      : brands(s),
        profiles(s),
        events(s),
        segments(s),
        channels(s),
        push(s),
        campaigns(s),
        sources(s),
        operators(s),
        write_health([&s] { return s.WriteHealth(); }) {}
  store::BrandStore& brands;
  store::ProfileStore& profiles;
  store::EventStore& events;
  store::SegmentStore& segments;
  store::ChannelStore& channels;
  store::PushStore& push;
  store::CampaignStore& campaigns;
  store::SourceStore& sources;
  store::OperatorStore& operators;
  std::function<Status()> write_health;  // Store::WriteHealth, for /healthz
};

struct Services {
  Stores store;
  auth::Authenticator& auth;
  const Clock& clock;
  campaigns::Engine* campaigns = nullptr;    // woken when a campaign becomes due; may be null
  const campaigns::Links* links = nullptr;   // verifies tracking and unsubscribe links
  ratelimit::Policy* rate_limits = nullptr;  // null: no limits (tools and tests)
  auth::OAuth* oauth = nullptr;              // partner access tokens; null: none accepted
  auth::WriteKeys* write_keys = nullptr;     // sources' write keys; null: no tracking API
  tracking::CallLog* call_log = nullptr;     // the sources' debugger; null: not recorded
  auth::Sessions* sessions = nullptr;        // operators' sessions; null: no dashboard API
  // Where browsers reach this server (--public-url): https makes session cookies Secure, and
  // its origin is accepted besides the request's Host.
  std::string public_url = "";
};

struct Call {
  const http::Request& request;
  std::string brand_id;      // authenticated
  boost::json::object body;  // the parsed JSON body
  std::string actor;         // who, for the audit log: "key:PREFIX", "operator:EMAIL", ...
};

}  // namespace cdp::api
