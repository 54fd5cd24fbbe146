// Dynamic client registration (RFC 7591) and management (RFC 7592) through their handlers:
// an initial access token registers a working client (confidential or public); every bad
// token is 401 with a Bearer challenge; metadata of the wrong type, inconsistent or with a bad
// redirect URI is refused with the RFC's error, unknown metadata ignored; back-channel logout
// metadata round trips, as do the public keys (jwks), require_signed_request_object and
// subject_type; the registration access token reads, replaces and deletes only its own client.
#include <gtest/gtest.h>

#include "crypto/signing_key.h"
#include "oauth/endpoints/client_registration_endpoint.h"
#include "tests/support/oauth_endpoint_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;
namespace json = boost::json;

class DynamicRegistrationTest : public OAuthEndpointFixture {
 protected:
  void SetUp() override {
    OAuthEndpointFixture::SetUp();
    SetRegistration(true);
    initial_tokens_ = std::make_unique<InitialAccessTokenService>(*store_, clock_);
    registration_ = std::make_unique<DynamicClientRegistration>(*clients_, *store_, *initial_tokens_);
    endpoint_ = std::make_unique<oauth::ClientRegistrationEndpoint>(*apps_, *registration_);
    endpoint_->Mount(router_);
    iat_ = initial_tokens_->Create(app_, "Partner", 30, CliActor()).value().token;
  }

  void SetRegistration(bool on) {
    store::AppSettings s = app_.settings;
    s.dynamic_registration = on;
    app_ = apps_->UpdateSettings(app_.slug, s).value();
  }

  http::Response Call(verb::verb method, const std::string& path, const std::string& token,
                      const std::string& body = "", const std::string& type = "application/json") {
    Headers h;
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) h.emplace_back("Content-Type", type);
    return Send(method, path, body, h);
  }
  http::Response Register(const json::object& metadata, const std::string& token) {
    return Call(verb::verb::post, Path("register"), token, json::serialize(metadata));
  }
  static json::object WebMetadata() {
    return {{"client_name", "Partner <b>Notes</b> ✓"},
            {"redirect_uris", json::array{"https://partner.example/cb"}},
            {"grant_types", json::array{"authorization_code", "refresh_token"}},
            {"scope", "openid email offline_access"}};
  }
  // A registration that must succeed: its answer.
  json::object Registered(const json::object& metadata) {
    http::Response r = Register(metadata, iat_);
    EXPECT_EQ(r.status, 201u) << r.body;
    return JsonOf(r);
  }
  static std::string ManagePath(const json::object& reg) {
    return Path("register/" + Str(reg, "client_id"));
  }
  void ExpectError(const http::Response& r, unsigned status, std::string_view error, const char* what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    EXPECT_EQ(OAuthErrorOf(r), error) << what << ": " << r.body;
    EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-store") << what;
    if (status == 401) {
      EXPECT_EQ(HeaderOf(r, "WWW-Authenticate"), "Bearer realm=\"tessera\", error=\"invalid_token\"")
          << what;
    }
  }

  std::unique_ptr<InitialAccessTokenService> initial_tokens_;
  std::unique_ptr<DynamicClientRegistration> registration_;
  std::unique_ptr<oauth::ClientRegistrationEndpoint> endpoint_;
  std::string iat_;
};

