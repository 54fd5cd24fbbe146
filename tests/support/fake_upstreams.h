// File: fake_upstreams.h
// Upstream identity providers for tests, on loopback HTTP (loopback_http_server.h), spoken to
// through the real libcurl client:
//   FakeOidcProvider  an OpenID provider: discovery, JWKS, token endpoint issuing ID tokens
//                     signed with crypto::SignJwt, userinfo
//   FakeGithub        GitHub's shape: /login/oauth/access_token (200 {"error":…} on failure),
//                     /user and /user/emails (Bearer token; a User-Agent is required)
// Their public members are what the next answers say: a test sets them between calls (the
// server reads them while it answers, so never while a call is in flight).
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "crypto/signing_key.h"
#include "tests/support/loopback_http_server.h"

namespace tessera::testing_support {

class FakeOidcProvider {
 public:
  // ID tokens are issued at `now_seconds` (the clock of the code under test) for `client_id`.
  FakeOidcProvider(int64_t now_seconds, std::string client_id = "client-1");

  std::string issuer() const { return server.url(); }
  std::string url(std::string_view path) const { return server.url() + std::string(path); }

  std::string client_id;
  // Served at /.well-known/openid-configuration: issuer, authorization_endpoint (/authorize),
  // token_endpoint (/token), userinfo_endpoint (/userinfo), jwks_uri (/jwks).
  boost::json::object discovery;
  std::vector<crypto::SigningKey> jwks;  // served at /jwks; starts with `signer`'s key
  crypto::SigningKey signer;             // signs the ID tokens (RS256, kid "k1")
  // The next ID token's claims: iss, aud, sub, email, email_verified, name, picture,
  // preferred_username, iat, exp, and nonce (set it to the sign-in's: "n-123" by default).
  boost::json::object id_token_claims;
  std::optional<std::string> id_token_override;  // served instead of a signed token
  boost::json::object token_answer_extra;         // merged into the token answer
  int token_status = 200;                         // not 200: token_error is the body
  boost::json::object token_error = {{"error", "invalid_grant"}};
  std::chrono::milliseconds token_delay{0};
  boost::json::object userinfo;  // served at /userinfo (sub as in id_token_claims)
  // Last: destroyed first, so no answer is served from members already gone.
  LoopbackHttpServer server;
};

struct FakeGithubEmail {
  std::string email;
  bool primary = false;
  bool verified = false;
};

struct FakeGithubUser {
  int64_t id = 0;
  std::string login;
  std::string name;
  std::string avatar_url;
  std::string public_email;  // /user's `email`: the profile's, never verified
  std::vector<FakeGithubEmail> emails;
};

class FakeGithub {
 public:
  FakeGithub(std::string client_id = "gh-client", std::string client_secret = "gh-secret");

  std::string url() const { return server.url(); }

  std::string client_id;
  std::string client_secret;
  std::string code = "gh-code";            // the one code the token endpoint accepts (once)
  bool code_used = false;
  std::string code_challenge;              // when set, the code_verifier must match (S256)
  std::string access_token = "gho_token1";
  FakeGithubUser user;
  int emails_status = 200;                 // e.g. 404 without the user:email scope
  int token_status = 200;
  std::chrono::milliseconds delay{0};      // before each answer
  LoopbackHttpServer server;               // last: destroyed first
};

}  // namespace tessera::testing_support
