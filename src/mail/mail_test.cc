// Mail infrastructure: the MIME builder (RFC 5322/2045/2047, header injection), the
// templates, the outbox folder, the queue worker's retries and the mailer's enqueue side.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "mail/mail_worker.h"
#include "mail/mime_message.h"
#include "mail/outbox_dir_transport.h"
#include "mail/smtp_transport.h"
#include "email_flows/mail_templates.h"
#include "email_flows/mailer.h"
#include "tests/store/test_database.h"

namespace tessera::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr UnixMillis kT0 = 1'750'000'000'000;  // Sun, 15 Jun 2025 15:06:40 UTC

store::OutgoingMail SampleMail() {
  store::OutgoingMail m;
  m.id = "0197a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  m.app_id = "app-1";
  m.to_address = "ann@example.com";
  m.subject = "Confirm your email address";
  m.text_body = "Hello Ann,\nopen https://id.example.com/apps/a/verify?token=abc\n";
  m.html_body = "<p>Hello <a href=\"https://id.example.com/apps/a/verify?token=abc\">Ann</a></p>";
  m.kind = "verify_email";
  m.created_at = kT0;
  m.next_attempt_at = kT0;
  return m;
}

// Header block and body of a message (split at the first empty line).
std::pair<std::string, std::string> Split(const std::string& msg) {
  size_t blank = msg.find("\r\n\r\n");
  EXPECT_NE(blank, std::string::npos);
  return {msg.substr(0, blank + 2), msg.substr(blank + 4)};
}

// The value of header `name` (unfolded), or "".
std::string Header(const std::string& headers, const std::string& name) {
  std::string unfolded = std::regex_replace(headers, std::regex("\r\n[ \t]"), " ");
  std::istringstream in(unfolded);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 &&
        line[name.size()] == ':') {
      return line.substr(name.size() + 2);
    }
  }
  return "";
}

// Decodes every RFC 2047 B-word of a header value (words joined by folding whitespace).
std::string DecodeWords(const std::string& value) {
  std::regex word("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=");
  std::string out;
  for (auto it = std::sregex_iterator(value.begin(), value.end(), word);
       it != std::sregex_iterator(); ++it) {
    auto decoded = crypto::Base64Decode((*it)[1].str());
    EXPECT_TRUE(decoded.has_value()) << (*it)[1].str();
    out += decoded.value_or("?");
  }
  return out;
}