TEST_F(DynamicRegistrationTest, AnInitialAccessTokenRegistersAWorkingConfidentialClient) {
  json::object reg = Registered(WebMetadata());
  std::string id = Str(reg, "client_id");
  EXPECT_EQ(Str(reg, "client_name"), "Partner <b>Notes</b> ✓");  // kept as sent; pages escape it
  EXPECT_EQ(Str(reg, "token_endpoint_auth_method"), "client_secret_basic");
  EXPECT_EQ(reg.at("response_types"), json::array{"code"});
  EXPECT_EQ(Str(reg, "scope"), "openid email offline_access");
  EXPECT_EQ(reg.at("client_secret_expires_at"), 0);
  EXPECT_EQ(reg.at("client_id_issued_at"), clock_.NowSeconds());
  EXPECT_EQ(Str(reg, "registration_client_uri"), issuer_ + "/oauth/register/" + id);
  EXPECT_EQ(Str(reg, "registration_access_token").rfind("trat_", 0), 0u);
  std::string secret = Str(reg, "client_secret");
  ASSERT_EQ(secret.rfind("tcs_", 0), 0u);
  // It is a client like any other: it authenticates, asks for consent, serves no other tokens.
  auto client = clients_->Authenticate(app_, id, secret);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_FALSE(client->first_party);
  EXPECT_FALSE(client->resource_server);
  EXPECT_EQ(client->redirect_uris, std::vector<std::string>{"https://partner.example/cb"});
  store::User ada = SignUp("ada@example.com");
  GrantedTokens t = Grant(*client, SignIn(ada).session, "openid email");
  EXPECT_FALSE(t.access_token.empty());
}

TEST_F(DynamicRegistrationTest, APublicClientAndAMachineClient) {
  json::object pub = Registered({{"redirect_uris", json::array{"com.example.app:/cb"}},
                                 {"token_endpoint_auth_method", "none"}});
  EXPECT_FALSE(pub.contains("client_secret"));
  EXPECT_EQ(Str(pub, "token_endpoint_auth_method"), "none");
  EXPECT_EQ(Str(pub, "client_name"), "Dynamically registered client");
  EXPECT_EQ(Str(pub, "scope"), "openid profile email offline_access");  // the defaults
  EXPECT_TRUE(clients_->FindPublic(app_, Str(pub, "client_id")).ok());
  json::object machine = Registered({{"grant_types", json::array{"client_credentials"}},
                                     {"response_types", json::array{}},
                                     {"scope", "reports:read"},
                                     {"token_endpoint_auth_method", "client_secret_post"}});
  EXPECT_EQ(machine.at("response_types"), json::array{});
  EXPECT_TRUE(clients_->Authenticate(app_, Str(machine, "client_id"), Str(machine, "client_secret")).ok());
}

TEST_F(DynamicRegistrationTest, EveryBadTokenIsABearerChallenge) {
  ExpectError(Register(WebMetadata(), ""), 401, "invalid_token", "no token");
  ExpectError(Register(WebMetadata(), "tiat_" + std::string(43, 'A')), 401, "invalid_token", "unknown");
  ExpectError(Register(WebMetadata(), "not a token"), 401, "invalid_token", "malformed");
  // Another app's token.
  store::App other = apps_->Create("other", "Other", CliActor()).value();
  std::string foreign = initial_tokens_->Create(other, "Theirs", std::nullopt, CliActor()).value().token;
  ExpectError(Register(WebMetadata(), foreign), 401, "invalid_token", "another app's");
  // Expired, then revoked.
  std::string short_lived = initial_tokens_->Create(app_, "A day", 1, CliActor()).value().token;
  EXPECT_EQ(Register(WebMetadata(), short_lived).status, 201u);
  clock_.Advance(24LL * 3600 * 1000);
  ExpectError(Register(WebMetadata(), short_lived), 401, "invalid_token", "expired");
  auto listed = initial_tokens_->List(app_).value();
  for (const auto& t : listed) ASSERT_TRUE(initial_tokens_->Revoke(app_, t.id, CliActor()).ok());
  ExpectError(Register(WebMetadata(), iat_), 401, "invalid_token", "revoked");
  EXPECT_EQ(initial_tokens_->Revoke(app_, listed[0].id, CliActor()).code(), StatusCode::kNotFound);
}

TEST_F(DynamicRegistrationTest, OffForTheAppNothingIsRegistered) {
  SetRegistration(false);
  ExpectError(Register(WebMetadata(), iat_), 400, "invalid_request", "off");
  EXPECT_EQ(clients_->List(app_)->size(), 0u);
}

