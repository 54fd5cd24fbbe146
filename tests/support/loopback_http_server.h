// File: loopback_http_server.h
// A real HTTP/1.1 server on 127.0.0.1 (a free port) for tests of code that calls out over
// HTTP — the upstream identity providers of federation/, through the real libcurl client.
// Routes are lambdas; every request is recorded (method, target, headers, body) for the test
// to assert on. One background thread runs Boost.Beast coroutines, so a slow route (its
// response's `delay`) holds up no other request.
//
//   LoopbackHttpServer server;
//   server.Route("GET", "/.well-known/openid-configuration", [&](const LoopbackRequest& r) {
//     return LoopbackResponse::Json({{"issuer", server.url()}});
//   });
//   … call server.url() + "/.well-known/openid-configuration" …
//   EXPECT_EQ(server.RequestsTo("/token").at(0).Form().at("grant_type"), "authorization_code");
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::testing_support {

struct LoopbackRequest {
  std::string method;  // "GET", "POST" …
  std::string target;  // as sent: path?query
  std::string path;
  std::string query;   // without the '?'
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;

  // The first header of that name (any case); "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // The query string and the form body, decoded; a malformed one reads as empty.
  std::map<std::string, std::string> Query() const;
  std::map<std::string, std::string> Form() const;
};

struct LoopbackResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Waited before the answer goes out (a slow upstream); the server's other requests go on.
  std::chrono::milliseconds delay{0};
  // Sent with Transfer-Encoding: chunked, without Content-Length (the size unknown up front).
  bool chunked = false;

  static LoopbackResponse Json(const boost::json::value& value, int status = 200);
  static LoopbackResponse Text(std::string body, int status = 200,
                               std::string content_type = "text/plain");
  static LoopbackResponse Redirect(std::string location, int status = 302);
};

using LoopbackHandler = std::function<LoopbackResponse(const LoopbackRequest&)>;

class LoopbackHttpServer {
 public:
  LoopbackHttpServer();  // listening when constructed
  ~LoopbackHttpServer();  // stops and joins the thread; open connections are dropped
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:PORT", no trailing slash

  // Serves `method` on exactly `path` (the query is not matched); a later Route replaces an
  // earlier one. Unrouted requests get 404 {"error":"not_found"}. Handlers run on the server's
  // thread: they must not block (use `delay`).
  void Route(std::string method, std::string path, LoopbackHandler handler);

  std::vector<LoopbackRequest> Requests() const;  // oldest first (at most 10,000 kept)
  std::vector<LoopbackRequest> RequestsTo(std::string_view path) const;
  size_t CountTo(std::string_view path) const;
  void ClearRequests();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::testing_support
