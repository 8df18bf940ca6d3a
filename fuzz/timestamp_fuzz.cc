// Fuzz target: the timestamp parser (core/time ParseTimestamp), which reads every date and
// time a client sends (event_time, query windows, birth dates, segment dates), and the
// formatter the API answers with (FormatTimestamp).
//
// Properties of an accepted timestamp: its calendar date is real; a bare date is midnight
// UTC of that date; the instant, formatted, is accepted again and names the same instant
// to the millisecond (the precision the API prints), and formatting that gives the same text.
#include <string>

#include "check.h"
#include "core/time.h"

namespace {

using cdp::fuzz::Check;

constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

// `micros` rounded down to a whole millisecond.
int64_t FloorToMillis(int64_t micros) {
  const int64_t r = micros % 1000;
  return micros - (r < 0 ? r + 1000 : r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = cdp::fuzz::AsText(data, size);
  auto t = cdp::ParseTimestamp(text);
  if (!t) return 0;
  Check(cdp::IsValidDate(t->year, t->month, t->day), "an impossible date was accepted");
  if (t->date_only)
    Check(t->micros == cdp::DaysFromCivil(t->year, t->month, t->day) * kMicrosPerDay,
          "a bare date is not midnight UTC of that date");

  const std::string formatted = cdp::FormatTimestamp(t->micros);
  auto again = cdp::ParseTimestamp(formatted);
  Check(again.has_value(), "the formatted instant of an accepted timestamp is refused",
        std::string(text) + " -> " + formatted);
  Check(again->micros == FloorToMillis(t->micros), "the formatted instant names another instant",
        std::string(text) + " -> " + formatted);
  Check(cdp::FormatTimestamp(again->micros) == formatted,
        "formatting a parsed formatted instant changes it", formatted);
  return 0;
}
