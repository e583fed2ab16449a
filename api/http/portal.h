// The routes of the web portal: each page of web/pages.json at its routes (GET /,
// /verify, /explorer, /cases, /records/{id}, /records/{id}/certificate, ...), the
// bundled assets under /assets/, and the offline verifier /evidence-verify.html
// (as a download). Pages and assets come from the node's binary (web_assets.h).
//
// Answers carry a Content-Security-Policy that lets a page load only the node's
// own scripts and styles and talk only to the node (connect-src 'self'), never
// be framed, and never send a referrer: the pages verify in the browser and send
// nothing but digests, ids and the reader's token to the API.
//
// Thread-safety: register before serving; the handlers are stateless.
#pragma once

#include "api/http/router.h"

namespace evidence::api {

// The Content-Security-Policy of the portal's pages.
inline constexpr std::string_view kPortalContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void RegisterPortal(Router& router);

}  // namespace evidence::api
