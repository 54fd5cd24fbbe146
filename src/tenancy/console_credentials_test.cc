// The developer console's credentials over a real (SQLite) store and a manual clock: the
// apps' backend API keys (AppApiKeyService: shown once, stored hashed, bearer
// authentication, revocation, limits) and the management of OAuth clients (ClientService:
// register, list, update, rotate secret, revoke) — with their audit events, never a secret.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "crypto/signing_key.h"
#include "tests/support/console_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_console;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
namespace json = boost::json;

// ---------------------------------------------------------------------------------------
// AppApiKeyService

class ConsoleApiKeyTest : public ConsoleFixture {};

TEST_F(ConsoleApiKeyTest, CreateReturnsTheKeyOnceAndStoresItsHash) {
  store::User ada = Developer("ada@example.com");
  CreatedAppApiKey k = api_keys_->Create(app_, "backend", DeveloperActor(ada)).value();
  EXPECT_EQ(k.key.rfind("tsk_", 0), 0u) << k.key;
  EXPECT_GE(k.key.size(), 40u);
  EXPECT_EQ(k.record.prefix, k.key.substr(0, 11));
  EXPECT_NE(k.record.key_hash, k.key);
  EXPECT_EQ(k.record.key_hash, crypto::TokenHash(k.key));
  EXPECT_EQ(k.record.name, "backend");
  EXPECT_EQ(k.record.app_id, app_.id);
  EXPECT_EQ(k.record.created_by, ada.id);
  EXPECT_EQ(k.record.created_at, kStart);
  EXPECT_FALSE(k.record.last_used_at);

  auto listed = api_keys_->List(app_).value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, k.record.id);
  EXPECT_EQ(listed[0].prefix, k.record.prefix);
  EXPECT_NE(listed[0].key_hash, k.key);

  // Two keys are never the same.
  CreatedAppApiKey k2 = api_keys_->Create(app_, "backend", DeveloperActor(ada)).value();
  EXPECT_NE(k2.key, k.key);
  EXPECT_NE(k2.record.id, k.record.id);
}

