#include "delivery/settings.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

#include "core/json.h"
#include "delivery/push/jwt.h"

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

Status ReadUrl(const json::object& body, std::string_view key, std::string& out) {
  CDP_RETURN_IF_ERROR(ReadText(body, key, out));
  if (!out.starts_with("http://") && !out.starts_with("https://"))
    return InvalidArgument(fmt::format("{}: must be an http:// or https:// URL", key));
  while (out.ends_with('/')) out.pop_back();
  return Status::Ok();
}

// A PEM private key that signs the JWTs `alg` names (RS256 or ES256).
Status ReadKey(const json::object& body, std::string_view key, std::string_view alg,
               std::string& out) {
  CDP_RETURN_IF_ERROR(ReadText(body, key, out, true, 10000));
  if (JwtAlgorithm(out) != alg)
    return InvalidArgument(
        fmt::format("{}: must be a PEM {} private key", key, alg == "RS256" ? "RSA" : "P-256"));
  return Status::Ok();
}

Result<const json::object*> Section(const json::object& body, std::string_view key) {
  const json::value* v = body.if_contains(key);
  if (!v || v->is_null()) return static_cast<const json::object*>(nullptr);
  if (!v->is_object()) return InvalidArgument(fmt::format("{}: must be an object", key));
  return &v->get_object();
}

Status ReadWeb(const json::object& body, WebPushSettings& s) {
  CDP_RETURN_IF_ERROR(OnlyKeys(body, {"vapid_subject"}));
  CDP_RETURN_IF_ERROR(ReadText(body, "vapid_subject", s.vapid_subject, true, 320));
  if (!s.vapid_subject.starts_with("mailto:") && !s.vapid_subject.starts_with("https://"))
    return InvalidArgument("web.vapid_subject: must be a mailto: or https: URI");
  s.enabled = true;
  return Status::Ok();
}

Status ReadAndroid(const json::object& body, FcmSettings& s) {
  CDP_RETURN_IF_ERROR(OnlyKeys(body, {"project_id", "service_account", "base_url"}));
  CDP_RETURN_IF_ERROR(ReadText(body, "project_id", s.project_id, true, 100));
  for (char c : s.project_id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != ':')
      return InvalidArgument("android.project_id: letters, digits, '-', '_', '.' or ':' only");
  auto account = Section(body, "service_account");
  if (!account.ok()) return std::move(account).take_status();
  if (!*account) return InvalidArgument("android.service_account: required");
  CDP_RETURN_IF_ERROR(ReadText(**account, "client_email", s.client_email, true, 320));
  CDP_RETURN_IF_ERROR(ReadKey(**account, "private_key", "RS256", s.private_key));
  if ((*account)->contains("token_uri"))
    CDP_RETURN_IF_ERROR(ReadUrl(**account, "token_uri", s.token_uri));
  CDP_RETURN_IF_ERROR(ReadUrl(body, "base_url", s.base_url));
  s.enabled = true;
  return Status::Ok();
}

Status ReadIos(const json::object& body, ApnsSettings& s) {
  CDP_RETURN_IF_ERROR(OnlyKeys(body, {"team_id", "key_id", "private_key", "topic", "base_url"}));
  CDP_RETURN_IF_ERROR(ReadText(body, "team_id", s.team_id, true, 20));
  CDP_RETURN_IF_ERROR(ReadText(body, "key_id", s.key_id, true, 20));
  CDP_RETURN_IF_ERROR(ReadKey(body, "private_key", "ES256", s.private_key));
  CDP_RETURN_IF_ERROR(ReadText(body, "topic", s.topic, true, 200));
  CDP_RETURN_IF_ERROR(ReadUrl(body, "base_url", s.base_url));
  s.enabled = true;
  return Status::Ok();
}

// Errors inside a section name it: "ios.private_key: ...".
Status InSection(std::string_view section, Status st) {
  if (st.ok() || st.message().starts_with(section)) return st;
  return Status(st.code(), fmt::format("{}.{}", section, st.message()));
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

Result<PushSettings> ParsePushSettings(const json::object& body) {
  CDP_RETURN_IF_ERROR(OnlyKeys(
      body, {"web", "android", "ios", "connections", "rate_per_second", "timeout_seconds"}));
  PushSettings s;
  for (const char* platform : kPushPlatforms) {
    auto section = Section(body, platform);
    if (!section.ok()) return std::move(section).take_status();
    if (!*section) continue;
    const std::string_view p = platform;
    Status st = p == "web"       ? ReadWeb(**section, s.web)
                : p == "android" ? ReadAndroid(**section, s.android)
                                 : ReadIos(**section, s.ios);
    CDP_RETURN_IF_ERROR(InSection(p, std::move(st)));
  }
  if (!s.web.enabled && !s.android.enabled && !s.ios.enabled)
    return InvalidArgument("configure at least one of web, android and ios");
  CDP_RETURN_IF_ERROR(ReadPace(body, s.pace));
  return s;
}

json::object ToJson(const PushSettings& s, bool redact) {
  json::object out;
  if (s.web.enabled) out["web"] = json::object{{"vapid_subject", s.web.vapid_subject}};
  if (s.android.enabled) {
    json::object account{{"client_email", s.android.client_email},
                         {"token_uri", s.android.token_uri}};
    if (redact) {
      account["private_key_set"] = true;
    } else {
      account["private_key"] = s.android.private_key;
    }
    out["android"] = json::object{{"project_id", s.android.project_id},
                                  {"service_account", std::move(account)},
                                  {"base_url", s.android.base_url}};
  }
  if (s.ios.enabled) {
    json::object ios{{"team_id", s.ios.team_id},
                     {"key_id", s.ios.key_id},
                     {"topic", s.ios.topic},
                     {"base_url", s.ios.base_url}};
    if (redact) {
      ios["private_key_set"] = true;
    } else {
      ios["private_key"] = s.ios.private_key;
    }
    out["ios"] = std::move(ios);
  }
  PaceToJson(s.pace, out);
  return out;
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
