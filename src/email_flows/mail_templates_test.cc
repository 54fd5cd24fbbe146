// The mail templates: every kind renders, values are escaped in HTML, subjects stay one line;
// in English as before, and in the language MailTexts picks for the addressee.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/duration_text.h"
#include "email_flows/mail_flow.h"
#include "email_flows/mail_templates.h"
#include "mail/outbox_dir_transport.h"


namespace tessera::services {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const i18n::Texts& En() {
  static const i18n::Texts t(i18n::MessageCatalog::Embedded(), "en");
  return t;
}

i18n::Texts In(std::string locale) {
  return i18n::Texts(i18n::MessageCatalog::Embedded(), std::move(locale));
}

constexpr std::string_view kLink = "https://id.example.com/apps/acme/verify-email?token=abc&x=\"1\"";

kainjow::mustache::data Vars() {
  kainjow::mustache::data d;
  d.set("app_name", "Acme & <Co>");
  d.set("link", "https://id.example.com/apps/acme/verify-email?token=abc&x=\"1\"");
  d.set("expires_in_s", "1800");
  d.set("invited_app", "Photos");
  d.set("role", "member");
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
    auto mail = RenderMail(kind, Vars(), En());
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
    auto mail = RenderMail(kind, Vars(), En());
    ASSERT_TRUE(mail.ok());
    EXPECT_THAT(mail->text,
                HasSubstr("\nhttps://id.example.com/apps/acme/verify-email?token=abc&x=\"1\"\n"));
    // A button and the copyable link, with the URL attribute-escaped.
    EXPECT_THAT(mail->html,
                HasSubstr("href=\"https://id.example.com/apps/acme/verify-email?token=abc&amp;x=&quot;1&quot;\""));
    EXPECT_THAT(mail->text, HasSubstr("30 minutes"));
  }
  auto code = RenderMail("email_code", Vars(), En());
  ASSERT_TRUE(code.ok());
  EXPECT_THAT(code->subject, HasSubstr("482913"));
  EXPECT_THAT(mail::ExtractCodes(code->text), ::testing::ElementsAre("482913"));
  EXPECT_THAT(code->html, HasSubstr(">482913</span>"));
  auto change = RenderMail("change_email", Vars(), En());
  ASSERT_TRUE(change.ok());
  EXPECT_THAT(change->text, HasSubstr("ann.new@example.com"));
  auto changed = RenderMail("email_changed", Vars(), En());
  ASSERT_TRUE(changed.ok());
  EXPECT_THAT(changed->html, HasSubstr("ann.new@example.com"));
  auto pw = RenderMail("password_changed", Vars(), En());
  ASSERT_TRUE(pw.ok());
  EXPECT_THAT(pw->text, HasSubstr("2025-06-15 15:06 UTC"));
}

TEST(MailTemplates, TheButtonTakesTheAccentWithReadableText) {
  kainjow::mustache::data d = Vars();
  auto plain = RenderMail("verify_email", d, En());
  ASSERT_TRUE(plain.ok());
  EXPECT_THAT(plain->html, HasSubstr("background-color:#2563eb;"));
  d.set("accent_color", "#0F766E");  // dark teal: white text, and the link may take it
  auto dark = RenderMail("verify_email", d, En());
  ASSERT_TRUE(dark.ok());
  EXPECT_THAT(dark->html, HasSubstr("bgcolor=\"#0f766e\""));
  EXPECT_THAT(dark->html, HasSubstr("color:#ffffff;text-decoration:none"));
  EXPECT_THAT(dark->html, HasSubstr("style=\"color:#0f766e;word-break"));
  d.set("accent_color", "#fde047");  // light yellow: black text; the link keeps the default
  auto light = RenderMail("verify_email", d, En());
  ASSERT_TRUE(light.ok());
  EXPECT_THAT(light->html, HasSubstr("background-color:#fde047;"));
  EXPECT_THAT(light->html, HasSubstr("color:#000000;text-decoration:none"));
  EXPECT_THAT(light->html, HasSubstr("style=\"color:#2563eb;word-break"));
  d.set("accent_color", "red;background:url(x)");  // never reaches a style
  auto bad = RenderMail("verify_email", d, En());
  ASSERT_TRUE(bad.ok());
  EXPECT_THAT(bad->html, Not(HasSubstr("url(x)")));
}

