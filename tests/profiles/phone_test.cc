// profiles/phone: mobile numbers validated and normalised to E.164.
#include "profiles/phone.h"

#include <gtest/gtest.h>

namespace cdp::profiles {
namespace {

TEST(Phone, KeepsAnE164NumberAsItIs) {
  EXPECT_EQ(NormalizeMobile("+551155256325"), std::optional<std::string>("+551155256325"));
}

TEST(Phone, DropsSpacesFromAnInternationalNumber) {
  EXPECT_EQ(NormalizeMobile("+91 98999 99999"), std::optional<std::string>("+919899999999"));
}

TEST(Phone, DropsDashesAndParentheses) {
  EXPECT_EQ(NormalizeMobile("+1 (650) 253-0000"), std::optional<std::string>("+16502530000"));
}

TEST(Phone, RejectsANumberWithoutCountryCode) { EXPECT_FALSE(NormalizeMobile("7850009678")); }

TEST(Phone, RejectsAShortNumber) { EXPECT_FALSE(NormalizeMobile("12345")); }

TEST(Phone, RejectsATooShortInternationalNumber) { EXPECT_FALSE(NormalizeMobile("+1 555")); }

TEST(Phone, RejectsAnEmptyString) { EXPECT_FALSE(NormalizeMobile("")); }

TEST(Phone, RejectsLetters) { EXPECT_FALSE(NormalizeMobile("+phone")); }

}  // namespace
}  // namespace cdp::profiles
