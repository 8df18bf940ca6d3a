#include "core/base64.h"

#include <gtest/gtest.h>

namespace cdp {
namespace {

TEST(Base64, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
}

TEST(Base64, UrlFormIsUnpaddedAndRoundTripsEveryByte) {
  EXPECT_EQ(Base64Url("\xfb\xff"), "-_8");
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  for (size_t n = 0; n <= all.size(); n += 37) {
    const std::string s = all.substr(0, n);
    EXPECT_EQ(FromBase64Url(Base64Url(s)), s) << n;
  }
}

TEST(Base64, RefusesWhatIsNotTheUrlForm) {
  for (const char* bad : {"Zg==", "Z", "+/8", "Zm 9v", " Zm9v", "Zm9v\n", "Zm9v!"})
    EXPECT_FALSE(FromBase64Url(bad).has_value()) << bad;
}

}  // namespace
}  // namespace cdp
