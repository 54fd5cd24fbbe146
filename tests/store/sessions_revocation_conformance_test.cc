// SessionStore conformance: revoking one session, a user's sessions, a client's grants.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

TEST_P(StoreConformanceTest, RevokeSession) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  Session s = AddSession(u, "rt-1");

  EXPECT_CODE(store().RevokeSession(app.id, other.id, s.id, RevokeReason::kLogout, kT0 + 1),
              StatusCode::kNotFound);
  App b = AddApp("b");
  EXPECT_CODE(store().RevokeSession(b.id, u.id, s.id, RevokeReason::kLogout, kT0 + 1),
              StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeSession(app.id, u.id, NewId(), RevokeReason::kLogout, kT0 + 1),
              StatusCode::kNotFound);
  ExpectRevocation(app.id, s.id, std::nullopt);

  ASSERT_OK(store().RevokeSession(app.id, u.id, s.id, RevokeReason::kLogout, kT0 + kMinute));
  ExpectRevocation(app.id, s.id, kT0 + kMinute, RevokeReason::kLogout);

  EXPECT_CODE(store().RevokeSession(app.id, u.id, s.id, RevokeReason::kLogoutAll, kT0 + kHour),
              StatusCode::kNotFound);
  ExpectRevocation(app.id, s.id, kT0 + kMinute,
                   RevokeReason::kLogout);  // the first revocation stands
}

TEST_P(StoreConformanceTest, RevokeUserSessionsKeepsOne) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  Session keep = AddSession(u, "rt-keep");
  Session a = AddSession(u, "rt-a");
  Session b = AddSession(u, "rt-b");
  Session already = AddSession(u, "rt-already");
  ASSERT_OK(store().RevokeSession(app.id, u.id, already.id, RevokeReason::kLogout, kT0 + 1));
  Session bobs = AddSession(other, "rt-bob");
  const UnixMillis now = kT0 + kHour;

  auto n = store().RevokeUserSessions(app.id, u.id, keep.id, RevokeReason::kPasswordChange, now);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2);
  for (const Session& s : {a, b})
    ExpectRevocation(app.id, s.id, now, RevokeReason::kPasswordChange);
  ExpectRevocation(app.id, already.id, kT0 + 1, RevokeReason::kLogout);
  EXPECT_THAT(ActiveSessionIds(app.id, u.id, now), ElementsAre(keep.id));
  EXPECT_THAT(ActiveSessionIds(app.id, other.id, now), ElementsAre(bobs.id));

  // Through another app: nothing.
  App other_app = AddApp("b");
  auto none = store().RevokeUserSessions(other_app.id, u.id, "", RevokeReason::kLogoutAll, now);
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);

  // An empty keep id revokes every live session.
  auto all = store().RevokeUserSessions(app.id, u.id, "", RevokeReason::kLogoutAll, now + 1);
  ASSERT_OK(all);
  EXPECT_EQ(*all, 1);
  EXPECT_THAT(ActiveSessionIds(app.id, u.id, now + 1), IsEmpty());
  // A revoked session's tokens no longer rotate.
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-a", MakeToken("rt-a2", now, now + kDay), now + 2),
      RotationOutcome::kInvalid);
}

TEST_P(StoreConformanceTest, RevokeSessionById) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeOAuthSession(u, "client-1", kT0, kT0 + kDay);
  ASSERT_OK(store().CreateSession(s, std::nullopt));

  EXPECT_CODE(store().RevokeSessionById(other.id, s.id, RevokeReason::kCodeReuse, kT0 + 1),
              StatusCode::kNotFound);
  EXPECT_CODE(store().RevokeSessionById(app.id, NewId(), RevokeReason::kCodeReuse, kT0 + 1),
              StatusCode::kNotFound);
  ExpectRevocation(app.id, s.id, std::nullopt);

  ASSERT_OK(store().RevokeSessionById(app.id, s.id, RevokeReason::kCodeReuse, kT0 + kMinute));
  ExpectRevocation(app.id, s.id, kT0 + kMinute, RevokeReason::kCodeReuse);
  EXPECT_CODE(store().RevokeSessionById(app.id, s.id, RevokeReason::kLogoutAll, kT0 + kHour),
              StatusCode::kNotFound);
  ExpectRevocation(app.id, s.id, kT0 + kMinute, RevokeReason::kCodeReuse);
}

