// The audit log over a real (SQLite) store: what the account rules record, in order, with
// who, whom, from where and the outcome — and never a secret.
#include "audit/audit_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/object.hpp>

#include "tests/support/service_stack.h"
#include "crypto/random.h"
#include "accounts/account_service.h"
#include "base/request_origin.h"

namespace tessera::services {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kStart = 1'800'000'000'000;
constexpr std::string_view kPassword = "a sturdy passphrase";
constexpr std::string_view kNewPassword = "another sturdy passphrase";

class AuditLogTest : public testing::Test, protected testing_support::ServiceStack {
 protected:
  void SetUp() override {
    testing_support::ServiceStackOptions o;
    o.audit = true;
    Build(o);
  }


  // Every event of the app, oldest first.
  std::vector<store::AuditEvent> Events() {
    store::AuditFilter f;
    f.app_id = app_.id;
    f.limit = 200;
    auto events = audit_->List(f).value();
    std::reverse(events.begin(), events.end());
    return events;
  }

  ClientInfo client_{"198.51.100.23", "AuditTest/1.0 (X11)"};
};

TEST_F(AuditLogTest, AccountFlowIsRecordedInOrderWithoutSecrets) {
  SignupInput in;
  in.email = "ada@example.com";
  in.password = std::string(kPassword);
  store::User user = accounts_->Signup(app_, std::move(in), client_).value();
  clock_.Advance(1000);
  ASSERT_FALSE(sessions_->Login(app_, "ada@example.com", "wrong passphrase!", client_).ok());
  clock_.Advance(1000);
  TokenGrant grant = sessions_->Login(app_, "ada@example.com", kPassword, client_).value();
  clock_.Advance(1000);
  ASSERT_TRUE(sessions_->LogoutByRefreshToken(app_, grant.refresh_token).ok());
  clock_.Advance(1000);
  ASSERT_TRUE(accounts_->ChangePassword(app_, user.id, kPassword, kNewPassword, "", {}).ok());

  std::vector<store::AuditEvent> events = Events();
  std::vector<std::string> actions;
  for (const auto& e : events) actions.emplace_back(ToText(e.action));
  ASSERT_THAT(actions, ElementsAre("user.signup", "user.login_failed", "user.login",
                                   "session.logout", "user.password_changed"));

  const auto& signup = events[0];
  EXPECT_EQ(signup.app_id, app_.id);
  EXPECT_EQ(signup.at, kStart);
  EXPECT_EQ(signup.actor_type, store::AuditActorType::kUser);
  EXPECT_EQ(signup.actor_id, user.id);
  EXPECT_EQ(signup.subject_type, store::AuditSubjectType::kUser);
  EXPECT_EQ(signup.subject_id, user.id);
  EXPECT_EQ(signup.ip, client_.ip);
  EXPECT_EQ(signup.user_agent, client_.user_agent);
  EXPECT_EQ(signup.outcome, store::AuditOutcome::kSuccess);

  const auto& failed = events[1];
  EXPECT_EQ(failed.at, kStart + 1000);
  EXPECT_EQ(failed.actor_type, store::AuditActorType::kAnonymous);
  EXPECT_EQ(failed.actor_id, "");
  EXPECT_EQ(failed.subject_id, user.id);
  EXPECT_EQ(failed.ip, client_.ip);
  EXPECT_EQ(failed.outcome, store::AuditOutcome::kFailure);
  EXPECT_THAT(failed.details_json, HasSubstr("wrong_password"));

  const auto& login = events[2];
  EXPECT_EQ(login.actor_type, store::AuditActorType::kUser);
  EXPECT_EQ(login.actor_id, user.id);
  EXPECT_EQ(login.subject_id, user.id);
  EXPECT_EQ(login.ip, client_.ip);
  EXPECT_EQ(login.outcome, store::AuditOutcome::kSuccess);

  const auto& logout = events[3];
  EXPECT_EQ(logout.actor_id, user.id);
  EXPECT_EQ(logout.subject_type, store::AuditSubjectType::kSession);
  EXPECT_FALSE(logout.subject_id.empty());
  EXPECT_EQ(logout.outcome, store::AuditOutcome::kSuccess);

  const auto& changed = events[4];
  EXPECT_EQ(changed.actor_id, user.id);
  EXPECT_EQ(changed.subject_id, user.id);
  EXPECT_EQ(changed.outcome, store::AuditOutcome::kSuccess);

  // No secret in any field: passwords, tokens, or the stored hash.
  store::User now = store_->GetUser(app_.id, user.id).value();
  std::vector<std::string> secrets = {std::string(kPassword), std::string(kNewPassword),
                                      "wrong passphrase!", grant.refresh_token,
                                      grant.access_token, *user.password_hash,
                                      *now.password_hash, "$argon2", "tsr_", "eyJ"};
  for (const auto& e : events) {
    std::string all = AuditEventJson(e);  // every field, as the CLI and the APIs write it
    for (const auto& s : secrets) EXPECT_THAT(all, Not(HasSubstr(s))) << ToText(e.action);
  }
}

// Issue 11, item 14: an event recorded while a request is handled carries the request's
// origin, whatever the emitter passed (the profile and password rules pass none); an origin
// the event names itself wins; outside a request there is none.
TEST_F(AuditLogTest, EventsRecordedDuringARequestCarryItsOrigin) {
  SignupInput in;
  in.email = "ada@example.com";
  in.password = std::string(kPassword);
  store::User user = accounts_->Signup(app_, std::move(in), client_).value();
  {
    ScopedRequestOrigin request({"203.0.113.9", "HostedPage/1.0"});
    ProfileUpdate update;
    update.profile_patch = boost::json::object{{"name", "Ada"}};
    clock_.Advance(1000);  // one event a second: Events() reads them back in order
    ASSERT_TRUE(accounts_->UpdateProfile(app_, user.id, update).ok());
    clock_.Advance(1000);
    ASSERT_TRUE(accounts_->ChangePassword(app_, user.id, kPassword, kNewPassword, "", {}).ok());
    clock_.Advance(1000);
    audit_->Record({.app_id = app_.id, .action = store::AuditAction::kUserUpdated,
                    .ip = "198.51.100.7", .user_agent = "Named/1.0"});
    clock_.Advance(1000);
    ASSERT_TRUE(sessions_->LogoutAll(app_, user.id).ok());
  }
  clock_.Advance(1000);
  audit_->Record({.app_id = app_.id, .action = store::AuditAction::kUserDeleted});

  std::vector<store::AuditEvent> events = Events();
  ASSERT_EQ(events.size(), 6u);
  for (size_t i : {1, 2, 4}) {
    EXPECT_EQ(events[i].ip, "203.0.113.9") << ToText(events[i].action);
    EXPECT_EQ(events[i].user_agent, "HostedPage/1.0") << ToText(events[i].action);
  }
  EXPECT_EQ(events[1].action, store::AuditAction::kUserProfileUpdated);
  EXPECT_EQ(events[2].action, store::AuditAction::kUserPasswordChanged);
  EXPECT_EQ(events[3].ip, "198.51.100.7");
  EXPECT_EQ(events[3].user_agent, "Named/1.0");
  EXPECT_EQ(events[4].action, store::AuditAction::kSessionLogoutAll);
  EXPECT_EQ(events[5].ip, "");
  EXPECT_EQ(events[5].user_agent, "");
  EXPECT_EQ(CurrentRequestOrigin().ip, "");
}

// The hosted pages' logout is the account API's action, about the session that ended.
TEST_F(AuditLogTest, BrowserLogoutIsTheSameActionAsTheApiLogout) {
  SignupInput in;
  in.email = "ada@example.com";
  in.password = std::string(kPassword);
  store::User user = accounts_->Signup(app_, std::move(in), client_).value();
  StartedBrowserSession b = browser_->Start(app_, user, client_).value();
  ASSERT_TRUE(browser_->End(app_, b.session, store::RevokeReason::kReplaced).ok());
  StartedBrowserSession again = browser_->Start(app_, user, client_).value();
  {
    ScopedRequestOrigin request({"203.0.113.80", "LogoutPage/1.0"});
    ASSERT_TRUE(browser_->End(app_, again.session, store::RevokeReason::kLogout).ok());
  }
  TokenGrant grant = sessions_->Login(app_, "ada@example.com", kPassword, client_).value();
  ASSERT_TRUE(sessions_->LogoutByRefreshToken(app_, grant.refresh_token).ok());

  std::vector<store::AuditEvent> logouts;
  for (const auto& e : Events()) {
    if (e.action == store::AuditAction::kSessionLogout) logouts.push_back(e);
  }
  ASSERT_EQ(logouts.size(), 2u) << "one each: a replaced session is no logout";
  for (const auto& e : logouts) {
    EXPECT_EQ(e.actor_type, store::AuditActorType::kUser);
    EXPECT_EQ(e.actor_id, user.id);
    EXPECT_EQ(e.subject_type, store::AuditSubjectType::kSession);
    EXPECT_THAT(e.details_json, HasSubstr(R"("reason":"logout")"));
  }
  EXPECT_EQ(logouts[0].subject_id, again.session.id);
  // Where the logout came from (the request), not where the session began (issue 11, item 14).
  EXPECT_EQ(logouts[0].ip, "203.0.113.80");
  EXPECT_EQ(logouts[0].user_agent, "LogoutPage/1.0");
  EXPECT_THAT(logouts[0].details_json, HasSubstr(R"("method":"browser")"));
}

TEST_F(AuditLogTest, UnknownAccountIsRecordedWithoutTheIdentifier) {
  ASSERT_FALSE(sessions_->Login(app_, "my-password-typed-here", "x", client_).ok());
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, store::AuditAction::kUserLoginFailed);
  EXPECT_EQ(events[0].subject_id, "");
  EXPECT_THAT(events[0].details_json, HasSubstr("unknown_account"));
  EXPECT_THAT(events[0].details_json, Not(HasSubstr("my-password")));
}

