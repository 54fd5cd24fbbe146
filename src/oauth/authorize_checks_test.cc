// The authorization request's table of checks (authorize_checks.h), on its own: no store,
// just a parsed request and a client. The order is part of the answer — a request breaking
// two rules hears about the earlier one — so it is pinned here, with each row's error.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "oauth/authorize_checks.h"
#include "oauth/authorize_request.h"

namespace tessera::services {
namespace {

using Params = AuthorizeRequest::Params;
constexpr char kChallenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";  // RFC 7636 app. B

store::OAuthClient Client() {
  store::OAuthClient c;
  c.client_id = "photos";
  c.redirect_uris = {"https://client.example/cb"};
  c.grant_types = {"authorization_code", "refresh_token"};
  c.scopes = {"openid", "profile", "email", "offline_access"};
  return c;
}

Params BaseParams() {
  return {{"client_id", "photos"},   {"response_type", "code"},
          {"redirect_uri", "https://client.example/cb"}, {"scope", "openid"},
          {"state", "st-123"},        {"nonce", "n-0S6_WzA2Mj"}};
}

// A way to break exactly one rule, and the answer it gets.
struct Breach {
  std::string_view check;
  std::function<void(Params&, store::OAuthClient&)> apply;
  std::string code;
  std::string description;
};

const std::vector<Breach>& Breaches() {
  static const std::vector<Breach> breaches = {
      {"state_within_limit", [](Params& p, auto&) { p["state"] = std::string(2049, 's'); },
       "invalid_request", "state is too long"},
      {"no_request_object", [](Params& p, auto&) { p["request"] = "eyJhbGciOiJub25lIn0.e30."; },
       "request_not_supported", "request objects are not supported"},
      {"no_request_uri", [](Params& p, auto&) { p["request_uri"] = "https://client.example/r"; },
       "request_uri_not_supported", "request_uri is not supported"},
      {"pushed_when_client_requires",
       [](Params&, auto& c) { c.require_pushed_authorization_requests = true; },
       "invalid_request", "this client must push its authorization requests (RFC 9126)"},
      {"signed_when_client_requires",
       [](Params&, auto& c) { c.require_signed_request_object = true; },
       "invalid_request", "this client must sign its authorization requests (RFC 9101) or push them"},
      {"response_type_given", [](Params& p, auto&) { p.erase("response_type"); },
       "invalid_request", "response_type is required"},
      {"response_type_is_code", [](Params& p, auto&) { p["response_type"] = "code id_token"; },
       "unsupported_response_type", "only response_type=code is supported"},
      {"response_mode_supported", [](Params& p, auto&) { p["response_mode"] = "fragment"; },
       "invalid_request", "response_mode must be query or form_post"},
      {"client_may_use_code_flow", [](Params&, auto& c) { c.grant_types = {"client_credentials"}; },
       "unauthorized_client", "this client may not use the authorization code flow"},
      {"scope_space_separated", [](Params& p, auto&) { p["scope"] = "openid\nprofile"; },
       "invalid_scope", "scope must be space separated"},
      {"scopes_allowed_for_client", [](Params& p, auto&) { p["scope"] = "openid admin"; },
       "invalid_scope", "scope not allowed for this client: admin"},
      {"nonce_within_limit", [](Params& p, auto&) { p["nonce"] = std::string(513, 'n'); },
       "invalid_request", "nonce is too long"},
      {"pkce_for_public_clients", [](Params&, auto& c) { c.is_public = true; },
       "invalid_request", "PKCE is required: send code_challenge (S256)"},
      {"no_method_without_challenge", [](Params& p, auto&) { p["code_challenge_method"] = "S256"; },
       "invalid_request", "code_challenge_method without code_challenge"},
      {"challenge_method_is_s256",
       [](Params& p, auto&) {
         p["code_challenge"] = kChallenge;
         p["code_challenge_method"] = "plain";
       },
       "invalid_request", "code_challenge_method must be S256"},
      {"challenge_is_s256_shaped",
       [](Params& p, auto&) {
         p["code_challenge"] = std::string(kChallenge).substr(0, 42);
         p["code_challenge_method"] = "S256";
       },
       "invalid_request", "code_challenge must be 43 base64url characters"},
      {"prompt_values_known", [](Params& p, auto&) { p["prompt"] = "login sometimes"; },
       "invalid_request", "unknown prompt value: sometimes"},
      {"prompt_none_alone", [](Params& p, auto&) { p["prompt"] = "none login"; },
       "invalid_request", "prompt=none cannot be combined with other values"},
      {"max_age_is_seconds", [](Params& p, auto&) { p["max_age"] = "-1"; },
       "invalid_request", "max_age must be a non-negative integer"},
      {"dpop_jkt_is_thumbprint", [](Params& p, auto&) { p["dpop_jkt"] = "not+a/thumbprint="; },
       "invalid_request", "dpop_jkt must be a JWK SHA-256 thumbprint (43 base64url characters)"},
  };
  return breaches;
}

std::optional<OAuthError> RowVerdict(std::string_view name, const AuthorizeRequest& r,
                                     const store::OAuthClient& c) {
  for (const AuthorizeCheck& row : AuthorizeChecks()) {
    if (row.name == name) return row.check(r, c);
  }
  ADD_FAILURE() << "no row " << name;
  return std::nullopt;
}

TEST(AuthorizeChecks, RunInThisOrder) {
  std::vector<std::string_view> names;
  for (const AuthorizeCheck& row : AuthorizeChecks()) names.push_back(row.name);
  std::vector<std::string_view> expected;
  for (const Breach& b : Breaches()) expected.push_back(b.check);
  EXPECT_EQ(names, expected);
}

TEST(AuthorizeChecks, AGoodRequestMeetsEveryRow) {
  AuthorizeRequest r = AuthorizeRequest::Parse(BaseParams());
  for (const AuthorizeCheck& row : AuthorizeChecks()) {
    EXPECT_FALSE(row.check(r, Client())) << row.name;
  }
  EXPECT_FALSE(FirstFailedCheck(r, Client()));
}

// Each breach fails its row, and no earlier one: its error is the answer.
TEST(AuthorizeChecks, EachRowAnswersItsOwnError) {
  for (const Breach& b : Breaches()) {
    SCOPED_TRACE(b.check);
    Params p = BaseParams();
    store::OAuthClient c = Client();
    b.apply(p, c);
    AuthorizeRequest r = AuthorizeRequest::Parse(p);
    std::optional<OAuthError> own = RowVerdict(b.check, r, c);
    ASSERT_TRUE(own);
    EXPECT_EQ(own->code, b.code);
    EXPECT_EQ(own->description, b.description);
    for (const AuthorizeCheck& row : AuthorizeChecks()) {
      if (row.name == b.check) break;
      EXPECT_FALSE(row.check(r, c)) << "earlier row " << row.name << " fails too";
    }
    std::optional<OAuthError> answer = FirstFailedCheck(r, c);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->code, b.code);
    EXPECT_EQ(answer->description, b.description);
  }
}

TEST(AuthorizeChecks, TheEarlierRuleAnswers) {
  auto answer = [](std::vector<std::string_view> checks) {
    Params p = BaseParams();
    store::OAuthClient c = Client();
    // Later breaches first, so an earlier one that touches the same parameter wins.
    for (auto it = Breaches().rbegin(); it != Breaches().rend(); ++it) {
      if (std::find(checks.begin(), checks.end(), it->check) != checks.end()) it->apply(p, c);
    }
    return FirstFailedCheck(AuthorizeRequest::Parse(p), c).value_or(OAuthError("none")).description;
  };
  EXPECT_EQ(answer({"state_within_limit", "no_request_object"}), "state is too long");
  EXPECT_EQ(answer({"no_request_uri", "response_type_is_code"}), "request_uri is not supported");
  EXPECT_EQ(answer({"response_type_is_code", "scopes_allowed_for_client"}),
            "only response_type=code is supported");
  EXPECT_EQ(answer({"client_may_use_code_flow", "scopes_allowed_for_client"}),
            "this client may not use the authorization code flow");
  EXPECT_EQ(answer({"scopes_allowed_for_client", "nonce_within_limit", "max_age_is_seconds"}),
            "scope not allowed for this client: admin");
  EXPECT_EQ(answer({"nonce_within_limit", "pkce_for_public_clients"}), "nonce is too long");
  EXPECT_EQ(answer({"pkce_for_public_clients", "prompt_values_known"}),
            "PKCE is required: send code_challenge (S256)");
  EXPECT_EQ(answer({"prompt_none_alone", "max_age_is_seconds"}),
            "prompt=none cannot be combined with other values");
  // An unknown value is reported before a combination with none.
  Params p = BaseParams();
  p["prompt"] = "none bogus";
  EXPECT_EQ(FirstFailedCheck(AuthorizeRequest::Parse(p), Client())->description,
            "unknown prompt value: bogus");
}

TEST(AuthorizeRequestParse, ReadsEachParameterOnce) {
  Params p = BaseParams();
  p["scope"] = " openid  email openid ";
  p["prompt"] = "login consent login";
  p["max_age"] = "";
  p["request"] = "";
  p["extra"] = "kept";
  AuthorizeRequest r = AuthorizeRequest::Parse(p);
  EXPECT_EQ(r.params, p);  // as received, for the sign-in return and the consent form
  EXPECT_EQ(r.client_id, "photos");
  EXPECT_EQ(r.redirect_uri, std::optional<std::string>("https://client.example/cb"));
  EXPECT_EQ(r.scopes, (std::vector<std::string>{"openid", "email"}));
  EXPECT_EQ(r.prompt, (std::vector<std::string>{"login", "consent"}));
  EXPECT_EQ(r.max_age, std::optional<std::string>(""));  // present, empty: the checks refuse it
  EXPECT_TRUE(r.has_request_object);                     // present at all
  EXPECT_FALSE(r.has_request_uri);

  Params bare{{"client_id", "photos"}, {"redirect_uri", ""}};
  AuthorizeRequest b = AuthorizeRequest::Parse(bare);
  EXPECT_EQ(b.redirect_uri, std::optional<std::string>(""));  // sent empty is not left out
  EXPECT_FALSE(b.max_age);
  EXPECT_TRUE(b.scopes.empty());
  EXPECT_TRUE(b.response_type.empty());
  EXPECT_FALSE(AuthorizeRequest::Parse({}).redirect_uri);
}

TEST(AuthorizeChecks, WhatAGoodRequestAsksFor) {
  store::OAuthClient c = Client();
  Params p = BaseParams();
  p.erase("scope");
  EXPECT_EQ(RequestedScopes(AuthorizeRequest::Parse(p), c),
            (std::vector<std::string>{"openid", "profile", "email"}));  // not offline_access
  p["scope"] = "email offline_access";
  EXPECT_EQ(RequestedScopes(AuthorizeRequest::Parse(p), c),
            (std::vector<std::string>{"email", "offline_access"}));

  for (const auto& [sent, seconds] : std::vector<std::pair<std::string, std::optional<int64_t>>>{
           {"0", 0}, {"3600", 3600}, {"9999999999", 9999999999}, {"12345678901", std::nullopt},
           {"-1", std::nullopt}, {"1.5", std::nullopt}, {" 1", std::nullopt}, {"", std::nullopt}}) {
    p["max_age"] = sent;
    EXPECT_EQ(MaxAgeSeconds(AuthorizeRequest::Parse(p)), seconds) << sent;
  }
  p.erase("max_age");
  EXPECT_FALSE(MaxAgeSeconds(AuthorizeRequest::Parse(p)));

  p["state"] = std::string(kMaxStateLength, 's');
  EXPECT_EQ(EchoedState(AuthorizeRequest::Parse(p)), p["state"]);
  p["state"] += "s";
  EXPECT_EQ(EchoedState(AuthorizeRequest::Parse(p)), "");
}

}  // namespace
}  // namespace tessera::services
