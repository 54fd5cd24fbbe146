// The outbox end to end: the mailer queues (refusing header injection), the worker sends
// once, retries with backoff and never drops a mail.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "crypto/random.h"
#include "email_flows/mailer.h"
#include "mail/mail_worker.h"
#include "tests/store/test_database.h"
#include "tests/support/sample_mail.h"

namespace tessera::mail {
namespace {

constexpr UnixMillis kT0 = testing_support::kMailT0;

// ---------------------------------------------------------------------------------------
// Worker

// Records what it was asked to send; fails while `fail` is set.
class FakeTransport final : public MailTransport {
 public:
  Status Send(const store::OutgoingMail& mail, std::string_view from) override {
    std::lock_guard lock(mu);
    if (fail) return UnavailableError("smtp: Couldn't connect to server");
    sent.push_back({mail, std::string(from)});
    return OkStatus();
  }
  std::string_view Name() const override { return "fake"; }

  std::mutex mu;
  bool fail = false;
  std::vector<std::pair<store::OutgoingMail, std::string>> sent;
  size_t Count() {
    std::lock_guard lock(mu);
    return sent.size();
  }
};

class MailWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::test::TestDatabase::Create("sqlite");
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    auto store = db_->OpenStore();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    app_.id = crypto::NewUuid();
    app_.slug = "acme";
    app_.name = "Acme";
    app_.created_at = kT0;
    ASSERT_TRUE(store_->CreateApp(app_).ok());
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
  }

  MailWorker MakeWorker() {
    MailWorkerOptions o;
    o.default_from = "Default <no-reply@default.example>";
    o.poll = std::chrono::milliseconds(20);
    return MailWorker(*store_, transport_, clock_, metrics_, o);
  }

  services::MailContent Content(const std::string& subject) {
    return {subject, "text of " + subject, "<p>" + subject + "</p>"};
  }

  std::unique_ptr<store::test::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  store::App app_;
  ManualClock clock_{kT0};
  Metrics metrics_;
  FakeTransport transport_;
};

