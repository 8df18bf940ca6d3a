// Fuzz target: campaign message templates (campaigns::Template), parsed as when a campaign
// is saved and, when they parse, rendered for a fixed recipient as text and as HTML, as
// the sending engine does for every message.
//
// Properties: a refusal names the template; text without "{{" is a template of itself
// (rendered unchanged, in either mode); rendering as HTML escapes every value, so a '<' in
// the output comes from the author's text (the fixed recipient's values all carry one).
#include <boost/json.hpp>
#include <string>

#include "campaigns/template.h"
#include "check.h"
#include "profiles/profile.h"

namespace {

using cdp::fuzz::Check;
using cdp::profiles::Field;

constexpr std::string_view kWhere = "content.html";
constexpr std::string_view kUnsubscribeUrl = "https://cdp.example.com/u/abc.def";

cdp::profiles::Profile Recipient() {
  cdp::profiles::Profile p;
  p.user_id = "u-1<b>";  // each value holds a '<' that HTML rendering must escape
  p[Field::kFirstName] = "Zoë <b>&";
  p[Field::kLastName] = "O'Brien<b>";
  p[Field::kEmail] = "zoe+<b>@example.com";
  p[Field::kEmailOptIn] = 1;
  p.attributes["plan"] = "pro <b>";
  p.attributes["empty"] = "";
  p.attributes["nested"] = boost::json::object{{"k", "<b>"}};
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const cdp::profiles::Profile recipient = Recipient();
  const std::string_view text = cdp::fuzz::AsText(data, size);
  auto parsed = cdp::campaigns::Template::Parse(text, kWhere);
  if (!parsed.ok()) {
    Check(parsed.status().code() == cdp::Code::kInvalidArgument &&
              parsed.status().message().starts_with(std::string(kWhere) + ": "),
          "a refused template's message does not name it", parsed.status().message());
    Check(text.find("{{") != std::string_view::npos, "text without tags was refused");
    return 0;
  }
  const std::string plain = parsed->Render(recipient, /*html=*/false, kUnsubscribeUrl);
  const std::string html = parsed->Render(recipient, /*html=*/true, kUnsubscribeUrl);
  if (text.find("{{") == std::string_view::npos) {
    Check(plain == text, "text without tags does not render as itself");
    Check(html == text, "text without tags does not render as itself in HTML");
  } else if (text.find('<') == std::string_view::npos) {
    Check(html.find('<') == std::string::npos, "a value reached the HTML unescaped", html);
  }
  return 0;
}
