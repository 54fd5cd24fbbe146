// FederationStore conformance: an app's upstream identity providers, the upstream identities
// linked to its users, and the single-use tickets that carry a sign-in across a redirect.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

// ---------------------------------------------------------------------------------------
// Records: every field set, and none to its default, so a column that is not written or not
// read shows

IdentityProvider MakeProvider(const App& app, const std::string& slug, ProviderKind kind,
                              UnixMillis at) {
  IdentityProvider p;
  p.id = NewId();
  p.app_id = app.id;
  p.slug = slug;
  p.kind = kind;
  p.display_name = "Corp “" + slug + "”";
  p.enabled = false;
  p.client_id = "client-" + slug;
  p.client_secret_sealed = "c2VhbGVkIHNlY3JldA==" + slug;
  p.issuer = "https://idp.example/" + slug;
  p.authorization_endpoint = "https://idp.example/" + slug + "/authorize";
  p.token_endpoint = "https://idp.example/" + slug + "/token";
  p.userinfo_endpoint = "https://idp.example/" + slug + "/userinfo";
  p.jwks_uri = "https://idp.example/" + slug + "/jwks";
  p.scopes = "openid email profile";
  p.claim_mapping_json = R"({"email":"mail","username":"upn"})";
  p.allow_signup = false;
  p.trust_email = true;
  p.created_at = at;
  p.updated_at = at + 1;
  return p;
}

LinkedIdentity MakeIdentity(const User& user, const IdentityProvider& provider,
                            const std::string& subject, UnixMillis at) {
  LinkedIdentity l;
  l.id = NewId();
  l.app_id = user.app_id;
  l.user_id = user.id;
  l.provider_id = provider.id;
  l.subject = subject;
  l.email = "ann@upstream.example";
  l.username = "ann-" + subject;
  l.created_at = at;
  l.last_used_at = at + 1;
  return l;
}

FederationTicket MakeTicket(const App& app, const std::string& hash, FederationTicketKind kind,
                            UnixMillis created_at, UnixMillis expires_at) {
  FederationTicket t;
  t.hash = hash;
  t.app_id = app.id;
  t.kind = kind;
  t.payload_json = R"({"state":"s-)" + hash + R"(","return_to":"/account"})";
  t.created_at = created_at;
  t.expires_at = expires_at;
  return t;
}

void ExpectSameProvider(const IdentityProvider& got, const IdentityProvider& want) {
  using P = IdentityProvider;
  ExpectSameFields(got, want, FIELD(P, id), FIELD(P, app_id), FIELD(P, slug), FIELD(P, kind),
                   FIELD(P, display_name), FIELD(P, enabled), FIELD(P, client_id),
                   FIELD(P, client_secret_sealed), FIELD(P, issuer),
                   FIELD(P, authorization_endpoint), FIELD(P, token_endpoint),
                   FIELD(P, userinfo_endpoint), FIELD(P, jwks_uri), FIELD(P, scopes),
                   FIELD(P, claim_mapping_json), FIELD(P, allow_signup), FIELD(P, trust_email),
                   FIELD(P, created_at), FIELD(P, updated_at));
}

void ExpectSameIdentity(const LinkedIdentity& got, const LinkedIdentity& want) {
  using L = LinkedIdentity;
  ExpectSameFields(got, want, FIELD(L, id), FIELD(L, app_id), FIELD(L, user_id),
                   FIELD(L, provider_id), FIELD(L, subject), FIELD(L, email), FIELD(L, username),
                   FIELD(L, created_at), FIELD(L, last_used_at));
}

void ExpectSameTicket(const FederationTicket& got, const FederationTicket& want) {
  using T = FederationTicket;
  ExpectSameFields(got, want, FIELD(T, hash), FIELD(T, app_id), FIELD(T, kind),
                   FIELD(T, payload_json), FIELD(T, created_at), FIELD(T, expires_at),
                   FIELD(T, used_at));
}

std::vector<std::string> Slugs(const Result<std::vector<IdentityProvider>>& providers) {
  EXPECT_OK(providers);
  return providers.ok() ? Pluck(*providers, &IdentityProvider::slug) : std::vector<std::string>{};
}

