// JSON subset matching for end-to-end tests: does an answer hold what a test expects?
//
// `expected` matches `actual` when:
//   - an object: every expected key is present in `actual` and its value matches
//     (keys `actual` has beyond those are ignored);
//   - an array: `actual` is an array of the same length whose elements match one by one;
//   - a string starting with "~": `actual` is a string containing the rest
//     ("~column" matches "malformed JSON at line 1, column 24: ...");
//   - a number: `actual` is a number of equal value (1 matches 1.0);
//   - anything else: equal.
// Pure functions; thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/value.hpp>
#include <string>

namespace cdp::testing {

// Empty when `actual` matches `expected`; else the JSON path of the first difference and
// what was found there, e.g. `$.response.message: expected "x", got "y"`.
std::string JsonMismatch(const boost::json::value& expected, const boost::json::value& actual);

// For EXPECT_TRUE(JsonContains(R"({"response":{"status":"error"}})", answer.json)):
// `expected` is JSON text; the failure message names the difference and shows `actual`.
::testing::AssertionResult JsonContains(const std::string& expected,
                                        const boost::json::value& actual);

}  // namespace cdp::testing
