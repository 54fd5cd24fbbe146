#include "http_server.h"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>

#include <atomic>
#include <iostream>
#include <thread>
#include <vector>

namespace pocket {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

Response PlainError(unsigned status, const std::string& message) {
  Response r{static_cast<http::status>(status), 11};
  r.set(http::field::content_type, "application/json");
  r.set(http::field::cache_control, "no-store");
  r.body() = "{\"error\":\"" + message + "\"}";
  r.keep_alive(false);
  r.prepare_payload();
  return r;
}

struct ConnectionSlot {
  explicit ConnectionSlot(std::atomic<std::size_t>& n) : n_(n) { ++n_; }
  ~ConnectionSlot() { --n_; }
  std::atomic<std::size_t>& n_;
};

asio::awaitable<void> Serve(tcp::socket socket, const ServerOptions& options, const Handler& handler,
                            std::atomic<std::size_t>& open) {
  ConnectionSlot slot(open);
  std::string remote_ip;
  boost::system::error_code addr_ec;
  auto endpoint = socket.remote_endpoint(addr_ec);
  if (!addr_ec) remote_ip = endpoint.address().to_string();
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  bool drain = false;  // the client may still be sending a body we refused
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    stream.expires_after(options.io_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    (void)n;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
        ec == asio::error::connection_reset) {
      break;
    }
    Response res;
    bool keep_alive = false;
    drain = ec == http::error::body_limit;
    if (ec == http::error::body_limit) {
      res = PlainError(413, "payload_too_large");
    } else if (ec == http::error::header_limit) {
      res = PlainError(431, "headers_too_large");
    } else if (ec) {
      res = PlainError(400, "bad_request");
    } else {
      Request req = parser.release();
      keep_alive = req.keep_alive();
      try {
        res = handler(req, remote_ip);
      } catch (const std::exception& e) {
        std::cerr << "pocket: handler failed: " << e.what() << "\n";
        res = PlainError(500, "internal_error");
      }
      res.keep_alive(keep_alive && res.keep_alive());
      res.prepare_payload();
    }
    keep_alive = res.keep_alive();
    stream.expires_after(options.io_timeout);
    auto [wec, wn] = co_await http::async_write(stream, res, kUseTuple);
    (void)wn;
    if (wec || !keep_alive) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (drain) {
    // Read (and drop) what the client still sends, briefly, so that closing does not reset
    // the connection before it has read our 413 (a "lingering close").
    stream.expires_after(std::chrono::seconds(2));
    std::size_t total = 0;
    char sink[16 * 1024];
    while (total < 4 * 1024 * 1024) {
      auto [rec, got] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
      if (rec) break;
      total += got;
    }
  }
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, const ServerOptions& options,
                             const Handler& handler, std::atomic<std::size_t>& open) {
  for (;;) {
    // Each connection on a strand of its own: its timer and its socket never race.
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(acceptor.get_executor()), kUseTuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // e.g. EMFILE: try again with the next one
    if (open.load() >= options.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Serve(std::move(socket), options, handler, open),
                   asio::detached);
  }
}

}  // namespace

void RunHttpServer(const ServerOptions& options, Handler handler,
                   std::function<void(unsigned short)> on_listening) {
  asio::io_context io(options.threads);
  tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  if (on_listening) on_listening(acceptor.local_endpoint().port());

  std::atomic<std::size_t> open{0};
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    io.stop();
  });
  asio::co_spawn(io, Accept(acceptor, options, handler, open), asio::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < options.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
}

}  // namespace pocket
