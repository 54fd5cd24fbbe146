// Changing an app's end users from the consoles and the server-to-server API
// (UserManagementService) over a real (SQLite) store and a manual clock: update, disable,
// sign out everywhere, reset link, delete — each within its app, each audited with its actor
// and without secrets. Listing and creating them: managed_users_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/user_management_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_console;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
namespace json = boost::json;

TEST_F(ConsoleUserManagementTest, UpdateEmailUsernameRolesProfile) {
  SignupInput in;
  in.email = "ada@example.com";
  in.password = kPassword;
  in.email_verified = true;
  store::User u = users_->Create(app_, in, key_actor_).value();
  ASSERT_TRUE(u.email_verified);
  store::User other_user = MakeUser(app_, "bob@example.com", {}, std::string("bobby"));

  UserPatch p;
  p.email = "  Ada.New@Example.COM ";
  p.username = std::optional<std::string>("Ada_L");
  p.roles = std::vector<std::string>{"editor"};
  p.profile_patch = json::object{{"name", "Ada Lovelace"}};
  clock_.Advance(1000);
  store::User up = users_->Update(app_, u.id, p, key_actor_).value();
  EXPECT_EQ(up.email, "ada.new@example.com");
  EXPECT_EQ(up.email_normalized, "ada.new@example.com");
  EXPECT_FALSE(up.email_verified);  // a new address is unproven
  EXPECT_EQ(up.username, "Ada_L");
  EXPECT_EQ(up.username_normalized, "ada_l");
  EXPECT_THAT(up.roles, ElementsAre("editor"));
  EXPECT_EQ(json::parse(up.profile_json).at("name").as_string(), "Ada Lovelace");
  EXPECT_EQ(up.updated_at, kStart + 1000);
  store::User stored = store_->GetUser(app_.id, u.id).value();
  EXPECT_EQ(stored.email, "ada.new@example.com");
  EXPECT_FALSE(stored.email_verified);
  EXPECT_TRUE(accounts_->Authenticate(app_, "ada.new@example.com", kPassword, client_).ok());
  EXPECT_TRUE(accounts_->Authenticate(app_, "ada_l", kPassword, client_).ok());

  // Taken addresses and usernames; malformed input; nothing changes.
  UserPatch dup_email;
  dup_email.email = "BOB@example.com";
  auto r = users_->Update(app_, u.id, dup_email, key_actor_);
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(Fields(r.status()), ElementsAre("email"));
  UserPatch dup_name;
  dup_name.username = std::optional<std::string>("BOBBY");
  r = users_->Update(app_, u.id, dup_name, key_actor_);
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(Fields(r.status()), ElementsAre("username"));
  UserPatch bad;
  bad.email = "not an address";
  bad.roles = std::vector<std::string>{"bad role!"};
  r = users_->Update(app_, u.id, bad, key_actor_);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(r.status()), UnorderedElementsAre("email", "roles"));
  EXPECT_EQ(store_->GetUser(app_.id, u.id).value().email, "ada.new@example.com");
  EXPECT_EQ(store_->GetUser(app_.id, u.id).value().username, "Ada_L");

  // Verifying explicitly, and removing the username.
  UserPatch verify;
  verify.email_verified = true;
  verify.username = std::optional<std::string>();
  store::User v = users_->Update(app_, u.id, verify, key_actor_).value();
  EXPECT_TRUE(v.email_verified);
  EXPECT_FALSE(v.username.has_value());
  EXPECT_FALSE(v.username_normalized.has_value());

  // Another app's user is not found (and stays as it was).
  store::User stranger = MakeUser(NewApp("other"), "x@example.com");
  UserPatch rename;
  rename.email = "y@example.com";
  EXPECT_EQ(users_->Update(app_, stranger.id, rename, key_actor_).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->GetUserByEmail(stranger.app_id, "x@example.com").value().id, stranger.id);

  auto updated = Events(app_.id, "user.updated");
  ASSERT_EQ(updated.size(), 2u);
  EXPECT_EQ(updated[0].actor_type, store::AuditActorType::kApiKey);
  EXPECT_EQ(updated[0].actor_id, "key-123");
  EXPECT_EQ(updated[0].subject_id, u.id);
  EXPECT_THAT(ChangedNames(updated[0]),
              UnorderedElementsAre("email", "username", "roles", "profile"));
  EXPECT_THAT(ChangedNames(updated[1]), UnorderedElementsAre("email_verified", "username"));
  // Values are not recorded.
  for (const auto& e : updated) {
    EXPECT_EQ(e.details_json.find("ada.new@example.com"), std::string::npos);
    EXPECT_EQ(e.details_json.find("Lovelace"), std::string::npos);
  }
  (void)other_user;
}