TEST(MailTemplates, SubjectIsOneLineEvenWithLineBreaksInValues) {
  kainjow::mustache::data d = Vars();
  d.set("app_name", "Acme\r\nBcc: eve@evil.example");
  auto mail = RenderMail("password_reset", d, En());
  ASSERT_TRUE(mail.ok());
  EXPECT_EQ(mail->subject, "Reset your Acme Bcc: eve@evil.example password");
}

TEST(MailTemplates, UnknownKindsAndMissingVariablesAreErrors) {
  EXPECT_EQ(RenderMail("no_such_kind", Vars(), En()).status().code(), StatusCode::kNotFound);
  kainjow::mustache::data d;
  d.set("app_name", "Acme");
  d.set("expires_in_s", "1800");
  auto r = RenderMail("verify_email", d, En());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("link"));
  EXPECT_TRUE(RenderMail("test", d, En()).ok());
  // A lifetime is a number of seconds.
  d.set("link", "https://id.example.com/x");
  d.set("expires_in_s", "half an hour");
  auto no_lifetime = RenderMail("verify_email", d, En());
  EXPECT_EQ(no_lifetime.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(no_lifetime.status().message(), HasSubstr("expires_in_s"));
}

// ---------------------------------------------------------------------------------------
// Languages

TEST(MailTemplates, EnglishSaysWhatItAlwaysSaid) {
  auto verify = RenderMail("verify_email", Vars(), En());
  ASSERT_TRUE(verify.ok()) << verify.status().ToString();
  EXPECT_EQ(verify->subject, "Confirm your email address for Acme & <Co>");
  EXPECT_EQ(verify->text, "Acme & <Co>\n\nConfirm your email address\n\n"
                          "Please confirm that this address belongs to you. Open this link:\n\n" +
                              std::string(kLink) +
                              "\n\nThe link works once and expires in 30 minutes.\n\n--\n"
                              "If you did not ask for this, you can ignore this email.\n");
  EXPECT_THAT(verify->html, HasSubstr("<html lang=\"en\" dir=\"ltr\">"));
  EXPECT_THAT(verify->html, HasSubstr(">Confirm email address</a>"));
  EXPECT_THAT(verify->html, HasSubstr("If the button does not work, copy this link into your browser:<br>"));
  EXPECT_THAT(verify->html,
              HasSubstr("Sent by Acme &amp; &lt;Co&gt;. This is an automated message; replies are not read."));
  // The text part keeps its line breaks; the HTML part has the sentence on one line.
  auto magic = RenderMail("magic_link", Vars(), En());
  ASSERT_TRUE(magic.ok());
  EXPECT_THAT(magic->text, HasSubstr("\nThe link works once and expires in 30 minutes. A newer link\n"
                                     "replaces this one.\n"));
  EXPECT_THAT(magic->html, HasSubstr(">The link works once and expires in 30 minutes. A newer link "
                                     "replaces this one.</p>"));
  auto invitation = RenderMail("console_invitation", [] {
    auto d = Vars();
    d.set("expires_in_s", std::to_string(7 * 86400));
    return d;
  }(), En());
  ASSERT_TRUE(invitation.ok());
  EXPECT_EQ(invitation->subject, "Invitation to manage Photos");
  EXPECT_THAT(invitation->text, HasSubstr("\nThe invitation expires in 7 days.\n"));
  EXPECT_THAT(invitation->text, HasSubstr("to become a member of the app \"Photos\"\n"));
  auto test = RenderMail("test", Vars(), En());
  ASSERT_TRUE(test.ok());
  EXPECT_THAT(test->text, HasSubstr("\nThe app's sign-in page:\n"));
  EXPECT_THAT(test->html, HasSubstr("sent with <code>tessera admin send-test-mail</code>. If you can "
                                    "read it, Acme &amp; &lt;Co&gt; can send mail."));
}

