// The HTTP request reader: bytes from the socket through Beast's request_parser configured as
// http/server.cc Session() configures it (ServerOptions' header and body limits), one
// keep-alive request after another, then each request as a handler reads it: the path decoded
// as the server decodes it, routed (http/router.h, a sample of the server's routes), its
// query, cookies, User-Agent and body (JSON or form). Properties: a request read respects the
// limits; route parameters are segments of the decoded path; the User-Agent kept for display
// is bounded UTF-8.
#include <boost/asio/buffer.hpp>
#include <boost/url/decode_view.hpp>
#include <boost/url/pct_string_view.hpp>

#include "base/metrics.h"
#include "base/utf8.h"
#include "fuzz_support.h"
#include "http/client_headers.h"
#include "http/cookie.h"
#include "http/form.h"
#include "http/json_body.h"
#include "http/request_path.h"
#include "http/query.h"
#include "http/router.h"
#include "http/server.h"

namespace {
using namespace tessera;
namespace bh = http::beast_http;

const http::Router& Routes() {
  static Metrics* metrics = new Metrics();
  static http::Router* router = [] {
    auto* r = new http::Router(*metrics);
    auto ok = [](http::Request&) { return http::NoContent(); };
    for (const char* p : {"/healthz", "/apps/{app}/api/me", "/apps/{app}/api/me/tokens/{id}",
                          "/apps/{app}/oauth/authorize", "/apps/{app}/login",
                          "/console/apps/{app}/users/{id}", "/apps/{app}/.well-known/jwks.json"}) {
      r->Add(bh::verb::get, p, ok);
    }
    for (const char* p : {"/apps/{app}/api/login", "/apps/{app}/oauth/token", "/apps/{app}/login",
                          "/apps/{app}/api/me/tokens/{id}"}) {
      r->Add(bh::verb::post, p, ok);
    }
    r->Add(bh::verb::delete_, "/apps/{app}/api/me/tokens/{id}", ok);
    return r;
  }();
  return *router;
}

void Handle(http::Request& req) {
  if (!http::DecodeRequestPath(req.raw.target(), &req.path)) return;  // answered 400 by the server
  http::RouteMatch match = Routes().Match(req.raw.method(), req);
  for (const auto& [name, value] : req.params) {
    FUZZ_CHECK(!value.empty() && value.find('/') == std::string::npos &&
                   req.path.find(value) != std::string::npos,
               "a route parameter is one segment of the path");
  }
  (void)match;
  (void)http::ReadQuery(req);
  (void)http::GetCookie(req, "tessera_session_default");
  std::string ua = http::DisplayUserAgent(req);
  FUZZ_CHECK(IsValidUtf8(ua) && ua.size() <= http::kMaxDisplayUserAgent, "bounded UTF-8 UA");
  if (req.raw.method() == bh::verb::post) {
    (void)http::JsonBody::Parse(req);
    (void)http::ReadFormBody(req);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const http::ServerOptions kOptions;  // the server's defaults: 16 KiB header, 64 KiB body
  const char* p = reinterpret_cast<const char*>(data);
  size_t left = size;
  for (int requests = 0; left > 0 && requests < 8; ++requests) {  // keep-alive: one after another
    bh::request_parser<bh::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(kOptions.max_header_bytes));
    parser.body_limit(kOptions.max_body_bytes);
    boost::system::error_code ec;
    size_t header_bytes = 0;
    while (left > 0 && !parser.is_done()) {
      bool in_header = !parser.is_header_done();
      size_t n = parser.put(boost::asio::buffer(p, left), ec);
      if (in_header) header_bytes += n;
      p += n;
      left -= n;
      if (ec == bh::error::need_more) {
        ec = {};
        if (n == 0) break;  // the rest is not enough: the client must send more
        continue;
      }
      if (ec) break;
    }
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;  // the server answers 400/413/431 and closes
    FUZZ_CHECK(header_bytes <= kOptions.max_header_bytes, "the header limit holds");
    http::Request req;
    req.raw = parser.release();
    FUZZ_CHECK(req.raw.body().size() <= kOptions.max_body_bytes, "the body limit holds");
    Handle(req);
    if (!req.raw.keep_alive()) return 0;
  }
  return 0;
}
