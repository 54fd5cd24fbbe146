// Managing an app's end users from the consoles and the server-to-server API
// (UserManagementService) over a real (SQLite) store and a manual clock: list and search,
// view, create (with and without a password; never an operator) and issue tokens — each
// within its app, each audited. Changing, disabling, signing out and deleting them:
// managed_user_changes_test.cc.
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

  // Made by the app (its backend's key), not signed up by the person: user.created.
  EXPECT_TRUE(Events(app_.id, "user.signup").empty());
  auto signups = Events(app_.id, "user.created");
  ASSERT_EQ(signups.size(), 2u);
  EXPECT_EQ(signups[0].actor_type, store::AuditActorType::kApiKey);
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
  store::AppSettings closed;
  closed.allow_signup = false;
  store::App app =
      apps_
          ->Update("default", std::nullopt, closed, MakeActor(store::AuditActorType::kAdmin, "cli"))
          .value();

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
  EXPECT_EQ(issued[0].actor_type, store::AuditActorType::kApiKey);
  EXPECT_EQ(issued[0].actor_id, "key-123");
  EXPECT_EQ(issued[0].subject_id, u.id);
  EXPECT_EQ(issued[0].at, kStart + 1000);
  EXPECT_EQ(json::parse(issued[0].details_json).at("method").as_string(), "issued_by_app");
  EXPECT_TRUE(NoEventContains(g.refresh_token));
  EXPECT_TRUE(NoEventContains(g.access_token));
}

}  // namespace
}  // namespace tessera::services
