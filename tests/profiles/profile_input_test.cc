// profiles/profile_input: one user object of the User API, validated into a ProfilePatch,
// with a message naming the field for every rejection.
#include "profiles/profile_input.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

namespace cdp::profiles {
namespace {

namespace json = boost::json;

Result<ProfilePatch> Parse(std::string_view text) {
  return ParseProfileInput(json::parse(text).as_object());
}

// The patch for `text`, which must be accepted.
ProfilePatch Accepted(std::string_view text) {
  auto r = Parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? *r : ProfilePatch{};
}

// The message for `user`, which must be refused as InvalidArgument.
std::string ErrorFor(const json::object& user) {
  auto r = ParseProfileInput(user);
  EXPECT_FALSE(r.ok()) << json::serialize(user);
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  return r.status().message();
}
std::string ErrorFor(std::string_view text) { return ErrorFor(json::parse(text).as_object()); }

json::object WithAttribute(std::string name, json::value value) {
  return json::object{{"userId", "u"}, {"attributes", json::object{{name, std::move(value)}}}};
}

// --- Identifiers -----------------------------------------------------------------------

class UserIdSpelling : public ::testing::TestWithParam<const char*> {};

TEST_P(UserIdSpelling, IsAcceptedAsTheUserId) {
  json::object user{{GetParam(), "a"}};
  auto r = ParseProfileInput(user);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->user_id, std::optional<std::string>("a"));
}

INSTANTIATE_TEST_SUITE_P(ProfileInput, UserIdSpelling,
                         ::testing::Values("userID", "userId", "user_id", "userid"));

class AnonymousIdSpelling : public ::testing::TestWithParam<const char*> {};

TEST_P(AnonymousIdSpelling, IsAcceptedAsTheAnonymousId) {
  json::object user{{GetParam(), "anon"}};
  auto r = ParseProfileInput(user);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->anonymous_id, std::optional<std::string>("anon"));
  EXPECT_FALSE(r->user_id);
}

INSTANTIATE_TEST_SUITE_P(ProfileInput, AnonymousIdSpelling,
                         ::testing::Values("anonymousId", "anonymousID", "anonymous_id"));

TEST(ProfileInput, AcceptsBothIdentifiersTogether) {
  ProfilePatch p = Accepted(R"({"userId":"u","anonymousId":"a"})");
  EXPECT_EQ(p.user_id, std::optional<std::string>("u"));
  EXPECT_EQ(p.anonymous_id, std::optional<std::string>("a"));
}

TEST(ProfileInput, TakesANumericUserIdAsItsDecimalText) {
  EXPECT_EQ(Accepted(R"({"userId":1234})").user_id, std::optional<std::string>("1234"));
}

TEST(ProfileInput, RefusesAUserIdThatIsNeitherTextNorAnInteger) {
  EXPECT_EQ(ErrorFor(R"({"userId":true})"), "userId: must be a string, got true");
}

TEST(ProfileInput, RefusesAMissingUserIdAndAnonymousId) {
  EXPECT_EQ(ErrorFor(R"({"name":"x"})"), "Error: userId and anonymousId cannot be empty.");
}

TEST(ProfileInput, RefusesAnEmptyUserIdWithoutAnAnonymousId) {
  EXPECT_EQ(ErrorFor(R"({"userId":""})"), "Error: userId and anonymousId cannot be empty.");
}

TEST(ProfileInput, RefusesANullUserIdWithoutAnAnonymousId) {
  EXPECT_EQ(ErrorFor(R"({"userId":null,"anonymousId":""})"),
            "Error: userId and anonymousId cannot be empty.");
}

TEST(ProfileInput, RefusesTwoSpellingsOfTheUserIdThatDisagree) {
  EXPECT_EQ(ErrorFor(R"({"userId":"a","user_id":"b"})"),
            "user_id: given twice with different values");
}

TEST(ProfileInput, AcceptsTwoSpellingsOfTheUserIdThatAgree) {
  EXPECT_EQ(Accepted(R"({"userId":"a","user_id":"a"})").user_id, std::optional<std::string>("a"));
}

TEST(ProfileInput, AcceptsAUserIdOfOneHundredCharacters) {
  EXPECT_TRUE(ParseProfileInput(json::object{{"userId", std::string(100, 'u')}}).ok());
}

TEST(ProfileInput, RefusesAUserIdOfOneHundredAndOneCharacters) {
  EXPECT_EQ(ErrorFor(json::object{{"userId", std::string(101, 'u')}}),
            "userId: must be at most 100 characters, got 101");
}

