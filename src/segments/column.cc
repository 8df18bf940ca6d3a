#include "segments/column.h"

#include <algorithm>
#include <set>
#include <variant>

#include "core/time.h"

namespace cdp::segments {
namespace {

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

double AsNumber(const Literal& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? 1 : 0;
  return 0;
}

const std::string* AsText(const Literal& v) { return std::get_if<std::string>(&v); }

// One condition over one kind of value; a literal of the other kind never matches (SQL
// compares numbers and texts as unequal).
class Predicate {
 public:
  Predicate(const AttributeCondition& c, int64_t now) : c_(c) {
    const int64_t d = c.days;
    if (c.attribute.type == ValueType::kInstant) {
      if (c.op == AttributeOp::kWithinNextDays) lo_ = now, hi_ = now + d * kMicrosPerDay;
      if (c.op == AttributeOp::kWithinLastDays) lo_ = now - d * kMicrosPerDay, hi_ = now;
      if (c.op == AttributeOp::kMoreThanDaysAgo) hi_ = now - d * kMicrosPerDay;
    } else if (c.attribute.type == ValueType::kDay && c.op == AttributeOp::kWithinNextDays) {
      for (auto& md : BirthdaysWithin(now, d)) birthdays_.insert(md);
    } else {
      if (c.op == AttributeOp::kWithinNextDays)
        lo_day_ = DayText(now, 0), hi_day_ = DayText(now, d);
      if (c.op == AttributeOp::kWithinLastDays)
        lo_day_ = DayText(now, -d), hi_day_ = DayText(now, 0);
      if (c.op == AttributeOp::kMoreThanDaysAgo) hi_day_ = DayText(now, -d);
    }
  }

  bool OnMissing() const { return c_.op == AttributeOp::kNeq || c_.op == AttributeOp::kNotExists; }

  bool OnNumber(double x) const {
    switch (c_.op) {
      case AttributeOp::kEq:
        return EqNumber(x, c_.values[0]);
      case AttributeOp::kNeq:
        return !EqNumber(x, c_.values[0]);
      case AttributeOp::kIn:
        return std::any_of(c_.values.begin(), c_.values.end(),
                           [&](const Literal& v) { return EqNumber(x, v); });
      case AttributeOp::kExists:
        return true;
      case AttributeOp::kNotExists:
        return false;
      case AttributeOp::kGt:
        return !AsText(c_.values[0]) && x > AsNumber(c_.values[0]);
      case AttributeOp::kGte:
        return !AsText(c_.values[0]) && x >= AsNumber(c_.values[0]);
      case AttributeOp::kLt:
        return !AsText(c_.values[0]) && x < AsNumber(c_.values[0]);
      case AttributeOp::kLte:
        return !AsText(c_.values[0]) && x <= AsNumber(c_.values[0]);
      case AttributeOp::kBetween:
        return !AsText(c_.values[0]) && x >= AsNumber(c_.values[0]) && x <= AsNumber(c_.values[1]);
      case AttributeOp::kWithinNextDays:
      case AttributeOp::kWithinLastDays:
        return c_.attribute.type == ValueType::kInstant && x >= static_cast<double>(lo_) &&
               x <= static_cast<double>(hi_);
      case AttributeOp::kMoreThanDaysAgo:
        return c_.attribute.type == ValueType::kInstant && x < static_cast<double>(hi_);
      case AttributeOp::kContains:
      case AttributeOp::kStartsWith:
        return false;
    }
    return false;
  }

  // Booleans equal only booleans.
  bool OnBool(bool x) const {
    auto eq = [&](const Literal& v) {
      const bool* b = std::get_if<bool>(&v);
      return b && *b == x;
    };
    switch (c_.op) {
      case AttributeOp::kEq:
        return eq(c_.values[0]);
      case AttributeOp::kNeq:
        return !eq(c_.values[0]);
      case AttributeOp::kIn:
        return std::any_of(c_.values.begin(), c_.values.end(), eq);
      case AttributeOp::kExists:
        return true;
      default:
        return false;
    }
  }

