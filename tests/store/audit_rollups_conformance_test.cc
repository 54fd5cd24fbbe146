// The audit log counted by day (AuditStore::RollUpAuditDay and friends, audit/insights.h):
// each app's sign-ups, sign-ins (by method), failures and active users of a day, counted once
// into the rollup, or live for today — the same numbers either way.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "audit/insights.h"
#include "base/clock.h"
#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int64_t kDay0 = kT0 / kDayMs;  // a day number

class AuditRollupsTest : public StoreConformanceTest {
 protected:
  void SetUp() override {
    StoreConformanceTest::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL server given
    a_ = AddApp("default");
    b_ = AddApp("other");
  }

  void Event(const App& app, int64_t day, AuditAction action, std::string user,
             std::string details = "{}", AuditOutcome outcome = AuditOutcome::kSuccess) {
    AuditEvent e;
    e.id = "ev" + std::to_string(++seq_);
    e.app_id = app.id;
    e.at = day * kDayMs + 1000 * seq_;
    e.action = action;
    e.actor_type = AuditActorType::kUser;
    e.actor_id = user;
    e.subject_type = AuditSubjectType::kUser;
    e.subject_id = user;
    e.outcome = outcome;
    e.details_json = std::move(details);
    ASSERT_OK(store().AppendAuditEvent(e));
  }
  void Login(const App& app, int64_t day, std::string user, std::string method = "password") {
    Event(app, day, AuditAction::kUserLogin, std::move(user), R"({"method":")" + method + R"("})");
  }

  // metric/key → value of one day's counters.
  static std::map<std::string, int64_t> ByName(const std::vector<AuditDayCount>& counts, int64_t day) {
    std::map<std::string, int64_t> out;
    for (const auto& c : counts) {
      if (c.day == day) out[c.metric + (c.key.empty() ? "" : ":" + c.key)] = c.value;
    }
    return out;
  }

  App a_, b_;
  int seq_ = 0;
};

TEST_P(AuditRollupsTest, ADayIsCountedOnceAndTheSameAsLive) {
  Event(a_, kDay0, AuditAction::kUserSignup, "u1");
  Event(a_, kDay0, AuditAction::kUserCreated, "u2");
  Login(a_, kDay0, "u1");
  Login(a_, kDay0, "u1", "github");
  Login(a_, kDay0, "u2", "passkey");
  Event(a_, kDay0, AuditAction::kUserLoginFailed, "", R"({"reason":"bad_password"})",
        AuditOutcome::kFailure);
  Event(a_, kDay0, AuditAction::kUserLogin, "u3", R"({"method":"password"})", AuditOutcome::kFailure);
  Event(a_, kDay0, AuditAction::kUserPasswordChanged, "u1");  // not counted
  Login(b_, kDay0, "v1");
  Event(a_, kDay0 + 1, AuditAction::kUserSignup, "u9");  // the next day

  auto live = store().CountAuditDay(a_.id, kDay0);
  ASSERT_OK(live);
  const std::map<std::string, int64_t> expected = {
      {"signups", 2}, {"logins", 3}, {"logins_failed", 1}, {"dau", 2}, {"mau", 2},
      {"login_method:password", 1}, {"login_method:github", 1}, {"login_method:passkey", 1}};
  EXPECT_EQ(ByName(*live, kDay0), expected);

  auto rolled = store().RollUpAuditDay(kDay0, kT0 + 5 * kDayMs);
  ASSERT_OK(rolled);
  EXPECT_TRUE(*rolled);
  auto again = store().RollUpAuditDay(kDay0, kT0 + 5 * kDayMs);
  ASSERT_OK(again);
  EXPECT_FALSE(*again);  // once
  auto counts = store().ListAuditDayCounts(a_.id, kDay0, kDay0 + 10);
  ASSERT_OK(counts);
  EXPECT_EQ(ByName(*counts, kDay0), expected);
  EXPECT_EQ(ByName(*counts, kDay0 + 1), (std::map<std::string, int64_t>{}));  // not rolled up yet
  EXPECT_EQ(*store().LastRolledUpAuditDay(), kDay0);
  EXPECT_EQ(*store().FirstAuditEventDay(), kDay0);

  // Every app together.
  auto all = store().ListAuditDayCounts(std::nullopt, kDay0, kDay0);
  ASSERT_OK(all);
  EXPECT_EQ(ByName(*all, kDay0)["logins"], 4);
  EXPECT_EQ(ByName(*all, kDay0)["dau"], 3);
  auto other = store().ListAuditDayCounts(b_.id, kDay0, kDay0);
  EXPECT_EQ(ByName(*other, kDay0)["logins"], 1);
}

