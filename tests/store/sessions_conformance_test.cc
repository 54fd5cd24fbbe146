// SessionStore conformance: creating, reading and listing sessions of every kind.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

TEST_P(StoreConformanceTest, CreateAndGetSession) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeSession(u, kT0, kT0 + 30 * kDay);
  RefreshToken first = MakeToken("rt-1", kT0, kT0 + 14 * kDay);
  first.session_id = "ignored";
  ASSERT_OK(store().CreateSession(s, first));

  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  ExpectSameSession(*got, s);
  EXPECT_EQ(got->revoked_at, std::nullopt);
  EXPECT_EQ(got->revoked_reason, std::nullopt);

  EXPECT_CODE(store().GetSession(other.id, s.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetSession(app.id, NewId()), StatusCode::kNotFound);
  EXPECT_EQ(TokenUsedAt("rt-1"), std::nullopt);  // stored, under the session
  auto rows = Query("SELECT session_id FROM refresh_tokens WHERE token_hash = $1", {"rt-1"});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::Text((*rows)[0], 0), s.id);
}

TEST_P(StoreConformanceTest, CreateSessionIsAtomic) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  AddSession(u, "rt-dup");
  // The second session's first token clashes: neither row may stay.
  Session s2 = MakeSession(u, kT0, kT0 + 30 * kDay);
  EXPECT_CLASH(store().CreateSession(s2, MakeToken("rt-dup", kT0, kT0 + kDay)),
               SessionUniqueKey::kRefreshTokenHash);
  EXPECT_CODE(store().GetSession(app.id, s2.id), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, SessionIdClash) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  Session dup = MakeSession(u, kT0, kT0 + kDay);
  dup.id = s.id;
  EXPECT_CLASH(store().CreateSession(dup, MakeToken("rt-2", kT0, kT0 + kDay)),
               SessionUniqueKey::kId);
  EXPECT_FALSE(TokenExists("rt-2"));
}

TEST_P(StoreConformanceTest, RefreshTokenIdClash) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  RefreshToken first = MakeToken("rt-1", kT0, kT0 + kDay);
  ASSERT_OK(store().CreateSession(MakeSession(u, kT0, kT0 + kDay), first));
  RefreshToken same_id = MakeToken("rt-2", kT0, kT0 + kDay);
  same_id.id = first.id;
  Session s2 = MakeSession(u, kT0, kT0 + kDay);
  EXPECT_CLASH(store().CreateSession(s2, same_id), SessionUniqueKey::kRefreshTokenId);
  EXPECT_CODE(store().GetSession(app.id, s2.id), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, ListActiveSessions) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  User other = AddUser(app, "bob@example.com");
  const UnixMillis now = kT0 + kDay;

  Session live1 = AddSession(u, "rt-live1", kT0);
  Session live2 = AddSession(u, "rt-live2", kT0 + kHour);
  Session revoked = AddSession(u, "rt-revoked", kT0);
  ASSERT_OK(
      store().RevokeSession(app.id, u.id, revoked.id, RevokeReason::kLogout, kT0 + 2 * kHour));
  Session expired = MakeSession(u, kT0 - 10 * kDay, kT0 + kHour);  // expired before `now`
  ASSERT_OK(store().CreateSession(expired, MakeToken("rt-expired", kT0 - 10 * kDay, kT0)));
  AddSession(other, "rt-other", kT0);

  auto active = store().ListActiveSessions(app.id, u.id, now);
  ASSERT_OK(active);
  EXPECT_THAT(Ids(*active), UnorderedElementsAre(live1.id, live2.id));
  for (const Session& s : *active) {
    if (s.id == live1.id) ExpectSameSession(s, live1);
  }

  // Another app's id sees nothing.
  App b = AddApp("b");
  EXPECT_THAT(ActiveSessionIds(b.id, u.id, now), IsEmpty());
}

// ---------------------------------------------------------------------------------------
// Session kinds (OIDC): OAuth grants

TEST_P(StoreConformanceTest, SessionOidcFieldsRoundTrip) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeOAuthSession(u, "client-1", kT0, kT0 + 30 * kDay);
  s.auth_time = kAfter2038;
  s.dpop_jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";  // a public client's bound grant
  s.parent_id = NewId();  // the browser session it was started from
  ASSERT_OK(store().CreateSession(s, MakeToken("rt-1", kT0, kT0 + 14 * kDay)));

  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  ExpectSameSession(*got, s);
  EXPECT_EQ(got->kind, SessionKind::kOAuth);
  auto found = store().FindSessionByRefreshToken(app.id, "rt-1");
  ASSERT_OK(found);
  ExpectSameSession(*found, s);
  auto info = store().GetRefreshToken(app.id, "rt-1");
  ASSERT_OK(info);
  ExpectSameSession(info->session, s);
  EXPECT_EQ(info->token.token_hash, "rt-1");
  EXPECT_EQ(info->token.expires_at, kT0 + 14 * kDay);
  EXPECT_FALSE(info->token.used_at.has_value());
  auto listed = store().ListActiveSessions(app.id, u.id, kT0 + 1);
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  ExpectSameSession((*listed)[0], s);

  const UnixMillis now = kT0 + kHour;
  auto rot = store().RotateRefreshToken(app.id, "client-1", "rt-1",
                                        MakeToken("rt-2", now, now + kDay), now);
  EXPECT_OUTCOME(rot, RotationOutcome::kRotated);
  ASSERT_TRUE(rot->session.has_value());
  Session want = s;
  want.last_used_at = now;
  ExpectSameSession(*rot->session, want);
  auto replay = store().RotateRefreshToken(app.id, "client-1", "rt-1",
                                           MakeToken("rt-3", now, now + kDay), now + 1);
  EXPECT_OUTCOME(replay, RotationOutcome::kReused);
  ASSERT_TRUE(replay->session.has_value());
  ExpectSameSession(*replay->session, want);

  // The defaults: an account-API session.
  Session plain;
  EXPECT_EQ(plain.kind, SessionKind::kApi);
  Session api = AddSession(u, "rt-api");
  auto got_api = store().GetSession(app.id, api.id);
  ASSERT_OK(got_api);
  EXPECT_EQ(got_api->kind, SessionKind::kApi);
  EXPECT_EQ(got_api->client_id, "");
  EXPECT_EQ(got_api->scope, "");
}

TEST_P(StoreConformanceTest, CreateSessionWithoutRefreshToken) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeOAuthSession(u, "client-1", kT0, kT0 + kDay);
  ASSERT_OK(store().CreateSession(s, std::nullopt));
  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  ExpectSameSession(*got, s);
  auto rows = Query("SELECT id FROM refresh_tokens WHERE session_id = $1", {s.id});
  ASSERT_OK(rows);
  EXPECT_THAT(*rows, IsEmpty());
  EXPECT_THAT(ActiveSessionIds(app.id, u.id, kT0 + 1), ElementsAre(s.id));

  Session dup = MakeSession(u, kT0, kT0 + kDay);
  dup.id = s.id;
  EXPECT_CLASH(store().CreateSession(dup, std::nullopt), SessionUniqueKey::kId);
}

}  // namespace
}  // namespace tessera::store::test
