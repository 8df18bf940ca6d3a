#include "check.h"

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/json.h"

namespace cdp::fuzz {

void Check(bool holds, std::string_view what, std::string_view detail) {
  if (holds) return;
  std::fprintf(stderr, "property violated: %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty())
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void CheckJsonRoundTrip(const boost::json::value& value) {
  const std::string text = boost::json::serialize(value);
  auto again = ParseJson(text);
  Check(again.ok(), "ParseJson refuses the serialization of a value it accepted",
        again.ok() ? text : again.status().message() + " in " + text);
  Check(*again == value, "a JSON value changes when serialized and parsed again", text);
}

}  // namespace cdp::fuzz
