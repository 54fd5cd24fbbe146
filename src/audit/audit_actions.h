// File: audit_actions.h
// Every action the audit log records, in one table: its enum value, the name stored in
// audit_events.action (and shown by the consoles, the APIs and `tessera admin audit`), and a
// line saying when it is recorded. Every emitter names its action by the enum; the OpenAPI
// document's list of actions (AuditEvent.action) is tested against this table both ways
// (api/openapi_test.cc). A renamed action keeps its former name in kFormerAuditActionNames:
// old rows read as the new action, and filtering by the new name finds them.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "base/enum_text.h"

namespace tessera::store {

enum class AuditAction {
  // An end user's own account.
  kUserSignup,
  kUserLogin,
  kUserLoginFailed,
  kUserProfileUpdated,
  kUserPasswordChanged,
  kUserPasswordReset,
  kUserEmailChanged,
  kEmailVerified,
  kUserAccountSecured,
  // Sessions.
  kSessionLogout,
  kSessionLogoutAll,
  kSessionRevoked,
  kSessionRefreshReuse,
  // Personal API tokens.
  kApiTokenCreated,
  kApiTokenRevoked,
  // The app managing its users (console, server API, CLI).
  kUserCreated,
  kUserUpdated,
  kUserDisabled,
  kUserEnabled,
  kUserSessionsRevoked,
  kUserPasswordResetSent,
  kUserDeleted,
  // Apps, their members and their backends' keys.
  kAppCreated,
  kAppSettingsChanged,
  kAppDisabled,
  kAppEnabled,
  kAppMemberAdded,
  kAppMemberRemoved,
  kAppInvitationSent,
  kAppInvitationAccepted,
  kAppInvitationDeclined,
  kAppInvitationRevoked,
  kAppApiKeyCreated,
  kAppApiKeyRevoked,
  // OAuth clients and grants.
  kOAuthClientCreated,
  kOAuthClientUpdated,
  kOAuthClientSecretRotated,
  kOAuthClientRevoked,
  kOAuthConsentGranted,
  kOAuthAuthorizationRevoked,
  kOAuthCodeReuse,
  kOAuthTokenRevoked,
  kOAuthDeviceApproved,
  kOAuthDeviceDenied,
  kInitialAccessTokenCreated,
  kInitialAccessTokenRevoked,
  // Sign-in through upstream providers.
  kIdentityProviderCreated,
  kIdentityProviderUpdated,
  kIdentityProviderDeleted,
  kIdentityLinked,
  kIdentityUnlinked,
  // Second factors.
  kMfaFactorEnrolled,
  kMfaFactorRemoved,
  kMfaFactorRenamed,
  kMfaVerified,
  kMfaFailed,
  kMfaRecoveryCodeUsed,
  kMfaRecoveryCodesRegenerated,
  kMfaReset,
  // The server.
  kSigningKeyRotated,

