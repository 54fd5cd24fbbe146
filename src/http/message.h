// File: message.h
// Request and Response as handlers see them: plain values, no sockets, so a handler is a
// synchronous function testable without a network (Beast's message_generator idea).
#pragma once

#include <boost/beast/http.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tessera::http {

namespace beast_http = boost::beast::http;
using RawRequest = beast_http::request<beast_http::string_body>;

struct Request {
  RawRequest raw;
  std::string path;  // percent-decoded path, without the query
  std::unordered_map<std::string, std::string> params;  // from {name} segments of the route
  // The client's address: the socket peer, or — only when the peer is one of
  // --trusted-proxies — the address that proxy forwarded (http/forwarded.h). The one client IP
  // of throttles, mail limits, the audit log and the access log.
  std::string remote_ip;
  std::string peer_ip;          // the socket peer itself (the proxy, behind one)
  std::string scheme = "http";  // "https" only when a trusted proxy says the client used it
  std::string request_id;

  std::string_view Header(beast_http::field f) const {
    auto it = raw.find(f);
    return it == raw.end() ? std::string_view() : std::string_view(it->value());
  }
  std::string_view Header(std::string_view name) const {
    auto it = raw.find(name);
    return it == raw.end() ? std::string_view() : std::string_view(it->value());
  }
  // Every value of a header that may be sent more than once (each field line as sent).
  std::vector<std::string_view> Headers(std::string_view name) const {
    std::vector<std::string_view> out;
    for (auto [it, end] = raw.equal_range(name); it != end; ++it) out.emplace_back(it->value());
    return out;
  }
  const std::string& Param(const std::string& name) const;
  const std::string& body() const { return raw.body(); }
};

struct Response {
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // Out of line on purpose: inlined into callers, g++ 12 reports -Warray-bounds false
  // positives on the moved strings (GCC bug 105651).
  Response& WithHeader(std::string name, std::string value);
};

Response JsonResponse(unsigned status, const boost::json::value& body);
Response TextResponse(unsigned status, std::string content_type, std::string body);
Response NoContent();

}  // namespace tessera::http
