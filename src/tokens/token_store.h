// File: token_store.h
// Persistence of personal API tokens and signing keys (contracts: store/store.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "tokens/token_records.h"

namespace tessera::store {

// The unique keys of personal API tokens and signing keys (Status::ClashedOn).
enum class ApiTokenUniqueKey { kId, kTokenHash };
enum class SigningKeyUniqueKey { kKid };
enum class RevokedAccessTokenUniqueKey { kJti };  // per app
enum class DpopProofUniqueKey { kProofId };         // per app (a clash is a replay: no error)

class ApiTokenStore {
 public:
  virtual ~ApiTokenStore() = default;
  virtual Status CreateApiToken(const ApiToken& token) = 0;
  // Any app: the hash is globally unique; the caller checks the app.
  virtual Result<ApiToken> GetApiTokenByHash(std::string_view token_hash) = 0;
  virtual Result<std::vector<ApiToken>> ListApiTokens(std::string_view app_id,
                                                      std::string_view user_id) = 0;
  virtual Status RevokeApiToken(std::string_view app_id, std::string_view user_id,
                                std::string_view token_id, UnixMillis now) = 0;
  // Revokes every live token of the user in the app (not revoked, not expired at `now`), in
  // one statement; returns the ids it revoked (issue 11, item 3: they end with the user's
  // other access).
  virtual Result<std::vector<std::string>> RevokeUserApiTokens(std::string_view app_id,
                                                               std::string_view user_id,
                                                               UnixMillis now) = 0;
  virtual Status TouchApiToken(std::string_view token_id, UnixMillis now) = 0;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  virtual Status InsertSigningKey(const SigningKeyRecord& key) = 0;
  // Newest first.
  virtual Result<std::vector<SigningKeyRecord>> ListSigningKeys() = 0;
  // Marks every active key of `keep_kid`'s algorithm older than `keep_kid` (created_at, then
  // kid, as listed) retired at `now`: each algorithm has its own active key, and of two keys
  // created at once by two nodes the newer stays active whatever the order of the calls.
  virtual Status RetireSigningKeysExcept(std::string_view keep_kid, UnixMillis now) = 0;
  // A rotation, in one transaction: `next` replaces `replaces_kid` (the newest key of its
  // algorithm not yet replaced), which, with any other such key of the algorithm, gets
  // retired_at = next.sign_from. kAborted when `replaces_kid` was already replaced (another
  // node rotated first: of two concurrent rotations exactly one succeeds) or is unknown.
  virtual Status ReplaceSigningKey(const SigningKeyRecord& next, std::string_view replaces_kid) = 0;
};

// Access tokens (JWTs) revoked before their expiry (RFC 7009): a jti stays listed until the
// token would have expired, then garbage collection drops it.
class RevokedAccessTokenStore {
 public:
  virtual ~RevokedAccessTokenStore() = default;
  // Idempotent: listing a listed jti again is OK.
  virtual Status AddRevokedAccessToken(std::string_view app_id, std::string_view jti,
                                       UnixMillis expires_at) = 0;
  virtual Result<bool> IsAccessTokenRevoked(std::string_view app_id, std::string_view jti) = 0;
};

// DPoP proofs seen (RFC 9449 §11.1): a proof is accepted once while it could pass as fresh.
// Every node records here, so a proof replayed to another node behind the balancer is refused
// too. Rows are useless, and deleted, after expires_at.
class DpopProofStore {
 public:
  virtual ~DpopProofStore() = default;
  // True when `proof_id` (the hash of the proof's key and jti) was not recorded in the app
  // before, and now is; false for a replay. One winner when two nodes record it at once.
  virtual Result<bool> RecordDpopProof(std::string_view app_id, std::string_view proof_id,
                                       UnixMillis expires_at) = 0;
};

}  // namespace tessera::store