// ---------------------------------------------------------------------------------------
// Identity providers

TEST_P(StoreConformanceTest, IdentityProviderRoundTripListAndDelete) {
  App app = AddApp("default");
  IdentityProvider github = MakeProvider(app, "github", ProviderKind::kGithub, kT0);
  IdentityProvider corp = MakeProvider(app, "corp-sso", ProviderKind::kOidc, kT0 + 1);
  IdentityProvider google = MakeProvider(app, "google", ProviderKind::kGoogle, kT0 + 2);
  // The defaults too: enabled, no secret, discovered endpoints, the connector's scopes.
  google.enabled = true;
  google.client_secret_sealed = "";
  google.authorization_endpoint = google.token_endpoint = google.userinfo_endpoint =
      google.jwks_uri = google.scopes = "";
  google.claim_mapping_json = "{}";
  google.allow_signup = true;
  google.trust_email = false;
  for (const auto* p : {&github, &corp, &google}) ASSERT_OK(store().CreateIdentityProvider(*p));

  for (const auto* p : {&github, &corp, &google}) {
    SCOPED_TRACE(p->slug);
    auto by_slug = store().GetIdentityProvider(app.id, p->slug);
    ASSERT_OK(by_slug);
    ExpectSameProvider(*by_slug, *p);
    auto by_id = store().GetIdentityProviderById(app.id, p->id);
    ASSERT_OK(by_id);
    ExpectSameProvider(*by_id, *p);
  }
  auto all = store().ListIdentityProviders(app.id);
  EXPECT_THAT(Slugs(all), ElementsAre("corp-sso", "github", "google"));
  ExpectSameProvider((*all)[1], github);

  EXPECT_CODE(store().GetIdentityProvider(app.id, "gitlab"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetIdentityProviderById(app.id, NewId()), StatusCode::kNotFound);

  ASSERT_OK(store().DeleteIdentityProvider(app.id, corp.id));
  EXPECT_CODE(store().GetIdentityProvider(app.id, "corp-sso"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetIdentityProviderById(app.id, corp.id), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteIdentityProvider(app.id, corp.id), StatusCode::kNotFound);
  EXPECT_THAT(Slugs(store().ListIdentityProviders(app.id)), ElementsAre("github", "google"));
  // The slug is free again.
  EXPECT_OK(
      store().CreateIdentityProvider(MakeProvider(app, "corp-sso", ProviderKind::kOidc, kT0)));
}

TEST_P(StoreConformanceTest, UpdateIdentityProviderReplacesAllButIdAppAndCreation) {
  App app = AddApp("default");
  IdentityProvider p = MakeProvider(app, "corp", ProviderKind::kOidc, kT0);
  ASSERT_OK(store().CreateIdentityProvider(p));

  IdentityProvider changed = MakeProvider(app, "corp-new", ProviderKind::kGoogle, kT0 + kDay);
  changed.id = p.id;
  changed.display_name = "Corp, renamed";
  changed.enabled = true;
  changed.client_secret_sealed = "";
  changed.scopes = "openid";
  changed.claim_mapping_json = R"({"username":"preferred_username"})";
  changed.allow_signup = true;
  changed.trust_email = false;
  changed.updated_at = kT0 + kDay + 5;
  ASSERT_OK(store().UpdateIdentityProvider(changed));

  IdentityProvider want = changed;
  want.created_at = p.created_at;  // not replaced
  auto got = store().GetIdentityProviderById(app.id, p.id);
  ASSERT_OK(got);
  ExpectSameProvider(*got, want);
  EXPECT_CODE(store().GetIdentityProvider(app.id, "corp"), StatusCode::kNotFound);
  auto by_new_slug = store().GetIdentityProvider(app.id, "corp-new");
  ASSERT_OK(by_new_slug);
  EXPECT_EQ(by_new_slug->id, p.id);

  IdentityProvider unknown = changed;
  unknown.id = NewId();
  EXPECT_CODE(store().UpdateIdentityProvider(unknown), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, IdentityProviderSlugIsUniquePerApp) {
  App app = AddApp("default");
  App other = AddApp("other");
  IdentityProvider github = MakeProvider(app, "github", ProviderKind::kGithub, kT0);
  ASSERT_OK(store().CreateIdentityProvider(github));

  EXPECT_CLASH(
      store().CreateIdentityProvider(MakeProvider(app, "github", ProviderKind::kOidc, kT0 + 1)),
      IdentityProviderUniqueKey::kSlug);
  IdentityProvider same_id = MakeProvider(app, "github-2", ProviderKind::kGithub, kT0 + 1);
  same_id.id = github.id;
  EXPECT_CLASH(store().CreateIdentityProvider(same_id), IdentityProviderUniqueKey::kId);
  // Another app may use the slug.
  EXPECT_OK(
      store().CreateIdentityProvider(MakeProvider(other, "github", ProviderKind::kGithub, kT0)));

  // Renaming onto a taken slug clashes and changes nothing.
  IdentityProvider corp = MakeProvider(app, "corp", ProviderKind::kOidc, kT0);
  ASSERT_OK(store().CreateIdentityProvider(corp));
  IdentityProvider renamed = corp;
  renamed.slug = "github";
  renamed.display_name = "Stolen";
  EXPECT_CLASH(store().UpdateIdentityProvider(renamed), IdentityProviderUniqueKey::kSlug);
  auto still = store().GetIdentityProviderById(app.id, corp.id);
  ASSERT_OK(still);
  ExpectSameProvider(*still, corp);
}

TEST_P(StoreConformanceTest, IdentityProviderOfAnotherAppIsNotFound) {
  App app = AddApp("default");
  App other = AddApp("other");
  IdentityProvider p = MakeProvider(app, "github", ProviderKind::kGithub, kT0);
  ASSERT_OK(store().CreateIdentityProvider(p));

  EXPECT_CODE(store().GetIdentityProvider(other.id, "github"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetIdentityProviderById(other.id, p.id), StatusCode::kNotFound);
  EXPECT_THAT(Slugs(store().ListIdentityProviders(other.id)), IsEmpty());
  IdentityProvider hijack = p;
  hijack.app_id = other.id;
  hijack.display_name = "Hijacked";
  EXPECT_CODE(store().UpdateIdentityProvider(hijack), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteIdentityProvider(other.id, p.id), StatusCode::kNotFound);

  auto untouched = store().GetIdentityProviderById(app.id, p.id);
  ASSERT_OK(untouched);
  ExpectSameProvider(*untouched, p);
}

// ---------------------------------------------------------------------------------------
// Linked identities

TEST_P(StoreConformanceTest, LinkedIdentityRoundTripListTouchAndDelete) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  IdentityProvider github = MakeProvider(app, "github", ProviderKind::kGithub, kT0);
  IdentityProvider corp = MakeProvider(app, "corp", ProviderKind::kOidc, kT0);
  ASSERT_OK(store().CreateIdentityProvider(github));
  ASSERT_OK(store().CreateIdentityProvider(corp));

  // Created newest first, listed oldest first.
  LinkedIdentity ann_corp = MakeIdentity(ann, corp, "corp|ann", kT0 + 2 * kMinute);
  LinkedIdentity ann_github = MakeIdentity(ann, github, "583231", kT0 + kMinute);
  LinkedIdentity bob_github = MakeIdentity(bob, github, "1024", kT0);
  for (const auto* l : {&ann_corp, &ann_github, &bob_github}) {
    ASSERT_OK(store().CreateLinkedIdentity(*l));
  }

  auto found = store().FindLinkedIdentity(app.id, github.id, "583231");
  ASSERT_OK(found);
  ExpectSameIdentity(*found, ann_github);
  // The subject is exact: another provider's, or another case, is not it.
  EXPECT_CODE(store().FindLinkedIdentity(app.id, corp.id, "583231"), StatusCode::kNotFound);
  EXPECT_CODE(store().FindLinkedIdentity(app.id, corp.id, "CORP|ANN"), StatusCode::kNotFound);

  auto anns = store().ListLinkedIdentities(app.id, ann.id);
  ASSERT_OK(anns);
  EXPECT_THAT(Ids(*anns), ElementsAre(ann_github.id, ann_corp.id));
  ExpectSameIdentity((*anns)[1], ann_corp);
  auto none = store().ListLinkedIdentities(app.id, NewId());
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());

  // A sign-in records when, and what the upstream said this time; nothing else changes.
  const UnixMillis later = kT0 + kDay;
  ASSERT_OK(
      store().TouchLinkedIdentity(app.id, ann_github.id, "ann@new.example", "ann-renamed", later));
  LinkedIdentity touched = ann_github;
  touched.email = "ann@new.example";
  touched.username = "ann-renamed";
  touched.last_used_at = later;
  found = store().FindLinkedIdentity(app.id, github.id, "583231");
  ASSERT_OK(found);
  ExpectSameIdentity(*found, touched);
  EXPECT_CODE(store().TouchLinkedIdentity(app.id, NewId(), "x@example.com", "x", later),
              StatusCode::kNotFound);

  // Deleting needs the identity's own user.
  EXPECT_CODE(store().DeleteLinkedIdentity(app.id, bob.id, ann_github.id), StatusCode::kNotFound);
  ASSERT_OK(store().DeleteLinkedIdentity(app.id, ann.id, ann_github.id));
  EXPECT_CODE(store().DeleteLinkedIdentity(app.id, ann.id, ann_github.id), StatusCode::kNotFound);
  EXPECT_CODE(store().FindLinkedIdentity(app.id, github.id, "583231"), StatusCode::kNotFound);
  anns = store().ListLinkedIdentities(app.id, ann.id);
  ASSERT_OK(anns);
  EXPECT_THAT(Ids(*anns), ElementsAre(ann_corp.id));
  // The pair is free again: the person may link GitHub anew.
  EXPECT_OK(store().CreateLinkedIdentity(MakeIdentity(ann, github, "583231", later)));
}

TEST_P(StoreConformanceTest, LinkedIdentityUniqueKeys) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  IdentityProvider github = MakeProvider(app, "github", ProviderKind::kGithub, kT0);
  IdentityProvider corp = MakeProvider(app, "corp", ProviderKind::kOidc, kT0);
  ASSERT_OK(store().CreateIdentityProvider(github));
  ASSERT_OK(store().CreateIdentityProvider(corp));
  LinkedIdentity ann_github = MakeIdentity(ann, github, "583231", kT0);
  ASSERT_OK(store().CreateLinkedIdentity(ann_github));

  // One upstream identity is one user: not Bob's too.
  EXPECT_CLASH(store().CreateLinkedIdentity(MakeIdentity(bob, github, "583231", kT0 + 1)),
               LinkedIdentityUniqueKey::kProviderSubject);
  // One identity per provider for a user: not a second GitHub account for Ann.
  EXPECT_CLASH(store().CreateLinkedIdentity(MakeIdentity(ann, github, "999", kT0 + 1)),
               LinkedIdentityUniqueKey::kUserProvider);
  LinkedIdentity same_id = MakeIdentity(bob, corp, "corp|bob", kT0 + 1);
  same_id.id = ann_github.id;
  EXPECT_CLASH(store().CreateLinkedIdentity(same_id), LinkedIdentityUniqueKey::kId);

  // The same subject at another provider is another person.
  EXPECT_OK(store().CreateLinkedIdentity(MakeIdentity(bob, corp, "583231", kT0 + 1)));
  auto still = store().FindLinkedIdentity(app.id, github.id, "583231");
  ASSERT_OK(still);
  ExpectSameIdentity(*still, ann_github);
}

TEST_P(StoreConformanceTest, LinkedIdentityOfAnotherAppIsNotFound) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "ann@example.com");
  User stranger = AddUser(other, "ann@example.com");
  IdentityProvider github = MakeProvider(app, "github", ProviderKind::kGithub, kT0);
  IdentityProvider other_github = MakeProvider(other, "github", ProviderKind::kGithub, kT0);
  ASSERT_OK(store().CreateIdentityProvider(github));
  ASSERT_OK(store().CreateIdentityProvider(other_github));
  LinkedIdentity l = MakeIdentity(ann, github, "583231", kT0);
  ASSERT_OK(store().CreateLinkedIdentity(l));

  EXPECT_CODE(store().FindLinkedIdentity(other.id, github.id, "583231"), StatusCode::kNotFound);
  auto listed = store().ListLinkedIdentities(other.id, ann.id);
  ASSERT_OK(listed);
  EXPECT_THAT(*listed, IsEmpty());
  EXPECT_CODE(store().TouchLinkedIdentity(other.id, l.id, "x@example.com", "x", kT0 + 1),
              StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteLinkedIdentity(other.id, ann.id, l.id), StatusCode::kNotFound);
  auto untouched = store().FindLinkedIdentity(app.id, github.id, "583231");
  ASSERT_OK(untouched);
  ExpectSameIdentity(*untouched, l);

  // Never linked across apps: the user, or the provider, of another app is not found.
  LinkedIdentity foreign_user = MakeIdentity(stranger, github, "1", kT0);
  foreign_user.app_id = app.id;
  EXPECT_CODE(store().CreateLinkedIdentity(foreign_user), StatusCode::kNotFound);
  EXPECT_CODE(store().CreateLinkedIdentity(MakeIdentity(ann, other_github, "2", kT0)),
              StatusCode::kNotFound);
  LinkedIdentity unknown_user = MakeIdentity(ann, github, "3", kT0);
  unknown_user.user_id = NewId();
  EXPECT_CODE(store().CreateLinkedIdentity(unknown_user), StatusCode::kNotFound);
  EXPECT_THAT(QueryTexts("SELECT id FROM linked_identities"), ElementsAre(l.id));
}

