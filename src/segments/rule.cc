#include "segments/rule.h"

#include <fmt/format.h>

#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <string_view>

#include "core/json.h"
#include "core/time.h"
#include "events/event.h"

namespace cdp::segments {
namespace {

namespace json = boost::json;

constexpr int64_t kMicrosPerDay = 24LL * 3600 * 1000000;

struct StandardAttribute {
  std::string_view name;
  std::string_view alias;  // the other spelling the API uses, or empty
  std::string_view column;
  ValueType type;
};

constexpr std::array<StandardAttribute, 17> kStandard = {{
    {"userId", "user_id", "user_id", ValueType::kString},
    {"anonymousId", "anonymous_id", "anonymous_id", ValueType::kString},
    {"name", "", "name", ValueType::kString},
    {"first_name", "firstName", "first_name", ValueType::kString},
    {"last_name", "lastName", "last_name", ValueType::kString},
    {"gender", "", "gender", ValueType::kString},
    {"email", "", "email", ValueType::kString},
    {"mobile", "", "mobile", ValueType::kString},
    {"company", "", "company", ValueType::kString},
    {"hashed_email", "", "hashed_email", ValueType::kString},
    {"hashed_mobile", "", "hashed_mobile", ValueType::kString},
    {"email_opt_in", "", "email_opt_in", ValueType::kNumber},
    {"sms_opt_in", "", "sms_opt_in", ValueType::kNumber},
    {"whatsapp_opt_in", "", "whatsapp_opt_in", ValueType::kNumber},
    {"birth_date", "birthDate", "birth_date", ValueType::kDay},
    {"created_at", "", "created_at", ValueType::kInstant},
    {"updated_at", "", "updated_at", ValueType::kInstant},
}};

struct OpName {
  std::string_view name;
  AttributeOp op;
};
constexpr std::array<OpName, 15> kAttributeOps = {{
    {"eq", AttributeOp::kEq},
    {"neq", AttributeOp::kNeq},
    {"in", AttributeOp::kIn},
    {"contains", AttributeOp::kContains},
    {"starts_with", AttributeOp::kStartsWith},
    {"exists", AttributeOp::kExists},
    {"not_exists", AttributeOp::kNotExists},
    {"gt", AttributeOp::kGt},
    {"gte", AttributeOp::kGte},
    {"lt", AttributeOp::kLt},
    {"lte", AttributeOp::kLte},
    {"between", AttributeOp::kBetween},
    {"within_next_days", AttributeOp::kWithinNextDays},
    {"within_last_days", AttributeOp::kWithinLastDays},
    {"more_than_days_ago", AttributeOp::kMoreThanDaysAgo},
}};

struct EventOpName {
  std::string_view name;
  EventOp op;
};
constexpr std::array<EventOpName, 6> kEventOps = {{
    {"did", EventOp::kDid},
    {"did_not", EventOp::kDidNot},
    {"at_least", EventOp::kAtLeast},
    {"at_most", EventOp::kAtMost},
    {"exactly", EventOp::kExactly},
    {"last_more_than_days_ago", EventOp::kLastMoreThanDaysAgo},
}};

std::string_view TypeName(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "a string";
    case ValueType::kNumber:
      return "a number";
    case ValueType::kBoolean:
      return "a boolean";
    case ValueType::kInstant:
    case ValueType::kDay:
      return "a date";
  }
  return "";
}

std::string_view JsonTypeName(const json::value& v) {
  if (v.is_string()) return "a string";
  if (v.is_number()) return "a number";
  if (v.is_bool()) return "a boolean";
  if (v.is_null()) return "null";
  if (v.is_array()) return "an array";
  return "an object";
}

Status Error(std::string_view path, std::string_view message) {
  return InvalidArgument(fmt::format("{}: {}", path, message));
}

// A whole number in [lo, hi] from a JSON number (1.0 counts; 1.5 does not).
Result<int64_t> WholeNumber(const json::value& v, std::string_view path, int64_t lo, int64_t hi) {
  std::optional<int64_t> n;
  if (v.is_int64()) n = v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(hi)) n = int64_t(v.get_uint64());
  if (v.is_double() && std::trunc(v.get_double()) == v.get_double() &&
      std::abs(v.get_double()) < 1e15)
    n = static_cast<int64_t>(v.get_double());
  if (!n || *n < lo || *n > hi)
    return Error(path, fmt::format("must be a whole number from {} to {}", lo, hi));
  return *n;
}

