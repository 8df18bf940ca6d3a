#include "core/time.h"

#include <fmt/format.h>

namespace cdp {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool Done() const { return i_ == s_.size(); }
  char Peek() const { return Done() ? '\0' : s_[i_]; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  // Exactly n decimal digits.
  bool Digits(int n, int* out) {
    int v = 0;
    for (int k = 0; k < n; ++k) {
      char c = Peek();
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
      ++i_;
    }
    *out = v;
    return true;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

bool IsValidDate(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max;
}

// Howard Hinnant's days_from_civil.
int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<ParsedTime> ParseTimestamp(std::string_view text) {
  Scanner in(text);
  ParsedTime t;
  if (!in.Digits(4, &t.year) || !in.Eat('-') || !in.Digits(2, &t.month) || !in.Eat('-') ||
      !in.Digits(2, &t.day))
    return std::nullopt;
  if (!IsValidDate(t.year, t.month, t.day)) return std::nullopt;
  int64_t micros = DaysFromCivil(t.year, t.month, t.day) * 86400LL * 1000000LL;
  if (in.Done()) {
    t.micros = micros;
    t.date_only = true;
    return t;
  }
  if (!in.Eat('T') && !in.Eat(' ')) return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (!in.Digits(2, &hh) || !in.Eat(':') || !in.Digits(2, &mm)) return std::nullopt;
  if (in.Eat(':')) {
    if (!in.Digits(2, &ss)) return std::nullopt;
    if (in.Eat('.')) {
      int64_t frac = 0, scale = 1000000;
      int digits = 0;
      while (in.Peek() >= '0' && in.Peek() <= '9') {
        if (digits < 6) {
          scale /= 10;
          frac += (in.Peek() - '0') * scale;
        }
        ++digits;
        in.Eat(in.Peek());
      }
      if (digits == 0) return std::nullopt;
      micros += frac;
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  micros += ((hh * 60LL + mm) * 60LL + ss) * 1000000LL;
  if (in.Eat('Z') || in.Eat('z')) {
    // UTC
  } else if (in.Peek() == '+' || in.Peek() == '-') {
    int sign = in.Peek() == '+' ? 1 : -1;
    in.Eat(in.Peek());
    int oh = 0, om = 0;
    if (!in.Digits(2, &oh)) return std::nullopt;
    if (!in.Done()) {
      in.Eat(':');
      if (!in.Digits(2, &om)) return std::nullopt;
    }
    if (oh > 18 || om > 59) return std::nullopt;
    micros -= sign * (oh * 60LL + om) * 60LL * 1000000LL;
  }
  if (!in.Done()) return std::nullopt;
  // An offset can carry 0001-01-01 back into year 0, or 9999-12-31 on into year 10000:
  // instants that FormatTimestamp cannot print in a form this parser reads back.
  static const int64_t kFirst = DaysFromCivil(1, 1, 1) * 86400LL * 1000000LL;
  static const int64_t kEnd = DaysFromCivil(10000, 1, 1) * 86400LL * 1000000LL;
  if (micros < kFirst || micros >= kEnd) return std::nullopt;
  t.micros = micros;
  return t;
}

std::string FormatTimestamp(int64_t micros) {
  int64_t secs = micros >= 0 ? micros / 1000000 : (micros - 999999) / 1000000;
  int64_t sub = micros - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  // civil_from_days (Hinnant).
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", y, m, d, rem / 3600,
                                (rem / 60) % 60, rem % 60);
  if (sub / 1000 != 0) out += fmt::format(".{:03}", sub / 1000);
  out += 'Z';
  return out;
}

}  // namespace cdp
