// File: mail_flow.h
// What every email flow (verification, password reset, passwordless sign-in, email change)
// shares: the store, the app's issuer for links, single-use tokens, the mail rate limit,
// templated mail through the queue, and the clock.
#pragma once

#include <kainjow/mustache.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "tenancy/app_service.h"
#include "audit/audit_log.h"
#include "email_flows/email_token_service.h"
#include "email_flows/mail_rate_limiter.h"
#include "email_flows/mailer.h"
#include "i18n/message_catalog.h"
#include "tenancy/tenancy_records.h"
#include "accounts/user_store.h"

namespace tessera::services {

struct MailFlowContext {
  store::UserStore& users;
  AppService& apps;
  EmailTokenService& tokens;
  MailRateLimiter& limiter;
  Mailer& mailer;
  const Clock& clock;
  AuditLog* audit = nullptr;  // may be null (no audit log)
};

// The language a mail speaks, first match (i18n/locale_negotiation.h, i18n::MatchLocale):
// the addressed user's saved locale (the profile's `locale` claim; `user` may be null — an
// address without an account), `locale_hint` (a BCP 47 tag: the language of the page that
// asked for the mail), the app's default language (AppSettings::default_locale), English;
// with the app's own wording over the catalogue's. The Texts refers to `app`'s settings:
// `app` must outlive it.
i18n::Texts MailTexts(const store::App& app, const store::User* user,
                      std::string_view locale_hint = "");

// Renders mail template `kind` with `vars` (+ app_name) in MailTexts(app, user, locale_hint)
// and queues it to `to`. `user`: the account the mail is about (its saved language), when
// there is one — it may be addressed elsewhere (the new address of an email change).
Status SendTemplatedMail(MailFlowContext& ctx, const store::App& app, std::string_view kind,
                         std::string_view to, kainjow::mustache::data vars,
                         const store::User* user = nullptr, std::string_view locale_hint = "");

// The live account a mail for `email` (as typed) would go to, for the flows that answer the
// same whatever the address (reset, a new confirmation link): kInvalidArgument (field
// "email") when it is no address; the mail limit counted *before* the lookup, so that it
// cannot tell a used address from a free one; nullopt when no enabled account has it.
Result<std::optional<store::User>> MailRecipient(MailFlowContext& ctx, const store::App& app,
                                                 std::string_view email, std::string_view ip);

// {issuer}/{page}?token=… (the token is URL-safe base64).
std::string TokenLink(MailFlowContext& ctx, const store::App& app, std::string_view page,
                      std::string_view token);

}  // namespace tessera::services