class Parser {
 public:
  explicit Parser(const AttributeTypes& types) : types_(types) {}

  Result<Node> ParseNode(const json::value& v, const std::string& path, int depth) {
    if (depth > kMaxJsonDepth) return Error(path, "rules nest too deeply");
    if (!v.is_object())
      return Error(path, "must be an object: a condition, or all/any/not of conditions");
    const json::object& o = v.get_object();
    static constexpr std::array<std::string_view, 6> kKinds = {"all",       "any",   "not",
                                                               "attribute", "event", "reachable"};
    std::string_view kind;
    for (auto k : kKinds) {
      if (!o.contains(k)) continue;
      if (!kind.empty())
        return Error(path, fmt::format("has both '{}' and '{}'; a node is exactly one of "
                                       "all, any, not, attribute, event, reachable",
                                       kind, k));
      kind = k;
    }
    if (kind.empty())
      return Error(path, "must have one of all, any, not, attribute, event, reachable");
    Node node;
    if (kind == "all" || kind == "any") {
      CDP_RETURN_IF_ERROR(OnlyKeys(o, path, {kind}));
      node.kind = kind == "all" ? Node::Kind::kAll : Node::Kind::kAny;
      const json::value& list = o.at(kind);
      if (!list.is_array()) return Error(path + "." + std::string(kind), "must be an array");
      const json::array& a = list.get_array();
      for (size_t i = 0; i < a.size(); ++i) {
        auto child = ParseNode(a[i], fmt::format("{}.{}[{}]", path, kind, i), depth + 1);
        if (!child.ok()) return std::move(child).take_status();
        node.children.push_back(std::move(child).value());
      }
      return node;
    }
    if (kind == "not") {
      CDP_RETURN_IF_ERROR(OnlyKeys(o, path, {"not"}));
      node.kind = Node::Kind::kNot;
      auto child = ParseNode(o.at("not"), path + ".not", depth + 1);
      if (!child.ok()) return std::move(child).take_status();
      node.children.push_back(std::move(child).value());
      return node;
    }
    if (kind == "attribute") {
      node.kind = Node::Kind::kAttribute;
      auto cond = ParseAttributeCondition(o, path, /*on_event=*/false);
      if (!cond.ok()) return std::move(cond).take_status();
      node.attribute = std::move(cond).value();
      return node;
    }
    if (kind == "event") {
      node.kind = Node::Kind::kEvent;
      auto cond = ParseEventCondition(o, path);
      if (!cond.ok()) return std::move(cond).take_status();
      node.event = std::move(cond).value();
      return node;
    }
    CDP_RETURN_IF_ERROR(OnlyKeys(o, path, {"reachable"}));
    node.kind = Node::Kind::kReachable;
    const json::value& ch = o.at("reachable");
    std::string_view c = ch.is_string() ? std::string_view(ch.get_string()) : "";
    if (c == "email")
      node.channel = Channel::kEmail;
    else if (c == "sms")
      node.channel = Channel::kSms;
    else if (c == "whatsapp")
      node.channel = Channel::kWhatsapp;
    else
      return Error(path + ".reachable", "must be one of email, sms, whatsapp");
    return node;
  }

