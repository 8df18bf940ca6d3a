// The rows segments_gen generates, in the form every backend's writer takes them: plain data,
// one profile or event at a time. Text values hold no tab, newline or backslash.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace segments_bench {

struct ProfileRow {
  std::string user_id;
  std::string name;
  const char* gender = nullptr;  // nullptr: NULL
  std::optional<std::string> email;
  std::optional<std::string> mobile;
  std::array<std::optional<int>, 3> opt_ins;  // email, sms, whatsapp
  std::string birth_date;                     // yyyy-mm-dd
  std::string attributes;                     // a JSON object
  int64_t created_at = 0;                     // micros; also the updated_at
};

struct EventRow {
  int64_t profile_id = 0;
  std::string_view name;
  int64_t ts = 0;          // micros; also the received_at
  std::string attributes;  // a JSON object
};

}  // namespace segments_bench
