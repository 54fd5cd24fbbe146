// The mail templates: every kind renders, values are escaped in HTML, subjects stay one line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "email_flows/mail_templates.h"
#include "mail/outbox_dir_transport.h"


namespace tessera::services {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

kainjow::mustache::data Vars() {
  kainjow::mustache::data d;
  d.set("app_name", "Acme & <Co>");
  d.set("link", "https://id.example.com/apps/acme/verify-email?token=abc&x=\"1\"");
  d.set("expires_in", "30 minutes");
  d.set("invited_app", "Photos");
  d.set("role", "member");
  d.set("expires_days", "7");
  d.set("code", "482913");
  d.set("new_email", "ann.new@example.com");
  d.set("time_utc", "2025-06-15 15:06 UTC");
  d.set("forgot_url", "https://id.example.com/apps/acme/forgot-password");
  d.set("provider_name", "GitHub");
  d.set("account_email", "ada@example.com");
  d.set("change", "An authenticator app was added to your account.");
  return d;
}

TEST(MailTemplates, EveryKindRenders) {
  EXPECT_THAT(MailKinds(), ::testing::ElementsAre("account_secured", "change_email",
                                                  "console_invitation", "email_changed",
                                                  "email_code", "link_identity",
                                                  "magic_link", "password_changed",
                                                  "password_reset", "security_notice", "test",
                                                  "verify_email"));
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
    const bool notice =
        kind == "password_changed" || kind == "email_changed" || kind == "account_secured" ||
        kind == "security_notice";
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

TEST(MailTemplates, TheButtonTakesTheAccentWithReadableText) {
  kainjow::mustache::data d = Vars();
  auto plain = RenderMail("verify_email", d);
  ASSERT_TRUE(plain.ok());
  EXPECT_THAT(plain->html, HasSubstr("background-color:#2563eb;"));
  d.set("accent_color", "#0F766E");  // dark teal: white text, and the link may take it
  auto dark = RenderMail("verify_email", d);
  ASSERT_TRUE(dark.ok());
  EXPECT_THAT(dark->html, HasSubstr("bgcolor=\"#0f766e\""));
  EXPECT_THAT(dark->html, HasSubstr("color:#ffffff;text-decoration:none"));
  EXPECT_THAT(dark->html, HasSubstr("style=\"color:#0f766e;word-break"));
  d.set("accent_color", "#fde047");  // light yellow: black text; the link keeps the default
  auto light = RenderMail("verify_email", d);
  ASSERT_TRUE(light.ok());
  EXPECT_THAT(light->html, HasSubstr("background-color:#fde047;"));
  EXPECT_THAT(light->html, HasSubstr("color:#000000;text-decoration:none"));
  EXPECT_THAT(light->html, HasSubstr("style=\"color:#2563eb;word-break"));
  d.set("accent_color", "red;background:url(x)");  // never reaches a style
  auto bad = RenderMail("verify_email", d);
  ASSERT_TRUE(bad.ok());
  EXPECT_THAT(bad->html, Not(HasSubstr("url(x)")));
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
  d.set("expires_in", "30 minutes");
  auto r = RenderMail("verify_email", d);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("link"));
  EXPECT_TRUE(RenderMail("test", d).ok());
}

}  // namespace
}  // namespace tessera::services
