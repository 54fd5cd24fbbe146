// AuditStore conformance: the append-only audit log, its filters, paging and retention.
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

AuditEvent MakeAuditEvent(const std::optional<std::string>& app_id, AuditAction action,
                          UnixMillis at) {
  AuditEvent e;
  e.id = NewId();
  e.app_id = app_id;
  e.at = at;
  e.action = action;
  e.actor_type = AuditActorType::kUser;
  e.actor_id = "actor-1";
  e.subject_type = AuditSubjectType::kUser;
  e.subject_id = "subject-1";
  e.ip = "2001:db8::7";
  e.user_agent = "Mozilla/5.0 (audit) \xc3\xa9";
  e.outcome = AuditOutcome::kSuccess;
  e.details_json = R"({"reason":"test"})";
  return e;
}

void ExpectSameAuditEvent(const AuditEvent& got, const AuditEvent& want) {
  using E = AuditEvent;
  ExpectSameFields(got, want, FIELD(E, id), FIELD(E, app_id), FIELD(E, at), FIELD(E, action),
                   FIELD(E, actor_type), FIELD(E, actor_id), FIELD(E, subject_type),
                   FIELD(E, subject_id), FIELD(E, ip), FIELD(E, user_agent), FIELD(E, outcome),
                   FIELD(E, details_json));
}

TEST_P(StoreConformanceTest, AuditEventsReadBackEqualNewestFirst) {
  App app = AddApp("default");
  AuditEvent a = MakeAuditEvent(app.id, AuditAction::kUserSignup, kT0);
  AuditEvent b = MakeAuditEvent(std::nullopt, AuditAction::kAppCreated, kAfter2038);
  b.actor_type = AuditActorType::kSystem;
  b.actor_id = "";
  b.subject_type = AuditSubjectType::kNone;
  b.outcome = AuditOutcome::kFailure;
  b.details_json = "{}";
  ASSERT_OK(store().AppendAuditEvent(a));
  ASSERT_OK(store().AppendAuditEvent(b));
  EXPECT_CLASH(store().AppendAuditEvent(a), AuditEventUniqueKey::kId);

  auto all = store().ListAuditEvents({});
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, b.id);
  EXPECT_EQ((*all)[0].app_id, std::nullopt);
  EXPECT_EQ((*all)[0].at, kAfter2038);
  EXPECT_EQ((*all)[0].outcome, AuditOutcome::kFailure);
  ExpectSameAuditEvent((*all)[0], b);
  ExpectSameAuditEvent((*all)[1], a);
}

TEST_P(StoreConformanceTest, AuditEventFiltersCombine) {
  App one = AddApp("one");
  App two = AddApp("two");
  AuditEvent e1 = MakeAuditEvent(one.id, AuditAction::kUserLogin, kT0);
  AuditEvent e2 = MakeAuditEvent(one.id, AuditAction::kUserLoginFailed, kT0 + kMinute);
  e2.actor_id = "";
  e2.subject_id = "subject-2";
  AuditEvent e3 = MakeAuditEvent(two.id, AuditAction::kUserLogin, kT0 + 2 * kMinute);
  e3.actor_id = "actor-3";
  AuditEvent e4 = MakeAuditEvent(std::nullopt, AuditAction::kUserLogin, kT0 + 3 * kMinute);
  for (const auto* e : {&e1, &e2, &e3, &e4}) ASSERT_OK(store().AppendAuditEvent(*e));

  auto list = [&](AuditFilter f) {
    auto r = store().ListAuditEvents(f);
    EXPECT_OK(r);
    return r.ok() ? Ids(*r) : std::vector<std::string>{};
  };
  EXPECT_THAT(list({.app_id = one.id}), ElementsAre(e2.id, e1.id));
  EXPECT_THAT(list({.action = "user.login"}), ElementsAre(e4.id, e3.id, e1.id));
  EXPECT_THAT(list({.app_id = one.id, .action = "user.login"}), ElementsAre(e1.id));
  EXPECT_THAT(list({.actor_id = "actor-3"}), ElementsAre(e3.id));
  EXPECT_THAT(list({.subject_id = "subject-2"}), ElementsAre(e2.id));
  EXPECT_THAT(list({.since = kT0 + kMinute}), ElementsAre(e4.id, e3.id, e2.id));
  EXPECT_THAT(list({.until = kT0 + kMinute}), ElementsAre(e1.id));
  EXPECT_THAT(list({.since = kT0 + kMinute, .until = kT0 + 3 * kMinute}),
              ElementsAre(e3.id, e2.id));
  EXPECT_THAT(list({.app_id = NewId()}), IsEmpty());
  EXPECT_THAT(list({.limit = 2}), ElementsAre(e4.id, e3.id));
  EXPECT_THAT(list({.limit = 0}), ElementsAre(e4.id));  // clamped to 1
}

