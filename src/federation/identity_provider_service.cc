#include "federation/identity_provider_service.h"

#include <algorithm>

#include <boost/json.hpp>

#include "base/strings.h"
#include "base/uri_rules.h"
#include "base/utf8.h"
#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr size_t kMaxSlug = 40;
constexpr size_t kMaxDisplayName = 60;
constexpr size_t kMaxClientId = 255;
constexpr size_t kMaxClientSecret = 512;
constexpr size_t kMaxUrl = 500;
constexpr size_t kMaxScopes = 500;
constexpr size_t kMaxProvidersPerApp = 20;
// What a claim mapping may rename: the fields of an upstream identity.
constexpr std::string_view kMappableFields[] = {"subject", "email", "email_verified",
                                                "name",    "picture", "username"};

// What each kind starts with; a developer may change any of it (GitHub Enterprise, a Google
// Workspace's own scopes).
struct Preset {
  store::ProviderKind kind;
  std::string_view slug, display_name, issuer, userinfo_endpoint;
  bool trust_email;  // GitHub's primary+verified and Google's email_verified are trustworthy
};
constexpr Preset kPresets[] = {
    {store::ProviderKind::kGithub, "github", "GitHub", "https://github.com",
     "https://api.github.com", true},
    {store::ProviderKind::kGoogle, "google", "Google", "https://accounts.google.com", "", true},
    {store::ProviderKind::kOidc, "", "", "", "", false},
};

bool IsSlug(std::string_view s) {
  return !s.empty() && s.size() <= kMaxSlug && s.front() != '-' && s.back() != '-' &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

bool IsPlainText(std::string_view s) {
  return IsValidUtf8(s) && std::none_of(s.begin(), s.end(), [](char c) {
           auto u = static_cast<unsigned char>(c);
           return u < 0x20 || u == 0x7f;
         });
}

// An upstream URL: https, or http on a loopback host (a provider on the same machine);
// no query, fragment or userinfo.
std::optional<std::string> UrlProblem(std::string_view url) {
  if (url.size() > kMaxUrl) return "must be at most 500 characters";
  if (PublicUrlProblem(url, /*allow_insecure_http=*/false)) {
    return "must be an https URL (http only on localhost), without query or fragment";
  }
  return std::nullopt;
}

void CheckText(std::vector<FieldError>& errors, std::string_view field, std::string_view v,
               size_t max, bool required) {
  if (required && v.empty()) {
    errors.push_back({std::string(field), "is required"});
  } else if (v.size() > max) {
    errors.push_back({std::string(field), "must be at most " + std::to_string(max) + " bytes"});
  } else if (!IsPlainText(v)) {
    errors.push_back({std::string(field), "must be text without control characters"});
  }
}

}  // namespace

std::string FederationCallbackUrl(std::string_view app_issuer, std::string_view provider_slug) {
  return std::string(app_issuer) + "/federation/" + std::string(provider_slug) + "/callback";
}

