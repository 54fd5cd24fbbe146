// Issue 11, item 7: console membership needs the invitee's consent. An owner's invitation
// mails a single-use link; nothing changes until the invited developer, signed in with that
// address, accepts. Inviting answers alike for any address (no account lookup).
#include "management/app_invitation_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <atomic>
#include <latch>
#include <regex>
#include <thread>

#include "tests/support/console_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_console;

class AppInvitationTest : public ConsoleFixture {
 protected:
  void SetUp() override {
    ConsoleFixture::SetUp();
    invitations_ = std::make_unique<AppInvitationService>(*store_, *store_, *store_, *store_,
                                                          *apps_, *mailer_, clock_, audit_.get());
  }

  // The token of the newest invitation mail to `to` ("" when none).
  std::string MailedToken(const std::string& to) {
    std::string token;
    for (const auto& m : store_->LeaseDueMail(clock_.NowMillis() + 1, 1000, 1).value()) {
      std::smatch hit;
      if (m.to_address == to && m.kind == "console_invitation" &&
          std::regex_search(m.text_body, hit, std::regex("invitations\\?token=(tinv_[A-Za-z0-9_-]+)"))) {
        token = hit[1];
      }
    }
    return token;
  }

  store::User Verified(std::string email) {
    store::User u = Developer(std::move(email));
    EXPECT_TRUE(store_->UpdateUser(console_app_.id, u.id, [](store::User& x) {
                        x.email_verified = true;
                        return OkStatus();
                      }).ok());
    return store_->GetUser(console_app_.id, u.id).value();
  }

  std::unique_ptr<AppInvitationService> invitations_;
};

TEST_F(AppInvitationTest, NobodyBecomesAMemberWithoutAccepting) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Developer("bob@example.com");
  AppAccess owner = console_->CreateApp(ada, "acme", "Acme", DeveloperActor(ada)).value();
  auto inv = invitations_->Invite(owner, "  BOB@Example.com ", "owner", DeveloperActor(ada));
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->email, "bob@example.com");
  EXPECT_EQ(store_->GetAppMember(owner.app.id, bob.id).status().code(), StatusCode::kNotFound)
      << "an invitation makes no member";
  EXPECT_EQ(console_->Access(bob, "acme").status().code(), StatusCode::kNotFound);
  const std::string token = MailedToken("bob@example.com");
  ASSERT_FALSE(token.empty()) << "no invitation mail";
  EXPECT_NE(store_->GetAppInvitation(inv->id).value().token_hash, token) << "stored hashed";

  // Someone else signed in holding the link cannot take it; nor can an unverified address
  // without the link.
  store::User eve = Developer("eve@example.com");
  EXPECT_EQ(invitations_->Accept(eve, "", token, DeveloperActor(eve)).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(invitations_->Accept(bob, inv->id, "", DeveloperActor(bob)).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(invitations_->ListMine(bob).value().empty());

  AppAccess joined = invitations_->Accept(bob, "", token, DeveloperActor(bob)).value();
  EXPECT_EQ(joined.role, AccessRole::kOwner);
  EXPECT_EQ(console_->Access(bob, "acme").value().role, AccessRole::kOwner);
  EXPECT_EQ(invitations_->Accept(bob, "", token, DeveloperActor(bob)).status().code(),
            StatusCode::kNotFound) << "single use";
  // Recorded within one clock tick: their order among equal times is not defined.
  std::vector<std::string> actions = Actions(owner.app.id);
  std::sort(actions.begin(), actions.end());
  EXPECT_EQ(actions, (std::vector<std::string>{"app.created", "app.invitation_accepted",
                                               "app.invitation_sent", "app.member_added"}));
  EXPECT_TRUE(NoEventContains(token));
}

TEST_F(AppInvitationTest, OnlyOwnersInviteAndTheAnswerIsTheSameForAnyAddress) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Developer("bob@example.com");
  Operator("op@example.com");
  MakeUser(app_, "enduser@example.com");
  AppAccess owner = console_->CreateApp(ada, "acme", "Acme", DeveloperActor(ada)).value();
  ASSERT_TRUE(store_->AddAppMember({owner.app.id, bob.id, store::MemberRole::kMember, 0}).ok());
  AppAccess as_bob = console_->Access(bob, "acme").value();
  EXPECT_EQ(invitations_->Invite(as_bob, "x@example.com", "member", DeveloperActor(bob))
                .status().code(),
            StatusCode::kPermissionDenied);
  // A console account, an operator, an end user of another app, nobody: all alike.
  for (const char* email : {"carol@example.com", "op@example.com", "enduser@example.com",
                            "nobody@example.com"}) {
    auto r = invitations_->Invite(owner, email, "member", DeveloperActor(ada));
    ASSERT_TRUE(r.ok()) << email << ": " << r.status().ToString();
    EXPECT_FALSE(MailedToken(email).empty()) << email;
  }
  EXPECT_EQ(invitations_->ListForApp(owner).value().size(), 4u);
  EXPECT_EQ(invitations_->ListForApp(as_bob).status().code(), StatusCode::kPermissionDenied);
  auto dup = invitations_->Invite(owner, "carol@example.com", "owner", DeveloperActor(ada));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(Fields(invitations_->Invite(owner, "not an address", "member", DeveloperActor(ada)).status()),
              ::testing::ElementsAre("email"));
  EXPECT_THAT(Fields(invitations_->Invite(owner, "z@example.com", "admin", DeveloperActor(ada)).status()),
              ::testing::ElementsAre("role"));
  AppAccess console_access = console_->Access(Operator("op2@example.com"), "console").value();
  EXPECT_EQ(invitations_->Invite(console_access, "z@example.com", "member", DeveloperActor(ada))
                .status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(AppInvitationTest, DeclineRevokeAndExpiry) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Verified("bob@example.com");
  AppAccess owner = console_->CreateApp(ada, "acme", "Acme", DeveloperActor(ada)).value();
  auto first = invitations_->Invite(owner, "bob@example.com", "member", DeveloperActor(ada)).value();
  // A verified address sees its invitations without the link.
  auto mine = invitations_->ListMine(bob).value();
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].app_name, "Acme");
  EXPECT_TRUE(invitations_->Decline(bob, first.id, "", DeveloperActor(bob)).ok());
  EXPECT_TRUE(invitations_->ListMine(bob).value().empty());
  EXPECT_EQ(store_->GetAppMember(owner.app.id, bob.id).status().code(), StatusCode::kNotFound);

  auto second = invitations_->Invite(owner, "bob@example.com", "member", DeveloperActor(ada)).value();
  EXPECT_TRUE(invitations_->Revoke(owner, second.id, DeveloperActor(ada)).ok());
  EXPECT_EQ(invitations_->Accept(bob, second.id, "", DeveloperActor(bob)).status().code(),
            StatusCode::kNotFound);

  auto third = invitations_->Invite(owner, "bob@example.com", "member", DeveloperActor(ada)).value();
  clock_.Advance(kInvitationTtlDays * 24 * 3600 * 1000 + 1);
  EXPECT_EQ(invitations_->Accept(bob, third.id, "", DeveloperActor(bob)).status().code(),
            StatusCode::kNotFound) << "expired";
  EXPECT_TRUE(invitations_->ListForApp(owner).value().empty());
  // An expired invitation no longer blocks a new one.
  EXPECT_TRUE(invitations_->Invite(owner, "bob@example.com", "member", DeveloperActor(ada)).ok());
  auto actions = Actions(owner.app.id);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "app.invitation_declined"), 1);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "app.invitation_revoked"), 1);
}

