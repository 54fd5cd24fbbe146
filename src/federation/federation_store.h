// File: federation_store.h
// Persistence of upstream providers, linked identities and federation tickets (contracts:
// store/store.h, and below).
#pragma once

#include <string_view>
#include <vector>

#include "base/result.h"
#include "federation/federation_records.h"

namespace tessera::store {

// The unique keys (Status::ClashedOn). kId and kHash are the primary keys: every unique key
// of the schema has its typed key (store/sql/unique_keys.h), though only a caller that reuses
// an id or a hash would ever meet them.
enum class IdentityProviderUniqueKey { kId, kSlug };  // slug: per app
enum class LinkedIdentityUniqueKey {
  kId,
  kProviderSubject,  // (provider_id, subject): one upstream identity, one user
  kUserProvider,     // (user_id, provider_id): one identity per provider for a user
};
enum class FederationTicketUniqueKey { kHash };

class FederationStore {
 public:
  virtual ~FederationStore() = default;

  // Providers. Deleting one deletes its linked identities.
  virtual Status CreateIdentityProvider(const IdentityProvider& provider) = 0;
  // Replaces every field but id, app_id and created_at; kNotFound when the app (provider.app_id)
  // has no provider of that id; another provider's slug is a clash on kSlug.
  virtual Status UpdateIdentityProvider(const IdentityProvider& provider) = 0;
  virtual Result<IdentityProvider> GetIdentityProvider(std::string_view app_id,
                                                       std::string_view slug) = 0;
  virtual Result<IdentityProvider> GetIdentityProviderById(std::string_view app_id,
                                                           std::string_view id) = 0;
  // Every provider of the app, by slug.
  virtual Result<std::vector<IdentityProvider>> ListIdentityProviders(std::string_view app_id) = 0;
  // kNotFound when the app has no such provider.
  virtual Status DeleteIdentityProvider(std::string_view app_id, std::string_view id) = 0;

  // Linked identities. A user's are deleted with the user (and with the provider).
  // kNotFound unless the user and the provider are both of identity.app_id: an identity never
  // links across apps.
  virtual Status CreateLinkedIdentity(const LinkedIdentity& identity) = 0;
  virtual Result<LinkedIdentity> FindLinkedIdentity(std::string_view app_id,
                                                    std::string_view provider_id,
                                                    std::string_view subject) = 0;
  // The user's identities, oldest first.
  virtual Result<std::vector<LinkedIdentity>> ListLinkedIdentities(std::string_view app_id,
                                                                   std::string_view user_id) = 0;
  // Records a sign-in with the identity: last_used_at, and the email and username the
  // upstream gave this time. kNotFound when the app has no such identity.
  virtual Status TouchLinkedIdentity(std::string_view app_id, std::string_view id,
                                     std::string_view email, std::string_view username,
                                     UnixMillis now) = 0;
  // kNotFound unless the identity is the user's, in the app.
  virtual Status DeleteLinkedIdentity(std::string_view app_id, std::string_view user_id,
                                      std::string_view id) = 0;

  // Tickets. Store::CollectGarbage deletes a ticket once its expires_at has passed, used or not.
  virtual Status CreateFederationTicket(const FederationTicket& ticket) = 0;
  // Marks a live ticket (of this app and kind, unused, expires_at > now) used and returns it,
  // atomically: of two concurrent calls exactly one gets it. Anything else — unknown, another
  // app's or kind's, used, expired — is kNotFound (the caller's answer is the same for all).
  virtual Result<FederationTicket> ConsumeFederationTicket(std::string_view app_id,
                                                           std::string_view hash,
                                                           FederationTicketKind kind,
                                                           UnixMillis now) = 0;
  // A live ticket without consuming it (a pending link's page shows what it links); kNotFound
  // as above.
  virtual Result<FederationTicket> GetLiveFederationTicket(std::string_view app_id,
                                                           std::string_view hash,
                                                           FederationTicketKind kind,
                                                           UnixMillis now) = 0;
};

}  // namespace tessera::store
