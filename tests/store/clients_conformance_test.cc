// ClientStore conformance: OAuth clients, created, listed, updated and revoked.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

OAuthClient MakeClient(const App& app, const std::string& id, bool is_public = false) {
  OAuthClient c;
  c.client_id = id;
  c.app_id = app.id;
  c.name = "Client " + id + " <'\"&>";
  if (!is_public) c.secret_hash = std::string(64, 'c');
  c.is_public = is_public;
  c.first_party = true;
  c.redirect_uris = {"https://app.example/cb", "com.example.app:/cb"};
  c.grant_types = {"authorization_code", "refresh_token"};
  c.scopes = {"openid", "profile", "offline_access"};
  c.created_at = kT0;
  return c;
}

void ExpectSameClient(const OAuthClient& got, const OAuthClient& want) {
  using C = OAuthClient;
  ExpectSameFields(got, want, FIELD(C, client_id), FIELD(C, app_id), FIELD(C, name),
                   FIELD(C, secret_hash), FIELD(C, is_public), FIELD(C, first_party),
                   FIELD(C, redirect_uris), FIELD(C, post_logout_redirect_uris),
                   FIELD(C, grant_types), FIELD(C, scopes), FIELD(C, created_at),
                   FIELD(C, revoked_at), FIELD(C, require_pushed_authorization_requests),
                   FIELD(C, token_exchange_audiences), FIELD(C, dpop_bound_access_tokens),
                   FIELD(C, registration_access_token_hash), FIELD(C, backchannel_logout_uri),
                   FIELD(C, backchannel_logout_session_required), FIELD(C, jwks),
                   FIELD(C, require_signed_request_object), FIELD(C, pairwise_subject));
}

// ---------------------------------------------------------------------------------------
// Create, get, list

TEST_P(StoreConformanceTest, CreateGetAndListClients) {
  App app = AddApp("default");
  OAuthClient c = MakeClient(app, "client-1");
  c.require_pushed_authorization_requests = true;
  c.dpop_bound_access_tokens = true;
  c.registration_access_token_hash = "5e3f-registration-token-hash";
  c.backchannel_logout_uri = "https://app.example/logout?from=tessera&x='\"<>";
  c.backchannel_logout_session_required = true;
  c.jwks = R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})";
  c.require_signed_request_object = true;
  c.pairwise_subject = true;
  ASSERT_OK(store().CreateClient(c));
  ASSERT_OK(store().CreateClient(MakeClient(app, "client-2", /*is_public=*/true)));
  auto got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  ExpectSameClient(*got, c);
  EXPECT_EQ(got->name, c.name);
  EXPECT_EQ(got->secret_hash, c.secret_hash);
  EXPECT_FALSE(got->is_public);
  EXPECT_TRUE(got->first_party);
  EXPECT_EQ(got->redirect_uris, c.redirect_uris);
  EXPECT_EQ(got->grant_types, c.grant_types);
  EXPECT_EQ(got->scopes, c.scopes);
  EXPECT_EQ(got->created_at, kT0);
  auto pub = store().GetClient(app.id, "client-2");
  ASSERT_OK(pub);
  EXPECT_TRUE(pub->is_public);
  EXPECT_FALSE(pub->secret_hash.has_value());
  EXPECT_FALSE(pub->require_pushed_authorization_requests);
  EXPECT_FALSE(pub->dpop_bound_access_tokens);
  EXPECT_EQ(pub->registration_access_token_hash, "");
  auto all = store().ListClients(app.id);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].client_id, "client-1");
  EXPECT_TRUE((*all)[0].require_pushed_authorization_requests);
  EXPECT_FALSE((*all)[1].require_pushed_authorization_requests);
  EXPECT_TRUE((*all)[0].dpop_bound_access_tokens);
  EXPECT_FALSE((*all)[1].dpop_bound_access_tokens);
}