void ExpectOnlyCrlf(const std::string& msg) {
  for (size_t i = 0; i < msg.size(); ++i) {
    if (msg[i] == '\n') {
      ASSERT_TRUE(i > 0 && msg[i - 1] == '\r') << "bare LF at " << i;
    }
    if (msg[i] == '\r') {
      ASSERT_TRUE(i + 1 < msg.size() && msg[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  std::istringstream in(msg);
  std::string line;
  while (std::getline(in, line)) EXPECT_LE(line.size(), 78u + 1) << line;
}

// The decoded body of the part whose Content-Type starts with `type`.
std::string PartBody(const std::string& body, const std::string& boundary,
                     const std::string& type) {
  size_t pos = 0;
  const std::string delim = "--" + boundary + "\r\n";
  while ((pos = body.find(delim, pos)) != std::string::npos) {
    pos += delim.size();
    auto [headers, rest] = Split(body.substr(pos));
    if (Header(headers, "Content-Type").rfind(type, 0) != 0) continue;
    EXPECT_EQ(Header(headers, "Content-Transfer-Encoding"), "base64");
    EXPECT_THAT(Header(headers, "Content-Type"), HasSubstr("charset=UTF-8"));
    std::string b64 = rest.substr(0, rest.find("--" + boundary));
    b64 = std::regex_replace(b64, std::regex("\r\n"), "");
    auto decoded = crypto::Base64Decode(b64);
    EXPECT_TRUE(decoded.has_value());
    return decoded.value_or("");
  }
  ADD_FAILURE() << "no " << type << " part";
  return "";
}

TEST(MimeMessage, BuildsAWellFormedMultipartMessage) {
  store::OutgoingMail m = SampleMail();
  auto msg = BuildMimeMessage(m, "Example <no-reply@mail.example.com>");
  ASSERT_TRUE(msg.ok()) << msg.status().ToString();
  ExpectOnlyCrlf(*msg);
  auto [headers, body] = Split(*msg);
  EXPECT_EQ(Header(headers, "Date"), "Sun, 15 Jun 2025 15:06:40 +0000");
  EXPECT_EQ(Header(headers, "From"), "Example <no-reply@mail.example.com>");
  EXPECT_EQ(Header(headers, "To"), "ann@example.com");
  EXPECT_EQ(Header(headers, "Subject"), "Confirm your email address");
  EXPECT_EQ(Header(headers, "Message-ID"), "<" + m.id + "@mail.example.com>");
  EXPECT_EQ(Header(headers, "MIME-Version"), "1.0");
  EXPECT_EQ(Header(headers, "Auto-Submitted"), "auto-generated");
  std::smatch match;
  std::string type = Header(headers, "Content-Type");
  ASSERT_TRUE(std::regex_match(type, match,
                               std::regex("multipart/alternative; boundary=\"([^\"]+)\"")))
      << type;
  const std::string boundary = match[1];
  EXPECT_THAT(body, HasSubstr("--" + boundary + "--\r\n"));
  // Text first, then HTML (the last part is the preferred one); CRLF in the text.
  EXPECT_LT(body.find("text/plain"), body.find("text/html"));
  EXPECT_EQ(PartBody(body, boundary, "text/plain"),
            "Hello Ann,\r\nopen https://id.example.com/apps/a/verify?token=abc\r\n");
  EXPECT_EQ(PartBody(body, boundary, "text/html"), m.html_body);
  // Each attempt of one mail keeps its Message-ID; the boundary is random.
  auto again = BuildMimeMessage(m, "Example <no-reply@mail.example.com>");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Header(Split(*again).first, "Message-ID"), Header(headers, "Message-ID"));
  EXPECT_NE(Header(Split(*again).first, "Content-Type"), type);
}

TEST(MimeMessage, TextOnlyWhenThereIsNoHtml) {
  store::OutgoingMail m = SampleMail();
  m.html_body.clear();
  m.text_body = "line one\rline two\r\nline three\nü ✓";
  auto msg = BuildMimeMessage(m, "no-reply@example.com");
  ASSERT_TRUE(msg.ok());
  ExpectOnlyCrlf(*msg);
  auto [headers, body] = Split(*msg);
  EXPECT_EQ(Header(headers, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(Header(headers, "Content-Transfer-Encoding"), "base64");
  EXPECT_EQ(Header(headers, "From"), "no-reply@example.com");
  auto decoded = crypto::Base64Decode(std::regex_replace(body, std::regex("\r\n"), ""));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, "line one\r\nline two\r\nline three\r\nü ✓");
}

TEST(MimeMessage, NonAsciiSubjectIsEncodedWordsThatDecodeBack) {
  store::OutgoingMail m = SampleMail();
  m.subject = "Bestätigen Sie Ihre E-Mail-Adresse für Zürich ✓ — 日本語のテキストも長く長く長く";
  auto msg = BuildMimeMessage(m, "no-reply@example.com");
  ASSERT_TRUE(msg.ok());
  ExpectOnlyCrlf(*msg);
  auto [headers, body] = Split(*msg);
  std::string raw = headers.substr(headers.find("Subject: "));
  raw = raw.substr(0, raw.find("\r\nMessage-ID"));
  // Several words, each at most 75 characters, folded onto continuation lines (no line of
  // the header over 76 characters: ExpectOnlyCrlf checks 78 for every line).
  std::regex word("=\\?UTF-8\\?B\\?[A-Za-z0-9+/=]*\\?=");
  int words = 0;
  for (auto it = std::sregex_iterator(raw.begin(), raw.end(), word);
       it != std::sregex_iterator(); ++it) {
    EXPECT_LE(it->str().size(), 75u);
    ++words;
  }
  std::istringstream lines(raw);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 76u + 1) << line;
  EXPECT_GE(words, 2);
  EXPECT_THAT(raw, HasSubstr("?=\r\n =?UTF-8?B?"));
  for (unsigned char c : raw) EXPECT_LT(c, 0x80) << "raw 8-bit in a header";
  // Each word holds whole UTF-8 sequences, so they decode back to the subject.
  EXPECT_EQ(DecodeWords(Header(headers, "Subject")), m.subject);
  EXPECT_EQ(EncodeHeaderText("é"), "=?UTF-8?B?w6k=?=");
  // ASCII stays readable; ASCII that looks like an encoded word is encoded.
  EXPECT_EQ(EncodeHeaderText("Reset your Acme password"), "Reset your Acme password");
  EXPECT_THAT(EncodeHeaderText("=?UTF-8?B?aGk=?="), StartsWith("=?UTF-8?B?"));
  EXPECT_EQ(DecodeWords(EncodeHeaderText("=?UTF-8?B?aGk=?=")), "=?UTF-8?B?aGk=?=");
}

TEST(MimeMessage, DisplayNamesAreQuotedOrEncoded) {
  EXPECT_EQ(FormatMailbox({"Acme", "a@example.com"}), "Acme <a@example.com>");
  EXPECT_EQ(FormatMailbox({"Acme, Inc. \"R&D\"", "a@example.com"}),
            "\"Acme, Inc. \\\"R&D\\\"\" <a@example.com>");
  std::string encoded = FormatMailbox({"Zürich Bank", "a@example.com"});
  EXPECT_THAT(encoded, StartsWith("=?UTF-8?B?"));
  EXPECT_EQ(DecodeWords(encoded), "Zürich Bank");
  EXPECT_THAT(encoded, HasSubstr("?= <a@example.com>"));
  EXPECT_EQ(FormatMailbox({"", "a@example.com"}), "a@example.com");

  auto parsed = ParseMailbox("  \"Acme, Inc.\" <no-reply@acme.example>  ");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->display_name, "Acme, Inc.");
  EXPECT_EQ(parsed->address, "no-reply@acme.example");
  parsed = ParseMailbox("<bare@example.com>");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->display_name, "");
  EXPECT_EQ(parsed->address, "bare@example.com");
  parsed = ParseMailbox("Tessera <no-reply@localhost>");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->address, "no-reply@localhost");
}

