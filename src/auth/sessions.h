// Sessions: operators signing in to the dashboard, and the check of each dashboard call's
// session cookie. Called by api/dashboard_session.cc.
//
// A sign-in makes a new random id (the cookie's value; only its SHA-256 is stored) and a
// random CSRF token. A session ends `idle` after its last use and `max_age` after the sign-in,
// whichever comes first, by the injected Clock; its last use is written at most every
// min(1 minute, idle / 4). Sign-in attempts are counted by the rate Limiter per email and per
// client address (counted whether they succeed or not); past a limit SignIn answers
// ResourceExhausted without checking the password. An unknown email costs the same scrypt as
// a wrong password and gets the same answer. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "auth/operators.h"
#include "core/clock.h"
#include "core/status.h"
#include "ratelimit/limiter.h"
#include "store/operator_store.h"

namespace cdp::auth {

struct SessionOptions {
  int64_t idle_micros = int64_t{12} * 3600 * 1'000'000;
  int64_t max_age_micros = int64_t{7} * 86400 * 1'000'000;
  int64_t signins_per_email = 10;    // a minute
  int64_t signins_per_address = 30;  // a minute
};

// Who a valid session is.
struct SessionInfo {
  std::string brand_id;
  std::string email;
  Role role = Role::kViewer;
  std::string csrf_token;
  int64_t expires_at = 0;  // the absolute end (micros); an idle session ends sooner
};

struct SignedIn {
  std::string cookie;  // the session id to send as the cookie's value; not stored
  SessionInfo session;
};

class Sessions {
 public:
  // `limiter` may be null (no sign-in limits: tools and tests).
  Sessions(store::OperatorStore& store, ratelimit::Limiter* limiter, const Clock& clock,
           SessionOptions options = {});

  // A new session for the operator with `email` and `password`. Unauthenticated ("wrong
  // email or password", the same for both) when either is wrong; ResourceExhausted with
  // details {"retry_after": seconds} past the sign-in limits; Unavailable when storage fails.
  // `client` is the caller's address without its port.
  Result<SignedIn> SignIn(std::string_view email, std::string_view password,
                          std::string_view client);
  // The session whose cookie value is `cookie`; Unauthenticated when there is none or it
  // ended (an ended session's row is deleted).
  Result<SessionInfo> Authenticate(std::string_view cookie);
  // Ends the session of `cookie`, if any.
  Status SignOut(std::string_view cookie);

  const SessionOptions& options() const { return options_; }

 private:
  Status Admit(std::string_view email, std::string_view client);
  const std::string& DummyHash();

  store::OperatorStore& store_;
  ratelimit::Limiter* limiter_;
  const Clock& clock_;
  const SessionOptions options_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace cdp::auth