TEST_P(StoreConformanceTest, LinkedIdentitiesGoWithTheirUserProviderAndApp) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  IdentityProvider github = MakeProvider(app, "github", ProviderKind::kGithub, kT0);
  IdentityProvider corp = MakeProvider(app, "corp", ProviderKind::kOidc, kT0);
  ASSERT_OK(store().CreateIdentityProvider(github));
  ASSERT_OK(store().CreateIdentityProvider(corp));
  LinkedIdentity ann_github = MakeIdentity(ann, github, "1", kT0);
  LinkedIdentity ann_corp = MakeIdentity(ann, corp, "corp|ann", kT0 + 1);
  LinkedIdentity bob_github = MakeIdentity(bob, github, "2", kT0 + 2);
  LinkedIdentity bob_corp = MakeIdentity(bob, corp, "corp|bob", kT0 + 3);
  for (const auto* l : {&ann_github, &ann_corp, &bob_github, &bob_corp}) {
    ASSERT_OK(store().CreateLinkedIdentity(*l));
  }

  ASSERT_OK(store().DeleteUser(app.id, ann.id));
  EXPECT_CODE(store().FindLinkedIdentity(app.id, github.id, "1"), StatusCode::kNotFound);
  EXPECT_CODE(store().FindLinkedIdentity(app.id, corp.id, "corp|ann"), StatusCode::kNotFound);
  EXPECT_THAT(QueryTexts("SELECT subject FROM linked_identities ORDER BY subject"),
              ElementsAre("2", "corp|bob"));

  ASSERT_OK(store().DeleteIdentityProvider(app.id, github.id));
  auto bobs = store().ListLinkedIdentities(app.id, bob.id);
  ASSERT_OK(bobs);
  EXPECT_THAT(Ids(*bobs), ElementsAre(bob_corp.id));

  // An app's deletion (no store call makes one yet: the schema's cascade) takes its providers,
  // their identities and its tickets.
  ASSERT_OK(store().CreateFederationTicket(
      MakeTicket(app, "t-1", FederationTicketKind::kLogin, kT0, kT0 + kMinute)));
  ASSERT_OK(ExecSql("DELETE FROM apps WHERE id = $1", {app.id}));
  for (const char* table : {"identity_providers", "linked_identities", "federation_tickets"}) {
    EXPECT_THAT(QueryTexts(std::string("SELECT COUNT(*) FROM ") + table), ElementsAre("0"))
        << table;
  }
}