TEST(MimeMessage, HeaderInjectionIsRefused) {
  const std::vector<std::string> bad_addresses = {
      "ann@example.com\r\nBcc: eve@evil.example",
      "ann@example.com\nBcc: eve@evil.example",
      "ann@example.com\rBcc: eve@evil.example",
      std::string("ann@example.com\0eve@evil.example", 33),
      "ann@example.com, eve@evil.example",
      "ann@example.com eve@evil.example",
      "Ann <ann@example.com>, Eve <eve@evil.example>",
      "Ann <ann@example.com",
      "Ann\r\n <ann@example.com>",
      "no-at-sign",
      "@example.com",
      "ann@",
      "",
  };
  for (const auto& to : bad_addresses) {
    store::OutgoingMail m = SampleMail();
    m.to_address = to;
    auto msg = BuildMimeMessage(m, "no-reply@example.com");
    EXPECT_EQ(msg.status().code(), StatusCode::kInvalidArgument) << "to: " << to;
    auto from = BuildMimeMessage(SampleMail(), to);
    EXPECT_EQ(from.status().code(), StatusCode::kInvalidArgument) << "from: " << to;
  }
  for (const std::string& subject :
       std::vector<std::string>{"Hello\r\nBcc: eve@evil.example", "Hello\nBcc: x", "Hello\rX",
                                std::string("a\0b", 3)}) {
    store::OutgoingMail m = SampleMail();
    m.subject = subject;
    EXPECT_EQ(BuildMimeMessage(m, "no-reply@example.com").status().code(),
              StatusCode::kInvalidArgument);
  }
  store::OutgoingMail m = SampleMail();
  m.id = "x>\r\nBcc: eve@evil.example";
  EXPECT_EQ(BuildMimeMessage(m, "no-reply@example.com").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MimeMessage, RfcDate) {
  EXPECT_EQ(RfcDate(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(RfcDate(kT0 + 999), "Sun, 15 Jun 2025 15:06:40 +0000");
  EXPECT_EQ(RfcDate(951782400000), "Tue, 29 Feb 2000 00:00:00 +0000");
}

SmtpOptions Options(std::string url) {
  SmtpOptions o;
  o.url = std::move(url);
  return o;
}

TEST(SmtpTransport, OptionsAreChecked) {
  EXPECT_EQ(ParseStartTls("auto"), StartTls::kAuto);
  EXPECT_EQ(ParseStartTls("always"), StartTls::kAlways);
  EXPECT_EQ(ParseStartTls("never"), StartTls::kNever);
  EXPECT_EQ(ParseStartTls("yes"), std::nullopt);
  for (const char* url : {"http://mail.example.com", "mail.example.com:25", "smtp://", "smtp://:25",
                          "smtps:///x", "smtp://host:25\r\nX"}) {
    EXPECT_EQ(SmtpTransport::Create(Options(url)).status().code(), StatusCode::kInvalidArgument) << url;
  }
  auto ok = SmtpTransport::Create(Options("smtps://user:secret@mail.example.com:465"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->redacted_url(), "smtps://***@mail.example.com:465");
  EXPECT_EQ((*ok)->Name(), "smtp");
}

TEST(SmtpTransport, UnreachableServerIsRetryable) {
  // A port nothing listens on (bound and closed): connection refused, at once.
  auto smtp = SmtpTransport::Create({"smtp://127.0.0.1:1", "", "", StartTls::kNever, 2000, 4000});
  ASSERT_TRUE(smtp.ok());
  Status s = (*smtp)->Send(SampleMail(), "no-reply@example.com");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  // A message that cannot be built is refused before any connection.
  store::OutgoingMail bad = SampleMail();
  bad.to_address = "x\r\nBcc: y@z";
  EXPECT_EQ((*smtp)->Send(bad, "no-reply@example.com").code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------
// Outbox folder

TEST(OutboxDir, WritesAPrivateEmlFileNamedByTimeAndId) {
  auto dir = std::filesystem::temp_directory_path() /
             ("tessera-outbox-test-" + crypto::HexEncode(crypto::RandomBytes(6)));
  OutboxDirTransport outbox((dir / "outbox").string());
  store::OutgoingMail m = SampleMail();
  ASSERT_TRUE(outbox.Send(m, "Example <no-reply@example.com>").ok());
  auto path = dir / "outbox" / ("20250615T150640Z-" + m.id + ".eml");
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, StartsWith("Date: Sun, 15 Jun 2025 15:06:40 +0000\r\n"));
  EXPECT_THAT(text, HasSubstr("\r\nTo: ann@example.com\r\n"));
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "outbox")) ++files;
  EXPECT_EQ(files, 1u) << "no temporary file is left behind";
  std::filesystem::remove_all(dir);
}

TEST(OutboxDir, ExtractsLinksAndCodes) {
  EXPECT_THAT(ExtractLinks("Open https://id.example.com/a?token=x_y-z.\n"
                           "(or http://127.0.0.1:8080/apps/d/verify?t=1&u=2), then\n"
                           "<https://x.example/b> \"https://q.example/c\" httpx://no hxxp://no"),
              ElementsAre("https://id.example.com/a?token=x_y-z",
                          "http://127.0.0.1:8080/apps/d/verify?t=1&u=2", "https://x.example/b",
                          "https://q.example/c"));
  EXPECT_THAT(ExtractLinks("no links here, just http and https"), ElementsAre());
  EXPECT_THAT(ExtractCodes("Your code:\r\n\r\n   482913  \r\nexpires in 10 minutes 123456\n12\n"),
              ElementsAre("482913"));
}

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
  ASSERT_TRUE(mailer.Send(branded, "magic_link", "bob@example.com", Content("two")).ok());

  MailWorker worker = MakeWorker();
  auto tried = worker.RunOnce();
  ASSERT_TRUE(tried.ok());
  EXPECT_EQ(*tried, 2);
  ASSERT_EQ(transport_.Count(), 2u);
  EXPECT_EQ(transport_.sent[0].first.subject, "one");
  EXPECT_EQ(transport_.sent[0].first.kind, "verify_email");
  EXPECT_EQ(transport_.sent[0].first.to_address, "ann@example.com");
  EXPECT_EQ(transport_.sent[0].first.html_body, "<p>one</p>");
  EXPECT_EQ(transport_.sent[0].second, "Default <no-reply@default.example>");
  EXPECT_EQ(transport_.sent[1].second, "Acme <hello@acme.example>");
  EXPECT_EQ(metrics_.mails_sent.Value(), 2u);
  EXPECT_EQ(metrics_.mail_outbox_unsent.Value(), 0);
  // Sent mail is not sent again.
  clock_.Advance(24 * 3600 * 1000);
  tried = worker.RunOnce();
  ASSERT_TRUE(tried.ok());
  EXPECT_EQ(*tried, 0);
  EXPECT_EQ(transport_.Count(), 2u);
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

// ---------------------------------------------------------------------------------------
// Templates

namespace tessera::services {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

kainjow::mustache::data Vars() {
  kainjow::mustache::data d;
  d.set("app_name", "Acme & <Co>");
  d.set("link", "https://id.example.com/apps/acme/verify-email?token=abc&x=\"1\"");
  d.set("expires_minutes", "30");
  d.set("code", "482913");
  d.set("new_email", "ann.new@example.com");
  d.set("time_utc", "2025-06-15 15:06 UTC");
  return d;
}

TEST(MailTemplates, EveryKindRenders) {
  EXPECT_THAT(MailKinds(), ::testing::ElementsAre("change_email", "email_changed", "email_code",
                                                  "magic_link", "password_changed",
                                                  "password_reset", "test", "verify_email"));
  for (const auto& kind : MailKinds()) {
    SCOPED_TRACE(kind);
    auto mail = RenderMail(kind, Vars());
    ASSERT_TRUE(mail.ok()) << mail.status().ToString();
    EXPECT_FALSE(mail->subject.empty());
    EXPECT_EQ(mail->subject.find_first_of("\r\n"), std::string::npos);
    EXPECT_THAT(mail->subject, Not(HasSubstr("&amp;")));
    // The app's name brands both parts: plain in the text, escaped in the HTML.
    EXPECT_THAT(mail->text, HasSubstr("Acme & <Co>"));
    EXPECT_THAT(mail->html, HasSubstr("Acme &amp; &lt;Co&gt;"));
    EXPECT_THAT(mail->html, Not(HasSubstr("<Co>")));
    EXPECT_THAT(mail->html, HasSubstr("<!DOCTYPE html>"));
    EXPECT_THAT(mail->html, Not(HasSubstr("{{")));
    EXPECT_THAT(mail->text, Not(HasSubstr("{{")));
    EXPECT_THAT(mail->text, Not(HasSubstr("&amp;")));
    const bool notice = kind == "password_changed" || kind == "email_changed";
    if (!notice) {
      EXPECT_THAT(mail->text, HasSubstr("If you did not ask for this, you can ignore this email."));
      EXPECT_THAT(mail->html, HasSubstr("If you did not ask for this, you can ignore this email."));
    }
  }
}

TEST(MailTemplates, LinksCodesAndAddressesAppearInBothParts) {
  for (const char* kind : {"verify_email", "password_reset", "magic_link", "change_email"}) {
    SCOPED_TRACE(kind);
    auto mail = RenderMail(kind, Vars());
    ASSERT_TRUE(mail.ok());
    EXPECT_THAT(mail->text,
                HasSubstr("\nhttps://id.example.com/apps/acme/verify-email?token=abc&x=\"1\"\n"));
    // A button and the copyable link, with the URL attribute-escaped.
    EXPECT_THAT(mail->html,
                HasSubstr("href=\"https://id.example.com/apps/acme/verify-email?token=abc&amp;x=&quot;1&quot;\""));
    EXPECT_THAT(mail->text, HasSubstr("30 minutes"));
  }
  auto code = RenderMail("email_code", Vars());
  ASSERT_TRUE(code.ok());
  EXPECT_THAT(code->subject, HasSubstr("482913"));
  EXPECT_THAT(mail::ExtractCodes(code->text), ::testing::ElementsAre("482913"));
  EXPECT_THAT(code->html, HasSubstr(">482913</span>"));
  auto change = RenderMail("change_email", Vars());
  ASSERT_TRUE(change.ok());
  EXPECT_THAT(change->text, HasSubstr("ann.new@example.com"));
  auto changed = RenderMail("email_changed", Vars());
  ASSERT_TRUE(changed.ok());
  EXPECT_THAT(changed->html, HasSubstr("ann.new@example.com"));
  auto pw = RenderMail("password_changed", Vars());
  ASSERT_TRUE(pw.ok());
  EXPECT_THAT(pw->text, HasSubstr("2025-06-15 15:06 UTC"));
}

TEST(MailTemplates, SubjectIsOneLineEvenWithLineBreaksInValues) {
  kainjow::mustache::data d = Vars();
  d.set("app_name", "Acme\r\nBcc: eve@evil.example");
  auto mail = RenderMail("password_reset", d);
  ASSERT_TRUE(mail.ok());
  EXPECT_EQ(mail->subject, "Reset your Acme Bcc: eve@evil.example password");
}

TEST(MailTemplates, UnknownKindsAndMissingVariablesAreErrors) {
  EXPECT_EQ(RenderMail("no_such_kind", Vars()).status().code(), StatusCode::kNotFound);
  kainjow::mustache::data d;
  d.set("app_name", "Acme");
  d.set("expires_minutes", "30");
  auto r = RenderMail("verify_email", d);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("link"));
  EXPECT_TRUE(RenderMail("test", d).ok());
}

}  // namespace
}  // namespace tessera::services
