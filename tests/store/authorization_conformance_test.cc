// AuthorizationStore conformance: one-time authorization codes and remembered consents.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

void ExpectSameCode(const AuthorizationCode& got, const AuthorizationCode& want) {
  using C = AuthorizationCode;
  ExpectSameFields(got, want, FIELD(C, code_hash), FIELD(C, app_id), FIELD(C, client_id),
                   FIELD(C, user_id), FIELD(C, redirect_uri), FIELD(C, scope), FIELD(C, nonce),
                   FIELD(C, code_challenge), FIELD(C, session_id), FIELD(C, browser_session_id),
                   FIELD(C, auth_time), FIELD(C, created_at), FIELD(C, expires_at),
                   FIELD(C, used_at), FIELD(C, amr), FIELD(C, idp), FIELD(C, dpop_jkt));
}

void ExpectSameConsent(const Consent& got, const Consent& want) {
  using C = Consent;
  ExpectSameFields(got, want, FIELD(C, app_id), FIELD(C, user_id), FIELD(C, client_id),
                   FIELD(C, scopes), FIELD(C, created_at), FIELD(C, updated_at));
}

// ---------------------------------------------------------------------------------------
// Authorization codes

TEST_P(StoreConformanceTest, RedeemAuthorizationCodeOnce) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  AuthorizationCode code = MakeCode(u, "code-1", kT0, kT0 + kMinute);
  code.dpop_jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";  // the key the request named
  ASSERT_OK(store().CreateAuthorizationCode(code));
  EXPECT_CLASH(store().CreateAuthorizationCode(MakeCode(u, "code-1", kT0, kT0 + kMinute)),
               AuthorizationCodeUniqueKey::kCodeHash);

  const UnixMillis now = kT0 + 10 * kSecond;
  auto first = store().RedeemAuthorizationCode(app.id, "code-1", now);
  EXPECT_OUTCOME(first, CodeOutcome::kConsumed);
  ASSERT_TRUE(first->code.has_value());
  AuthorizationCode want = code;
  want.used_at = now;
  ExpectSameCode(*first->code, want);

  auto replay = store().RedeemAuthorizationCode(app.id, "code-1", now + kSecond);
  EXPECT_OUTCOME(replay, CodeOutcome::kReused);
  ASSERT_TRUE(replay->code.has_value());
  ExpectSameCode(*replay->code, want);  // the first use stands
  EXPECT_EQ(replay->code->session_id, code.session_id);
  // Still a replay after it has expired.
  auto late = store().RedeemAuthorizationCode(app.id, "code-1", kT0 + kHour);
  EXPECT_OUTCOME(late, CodeOutcome::kReused);
  ASSERT_TRUE(late->code.has_value());
  EXPECT_EQ(late->code->used_at, now);

  auto unknown = store().RedeemAuthorizationCode(app.id, "no-such-code", now);
  EXPECT_OUTCOME(unknown, CodeOutcome::kInvalid);
  EXPECT_FALSE(unknown->code.has_value());
}

TEST_P(StoreConformanceTest, RedeemExpiredCodeIsInvalid) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  ASSERT_OK(store().CreateAuthorizationCode(MakeCode(u, "code-1", kT0, kT0 + kMinute)));
  auto red = store().RedeemAuthorizationCode(app.id, "code-1", kT0 + kMinute);  // at expiry
  EXPECT_OUTCOME(red, CodeOutcome::kInvalid);
  EXPECT_FALSE(red->code.has_value());
  // Not consumed either: presenting it again is still kInvalid, not kReused.
  red = store().RedeemAuthorizationCode(app.id, "code-1", kT0 + kMinute + 1);
  EXPECT_OUTCOME(red, CodeOutcome::kInvalid);
  auto rows = Query("SELECT used_at FROM authorization_codes WHERE code_hash = $1", {"code-1"});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::OptInt((*rows)[0], 0), std::nullopt);
}

TEST_P(StoreConformanceTest, RedeemThroughAnotherAppIsInvalidAndDoesNotConsume) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  ASSERT_OK(store().CreateAuthorizationCode(MakeCode(u, "code-1", kT0, kT0 + kMinute)));
  auto red = store().RedeemAuthorizationCode(other.id, "code-1", kT0 + 1);
  EXPECT_OUTCOME(red, CodeOutcome::kInvalid);
  EXPECT_FALSE(red->code.has_value());
  EXPECT_OUTCOME(store().RedeemAuthorizationCode(app.id, "code-1", kT0 + 2),
                 CodeOutcome::kConsumed);
  // Once used, a replay through the other app reveals nothing.
  red = store().RedeemAuthorizationCode(other.id, "code-1", kT0 + 3);
  EXPECT_OUTCOME(red, CodeOutcome::kInvalid);
  EXPECT_FALSE(red->code.has_value());
}

