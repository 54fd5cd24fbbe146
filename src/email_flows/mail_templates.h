// File: mail_templates.h
// The mails' texts: kainjow mustache templates in src/email_flows/templates, embedded into the
// binary (cmake/embed_mail_templates.cmake). Each kind has <kind>.subject.mustache,
// <kind>.txt.mustache and <kind>.html.mustache; `{{> name}}` includes _name.mustache.
//
//   kainjow::mustache::data vars;
//   vars.set("app_name", DisplayName(app.settings, app.name));  // what people see
//   vars.set("link", issuer + "/verify-email?token=" + token);
//   vars.set("expires_in", DurationText(3600));               // strings only: "1 hour"
//   Result<MailContent> mail = RenderMail("verify_email", vars);
//
// Kinds and their variables (every one required; all strings):
//   verify_email      app_name, link, expires_in
//   password_reset    app_name, link, expires_in
//   password_changed  app_name, time_utc               (a notice)
//   magic_link        app_name, link, expires_in
//   email_code        app_name, code, expires_in
//   change_email      app_name, link, new_email, expires_in  (to the new address)
//   email_changed     app_name, new_email              (a notice to the old address)
//   account_secured   app_name, forgot_url             (a notice: pre-hijack defence undid
//                                                       what was set up before a first proof)
//   test              app_name; link optional          (`tessera admin send-test-mail`)
//   console_invitation app_name (the console), link, invited_app, role, expires_days
//                     (an owner invited the address to an app; accepted in the console)
// Optional everywhere: accent_color ("#rrggbb", the app's accent: the HTML button's colour).
// Values are HTML-escaped in the HTML part and plain in the subject and text part; the
// subject is one line (line breaks in values become spaces). kNotFound for an unknown kind,
// kInvalidArgument when a variable is missing. Thread-safe.
#pragma once

#include <kainjow/mustache.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "email_flows/mailer.h"

namespace tessera::services {

Result<MailContent> RenderMail(std::string_view kind, const kainjow::mustache::data& vars);

// The kinds there are templates for, sorted.
std::vector<std::string> MailKinds();

}  // namespace tessera::services