TEST(MailTemplates, LifetimesInEnglishAreDurationText) {
  for (int64_t s : {0, 30, 59, 60, 89, 600, 1800, 3540, 3570, 3600, 5400, 7200, 86400, 129600,
                    172800, 180000, 604800}) {
    SCOPED_TRACE(s);
    EXPECT_EQ(ExpiresInText(En(), s), DurationText(s));
  }
  EXPECT_EQ(ExpiresInText(In("de"), 7 * 86400), "7 Tagen");  // "läuft in 7 Tagen ab"
  EXPECT_EQ(ExpiresInText(In("de"), 3600), "1 Stunde");
  EXPECT_EQ(ExpiresInText(In("es"), 900), "15 minutos");
}

TEST(MailTemplates, AGermanMailIsGermanAndKeepsItsLinkAndCode) {
  const i18n::Texts de = In("de");
  auto verify = RenderMail("verify_email", Vars(), de);
  ASSERT_TRUE(verify.ok()) << verify.status().ToString();
  EXPECT_EQ(verify->subject, "Bestätigen Sie Ihre E-Mail-Adresse für Acme & <Co>");
  EXPECT_THAT(verify->text, HasSubstr("\nBestätigen Sie Ihre E-Mail-Adresse\n"));
  EXPECT_THAT(verify->text, HasSubstr("Der Link funktioniert nur einmal und läuft in 30 Minuten ab."));
  EXPECT_THAT(verify->text, HasSubstr("\n" + std::string(kLink) + "\n"));
  EXPECT_THAT(verify->text, Not(HasSubstr("expires")));
  EXPECT_THAT(verify->html, HasSubstr("<html lang=\"de\" dir=\"ltr\">"));
  EXPECT_THAT(verify->html, HasSubstr(">E-Mail-Adresse bestätigen</a>"));
  EXPECT_THAT(verify->html,
              HasSubstr("href=\"https://id.example.com/apps/acme/verify-email?token=abc&amp;x=&quot;1&quot;\""));
  EXPECT_THAT(verify->html, HasSubstr("damit Acme &amp; &lt;Co&gt; Sie zu Ihrem Konto erreichen kann."));
  EXPECT_THAT(verify->html, Not(HasSubstr("Confirm")));

  auto code = RenderMail("email_code", Vars(), de);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(code->subject, "482913 ist Ihr Code für Acme & <Co>");
  EXPECT_THAT(mail::ExtractCodes(code->text), ::testing::ElementsAre("482913"));
  EXPECT_THAT(code->text, HasSubstr("Er läuft in 30 Minuten ab."));
  EXPECT_THAT(code->html, HasSubstr(">482913</span>"));
}

TEST(MailTemplates, EveryKindSpeaksEveryLanguage) {
  for (std::string locale : {"de", "es", "ar"}) {
    const i18n::Texts t = In(locale);
    for (const auto& kind : MailKinds()) {
      SCOPED_TRACE(locale + " " + kind);
      auto english = RenderMail(kind, Vars(), En());
      auto mail = RenderMail(kind, Vars(), t);
      ASSERT_TRUE(english.ok() && mail.ok()) << mail.status().ToString();
      EXPECT_NE(mail->subject, english->subject);
      EXPECT_EQ(mail->subject.find_first_of("\r\n"), std::string::npos);
      EXPECT_THAT(mail->text, HasSubstr("Acme & <Co>"));
      EXPECT_THAT(mail->html, HasSubstr("Acme &amp; &lt;Co&gt;"));
      EXPECT_THAT(mail->html, HasSubstr("<html lang=\"" + locale + "\" dir=\"" +
                                        (locale == "ar" ? "rtl" : "ltr") + "\">"));
      EXPECT_THAT(mail->text, Not(HasSubstr("{{")));
      // No key left unformatted (an unknown key comes back as itself).
      EXPECT_THAT(mail->text, Not(::testing::ContainsRegex("mail\\.[a-z0-9]+_[a-z0-9_]+")));
      EXPECT_THAT(mail->html, Not(::testing::ContainsRegex("mail\\.[a-z0-9]+_[a-z0-9_]+")));
      EXPECT_THAT(mail->text, Not(HasSubstr("If you did not")));
    }
  }
}

