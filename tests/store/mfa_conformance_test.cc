// MfaStore conformance: a user's second factors (authenticator apps, passkeys), their
// recovery codes, and the single-use challenges of a sign-in that waits for a second factor.
// The compare-and-sets (AdvanceFactorCounter, UseRecoveryCode, ConsumeMfaChallenge) are
// raced from several threads: exactly one wins.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

// ---------------------------------------------------------------------------------------
// Records: every field set, and none to its default, so a column that is not written or not
// read shows

// A confirmed passkey (kind kWebAuthn, credential id and public key set) or, for kTotp, an
// authenticator app: a sealed secret, no credential id, not confirmed yet.
Factor MakeFactor(const User& user, FactorKind kind, const std::string& name, UnixMillis at) {
  Factor f;
  f.id = NewId();
  f.app_id = user.app_id;
  f.user_id = user.id;
  f.kind = kind;
  f.name = name;
  if (kind == FactorKind::kTotp) {
    f.secret_sealed = "c2VhbGVkIHRvdHAgc2VjcmV0" + f.id;
    f.counter = 58'333'333;  // a time step
  } else {
    f.credential_id = "Y3JlZC0" + f.id;
    f.public_key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" + f.id;
    f.counter = 17;
    f.confirmed_at = at + 1;
    f.last_used_at = at + 2;
  }
  f.created_at = at;
  return f;
}

RecoveryCode MakeRecoveryCode(const User& user, const std::string& hash, UnixMillis at) {
  RecoveryCode c;
  c.id = NewId();
  c.app_id = user.app_id;
  c.user_id = user.id;
  c.code_hash = hash;
  c.created_at = at;
  return c;
}

std::vector<RecoveryCode> MakeRecoveryCodes(const User& user, const std::string& prefix, int n,
                                            UnixMillis at) {
  std::vector<RecoveryCode> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(MakeRecoveryCode(user, prefix + std::to_string(i), at));
  }
  return out;
}

MfaChallenge MakeChallenge(const User& user, const std::string& hash, MfaChallengeKind kind,
                           UnixMillis created_at, UnixMillis expires_at) {
  MfaChallenge c;
  c.hash = hash;
  c.app_id = user.app_id;
  c.user_id = user.id;
  c.kind = kind;
  c.payload_json = R"({"amr":["pwd"],"idp":"","return_to":"/account?h=)" + hash +
                   R"(","enrol":false,"name":"Zoë 😀"})";
  c.created_at = created_at;
  c.expires_at = expires_at;
  return c;
}

void ExpectSameFactor(const Factor& got, const Factor& want) {
  using F = Factor;
  ExpectSameFields(got, want, FIELD(F, id), FIELD(F, app_id), FIELD(F, user_id), FIELD(F, kind),
                   FIELD(F, name), FIELD(F, secret_sealed), FIELD(F, credential_id),
                   FIELD(F, public_key), FIELD(F, counter), FIELD(F, created_at),
                   FIELD(F, confirmed_at), FIELD(F, last_used_at));
}

void ExpectSameChallenge(const MfaChallenge& got, const MfaChallenge& want) {
  using C = MfaChallenge;
  ExpectSameFields(got, want, FIELD(C, hash), FIELD(C, app_id), FIELD(C, user_id), FIELD(C, kind),
                   FIELD(C, payload_json), FIELD(C, created_at), FIELD(C, expires_at),
                   FIELD(C, used_at));
}

// The ids of ListFactors (a failure fails the test).
std::vector<std::string> FactorIds(const Result<std::vector<Factor>>& factors) {
  EXPECT_OK(factors);
  return factors.ok() ? Ids(*factors) : std::vector<std::string>{};
}

// CountRecoveryCodes (-1 and a failure when it fails).
int64_t UnusedCodes(Store& store, const std::string& app_id, const std::string& user_id) {
  auto n = store.CountRecoveryCodes(app_id, user_id);
  EXPECT_OK(n);
  return n.ok() ? *n : -1;
}

// The one thread whose call succeeded, every other refused with `losers` (-1, and a test
// failure, unless exactly one won).
template <typename Results>
int OnlyWinner(const Results& results, StatusCode losers) {
  int winners = 0, winner = -1;
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_TRUE(results[i].has_value());
    if (!results[i].has_value()) continue;
    if (results[i]->ok()) {
      ++winners;
      winner = static_cast<int>(i);
    } else {
      SCOPED_TRACE("thread " + std::to_string(i));
      EXPECT_CODE(*results[i], losers);
    }
  }
  EXPECT_EQ(winners, 1);
  return winners == 1 ? winner : -1;
}

// ---------------------------------------------------------------------------------------
// Factors