// ---------------------------------------------------------------------------------------
// Tickets

TEST_P(StoreConformanceTest, FederationTicketIsConsumedOnce) {
  App app = AddApp("default");
  FederationTicket t =
      MakeTicket(app, "t-login", FederationTicketKind::kLogin, kT0, kT0 + 10 * kMinute);
  ASSERT_OK(store().CreateFederationTicket(t));
  EXPECT_CLASH(store().CreateFederationTicket(t), FederationTicketUniqueKey::kHash);

  // Looking does not consume, however often.
  for (int i = 0; i < 2; ++i) {
    auto live =
        store().GetLiveFederationTicket(app.id, "t-login", FederationTicketKind::kLogin, kT0 + i);
    ASSERT_OK(live);
    ExpectSameTicket(*live, t);
  }

  const UnixMillis now = kT0 + kMinute;
  auto consumed =
      store().ConsumeFederationTicket(app.id, "t-login", FederationTicketKind::kLogin, now);
  ASSERT_OK(consumed);
  FederationTicket used = t;
  used.used_at = now;
  ExpectSameTicket(*consumed, used);

  EXPECT_CODE(
      store().ConsumeFederationTicket(app.id, "t-login", FederationTicketKind::kLogin, now + 1),
      StatusCode::kNotFound);
  EXPECT_CODE(
      store().GetLiveFederationTicket(app.id, "t-login", FederationTicketKind::kLogin, now + 1),
      StatusCode::kNotFound);
  EXPECT_THAT(QueryTexts("SELECT used_at FROM federation_tickets"),
              ElementsAre(std::to_string(now)))
      << "the second call did not move the mark";
}

