#include "email_flows/passwordless_service.h"

#include <algorithm>

#include "base/log.h"
#include "base/percent_encoding.h"
#include "email_flows/email_verification_service.h"
#include "accounts/identity_rules.h"

namespace tessera::services {

Result<std::optional<SignInMailTo>> PasswordlessService::AddresseeOf(const store::App& app,
                                                                     const std::string& email,
                                                                     const ClientInfo& client) {
  TESSERA_RETURN_IF_ERROR(ctx_.limiter.Acquire(app, email, client.ip));
  auto user = ctx_.users.GetUserByEmail(app.id, email);
  if (user.ok()) {
    if (user->disabled) return std::optional<SignInMailTo>();
    std::string address = user->email;
    return std::optional<SignInMailTo>(SignInMailTo{std::move(*user), std::move(address)});
  }
  if (!user.status().IsNotFound()) return user.status();
  // Nobody has the address: a mail only when it may sign up (the answer is the same).
  if (!app.settings.allow_signup) return std::optional<SignInMailTo>();
  return std::optional<SignInMailTo>(SignInMailTo{std::nullopt, email});
}

Status PasswordlessService::RequestLink(const store::App& app, std::string_view email,
                                        const MagicLinkTarget& target, const ClientInfo& client,
                                        std::string_view locale_hint) {
  if (!app.settings.magic_link_login) {
    return PermissionDeniedError("sign-in links are not enabled for this app");
  }
  auto valid = ValidEmail(email);
  if (!valid) return ValidationError({{"email", "must be a valid email address"}});
  if (!target.redirect_uri.empty()) {
    auto allowed = app.settings.redirect_uris;
    if (std::find(allowed.begin(), allowed.end(), target.redirect_uri) == allowed.end()) {
      return ValidationError({{"redirect_uri", "is not one of the app's allowed redirect URIs"}});
    }
  }
  std::string normalized = NormalizeEmail(*valid);
  TESSERA_ASSIGN_OR_RETURN(std::optional<SignInMailTo> to, AddresseeOf(app, normalized, client));
  if (!to) return OkStatus();
  TESSERA_ASSIGN_OR_RETURN(
      IssuedToken t,
      ctx_.tokens.IssueLink(app, to->user_id(), normalized, store::EmailTokenPurpose::kMagicLink,
                            options_.link_ttl_s, "", target.redirect_uri));
  std::string link;
  if (!target.redirect_uri.empty()) {
    link = target.redirect_uri + (target.redirect_uri.find('?') == std::string::npos ? "?" : "&") +
           "token=" + t.secret;
  } else {
    link = TokenLink(ctx_, app, "magic-link/continue", t.secret);
    if (!target.return_to.empty()) link += "&return_to=" + PercentEncode(target.return_to);
  }
  kainjow::mustache::data v;
  v.set("link", link);
  v.set("expires_in_s", std::to_string(options_.link_ttl_s));
  return SendTemplatedMail(ctx_, app, "magic_link", to->address, std::move(v),
                           to->account ? &*to->account : nullptr, locale_hint);
}

Result<store::User> PasswordlessService::SignedInUser(const store::App& app,
                                                      const store::EmailToken& token,
                                                      const ClientInfo& client,
                                                      std::string_view locale_hint) {
  auto existing = ctx_.users.GetUserByEmail(app.id, token.email);
  if (existing.ok()) {
    // The link was sent to this very address, so it is the account's (and now verified).
    if (token.user_id && existing->id != *token.user_id) {
      return FailedPreconditionError("This link is not valid anymore. Ask for a new one.");
    }
    if (existing->disabled) return UnauthenticatedError("this account is disabled");
    if (!existing->email_verified) return ClaimAccount(app, existing->id, client, locale_hint);
    return existing;
  }
  if (!existing.status().IsNotFound()) return existing.status();
  if (token.user_id || !app.settings.allow_signup) {
    return FailedPreconditionError("This link is not valid anymore. Ask for a new one.");
  }
  auto created = accounts_.CreatePasswordlessUser(app, token.email);
  // A racing first sign-in of the same address created the account meanwhile.
  if (created.status().ClashedOn(store::UserUniqueKey::kEmail)) {
    return ctx_.users.GetUserByEmail(app.id, token.email);
  }
  return created;
}

Result<store::User> PasswordlessService::ClaimAccount(const store::App& app,
                                                      std::string_view user_id,
                                                      const ClientInfo& client,
                                                      std::string_view locale_hint) {
  TESSERA_ASSIGN_OR_RETURN(ClaimedAccount claimed,
                           accounts_.ClaimUnverifiedAccount(app, user_id, client));
  if (claimed.secured()) {  // the owner hears what was undone, and how to get a password
    kainjow::mustache::data v;
    v.set("password_cleared", claimed.password_cleared);
    v.set("forgot_url", ctx_.apps.IssuerFor(app.slug) + "/forgot-password");
    Status notice =
        SendTemplatedMail(ctx_, app, "account_secured", claimed.user.email, std::move(v),
                          &claimed.user, locale_hint);
    if (!notice.ok()) {
      LogJson(spdlog::level::warn, "account_secured_notice_failed", {{"error", notice.ToString()}});
    }
  }
  return std::move(claimed.user);
}

Result<store::User> PasswordlessService::ConsumeLink(const store::App& app, std::string_view token,
                                                     const ClientInfo& client,
                                                     std::string_view locale_hint) {
  if (!app.settings.magic_link_login) {
    return PermissionDeniedError("sign-in links are not enabled for this app");
  }
  TESSERA_ASSIGN_OR_RETURN(
      store::EmailTokenRedemption r,
      ctx_.tokens.RedeemLink(app, token, store::EmailTokenPurpose::kMagicLink));
  if (r.outcome != store::EmailTokenOutcome::kConsumed) {
    return LinkProblem(r.outcome, "Ask for a new sign-in link.");
  }
  return SignedInUser(app, *r.token, client, locale_hint);
}

Status PasswordlessService::RequestCode(const store::App& app, std::string_view email,
                                        const ClientInfo& client, std::string_view locale_hint) {
  if (!app.settings.email_code_login) {
    return PermissionDeniedError("sign-in codes are not enabled for this app");
  }
  auto valid = ValidEmail(email);
  if (!valid) return ValidationError({{"email", "must be a valid email address"}});
  std::string normalized = NormalizeEmail(*valid);
  TESSERA_ASSIGN_OR_RETURN(std::optional<SignInMailTo> to, AddresseeOf(app, normalized, client));
  // An address that gets no mail (nobody has it and the app is closed to sign-up, or its
  // account is disabled) still gets a code, never sent: guesses at it are then answered
  // exactly like guesses at a real one, so email-code/verify cannot tell which addresses
  // have accounts (issue 11, item 9).
  TESSERA_ASSIGN_OR_RETURN(
      IssuedToken t,
      ctx_.tokens.IssueCode(app, to ? to->user_id() : std::nullopt, normalized,
                            store::EmailTokenPurpose::kEmailCode, options_.code_ttl_s));
  if (!to) return OkStatus();
  kainjow::mustache::data v;
  v.set("code", t.secret);
  v.set("expires_in_s", std::to_string(options_.code_ttl_s));
  return SendTemplatedMail(ctx_, app, "email_code", to->address, std::move(v),
                           to->account ? &*to->account : nullptr, locale_hint);
}

Result<store::User> PasswordlessService::ConsumeCode(const store::App& app, std::string_view email,
                                                     std::string_view code,
                                                     const ClientInfo& client,
                                                     std::string_view locale_hint) {
  auto valid = ValidEmail(email);
  if (!valid) return UnauthenticatedError("invalid or expired code");
  std::string normalized = NormalizeEmail(*valid);
  TESSERA_ASSIGN_OR_RETURN(
      store::EmailTokenRedemption r,
      ctx_.tokens.RedeemCode(app, normalized, store::EmailTokenPurpose::kEmailCode, code));
  if (r.outcome == store::EmailTokenOutcome::kInvalid) {
    return UnauthenticatedError("That code is not right. Check the latest email and try again.");
  }
  if (r.outcome != store::EmailTokenOutcome::kConsumed) {
    return FailedPreconditionError("This code can no longer be used. Ask for a new one.");
  }
  return SignedInUser(app, *r.token, client, locale_hint);
}

}  // namespace tessera::services