TEST_F(DynamicRegistrationTest, BadMetadataIsRefusedWithTheRfcsErrors) {
  struct Case {
    const char* what;
    std::function<void(json::object&)> edit;
    const char* error;
  };
  const Case cases[] = {
      {"redirect_uris a string", [](auto& m) { m["redirect_uris"] = "https://partner.example/cb"; },
       "invalid_client_metadata"},
      {"a redirect URI over http", [](auto& m) { m["redirect_uris"] = json::array{"http://partner.example/cb"}; },
       "invalid_redirect_uri"},
      {"a redirect URI with a fragment",
       [](auto& m) { m["redirect_uris"] = json::array{"https://partner.example/cb#x"}; }, "invalid_redirect_uri"},
      {"no redirect URI", [](auto& m) { m.erase("redirect_uris"); }, "invalid_redirect_uri"},
      {"a bad logout URI", [](auto& m) { m["post_logout_redirect_uris"] = json::array{"javascript:alert(1)"}; },
       "invalid_redirect_uri"},
      {"implicit", [](auto& m) { m["grant_types"] = json::array{"implicit"}; }, "invalid_client_metadata"},
      {"password", [](auto& m) { m["grant_types"] = json::array{"authorization_code", "password"}; },
       "invalid_client_metadata"},
      {"response type token", [](auto& m) { m["response_types"] = json::array{"code", "token"}; },
       "invalid_client_metadata"},
      {"code without its grant",
       [](auto& m) {
         m["grant_types"] = json::array{"client_credentials"};
         m["response_types"] = json::array{"code"};
       },
       "invalid_client_metadata"},
      {"the grant without code", [](auto& m) { m["response_types"] = json::array{}; },
       "invalid_client_metadata"},
      {"an unknown auth method", [](auto& m) { m["token_endpoint_auth_method"] = "private_key_jwt"; },
       "invalid_client_metadata"},
      {"a public machine",
       [](auto& m) {
         m["token_endpoint_auth_method"] = "none";
         m["grant_types"] = json::array{"client_credentials"};
         m["response_types"] = json::array{};
       },
       "invalid_client_metadata"},
      {"a name with NUL", [](auto& m) { m["client_name"] = std::string("a\0b", 3); }, "invalid_client_metadata"},
      {"a name of 201 characters", [](auto& m) { m["client_name"] = std::string(201, 'n'); },
       "invalid_client_metadata"},
      {"a name that is a number", [](auto& m) { m["client_name"] = 7; }, "invalid_client_metadata"},
      {"a scope with a quote", [](auto& m) { m["scope"] = "openid \"email"; }, "invalid_client_metadata"},
      {"an unknown ID token alg", [](auto& m) { m["id_token_signed_response_alg"] = "none"; },
       "invalid_client_metadata"},
      {"dpop bound as a string", [](auto& m) { m["dpop_bound_access_tokens"] = "yes"; },
       "invalid_client_metadata"},
      {"a back-channel logout URI as an array",
       [](auto& m) { m["backchannel_logout_uri"] = json::array{"https://partner.example/bc"}; },
       "invalid_client_metadata"},
      {"session required as a string",
       [](auto& m) { m["backchannel_logout_session_required"] = "true"; },
       "invalid_client_metadata"},
  };
  for (const Case& c : cases) {
    json::object m = WebMetadata();
    c.edit(m);
    ExpectError(Register(m, iat_), 400, c.error, c.what);
  }
  ExpectError(Call(verb::verb::post, Path("register"), iat_, "{not json"), 400, "invalid_client_metadata",
              "malformed JSON");
  ExpectError(Call(verb::verb::post, Path("register"), iat_, "[1]"), 400, "invalid_client_metadata", "an array");
  ExpectError(Call(verb::verb::post, Path("register"), iat_, "{}", "text/plain"), 400,
              "invalid_client_metadata", "another media type");
  ExpectError(Call(verb::verb::post, Path("register"), iat_, "{}", "application/jsonp"), 400,
              "invalid_client_metadata", "a longer media type");
  EXPECT_EQ(clients_->List(app_)->size(), 0u);  // nothing was registered by any of them
  // Metadata not understood is ignored (RFC 7591 §2).
  json::object m = WebMetadata();
  m["logo_uri"] = "https://partner.example/logo.png";
  m["software_statement"] = "eyJhbGciOiJub25lIn0.e30.";
  m["first_party"] = true;  // not client metadata: a registered client never skips consent
  json::object reg = Registered(m);
  EXPECT_FALSE(reg.contains("logo_uri"));
  // The media type is compared as RFC 9110 says: any case, with parameters.
  EXPECT_EQ(Call(verb::verb::post, Path("register"), iat_, json::serialize(WebMetadata()),
                 "Application/JSON; charset=utf-8").status,
            201u);
  EXPECT_FALSE(clients_->Find(app_, Str(reg, "client_id"))->first_party);
}