TEST_P(StoreConformanceTest, FactorRoundTripListGetAndFind) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  // Created newest first, listed oldest first.
  Factor key = MakeFactor(ann, FactorKind::kWebAuthn, "MacBook “passkey” 🔑", kT0 + 2 * kMinute);
  Factor phone = MakeFactor(ann, FactorKind::kTotp, "Phone", kT0 + kMinute);
  Factor tablet = MakeFactor(ann, FactorKind::kTotp, "Tablet", kT0);
  // Beyond what a double holds exactly, and a sign count past 32 bits.
  tablet.counter = kPastDoubles;
  tablet.confirmed_at = kAfter2038;
  tablet.last_used_at = kYear9999;
  for (const auto* f : {&key, &phone, &tablet}) ASSERT_OK(store().CreateFactor(*f));

  for (const auto* f : {&key, &phone, &tablet}) {
    SCOPED_TRACE(f->name);
    auto got = store().GetFactor(app.id, ann.id, f->id);
    ASSERT_OK(got);
    ExpectSameFactor(*got, *f);
  }
  auto all = store().ListFactors(app.id, ann.id);
  ASSERT_OK(all);
  EXPECT_THAT(Ids(*all), ElementsAre(tablet.id, phone.id, key.id));
  ASSERT_EQ(all->size(), 3u);
  ExpectSameFactor((*all)[0], tablet);
  ExpectSameFactor((*all)[2], key);
  EXPECT_THAT(FactorIds(store().ListFactors(app.id, NewId())), IsEmpty());

  auto found = store().FindFactorByCredentialId(app.id, key.credential_id);
  ASSERT_OK(found);
  ExpectSameFactor(*found, key);
  // The credential id is exact; a TOTP factor has none, so "" finds nothing.
  EXPECT_CODE(store().FindFactorByCredentialId(app.id, Lower(key.credential_id)),
              StatusCode::kNotFound);
  EXPECT_CODE(store().FindFactorByCredentialId(app.id, "Y3JlZC0"), StatusCode::kNotFound);
  EXPECT_CODE(store().FindFactorByCredentialId(app.id, ""), StatusCode::kNotFound);
  EXPECT_CODE(store().GetFactor(app.id, ann.id, NewId()), StatusCode::kNotFound);

  // An authenticator app's missing credential id is stored as NULL (so that any number of
  // them fit the server-wide unique index).
  EXPECT_THAT(QueryTexts("SELECT COUNT(*) FROM mfa_factors WHERE credential_id IS NULL"),
              ElementsAre("2"));
}

TEST_P(StoreConformanceTest, FactorUniqueKeys) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  User stranger = AddUser(other, "ann@example.com");
  Factor key = MakeFactor(ann, FactorKind::kWebAuthn, "Key", kT0);
  ASSERT_OK(store().CreateFactor(key));

  Factor same_id = MakeFactor(bob, FactorKind::kTotp, "Phone", kT0 + 1);
  same_id.id = key.id;
  EXPECT_CLASH(store().CreateFactor(same_id), FactorUniqueKey::kId);
  // A credential is one factor on the whole server: not Bob's too, nor another app's user's,
  // nor Ann's a second time.
  for (const User* u : {&bob, &stranger, &ann}) {
    SCOPED_TRACE(u->email + " of " + u->app_id);
    Factor copy = MakeFactor(*u, FactorKind::kWebAuthn, "Copy", kT0 + 1);
    copy.credential_id = key.credential_id;
    EXPECT_CLASH(store().CreateFactor(copy), FactorUniqueKey::kCredentialId);
  }
  // Any number of authenticator apps (no credential id), on any account.
  for (const User* u : {&ann, &ann, &bob, &stranger}) {
    EXPECT_OK(store().CreateFactor(MakeFactor(*u, FactorKind::kTotp, "Phone", kT0 + 2)));
  }
  EXPECT_THAT(QueryTexts("SELECT COUNT(*) FROM mfa_factors"), ElementsAre("5"));
  auto still = store().FindFactorByCredentialId(app.id, key.credential_id);
  ASSERT_OK(still);
  ExpectSameFactor(*still, key);
}

TEST_P(StoreConformanceTest, CreateFactorNeedsAUserOfTheApp) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "ann@example.com");
  User stranger = AddUser(other, "ann@example.com");

  Factor foreign_user = MakeFactor(stranger, FactorKind::kTotp, "Phone", kT0);
  foreign_user.app_id = app.id;
  EXPECT_CODE(store().CreateFactor(foreign_user), StatusCode::kNotFound);
  Factor foreign_app = MakeFactor(ann, FactorKind::kWebAuthn, "Key", kT0);
  foreign_app.app_id = other.id;
  EXPECT_CODE(store().CreateFactor(foreign_app), StatusCode::kNotFound);
  Factor unknown_user = MakeFactor(ann, FactorKind::kTotp, "Phone", kT0);
  unknown_user.user_id = NewId();
  EXPECT_CODE(store().CreateFactor(unknown_user), StatusCode::kNotFound);
  EXPECT_THAT(QueryTexts("SELECT COUNT(*) FROM mfa_factors"), ElementsAre("0"));
}