TEST_P(StoreConformanceTest, ConcurrentCodeRedemptionsHaveExactlyOneWinner) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;

  for (int round = 0; round < kRounds; ++round) {
    const std::string hash = "code-" + std::to_string(round);
    AuthorizationCode code = MakeCode(u, hash, kT0, kT0 + kMinute);
    ASSERT_OK(store().CreateAuthorizationCode(code));
    const UnixMillis now = kT0 + kSecond;
    auto results = ConcurrentResults(
        kThreads, [&](int i) { return store().RedeemAuthorizationCode(app.id, hash, now + i); });

    int consumed = 0, reused = 0, winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      ASSERT_TRUE(results[i].has_value());
      ASSERT_TRUE(results[i]->ok()) << "thread " << i << ": " << results[i]->status().ToString();
      const CodeRedemption& r = **results[i];
      ASSERT_TRUE(r.code.has_value()) << "thread " << i;
      EXPECT_EQ(r.code->session_id, code.session_id);
      if (r.outcome == CodeOutcome::kConsumed) {
        ++consumed;
        winner = i;
      } else if (r.outcome == CodeOutcome::kReused) {
        ++reused;
      }
    }
    EXPECT_EQ(consumed, 1) << "round " << round;
    EXPECT_EQ(reused, kThreads - 1) << "round " << round;
    ASSERT_GE(winner, 0);
    // Every loser saw the winner's mark.
    for (int i = 0; i < kThreads; ++i) {
      EXPECT_EQ((*results[i])->code->used_at, now + winner) << "round " << round << " thread " << i;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Consents

TEST_P(StoreConformanceTest, SaveGetAndReplaceConsent) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  EXPECT_CODE(store().GetConsent(app.id, u.id, "client-1"), StatusCode::kNotFound);

  Consent c = MakeConsent(u, "client-1", kT0);
  ASSERT_OK(store().SaveConsent(c));
  auto got = store().GetConsent(app.id, u.id, "client-1");
  ASSERT_OK(got);
  ExpectSameConsent(*got, c);
  EXPECT_CODE(store().GetConsent(other.id, u.id, "client-1"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetConsent(app.id, bob.id, "client-1"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetConsent(app.id, u.id, "client-2"), StatusCode::kNotFound);

  // Replacing keeps created_at, takes the new scopes and updated_at.
  Consent wider = c;
  wider.scopes = {"openid", "profile", "email", "offline_access"};
  wider.created_at = kT0 + kDay;
  wider.updated_at = kT0 + kDay;
  ASSERT_OK(store().SaveConsent(wider));
  got = store().GetConsent(app.id, u.id, "client-1");
  ASSERT_OK(got);
  Consent want = wider;
  want.created_at = kT0;
  ExpectSameConsent(*got, want);

  // Narrowing to nothing is stored as such.
  Consent empty = c;
  empty.scopes.clear();
  empty.updated_at = kT0 + 2 * kDay;
  ASSERT_OK(store().SaveConsent(empty));
  got = store().GetConsent(app.id, u.id, "client-1");
  ASSERT_OK(got);
  EXPECT_THAT(got->scopes, IsEmpty());
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_EQ(got->updated_at, kT0 + 2 * kDay);
}

// Issue 11, item 12 (c): the merge is the store's, in one transaction. Grants of different
// scopes at once (first grant and later ones alike) are all kept; created_at is the first's.
TEST_P(StoreConformanceTest, AddConsentScopesKeepsConcurrentGrants) {
  App app = AddApp("default");
  User u = AddUser(app, "ann@example.com");
  const std::vector<std::string> scopes = {"openid", "profile", "email", "offline_access",
                                           "phone", "address"};
  for (int round = 0; round < 5; ++round) {
    const std::string client = "client-" + std::to_string(round);
    RunConcurrently(static_cast<int>(scopes.size()), [&](int i) {
      Consent c = MakeConsent(u, client, kT0 + i);
      c.scopes = {scopes[i]};
      EXPECT_OK(store().AddConsentScopes(c));
    });
    auto got = store().GetConsent(app.id, u.id, client);
    ASSERT_OK(got);
    EXPECT_THAT(got->scopes, ::testing::UnorderedElementsAreArray(scopes)) << "round " << round;
  }

  // Adding again keeps created_at and the order of what was there, appends what is new.
  Consent first = MakeConsent(u, "client-x", kT0);
  first.scopes = {"openid", "email"};
  ASSERT_OK(store().AddConsentScopes(first));
  Consent more = MakeConsent(u, "client-x", kT0 + kDay);
  more.scopes = {"email", "profile"};
  ASSERT_OK(store().AddConsentScopes(more));
  auto got = store().GetConsent(app.id, u.id, "client-x");
  ASSERT_OK(got);
  EXPECT_THAT(got->scopes, ElementsAre("openid", "email", "profile"));
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_EQ(got->updated_at, kT0 + kDay);
}

TEST_P(StoreConformanceTest, ListAndDeleteConsents) {
  App app = AddApp("default");
  App other = AddApp("other");
  User u = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  Consent oldest = MakeConsent(u, "client-b", kT0);
  Consent middle = MakeConsent(u, "client-c", kT0 + kHour);
  Consent newest = MakeConsent(u, "client-a", kT0 + 2 * kHour);
  newest.scopes = {"openid"};
  for (const Consent& c : {middle, newest, oldest}) ASSERT_OK(store().SaveConsent(c));
  ASSERT_OK(store().SaveConsent(MakeConsent(bob, "client-a", kT0 + 3 * kHour)));

  auto list = store().ListConsents(app.id, u.id);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 3u);
  ExpectSameConsent((*list)[0], newest);
  ExpectSameConsent((*list)[1], middle);
  ExpectSameConsent((*list)[2], oldest);
  auto none = store().ListConsents(other.id, u.id);
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());

  EXPECT_CODE(store().DeleteConsent(other.id, u.id, "client-a"), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteConsent(app.id, u.id, "client-x"), StatusCode::kNotFound);
  ASSERT_OK(store().DeleteConsent(app.id, u.id, "client-a"));
  EXPECT_CODE(store().GetConsent(app.id, u.id, "client-a"), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteConsent(app.id, u.id, "client-a"), StatusCode::kNotFound);
  EXPECT_OK(store().GetConsent(app.id, bob.id, "client-a"));  // bob's stays
  list = store().ListConsents(app.id, u.id);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].client_id, "client-c");
  EXPECT_EQ((*list)[1].client_id, "client-b");
}

