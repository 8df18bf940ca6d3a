#include "campaigns/tracking.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cdp::campaigns {
namespace {

const MessageRef kRef{"brand1", "cmp_1", 42};

class LinksTest : public ::testing::Test {
 protected:
  Links links{"key", "https://cdp.test/"};

  // The token of `url`, made under `path`.
  static std::string TokenOf(const std::string& url, std::string_view path) {
    const std::string prefix = "https://cdp.test" + std::string(path);
    EXPECT_TRUE(url.starts_with(prefix)) << url;
    return url.substr(prefix.size());
  }
};

TEST_F(LinksTest, VerifiesItsOwnLinksOfEachKind) {
  for (LinkKind kind : {LinkKind::kOpen, LinkKind::kUnsubscribe, LinkKind::kSmsStatus}) {
    auto v = links.Verify(kind, TokenOf(links.Url(kind, kRef), PathOf(kind)));
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->ref.brand_id, "brand1");
    EXPECT_EQ(v->ref.campaign_id, "cmp_1");
    EXPECT_EQ(v->ref.profile_id, 42);
  }
  auto click = links.Verify(LinkKind::kClick,
                            TokenOf(links.ClickUrl(kRef, "https://x.test/a?b=1"), "/t/c/"));
  ASSERT_TRUE(click.has_value());
  EXPECT_EQ(click->target, "https://x.test/a?b=1");
}

TEST_F(LinksTest, RefusesTokensOfAnotherKindKeyOrContent) {
  const std::string open = TokenOf(links.Url(LinkKind::kOpen, kRef), "/t/o/");
  EXPECT_FALSE(links.Verify(LinkKind::kUnsubscribe, open));
  EXPECT_FALSE(links.Verify(LinkKind::kClick, open));
  EXPECT_FALSE(Links("other key", "https://cdp.test").Verify(LinkKind::kOpen, open));
  std::string flipped = open;
  flipped[3] = flipped[3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(links.Verify(LinkKind::kOpen, flipped));
  EXPECT_FALSE(links.Verify(LinkKind::kOpen, open.substr(0, open.find('.'))));
  EXPECT_FALSE(links.Verify(LinkKind::kOpen, ""));
  EXPECT_FALSE(links.Verify(LinkKind::kOpen, "."));
}

TEST_F(LinksTest, TrackRewritesHttpLinksAndAddsOnePixel) {
  const std::string unsubscribe = links.Url(LinkKind::kUnsubscribe, kRef);
  const std::string html =
      "<html><body><a href=\"https://x.test/?a=1&amp;b=2\">x</a>"
      "<A class='c' HREF = 'http://y.test'>y</A><abbr title=\"t\">a</abbr>"
      "<a href=\"mailto:m@x.test\">m</a><a href=\"#top\">t</a><a name=\"n\">n</a>"
      "<a title=\"a>b\" href=\"https://z.test\">z</a>"
      "<a href=\"" +
      unsubscribe + "\">u</a></body></html>";
  const std::string out = links.Track(html, kRef);
  std::vector<std::string> targets;
  const std::string click = "https://cdp.test/t/c/";
  for (size_t at = 0; (at = out.find(click, at)) != std::string::npos;) {
    at += click.size();
    const size_t end = out.find_first_of("\"'", at);
    auto v = links.Verify(LinkKind::kClick, out.substr(at, end - at));
    ASSERT_TRUE(v.has_value());
    targets.push_back(v->target);
  }
  EXPECT_EQ(targets, (std::vector<std::string>{"https://x.test/?a=1&b=2", "http://y.test",
                                               "https://z.test"}));
  for (const char* kept : {"<A class='c' HREF = '", "<abbr title=\"t\">a</abbr>",
                           "href=\"mailto:m@x.test\"", "href=\"#top\"", "<a name=\"n\">"})
    EXPECT_NE(out.find(kept), std::string::npos) << kept;
  EXPECT_NE(out.find("href=\"" + unsubscribe + "\""), std::string::npos) << "not tracked";
  const std::string pixel = "<img src=\"" + links.Url(LinkKind::kOpen, kRef) + "\"";
  EXPECT_NE(out.find(pixel + " width=\"1\" height=\"1\" alt=\"\" style=\"border:0\"></body>"),
            std::string::npos)
      << out;
  EXPECT_EQ(links.Track("<p>no body", kRef).find("<p>no body<img src="), 0u);
}

TEST(Unsubscribe, FootersAreAddedOnceAndOnlyToNonEmptyParts) {
  EXPECT_EQ(WithUnsubscribeLine("Hi", "https://u"), "Hi\n\n--\nUnsubscribe: https://u\n");
  EXPECT_EQ(WithUnsubscribeLine("Bye https://u", "https://u"), "Bye https://u");
  EXPECT_EQ(WithUnsubscribeLine("", "https://u"), "");
  EXPECT_EQ(WithUnsubscribeFooter("<body>x</BODY>", "https://u"),
            "<body>x<p style=\"font-size:12px;color:#777777\"><a href=\"https://u\">Unsubscribe</a>"
            " from these emails.</p></BODY>");
  EXPECT_EQ(WithUnsubscribeFooter("<a href=\"https://u\">leave</a>", "https://u"),
            "<a href=\"https://u\">leave</a>");
  EXPECT_EQ(WithUnsubscribeFooter("", "https://u"), "");
}

}  // namespace
}  // namespace cdp::campaigns
