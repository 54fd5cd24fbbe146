// Managing an app's end users from the consoles and the server-to-server API
// (UserManagementService) over a real (SQLite) store and a manual clock: list and search,
// view, create (with and without a password), issue tokens, update, disable, sign out
// everywhere, reset link, delete — each within its app, each audited without secrets. And
// the per-app settings in effect: password policy, token lifetimes, sign-in methods, sender.
#include <set>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/console_fixture.h"
#include "crypto/encoding.h"

namespace tessera::services {
namespace {

using namespace testing_console;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
namespace json = boost::json;

class ConsoleUserManagementTest : public ConsoleFixture {
 protected:
  std::vector<std::string> Emails(const store::UserPage& page) {
    std::vector<std::string> out;
    for (const auto& u : page.users) out.push_back(u.email);
    return out;
  }
  std::vector<std::string> Search(std::string_view q) {
    auto page = users_->List(app_, q, std::nullopt, 200);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? Emails(*page) : std::vector<std::string>{};
  }
  TokenGrant Login(const store::App& app, const std::string& email) {
    auto g = sessions_->Login(app, email, kPassword, client_);
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return g.ok() ? *g : TokenGrant{};
  }
  std::vector<store::Session> LiveSessions(const store::App& app, const std::string& user_id) {
    return store_->ListActiveSessions(app.id, user_id, clock_.NowMillis()).value();
  }

