// The two mail transports: SMTP (options, an unreachable server) and the outbox folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "mail/outbox_dir_transport.h"
#include "mail/smtp_transport.h"
#include "tests/support/sample_mail.h"

namespace tessera::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing_support::SampleMail;

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

}  // namespace
}  // namespace tessera::mail