TEST_F(AppInvitationTest, LimitsPerAppAndPerInviter) {
  store::User ada = Developer("ada@example.com");
  AppAccess owner = console_->CreateApp(ada, "acme", "Acme", DeveloperActor(ada)).value();
  int sent = 0;
  for (int i = 0; i < 30; ++i) {
    auto r = invitations_->Invite(owner, "x" + std::to_string(i) + "@example.com", "member",
                                  DeveloperActor(ada));
    if (r.ok()) {
      ++sent;
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kRateLimited);
    }
  }
  EXPECT_EQ(sent, kMaxInvitationsPerHour);
  // The pending cap per app, across inviters and hours.
  for (int hour = 0; hour < 3; ++hour) {
    clock_.Advance(3600 * 1000 + 1);
    for (int i = 0; i < 20; ++i) {
      (void)invitations_->Invite(owner, "h" + std::to_string(hour) + "-" + std::to_string(i) + "@example.com",
                                 "member", DeveloperActor(ada));
    }
  }
  EXPECT_EQ(invitations_->ListForApp(owner).value().size(), kMaxPendingInvitationsPerApp);
}

// Two acceptances of one invitation at once: one membership, one winner.
TEST_F(AppInvitationTest, ConcurrentAcceptancesMakeOneMembership) {
  store::User ada = Developer("ada@example.com");
  store::User bob = Verified("bob@example.com");
  for (int i = 0; i < 10; ++i) {
    AppAccess owner = console_->CreateApp(ada, "acc-" + std::to_string(i), "Acc", DeveloperActor(ada)).value();
    auto inv = invitations_->Invite(owner, "bob@example.com", "member", DeveloperActor(ada)).value();
    std::latch start(2);
    std::atomic<int> ok{0};
    auto accept = [&] {
      start.arrive_and_wait();
      ok += invitations_->Accept(bob, inv.id, "", DeveloperActor(bob)).ok();
    };
    std::thread a(accept), b(accept);
    a.join();
    b.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_TRUE(store_->GetAppMember(owner.app.id, bob.id).ok());
  }
}

}  // namespace
}  // namespace tessera::services