TEST_P(StoreConformanceTest, FederationTicketOfAnotherKindAppOrTimeIsNotFound) {
  App app = AddApp("default");
  App other = AddApp("other");
  const UnixMillis expires = kT0 + kMinute;
  FederationTicket t = MakeTicket(app, "t-code", FederationTicketKind::kApiCode, kT0, expires);
  ASSERT_OK(store().CreateFederationTicket(t));

  using enum FederationTicketKind;
  struct Miss {
    const char* why;
    std::string app_id;
    std::string hash;
    FederationTicketKind kind;
    UnixMillis now;
  };
  const Miss misses[] = {
      {"another kind", app.id, "t-code", kLogin, kT0},
      {"another kind", app.id, "t-code", kPendingLink, kT0},
      {"another app", other.id, "t-code", kApiCode, kT0},
      {"unknown", app.id, "t-unknown", kApiCode, kT0},
      {"another case", app.id, "T-CODE", kApiCode, kT0},
      {"expired exactly now", app.id, "t-code", kApiCode, expires},
      {"expired", app.id, "t-code", kApiCode, expires + kDay},
  };
  for (const Miss& m : misses) {
    SCOPED_TRACE(m.why);
    EXPECT_CODE(store().GetLiveFederationTicket(m.app_id, m.hash, m.kind, m.now),
                StatusCode::kNotFound);
    EXPECT_CODE(store().ConsumeFederationTicket(m.app_id, m.hash, m.kind, m.now),
                StatusCode::kNotFound);
  }

  // None of them consumed it: a millisecond before expiry, it is still there to take.
  auto consumed = store().ConsumeFederationTicket(app.id, "t-code", kApiCode, expires - 1);
  ASSERT_OK(consumed);
  EXPECT_EQ(consumed->used_at, expires - 1);
}