TEST_P(StoreConformanceTest, ClientTokenExchangeAudiencesRoundTrip) {
  App app = AddApp("default");
  OAuthClient c = MakeClient(app, "client-1");
  c.grant_types.push_back("urn:ietf:params:oauth:grant-type:token-exchange");
  c.token_exchange_audiences = {"https://api.example.com", "urn:example:billing",
                                "orders-service"};
  ASSERT_OK(store().CreateClient(c));
  ASSERT_OK(store().CreateClient(MakeClient(app, "client-2")));  // none
  auto got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  ExpectSameClient(*got, c);
  EXPECT_EQ(got->token_exchange_audiences, c.token_exchange_audiences);  // in order
  auto none = store().GetClient(app.id, "client-2");
  ASSERT_OK(none);
  EXPECT_THAT(none->token_exchange_audiences, IsEmpty());
  auto all = store().ListClients(app.id);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].token_exchange_audiences, c.token_exchange_audiences);
  EXPECT_THAT((*all)[1].token_exchange_audiences, IsEmpty());

  // Changed, then cleared.
  auto updated = store().UpdateClient(app.id, "client-1", [](OAuthClient& cur) {
    cur.token_exchange_audiences = {"https://other.example.com/api"};
    return OkStatus();
  });
  ASSERT_OK(updated);
  EXPECT_THAT(updated->token_exchange_audiences, ElementsAre("https://other.example.com/api"));
  got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  EXPECT_THAT(got->token_exchange_audiences, ElementsAre("https://other.example.com/api"));
  EXPECT_EQ(got->redirect_uris, c.redirect_uris);  // the rest as it was
  ASSERT_OK(store().UpdateClient(app.id, "client-1", [](OAuthClient& cur) {
    cur.token_exchange_audiences.clear();
    return OkStatus();
  }));
  got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  EXPECT_THAT(got->token_exchange_audiences, IsEmpty());
}

TEST_P(StoreConformanceTest, ClientsAreIsolatedPerAppAndIdsAreUnique) {
  App a = AddApp("a");
  App b = AddApp("b");
  ASSERT_OK(store().CreateClient(MakeClient(a, "shared-id")));
  EXPECT_CODE(store().GetClient(b.id, "shared-id"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetClient(a.id, "nope"), StatusCode::kNotFound);
  EXPECT_CLASH(store().CreateClient(MakeClient(b, "shared-id")), ClientUniqueKey::kClientId);
  auto listed = store().ListClients(b.id);
  ASSERT_OK(listed);
  EXPECT_TRUE(listed->empty());
}

TEST_P(StoreConformanceTest, ClientPostLogoutRedirectUrisRoundTrip) {
  App app = AddApp("default");
  OAuthClient c = MakeClient(app, "client-1");
  c.post_logout_redirect_uris = {"https://app.example/bye", "com.example.app:/bye"};
  ASSERT_OK(store().CreateClient(c));
  ASSERT_OK(store().CreateClient(MakeClient(app, "client-2")));  // none
  auto got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->post_logout_redirect_uris, c.post_logout_redirect_uris);
  EXPECT_EQ(got->redirect_uris, c.redirect_uris);
  auto none = store().GetClient(app.id, "client-2");
  ASSERT_OK(none);
  EXPECT_THAT(none->post_logout_redirect_uris, IsEmpty());
  auto all = store().ListClients(app.id);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].post_logout_redirect_uris, c.post_logout_redirect_uris);
}

// ---------------------------------------------------------------------------------------
// Updating and revoking (the developer console)

