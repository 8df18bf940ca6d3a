#include "delivery/settings.h"

#include <fmt/format.h>

#include <cmath>

#include "core/json.h"

namespace cdp::delivery {
namespace {

namespace json = boost::json;

// Each reader leaves `out` as it is when the key is absent; `required` makes absence an
// error.
Status ReadText(const json::object& body, std::string_view key, std::string& out,
                bool required = false, size_t max = 1000) {
  const json::value* v = body.if_contains(key);
  if (!v) return required ? InvalidArgument(fmt::format("{}: required", key)) : Status::Ok();
  if (!v->is_string() || v->get_string().size() > max || (required && v->get_string().empty()))
    return InvalidArgument(fmt::format("{}: must be a string of at most {} characters{}", key, max,
                                       required ? ", not empty" : ""));
  out = std::string(v->get_string());
  return Status::Ok();
}

Status ReadInt(const json::object& body, std::string_view key, int& out, int lo, int hi) {
  const json::value* v = body.if_contains(key);
  if (!v) return Status::Ok();
  boost::system::error_code ec;
  const auto n = v->to_number<int64_t>(ec);
  if (ec || n < lo || n > hi)
    return InvalidArgument(fmt::format("{}: must be an integer from {} to {}", key, lo, hi));
  out = static_cast<int>(n);
  return Status::Ok();
}

Status ReadPace(const json::object& body, Pace& pace) {
  CDP_RETURN_IF_ERROR(ReadInt(body, "connections", pace.connections, 1, 32));
  CDP_RETURN_IF_ERROR(ReadInt(body, "timeout_seconds", pace.timeout_seconds, 1, 300));
  if (const json::value* v = body.if_contains("rate_per_second")) {
    boost::system::error_code ec;
    const auto n = v->to_number<double>(ec);
    if (ec || !std::isfinite(n) || n < 0 || n > 1e6)
      return InvalidArgument("rate_per_second: must be a number from 0 (no limit) to 1000000");
    pace.rate_per_second = n;
  }
  return Status::Ok();
}

void PaceToJson(const Pace& pace, json::object& out) {
  out["connections"] = pace.connections;
  // Whole rates print as integers (Boost.JSON would write 5.0 as 5E0).
  if (pace.rate_per_second == std::floor(pace.rate_per_second)) {
    out["rate_per_second"] = static_cast<int64_t>(pace.rate_per_second);
  } else {
    out["rate_per_second"] = pace.rate_per_second;
  }
  out["timeout_seconds"] = pace.timeout_seconds;
}

}  // namespace

Result<EmailSettings> ParseEmailSettings(const json::object& body) {
  CDP_RETURN_IF_ERROR(OnlyKeys(body, {"host", "port", "security", "username", "password", "from",
                                      "connections", "rate_per_second", "timeout_seconds"}));
  EmailSettings s;
  CDP_RETURN_IF_ERROR(ReadText(body, "host", s.host, true, 253));
  CDP_RETURN_IF_ERROR(ReadText(body, "security", s.security));
  if (s.security != "none" && s.security != "starttls" && s.security != "tls")
    return InvalidArgument("security: must be none, starttls or tls");
  s.port = s.security == "tls" ? 465 : s.security == "none" ? 25 : 587;
  CDP_RETURN_IF_ERROR(ReadInt(body, "port", s.port, 1, 65535));
  CDP_RETURN_IF_ERROR(ReadText(body, "username", s.username));
  CDP_RETURN_IF_ERROR(ReadText(body, "password", s.password));
  CDP_RETURN_IF_ERROR(ReadText(body, "from", s.from, true, 320));
  if (s.from.find('@') == std::string::npos)
    return InvalidArgument("from: must be an email address");
  CDP_RETURN_IF_ERROR(ReadPace(body, s.pace));
  return s;
}

Result<SmsSettings> ParseSmsSettings(const json::object& body) {
  CDP_RETURN_IF_ERROR(OnlyKeys(body, {"url", "format", "account_sid", "auth_token", "from",
                                      "connections", "rate_per_second", "timeout_seconds"}));
  SmsSettings s;
  CDP_RETURN_IF_ERROR(ReadText(body, "url", s.url));
  if (!s.url.starts_with("http://") && !s.url.starts_with("https://"))
    return InvalidArgument("url: must be an http:// or https:// URL");
  while (s.url.ends_with('/')) s.url.pop_back();
  CDP_RETURN_IF_ERROR(ReadText(body, "format", s.format));
  if (s.format != "twilio") return InvalidArgument("format: only twilio is supported");
  CDP_RETURN_IF_ERROR(ReadText(body, "account_sid", s.account_sid, true, 100));
  CDP_RETURN_IF_ERROR(ReadText(body, "auth_token", s.auth_token, true, 200));
  CDP_RETURN_IF_ERROR(ReadText(body, "from", s.from, true, 32));
  CDP_RETURN_IF_ERROR(ReadPace(body, s.pace));
  return s;
}

json::object ToJson(const EmailSettings& s, bool redact) {
  json::object out{{"host", s.host},
                   {"port", s.port},
                   {"security", s.security},
                   {"username", s.username},
                   {"from", s.from}};
  if (redact) {
    out["password_set"] = !s.password.empty();
  } else {
    out["password"] = s.password;
  }
  PaceToJson(s.pace, out);
  return out;
}

json::object ToJson(const SmsSettings& s, bool redact) {
  json::object out{
      {"url", s.url}, {"format", s.format}, {"account_sid", s.account_sid}, {"from", s.from}};
  if (redact) {
    out["auth_token_set"] = !s.auth_token.empty();
  } else {
    out["auth_token"] = s.auth_token;
  }
  PaceToJson(s.pace, out);
  return out;
}

}  // namespace cdp::delivery