TEST(ProfileInput, CountsUserIdLengthInCharactersNotBytes) {
  std::string hundred_accented;
  for (int i = 0; i < 100; ++i) hundred_accented += "\xC3\xA9";  // é, two bytes each
  EXPECT_TRUE(ParseProfileInput(json::object{{"userId", hundred_accented}}).ok());
}

TEST(ProfileInput, RefusesAnAnonymousIdOfOneHundredAndOneCharacters) {
  EXPECT_EQ(ErrorFor(json::object{{"anonymousId", std::string(101, 'a')}}),
            "anonymousId: must be at most 100 characters, got 101");
}

// --- Standard fields and their spellings ---------------------------------------------

struct Spelling {
  const char* key;
  Field field;
  const char* value;     // JSON
  const char* expected;  // JSON, normalised
};

void PrintTo(const Spelling& s, std::ostream* os) { *os << s.key; }

class FieldSpelling : public ::testing::TestWithParam<Spelling> {};

TEST_P(FieldSpelling, SetsItsStandardField) {
  const Spelling& s = GetParam();
  json::object user{{"userId", "u"}, {s.key, json::parse(s.value)}};
  auto r = ParseProfileInput(user);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE((*r)[s.field].has_value());
  EXPECT_EQ(*(*r)[s.field], json::parse(s.expected));
  EXPECT_TRUE(r->attributes.empty());
}

TEST_P(FieldSpelling, SetsItsStandardFieldInsideUserAttributes) {
  const Spelling& s = GetParam();
  json::object user{{"userId", "u"},
                    {"user_attributes", json::object{{s.key, json::parse(s.value)}}}};
  auto r = ParseProfileInput(user);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE((*r)[s.field].has_value());
  EXPECT_EQ(*(*r)[s.field], json::parse(s.expected));
  EXPECT_TRUE(r->attributes.empty());
}

INSTANTIATE_TEST_SUITE_P(
    ProfileInput, FieldSpelling,
    ::testing::Values(
        Spelling{"name", Field::kName, R"("John Doe")", R"("John Doe")"},
        Spelling{"firstName", Field::kFirstName, R"("John")", R"("John")"},
        Spelling{"first_name", Field::kFirstName, R"("John")", R"("John")"},
        Spelling{"firstname", Field::kFirstName, R"("John")", R"("John")"},
        Spelling{"first Name", Field::kFirstName, R"("John")", R"("John")"},
        Spelling{"lastName", Field::kLastName, R"("Doe")", R"("Doe")"},
        Spelling{"last_name", Field::kLastName, R"("Doe")", R"("Doe")"},
        Spelling{"lastname", Field::kLastName, R"("Doe")", R"("Doe")"},
        Spelling{"last Name", Field::kLastName, R"("Doe")", R"("Doe")"},
        Spelling{"birthDate", Field::kBirthDate, R"("1986-08-19")", R"("1986-08-19")"},
        Spelling{"birth_date", Field::kBirthDate, R"("1986-08-19")", R"("1986-08-19")"},
        Spelling{"birthdate", Field::kBirthDate, R"("1986-08-19")", R"("1986-08-19")"},
        Spelling{"gender", Field::kGender, R"("male")", R"("male")"},
        Spelling{"email", Field::kEmail, R"("j@example.com")", R"("j@example.com")"},
        Spelling{"mobile", Field::kMobile, R"("+919899999999")", R"("+919899999999")"},
        Spelling{"phone", Field::kMobile, R"("+919899999999")", R"("+919899999999")"},
        Spelling{"company", Field::kCompany, R"("Acme")", R"("Acme")"},
        Spelling{"hashed_email", Field::kHashedEmail, R"("ab12")", R"("ab12")"},
        Spelling{"hashedEmail", Field::kHashedEmail, R"("ab12")", R"("ab12")"},
        Spelling{"hashed_mobile", Field::kHashedMobile, R"("cd34")", R"("cd34")"},
        Spelling{"hashedMobile", Field::kHashedMobile, R"("cd34")", R"("cd34")"},
        Spelling{"email_opt_in", Field::kEmailOptIn, "1", "1"},
        Spelling{"emailOptIn", Field::kEmailOptIn, "1", "1"},
        Spelling{"sms_opt_in", Field::kSmsOptIn, "2", "2"},
        Spelling{"smsOptIn", Field::kSmsOptIn, "2", "2"},
        Spelling{"whatsapp_opt_in", Field::kWhatsappOptIn, "0", "0"},
        Spelling{"whatsappOptIn", Field::kWhatsappOptIn, "0", "0"}),
    [](const ::testing::TestParamInfo<Spelling>& info) {
      std::string name;
      for (const char* c = info.param.key; *c; ++c)
        if (std::isalnum(static_cast<unsigned char>(*c))) name += *c;
      // "first Name" and "firstName" would otherwise share a name.
      return name + "_" + std::to_string(info.index);
    });

