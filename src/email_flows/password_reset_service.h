// File: password_reset_service.h
// "Forgot password": a request always answers the same, whether or not an account has the
// address (only an existing account gets mail); the link works once, for 30 minutes; the new
// password must pass the policy; success revokes every session and refresh token of the user
// and mails a notice.
#pragma once

#include "accounts/account_service.h"
#include "email_flows/mail_flow.h"

namespace tessera::services {

struct PasswordResetOptions {
  int64_t link_ttl_s = 30 * 60;
};

class PasswordResetService {
 public:
  PasswordResetService(MailFlowContext ctx, AccountService& accounts,
                       PasswordResetOptions options = {})
      : ctx_(ctx), accounts_(accounts), options_(options) {}

  // `locale_hint` (both mails): the language of the page (or request) that asked, a BCP 47
  // tag; the mails speak the user's saved language first (MailTexts, mail_flow.h).
  // OK for any well-formed address (kRateLimited when flooding, equally for all addresses).
  Status RequestReset(const store::App& app, std::string_view email, const ClientInfo& client,
                      std::string_view locale_hint = "");
  // kInvalidArgument (field "new_password") when the password fails the policy — the link
  // stays usable then; kFailedPrecondition / kNotFound for a used, expired or unknown link.
  // Whether a reset link can still be used, looked at without spending it (the page checks
  // it on opening): OK, or what ResetPassword would say of the link itself —
  // kFailedPrecondition (used, expired) or kNotFound (not ours, or the address moved on).
  Status CheckLink(const store::App& app, std::string_view token);
  Status ResetPassword(const store::App& app, std::string_view token,
                       std::string_view new_password, std::string_view locale_hint = "");
  // How long a link works (the pages say it in words, as the mail does).
  int64_t link_ttl_s() const { return options_.link_ttl_s; }

 private:
  MailFlowContext ctx_;
  AccountService& accounts_;
  PasswordResetOptions options_;
};

}  // namespace tessera::services