TEST_P(StoreConformanceTest, FactorOfAnotherAppOrUserIsNotFound) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  Factor key = MakeFactor(ann, FactorKind::kWebAuthn, "Key", kT0);
  Factor phone = MakeFactor(ann, FactorKind::kTotp, "Phone", kT0 + 1);
  ASSERT_OK(store().CreateFactor(key));
  ASSERT_OK(store().CreateFactor(phone));
  const auto codes = MakeRecoveryCodes(ann, "rc-ann-", 3, kT0);
  ASSERT_OK(store().ReplaceRecoveryCodes(app.id, ann.id, codes));

  const UnixMillis later = kT0 + kDay;
  // Another app's id: every call.
  EXPECT_CODE(store().GetFactor(other.id, ann.id, key.id), StatusCode::kNotFound);
  EXPECT_THAT(FactorIds(store().ListFactors(other.id, ann.id)), IsEmpty());
  EXPECT_CODE(store().FindFactorByCredentialId(other.id, key.credential_id), StatusCode::kNotFound);
  EXPECT_CODE(store().ConfirmFactor(other.id, ann.id, phone.id, 1, later), StatusCode::kNotFound);
  EXPECT_CODE(store().AdvanceFactorCounter(other.id, key.id, 1000, false, later),
              StatusCode::kNotFound);
  EXPECT_CODE(store().AdvanceFactorCounter(other.id, key.id, 1000, true, later),
              StatusCode::kNotFound);
  EXPECT_CODE(store().RenameFactor(other.id, ann.id, key.id, "Hijacked"), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteFactor(other.id, ann.id, key.id), StatusCode::kNotFound);
  auto none = store().DeleteAllFactors(other.id, ann.id);
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);
  EXPECT_CODE(store().UseRecoveryCode(other.id, ann.id, "rc-ann-0", later), StatusCode::kNotFound);
  EXPECT_EQ(UnusedCodes(store(), other.id, ann.id), 0);
  EXPECT_CODE(store().ReplaceRecoveryCodes(other.id, ann.id, {}), StatusCode::kNotFound);

  // Another user of the same app (a factor is found with its own user only; the counter is
  // advanced by the factor's id within the app).
  EXPECT_CODE(store().GetFactor(app.id, bob.id, key.id), StatusCode::kNotFound);
  EXPECT_THAT(FactorIds(store().ListFactors(app.id, bob.id)), IsEmpty());
  EXPECT_CODE(store().ConfirmFactor(app.id, bob.id, phone.id, 1, later), StatusCode::kNotFound);
  EXPECT_CODE(store().RenameFactor(app.id, bob.id, key.id, "Hijacked"), StatusCode::kNotFound);
  EXPECT_CODE(store().DeleteFactor(app.id, bob.id, key.id), StatusCode::kNotFound);
  none = store().DeleteAllFactors(app.id, bob.id);
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);
  EXPECT_CODE(store().UseRecoveryCode(app.id, bob.id, "rc-ann-0", later), StatusCode::kNotFound);
  EXPECT_EQ(UnusedCodes(store(), app.id, bob.id), 0);

  // Nothing of Ann's moved.
  auto anns = store().ListFactors(app.id, ann.id);
  ASSERT_OK(anns);
  ASSERT_EQ(anns->size(), 2u);
  ExpectSameFactor((*anns)[0], key);
  ExpectSameFactor((*anns)[1], phone);
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 3);
}

TEST_P(StoreConformanceTest, RenameAndDeleteFactor) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  Factor key = MakeFactor(ann, FactorKind::kWebAuthn, "Key", kT0);
  Factor phone = MakeFactor(ann, FactorKind::kTotp, "Phone", kT0 + 1);
  ASSERT_OK(store().CreateFactor(key));
  ASSERT_OK(store().CreateFactor(phone));

  ASSERT_OK(store().RenameFactor(app.id, ann.id, key.id, "YubiKey 5C “blue”"));
  Factor renamed = key;
  renamed.name = "YubiKey 5C “blue”";
  auto got = store().GetFactor(app.id, ann.id, key.id);
  ASSERT_OK(got);
  ExpectSameFactor(*got, renamed);
  EXPECT_CODE(store().RenameFactor(app.id, ann.id, NewId(), "x"), StatusCode::kNotFound);

  ASSERT_OK(store().DeleteFactor(app.id, ann.id, key.id));
  EXPECT_CODE(store().DeleteFactor(app.id, ann.id, key.id), StatusCode::kNotFound);
  EXPECT_CODE(store().GetFactor(app.id, ann.id, key.id), StatusCode::kNotFound);
  EXPECT_CODE(store().FindFactorByCredentialId(app.id, key.credential_id), StatusCode::kNotFound);
  EXPECT_THAT(FactorIds(store().ListFactors(app.id, ann.id)), ElementsAre(phone.id));
  // The credential may be registered again.
  Factor again = MakeFactor(ann, FactorKind::kWebAuthn, "Key", kT0 + kDay);
  again.credential_id = key.credential_id;
  EXPECT_OK(store().CreateFactor(again));
}

TEST_P(StoreConformanceTest, FactorIsConfirmedOnce) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  Factor phone = MakeFactor(ann, FactorKind::kTotp, "Phone", kT0);
  ASSERT_OK(store().CreateFactor(phone));
  // Not confirmed, it does not count: its counter does not move.
  EXPECT_CODE(store().AdvanceFactorCounter(app.id, phone.id, phone.counter + 1, false, kT0 + 1),
              StatusCode::kNotFound);

  const UnixMillis now = kT0 + kMinute;
  ASSERT_OK(store().ConfirmFactor(app.id, ann.id, phone.id, 58'400'000, now));
  Factor confirmed = phone;
  confirmed.counter = 58'400'000;
  confirmed.confirmed_at = now;
  confirmed.last_used_at = now;
  auto got = store().GetFactor(app.id, ann.id, phone.id);
  ASSERT_OK(got);
  ExpectSameFactor(*got, confirmed);

  // Once: a second confirmation (even with a later step) finds no unconfirmed factor and
  // changes nothing.
  EXPECT_CODE(store().ConfirmFactor(app.id, ann.id, phone.id, 58'500'000, now + kMinute),
              StatusCode::kNotFound);
  EXPECT_CODE(store().ConfirmFactor(app.id, ann.id, NewId(), 1, now), StatusCode::kNotFound);
  got = store().GetFactor(app.id, ann.id, phone.id);
  ASSERT_OK(got);
  ExpectSameFactor(*got, confirmed);
}

