// File: email_verification_service.h
// Proving a user owns their email address: a link (24 h, single use) sent after signup and
// on request (rate limited); and changing the address, which needs the password, a link sent
// to the new address, and ends with a notice to the old one.
#pragma once

#include "accounts/account_service.h"
#include "email_flows/mail_flow.h"

namespace tessera::services {

struct EmailVerificationOptions {
  int64_t verify_ttl_s = 24 * 3600;
  int64_t change_ttl_s = 3600;
};

class EmailVerificationService {
 public:
  // `accounts` checks the current password of an address change (throttled).
  EmailVerificationService(MailFlowContext ctx, AccountService& accounts,
                           EmailVerificationOptions options = {})
      : ctx_(ctx), accounts_(accounts), options_(options) {}

  // `locale_hint` everywhere: the language of the page (or request) that asked, a BCP 47
  // tag; the mails speak the user's saved language first (MailTexts, mail_flow.h).

  // Sends a verification link unless the address is verified already.
  Status SendVerification(const store::App& app, const store::User& user, const ClientInfo& client,
                          std::string_view locale_hint = "");
  // A new verification link to `email` when it is an account's unverified address (asked
  // for on the sign-in page, signed out). The answer does not depend on whether it is: the
  // mail limit is counted before the address is looked up.
  Status ResendVerification(const store::App& app, std::string_view email,
                            const ClientInfo& client, std::string_view locale_hint = "");
  // The verified user. kFailedPrecondition ("used" / "expired", a message saying what to do)
  // or kNotFound (not a link of ours). A used link of an address already verified succeeds.
  Result<store::User> Verify(const store::App& app, std::string_view token);

  // Checks the new address, the password (throttled) and the mail limit, then mails a link
  // to the new address unless another account has it. The answer does not depend on that:
  // every check that can refuse runs before it is looked at.
  Status RequestEmailChange(const store::App& app, std::string_view user_id,
                            std::string_view new_email, std::string_view current_password,
                            const ClientInfo& client, std::string_view locale_hint = "");
  // Switches to the new (now verified) address and notifies the old one.
  Result<store::User> ConfirmEmailChange(const store::App& app, std::string_view token,
                                         std::string_view locale_hint = "");

 private:
  Status MailVerificationLink(const store::App& app, const store::User& user,
                              std::string_view locale_hint);

  MailFlowContext ctx_;
  AccountService& accounts_;
  EmailVerificationOptions options_;
};

// The message for a link that cannot be used, saying what to do instead.
Status LinkProblem(store::EmailTokenOutcome outcome, std::string_view what_to_do);

}  // namespace tessera::services
