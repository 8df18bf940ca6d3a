#include "api/oauth.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url.hpp>
#include <map>

#include "api/web_forms.h"
#include "auth/oauth.h"
#include "core/base64.h"
#include "http/envelope.h"

namespace cdp::api {
namespace {

namespace json = boost::json;
using Form = std::map<std::string, std::string>;

// The authorization request's fields the consent page carries on (redirect_uri apart, as
// resolved).
constexpr std::string_view kCarriedFields[] = {
    "response_type", "client_id", "scope", "state", "code_challenge", "code_challenge_method"};

std::string Field(const Form& form, std::string_view key) {
  auto it = form.find(std::string(key));
  return it == form.end() ? std::string() : it->second;
}

auth::AuthorizeRequest ToAuthorizeRequest(const Form& f) {
  return auth::AuthorizeRequest{Field(f, "response_type"),
                                Field(f, "client_id"),
                                Field(f, "redirect_uri"),
                                Field(f, "scope"),
                                Field(f, "state"),
                                Field(f, "code_challenge"),
                                Field(f, "code_challenge_method")};
}

// 302 to `uri` with `params` added to its query.
http::Response RedirectTo(
    std::string_view uri,
    std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  boost::urls::url url(uri);  // a registered redirect URI: validated at registration
  for (const auto& [key, value] : params)
    if (!value.empty()) url.params().append({key, value});
  http::Response res;
  res.status = 302;
  res.content_type = "text/plain; charset=utf-8";
  res.headers.emplace_back("Location", std::string(url.buffer()));
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

http::Response ShowError(const auth::AuthorizeError& e) {
  if (e.redirect)
    return RedirectTo(
        e.redirect_uri,
        {{"error", e.error.error}, {"error_description", e.error.description}, {"state", e.state}});
  return Page(e.error.http_status, "This app cannot be authorized",
              fmt::format("<p>{}</p><p>Error: <code>{}</code></p>", Html(e.error.description),
                          Html(e.error.error)));
}

std::string_view Describe(auth::Scope scope) {
  switch (scope) {
    case auth::kUsersRead:
      return "read user profiles, and who did which events";
    case auth::kUsersWrite:
      return "create, update and delete user profiles";
    case auth::kEventsWrite:
      return "record events";
    case auth::kCampaignsWrite:
      return "manage segments, channels and campaigns, and send campaigns";
    case auth::kReportsRead:
      return "read campaign reports";
  }
  return "";
}

// Error answers of /oauth/token and /oauth/revoke: RFC 6749 5.2 fields, and the envelope.
http::Response TokenError(const auth::OAuthError& e) {
  http::Response res = http::ErrorResponse(Status(
      e.http_status == 401 ? Code::kUnauthenticated : Code::kInvalidArgument, e.description));
  res.status = e.http_status;
  json::value body = json::parse(res.body);
  body.as_object()["error"] = e.error;
  body.as_object()["error_description"] = e.description;
  res.body = json::serialize(body);
  res.headers.emplace_back("Cache-Control", "no-store");
  if (e.http_status == 401) res.headers.emplace_back("WWW-Authenticate", "Basic realm=\"cdp\"");
  return res;
}

bool IsFormContentType(std::string_view type) {
  return http::MediaType(type) == "application/x-www-form-urlencoded";
}

// The POSTed form of an OAuth endpoint, or the error to answer.
std::variant<Form, auth::OAuthError> PostedForm(const http::Request& req) {
  if (!IsFormContentType(req.Header("content-type")))
    return auth::OAuthError{400, "invalid_request",
                            "the body must be application/x-www-form-urlencoded"};
  auto form = ParseForm(req.body);
  if (!form)
    return auth::OAuthError{400, "invalid_request", "malformed form, or a parameter repeated"};
  return std::move(*form);
}

std::optional<std::string> PercentDecode(std::string_view s) {
  auto pct = boost::urls::make_pct_string_view(s);
  if (!pct) return std::nullopt;
  boost::urls::encoding_opts opt;
  opt.space_as_plus = true;
  return pct->decode(opt);
}

// The app calling /oauth/token or /oauth/revoke (RFC 6749 2.3.1): HTTP Basic credentials
// (each part form-encoded), or client_id and client_secret fields; never both.
auth::OAuthResult<store::PartnerApp> Client(const http::Request& req, const Form& form,
                                            auth::OAuth& oauth) {
  std::string id = Field(form, "client_id"), secret = Field(form, "client_secret");
  std::string_view header = req.Header("authorization");
  if (!header.empty()) {
    if (!secret.empty())
      return auth::OAuthError{400, "invalid_request",
                              "authenticate with HTTP Basic or client_secret, not both"};
    const bool basic =
        header.size() > 6 && (header.substr(0, 6) == "Basic " || header.substr(0, 6) == "basic ");
    auto decoded = basic ? FromBase64(header.substr(6)) : std::nullopt;
    const size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos)
      return auth::OAuthError{401, "invalid_client", "malformed Basic credentials"};
    auto user = PercentDecode(std::string_view(*decoded).substr(0, colon));
    auto password = PercentDecode(std::string_view(*decoded).substr(colon + 1));
    if (!user || !password || (!id.empty() && id != *user))
      return auth::OAuthError{401, "invalid_client", "malformed Basic credentials"};
    id = *user;
    secret = *password;
  }
  return oauth.AuthenticateClient(id, secret);
}

// The brand behind a request authenticated with its API key: headers, else form fields.
Result<auth::Principal> BrandOf(const http::Request& req, const Form& form, Services& services) {
  if (req.HasHeader("x-brand-id"))
    return services.auth.Authenticate(req.Header("x-brand-id"), req.Header("x-api-key"));
  return services.auth.Authenticate(Field(form, "brand_id"), Field(form, "api_key"));
}

}  // namespace

http::Response ShowAuthorize(const http::Request& req, Services& services) {
  auto form = ParseForm(req.query);
  if (!form)
    return Page(400, "This app cannot be authorized",
                "<p>The link is malformed, or repeats a parameter.</p>");
  auto checked = services.oauth->CheckAuthorize(ToAuthorizeRequest(*form));
  if (auto* e = std::get_if<auth::AuthorizeError>(&checked)) return ShowError(*e);
  const auto& a = std::get<auth::Authorization>(checked);
  std::string scopes, hidden;
  for (uint32_t bit = 1; bit & auth::kAllScopes; bit <<= 1)
    if (a.scopes & bit)
      scopes += fmt::format("<li><code>{}</code>: {}</li>",
                            auth::ScopeName(static_cast<auth::Scope>(bit)),
                            Describe(static_cast<auth::Scope>(bit)));
  for (auto key : kCarriedFields)
    hidden += fmt::format("<input type=\"hidden\" name=\"{}\" value=\"{}\">", key,
                          Html(Field(*form, key)));
  hidden += fmt::format("<input type=\"hidden\" name=\"redirect_uri\" value=\"{}\">",
                        Html(a.redirect_uri));
  return Page(
      200, "Grant access to " + a.app.name,
      fmt::format("<p><b>{}</b> asks to act on your brand's data in this cdp:</p><ul>{}</ul>"
                  "<p>You will be sent back to <code>{}</code>.</p>"
                  "<form method=\"post\" action=\"/oauth/authorize\">{}"
                  "<p><label>Brand ID<br><input name=\"brand_id\" required></label></p>"
                  "<p><label>API key<br><input name=\"api_key\" type=\"password\" required>"
                  "</label></p><p><button name=\"decision\" value=\"approve\">Allow</button> "
                  "<button name=\"decision\" value=\"deny\" formnovalidate>Deny</button></p>"
                  "</form>",
                  Html(a.app.name), scopes, Html(a.redirect_uri), hidden));
}

http::Response Authorize(const http::Request& req, Services& services) {
  auto form = ParseForm(req.body);
  if (!form)
    return Page(400, "This app cannot be authorized",
                "<p>The form is malformed, or repeats a field.</p>");
  auto checked = services.oauth->CheckAuthorize(ToAuthorizeRequest(*form));
  if (auto* e = std::get_if<auth::AuthorizeError>(&checked)) return ShowError(*e);
  const auto& a = std::get<auth::Authorization>(checked);
  const std::string decision = Field(*form, "decision");
  if (decision == "deny")
    return RedirectTo(a.redirect_uri, {{"error", "access_denied"},
                                       {"error_description", "the brand denied access"},
                                       {"state", a.state}});
  if (decision != "approve")
    return Page(400, "No decision", "<p>The form must say approve or deny.</p>");
  auto brand = BrandOf(req, *form, services);
  if (!brand.ok()) {
    if (brand.status().code() != Code::kUnauthenticated) return http::ErrorResponse(brand.status());
    return Page(401, "Wrong brand ID or API key",
                "<p>Nothing was granted. Go back and check the brand ID and API key.</p>");
  }
  auto code = services.oauth->Approve(a, *brand);
  if (!code.ok()) return http::ErrorResponse(code.status());
  http::Response res = RedirectTo(a.redirect_uri, {{"code", *code}, {"state", a.state}});
  res.brand_id = brand->brand_id;
  return res;
}

http::Response IssueToken(const http::Request& req, Services& services) {
  auto form = PostedForm(req);
  if (auto* e = std::get_if<auth::OAuthError>(&form)) return TokenError(*e);
  const Form& f = std::get<Form>(form);
  auto app = Client(req, f, *services.oauth);
  if (auto* e = std::get_if<auth::OAuthError>(&app)) return TokenError(*e);
  const auto& client = std::get<store::PartnerApp>(app);
  const std::string grant_type = Field(f, "grant_type");
  auth::OAuthResult<auth::Tokens> tokens = auth::OAuthError{
      400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token"};
  if (grant_type == "authorization_code")
    tokens = services.oauth->ExchangeCode(client, Field(f, "code"), Field(f, "redirect_uri"),
                                          Field(f, "code_verifier"));
  if (grant_type == "refresh_token")
    tokens = services.oauth->Refresh(client, Field(f, "refresh_token"), Field(f, "scope"));
  if (auto* e = std::get_if<auth::OAuthError>(&tokens)) return TokenError(*e);
  const auto& t = std::get<auth::Tokens>(tokens);
  http::Response res;
  res.body = json::serialize(json::object{{"access_token", t.access_token},
                                          {"token_type", "Bearer"},
                                          {"expires_in", t.expires_in},
                                          {"refresh_token", t.refresh_token},
                                          {"scope", t.scope}});
  res.headers.emplace_back("Cache-Control", "no-store");
  res.headers.emplace_back("Pragma", "no-cache");
  return res;
}

http::Response RevokeToken(const http::Request& req, Services& services) {
  auto form = PostedForm(req);
  if (auto* e = std::get_if<auth::OAuthError>(&form)) return TokenError(*e);
  const Form& f = std::get<Form>(form);
  const std::string token = Field(f, "token");
  if (req.HasHeader("x-brand-id") || f.contains("brand_id")) {
    auto brand = BrandOf(req, f, services);
    if (!brand.ok()) return http::ErrorResponse(brand.status());
    const std::string client_id = Field(f, "client_id");
    if (token.empty() == client_id.empty())
      return http::ErrorResponse(
          InvalidArgument("give either token (one grant) or client_id (all of that app's)"));
    auto revoked = services.oauth->RevokeByBrand(*brand, token, client_id);
    if (!revoked.ok()) return http::ErrorResponse(revoked.status());
    http::Response res = http::SuccessResponse(json::object{{"revoked_grants", *revoked}});
    res.brand_id = brand->brand_id;
    return res;
  }
  auto app = Client(req, f, *services.oauth);
  if (auto* e = std::get_if<auth::OAuthError>(&app)) return TokenError(*e);
  if (token.empty()) return TokenError({400, "invalid_request", "token is required"});
  Status st = services.oauth->RevokeByClient(std::get<store::PartnerApp>(app), token);
  if (!st.ok()) return http::ErrorResponse(st);
  return http::SuccessResponse(json::object{});
}

}  // namespace cdp::api