TEST_P(StoreConformanceTest, AdvanceFactorCounterIsACompareAndSet) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  Factor phone = MakeFactor(ann, FactorKind::kTotp, "Phone", kT0);
  ASSERT_OK(store().CreateFactor(phone));
  const UnixMillis confirmed_at = kT0 + kMinute;
  ASSERT_OK(store().ConfirmFactor(app.id, ann.id, phone.id, 100, confirmed_at));
  Factor want = phone;
  want.counter = 100;
  want.confirmed_at = want.last_used_at = confirmed_at;

  // Neither a lower nor the same step: refused, and nothing moves.
  const UnixMillis now = kT0 + kHour;
  for (int64_t step : {int64_t{0}, int64_t{99}, int64_t{100}}) {
    SCOPED_TRACE(step);
    EXPECT_CODE(store().AdvanceFactorCounter(app.id, phone.id, step, false, now),
                StatusCode::kFailedPrecondition);
  }
  EXPECT_CODE(store().AdvanceFactorCounter(app.id, phone.id, 99, true, now),
              StatusCode::kFailedPrecondition);
  auto got = store().GetFactor(app.id, ann.id, phone.id);
  ASSERT_OK(got);
  ExpectSameFactor(*got, want);

  // A higher one passes, once.
  ASSERT_OK(store().AdvanceFactorCounter(app.id, phone.id, 101, false, now));
  want.counter = 101;
  want.last_used_at = now;
  got = store().GetFactor(app.id, ann.id, phone.id);
  ASSERT_OK(got);
  ExpectSameFactor(*got, want);
  EXPECT_CODE(store().AdvanceFactorCounter(app.id, phone.id, 101, false, now + 1),
              StatusCode::kFailedPrecondition);
  // allow_equal: the same counter passes too (and records the use); a lower still does not.
  ASSERT_OK(store().AdvanceFactorCounter(app.id, phone.id, 101, true, now + 2));
  want.last_used_at = now + 2;
  EXPECT_CODE(store().AdvanceFactorCounter(app.id, phone.id, 100, true, now + 3),
              StatusCode::kFailedPrecondition);
  // Far ahead, past what a double holds exactly.
  ASSERT_OK(store().AdvanceFactorCounter(app.id, phone.id, kPastDoubles, false, now + 4));
  want.counter = kPastDoubles;
  want.last_used_at = now + 4;
  EXPECT_CODE(store().AdvanceFactorCounter(app.id, phone.id, kPastDoubles - 1, false, now + 5),
              StatusCode::kFailedPrecondition);
  got = store().GetFactor(app.id, ann.id, phone.id);
  ASSERT_OK(got);
  ExpectSameFactor(*got, want);

  // No such factor: kNotFound, whatever the counter.
  EXPECT_CODE(store().AdvanceFactorCounter(app.id, NewId(), 1, false, now), StatusCode::kNotFound);
  EXPECT_CODE(store().AdvanceFactorCounter(app.id, NewId(), 1, true, now), StatusCode::kNotFound);

  // A passkey whose authenticator keeps no count: 0 then 0 passes only with allow_equal.
  Factor key = MakeFactor(ann, FactorKind::kWebAuthn, "Key", kT0);
  key.counter = 0;
  ASSERT_OK(store().CreateFactor(key));
  EXPECT_CODE(store().AdvanceFactorCounter(app.id, key.id, 0, false, now),
              StatusCode::kFailedPrecondition);
  ASSERT_OK(store().AdvanceFactorCounter(app.id, key.id, 0, true, now));
  ASSERT_OK(store().AdvanceFactorCounter(app.id, key.id, 0, true, now + 1));
  auto key_now = store().GetFactor(app.id, ann.id, key.id);
  ASSERT_OK(key_now);
  EXPECT_EQ(key_now->counter, 0);
  EXPECT_EQ(key_now->last_used_at, now + 1);
}

TEST_P(StoreConformanceTest, ConcurrentUsesOfOneTimeStepHaveExactlyOneWinner) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  Factor phone = MakeFactor(ann, FactorKind::kTotp, "Phone", kT0);
  ASSERT_OK(store().CreateFactor(phone));
  ASSERT_OK(store().ConfirmFactor(app.id, ann.id, phone.id, 1000, kT0));
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;

  for (int round = 0; round < kRounds; ++round) {
    const int64_t step = 1001 + round;
    const UnixMillis now = kT0 + (round + 1) * kMinute;
    auto results = ConcurrentResults(kThreads, [&](int i) {
      return store().AdvanceFactorCounter(app.id, phone.id, step, false, now + i);
    });

    SCOPED_TRACE("round " + std::to_string(round));
    const int winner = OnlyWinner(results, StatusCode::kFailedPrecondition);
    ASSERT_GE(winner, 0);
    auto got = store().GetFactor(app.id, ann.id, phone.id);
    ASSERT_OK(got);
    EXPECT_EQ(got->counter, step);
    EXPECT_EQ(got->last_used_at, now + winner) << "the winner's use stays";
  }
}

