// The dashboard's files as the server answers them: the page at /dashboard/, its scripts
// and the chart library compiled in, revalidation by ETag, and the headers that keep the
// page from being framed or running scripts from elsewhere.
#include "web/serve.h"

#include <gtest/gtest.h>

#include <string>

#include "web/assets.h"

namespace cdp::web {
namespace {

http::Request Get(std::string path) {
  http::Request req;
  req.method = "GET";
  req.path = path;
  req.target = path;
  return req;
}

std::string HeaderOf(const http::Response& res, std::string_view name) {
  for (const auto& [k, v] : res.headers)
    if (k == name) return v;
  return "";
}

TEST(DashboardFiles, ThePageIsServedAtTheFolderAndItsBareNameRedirects) {
  http::Response page = Serve(Get("/dashboard/"));
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script type=\"module\" src=\"js/main.js\">"), std::string::npos);
  http::Response bare = Serve(Get("/dashboard"));
  EXPECT_EQ(bare.status, 301);
  EXPECT_EQ(HeaderOf(bare, "Location"), "/dashboard/");
}

TEST(DashboardFiles, ScriptsStylesAndTheChartLibraryAreCompiledIn) {
  for (const char* path : {"js/main.js", "js/rule_builder.js", "app.css", "vendor/uPlot.iife.min.js",
                           "vendor/uPlot.min.css"}) {
    const Asset* asset = FindAsset(path);
    ASSERT_NE(asset, nullptr) << path;
    http::Response res = Serve(Get(std::string("/dashboard/") + path));
    EXPECT_EQ(res.status, 200) << path;
    EXPECT_EQ(res.body.size(), asset->size) << path;
  }
  EXPECT_EQ(Serve(Get("/dashboard/js/main.js")).content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(Serve(Get("/dashboard/vendor/uPlot.iife.min.js")).body.find("uPlot"),
            std::string::npos);
}

TEST(DashboardFiles, AnUnchangedFileIsRevalidatedWithItsETag) {
  http::Response first = Serve(Get("/dashboard/app.css"));
  const std::string etag = HeaderOf(first, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(HeaderOf(first, "Cache-Control"), "no-cache");
  http::Request again = Get("/dashboard/app.css");
  again.headers.emplace_back("if-none-match", etag);
  http::Response second = Serve(again);
  EXPECT_EQ(second.status, 304);
  EXPECT_TRUE(second.body.empty());
  again.headers.back().second = "\"stale\"";
  EXPECT_EQ(Serve(again).status, 200);
}

TEST(DashboardFiles, EveryAnswerForbidsFramingSniffingAndForeignScripts) {
  for (const char* path : {"/dashboard/", "/dashboard/js/api.js", "/dashboard/nope.js"}) {
    http::Response res = Serve(Get(path));
    EXPECT_NE(HeaderOf(res, "Content-Security-Policy").find("script-src 'self'"),
              std::string::npos)
        << path;
    EXPECT_NE(HeaderOf(res, "Content-Security-Policy").find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(HeaderOf(res, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(HeaderOf(res, "X-Frame-Options"), "DENY");
  }
}

TEST(DashboardFiles, UnknownFilesAre404AndUnknownJsonEndpointsAnswerInTheEnvelope) {
  EXPECT_EQ(Serve(Get("/dashboard/nope.js")).status, 404);
  EXPECT_EQ(Serve(Get("/dashboard/../src/web/serve.cc")).status, 404);
  http::Response api = Serve(Get("/dashboard/api/nothing"));
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.content_type, "application/json");
  EXPECT_NE(api.body.find("\"status\":\"error\""), std::string::npos);
}

}  // namespace
}  // namespace cdp::web
