// File: oauth_fixture.h
// Shared fixture of the OAuth/OIDC service tests (oauth_services_test.cc,
// login_throttle_test.cc, browser_session_test.cc): the services wired as CoreServices
// (app/core_services.cc) wires them, over a real (SQLite) store and a manual clock, plus
// helpers for the code flow.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>

#include "tests/support/service_stack.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "tokens/access_token_service.h"
#include "accounts/account_service.h"
#include "tokens/api_token_service.h"
#include "tenancy/app_service.h"
#include "tokens/authenticator.h"
#include "oauth/authorization_service.h"
#include "sessions/browser_session_service.h"
#include "oauth/client_service.h"
#include "tokens/key_service.h"
#include "accounts/login_throttle.h"
#include "oauth/oauth_grant_service.h"
#include "accounts/password_hasher.h"

namespace tessera::services::testing_oauth {

inline constexpr int64_t kStart = 1'800'000'000'000;
inline constexpr char kPassword[] = "a sturdy passphrase";
inline constexpr char kConfidentialRedirect[] = "https://client.example/cb";
// RFC 7636 appendix B.
inline constexpr char kVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
inline constexpr char kChallenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

using Params = std::map<std::string, std::string>;

class OAuthFixture : public testing::Test, protected testing_support::ServiceStack {
 protected:
  void SetUp() override {
    testing_support::ServiceStackOptions o;
    o.throttle = ThrottleOptions();
    Build(o);
  }


  static LoginThrottleOptions ThrottleOptions() {
    LoginThrottleOptions o;
    o.window_s = 900;
    o.max_failures_per_account = 3;
    o.max_failures_per_ip = 5;
    return o;
  }

  store::User SignUp(std::string email, std::optional<std::string> username = std::nullopt,
                     const store::App* app = nullptr) {
    SignupInput in;
    in.email = std::move(email);
    in.password = kPassword;
    in.username = std::move(username);
    in.profile = boost::json::object{{"name", "Ada Lovelace"}, {"locale", "en-GB"}};
    return accounts_->Signup(app ? *app : app_, std::move(in)).value();
  }

  store::OAuthClient Register(ClientRegistration r, const store::App* app = nullptr) {
    auto reg = clients_->Register(app ? *app : app_, std::move(r));
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    return reg.value().client;
  }

  // Confidential, third-party, one https redirect URI, the default grants and scopes.
  store::OAuthClient Confidential(std::string name = "Photos", bool first_party = false) {
    ClientRegistration r;
    r.name = std::move(name);
    r.first_party = first_party;
    r.redirect_uris = {kConfidentialRedirect};
    return Register(std::move(r));
  }

  // Public (native) client: a loopback redirect and a private-use one.
  store::OAuthClient Public() {
    ClientRegistration r;
    r.name = "Desktop";
    r.is_public = true;
    r.redirect_uris = {"http://127.0.0.1/cb", "com.example.app:/cb"};
    return Register(std::move(r));
  }

  static Params BaseParams(const store::OAuthClient& c, std::string scope = "openid") {
    Params p{{"client_id", c.client_id},
             {"response_type", "code"},
             {"redirect_uri", c.redirect_uris.at(0)},
             {"scope", std::move(scope)},
             {"state", "st-123"},
             {"nonce", "n-0S6_WzA2Mj"}};
    if (c.is_public) {
      p["code_challenge"] = kChallenge;
      p["code_challenge_method"] = "S256";
    }
    return p;
  }

  // A request that must validate.
  AuthorizationRequest Valid(const Params& p) {
    AuthorizationRequest req = authz_->Validate(app_, p);
    EXPECT_FALSE(req.failure) << (req.failure ? req.failure->error + ": " + req.failure->description
                                              : std::string());
    return req;
  }

  // The failure of a request that must not validate (empty when it did validate).
  AuthorizeFailure Invalid(const Params& p) {
    AuthorizationRequest req = authz_->Validate(app_, p);
    EXPECT_TRUE(req.failure) << "request unexpectedly valid";
    return req.failure.value_or(AuthorizeFailure{false, "<none>", ""});
  }

  StartedBrowserSession SignIn(const store::User& user) {
    return browser_->Start(app_, user, client_).value();
  }

  std::string Code(const Params& p, const store::Session& browser) {
    AuthorizationRequest req = Valid(p);
    auto code = authz_->IssueCode(app_, req, browser);
    EXPECT_TRUE(code.ok()) << code.status().ToString();
    return code.ok() ? *code : std::string();
  }

  // Authorize and exchange in one go (the redirect URI and verifier the request implies).
  GrantedTokens Grant(const store::OAuthClient& c, const store::Session& browser,
                      std::string scope = "openid") {
    Params p = BaseParams(c, std::move(scope));
    std::string code = Code(p, browser);
    auto t = grants_->ExchangeCode(app_, c, code, p["redirect_uri"],
                                   c.is_public ? std::optional<std::string>(kVerifier)
                                               : std::nullopt);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : GrantedTokens{};
  }

  bool Active(std::string_view token, const store::App* app = nullptr) {
    auto r = grants_->Introspect(app ? *app : app_, token, "");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return false;
    auto it = r->find("active");
    EXPECT_NE(it, r->end());
    return it != r->end() && it->value().is_bool() && it->value().as_bool();
  }

  static boost::json::object JwtPart(std::string_view jwt, int index) {
    size_t a = jwt.find('.');
    size_t b = jwt.find('.', a + 1);
    std::string_view part = index == 0 ? jwt.substr(0, a) : jwt.substr(a + 1, b - a - 1);
    auto text = crypto::Base64UrlDecode(part);
    EXPECT_TRUE(text.has_value());
    return boost::json::parse(text.value_or("{}")).as_object();
  }
  static boost::json::object Payload(std::string_view jwt) { return JwtPart(jwt, 1); }

  ClientInfo client_{"127.0.0.1", "test"};
};

}  // namespace tessera::services::testing_oauth
