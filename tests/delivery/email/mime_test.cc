#include "delivery/email/mime.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace cdp::delivery {
namespace {

size_t LongestLine(const std::string& s) {
  size_t longest = 0, at = 0;
  while (at <= s.size()) {
    size_t end = s.find("\r\n", at);
    if (end == std::string::npos) end = s.size();
    longest = std::max(longest, end - at);
    at = end + 2;
  }
  return longest;
}

TEST(QuotedPrintable, EscapesEqualsControlsAndEightBitBytes) {
  EXPECT_EQ(QuotedPrintable("a=b\tc\x01 é"), "a=3Db\tc=01 =C3=A9");
}

TEST(QuotedPrintable, TurnsLineBreaksIntoCrlfAndEscapesWhitespaceBeforeThem) {
  EXPECT_EQ(QuotedPrintable("one \ntwo\t\r\nthree "), "one=20\r\ntwo=09\r\nthree=20");
}

TEST(QuotedPrintable, CutsLongLinesWithSoftBreaks) {
  const std::string text(200, 'x');
  const std::string qp = QuotedPrintable(text + "\n" + std::string(100, '='));
  EXPECT_LE(LongestLine(qp), 76u);
  std::string decoded;
  for (size_t i = 0; i < qp.size(); ++i) {
    if (qp.compare(i, 3, "=\r\n") == 0) {
      i += 2;
    } else if (qp[i] == '=') {
      decoded += static_cast<char>(std::stoi(qp.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (qp.compare(i, 2, "\r\n") == 0) {
      decoded += '\n';
      i += 1;
    } else {
      decoded += qp[i];
    }
  }
  EXPECT_EQ(decoded, text + "\n" + std::string(100, '='));
}

TEST(HeaderValue, KeepsAsciiAndDropsLineBreaks) {
  EXPECT_EQ(HeaderValue("Hi\r\nBcc: x@y.test"), "Hi  Bcc: x@y.test");
}

TEST(HeaderValue, EncodesUtf8AsFoldedEncodedWordsThatSplitNoCharacter) {
  EXPECT_EQ(HeaderValue("Olá"), "=?UTF-8?B?T2zDoQ==?=");
  std::string long_subject;
  for (int i = 0; i < 40; ++i) long_subject += "é";  // 80 bytes
  const std::string v = HeaderValue(long_subject);
  // 19 characters (38 bytes) per word: a 39th byte would split the 20th.
  EXPECT_EQ(v,
            "=?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n"
            " =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n"
            " =?UTF-8?B?w6nDqQ==?=");
  EXPECT_LE(LongestLine("Subject: " + v), 76u);
}

TEST(EnvelopeAddress, TakesTheAddressOutOfANameAddr) {
  EXPECT_EQ(EnvelopeAddress("News <news@brand.test>"), "news@brand.test");
  EXPECT_EQ(EnvelopeAddress("news@brand.test"), "news@brand.test");
}

TEST(ComposeMail, WritesTheHeaderAndOneAlternativePerPart) {
  Outgoing m;
  m.to = "ann@x.test";
  m.subject = "Hi\nthere";
  m.reply_to = "help@brand.test";
  m.message_id = "cmp_1.7@cdp";
  m.text = "Hello";
  m.html = "<p>Hello</p>";
  m.headers = {{"List-Unsubscribe", "<https://u.test/x>"}};
  const std::string mail =
      ComposeMail(m, "News <news@brand.test>", "Tue, 01 Dec 2026 09:00:00 +0000");
  const std::string boundary = "=_cdp_alternative_=";
  EXPECT_EQ(mail,
            "Date: Tue, 01 Dec 2026 09:00:00 +0000\r\n"
            "From: News <news@brand.test>\r\n"
            "To: ann@x.test\r\n"
            "Subject: Hi there\r\n"
            "Message-ID: <cmp_1.7@cdp>\r\n"
            "MIME-Version: 1.0\r\n"
            "Reply-To: help@brand.test\r\n"
            "List-Unsubscribe: <https://u.test/x>\r\n"
            "Content-Type: multipart/alternative; boundary=\"" +
                boundary +
                "\"\r\n"
                "\r\n"
                "--" +
                boundary +
                "\r\n"
                "Content-Type: text/plain; charset=UTF-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n"
                "\r\n"
                "Hello\r\n"
                "--" +
                boundary +
                "\r\n"
                "Content-Type: text/html; charset=UTF-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n"
                "\r\n"
                "<p>Hello</p>\r\n"
                "--" +
                boundary + "--\r\n");
}

TEST(ComposeMail, LeavesOutAnEmptyTextPartWhenThereIsHtml) {
  Outgoing m;
  m.html = "<p>x</p>";
  const std::string mail = ComposeMail(m, "a@b.test", "d");
  EXPECT_EQ(mail.find("text/plain"), std::string::npos);
  EXPECT_NE(mail.find("text/html"), std::string::npos);
}

}  // namespace
}  // namespace cdp::delivery
