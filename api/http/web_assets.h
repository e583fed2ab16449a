// The web portal (web/: the verify page, the explorer, case trails, records,
// certificates and the offline verifier), built by web/build.mjs and embedded in
// the node's binary so every node serves it with nothing installed beside it.
// The definitions are generated at build time (web_assets.cc in the build tree).
//
// Thread-safety: constant data.
#pragma once

#include <span>
#include <string_view>

namespace evidence::api {

// A file served at `path` as it is: the bundled scripts and stylesheet
// (/assets/<name>-<content hash>.<ext>, `immutable`: their names change when they
// do) and the offline verifier /evidence-verify.html.
struct WebFile {
  std::string_view path;
  std::string_view content_type;
  std::string_view body;
  bool immutable = false;
};

// A page's HTML, served at a route in Router pattern form ("/records/{}").
struct WebPage {
  std::string_view route;
  std::string_view name;  // the page's name in web/pages.json
  std::string_view html;
};

std::span<const WebFile> WebFiles();
std::span<const WebPage> WebPages();

}  // namespace evidence::api
