// The developer console's membership rules (DeveloperConsoleService) over a real (SQLite)
// store and a manual clock: the apps a developer owns or is a member of, what an operator
// sees, adding and removing members — with the audit events each records. API keys and
// OAuth clients: console_credentials_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/support/console_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_console;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
namespace json = boost::json;

class ConsoleDeveloperTest : public ConsoleFixture {};

TEST_F(ConsoleDeveloperTest, EnsureConsoleAppIsIdempotent) {
  std::string id = console_app_.id;
  ASSERT_TRUE(console_->EnsureConsoleApp().ok());
  ASSERT_TRUE(console_->EnsureConsoleApp().ok());
  EXPECT_EQ(apps_->Find("console").value().id, id);
  int consoles = 0;
  for (const auto& a : apps_->ListAll().value()) consoles += a.slug == "console";
  EXPECT_EQ(consoles, 1);
  EXPECT_EQ(Events(id, "app.created").size(), 1u);
}

TEST_F(ConsoleDeveloperTest, CreateAppMakesTheCreatorOwnerAndListAppsShowsOnlyMine) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Developer("bob@example.com");
  AppAccess a1 = console_->CreateApp(ada, "ada-one", "Ada One", DeveloperActor(ada)).value();
  clock_.Advance(1000);
  AppAccess a2 = console_->CreateApp(ada, "ada-two", "Ada Two", DeveloperActor(ada)).value();
  AppAccess b1 = console_->CreateApp(bob, "bob-one", "Bob One", DeveloperActor(bob)).value();
  EXPECT_EQ(a1.role, AccessRole::kOwner);
  EXPECT_TRUE(a1.may_manage_members());
  EXPECT_EQ(store_->GetAppMember(a1.app.id, ada.id).value().role, store::MemberRole::kOwner);

  std::vector<std::string> mine;
  for (const auto& x : console_->ListApps(ada).value()) {
    mine.push_back(x.app.slug);
    EXPECT_EQ(x.role, AccessRole::kOwner);
  }
  EXPECT_THAT(mine, ElementsAre("ada-one", "ada-two"));  // oldest first
  std::vector<std::string> bobs;
  for (const auto& x : console_->ListApps(bob).value()) bobs.push_back(x.app.slug);
  EXPECT_THAT(bobs, ElementsAre("bob-one"));

  // A taken slug: nothing created, no membership.
  auto dup = console_->CreateApp(bob, "ada-one", "Mine now", DeveloperActor(bob));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetAppMember(a1.app.id, bob.id).status().code(), StatusCode::kNotFound);
  auto console_slug = console_->CreateApp(bob, "console", "Console", DeveloperActor(bob));
  EXPECT_EQ(console_slug.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(console_->ListApps(bob).value().size(), 1u);

  auto created = Events(a2.app.id, "app.created");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].actor_type, store::AuditActorType::kDeveloper);
  EXPECT_EQ(created[0].actor_id, ada.id);
  (void)b1;
}

