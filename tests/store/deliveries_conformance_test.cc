// DeliveryStore conformance, and the deliveries a session's end queues (session_store.h):
// back-channel logout tokens owed to clients, written in the revocation's own transaction.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kLogoutUri[] = "https://rp.example/backchannel";

OAuthClient LogoutClient(const App& app, const std::string& id, std::string uri = kLogoutUri) {
  OAuthClient c;
  c.client_id = id;
  c.app_id = app.id;
  c.name = id;
  c.secret_hash = std::string(64, 'c');
  c.redirect_uris = {"https://rp.example/cb"};
  c.grant_types = {"authorization_code", "refresh_token"};
  c.scopes = {"openid", "offline_access"};
  c.backchannel_logout_uri = std::move(uri);
  c.created_at = kT0;
  return c;
}

class DeliveriesTest : public StoreConformanceTest {
 protected:
  void SetUp() override {
    StoreConformanceTest::SetUp();
    app_ = AddApp("default");
    user_ = AddUser(app_, "ann@example.com");
    ASSERT_OK(store().CreateClient(LogoutClient(app_, "rp-1")));
    ASSERT_OK(store().CreateClient(LogoutClient(app_, "rp-2")));
    ASSERT_OK(store().CreateClient(LogoutClient(app_, "quiet", "")));  // no URI: never told
  }

  Session Browser() {
    Session b = MakeBrowserSession(user_, kT0, kT0 + kDay);
    EXPECT_OK(store().CreateBrowserSession(b, "cookie-" + b.id));
    return b;
  }
  // A grant of `client` started from `parent` ("" = none); offline when `scope` says so.
  Session Grant(const std::string& client, const std::string& parent,
                std::string scope = "openid profile") {
    Session s = MakeOAuthSession(user_, client, kT0, kT0 + 30 * kDay);
    s.scope = std::move(scope);
    s.parent_id = parent;
    EXPECT_OK(store().CreateSession(s, std::nullopt));
    return s;
  }
  std::vector<Delivery> All() {
    auto list = store().ListDeliveries(app_.id, "", 100);
    EXPECT_OK(list);
    return list.ok() ? *list : std::vector<Delivery>{};
  }
  std::set<std::string> SessionsTold() {
    std::set<std::string> out;
    for (const Delivery& d : All()) out.insert(d.client_id + ":" + d.session_id);
    return out;
  }
  bool Live(const Session& s, UnixMillis now) {
    auto got = store().GetSession(app_.id, s.id);
    return got.ok() && !got->revoked_at && got->expires_at > now;
  }

  App app_;
  User user_;
};

TEST_P(DeliveriesTest, EndingABrowserSessionEndsItsGrantsButOfflineOnesAndTellsTheirClients) {
  Session browser = Browser();
  Session online = Grant("rp-1", browser.id);
  Session offline = Grant("rp-2", browser.id, "openid offline_access");
  Session quiet = Grant("quiet", browser.id);
  Session elsewhere = Grant("rp-1", "");  // a device's grant: not the browser's
  const UnixMillis now = kT0 + kHour;

  ASSERT_OK(store().RevokeSessionById(app_.id, browser.id, RevokeReason::kLogout, now));
  EXPECT_FALSE(Live(online, now));
  EXPECT_FALSE(Live(quiet, now));
  EXPECT_TRUE(Live(offline, now));    // OIDC Core §11: offline access outlives the sign-in
  EXPECT_TRUE(Live(elsewhere, now));
  auto ended = store().GetSession(app_.id, online.id);
  ASSERT_OK(ended);
  EXPECT_EQ(ended->revoked_reason, RevokeReason::kLogout);

  EXPECT_THAT(SessionsTold(), UnorderedElementsAre("rp-1:" + online.id, "rp-2:" + offline.id));
  for (const Delivery& d : All()) {
    EXPECT_EQ(d.kind, DeliveryKind::kBackchannelLogout);
    EXPECT_EQ(d.state, DeliveryState::kPending);
    EXPECT_EQ(d.user_id, user_.id);
    EXPECT_EQ(d.app_id, app_.id);
    EXPECT_EQ(d.attempts, 0);
    EXPECT_EQ(d.created_at, now);
    EXPECT_EQ(d.next_attempt_at, now);
  }
  // The offline grant ending later is a second, separate notice.
  ASSERT_OK(store().RevokeSessionById(app_.id, offline.id, RevokeReason::kRevokedByUser, now + 1));
  EXPECT_EQ(All().size(), 3u);
}

