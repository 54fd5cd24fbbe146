// MailStore conformance: the mail outbox (enqueue, lease, sent, failed and retried).
// The fixture, the backends and the shared helpers: conformance_fixture.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "conformance_fixture.h"

namespace tessera::store::test {
namespace {

void ExpectSameMail(const OutgoingMail& got, const OutgoingMail& want) {
  using M = OutgoingMail;
  ExpectSameFields(got, want, FIELD(M, id), FIELD(M, app_id), FIELD(M, to_address),
                   FIELD(M, from_address), FIELD(M, subject), FIELD(M, text_body),
                   FIELD(M, html_body), FIELD(M, kind), FIELD(M, attempts), FIELD(M, last_error),
                   FIELD(M, created_at), FIELD(M, next_attempt_at), FIELD(M, sent_at),
                   FIELD(M, reply_to));
}

std::vector<std::string> Subjects(const std::vector<OutgoingMail>& mails) {
  return Pluck(mails, &OutgoingMail::subject);
}

TEST_P(StoreConformanceTest, EnqueueLeaseAndMarkSent) {
  App app = AddApp("default");
  constexpr int64_t kLease = kMinute;
  OutgoingMail first = MakeMail(app, "first", kT0, kT0);
  OutgoingMail second = MakeMail(app, "second", kT0 + 1, kT0 + 1);
  second.html_body = "";                                              // text only
  OutgoingMail later = MakeMail(app, "later", kT0 + 2, kT0 + kHour);  // not due yet
  for (const auto& m : {later, second, first}) ASSERT_OK(store().EnqueueMail(m));
  EXPECT_CLASH(store().EnqueueMail(first), MailUniqueKey::kId);
  auto count = store().CountUnsentMail();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 3);

  // Nothing is due before its time.
  auto none = store().LeaseDueMail(kT0 - 1, 16, kLease);
  ASSERT_OK(none);
  EXPECT_THAT(*none, IsEmpty());
  auto zero = store().LeaseDueMail(kT0 + kMinute, 0, kLease);
  ASSERT_OK(zero);
  EXPECT_THAT(*zero, IsEmpty());

  // Oldest first, limited; each leased mail counts an attempt and moves to the lease's end.
  const UnixMillis now = kT0 + kSecond;
  auto leased = store().LeaseDueMail(now, 1, kLease);
  ASSERT_OK(leased);
  ASSERT_EQ(leased->size(), 1u);
  OutgoingMail want = first;
  want.attempts = 1;
  want.next_attempt_at = now + kLease;
  ExpectSameMail((*leased)[0], want);

  leased = store().LeaseDueMail(now, 16, kLease);
  ASSERT_OK(leased);
  ASSERT_EQ(leased->size(), 1u);
  want = second;
  want.attempts = 1;
  want.next_attempt_at = now + kLease;
  ExpectSameMail((*leased)[0], want);

  ASSERT_OK(store().MarkMailSent(first.id, now + 10));
  ASSERT_OK(store().MarkMailSent(first.id, now + 20));  // idempotent: keeps the first time
  EXPECT_CODE(store().MarkMailSent(NewId(), now), StatusCode::kNotFound);
  count = store().CountUnsentMail();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 2);
  auto rows = Query("SELECT sent_at, last_error FROM mail_outbox WHERE id = $1", {first.id});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(sql::OptInt((*rows)[0], 0), now + 10);

  // A sent mail is never leased again, even long after its lease ended; `later` comes due.
  leased = store().LeaseDueMail(kT0 + 2 * kHour, 16, kLease);
  ASSERT_OK(leased);
  EXPECT_THAT(Subjects(*leased), ElementsAre("second", "later"));
}

