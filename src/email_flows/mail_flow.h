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

// Renders mail template `kind` with `vars` (+ app_name) and queues it to `to`.
Status SendTemplatedMail(MailFlowContext& ctx, const store::App& app, std::string_view kind,
                         std::string_view to, kainjow::mustache::data vars);

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