  bool OnText(std::string_view s) const {
    auto eq = [&](const Literal& v) {
      const std::string* t = AsText(v);
      return t && *t == s;
    };
    // A pointer into the condition itself: a ternary with a temporary would copy the value.
    const std::string* t = c_.values.empty() ? nullptr : AsText(c_.values[0]);
    switch (c_.op) {
      case AttributeOp::kEq:
        return eq(c_.values[0]);
      case AttributeOp::kNeq:
        return !eq(c_.values[0]);
      case AttributeOp::kIn:
        return std::any_of(c_.values.begin(), c_.values.end(), eq);
      case AttributeOp::kExists:
        return true;
      case AttributeOp::kNotExists:
        return false;
      case AttributeOp::kContains:
        return t && s.find(*t) != std::string_view::npos;
      case AttributeOp::kStartsWith:
        return t && s.starts_with(*t);
      case AttributeOp::kGt:
        return t && s > *t;
      case AttributeOp::kGte:
        return t && s >= *t;
      case AttributeOp::kLt:
        return t && s < *t;
      case AttributeOp::kLte:
        return t && s <= *t;
      case AttributeOp::kBetween: {
        const std::string* hi = AsText(c_.values[1]);
        return t && hi && s >= *t && s <= *hi;
      }
      case AttributeOp::kWithinNextDays:
      case AttributeOp::kWithinLastDays:
      case AttributeOp::kMoreThanDaysAgo: {
        if (c_.attribute.type == ValueType::kInstant) return false;
        if (!birthdays_.empty() ||
            (c_.attribute.type == ValueType::kDay && c_.op == AttributeOp::kWithinNextDays))
          return s.size() >= 6 && birthdays_.contains(std::string(s.substr(5, 5)));
        std::string_view day = s.substr(0, 10);
        if (c_.op == AttributeOp::kMoreThanDaysAgo) return day < hi_day_;
        return day >= lo_day_ && day <= hi_day_;
      }
    }
    return false;
  }

 private:
  static bool EqNumber(double x, const Literal& v) {
    return !AsText(v) && !std::holds_alternative<bool>(v) && x == AsNumber(v);
  }

  const AttributeCondition& c_;
  int64_t lo_ = 0, hi_ = 0;
  std::string lo_day_, hi_day_;
  std::set<std::string, std::less<>> birthdays_;
};

}  // namespace

std::string DayText(int64_t now, int64_t days_from_now) {
  int64_t day = now / kMicrosPerDay - (now < 0 && now % kMicrosPerDay ? 1 : 0) + days_from_now;
  return FormatTimestamp(day * kMicrosPerDay).substr(0, 10);
}

std::vector<std::string> BirthdaysWithin(int64_t now, int64_t days) {
  std::set<std::string> month_days;
  for (int64_t k = 0; k <= std::min<int64_t>(days, 366); ++k) {
    std::string date = DayText(now, k);
    month_days.insert(date.substr(5));
    if (date.substr(5) == "02-28" && !IsLeap(std::stoi(date.substr(0, 4))))
      month_days.insert("02-29");
  }
  return {month_days.begin(), month_days.end()};
}

size_t Column::Bytes() const {
  size_t bytes = kind_.capacity() + value_.capacity() * sizeof(double) +
                 texts_.capacity() * sizeof(std::string) + codes_.bucket_count() * sizeof(void*);
  // Each distinct text is held twice (texts_ and the key of codes_): past 15 characters each
  // copy is a heap block (glibc: the text and its NUL plus an 8-byte header, in 16-byte
  // steps), and each key sits in a hash node of about 64 bytes.
  for (const auto& t : texts_)
    bytes += 2 * (t.size() > 15 ? (t.size() + 1 + 8 + 15) / 16 * 16 : 0) + 64;
  return bytes;
}

void Column::Resize(size_t rows) {
  kind_.resize(rows, kNull);
  value_.resize(rows, 0);
}

void Column::SetNumber(size_t row, double v) {
  kind_[row] = kNumber;
  value_[row] = v;
}

void Column::SetBool(size_t row, bool v) {
  kind_[row] = kBool;
  value_[row] = v ? 1 : 0;
}

void Column::SetText(size_t row, std::string_view v) {
  kind_[row] = kText;
  value_[row] = Intern(v);
}

std::string_view Column::Text(size_t row) const {
  return texts_[static_cast<uint32_t>(value_[row])];
}

uint32_t Column::Intern(std::string_view v) {
  auto it = codes_.find(std::string(v));
  if (it != codes_.end()) return it->second;
  const auto code = static_cast<uint32_t>(texts_.size());
  texts_.emplace_back(v);
  codes_.emplace(std::string(v), code);
  return code;
}

void Column::Match(const AttributeCondition& c, int64_t now, Bits& out) const {
  Predicate p(c, now);
  std::vector<uint8_t> text_match(texts_.size());
  for (size_t i = 0; i < texts_.size(); ++i) text_match[i] = p.OnText(texts_[i]);
  const bool on_missing = p.OnMissing();
  for (size_t row = 0; row < kind_.size(); ++row) {
    bool m = kind_[row] == kNull     ? on_missing
             : kind_[row] == kNumber ? p.OnNumber(value_[row])
             : kind_[row] == kBool   ? p.OnBool(value_[row] != 0)
                                     : text_match[static_cast<uint32_t>(value_[row])] != 0;
    if (m) SetBit(out, row);
  }
}

}  // namespace cdp::segments
