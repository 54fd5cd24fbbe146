#include "jwks_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace tessera::resource_server::testing {
namespace {

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
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

void JwksServer::Answer(int fd) {
  // Read the request head (the body of a GET is empty).
  std::string head;
  char buf[2048];
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384) {
    pollfd p{fd, POLLIN, 0};
    if (std::chrono::steady_clock::now() > until || ::poll(&p, 1, 50) < 0) return;
    if (!(p.revents & POLLIN)) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  ++requests_;
  std::string body;
  int status;
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    body = body_;
    status = status_;
    delay = delay_;
  }
  auto wake = std::chrono::steady_clock::now() + delay;
  while (!stop_ && std::chrono::steady_clock::now() < wake) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) +
                         "\r\nContent-Type: application/jwk-set+json\r\nContent-Length: " +
                         std::to_string(body.size()) +
                         "\r\nCache-Control: public, max-age=300\r\nConnection: close\r\n\r\n" + body;
  SendAll(fd, response);
}

}  // namespace tessera::resource_server::testing
