#include "campaigns/campaign.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <set>

#include "core/json.h"

namespace cdp::campaigns {
namespace {

namespace json = boost::json;
using profiles::Field;

Result<Template> ReadTemplate(const json::object& content, std::string_view key) {
  const json::value* v = content.if_contains(key);
  if (!v) return Template();
  if (!v->is_string() || v->get_string().size() > kMaxTemplateChars)
    return InvalidArgument(
        fmt::format("content.{}: must be a string of at most {} bytes", key, kMaxTemplateChars));
  return Template::Parse(v->get_string(), fmt::format("content.{}", key));
}

Status ReadAddress(const json::object& content, std::string_view key, std::string& out) {
  const json::value* v = content.if_contains(key);
  if (!v) return Status::Ok();
  if (!v->is_string() || v->get_string().size() > 320 ||
      v->get_string().find('@') == json::string::npos)
    return InvalidArgument(fmt::format("content.{}: must be an email address", key));
  out = std::string(v->get_string());
  return Status::Ok();
}

bool OptedIn(const profiles::Profile& p, Field f) {
  const auto& v = p[f];
  return v.is_int64() && v.get_int64() == 1;
}

std::string Text(const profiles::Profile& p, Field f) {
  const auto& v = p[f];
  return v.is_string() ? std::string(v.get_string()) : std::string();
}

}  // namespace

bool IsChannel(std::string_view channel) { return channel == "email" || channel == "sms"; }

Result<Target> ParseTarget(const json::value& target) {
  static constexpr const char* kShape =
      R"(target: must be {"segment_id":"..."} or {"user_ids":["...", ...]})";
  if (!target.is_object() || target.get_object().size() != 1) return InvalidArgument(kShape);
  const auto& obj = target.get_object();
  Target t;
  if (const json::value* s = obj.if_contains("segment_id")) {
    if (!s->is_string() || s->get_string().empty()) return InvalidArgument(kShape);
    t.segment_id = std::string(s->get_string());
    return t;
  }
  const json::value* ids = obj.if_contains("user_ids");
  if (!ids || !ids->is_array()) return InvalidArgument(kShape);
  if (ids->get_array().empty() || ids->get_array().size() > kMaxUserIds)
    return InvalidArgument(fmt::format("target.user_ids: must hold 1 to {} userIds", kMaxUserIds));
  std::set<std::string> seen;
  for (size_t i = 0; i < ids->get_array().size(); ++i) {
    const json::value& id = ids->get_array()[i];
    if (!id.is_string() || id.get_string().empty())
      return InvalidArgument(fmt::format("target.user_ids[{}]: must be a userId string", i));
    if (seen.insert(std::string(id.get_string())).second) t.user_ids.emplace_back(id.get_string());
  }
  return t;
}

Result<Content> ParseContent(std::string_view channel, const json::value& content) {
  if (!content.is_object()) return InvalidArgument("content: must be an object");
  const auto& obj = content.get_object();
  Content c;
  if (channel == "sms") {
    CDP_RETURN_IF_ERROR(OnlyKeys(obj, {"text"}));
    auto text = ReadTemplate(obj, "text");
    if (!text.ok()) return std::move(text).take_status();
    if (text->empty()) return InvalidArgument("content.text: required for sms");
    c.text = std::move(text).value();
    return c;
  }
  CDP_RETURN_IF_ERROR(OnlyKeys(obj, {"subject", "html", "text", "from", "reply_to"}));
  const std::pair<const char*, Template*> parts[] = {
      {"subject", &c.subject}, {"html", &c.html}, {"text", &c.text}};
  for (auto [key, out] : parts) {
    auto t = ReadTemplate(obj, key);
    if (!t.ok()) return std::move(t).take_status();
    *out = std::move(t).value();
  }
  if (c.subject.empty()) return InvalidArgument("content.subject: required for email");
  if (c.html.empty() && c.text.empty())
    return InvalidArgument("content: email needs html or text (or both)");
  CDP_RETURN_IF_ERROR(ReadAddress(obj, "from", c.from));
  CDP_RETURN_IF_ERROR(ReadAddress(obj, "reply_to", c.reply_to));
  return c;
}

std::optional<std::string> Unreachable(std::string_view channel, const profiles::Profile& p) {
  if (channel == "email") {
    if (!OptedIn(p, Field::kEmailOptIn)) return "email_opt_in is not 1";
    if (Text(p, Field::kEmail).empty()) return "no email";
    return std::nullopt;
  }
  if (!OptedIn(p, Field::kSmsOptIn)) return "sms_opt_in is not 1";
  if (Text(p, Field::kMobile).empty()) return "no mobile";
  return std::nullopt;
}

std::string AddressOf(std::string_view channel, const profiles::Profile& p) {
  return Text(p, channel == "email" ? Field::kEmail : Field::kMobile);
}

}  // namespace cdp::campaigns