TEST_P(StoreConformanceTest, UpdateClientChangesAllButItsIdentity) {
  App app = AddApp("default");
  App other = AddApp("other");
  OAuthClient c = MakeClient(app, "client-1");
  ASSERT_OK(store().CreateClient(c));
  OAuthClient sibling = MakeClient(app, "client-2");
  ASSERT_OK(store().CreateClient(sibling));

  OAuthClient want = c;
  want.name = "Renamed ünïcode ✓";
  want.secret_hash.reset();  // now public
  want.is_public = true;
  want.first_party = false;
  want.redirect_uris = {"https://new.example/cb"};
  want.post_logout_redirect_uris = {"https://new.example/bye"};
  want.grant_types = {"authorization_code"};
  want.scopes = {"openid"};
  want.require_pushed_authorization_requests = true;
  want.token_exchange_audiences = {"https://api.example.com"};
  want.dpop_bound_access_tokens = true;
  want.registration_access_token_hash = "rotated-hash";
  auto updated = store().UpdateClient(app.id, "client-1", [&](OAuthClient& cur) {
    ExpectSameClient(cur, c);  // sees the current row
    OAuthClient keep = want;
    keep.client_id = "hijacked";  // not changeable: ignored
    keep.app_id = other.id;
    keep.created_at = kT0 + kDay;
    keep.revoked_at = kT0 + kDay;
    cur = keep;
    return OkStatus();
  });
  ASSERT_OK(updated);
  ExpectSameClient(*updated, want);
  auto got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  ExpectSameClient(*got, want);
  EXPECT_CODE(store().GetClient(app.id, "hijacked"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetClient(other.id, "client-1"), StatusCode::kNotFound);
  auto untouched = store().GetClient(app.id, "client-2");
  ASSERT_OK(untouched);
  ExpectSameClient(*untouched, sibling);

  // And back: a secret again.
  auto back = store().UpdateClient(app.id, "client-1", [](OAuthClient& cur) {
    cur.secret_hash = std::string(64, 'd');
    cur.is_public = false;
    return OkStatus();
  });
  ASSERT_OK(back);
  got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->secret_hash, std::string(64, 'd'));
  EXPECT_FALSE(got->is_public);
  EXPECT_EQ(got->redirect_uris, want.redirect_uris);
  EXPECT_TRUE(got->require_pushed_authorization_requests);
  EXPECT_TRUE(got->dpop_bound_access_tokens);
}

TEST_P(StoreConformanceTest, UpdateClientRollsBackAndIsNotFoundForOthers) {
  App app = AddApp("default");
  App other = AddApp("other");
  OAuthClient c = MakeClient(app, "client-1");
  ASSERT_OK(store().CreateClient(c));
  ASSERT_OK(store().CreateClient(MakeClient(app, "client-revoked")));
  ASSERT_OK(store().RevokeClient(app.id, "client-revoked", kT0 + kMinute));

  auto failed = store().UpdateClient(app.id, "client-1", [](OAuthClient& cur) {
    cur.name = "changed";
    cur.redirect_uris.push_back("https://evil.example/cb");
    cur.secret_hash.reset();
    return FailedPreconditionError("no");
  });
  EXPECT_CODE(failed, StatusCode::kFailedPrecondition);
  EXPECT_EQ(failed.status().message(), "no");
  auto got = store().GetClient(app.id, "client-1");
  ASSERT_OK(got);
  ExpectSameClient(*got, c);

  int calls = 0;
  auto count_calls = [&](OAuthClient&) {
    ++calls;
    return OkStatus();
  };
  EXPECT_CODE(store().UpdateClient(app.id, "nope", count_calls), StatusCode::kNotFound);
  EXPECT_CODE(store().UpdateClient(other.id, "client-1", count_calls), StatusCode::kNotFound);
  EXPECT_CODE(store().UpdateClient(app.id, "client-revoked", count_calls), StatusCode::kNotFound);
  EXPECT_EQ(calls, 0);
  // The revoked one stays revoked and unchanged.
  auto rows = Query("SELECT revoked_at, name FROM oauth_clients WHERE client_id = $1",
                    {std::string("client-revoked")});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::OptInt((*rows)[0], 0), kT0 + kMinute);
  EXPECT_EQ(sql::Text((*rows)[0], 1), MakeClient(app, "client-revoked").name);
}

