// Runs the declarative API cases in tests/api/*.cases: one test per file, each against a
// fresh server and brand. A case is
//
//   ### what the case shows
//   POST /api/v1/user/create          request line
//   auth: wrong                       optional: auth none|wrong, or any other header
//   {"userId":"a"}                    body (optional, may span lines)
//   --> 400                           expected HTTP status
//   {"response":{"status":"error"}}   optional expected JSON: a subset of the answer
//
// In expected JSON, objects match when every expected key matches, arrays element by
// element, and a string starting with "~" matches any string containing the rest.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

struct ApiCase {
  std::string name;
  int line = 0;
  std::string method, path, body, auth;
  std::map<std::string, std::string> headers;
  int status = 0;
  std::string expected;
};

std::vector<ApiCase> ParseCases(const std::string& path) {
  std::ifstream in(path);
  std::vector<ApiCase> cases;
  std::string line;
  int number = 0;
  enum { kNone, kRequest, kHeaders, kBody, kExpected } state = kNone;
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("### ", 0) == 0) {
      ApiCase c;
      c.name = line.substr(4);
      c.line = number;
      cases.push_back(std::move(c));
      state = kRequest;
      continue;
    }
    if (state == kNone || (line.empty() && state != kBody) || line.rfind("#", 0) == 0) continue;
    ApiCase& c = cases.back();
    if (line.rfind("--> ", 0) == 0) {
      c.status = std::stoi(line.substr(4));
      state = kExpected;
    } else if (state == kRequest) {
      std::istringstream words(line);
      words >> c.method >> c.path;
      state = kHeaders;
    } else if (state == kHeaders && line.find(": ") != std::string::npos && line[0] != '{' &&
               line[0] != '[') {
      std::string key = line.substr(0, line.find(": ")), value = line.substr(line.find(": ") + 2);
      if (key == "auth") {
        c.auth = value;
      } else {
        c.headers[key] = value;
      }
    } else if (state == kHeaders || state == kBody) {
      c.body += line;
      state = kBody;
    } else if (state == kExpected) {
      c.expected += line;
    }
  }
  return cases;
}

// Empty when `actual` matches `expected`; else where it does not.
std::string Mismatch(const json::value& expected, const json::value& actual,
                     const std::string& at) {
  if (expected.is_string() && expected.as_string().starts_with("~")) {
    std::string want(expected.as_string().subview().substr(1));
    if (actual.is_string() && std::string(actual.as_string()).find(want) != std::string::npos)
      return "";
    return at + ": expected a string containing \"" + want + "\", got " + json::serialize(actual);
  }
  if (expected.is_object()) {
    if (!actual.is_object()) return at + ": expected an object, got " + json::serialize(actual);
    for (const auto& [k, v] : expected.as_object()) {
      const json::value* a = actual.as_object().if_contains(k);
      if (!a) return at + "." + std::string(k) + ": missing";
      if (auto m = Mismatch(v, *a, at + "." + std::string(k)); !m.empty()) return m;
    }
    return "";
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.as_array().size() != expected.as_array().size())
      return at + ": expected " + json::serialize(expected) + ", got " + json::serialize(actual);
    for (size_t i = 0; i < expected.as_array().size(); ++i)
      if (auto m = Mismatch(expected.as_array()[i], actual.as_array()[i],
                            at + "[" + std::to_string(i) + "]");
          !m.empty())
        return m;
    return "";
  }
  if (expected.is_number() && actual.is_number() &&
      expected.to_number<double>() == actual.to_number<double>())
    return "";
  if (expected == actual) return "";
  return at + ": expected " + json::serialize(expected) + ", got " + json::serialize(actual);
}

void RunFile(const std::string& path) {
  auto cases = ParseCases(path);
  ASSERT_FALSE(cases.empty()) << path << " holds no case";
  TestServer s;
  for (const auto& c : cases) {
    SCOPED_TRACE(path + ":" + std::to_string(c.line) + " " + c.name);
    std::map<std::string, std::string> headers = {{"content-type", "application/json"}};
    if (c.auth.empty()) {
      headers["x-brand-id"] = s.brand.id;
      headers["x-api-key"] = s.brand.key;
    } else if (c.auth == "wrong") {
      headers["x-brand-id"] = s.brand.id;
      headers["x-api-key"] = "cdp_" + std::string(48, '0');
    }
    for (const auto& [k, v] : c.headers) headers[k] = v;
    HttpResponse r =
        c.method == "GET" ? s.client.Get(c.path) : s.client.Post(c.path, c.body, headers);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (!c.expected.empty()) {
      json::value expected = json::parse(c.expected);
      std::string m = Mismatch(expected, r.json, "$");
      EXPECT_TRUE(m.empty()) << m << "\nanswer: " << r.body;
    }
  }
}

class ApiCaseFile : public ::testing::Test {
 public:
  explicit ApiCaseFile(std::string path) : path_(std::move(path)) {}
  void TestBody() override { RunFile(path_); }

 private:
  std::string path_;
};

// One test per *.cases file, named after the file.
[[maybe_unused]] const bool kRegistered = [] {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(CDP_API_CASES_DIR))
    if (entry.path().extension() == ".cases") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    ::testing::RegisterTest("ApiCases", std::filesystem::path(file).stem().string().c_str(),
                            nullptr, nullptr, __FILE__, __LINE__,
                            [file]() -> ::testing::Test* { return new ApiCaseFile(file); });
  }
  return true;
}();

}  // namespace
}  // namespace cdp::testing
