// File: csrf.h
// CSRF protection of the hosted pages' forms: a double-submit token. The first page sets a
// random `tessera_csrf` cookie (`__Host-` prefixed, Secure, when PUBLIC_URL is https: no
// other origin can plant it); every form echoes it in `csrf_token`, which must equal the
// cookie (constant-time), and a request whose Origin is another site's is refused even with
// a matching token.
#pragma once

#include <string>

#include "http/form.h"
#include "http/message.h"
#include "web/page_urls.h"

namespace tessera::web {

class CsrfGuard {
 public:
  explicit CsrfGuard(const PageUrls& urls) : urls_(urls) {}

  // The browser's token; a new one (its cookie set on `set_on`) when it has none.
  std::string TokenFor(const http::Request& req, http::Response* set_on) const;
  // True when `form` carries the request's token and the request is same-origin.
  bool Check(const http::Request& req, const http::FormParams& form) const;

 private:
  std::string CookieName() const;

  const PageUrls& urls_;
};

}  // namespace tessera::web