TEST_P(StoreConformanceTest, RevokeClient) {
  App app = AddApp("default");
  App other = AddApp("other");
  ASSERT_OK(store().CreateClient(MakeClient(app, "client-1")));
  ASSERT_OK(store().CreateClient(MakeClient(app, "client-2")));

  EXPECT_CODE(store().RevokeClient(other.id, "client-1", kT0 + 1), StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeClient(app.id, "nope", kT0 + 1), StatusCode::kNotFound);
  EXPECT_OK(store().GetClient(app.id, "client-1"));

  ASSERT_OK(store().RevokeClient(app.id, "client-1", kT0 + kMinute));
  EXPECT_CODE(store().GetClient(app.id, "client-1"), StatusCode::kNotFound);
  auto listed = store().ListClients(app.id);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].client_id, "client-2");
  EXPECT_CODE(store().RevokeClient(app.id, "client-1", kT0 + kHour), StatusCode::kNotFound);
  auto rows =
      Query("SELECT revoked_at FROM oauth_clients WHERE client_id = $1", {std::string("client-1")});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::OptInt((*rows)[0], 0), kT0 + kMinute);  // the first revocation's time stays
  // The id stays taken.
  EXPECT_CLASH(store().CreateClient(MakeClient(app, "client-1")), ClientUniqueKey::kClientId);
}

// ---------------------------------------------------------------------------------------
// Initial access tokens (RFC 7591 §3)

TEST_P(StoreConformanceTest, InitialAccessTokensAreAnAppsOwnUntilRevoked) {
  App app = AddApp("default");
  App other = AddApp("other");
  InitialAccessToken a{"iat-1", app.id, "Partner ünïcode", "tiat_abcdefg", "hash-1", "dev-1",
                       kT0, kT0 + kDay, std::nullopt, std::nullopt};
  InitialAccessToken b{"iat-2", app.id, "Forever", "tiat_hijklmn", "hash-2", "",
                       kT0 + kSecond, std::nullopt, std::nullopt, std::nullopt};
  ASSERT_OK(store().CreateInitialAccessToken(a));
  ASSERT_OK(store().CreateInitialAccessToken(b));
  InitialAccessToken clash = a;
  clash.id = "iat-3";
  EXPECT_CLASH(store().CreateInitialAccessToken(clash), InitialAccessTokenUniqueKey::kTokenHash);
  clash = b;
  clash.token_hash = "hash-3";
  EXPECT_CLASH(store().CreateInitialAccessToken(clash), InitialAccessTokenUniqueKey::kId);

  auto listed = store().ListInitialAccessTokens(app.id);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, "iat-2");  // newest first
  EXPECT_EQ((*listed)[1].name, "Partner ünïcode");
  EXPECT_EQ((*listed)[1].expires_at, kT0 + kDay);
  EXPECT_FALSE((*listed)[0].expires_at.has_value());
  EXPECT_TRUE(store().ListInitialAccessTokens(other.id)->empty());

  auto found = store().FindInitialAccessToken(app.id, "hash-1");
  ASSERT_OK(found);
  EXPECT_EQ(found->id, "iat-1");
  EXPECT_EQ(found->created_by, "dev-1");
  EXPECT_CODE(store().FindInitialAccessToken(other.id, "hash-1"), StatusCode::kNotFound);
  EXPECT_CODE(store().FindInitialAccessToken(app.id, "no-such-hash"), StatusCode::kNotFound);

  ASSERT_OK(store().TouchInitialAccessToken("iat-1", kT0 + kHour));
  EXPECT_EQ(store().FindInitialAccessToken(app.id, "hash-1")->last_used_at, kT0 + kHour);

  EXPECT_CODE(store().RevokeInitialAccessToken(other.id, "iat-1", kT0 + kHour), StatusCode::kNotFound);
  ASSERT_OK(store().RevokeInitialAccessToken(app.id, "iat-1", kT0 + kHour));
  EXPECT_CODE(store().RevokeInitialAccessToken(app.id, "iat-1", kT0 + kHour), StatusCode::kNotFound);
  EXPECT_EQ(store().ListInitialAccessTokens(app.id)->size(), 1u);
  // Still found (revoked): the caller refuses it.
  EXPECT_EQ(store().FindInitialAccessToken(app.id, "hash-1")->revoked_at, kT0 + kHour);
}

}  // namespace
}  // namespace tessera::store::test
