// File: mfa_store.h
// Persistence of second factors, recovery codes and MFA challenges (contracts: store/store.h,
// and below). Every call takes the app id: another app's record is kNotFound.
#pragma once

#include <string_view>
#include <vector>

#include "base/result.h"
#include "mfa/mfa_records.h"

namespace tessera::store {

// The unique keys (Status::ClashedOn).
enum class FactorUniqueKey { kId, kCredentialId };  // a WebAuthn credential id, server-wide
enum class RecoveryCodeUniqueKey { kId, kCodeHash };
enum class MfaChallengeUniqueKey { kHash };

class MfaStore {
 public:
  virtual ~MfaStore() = default;

  // Factors. A user's factors and recovery codes are deleted with the user.
  // kNotFound unless the user is of factor.app_id.
  virtual Status CreateFactor(const Factor& factor) = 0;
  // The user's factors, confirmed or not, oldest first.
  virtual Result<std::vector<Factor>> ListFactors(std::string_view app_id,
                                                  std::string_view user_id) = 0;
  virtual Result<Factor> GetFactor(std::string_view app_id, std::string_view user_id,
                                   std::string_view id) = 0;
  // The factor of a WebAuthn credential id, in the app; kNotFound otherwise.
  virtual Result<Factor> FindFactorByCredentialId(std::string_view app_id,
                                                  std::string_view credential_id) = 0;
  // Sets confirmed_at (and counter, last_used_at = now) of an unconfirmed factor;
  // kNotFound when there is none such (unknown, or confirmed already).
  virtual Status ConfirmFactor(std::string_view app_id, std::string_view user_id,
                               std::string_view id, int64_t counter, UnixMillis now) = 0;
  // Compare-and-set of a confirmed factor's counter: sets counter = `counter` and
  // last_used_at = now only while the stored counter is below `counter` (TOTP: a time step
  // is accepted once; of two concurrent uses of one step exactly one succeeds). When
  // `allow_equal` (WebAuthn authenticators that keep no count: 0 and 0), an equal counter
  // also passes. kFailedPrecondition when the counter did not advance; kNotFound when no
  // confirmed factor has that id.
  virtual Status AdvanceFactorCounter(std::string_view app_id, std::string_view id,
                                      int64_t counter, bool allow_equal, UnixMillis now) = 0;
  virtual Status RenameFactor(std::string_view app_id, std::string_view user_id,
                              std::string_view id, std::string_view name) = 0;
  // kNotFound unless the factor is the user's, in the app.
  virtual Status DeleteFactor(std::string_view app_id, std::string_view user_id,
                              std::string_view id) = 0;
  // Deletes every factor and recovery code of the user (an admin reset); answers how many
  // factors went.
  virtual Result<int64_t> DeleteAllFactors(std::string_view app_id, std::string_view user_id) = 0;

  // Recovery codes. Replaces the user's whole set atomically (regenerating voids the old);
  // kNotFound unless the user is of app_id, kInvalidArgument for a code of another user.
  virtual Status ReplaceRecoveryCodes(std::string_view app_id, std::string_view user_id,
                                      const std::vector<RecoveryCode>& codes) = 0;
  // Marks the user's unused code of that hash used, atomically: of two concurrent uses of
  // one code exactly one succeeds; anything else is kNotFound.
  virtual Status UseRecoveryCode(std::string_view app_id, std::string_view user_id,
                                 std::string_view code_hash, UnixMillis now) = 0;
  // How many of the user's codes are unused.
  virtual Result<int64_t> CountRecoveryCodes(std::string_view app_id,
                                             std::string_view user_id) = 0;

  // Challenges. Store::CollectGarbage deletes one once its expires_at has passed.
  // kNotFound unless the user is of challenge.app_id; a user_id of "" (a passkey sign-in's
  // challenge, which names no one yet) is stored as none.
  virtual Status CreateMfaChallenge(const MfaChallenge& challenge) = 0;
  // A live challenge (of this app and kind, unused, expires_at > now) without consuming it;
  // kNotFound otherwise.
  virtual Result<MfaChallenge> GetLiveMfaChallenge(std::string_view app_id, std::string_view hash,
                                                   MfaChallengeKind kind, UnixMillis now) = 0;
  // Marks a live challenge used and returns it, atomically: of two concurrent calls exactly
  // one gets it; anything else is kNotFound.
  virtual Result<MfaChallenge> ConsumeMfaChallenge(std::string_view app_id, std::string_view hash,
                                                   MfaChallengeKind kind, UnixMillis now) = 0;
};

}  // namespace tessera::store