TEST_F(DynamicRegistrationTest, TheRegistrationAccessTokenManagesItsOwnClientOnly) {
  json::object reg = Registered(WebMetadata());
  json::object other = Registered(WebMetadata());
  std::string rat = Str(reg, "registration_access_token");
  std::string id = Str(reg, "client_id");

  http::Response read = Call(verb::verb::get, ManagePath(reg), rat);
  ASSERT_EQ(read.status, 200u) << read.body;
  json::object got = JsonOf(read);
  EXPECT_EQ(Str(got, "client_id"), id);
  EXPECT_FALSE(got.contains("client_secret"));  // stored hashed: never shown again
  EXPECT_EQ(Str(got, "registration_access_token"), rat);
  EXPECT_EQ(Str(got, "registration_client_uri"), issuer_ + "/oauth/register/" + id);

  ExpectError(Call(verb::verb::get, ManagePath(reg), Str(other, "registration_access_token")), 401,
              "invalid_token", "another client's token");
  ExpectError(Call(verb::verb::get, ManagePath(reg), ""), 401, "invalid_token", "no token");
  ExpectError(Call(verb::verb::get, ManagePath(reg), iat_), 401, "invalid_token", "the initial token");
  ExpectError(Call(verb::verb::get, Path("register/no-such-client"), rat), 401, "invalid_token", "unknown");
  store::OAuthClient console_made = Confidential("Console");
  ExpectError(Call(verb::verb::get, Path("register/" + console_made.client_id), rat), 401,
              "invalid_token", "a console client");

  // Replace: what is left out takes its default; the id must be the client's own.
  json::object put{{"client_id", id},
                   {"client_name", "Renamed"},
                   {"redirect_uris", json::array{"https://partner.example/new"}}};
  http::Response replaced = Call(verb::verb::put, ManagePath(reg), rat, json::serialize(put));
  ASSERT_EQ(replaced.status, 200u) << replaced.body;
  EXPECT_EQ(Str(JsonOf(replaced), "client_name"), "Renamed");
  EXPECT_EQ(JsonOf(replaced).at("grant_types"), json::array{"authorization_code"});
  EXPECT_EQ(clients_->Find(app_, id)->redirect_uris, std::vector<std::string>{"https://partner.example/new"});
  json::object wrong_id = put;
  wrong_id["client_id"] = Str(other, "client_id");
  ExpectError(Call(verb::verb::put, ManagePath(reg), rat, json::serialize(wrong_id)), 400,
              "invalid_client_metadata", "another id");
  json::object wrong_secret = put;
  wrong_secret["client_secret"] = "tcs_not-it";
  ExpectError(Call(verb::verb::put, ManagePath(reg), rat, json::serialize(wrong_secret)), 400,
              "invalid_client_metadata", "a wrong secret");
  json::object right_secret = put;
  right_secret["client_secret"] = Str(reg, "client_secret");
  EXPECT_EQ(Call(verb::verb::put, ManagePath(reg), rat, json::serialize(right_secret)).status, 200u);
  json::object to_public = put;
  to_public["token_endpoint_auth_method"] = "none";
  ExpectError(Call(verb::verb::put, ManagePath(reg), rat, json::serialize(to_public)), 400,
              "invalid_client_metadata", "becoming public");
  ExpectError(Call(verb::verb::put, ManagePath(reg), "trat_" + std::string(43, 'B'), "{oops"), 401,
              "invalid_token", "a bad token before a bad body");

  // Delete: the client is gone, and so is its management.
  http::Response deleted = Call(verb::verb::delete_, ManagePath(reg), rat);
  EXPECT_EQ(deleted.status, 204u) << deleted.body;
  EXPECT_FALSE(clients_->Authenticate(app_, id, Str(reg, "client_secret")).ok());
  ExpectError(Call(verb::verb::get, ManagePath(reg), rat), 401, "invalid_token", "after delete");
  ExpectError(Call(verb::verb::delete_, ManagePath(reg), rat), 401, "invalid_token", "deleted twice");
  EXPECT_EQ(Call(verb::verb::get, ManagePath(other), Str(other, "registration_access_token")).status, 200u);
}