Status IdentityProviderService::Apply(const ProviderInput& in, store::IdentityProvider& p,
                                      bool adding) const {
  std::vector<FieldError> errors;
  if (in.kind && !adding) errors.push_back({"kind", "cannot be changed; add another provider"});
  if (in.slug) p.slug = *in.slug;
  if (in.display_name) p.display_name = Trim(*in.display_name);
  if (in.enabled) p.enabled = *in.enabled;
  if (in.client_id) p.client_id = Trim(*in.client_id);
  if (in.issuer) p.issuer = Trim(*in.issuer);
  if (in.authorization_endpoint) p.authorization_endpoint = Trim(*in.authorization_endpoint);
  if (in.token_endpoint) p.token_endpoint = Trim(*in.token_endpoint);
  if (in.userinfo_endpoint) p.userinfo_endpoint = Trim(*in.userinfo_endpoint);
  if (in.jwks_uri) p.jwks_uri = Trim(*in.jwks_uri);
  if (in.scopes) p.scopes = Trim(*in.scopes);
  if (in.allow_signup) p.allow_signup = *in.allow_signup;
  if (in.trust_email) p.trust_email = *in.trust_email;
  if (in.claim_mapping) {
    for (const auto& [key, value] : *in.claim_mapping) {
      const bool known = std::find(std::begin(kMappableFields), std::end(kMappableFields),
                                   std::string_view(key)) != std::end(kMappableFields);
      if (!known) {
        errors.push_back({"claim_mapping." + std::string(key),
                          "is not a field that can be mapped (subject, email, email_verified, "
                          "name, picture, username)"});
      } else if (!value.is_string() || value.get_string().empty() ||
                 value.get_string().size() > 100 || !IsPlainText(value.get_string())) {
        errors.push_back({"claim_mapping." + std::string(key), "must be a claim name"});
      }
    }
    if (p.kind != store::ProviderKind::kOidc && !in.claim_mapping->empty()) {
      errors.push_back({"claim_mapping", "is only for OpenID Connect providers"});
    }
    p.claim_mapping_json = json::serialize(*in.claim_mapping);
  }
  if (!IsSlug(p.slug)) {
    errors.push_back({"slug", "must be 1–40 lowercase letters, digits or dashes"});
  }
  CheckText(errors, "display_name", p.display_name, kMaxDisplayName, true);
  CheckText(errors, "client_id", p.client_id, kMaxClientId, true);
  if (in.client_secret) CheckText(errors, "client_secret", *in.client_secret, kMaxClientSecret, false);
  // GitHub and Google always authenticate the client; only an OpenID provider may take a
  // public client (PKCE alone).
  const bool has_secret = !p.client_secret_sealed.empty() ||
                          (in.client_secret && !in.client_secret->empty());
  if (!has_secret && p.kind != store::ProviderKind::kOidc) {
    errors.push_back({"client_secret", "is required"});
  }
  if (p.issuer.empty()) {
    errors.push_back({"issuer", "is required (the provider's issuer URL)"});
  } else if (auto why = UrlProblem(p.issuer)) {
    errors.push_back({"issuer", *why});
  }
  for (auto [field, value] : {std::pair{"authorization_endpoint", &p.authorization_endpoint},
                              std::pair{"token_endpoint", &p.token_endpoint},
                              std::pair{"userinfo_endpoint", &p.userinfo_endpoint},
                              std::pair{"jwks_uri", &p.jwks_uri}}) {
    if (value->empty()) continue;
    if (auto why = UrlProblem(*value)) errors.push_back({field, *why});
  }
  CheckText(errors, "scopes", p.scopes, kMaxScopes, false);
  if (!errors.empty()) return ValidationError(std::move(errors));
  return OkStatus();
}

Result<store::IdentityProvider> IdentityProviderService::Add(const store::App& app,
                                                             const ProviderInput& input,
                                                             const Actor& actor) {
  const Preset* preset = nullptr;
  const std::string kind_text = input.kind.value_or("");
  auto kind = FromText<store::ProviderKind>(kind_text);
  if (!kind) return ValidationError({{"kind", "must be one of github, google, oidc"}});
  for (const auto& p : kPresets) {
    if (p.kind == *kind) preset = &p;
  }
  TESSERA_ASSIGN_OR_RETURN(auto existing, store_.ListIdentityProviders(app.id));
  if (existing.size() >= kMaxProvidersPerApp) {
    return ValidationError({{"kind", "an app may have at most 20 sign-in providers"}});
  }
  store::IdentityProvider p;
  p.id = crypto::NewUuid();
  p.app_id = app.id;
  p.kind = *kind;
  p.slug = std::string(preset->slug);
  p.display_name = std::string(preset->display_name);
  p.issuer = std::string(preset->issuer);
  p.userinfo_endpoint = std::string(preset->userinfo_endpoint);
  p.trust_email = preset->trust_email;
  TESSERA_RETURN_IF_ERROR(Apply(input, p, /*adding=*/true));
  if (input.client_secret && !input.client_secret->empty()) {
    TESSERA_ASSIGN_OR_RETURN(std::string sealed,
                             crypto::AeadSeal(master_key_, *input.client_secret, p.id));
    p.client_secret_sealed = crypto::Base64Encode(sealed);
  }
  p.created_at = p.updated_at = clock_.NowMillis();
  Status created = store_.CreateIdentityProvider(p);
  if (created.ClashedOn(store::IdentityProviderUniqueKey::kSlug)) {
    return AlreadyExistsError("this app already has a provider named " + p.slug)
        .WithFieldErrors({{"slug", "is taken by another provider of this app"}});
  }
  TESSERA_RETURN_IF_ERROR(created);
  Record(app, actor, store::AuditAction::kIdentityProviderCreated, p,
         {{"kind", ToText(p.kind)}, {"slug", p.slug}});
  return p;
}

