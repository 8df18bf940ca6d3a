// Runs the declarative API cases in tests/api/*.cases: one test per file (ApiCases.<file>),
// each file against a fresh server and brand, its cases in order. A case is
//
//   ### what the case shows            starts a case (its name in failure messages)
//   POST /api/v1/user/create           request line: method and path
//   auth: wrong                        optional headers; auth: none | wrong | other-brand |
//   content-type: text/plain           other-key picks credentials (default: the file's brand)
//   {"userId":"a"}                     body, optional, may span lines
//   --> 400                            expected HTTP status
//   allow: POST                        optional expected response headers
//   {"response":{"status":"error"}}    optional expected JSON, may span lines
//
// auth: none sends no credentials, wrong the brand's id with a made-up key, other-brand a
// second brand's id and key, other-key the file's brand id with the second brand's key.
// Requests carry content-type: application/json unless a header line overrides it.
//
// Expected JSON is a subset of the answer (support/json_match.h): objects match when every
// expected key matches, arrays element by element, and a string starting with "~" matches
// any string containing the rest. In bodies and expected JSON, {{N*TEXT}} stands for TEXT
// repeated N times, for the length limits. Lines starting with "#" and blank lines are
// ignored. See tests/api/README.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/json_match.h"
#include "support/server_process.h"

namespace cdp::testing {
namespace {

namespace json = boost::json;

struct ApiCase {
  std::string name;
  int line = 0;
  std::string method, path, auth, body;
  std::map<std::string, std::string> headers;
  int status = 0;
  std::map<std::string, std::string> expected_headers;
  std::string expected_json;
};

// Replaces each {{N*TEXT}} with TEXT repeated N times.
std::string Expand(const std::string& text) {
  static const std::regex kRepeat(R"(\{\{([0-9]+)\*(.*?)\}\})");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kRepeat);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out += text.substr(last, static_cast<size_t>(m.position(0)) - last);
    for (int i = std::stoi(m[1]); i > 0; --i) out += m[2].str();
    last = static_cast<size_t>(m.position(0) + m.length(0));
  }
  return out + text.substr(last);
}

bool IsHeaderLine(const std::string& line) {
  auto colon = line.find(": ");
  return colon != std::string::npos && colon > 0 &&
         line.find_first_of("{[\"") > colon;  // JSON starts with one of these
}

// The cases of one file, or the first problem with its syntax ("file:line: ...").
struct ParsedFile {
  std::vector<ApiCase> cases;
  std::string error;
};

ParsedFile ParseCases(const std::string& path) {
  ParsedFile file;
  std::ifstream in(path);
  if (!in) return {{}, path + ": cannot be read"};
  enum { kNone, kRequestLine, kRequest, kExpected } state = kNone;
  std::string line;
  int number = 0;
  auto fail = [&](const std::string& what) {
    file.error = path + ":" + std::to_string(number) + ": " + what;
    return file;
  };
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.starts_with("### ")) {
      if (state == kRequestLine || state == kRequest) return fail("the previous case has no -->");
      file.cases.emplace_back();
      file.cases.back().name = line.substr(4);
      file.cases.back().line = number;
      state = kRequestLine;
      continue;
    }
    if (line.empty() || line.starts_with("#")) continue;
    if (state == kNone) return fail("expected \"### name of the case\"");
    ApiCase& c = file.cases.back();
    if (state == kRequestLine) {
      std::istringstream words(line);
      std::string rest;
      if (!(words >> c.method >> c.path) || (words >> rest) || c.path[0] != '/')
        return fail("expected a request line like \"POST /api/v1/user/create\"");
      state = kRequest;
    } else if (state == kRequest && line.starts_with("--> ")) {
      try {
        c.status = std::stoi(line.substr(4));
      } catch (const std::exception&) {
        return fail("expected a status like \"--> 200\"");
      }
      state = kExpected;
    } else if (state == kRequest && c.body.empty() && IsHeaderLine(line)) {
      std::string name = line.substr(0, line.find(": ")), value = line.substr(line.find(": ") + 2);
      if (name == "auth") {
        if (value != "none" && value != "wrong" && value != "other-brand" && value != "other-key")
          return fail("auth must be none, wrong, other-brand or other-key");
        c.auth = value;
      } else {
        c.headers[name] = value;
      }
    } else if (state == kRequest) {
      c.body += (c.body.empty() ? "" : "\n") + Expand(line);
    } else if (c.expected_json.empty() && IsHeaderLine(line)) {
      c.expected_headers[line.substr(0, line.find(": "))] = line.substr(line.find(": ") + 2);
    } else {
      c.expected_json += Expand(line) + "\n";
    }
  }
  if (state == kRequestLine || state == kRequest) return fail("the last case has no -->");
  for (const auto& c : file.cases) {
    boost::system::error_code ec;
    if (!c.expected_json.empty() && (json::parse(c.expected_json, ec), ec)) {
      number = c.line;
      return fail("the expected JSON of \"" + c.name + "\" does not parse: " + ec.message());
    }
  }
  if (file.cases.empty()) return fail("holds no case");
  return file;
}

class ApiCaseFile : public ::testing::Test {
 public:
  explicit ApiCaseFile(std::string path) : path_(std::move(path)) {}

  void TestBody() override {
    ParsedFile file = ParseCases(path_);
    ASSERT_TRUE(file.error.empty()) << file.error;
    TestServer s;
    std::optional<Brand> other;  // created on first use
    for (const ApiCase& c : file.cases) {
      SCOPED_TRACE(path_ + ":" + std::to_string(c.line) + ": " + c.name);
      if ((c.auth == "other-brand" || c.auth == "other-key") && !other)
        other = CreateBrand(s.storage, "other");
      std::map<std::string, std::string> headers = {{"content-type", "application/json"}};
      if (c.auth.empty()) {
        headers["x-brand-id"] = s.brand.id;
        headers["x-api-key"] = s.brand.key;
      } else if (c.auth == "wrong") {
        headers["x-brand-id"] = s.brand.id;
        headers["x-api-key"] = "cdp_" + std::string(48, '0');
      } else if (c.auth == "other-brand") {
        headers["x-brand-id"] = other->id;
        headers["x-api-key"] = other->key;
      } else if (c.auth == "other-key") {
        headers["x-brand-id"] = s.brand.id;
        headers["x-api-key"] = other->key;
      }
      for (const auto& [name, value] : c.headers) headers[name] = value;
      HttpResponse r = s.client.Send(c.method, c.path, c.body, headers);
      EXPECT_EQ(r.status, c.status) << r.body;
      for (const auto& [name, value] : c.expected_headers) {
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        EXPECT_EQ(r.headers[lower], value) << "header " << name;
      }
      if (!c.expected_json.empty()) {
        EXPECT_TRUE(JsonContains(c.expected_json, r.json));
      }
    }
  }

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
