// File: oauth_endpoint_fixture.h
// The OAuth endpoints mounted on a Router over the service stack (oauth_fixture.h), called
// the way the server calls them — a Request in, the handler's Response out (http/message.h)
// — with no network: HTTP edge cases are unit tests (src/oauth/endpoints/*_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/encoding.h"
#include "http/form.h"
#include "http/message.h"
#include "http/router.h"
#include "oauth/endpoints/authorize_endpoint.h"
#include "oauth/endpoints/token_endpoint.h"
#include "oauth/endpoints/token_introspection_endpoint.h"
#include "oauth/endpoints/userinfo_endpoint.h"
#include "tests/support/oauth_fixture.h"
#include "web/page_renderer.h"
#include "web/page_kit.h"

namespace tessera::services::testing_oauth {

using Headers = std::vector<std::pair<std::string, std::string>>;
namespace verb = http::beast_http;

class OAuthEndpointFixture : public OAuthFixture {
 protected:
  void SetUp() override {
    OAuthFixture::SetUp();
    web_ = std::make_unique<web::PageKit>(*apps_, *browser_, renderer_);
    token_ = std::make_unique<oauth::TokenEndpoint>(*apps_, *clients_, *grant_types_, *dpop_);
    authorize_ = std::make_unique<oauth::AuthorizeEndpoint>(*web_, *authz_, *accounts_);
    introspection_ =
        std::make_unique<oauth::TokenIntrospectionEndpoints>(*apps_, *clients_, *oauth_tokens_);
    userinfo_ = std::make_unique<oauth::UserInfoEndpoint>(*apps_, *oauth_tokens_, dpop_.get());
    token_->Mount(router_);
    authorize_->Mount(router_);
    introspection_->Mount(router_);
    userinfo_->Mount(router_);
  }

  // The handler's answer to `method target` (the route must exist).
  http::Response Send(verb::verb method, const std::string& target, std::string body = "",
                      const Headers& headers = {}) {
    http::Request req;
    req.raw.method(method);
    req.raw.target(target);
    // insert, not set: a header named twice is sent twice (e.g. two DPoP proofs).
    for (const auto& [name, value] : headers) req.raw.insert(name, value);
    req.raw.body() = std::move(body);
    req.path = target.substr(0, target.find('?'));
    req.remote_ip = "192.0.2.7";
    http::RouteMatch match = router_.Match(method, req);
    EXPECT_NE(match.route, nullptr) << target;
    if (!match.route) return http::Response{};
    return match.route->handler(req);
  }

  // A form POST (the content type the OAuth endpoints require), plus `headers`.
  http::Response PostForm(const std::string& path, std::string body, Headers headers = {}) {
    headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return Send(verb::verb::post, path, std::move(body), headers);
  }

  static std::string Path(std::string_view endpoint) {
    return "/apps/default/oauth/" + std::string(endpoint);
  }

  // application/x-www-form-urlencoded from pairs (repeats allowed, for the tests that send them).
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  static std::string Form(const Pairs& pairs) {
    std::string out;
    for (const auto& [k, v] : pairs) {
      out += (out.empty() ? "" : "&") + http::FormEncode(k) + "=" + http::FormEncode(v);
    }
    return out;
  }

  static std::string Query(const Params& params) { return Form(Pairs(params.begin(), params.end())); }

  // client_secret_basic (RFC 6749 §2.3.1: each part form-encoded first).
  static std::string Basic(std::string_view id, std::string_view secret) {
    return "Basic " + crypto::Base64Encode(http::FormEncode(id) + ":" + http::FormEncode(secret));
  }

  static std::string HeaderOf(const http::Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (boost::beast::iequals(k, name)) return v;
    }
    return "";
  }

  static boost::json::object JsonOf(const http::Response& r) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return !ec && v.is_object() ? v.as_object() : boost::json::object{};
  }

  // The RFC 6749 §5.2 error of a token-endpoint answer.
  static std::string OAuthErrorOf(const http::Response& r) { return Str(JsonOf(r), "error"); }

  // The query parameters of a redirect's Location (nullopt: not a redirect, or malformed).
  static std::optional<Params> RedirectQuery(const http::Response& r) {
    std::string location = HeaderOf(r, "Location");
    size_t q = location.find('?');
    if (r.status != 303 || q == std::string::npos) return std::nullopt;
    auto parsed = http::ParseForm(std::string_view(location).substr(q + 1));
    if (!parsed.ok()) return std::nullopt;
    return *parsed;
  }

  // The Cookie header that carries a browser session, as the hosted pages set it.
  std::string SessionCookie(const StartedBrowserSession& b) const {
    http::Response r;
    web_->session_cookie.Set(r, app_, b.cookie_value);
    std::string set = HeaderOf(r, "Set-Cookie");
    return set.substr(0, set.find(';'));
  }

  // A registered confidential client's credentials (the secret is shown once).
  struct Credentials {
    store::OAuthClient client;
    std::string secret;
  };
  Credentials RegisterConfidential(ClientRegistration r) {
    auto reg = clients_->Register(app_, std::move(r));
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    return {reg->client, reg->secret.value_or("")};
  }

  web::PageRenderer renderer_;
  std::unique_ptr<web::PageKit> web_;
  std::unique_ptr<oauth::TokenEndpoint> token_;
  std::unique_ptr<oauth::AuthorizeEndpoint> authorize_;
  std::unique_ptr<oauth::TokenIntrospectionEndpoints> introspection_;
  std::unique_ptr<oauth::UserInfoEndpoint> userinfo_;
  http::Router router_{metrics_};
};

}  // namespace tessera::services::testing_oauth