TEST(ProfileInput, LeavesAbsentFieldsUnset) {
  ProfilePatch p = Accepted(R"({"userId":"u","email":"j@example.com"})");
  EXPECT_FALSE(p[Field::kName]);
  EXPECT_FALSE(p[Field::kCompany]);
  EXPECT_FALSE(p[Field::kSmsOptIn]);
}

TEST(ProfileInput, KeepsANullFieldAsAnInstructionToClearIt) {
  ProfilePatch p = Accepted(R"({"userId":"u","company":null})");
  ASSERT_TRUE(p[Field::kCompany].has_value());
  EXPECT_TRUE(p[Field::kCompany]->is_null());
}

TEST(ProfileInput, RefusesAnUnknownField) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","nickname":"x"})"),
            "unknown field 'nickname'; custom attributes go inside \"attributes\"");
}

TEST(ProfileInput, RefusesATextFieldGivenANumber) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","company":42})"), "company: must be a string, got 42");
}

TEST(ProfileInput, AcceptsATextFieldOf999Characters) {
  EXPECT_TRUE(
      ParseProfileInput(json::object{{"userId", "u"}, {"name", std::string(999, 'n')}}).ok());
}

TEST(ProfileInput, RefusesATextFieldOf1000Characters) {
  EXPECT_EQ(ErrorFor(json::object{{"userId", "u"}, {"name", std::string(1000, 'n')}}),
            "name: must be less than 1000 characters, got 1000");
}

TEST(ProfileInput, RefusesAFieldGivenTwiceWithDifferentValues) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","email":"a@example.com",)"
                     R"("user_attributes":{"email":"b@example.com"}})"),
            "user_attributes.email: given twice with different values");
}

// --- Gender ------------------------------------------------------------------------------

TEST(ProfileInput, LowerCasesTheGender) {
  EXPECT_EQ(*Accepted(R"({"userId":"u","gender":"Female"})")[Field::kGender], "female");
}

TEST(ProfileInput, AcceptsOtherAsAGender) {
  EXPECT_EQ(*Accepted(R"({"userId":"u","gender":"other"})")[Field::kGender], "other");
}

TEST(ProfileInput, RefusesAnUnlistedGender) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","gender":"x"})"),
            R"(gender: must be one of male, female, other, got "x")");
}

// --- Birth date --------------------------------------------------------------------------

TEST(ProfileInput, AcceptsABirthDateAsYearMonthDay) {
  EXPECT_EQ(*Accepted(R"({"userId":"u","birth_date":"1986-08-19"})")[Field::kBirthDate],
            "1986-08-19");
}

TEST(ProfileInput, TakesTheDateOfTheDocumentedFullTimestampForm) {
  EXPECT_EQ(
      *Accepted(R"({"userId":"u","birthDate":"1986-08-19T15:45:00-0800"})")[Field::kBirthDate],
      "1986-08-19");
}

TEST(ProfileInput, TakesTheDateOfATimestampWithoutSeconds) {
  EXPECT_EQ(*Accepted(R"({"userId":"u","birthDate":"2013-01-26T07:31+0000"})")[Field::kBirthDate],
            "2013-01-26");
}

TEST(ProfileInput, RefusesAnImpossibleBirthDate) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","birth_date":"2023-02-30"})"),
            "birth_date: must be a date as YYYY-MM-DD (or yyyy-MM-ddTHH:mm:ss with an offset), "
            "got \"2023-02-30\"");
}

TEST(ProfileInput, RefusesFebruaryTwentyNinthOfACommonYear) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","birthDate":"2023-02-29"})"),
            "birthDate: must be a date as YYYY-MM-DD (or yyyy-MM-ddTHH:mm:ss with an offset), "
            "got \"2023-02-29\"");
}

TEST(ProfileInput, AcceptsFebruaryTwentyNinthOfALeapYear) {
  EXPECT_EQ(*Accepted(R"({"userId":"u","birthDate":"2024-02-29"})")[Field::kBirthDate],
            "2024-02-29");
}