TEST_P(StoreConformanceTest, DeleteAllFactorsTakesFactorsAndCodesOfTheUser) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  Factor key = MakeFactor(ann, FactorKind::kWebAuthn, "Key", kT0);
  Factor phone = MakeFactor(ann, FactorKind::kTotp, "Phone", kT0 + 1);
  Factor pending = MakeFactor(ann, FactorKind::kTotp, "Tablet", kT0 + 2);  // not confirmed
  Factor bobs = MakeFactor(bob, FactorKind::kWebAuthn, "Key", kT0);
  for (const auto* f : {&key, &phone, &pending, &bobs}) ASSERT_OK(store().CreateFactor(*f));
  ASSERT_OK(store().ConfirmFactor(app.id, ann.id, phone.id, 5, kT0 + kMinute));
  ASSERT_OK(
      store().ReplaceRecoveryCodes(app.id, ann.id, MakeRecoveryCodes(ann, "rc-ann-", 10, kT0)));
  ASSERT_OK(
      store().ReplaceRecoveryCodes(app.id, bob.id, MakeRecoveryCodes(bob, "rc-bob-", 10, kT0)));
  ASSERT_OK(store().UseRecoveryCode(app.id, ann.id, "rc-ann-3", kT0 + kHour));
  ASSERT_OK(store().CreateMfaChallenge(
      MakeChallenge(ann, "ch-ann", MfaChallengeKind::kSignIn, kT0, kT0 + kDay)));

  auto removed = store().DeleteAllFactors(app.id, ann.id);
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 3) << "the factors, confirmed or not";
  EXPECT_THAT(FactorIds(store().ListFactors(app.id, ann.id)), IsEmpty());
  EXPECT_CODE(store().FindFactorByCredentialId(app.id, key.credential_id), StatusCode::kNotFound);
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 0);
  auto ann_codes = Query("SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1", {ann.id});
  ASSERT_OK(ann_codes);
  EXPECT_EQ(sql::Int((*ann_codes)[0], 0), 0) << "the used code too";
  EXPECT_CODE(store().UseRecoveryCode(app.id, ann.id, "rc-ann-0", kT0 + kHour),
              StatusCode::kNotFound);
  // The sign-in under way is not a factor: it stays (it fails for want of one).
  EXPECT_OK(store().GetLiveMfaChallenge(app.id, "ch-ann", MfaChallengeKind::kSignIn, kT0));

  // Bob keeps his.
  EXPECT_THAT(FactorIds(store().ListFactors(app.id, bob.id)), ElementsAre(bobs.id));
  EXPECT_EQ(UnusedCodes(store(), app.id, bob.id), 10);

  // Nothing left: 0, not an error; likewise for a user unknown.
  removed = store().DeleteAllFactors(app.id, ann.id);
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 0);
  removed = store().DeleteAllFactors(app.id, NewId());
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 0);
  // Codes without factors go too (a reset leaves nothing to recover with).
  ASSERT_OK(
      store().ReplaceRecoveryCodes(app.id, ann.id, MakeRecoveryCodes(ann, "rc-new-", 2, kT0)));
  removed = store().DeleteAllFactors(app.id, ann.id);
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 0);
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 0);
}

// ---------------------------------------------------------------------------------------
// Recovery codes

TEST_P(StoreConformanceTest, RecoveryCodesAreReplacedAsASetAndUsedOnce) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 0);
  const std::vector<RecoveryCode> first = MakeRecoveryCodes(ann, "rc-1-", 3, kT0);
  ASSERT_OK(store().ReplaceRecoveryCodes(app.id, ann.id, first));
  ASSERT_OK(
      store().ReplaceRecoveryCodes(app.id, bob.id, MakeRecoveryCodes(bob, "rc-bob-", 2, kT0)));
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 3);

  // Every field as written.
  auto rows = Query(
      "SELECT id, app_id, user_id, code_hash, created_at, used_at FROM mfa_recovery_codes"
      " WHERE user_id = $1 ORDER BY code_hash",
      {ann.id});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    SCOPED_TRACE(first[i].code_hash);
    const auto& r = (*rows)[i];
    EXPECT_EQ(sql::Text(r, 0), first[i].id);
    EXPECT_EQ(sql::Text(r, 1), app.id);
    EXPECT_EQ(sql::Text(r, 2), ann.id);
    EXPECT_EQ(sql::Text(r, 3), first[i].code_hash);
    EXPECT_EQ(sql::Int(r, 4), kT0);
    EXPECT_FALSE(sql::OptInt(r, 5).has_value()) << "unused";
  }

  // Once each: the second use, an unknown hash, another user's code are kNotFound.
  const UnixMillis now = kT0 + kDay;
  ASSERT_OK(store().UseRecoveryCode(app.id, ann.id, "rc-1-1", now));
  EXPECT_CODE(store().UseRecoveryCode(app.id, ann.id, "rc-1-1", now + 1), StatusCode::kNotFound);
  EXPECT_CODE(store().UseRecoveryCode(app.id, ann.id, "rc-unknown", now), StatusCode::kNotFound);
  EXPECT_CODE(store().UseRecoveryCode(app.id, ann.id, "RC-1-2", now), StatusCode::kNotFound);
  EXPECT_CODE(store().UseRecoveryCode(app.id, ann.id, "rc-bob-0", now), StatusCode::kNotFound);
  EXPECT_CODE(store().UseRecoveryCode(app.id, bob.id, "rc-1-2", now), StatusCode::kNotFound);
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 2);
  EXPECT_EQ(UnusedCodes(store(), app.id, bob.id), 2);
  EXPECT_THAT(QueryTexts("SELECT used_at FROM mfa_recovery_codes WHERE code_hash = 'rc-1-1'"),
              ElementsAre(std::to_string(now)))
      << "the second use did not move the mark";

  // Regenerating voids the whole old set, used and unused.
  ASSERT_OK(store().ReplaceRecoveryCodes(app.id, ann.id, MakeRecoveryCodes(ann, "rc-2-", 10, now)));
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 10);
  for (const auto& old : first) {
    SCOPED_TRACE(old.code_hash);
    EXPECT_CODE(store().UseRecoveryCode(app.id, ann.id, old.code_hash, now + 1),
                StatusCode::kNotFound);
  }
  EXPECT_OK(store().UseRecoveryCode(app.id, ann.id, "rc-2-9", now + 1));
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 9);
  // An old code is free to come back in a later set (its row went with its set).
  ASSERT_OK(store().ReplaceRecoveryCodes(app.id, ann.id, {MakeRecoveryCode(ann, "rc-1-1", now)}));
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 1);

  // An empty set: none left.
  ASSERT_OK(store().ReplaceRecoveryCodes(app.id, ann.id, {}));
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 0);
  EXPECT_EQ(UnusedCodes(store(), app.id, bob.id), 2) << "Bob's set is his own";
}

