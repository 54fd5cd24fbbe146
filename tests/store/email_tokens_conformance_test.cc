// EmailTokenStore conformance: one-time email links and codes.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

void ExpectSameEmailToken(const EmailToken& got, const EmailToken& want) {
  using E = EmailToken;
  ExpectSameFields(got, want, FIELD(E, token_hash), FIELD(E, app_id), FIELD(E, user_id),
                   FIELD(E, email), FIELD(E, purpose), FIELD(E, new_email), FIELD(E, redirect_uri),
                   FIELD(E, salt), FIELD(E, attempts), FIELD(E, created_at), FIELD(E, expires_at),
                   FIELD(E, used_at));
}

TEST_P(StoreConformanceTest, EmailTokenRoundTripAndConsumeOutcomes) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  EmailToken t =
      MakeEmailToken(app, "tok-change", EmailTokenPurpose::kChangeEmail, kT0, kT0 + 30 * kMinute);
  t.user_id = u.id;
  t.new_email = "ann.new@example.com";
  t.redirect_uri = "https://app.example/after?x=1";
  t.salt = "c2FsdA";
  ASSERT_OK(store().CreateEmailToken(t));
  EXPECT_CLASH(store().CreateEmailToken(t), EmailTokenUniqueKey::kTokenHash);

  auto live = store().GetLiveEmailToken(app.id, t.email, EmailTokenPurpose::kChangeEmail, kT0);
  ASSERT_OK(live);
  ExpectSameEmailToken(*live, t);

  // Not a token of another app or purpose, nor an unknown one: kInvalid, and not consumed.
  EXPECT_OUTCOME(
      store().ConsumeEmailToken(other.id, "tok-change", EmailTokenPurpose::kChangeEmail, kT0),
      EmailTokenOutcome::kInvalid);
  EXPECT_OUTCOME(
      store().ConsumeEmailToken(app.id, "tok-change", EmailTokenPurpose::kPasswordReset, kT0),
      EmailTokenOutcome::kInvalid);
  EXPECT_OUTCOME(
      store().ConsumeEmailToken(app.id, "tok-unknown", EmailTokenPurpose::kChangeEmail, kT0),
      EmailTokenOutcome::kInvalid);

  const UnixMillis now = kT0 + kMinute;
  auto consumed =
      store().ConsumeEmailToken(app.id, "tok-change", EmailTokenPurpose::kChangeEmail, now);
  EXPECT_OUTCOME(consumed, EmailTokenOutcome::kConsumed);
  EmailToken want = t;
  want.used_at = now;
  ExpectSameEmailToken(*consumed->token, want);
  EXPECT_CODE(store().GetLiveEmailToken(app.id, t.email, EmailTokenPurpose::kChangeEmail, now),
              StatusCode::kNotFound);

  // Again: used (with the record), also after it has expired.
  auto again =
      store().ConsumeEmailToken(app.id, "tok-change", EmailTokenPurpose::kChangeEmail, now + 1);
  EXPECT_OUTCOME(again, EmailTokenOutcome::kUsed);
  ExpectSameEmailToken(*again->token, want);
  EXPECT_OUTCOME(
      store().ConsumeEmailToken(app.id, "tok-change", EmailTokenPurpose::kChangeEmail, kT0 + kDay),
      EmailTokenOutcome::kUsed);

  // Expired: kExpired (exactly at expires_at too), not consumed.
  EmailToken reset =
      MakeEmailToken(app, "tok-reset", EmailTokenPurpose::kPasswordReset, kT0, kT0 + 30 * kMinute);
  ASSERT_OK(store().CreateEmailToken(reset));
  auto expired = store().ConsumeEmailToken(app.id, "tok-reset", EmailTokenPurpose::kPasswordReset,
                                           kT0 + 30 * kMinute);
  EXPECT_OUTCOME(expired, EmailTokenOutcome::kExpired);
  ExpectSameEmailToken(*expired->token, reset);
  EXPECT_CODE(store().GetLiveEmailToken(app.id, reset.email, EmailTokenPurpose::kPasswordReset,
                                        kT0 + 30 * kMinute),
              StatusCode::kNotFound);
  EXPECT_OUTCOME(store().ConsumeEmailToken(app.id, "tok-reset", EmailTokenPurpose::kPasswordReset,
                                           kT0 + 30 * kMinute - 1),
                 EmailTokenOutcome::kConsumed);

  // A token without a user (a magic link that may create the account) reads back without one.
  EmailToken magic =
      MakeEmailToken(app, "tok-magic", EmailTokenPurpose::kMagicLink, kT0, kT0 + kHour);
  ASSERT_OK(store().CreateEmailToken(magic));
  auto m = store().ConsumeEmailToken(app.id, "tok-magic", EmailTokenPurpose::kMagicLink, kT0);
  EXPECT_OUTCOME(m, EmailTokenOutcome::kConsumed);
  EXPECT_EQ(m->token->user_id, std::nullopt);
}