TEST_P(AuditRollupsTest, MonthlyActiveUsersAreTheDistinctOnesOfThirtyDays) {
  Login(a_, kDay0, "u1");
  Login(a_, kDay0 + 1, "u1");
  Login(a_, kDay0 + 1, "u2");
  Login(a_, kDay0 + 29, "u3");
  Login(a_, kDay0 + 30, "u3");
  for (int64_t d = kDay0; d <= kDay0 + 29; ++d) ASSERT_OK(store().RollUpAuditDay(d, kT0));
  auto counts = store().ListAuditDayCounts(a_.id, kDay0, kDay0 + 29);
  ASSERT_OK(counts);
  EXPECT_EQ(ByName(*counts, kDay0 + 1)["mau"], 2);
  EXPECT_EQ(ByName(*counts, kDay0 + 1)["dau"], 2);
  EXPECT_EQ(ByName(*counts, kDay0 + 29)["mau"], 3);  // u1, u2 (days 0, 1) and u3
  // Day 30 (live): day 0 has left the window; u1 still counts by day 1.
  auto live = store().CountAuditDay(a_.id, kDay0 + 30);
  ASSERT_OK(live);
  EXPECT_EQ(ByName(*live, kDay0 + 30)["mau"], 3);
  EXPECT_EQ(ByName(*live, kDay0 + 30)["dau"], 1);
  auto live31 = store().CountAuditDay(a_.id, kDay0 + 31);
  EXPECT_EQ(ByName(*live31, kDay0 + 31)["mau"], 1);  // u3 only: days 2..31
}

TEST_P(AuditRollupsTest, TheServiceFillsEveryDayAndCatchesUpOverSeveralPasses) {
  ManualClock clock(kT0 + 40 * kDayMs + 3600'000);  // 01:00 on day 40
  services::InsightsService insights(store(), clock);
  Event(a_, kDay0 + 2, AuditAction::kUserSignup, "u1");
  Login(a_, kDay0 + 2, "u1", "email");
  Login(a_, kDay0 + 40, "u1");  // today
  Event(a_, kDay0 + 40, AuditAction::kUserLoginFailed, "", "{}", AuditOutcome::kFailure);
  auto first = insights.RollUp(31);
  ASSERT_OK(first);
  EXPECT_EQ(*first, 31);  // days 2..32 (from the oldest event)
  auto second = insights.RollUp(31);
  EXPECT_EQ(*second, 7);  // days 33..39; today is not complete
  EXPECT_EQ(*insights.RollUp(31), 0);

  auto in = insights.For(a_.id, 90);
  ASSERT_OK(in);
  ASSERT_EQ(in->series.size(), 90u);
  EXPECT_EQ(in->series.back().date, services::DayDate(kDay0 + 40));
  EXPECT_EQ(in->series.back().logins, 1);
  EXPECT_EQ(in->series.back().logins_failed, 1);
  EXPECT_EQ(in->series.back().monthly_active, 1);
  EXPECT_EQ(in->signups, 1);
  EXPECT_EQ(in->logins, 2);
  EXPECT_EQ(in->logins_failed, 1);
  EXPECT_EQ(in->monthly_active, 1);
  ASSERT_EQ(in->sign_in_methods.size(), 2u);
  EXPECT_EQ(in->series[90 - 39].signups, 1);  // day 2 is 38 days before today
  auto thirty = insights.For(a_.id, 30);
  EXPECT_EQ(thirty->signups, 0);  // day 2 is outside the last 30 days
  EXPECT_EQ(insights.For(a_.id, 7).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditRollupsTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace tessera::store::test
