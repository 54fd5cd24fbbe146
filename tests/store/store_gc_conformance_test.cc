// Store::CollectGarbage conformance: what each kind of record leaves behind, and when.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

// ---------------------------------------------------------------------------------------
// Sessions, refresh tokens and API tokens

TEST_P(StoreConformanceTest, CollectGarbage) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  const UnixMillis now = kT0 + 100 * kDay;
  const UnixMillis long_ago = now - 30 * kDay;

  // A session that expired long ago, with its expired token.
  Session dead = MakeSession(u, long_ago - kDay, long_ago);
  ASSERT_OK(store().CreateSession(dead, MakeToken("rt-dead", long_ago - kDay, long_ago)));
  // A session revoked long ago (its token goes with it).
  Session revoked = MakeSession(u, long_ago - kDay, now + 30 * kDay);
  ASSERT_OK(
      store().CreateSession(revoked, MakeToken("rt-revoked", long_ago - kDay, now + 14 * kDay)));
  ASSERT_OK(store().RevokeSession(app.id, u.id, revoked.id, RevokeReason::kLogout, long_ago));
  // A live session with three tokens: rt-live-old (used, expired long ago: collected),
  // rt-live-recent (used, expires exactly at `now`: kept for reuse detection), rt-live.
  Session live = MakeSession(u, long_ago - kDay, now + 30 * kDay);
  ASSERT_OK(store().CreateSession(live, MakeToken("rt-live-old", long_ago - kDay, long_ago)));
  {
    auto rot = store().RotateRefreshToken(app.id, "", "rt-live-old",
                                          MakeToken("rt-live-recent", now, now), long_ago - 1);
    EXPECT_OUTCOME(rot, RotationOutcome::kRotated);
  }
  {
    auto rot = store().RotateRefreshToken(app.id, "", "rt-live-recent",
                                          MakeToken("rt-live", now - kMinute, now + 14 * kDay),
                                          now - kMinute);
    EXPECT_OUTCOME(rot, RotationOutcome::kRotated);
  }
  // A session revoked a minute ago is kept (grace), as is its token.
  Session just_revoked = MakeSession(u, now - kHour, now + 30 * kDay);
  ASSERT_OK(store().CreateSession(just_revoked,
                                  MakeToken("rt-just-revoked", now - kHour, now + 14 * kDay)));
  ASSERT_OK(
      store().RevokeSession(app.id, u.id, just_revoked.id, RevokeReason::kLogout, now - kMinute));

  ApiToken expired = MakeApiToken(u, "at-expired", long_ago - kDay);
  expired.expires_at = long_ago;
  ApiToken revoked_token = MakeApiToken(u, "at-revoked", long_ago - kDay);
  ApiToken recently_revoked = MakeApiToken(u, "at-recently-revoked", long_ago - kDay);
  ApiToken forever = MakeApiToken(u, "at-forever", long_ago - kDay);
  ApiToken future = MakeApiToken(u, "at-future", long_ago - kDay);
  future.expires_at = now + kDay;
  for (const ApiToken& t : {expired, revoked_token, recently_revoked, forever, future}) {
    ASSERT_OK(store().CreateApiToken(t));
  }
  ASSERT_OK(store().RevokeApiToken(app.id, u.id, revoked_token.id, long_ago));
  ASSERT_OK(store().RevokeApiToken(app.id, u.id, recently_revoked.id, now - kMinute));

  ExpectCollected(now, {.refresh_tokens = 2,  // rt-dead, rt-live-old (rt-revoked: by cascade)
                        .sessions = 2,        // dead, revoked
                        .api_tokens = 2});    // at-expired, at-revoked

  EXPECT_CODE(store().GetSession(app.id, dead.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetSession(app.id, revoked.id), StatusCode::kNotFound);
  EXPECT_OK(store().GetSession(app.id, live.id));
  EXPECT_OK(store().GetSession(app.id, just_revoked.id));
  EXPECT_FALSE(TokenExists("rt-dead"));
  EXPECT_FALSE(TokenExists("rt-revoked"));
  EXPECT_FALSE(TokenExists("rt-live-old"));
  EXPECT_TRUE(TokenExists("rt-live-recent"));
  EXPECT_TRUE(TokenExists("rt-live"));
  EXPECT_TRUE(TokenExists("rt-just-revoked"));

  EXPECT_CODE(store().GetApiTokenByHash("at-expired"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetApiTokenByHash("at-revoked"), StatusCode::kNotFound);
  EXPECT_OK(store().GetApiTokenByHash("at-recently-revoked"));
  EXPECT_OK(store().GetApiTokenByHash("at-forever"));
  EXPECT_OK(store().GetApiTokenByHash("at-future"));

  // Recently used tokens still detect replays; the live one still rotates.
  EXPECT_OUTCOME(store().RotateRefreshToken(app.id, "", "rt-live-recent",
                                            MakeToken("rt-x", now, now + kDay), now),
                 RotationOutcome::kReused);
  EXPECT_OUTCOME(
      store().RotateRefreshToken(app.id, "", "rt-live", MakeToken("rt-y", now, now + kDay), now),
      RotationOutcome::kRotated);

  // Nothing left to collect.
  ExpectCollected(now, {});
}

// ---------------------------------------------------------------------------------------
// Authorization codes and login throttle rows

TEST_P(StoreConformanceTest, CollectGarbageRemovesOldCodesAndThrottleRows) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  const UnixMillis now = kT0 + 100 * kDay;
  constexpr int64_t kWindow = 15 * kMinute;

  // Expired more than a day ago: collected, used or not.
  ASSERT_OK(store().CreateAuthorizationCode(
      MakeCode(u, "code-old", now - 3 * kDay, now - 3 * kDay + kMinute)));
  ASSERT_OK(store().CreateAuthorizationCode(
      MakeCode(u, "code-old-used", now - 2 * kDay, now - 2 * kDay + kMinute)));
  EXPECT_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-old-used", now - 2 * kDay),
                 CodeOutcome::kConsumed);
  // Expired within the day (kept for replay detection), and live.
  ASSERT_OK(store().CreateAuthorizationCode(
      MakeCode(u, "code-recent-used", now - kHour, now - kHour + kMinute)));
  EXPECT_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-recent-used", now - kHour),
                 CodeOutcome::kConsumed);
  ASSERT_OK(store().CreateAuthorizationCode(MakeCode(u, "code-live", now, now + kMinute)));

  ASSERT_OK(store().AddThrottleFailure("throttle-old", now - 2 * kDay, kWindow));
  ASSERT_OK(store().AddThrottleFailure("throttle-recent", now - kHour, kWindow));
  ASSERT_OK(store().AddThrottleFailure("throttle-live", now - kMinute, kWindow));

  ExpectCollected(now, {.authorization_codes = 2, .throttle_entries = 1});

  EXPECT_THAT(QueryTexts("SELECT code_hash FROM authorization_codes ORDER BY code_hash"),
              ElementsAre("code-live", "code-recent-used"));
  EXPECT_THAT(QueryTexts("SELECT key FROM login_throttle ORDER BY key"),
              ElementsAre("throttle-live", "throttle-recent"));

  EXPECT_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-recent-used", now),
                 CodeOutcome::kReused);
  EXPECT_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-live", now), CodeOutcome::kConsumed);
  ExpectThrottle(store().GetThrottle("throttle-live", now, kWindow), 1, now - kMinute);

  ExpectCollected(now, {});
}

