// CurlOutboundHttp against a real server on loopback (tests/support/loopback_http_server.h):
// libcurl itself, not a mock of it.
#include "outbound/outbound_http.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/support/loopback_http_server.h"

namespace tessera::services {
namespace {

using testing::HasSubstr;
using testing::Not;
using testing_support::LoopbackHttpServer;
using testing_support::LoopbackRequest;
using testing_support::LoopbackResponse;

CurlOutboundHttpOptions Fast() {
  CurlOutboundHttpOptions o;
  o.connect_timeout_ms = 1000;
  o.total_timeout_ms = 400;
  o.max_response_bytes = 1000;
  o.user_agent = "Tessera-test/1";
  o.allow_private_addresses = true;  // the test servers are on 127.0.0.1
  return o;
}

// The server's default: public addresses only.
CurlOutboundHttpOptions PublicOnly() {
  CurlOutboundHttpOptions o = Fast();
  o.allow_private_addresses = false;
  return o;
}

TEST(CurlOutboundHttp, ReturnsStatusBodyAndContentTypeOfAnyAnswer) {
  LoopbackHttpServer server;
  server.Route("GET", "/thing", [](const LoopbackRequest&) {
    auto r = LoopbackResponse::Json({{"ok", true}}, 201);
    r.content_type = "application/json; charset=utf-8";
    return r;
  });
  CurlOutboundHttp http(Fast());
  OutboundRequest request;
  request.url = server.url() + "/thing?x=1";
  request.headers = {{"Accept", "application/json"}, {"X-Extra", "yes"}};
  auto response = http.Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->content_type, "application/json; charset=utf-8");
  EXPECT_EQ(response->body, R"({"ok":true})");

  auto seen = server.RequestsTo("/thing");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].query, "x=1");
  EXPECT_EQ(seen[0].Header("user-agent"), "Tessera-test/1");
  EXPECT_EQ(seen[0].Header("accept"), "application/json");
  EXPECT_EQ(seen[0].Header("x-extra"), "yes");
  EXPECT_FALSE(seen[0].HasHeader("expect"));

  // An error status is an answer too: the caller judges it.
  request.url = server.url() + "/nowhere";
  response = http.Send(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
}

TEST(CurlOutboundHttp, PostsTheBodyAsAForm) {
  LoopbackHttpServer server;
  server.Route("POST", "/token", [](const LoopbackRequest& r) {
    return LoopbackResponse::Text(r.body.size() < 100 ? "got " + r.body : "got a big one");
  });
  CurlOutboundHttp http(Fast());
  OutboundRequest request;
  request.method = "POST";
  request.url = server.url() + "/token";
  request.body = "grant_type=authorization_code&code=abc";
  request.headers = {{"Authorization", "Basic eDp5"}};
  auto response = http.Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "got grant_type=authorization_code&code=abc");
  EXPECT_EQ(response->content_type, "text/plain");
  auto seen = server.RequestsTo("/token").at(0);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.Header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen.Header("authorization"), "Basic eDp5");
  EXPECT_EQ(seen.Form().at("code"), "abc");

  // A body larger than libcurl's Expect: 100-continue threshold goes in one request too.
  request.body = "code=" + std::string(2 << 20, 'a');
  response = http.Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "got a big one");
  EXPECT_EQ(server.RequestsTo("/token").at(1).body.size(), request.body.size());
  EXPECT_FALSE(server.RequestsTo("/token").at(1).HasHeader("expect"));
}

TEST(CurlOutboundHttp, ASlowAnswerTimesOut) {
  LoopbackHttpServer server;
  server.Route("GET", "/slow", [](const LoopbackRequest&) {
    auto r = LoopbackResponse::Json({{"late", true}});
    r.delay = std::chrono::milliseconds(3000);
    return r;
  });
  CurlOutboundHttp http(Fast());
  auto start = std::chrono::steady_clock::now();
  auto response = http.Send({"GET", server.url() + "/slow?code=secret-code", {}, ""});
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("upstream 127.0.0.1:"));
  EXPECT_THAT(response.status().message(), HasSubstr("Timeout"));
  EXPECT_THAT(response.status().message(), Not(HasSubstr("secret-code")));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
}

