// The one refresh-token implementation (sessions/refresh_token_rotation.h), as the account API
// and the OAuth refresh grant both use it.
#include "sessions/refresh_token_rotation.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "crypto/random.h"
#include "tests/support/service_stack.h"

namespace tessera::services {
namespace {

constexpr char kPassword[] = "a sturdy passphrase";

class RefreshTokenRotationTest : public testing::Test,
                                 protected testing_support::ServiceStack {
 protected:
  void SetUp() override {
    testing_support::ServiceStackOptions o;
    o.audit = true;
    Build(o);
    SignupInput in;
    in.email = "ada@example.com";
    in.password = kPassword;
    user_ = accounts_->Signup(app_, std::move(in)).value();
  }

  // An "oauth" session of `client_id` with its first refresh token, as a code exchange makes.
  std::string OAuthSession(const std::string& client_id) {
    store::Session s;
    s.id = crypto::NewUuid();
    s.app_id = app_.id;
    s.user_id = user_.id;
    s.kind = store::SessionKind::kOAuth;
    s.client_id = client_id;
    s.created_at = s.last_used_at = clock_.NowMillis();
    s.expires_at = clock_.NowMillis() + 7200 * 1000;
    NewRefreshToken first = refresh_tokens_->First(app_, s);
    EXPECT_TRUE(store_->CreateSession(s, first.record).ok());
    return first.token;
  }

  std::vector<store::AuditEvent> ReuseEvents() {
    store::AuditFilter f;
    f.app_id = app_.id;
    f.action = "session.refresh_reuse";
    return audit_->List(f).value();
  }

  store::User user_;
  ClientInfo client_{"203.0.113.9", "RotationTest/1.0"};
};

TEST_F(RefreshTokenRotationTest, RotationSpendsTheTokenAndAReplayRevokesTheSession) {
  std::string first = sessions_->Login(app_, "ada@example.com", kPassword, client_)
                          .value().refresh_token;
  RotatedRefreshToken next = refresh_tokens_->Rotate(app_, "", first, client_).value();
  EXPECT_NE(next.refresh_token, first);
  EXPECT_EQ(next.user.id, user_.id);
  EXPECT_EQ(next.session.user_id, user_.id);

  auto replay = refresh_tokens_->Rotate(app_, "", first, client_);
  EXPECT_EQ(replay.status().code(), StatusCode::kUnauthenticated);
  // The replay ended the whole session: the live successor is dead too (RFC 9700 §4.14.2).
  EXPECT_EQ(refresh_tokens_->Rotate(app_, "", next.refresh_token, client_).status().code(),
            StatusCode::kUnauthenticated);
  auto live = store_->ListActiveSessions(app_.id, user_.id, clock_.NowMillis()).value();
  EXPECT_TRUE(live.empty());
  std::vector<store::AuditEvent> events = ReuseEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor_type, store::AuditActorType::kAnonymous);
  EXPECT_EQ(events[0].subject_id, user_.id);
  EXPECT_EQ(events[0].outcome, store::AuditOutcome::kFailure);
  EXPECT_EQ(events[0].ip, client_.ip);
}

TEST_F(RefreshTokenRotationTest, AReplayThroughAClientNamesTheClient) {
  std::string token = OAuthSession("photos");
  ASSERT_TRUE(refresh_tokens_->Rotate(app_, "photos", token, client_).ok());
  EXPECT_FALSE(refresh_tokens_->Rotate(app_, "photos", token, client_).ok());
  std::vector<store::AuditEvent> events = ReuseEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor_type, store::AuditActorType::kClient);
  EXPECT_EQ(events[0].actor_id, "photos");
}

TEST_F(RefreshTokenRotationTest, ATokenIsLiveOnlyForItsOwnClientAndIsNotSpentByAnother) {
  std::string token = OAuthSession("photos");
  // The account API ("") and another client get the same refusal, and spend nothing.
  EXPECT_EQ(refresh_tokens_->Rotate(app_, "", token, client_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(refresh_tokens_->Rotate(app_, "mail", token, client_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(refresh_tokens_->Rotate(app_, "photos", token, client_).ok());
  EXPECT_TRUE(ReuseEvents().empty());
}

TEST_F(RefreshTokenRotationTest, ADisabledUsersSessionIsRevokedAtTheNextRefresh) {
  std::string token = sessions_->Login(app_, "ada@example.com", kPassword, client_)
                          .value().refresh_token;
  ASSERT_TRUE(store_->UpdateUser(app_.id, user_.id, [](store::User& u) {
                       u.disabled = true;
                       return OkStatus();
                     }).ok());
  EXPECT_EQ(refresh_tokens_->Rotate(app_, "", token, client_).status().code(),
            StatusCode::kUnauthenticated);
  auto sessions = store_->ListActiveSessions(app_.id, user_.id, clock_.NowMillis()).value();
  EXPECT_TRUE(sessions.empty());
}

TEST_F(RefreshTokenRotationTest, MalformedForeignAndExpiredTokensAreRefusedAlike) {
  for (std::string bad : {std::string(), std::string("garbage"), std::string("tsr_unknown"),
                          "tsr_" + std::string(200, 'a'), std::string("tsr_\xff\xfe")}) {
    EXPECT_EQ(refresh_tokens_->Rotate(app_, "", bad, client_).status().code(),
              StatusCode::kUnauthenticated) << bad;
  }
  std::string token = sessions_->Login(app_, "ada@example.com", kPassword, client_)
                          .value().refresh_token;
  store::App other = apps_->Create("other", "Other").value();
  EXPECT_EQ(refresh_tokens_->Rotate(other, "", token, client_).status().code(),
            StatusCode::kUnauthenticated);
  clock_.Advance(3601 * 1000);  // past the refresh token's 1 h lifetime
  EXPECT_EQ(refresh_tokens_->Rotate(app_, "", token, client_).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_TRUE(ReuseEvents().empty());
}

TEST_F(RefreshTokenRotationTest, TheFirstTokenEndsNoLaterThanItsSession) {
  store::Session s;
  s.id = crypto::NewUuid();
  s.expires_at = clock_.NowMillis() + 60 * 1000;  // a session with a minute left
  NewRefreshToken t = refresh_tokens_->First(app_, s);
  EXPECT_EQ(t.record.expires_at, s.expires_at);
  EXPECT_EQ(t.record.session_id, s.id);
  EXPECT_TRUE(RefreshTokenRotation::IsShaped(t.token));
  EXPECT_NE(t.record.token_hash, t.token);  // stored hashed
}

}  // namespace
}  // namespace tessera::services
