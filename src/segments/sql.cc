#include "segments/sql.h"

#include <fmt/format.h>

#include "segments/column.h"

namespace cdp::segments {
namespace {

// The profiles an event condition selects: `select` yields profile ids (possibly with
// duplicates); the members are those ids, or with `complement` every other profile. An
// empty `select` stands for no profile (so with `complement`, every profile).
struct EventProfilesSql {
  std::string select;
  bool complement = false;
};

class Compiler {
 public:
  Compiler(Dialect dialect, int64_t now, int brand_param, int first_param)
      : dialect_(dialect), now_(now), brand_(brand_param), next_(first_param) {}

  std::string Compile(const Node& n) {
    switch (n.kind) {
      case Node::Kind::kAll:
      case Node::Kind::kAny: {
        if (n.children.empty()) return n.kind == Node::Kind::kAll ? "TRUE" : "FALSE";
        std::string out = "(";
        for (size_t i = 0; i < n.children.size(); ++i) {
          if (i) out += n.kind == Node::Kind::kAll ? " AND " : " OR ";
          out += Compile(n.children[i]);
        }
        return out + ")";
      }
      case Node::Kind::kNot:
        return "(NOT " + Compile(n.children.at(0)) + ")";
      case Node::Kind::kAttribute:
        return Attribute(n.attribute, "p");
      case Node::Kind::kEvent:
        return Event(n.event);
      case Node::Kind::kReachable:
        switch (n.channel) {
          case Channel::kEmail:
            return Reachable("email_opt_in", "email");
          case Channel::kSms:
            return Reachable("sms_opt_in", "mobile");
          case Channel::kWhatsapp:
            return Reachable("whatsapp_opt_in", "mobile");
        }
    }
    return "FALSE";
  }

  std::vector<SqlParam> TakeParams() { return std::move(params_); }

 private:
  std::string Bind(SqlParam v) {
    const int n = next_++;
    std::string cast;
    if (dialect_ == Dialect::kPostgres) {
      if (std::holds_alternative<std::string>(v)) cast = "::text";
      if (std::holds_alternative<double>(v)) cast = "::double precision";
      if (std::holds_alternative<int64_t>(v)) cast = "::bigint";
      if (std::holds_alternative<bool>(v)) cast = "::boolean";
    } else if (const bool* b = std::get_if<bool>(&v)) {
      v = int64_t{*b ? 1 : 0};  // SQLite's JSON true/false read as 1/0
    }
    params_.push_back(std::move(v));
    return fmt::format("{}{}{}", dialect_ == Dialect::kPostgres ? "$" : "?", n, cast);
  }
  std::string Brand() const {
    return dialect_ == Dialect::kPostgres ? fmt::format("${}::text", brand_)
                                          : fmt::format("?{}", brand_);
  }

  static std::string Fold(const std::string& cond) { return "COALESCE(" + cond + ", FALSE)"; }

  std::string Reachable(std::string_view opt_in, std::string_view address) {
    return fmt::format("(COALESCE(p.{0} = 1, FALSE) AND p.{1} IS NOT NULL AND p.{1} <> '')", opt_in,
                       address);
  }