TEST(MailRetry, BackoffDoublesUpToAnHour) {
  constexpr int64_t kBase = 30'000, kMax = 3'600'000;
  EXPECT_EQ(RetryDelayMs(1, kBase, kMax), 30'000);
  EXPECT_EQ(RetryDelayMs(2, kBase, kMax), 60'000);
  EXPECT_EQ(RetryDelayMs(3, kBase, kMax), 120'000);
  EXPECT_EQ(RetryDelayMs(7, kBase, kMax), 1'920'000);
  EXPECT_EQ(RetryDelayMs(8, kBase, kMax), 3'600'000);
  EXPECT_EQ(RetryDelayMs(1'000'000, kBase, kMax), 3'600'000);
  EXPECT_EQ(RetryDelayMs(0, kBase, kMax), 30'000);
}

TEST_F(MailWorkerTest, SendsQueuedMailOnceWithTheRightSender) {
  services::Mailer mailer(*store_, clock_, nullptr, "");
  ASSERT_TRUE(mailer.Send(app_, "verify_email", "ann@example.com", Content("one")).ok());
  clock_.Advance(1);
  store::App branded = app_;
  branded.settings.mail_from = "Acme <hello@acme.example>";
  // The app's domain is neither allowed nor verified (issue 11, item 8): the worker's sender,
  // Reply-To the app's address.
  ASSERT_TRUE(mailer.Send(branded, "magic_link", "bob@example.com", Content("two")).ok());
  // The operator allows it: the app's own address.
  services::MailDomainService domains(
      *store_, clock_, services::MailDomainOptions{{"acme.example"}},
      [](std::string_view) -> Result<std::vector<std::string>> { return NotFoundError("no"); });
  services::Mailer allowed(*store_, clock_, nullptr, "", "", &domains);
  clock_.Advance(1);
  ASSERT_TRUE(allowed.Send(branded, "magic_link", "cy@example.com", Content("three")).ok());

  MailWorker worker = MakeWorker();
  auto tried = worker.RunOnce();
  ASSERT_TRUE(tried.ok());
  EXPECT_EQ(*tried, 3);
  ASSERT_EQ(transport_.Count(), 3u);
  EXPECT_EQ(transport_.sent[0].first.subject, "one");
  EXPECT_EQ(transport_.sent[0].first.kind, "verify_email");
  EXPECT_EQ(transport_.sent[0].first.to_address, "ann@example.com");
  EXPECT_EQ(transport_.sent[0].first.html_body, "<p>one</p>");
  EXPECT_EQ(transport_.sent[0].second, "Default <no-reply@default.example>");
  EXPECT_EQ(transport_.sent[1].second, "Default <no-reply@default.example>");
  EXPECT_EQ(transport_.sent[1].first.reply_to, "hello@acme.example");
  EXPECT_EQ(transport_.sent[2].second, "\"Acme\" <hello@acme.example>");
  EXPECT_EQ(transport_.sent[2].first.reply_to, "");
  EXPECT_EQ(metrics_.mails_sent.Value(), 3u);
  EXPECT_EQ(metrics_.mail_outbox_unsent.Value(), 0);
  // Sent mail is not sent again.
  clock_.Advance(24 * 3600 * 1000);
  tried = worker.RunOnce();
  ASSERT_TRUE(tried.ok());
  EXPECT_EQ(*tried, 0);
  EXPECT_EQ(transport_.Count(), 3u);
}

TEST_F(MailWorkerTest, FailedSendsAreRetriedWithBackoffAndNeverDropped) {
  services::Mailer mailer(*store_, clock_, nullptr, "");
  ASSERT_TRUE(mailer.Send(app_, "password_reset", "ann@example.com", Content("reset")).ok());
  MailWorker worker = MakeWorker();
  transport_.fail = true;
  // Fails at +0; then due at +30 s, +60 s, +120 s after each failure.
  int64_t waits[] = {30'000, 60'000, 120'000, 240'000};
  for (int64_t wait : waits) {
    auto tried = worker.RunOnce();
    ASSERT_TRUE(tried.ok());
    EXPECT_EQ(*tried, 1);
    clock_.Advance(wait - 1);
    tried = worker.RunOnce();
    ASSERT_TRUE(tried.ok());
    EXPECT_EQ(*tried, 0) << "retried before its time (" << wait << " ms)";
    clock_.Advance(1);
  }
  EXPECT_EQ(metrics_.mail_send_failures.Value(), 4u);
  EXPECT_EQ(metrics_.mail_outbox_unsent.Value(), 1);
  transport_.fail = false;
  auto tried = worker.RunOnce();
  ASSERT_TRUE(tried.ok());
  EXPECT_EQ(*tried, 1);
  ASSERT_EQ(transport_.Count(), 1u);
  EXPECT_EQ(transport_.sent[0].first.attempts, 5);
  EXPECT_EQ(metrics_.mail_outbox_unsent.Value(), 0);
}

TEST_F(MailWorkerTest, ThreadSendsWhenWokenAndStopsCleanly) {
  MailWorker worker = MakeWorker();
  services::Mailer mailer(*store_, clock_, &worker, "");
  worker.Start();
  worker.Start();  // once
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(mailer.Send(app_, "test", "ann@example.com", Content("m" + std::to_string(i))).ok());
  }
  for (int i = 0; i < 500 && transport_.Count() < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(transport_.Count(), 20u);
  worker.Stop();
  worker.Stop();  // idempotent
  // Mail queued after the stop waits for the next worker.
  ASSERT_TRUE(mailer.Send(app_, "test", "ann@example.com", Content("later")).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(transport_.Count(), 20u);
  auto unsent = store_->CountUnsentMail();
  ASSERT_TRUE(unsent.ok());
  EXPECT_EQ(*unsent, 1);
}

TEST_F(MailWorkerTest, MailerRefusesInjectionAndBadAddresses) {
  services::Mailer mailer(*store_, clock_, nullptr, "Fallback <f@example.com>");
  Status s = mailer.Send(app_, "test", "ann@example.com\r\nBcc: eve@evil.example", Content("x"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  ASSERT_FALSE(s.field_errors().empty());
  EXPECT_EQ(s.field_errors()[0].field, "to");
  s = mailer.Send(app_, "test", "ann@example.com", {"Hi\r\nBcc: eve@evil.example", "t", ""});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field_errors()[0].field, "subject");
  s = mailer.Send(app_, "test", "not-an-address", Content("x"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  auto unsent = store_->CountUnsentMail();
  ASSERT_TRUE(unsent.ok());
  EXPECT_EQ(*unsent, 0);
  // The default sender applies when the app has none, or an unusable one.
  EXPECT_EQ(mailer.SenderFor(app_), "Fallback <f@example.com>");
  store::App bad = app_;
  bad.settings.mail_from = "x\r\nBcc: y@z";
  EXPECT_EQ(mailer.SenderFor(bad), "Fallback <f@example.com>");
}

}  // namespace
}  // namespace tessera::mail