TEST_P(StoreConformanceTest, NewerEmailTokenVoidsOlderOnes) {
  App app = AddApp("default");
  App other = AddApp("other");
  EmailToken a =
      MakeEmailToken(app, "tok-a", EmailTokenPurpose::kMagicLink, kT0, kT0 + 15 * kMinute);
  EmailToken b =
      MakeEmailToken(app, "tok-b", EmailTokenPurpose::kMagicLink, kT0 + 1, kT0 + 15 * kMinute);
  // Untouched by b: another purpose, another address, another app.
  EmailToken reset =
      MakeEmailToken(app, "tok-reset", EmailTokenPurpose::kPasswordReset, kT0, kT0 + 30 * kMinute);
  EmailToken bob =
      MakeEmailToken(app, "tok-bob", EmailTokenPurpose::kMagicLink, kT0, kT0 + 15 * kMinute);
  bob.email = "bob@example.com";
  EmailToken elsewhere =
      MakeEmailToken(other, "tok-other", EmailTokenPurpose::kMagicLink, kT0, kT0 + 15 * kMinute);
  for (const auto& t : {a, reset, bob, elsewhere}) ASSERT_OK(store().CreateEmailToken(t));
  ASSERT_OK(store().CreateEmailToken(b));

  auto live = store().GetLiveEmailToken(app.id, a.email, EmailTokenPurpose::kMagicLink, kT0 + 2);
  ASSERT_OK(live);
  EXPECT_EQ(live->token_hash, "tok-b");
  auto voided = store().ConsumeEmailToken(app.id, "tok-a", EmailTokenPurpose::kMagicLink, kT0 + 2);
  EXPECT_OUTCOME(voided, EmailTokenOutcome::kUsed);
  EXPECT_EQ(voided->token->used_at, b.created_at);
  EXPECT_OUTCOME(store().ConsumeEmailToken(app.id, "tok-b", EmailTokenPurpose::kMagicLink, kT0 + 2),
                 EmailTokenOutcome::kConsumed);
  EXPECT_OUTCOME(
      store().ConsumeEmailToken(app.id, "tok-reset", EmailTokenPurpose::kPasswordReset, kT0 + 2),
      EmailTokenOutcome::kConsumed);
  EXPECT_OUTCOME(
      store().ConsumeEmailToken(app.id, "tok-bob", EmailTokenPurpose::kMagicLink, kT0 + 2),
      EmailTokenOutcome::kConsumed);
  EXPECT_OUTCOME(
      store().ConsumeEmailToken(other.id, "tok-other", EmailTokenPurpose::kMagicLink, kT0 + 2),
      EmailTokenOutcome::kConsumed);

  // A failed create (hash clash) voids nothing: the transaction rolls back.
  EmailToken c =
      MakeEmailToken(app, "tok-c", EmailTokenPurpose::kMagicLink, kT0 + 3, kT0 + 15 * kMinute);
  ASSERT_OK(store().CreateEmailToken(c));
  EmailToken clash =
      MakeEmailToken(app, "tok-b", EmailTokenPurpose::kMagicLink, kT0 + 4, kT0 + 15 * kMinute);
  EXPECT_CLASH(store().CreateEmailToken(clash), EmailTokenUniqueKey::kTokenHash);
  EXPECT_OUTCOME(store().ConsumeEmailToken(app.id, "tok-c", EmailTokenPurpose::kMagicLink, kT0 + 5),
                 EmailTokenOutcome::kConsumed);
}

