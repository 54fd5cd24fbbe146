// File: mfa_records.h
// Second factors of a user (authenticator apps, passkeys), their recovery codes, and the
// single-use challenges of a sign-in that waits for a second factor.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/clock.h"
#include "base/enum_text.h"

namespace tessera::store {

enum class FactorKind {
  kTotp,      // an authenticator app (RFC 6238)
  kWebAuthn,  // a passkey or security key (WebAuthn)
};
inline constexpr EnumText<FactorKind> kFactorKindTexts[] = {{FactorKind::kTotp, "totp"},
                                                             {FactorKind::kWebAuthn, "webauthn"}};
constexpr std::span<const EnumText<FactorKind>> TextsOf(FactorKind) { return kFactorKindTexts; }

// One enrolled (or, before confirmed_at, enrolling) factor.
struct Factor {
  std::string id;
  std::string app_id;
  std::string user_id;
  FactorKind kind = FactorKind::kTotp;
  std::string name;           // the user's label ("Phone", "MacBook passkey")
  std::string secret_sealed;  // TOTP: the shared secret, sealed under the master key
  std::string credential_id;  // WebAuthn: the credential id (base64url); "" for TOTP
  std::string public_key;     // WebAuthn: the credential's public key as a JWK (JSON text)
  // TOTP: the last time step accepted (a step is accepted once); WebAuthn: the sign count.
  int64_t counter = 0;
  UnixMillis created_at = 0;
  // TOTP: set when the user typed a first valid code; a factor without it does not count.
  std::optional<UnixMillis> confirmed_at;
  std::optional<UnixMillis> last_used_at;
};

// A recovery code: only its SHA-256 is stored (the code has 79 random bits).
struct RecoveryCode {
  std::string id;
  std::string app_id;
  std::string user_id;
  std::string code_hash;
  UnixMillis created_at = 0;
  std::optional<UnixMillis> used_at;
};

enum class MfaChallengeKind {
  kSignIn,    // a hosted sign-in waiting for a second factor (or an enrolment the app requires)
  kApiLogin,  // an account-API login waiting for a second factor: the "mfa_token"
  kPasskeyRegistration,  // a WebAuthn registration's challenge (hash of the challenge)
  kPasskeyAssertion,     // a WebAuthn authentication's challenge (no user: a passkey sign-in)
};
inline constexpr EnumText<MfaChallengeKind> kMfaChallengeKindTexts[] = {
    {MfaChallengeKind::kSignIn, "sign_in"},
    {MfaChallengeKind::kApiLogin, "api_login"},
    {MfaChallengeKind::kPasskeyRegistration, "passkey_registration"},
    {MfaChallengeKind::kPasskeyAssertion, "passkey_assertion"}};
constexpr std::span<const EnumText<MfaChallengeKind>> TextsOf(MfaChallengeKind) {
  return kMfaChallengeKindTexts;
}

// A single-use challenge, found by the SHA-256 of the value the client holds.
struct MfaChallenge {
  std::string hash;  // hex SHA-256 of the presented value
  std::string app_id;
  std::string user_id;  // "" for a passkey sign-in's challenge: the credential names the user
  MfaChallengeKind kind = MfaChallengeKind::kSignIn;
  std::string payload_json = "{}";  // what the sign-in carries across (how, where to)
  UnixMillis created_at = 0;
  UnixMillis expires_at = 0;
  std::optional<UnixMillis> used_at;
};

}  // namespace tessera::store
