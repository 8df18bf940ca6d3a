// Column: one attribute of every profile of a brand, held in memory for the segment index
// (store/segment_index.h), and matched against attribute conditions with exactly the
// semantics of the SQL that segments/sql.h compiles (docs/segments.md): a missing value
// matches only neq and not_exists; strings compare byte-wise; calendar-date ops compare by
// day. Texts are interned, so a condition runs once per distinct text. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "segments/rule.h"

namespace cdp::segments {

// A set of profile rows (by ordinal), one bit each.
using Bits = std::vector<uint64_t>;

inline void SetBit(Bits& b, size_t i) { b[i >> 6] |= uint64_t{1} << (i & 63); }
inline bool TestBit(const Bits& b, size_t i) { return (b[i >> 6] >> (i & 63)) & 1; }
inline Bits NewBits(size_t rows) { return Bits((rows + 63) / 64, 0); }

class Column {
 public:
  size_t size() const { return kind_.size(); }
  // The estimated bytes held (arrays and distinct texts).
  size_t Bytes() const;
  void Resize(size_t rows);
  void SetNull(size_t row) { kind_[row] = kNull; }
  void SetNumber(size_t row, double v);
  void SetText(size_t row, std::string_view v);
  void SetBool(size_t row, bool v);

  bool IsNull(size_t row) const { return kind_[row] == kNull; }
  bool IsNumber(size_t row) const { return kind_[row] == kNumber; }
  bool IsBool(size_t row) const { return kind_[row] == kBool; }
  double Number(size_t row) const { return value_[row]; }
  std::string_view Text(size_t row) const;

  // Sets the bit of every row that satisfies `c` at `now` (micros).
  void Match(const AttributeCondition& c, int64_t now, Bits& out) const;

 private:
  enum Kind : uint8_t { kNull, kNumber, kText, kBool };
  uint32_t Intern(std::string_view v);

  std::vector<uint8_t> kind_;
  std::vector<double> value_;  // the number, the text's code, or 1/0
  std::vector<std::string> texts_;
  std::unordered_map<std::string, uint32_t> codes_;
};

// The bounds and day lists of relative-date operators, shared with the SQL compiler so that
// both evaluate the same instants and days.
std::string DayText(int64_t now, int64_t days_from_now);
// The 'mm-dd' birthdays within the next `days` days (today included); in a non-leap year a
// 29 February birthday falls on 28 February.
std::vector<std::string> BirthdaysWithin(int64_t now, int64_t days);
inline constexpr int64_t kMicrosPerDay = 24LL * 3600 * 1000000;

}  // namespace cdp::segments
