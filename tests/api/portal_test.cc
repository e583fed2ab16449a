// The portal's routes (api/http/portal.cc) over the assets built from web/.
#include "api/http/portal.h"

#include <gtest/gtest.h>

#include <future>
#include <regex>
#include <set>

#include "api/http/web_assets.h"

namespace evidence::api {
namespace {

class PortalTest : public ::testing::Test {
 protected:
  PortalTest() { RegisterPortal(router_); }

  HttpResponse Get(std::string target) {
    std::promise<HttpResponse> promise;
    HttpRequest request{"GET", std::move(target), "", "", ""};
    router_.Dispatch(request, [&](HttpResponse response) { promise.set_value(std::move(response)); });
    return promise.get_future().get();
  }

  static std::string Header(const HttpResponse& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return "";
  }

  Router router_;
};

TEST_F(PortalTest, EveryPageIsServedAtItsRoutes) {
  const std::string id(64, 'a');
  const std::map<std::string, std::string> expected = {
      {"/", "verify"},          {"/verify", "verify"},
      {"/explorer", "explorer"}, {"/cases", "cases"},
      {"/records/" + id, "record"}, {"/records/" + id + "/certificate", "certificate"},
      {"/explorer?height=3", "explorer"}};
  for (const auto& [target, page] : expected) {
    HttpResponse response = Get(target);
    ASSERT_EQ(response.status, 200) << target;
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8") << target;
    EXPECT_NE(response.body.find("data-page=\"" + page + "\""), std::string::npos) << target;
    EXPECT_EQ(Header(response, "Content-Security-Policy"), kPortalContentSecurityPolicy) << target;
    EXPECT_EQ(Header(response, "X-Content-Type-Options"), "nosniff") << target;
    EXPECT_EQ(Header(response, "Cache-Control"), "no-cache") << target;
  }
  EXPECT_EQ(Get("/records").status, 404);
  EXPECT_EQ(Get("/nope").status, 404);
}

// Every script and stylesheet a page names is served, with its type, cached for
// good (the names carry a content hash).
TEST_F(PortalTest, PagesNameOnlyAssetsTheNodeServes) {
  const std::regex reference(R"((?:src|href)="(/assets/[^"]+)\")");
  std::set<std::string> named;
  for (const WebPage& page : WebPages()) {
    const std::string html(page.html);
    for (auto it = std::sregex_iterator(html.begin(), html.end(), reference);
         it != std::sregex_iterator(); ++it) {
      named.insert((*it)[1]);
    }
  }
  ASSERT_GE(named.size(), 2u) << "each page names at least a script and the stylesheet";
  for (const std::string& path : named) {
    HttpResponse response = Get(path);
    ASSERT_EQ(response.status, 200) << path;
    EXPECT_NE(response.body.size(), 0u) << path;
    EXPECT_EQ(Header(response, "Cache-Control"), "public, max-age=31536000, immutable") << path;
    const bool script = path.ends_with(".js");
    EXPECT_EQ(response.content_type,
              script ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8")
        << path;
  }
}

TEST_F(PortalTest, OfflineVerifierIsOneSelfContainedDownload) {
  HttpResponse response = Get("/evidence-verify.html");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Header(response, "Content-Disposition"), "attachment; filename=\"evidence-verify.html\"");
  // No external script, stylesheet or image: everything is inline.
  EXPECT_EQ(response.body.find("src=\""), std::string::npos);
  EXPECT_EQ(response.body.find("<link rel=\"stylesheet\""), std::string::npos);
  EXPECT_NE(response.body.find("connect-src 'none'"), std::string::npos);
}

}  // namespace
}  // namespace evidence::api
