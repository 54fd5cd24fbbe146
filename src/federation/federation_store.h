// File: federation_store.h
// Persistence of upstream providers, linked identities and federation tickets (contracts:
// store/store.h, and below).
#pragma once

#include <string_view>
#include <vector>

#include "base/result.h"
#include "federation/federation_records.h"

namespace tessera::store {

// The unique keys (Status::ClashedOn).
enum class IdentityProviderUniqueKey { kSlug };  // (app_id, slug)
enum class LinkedIdentityUniqueKey {
  kProviderSubject,  // (provider_id, subject): one upstream identity, one user
  kUserProvider,     // (user_id, provider_id): one identity per provider for a user
};

class FederationStore {
 public:
  virtual ~FederationStore() = default;

  // Providers. Deleting one deletes its linked identities.
  virtual Status CreateIdentityProvider(const IdentityProvider& provider) = 0;
  // Replaces every field but id, app_id and created_at; kNotFound when there is no such row.
  virtual Status UpdateIdentityProvider(const IdentityProvider& provider) = 0;
  virtual Result<IdentityProvider> GetIdentityProvider(std::string_view app_id,
                                                       std::string_view slug) = 0;
  virtual Result<IdentityProvider> GetIdentityProviderById(std::string_view app_id,
                                                           std::string_view id) = 0;
  // Every provider of the app, by slug.
  virtual Result<std::vector<IdentityProvider>> ListIdentityProviders(std::string_view app_id) = 0;
  virtual Status DeleteIdentityProvider(std::string_view app_id, std::string_view id) = 0;

  // Linked identities. A user's are deleted with the user (and with the provider).
  virtual Status CreateLinkedIdentity(const LinkedIdentity& identity) = 0;
  virtual Result<LinkedIdentity> FindLinkedIdentity(std::string_view app_id,
                                                    std::string_view provider_id,
                                                    std::string_view subject) = 0;
  // The user's identities, oldest first.
  virtual Result<std::vector<LinkedIdentity>> ListLinkedIdentities(std::string_view app_id,
                                                                   std::string_view user_id) = 0;
  // Records a sign-in with the identity: last_used_at, and the email and username the
  // upstream gave this time.
  virtual Status TouchLinkedIdentity(std::string_view app_id, std::string_view id,
                                     std::string_view email, std::string_view username,
                                     UnixMillis now) = 0;
  // kNotFound unless the identity is the user's, in the app.
  virtual Status DeleteLinkedIdentity(std::string_view app_id, std::string_view user_id,
                                      std::string_view id) = 0;

  // Tickets.
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
