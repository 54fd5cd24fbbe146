#include "web/page_kit.h"

namespace tessera::web {

services::ClientInfo ClientOf(const http::Request& req) {
  return {req.remote_ip, std::string(req.Header(http::beast_http::field::user_agent))};
}

http::QueryParams PageQuery(const http::Request& req) {
  auto query = http::ReadQuery(req);
  return query.ok() ? std::move(*query) : http::QueryParams{};
}

}  // namespace tessera::web