TEST_P(StoreConformanceTest, ReplaceRecoveryCodesIsAllOrNothing) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  User stranger = AddUser(other, "ann@example.com");
  ASSERT_OK(
      store().ReplaceRecoveryCodes(app.id, ann.id, MakeRecoveryCodes(ann, "rc-ann-", 3, kT0)));
  ASSERT_OK(
      store().ReplaceRecoveryCodes(app.id, bob.id, MakeRecoveryCodes(bob, "rc-bob-", 3, kT0)));

  // A clash halfway through rolls back the whole replacement: Ann's old set is still there.
  std::vector<RecoveryCode> clashing = MakeRecoveryCodes(ann, "rc-new-", 3, kT0 + 1);
  clashing[1].code_hash = "rc-bob-1";
  EXPECT_CLASH(store().ReplaceRecoveryCodes(app.id, ann.id, clashing),
               RecoveryCodeUniqueKey::kCodeHash);
  std::vector<RecoveryCode> same_hash_twice = MakeRecoveryCodes(ann, "rc-new-", 3, kT0 + 1);
  same_hash_twice[2].code_hash = same_hash_twice[0].code_hash;
  EXPECT_CLASH(store().ReplaceRecoveryCodes(app.id, ann.id, same_hash_twice),
               RecoveryCodeUniqueKey::kCodeHash);
  std::vector<RecoveryCode> same_id = MakeRecoveryCodes(ann, "rc-new-", 3, kT0 + 1);
  same_id[2].id = same_id[0].id;
  EXPECT_CLASH(store().ReplaceRecoveryCodes(app.id, ann.id, same_id), RecoveryCodeUniqueKey::kId);
  EXPECT_THAT(QueryTexts("SELECT code_hash FROM mfa_recovery_codes ORDER BY code_hash"),
              ElementsAre("rc-ann-0", "rc-ann-1", "rc-ann-2", "rc-bob-0", "rc-bob-1", "rc-bob-2"));

  // Codes of a user not of the app, or unknown: kNotFound, nothing changes.
  EXPECT_CODE(store().ReplaceRecoveryCodes(app.id, stranger.id, {}), StatusCode::kNotFound);
  RecoveryCode foreign = MakeRecoveryCode(stranger, "rc-foreign", kT0);
  foreign.app_id = app.id;
  EXPECT_CODE(store().ReplaceRecoveryCodes(app.id, stranger.id, {foreign}), StatusCode::kNotFound);
  const std::string unknown = NewId();
  RecoveryCode unknown_code = MakeRecoveryCode(ann, "rc-unknown", kT0);
  unknown_code.user_id = unknown;
  EXPECT_CODE(store().ReplaceRecoveryCodes(app.id, unknown, {unknown_code}), StatusCode::kNotFound);
  // A code that names another user than the call's is refused.
  EXPECT_CODE(store().ReplaceRecoveryCodes(app.id, ann.id, {MakeRecoveryCode(bob, "rc-x", kT0)}),
              StatusCode::kInvalidArgument);
  EXPECT_THAT(QueryTexts("SELECT COUNT(*) FROM mfa_recovery_codes"), ElementsAre("6"));
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 3);
}