TEST_P(StoreConformanceTest, ConcurrentTicketConsumptionsHaveExactlyOneWinner) {
  App app = AddApp("default");
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;

  for (int round = 0; round < kRounds; ++round) {
    const std::string hash = "t-race-" + std::to_string(round);
    ASSERT_OK(store().CreateFederationTicket(
        MakeTicket(app, hash, FederationTicketKind::kPendingLink, kT0, kT0 + kMinute)));
    const UnixMillis now = kT0 + kSecond;
    auto results = ConcurrentResults(kThreads, [&](int i) {
      return store().ConsumeFederationTicket(app.id, hash, FederationTicketKind::kPendingLink,
                                             now + i);
    });

    int winners = 0, winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      ASSERT_TRUE(results[i].has_value());
      if (results[i]->ok()) {
        ++winners;
        winner = i;
        EXPECT_EQ((*results[i])->used_at, now + i);
      } else {
        SCOPED_TRACE("thread " + std::to_string(i));
        EXPECT_CODE(*results[i], StatusCode::kNotFound);
      }
    }
    EXPECT_EQ(winners, 1) << "round " << round;
    ASSERT_GE(winner, 0);
    auto mark = Query("SELECT used_at FROM federation_tickets WHERE hash = $1", {hash});
    ASSERT_OK(mark);
    ASSERT_EQ(mark->size(), 1u);
    EXPECT_EQ(sql::Int((*mark)[0], 0), now + winner) << "the winner's mark stays";
  }
}

