// SessionStore conformance: refresh-token rotation, reuse detection, and finding a session
// by any token of its family.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

TEST_P(StoreConformanceTest, RotateRefreshToken) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  const UnixMillis now = kT0 + kHour;

  RefreshToken next = MakeToken("rt-2", now, now + 14 * kDay);
  next.session_id = "ignored-by-the-store";
  auto rot = store().RotateRefreshToken(app.id, "", "rt-1", next, now);
  EXPECT_OUTCOME(rot, RotationOutcome::kRotated);
  ASSERT_TRUE(rot->session.has_value());
  EXPECT_EQ(rot->session->id, s.id);
  EXPECT_EQ(rot->session->user_id, u.id);
  EXPECT_EQ(rot->session->app_id, app.id);
  EXPECT_EQ(rot->session->last_used_at, now);

  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, now);
  EXPECT_EQ(got->created_at, s.created_at);
  EXPECT_EQ(TokenUsedAt("rt-1"), now);
  EXPECT_EQ(TokenUsedAt("rt-2"), std::nullopt);
  auto rows = Query("SELECT session_id FROM refresh_tokens WHERE token_hash = $1", {"rt-2"});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::Text((*rows)[0], 0), s.id);

  // The next token is usable in turn.
  const UnixMillis later = now + kHour;
  auto rot2 =
      store().RotateRefreshToken(app.id, "", "rt-2", MakeToken("rt-3", later, later + kDay), later);
  EXPECT_OUTCOME(rot2, RotationOutcome::kRotated);
  ASSERT_TRUE(rot2->session.has_value());
  EXPECT_EQ(rot2->session->id, s.id);
  got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, later);
}

TEST_P(StoreConformanceTest, RotatingAUsedTokenIsReuse) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  const UnixMillis now = kT0 + kHour;
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-2", now, now + kDay), now),
      RotationOutcome::kRotated);

  auto replay = store().RotateRefreshToken(app.id, "", "rt-1",
                                           MakeToken("rt-x", now + 1, now + kDay), now + 1);
  EXPECT_OUTCOME(replay, RotationOutcome::kReused);
  ASSERT_TRUE(replay->session.has_value());
  EXPECT_EQ(replay->session->id, s.id);
  EXPECT_EQ(replay->session->user_id, u.id);
  EXPECT_FALSE(TokenExists("rt-x"));    // nothing stored for a replay
  EXPECT_EQ(TokenUsedAt("rt-1"), now);  // first use kept
  EXPECT_EQ(TokenUsedAt("rt-2"), std::nullopt);
}

TEST_P(StoreConformanceTest, RotateUnknownTokenIsInvalid) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  AddSession(u, "rt-1");
  auto rot = store().RotateRefreshToken(app.id, "", "no-such-hash",
                                        MakeToken("rt-2", kT0, kT0 + kDay), kT0);
  EXPECT_OUTCOME(rot, RotationOutcome::kInvalid);
  EXPECT_FALSE(rot->session.has_value());
  EXPECT_FALSE(TokenExists("rt-2"));
}

TEST_P(StoreConformanceTest, RotateThroughAnotherAppIsInvalidAndDoesNotConsume) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  const UnixMillis now = kT0 + kHour;

  ExpectRotationRefused(other.id, "", "rt-1", "rt-2", now);

  // Still live for its own app; once used, a replay through the other app reveals nothing.
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-3", now, now + kDay), now),
      RotationOutcome::kRotated);
  auto replay =
      store().RotateRefreshToken(other.id, "", "rt-1", MakeToken("rt-4", now, now + kDay), now + 1);
  EXPECT_OUTCOME(replay, RotationOutcome::kInvalid);
  EXPECT_FALSE(replay->session.has_value());
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-5", now, now + kDay), now + 2),
      RotationOutcome::kReused);
  ExpectRevocation(app.id, s.id, std::nullopt);
}

TEST_P(StoreConformanceTest, RotateThroughAnotherClientIsInvalidAndDoesNotConsume) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeOAuthSession(u, "client-1", kT0, kT0 + 30 * kDay);
  ASSERT_OK(store().CreateSession(s, MakeToken("rt-1", kT0, kT0 + 14 * kDay)));
  const UnixMillis now = kT0 + kHour;

  for (const char* wrong : {"client-2", ""}) {
    SCOPED_TRACE(std::string("client \"") + wrong + "\"");
    ExpectRotationRefused(app.id, wrong, "rt-1", std::string("rt-x") + wrong, now);
  }

  // The right client rotates fine.
  auto rot = store().RotateRefreshToken(app.id, "client-1", "rt-1",
                                        MakeToken("rt-2", now, now + kDay), now);
  EXPECT_OUTCOME(rot, RotationOutcome::kRotated);
  EXPECT_EQ(TokenUsedAt("rt-1"), now);

  // A replay by another client reveals nothing and is no reuse (it must not be able to get
  // the family revoked); by the right client it is.
  auto replay = store().RotateRefreshToken(app.id, "client-2", "rt-1",
                                           MakeToken("rt-3", now, now + kDay), now + 1);
  EXPECT_OUTCOME(replay, RotationOutcome::kInvalid);
  EXPECT_FALSE(replay->session.has_value());
  replay =
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-4", now, now + kDay), now + 1);
  EXPECT_OUTCOME(replay, RotationOutcome::kInvalid);
  replay = store().RotateRefreshToken(app.id, "client-1", "rt-1",
                                      MakeToken("rt-5", now, now + kDay), now + 2);
  EXPECT_OUTCOME(replay, RotationOutcome::kReused);
  ASSERT_TRUE(replay->session.has_value());
  EXPECT_EQ(replay->session->id, s.id);

  // An account-API token is not a client's.
  Session api = AddSession(u, "rt-api");
  EXPECT_OUTCOME(store().RotateRefreshToken(app.id, "client-1", "rt-api",
                                            MakeToken("rt-api-2", now, now + kDay), now),
                 RotationOutcome::kInvalid);
  EXPECT_EQ(TokenUsedAt("rt-api"), std::nullopt);
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-api", MakeToken("rt-api-3", now, now + kDay), now),
      RotationOutcome::kRotated);
  ExpectRevocation(app.id, api.id, std::nullopt);
}