TEST(ProfileInput, RefusesADayFirstBirthDate) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","birthDate":"19-08-1986"})"),
            "birthDate: must be a date as YYYY-MM-DD (or yyyy-MM-ddTHH:mm:ss with an offset), "
            "got \"19-08-1986\"");
}

TEST(ProfileInput, RefusesABirthDateWithSlashes) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","birthDate":"1986/08/19"})"),
            "birthDate: must be a date as YYYY-MM-DD (or yyyy-MM-ddTHH:mm:ss with an offset), "
            "got \"1986/08/19\"");
}

// --- Mobile ------------------------------------------------------------------------------

TEST(ProfileInput, NormalisesAMobileNumberToE164) {
  EXPECT_EQ(*Accepted(R"({"userId":"u","mobile":"+91 98999 99999"})")[Field::kMobile],
            "+919899999999");
}

TEST(ProfileInput, RefusesAMobileNumberThatIsNotE164) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","mobile":"12345"})"),
            "mobile: must be a valid phone number in E.164 format, e.g. +919899999999, got "
            "\"12345\"");
}

TEST(ProfileInput, RefusesANationalNumberWithoutCountryCode) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","phone":"9899999999"})"),
            "phone: must be a valid phone number in E.164 format, e.g. +919899999999, got "
            "\"9899999999\"");
}

// --- Email -------------------------------------------------------------------------------

TEST(ProfileInput, AcceptsAnEmailAddress) {
  EXPECT_EQ(*Accepted(R"({"userId":"u","email":"john.doe+x@mail.example.com"})")[Field::kEmail],
            "john.doe+x@mail.example.com");
}

TEST(ProfileInput, RefusesAnEmailWithoutADotInItsDomain) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","email":"a@b"})"),
            R"(email: is not a valid email address: "a@b")");
}

TEST(ProfileInput, RefusesAnEmailWithoutAnAt) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","email":"john.example.com"})"),
            R"(email: is not a valid email address: "john.example.com")");
}

TEST(ProfileInput, RefusesAnEmailWithTwoAts) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","email":"a@b@example.com"})"),
            R"(email: is not a valid email address: "a@b@example.com")");
}

TEST(ProfileInput, RefusesAnEmailWithoutALocalPart) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","email":"@example.com"})"),
            R"(email: is not a valid email address: "@example.com")");
}

TEST(ProfileInput, RefusesAnEmailWithASpace) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","email":"jo hn@example.com"})"),
            R"(email: is not a valid email address: "jo hn@example.com")");
}

TEST(ProfileInput, RefusesAnEmailEndingInADot) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","email":"john@example."})"),
            R"(email: is not a valid email address: "john@example.")");
}

// --- Opt-ins -----------------------------------------------------------------------------

class OptInValue : public ::testing::TestWithParam<int> {};

TEST_P(OptInValue, IsAcceptedAsAnInteger) {
  json::object user{{"userId", "u"}, {"email_opt_in", GetParam()}};
  auto r = ParseProfileInput(user);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*(*r)[Field::kEmailOptIn], json::value(GetParam()));
}

TEST_P(OptInValue, IsAcceptedAsTextAndStoredAsAnInteger) {
  json::object user{{"userId", "u"}, {"sms_opt_in", std::to_string(GetParam())}};
  auto r = ParseProfileInput(user);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*(*r)[Field::kSmsOptIn], json::value(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(ProfileInput, OptInValue, ::testing::Values(0, 1, 2));

TEST(ProfileInput, RefusesOptInThree) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","email_opt_in":3})"),
            "email_opt_in: must be 0, 1 or 2, got 3");
}

TEST(ProfileInput, RefusesANegativeOptIn) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","whatsapp_opt_in":-1})"),
            "whatsapp_opt_in: must be 0, 1 or 2, got -1");
}

TEST(ProfileInput, RefusesOptInThreeAsText) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","sms_opt_in":"3"})"),
            R"(sms_opt_in: must be 0, 1 or 2, got "3")");
}

TEST(ProfileInput, RefusesAWordAsAnOptIn) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","sms_opt_in":"yes"})"),
            R"(sms_opt_in: must be 0, 1 or 2, got "yes")");
}

TEST(ProfileInput, RefusesABooleanAsAnOptIn) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","smsOptIn":true})"), "smsOptIn: must be 0, 1 or 2, got true");
}

// --- user_attributes and attributes -------------------------------------------------------