  Actor key_actor_{"api_key", "key-123", "192.0.2.50", "Backend/2.0"};
};

TEST_F(ConsoleUserManagementTest, ListPagesNewestFirstWithinTheApp) {
  store::App other = NewApp("other");
  std::vector<store::User> made;
  for (int i = 0; i < 5; ++i) {
    made.push_back(MakeUser(app_, "user" + std::to_string(i) + "@example.com"));
    clock_.Advance(1000);
  }
  MakeUser(other, "user9@example.com");
  EXPECT_EQ(users_->Count(app_).value(), 5);
  EXPECT_EQ(users_->Count(other).value(), 1);

  store::UserPage p1 = users_->List(app_, "", std::nullopt, 2).value();
  EXPECT_THAT(Emails(p1), ElementsAre("user4@example.com", "user3@example.com"));
  ASSERT_TRUE(p1.next_cursor.has_value());
  store::UserPage p2 = users_->List(app_, "", p1.next_cursor, 2).value();
  EXPECT_THAT(Emails(p2), ElementsAre("user2@example.com", "user1@example.com"));
  ASSERT_TRUE(p2.next_cursor.has_value());
  store::UserPage p3 = users_->List(app_, "", p2.next_cursor, 2).value();
  EXPECT_THAT(Emails(p3), ElementsAre("user0@example.com"));
  EXPECT_FALSE(p3.next_cursor.has_value());

  // Another app's user as cursor leads nowhere.
  store::UserPage foreign =
      users_->List(app_, "", users_->List(other, "", std::nullopt, 10).value().users.at(0).id, 10)
          .value();
  EXPECT_THAT(foreign.users, IsEmpty());

  for (int bad : {0, -1, 201}) {
    auto r = users_->List(app_, "", std::nullopt, bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(Fields(r.status()), ElementsAre("limit")) << bad;
  }
  EXPECT_EQ(users_->List(app_, "", std::nullopt, 1).value().users.size(), 1u);
  EXPECT_EQ(users_->List(app_, "", std::nullopt, 200).value().users.size(), 5u);
  auto long_search = users_->List(app_, std::string(201, 'a'), std::nullopt, 10);
  EXPECT_THAT(Fields(long_search.status()), ElementsAre("search"));
}

TEST_F(ConsoleUserManagementTest, SearchIsCaseInsensitiveAndTakesLikeCharactersLiterally) {
  MakeUser(app_, "ada@example.com");
  MakeUser(app_, "Adam@Example.org");
  MakeUser(app_, "bob@example.com", {}, std::string("Ada_Fan"));
  MakeUser(app_, "100%off@example.com");
  MakeUser(app_, "100xoff@example.com");
  MakeUser(app_, "a_b@example.net");
  MakeUser(app_, "axb@example.net");
  MakeUser(NewApp("other"), "ada@other.example");

  EXPECT_THAT(Search("ADA"),
              UnorderedElementsAre("ada@example.com", "adam@example.org", "bob@example.com"));
  EXPECT_THAT(Search("ada_f"), ElementsAre("bob@example.com"));  // by username
  EXPECT_THAT(Search("100%off"), ElementsAre("100%off@example.com"));
  EXPECT_THAT(Search("%"), ElementsAre("100%off@example.com"));
  EXPECT_THAT(Search("a_b"), ElementsAre("a_b@example.net"));
  EXPECT_THAT(Search("EXAMPLE.NET"), UnorderedElementsAre("a_b@example.net", "axb@example.net"));
  EXPECT_THAT(Search("nobody"), IsEmpty());
  EXPECT_EQ(Search("").size(), 7u);
}

TEST_F(ConsoleUserManagementTest, GetShowsTheUserWithLiveSessionsOnly) {
  store::User u = MakeUser(app_, "ada@example.com");
  store::App other = NewApp("other");
  store::User stranger = MakeUser(other, "ada@example.com");
  TokenGrant g1 = Login(app_, "ada@example.com");
  clock_.Advance(1000);
  TokenGrant g2 = Login(app_, "ada@example.com");
  Login(other, "ada@example.com");

  UserDetail d = users_->Get(app_, u.id).value();
  EXPECT_EQ(d.user.id, u.id);
  EXPECT_EQ(d.user.email, "ada@example.com");
  EXPECT_EQ(d.user.last_login_at, kStart + 1000);
  ASSERT_EQ(d.sessions.size(), 2u);
  for (const auto& s : d.sessions) EXPECT_EQ(s.user_id, u.id);

  ASSERT_TRUE(sessions_->LogoutByRefreshToken(app_, g1.refresh_token).ok());
  d = users_->Get(app_, u.id).value();
  ASSERT_EQ(d.sessions.size(), 1u);
  EXPECT_EQ(d.sessions[0].created_at, kStart + 1000);

  EXPECT_EQ(users_->Get(app_, stranger.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(users_->Get(app_, "no-such-id").status().code(), StatusCode::kNotFound);
  (void)g2;
}

TEST_F(ConsoleUserManagementTest, CreateWithAndWithoutPassword) {
  SignupInput with;
  with.email = "Ada@Example.com";
  with.password = kPassword;
  with.roles = {"editor", "billing:read"};
  store::User a = users_->Create(app_, with, key_actor_).value();
  EXPECT_EQ(a.email, "ada@example.com");
  EXPECT_TRUE(a.password_hash.has_value());
  EXPECT_THAT(a.roles, ElementsAre("editor", "billing:read"));
  EXPECT_TRUE(accounts_->Authenticate(app_, "ada@example.com", kPassword, client_).ok());

  SignupInput without;
  without.email = "bob@example.com";
  store::User b = users_->Create(app_, without, key_actor_).value();
  EXPECT_FALSE(b.password_hash.has_value());
  EXPECT_FALSE(store_->GetUser(app_.id, b.id).value().password_hash.has_value());
  for (const char* pw : {"", "anything at all"}) {
    EXPECT_EQ(accounts_->Authenticate(app_, "bob@example.com", pw, client_).status().code(),
              StatusCode::kUnauthenticated)
        << pw;
  }

  // The policy applies when a password is given; roles are checked.
  SignupInput weak;
  weak.email = "carol@example.com";
  weak.password = "short";
  EXPECT_THAT(Fields(users_->Create(app_, weak, key_actor_).status()), ElementsAre("password"));
  for (const std::vector<std::string>& roles :
       {std::vector<std::string>{"bad role!"}, std::vector<std::string>{""},
        std::vector<std::string>{std::string(65, 'r')}, std::vector<std::string>(21, "r")}) {
    SignupInput bad;
    bad.email = "carol@example.com";
    bad.roles = roles;
    auto r = users_->Create(app_, bad, key_actor_);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(Fields(r.status()), ElementsAre("roles"));
  }
  EXPECT_EQ(store_->GetUserByEmail(app_.id, "carol@example.com").status().code(),
            StatusCode::kNotFound);
  auto dup = users_->Create(app_, without, key_actor_);
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(Fields(dup.status()), ElementsAre("email"));

  auto signups = Events(app_.id, "user.signup");
  ASSERT_EQ(signups.size(), 2u);
  EXPECT_EQ(signups[0].actor_type, "api_key");
  EXPECT_EQ(signups[0].actor_id, "key-123");
  EXPECT_EQ(signups[0].subject_id, a.id);
  EXPECT_EQ(signups[0].ip, "192.0.2.50");
  EXPECT_EQ(signups[0].user_agent, "Backend/2.0");
  EXPECT_EQ(json::parse(signups[0].details_json).at("method").as_string(), "password");
  EXPECT_EQ(signups[1].subject_id, b.id);
  EXPECT_EQ(json::parse(signups[1].details_json).at("method").as_string(), "none");
  EXPECT_TRUE(NoEventContains(kPassword));
}

// Operators are made only at the command line: neither an API key of the console app nor a
// console may give a console user the admin role.
TEST_F(ConsoleUserManagementTest, NoOperatorIsMadeThroughUserManagement) {
  SignupInput in;
  in.email = "would-be-operator@example.com";
  in.roles = {"admin"};
  auto created = users_->Create(console_app_, in, key_actor_);
  EXPECT_EQ(created.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(store_->GetUserByEmail(console_app_.id, "would-be-operator@example.com")
                  .status()
                  .IsNotFound());
  store::User dev = Developer("dev@example.com");
  UserPatch promote;
  promote.roles = std::vector<std::string>{"admin"};
  EXPECT_EQ(users_->Update(console_app_, dev.id, promote, key_actor_).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(store_->GetUser(console_app_.id, dev.id).value().roles.empty());
  // In an ordinary app "admin" is just a role the app's own code may use.
  in.roles = {"admin"};
  EXPECT_TRUE(users_->Create(app_, in, key_actor_).ok());
}

TEST_F(ConsoleUserManagementTest, CreateWorksWhenPublicSignupIsClosed) {
  AppSettings closed;
  closed.allow_signup = false;
  store::App app = apps_->Update("default", std::nullopt, closed, MakeActor("admin", "cli")).value();

  SignupInput self;
  self.email = "self@example.com";
  self.password = kPassword;
  EXPECT_EQ(accounts_->Signup(app, self, client_).status().code(), StatusCode::kPermissionDenied);

  store::User u = users_->Create(app, self, key_actor_).value();
  EXPECT_EQ(u.email, "self@example.com");
  EXPECT_TRUE(sessions_->Login(app, "self@example.com", kPassword, client_).ok());
}

TEST_F(ConsoleUserManagementTest, IssueTokensStartsARefreshableSession) {
  store::User u = MakeUser(app_, "ada@example.com");
  clock_.Advance(1000);
  TokenGrant g = users_->IssueTokens(app_, u.id, key_actor_).value();
  EXPECT_FALSE(g.access_token.empty());
  EXPECT_EQ(g.expires_in, kServerAccessTtlS);
  EXPECT_EQ(g.user.id, u.id);
  EXPECT_EQ(g.refresh_token.rfind("tsr_", 0), 0u);
  EXPECT_EQ(LiveSessions(app_, u.id).size(), 1u);
  EXPECT_EQ(store_->GetUser(app_.id, u.id).value().last_login_at, kStart + 1000);

  clock_.Advance(1000);
  TokenGrant next = sessions_->Refresh(app_, g.refresh_token, client_).value();
  EXPECT_EQ(next.user.id, u.id);
  EXPECT_NE(next.refresh_token, g.refresh_token);

  // Another app's user, an unknown one: not found; a disabled one: refused.
  store::User stranger = MakeUser(NewApp("other"), "x@example.com");
  EXPECT_EQ(users_->IssueTokens(app_, stranger.id, key_actor_).status().code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(users_->SetDisabled(app_, u.id, true, key_actor_).ok());
  EXPECT_EQ(users_->IssueTokens(app_, u.id, key_actor_).status().code(),
            StatusCode::kFailedPrecondition);

  // Recorded as a sign-in the app asked for, by whom.
  auto issued = Events(app_.id, "user.login");
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].actor_type, "api_key");
  EXPECT_EQ(issued[0].actor_id, "key-123");
  EXPECT_EQ(issued[0].subject_id, u.id);
  EXPECT_EQ(issued[0].at, kStart + 1000);
  EXPECT_EQ(json::parse(issued[0].details_json).at("method").as_string(), "issued_by_app");
  EXPECT_TRUE(NoEventContains(g.refresh_token));
  EXPECT_TRUE(NoEventContains(g.access_token));
}

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
  EXPECT_EQ(updated[0].actor_type, "api_key");
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
  EXPECT_EQ(disabled[0].actor_type, "api_key");
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

  EXPECT_EQ(users_->SignOutEverywhere(app_, u.id, key_actor_).value(), 3);
  EXPECT_THAT(LiveSessions(app_, u.id), IsEmpty());
  EXPECT_EQ(LiveSessions(app_, bob.id).size(), 1u);  // someone else's stay
  EXPECT_FALSE(sessions_->Refresh(app_, g1.refresh_token, client_).ok());
  EXPECT_EQ(users_->SignOutEverywhere(app_, u.id, key_actor_).value(), 0);
  EXPECT_TRUE(sessions_->Login(app_, "ada@example.com", kPassword, client_).ok());  // not disabled

  store::User stranger = MakeUser(NewApp("other"), "x@example.com");
  EXPECT_EQ(users_->SignOutEverywhere(app_, stranger.id, key_actor_).status().code(),
            StatusCode::kNotFound);

  // Both calls are audited (events of one millisecond come in no fixed order).
  auto events = Events(app_.id, "user.sessions_revoked");
  ASSERT_EQ(events.size(), 2u);
  std::multiset<int64_t> counts;
  for (const auto& e : events) {
    EXPECT_EQ(e.actor_type, "api_key");
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
  EXPECT_EQ(users_->SendPasswordReset(app_, stranger.id, key_actor_).code(),
            StatusCode::kNotFound);
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
  EXPECT_TRUE(accounts_->Signup(app_, Input("ada@example.com", kPassword))
                  .ok());

  auto deleted = Events(app_.id, "user.deleted");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].actor_type, "api_key");
  EXPECT_EQ(deleted[0].actor_id, "key-123");
  EXPECT_EQ(deleted[0].subject_id, u.id);
}

TEST_F(ConsoleUserManagementTest, EveryActionIsAuditedWithTheActorAndNoPassword) {
  Actor dev{"developer", "dev-7", "203.0.113.7", "Console/1.0"};
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
    if (e.action == "app.created") continue;  // the fixture's default app
    actions.push_back(e.action);
    EXPECT_EQ(e.actor_type, "developer") << e.action;
    EXPECT_EQ(e.actor_id, "dev-7") << e.action;
    EXPECT_EQ(e.subject_type, "user") << e.action;
    EXPECT_EQ(e.subject_id, u.id) << e.action;
    EXPECT_EQ(e.app_id, app_.id) << e.action;
    EXPECT_EQ(e.outcome, "success") << e.action;
  }
  EXPECT_THAT(actions, ElementsAre("user.signup", "user.updated", "user.disabled", "user.enabled",
                                   "user.sessions_revoked", "user.deleted"));
  EXPECT_TRUE(NoEventContains(kPassword));
}

// ---------------------------------------------------------------------------------------
// The per-app settings in effect

class ConsoleAppSettingsInEffectTest : public ConsoleFixture {
 protected:
  store::App AppWith(std::string slug, const AppSettings& s) {
    NewApp(slug, "Acme");
    auto a = apps_->Update(slug, std::nullopt, s, MakeActor("developer", "dev-1"));
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? *a : store::App{};
  }
  static json::object Payload(std::string_view jwt) {
    size_t a = jwt.find('.');
    size_t b = jwt.find('.', a + 1);
    auto text = crypto::Base64UrlDecode(jwt.substr(a + 1, b - a - 1));
    EXPECT_TRUE(text.has_value());
    return json::parse(text.value_or("{}")).as_object();
  }
};

TEST_F(ConsoleAppSettingsInEffectTest, PasswordMinLengthOfTheApp) {
  AppSettings s;
  s.password_min_length = 12;
  store::App strict = AppWith("strict", s);
  const std::string ten = "qz7!vK2#pL";  // 10 characters: the server's minimum is 8
  ASSERT_EQ(ten.size(), 10u);

  auto refused = accounts_->Signup(strict, Input("ada@example.com", ten));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(refused.status()), ElementsAre("password"));
  EXPECT_TRUE(accounts_->Signup(app_, Input("ada@example.com", ten)).ok());
  EXPECT_TRUE(
      accounts_->Signup(strict, Input("ada@example.com", ten + "x9"))
          .ok());
  // Also for users made by the app itself.
  auto by_app = users_->Create(strict, Input("bob@example.com", ten),
                               MakeActor("api_key", "k"));
  EXPECT_THAT(Fields(by_app.status()), ElementsAre("password"));
}

TEST_F(ConsoleAppSettingsInEffectTest, AccessTokenLifetimeOfTheApp) {
  AppSettings s;
  s.access_token_ttl_s = 120;
  store::App quick = AppWith("quick", s);
  MakeUser(quick, "ada@example.com");
  MakeUser(app_, "ada@example.com");

  TokenGrant g = sessions_->Login(quick, "ada@example.com", kPassword, client_).value();
  EXPECT_EQ(g.expires_in, 120);
  json::object claims = Payload(g.access_token);
  EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), 120);
  TokenGrant r = sessions_->Refresh(quick, g.refresh_token, client_).value();
  EXPECT_EQ(r.expires_in, 120);

