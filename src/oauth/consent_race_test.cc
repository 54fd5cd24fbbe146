// Issue 11, item 12 (c): recording consent is one atomic merge. Users consenting to different
// scopes of one client at once (two tabs) keep every scope: threads against a real SQLite
// file. The store's merge runs on both engines in tests/store/authorization_conformance_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/oauth_fixture.h"

namespace tessera::services {
namespace {

using namespace testing_oauth;

class ConsentRaceTest : public OAuthFixture {};

TEST_F(ConsentRaceTest, ConcurrentConsentsToDifferentScopesAreAllKept) {
  store::OAuthClient photos = Confidential("Photos");
  const std::vector<std::string> scopes = {"openid profile", "openid email",
                                           "openid offline_access"};
  std::vector<ValidAuthorization> requests;
  for (const auto& s : scopes) requests.push_back(Valid(BaseParams(photos, s)));
  int lost = 0;
  for (int i = 0; i < 40; ++i) {
    store::User u = SignUp("user" + std::to_string(i) + "@example.com");
    std::latch start(static_cast<std::ptrdiff_t>(requests.size()));
    std::vector<std::thread> threads;
    for (const auto& r : requests) {
      threads.emplace_back([&, &r = r] {
        start.arrive_and_wait();
        EXPECT_TRUE(authz_->RecordConsent(app_, u.id, r).ok());
      });
    }
    for (auto& t : threads) t.join();
    std::vector<std::string> kept = store_->GetConsent(app_.id, u.id, photos.client_id).value().scopes;
    for (const char* want : {"openid", "profile", "email", "offline_access"}) {
      if (std::find(kept.begin(), kept.end(), want) == kept.end()) ++lost;
    }
  }
  EXPECT_EQ(lost, 0) << "scopes granted but not remembered";
}

}  // namespace
}  // namespace tessera::services