TEST_F(ConsoleApiKeyTest, AuthenticateTakesOnlyALiveBearerKey) {
  store::App other = NewApp("other");
  CreatedAppApiKey k =
      api_keys_->Create(app_, "backend", MakeActor(store::AuditActorType::kDeveloper, "d")).value();
  CreatedAppApiKey ko =
      api_keys_->Create(other, "backend", MakeActor(store::AuditActorType::kDeveloper, "d"))
          .value();

  EXPECT_EQ(api_keys_->Authenticate("Bearer " + k.key).value().id, k.record.id);
  EXPECT_EQ(api_keys_->Authenticate("bearer " + k.key).value().app_id, app_.id);
  EXPECT_EQ(api_keys_->Authenticate("BEARER  " + k.key + " ").value().id, k.record.id);
  // A key of another app authenticates as that app's: the caller compares apps.
  store::AppApiKey foreign = api_keys_->Authenticate("Bearer " + ko.key).value();
  EXPECT_EQ(foreign.app_id, other.id);
  EXPECT_NE(foreign.app_id, app_.id);

  std::string wrong = k.key;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  for (const std::string& h :
       {"Bearer " + wrong, "Basic " + k.key, k.key, std::string(""), std::string("Bearer "),
        std::string("Bearer tsk_"), "Bearer " + k.key.substr(4), "Bearer x" + k.key,
        "Bearer tsk_" + std::string(200, 'a'), "Bearer " + k.key + std::string(100, 'a'),
        "Bearerx" + k.key}) {
    auto r = api_keys_->Authenticate(h);
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << h;
  }

  ASSERT_TRUE(
      api_keys_->Revoke(app_, k.record.id, MakeActor(store::AuditActorType::kDeveloper, "d")).ok());
  EXPECT_EQ(api_keys_->Authenticate("Bearer " + k.key).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(api_keys_->List(app_).value().empty());
  EXPECT_TRUE(api_keys_->Authenticate("Bearer " + ko.key).ok());  // the other one lives on
}

TEST_F(ConsoleApiKeyTest, RevokeOnlyALiveKeyOfTheApp) {
  store::App other = NewApp("other");
  CreatedAppApiKey k =
      api_keys_->Create(app_, "backend", MakeActor(store::AuditActorType::kDeveloper, "d")).value();
  EXPECT_EQ(api_keys_->Revoke(other, k.record.id, MakeActor(store::AuditActorType::kDeveloper, "d"))
                .code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(api_keys_->Authenticate("Bearer " + k.key).ok());  // untouched
  EXPECT_EQ(api_keys_->Revoke(app_, "no-such-id", MakeActor(store::AuditActorType::kDeveloper, "d"))
                .code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(
      api_keys_->Revoke(app_, k.record.id, MakeActor(store::AuditActorType::kDeveloper, "d")).ok());
  EXPECT_EQ(api_keys_->Revoke(app_, k.record.id, MakeActor(store::AuditActorType::kDeveloper, "d"))
                .code(),
            StatusCode::kNotFound);  // already revoked
}

TEST_F(ConsoleApiKeyTest, AtMostFiftyLiveKeysAndNamesAreChecked) {
  Actor actor = MakeActor(store::AuditActorType::kDeveloper, "d");
  std::string first_id;
  for (size_t i = 0; i < kMaxApiKeysPerApp; ++i) {
    auto k = api_keys_->Create(app_, "key " + std::to_string(i), actor);
    ASSERT_TRUE(k.ok()) << i << ": " << k.status().ToString();
    if (i == 0) first_id = k->record.id;
  }
  auto over = api_keys_->Create(app_, "one too many", actor);
  EXPECT_EQ(over.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(api_keys_->List(app_).value().size(), 50u);
  // Another app has its own limit; a revoked key frees a place.
  EXPECT_TRUE(api_keys_->Create(NewApp("other"), "k", actor).ok());
  ASSERT_TRUE(api_keys_->Revoke(app_, first_id, actor).ok());
  EXPECT_TRUE(api_keys_->Create(app_, "replacement", actor).ok());

  store::App fresh = NewApp("fresh");
  for (const std::string& bad : {std::string(""), std::string(101, 'n'), std::string("\xff\xfe")}) {
    auto r = api_keys_->Create(fresh, bad, actor);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(Fields(r.status()), ElementsAre("name"));
  }
  EXPECT_TRUE(api_keys_->Create(fresh, std::string(100, 'n'), actor).ok());
  EXPECT_TRUE(api_keys_->Create(fresh, "Schlüssel", actor).ok());
}

TEST_F(ConsoleApiKeyTest, AuthenticateRecordsLastUseAtMostOnceAMinute) {
  CreatedAppApiKey k =
      api_keys_->Create(app_, "backend", MakeActor(store::AuditActorType::kDeveloper, "d")).value();
  clock_.Advance(5000);
  ASSERT_TRUE(api_keys_->Authenticate("Bearer " + k.key).ok());
  EXPECT_EQ(api_keys_->List(app_).value().at(0).last_used_at, kStart + 5000);
  clock_.Advance(30'000);
  ASSERT_TRUE(api_keys_->Authenticate("Bearer " + k.key).ok());
  EXPECT_EQ(api_keys_->List(app_).value().at(0).last_used_at, kStart + 5000);
  clock_.Advance(31'000);
  ASSERT_TRUE(api_keys_->Authenticate("Bearer " + k.key).ok());
  EXPECT_EQ(api_keys_->List(app_).value().at(0).last_used_at, kStart + 66'000);
  // A failed attempt touches nothing.
  clock_.Advance(120'000);
  ASSERT_FALSE(api_keys_->Authenticate("Basic " + k.key).ok());
  EXPECT_EQ(api_keys_->List(app_).value().at(0).last_used_at, kStart + 66'000);
}

TEST_F(ConsoleApiKeyTest, AuditHasThePrefixButNeverTheKey) {
  store::User ada = Developer("ada@example.com");
  Actor actor = DeveloperActor(ada);
  CreatedAppApiKey k = api_keys_->Create(app_, "backend", actor).value();
  clock_.Advance(1000);
  ASSERT_TRUE(api_keys_->Authenticate("Bearer " + k.key).ok());
  ASSERT_TRUE(api_keys_->Revoke(app_, k.record.id, actor).ok());

  auto created = Events(app_.id, "app_api_key.created");
  auto revoked = Events(app_.id, "app_api_key.revoked");
  ASSERT_EQ(created.size(), 1u);
  ASSERT_EQ(revoked.size(), 1u);
  for (const auto& e : {created[0], revoked[0]}) {
    EXPECT_EQ(e.actor_type, store::AuditActorType::kDeveloper);
    EXPECT_EQ(e.actor_id, ada.id);
    EXPECT_EQ(e.ip, "203.0.113.7");
    EXPECT_EQ(e.subject_type, store::AuditSubjectType::kAppApiKey);
    EXPECT_EQ(e.subject_id, k.record.id);
    json::object d = json::parse(e.details_json).as_object();
    EXPECT_EQ(d.at("prefix").as_string(), k.record.prefix);
    EXPECT_EQ(d.at("name").as_string(), "backend");
  }
  EXPECT_EQ(revoked[0].at, kStart + 1000);
  EXPECT_TRUE(NoEventContains(k.key));
  EXPECT_TRUE(NoEventContains(k.key.substr(11)));  // not even the secret part
  EXPECT_TRUE(NoEventContains(k.record.key_hash));
}

// ---------------------------------------------------------------------------------------
// ClientService (console management)

class ConsoleClientTest : public ConsoleFixture {
 protected:
  RegisteredClient RegisterConfidential(const store::App& app, const Actor& actor) {
    ClientRegistration r;
    r.name = "Photos";
    r.redirect_uris = {"https://photos.example/cb"};
    auto reg = clients_->Register(app, std::move(r), actor);
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    return reg.ok() ? *reg : RegisteredClient{};
  }
  RegisteredClient RegisterPublic(const store::App& app, const Actor& actor) {
    ClientRegistration r;
    r.name = "Desktop";
    r.is_public = true;
    r.redirect_uris = {"http://127.0.0.1/cb"};
    auto reg = clients_->Register(app, std::move(r), actor);
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    return reg.ok() ? *reg : RegisteredClient{};
  }
  Actor actor_{store::AuditActorType::kDeveloper, "dev-1", "203.0.113.7", "Console/1.0"};
};

TEST_F(ConsoleClientTest, RegisterWithAnActorAndList) {
  RegisteredClient c = RegisterConfidential(app_, actor_);
  ASSERT_TRUE(c.secret.has_value());
  EXPECT_EQ(c.secret->rfind("tcs_", 0), 0u);
  clock_.Advance(1000);
  RegisteredClient p = RegisterPublic(app_, actor_);
  EXPECT_FALSE(p.secret.has_value());
  RegisterConfidential(NewApp("other"), actor_);

  std::vector<std::string> ids;
  for (const auto& x : clients_->List(app_).value()) ids.push_back(x.client_id);
  EXPECT_THAT(ids, ElementsAre(c.client.client_id, p.client.client_id));  // oldest first

  auto created = Events(app_.id, "oauth_client.created");
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0].actor_type, store::AuditActorType::kDeveloper);
  EXPECT_EQ(created[0].actor_id, "dev-1");
  EXPECT_EQ(created[0].subject_id, c.client.client_id);
  EXPECT_TRUE(NoEventContains(*c.secret));
}

TEST_F(ConsoleClientTest, UpdateValidatesAndAnInvalidChangeLeavesTheClientUnchanged) {
  RegisteredClient c = RegisterConfidential(app_, actor_);
  const std::string id = c.client.client_id;

  ClientUpdate u;
  u.name = "Photos 2";
  u.redirect_uris = std::vector<std::string>{"https://photos.example/cb",
                                             "https://photos.example/cb2"};
  u.first_party = true;
  store::OAuthClient updated = clients_->Update(app_, id, u, actor_).value();
  EXPECT_EQ(updated.name, "Photos 2");
  EXPECT_TRUE(updated.first_party);
  EXPECT_THAT(updated.redirect_uris,
              ElementsAre("https://photos.example/cb", "https://photos.example/cb2"));
  EXPECT_EQ(updated.secret_hash, c.client.secret_hash);  // the secret is kept
  EXPECT_TRUE(clients_->Authenticate(app_, id, *c.secret).ok());

  ClientUpdate bad;
  bad.name = "Renamed";
  bad.redirect_uris = std::vector<std::string>{"http://example.com"};
  auto r = clients_->Update(app_, id, bad, actor_);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(r.status()), ElementsAre("redirect_uris"));
  store::OAuthClient after = clients_->Find(app_, id).value();
  EXPECT_EQ(after.name, "Photos 2");
  EXPECT_THAT(after.redirect_uris,
              ElementsAre("https://photos.example/cb", "https://photos.example/cb2"));

  ClientUpdate no_grants;
  no_grants.grant_types = std::vector<std::string>{};
  EXPECT_THAT(Fields(clients_->Update(app_, id, no_grants, actor_).status()),
              ElementsAre("grant_types"));
  ClientUpdate implicit;
  implicit.grant_types = std::vector<std::string>{"implicit"};
  EXPECT_THAT(Fields(clients_->Update(app_, id, implicit, actor_).status()),
              ElementsAre("grant_types"));

  // Unknown, another app's: not found.
  EXPECT_EQ(clients_->Update(app_, "nope", u, actor_).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(clients_->Update(NewApp("other"), id, u, actor_).status().code(),
            StatusCode::kNotFound);

  auto events = Events(app_.id, "oauth_client.updated");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor_id, "dev-1");
  EXPECT_THAT(ChangedNames(events[0]),
              UnorderedElementsAre("name", "redirect_uris", "first_party"));
}

TEST_F(ConsoleClientTest, RequirePushedAuthorizationRequestsIsKeptAndChanged) {
  RegisteredClient plain = RegisterPublic(app_, actor_);
  EXPECT_FALSE(plain.client.require_pushed_authorization_requests);  // off by default
  ClientRegistration r;
  r.name = "Strict";
  r.is_public = true;  // public clients may push their requests too
  r.redirect_uris = {"http://127.0.0.1/cb"};
  r.require_pushed_authorization_requests = true;
  RegisteredClient strict = clients_->Register(app_, std::move(r), actor_).value();
  EXPECT_TRUE(strict.client.require_pushed_authorization_requests);
  const std::string id = strict.client.client_id;
  EXPECT_TRUE(clients_->Find(app_, id).value().require_pushed_authorization_requests);

  ClientUpdate unchanged;  // unset: stays as it is
  unchanged.name = "Strict 2";
  EXPECT_TRUE(
      clients_->Update(app_, id, unchanged, actor_).value().require_pushed_authorization_requests);
  clock_.Advance(1000);
  ClientUpdate off;
  off.require_pushed_authorization_requests = false;
  EXPECT_FALSE(
      clients_->Update(app_, id, off, actor_).value().require_pushed_authorization_requests);
  EXPECT_FALSE(clients_->Find(app_, id).value().require_pushed_authorization_requests);

  auto events = Events(app_.id, "oauth_client.updated");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_THAT(ChangedNames(events[0]), ElementsAre("name"));
  EXPECT_THAT(ChangedNames(events[1]), ElementsAre("require_pushed_authorization_requests"));
}

TEST_F(ConsoleClientTest, TokenExchangeAudiencesAreKeptChangedAndChecked) {
  RegisteredClient plain = RegisterConfidential(app_, actor_);
  EXPECT_TRUE(plain.client.token_exchange_audiences.empty());  // none by default
  ClientRegistration r;
  r.name = "Gateway";
  r.grant_types = {"urn:ietf:params:oauth:grant-type:token-exchange"};  // a supported grant
  r.token_exchange_audiences = {"https://api.example.com", "urn:example:billing"};
  RegisteredClient gw = clients_->Register(app_, std::move(r), actor_).value();
  EXPECT_THAT(gw.client.token_exchange_audiences,
              ElementsAre("https://api.example.com", "urn:example:billing"));
  EXPECT_THAT(gw.client.grant_types,
              ElementsAre("urn:ietf:params:oauth:grant-type:token-exchange"));
  const std::string id = gw.client.client_id;
  EXPECT_THAT(clients_->Find(app_, id).value().token_exchange_audiences,
              ElementsAre("https://api.example.com", "urn:example:billing"));

  ClientUpdate unchanged;  // unset: stays as it is
  unchanged.name = "Gateway 2";
  EXPECT_THAT(clients_->Update(app_, id, unchanged, actor_).value().token_exchange_audiences,
              ElementsAre("https://api.example.com", "urn:example:billing"));
  clock_.Advance(1000);
  ClientUpdate change;
  // 20 at most, each up to 255 characters.
  std::vector<std::string> twenty;
  for (int i = 0; i < 19; ++i) twenty.push_back("https://api" + std::to_string(i) + ".example.com");
  twenty.push_back("https://long.example.com/" + std::string(255 - 25, 'a'));
  ASSERT_EQ(twenty.back().size(), 255u);
  change.token_exchange_audiences = twenty;
  EXPECT_EQ(clients_->Update(app_, id, change, actor_).value().token_exchange_audiences, twenty);
  EXPECT_EQ(clients_->Find(app_, id).value().token_exchange_audiences, twenty);

  // Refused, and the client keeps what it had.
  auto refused = [&](std::vector<std::string> audiences) {
    ClientUpdate u;
    u.token_exchange_audiences = std::move(audiences);
    auto result = clients_->Update(app_, id, u, actor_);
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    return Fields(result.status());
  };
  std::vector<std::string> too_many = twenty;
  too_many.push_back("https://one-more.example.com");
  EXPECT_THAT(refused(too_many), ElementsAre("token_exchange_audiences"));
  EXPECT_THAT(refused({"https://api.example.com", "https://api.example.com extra"}),
              ElementsAre("token_exchange_audiences"));
  EXPECT_THAT(refused({"https://api.example.com", "urn:example:billing", "https://api.example.com"}),
              ElementsAre("token_exchange_audiences"));
  EXPECT_THAT(refused({""}), ElementsAre("token_exchange_audiences"));
  EXPECT_THAT(refused({"https://x.example.com/" + std::string(255 - 21, 'a')}),
              ElementsAre("token_exchange_audiences"));  // 256 characters
  EXPECT_THAT(refused({"tab\there"}), ElementsAre("token_exchange_audiences"));
  EXPECT_THAT(refused({"https://\xc3\xa9.example.com"}), ElementsAre("token_exchange_audiences"));
  EXPECT_EQ(clients_->Find(app_, id).value().token_exchange_audiences, twenty);
  // At registration too.
  ClientRegistration dup;
  dup.name = "Dup";
  dup.grant_types = {"urn:ietf:params:oauth:grant-type:token-exchange"};
  dup.token_exchange_audiences = {"a", "a"};
  EXPECT_THAT(Fields(clients_->Register(app_, std::move(dup), actor_).status()),
              ElementsAre("token_exchange_audiences"));

  ClientUpdate clear;
  clear.token_exchange_audiences = std::vector<std::string>{};
  EXPECT_TRUE(clients_->Update(app_, id, clear, actor_).value().token_exchange_audiences.empty());

  auto events = Events(app_.id, "oauth_client.updated");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_THAT(ChangedNames(events[0]), ElementsAre("name"));
  EXPECT_THAT(ChangedNames(events[1]), ElementsAre("token_exchange_audiences"));
  EXPECT_THAT(ChangedNames(events[2]), ElementsAre("token_exchange_audiences"));
}

TEST_F(ConsoleClientTest, DpopBoundAccessTokensIsKeptAndChanged) {
  RegisteredClient plain = RegisterPublic(app_, actor_);
  EXPECT_FALSE(plain.client.dpop_bound_access_tokens);  // off by default
  ClientRegistration r;
  r.name = "Bound";
  r.is_public = true;  // a public client has no secret: a key it holds is what binds its tokens
  r.redirect_uris = {"http://127.0.0.1/cb"};
  r.dpop_bound_access_tokens = true;
  RegisteredClient bound = clients_->Register(app_, std::move(r), actor_).value();
  EXPECT_TRUE(bound.client.dpop_bound_access_tokens);
  const std::string id = bound.client.client_id;
  EXPECT_TRUE(clients_->Find(app_, id).value().dpop_bound_access_tokens);

  ClientUpdate unchanged;  // unset: stays as it is
  unchanged.name = "Bound 2";
  EXPECT_TRUE(clients_->Update(app_, id, unchanged, actor_).value().dpop_bound_access_tokens);
  clock_.Advance(1000);
  ClientUpdate off;
  off.dpop_bound_access_tokens = false;
  EXPECT_FALSE(clients_->Update(app_, id, off, actor_).value().dpop_bound_access_tokens);
  EXPECT_FALSE(clients_->Find(app_, id).value().dpop_bound_access_tokens);

  auto events = Events(app_.id, "oauth_client.updated");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_THAT(ChangedNames(events[0]), ElementsAre("name"));
  EXPECT_THAT(ChangedNames(events[1]), ElementsAre("dpop_bound_access_tokens"));
}

TEST_F(ConsoleClientTest, BackchannelLogoutIsKeptChangedAndChecked) {
  RegisteredClient plain = RegisterConfidential(app_, actor_);
  EXPECT_EQ(plain.client.backchannel_logout_uri, "");  // none by default
  EXPECT_FALSE(plain.client.backchannel_logout_session_required);
  ClientRegistration r;
  r.name = "Notes";
  r.redirect_uris = {"https://notes.example/cb"};
  r.backchannel_logout_uri = "https://notes.example/backchannel?tenant=1";  // a query is fine
  r.backchannel_logout_session_required = true;
  RegisteredClient rp = clients_->Register(app_, std::move(r), actor_).value();
  EXPECT_EQ(rp.client.backchannel_logout_uri, "https://notes.example/backchannel?tenant=1");
  EXPECT_TRUE(rp.client.backchannel_logout_session_required);
  const std::string id = rp.client.client_id;
  store::OAuthClient found = clients_->Find(app_, id).value();
  EXPECT_EQ(found.backchannel_logout_uri, "https://notes.example/backchannel?tenant=1");
  EXPECT_TRUE(found.backchannel_logout_session_required);

  ClientUpdate unchanged;  // unset: stays as it is
  unchanged.name = "Notes 2";
  store::OAuthClient kept = clients_->Update(app_, id, unchanged, actor_).value();
  EXPECT_EQ(kept.backchannel_logout_uri, "https://notes.example/backchannel?tenant=1");
  EXPECT_TRUE(kept.backchannel_logout_session_required);

  // Refused, and the client keeps what it had.
  ClientUpdate fragment;
  fragment.backchannel_logout_uri = "https://notes.example/backchannel#x";
  auto refused = clients_->Update(app_, id, fragment, actor_);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(refused.status()), ElementsAre("backchannel_logout_uri"));
  EXPECT_EQ(clients_->Find(app_, id).value().backchannel_logout_uri,
            "https://notes.example/backchannel?tenant=1");
  // http: a confidential client may (the spec lets the OP allow it), a public one only on
  // loopback.
  clock_.Advance(1000);
  ClientUpdate plain_http;
  plain_http.backchannel_logout_uri = "http://notes.internal/backchannel";
  plain_http.backchannel_logout_session_required = false;
  store::OAuthClient over_http = clients_->Update(app_, id, plain_http, actor_).value();
  EXPECT_EQ(over_http.backchannel_logout_uri, "http://notes.internal/backchannel");
  EXPECT_FALSE(over_http.backchannel_logout_session_required);
  const std::string pub = RegisterPublic(app_, actor_).client.client_id;
  EXPECT_THAT(Fields(clients_->Update(app_, pub, plain_http, actor_).status()),
              ElementsAre("backchannel_logout_uri"));
  clock_.Advance(1000);  // its event after the one above: the list is ordered by time
  ClientUpdate loopback;
  loopback.backchannel_logout_uri = "http://127.0.0.1:8000/backchannel";
  EXPECT_TRUE(clients_->Update(app_, pub, loopback, actor_).ok());
  // At registration too.
  ClientRegistration bad;
  bad.name = "Bad";
  bad.redirect_uris = {"https://bad.example/cb"};
  bad.backchannel_logout_uri = "https://user@bad.example/backchannel";
  EXPECT_THAT(Fields(clients_->Register(app_, std::move(bad), actor_).status()),
              ElementsAre("backchannel_logout_uri"));

  // "" removes it.
  clock_.Advance(1000);
  ClientUpdate none;
  none.backchannel_logout_uri = "";
  EXPECT_EQ(clients_->Update(app_, id, none, actor_).value().backchannel_logout_uri, "");
  EXPECT_EQ(clients_->Find(app_, id).value().backchannel_logout_uri, "");

  auto events = Events(app_.id, "oauth_client.updated");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_THAT(ChangedNames(events[0]), ElementsAre("name"));
  EXPECT_THAT(ChangedNames(events[1]),
              ElementsAre("backchannel_logout_uri", "backchannel_logout_session_required"));
  EXPECT_THAT(ChangedNames(events[2]), ElementsAre("backchannel_logout_uri"));  // the public one
  EXPECT_THAT(ChangedNames(events[3]), ElementsAre("backchannel_logout_uri"));
}

// A JWK Set of fresh EC P-256 public keys, as JSON text.
std::string PublicJwks(std::initializer_list<std::string> kids) {
  json::array keys;
  for (const auto& kid : kids) {
    keys.push_back(crypto::SigningKey::Generate(crypto::JwsAlg::kES256, kid).value().PublicJwk());
  }
  return json::serialize(json::object{{"keys", std::move(keys)}});
}

TEST_F(ConsoleClientTest, SigningKeysAreKeptChangedAndChecked) {
  RegisteredClient plain = RegisterConfidential(app_, actor_);
  EXPECT_EQ(plain.client.jwks, "");  // none by default
  EXPECT_FALSE(plain.client.require_signed_request_object);
  const std::string jwks = PublicJwks({"k1"});
  ClientRegistration r;
  r.name = "Notes";
  r.redirect_uris = {"https://notes.example/cb"};
  r.jwks = jwks;
  r.require_signed_request_object = true;
  RegisteredClient rp = clients_->Register(app_, std::move(r), actor_).value();
  EXPECT_EQ(rp.client.jwks, jwks);
  EXPECT_TRUE(rp.client.require_signed_request_object);
  const std::string id = rp.client.client_id;
  store::OAuthClient found = clients_->Find(app_, id).value();
  EXPECT_EQ(found.jwks, jwks);
  EXPECT_TRUE(found.require_signed_request_object);

  ClientUpdate unchanged;  // unset: stays as it is
  unchanged.name = "Notes 2";
  store::OAuthClient kept = clients_->Update(app_, id, unchanged, actor_).value();
  EXPECT_EQ(kept.jwks, jwks);
  EXPECT_TRUE(kept.require_signed_request_object);

  // Refused, naming "jwks", and the client keeps what it had: text that is no JSON, no "keys"
  // array, a private key, and (the flag still on) no keys at all.
  json::object private_jwk = json::parse(PublicJwks({"k2"})).at("keys").at(0).as_object();
  private_jwk["d"] = "jpsQnnGQmL-YBIffH1136cLV0aXY-_0xiGPL-7r9Q8c";
  const std::string no_keys_array = json::serialize(json::parse(jwks).at("keys").at(0));
  for (const std::string& bad :
       {std::string("{\"keys\": [oops"), no_keys_array,
        json::serialize(json::object{{"keys", json::array{private_jwk}}}), std::string()}) {
    ClientUpdate u;
    u.jwks = bad;
    auto refused = clients_->Update(app_, id, u, actor_);
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(Fields(refused.status()), ElementsAre("jwks")) << bad;
  }
  EXPECT_EQ(clients_->Find(app_, id).value().jwks, jwks);
  // At registration too: the flag needs keys.
  ClientRegistration keyless;
  keyless.name = "Keyless";
  keyless.redirect_uris = {"https://keyless.example/cb"};
  keyless.require_signed_request_object = true;
  EXPECT_THAT(Fields(clients_->Register(app_, std::move(keyless), actor_).status()),
              ElementsAre("jwks"));

  // New keys (a second one while the old is phased out).
  clock_.Advance(1000);  // its event after the one above: the list is ordered by time
  const std::string rotated = PublicJwks({"k1", "k3"});
  ClientUpdate rotate;
  rotate.jwks = rotated;
  EXPECT_EQ(clients_->Update(app_, id, rotate, actor_).value().jwks, rotated);

  // "" removes them, once they are no longer required.
  clock_.Advance(1000);
  ClientUpdate none;
  none.jwks = "";
  none.require_signed_request_object = false;
  store::OAuthClient removed = clients_->Update(app_, id, none, actor_).value();
  EXPECT_EQ(removed.jwks, "");
  EXPECT_FALSE(removed.require_signed_request_object);
  EXPECT_EQ(clients_->Find(app_, id).value().jwks, "");

  auto events = Events(app_.id, "oauth_client.updated");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_THAT(ChangedNames(events[0]), ElementsAre("name"));
  EXPECT_THAT(ChangedNames(events[1]), ElementsAre("jwks"));
  EXPECT_THAT(ChangedNames(events[2]), ElementsAre("jwks", "require_signed_request_object"));
}

TEST_F(ConsoleClientTest, PairwiseSubjectIsKeptChangedAndChecked) {
  RegisteredClient plain = RegisterConfidential(app_, actor_);
  EXPECT_FALSE(plain.client.pairwise_subject);  // public by default
  // Refused, naming "subject_type", while the app does not allow pairwise subjects.
  ClientRegistration early;
  early.name = "Notes";
  early.redirect_uris = {"https://notes.example/cb"};
  early.pairwise_subject = true;
  auto refused = clients_->Register(app_, std::move(early), actor_);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(refused.status()), ElementsAre("subject_type"));
  ClientUpdate too_early;
  too_early.pairwise_subject = true;
  EXPECT_THAT(Fields(clients_->Update(app_, plain.client.client_id, too_early, actor_).status()),
              ElementsAre("subject_type"));
  EXPECT_FALSE(clients_->Find(app_, plain.client.client_id).value().pairwise_subject);

  store::AppSettings s = app_.settings;
  s.pairwise_subjects = true;
  app_ = apps_->UpdateSettings(app_.slug, s).value();
  ClientRegistration r;
  r.name = "Notes";
  r.redirect_uris = {"https://notes.example/cb", "https://notes.example/cb2"};  // one host
  r.pairwise_subject = true;
  RegisteredClient rp = clients_->Register(app_, std::move(r), actor_).value();
  EXPECT_TRUE(rp.client.pairwise_subject);
  const std::string id = rp.client.client_id;
  EXPECT_TRUE(clients_->Find(app_, id).value().pairwise_subject);

  ClientUpdate unchanged;  // unset: stays as it is
  unchanged.name = "Notes 2";
  EXPECT_TRUE(clients_->Update(app_, id, unchanged, actor_).value().pairwise_subject);

  // Its redirect URIs are of one host (its sector), at registration too.
  ClientUpdate two_hosts;
  two_hosts.redirect_uris = std::vector<std::string>{"https://notes.example/cb",
                                                     "https://other.example/cb"};
  EXPECT_THAT(Fields(clients_->Update(app_, id, two_hosts, actor_).status()),
              ElementsAre("redirect_uris"));
  EXPECT_THAT(clients_->Find(app_, id).value().redirect_uris,
              ElementsAre("https://notes.example/cb", "https://notes.example/cb2"));
  ClientRegistration spread;
  spread.name = "Spread";
  spread.redirect_uris = {"https://a.example/cb", "https://b.example/cb"};
  spread.pairwise_subject = true;
  EXPECT_THAT(Fields(clients_->Register(app_, std::move(spread), actor_).status()),
              ElementsAre("redirect_uris"));

  // Turned off for the app, a client that has them keeps them (its users' sub must not
  // change), saved as it is; none may gain them.
  clock_.Advance(1000);  // its event after the one above: the list is ordered by time
  s.pairwise_subjects = false;
  app_ = apps_->UpdateSettings(app_.slug, s).value();
  ClientUpdate resaved;
  resaved.name = "Notes 3";
  resaved.pairwise_subject = true;
  EXPECT_TRUE(clients_->Update(app_, id, resaved, actor_).value().pairwise_subject);
  EXPECT_THAT(Fields(clients_->Update(app_, plain.client.client_id, too_early, actor_).status()),
              ElementsAre("subject_type"));

  // Public again.
  clock_.Advance(1000);
  ClientUpdate off;
  off.pairwise_subject = false;
  EXPECT_FALSE(clients_->Update(app_, id, off, actor_).value().pairwise_subject);
  EXPECT_FALSE(clients_->Find(app_, id).value().pairwise_subject);

  auto events = Events(app_.id, "oauth_client.updated");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_THAT(ChangedNames(events[0]), ElementsAre("name"));
  EXPECT_THAT(ChangedNames(events[1]), ElementsAre("name"));
  EXPECT_THAT(ChangedNames(events[2]), ElementsAre("pairwise_subject"));
}

TEST_F(ConsoleClientTest, PublicClientCannotGainClientCredentials) {
  RegisteredClient p = RegisterPublic(app_, actor_);
  ClientUpdate u;
  u.grant_types = std::vector<std::string>{"authorization_code", "client_credentials"};
  auto r = clients_->Update(app_, p.client.client_id, u, actor_);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(r.status()), ElementsAre("grant_types"));
  EXPECT_THAT(clients_->Find(app_, p.client.client_id).value().grant_types,
              ElementsAre("authorization_code", "refresh_token"));
  EXPECT_TRUE(clients_->Find(app_, p.client.client_id).value().is_public);
}

TEST_F(ConsoleClientTest, RotateSecretReplacesTheOldOneAtOnce) {
  RegisteredClient c = RegisterConfidential(app_, actor_);
  const std::string id = c.client.client_id;
  std::string fresh = clients_->RotateSecret(app_, id, actor_).value();
  EXPECT_EQ(fresh.rfind("tcs_", 0), 0u);
  EXPECT_NE(fresh, *c.secret);
  EXPECT_EQ(clients_->Authenticate(app_, id, *c.secret).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(clients_->Authenticate(app_, id, fresh).value().client_id, id);

  RegisteredClient p = RegisterPublic(app_, actor_);
  EXPECT_EQ(clients_->RotateSecret(app_, p.client.client_id, actor_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(clients_->Find(app_, p.client.client_id).value().secret_hash.has_value());
  EXPECT_EQ(clients_->RotateSecret(app_, "nope", actor_).status().code(), StatusCode::kNotFound);

  auto events = Events(app_.id, "oauth_client.secret_rotated");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].subject_id, id);
  EXPECT_TRUE(NoEventContains(fresh));
  EXPECT_TRUE(NoEventContains(*c.secret));
}

TEST_F(ConsoleClientTest, RevokedClientIsGone) {
  RegisteredClient c = RegisterConfidential(app_, actor_);
  const std::string id = c.client.client_id;
  store::App other = NewApp("other");
  EXPECT_EQ(clients_->Revoke(other, id, actor_).code(), StatusCode::kNotFound);
  EXPECT_TRUE(clients_->Authenticate(app_, id, *c.secret).ok());

  ASSERT_TRUE(clients_->Revoke(app_, id, actor_).ok());
  EXPECT_EQ(clients_->Find(app_, id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(clients_->Authenticate(app_, id, *c.secret).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(clients_->List(app_).value().empty());
  EXPECT_EQ(clients_->Revoke(app_, id, actor_).code(), StatusCode::kNotFound);
  ClientUpdate u;
  u.name = "Back";
  EXPECT_EQ(clients_->Update(app_, id, u, actor_).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(clients_->RotateSecret(app_, id, actor_).status().code(), StatusCode::kNotFound);

  auto events = Events(app_.id, "oauth_client.revoked");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor_type, store::AuditActorType::kDeveloper);
  EXPECT_EQ(events[0].subject_id, id);
}

}  // namespace
}  // namespace tessera::services