TEST_P(StoreConformanceTest, FederationTicketPayloadRoundTripsByteForByte) {
  App app = AddApp("default");
  // Unicode beyond the BMP, combining marks, right-to-left text, a BOM and U+2028; quotes,
  // comment openers, a statement end, placeholders, LIKE wildcards and backslashes; control
  // characters; and a payload far past any page or buffer size.
  const std::string payloads[] = {
      "{\"name\":\"Zoë 😀 𝄞 Ａｎｎ 名前 שלום e\u0301\",\"bom\":\"\xEF\xBB\xBF\",\"ls\":\"\u2028\"}",
      R"({"x":"'; DROP TABLE federation_tickets; --","y":"\"$1 $2 ? :name @p %_ \\ \\' /* */"})",
      "{\"ctl\":\"\t\r\n\x01\x1F\x7F\"}",
      std::string(200'000, 'a') + "é",
  };
  for (size_t i = 0; i < std::size(payloads); ++i) {
    SCOPED_TRACE(i);
    const std::string hash = "t-payload-" + std::to_string(i);
    FederationTicket t =
        MakeTicket(app, hash, FederationTicketKind::kPendingLink, kT0, kT0 + kMinute);
    t.payload_json = payloads[i];
    ASSERT_OK(store().CreateFederationTicket(t));
    auto live = store().GetLiveFederationTicket(app.id, hash, t.kind, kT0);
    ASSERT_OK(live);
    EXPECT_EQ(live->payload_json, payloads[i]);
    auto consumed = store().ConsumeFederationTicket(app.id, hash, t.kind, kT0);
    ASSERT_OK(consumed);
    EXPECT_EQ(consumed->payload_json, payloads[i]);
  }
  EXPECT_THAT(QueryTexts("SELECT COUNT(*) FROM federation_tickets"),
              ElementsAre(std::to_string(std::size(payloads))));
}

TEST_P(StoreConformanceTest, CollectGarbageRemovesExpiredFederationTickets) {
  App app = AddApp("default");
  const UnixMillis now = kT0 + kDay;
  using enum FederationTicketKind;
  const FederationTicket tickets[] = {
      MakeTicket(app, "t-expired", kLogin, kT0, now - kHour),
      MakeTicket(app, "t-expires-now", kApiCode, kT0, now),
      MakeTicket(app, "t-used-expired", kPendingLink, kT0, now - 1),
      MakeTicket(app, "t-live", kLogin, now - kMinute, now + 1),
      MakeTicket(app, "t-used-live", kApiCode, now - kMinute, now + kMinute),
  };
  for (const auto& t : tickets) ASSERT_OK(store().CreateFederationTicket(t));
  ASSERT_OK(store().ConsumeFederationTicket(app.id, "t-used-expired", kPendingLink, kT0 + 1));
  ASSERT_OK(store().ConsumeFederationTicket(app.id, "t-used-live", kApiCode, now - 1));

  // Gone as soon as they cannot be consumed any more, used or not; no grace period.
  ExpectCollected(now, {.federation_tickets = 3});
  EXPECT_THAT(QueryTexts("SELECT hash FROM federation_tickets ORDER BY hash"),
              ElementsAre("t-live", "t-used-live"));
  ExpectCollected(now, {});
  ExpectCollected(now + kMinute, {.federation_tickets = 2});
}

}  // namespace
}  // namespace tessera::store::test