// OIDC Back-Channel Logout 1.0 §2.2 metadata: kept as registered, echoed by the answer and by
// RFC 7592 reads (the URI only when there is one), dropped by a replacement that leaves it out.
TEST_F(DynamicRegistrationTest, BackChannelLogoutMetadataRoundTrips) {
  json::object m = WebMetadata();
  m["backchannel_logout_uri"] = "https://partner.example/backchannel?tenant=7";
  m["backchannel_logout_session_required"] = true;
  json::object reg = Registered(m);
  std::string id = Str(reg, "client_id");
  EXPECT_EQ(Str(reg, "backchannel_logout_uri"), "https://partner.example/backchannel?tenant=7");
  EXPECT_EQ(reg.at("backchannel_logout_session_required"), true);
  store::OAuthClient stored = clients_->Find(app_, id).value();
  EXPECT_EQ(stored.backchannel_logout_uri, "https://partner.example/backchannel?tenant=7");
  EXPECT_TRUE(stored.backchannel_logout_session_required);
  std::string rat = Str(reg, "registration_access_token");
  http::Response read = Call(verb::verb::get, ManagePath(reg), rat);
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(Str(JsonOf(read), "backchannel_logout_uri"),
            "https://partner.example/backchannel?tenant=7");
  EXPECT_EQ(JsonOf(read).at("backchannel_logout_session_required"), true);

  // RFC 7592 §2.2: what the replacement leaves out is removed.
  json::object put = WebMetadata();
  put["client_id"] = id;
  http::Response replaced = Call(verb::verb::put, ManagePath(reg), rat, json::serialize(put));
  ASSERT_EQ(replaced.status, 200u) << replaced.body;
  EXPECT_FALSE(JsonOf(replaced).contains("backchannel_logout_uri"));
  EXPECT_EQ(JsonOf(replaced).at("backchannel_logout_session_required"), false);
  EXPECT_EQ(clients_->Find(app_, id)->backchannel_logout_uri, "");

  // A client registered without one has none.
  EXPECT_FALSE(Registered(WebMetadata()).contains("backchannel_logout_uri"));

  // http only for a confidential client (the spec lets the OP allow it there), never a fragment.
  json::object confidential_http = WebMetadata();
  confidential_http["backchannel_logout_uri"] = "http://partner.example/bc";
  EXPECT_EQ(Str(Registered(confidential_http), "backchannel_logout_uri"),
            "http://partner.example/bc");
  json::object public_http{{"redirect_uris", json::array{"com.example.app:/cb"}},
                           {"token_endpoint_auth_method", "none"},
                           {"backchannel_logout_uri", "http://partner.example/bc"}};
  ExpectError(Register(public_http, iat_), 400, "invalid_client_metadata",
              "http for a public client");
  json::object fragment = WebMetadata();
  fragment["backchannel_logout_uri"] = "https://partner.example/bc#x";
  ExpectError(Register(fragment, iat_), 400, "invalid_client_metadata", "a fragment");
  EXPECT_EQ(clients_->List(app_)->size(), 3u);  // the refused ones were not registered
}

