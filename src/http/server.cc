#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/decode_view.hpp>
#include <spdlog/spdlog.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <thread>

#include "base/log.h"
#include "base/request_origin.h"
#include "base/utf8.h"
#include "crypto/random.h"
#include "http/connection_limiter.h"
#include "http/problem.h"
#include "http/request_path.h"

namespace tessera::http {
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
// After a failed accept (out of descriptors): long enough not to spin, short enough that a
// descriptor freed meanwhile is used at once.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);
// A password check shed for overload (503 from a kHashing route) is answered after this
// pause, taken on the connection's coroutine (no thread waits). A client that retries at once
// — a flood — then costs one request a second per connection instead of thousands, and the
// CPU stays with the requests that got in and with everyone else's (token endpoints); a
// person is told to retry later anyway (Retry-After >= 1 s).
constexpr auto kShedHold = std::chrono::seconds(1);
constexpr int kHashingNice = 10;

void SetSecurityHeaders(beast_http::response<beast_http::string_body>& res) {
  // Defaults: a handler may set its own (pages need a CSP that allows their stylesheet).
  // (A linear scan with iequals: basic_fields::find(string_view) missed headers inserted by
  // name here, under Beast's separate compilation.)
  auto set_default = [&res](std::string_view name, std::string_view value) {
    for (const auto& f : res) {
      if (beast::iequals(f.name_string(), name)) return;
    }
    res.set(name, value);
  };
  set_default("X-Content-Type-Options", "nosniff");
  set_default("X-Frame-Options", "DENY");
  set_default("Referrer-Policy", "no-referrer");
  set_default("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  // Responses carry credentials and personal data: no caching unless a handler says so.
  if (res.find(beast_http::field::cache_control) == res.end()) res.set("Cache-Control", "no-store");
}

// A request's id when the client sent none, shaped as a UUID version 7 (time first: ids sort
// by time in the logs). It is no secret and nothing trusts it, so a per-thread generator
// seeded once from the system's CSPRNG stands in for crypto::NewUuid, whose getrandom(2) per
// call was 2.7% of a `me` request.
std::string NewRequestId() {
  thread_local std::mt19937_64 bits = [] {
    std::string seed = crypto::RandomBytes(sizeof(uint64_t));
    uint64_t s = 0;
    std::memcpy(&s, seed.data(), sizeof s);
    return std::mt19937_64(s);
  }();
  uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  uint64_t hi = (ms << 16) | 0x7000 | (bits() & 0x0fff);              // time, version 7
  uint64_t lo = (bits() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 9562 variant
  char out[37];
  std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return std::string(out, 36);
}

// The request id: the client's if it is short and printable, else a new one.
std::string RequestIdFor(const RawRequest& raw) {
  auto it = raw.find("X-Request-Id");
  if (it != raw.end()) {
    std::string_view v = it->value();
    bool ok = !v.empty() && v.size() <= 128 && std::all_of(v.begin(), v.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (ok) return std::string(v);
  }
  return NewRequestId();
}

// The hashing pool's threads run at a lower CPU priority (nice +10; on Linux the nice value
// is per thread): argon2 saturates every core it is given, and under a sign-in flood the
// token endpoints, `me` and the network threads must still get the CPU first. The hash-time
// estimate measures the slower hashes, so admission and Retry-After follow. Once per thread
// (an unprivileged thread may raise its nice value, never lower it back).
void YieldToOtherWork() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kHashingNice);
}

bool ExpectsContinue(const RawRequest& req) {
  auto it = req.find(beast_http::field::expect);
  return it != req.end() && beast::iequals(it->value(), "100-continue");
}

}  // namespace

struct Server::Impl {
  ServerOptions opt;
  const Router& router;
  RequestObserver& observer;
  Metrics& metrics;
  // Before the io_context: sessions still suspended when it is destroyed give their places
  // back (SlotGuard) as their frames go.
  ConnectionLimiter limiter;
  net::io_context ioc;
  net::thread_pool workers;
  net::thread_pool hashing_workers;
  tcp::acceptor acceptor{ioc};
  tcp::acceptor metrics_acceptor{ioc};  // open only with a metrics listener
  net::signal_set signals{ioc, SIGINT, SIGTERM};
  std::atomic<bool> shutdown_begun{false};  // told on_shutdown; serving out shutdown_delay
  std::atomic<bool> stopping{false};        // not accepting; closing connections as they end
  std::atomic<int> in_flight{0};