 private:
  static Status OnlyKeys(const json::object& o, const std::string& path,
                         std::initializer_list<std::string_view> allowed) {
    for (const auto& [k, _] : o) {
      bool ok = false;
      for (auto a : allowed) ok = ok || k == a;
      if (!ok) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Error(
            path, fmt::format("unknown key '{}' (this node takes {})", std::string_view(k), list));
      }
    }
    return Status::Ok();
  }

  Result<AttributeRef> ResolveAttribute(const json::value& v, const std::string& path,
                                        bool on_event, const json::value* value) {
    if (!v.is_string() || v.get_string().empty())
      return Error(path, "must be a non-empty string naming an attribute");
    std::string_view name = v.get_string();
    AttributeRef ref;
    ref.label = std::string(name);
    std::string_view custom;
    if (on_event) {
      if (name == "ltv") {
        ref.source = AttributeRef::Source::kEventColumn;
        ref.name = "ltv";
        ref.type = ValueType::kNumber;
        return ref;
      }
      custom = name.starts_with("attributes.") ? name.substr(11) : name;
      ref.source = AttributeRef::Source::kEventAttribute;
    } else if (name.starts_with("attributes.")) {
      custom = name.substr(11);
      ref.source = AttributeRef::Source::kProfileAttribute;
    } else {
      for (const auto& s : kStandard) {
        if (name != s.name && (s.alias.empty() || name != s.alias)) continue;
        ref.source = AttributeRef::Source::kProfileColumn;
        ref.name = std::string(s.column);
        ref.type = s.type;
        return ref;
      }
      return Error(path, fmt::format("unknown attribute '{}': use a standard field (name, "
                                     "email, gender, birth_date, created_at, ...) or "
                                     "attributes.<name> for a custom attribute",
                                     name));
    }
    if (custom.empty() || custom.size() >= 50)
      return Error(path, "a custom attribute name has 1 to 49 characters");
    ref.name = std::string(custom);
    const auto& known = on_event ? types_.event : types_.profile;
    auto it = known.find(custom);
    if (it == known.end()) {
      // A profile attribute never stored: nothing has it. Event attributes have no recorded
      // type: those conditions hold for values of the type of the rule's value.
      ref.absent = !on_event;
      const json::value* first = value;
      if (first && first->is_array() && !first->get_array().empty()) first = &first->get_array()[0];
      ref.type = first && first->is_number() ? ValueType::kNumber
                 : first && first->is_bool() ? ValueType::kBoolean
                                             : ValueType::kString;
      return ref;
    }
    if (it->second == "string")
      ref.type = ValueType::kString;
    else if (it->second == "number")
      ref.type = ValueType::kNumber;
    else if (it->second == "boolean")
      ref.type = ValueType::kBoolean;
    else
      return Error(path, fmt::format("'{}' holds {} values; conditions compare strings, numbers "
                                     "and booleans",
                                     name, it->second));
    return ref;
  }

  // One comparison value of the attribute's type.
  static Result<Literal> ParseLiteral(const json::value& v, const AttributeRef& attr,
                                      std::string_view op, const std::string& path) {
    auto mismatch = [&] {
      return Error(
          path, fmt::format("'{}' is {}; {} needs {}, got {}", attr.label, TypeName(attr.type), op,
                            TypeName(attr.type), JsonTypeName(v)));
    };
    switch (attr.type) {
      case ValueType::kString:
        if (!v.is_string()) return mismatch();
        if (v.get_string().size() > 1000)
          return Error(path, "a string value has at most 1000 chars");
        return Literal(std::string(v.get_string()));
      case ValueType::kNumber:
        if (!v.is_number()) return mismatch();
        return Literal(v.to_number<double>());
      case ValueType::kBoolean:
        if (!v.is_bool()) return mismatch();
        return Literal(v.get_bool());
      case ValueType::kInstant:
      case ValueType::kDay: {
        if (!v.is_string()) return mismatch();
        auto t = ParseTimestamp(v.get_string());
        if (!t)
          return Error(path, fmt::format("'{}' is not a date (use e.g. 2024-05-01 or "
                                         "2024-05-01T10:00:00Z)",
                                         std::string_view(v.get_string())));
        if (attr.type == ValueType::kInstant) return Literal(t->micros);
        return Literal(fmt::format("{:04}-{:02}-{:02}", t->year, t->month, t->day));
      }
    }
    return mismatch();
  }

  Result<AttributeCondition> ParseAttributeCondition(const json::object& o, const std::string& path,
                                                     bool on_event) {
    CDP_RETURN_IF_ERROR(OnlyKeys(o, path, {"attribute", "op", "value"}));
    const json::value* value = o.if_contains("value");
    auto ref = ResolveAttribute(o.at("attribute"), path + ".attribute", on_event, value);
    if (!ref.ok()) return std::move(ref).take_status();
    AttributeCondition c;
    c.attribute = std::move(ref).value();
    const json::value* opv = o.if_contains("op");
    if (!opv) return Error(path + ".op", "missing; one of eq, neq, in, contains, ...");
    std::string_view op = opv->is_string() ? std::string_view(opv->get_string()) : "";
    bool found = false;
    for (const auto& n : kAttributeOps)
      if (n.name == op) c.op = n.op, found = true;
    if (!found)
      return Error(path + ".op",
                   fmt::format("unknown operator '{}'; one of eq, neq, in, contains, starts_with, "
                               "exists, not_exists, gt, gte, lt, lte, between, within_next_days, "
                               "within_last_days, more_than_days_ago",
                               opv->is_string() ? op : "(not a string)"));
    const std::string vpath = path + ".value";
    const ValueType type = c.attribute.type;
    const bool dated = type == ValueType::kInstant || type == ValueType::kDay;
    switch (c.op) {
      case AttributeOp::kExists:
      case AttributeOp::kNotExists:
        if (value) return Error(vpath, fmt::format("{} takes no value", op));
        return c;
      case AttributeOp::kWithinNextDays:
      case AttributeOp::kWithinLastDays:
      case AttributeOp::kMoreThanDaysAgo: {
        if (!dated && type != ValueType::kString)
          return Error(path + ".op", fmt::format("{} needs a date attribute; '{}' is {}", op,
                                                 c.attribute.label, TypeName(type)));
        if (!value) return Error(vpath, "missing: a number of days");
        auto days = WholeNumber(*value, vpath, 0, kMaxDays);
        if (!days.ok()) return std::move(days).take_status();
        c.days = *days;
        return c;
      }
      default:
        break;
    }
    if (!value) return Error(vpath, fmt::format("missing; {} needs a value", op));
    switch (c.op) {
      case AttributeOp::kIn: {
        if (!value->is_array() || value->get_array().empty() ||
            value->get_array().size() > kMaxListValues)
          return Error(vpath, fmt::format("in needs an array of 1 to {} values", kMaxListValues));
        const json::array& a = value->get_array();
        for (size_t i = 0; i < a.size(); ++i) {
          auto lit = ParseLiteral(a[i], c.attribute, op, fmt::format("{}[{}]", vpath, i));
          if (!lit.ok()) return std::move(lit).take_status();
          c.values.push_back(std::move(lit).value());
        }
        return c;
      }
      case AttributeOp::kBetween: {
        if (type == ValueType::kBoolean || type == ValueType::kString)
          return Error(path + ".op", fmt::format("between needs a number or a date; '{}' is {}",
                                                 c.attribute.label, TypeName(type)));
        if (!value->is_array() || value->get_array().size() != 2)
          return Error(vpath, "between needs [low, high]");
        for (size_t i = 0; i < 2; ++i) {
          auto lit =
              ParseLiteral(value->get_array()[i], c.attribute, op, fmt::format("{}[{}]", vpath, i));
          if (!lit.ok()) return std::move(lit).take_status();
          c.values.push_back(std::move(lit).value());
        }
        if (c.values[1] < c.values[0]) return Error(vpath, "low is greater than high");
        return c;
      }
      case AttributeOp::kContains:
      case AttributeOp::kStartsWith:
        if (type != ValueType::kString)
          return Error(path + ".op", fmt::format("{} needs a string attribute; '{}' is {}", op,
                                                 c.attribute.label, TypeName(type)));
        break;
      case AttributeOp::kGt:
      case AttributeOp::kGte:
      case AttributeOp::kLt:
      case AttributeOp::kLte:
        if (type == ValueType::kBoolean)
          return Error(path + ".op",
                       fmt::format("{} does not apply to '{}', a boolean", op, c.attribute.label));
        break;
      default:
        break;
    }
    auto lit = ParseLiteral(*value, c.attribute, op, vpath);
    if (!lit.ok()) return std::move(lit).take_status();
    c.values.push_back(std::move(lit).value());
    return c;
  }

  Result<EventCondition> ParseEventCondition(const json::object& o, const std::string& path) {
    CDP_RETURN_IF_ERROR(
        OnlyKeys(o, path, {"event", "op", "count", "days", "within_days", "from", "to", "where"}));
    EventCondition e;
    const json::value& name = o.at("event");
    if (!name.is_string() || name.get_string().empty() ||
        name.get_string().size() > events::kMaxEventNameChars)
      return Error(path + ".event", fmt::format("must be an event name of 1 to {} characters",
                                                events::kMaxEventNameChars));
    e.name = std::string(name.get_string());
    const json::value* opv = o.if_contains("op");
    std::string_view op = opv && opv->is_string() ? std::string_view(opv->get_string()) : "";
    bool found = false;
    for (const auto& n : kEventOps)
      if (n.name == op) e.op = n.op, found = true;
    if (!found)
      return Error(path + ".op",
                   fmt::format("{}; one of did, did_not, at_least, at_most, exactly, "
                               "last_more_than_days_ago",
                               opv ? fmt::format("unknown operator '{}'",
                                                 opv->is_string() ? op : "(not a string)")
                                   : std::string("missing")));
    const bool counted =
        e.op == EventOp::kAtLeast || e.op == EventOp::kAtMost || e.op == EventOp::kExactly;
    if (const auto* v = o.if_contains("count")) {
      if (!counted)
        return Error(path + ".count", "only at_least, at_most and exactly take a count");
      auto n = WholeNumber(*v, path + ".count", 0, 1000000000);
      if (!n.ok()) return std::move(n).take_status();
      e.count = *n;
    } else if (counted) {
      return Error(path + ".count", fmt::format("missing; {} needs a count", op));
    }
    const bool lapsed = e.op == EventOp::kLastMoreThanDaysAgo;
    if (const auto* v = o.if_contains("days")) {
      if (!lapsed) return Error(path + ".days", "only last_more_than_days_ago takes days");
      auto n = WholeNumber(*v, path + ".days", 0, kMaxDays);
      if (!n.ok()) return std::move(n).take_status();
      e.days = *n;
    } else if (lapsed) {
      return Error(path + ".days", "missing; last_more_than_days_ago needs days");
    }
    const json::value* within = o.if_contains("within_days");
    const json::value* from = o.if_contains("from");
    const json::value* to = o.if_contains("to");
    if (lapsed && (within || from || to))
      return Error(path, "last_more_than_days_ago looks at all time; it takes no window");
    if (within && (from || to)) return Error(path, "a window is within_days or from/to, not both");
    if (within) {
      auto n = WholeNumber(*within, path + ".within_days", 1, kMaxDays);
      if (!n.ok()) return std::move(n).take_status();
      e.within_days = *n;
    }
    auto instant = [&](const json::value& v, const std::string& p, bool end) -> Result<int64_t> {
      auto t = v.is_string() ? ParseTimestamp(v.get_string()) : std::nullopt;
      if (!t) return Error(p, "must be a date (e.g. 2024-05-01 or 2024-05-01T10:00:00Z)");
      // `to` is inclusive: a bare date covers that whole day.
      if (end) return t->micros + (t->date_only ? kMicrosPerDay : 1);
      return t->micros;
    };
    if (from) {
      auto t = instant(*from, path + ".from", false);
      if (!t.ok()) return std::move(t).take_status();
      e.from = *t;
    }
    if (to) {
      auto t = instant(*to, path + ".to", true);
      if (!t.ok()) return std::move(t).take_status();
      e.to = *t;
    }
    if (e.from && e.to && *e.from >= *e.to) return Error(path + ".to", "is before from");
    if (const auto* w = o.if_contains("where")) {
      if (!w->is_array()) return Error(path + ".where", "must be an array of conditions");
      const json::array& a = w->get_array();
      for (size_t i = 0; i < a.size(); ++i) {
        std::string wpath = fmt::format("{}.where[{}]", path, i);
        if (!a[i].is_object() || !a[i].get_object().contains("attribute"))
          return Error(wpath, "must be an attribute condition {\"attribute\",\"op\",\"value\"}");
        auto c = ParseAttributeCondition(a[i].get_object(), wpath, /*on_event=*/true);
        if (!c.ok()) return std::move(c).take_status();
        e.where.push_back(std::move(c).value());
      }
    }
    return e;
  }

  const AttributeTypes& types_;
};

}  // namespace

Result<Node> ParseRule(const json::value& rules, const AttributeTypes& types) {
  return Parser(types).ParseNode(rules, "rules", 0);
}

}  // namespace cdp::segments