TEST(ProfileInput, MapsStandardNamesInsideUserAttributesToFields) {
  ProfilePatch p = Accepted(
      R"({"userID":"1","user_attributes":{"name":"John","email":"j@example.com","plan":"gold"}})");
  EXPECT_EQ(*p[Field::kName], "John");
  EXPECT_EQ(*p[Field::kEmail], "j@example.com");
  EXPECT_FALSE(p.attributes.contains("name"));
  EXPECT_FALSE(p.attributes.contains("email"));
}

TEST(ProfileInput, KeepsOtherNamesInsideUserAttributesAsCustomAttributes) {
  ProfilePatch p =
      Accepted(R"({"userID":"1","user_attributes":{"name":"John","plan":"gold","seats":3}})");
  EXPECT_EQ(p.attributes, (json::object{{"plan", "gold"}, {"seats", 3}}));
}

TEST(ProfileInput, NamesTheFieldInsideUserAttributesThatIsWrong) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","user_attributes":{"gender":"x"}})"),
            R"(user_attributes.gender: must be one of male, female, other, got "x")");
}

TEST(ProfileInput, RefusesUserAttributesThatAreNotAnObject) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","user_attributes":"x"})"),
            R"(user_attributes: must be an object, got "x")");
}

TEST(ProfileInput, TakesAttributesInsideUserAttributesAsCustomAttributes) {
  ProfilePatch p = Accepted(R"({"userID":"u1","user_attributes":{"name":"Ann","plan":"gold",)"
                            R"("attributes":{"seats":3,"vip":true,"email":"work@example.com"}}})");
  EXPECT_EQ(*p[Field::kName], "Ann");
  EXPECT_FALSE(p[Field::kEmail]);  // a custom attribute named email, as in top-level attributes
  EXPECT_EQ(
      p.attributes,
      (json::object{{"plan", "gold"}, {"seats", 3}, {"vip", true}, {"email", "work@example.com"}}));
  EXPECT_FALSE(p.attributes.contains("attributes"));
}

TEST(ProfileInput, MergesUserAttributesAttributesWithTopLevelAttributes) {
  ProfilePatch p =
      Accepted(R"({"userID":"u1","attributes":{"a":1},"user_attributes":{"attributes":{"b":2}}})");
  EXPECT_EQ(p.attributes, (json::object{{"a", 1}, {"b", 2}}));
}

TEST(ProfileInput, RefusesUserAttributesAttributesThatAreNotAnObject) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","user_attributes":{"attributes":[1]}})"),
            "user_attributes.attributes: must be an object of custom attributes, got [1]");
  EXPECT_EQ(ErrorFor(R"({"userId":"u","user_attributes":{"attributes":null}})"),
            "user_attributes.attributes: must be an object of custom attributes, got null");
}

TEST(ProfileInput, ValidatesUserAttributesAttributesLikeAttributes) {
  std::string name(50, 'a');
  EXPECT_EQ(
      ErrorFor(
          json::object{{"userId", "u"},
                       {"user_attributes", json::object{{"attributes", json::object{{name, 1}}}}}}),
      "user_attributes.attributes." + name + ": attribute names must be less than 50 characters");
  EXPECT_EQ(ErrorFor(R"({"userId":"u","user_attributes":{"attributes":{"":1}}})"),
            "user_attributes.attributes: attribute names must not be empty");
}

TEST(ProfileInput, RefusesACustomAttributeGivenTwiceWithDifferentValues) {
  // Whichever comes first in the object, the one inside user_attributes.attributes is named.
  EXPECT_EQ(ErrorFor(R"({"userId":"u","user_attributes":{"plan":"a","attributes":{"plan":"b"}}})"),
            "user_attributes.attributes.plan: given twice with different values "
            "(also in user_attributes)");
  EXPECT_EQ(ErrorFor(R"({"userId":"u","user_attributes":{"attributes":{"plan":"b"},"plan":"a"}})"),
            "user_attributes.attributes.plan: given twice with different values "
            "(also in user_attributes)");
  EXPECT_EQ(ErrorFor(R"({"userId":"u","attributes":{"plan":"a"},"user_attributes":{"plan":"b"}})"),
            "user_attributes.plan: given twice with different values (also in attributes)");
  EXPECT_EQ(ErrorFor(R"({"userId":"u","user_attributes":{"attributes":{"plan":"b"}},)"
                     R"("attributes":{"plan":"a"}})"),
            "attributes.plan: given twice with different values "
            "(also in user_attributes.attributes)");
}

