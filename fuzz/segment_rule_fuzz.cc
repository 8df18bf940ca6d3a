// Fuzz target: segment rules (segments::ParseRule), as /segment/create and the previews of
// /segment/count and /segment/users validate the "rules" of a body against the brand's
// attribute types, and, when a rule is accepted, its SQL form (segments::CompileWhere) for
// both backends. The input is the rule tree's JSON.
//
// Properties: an accepted rule compiles to SQL whose parentheses balance, that never
// holds an empty IN list, and whose placeholders are exactly the brand's and one per bound
// value (PostgreSQL cannot type a parameter the text does not use).
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "check.h"
#include "core/json.h"
#include "segments/rule.h"
#include "segments/sql.h"

namespace {

using cdp::fuzz::Check;
namespace segments = cdp::segments;

constexpr int64_t kNow = 1717243200LL * 1000000;  // 2024-06-01T12:00:00Z
constexpr int kBrandParam = 1;
constexpr int kFirstParam = 2;

// A brand that has stored a few custom attributes of each type.
segments::AttributeTypes BrandTypes() {
  segments::AttributeTypes t;
  t.profile = {{"plan", "string"},
               {"age", "number"},
               {"vip", "boolean"},
               {"tags", "array"},
               {"address", "object"}};
  t.event = {{"amount", "number"}, {"sku", "string"}, {"gift", "boolean"}};
  return t;
}

void CheckSql(const segments::SqlWhere& sql, segments::Dialect dialect) {
  const std::string& text = sql.text;
  Check(text.find("IN ()") == std::string::npos, "an empty IN list", text);
  // Parentheses outside the text's own quoted SQL literals ('integer', ...).
  int depth = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    Check(depth >= 0, "a ')' closes nothing", text);
  }
  Check(depth == 0 && !quoted, "unbalanced parentheses or quotes", text);
  // Placeholders: ?N (SQLite) or $N (PostgreSQL).
  const char mark = dialect == segments::Dialect::kPostgres ? '$' : '?';
  std::vector<bool> used(sql.params.size(), false);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != mark) continue;
    size_t n = 0, j = i + 1;
    for (; j < text.size() && text[j] >= '0' && text[j] <= '9' && n < 1000000; ++j)
      n = n * 10 + static_cast<size_t>(text[j] - '0');
    Check(j > i + 1, "a placeholder without a number", text);
    if (n == static_cast<size_t>(kBrandParam)) continue;
    Check(n >= static_cast<size_t>(kFirstParam) && n - kFirstParam < used.size(),
          "a placeholder without a bound value", text);
    used[n - kFirstParam] = true;
  }
  for (bool u : used) Check(u, "a bound value that the SQL never uses", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const segments::AttributeTypes types = BrandTypes();
  auto rules = cdp::ParseJson(cdp::fuzz::AsText(data, size));
  if (!rules.ok()) return 0;
  auto node = segments::ParseRule(*rules, types);
  if (!node.ok()) {
    Check(node.status().code() == cdp::Code::kInvalidArgument &&
              node.status().message().starts_with("rules"),
          "a refused rule's message does not say where", node.status().message());
    return 0;
  }
  for (auto dialect : {segments::Dialect::kSqlite, segments::Dialect::kPostgres})
    CheckSql(segments::CompileWhere(*node, dialect, kNow, kBrandParam, kFirstParam), dialect);
  return 0;
}
