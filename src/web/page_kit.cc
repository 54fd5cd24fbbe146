#include "web/page_kit.h"

#include "http/client_headers.h"

namespace tessera::web {

services::ClientInfo ClientOf(const http::Request& req) {
  return {req.remote_ip, http::DisplayUserAgent(req)};
}

http::QueryParams PageQuery(const http::Request& req) {
  auto query = http::ReadQuery(req);
  return query.ok() ? std::move(*query) : http::QueryParams{};
}

}  // namespace tessera::web
