// Apps (AppService) over a real (SQLite) store and a manual clock: create, find, list,
// update name and settings, disable and enable — with the audit events each records.
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

class ConsoleAppServiceTest : public ConsoleFixture {};

TEST_F(ConsoleAppServiceTest, CreateFindAndListAll) {
  Actor actor{store::AuditActorType::kDeveloper, "dev-1", "203.0.113.7", "Console/1.0"};
  store::App a = apps_->Create("acme", "Acme", actor).value();
  EXPECT_EQ(a.slug, "acme");
  EXPECT_EQ(a.name, "Acme");
  EXPECT_FALSE(a.disabled);
  EXPECT_EQ(a.created_at, kStart);

  store::App found = apps_->Find("acme").value();
  EXPECT_EQ(found.id, a.id);
  EXPECT_EQ(apps_->Find("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(apps_->Find("Bad Slug").status().code(), StatusCode::kNotFound);

  auto taken = apps_->Create("acme", "Again", actor);
  EXPECT_EQ(taken.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(Fields(taken.status()), ElementsAre("slug"));
  EXPECT_THAT(Fields(apps_->Create("-bad", "X", actor).status()), ElementsAre("slug"));
  EXPECT_THAT(Fields(apps_->Create("ok-slug", "", actor).status()), ElementsAre("name"));
  EXPECT_THAT(Fields(apps_->Create("ok-slug", "two\nlines", actor).status()), ElementsAre("name"));

  std::vector<std::string> slugs;
  for (const auto& x : apps_->ListAll().value()) slugs.push_back(x.slug);
  EXPECT_THAT(slugs, UnorderedElementsAre("default", "console", "acme"));

  auto created = Events(a.id, "app.created");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].actor_type, store::AuditActorType::kDeveloper);
  EXPECT_EQ(created[0].actor_id, "dev-1");
  EXPECT_EQ(created[0].subject_id, a.id);
  EXPECT_EQ(created[0].ip, "203.0.113.7");
}

TEST_F(ConsoleAppServiceTest, UpdateChangesNameAndSettingsAndAuditsNamesOnly) {
  store::App a = NewApp("acme", "Acme");
  Actor actor = MakeActor(store::AuditActorType::kDeveloper, "dev-1");
  store::AppSettings s;
  s.password_min_length = 12;
  s.mail_sender_name = "Acme Support";
  clock_.Advance(1000);
  store::App updated = apps_->Update("acme", std::string("Acme Corp"), s, actor).value();
  EXPECT_EQ(updated.name, "Acme Corp");
  store::AppSettings stored = apps_->Find("acme").value().settings;
  EXPECT_EQ(stored.password_min_length, 12);
  EXPECT_EQ(stored.mail_sender_name, "Acme Support");
  EXPECT_EQ(apps_->Find("acme").value().name, "Acme Corp");
  // The cache is dropped: Resolve sees the change at once.
  EXPECT_EQ(apps_->Resolve("acme").value().settings.password_min_length, 12);

  // A second change: only what differs is named.
  clock_.Advance(1000);
  s.accent_color = "#1a73e8";
  s.password_min_length = 10;
  ASSERT_TRUE(apps_->Update("acme", std::nullopt, s, actor).ok());

  auto events = Events(a.id, "app.settings_changed");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].actor_type, store::AuditActorType::kDeveloper);
  EXPECT_EQ(events[1].actor_id, "dev-1");
  EXPECT_EQ(events[1].subject_type, store::AuditSubjectType::kApp);
  EXPECT_EQ(events[1].subject_id, a.id);
  EXPECT_THAT(ChangedNames(events[1]), UnorderedElementsAre("accent_color", "password_min_length"));
  // Never the values.
  for (const auto& e : events) {
    EXPECT_THAT(e.details_json, Not(HasSubstr("Acme Support")));
    EXPECT_THAT(e.details_json, Not(HasSubstr("#1a73e8")));
    EXPECT_THAT(e.details_json, Not(HasSubstr("12")));
    EXPECT_THAT(e.details_json, Not(HasSubstr("Acme Corp")));
  }
  EXPECT_THAT(ChangedNames(events[0]),
              UnorderedElementsAre("name", "password_min_length", "mail_sender_name"));
}