TEST(CurlOutboundHttp, ABodyPastTheLimitIsRefused) {
  LoopbackHttpServer server;
  server.Route("GET", "/exact", [](const LoopbackRequest&) {
    return LoopbackResponse::Text(std::string(1000, 'x'));
  });
  server.Route("GET", "/sized", [](const LoopbackRequest&) {
    return LoopbackResponse::Text(std::string(1001, 'x'));
  });
  server.Route("GET", "/chunked", [](const LoopbackRequest&) {
    auto r = LoopbackResponse::Text(std::string(50'000, 'x'));
    r.chunked = true;  // no Content-Length: the write callback stops it
    return r;
  });
  CurlOutboundHttp http(Fast());
  auto exact = http.Send({"GET", server.url() + "/exact", {}, ""});
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
  EXPECT_EQ(exact->body.size(), 1000u);
  for (std::string path : {"/sized", "/chunked"}) {
    auto response = http.Send({"GET", server.url() + path, {}, ""});
    ASSERT_FALSE(response.ok()) << path;
    EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(response.status().message(),
              "upstream 127.0.0.1:" + std::to_string(server.port()) + ": response too large");
  }
}

TEST(CurlOutboundHttp, ARefusedConnectionIsUnavailable) {
  uint16_t port;
  {
    LoopbackHttpServer gone;
    port = gone.port();
  }
  CurlOutboundHttp http(Fast());
  auto response =
      http.Send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/x?token=t0ps3cret", {}, ""});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(),
              HasSubstr("upstream 127.0.0.1:" + std::to_string(port) + ": Couldn't connect"));
  EXPECT_THAT(response.status().message(), Not(HasSubstr("t0ps3cret")));
}

TEST(CurlOutboundHttp, FollowsNoRedirect) {
  LoopbackHttpServer server;
  server.Route("GET", "/moved", [&](const LoopbackRequest&) {
    return LoopbackResponse::Redirect(server.url() + "/elsewhere");
  });
  CurlOutboundHttp http(Fast());
  auto response = http.Send({"GET", server.url() + "/moved", {}, ""});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 302);
  EXPECT_EQ(server.CountTo("/elsewhere"), 0u);
}

TEST(CurlOutboundHttp, SpeaksOnlyHttpAndRefusesMalformedRequests) {
  CurlOutboundHttp http(Fast());
  for (std::string url : {"ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/",
                          "not a url", "http:///nohost", "dict://127.0.0.1:11211/stat"}) {
    auto response = http.Send({"GET", url, {}, ""});
    EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument) << url;
  }
  LoopbackHttpServer server;
  auto put = http.Send({"PUT", server.url() + "/x", {}, ""});
  EXPECT_EQ(put.status().code(), StatusCode::kInvalidArgument);
  // A value from upstream (an access token) cannot add a header line of its own.
  auto split = http.Send({"GET", server.url() + "/x", {{"Authorization", "Bearer a\r\nX-Evil: 1"}}, ""});
  EXPECT_EQ(split.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Requests().size(), 0u);
}

