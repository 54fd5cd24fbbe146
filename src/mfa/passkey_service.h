// File: passkey_service.h
// Passkeys (WebAuthn credentials) of an app's users: the registration and authentication
// ceremonies around mfa/webauthn.h's checks. Every app shares the server's host as RP ID, so
// a credential is bound on the server to its app and user: a passkey of app A is unknown on
// app B's pages, and its user name names the app ("ann@example.com · Acme") so people can
// tell their passkeys apart. Each challenge is random (256 bits), single use, lives five
// minutes and is bound to the browser that asked (its session, its pending sign-in, or a
// cookie of its own for a passkey sign-in).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/account_service.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "email_flows/mail_flow.h"
#include "mfa/factor_service.h"
#include "mfa/mfa_store.h"

namespace tessera::services {

// Where the ceremonies happen: the RP ID (PUBLIC_URL's host) and the exact origins the
// pages are served from (PUBLIC_URL's scheme, host and port).
struct PasskeySettings {
  std::string rp_id;
  std::vector<std::string> origins;
  std::string rp_name = "Tessera";
};
// From PUBLIC_URL ("https://id.example.com:8443/…" → rp_id id.example.com, origin
// https://id.example.com:8443).
PasskeySettings PasskeySettingsFor(std::string_view public_url);

inline constexpr int64_t kPasskeyChallengeTtlMs = 5 * 60 * 1000;
// A passkey sign-in's handle ("tpk_…"): the hosted pages' cookie, the API's passkey_token.
inline constexpr std::string_view kPasskeyTokenPrefix = "tpk_";

// A passkey that signed someone in.
struct PasskeyProof {
  store::User user;
  store::Factor factor;
  bool user_verified = false;
  std::string amr;  // "hwk" (or "swk" for a synced passkey), with "mfa" when user-verified
};

class PasskeyService {
 public:
  // `master_key`: the server's; the sign-in challenges' MAC key is derived from it (every
  // node has the same).
  PasskeyService(store::MfaStore& store, AccountService& accounts, const Clock& clock,
                 std::string_view master_key, PasskeySettings settings,
                 std::optional<MailFlowContext> mail, AuditLog* audit = nullptr);

  const PasskeySettings& settings() const { return settings_; }
  // PUBLIC_URL's origin and the app's own (AppSettings::passkey_origins): where a ceremony
  // for this app may run.
  std::vector<std::string> OriginsFor(const store::App& app) const;

  // PublicKeyCredentialCreationOptions (JSON, binary members base64url) for `user`: resident
  // key required, user verification preferred, attestation none, ES256/EdDSA/RS256, the
  // user's passkeys excluded. `binding`: what ties the challenge to this browser.
  // kPermissionDenied when the app does not offer passkeys.
  Result<std::string> RegistrationOptions(const store::App& app, const store::User& user,
                                          std::string_view binding);
  // The browser's PublicKeyCredential (toJSON form: id, rawId, type, response.clientDataJSON,
  // response.attestationObject; base64url). kInvalidArgument saying what failed.
  Result<store::Factor> Register(const store::App& app, const store::User& user,
                                 std::string_view binding, std::string_view credential_json,
                                 std::string_view name);

  // PublicKeyCredentialRequestOptions: for a second factor, `user`'s passkeys; for a passkey
  // sign-in (user null), none listed (discoverable credentials, conditional UI).
  Result<std::string> AssertionOptions(const store::App& app, const store::User* user,
                                       std::string_view binding);
  // Verifies an assertion (response.clientDataJSON, authenticatorData, signature,
  // userHandle). `expected_user`: the user a second factor must be of (null for a passkey
  // sign-in). kUnauthenticated for anything that does not prove a passkey of this app.
  Result<PasskeyProof> Authenticate(const store::App& app, std::string_view binding,
                                    std::string_view credential_json,
                                    const store::User* expected_user, const ClientInfo& client);

 private:
  Result<std::string> NewChallenge(const store::App& app, std::string_view user_id,
                                   store::MfaChallengeKind kind, std::string_view binding);
  // A passkey sign-in's challenge (no user yet) is not stored: the sign-in page offers one on
  // every view, and a stored row per view would let anyone fill the table by reloading it.
  // It carries its own expiry and a MAC over app, binding and expiry; it is stored only when
  // spent, so that a replay finds it (SpendSignInChallenge).
  std::string SignInChallenge(const store::App& app, std::string_view binding) const;
  Result<store::MfaChallenge> SpendSignInChallenge(const store::App& app,
                                                   std::string_view challenge,
                                                   std::string_view binding);
  std::string SignInChallengeMac(const store::App& app, std::string_view binding,
                                 std::string_view nonce_and_expiry) const;
  // The challenge in clientDataJSON, consumed once, of this kind, app and binding.
  Result<store::MfaChallenge> TakeChallenge(const store::App& app, std::string_view client_data,
                                            store::MfaChallengeKind kind,
                                            std::string_view binding);

  store::MfaStore& store_;
  AccountService& accounts_;
  const Clock& clock_;
  PasskeySettings settings_;
  std::optional<MailFlowContext> mail_;
  AuditLog* audit_;
  std::string challenge_key_;  // HMAC key of sign-in challenges, derived from the master key
};

}  // namespace tessera::services
