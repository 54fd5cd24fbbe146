#include "tests/support/fake_upstreams.h"

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/jwt.h"

namespace tessera::testing_support {
namespace {
namespace json = boost::json;

LoopbackResponse GithubError(std::string_view error) {
  // GitHub's way: 200, and the error in the body.
  return LoopbackResponse::Json({{"error", error}, {"error_description", "see the docs"}});
}

std::string BearerOf(const LoopbackRequest& r) {
  std::string h = r.Header("authorization");
  if (h.rfind("Bearer ", 0) == 0) return h.substr(7);
  if (h.rfind("token ", 0) == 0) return h.substr(6);
  return {};
}

}  // namespace

FakeOidcProvider::FakeOidcProvider(int64_t now_seconds, std::string id)
    : client_id(std::move(id)), signer(crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "k1").value()) {
  jwks.push_back(signer);
  discovery = {{"issuer", issuer()},
               {"authorization_endpoint", url("/authorize")},
               {"token_endpoint", url("/token")},
               {"userinfo_endpoint", url("/userinfo")},
               {"jwks_uri", url("/jwks")},
               {"response_types_supported", json::array{"code"}},
               {"subject_types_supported", json::array{"public"}},
               {"id_token_signing_alg_values_supported", json::array{"RS256"}},
               {"token_endpoint_auth_methods_supported",
                json::array{"client_secret_basic", "client_secret_post"}}};
  id_token_claims = {{"iss", issuer()},
                     {"aud", client_id},
                     {"sub", "248289761001"},
                     {"email", "jane@corp.example"},
                     {"email_verified", true},
                     {"name", "Jane Doe"},
                     {"picture", "https://corp.example/jane.png"},
                     {"preferred_username", "jane"},
                     {"nonce", "n-123"},
                     {"iat", now_seconds},
                     {"exp", now_seconds + 600}};
  userinfo = {{"sub", "248289761001"}, {"email", "jane@corp.example"}, {"email_verified", true}};

  server.Route("GET", "/.well-known/openid-configuration",
               [this](const LoopbackRequest&) { return LoopbackResponse::Json(discovery); });
  server.Route("GET", "/jwks", [this](const LoopbackRequest&) {
    json::array keys;
    for (const auto& k : jwks) keys.push_back(k.PublicJwk());
    return LoopbackResponse::Json({{"keys", keys}});
  });
  server.Route("POST", "/token", [this](const LoopbackRequest&) {
    LoopbackResponse r;
    if (token_status != 200) {
      r = LoopbackResponse::Json(token_error, token_status);
    } else {
      std::string id_token = id_token_override ? *id_token_override
                                               : crypto::SignJwt(signer, "JWT", id_token_claims).value();
      json::object answer = {{"access_token", "at-0123456789"},
                             {"token_type", "Bearer"},
                             {"expires_in", 3600},
                             {"id_token", id_token}};
      for (const auto& [k, v] : token_answer_extra) answer[k] = v;
      r = LoopbackResponse::Json(answer);
    }
    r.delay = token_delay;
    return r;
  });
  server.Route("GET", "/userinfo", [this](const LoopbackRequest& r) {
    if (BearerOf(r) != "at-0123456789") {
      return LoopbackResponse::Json({{"error", "invalid_token"}}, 401);
    }
    return LoopbackResponse::Json(userinfo);
  });
}

FakeGithub::FakeGithub(std::string id, std::string secret)
    : client_id(std::move(id)), client_secret(std::move(secret)) {
  server.Route("POST", "/login/oauth/access_token", [this](const LoopbackRequest& r) {
    LoopbackResponse out;
    auto form = r.Form();
    if (token_status != 200) {
      out = LoopbackResponse::Json({{"message", "Server Error"}}, token_status);
    } else if (form["client_id"] != client_id || form["client_secret"] != client_secret) {
      out = GithubError("incorrect_client_credentials");
    } else if (form["code"] != code || code_used) {
      out = GithubError("bad_verification_code");
    } else if (!code_challenge.empty() &&
               crypto::Base64UrlEncode(crypto::Sha256(form["code_verifier"])) != code_challenge) {
      out = GithubError("bad_verification_code");
    } else {
      code_used = true;
      out = LoopbackResponse::Json(
          {{"access_token", access_token}, {"token_type", "bearer"}, {"scope", "read:user,user:email"}});
    }
    if (r.Header("accept") != "application/json") {
      // Without Accept: application/json GitHub answers a form; the connector always asks JSON.
      out = LoopbackResponse::Text("error=not_json", 200, "application/x-www-form-urlencoded");
    }
    out.delay = delay;
    return out;
  });
  auto api = [this](const LoopbackRequest& r, auto answer) {
    LoopbackResponse out;
    if (!r.HasHeader("user-agent") || r.Header("user-agent").empty()) {
      out = LoopbackResponse::Text(
          "Request forbidden by administrative rules. Please make sure your request has a "
          "User-Agent header.",
          403);
    } else if (BearerOf(r) != access_token) {
      out = LoopbackResponse::Json({{"message", "Bad credentials"}}, 401);
    } else {
      out = answer();
    }
    out.delay = delay;
    return out;
  };
  server.Route("GET", "/user", [this, api](const LoopbackRequest& r) {
    return api(r, [this] {
      json::object u = {{"id", user.id},
                        {"login", user.login},
                        {"avatar_url", user.avatar_url},
                        {"type", "User"}};
      u["name"] = user.name.empty() ? json::value(nullptr) : json::value(user.name);
      u["email"] = user.public_email.empty() ? json::value(nullptr) : json::value(user.public_email);
      return LoopbackResponse::Json(u);
    });
  });
  server.Route("GET", "/user/emails", [this, api](const LoopbackRequest& r) {
    return api(r, [this] {
      if (emails_status != 200) return LoopbackResponse::Json({{"message", "Not Found"}}, emails_status);
      json::array list;
      for (const auto& e : user.emails) {
        list.push_back(json::object{{"email", e.email},
                        {"primary", e.primary},
                        {"verified", e.verified},
                        {"visibility", e.primary ? json::value("private") : json::value(nullptr)}});
      }
      return LoopbackResponse::Json(list);
    });
  });
}

}  // namespace tessera::testing_support