TEST_P(StoreConformanceTest, ConcurrentUsesOfOneRecoveryCodeHaveExactlyOneWinner) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;
  ASSERT_OK(store().ReplaceRecoveryCodes(app.id, ann.id,
                                         MakeRecoveryCodes(ann, "rc-race-", kRounds, kT0)));

  for (int round = 0; round < kRounds; ++round) {
    const std::string hash = "rc-race-" + std::to_string(round);
    const UnixMillis now = kT0 + kSecond;
    auto results = ConcurrentResults(
        kThreads, [&](int i) { return store().UseRecoveryCode(app.id, ann.id, hash, now + i); });

    SCOPED_TRACE("round " + std::to_string(round));
    const int winner = OnlyWinner(results, StatusCode::kNotFound);
    ASSERT_GE(winner, 0);
    auto mark = Query("SELECT used_at FROM mfa_recovery_codes WHERE code_hash = $1", {hash});
    ASSERT_OK(mark);
    ASSERT_EQ(mark->size(), 1u);
    EXPECT_EQ(sql::Int((*mark)[0], 0), now + winner) << "the winner's mark stays";
    EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), kRounds - round - 1);
  }
}

// ---------------------------------------------------------------------------------------
// Challenges

TEST_P(StoreConformanceTest, MfaChallengeIsConsumedOnce) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  MfaChallenge c = MakeChallenge(ann, "ch-1", MfaChallengeKind::kApiLogin, kT0, kT0 + 5 * kMinute);
  ASSERT_OK(store().CreateMfaChallenge(c));
  EXPECT_CLASH(store().CreateMfaChallenge(c), MfaChallengeUniqueKey::kHash);

  // Looking does not consume, however often.
  for (int i = 0; i < 2; ++i) {
    auto live = store().GetLiveMfaChallenge(app.id, "ch-1", MfaChallengeKind::kApiLogin, kT0 + i);
    ASSERT_OK(live);
    ExpectSameChallenge(*live, c);
  }

  const UnixMillis now = kT0 + kMinute;
  auto consumed = store().ConsumeMfaChallenge(app.id, "ch-1", MfaChallengeKind::kApiLogin, now);
  ASSERT_OK(consumed);
  MfaChallenge used = c;
  used.used_at = now;
  ExpectSameChallenge(*consumed, used);

  EXPECT_CODE(store().ConsumeMfaChallenge(app.id, "ch-1", MfaChallengeKind::kApiLogin, now + 1),
              StatusCode::kNotFound);
  EXPECT_CODE(store().GetLiveMfaChallenge(app.id, "ch-1", MfaChallengeKind::kApiLogin, now + 1),
              StatusCode::kNotFound);
  EXPECT_THAT(QueryTexts("SELECT used_at FROM mfa_challenges"), ElementsAre(std::to_string(now)))
      << "the second call did not move the mark";
}

TEST_P(StoreConformanceTest, MfaChallengeNeedsAUserOfTheApp) {
  App app = AddApp("default");
  App other = AddApp("other");
  User stranger = AddUser(other, "ann@example.com");
  MfaChallenge foreign =
      MakeChallenge(stranger, "ch-foreign", MfaChallengeKind::kSignIn, kT0, kT0 + kMinute);
  foreign.app_id = app.id;
  EXPECT_CODE(store().CreateMfaChallenge(foreign), StatusCode::kNotFound);
  MfaChallenge unknown =
      MakeChallenge(stranger, "ch-unknown", MfaChallengeKind::kSignIn, kT0, kT0 + kMinute);
  unknown.user_id = NewId();
  EXPECT_CODE(store().CreateMfaChallenge(unknown), StatusCode::kNotFound);
  EXPECT_THAT(QueryTexts("SELECT COUNT(*) FROM mfa_challenges"), ElementsAre("0"));
}

TEST_P(StoreConformanceTest, MfaChallengeOfAnotherKindAppOrTimeIsNotFound) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "ann@example.com");
  const UnixMillis expires = kT0 + kMinute;
  ASSERT_OK(store().CreateMfaChallenge(
      MakeChallenge(ann, "ch-1", MfaChallengeKind::kSignIn, kT0, expires)));

  using enum MfaChallengeKind;
  struct Miss {
    const char* why;
    std::string app_id;
    std::string hash;
    MfaChallengeKind kind;
    UnixMillis now;
  };
  const Miss misses[] = {
      {"another kind", app.id, "ch-1", kApiLogin, kT0},
      {"another app", other.id, "ch-1", kSignIn, kT0},
      {"unknown", app.id, "ch-2", kSignIn, kT0},
      {"another case", app.id, "CH-1", kSignIn, kT0},
      {"expired exactly now", app.id, "ch-1", kSignIn, expires},
      {"expired", app.id, "ch-1", kSignIn, expires + kDay},
  };
  for (const Miss& m : misses) {
    SCOPED_TRACE(m.why);
    EXPECT_CODE(store().GetLiveMfaChallenge(m.app_id, m.hash, m.kind, m.now),
                StatusCode::kNotFound);
    EXPECT_CODE(store().ConsumeMfaChallenge(m.app_id, m.hash, m.kind, m.now),
                StatusCode::kNotFound);
  }

  // None of them consumed it: a millisecond before expiry, it is still there to take.
  auto consumed = store().ConsumeMfaChallenge(app.id, "ch-1", kSignIn, expires - 1);
  ASSERT_OK(consumed);
  EXPECT_EQ(consumed->used_at, expires - 1);
}

