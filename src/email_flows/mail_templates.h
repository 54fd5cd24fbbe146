// File: mail_templates.h
// The mails' texts: kainjow mustache templates in src/email_flows/templates, embedded into the
// binary (cmake/embed_mail_templates.cmake). Each kind has <kind>.subject.mustache,
// <kind>.txt.mustache and <kind>.html.mustache; `{{> name}}` includes _name.mustache. What
// they say comes from the message catalogue (group "mail": src/i18n/locales/<locale>/
// mail.json): {{t.mail.<name>}} in a template is that message in the mail's language,
// formatted with the mail's (top-level, string) variables as its ICU arguments.
//
//   kainjow::mustache::data vars;
//   vars.set("app_name", DisplayName(app.settings, app.name));  // what people see
//   vars.set("link", issuer + "/verify-email?token=" + token);
//   vars.set("expires_in_s", std::to_string(3600));          // strings only: "in 1 hour"
//   Result<MailContent> mail = RenderMail("verify_email", vars, MailTexts(app, &user));
//
// Kinds and their variables (every one required; all strings):
//   verify_email      app_name, link, expires_in_s
//   password_reset    app_name, link, expires_in_s
//   password_changed  app_name, time_utc               (a notice)
//   magic_link        app_name, link, expires_in_s
//   email_code        app_name, code, expires_in_s
//   change_email      app_name, link, new_email, expires_in_s  (to the new address)
//   email_changed     app_name, new_email              (a notice to the old address)
//   account_secured   app_name, forgot_url             (a notice: pre-hijack defence undid
//                                                       what was set up before a first proof)
//   test              app_name; link optional          (`tessera admin send-test-mail`)
//   console_invitation app_name (the console), link, invited_app, role ("owner" or
//                     "member"), expires_in_s (an owner invited the address to an app;
//                     accepted in the console)
//   link_identity     app_name, link, provider_name, account_email, expires_in_s;
//                     upstream_label optional
//   security_notice   app_name, change (a sentence: what changed), time_utc
// `expires_in_s` is a link's or code's lifetime in seconds (decimal digits): the mail says it
// in words, in the unit base/duration_text.h picks ("expires in 24 hours"), in its language.
// (Until every caller gives expires_in_s, `expires_in` as DurationText's English words —
// "15 minutes" — is read back into a lifetime instead.)
// Optional everywhere: accent_color ("#rrggbb", the app's accent: the HTML button's colour).
// The renderer sets `t`, `lang`, `dir`, `expires_in`, `button_label` and the button colours
// itself. Values are HTML-escaped in the HTML part and plain in the subject and text part;
// so are the messages (a line break in a message — the text part's wrapping of the English —
// is a space in the HTML part); the subject is one line (line breaks in values become
// spaces); the HTML part is <html lang="…" dir="ltr|rtl"> in the mail's language. kNotFound
// for an unknown kind, kInvalidArgument when a variable is missing. Thread-safe.
#pragma once

#include <kainjow/mustache.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "email_flows/mailer.h"
#include "i18n/message_catalog.h"

namespace tessera::services {

Result<MailContent> RenderMail(std::string_view kind, const kainjow::mustache::data& vars,
                               const i18n::Texts& t);

// The kinds there are templates for, sorted.
std::vector<std::string> MailKinds();

// A lifetime as the mails say it after "expires in", in t's language (message
// "mail.expires_in"): in English exactly DurationText(seconds) — "1 minute", "90 minutes",
// "24 hours", "7 days".
std::string ExpiresInText(const i18n::Texts& t, int64_t seconds);

}  // namespace tessera::services
