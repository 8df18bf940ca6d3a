#include "api/web_forms.h"

#include <fmt/format.h>

#include <boost/url/params_view.hpp>

#include "campaigns/template.h"

namespace cdp::api {

http::Response Page(int status, std::string_view title, std::string_view body_html) {
  http::Response res;
  res.status = status;
  res.content_type = "text/html; charset=utf-8";
  res.headers.emplace_back("Cache-Control", "no-store");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  res.body = fmt::format(
      "<!doctype html><html><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\"><title>{0}</title></head>"
      "<body style=\"font-family:sans-serif;max-width:32em;margin:4em auto\"><h1>{0}</h1>{1}"
      "</body></html>",
      Html(title), body_html);
  return res;
}

std::optional<std::map<std::string, std::string>> ParseForm(std::string_view body) {
  std::map<std::string, std::string> out;
  // Boost.URL 1.81's params_view(string_view, encoding_opts) measures its input with strlen:
  // it reads past the end of a view with no NUL after it, and stops early at a NUL inside.
  // So it gets a NUL-terminated copy, and a raw NUL (which a form must send as %00) is refused.
  if (body.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string text(body);
  try {
    boost::urls::encoding_opts opt;
    opt.space_as_plus = true;
    for (const auto& p : boost::urls::params_view(text.c_str(), opt))
      if (!out.emplace(p.key, p.value).second) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return out;
}

std::string Html(std::string_view s) { return campaigns::HtmlEscape(s); }

}  // namespace cdp::api
