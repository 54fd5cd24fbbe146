// File: conformance_fixture.h
// The store conformance suite's shared part: every contract of store/store.h is checked by
// TEST_P(StoreConformanceTest, …) cases in the *_conformance_test.cc files beside this one
// (one file per store interface), each run against each backend:
// - "sqlite" always (a temp file per test);
// - "postgres" when TESSERA_TEST_POSTGRES_URL points at a server (scripts/test.sh and
//   scripts/postgres-test-server.sh start one), each test in its own schema; skipped otherwise.
// The backends are instantiated once, in conformance_fixture.cc. This header holds the
// fixture, the status/outcome assertion macros, and the builders and comparers of records
// that more than one test file uses.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "store/sql/sql_database.h"
#include "store/store.h"
#include "test_database.h"
#include "tests/support/enum_printing.h"

namespace tessera::store::test {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

inline constexpr UnixMillis kT0 = 1'750'000'000'000;  // 2025-06-15
inline constexpr int64_t kSecond = 1000;
inline constexpr int64_t kMinute = 60 * kSecond;
inline constexpr int64_t kHour = 60 * kMinute;
inline constexpr int64_t kDay = 24 * kHour;
// Beyond what 32-bit seconds can hold (2038-01-19), and beyond exact doubles.
inline constexpr UnixMillis kAfter2038 = (int64_t{1} << 31) * 1000 + 999;
inline constexpr UnixMillis kYear9999 = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
inline constexpr UnixMillis kPastDoubles = (int64_t{1} << 53) + 1;

// ---------------------------------------------------------------------------------------
// Status assertions (macros, so that ASSERT_* returns from the test itself)

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

#define ASSERT_OK(expr)                                                      \
  do {                                                                       \
    const ::tessera::Status status_ = StatusOf(expr);                        \
    ASSERT_TRUE(status_.ok()) << #expr << " failed: " << status_.ToString(); \
  } while (0)

#define EXPECT_OK(expr)                                                      \
  do {                                                                       \
    const ::tessera::Status status_ = StatusOf(expr);                        \
    EXPECT_TRUE(status_.ok()) << #expr << " failed: " << status_.ToString(); \
  } while (0)

#define EXPECT_CODE(expr, want)                                                             \
  do {                                                                                      \
    const ::tessera::Status status_ = StatusOf(expr);                                       \
    EXPECT_EQ(status_.code(), (want))                                                       \
        << #expr << " returned " << (status_.ok() ? "OK" : status_.ToString()) << ", want " \
        << StatusCodeName(want);                                                            \
  } while (0)

// kAlreadyExists on exactly `key`, a value of a store interface's unique keys
// (UserUniqueKey::kEmail, …), as the engine found it from the violated constraint.
#define EXPECT_CLASH(expr, key)                                                \
  do {                                                                         \
    const ::tessera::Status status_ = StatusOf(expr);                          \
    EXPECT_TRUE(status_.ClashedOn(key))                                        \
        << #expr << " returned " << (status_.ok() ? "OK" : status_.ToString()) \
        << ", want a clash on " << #key;                                       \
  } while (0)

// ---------------------------------------------------------------------------------------
// Outcomes of the one-time redemptions: RotateRefreshToken (Rotation), RedeemAuthorizationCode
// (CodeRedemption) and ConsumeEmailToken (EmailTokenRedemption). Each carries its record
// (session, code, token) unless the outcome is kInvalid.

std::string OutcomeName(RotationOutcome o);
std::string OutcomeName(CodeOutcome o);
std::string OutcomeName(EmailTokenOutcome o);
inline bool HasRecord(const Rotation& r) { return r.session.has_value(); }
inline bool HasRecord(const CodeRedemption& r) { return r.code.has_value(); }
inline bool HasRecord(const EmailTokenRedemption& r) { return r.token.has_value(); }

// `result` (a Result of one of the above) is OK, its outcome is `want` (compared by name,
// for a readable failure), and it carries its record exactly when `want` is not kInvalid.
#define EXPECT_OUTCOME(result, want)                                                         \
  do {                                                                                       \
    const auto& outcome_ = (result);                                                         \
    ASSERT_TRUE(outcome_.ok()) << outcome_.status().ToString();                              \
    EXPECT_EQ(OutcomeName(outcome_->outcome), OutcomeName(want));                            \
    EXPECT_EQ(HasRecord(*outcome_), (want) != std::remove_cvref_t<decltype(want)>::kInvalid) \
        << "carries its record";                                                             \
  } while (0)

// ---------------------------------------------------------------------------------------
// Comparing records member by member

template <typename T, typename V>
struct Field {
  const char* name;
  V T::*member;
};
// A member of record type T, named for the failure message: FIELD(App, slug).
#define FIELD(T, member) \
  ::tessera::store::test::Field<T, decltype(T::member)> { #member, &T::member }

// EXPECT_EQ on each of the given members of `got` and `want`.
template <typename T, typename V>
void ExpectSameField(const T& got, const T& want, const Field<T, V>& field) {
  EXPECT_EQ(got.*(field.member), want.*(field.member)) << "member " << field.name;
}
template <typename T, typename... V>
void ExpectSameFields(const T& got, const T& want, const Field<T, V>&... fields) {
  (ExpectSameField(got, want, fields), ...);
}

// Each record's `member`, in order: Pluck(mails, &OutgoingMail::subject).
template <typename T, typename V>
std::vector<V> Pluck(const std::vector<T>& records, V T::*member) {
  std::vector<V> out;
  for (const T& r : records) out.push_back(r.*member);
  return out;
}
template <typename T>
std::vector<std::string> Ids(const std::vector<T>& records) {
  return Pluck(records, &T::id);
}

// Runs body(i) for i in [0, threads) on as many threads, released together; joins them all.
template <typename Body>
void RunConcurrently(int threads, const Body& body) {
  std::latch start(threads);
  std::vector<std::thread> running;
  for (int i = 0; i < threads; ++i) {
    running.emplace_back([&, i] {
      start.arrive_and_wait();
      body(i);
    });
  }
  for (auto& t : running) t.join();
}

// RunConcurrently(threads, body), keeping what each body(i) returned (as results[i]).
template <typename Body>
auto ConcurrentResults(int threads, const Body& body) {
  std::vector<std::optional<std::invoke_result_t<const Body&, int>>> results(threads);
  RunConcurrently(threads, [&](int i) { results[i] = body(i); });
  return results;
}

// ---------------------------------------------------------------------------------------
// Records (seed data); times are parameters, everything else a plausible fixed value

std::string NewId();
std::string Lower(std::string s);

App MakeApp(const std::string& slug);
User MakeUser(const App& app, const std::string& email,
              const std::optional<std::string>& username = std::nullopt);
Session MakeSession(const User& user, UnixMillis now, UnixMillis expires_at);
// An OAuth grant of `client_id` (kind "oauth", a scope, an earlier auth_time).
Session MakeOAuthSession(const User& user, const std::string& client_id, UnixMillis now,
                         UnixMillis expires_at);
Session MakeBrowserSession(const User& user, UnixMillis now, UnixMillis expires_at);
RefreshToken MakeToken(const std::string& hash, UnixMillis now, UnixMillis expires_at);
ApiToken MakeApiToken(const User& user, const std::string& hash, UnixMillis now);
SigningKeyRecord MakeKey(const std::string& kid, UnixMillis created_at);
// A code of "client-1" for `user`, with every optional field set.
AuthorizationCode MakeCode(const User& user, const std::string& hash, UnixMillis now,
                           UnixMillis expires_at);
Consent MakeConsent(const User& user, const std::string& client_id, UnixMillis now);
OutgoingMail MakeMail(const App& app, const std::string& subject, UnixMillis created_at,
                      UnixMillis next_attempt_at);
EmailToken MakeEmailToken(const App& app, const std::string& hash, EmailTokenPurpose purpose,
                          UnixMillis created_at, UnixMillis expires_at);
AppMember MakeMember(const App& app, const User& user, MemberRole role, UnixMillis at);

void ExpectSameApp(const App& got, const App& want);
void ExpectSameUser(const User& got, const User& want);
void ExpectSameSession(const Session& got, const Session& want);
void ExpectSameApiToken(const ApiToken& got, const ApiToken& want);
void ExpectSameKey(const SigningKeyRecord& got, const SigningKeyRecord& want);
void ExpectThrottle(const Result<ThrottleState>& got, int64_t failures, UnixMillis window_start);

// ---------------------------------------------------------------------------------------
// The fixture: a fresh, migrated store of the backend GetParam() for each test

class StoreConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }

  // Seed rows through the store (a failure fails the test).
  App AddApp(const std::string& slug);
  User AddUser(const App& app, const std::string& email,
               const std::optional<std::string>& username = std::nullopt);
  // A live session (30 days) whose first refresh token (14 days) has hash `hash`.
  Session AddSession(const User& user, const std::string& hash, UnixMillis now = kT0);

  // Raw SQL, through a second connection to the same database.
  Result<sql::SqlRows> Query(const std::string& sql, std::initializer_list<sql::SqlValue> params);
  // The first column of each row of `sql`, as text (a failing query fails the test).
  std::vector<std::string> QueryTexts(const std::string& sql);
  // Runs `work` in one write transaction on a second connection.
  Status WriteSql(const sql::SqlWork& work);
  Status ExecSql(const std::string& sql, std::initializer_list<sql::SqlValue> params);

  // used_at of the refresh token with `hash` (nullopt: unused); fails the test if absent.
  std::optional<int64_t> TokenUsedAt(const std::string& hash);
  bool TokenExists(const std::string& hash);
  // RotateRefreshToken(app_id, client_id, hash, <a token next_hash>, now) is kInvalid and
  // changes nothing: the existing token `hash` stays unused, next_hash is not stored.
  void ExpectRotationRefused(const std::string& app_id, const std::string& client_id,
                             const std::string& hash, const std::string& next_hash, UnixMillis now);

  // The ids of ListActiveSessions (a failure fails the test).
  std::vector<std::string> ActiveSessionIds(const std::string& app_id, const std::string& user_id,
                                            UnixMillis now);
  // The session's revocation as stored (revoked_at and revoked_reason: both or neither).
  void ExpectRevocation(const std::string& app_id, const std::string& session_id,
                        std::optional<UnixMillis> revoked_at,
                        std::optional<RevokeReason> reason = std::nullopt);
  // CollectGarbage(now) collects `want` of each kind (GcStats{}: nothing).
  void ExpectCollected(UnixMillis now, const GcStats& want);

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

}  // namespace tessera::store::test
