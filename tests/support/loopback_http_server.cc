#include "tests/support/loopback_http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <mutex>
#include <thread>

#include "http/form.h"

namespace tessera::testing_support {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr size_t kMaxRecorded = 10'000;
constexpr size_t kMaxBody = 16 << 20;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return beast::iequals(a, b);
}

std::map<std::string, std::string> Decode(std::string_view text) {
  auto parsed = http::ParseForm(text);
  return parsed.ok() ? *parsed : std::map<std::string, std::string>{};
}

}  // namespace

std::string LoopbackRequest::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return {};
}

bool LoopbackRequest::HasHeader(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return true;
  }
  return false;
}

std::map<std::string, std::string> LoopbackRequest::Query() const { return Decode(query); }
std::map<std::string, std::string> LoopbackRequest::Form() const { return Decode(body); }

LoopbackResponse LoopbackResponse::Json(const boost::json::value& value, int status) {
  LoopbackResponse r;
  r.status = status;
  r.body = boost::json::serialize(value);
  return r;
}

LoopbackResponse LoopbackResponse::Text(std::string body, int status, std::string content_type) {
  LoopbackResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

LoopbackResponse LoopbackResponse::Redirect(std::string location, int status) {
  LoopbackResponse r;
  r.status = status;
  r.content_type = "";
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

struct LoopbackHttpServer::Impl {
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  uint16_t port = 0;
  mutable std::mutex mu;
  std::map<std::pair<std::string, std::string>, LoopbackHandler> routes;
  std::vector<LoopbackRequest> requests;
  std::thread thread;

  LoopbackHandler HandlerFor(const std::string& method, const std::string& path) const {
    std::lock_guard lock(mu);
    auto it = routes.find({method, path});
    return it == routes.end() ? LoopbackHandler() : it->second;
  }

  void Record(const LoopbackRequest& request) {
    std::lock_guard lock(mu);
    if (requests.size() < kMaxRecorded) requests.push_back(request);
  }

  static LoopbackRequest Read(const bhttp::request<bhttp::string_body>& req) {
    LoopbackRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    size_t q = r.target.find('?');
    r.path = r.target.substr(0, q);
    if (q != std::string::npos) r.query = r.target.substr(q + 1);
    for (const auto& field : req) {
      r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    r.body = req.body();
    return r;
  }

  net::awaitable<void> Serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(kMaxBody);
      auto [read_error, read] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
      if (read_error) co_return;
      const auto& req = parser.get();
      LoopbackRequest recorded = Read(req);
      Record(recorded);
      LoopbackHandler handler = HandlerFor(recorded.method, recorded.path);
      LoopbackResponse out = handler ? handler(recorded)
                                     : LoopbackResponse::Json({{"error", "not_found"}}, 404);
      if (out.delay.count() > 0) {
        net::steady_timer timer(co_await net::this_coro::executor);
        timer.expires_after(out.delay);
        co_await timer.async_wait(kTuple);
      }
      bhttp::response<bhttp::string_body> res;
      res.version(req.version());
      res.result(static_cast<unsigned>(out.status));
      if (!out.content_type.empty()) res.set(bhttp::field::content_type, out.content_type);
      for (const auto& [name, value] : out.headers) res.insert(name, value);
      res.body() = std::move(out.body);
      res.keep_alive(req.keep_alive());
      if (out.chunked) {
        res.chunked(true);
      } else {
        res.prepare_payload();
      }
      auto [write_error, written] = co_await bhttp::async_write(stream, res, kTuple);
      if (write_error || !res.keep_alive()) co_return;
    }
  }

  net::awaitable<void> Accept() {
    for (;;) {
      auto [error, socket] = co_await acceptor.async_accept(kTuple);
      if (error) co_return;  // closed: the server is going away
      net::co_spawn(ioc, Serve(std::move(socket)), net::detached);
    }
  }
};

LoopbackHttpServer::LoopbackHttpServer() : impl_(std::make_unique<Impl>()) {
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  net::co_spawn(impl_->ioc, impl_->Accept(), net::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
  // Close the listening socket on its own thread, then stop: the pending coroutines (open
  // connections, delayed answers) are destroyed with the io_context.
  net::post(impl_->ioc, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->ioc.stop();
  });
  impl_->thread.join();
}

uint16_t LoopbackHttpServer::port() const { return impl_->port; }

std::string LoopbackHttpServer::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

void LoopbackHttpServer::Route(std::string method, std::string path, LoopbackHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->routes[{std::move(method), std::move(path)}] = std::move(handler);
}

std::vector<LoopbackRequest> LoopbackHttpServer::Requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}

std::vector<LoopbackRequest> LoopbackHttpServer::RequestsTo(std::string_view path) const {
  std::lock_guard lock(impl_->mu);
  std::vector<LoopbackRequest> out;
  for (const auto& r : impl_->requests) {
    if (r.path == path) out.push_back(r);
  }
  return out;
}

size_t LoopbackHttpServer::CountTo(std::string_view path) const {
  return RequestsTo(path).size();
}

void LoopbackHttpServer::ClearRequests() {
  std::lock_guard lock(impl_->mu);
  impl_->requests.clear();
}

}  // namespace tessera::testing_support