// ---------------------------------------------------------------------------------------
// Pushed authorization requests (RFC 9126)

TEST_P(StoreConformanceTest, PushedRequestIsFoundInItsAppAndUsedOnce) {
  App app = AddApp("default");
  App other = AddApp("other");
  PushedAuthorizationRequest r;
  r.request_uri_hash = "par-1";
  r.app_id = app.id;
  r.client_id = "client-1";
  r.params_json = R"({"client_id":"client-1","scope":"openid","state":"<\"'>"})";
  r.created_at = kT0;
  r.expires_at = kT0 + 10 * kMinute;
  ASSERT_OK(store().CreatePushedRequest(r));
  EXPECT_CLASH(store().CreatePushedRequest(r), PushedRequestUniqueKey::kRequestUriHash);
  auto got = store().GetPushedRequest(app.id, "par-1");
  ASSERT_OK(got);
  using P = PushedAuthorizationRequest;
  ExpectSameFields(*got, r, FIELD(P, request_uri_hash), FIELD(P, app_id), FIELD(P, client_id),
                   FIELD(P, params_json), FIELD(P, created_at), FIELD(P, expires_at),
                   FIELD(P, used_at));
  EXPECT_CODE(store().GetPushedRequest(other.id, "par-1"), StatusCode::kNotFound);
  EXPECT_CODE(store().GetPushedRequest(app.id, "par-2"), StatusCode::kNotFound);

  // Another app cannot use it; of concurrent uses exactly one wins; later ones find it used.
  auto foreign = store().UsePushedRequest(other.id, "par-1", kT0 + kSecond);
  ASSERT_OK(foreign);
  EXPECT_FALSE(*foreign);
  auto results = ConcurrentResults(6, [&](int) {
    auto used = store().UsePushedRequest(app.id, "par-1", kT0 + 2 * kSecond);
    return used.ok() && *used;
  });
  int winners = 0;
  for (const auto& won : results) winners += won.value_or(false) ? 1 : 0;
  EXPECT_EQ(winners, 1);
  got = store().GetPushedRequest(app.id, "par-1");
  ASSERT_OK(got);
  EXPECT_EQ(got->used_at, kT0 + 2 * kSecond);
  auto again = store().UsePushedRequest(app.id, "par-1", kT0 + 3 * kSecond);
  ASSERT_OK(again);
  EXPECT_FALSE(*again);

  // Collected a day past expiry, not before.
  ExpectCollected(r.expires_at + kDay - 1, {});
  ExpectCollected(r.expires_at + kDay + 1, {.pushed_requests = 1});
  EXPECT_CODE(store().GetPushedRequest(app.id, "par-1"), StatusCode::kNotFound);
}

}  // namespace
}  // namespace tessera::store::test