TEST_P(StoreConformanceTest, ConcurrentMfaChallengeConsumptionsHaveExactlyOneWinner) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  constexpr int kThreads = 8;
  constexpr int kRounds = 5;

  for (int round = 0; round < kRounds; ++round) {
    const std::string hash = "ch-race-" + std::to_string(round);
    ASSERT_OK(store().CreateMfaChallenge(
        MakeChallenge(ann, hash, MfaChallengeKind::kSignIn, kT0, kT0 + kMinute)));
    const UnixMillis now = kT0 + kSecond;
    auto results = ConcurrentResults(kThreads, [&](int i) {
      return store().ConsumeMfaChallenge(app.id, hash, MfaChallengeKind::kSignIn, now + i);
    });

    SCOPED_TRACE("round " + std::to_string(round));
    const int winner = OnlyWinner(results, StatusCode::kNotFound);
    ASSERT_GE(winner, 0);
    EXPECT_EQ((*results[winner])->used_at, now + winner);
    EXPECT_EQ((*results[winner])->user_id, ann.id);
    auto mark = Query("SELECT used_at FROM mfa_challenges WHERE hash = $1", {hash});
    ASSERT_OK(mark);
    ASSERT_EQ(mark->size(), 1u);
    EXPECT_EQ(sql::Int((*mark)[0], 0), now + winner) << "the winner's mark stays";
  }
}

TEST_P(StoreConformanceTest, CollectGarbageRemovesExpiredMfaChallenges) {
  App app = AddApp("default");
  User ann = AddUser(app, "ann@example.com");
  const UnixMillis now = kT0 + kDay;
  using enum MfaChallengeKind;
  const MfaChallenge challenges[] = {
      MakeChallenge(ann, "ch-expired", kSignIn, kT0, now - kHour),
      MakeChallenge(ann, "ch-expires-now", kApiLogin, kT0, now),
      MakeChallenge(ann, "ch-used-expired", kSignIn, kT0, now - 1),
      MakeChallenge(ann, "ch-live", kApiLogin, now - kMinute, now + 1),
      MakeChallenge(ann, "ch-used-live", kSignIn, now - kMinute, now + kMinute),
  };
  for (const auto& c : challenges) ASSERT_OK(store().CreateMfaChallenge(c));
  ASSERT_OK(store().ConsumeMfaChallenge(app.id, "ch-used-expired", kSignIn, kT0 + 1));
  ASSERT_OK(store().ConsumeMfaChallenge(app.id, "ch-used-live", kSignIn, now - 1));

  // Gone as soon as they cannot be consumed any more, used or not; no grace period.
  ExpectCollected(now, {.mfa_challenges = 3});
  EXPECT_THAT(QueryTexts("SELECT hash FROM mfa_challenges ORDER BY hash"),
              ElementsAre("ch-live", "ch-used-live"));
  ExpectCollected(now, {});
  ExpectCollected(now + kMinute, {.mfa_challenges = 2});
}

// ---------------------------------------------------------------------------------------
// Deletion with the user and the app

TEST_P(StoreConformanceTest, FactorsCodesAndChallengesGoWithTheirUserAndApp) {
  App app = AddApp("default");
  App other = AddApp("other");
  User ann = AddUser(app, "ann@example.com");
  User bob = AddUser(app, "bob@example.com");
  User carol = AddUser(other, "carol@example.com");
  for (const User* u : {&ann, &bob, &carol}) {
    ASSERT_OK(store().CreateFactor(MakeFactor(*u, FactorKind::kWebAuthn, "Key", kT0)));
    ASSERT_OK(store().CreateFactor(MakeFactor(*u, FactorKind::kTotp, "Phone", kT0 + 1)));
    ASSERT_OK(store().ReplaceRecoveryCodes(u->app_id, u->id,
                                           MakeRecoveryCodes(*u, "rc-" + u->id + "-", 3, kT0)));
    ASSERT_OK(store().CreateMfaChallenge(
        MakeChallenge(*u, "ch-" + u->id, MfaChallengeKind::kSignIn, kT0, kT0 + kDay)));
  }
  auto owners = [&](const char* table) {
    return QueryTexts(std::string("SELECT DISTINCT user_id FROM ") + table + " ORDER BY user_id");
  };
  auto sorted = [](std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  };

  ASSERT_OK(store().DeleteUser(app.id, ann.id));
  for (const char* table : {"mfa_factors", "mfa_recovery_codes", "mfa_challenges"}) {
    EXPECT_EQ(owners(table), sorted({bob.id, carol.id})) << table;
  }
  EXPECT_THAT(FactorIds(store().ListFactors(app.id, ann.id)), IsEmpty());
  EXPECT_EQ(UnusedCodes(store(), app.id, ann.id), 0);
  EXPECT_CODE(store().GetLiveMfaChallenge(app.id, "ch-" + ann.id, MfaChallengeKind::kSignIn, kT0),
              StatusCode::kNotFound);
  EXPECT_EQ(UnusedCodes(store(), app.id, bob.id), 3);
  EXPECT_OK(store().GetLiveMfaChallenge(app.id, "ch-" + bob.id, MfaChallengeKind::kSignIn, kT0));

  // An app's deletion (no store call makes one yet: the schema's cascade) takes its users'.
  ASSERT_OK(ExecSql("DELETE FROM apps WHERE id = $1", {app.id}));
  for (const char* table : {"mfa_factors", "mfa_recovery_codes", "mfa_challenges"}) {
    EXPECT_THAT(owners(table), ElementsAre(carol.id)) << table;
  }
}

}  // namespace
}  // namespace tessera::store::test
