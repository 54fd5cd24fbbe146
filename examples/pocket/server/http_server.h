// File: http_server.h
// A small HTTP/1.1 server on Boost.Beast (C++20 coroutines): keep-alive, a timeout per read
// and write, bounded request heads and bodies, a cap on open connections, and a clean stop
// on SIGINT/SIGTERM. Handlers run on the server's threads and may block briefly (SQLite, a
// JWKS fetch).
#pragma once

#include <boost/beast/http.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace pocket {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8090;
  int threads = 2;
  std::size_t max_body_bytes = 128 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_connections = 512;
  std::chrono::seconds io_timeout{30};
};

// The handler gets the request and the peer's address.
using Handler = std::function<Response(const Request&, const std::string& remote_ip)>;

// Listens and serves until SIGINT or SIGTERM. `on_listening` is called with the bound port
// (useful with port 0). Throws on a bind failure.
void RunHttpServer(const ServerOptions& options, Handler handler,
                   std::function<void(unsigned short)> on_listening);

}  // namespace pocket
