// File: oauth_store.h
// Persistence of OAuth clients, codes and consents (contracts: store/store.h).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "oauth/oauth_records.h"

namespace tessera::store {

// The unique keys of clients and codes (Status::ClashedOn). Consents are upserted (SaveConsent).
enum class ClientUniqueKey { kClientId };
enum class AuthorizationCodeUniqueKey { kCodeHash };
enum class PushedRequestUniqueKey { kRequestUriHash };
enum class DeviceAuthorizationUniqueKey { kDeviceCodeHash, kUserCodeHash };

class ClientStore {
 public:
  virtual ~ClientStore() = default;
  virtual Status CreateClient(const OAuthClient& client) = 0;
  // kNotFound for an unknown client, another app's client, or a revoked one.
  virtual Result<OAuthClient> GetClient(std::string_view app_id, std::string_view client_id) = 0;
  // Live clients, oldest first.
  virtual Result<std::vector<OAuthClient>> ListClients(std::string_view app_id) = 0;
  // Atomic like UpdateUser, for a live client: `mutate` may change everything but client_id,
  // app_id, created_at and revoked_at. kNotFound for an unknown, other app's or revoked client.
  virtual Result<OAuthClient> UpdateClient(std::string_view app_id, std::string_view client_id,
                                           const std::function<Status(OAuthClient&)>& mutate) = 0;
  // Marks a live client revoked and, in the same transaction, ends its grants (revokes every
  // live session issued to it, reason kClientRevoked) and forgets the consents given to it;
  // returns how many grants ended. kNotFound for an unknown, other app's or revoked client.
  virtual Result<int64_t> RevokeClient(std::string_view app_id, std::string_view client_id,
                                       UnixMillis now) = 0;
};

// Initial access tokens (RFC 7591 §3) of an app.
enum class InitialAccessTokenUniqueKey { kId, kTokenHash };
class InitialAccessTokenStore {
 public:
  virtual ~InitialAccessTokenStore() = default;
  virtual Status CreateInitialAccessToken(const InitialAccessToken& token) = 0;
  // Not revoked (expired ones included, so that a list shows them), newest first.
  virtual Result<std::vector<InitialAccessToken>> ListInitialAccessTokens(std::string_view app_id) = 0;
  // kNotFound for an unknown, other app's or already revoked token.
  virtual Status RevokeInitialAccessToken(std::string_view app_id, std::string_view id,
                                          UnixMillis now) = 0;
  // Revoked or not (the caller checks); kNotFound for an unknown or other app's hash.
  virtual Result<InitialAccessToken> FindInitialAccessToken(std::string_view app_id,
                                                            std::string_view token_hash) = 0;
  virtual Status TouchInitialAccessToken(std::string_view id, UnixMillis now) = 0;
};

class AuthorizationStore {
 public:
  virtual ~AuthorizationStore() = default;
  virtual Status CreateAuthorizationCode(const AuthorizationCode& code) = 0;
  // See the contract above. Marks a live code of the app used at `now`; a code already used
  // is kReused (with the record, so the caller can revoke code.session_id); an expired,
  // unknown or other app's code is kInvalid.
  virtual Result<CodeRedemption> RedeemAuthorizationCode(std::string_view app_id,
                                                         std::string_view code_hash,
                                                         UnixMillis now) = 0;

  // Pushed authorization requests (RFC 9126), kept a day past expiry (CollectGarbage).
  virtual Status CreatePushedRequest(const PushedAuthorizationRequest& request) = 0;
  // The app's request with this hash, used or not, expired or not; kNotFound otherwise.
  virtual Result<PushedAuthorizationRequest> GetPushedRequest(std::string_view app_id,
                                                              std::string_view request_uri_hash) = 0;
  // Marks the app's unused request used at `now`: true when this call did (of concurrent
  // calls exactly one), false when it was used before or there is none.
  virtual Result<bool> UsePushedRequest(std::string_view app_id, std::string_view request_uri_hash,
                                        UnixMillis now) = 0;

  // kNotFound when the user has not consented to the client (or revoked it).
  virtual Result<Consent> GetConsent(std::string_view app_id, std::string_view user_id,
                                     std::string_view client_id) = 0;
  // Inserts or replaces the consent's scopes (created_at is kept on replace).
  virtual Status SaveConsent(const Consent& consent) = 0;
  // Adds the consent's scopes to those granted before (inserting the consent when there is
  // none; updated_at becomes the consent's), in one transaction that locks the row: of two
  // concurrent grants of different scopes, both are kept.
  virtual Status AddConsentScopes(const Consent& consent) = 0;
  // Newest first.
  virtual Result<std::vector<Consent>> ListConsents(std::string_view app_id,
                                                    std::string_view user_id) = 0;
  // kNotFound when there was none.
  virtual Status DeleteConsent(std::string_view app_id, std::string_view user_id,
                               std::string_view client_id) = 0;
};

// Device authorizations (RFC 8628). A user code is unique among all stored ones (a clash on
// kUserCodeHash: draw another); records are kept a day past expiry (CollectGarbage).
class DeviceAuthorizationStore {
 public:
  virtual ~DeviceAuthorizationStore() = default;
  virtual Status CreateDeviceAuthorization(const DeviceAuthorization& authorization) = 0;
  // Which code finds a record.
  enum class CodeKind { kDeviceCode, kUserCode };
  // The app's record whose device or user code has this hash, whatever its status or expiry;
  // kNotFound when there is none.
  virtual Result<DeviceAuthorization> GetDeviceAuthorization(std::string_view app_id, CodeKind kind,
                                                             std::string_view code_hash) = 0;
  // Atomic like UpdateClient: `mutate` sees the current record inside the write transaction
  // (of two concurrent updates of one record, the second sees the first's result); its
  // changes are stored only when it returns OK. The codes, app, client, scope and created_at
  // are kept. Returns the stored record; kNotFound as GetDeviceAuthorization.
  virtual Result<DeviceAuthorization> UpdateDeviceAuthorization(
      std::string_view app_id, CodeKind kind, std::string_view code_hash,
      const std::function<Status(DeviceAuthorization&)>& mutate) = 0;
};

}  // namespace tessera::store