  TokenGrant d = sessions_->Login(app_, "ada@example.com", kPassword, client_).value();
  EXPECT_EQ(d.expires_in, kServerAccessTtlS);
}

TEST_F(ConsoleAppSettingsInEffectTest, RefreshTokenLifetimeOfTheApp) {
  AppSettings s;
  s.refresh_token_ttl_s = 86400;
  store::App day = AppWith("day", s);
  MakeUser(day, "ada@example.com");
  MakeUser(app_, "ada@example.com");

  TokenGrant g = sessions_->Login(day, "ada@example.com", kPassword, client_).value();
  auto info = store_->GetRefreshToken(day.id, crypto::TokenHash(g.refresh_token)).value();
  EXPECT_EQ(info.token.expires_at, kStart + 86400LL * 1000);

  clock_.Advance(5000);
  TokenGrant r = sessions_->Refresh(day, g.refresh_token, client_).value();
  auto next = store_->GetRefreshToken(day.id, crypto::TokenHash(r.refresh_token)).value();
  EXPECT_EQ(next.token.expires_at, kStart + 5000 + 86400LL * 1000);

  TokenGrant d = sessions_->Login(app_, "ada@example.com", kPassword, client_).value();
  auto dinfo = store_->GetRefreshToken(app_.id, crypto::TokenHash(d.refresh_token)).value();
  EXPECT_EQ(dinfo.token.expires_at, clock_.NowMillis() + kServerRefreshTtlS * 1000);
}