TEST_P(StoreConformanceTest, RevokeClientSessions) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  const UnixMillis now = kT0 + kHour;
  Session c1a = MakeOAuthSession(u, "client-1", kT0, kT0 + kDay);
  Session c1b = MakeOAuthSession(u, "client-1", kT0, kT0 + kDay);
  Session c1_revoked = MakeOAuthSession(u, "client-1", kT0, kT0 + kDay);
  Session c2 = MakeOAuthSession(u, "client-2", kT0, kT0 + kDay);
  Session bobs = MakeOAuthSession(bob, "client-1", kT0, kT0 + kDay);
  // Another kind that happens to carry the client id is not an OAuth grant.
  Session api = MakeSession(u, kT0, kT0 + kDay);
  api.client_id = "client-1";
  for (const Session& s : {c1a, c1b, c1_revoked, c2, bobs, api}) {
    ASSERT_OK(store().CreateSession(s, std::nullopt));
  }
  Session browser = MakeBrowserSession(u, kT0, kT0 + kDay);
  ASSERT_OK(store().CreateBrowserSession(browser, "cookie-1"));
  ASSERT_OK(store().RevokeSessionById(app.id, c1_revoked.id, RevokeReason::kLogout, kT0 + 1));

  App other = AddApp("other");
  auto none = store().RevokeClientSessions(other.id, u.id, "client-1",
                                           RevokeReason::kAuthorizationRevoked, now);
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);

  auto n = store().RevokeClientSessions(app.id, u.id, "client-1",
                                        RevokeReason::kAuthorizationRevoked, now);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2);
  for (const Session& s : {c1a, c1b})
    ExpectRevocation(app.id, s.id, now, RevokeReason::kAuthorizationRevoked);
  ExpectRevocation(app.id, c1_revoked.id, kT0 + 1, RevokeReason::kLogout);
  EXPECT_THAT(ActiveSessionIds(app.id, u.id, now), UnorderedElementsAre(c2.id, api.id, browser.id));
  EXPECT_THAT(ActiveSessionIds(app.id, bob.id, now), ElementsAre(bobs.id));

  auto again = store().RevokeClientSessions(app.id, u.id, "client-1",
                                            RevokeReason::kAuthorizationRevoked, now);
  ASSERT_OK(again);
  EXPECT_EQ(*again, 0);
}

// What every node asks on each account-API request with an access token: its user, only while
// the token's session lives and its jti is not revoked.
TEST_P(StoreConformanceTest, UserOfLiveTokenEndsWithItsSessionOrItsRevocation) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  Session s = AddSession(u, "rt-live");
  const UnixMillis now = kT0 + kMinute;

  auto live = store().GetUserOfLiveToken(app.id, s.id, "jti-1", now);
  ASSERT_OK(live);
  EXPECT_EQ(live->id, u.id);
  EXPECT_EQ(live->email, "ann@example.com");
  // The session says who: another user's session is that user's.
  Session bobs = AddSession(other, "rt-bob");
  auto bob = store().GetUserOfLiveToken(app.id, bobs.id, "jti-1", now);
  ASSERT_OK(bob);
  EXPECT_EQ(bob->id, other.id);
  // Another app, an unknown session: nothing.
  App b = AddApp("b");
  EXPECT_CODE(store().GetUserOfLiveToken(b.id, s.id, "jti-1", now), StatusCode::kNotFound);
  EXPECT_CODE(store().GetUserOfLiveToken(app.id, NewId(), "jti-1", now),
              StatusCode::kNotFound);
  // Past the session's end.
  EXPECT_CODE(store().GetUserOfLiveToken(app.id, s.id, "jti-1", kT0 + 31 * kDay),
              StatusCode::kNotFound);
  // One token revoked (RFC 7009): that jti only; the same session's other tokens still hold.
  ASSERT_OK(store().AddRevokedAccessToken(app.id, "jti-1", now + kHour));
  EXPECT_CODE(store().GetUserOfLiveToken(app.id, s.id, "jti-1", now), StatusCode::kNotFound);
  ASSERT_OK(store().GetUserOfLiveToken(app.id, s.id, "jti-2", now));
  // A jti revoked in another app does not touch this one.
  ASSERT_OK(store().AddRevokedAccessToken(b.id, "jti-2", now + kHour));
  ASSERT_OK(store().GetUserOfLiveToken(app.id, s.id, "jti-2", now));
  // The session ended (logout): every token of it.
  ASSERT_OK(store().RevokeSession(app.id, u.id, s.id, RevokeReason::kLogout, now));
  EXPECT_CODE(store().GetUserOfLiveToken(app.id, s.id, "jti-2", now + 1),
              StatusCode::kNotFound);
}