TEST_P(StoreConformanceTest, FindSessionByRefreshToken) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  AddSession(AddUser(app, "bob@example.com"), "rt-bob");

  auto found = store().FindSessionByRefreshToken(app.id, "rt-1");
  ASSERT_OK(found);
  ExpectSameSession(*found, s);

  const UnixMillis now = kT0 + kHour;
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-2", now, now + kDay), now),
      RotationOutcome::kRotated);
  for (const char* hash : {"rt-1", "rt-2"}) {  // rotated and live tokens alike
    auto got = store().FindSessionByRefreshToken(app.id, hash);
    ASSERT_OK(got);
    EXPECT_EQ(got->id, s.id) << hash;
    EXPECT_EQ(got->user_id, u.id) << hash;
    EXPECT_EQ(got->last_used_at, now) << hash;
  }
  EXPECT_CODE(store().FindSessionByRefreshToken(other.id, "rt-1"), StatusCode::kNotFound);
  EXPECT_CODE(store().FindSessionByRefreshToken(other.id, "rt-2"), StatusCode::kNotFound);
  EXPECT_CODE(store().FindSessionByRefreshToken(app.id, "no-such-hash"), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, RotateExpiredTokenIsInvalid) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeSession(u, kT0, kT0 + 30 * kDay);
  ASSERT_OK(store().CreateSession(s, MakeToken("rt-1", kT0, kT0 + kHour)));
  const UnixMillis now = kT0 + 2 * kHour;  // token expired, session still live
  ExpectRotationRefused(app.id, "", "rt-1", "rt-2", now);
  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, s.last_used_at);
}

TEST_P(StoreConformanceTest, RotateOnRevokedSessionIsInvalidAndRollsBack) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-1");
  ASSERT_OK(store().RevokeSession(app.id, u.id, s.id, RevokeReason::kLogout, kT0 + kMinute));
  const UnixMillis now = kT0 + kHour;

  // The transaction rolled back: the token is not marked used, the next one not stored…
  ExpectRotationRefused(app.id, "", "rt-1", "rt-2", now);
  // …so presenting it again is still kInvalid, not kReused.
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-1", MakeToken("rt-3", now, now + kDay), now + 1),
      RotationOutcome::kInvalid);
  auto got = store().GetSession(app.id, s.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->last_used_at, s.last_used_at);
}

TEST_P(StoreConformanceTest, RotateOnExpiredSessionIsInvalidAndRollsBack) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = MakeSession(u, kT0, kT0 + kHour);
  ASSERT_OK(store().CreateSession(s, MakeToken("rt-1", kT0, kT0 + kDay)));  // outlives it
  const UnixMillis now = kT0 + 2 * kHour;
  ExpectRotationRefused(app.id, "", "rt-1", "rt-2", now);
}

TEST_P(StoreConformanceTest, ConcurrentRotationsHaveExactlyOneWinner) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  Session s = AddSession(u, "rt-0");
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;

  std::string current = "rt-0";
  for (int round = 0; round < kRounds; ++round) {
    const UnixMillis now = kT0 + (round + 1) * kMinute;
    std::vector<RefreshToken> next;
    for (int i = 0; i < kThreads; ++i) {
      next.push_back(
          MakeToken("rt-" + std::to_string(round + 1) + "-" + std::to_string(i), now, now + kDay));
    }
    auto results = ConcurrentResults(kThreads, [&](int i) {
      return store().RotateRefreshToken(app.id, "", current, next[i], now);
    });

    int rotated = 0, reused = 0, winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      ASSERT_TRUE(results[i].has_value());
      ASSERT_TRUE(results[i]->ok()) << "thread " << i << ": " << results[i]->status().ToString();
      const Rotation& r = **results[i];
      if (r.outcome == RotationOutcome::kRotated) {
        ++rotated;
        winner = i;
      } else if (r.outcome == RotationOutcome::kReused) {
        ++reused;
        ASSERT_TRUE(r.session.has_value());
        EXPECT_EQ(r.session->id, s.id);
      }
    }
    EXPECT_EQ(rotated, 1) << "round " << round;
    EXPECT_EQ(reused, kThreads - 1) << "round " << round;
    ASSERT_GE(winner, 0);
    // Only the winner's next token was stored.
    for (int i = 0; i < kThreads; ++i) {
      std::string hash = "rt-" + std::to_string(round + 1) + "-" + std::to_string(i);
      EXPECT_EQ(TokenExists(hash), i == winner) << hash;
    }
    current = "rt-" + std::to_string(round + 1) + "-" + std::to_string(winner);
  }
}

}  // namespace
}  // namespace tessera::store::test