TEST_F(ConsoleAppSettingsInEffectTest, SignInMethodsOfTheApp) {
  AppSettings s;
  s.magic_link_login = false;
  s.email_code_login = false;
  store::App app = AppWith("nolinks", s);
  MakeUser(app, "ada@example.com");
  MakeUser(app_, "ada@example.com");

  EXPECT_EQ(passwordless_->RequestLink(app, "ada@example.com", {}, client_).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(passwordless_->RequestCode(app, "ada@example.com", client_).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->CountUnsentMail().value(), 0);

  EXPECT_TRUE(passwordless_->RequestLink(app_, "ada@example.com", {}, client_).ok());
  EXPECT_TRUE(passwordless_->RequestCode(app_, "ada@example.com", client_).ok());
  EXPECT_EQ(store_->CountUnsentMail().value(), 2);
}

TEST_F(ConsoleAppSettingsInEffectTest, RequireVerifiedEmailOfTheApp) {
  AppSettings s;
  s.require_verified_email = true;
  store::App app = AppWith("verified", s);
  MakeUser(app, "ada@example.com");  // not verified
  EXPECT_EQ(accounts_->Authenticate(app, "ada@example.com", kPassword, client_).status().code(),
            StatusCode::kPermissionDenied);
  MakeUser(app_, "ada@example.com");
  EXPECT_TRUE(accounts_->Authenticate(app_, "ada@example.com", kPassword, client_).ok());
}

TEST_F(ConsoleAppSettingsInEffectTest, MailSenderOfTheApp) {
  // No settings: the worker's default (the Mailer's default_from is "", as CoreServices has it).
  EXPECT_EQ(mailer_->SenderFor(app_), "");

  AppSettings named;
  named.mail_sender_name = "Acme Support";
  store::App a = AppWith("named", named);
  EXPECT_EQ(mailer_->SenderFor(a), "\"Acme Support\" <noreply@example.com>");

  AppSettings own;
  own.mail_from = "hello@acme.example";
  store::App b = AppWith("own", own);
  EXPECT_EQ(mailer_->SenderFor(b), "hello@acme.example");

  AppSettings both;
  both.mail_from = "Acme <hello@acme.example>";
  both.mail_sender_name = "Acme Support";
  store::App c = AppWith("both", both);
  EXPECT_EQ(mailer_->SenderFor(c), "\"Acme Support\" <hello@acme.example>");

  // The queued mail carries it.
  MakeUser(a, "ada@example.com");
  ASSERT_TRUE(passwordless_->RequestLink(a, "ada@example.com", {}, client_).ok());
  auto mail = store_->LeaseDueMail(clock_.NowMillis(), 10, 60'000).value();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].from_address, "\"Acme Support\" <noreply@example.com>");
  EXPECT_EQ(mail[0].kind, "magic_link");
}

}  // namespace
}  // namespace tessera::services