  // The SQL value of the attribute on row `alias`, typed for comparison. Event attributes
  // have no enforced type, so unless `any_type`, a value of another JSON type reads as NULL.
  std::string Value(const AttributeRef& a, std::string_view alias, bool any_type) {
    using Source = AttributeRef::Source;
    if (a.source == Source::kProfileColumn || a.source == Source::kEventColumn)
      return fmt::format("{}.{}", alias, a.name);
    const bool guard = a.source == Source::kEventAttribute && !any_type;
    if (dialect_ == Dialect::kPostgres) {
      const std::string key = Bind(a.name);
      std::string raw = fmt::format("({}.attributes ->> {})", alias, key);
      std::string_view json_type = "string";
      if (a.type == ValueType::kNumber) raw += "::double precision", json_type = "number";
      if (a.type == ValueType::kBoolean) raw += "::boolean", json_type = "boolean";
      if (!guard) return raw;
      return fmt::format("(CASE WHEN jsonb_typeof({}.attributes -> {}) = '{}' THEN {} END)", alias,
                         key, json_type, raw);
    }
    std::string_view types = a.type == ValueType::kNumber    ? "'integer', 'real'"
                             : a.type == ValueType::kBoolean ? "'true', 'false'"
                                                             : "'text'";
    // A quoted JSON path takes any name without a double quote; those few go the slow way.
    if (a.name.find('"') == std::string::npos) {
      const std::string path = Bind("$.\"" + a.name + "\"");
      std::string raw = fmt::format("({}.attributes ->> {})", alias, path);
      if (!guard) return raw;
      return fmt::format("(CASE WHEN json_type({}.attributes, {}) IN ({}) THEN {} END)", alias,
                         path, types, raw);
    }
    return fmt::format(
        "(SELECT {} FROM json_each({}.attributes) WHERE key = {})",
        guard ? fmt::format("CASE WHEN type IN ({}) THEN value END", types) : std::string("value"),
        alias, Bind(a.name));
  }

  std::string Attribute(const AttributeCondition& c, std::string_view alias) {
    if (c.attribute.absent)
      return c.op == AttributeOp::kNeq || c.op == AttributeOp::kNotExists ? "TRUE" : "FALSE";
    const std::string x =
        Value(c.attribute, alias, c.op == AttributeOp::kExists || c.op == AttributeOp::kNotExists);
    const ValueType type = c.attribute.type;
    auto one = [&](std::string_view op) {
      return Fold(fmt::format("{} {} {}", x, op, Bind(c.values.at(0))));
    };
    switch (c.op) {
      case AttributeOp::kEq:
        return one("=");
      case AttributeOp::kNeq:
        return "(NOT " + one("=") + ")";
      case AttributeOp::kGt:
        return one(">");
      case AttributeOp::kGte:
        return one(">=");
      case AttributeOp::kLt:
        return one("<");
      case AttributeOp::kLte:
        return one("<=");
      case AttributeOp::kIn: {
        std::string list;
        for (const auto& v : c.values) list += (list.empty() ? "" : ", ") + Bind(v);
        return Fold(fmt::format("{} IN ({})", x, list));
      }
      case AttributeOp::kContains: {
        std::string v = Bind(c.values.at(0));
        return Fold(dialect_ == Dialect::kPostgres ? fmt::format("strpos({}, {}) > 0", x, v)
                                                   : fmt::format("instr({}, {}) > 0", x, v));
      }
      case AttributeOp::kStartsWith: {
        std::string v = Bind(c.values.at(0));
        return Fold(dialect_ == Dialect::kPostgres
                        ? fmt::format("starts_with({}, {})", x, v)
                        : fmt::format("substr({}, 1, length({})) = {}", x, v, v));
      }
      case AttributeOp::kExists:
        return fmt::format("({} IS NOT NULL)", x);
      case AttributeOp::kNotExists:
        return fmt::format("({} IS NULL)", x);
      case AttributeOp::kBetween:
        return Fold(
            fmt::format("{} BETWEEN {} AND {}", x, Bind(c.values.at(0)), Bind(c.values.at(1))));
      case AttributeOp::kWithinNextDays:
      case AttributeOp::kWithinLastDays:
      case AttributeOp::kMoreThanDaysAgo:
        return Relative(c, x, type);
    }
    return "FALSE";
  }