TEST(MailTemplates, ACodeIsShownAsSentNeverAsANumber) {
  kainjow::mustache::data d = Vars();
  d.set("code", "012345");
  for (std::string locale : {"en", "de", "es", "ar"}) {
    SCOPED_TRACE(locale);
    auto mail = RenderMail("email_code", d, In(locale));
    ASSERT_TRUE(mail.ok());
    EXPECT_THAT(mail->subject, HasSubstr("012345"));
    EXPECT_THAT(mail::ExtractCodes(mail->text), ::testing::ElementsAre("012345"));
  }
}

TEST(MailTemplates, AnAppsOwnWordingWins) {
  i18n::MessageOverrides overrides;
  overrides["de"]["mail.verify_email_subject"] = "Willkommen bei {app_name}!";
  const i18n::Texts t(i18n::MessageCatalog::Embedded(), "de", &overrides);
  auto mail = RenderMail("verify_email", Vars(), t);
  ASSERT_TRUE(mail.ok());
  EXPECT_EQ(mail->subject, "Willkommen bei Acme & <Co>!");
  EXPECT_THAT(mail->text, HasSubstr("läuft in 30 Minuten ab"));
}

// ---------------------------------------------------------------------------------------
// MailTexts: which language a mail speaks

TEST(MailTexts, TheUsersLanguageThenTheHintThenTheAppsThenEnglish) {
  store::App app;
  app.name = "Acme";
  store::User user;
  user.profile_json = R"({"name":"Ann","locale":"de-AT"})";
  EXPECT_EQ(MailTexts(app, &user, "es").locale(), "de");
  user.profile_json = "{}";
  EXPECT_EQ(MailTexts(app, &user, "es-MX").locale(), "es");
  EXPECT_EQ(MailTexts(app, nullptr, "es").locale(), "es");
  user.profile_json = R"({"locale":"fr"})";  // not one we speak: passed over
  EXPECT_EQ(MailTexts(app, &user, "").locale(), "en");
  app.settings.default_locale = "ar";
  EXPECT_EQ(MailTexts(app, &user, "").locale(), "ar");
  EXPECT_TRUE(MailTexts(app, &user, "").right_to_left());
  EXPECT_EQ(MailTexts(app, &user, "xx-nonsense").locale(), "ar");
  user.profile_json = "not json";
  EXPECT_EQ(MailTexts(app, &user, "de").locale(), "de");
  user.profile_json = R"({"locale":42})";
  EXPECT_EQ(MailTexts(app, &user, "").locale(), "ar");
  app.settings.default_locale = "";
  EXPECT_EQ(MailTexts(app, nullptr).locale(), "en");
}

TEST(MailTexts, TheAppsOwnWordingComesWithIt) {
  store::App app;
  app.settings.messages["es"]["mail.test_subject"] = "Prueba de {app_name}";
  EXPECT_EQ(MailTexts(app, nullptr, "es")("mail.test_subject", {{"app_name", "Acme"}}),
            "Prueba de Acme");
  EXPECT_EQ(MailTexts(app, nullptr, "de")("mail.test_subject", {{"app_name", "Acme"}}),
            "Testnachricht von Acme");
}

}  // namespace
}  // namespace tessera::services