TEST_P(StoreConformanceTest, FailedMailIsRetriedAtItsTimeAndNeverDropped) {
  App app = AddApp("default");
  constexpr int64_t kLease = kMinute;
  OutgoingMail m = MakeMail(app, "retry me", kT0, kT0);
  ASSERT_OK(store().EnqueueMail(m));

  UnixMillis now = kT0;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    auto leased = store().LeaseDueMail(now, 16, kLease);
    ASSERT_OK(leased);
    ASSERT_EQ(leased->size(), 1u) << "attempt " << attempt;
    EXPECT_EQ((*leased)[0].attempts, attempt);
    const UnixMillis retry_at = now + attempt * 30 * kSecond;
    const std::string error = "421 try again later (" + std::to_string(attempt) + ")";
    ASSERT_OK(store().MarkMailFailed(m.id, error, retry_at));
    // Not before retry_at, even though the lease would have ended.
    auto early = store().LeaseDueMail(retry_at - 1, 16, kLease);
    ASSERT_OK(early);
    EXPECT_THAT(*early, IsEmpty()) << "attempt " << attempt;
    now = retry_at;
    auto rows = Query("SELECT last_error, next_attempt_at, attempts FROM mail_outbox WHERE id = $1",
                      {m.id});
    ASSERT_OK(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(sql::Text((*rows)[0], 0), error);
    EXPECT_EQ(sql::Int((*rows)[0], 1), retry_at);
    EXPECT_EQ(sql::Int((*rows)[0], 2), attempt);
  }
  auto count = store().CountUnsentMail();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 1);

  // A long error is cut (on a UTF-8 boundary), never refused.
  auto leased = store().LeaseDueMail(now, 16, kLease);
  ASSERT_OK(leased);
  ASSERT_EQ(leased->size(), 1u);
  std::string long_error;
  while (long_error.size() < 5000) long_error += "ü";
  ASSERT_OK(store().MarkMailFailed(m.id, long_error, now + kMinute));
  auto rows = Query("SELECT last_error FROM mail_outbox WHERE id = $1", {m.id});
  ASSERT_OK(rows);
  std::string stored = sql::Text((*rows)[0], 0);
  EXPECT_GT(stored.size(), 100u);
  EXPECT_LT(stored.size(), long_error.size());
  EXPECT_EQ(stored, long_error.substr(0, stored.size()));
  EXPECT_EQ(stored.size() % 2, 0u) << "a UTF-8 sequence was cut";

  // Sent in the end; failing it afterwards (a late report) changes nothing.
  ASSERT_OK(store().MarkMailSent(m.id, now + 1));
  ASSERT_OK(store().MarkMailFailed(m.id, "late", now + kHour));
  EXPECT_CODE(store().MarkMailFailed(NewId(), "x", now), StatusCode::kNotFound);
  count = store().CountUnsentMail();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 0);
  auto after = store().LeaseDueMail(now + 2 * kDay, 16, kLease);
  ASSERT_OK(after);
  EXPECT_THAT(*after, IsEmpty());
}

TEST_P(StoreConformanceTest, LeasedMailIsNotLeasedAgainUntilItsLeaseEnds) {
  App app = AddApp("default");
  constexpr int64_t kLease = kMinute;
  OutgoingMail m = MakeMail(app, "leased", kT0, kT0);
  ASSERT_OK(store().EnqueueMail(m));
  auto leased = store().LeaseDueMail(kT0, 16, kLease);
  ASSERT_OK(leased);
  ASSERT_EQ(leased->size(), 1u);
  // The sender died: nobody marks it. Within the lease nobody else gets it …
  for (UnixMillis t : {kT0, kT0 + kSecond, kT0 + kLease - 1}) {
    auto again = store().LeaseDueMail(t, 16, kLease);
    ASSERT_OK(again);
    EXPECT_THAT(*again, IsEmpty()) << "at +" << (t - kT0) << " ms";
  }
  // … and at its end it is due again: delayed, not lost.
  auto retaken = store().LeaseDueMail(kT0 + kLease, 16, kLease);
  ASSERT_OK(retaken);
  ASSERT_EQ(retaken->size(), 1u);
  EXPECT_EQ((*retaken)[0].id, m.id);
  EXPECT_EQ((*retaken)[0].attempts, 2);
  EXPECT_EQ((*retaken)[0].next_attempt_at, kT0 + 2 * kLease);
}

TEST_P(StoreConformanceTest, ConcurrentLeasesNeverShareAMailAndTakeThemAll) {
  App app = AddApp("default");
  constexpr int kMails = 50;
  constexpr int kThreads = 8;
  std::set<std::string> all;
  for (int i = 0; i < kMails; ++i) {
    OutgoingMail m = MakeMail(app, "mail " + std::to_string(i), kT0 + i, kT0 + i);
    ASSERT_OK(store().EnqueueMail(m));
    all.insert(m.id);
  }
  const UnixMillis now = kT0 + kMinute;
  std::vector<std::vector<std::string>> got(kThreads);
  std::vector<Status> errors(kThreads);
  RunConcurrently(kThreads, [&](int i) {
    // Small batches, until a lease finds nothing (another thread may have taken the ones
    // this one picked; the last thread standing drains the rest).
    for (;;) {
      auto leased = store().LeaseDueMail(now, 3, kHour);
      if (!leased.ok()) {
        errors[i] = leased.status();
        return;
      }
      if (leased->empty()) return;
      for (const auto& m : *leased) got[i].push_back(m.id);
    }
  });
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_TRUE(errors[i].ok()) << "thread " << i << ": " << errors[i].ToString();
  }

  std::multiset<std::string> leased_ids;
  for (const auto& ids : got) leased_ids.insert(ids.begin(), ids.end());
  for (const auto& id : leased_ids) EXPECT_EQ(leased_ids.count(id), 1u) << id << " leased twice";
  EXPECT_EQ(std::set<std::string>(leased_ids.begin(), leased_ids.end()), all);
  auto rest = store().LeaseDueMail(now, kMails, kHour);
  ASSERT_OK(rest);
  EXPECT_THAT(*rest, IsEmpty());
  auto rows = Query("SELECT COUNT(*) FROM mail_outbox WHERE attempts = 1", {});
  ASSERT_OK(rows);
  EXPECT_EQ(sql::Int((*rows)[0], 0), kMails) << "each mail leased exactly once";
}

}  // namespace
}  // namespace tessera::store::test