TEST_F(ConsoleAppServiceTest, FirstUpdateOfAFreshAppNamesOnlyRealChanges) {
  store::App a = NewApp("acme", "Acme");  // every member at its default
  store::AppSettings s;
  s.password_min_length = 12;
  ASSERT_TRUE(
      apps_->Update("acme", std::nullopt, s, MakeActor(store::AuditActorType::kDeveloper, "dev-1"))
          .ok());
  auto events = Events(a.id, "app.settings_changed");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_THAT(ChangedNames(events[0]), ElementsAre("password_min_length"));
}

TEST_F(ConsoleAppServiceTest, InvalidUpdateLeavesTheAppUnchanged) {
  store::App a = NewApp("acme", "Acme");
  store::AppSettings good;
  good.accent_color = "#000000";
  ASSERT_TRUE(apps_
                  ->Update("acme", std::nullopt, good,
                           MakeActor(store::AuditActorType::kDeveloper, "dev-1"))
                  .ok());
  store::AppSettings before = apps_->Find("acme").value().settings;
  size_t events_before = Events(a.id).size();

  store::AppSettings bad = good;
  bad.password_min_length = 7;
  bad.display_name = "New name";
  auto r = apps_->Update("acme", std::string("Renamed"), bad,
                         MakeActor(store::AuditActorType::kDeveloper, "dev-1"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(r.status()), ElementsAre("password_min_length"));
  // A bad name with good settings is refused too.
  r = apps_->Update("acme", std::string(""), good,
                    MakeActor(store::AuditActorType::kDeveloper, "dev-1"));
  EXPECT_THAT(Fields(r.status()), ElementsAre("name"));

  store::App after = apps_->Find("acme").value();
  EXPECT_EQ(after.name, "Acme");
  EXPECT_EQ(after.settings, before);
  EXPECT_EQ(Events(a.id).size(), events_before);  // nothing recorded
  EXPECT_EQ(apps_->Update("nope", std::nullopt, good, Actor{}).status().code(),
            StatusCode::kNotFound);
}

TEST_F(ConsoleAppServiceTest, DisabledAppIsNotFoundUntilEnabledAgain) {
  store::App a = NewApp("acme", "Acme");
  ASSERT_TRUE(apps_->Resolve("acme").ok());  // cached now
  Actor op{store::AuditActorType::kAdmin, "op-1", "192.0.2.1", "Admin/1.0"};

  store::App off = apps_->SetDisabled("acme", true, op).value();
  EXPECT_TRUE(off.disabled);
  EXPECT_EQ(apps_->Resolve("acme").status().code(), StatusCode::kNotFound);
  // The consoles still see it, marked.
  EXPECT_TRUE(apps_->Find("acme").value().disabled);

  clock_.Advance(1000);
  store::App on = apps_->SetDisabled("acme", false, op).value();
  EXPECT_FALSE(on.disabled);
  EXPECT_EQ(apps_->Resolve("acme").value().id, a.id);

  EXPECT_EQ(apps_->SetDisabled("nope", true, op).status().code(), StatusCode::kNotFound);
  // Nobody could sign in to undo it: the console app cannot be disabled.
  EXPECT_EQ(apps_->SetDisabled("console", true, op).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(apps_->Find("console").value().disabled);
  EXPECT_TRUE(apps_->Resolve("console").ok());

  auto disabled = Events(a.id, "app.disabled");
  auto enabled = Events(a.id, "app.enabled");
  ASSERT_EQ(disabled.size(), 1u);
  ASSERT_EQ(enabled.size(), 1u);
  EXPECT_EQ(disabled[0].actor_type, store::AuditActorType::kAdmin);
  EXPECT_EQ(disabled[0].actor_id, "op-1");
  EXPECT_EQ(disabled[0].subject_id, a.id);
  EXPECT_EQ(disabled[0].at, kStart);
  EXPECT_EQ(enabled[0].actor_id, "op-1");
  EXPECT_EQ(enabled[0].at, kStart + 1000);
}

// Two nodes on one database: a change made on one is published as a notice (NOTIFY on
// PostgreSQL) and the other drops its cached copy at once, not after the cache lifetime.
TEST_F(ConsoleAppServiceTest, AnotherNodeSeesAChangeAtItsNextRequest) {
  ChangeNotices notices1, notices2;
  notices1.SetTransport([&](std::string_view p) { notices2.Deliver(p); });
  notices2.SetTransport([&](std::string_view p) { notices1.Deliver(p); });
  AppService node1(*store_, clock_, "https://id.example");
  AppService node2(*store_, clock_, "https://id.example");
  node1.FollowChanges(notices1);
  node2.FollowChanges(notices2);
  NewApp("acme", "Acme");
  ASSERT_TRUE(node2.Resolve("acme").ok());  // cached on node 2
  Actor op{store::AuditActorType::kAdmin, "op-1", "", ""};

  ASSERT_TRUE(node1.SetDisabled("acme", true, op).ok());
  EXPECT_EQ(node2.Resolve("acme").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(node1.SetDisabled("acme", false, op).ok());
  store::AppSettings settings = node2.Resolve("acme").value().settings;
  settings.access_token_ttl_s = 120;
  ASSERT_TRUE(node1.Update("acme", std::string("Acme 2"), settings, op).ok());
  store::App seen = node2.Resolve("acme").value();
  EXPECT_EQ(seen.name, "Acme 2");
  EXPECT_EQ(seen.settings.access_token_ttl_s, 120);

  // With no transport (a lost notice) the other node's copy lives out its few seconds.
  notices1.SetTransport(nullptr);
  ASSERT_TRUE(node1.SetDisabled("acme", true, op).ok());
  EXPECT_TRUE(node2.Resolve("acme").ok());
  clock_.Advance(5000);
  EXPECT_EQ(node2.Resolve("acme").status().code(), StatusCode::kNotFound);

  // A reconnecting listener drops everything (DeliverAll).
  ASSERT_TRUE(node1.SetDisabled("acme", false, op).ok());
  clock_.Advance(5000);
  ASSERT_TRUE(node2.Resolve("acme").ok());
  notices1.SetTransport([&](std::string_view p) { notices2.Deliver(p); });
  ASSERT_TRUE(store_->UpdateApp(seen.id, [](store::App& a) {
                      a.disabled = true;
                      return OkStatus();
                    }).ok());
  notices2.DeliverAll();
  EXPECT_EQ(node2.Resolve("acme").status().code(), StatusCode::kNotFound);
}

}  // namespace
TEST(SlugFromNameTest, LowercaseDashesAndAlwaysAValidSlug) {
  EXPECT_EQ(SlugFromName("Acme Notes"), "acme-notes");
  EXPECT_EQ(SlugFromName("  Acme   Notes!! 2 "), "acme-notes-2");
  EXPECT_EQ(SlugFromName("Café Olé"), "caf-ol");
  EXPECT_EQ(SlugFromName("!!!"), "app");
  EXPECT_EQ(SlugFromName(""), "app");
  std::string longest = SlugFromName(std::string(200, 'a'));
  EXPECT_EQ(longest.size(), 50u);
  for (const char* name : {"-x-", "A--B", "日本語", "x y z", "Ünïcode App"}) {
    EXPECT_TRUE(IsValidSlug(SlugFromName(name))) << name;
  }
}

}  // namespace tessera::services
