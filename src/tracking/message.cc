#include "tracking/message.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <utility>

#include "core/time.h"
#include "profiles/profile_input.h"

namespace cdp::tracking {
namespace {

namespace json = boost::json;
using profiles::Field;

// An id as the SDKs send it: a non-empty string, or a number (stringified).
std::optional<std::string> IdOf(const json::object& msg, std::string_view key) {
  const json::value* v = msg.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_string() && !v->get_string().empty()) return std::string(v->get_string());
  if (v->is_int64() || v->is_uint64()) return json::serialize(*v);
  return std::nullopt;
}

const json::object* ObjectAt(const json::object& msg, std::string_view key) {
  const json::value* v = msg.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

// The standard field a trait names, in the spellings Segment's spec uses.
std::optional<Field> TraitField(std::string_view key) {
  if (key == "email") return Field::kEmail;
  if (key == "phone") return Field::kMobile;
  if (key == "firstName" || key == "first_name") return Field::kFirstName;
  if (key == "lastName" || key == "last_name") return Field::kLastName;
  if (key == "name") return Field::kName;
  if (key == "gender") return Field::kGender;
  if (key == "birthday") return Field::kBirthDate;
  if (key == "company") return Field::kCompany;
  return std::nullopt;
}

// A trait's value in the form the field takes: company {name}, birthday as a date.
json::value TraitValue(Field field, const json::value& v) {
  if (field == Field::kCompany && v.is_object()) {
    if (const json::value* name = v.get_object().if_contains("name")) return *name;
  }
  if (field == Field::kBirthDate && v.is_string()) {
    auto t = ParseTimestamp(v.get_string());
    if (t) return json::value(fmt::format("{:04}-{:02}-{:02}", t->year, t->month, t->day));
  }
  return v;
}

// Custom attributes from `in`, each validated alone so that one bad value drops only itself.
void AddAttributes(const json::object& in, std::string_view where, json::object& out,
                   std::vector<std::string>& dropped) {
  if (profiles::ValidateAttributes(in, where).ok()) {
    for (const auto& [k, v] : in) out[k] = v;
    return;
  }
  for (const auto& [k, v] : in) {
    json::object one{{k, v}};
    Status st = profiles::ValidateAttributes(one, where);
    if (st.ok()) {
      out[k] = v;
    } else {
      dropped.push_back(st.message());
    }
  }
}

// Traits onto the profile patch: standard fields validated one by one, the rest custom.
void AddTraits(const json::object& traits, profiles::ProfilePatch& patch,
               std::vector<std::string>& dropped) {
  json::object custom;
  for (const auto& [key, value] : traits) {
    auto field = TraitField(key);
    if (!field) {
      custom[key] = value;
      continue;
    }
    auto normalized = profiles::NormalizeField(*field, TraitValue(*field, value));
    if (normalized.ok()) {
      patch[*field] = std::move(normalized).value();
    } else {
      dropped.push_back(
          fmt::format("traits.{}: {}", std::string_view(key), normalized.status().message()));
    }
  }
  AddAttributes(custom, "traits", patch.attributes, dropped);
}

int64_t EventTime(const json::object& msg, int64_t received_at,
                  std::optional<int64_t> batch_sent_at) {
  if (const json::value* ts = msg.if_contains("timestamp")) {
    if (auto t = ParseIsoTime(*ts)) return *t;
  }
  const json::value* original = msg.if_contains("originalTimestamp");
  auto original_at = original ? ParseIsoTime(*original) : std::nullopt;
  if (!original_at) return received_at;
  const json::value* sent = msg.if_contains("sentAt");
  auto sent_at = sent ? ParseIsoTime(*sent) : std::nullopt;
  if (!sent_at) sent_at = batch_sent_at;
  if (!sent_at) sent_at = received_at;
  return received_at - (*sent_at - *original_at);
}

// 1 web, 2 android, 3 ios, as the Event API's sdk_id; from context.library.name.
std::optional<int> SdkOf(const json::object* context) {
  if (!context) return std::nullopt;
  const json::object* library = ObjectAt(*context, "library");
  const json::value* name = library ? library->if_contains("name") : nullptr;
  if (!name || !name->is_string()) return std::nullopt;
  std::string_view n = name->get_string();
  if (n.find("analytics.js") != std::string_view::npos || n.find("analytics-next") != n.npos ||
      n.find("rudder-sdk-js") != n.npos)
    return 1;
  if (n.find("android") != n.npos) return 2;
  if (n.find("ios") != n.npos || n.find("swift") != n.npos) return 3;
  return std::nullopt;
}

}  // namespace

std::optional<Type> TypeNamed(std::string_view name) {
  for (Type t : {Type::kIdentify, Type::kTrack, Type::kPage, Type::kScreen, Type::kGroup,
                 Type::kAlias})
    if (NameOf(t) == name) return t;
  return std::nullopt;
}

std::string_view NameOf(Type type) {
  switch (type) {
    case Type::kIdentify:
      return "identify";
    case Type::kTrack:
      return "track";
    case Type::kPage:
      return "page";
    case Type::kScreen:
      return "screen";
    case Type::kGroup:
      return "group";
    case Type::kAlias:
      return "alias";
  }
  return "";
}

std::optional<int64_t> ParseIsoTime(const json::value& v) {
  if (!v.is_string()) return std::nullopt;
  auto t = ParseTimestamp(v.get_string());
  if (!t || t->date_only) return std::nullopt;
  return t->micros;
}

Result<Message> ParseMessage(const json::object& msg, Type type, int64_t received_at,
                             std::optional<int64_t> batch_sent_at, size_t serialized_bytes) {
  if (serialized_bytes > kMaxMessageBytes)
    return InvalidArgument(
        fmt::format("a message may be at most {} bytes, got {}", kMaxMessageBytes, serialized_bytes));
  Message out;
  events::Event& ev = out.event;
  profiles::ProfilePatch& who = ev.profile;
  who.user_id = IdOf(msg, "userId");
  who.anonymous_id = IdOf(msg, "anonymousId");
  if (type == Type::kAlias) {
    auto previous = IdOf(msg, "previousId");
    if (!who.user_id || !previous) return InvalidArgument("alias needs userId and previousId");
    who.anonymous_id = previous;
    if (*who.user_id == *previous) return InvalidArgument("alias: previousId equals userId");
  }
  if (!who.user_id && !who.anonymous_id)
    return InvalidArgument("a message needs a userId or an anonymousId");
  for (const auto& id : {who.user_id, who.anonymous_id})
    if (id && id->size() > profiles::kMaxIdChars)
      return InvalidArgument(
          fmt::format("userId and anonymousId: at most {} characters", profiles::kMaxIdChars));
  if (auto id = IdOf(msg, "messageId")) {
    if (id->size() > events::kMaxMessageIdChars)
      return InvalidArgument(
          fmt::format("messageId: at most {} characters", events::kMaxMessageIdChars));
    ev.message_id = std::move(id);
  }

  int64_t at = EventTime(msg, received_at, batch_sent_at);
  if (at > received_at + events::kMaxFutureMicros) {
    at = received_at;
    ev.clamped = true;
  }
  ev.time = at;
  const json::object* context = ObjectAt(msg, "context");
  if (context) ev.context_json = json::serialize(*context);
  ev.sdk_id = SdkOf(context);

  json::object attributes;
  switch (type) {
    case Type::kIdentify:
    case Type::kAlias:
      if (const json::object* traits = ObjectAt(msg, "traits")) AddTraits(*traits, who, out.dropped);
      break;
    case Type::kGroup: {
      auto group_id = IdOf(msg, "groupId");
      if (!group_id) return InvalidArgument("group needs a groupId");
      who.attributes["groupId"] = *group_id;
      if (const json::object* traits = ObjectAt(msg, "traits"); traits && !traits->empty())
        who.attributes["groupTraits"] = *traits;
      break;
    }
    case Type::kTrack: {
      const json::value* name = msg.if_contains("event");
      if (!name || !name->is_string() || name->get_string().empty())
        return InvalidArgument("track needs an event name");
      if (name->get_string().size() > events::kMaxEventNameChars)
        return InvalidArgument(fmt::format("event: must be less than {} characters, got '{}'",
                                           events::kMaxEventNameChars + 1,
                                           std::string_view(name->get_string())));
      ev.name = name->get_string();
      break;
    }
    case Type::kPage:
    case Type::kScreen:
      ev.name = NameOf(type);
      for (std::string_view key : {"name", "category"})
        if (const json::value* v = msg.if_contains(key); v && v->is_string())
          attributes[key] = *v;
      break;
  }
  if (!ev.name.empty()) {
    if (const json::object* props = ObjectAt(msg, "properties"))
      AddAttributes(*props, "properties", attributes, out.dropped);
    ev.attributes_json = json::serialize(attributes);
  }
  ev.has_profile_fields = !who.attributes.empty();
  for (const auto& f : who.fields) ev.has_profile_fields |= f.has_value();
  return out;
}

}  // namespace cdp::tracking
