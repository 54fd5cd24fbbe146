// File: identity_provider_service.h
// An app's upstream sign-in providers as its developers manage them (console page, console
// API, CLI): add, change, turn on and off, delete. Presets fill in what GitHub and Google
// need; the client secret is sealed under the master key at once, and never leaves again.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "audit/audit_log.h"
#include "base/clock.h"
#include "base/result.h"
#include "federation/federation_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

// What a developer sends to add or change a provider; a member left out keeps its value (on
// add: the preset's, or empty). `client_secret`: "" keeps the stored one on a change.
struct ProviderInput {
  std::optional<std::string> slug;
  std::optional<std::string> kind;  // "github", "google", "oidc"; add only
  std::optional<std::string> display_name;
  std::optional<bool> enabled;
  std::optional<std::string> client_id;
  std::optional<std::string> client_secret;
  std::optional<std::string> issuer;
  std::optional<std::string> authorization_endpoint;
  std::optional<std::string> token_endpoint;
  std::optional<std::string> userinfo_endpoint;
  std::optional<std::string> jwks_uri;
  std::optional<std::string> scopes;
  std::optional<boost::json::object> claim_mapping;
  std::optional<bool> allow_signup;
  std::optional<bool> trust_email;
};

class IdentityProviderService {
 public:
  // `master_key`: the 32 bytes that seal client secrets (as they seal signing keys).
  IdentityProviderService(store::FederationStore& store, std::string master_key,
                          const Clock& clock, AuditLog* audit = nullptr)
      : store_(store), master_key_(std::move(master_key)), clock_(clock), audit_(audit) {}

  // kInvalidArgument with a FieldError per bad member; kAlreadyExists (field "slug") when
  // the app has a provider of that slug.
  Result<store::IdentityProvider> Add(const store::App& app, const ProviderInput& input,
                                      const Actor& actor);
  Result<store::IdentityProvider> Update(const store::App& app, std::string_view id,
                                         const ProviderInput& input, const Actor& actor);
  // Deletes the provider and every identity linked through it.
  Status Delete(const store::App& app, std::string_view id, const Actor& actor);

  Result<std::vector<store::IdentityProvider>> List(const store::App& app);
  Result<store::IdentityProvider> Get(const store::App& app, std::string_view id);
  Result<store::IdentityProvider> GetBySlug(const store::App& app, std::string_view slug);
  // The client secret of a provider, unsealed ("" when it has none).
  Result<std::string> ClientSecret(const store::IdentityProvider& provider) const;

 private:
  Status Apply(const ProviderInput& input, store::IdentityProvider& p, bool adding) const;
  void Record(const store::App& app, const Actor& actor, store::AuditAction action,
              const store::IdentityProvider& p, boost::json::object details);

  store::FederationStore& store_;
  std::string master_key_;
  const Clock& clock_;
  AuditLog* audit_;
};

// The callback URL a provider is registered with upstream: {issuer}/federation/{slug}/callback.
std::string FederationCallbackUrl(std::string_view app_issuer, std::string_view provider_slug);

}  // namespace tessera::services