// ---------------------------------------------------------------------------------------
// Email tokens and sent mail

TEST_P(StoreConformanceTest, CollectGarbageRemovesOldEmailTokensAndSentMail) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  const UnixMillis now = kT0 + 100 * kDay;

  // Expired more than a day ago: collected, used or not. Within the day, or live: kept.
  EmailToken old = MakeEmailToken(app, "tok-old", EmailTokenPurpose::kVerifyEmail, now - 3 * kDay,
                                  now - 2 * kDay);
  old.user_id = u.id;
  EmailToken old_used = MakeEmailToken(app, "tok-old-used", EmailTokenPurpose::kPasswordReset,
                                       now - 3 * kDay, now - 2 * kDay);
  EmailToken recent = MakeEmailToken(app, "tok-recent", EmailTokenPurpose::kMagicLink,
                                     now - 2 * kHour, now - kHour);
  EmailToken live =
      MakeEmailToken(app, "tok-live", EmailTokenPurpose::kEmailCode, now, now + kMinute);
  for (const auto& t : {old, old_used, recent, live}) ASSERT_OK(store().CreateEmailToken(t));
  EXPECT_OUTCOME(store().ConsumeEmailToken(app.id, "tok-old-used",
                                           EmailTokenPurpose::kPasswordReset, now - 3 * kDay),
                 EmailTokenOutcome::kConsumed);

  // Sent more than 7 days ago: collected. Sent recently, or never sent (however old): kept.
  OutgoingMail sent_long_ago = MakeMail(app, "sent long ago", now - 30 * kDay, now - 30 * kDay);
  OutgoingMail sent_recently = MakeMail(app, "sent recently", now - 30 * kDay, now - 30 * kDay);
  OutgoingMail never_sent = MakeMail(app, "never sent", now - 30 * kDay, now - 30 * kDay);
  for (const auto& m : {sent_long_ago, sent_recently, never_sent}) {
    ASSERT_OK(store().EnqueueMail(m));
  }
  ASSERT_OK(store().MarkMailSent(sent_long_ago.id, now - 7 * kDay - 1));
  ASSERT_OK(store().MarkMailSent(sent_recently.id, now - 7 * kDay + kHour));

  ExpectCollected(now, {.email_tokens = 2, .sent_mail = 1});

  EXPECT_THAT(QueryTexts("SELECT token_hash FROM email_tokens ORDER BY token_hash"),
              ElementsAre("tok-live", "tok-recent"));
  EXPECT_THAT(QueryTexts("SELECT subject FROM mail_outbox ORDER BY subject"),
              ElementsAre("never sent", "sent recently"));
  auto leased = store().LeaseDueMail(now, 16, kMinute);
  ASSERT_OK(leased);
  EXPECT_THAT(Pluck(*leased, &OutgoingMail::subject), ElementsAre("never sent"));

  ExpectCollected(now, {});
}

}  // namespace
}  // namespace tessera::store::test
