#include "http/gzip.h"

#include <gtest/gtest.h>

#include <string>

#include "support/gzip.h"

namespace cdp::http {
namespace {

using testing::Gzip;

TEST(Gunzip, InflatesWhatGzipMade) {
  const std::string text = R"({"batch":[{"type":"track","event":"e","userId":"u1"}]})";
  auto out = Gunzip(Gzip(text), 1000);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, text);
}

TEST(Gunzip, ConcatenatedMembersInflateToTheirConcatenation) {
  auto out = Gunzip(Gzip("abc") + Gzip("def"), 1000);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "abcdef");
}

TEST(Gunzip, ABombStopsAtTheLimitWithPayloadTooLarge) {
  const std::string bomb = Gzip(std::string(50 * 1024 * 1024, 'a'));  // 50 MiB of 'a'
  ASSERT_LT(bomb.size(), 100u * 1024);
  auto out = Gunzip(bomb, 500 * 1024);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kPayloadTooLarge);
}

TEST(Gunzip, NotGzipOrCutShortIsInvalid) {
  auto plain = Gunzip("{\"json\":true}", 1000);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), Code::kInvalidArgument);
  const std::string whole = Gzip(std::string(5000, 'x') + "tail");
  auto cut = Gunzip(whole.substr(0, whole.size() / 2), 100000);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(Gunzip("", 1000).ok());
}

}  // namespace
}  // namespace cdp::http
