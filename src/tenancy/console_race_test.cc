// Issue 11, item 12: the console's multi-step writes are atomic. Threads against a real
// SQLite file (the store's reader pool sees every committed step): an app is never visible
// without its owner, and owners removing each other at once never leave an app ownerless.
// The store's side of each rule runs on both engines in tests/store/app_members_conformance_test.cc.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/console_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_console;

class ConsoleRaceTest : public ConsoleFixture {
 protected:
  // Owners left in the app, as stored.
  size_t Owners(const std::string& app_id) {
    size_t n = 0;
    for (const auto& m : store_->ListAppMembers(app_id).value()) {
      n += m.role == store::MemberRole::kOwner;
    }
    return n;
  }
};

// Runs a(), b() on two threads released together.
template <typename A, typename B>
void AtOnce(const A& a, const B& b) {
  std::latch start(2);
  std::thread ta([&] { start.arrive_and_wait(); a(); });
  std::thread tb([&] { start.arrive_and_wait(); b(); });
  ta.join();
  tb.join();
}

TEST_F(ConsoleRaceTest, AnAppIsNeverSeenWithoutItsOwner) {
  store::User ada = Developer("ada@example.com");
  constexpr int kApps = 60;
  std::atomic<bool> done{false};
  std::atomic<int> ownerless{0};
  std::thread watcher([&] {
    while (!done.load()) {
      for (int i = 0; i < kApps; ++i) {
        auto app = store_->GetAppBySlug("race-" + std::to_string(i));
        if (!app.ok()) continue;
        auto members = store_->ListAppMembers(app->id);
        if (members.ok() && members->empty()) ++ownerless;
      }
    }
  });
  for (int i = 0; i < kApps; ++i) {
    ASSERT_TRUE(console_->CreateApp(ada, "race-" + std::to_string(i), "Race", DeveloperActor(ada)).ok());
  }
  done = true;
  watcher.join();
  EXPECT_EQ(ownerless.load(), 0) << "times an app was visible with no owner";
}

TEST_F(ConsoleRaceTest, AFailedOwnerLeavesNoApp) {
  // The developer's account went away between sign-in and the request (their session is
  // stale): the owner cannot be added, so the app must not be created either.
  store::User ghost = Developer("ghost@example.com");
  ASSERT_TRUE(store_->DeleteUser(console_app_.id, ghost.id).ok());
  auto created = console_->CreateApp(ghost, "orphan", "Orphan", DeveloperActor(ghost));
  EXPECT_FALSE(created.ok());
  EXPECT_EQ(apps_->Find("orphan").status().code(), StatusCode::kNotFound)
      << "the slug stays taken by an app nobody owns";
}

TEST_F(ConsoleRaceTest, OwnersRemovingEachOtherAtOnceKeepOneOwner) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Developer("bob@example.com");
  int ownerless = 0;
  for (int i = 0; i < 40; ++i) {
    AppAccess created = console_->CreateApp(ada, "two-" + std::to_string(i), "Two", DeveloperActor(ada)).value();
    ASSERT_TRUE(store_->AddAppMember({created.app.id, bob.id, store::MemberRole::kOwner, clock_.NowMillis()}).ok());
    AppAccess as_ada = console_->Access(ada, created.app.slug).value();
    AppAccess as_bob = console_->Access(bob, created.app.slug).value();
    AtOnce([&] { (void)console_->RemoveMember(as_ada, bob.id, DeveloperActor(ada)); },
           [&] { (void)console_->RemoveMember(as_bob, ada.id, DeveloperActor(bob)); });
    ownerless += Owners(created.app.id) == 0;
  }
  EXPECT_EQ(ownerless, 0) << "apps left without an owner";
}

// Issue 11, item 7 (in part): anyone may leave, except the last owner.
TEST_F(ConsoleRaceTest, AMemberMayLeaveButTheLastOwnerMayNot) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Developer("bob@example.com");
  AppAccess app = console_->CreateApp(ada, "leave-me", "Leave", DeveloperActor(ada)).value();
  ASSERT_TRUE(store_->AddAppMember({app.app.id, bob.id, store::MemberRole::kMember, clock_.NowMillis()}).ok());
  AppAccess as_bob = console_->Access(bob, "leave-me").value();
  EXPECT_EQ(console_->RemoveMember(as_bob, ada.id, DeveloperActor(bob)).code(),
            StatusCode::kPermissionDenied);  // a member removes nobody else
  EXPECT_TRUE(console_->RemoveMember(as_bob, bob.id, DeveloperActor(bob)).ok());
  EXPECT_EQ(console_->Access(bob, "leave-me").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(console_->RemoveMember(app, ada.id, DeveloperActor(ada)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Owners(app.app.id), 1u);
}

// Issue 11, item 7 (in part): memberships in others' apps do not use up the app cap.
TEST_F(ConsoleRaceTest, TheAppCapCountsOnlyOwnedApps) {
  store::User ada = Developer("ada@example.com");
  for (size_t i = 0; i < kMaxAppsPerDeveloper; ++i) {
    store::App other = NewApp("theirs-" + std::to_string(i));
    ASSERT_TRUE(store_->AddAppMember({other.id, ada.id, store::MemberRole::kMember, clock_.NowMillis()}).ok());
  }
  EXPECT_TRUE(console_->CreateApp(ada, "mine", "Mine", DeveloperActor(ada)).ok());
}

}  // namespace
}  // namespace tessera::services