// DPoP proofs (RFC 9449 §11.1): each is recorded once per app; a second recording is a
// replay, whichever node makes it; expired rows go with garbage collection.
TEST_P(StoreConformanceTest, DpopProofIsRecordedOncePerApp) {
  App app = AddApp("default");
  App other = AddApp("other");
  auto first = store().RecordDpopProof(app.id, "proof-1", kT0 + kMinute);
  ASSERT_OK(first);
  EXPECT_TRUE(*first);
  auto replay = store().RecordDpopProof(app.id, "proof-1", kT0 + kMinute);
  ASSERT_OK(replay);
  EXPECT_FALSE(*replay);
  auto elsewhere = store().RecordDpopProof(other.id, "proof-1", kT0 + kMinute);
  ASSERT_OK(elsewhere);
  EXPECT_TRUE(*elsewhere);  // apps are isolated
  auto later = store().RecordDpopProof(app.id, "proof-2", kT0 + kHour);
  ASSERT_OK(later);
  EXPECT_TRUE(*later);
  ExpectCollected(kT0 + kMinute, {.dpop_proofs = 2});  // both of proof-1, not proof-2
  auto again = store().RecordDpopProof(app.id, "proof-2", kT0 + kHour);
  ASSERT_OK(again);
  EXPECT_FALSE(*again);
}

// Two nodes recording one proof at once: exactly one is told it is new.
TEST_P(StoreConformanceTest, ConcurrentDpopProofRecordingsHaveOneWinner) {
  App app = AddApp("default");
  constexpr int kThreads = 8;
  auto results = ConcurrentResults(
      kThreads, [&](int) { return store().RecordDpopProof(app.id, "proof-race", kT0 + kMinute); });
  int firsts = 0;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(results[i].has_value());
    ASSERT_TRUE(results[i]->ok()) << "thread " << i << ": " << results[i]->status().ToString();
    if (**results[i]) ++firsts;
  }
  EXPECT_EQ(firsts, 1);
}

// A refresh reads the token's user before it rotates (RefreshTokenRotation::Rotate).
TEST_P(StoreConformanceTest, UserOfRefreshTokenIsItsSessionsUserInItsAppOnly) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  AddSession(u, "rt-ann");
  AddSession(other, "rt-bob");
  auto ann = store().GetUserOfRefreshToken(app.id, "rt-ann");
  ASSERT_OK(ann);
  EXPECT_EQ(ann->id, u.id);
  EXPECT_EQ(ann->email, "ann@example.com");
  EXPECT_EQ(store().GetUserOfRefreshToken(app.id, "rt-bob")->id, other.id);
  EXPECT_CODE(store().GetUserOfRefreshToken(app.id, "rt-unknown"), StatusCode::kNotFound);
  App b = AddApp("b");
  EXPECT_CODE(store().GetUserOfRefreshToken(b.id, "rt-ann"), StatusCode::kNotFound);
  // Spent or not, live or not: the caller's rotation decides (a reuse must still be seen).
  ASSERT_OK(ExecSql("UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2",
                    {kT0 + kMinute, std::string("rt-ann")}));
  EXPECT_EQ(store().GetUserOfRefreshToken(app.id, "rt-ann")->id, u.id);
}

}  // namespace
}  // namespace tessera::store::test