Result<store::IdentityProvider> IdentityProviderService::Update(const store::App& app,
                                                                std::string_view id,
                                                                const ProviderInput& input,
                                                                const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(store::IdentityProvider p, store_.GetIdentityProviderById(app.id, id));
  TESSERA_RETURN_IF_ERROR(Apply(input, p, /*adding=*/false));
  json::array changed;
  for (auto [name, set] : {std::pair{"slug", input.slug.has_value()},
                           {"display_name", input.display_name.has_value()},
                           {"enabled", input.enabled.has_value()},
                           {"client_id", input.client_id.has_value()},
                           {"client_secret", input.client_secret && !input.client_secret->empty()},
                           {"issuer", input.issuer.has_value()},
                           {"endpoints", input.authorization_endpoint || input.token_endpoint ||
                                             input.userinfo_endpoint || input.jwks_uri},
                           {"scopes", input.scopes.has_value()},
                           {"claim_mapping", input.claim_mapping.has_value()},
                           {"allow_signup", input.allow_signup.has_value()},
                           {"trust_email", input.trust_email.has_value()}}) {
    if (set) changed.emplace_back(name);
  }
  if (input.client_secret && !input.client_secret->empty()) {
    TESSERA_ASSIGN_OR_RETURN(std::string sealed,
                             crypto::AeadSeal(master_key_, *input.client_secret, p.id));
    p.client_secret_sealed = crypto::Base64Encode(sealed);
  }
  p.updated_at = clock_.NowMillis();
  Status updated = store_.UpdateIdentityProvider(p);
  if (updated.ClashedOn(store::IdentityProviderUniqueKey::kSlug)) {
    return AlreadyExistsError("this app already has a provider named " + p.slug)
        .WithFieldErrors({{"slug", "is taken by another provider of this app"}});
  }
  TESSERA_RETURN_IF_ERROR(updated);
  Record(app, actor, store::AuditAction::kIdentityProviderUpdated, p,
         {{"changed", std::move(changed)}, {"enabled", p.enabled}});
  return p;
}

Status IdentityProviderService::Delete(const store::App& app, std::string_view id,
                                       const Actor& actor) {
  TESSERA_ASSIGN_OR_RETURN(store::IdentityProvider p, store_.GetIdentityProviderById(app.id, id));
  TESSERA_RETURN_IF_ERROR(store_.DeleteIdentityProvider(app.id, id));
  Record(app, actor, store::AuditAction::kIdentityProviderDeleted, p, {{"slug", p.slug}});
  return OkStatus();
}

Result<std::vector<store::IdentityProvider>> IdentityProviderService::List(const store::App& app) {
  return store_.ListIdentityProviders(app.id);
}

Result<store::IdentityProvider> IdentityProviderService::Get(const store::App& app,
                                                             std::string_view id) {
  return store_.GetIdentityProviderById(app.id, id);
}

Result<store::IdentityProvider> IdentityProviderService::GetBySlug(const store::App& app,
                                                                   std::string_view slug) {
  if (!IsSlug(slug)) return NotFoundError("no such sign-in provider");
  return store_.GetIdentityProvider(app.id, slug);
}

Result<std::string> IdentityProviderService::ClientSecret(
    const store::IdentityProvider& provider) const {
  if (provider.client_secret_sealed.empty()) return std::string();
  auto sealed = crypto::Base64Decode(provider.client_secret_sealed);
  if (!sealed) return InternalError("the client secret of provider " + provider.slug + " is corrupt");
  auto secret = crypto::AeadOpen(master_key_, *sealed, provider.id);
  if (!secret.ok()) {
    return FailedPreconditionError("cannot unseal the client secret of provider " + provider.slug +
                                   " (was the master key changed?)");
  }
  return secret;
}

void IdentityProviderService::Record(const store::App& app, const Actor& actor,
                                     store::AuditAction action, const store::IdentityProvider& p,
                                     json::object details) {
  store::AuditEvent e = ActorEvent(actor, action);
  e.app_id = app.id;
  e.subject_type = store::AuditSubjectType::kIdentityProvider;
  e.subject_id = p.id;
  e.details_json = json::serialize(details);
  Audit(audit_, std::move(e));
}

}  // namespace tessera::services
