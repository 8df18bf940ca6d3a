// Timestamps: parsing the forms the API accepts and formatting what it returns.
// All stored times are microseconds since the Unix epoch, UTC. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdp {

struct ParsedTime {
  int64_t micros = 0;                // UTC instant
  bool date_only = false;            // input was a bare yyyy-MM-dd (midnight UTC)
  int year = 0, month = 0, day = 0;  // calendar date as written (before offset)
};

// Accepts: yyyy-MM-dd; yyyy-MM-ddTHH:mm[:ss[.frac]] and the same with a space instead of
// 'T'; each optionally followed by Z, +HH, +HHMM or +HH:MM. No offset means UTC.
// Returns nullopt for anything else, including impossible dates (2023-02-30) and instants
// outside 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z (0001-01-01T00:00+01:00).
std::optional<ParsedTime> ParseTimestamp(std::string_view text);

// 2026-11-23T00:10:34Z, with .mmm when the instant has sub-second milliseconds.
std::string FormatTimestamp(int64_t micros);

// True for a real Gregorian calendar date.
bool IsValidDate(int year, int month, int day);

// Days since 1970-01-01 for a proleptic Gregorian date.
int64_t DaysFromCivil(int year, int month, int day);

}  // namespace cdp