TEST_F(ConsoleUserManagementTest, DisableRevokesEverySessionAndBlocksSignIn) {
  store::User u = MakeUser(app_, "ada@example.com");
  TokenGrant g1 = Login(app_, "ada@example.com");
  TokenGrant g2 = Login(app_, "ada@example.com");
  ASSERT_EQ(LiveSessions(app_, u.id).size(), 2u);

  clock_.Advance(1000);
  store::User off = users_->SetDisabled(app_, u.id, true, key_actor_).value();
  EXPECT_TRUE(off.disabled);
  EXPECT_THAT(LiveSessions(app_, u.id), IsEmpty());
  EXPECT_EQ(users_->Get(app_, u.id).value().sessions.size(), 0u);
  EXPECT_EQ(sessions_->Refresh(app_, g1.refresh_token, client_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(sessions_->Refresh(app_, g2.refresh_token, client_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(accounts_->Authenticate(app_, "ada@example.com", kPassword, client_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(sessions_->Login(app_, "ada@example.com", kPassword, client_).status().code(),
            StatusCode::kUnauthenticated);

  clock_.Advance(1000);
  store::User on = users_->SetDisabled(app_, u.id, false, key_actor_).value();
  EXPECT_FALSE(on.disabled);
  TokenGrant again = Login(app_, "ada@example.com");
  EXPECT_FALSE(again.refresh_token.empty());
  EXPECT_TRUE(sessions_->Refresh(app_, again.refresh_token, client_).ok());
  // The old tokens stay dead.
  EXPECT_FALSE(sessions_->Refresh(app_, g2.refresh_token, client_).ok());

  auto disabled = Events(app_.id, "user.disabled");
  auto enabled = Events(app_.id, "user.enabled");
  ASSERT_EQ(disabled.size(), 1u);
  ASSERT_EQ(enabled.size(), 1u);
  EXPECT_EQ(disabled[0].actor_type, store::AuditActorType::kApiKey);
  EXPECT_EQ(disabled[0].actor_id, "key-123");
  EXPECT_EQ(disabled[0].subject_id, u.id);
  EXPECT_EQ(disabled[0].at, kStart + 1000);
  EXPECT_EQ(enabled[0].actor_id, "key-123");
  EXPECT_EQ(enabled[0].at, kStart + 2000);

  // Disabling twice records no second "user.disabled".
  ASSERT_TRUE(users_->SetDisabled(app_, u.id, true, key_actor_).ok());
  ASSERT_TRUE(users_->SetDisabled(app_, u.id, true, key_actor_).ok());
  EXPECT_EQ(Events(app_.id, "user.disabled").size(), 2u);
  EXPECT_EQ(users_->SetDisabled(app_, "no-such-id", true, key_actor_).status().code(),
            StatusCode::kNotFound);
}

TEST_F(ConsoleUserManagementTest, SignOutEverywhereReturnsTheCount) {
  store::User u = MakeUser(app_, "ada@example.com");
  store::User bob = MakeUser(app_, "bob@example.com");
  TokenGrant g1 = Login(app_, "ada@example.com");
  Login(app_, "ada@example.com");
  Login(app_, "ada@example.com");
  Login(app_, "bob@example.com");

  auto pat = api_tokens_->Create(app_, u.id, "ci", std::nullopt).value();
  auto ended = users_->SignOutEverywhere(app_, u.id, key_actor_).value();
  EXPECT_EQ(ended.sessions, 3);
  EXPECT_EQ(ended.api_tokens, 1);  // personal API tokens end too (issue 11, item 3)
  EXPECT_EQ(api_tokens_->Authenticate(app_, pat.token).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_THAT(LiveSessions(app_, u.id), IsEmpty());
  EXPECT_EQ(LiveSessions(app_, bob.id).size(), 1u);  // someone else's stay
  EXPECT_FALSE(sessions_->Refresh(app_, g1.refresh_token, client_).ok());
  EXPECT_EQ(users_->SignOutEverywhere(app_, u.id, key_actor_).value().sessions, 0);
  EXPECT_TRUE(sessions_->Login(app_, "ada@example.com", kPassword, client_).ok());  // not disabled

  store::User stranger = MakeUser(NewApp("other"), "x@example.com");
  EXPECT_EQ(users_->SignOutEverywhere(app_, stranger.id, key_actor_).status().code(),
            StatusCode::kNotFound);

  // Both calls are audited (events of one millisecond come in no fixed order).
  auto events = Events(app_.id, "user.sessions_revoked");
  ASSERT_EQ(events.size(), 2u);
  std::multiset<int64_t> counts;
  for (const auto& e : events) {
    EXPECT_EQ(e.actor_type, store::AuditActorType::kApiKey);
    EXPECT_EQ(e.subject_id, u.id);
    counts.insert(json::parse(e.details_json).at("sessions_revoked").as_int64());
  }
  EXPECT_EQ(counts, (std::multiset<int64_t>{0, 3}));
}

TEST_F(ConsoleUserManagementTest, SendPasswordResetQueuesTheMail) {
  store::User u = MakeUser(app_, "ada@example.com");
  ASSERT_TRUE(users_->SendPasswordReset(app_, u.id, key_actor_).ok());
  auto mail = store_->LeaseDueMail(clock_.NowMillis(), 10, 60'000).value();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].to_address, "ada@example.com");
  EXPECT_EQ(mail[0].kind, "password_reset");
  auto sent = Events(app_.id, "user.password_reset_sent");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].actor_id, "key-123");
  EXPECT_EQ(sent[0].subject_id, u.id);

  ASSERT_TRUE(users_->SetDisabled(app_, u.id, true, key_actor_).ok());
  EXPECT_EQ(users_->SendPasswordReset(app_, u.id, key_actor_).code(),
            StatusCode::kFailedPrecondition);
  store::User stranger = MakeUser(NewApp("other"), "x@example.com");
  EXPECT_EQ(users_->SendPasswordReset(app_, stranger.id, key_actor_).code(), StatusCode::kNotFound);
}

TEST_F(ConsoleUserManagementTest, DeleteOnlyWithinTheApp) {
  store::User u = MakeUser(app_, "ada@example.com");
  TokenGrant g = Login(app_, "ada@example.com");
  store::App other = NewApp("other");
  store::User stranger = MakeUser(other, "ada@example.com");

  EXPECT_EQ(users_->Delete(app_, stranger.id, key_actor_).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetUser(other.id, stranger.id).value().id, stranger.id);  // survives

  ASSERT_TRUE(users_->Delete(app_, u.id, key_actor_).ok());
  EXPECT_EQ(users_->Get(app_, u.id).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(sessions_->Refresh(app_, g.refresh_token, client_).ok());
  EXPECT_EQ(accounts_->Authenticate(app_, "ada@example.com", kPassword, client_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(users_->Delete(app_, u.id, key_actor_).code(), StatusCode::kNotFound);
  EXPECT_EQ(users_->Count(app_).value(), 0);
  EXPECT_EQ(users_->Count(other).value(), 1);
  // The address is free again.
  EXPECT_TRUE(accounts_->Signup(app_, Input("ada@example.com", kPassword)).ok());

  auto deleted = Events(app_.id, "user.deleted");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].actor_type, store::AuditActorType::kApiKey);
  EXPECT_EQ(deleted[0].actor_id, "key-123");
  EXPECT_EQ(deleted[0].subject_id, u.id);
}

TEST_F(ConsoleUserManagementTest, EveryActionIsAuditedWithTheActorAndNoPassword) {
  Actor dev{store::AuditActorType::kDeveloper, "dev-7", "203.0.113.7", "Console/1.0"};
  SignupInput in;
  in.email = "ada@example.com";
  in.password = kPassword;
  store::User u = users_->Create(app_, in, dev).value();
  // One action a millisecond: events of the same millisecond have no defined order.
  clock_.Advance(1);
  UserPatch p;
  p.roles = std::vector<std::string>{"editor"};
  ASSERT_TRUE(users_->Update(app_, u.id, p, dev).ok());
  clock_.Advance(1);
  ASSERT_TRUE(users_->Update(app_, u.id, UserPatch{}, dev).ok());  // no change: not recorded
  clock_.Advance(1);
  ASSERT_TRUE(users_->SetDisabled(app_, u.id, true, dev).ok());
  clock_.Advance(1);
  ASSERT_TRUE(users_->SetDisabled(app_, u.id, false, dev).ok());
  clock_.Advance(1);
  ASSERT_TRUE(users_->SignOutEverywhere(app_, u.id, dev).ok());
  clock_.Advance(1);
  ASSERT_TRUE(users_->Delete(app_, u.id, dev).ok());

  std::vector<std::string> actions;
  for (const auto& e : Events(app_.id)) {
    if (e.action == store::AuditAction::kAppCreated) continue;  // the fixture's default app
    actions.emplace_back(ToText(e.action));
    EXPECT_EQ(e.actor_type, store::AuditActorType::kDeveloper) << ToText(e.action);
    EXPECT_EQ(e.actor_id, "dev-7") << ToText(e.action);
    EXPECT_EQ(e.subject_type, store::AuditSubjectType::kUser) << ToText(e.action);
    EXPECT_EQ(e.subject_id, u.id) << ToText(e.action);
    EXPECT_EQ(e.app_id, app_.id) << ToText(e.action);
    EXPECT_EQ(e.outcome, store::AuditOutcome::kSuccess) << ToText(e.action);
  }
  EXPECT_THAT(actions, ElementsAre("user.created", "user.updated", "user.disabled", "user.enabled",
                                   "user.sessions_revoked", "user.deleted"));
  EXPECT_TRUE(NoEventContains(kPassword));
}

}  // namespace
}  // namespace tessera::services
