#include "campaigns/campaign.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cctype>
#include <charconv>
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

bool IsPushChannel(std::string_view channel) {
  return channel == "web" || channel == "android" || channel == "ios";
}

bool IsChannel(std::string_view channel) {
  return channel == "email" || channel == "sms" || IsPushChannel(channel);
}

std::string MessageId(std::string_view campaign_id, int64_t profile_id) {
  return fmt::format("{}.{}@cdp", campaign_id, profile_id);
}

std::optional<MessageKey> ParseMessageId(std::string_view id) {
  while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
  while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  if (!id.ends_with("@cdp")) return std::nullopt;
  id.remove_suffix(4);
  const size_t dot = id.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  for (char c : id.substr(0, dot))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return std::nullopt;
  MessageKey key{std::string(id.substr(0, dot)), 0};
  const std::string_view num = id.substr(dot + 1);
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), key.profile_id);
  if (ec != std::errc() || p != num.data() + num.size() || num.empty()) return std::nullopt;
  return key;
}

Result<Options> ParseOptions(const json::value& doc) {
  if (!doc.is_object()) return InvalidArgument("options: must be an object");
  const json::object& obj = doc.get_object();
  Options o;
  if (const json::value* v = obj.if_contains("tracking")) {
    if (!v->is_bool()) return InvalidArgument("tracking: must be true or false");
    o.tracking = v->get_bool();
  }
  if (const json::value* v = obj.if_contains("conversion"); v && !v->is_null()) {
    const std::string shape =
        fmt::format(R"(conversion: must be null or {{"event_name":"...","within_days":1..{}}})",
                    kMaxConversionDays);
    if (!v->is_object()) return InvalidArgument(shape);
    const json::object& c = v->get_object();
    if (Status st = OnlyKeys(c, {"event_name", "within_days"}); !st.ok())
      return InvalidArgument(fmt::format("conversion: {}", st.message()));
    const json::value* name = c.if_contains("event_name");
    if (!name || !name->is_string() || name->get_string().empty() ||
        name->get_string().size() >= 50)
      return InvalidArgument("conversion.event_name: must be an event name (1 to 49 characters)");
    o.conversion_event = std::string(name->get_string());
    if (const json::value* days = c.if_contains("within_days")) {
      if (!days->is_int64() || days->get_int64() < 1 || days->get_int64() > kMaxConversionDays)
        return InvalidArgument(
            fmt::format("conversion.within_days: must be a whole number of days from 1 to {}",
                        kMaxConversionDays));
      o.conversion_days = static_cast<int>(days->get_int64());
    }
  }
  return o;
}

json::object OptionsToJson(const Options& o) {
  json::value conversion = nullptr;
  if (o.conversion_event)
    conversion =
        json::object{{"event_name", *o.conversion_event}, {"within_days", o.conversion_days}};
  return json::object{{"tracking", o.tracking}, {"conversion", std::move(conversion)}};
}

Result<Target> ParseTarget(const json::value& target) {
  static constexpr const char* kShape =
      R"(target: must be {"segment_id":"..."}, {"user_ids":["...", ...]} or {"subscribers":true})";
  if (!target.is_object() || target.get_object().empty()) return InvalidArgument(kShape);
  const auto& obj = target.get_object();
  Target t;
  if (const json::value* s = obj.if_contains("segment_id")) {
    if (!s->is_string() || s->get_string().empty() || obj.size() != 1)
      return InvalidArgument(kShape);
    t.segment_id = std::string(s->get_string());
    return t;
  }
  if (const json::value* s = obj.if_contains("subscribers")) {
    if (!s->is_bool() || !s->get_bool() || obj.size() != 1) return InvalidArgument(kShape);
    t.subscribers = true;
    return t;
  }
  const json::value* ids = obj.if_contains("user_ids");
  if (!ids || !ids->is_array()) return InvalidArgument(kShape);
  if (const json::value* sub = obj.if_contains("subscription_id")) {
    if (!sub->is_string() || sub->get_string().empty())
      return InvalidArgument("target.subscription_id: must be a subscription id");
    if (ids->get_array().size() != 1)
      return InvalidArgument("target.subscription_id: goes with exactly one userId");
    t.subscription_id = std::string(sub->get_string());
  }
  if (obj.size() != (t.subscription_id ? 2u : 1u)) return InvalidArgument(kShape);
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
  if (IsPushChannel(channel)) {
    CDP_RETURN_IF_ERROR(OnlyKeys(obj, {"title", "message", "url", "image", "data"}));
    const std::pair<const char*, Template*> parts[] = {
        {"title", &c.title}, {"message", &c.text}, {"url", &c.url}, {"image", &c.image}};
    for (auto [key, out] : parts) {
      auto t = ReadTemplate(obj, key);
      if (!t.ok()) return std::move(t).take_status();
      *out = std::move(t).value();
    }
    if (c.title.empty()) return InvalidArgument("content.title: required for push");
    if (c.text.empty()) return InvalidArgument("content.message: required for push");
    if (const json::value* v = obj.if_contains("data")) {
      if (!v->is_object()) return InvalidArgument("content.data: must be an object");
      c.data = json::serialize(*v);
      if (c.data.size() > 2048)
        return InvalidArgument("content.data: must be at most 2048 bytes as JSON");
    }
    return c;
  }
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
  if (IsPushChannel(channel)) return std::nullopt;
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
  if (IsPushChannel(channel)) return "";
  return Text(p, channel == "email" ? Field::kEmail : Field::kMobile);
}

}  // namespace cdp::campaigns