  kWebhookCreated,
  kWebhookUpdated,
  kWebhookDeleted,
  kWebhookSecretRotated,
  kWebhookTested,
  kWebhookRedelivered,
};

struct AuditActionInfo {
  AuditAction action;
  std::string_view name;         // as stored and shown
  std::string_view description;  // when it is recorded
};

inline constexpr AuditActionInfo kAuditActions[] = {
    {AuditAction::kUserSignup, "user.signup",
     "Someone signed up themselves (signup page or API; a first sign-in by mail link)."},
    {AuditAction::kUserLogin, "user.login",
     "A sign-in succeeded (password, mail link or code, or tokens the app issued)."},
    {AuditAction::kUserLoginFailed, "user.login_failed",
     "A password sign-in failed; details.reason says why (never the identifier typed)."},
    {AuditAction::kUserProfileUpdated, "user.profile_updated",
     "The user changed their profile or username."},
    {AuditAction::kUserPasswordChanged, "user.password_changed",
     "The user changed their password (failure: the current password was wrong)."},
    {AuditAction::kUserPasswordReset, "user.password_reset",
     "A new password was set with a reset link."},
    {AuditAction::kUserEmailChanged, "user.email_changed",
     "The user confirmed a new email address."},
    {AuditAction::kEmailVerified, "email.verified", "The user confirmed their email address."},
    {AuditAction::kUserAccountSecured, "user.account_secured",
     "The owner first proved an unverified address by mail: the password set before was "
     "cleared and every session ended (pre-registered account hijack)."},
    {AuditAction::kSessionLogout, "session.logout",
     "A session ended by logging out (account API, hosted pages, OIDC end session)."},
    {AuditAction::kSessionLogoutAll, "session.logout_all", "The user signed out everywhere."},
    {AuditAction::kSessionRevoked, "session.revoked",
     "The user ended one of their sessions (account page or API)."},
    {AuditAction::kSessionRefreshReuse, "session.refresh_reuse",
     "A spent refresh token was replayed; its session was revoked."},
    {AuditAction::kApiTokenCreated, "api_token.created", "The user created a personal API token."},
    {AuditAction::kApiTokenRevoked, "api_token.revoked", "The user revoked a personal API token."},
    {AuditAction::kUserCreated, "user.created",
     "The app created a user (developer console, server API with its key, or the CLI)."},
    {AuditAction::kUserUpdated, "user.updated",
     "The app changed a user; details.changed lists what."},
    {AuditAction::kUserDisabled, "user.disabled", "The app disabled a user (their sessions end)."},
    {AuditAction::kUserEnabled, "user.enabled", "The app enabled a disabled user again."},
    {AuditAction::kUserSessionsRevoked, "user.sessions_revoked",
     "The app signed a user out everywhere."},
    {AuditAction::kUserPasswordResetSent, "user.password_reset_sent",
     "The app mailed a user a password-reset link."},
    {AuditAction::kUserDeleted, "user.deleted", "The app deleted a user and all of theirs."},
    {AuditAction::kAppCreated, "app.created", "An app was created."},
    {AuditAction::kAppSettingsChanged, "app.settings_changed",
     "An app's name or settings changed; details.changed lists which."},
    {AuditAction::kAppDisabled, "app.disabled", "An operator disabled an app."},
    {AuditAction::kAppEnabled, "app.enabled", "An operator enabled an app again."},
    {AuditAction::kAppMemberAdded, "app.member_added", "A developer became a member of an app."},
    {AuditAction::kAppMemberRemoved, "app.member_removed",
     "A developer was removed from an app, or left it."},
    {AuditAction::kAppInvitationSent, "app.invitation_sent",
     "An owner invited an address to become a member (details: email, role)."},
    {AuditAction::kAppInvitationAccepted, "app.invitation_accepted",
     "The invited developer accepted: they are a member now."},
    {AuditAction::kAppInvitationDeclined, "app.invitation_declined",
     "The invited developer declined an invitation."},
    {AuditAction::kAppInvitationRevoked, "app.invitation_revoked",
     "An owner revoked an invitation before it was answered."},
    {AuditAction::kAppApiKeyCreated, "app_api_key.created",
     "An API key for the app's backend was created."},
    {AuditAction::kAppApiKeyRevoked, "app_api_key.revoked",
     "An API key of the app's backend was revoked."},
    {AuditAction::kOAuthClientCreated, "oauth_client.created", "An OAuth client was registered."},
    {AuditAction::kOAuthClientUpdated, "oauth_client.updated",
     "An OAuth client changed; details.changed lists what."},
    {AuditAction::kOAuthClientSecretRotated, "oauth_client.secret_rotated",
     "An OAuth client got a new secret."},
    {AuditAction::kOAuthClientRevoked, "oauth_client.revoked", "An OAuth client was revoked."},
    {AuditAction::kOAuthConsentGranted, "oauth.consent_granted",
     "The user let a client have scopes."},
    {AuditAction::kOAuthAuthorizationRevoked, "oauth.authorization_revoked",
     "The user took a client's access away (its consent and sessions)."},
    {AuditAction::kOAuthCodeReuse, "oauth.code_reuse",
     "An authorization code was redeemed twice; what it granted was revoked."},
    {AuditAction::kOAuthTokenRevoked, "oauth.token_revoked",
     "A client revoked a token (RFC 7009); its session ended."},
    {AuditAction::kOAuthDeviceApproved, "oauth.device_approved",
     "The user approved a device's sign-in by its code (RFC 8628; details: scopes)."},
    {AuditAction::kOAuthDeviceDenied, "oauth.device_denied",
     "The user denied a device's sign-in by its code (RFC 8628)."},
    {AuditAction::kInitialAccessTokenCreated, "initial_access_token.created",
     "An initial access token for dynamic client registration was created."},
    {AuditAction::kInitialAccessTokenRevoked, "initial_access_token.revoked",
     "An initial access token for dynamic client registration was revoked."},
    {AuditAction::kIdentityProviderCreated, "identity_provider.created",
     "An upstream sign-in provider (GitHub, Google, OpenID) was added to an app."},
    {AuditAction::kIdentityProviderUpdated, "identity_provider.updated",
     "An app's sign-in provider was changed, turned on or off (the secret is never shown)."},
    {AuditAction::kIdentityProviderDeleted, "identity_provider.deleted",
     "An app's sign-in provider was deleted, and every identity linked through it."},
    {AuditAction::kIdentityLinked, "identity.linked",
     "An upstream identity was linked to a user (a first sign-in with it, or proven linking)."},
    {AuditAction::kIdentityUnlinked, "identity.unlinked",
     "An upstream identity was unlinked from a user (by the user, or when the address was "
     "first proven by its owner)."},
    {AuditAction::kMfaFactorEnrolled, "mfa.factor_enrolled",
     "The user added a second factor (details: kind, factor_id); failure: a wrong first code."},
    {AuditAction::kMfaFactorRemoved, "mfa.factor_removed",
     "The user removed a second factor (details: kind, factor_id)."},
    {AuditAction::kMfaFactorRenamed, "mfa.factor_renamed", "The user renamed a second factor."},
    {AuditAction::kMfaVerified, "mfa.verified",
     "A second factor was accepted at sign-in (details: method, factor_id)."},
    {AuditAction::kMfaFailed, "mfa.failed",
     "A second factor was refused at sign-in (details: method, reason)."},
    {AuditAction::kMfaRecoveryCodeUsed, "mfa.recovery_code_used",
     "A recovery code was used to sign in (details: remaining)."},
    {AuditAction::kMfaRecoveryCodesRegenerated, "mfa.recovery_codes_regenerated",
     "The user made a new set of recovery codes; the old set no longer works."},
    {AuditAction::kMfaReset, "mfa.reset",
     "The app removed every second factor and recovery code of a user (details: factors)."},
    {AuditAction::kSigningKeyRotated, "signing_key.rotated",
     "A new signing key became active (`tessera keys rotate`)."},
    {AuditAction::kWebhookCreated, "webhook.created",
     "A webhook endpoint was added (details: url, event_types)."},
    {AuditAction::kWebhookUpdated, "webhook.updated",
     "A webhook endpoint changed; details.changed lists what."},
    {AuditAction::kWebhookDeleted, "webhook.deleted", "A webhook endpoint was deleted."},
    {AuditAction::kWebhookSecretRotated, "webhook.secret_rotated",
     "A webhook endpoint got a new signing secret (the previous one signs too for a while)."},
    {AuditAction::kWebhookTested, "webhook.tested", "A test event was sent to a webhook endpoint."},
    {AuditAction::kWebhookRedelivered, "webhook.redelivered",
     "An event was queued again for a webhook endpoint (details: delivery, event)."},
};

// Names an action had before it was renamed: read, never written.
inline constexpr EnumText<AuditAction> kFormerAuditActionNames[] = {
    // Until the browser's and the API's logout were one action, the hosted pages'
    // logout was recorded as "user.logout".
    {AuditAction::kSessionLogout, "user.logout"},
};

// The text table of AuditAction (base/enum_text.h): each action's name, then the former ones.
inline constexpr auto kAuditActionTexts = [] {
  std::array<EnumText<AuditAction>, std::size(kAuditActions) + std::size(kFormerAuditActionNames)>
      out{};
  size_t i = 0;
  for (const AuditActionInfo& a : kAuditActions) out[i++] = {a.action, a.name};
  for (const EnumText<AuditAction>& former : kFormerAuditActionNames) out[i++] = former;
  return out;
}();
constexpr std::span<const EnumText<AuditAction>> TextsOf(AuditAction) { return kAuditActionTexts; }

// Every name rows of `action` may carry: its name and its former ones.
inline std::vector<std::string_view> StoredNamesOf(AuditAction action) {
  std::vector<std::string_view> out;
  for (const EnumText<AuditAction>& t : kAuditActionTexts) {
    if (t.value == action) out.push_back(t.text);
  }
  return out;
}

}  // namespace tessera::store