  Impl(ServerOptions o, const Router& r, RequestObserver& obs, Metrics& m)
      : opt(std::move(o)), router(r), observer(obs), metrics(m), limiter(opt.max_connections, m),
        ioc(opt.io_threads), workers(static_cast<size_t>(std::max(1, opt.workers))),
        hashing_workers(static_cast<size_t>(std::max(1, opt.hashing_workers))) {}

  // With a metrics listener, its path is served there and nowhere else, and only it there.
  bool OnWrongListener(const Request& req, bool metrics_listener) const {
    if (opt.metrics_host.empty()) return false;
    return (req.path == opt.metrics_path) != metrics_listener;
  }

  static Response Unrouted(const RouteMatch& match) {
    if (match.status != 405) return Problem(404, "not-found", "Not found", "no such endpoint");
    Response r = Problem(405, "method-not-allowed", "Method not allowed", "");
    r.WithHeader("Allow", match.allow);
    return r;
  }

  static Response Invoke(const Route& route, Request& req) {
    // Whatever the handler records in the audit log carries where the request came from.
    ScopedRequestOrigin origin(
        {req.remote_ip, std::string(req.Header(beast_http::field::user_agent))});
    try {
      return route.handler(req);
    } catch (const std::exception& e) {  // last resort: a bug must not kill the server
      LogJson(spdlog::level::err, "handler_threw", {{"request_id", req.request_id}, {"error", e.what()}});
      return Problem(500, "internal", "Internal error", "");
    }
  }

  net::awaitable<Response> RouteAndRun(Request& req, const Route** route) {
    RouteMatch match = router.Match(req.raw.method(), req);
    *route = match.route;
    if (!match.route && (match.status == 405 || !opt.not_found)) co_return Unrouted(match);
    if (!match.route) {
      // The 404 page may look the app up (its branding): on the workers, as any handler.
      co_return co_await net::co_spawn(
          workers,
          [&]() -> net::awaitable<Response> {
            try {
              co_return opt.not_found(req);
            } catch (const std::exception& e) {
              LogJson(spdlog::level::err, "handler_threw",
                      {{"request_id", req.request_id}, {"error", e.what()}});
              co_return Unrouted(match);
            }
          },
          net::use_awaitable);
    }
    if (match.route->dispatch == Dispatch::kInline) co_return Invoke(*match.route, req);
    const Route& r = *match.route;
    auto& pool = r.dispatch == Dispatch::kHashing ? hashing_workers : workers;
    bool hashing = r.dispatch == Dispatch::kHashing;
    co_return co_await net::co_spawn(
        pool,
        [&]() -> net::awaitable<Response> {
          if (hashing) YieldToOtherWork();
          co_return Invoke(r, req);
        },
        net::use_awaitable);
  }

  net::awaitable<void> Write(beast::tcp_stream& stream, const Request* req, Response res,
                             bool keep_alive, const std::string& request_id) {
    beast_http::response<beast_http::string_body> out{static_cast<beast_http::status>(res.status),
                                                      11};
    out.set(beast_http::field::server, "tessera");
    if (!res.content_type.empty()) out.set(beast_http::field::content_type, res.content_type);
    // insert, not set: a response may carry several Set-Cookie headers.
    for (auto& [k, v] : res.headers) out.insert(k, v);
    out.set("X-Request-Id", request_id);
    SetSecurityHeaders(out);
    bool head = req && req->raw.method() == beast_http::verb::head;
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive && !stopping.load());
    out.prepare_payload();
    if (head) out.body().clear();
    stream.expires_after(opt.read_timeout);
    beast_http::serializer<false, beast_http::string_body> sr{out};
    if (head) {
      co_await beast_http::async_write_header(stream, sr, kTuple);
    } else {
      co_await beast_http::async_write(stream, out, kTuple);
    }
  }

  // Answers an error the HTTP layer found before routing (limits, bad path) and closes.
  net::awaitable<void> Reject(beast::tcp_stream& stream, Response res, Clock::time_point start) {
    Request dummy;
    dummy.request_id = NewRequestId();
    observer.OnResponse(dummy, nullptr, res.status,
                        std::chrono::duration<double>(Clock::now() - start).count());
    co_await Write(stream, nullptr, std::move(res), false, dummy.request_id);
  }

