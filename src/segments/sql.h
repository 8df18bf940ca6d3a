// Compiles a segment rule into one SQL boolean expression over a brand's profiles, for the
// store backends (SQLite and PostgreSQL dialects). Values are always bound parameters,
// never spliced into the text. Pure functions; thread-safe.
//
// Every condition compiles to a two-valued expression (NULLs folded to false), so NOT is
// the complement within the brand's profiles. Event conditions are uncorrelated
// subqueries over the events index (brand_id, name, ts, ...): each runs once per query and
// the profiles are probed against its result, not the other way round.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "segments/rule.h"

namespace cdp::segments {

enum class Dialect { kSqlite, kPostgres };

// A bound value: text, a number, or an integer (booleans bind as integers in SQLite).
using SqlParam = Literal;

struct SqlWhere {
  std::string text;              // refers to the profiles table as `p`
  std::vector<SqlParam> params;  // placeholders first_param, first_param + 1, ...
};

// The condition that `p` (a row of profiles) is a member of `rule` at `now` (micros).
// Placeholder `brand_param` is the brand id (bound by the caller); the compiled
// placeholders start at `first_param`.
SqlWhere CompileWhere(const Node& rule, Dialect dialect, int64_t now, int brand_param,
                      int first_param);

}  // namespace cdp::segments
