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

}  // namespace tessera::store
