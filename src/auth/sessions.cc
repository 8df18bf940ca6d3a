#include "auth/sessions.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "core/ascii.h"
#include "core/ids.h"

namespace cdp::auth {
namespace {

constexpr size_t kCookieBytes = 32;  // 256 random bits, 64 hex digits
constexpr int64_t kTouchMicros = 60'000'000;

Status WrongCredentials() { return Unauthenticated("wrong email or password"); }
Status NoSession() { return Unauthenticated("sign in first: no session, or it has ended"); }

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Status Unreadable(const Status& st) {
  return Unavailable(fmt::format("cannot check the session: {}", st.message()));
}

}  // namespace

Sessions::Sessions(store::OperatorStore& store, ratelimit::Limiter* limiter, const Clock& clock,
                   SessionOptions options)
    : store_(store), limiter_(limiter), clock_(clock), options_(options) {}

const std::string& Sessions::DummyHash() {
  std::call_once(dummy_once_, [this] {
    auto hash = HashPassword(RandomHex(16));
    dummy_hash_ = hash.ok() ? *hash : std::string();
  });
  return dummy_hash_;
}

Status Sessions::Admit(std::string_view email, std::string_view client) {
  if (!limiter_) return Status::Ok();
  const int64_t now = clock_.NowMicros();
  auto refuse = [](const ratelimit::Decision& d, std::string_view what) {
    return Status(Code::kResourceExhausted,
                  fmt::format("too many sign-in attempts {}; retry in {} s", what, d.reset_seconds))
        .WithDetails(boost::json::object{{"retry_after", d.reset_seconds}});
  };
  auto by_address =
      limiter_->Admit(fmt::format("signin:ip:{}", client), options_.signins_per_address, now);
  if (!by_address.allowed) return refuse(by_address, "from this address");
  auto by_email =
      limiter_->Admit(fmt::format("signin:email:{}", email), options_.signins_per_email, now);
  if (!by_email.allowed) return refuse(by_email, "for this email");
  return Status::Ok();
}

Result<SignedIn> Sessions::SignIn(std::string_view given_email, std::string_view password,
                                  std::string_view client) {
  // An address that is not an email cannot be an operator's: the same answer, the same cost.
  auto normalized = NormalizeEmail(given_email);
  const std::string email = normalized.ok() ? *normalized : AsciiLower(given_email);
  CDP_RETURN_IF_ERROR(Admit(email, client));
  if (password.size() > kMaxPasswordBytes) return WrongCredentials();
  auto op = normalized.ok() ? store_.GetOperatorByEmail(email)
                            : Result<store::Operator>(NotFound("no such operator"));
  if (!op.ok() && op.status().code() != Code::kNotFound) return Unreadable(op.status());
  if (!op.ok()) {
    (void)VerifyPassword(password, DummyHash());
    return WrongCredentials();
  }
  if (!VerifyPassword(password, op->password_hash)) return WrongCredentials();

  const int64_t now = clock_.NowMicros();
  // Ended sessions go at each sign-in; a session that ended is refused whether deleted or not.
  (void)store_.PurgeSessions(now, now - options_.idle_micros);
  SignedIn out;
  out.cookie = RandomHex(kCookieBytes);
  store::OperatorSession row;
  row.id_hash = Sha256Hex(out.cookie);
  row.operator_id = op->id;
  row.csrf_token = RandomHex(16);
  row.created_at = now;
  row.last_seen_at = now;
  row.expires_at = now + options_.max_age_micros;
  if (Status st = store_.CreateSession(row); !st.ok()) {
    if (st.code() == Code::kNotFound) return WrongCredentials();  // removed meanwhile
    return Unavailable(fmt::format("cannot start the session: {}", st.message()));
  }
  out.session = SessionInfo{op->brand_id, op->email, RoleNamed(op->role).value_or(Role::kViewer),
                            row.csrf_token, row.expires_at};
  return out;
}

Result<SessionInfo> Sessions::Authenticate(std::string_view cookie) {
  if (cookie.size() != 2 * kCookieBytes || !IsHex(cookie)) return NoSession();
  const std::string id_hash = Sha256Hex(cookie);
  auto row = store_.GetSession(id_hash);
  if (!row.ok())
    return row.status().code() == Code::kNotFound ? NoSession() : Unreadable(row.status());
  const int64_t now = clock_.NowMicros();
  if (now >= row->expires_at || now - row->last_seen_at > options_.idle_micros) {
    (void)store_.DeleteSession(id_hash);
    return NoSession();
  }
  if (now - row->last_seen_at >= std::min(kTouchMicros, options_.idle_micros / 4))
    (void)store_.TouchSession(id_hash, now);
  // A role no longer known reads only.
  return SessionInfo{row->brand_id, row->email, RoleNamed(row->role).value_or(Role::kViewer),
                     row->csrf_token, row->expires_at};
}

Status Sessions::SignOut(std::string_view cookie) {
  if (cookie.size() != 2 * kCookieBytes || !IsHex(cookie)) return Status::Ok();
  return store_.DeleteSession(Sha256Hex(cookie));
}

}  // namespace cdp::auth
