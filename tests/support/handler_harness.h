// File: handler_harness.h
// Handlers without a network: the hosted pages and the JSON APIs mounted on a router over
// the shared test service stack (service_stack.h), and requests built and served the way
// http/server.cc hands them to a handler (router match, then the handler's Response(Request&)).
// A small cookie jar plays the browser: it keeps what Set-Cookie gave and sends it back.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/account_api.h"
#include "api/console_apps_api.h"
#include "api/console_caller.h"
#include "api/console_users_api.h"
#include "base/metrics.h"
#include "crypto/random.h"
#include "federation/identity_provider_service.h"
#include "http/message.h"
#include "http/router.h"
#include "tests/support/service_stack.h"
#include "web/account_pages.h"
#include "web/admin_pages.h"
#include "web/audit_table.h"
#include "web/console_app_pages.h"
#include "web/console_gates.h"
#include "web/console_layout.h"
#include "web/login_pages.h"
#include "web/page_gates.h"
#include "web/page_kit.h"
#include "web/page_renderer.h"

namespace tessera::testing_support {

namespace bh = http::beast_http;
using Headers = std::vector<std::pair<std::string, std::string>>;

// A request as the server builds it: `target` is the path with its query; the path alone
// (without percent-decoding: tests use plain paths) is what the router matches.
inline http::Request MakeRequest(bh::verb method, std::string_view target, std::string body = "",
                                 const Headers& headers = {}) {
  http::Request req;
  req.raw.method(method);
  req.raw.target(target);
  req.raw.version(11);
  for (const auto& [name, value] : headers) req.raw.insert(name, value);
  req.raw.body() = std::move(body);
  req.raw.prepare_payload();
  req.path = std::string(target.substr(0, target.find('?')));
  req.remote_ip = "203.0.113.9";
  req.request_id = "req-test";
  return req;
}

// The value of a response header, or nullopt.
inline std::optional<std::string> HeaderOf(const http::Response& res, std::string_view name) {
  for (const auto& [k, v] : res.headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

// The body of a JSON (or problem+json) answer.
inline boost::json::object JsonOf(const http::Response& res) {
  boost::system::error_code ec;
  auto v = boost::json::parse(res.body, ec);
  EXPECT_FALSE(ec) << res.body;
  return !ec && v.is_object() ? v.as_object() : boost::json::object{};
}

// The fields named by an RFC 9457 answer's `errors`, in order.
inline std::vector<std::string> ProblemFields(const http::Response& res) {
  std::vector<std::string> out;
  auto body = JsonOf(res);
  if (auto* errors = body.if_contains("errors")) {
    for (const auto& e : errors->as_array())
      out.emplace_back(e.as_object().at("field").as_string());
  }
  return out;
}

// Cookies the server set, sent back on later requests (no paths, domains or expiry: one site).
class CookieJar {
 public:
  void Keep(const http::Response& res) {
    for (const auto& [k, v] : res.headers) {
      if (k != "Set-Cookie") continue;
      std::string pair = v.substr(0, v.find(';'));
      size_t eq = pair.find('=');
      std::string name = pair.substr(0, eq), value = pair.substr(eq + 1);
      if (value.empty() || v.find("Max-Age=0") != std::string::npos) {
        cookies_.erase(name);
      } else {
        cookies_[name] = value;
      }
    }
  }
  void Set(const std::string& name, const std::string& value) { cookies_[name] = value; }
  std::optional<std::string> Get(const std::string& name) const {
    auto it = cookies_.find(name);
    return it == cookies_.end() ? std::nullopt : std::optional(it->second);
  }
  std::string Header() const {
    std::string out;
    for (const auto& [k, v] : cookies_) out += (out.empty() ? "" : "; ") + k + "=" + v;
    return out;
  }

 private:
  std::map<std::string, std::string> cookies_;
};

// The hosted pages and JSON APIs of the default and console apps, mounted as app/ mounts
// them, over a fresh service stack (PUBLIC_URL https://id.example).
class HandlerHarness : public ::testing::Test, protected services::testing_support::ServiceStack {
 protected:
  static constexpr char kPassword[] = "a sturdy passphrase";
  static constexpr char kOrigin[] = "https://id.example";

  void SetUp() override {
    services::testing_support::ServiceStackOptions o;
    o.audit = o.audit_apps = true;
    Build(o);
    renderer_ = std::make_unique<web::PageRenderer>();
    kit_ = std::make_unique<web::PageKit>(*apps_, *browser_, *renderer_);
    page_gates_ = std::make_unique<web::PageGates>(*kit_);
    login_pages_ = std::make_unique<web::LoginPages>(*kit_, *accounts_, *clients_);
    account_pages_ =
        std::make_unique<web::AccountPages>(*kit_, *accounts_, *sessions_, *authz_, *api_tokens_);
    layout_ = std::make_unique<web::ConsoleLayout>(*kit_);
    console_gates_ = std::make_unique<web::ConsoleGates>(*kit_, *layout_, *accounts_, *console_);
    providers_ = std::make_unique<services::IdentityProviderService>(
        *store_, crypto::RandomBytes(32), clock_, audit_.get());
    audit_table_ = std::make_unique<web::AuditTable>(web::AuditTable::Services{
        *audit_, *accounts_, *clients_, *api_keys_, *providers_, kit_->urls, clock_});
    console_app_pages_ = std::make_unique<web::ConsoleAppPages>(
        *layout_, *accounts_, *apps_, *console_, *users_, *api_keys_, *clients_, 600, 3600);
    admin_pages_ = std::make_unique<web::AdminPages>(*layout_, *apps_, *users_, *audit_table_);
    account_api_ =
        std::make_unique<api::AccountApi>(*apps_, *accounts_, *sessions_, *api_tokens_, *auth_);
    caller_ = std::make_unique<api::ConsoleCaller>(*apps_, *auth_, *console_);
    console_apps_api_ = std::make_unique<api::ConsoleAppsApi>(*caller_, *apps_, *console_);
    console_users_api_ = std::make_unique<api::ConsoleUsersApi>(*caller_, *users_);
    router_ = std::make_unique<http::Router>(metrics_);
    login_pages_->Mount(*router_, *page_gates_);
    account_pages_->Mount(*router_, *page_gates_);
    account_api_->Mount(*router_);
    console_apps_api_->Mount(*router_);
    console_users_api_->Mount(*router_);
    console_app_pages_->Mount(*router_, *console_gates_);
    admin_pages_->Mount(*router_, *console_gates_);
  }

  // Routes `req` as the server does and runs its handler (404/405 when no route matches).
  http::Response Serve(http::Request req) {
    http::RouteMatch match = router_->Match(req.raw.method(), req);
    if (!match.route) return http::Response{match.status, "", "", {}};
    return match.route->handler(req);
  }

  // A request from the browser of `jar` (its cookies), recording what it sets.
  http::Response Browse(CookieJar& jar, bh::verb method, std::string_view target,
                        std::string body = "", Headers headers = {}) {
    if (std::string cookies = jar.Header(); !cookies.empty())
      headers.emplace_back("Cookie", cookies);
    if (method == bh::verb::post) {
      headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      headers.emplace_back("Origin", kOrigin);
    }
    http::Response res = Serve(MakeRequest(method, target, std::move(body), headers));
    jar.Keep(res);
    return res;
  }

  // The CSRF token of `jar`'s browser (a page visit sets it first).
  std::string CsrfToken(CookieJar& jar, std::string_view page = "/apps/default/login") {
    if (!jar.Get("__Host-tessera_csrf")) Browse(jar, bh::verb::get, page);
    return jar.Get("__Host-tessera_csrf").value_or("");
  }

  // A JSON request (Content-Type application/json unless `headers` say otherwise).
  http::Response Json(bh::verb method, std::string_view target, std::string body,
                      Headers headers = {}) {
    bool typed = false;
    for (const auto& [k, v] : headers) typed = typed || k == "Content-Type";
    if (!typed) headers.emplace_back("Content-Type", "application/json");
    return Serve(MakeRequest(method, target, std::move(body), headers));
  }

  store::User MakeUser(const store::App& app, std::string email,
                       std::vector<std::string> roles = {}) {
    services::SignupInput in;
    in.email = std::move(email);
    in.password = kPassword;
    in.roles = std::move(roles);
    in.by_operator = true;
    auto u = accounts_->Signup(app, std::move(in));
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? *u : store::User{};
  }

  // A browser signed in to `app` as `user` (its session cookie in the jar).
  CookieJar SignedIn(const store::App& app, const store::User& user) {
    auto started = browser_->Start(app, user, {"203.0.113.9", "HarnessBrowser/1.0"});
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    CookieJar jar;
    if (started.ok()) jar.Set("__Host-tessera_session_" + app.slug, started->cookie_value);
    return jar;
  }

  // An access token of the account API for `user` of `app` (Authorization: Bearer …).
  std::string BearerFor(const store::App& app, const store::User& user) {
    auto grant = sessions_->Login(app, user.email, kPassword, {"203.0.113.9", "Harness/1.0"});
    EXPECT_TRUE(grant.ok()) << grant.status().ToString();
    return grant.ok() ? "Bearer " + grant->access_token : "";
  }

  std::unique_ptr<web::PageRenderer> renderer_;
  std::unique_ptr<web::PageKit> kit_;
  std::unique_ptr<web::PageGates> page_gates_;
  std::unique_ptr<web::LoginPages> login_pages_;
  std::unique_ptr<web::AccountPages> account_pages_;
  std::unique_ptr<web::ConsoleLayout> layout_;
  std::unique_ptr<web::ConsoleGates> console_gates_;
  std::unique_ptr<services::IdentityProviderService> providers_;  // sign-in providers
  std::unique_ptr<web::AuditTable> audit_table_;
  std::unique_ptr<web::ConsoleAppPages> console_app_pages_;
  std::unique_ptr<web::AdminPages> admin_pages_;
  std::unique_ptr<api::AccountApi> account_api_;
  std::unique_ptr<api::ConsoleCaller> caller_;
  std::unique_ptr<api::ConsoleAppsApi> console_apps_api_;
  std::unique_ptr<api::ConsoleUsersApi> console_users_api_;
  std::unique_ptr<http::Router> router_;
};

}  // namespace tessera::testing_support
