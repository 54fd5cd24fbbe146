// File: passwordless_service.h
// Signing in with a link or a 6-digit code sent by mail. A request always answers the same
// for any address; when the app allows signup, an address without an account gets a link
// too and the account is created when the link is used. Links live 15 minutes, codes 10
// (with 5 guesses); a newer one voids the older. Using either proves the address: the email
// becomes verified.
#pragma once

#include <optional>

#include "accounts/account_service.h"
#include "email_flows/mail_flow.h"

namespace tessera::services {

// The addressee of a sign-in link or code: the account (if any) and the address to write to.
struct SignInMailTo {
  std::optional<store::User> account;  // none: nobody has the address (an open sign-up)
  std::string address;

  std::optional<std::string> user_id() const {
    return account ? std::optional<std::string>(account->id) : std::nullopt;
  }
};

struct PasswordlessOptions {
  int64_t link_ttl_s = 15 * 60;
  int64_t code_ttl_s = 10 * 60;
};

// Where the link in the mail leads.
struct MagicLinkTarget {
  std::string redirect_uri;  // the app's page (API requests; must be in the app's settings)
  std::string return_to;     // else the hosted "continue" page, then this page of ours
};

class PasswordlessService {
 public:
  PasswordlessService(MailFlowContext ctx, AccountService& accounts,
                      PasswordlessOptions options = {})
      : ctx_(ctx), accounts_(accounts), options_(options) {}

  // `locale_hint` everywhere: the language of the page (or request) that asked, a BCP 47
  // tag, for the mail; an account's saved language comes first (MailTexts, mail_flow.h).

  // kInvalidArgument for a bad address or a redirect_uri the app did not allow.
  Status RequestLink(const store::App& app, std::string_view email, const MagicLinkTarget& target,
                     const ClientInfo& client, std::string_view locale_hint = "");
  // The user the link signs in (created on first use when allowed).
  // A first proof of an unverified address secures the account (AccountService::
  // ClaimUnverifiedAccount) and tells its owner by mail.
  Result<store::User> ConsumeLink(const store::App& app, std::string_view token,
                                  const ClientInfo& client = {},
                                  std::string_view locale_hint = "");

  Status RequestCode(const store::App& app, std::string_view email, const ClientInfo& client,
                     std::string_view locale_hint = "");
  // kUnauthenticated for a wrong code; kFailedPrecondition when no live code is left.
  Result<store::User> ConsumeCode(const store::App& app, std::string_view email,
                                  std::string_view code, const ClientInfo& client = {},
                                  std::string_view locale_hint = "");

 private:
  // Where a sign-in mail for `email` goes, once the per-address and per-IP limits allow one:
  // the account's address, or the address itself when nobody has it and the app is open to
  // sign-up; nullopt when no mail is sent (the caller answers the same either way).
  Result<std::optional<SignInMailTo>> AddresseeOf(const store::App& app, const std::string& email,
                                                  const ClientInfo& client);
  Result<store::User> SignedInUser(const store::App& app, const store::EmailToken& token,
                                   const ClientInfo& client, std::string_view locale_hint);
  Result<store::User> ClaimAccount(const store::App& app, std::string_view user_id,
                                   const ClientInfo& client, std::string_view locale_hint);

  MailFlowContext ctx_;
  AccountService& accounts_;
  PasswordlessOptions options_;
};

}  // namespace tessera::services