  // Relative dates: instants compare in micros; calendar dates and date strings by day.
  std::string Relative(const AttributeCondition& c, const std::string& x, ValueType type) {
    const int64_t d = c.days;
    if (type == ValueType::kInstant) {
      switch (c.op) {
        case AttributeOp::kWithinNextDays:
          return Fold(
              fmt::format("{} BETWEEN {} AND {}", x, Bind(now_), Bind(now_ + d * kMicrosPerDay)));
        case AttributeOp::kWithinLastDays:
          return Fold(
              fmt::format("{} BETWEEN {} AND {}", x, Bind(now_ - d * kMicrosPerDay), Bind(now_)));
        default:
          return Fold(fmt::format("{} < {}", x, Bind(now_ - d * kMicrosPerDay)));
      }
    }
    if (type == ValueType::kDay && c.op == AttributeOp::kWithinNextDays) return Birthday(x, d);
    const std::string day = fmt::format("substr({}, 1, 10)", x);
    switch (c.op) {
      case AttributeOp::kWithinNextDays:
        return Fold(fmt::format("{} BETWEEN {} AND {}", day, Bind(DayText(now_, 0)),
                                Bind(DayText(now_, d))));
      case AttributeOp::kWithinLastDays:
        return Fold(fmt::format("{} BETWEEN {} AND {}", day, Bind(DayText(now_, -d)),
                                Bind(DayText(now_, 0))));
      default:
        return Fold(fmt::format("{} < {}", day, Bind(DayText(now_, -d))));
    }
  }

  // A birthday (the month and day of a 'yyyy-mm-dd' date) within the next `days` days,
  // today included. In a non-leap year, 29 February birthdays fall on 28 February.
  std::string Birthday(const std::string& x, int64_t days) {
    std::string list;
    for (const auto& md : BirthdaysWithin(now_, days))
      list += (list.empty() ? "" : ", ") + Bind(md);
    return Fold(fmt::format("substr({}, 6, 5) IN ({})", x, list));
  }

  std::string Event(const EventCondition& e) {
    EventProfilesSql q = EventProfiles(e);
    if (q.select.empty()) return q.complement ? "TRUE" : "FALSE";
    return fmt::format("p.id {}IN ({})", q.complement ? "NOT " : "", q.select);
  }

  // The profiles that did (or, when complement, did not) satisfy `e`.
  EventProfilesSql EventProfiles(const EventCondition& e) {
    // Everyone: the complement of nobody (and no parameter left unused, which PostgreSQL
    // could not type).
    if (e.op == EventOp::kAtLeast && e.count == 0) return {"", true};
    std::string sub =
        fmt::format("SELECT e.profile_id FROM events e WHERE e.brand_id = {} AND e.name = {}",
                    Brand(), Bind(e.name));
    if (e.within_days) sub += " AND e.ts >= " + Bind(now_ - *e.within_days * kMicrosPerDay);
    if (e.from) sub += " AND e.ts >= " + Bind(*e.from);
    if (e.to) sub += " AND e.ts < " + Bind(*e.to);
    for (const auto& w : e.where) sub += " AND " + Attribute(w, "e");
    auto grouped = [&](std::string having) {
      return sub + " GROUP BY e.profile_id HAVING " + having;
    };
    switch (e.op) {
      case EventOp::kDid:
        return {sub, false};
      case EventOp::kDidNot:
        return {sub, true};
      case EventOp::kAtLeast:
        if (e.count == 1) return {sub, false};
        return {grouped("count(*) >= " + Bind(e.count)), false};
      case EventOp::kAtMost:
        return {grouped("count(*) > " + Bind(e.count)), true};
      case EventOp::kExactly:
        if (e.count == 0) return {sub, true};
        return {grouped("count(*) = " + Bind(e.count)), false};
      case EventOp::kLastMoreThanDaysAgo:
        return {grouped("max(e.ts) < " + Bind(now_ - e.days * kMicrosPerDay)), false};
    }
    return {"", false};
  }

  Dialect dialect_;
  int64_t now_;
  int brand_;
  int next_;
  std::vector<SqlParam> params_;
};

}  // namespace

SqlWhere CompileWhere(const Node& rule, Dialect dialect, int64_t now, int brand_param,
                      int first_param) {
  Compiler c(dialect, now, brand_param, first_param);
  SqlWhere out;
  out.text = c.Compile(rule);
  out.params = c.TakeParams();
  return out;
}

}  // namespace cdp::segments
