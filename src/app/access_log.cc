#include "app/access_log.h"

#include <charconv>

#include "base/log.h"
#include "base/utf8.h"

namespace tessera::app {
namespace {

// `text` as a JSON string. The access line is written by hand rather than built as a JSON
// object and serialized: it is the one log line every request pays for, and the object (a
// map, its keys, a copy in LogJson) cost more than the rest of a `me` request's logging.
void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

void AppendField(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  AppendJsonString(out, value);
}

void AppendField(std::string& out, std::string_view key, int64_t value) {
  out += ",\"";
  out += key;
  out += "\":";
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

}  // namespace

void AccessLog::OnResponse(const http::Request& req, const http::Route* route, unsigned status,
                           double seconds) {
  requests_seen_.fetch_add(1, std::memory_order_relaxed);
  RouteMetrics& m = route ? *route->metrics : router_.unmatched_metrics();
  m.Record(status, seconds);
  auto level = status >= 500 ? spdlog::level::warn : spdlog::level::info;
  if (!spdlog::should_log(level)) return;
  // The logger's pattern opens the object with ts and level (as LogJson's lines).
  std::string line = "\"msg\":\"request\"";
  line.reserve(256);
  AppendField(line, "request_id", req.request_id);
  AppendField(line, "method", http::beast_http::to_string(req.raw.method()));
  AppendField(line, "route", route ? std::string_view(route->pattern) : "unmatched");
  AppendField(line, "status", static_cast<int64_t>(status));
  AppendField(line, "latency_us", static_cast<int64_t>(seconds * 1e6));
  AppendField(line, "remote", req.remote_ip);
  // Through a trusted proxy: which one, and the scheme the client used.
  if (req.peer_ip != req.remote_ip) {
    AppendField(line, "peer", req.peer_ip);
    AppendField(line, "scheme", req.scheme);
  }
  line += '}';
  if (!IsValidUtf8(line)) line = ToValidUtf8(line);  // a header may hold any byte
  spdlog::log(level, "{}", line);
}

}  // namespace tessera::app
