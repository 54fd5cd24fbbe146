#include "http/router.h"

namespace tessera::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') { ++i; continue; }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool Matches(const Route& route, const std::vector<std::string_view>& parts, Request* req) {
  if (route.segments.size() != parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    bool is_param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (!is_param && seg != parts[i]) return false;
  }
  if (req) {
    for (size_t i = 0; i < parts.size(); ++i) {
      const std::string& seg = route.segments[i];
      if (seg.front() == '{') req->params[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
    }
  }
  return true;
}

}  // namespace

Router::Router(Metrics& metrics)
    : metrics_(metrics), unmatched_(&metrics.RegisterRoute("ANY", "unmatched")) {}

void Router::Add(beast_http::verb method, std::string pattern, Handler handler,
                 Dispatch dispatch) {
  std::vector<std::string> segments;
  for (auto s : Split(pattern)) segments.emplace_back(s);
  RouteMetrics* m = &metrics_.RegisterRoute(std::string(beast_http::to_string(method)), pattern);
  routes_.push_back({method, std::move(pattern), std::move(segments), std::move(handler), dispatch, m});
}

RouteMatch Router::Match(beast_http::verb method, Request& request) const {
  auto parts = Split(request.path);
  // A trailing slash is a different resource: "/api/me/" does not match "/api/me".
  if (request.path.size() > 1 && request.path.back() == '/') return {};
  RouteMatch result;
  for (const Route& r : routes_) {
    if (!Matches(r, parts, nullptr)) continue;
    if (r.method == method || (method == beast_http::verb::head && r.method == beast_http::verb::get)) {
      Matches(r, parts, &request);
      result.route = &r;
      return result;
    }
    result.status = 405;
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += std::string(beast_http::to_string(r.method));
  }
  return result;
}

}  // namespace tessera::http