TEST(ProfileInput, AcceptsACustomAttributeGivenTwiceWithTheSameValue) {
  ProfilePatch p = Accepted(R"({"userId":"u","attributes":{"plan":"a"},)"
                            R"("user_attributes":{"plan":"a","attributes":{"plan":"a"}}})");
  EXPECT_EQ(p.attributes, (json::object{{"plan", "a"}}));
}

TEST(ProfileInput, CountsUserAttributesAttributesTowardsTheLimit) {
  json::object direct, nested;
  for (int i = 0; i < 150; ++i) direct[fmt::format("d{}", i)] = i;
  for (int i = 0; i < 51; ++i) nested[fmt::format("n{}", i)] = i;
  direct["attributes"] = nested;
  EXPECT_EQ(ErrorFor(json::object{{"userId", "u"}, {"user_attributes", direct}}),
            "at most 200 attributes per call, got 201");
}

TEST(ProfileInput, KnowsTheIdentifierSpellings) {
  for (auto k :
       {"userID", "userId", "user_id", "userid", "anonymousId", "anonymousID", "anonymous_id"})
    EXPECT_TRUE(IsIdentifierKey(k)) << k;
  EXPECT_FALSE(IsIdentifierKey("email"));
  EXPECT_FALSE(IsIdentifierKey("user"));
}

TEST(ProfileInput, TakesCustomAttributesAsGiven) {
  ProfilePatch p =
      Accepted(R"({"userId":"u","attributes":{"plan":"gold","spent":461.93,"vip":true}})");
  EXPECT_EQ(p.attributes, (json::object{{"plan", "gold"}, {"spent", 461.93}, {"vip", true}}));
}

TEST(ProfileInput, KeepsANullAttributeAsAnInstructionToRemoveIt) {
  ProfilePatch p = Accepted(R"({"userId":"u","attributes":{"plan":null}})");
  ASSERT_TRUE(p.attributes.contains("plan"));
  EXPECT_TRUE(p.attributes.at("plan").is_null());
}

TEST(ProfileInput, RefusesAttributesThatAreNotAnObject) {
  EXPECT_EQ(ErrorFor(R"({"userId":"u","attributes":[1]})"),
            "attributes: must be an object, got [1]");
}

TEST(ProfileInput, AcceptsAnAttributeNameOf49Characters) {
  EXPECT_TRUE(ParseProfileInput(WithAttribute(std::string(49, 'a'), 1)).ok());
}

TEST(ProfileInput, RefusesAnAttributeNameOf50Characters) {
  std::string name(50, 'a');
  EXPECT_EQ(ErrorFor(WithAttribute(name, 1)),
            "attributes." + name + ": attribute names must be less than 50 characters");
}

TEST(ProfileInput, RefusesAnAttributeNameOf50CharactersInsideUserAttributes) {
  std::string name(50, 'a');
  EXPECT_EQ(ErrorFor(json::object{{"userId", "u"}, {"user_attributes", json::object{{name, 1}}}}),
            "user_attributes." + name + ": attribute names must be less than 50 characters");
}

TEST(ProfileInput, RefusesAnEmptyAttributeName) {
  EXPECT_EQ(ErrorFor(WithAttribute("", 1)), "attributes: attribute names must not be empty");
}

TEST(ProfileInput, AcceptsAnAttributeStringOf999Characters) {
  EXPECT_TRUE(ParseProfileInput(WithAttribute("s", json::string(std::string(999, 'b')))).ok());
}

TEST(ProfileInput, RefusesAnAttributeStringOf1000Characters) {
  EXPECT_EQ(ErrorFor(WithAttribute("s", json::string(std::string(1000, 'b')))),
            "attributes.s: string values must be less than 1000 characters");
}

TEST(ProfileInput, RefusesMoreThan200Attributes) {
  json::object attributes;
  for (int i = 0; i <= 200; ++i) attributes[fmt::format("a{}", i)] = i;
  EXPECT_EQ(ErrorFor(json::object{{"userId", "u"}, {"attributes", attributes}}),
            "attributes: at most 200 attributes per call, got 201");
}

// --- FieldByName --------------------------------------------------------------------------

TEST(FieldByName, FindsAFieldByAnyAcceptedSpelling) {
  EXPECT_EQ(FieldByName("phone"), std::optional<Field>(Field::kMobile));
  EXPECT_EQ(FieldByName("first_name"), std::optional<Field>(Field::kFirstName));
}

TEST(FieldByName, IsCaseSensitive) { EXPECT_EQ(FieldByName("EMAIL"), std::nullopt); }

}  // namespace
}  // namespace cdp::profiles