TEST_F(AuditLogTest, RecordBoundsFieldsAndFillsIdAndTime) {
  store::AuditEvent e;
  e.app_id = app_.id;
  e.action = store::AuditAction::kSigningKeyRotated;
  e.user_agent = std::string(1000, 'u') + "\n";
  e.details_json = R"({"big":")" + std::string(5000, 'x') + R"("})";
  e.outcome = store::AuditOutcome::kFailure;
  audit_->Record(e);
  e.details_json = "not json";
  audit_->Record(e);
  auto events = Events();
  ASSERT_EQ(events.size(), 2u);
  for (const auto& got : events) {
    EXPECT_EQ(got.id.size(), 36u);
    EXPECT_EQ(got.at, kStart);
    EXPECT_EQ(got.user_agent, std::string(kAuditMaxUserAgent, 'u'));
    EXPECT_EQ(got.outcome, store::AuditOutcome::kFailure);
    EXPECT_LE(got.details_json.size(), kAuditMaxDetails);
  }
}

TEST_F(AuditLogTest, AFailedWriteDoesNotThrowOrFail) {
  store::AuditEvent e;
  e.id = "same-id";
  e.action = store::AuditAction::kSigningKeyRotated;
  audit_->Record(e);
  audit_->Record(e);  // clashes: logged, not thrown
  store::AuditFilter f;
  f.action = "signing_key.rotated";
  EXPECT_EQ(audit_->List(f).value().size(), 1u);
}

TEST_F(AuditLogTest, RetentionDeletesOldEvents) {
  store::AuditEvent e;
  e.action = store::AuditAction::kAppDisabled;  // old
  e.at = kStart - 40LL * 24 * 3600 * 1000;
  audit_->Record(e);
  e.action = store::AuditAction::kAppEnabled;  // recent
  e.at = kStart - 10LL * 24 * 3600 * 1000;
  audit_->Record(e);
  EXPECT_EQ(audit_->ApplyRetention(0).value(), 0);
  EXPECT_EQ(audit_->ApplyRetention(30).value(), 1);
  auto left = audit_->List({}).value();
  bool only_recent = true;
  for (const auto& x : left)
    only_recent = only_recent && x.action != store::AuditAction::kAppDisabled;
  EXPECT_TRUE(only_recent);
}

}  // namespace
}  // namespace tessera::services
