#include "jwks_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace tessera::resource_server::testing {
namespace {

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;  // the client gave up (e.g. its timeout): fine
    off += static_cast<size_t>(n);
  }
}

}  // namespace

JwksServer::JwksServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("bind/listen on 127.0.0.1");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Run(); });
}

JwksServer::~JwksServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
}

std::string JwksServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/apps/blog/.well-known/jwks.json";
}

void JwksServer::Serve(std::string body, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  body_ = std::move(body);
  status_ = status;
}

void JwksServer::Handle(std::function<Reply(const ReceivedRequest&)> handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

void JwksServer::SetDelay(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  delay_ = delay;
}

void JwksServer::Run() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Answer(fd);
    ::close(fd);
  }
}

namespace {

// The request line and headers of `head` (up to the blank line).
ReceivedRequest ParseHead(const std::string& head) {
  ReceivedRequest r;
  size_t eol = head.find("\r\n");
  std::string line = head.substr(0, eol);
  size_t sp1 = line.find(' ');
  size_t sp2 = line.find(' ', sp1 + 1);
  r.method = line.substr(0, sp1);
  r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t end = head.find("\r\n\r\n");
  for (size_t at = eol + 2; at < end;) {
    size_t next = head.find("\r\n", at);
    std::string h = head.substr(at, next - at);
    size_t colon = h.find(':');
    if (colon != std::string::npos) {
      std::string name = h.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t v = h.find_first_not_of(' ', colon + 1);
      r.headers[name] = v == std::string::npos ? "" : h.substr(v);
    }
    at = next + 2;
  }
  return r;
}

}  // namespace

void JwksServer::Answer(int fd) {
  // Read the request head, then the body its Content-Length announces.
  std::string data;
  char buf[2048];
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  auto read_more = [&]() {
    pollfd p{fd, POLLIN, 0};
    if (std::chrono::steady_clock::now() > until || ::poll(&p, 1, 50) < 0) return false;
    if (!(p.revents & POLLIN)) return true;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    data.append(buf, static_cast<size_t>(n));
    return true;
  };
  while (data.find("\r\n\r\n") == std::string::npos && data.size() < 16384) {
    if (!read_more()) return;
  }
  if (data.find("\r\n\r\n") == std::string::npos) return;
  size_t body_at = data.find("\r\n\r\n") + 4;
  ReceivedRequest req = ParseHead(data.substr(0, body_at));
  size_t length = req.headers.count("content-length")
                      ? static_cast<size_t>(std::strtoul(req.headers["content-length"].c_str(), nullptr, 10))
                      : 0;
  while (data.size() < body_at + length && length <= 1 << 20) {
    if (!read_more()) return;
  }
  req.body = data.substr(body_at, length);
  ++requests_;
  Reply reply;
  std::chrono::milliseconds delay;
  std::function<Reply(const ReceivedRequest&)> handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    reply.body = body_;
    reply.status = status_;
    reply.content_type = "application/jwk-set+json";
    delay = delay_;
    handler = handler_;
  }
  if (handler) reply = handler(req);
  auto wake = std::chrono::steady_clock::now() + delay;
  while (!stop_ && std::chrono::steady_clock::now() < wake) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string response = "HTTP/1.1 " + std::to_string(reply.status) + " " + Reason(reply.status) +
                         "\r\nContent-Type: " + reply.content_type + "\r\nContent-Length: " +
                         std::to_string(reply.body.size()) +
                         "\r\nCache-Control: public, max-age=300\r\nConnection: close\r\n\r\n" + reply.body;
  SendAll(fd, response);
}

}  // namespace tessera::resource_server::testing