TEST_P(StoreConformanceTest, AuditPagingIsStableAcrossPagesAndAppends) {
  App app = AddApp("default");
  // 25 events, several sharing a millisecond (ties are ordered by id).
  for (int i = 0; i < 25; ++i) {
    ASSERT_OK(store().AppendAuditEvent(
        MakeAuditEvent(app.id, AuditAction::kUserLogin, kT0 + (i / 3) * kSecond)));
  }
  auto full = store().ListAuditEvents({.app_id = app.id, .limit = 200});
  ASSERT_OK(full);
  ASSERT_EQ(full->size(), 25u);
  for (size_t i = 1; i < full->size(); ++i) {
    const auto& prev = (*full)[i - 1];
    const auto& cur = (*full)[i];
    EXPECT_TRUE(prev.at > cur.at || (prev.at == cur.at && prev.id > cur.id)) << i;
  }

  std::vector<std::string> paged;
  std::optional<std::string> cursor;
  for (int page = 0; page < 10; ++page) {
    auto r = store().ListAuditEvents({.app_id = app.id, .cursor = cursor, .limit = 7});
    ASSERT_OK(r);
    if (r->empty()) break;
    for (const auto& e : *r) paged.push_back(e.id);
    cursor = r->back().id;
    // Newer events arriving between pages do not shift the pages after the cursor.
    ASSERT_OK(store().AppendAuditEvent(
        MakeAuditEvent(app.id, AuditAction::kUserLogin, kT0 + kHour + page)));
  }
  EXPECT_EQ(paged, Ids(*full));

  auto unknown = store().ListAuditEvents({.cursor = NewId()});
  ASSERT_OK(unknown);
  EXPECT_THAT(*unknown, IsEmpty());
  auto capped = store().ListAuditEvents({.limit = 100000});
  ASSERT_OK(capped);
  EXPECT_EQ(capped->size(), 29u);  // 25 + 4 appended while paging, under the 200 cap
}

TEST_P(StoreConformanceTest, AuditRetentionDeletesOnlyOlderEvents) {
  App app = AddApp("default");
  AuditEvent old1 = MakeAuditEvent(app.id, AuditAction::kUserLogin, kT0 - 2 * kDay);
  AuditEvent old2 = MakeAuditEvent(std::nullopt, AuditAction::kAppCreated, kT0 - kDay - 1);
  AuditEvent edge = MakeAuditEvent(app.id, AuditAction::kUserLogin, kT0 - kDay);
  AuditEvent fresh = MakeAuditEvent(app.id, AuditAction::kSessionLogout, kT0);
  for (const auto* e : {&old1, &old2, &edge, &fresh}) ASSERT_OK(store().AppendAuditEvent(*e));
  auto n = store().DeleteAuditEventsBefore(kT0 - kDay);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2);
  auto left = store().ListAuditEvents({});
  ASSERT_OK(left);
  EXPECT_THAT(Ids(*left), ElementsAre(fresh.id, edge.id));
  auto again = store().DeleteAuditEventsBefore(kT0 - kDay);
  ASSERT_OK(again);
  EXPECT_EQ(*again, 0);
}

}  // namespace
}  // namespace tessera::store::test