TEST_P(StoreConformanceTest, GetLiveEmailTokenIsTheNewestLiveOne) {
  App app = AddApp("default");
  EXPECT_CODE(
      store().GetLiveEmailToken(app.id, "ann@example.com", EmailTokenPurpose::kEmailCode, kT0),
      StatusCode::kNotFound);
  // Written directly, so that several are unused at once (CreateEmailToken would void them).
  EmailToken old =
      MakeEmailToken(app, "code-old", EmailTokenPurpose::kEmailCode, kT0, kT0 + 10 * kMinute);
  EmailToken mid = MakeEmailToken(app, "code-mid", EmailTokenPurpose::kEmailCode, kT0 + kMinute,
                                  kT0 + 11 * kMinute);
  EmailToken expired_new = MakeEmailToken(app, "code-exp", EmailTokenPurpose::kEmailCode,
                                          kT0 + 2 * kMinute, kT0 + 3 * kMinute);
  ASSERT_OK(store().CreateEmailToken(old));
  ASSERT_OK(WriteSql([&](sql::SqlConnection& c) -> Status {
    for (const EmailToken& t : {mid, expired_new}) {
      auto n = c.Exec(
          "INSERT INTO email_tokens (token_hash, app_id, email, purpose, created_at, expires_at)"
          " VALUES ($1, $2, $3, $4, $5, $6)",
          {t.token_hash, t.app_id, t.email, sql::EnumValue(t.purpose), t.created_at, t.expires_at});
      if (!n.ok()) return n.status();
    }
    return OkStatus();
  }));
  auto live = store().GetLiveEmailToken(app.id, "ann@example.com", EmailTokenPurpose::kEmailCode,
                                        kT0 + 2 * kMinute + 1);
  ASSERT_OK(live);
  EXPECT_EQ(live->token_hash, "code-exp");
  live = store().GetLiveEmailToken(app.id, "ann@example.com", EmailTokenPurpose::kEmailCode,
                                   kT0 + 3 * kMinute);
  ASSERT_OK(live);
  EXPECT_EQ(live->token_hash, "code-mid");
  live = store().GetLiveEmailToken(app.id, "ann@example.com", EmailTokenPurpose::kEmailCode,
                                   kT0 + 10 * kMinute + 1);
  ASSERT_OK(live);
  EXPECT_EQ(live->token_hash, "code-mid");
  EXPECT_CODE(store().GetLiveEmailToken(app.id, "ann@example.com", EmailTokenPurpose::kEmailCode,
                                        kT0 + 11 * kMinute),
              StatusCode::kNotFound);
  EXPECT_CODE(
      store().GetLiveEmailToken(app.id, "bob@example.com", EmailTokenPurpose::kEmailCode, kT0),
      StatusCode::kNotFound);
  EXPECT_CODE(
      store().GetLiveEmailToken(app.id, "ann@example.com", EmailTokenPurpose::kMagicLink, kT0),
      StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, AddEmailTokenAttemptCounts) {
  App app = AddApp("default");
  EmailToken code =
      MakeEmailToken(app, "code-1", EmailTokenPurpose::kEmailCode, kT0, kT0 + 10 * kMinute);
  code.salt = "salt-1";
  ASSERT_OK(store().CreateEmailToken(code));
  for (int64_t want = 1; want <= 3; ++want) {
    auto n = store().AddEmailTokenAttempt("code-1");
    ASSERT_OK(n);
    EXPECT_EQ(*n, want);
  }
  auto live = store().GetLiveEmailToken(app.id, code.email, EmailTokenPurpose::kEmailCode, kT0);
  ASSERT_OK(live);
  EXPECT_EQ(live->attempts, 3);
  EXPECT_EQ(live->salt, "salt-1");
  EXPECT_CODE(store().AddEmailTokenAttempt("code-unknown"), StatusCode::kNotFound);

  // Concurrent wrong guesses are all counted.
  constexpr int kThreads = 8;
  auto results =
      ConcurrentResults(kThreads, [&](int) { return store().AddEmailTokenAttempt("code-1"); });
  std::vector<int64_t> counts;
  for (auto& r : results) {
    ASSERT_TRUE(r.has_value() && r->ok());
    counts.push_back(**r);
  }
  std::sort(counts.begin(), counts.end());
  EXPECT_THAT(counts, ElementsAre(4, 5, 6, 7, 8, 9, 10, 11));
}

// A one-time code whose guesses are spent cannot be consumed, even by the right code, and
// GetEmailToken reads a token in any state without consuming it.
TEST_P(StoreConformanceTest, SpentCodeIsNotConsumedAndPeekDoesNotConsume) {
  App app = AddApp("default");
  EmailToken code =
      MakeEmailToken(app, "code-2", EmailTokenPurpose::kEmailCode, kT0, kT0 + 10 * kMinute);
  ASSERT_OK(store().CreateEmailToken(code));
  for (int i = 0; i < 3; ++i) ASSERT_OK(store().AddEmailTokenAttempt("code-2"));
  auto spent = store().ConsumeEmailToken(app.id, "code-2", EmailTokenPurpose::kEmailCode, kT0, 3);
  ASSERT_OK(spent);
  EXPECT_EQ(spent->outcome, EmailTokenOutcome::kUsed);
  // A larger budget still has room: consumed.
  auto ok = store().ConsumeEmailToken(app.id, "code-2", EmailTokenPurpose::kEmailCode, kT0, 4);
  ASSERT_OK(ok);
  EXPECT_EQ(ok->outcome, EmailTokenOutcome::kConsumed);

  EmailToken link =
      MakeEmailToken(app, "link-9", EmailTokenPurpose::kPasswordReset, kT0, kT0 + 30 * kMinute);
  ASSERT_OK(store().CreateEmailToken(link));
  auto peek = store().GetEmailToken(app.id, "link-9", EmailTokenPurpose::kPasswordReset);
  ASSERT_OK(peek);
  EXPECT_FALSE(peek->used_at);
  EXPECT_EQ(peek->email, link.email);
  EXPECT_CODE(store().GetEmailToken(app.id, "link-9", EmailTokenPurpose::kMagicLink),
              StatusCode::kNotFound);
  auto consumed =
      store().ConsumeEmailToken(app.id, "link-9", EmailTokenPurpose::kPasswordReset, kT0);
  ASSERT_OK(consumed);
  EXPECT_EQ(consumed->outcome, EmailTokenOutcome::kConsumed);
}

TEST_P(StoreConformanceTest, ConcurrentEmailTokenConsumesHaveExactlyOneWinner) {
  App app = AddApp("default");
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    const std::string hash = "tok-" + std::to_string(round);
    ASSERT_OK(store().CreateEmailToken(
        MakeEmailToken(app, hash, EmailTokenPurpose::kPasswordReset, kT0, kT0 + 30 * kMinute)));
    auto results = ConcurrentResults(kThreads, [&](int i) {
      return store().ConsumeEmailToken(app.id, hash, EmailTokenPurpose::kPasswordReset,
                                       kT0 + 1 + i);
    });
    int consumed = 0, used = 0, winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      ASSERT_TRUE(results[i].has_value());
      ASSERT_TRUE(results[i]->ok()) << "thread " << i << ": " << results[i]->status().ToString();
      const auto& r = **results[i];
      ASSERT_TRUE(r.token.has_value());
      if (r.outcome == EmailTokenOutcome::kConsumed) {
        ++consumed;
        winner = i;
      } else if (r.outcome == EmailTokenOutcome::kUsed) {
        ++used;
      }
    }
    EXPECT_EQ(consumed, 1) << "round " << round;
    EXPECT_EQ(used, kThreads - 1) << "round " << round;
    ASSERT_GE(winner, 0);
    for (int i = 0; i < kThreads; ++i) {
      EXPECT_EQ((*results[i])->token->used_at, kT0 + 1 + winner) << "round " << round;
    }
  }
}