  // How the limiter evicts this connection: close its socket on its own strand, and only
  // while the session still lives (`live` is cleared, on that strand, when it ends).
  static std::function<void()> Evictor(beast::tcp_stream& stream,
                                       std::shared_ptr<beast::tcp_stream*> live) {
    return [exec = stream.get_executor(), live = std::move(live)] {
      net::post(exec, [live] {
        if (*live == nullptr) return;
        boost::system::error_code ignored;
        (*live)->socket().close(ignored);
      });
    };
  }

  // Gives the connection's place back however the session ends (declared after the stream:
  // runs before the stream is destroyed).
  struct SlotGuard {
    ConnectionLimiter& limiter;
    std::shared_ptr<ConnectionLimiter::Slot> slot;
    std::shared_ptr<beast::tcp_stream*> live;
    ~SlotGuard() {
      *live = nullptr;
      limiter.Release(*slot);
    }
  };

  net::awaitable<void> Session(tcp::socket socket, bool metrics_listener,
                               std::shared_ptr<ConnectionLimiter::Slot> slot) {
    beast::tcp_stream stream(std::move(socket));
    SlotGuard guard{limiter, std::move(slot), std::make_shared<beast::tcp_stream*>(&stream)};
    guard.slot->SetEvictor(Evictor(stream, guard.live));
    ConnectionLimiter::Slot& place = *guard.slot;
    beast::flat_buffer buffer;
    std::optional<net::ip::address> peer;
    boost::system::error_code ep_ec;
    auto ep = stream.socket().remote_endpoint(ep_ec);
    if (!ep_ec) peer = ep.address();
    for (;;) {
      beast_http::request_parser<beast_http::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(opt.max_header_bytes));
      parser.body_limit(opt.max_body_bytes);
      // Idle deadline until the first byte of a request; from then on the read deadline
      // covers header and body, so a client that trickles bytes is cut off in time.
      if (buffer.size() == 0) {
        stream.expires_after(opt.idle_timeout);
        limiter.Idle(place);
        auto [ec0, n0] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
        limiter.Busy(place);
        if (ec0) break;
        buffer.commit(n0);
      }
      stream.expires_after(opt.read_timeout);
      auto [ec, n] = co_await beast_http::async_read_header(stream, buffer, parser, kTuple);
      auto start = Clock::now();
      if (ec == beast_http::error::header_limit) {
        co_await Reject(stream, Problem(431, "header-too-large", "Request header fields too large", ""), start);
        break;
      }
      if (ec == beast_http::error::body_limit) {
        co_await Reject(stream, Problem(413, "payload-too-large", "Payload too large", ""), start);
        break;
      }
      if (ec && ec.category() == beast_http::make_error_code(beast_http::error::bad_method).category() &&
          ec != beast_http::error::end_of_stream && ec != beast_http::error::partial_message) {
        co_await Reject(stream, Problem(400, "malformed-request", "Malformed request",
                                        "not a valid HTTP/1.1 request"), start);
        break;
      }
      if (ec) break;  // closed or timed out
      if (!parser.is_done() && ExpectsContinue(parser.get())) {
        // RFC 9110 §10.1.1: the client waits for this before sending the body.
        beast_http::response<beast_http::empty_body> cont{beast_http::status::continue_, 11};
        auto [ec_c, n_c] = co_await beast_http::async_write(stream, cont, kTuple);
        if (ec_c) break;
      }
      if (!parser.is_done()) {
        auto [ec2, n2] = co_await beast_http::async_read(stream, buffer, parser, kTuple);
        if (ec2 == beast_http::error::body_limit) {
          co_await Reject(stream, Problem(413, "payload-too-large", "Payload too large", ""), start);
          break;
        }
        if (ec2) break;
      }
      Request req;
      req.raw = parser.release();
      if (peer) {
        ClientEndpoint client = ResolveClient(*peer, req.raw, opt.forwarding);
        req.remote_ip = std::move(client.ip);
        req.scheme = std::move(client.scheme);
        req.peer_ip = peer->to_string();
      }
      req.request_id = RequestIdFor(req.raw);
      bool keep_alive = req.raw.keep_alive();
      const Route* route = nullptr;
      Response res;
      in_flight.fetch_add(1);
      if (!DecodeRequestPath(req.raw.target(), &req.path)) {
        res = Problem(400, "malformed-request", "Malformed request", "bad request target");
      } else if (OnWrongListener(req, metrics_listener)) {
        res = Problem(404, "not-found", "Not found", "no such endpoint");
      } else {
        res = co_await RouteAndRun(req, &route);
        if (route && route->dispatch == Dispatch::kHashing && res.status == 503) {
          net::steady_timer hold(stream.get_executor(), kShedHold);
          co_await hold.async_wait(kTuple);
        }
      }
      double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      observer.OnResponse(req, route, res.status, seconds);
      co_await Write(stream, &req, std::move(res), keep_alive, req.request_id);
      in_flight.fetch_sub(1);
      if (!keep_alive || stopping.load()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  net::awaitable<void> Accept(tcp::acceptor& from, bool metrics_listener) {
    net::steady_timer pause(ioc);
    for (;;) {
      auto [ec, socket] = co_await from.async_accept(net::make_strand(ioc), kTuple);
      if (ec == net::error::connection_aborted) continue;  // that client gave up; next
      if (ec) {
        if (!from.is_open() || stopping.load()) co_return;
        // EMFILE, ENFILE, ENOBUFS …: the connection stays queued, so accepting again at once
        // fails again — a busy loop. Free a descriptor if an idle connection holds one, and
        // pause; the connections we have are served meanwhile.
        metrics.accept_backoffs.Inc();
        limiter.EvictOldestIdle();
        pause.expires_after(kAcceptBackoff);
        co_await pause.async_wait(kTuple);
        continue;
      }
      auto slot = limiter.Admit();
      if (!slot) {  // at the cap and every connection busy: refuse this one now
        socket.close(ec);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto exec = socket.get_executor();
      net::co_spawn(exec, Session(std::move(socket), metrics_listener, std::move(slot)),
                    net::detached);
    }
  }

  void BeginShutdown() {
    if (shutdown_begun.exchange(true)) return;
    if (opt.on_shutdown) opt.on_shutdown();
    if (opt.shutdown_delay.count() <= 0) return CloseAndDrain();
    net::co_spawn(
        ioc,
        [this]() -> net::awaitable<void> {
          net::steady_timer timer(ioc, opt.shutdown_delay);
          co_await timer.async_wait(kTuple);
          CloseAndDrain();
        },
        net::detached);
  }

  void CloseAndDrain() {
    if (stopping.exchange(true)) return;
    net::post(ioc, [this] {
      boost::system::error_code ec;
      acceptor.close(ec);
      metrics_acceptor.close(ec);
      signals.cancel(ec);
      net::co_spawn(ioc, Drain(), net::detached);
    });
  }

  net::awaitable<void> Drain() {
    auto deadline = Clock::now() + opt.drain_timeout;
    net::steady_timer timer(ioc);
    while (in_flight.load() > 0 && Clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(kTuple);
    }
    ioc.stop();
  }
};

Server::Server(ServerOptions options, const Router& router, RequestObserver& observer,
               Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, observer, metrics)) {}

Server::~Server() {
  impl_->workers.join();
  impl_->hashing_workers.join();
}

namespace {

Result<uint16_t> Bind(tcp::acceptor& acc, const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return InvalidArgumentError("bad listen address: " + host);
  tcp::endpoint ep(address, port);
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return UnavailableError("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                            ec.message());
  }
  return acc.local_endpoint().port();
}

}  // namespace

Result<uint16_t> Server::Listen() {
  const ServerOptions& o = impl_->opt;
  if (!o.metrics_host.empty()) {
    TESSERA_RETURN_IF_ERROR(Bind(impl_->metrics_acceptor, o.metrics_host, o.metrics_port).status());
  }
  return Bind(impl_->acceptor, o.host, o.port);
}

uint16_t Server::metrics_port() const {
  boost::system::error_code ec;
  auto ep = impl_->metrics_acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::Run() {
  auto& im = *impl_;
  im.signals.async_wait([&im](const boost::system::error_code& ec, int) {
    if (!ec) im.BeginShutdown();
  });
  net::co_spawn(im.ioc, im.Accept(im.acceptor, false), net::detached);
  if (im.metrics_acceptor.is_open()) {
    net::co_spawn(im.ioc, im.Accept(im.metrics_acceptor, true), net::detached);
  }
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, im.opt.io_threads); ++i) threads.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : threads) t.join();
  im.workers.join();
  im.hashing_workers.join();
}

void Server::Stop() { impl_->BeginShutdown(); }

}  // namespace tessera::http
