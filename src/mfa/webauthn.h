// File: webauthn.h
// The server's checks of the two WebAuthn ceremonies (W3C WebAuthn Level 2 §7.1, §7.2), with
// libcbor for the attestation object and COSE keys and OpenSSL (through crypto::SigningKey)
// for signatures. What the browser sends is parsed here and nothing of it is trusted until
// these checks pass: clientDataJSON's type, the exact challenge, an origin from the
// allow-list (never a cross-origin frame), the RP ID hash, the user-present flag (and
// user-verified when asked), the algorithm (ES256, EdDSA, RS256), the signature, and the
// sign counter. Attestation statements are not evaluated: Tessera asks for "none" and trusts
// no authenticator maker (any format is read as "none").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tessera::services {

inline constexpr int64_t kCoseEs256 = -7;
inline constexpr int64_t kCoseEdDsa = -8;
inline constexpr int64_t kCoseRs256 = -257;

// What a ceremony must match: the challenge the server sent (base64url, as in the options),
// the origins the pages are served from, and the RP ID (PUBLIC_URL's host).
struct WebAuthnExpectation {
  std::string challenge;
  std::vector<std::string> origins;
  std::string rp_id;
  bool require_user_verification = false;
};

// A new credential, checked.
struct NewCredential {
  std::string credential_id;  // base64url
  std::string public_jwk;     // the COSE key as a public JWK (JSON text)
  int64_t algorithm = 0;      // COSE: -7, -8 or -257
  int64_t sign_count = 0;
  bool user_verified = false;
  bool backed_up = false;  // BS flag: a synced passkey
};

// A registration (navigator.credentials.create): the response's clientDataJSON and
// attestationObject, raw bytes. kInvalidArgument saying which check failed.
Result<NewCredential> VerifyRegistration(std::string_view client_data_json,
                                         std::string_view attestation_object,
                                         const WebAuthnExpectation& expected);

struct VerifiedAssertion {
  int64_t sign_count = 0;
  bool user_verified = false;
  bool backed_up = false;  // BS flag: a synced passkey
};

// An authentication (navigator.credentials.get) with a stored credential's public JWK and
// last sign count. kInvalidArgument for a malformed or mismatched response,
// kUnauthenticated for a bad signature, kFailedPrecondition for a counter that went back
// (a cloned authenticator).
Result<VerifiedAssertion> VerifyAssertion(std::string_view client_data_json,
                                          std::string_view authenticator_data,
                                          std::string_view signature,
                                          std::string_view public_jwk, int64_t stored_sign_count,
                                          const WebAuthnExpectation& expected);

// The sign counter rule (§6.1.1): a counter that is non-zero on either side must increase;
// authenticators that keep none (synced passkeys) send 0 every time.
bool SignCountAcceptable(int64_t stored, int64_t presented);

}  // namespace tessera::services