// OIDC Registration `jwks` (by value) and RFC 9101 §10.5 `require_signed_request_object`: the
// keys kept and echoed as the JWK Set sent (only when there are some), the flag always; a
// replacement that leaves them out removes them; keys that are no JWK Set of public keys, or
// given by URI only, are refused.
TEST_F(DynamicRegistrationTest, SigningKeysRoundTripAndAreChecked) {
  json::object jwk =
      crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "partner-2026").value().PublicJwk();
  const json::object jwks{{"keys", json::array{jwk}}};
  json::object with_keys = WebMetadata();
  with_keys["jwks"] = jwks;
  with_keys["require_signed_request_object"] = true;
  json::object reg = Registered(with_keys);
  std::string id = Str(reg, "client_id");
  EXPECT_EQ(reg.at("jwks"), jwks);
  EXPECT_EQ(reg.at("require_signed_request_object"), true);
  store::OAuthClient stored = clients_->Find(app_, id).value();
  EXPECT_EQ(json::parse(stored.jwks), jwks);
  EXPECT_TRUE(stored.require_signed_request_object);
  std::string rat = Str(reg, "registration_access_token");
  http::Response read = Call(verb::verb::get, ManagePath(reg), rat);
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(JsonOf(read).at("jwks"), jwks);
  EXPECT_EQ(JsonOf(read).at("require_signed_request_object"), true);

  // RFC 7592 §2.2: what the replacement leaves out is removed.
  json::object put = WebMetadata();
  put["client_id"] = id;
  http::Response replaced = Call(verb::verb::put, ManagePath(reg), rat, json::serialize(put));
  ASSERT_EQ(replaced.status, 200u) << replaced.body;
  EXPECT_FALSE(JsonOf(replaced).contains("jwks"));
  EXPECT_EQ(JsonOf(replaced).at("require_signed_request_object"), false);
  EXPECT_EQ(clients_->Find(app_, id)->jwks, "");

  // A client registered without keys has none, and says it need not sign.
  json::object plain = Registered(WebMetadata());
  EXPECT_FALSE(plain.contains("jwks"));
  EXPECT_EQ(plain.at("require_signed_request_object"), false);

  struct Case {
    const char* what;
    std::function<void(json::object&)> edit;
  };
  const Case cases[] = {
      {"jwks as JSON text", [&](auto& m) { m["jwks"] = json::serialize(jwks); }},
      {"jwks an array of keys", [&](auto& m) { m["jwks"] = json::array{jwk}; }},
      {"a private key",
       [&](auto& m) {
         json::object private_jwk = jwk;
         private_jwk["d"] = "jpsQnnGQmL-YBIffH1136cLV0aXY-_0xiGPL-7r9Q8c";
         m["jwks"] = json::object{{"keys", json::array{private_jwk}}};
       }},
      {"no keys array", [&](auto& m) { m["jwks"] = jwk; }},
      {"required without keys", [](auto& m) { m["require_signed_request_object"] = true; }},
      {"required as a string", [&](auto& m) {
         m["jwks"] = jwks;
         m["require_signed_request_object"] = "true";
       }},
  };
  for (const Case& c : cases) {
    json::object bad = WebMetadata();
    c.edit(bad);
    ExpectError(Register(bad, iat_), 400, "invalid_client_metadata", c.what);
  }
  // Keys by reference are not fetched: refused rather than leaving the client without keys.
  json::object by_uri = WebMetadata();
  by_uri["jwks_uri"] = "https://partner.example/jwks.json";
  http::Response refused = Register(by_uri, iat_);
  ExpectError(refused, 400, "invalid_client_metadata", "jwks_uri");
  EXPECT_EQ(Str(JsonOf(refused), "error_description"), "jwks_uri is not supported; send jwks");
  EXPECT_EQ(clients_->List(app_)->size(), 2u);  // the refused ones were not registered
}

