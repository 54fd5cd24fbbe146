#include "http/client_headers.h"

#include "base/utf8.h"

namespace tessera::http {

std::string DisplayUserAgent(const Request& req) {
  return DisplayText(req.Header(beast_http::field::user_agent), kMaxDisplayUserAgent);
}

}  // namespace tessera::http