// The server's default (no --federation-allow-private-hosts): a provider host that is, or
// resolves to, a loopback, private or link-local address gets no connection at all.
TEST(CurlOutboundHttp, ByDefaultRefusesAnAddressThatIsNotPublic) {
  EXPECT_FALSE(CurlOutboundHttpOptions{}.allow_private_addresses);
  LoopbackHttpServer server;
  server.Route("GET", "/jwks", [](const LoopbackRequest&) {
    return LoopbackResponse::Json({{"keys", boost::json::array{}}});
  });
  server.Route("POST", "/token", [](const LoopbackRequest&) {
    return LoopbackResponse::Json({{"access_token", "x"}});
  });
  const std::string port = std::to_string(server.port());
  CurlOutboundHttp http(PublicOnly());
  CurlOutboundHttp server_default;  // default options, as the server builds it without the flag
  for (CurlOutboundHttp* client : {&http, &server_default}) {
    auto response = client->Send({"GET", server.url() + "/jwks?token=t0ps3cret", {}, ""});
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
    EXPECT_THAT(response.status().message(),
                HasSubstr("upstream 127.0.0.1:" + port + ": not a public address"));
    EXPECT_THAT(response.status().message(), HasSubstr("--federation-allow-private-hosts"));
    EXPECT_THAT(response.status().message(), Not(HasSubstr("t0ps3cret")));
  }
  // A POST's body (a code, a client secret) never leaves either.
  auto post = http.Send({"POST", server.url() + "/token", {}, "client_secret=s3cret"});
  EXPECT_EQ(post.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(post.status().message(), Not(HasSubstr("s3cret")));
  // The address connected to is judged, not the name: "localhost" resolves to loopback.
  auto by_name = http.Send({"GET", "http://localhost:" + port + "/jwks", {}, ""});
  EXPECT_EQ(by_name.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(by_name.status().message(),
              HasSubstr("upstream localhost:" + port + ": not a public address"));
  EXPECT_EQ(server.Requests().size(), 0u);
}

TEST(CurlOutboundHttp, ByDefaultRefusesMetadataPrivateAndLoopbackAddressesWithoutConnecting) {
  CurlOutboundHttp http(PublicOnly());
  for (std::string host : {"169.254.169.254", "10.0.0.1", "172.16.0.1", "192.168.1.1",
                           "100.100.100.200", "0.0.0.0", "127.0.0.2", "[::1]", "[fd00:ec2::254]",
                           "[::ffff:169.254.169.254]"}) {
    auto start = std::chrono::steady_clock::now();
    auto response = http.Send({"GET", "http://" + host + "/latest/meta-data/", {}, ""});
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(response.ok()) << host;
    EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << host;
    EXPECT_TRUE(response.status().message().starts_with("upstream " + host +
                                                        ": not a public address"))
        << response.status().message();
    // Refused before any connect(): no connect timeout to wait out.
    EXPECT_LT(elapsed, std::chrono::milliseconds(500)) << host;
  }
}

TEST(CurlOutboundHttp, AllowPrivateAddressesReachesTheLoopbackServer) {
  LoopbackHttpServer server;
  server.Route("GET", "/jwks", [](const LoopbackRequest&) {
    return LoopbackResponse::Json({{"keys", boost::json::array{}}});
  });
  CurlOutboundHttpOptions options = PublicOnly();
  options.allow_private_addresses = true;
  CurlOutboundHttp http(options);
  for (std::string base : {server.url(), "http://localhost:" + std::to_string(server.port())}) {
    auto response = http.Send({"GET", base + "/jwks", {}, ""});
    ASSERT_TRUE(response.ok()) << base << ": " << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, R"({"keys":[]})");
  }
  EXPECT_EQ(server.CountTo("/jwks"), 2u);
}

// A TLS server on loopback with a fresh self-signed certificate for 127.0.0.1 (OpenSSL, one
// connection, handshake only): a client that verifies certificates must refuse it.
class SelfSignedTlsServer {
 public:
  SelfSignedTlsServer() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name,
                                              "IP:127.0.0.1");
    X509_add_ext(cert, san, -1);
    X509_EXTENSION_free(san);
    X509_sign(cert, key, EVP_sha256());
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, cert);
    SSL_CTX_use_PrivateKey(ctx_, key);
    X509_free(cert);
    EVP_PKEY_free(key);

    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      SSL_accept(ssl);  // the client gives up on the certificate
      SSL_free(ssl);
      ::close(fd);
    });
  }
  ~SelfSignedTlsServer() {
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept() if no client came
    thread_.join();
    ::close(listener_);
    SSL_CTX_free(ctx_);
  }
  uint16_t port() const { return port_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(CurlOutboundHttp, VerifiesTheServersCertificate) {
  SelfSignedTlsServer server;
  CurlOutboundHttp http(Fast());
  auto response =
      http.Send({"GET", "https://127.0.0.1:" + std::to_string(server.port()) + "/jwks", {}, ""});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("upstream 127.0.0.1:"));
  EXPECT_THAT(response.status().message(), HasSubstr("certificate"));
}

// A plain-http server cannot complete a handshake either: kUnavailable naming the host.
TEST(CurlOutboundHttp, HttpsToAPlainServerFails) {
  LoopbackHttpServer server;
  CurlOutboundHttp http(Fast());
  auto response = http.Send({"GET", "https://127.0.0.1:" + std::to_string(server.port()) + "/", {}, ""});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("upstream 127.0.0.1:"));
}

}  // namespace
}  // namespace tessera::services