TEST_P(DeliveriesTest, EveryWayAGrantEndsTellsItsClientOnce) {
  Session a = Grant("rp-1", "");
  Session b = Grant("rp-2", "");
  Session c = Grant("rp-1", "");
  Session d = Grant("rp-2", "");
  const UnixMillis now = kT0 + kHour;
  ASSERT_OK(store().RevokeSession(app_.id, user_.id, a.id, RevokeReason::kRevokedByUser, now));
  auto n = store().RevokeClientSessions(app_.id, user_.id, "rp-2", RevokeReason::kAuthorizationRevoked, now);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2);
  ASSERT_OK(store().RevokeUserSessions(app_.id, user_.id, "", RevokeReason::kAdminLogout, now));
  EXPECT_THAT(SessionsTold(), UnorderedElementsAre("rp-1:" + a.id, "rp-2:" + b.id,
                                                   "rp-1:" + c.id, "rp-2:" + d.id));
  // Ending them again (already ended) queues nothing more.
  ASSERT_OK(store().RevokeUserSessions(app_.id, user_.id, "", RevokeReason::kAdminLogout, now));
  EXPECT_EQ(All().size(), 4u);
}

TEST_P(DeliveriesTest, AClientThatEndedTheGrantItselfOrIsGoneIsNotTold) {
  Session revoked_by_client = Grant("rp-1", "");
  Session of_revoked_client = Grant("rp-2", "");
  const UnixMillis now = kT0 + kHour;
  ASSERT_OK(store().RevokeSessionById(app_.id, revoked_by_client.id, RevokeReason::kTokenRevoked, now));
  ASSERT_OK(store().RevokeSessionById(app_.id, of_revoked_client.id, RevokeReason::kClientRevoked, now));
  EXPECT_THAT(All(), IsEmpty());
}

TEST_P(DeliveriesTest, AdoptedGrantsEndWithTheirNewBrowserSession) {
  Session old_browser = Browser();
  Session grant = Grant("rp-1", old_browser.id);
  Session new_browser = Browser();
  ASSERT_OK(store().AdoptChildSessions(app_.id, old_browser.id, new_browser.id));
  ASSERT_OK(store().RevokeSessionById(app_.id, old_browser.id, RevokeReason::kReplaced, kT0 + 1));
  EXPECT_TRUE(Live(grant, kT0 + 1));
  EXPECT_THAT(All(), IsEmpty());
  ASSERT_OK(store().RevokeSessionById(app_.id, new_browser.id, RevokeReason::kLogout, kT0 + 2));
  EXPECT_FALSE(Live(grant, kT0 + 2));
  EXPECT_THAT(SessionsTold(), ElementsAre("rp-1:" + grant.id));
}