TEST_F(ConsoleDeveloperTest, AccessByMembershipRoleOrOperator) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Developer("bob@example.com");
  store::User eve = Developer("eve@example.com");
  store::User op = Operator("op@example.com");
  ASSERT_TRUE(DeveloperConsoleService::IsOperator(op));
  ASSERT_FALSE(DeveloperConsoleService::IsOperator(ada));
  AppAccess owner = console_->CreateApp(ada, "acme", "Acme", DeveloperActor(ada)).value();
  ASSERT_TRUE(store_->AddAppMember({owner.app.id, bob.id, store::MemberRole::kMember, 0}).ok());

  EXPECT_EQ(console_->Access(ada, "acme").value().role, AccessRole::kOwner);
  AppAccess member = console_->Access(bob, "acme").value();
  EXPECT_EQ(member.role, AccessRole::kMember);
  EXPECT_FALSE(member.may_manage_members());
  EXPECT_EQ(member.app.id, owner.app.id);
  // A non-member gets exactly what an unknown app gets.
  auto none = console_->Access(eve, "acme");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(console_->Access(eve, "no-such-app").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(none.status().message(), console_->Access(eve, "no-such-app").status().message());

  // Operators see every app, the console app included; nobody else sees the console app.
  EXPECT_EQ(console_->Access(op, "acme").value().role, AccessRole::kOperator);
  EXPECT_EQ(console_->Access(op, "default").value().role, AccessRole::kOperator);
  AppAccess console_access = console_->Access(op, "console").value();
  EXPECT_EQ(console_access.role, AccessRole::kOperator);
  EXPECT_EQ(console_access.app.id, console_app_.id);
  EXPECT_TRUE(console_access.may_manage_members());
  EXPECT_EQ(console_->Access(ada, "console").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(console_->Access(eve, "console").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(console_->Access(ada, "default").status().code(), StatusCode::kNotFound);

  // A disabled app stays visible to its members (marked).
  ASSERT_TRUE(
      apps_->SetDisabled("acme", true, MakeActor(store::AuditActorType::kAdmin, op.id)).ok());
  AppAccess disabled = console_->Access(ada, "acme").value();
  EXPECT_TRUE(disabled.app.disabled);
  // A disabled operator is no operator.
  store::User stale_op = op;
  stale_op.disabled = true;
  EXPECT_FALSE(DeveloperConsoleService::IsOperator(stale_op));
  EXPECT_EQ(console_->Access(stale_op, "acme").status().code(), StatusCode::kNotFound);
}

TEST_F(ConsoleDeveloperTest, RemoveMemberKeepsTheLastOwner) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Developer("bob@example.com");
  store::User carol = Developer("carol@example.com");
  AppAccess owner = console_->CreateApp(ada, "acme", "Acme", DeveloperActor(ada)).value();
  ASSERT_TRUE(store_->AddAppMember({owner.app.id, carol.id, store::MemberRole::kMember, 0}).ok());

  Status last = console_->RemoveMember(owner, ada.id, DeveloperActor(ada));
  EXPECT_EQ(last.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->GetAppMember(owner.app.id, ada.id).ok());

  // A member cannot remove anyone.
  AppAccess as_carol = console_->Access(carol, "acme").value();
  EXPECT_EQ(console_->RemoveMember(as_carol, ada.id, DeveloperActor(carol)).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(console_->RemoveMember(owner, "not-a-member", DeveloperActor(ada)).code(),
            StatusCode::kNotFound);

  ASSERT_TRUE(store_->AddAppMember({owner.app.id, bob.id, store::MemberRole::kOwner, 0}).ok());
  // With two owners either may go; then the other is the last one.
  clock_.Advance(1000);
  EXPECT_TRUE(console_->RemoveMember(owner, bob.id, DeveloperActor(ada)).ok());
  EXPECT_EQ(store_->GetAppMember(owner.app.id, bob.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(console_->Access(bob, "acme").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(console_->RemoveMember(owner, ada.id, DeveloperActor(ada)).code(),
            StatusCode::kFailedPrecondition);
  clock_.Advance(1000);
  EXPECT_TRUE(console_->RemoveMember(owner, carol.id, DeveloperActor(ada)).ok());

  auto removed = Events(owner.app.id, "app.member_removed");
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].subject_id, bob.id);
  EXPECT_EQ(removed[0].actor_id, ada.id);
  EXPECT_EQ(json::parse(removed[0].details_json).at("role").as_string(), "owner");
  EXPECT_EQ(removed[1].subject_id, carol.id);
  EXPECT_EQ(json::parse(removed[1].details_json).at("role").as_string(), "member");
}

// The console app is nobody's app: a developer's list never shows it (and nobody can be
// invited to it: app_invitation_test.cc).
TEST_F(ConsoleDeveloperTest, ConsoleAppHasNoMembersAndIsInNoList) {
  store::User op = Operator("op@example.com");
  store::User dev = Developer("dev@example.com");
  EXPECT_EQ(console_->Access(op, "console").value().role, AccessRole::kOperator);
  std::vector<std::string> slugs;
  for (const auto& x : console_->ListApps(dev).value()) slugs.push_back(x.app.slug);
  EXPECT_THAT(slugs, Not(::testing::Contains("console")));
  EXPECT_TRUE(console_->Access(dev, "console").status().IsNotFound());
}

}  // namespace
}  // namespace tessera::services
