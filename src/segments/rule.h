// Segment rules: the validated form of a rule tree (docs/segments.md), parsed once from its
// JSON and evaluated by the store (compiled to SQL by segments/sql.h). Plain values;
// thread-compatible. ParseRule is pure and thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"

namespace cdp::segments {

inline constexpr int64_t kMaxDays = 36600;  // a hundred years
inline constexpr size_t kMaxNameChars = 100;
inline constexpr size_t kMaxListValues = 1000;

// How values of an attribute compare.
enum class ValueType {
  kString,
  kNumber,
  kBoolean,
  kInstant,  // micros since the epoch (created_at, updated_at)
  kDay,      // a calendar date as 'yyyy-mm-dd' text (birth_date)
};

struct AttributeRef {
  enum class Source { kProfileColumn, kProfileAttribute, kEventColumn, kEventAttribute };
  Source source = Source::kProfileColumn;
  std::string name;   // the column, or the custom attribute's name
  std::string label;  // the name as the rule wrote it, for messages
  ValueType type = ValueType::kString;
  // A custom attribute the brand has never stored: no profile (or event) has it.
  bool absent = false;
};

enum class AttributeOp {
  kEq,
  kNeq,
  kIn,
  kContains,
  kStartsWith,
  kExists,
  kNotExists,
  kGt,
  kGte,
  kLt,
  kLte,
  kBetween,
  kWithinNextDays,
  kWithinLastDays,
  kMoreThanDaysAgo,
};

// A value to compare with: text for strings and days, a number, a boolean, or an instant.
using Literal = std::variant<std::string, double, bool, int64_t>;

struct AttributeCondition {
  AttributeRef attribute;
  AttributeOp op = AttributeOp::kEq;
  std::vector<Literal> values;  // eq..lte: one; in: one or more; between: low, high
  int64_t days = 0;             // the relative-date operators
};

enum class EventOp { kDid, kDidNot, kAtLeast, kAtMost, kExactly, kLastMoreThanDaysAgo };

struct EventCondition {
  std::string name;
  EventOp op = EventOp::kDid;
  int64_t count = 0;  // at_least, at_most, exactly
  int64_t days = 0;   // last_more_than_days_ago
  // The window: events at or after now - within_days, or in [from, to); none = all time.
  std::optional<int64_t> within_days;
  std::optional<int64_t> from;
  std::optional<int64_t> to;
  std::vector<AttributeCondition> where;  // on the events, all must hold
};

enum class Channel { kEmail, kSms, kWhatsapp };

struct Node {
  enum class Kind { kAll, kAny, kNot, kAttribute, kEvent, kReachable };
  Kind kind = Kind::kAll;
  std::vector<Node> children;  // all, any; not has exactly one
  AttributeCondition attribute;
  EventCondition event;
  Channel channel = Channel::kEmail;
};

// The JSON type ("string", "number", "boolean", ...) each custom attribute was first stored
// with, by name: profile attributes and event attributes of one brand.
struct AttributeTypes {
  std::map<std::string, std::string, std::less<>> profile;
  std::map<std::string, std::string, std::less<>> event;
};

// Validates a rule tree. InvalidArgument names the place, e.g.
// "rules.all[1].op: unknown operator 'bigger'".
Result<Node> ParseRule(const boost::json::value& rules, const AttributeTypes& types);

}  // namespace cdp::segments