// OIDC Registration §2 `subject_type` (OIDC Core §8): always echoed, "public" unless the client
// asked for "pairwise" while the app allows pairwise subjects; a replacement that leaves it out
// makes the client public again; anything but "public" or "pairwise" is refused.
TEST_F(DynamicRegistrationTest, SubjectTypeRoundTripsAndIsChecked) {
  json::object plain = Registered(WebMetadata());
  EXPECT_EQ(Str(plain, "subject_type"), "public");
  EXPECT_FALSE(clients_->Find(app_, Str(plain, "client_id"))->pairwise_subject);
  json::object pairwise = WebMetadata();
  pairwise["subject_type"] = "pairwise";
  ExpectError(Register(pairwise, iat_), 400, "invalid_client_metadata",
              "pairwise while the app does not allow it");

  store::AppSettings s = app_.settings;
  s.pairwise_subjects = true;
  app_ = apps_->UpdateSettings(app_.slug, s).value();
  json::object reg = Registered(pairwise);
  std::string id = Str(reg, "client_id");
  EXPECT_EQ(Str(reg, "subject_type"), "pairwise");
  EXPECT_TRUE(clients_->Find(app_, id)->pairwise_subject);
  std::string rat = Str(reg, "registration_access_token");
  http::Response read = Call(verb::verb::get, ManagePath(reg), rat);
  ASSERT_EQ(read.status, 200u) << read.body;
  EXPECT_EQ(Str(JsonOf(read), "subject_type"), "pairwise");

  // A replacement that keeps it keeps it; RFC 7592 §2.2: one that leaves it out, public.
  json::object put = pairwise;
  put["client_id"] = id;
  http::Response kept = Call(verb::verb::put, ManagePath(reg), rat, json::serialize(put));
  ASSERT_EQ(kept.status, 200u) << kept.body;
  EXPECT_EQ(Str(JsonOf(kept), "subject_type"), "pairwise");
  put.erase("subject_type");
  http::Response replaced = Call(verb::verb::put, ManagePath(reg), rat, json::serialize(put));
  ASSERT_EQ(replaced.status, 200u) << replaced.body;
  EXPECT_EQ(Str(JsonOf(replaced), "subject_type"), "public");
  EXPECT_FALSE(clients_->Find(app_, id)->pairwise_subject);

  struct Case {
    const char* what;
    json::value subject_type;
  };
  const Case cases[] = {
      {"another type", "other"}, {"a number", 1}, {"in capitals", "PAIRWISE"}, {"a bool", true}};
  for (const Case& c : cases) {
    json::object bad = WebMetadata();
    bad["subject_type"] = c.subject_type;
    http::Response refused = Register(bad, iat_);
    ExpectError(refused, 400, "invalid_client_metadata", c.what);
    EXPECT_EQ(Str(JsonOf(refused), "error_description"), "subject_type must be public or pairwise")
        << c.what;
  }
  // The sector of a pairwise client is the one host of its redirect URIs.
  json::object two_hosts = pairwise;
  two_hosts["redirect_uris"] = json::array{"https://partner.example/cb", "https://other.example/cb"};
  ExpectError(Register(two_hosts, iat_), 400, "invalid_redirect_uri", "redirect URIs of two hosts");
  EXPECT_EQ(clients_->List(app_)->size(), 2u);  // the refused ones were not registered
}

TEST_F(DynamicRegistrationTest, InitialAccessTokensAreCheckedOnCreation) {
  EXPECT_EQ(initial_tokens_->Create(app_, "", 30, CliActor()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(initial_tokens_->Create(app_, std::string(101, 'n'), 30, CliActor()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(initial_tokens_->Create(app_, "n", 0, CliActor()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(initial_tokens_->Create(app_, "n", 3651, CliActor()).status().code(), StatusCode::kInvalidArgument);
  auto made = initial_tokens_->Create(app_, "Forever", std::nullopt, CliActor());
  ASSERT_TRUE(made.ok());
  EXPECT_FALSE(made->record.expires_at.has_value());
  EXPECT_EQ(made->record.prefix, made->token.substr(0, 12));
  EXPECT_EQ(made->record.token_hash, crypto::TokenHash(made->token));  // only the hash is kept
  EXPECT_TRUE(initial_tokens_->Check(app_, made->token).ok());
}

}  // namespace
}  // namespace tessera::services