TEST_P(DeliveriesTest, LeaseFinishRetryAndList) {
  Session a = Grant("rp-1", "");
  Session b = Grant("rp-2", "");
  ASSERT_OK(store().RevokeSessionById(app_.id, a.id, RevokeReason::kLogout, kT0 + 10));
  ASSERT_OK(store().RevokeSessionById(app_.id, b.id, RevokeReason::kLogout, kT0 + 20));
  auto pending = store().CountPendingDeliveries();
  ASSERT_OK(pending);
  EXPECT_EQ(*pending, 2);

  EXPECT_THAT(*store().LeaseDueDeliveries(kT0 + 5, 10, kMinute), IsEmpty());  // not due yet
  auto leased = store().LeaseDueDeliveries(kT0 + 30, 10, kMinute);
  ASSERT_OK(leased);
  ASSERT_EQ(leased->size(), 2u);
  EXPECT_EQ((*leased)[0].session_id, a.id);  // oldest first
  EXPECT_EQ((*leased)[0].attempts, 1);
  EXPECT_EQ((*leased)[0].next_attempt_at, kT0 + 30 + kMinute);
  EXPECT_THAT(*store().LeaseDueDeliveries(kT0 + 31, 10, kMinute), IsEmpty());  // leased

  const std::string error = "the receiver answered 503 \xC3\xA9";
  ASSERT_OK(store().FinishAttempt((*leased)[0].id,
                                  {.state = DeliveryState::kPending, .status = 503,
                                   .error = error, .retry_at = kT0 + kHour},
                                  kT0 + 40));
  ASSERT_OK(store().FinishAttempt((*leased)[1].id,
                                  {.state = DeliveryState::kDelivered, .status = 200}, kT0 + 41));
  // Finished is final: a late attempt's end (another node's, after the lease) changes nothing.
  ASSERT_OK(store().FinishAttempt((*leased)[1].id,
                                  {.state = DeliveryState::kFailed, .status = 500}, kT0 + 42));
  EXPECT_CODE(store().FinishAttempt("no-such", {.state = DeliveryState::kDelivered}, kT0),
              StatusCode::kNotFound);

  auto list = store().ListDeliveries(app_.id, "", 10);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  const Delivery& newest = (*list)[0];
  EXPECT_EQ(newest.session_id, b.id);
  EXPECT_EQ(newest.state, DeliveryState::kDelivered);
  EXPECT_EQ(newest.last_status, 200);
  EXPECT_EQ(newest.finished_at, kT0 + 41);
  const Delivery& retried = (*list)[1];
  EXPECT_EQ(retried.state, DeliveryState::kPending);
  EXPECT_EQ(retried.last_status, 503);
  EXPECT_EQ(retried.last_error, error);
  EXPECT_EQ(retried.next_attempt_at, kT0 + kHour);
  EXPECT_FALSE(retried.finished_at);
  auto one_client = store().ListDeliveries(app_.id, "rp-1", 10);
  ASSERT_OK(one_client);
  ASSERT_EQ(one_client->size(), 1u);
  EXPECT_EQ((*one_client)[0].session_id, a.id);
  App other = AddApp("other");
  EXPECT_THAT(*store().ListDeliveries(other.id, "", 10), IsEmpty());

  auto again = store().LeaseDueDeliveries(kT0 + kHour, 10, kMinute);
  ASSERT_OK(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].attempts, 2);

  // Finished deliveries go a week after they finished; pending ones stay.
  ASSERT_OK(store().CollectGarbage(kT0 + 8 * kDay));
  auto left = store().ListDeliveries(app_.id, "", 10);
  ASSERT_OK(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].session_id, a.id);
}

TEST_P(DeliveriesTest, ConcurrentLeasesNeverShareADelivery) {
  constexpr int kGrants = 30;
  constexpr int kThreads = 6;
  for (int i = 0; i < kGrants; ++i) {
    Session s = Grant(i % 2 ? "rp-1" : "rp-2", "");
    ASSERT_OK(store().RevokeSessionById(app_.id, s.id, RevokeReason::kAdminLogout, kT0 + i));
  }
  std::vector<std::vector<std::string>> got(kThreads);
  RunConcurrently(kThreads, [&](int i) {
    for (;;) {
      auto leased = store().LeaseDueDeliveries(kT0 + kHour, 2, kHour);
      if (!leased.ok() || leased->empty()) return;
      for (const auto& d : *leased) got[i].push_back(d.id);
    }
  });
  std::multiset<std::string> ids;
  for (const auto& g : got) ids.insert(g.begin(), g.end());
  EXPECT_EQ(ids.size(), static_cast<size_t>(kGrants));
  for (const auto& id : ids) EXPECT_EQ(ids.count(id), 1u) << id << " leased twice";
}

INSTANTIATE_TEST_SUITE_P(Backends, DeliveriesTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace tessera::store::test