TEST_P(StoreConformanceTest, DeletingAUserOrAppTakesItsTokensAndMail) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  EmailToken t = MakeEmailToken(app, "tok-user", EmailTokenPurpose::kVerifyEmail, kT0, kT0 + kHour);
  t.user_id = u.id;
  ASSERT_OK(store().CreateEmailToken(t));
  ASSERT_OK(store().EnqueueMail(MakeMail(app, "hello", kT0, kT0)));
  ASSERT_OK(ExecSql("DELETE FROM users WHERE id = $1", {u.id}));
  EXPECT_OUTCOME(
      store().ConsumeEmailToken(app.id, "tok-user", EmailTokenPurpose::kVerifyEmail, kT0),
      EmailTokenOutcome::kInvalid);
  ASSERT_OK(ExecSql("DELETE FROM apps WHERE id = $1", {app.id}));
  auto count = store().CountUnsentMail();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 0);
}

// An email change voids what was sent to the old address: every unused token of the user, of
// any purpose; other users', other apps' and user-less tokens stay; spent ones keep their time.
TEST_P(StoreConformanceTest, VoidUserEmailTokensVoidsOnlyThatUsersLiveTokens) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  User ann_elsewhere = AddUser(other, "ann@example.com");
  auto token = [&](const App& a, const User* u, const std::string& hash, EmailTokenPurpose p) {
    EmailToken t = MakeEmailToken(a, hash, p, kT0, kT0 + kHour);
    t.email = u ? u->email_normalized : "new@example.com";
    if (u) t.user_id = u->id;
    EXPECT_OK(store().CreateEmailToken(t));
  };
  token(app, &ann, "ann-reset", EmailTokenPurpose::kPasswordReset);
  token(app, &ann, "ann-verify", EmailTokenPurpose::kVerifyEmail);
  token(app, &ann, "ann-magic", EmailTokenPurpose::kMagicLink);
  token(app, &ann, "ann-spent", EmailTokenPurpose::kChangeEmail);
  EXPECT_OUTCOME(
      store().ConsumeEmailToken(app.id, "ann-spent", EmailTokenPurpose::kChangeEmail, kT0 + 1),
      EmailTokenOutcome::kConsumed);
  token(app, &bob, "bob-reset", EmailTokenPurpose::kPasswordReset);
  token(app, nullptr, "nobody-magic", EmailTokenPurpose::kMagicLink);
  token(other, &ann_elsewhere, "other-reset", EmailTokenPurpose::kPasswordReset);

  auto voided = store().VoidUserEmailTokens(app.id, ann.id, kT0 + 2);
  ASSERT_OK(voided);
  EXPECT_EQ(*voided, 3);
  for (auto [hash, purpose] : {std::pair{"ann-reset", EmailTokenPurpose::kPasswordReset},
                               {"ann-verify", EmailTokenPurpose::kVerifyEmail},
                               {"ann-magic", EmailTokenPurpose::kMagicLink}}) {
    auto r = store().ConsumeEmailToken(app.id, hash, purpose, kT0 + 3);
    EXPECT_OUTCOME(r, EmailTokenOutcome::kUsed);
    EXPECT_EQ(r->token->used_at, kT0 + 2) << hash;
  }
  auto spent = store().GetEmailToken(app.id, "ann-spent", EmailTokenPurpose::kChangeEmail);
  ASSERT_OK(spent);
  EXPECT_EQ(spent->used_at, kT0 + 1);
  EXPECT_OUTCOME(
      store().ConsumeEmailToken(app.id, "bob-reset", EmailTokenPurpose::kPasswordReset, kT0 + 3),
      EmailTokenOutcome::kConsumed);
  EXPECT_OUTCOME(
      store().ConsumeEmailToken(app.id, "nobody-magic", EmailTokenPurpose::kMagicLink, kT0 + 3),
      EmailTokenOutcome::kConsumed);
  EXPECT_OUTCOME(store().ConsumeEmailToken(other.id, "other-reset",
                                           EmailTokenPurpose::kPasswordReset, kT0 + 3),
                 EmailTokenOutcome::kConsumed);
  // Nothing left to void: 0, not an error.
  auto again = store().VoidUserEmailTokens(app.id, ann.id, kT0 + 4);
  ASSERT_OK(again);
  EXPECT_EQ(*again, 0);
}

}  // namespace
}  // namespace tessera::store::test
