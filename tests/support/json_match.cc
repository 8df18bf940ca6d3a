#include "support/json_match.h"

#include <boost/json.hpp>

namespace cdp::testing {
namespace {

namespace json = boost::json;

std::string Mismatch(const json::value& expected, const json::value& actual,
                     const std::string& at) {
  auto differs = [&] {
    return at + ": expected " + json::serialize(expected) + ", got " + json::serialize(actual);
  };
  if (expected.is_string() && expected.get_string().starts_with("~")) {
    std::string_view want = expected.get_string().subview().substr(1);
    if (actual.is_string() && actual.get_string().subview().find(want) != std::string_view::npos)
      return "";
    return at + ": expected a string containing \"" + std::string(want) + "\", got " +
           json::serialize(actual);
  }
  if (expected.is_object()) {
    if (!actual.is_object()) return differs();
    for (const auto& [key, value] : expected.get_object()) {
      std::string path = at + "." + std::string(key);
      const json::value* found = actual.get_object().if_contains(key);
      if (!found) return path + ": missing in " + json::serialize(actual);
      if (auto m = Mismatch(value, *found, path); !m.empty()) return m;
    }
    return "";
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.get_array().size() != expected.get_array().size())
      return differs();
    for (size_t i = 0; i < expected.get_array().size(); ++i) {
      std::string path = at + "[" + std::to_string(i) + "]";
      if (auto m = Mismatch(expected.get_array()[i], actual.get_array()[i], path); !m.empty())
        return m;
    }
    return "";
  }
  if (expected.is_number() && actual.is_number())
    return expected.to_number<double>() == actual.to_number<double>() ? "" : differs();
  return expected == actual ? "" : differs();
}

}  // namespace

std::string JsonMismatch(const json::value& expected, const json::value& actual) {
  return Mismatch(expected, actual, "$");
}

::testing::AssertionResult JsonContains(const std::string& expected, const json::value& actual) {
  boost::system::error_code ec;
  json::value want = json::parse(expected, ec);
  if (ec)
    return ::testing::AssertionFailure()
           << "the expected JSON does not parse (" << ec.message() << "): " << expected;
  std::string mismatch = JsonMismatch(want, actual);
  if (mismatch.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << mismatch << "\n  answer: " << json::serialize(actual);
}

}  // namespace cdp::testing
