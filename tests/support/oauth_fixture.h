// File: oauth_fixture.h
// Shared fixture of the OAuth/OIDC service tests (src/oauth/*_test.cc,
// login_throttle_test.cc, browser_session_test.cc): the services wired as CoreServices
// (app/core_services.cc) wires them, over a real (SQLite) store and a manual clock, plus
// helpers for the code flow and the grants.
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
#include "oauth/grant.h"
#include "oauth/oauth_token_service.h"
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

  // A request that must validate (a refused one throws: the test fails).
  ValidAuthorization Valid(const Params& p) {
    AuthorizeVerdict verdict = authz_->Validate(app_, p);
    EXPECT_TRUE(verdict.ok()) << (verdict.ok() ? std::string()
                                               : verdict.error().error.code + ": " +
                                                     verdict.error().error.description);
    return std::move(verdict).value();
  }

  // The refusal of a request that must not validate.
  AuthorizeRefusal Invalid(const Params& p) {
    AuthorizeVerdict verdict = authz_->Validate(app_, p);
    EXPECT_FALSE(verdict.ok()) << "request unexpectedly valid";
    if (verdict.ok()) return AuthorizeRefusal{OAuthError("<none>"), std::nullopt, ""};
    return verdict.error();
  }

  StartedBrowserSession SignIn(const store::User& user) {
    return browser_->Start(app_, user, client_).value();
  }

  std::string Code(const Params& p, const store::Session& browser) {
    ValidAuthorization req = Valid(p);
    auto code = authz_->IssueCode(app_, req, browser);
    EXPECT_TRUE(code.ok()) << code.status().ToString();
    return code.ok() ? *code : std::string();
  }

  // A grant run as the token endpoint runs it; nullopt parameters are left out of the form.
  OAuthResult<GrantedTokens> RunGrant(services::Grant& grant, const store::OAuthClient& c,
                                      const std::map<std::string, std::optional<std::string>>& form,
                                      const store::App* app = nullptr) {
    Params params;
    for (const auto& [k, v] : form) {
      if (v) params[k] = *v;
    }
    return grant.Issue(GrantRequest{app ? *app : app_, c, params, client_});
  }

  OAuthResult<GrantedTokens> Exchange(const store::OAuthClient& c, std::string code,
                                      std::optional<std::string> redirect_uri,
                                      std::optional<std::string> verifier,
                                      const store::App* app = nullptr) {
    return RunGrant(*code_grant_, c,
                    {{"code", std::move(code)},
                     {"redirect_uri", std::move(redirect_uri)},
                     {"code_verifier", std::move(verifier)}},
                    app);
  }

  OAuthResult<GrantedTokens> Refresh(const store::OAuthClient& c, std::string refresh_token,
                                     std::optional<std::string> scope = std::nullopt) {
    return RunGrant(*refresh_grant_, c,
                    {{"refresh_token", std::move(refresh_token)}, {"scope", std::move(scope)}});
  }

  // The error code of a grant's answer, or "ok".
  template <typename T>
  static std::string ErrorOf(const OAuthResult<T>& r) {
    return r.ok() ? std::string("ok") : r.error().code;
  }

  // Authorize and exchange in one go (the redirect URI and verifier the request implies).
  GrantedTokens Grant(const store::OAuthClient& c, const store::Session& browser,
                      std::string scope = "openid") {
    Params p = BaseParams(c, std::move(scope));
    std::string code = Code(p, browser);
    auto t = Exchange(c, code, p["redirect_uri"],
                      c.is_public ? std::optional<std::string>(kVerifier) : std::nullopt);
    EXPECT_TRUE(t.ok()) << ErrorOf(t) << ": " << (t.ok() ? "" : t.error().description);
    return t.ok() ? *t : GrantedTokens{};
  }

  // Whether introspection calls `token` active when asked by the client holding it (for
  // access tokens: by a resource server of the app, which sees them all).
  bool Active(std::string_view token, const store::App* app = nullptr) {
    const store::App& in = app ? *app : app_;
    store::OAuthClient holder;
    holder.resource_server = true;
    if (auto rt = store_->GetRefreshToken(in.id, crypto::TokenHash(token)); rt.ok()) {
      holder.client_id = rt->session.client_id;
    }
    auto r = oauth_tokens_->Introspect(in, holder, token, "");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return false;
    auto it = r->find("active");
    EXPECT_NE(it, r->end());
    return it != r->end() && it->value().is_bool() && it->value().as_bool();
  }

  // A string member of a JSON object, or "".
  static std::string Str(const boost::json::object& o, std::string_view k) {
    auto it = o.find(k);
    return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
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
