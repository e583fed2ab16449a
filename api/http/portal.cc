#include "api/http/portal.h"

#include "api/http/web_assets.h"

namespace evidence::api {
namespace {

// Headers every portal answer carries.
void AddSecurityHeaders(HttpResponse& response) {
  response.headers.emplace_back("Content-Security-Policy", std::string(kPortalContentSecurityPolicy));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Frame-Options", "DENY");
}

HttpResponse Page(const WebPage& page) {
  HttpResponse response;
  response.content_type = "text/html; charset=utf-8";
  response.body = std::string(page.html);
  // Pages name the current assets: ask the node again each time.
  response.headers.emplace_back("Cache-Control", "no-cache");
  AddSecurityHeaders(response);
  return response;
}

HttpResponse File(const WebFile& file) {
  HttpResponse response;
  response.content_type = std::string(file.content_type);
  response.body = std::string(file.body);
  if (file.immutable) {
    response.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  } else {
    // The offline verifier is kept by its user: a download, not a page of the node.
    response.headers.emplace_back("Cache-Control", "no-cache");
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"evidence-verify.html\"");
  }
  AddSecurityHeaders(response);
  return response;
}

}  // namespace

void RegisterPortal(Router& router) {
  for (const WebPage& page : WebPages()) {
    router.Add("GET", std::string(page.route), Access::kPublic,
               [&page](const HttpRequest&, const std::vector<std::string_view>&, Reply reply) {
                 reply(Page(page));
               });
  }
  for (const WebFile& file : WebFiles()) {
    router.Add("GET", std::string(file.path), Access::kPublic,
               [&file](const HttpRequest&, const std::vector<std::string_view>&, Reply reply) {
                 reply(File(file));
               });
  }
}

}  // namespace evidence::api
