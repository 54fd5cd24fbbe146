#include "oauth/client_service.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "oauth/device_authorization_service.h"
#include "oauth/token_exchange_grant.h"
#include "base/utf8.h"
#include "base/uri_rules.h"
#include "oauth/client_keys.h"
#include "oauth/subject_identifiers.h"
#include "base/strings.h"

namespace tessera::services {
namespace {

constexpr std::string_view kGrants[] = {"authorization_code", "refresh_token",
                                        "client_credentials", kDeviceCodeGrantType,
                                        kTokenExchangeGrantType};

Status InvalidClient() { return UnauthenticatedError("client authentication failed"); }

}  // namespace

std::vector<std::string> DefaultScopesFor(const std::vector<std::string>& grant_types) {
  // User-facing OIDC scopes only where a user signs in (in a browser, or with a device's code).
  if (Contains(grant_types, "authorization_code") || Contains(grant_types, kDeviceCodeGrantType)) {
    return {"openid", "profile", "email", "offline_access"};
  }
  return {};
}

bool IsSupportedGrant(std::string_view grant) {
  return std::find(std::begin(kGrants), std::end(kGrants), grant) != std::end(kGrants);
}

bool IsValidTokenExchangeAudience(std::string_view audience) {
  if (audience.empty() || audience.size() > 255) return false;
  return std::all_of(audience.begin(), audience.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x21 && u <= 0x7e;
  });
}

bool IsValidScopeToken(std::string_view scope) {
  if (scope.empty() || scope.size() > 128) return false;
  return std::all_of(scope.begin(), scope.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u == 0x21 || (u >= 0x23 && u <= 0x5b) || (u >= 0x5d && u <= 0x7e);
  });
}

namespace {

// The rules a client's fields must keep, at registration and at every change. `id_token_algs`
// are the algorithms the server holds signing keys for.
Status CheckClient(const store::OAuthClient& c, const std::vector<std::string>& id_token_algs) {
  std::vector<FieldError> errors;
  if (!Contains(id_token_algs, c.id_token_signed_response_alg)) {
    std::string offered;
    for (const auto& a : id_token_algs) offered += (offered.empty() ? "" : ", ") + a;
    errors.push_back({"id_token_signed_response_alg", "must be one of: " + offered});
  }
  if (c.resource_server && c.is_public) {
    errors.push_back({"resource_server", "a public client cannot be a resource server"});
  }
  auto chars = Utf8Length(c.name);
  if (!chars || *chars < 1 || *chars > 200) errors.push_back({"name", "must be 1-200 characters"});
  if (c.grant_types.empty()) errors.push_back({"grant_types", "at least one grant"});
  for (const auto& g : c.grant_types) {
    if (!IsSupportedGrant(g)) errors.push_back({"grant_types", "unsupported grant: " + g});
  }
  if (c.is_public && Contains(c.grant_types, "client_credentials")) {
    errors.push_back({"grant_types", "a public client cannot use client_credentials"});
  }
  // Anyone may present a public client's id: trading users' tokens needs a secret (RFC 8693 §5).
  if (c.is_public && Contains(c.grant_types, kTokenExchangeGrantType)) {
    errors.push_back({"grant_types", "a public client cannot use token exchange"});
  }
  bool needs_redirect = Contains(c.grant_types, "authorization_code");
  if (needs_redirect && c.redirect_uris.empty()) {
    errors.push_back({"redirect_uris", "authorization_code needs at least one redirect URI"});
  }
  if (c.redirect_uris.size() > 20 || c.post_logout_redirect_uris.size() > 20 ||
      c.scopes.size() > 50) {
    errors.push_back({"redirect_uris", "at most 20 URIs of each kind and 50 scopes"});
  }
  for (const auto& uri : c.redirect_uris) {
    if (!IsValidRedirectUri(uri)) {
      errors.push_back({"redirect_uris", "not an allowed redirect URI: " + uri});
    }
  }
  for (const auto& uri : c.post_logout_redirect_uris) {
    if (!IsValidRedirectUri(uri)) {
      errors.push_back({"post_logout_redirect_uris", "not an allowed redirect URI: " + uri});
    }
  }
  if (!c.backchannel_logout_uri.empty()) {
    if (auto problem = ReceiverUrlProblem(c.backchannel_logout_uri, !c.is_public)) {
      errors.push_back({"backchannel_logout_uri", *problem});
    }
  }
  if (c.pairwise_subject && !SubjectIdentifiers::HasOneSector(c)) {
    errors.push_back({"redirect_uris",
                      "a pairwise client's redirect URIs must share one host (its sector)"});
  }
  if (!c.jwks.empty()) {
    if (auto keys = ParseClientJwks(c.jwks); !keys.ok()) errors.push_back({"jwks", keys.status().message()});
  }
  if (c.require_signed_request_object && c.jwks.empty()) {
    errors.push_back({"jwks", "a client that must sign its requests needs its public keys"});
  }
  for (const auto& s : c.scopes) {
    if (!IsValidScopeToken(s)) errors.push_back({"scopes", "not a valid scope: " + s});
  }
  // Token exchange audiences (RFC 8693 §2.1): opaque names of services (often URIs),
  // compared exactly.
  if (c.token_exchange_audiences.size() > kMaxTokenExchangeAudiences) {
    errors.push_back({"token_exchange_audiences", "at most 20 audiences"});
  }
  for (size_t i = 0; i < c.token_exchange_audiences.size(); ++i) {
    const std::string& aud = c.token_exchange_audiences[i];
    if (!IsValidTokenExchangeAudience(aud)) {
      // By position: the entry itself may be anything (control characters, invalid UTF-8).
      errors.push_back({"token_exchange_audiences",
                        "audience " + std::to_string(i + 1) +
                            " must be 1-255 printable ASCII characters without spaces"});
    } else if (std::find(c.token_exchange_audiences.begin(),
                         c.token_exchange_audiences.begin() + i,
                         aud) != c.token_exchange_audiences.begin() + i) {
      errors.push_back({"token_exchange_audiences", "listed twice: " + aud});
    }
  }
  if (!errors.empty()) return ValidationError(std::move(errors));
  return OkStatus();
}

// OIDC Core §8.1 on a registration or change: pairwise subjects only while the app allows
// new ones, and a pairwise client's sector never moves (its users' sub is derived from it).
Status CheckPairwise(const store::App& app, const store::OAuthClient* before,
                     const store::OAuthClient& c) {
  const bool had = before && before->pairwise_subject;
  if (c.pairwise_subject && !had && !app.settings.pairwise_subjects) {
    return ValidationError(
        {{"subject_type", "pairwise subject identifiers are off for this app (its settings)"}});
  }
  if (had && c.pairwise_subject &&
      SubjectIdentifiers::SectorOf(*before) != SubjectIdentifiers::SectorOf(c)) {
    return ValidationError({{"redirect_uris",
                             "a pairwise client's redirect URIs must keep their host: its "
                             "users' sub is derived from it"}});
  }
  return OkStatus();
}

store::AuditEvent ClientEvent(const Actor& actor, store::AuditAction action,
                              const store::OAuthClient& c, boost::json::object details = {}) {
  store::AuditEvent e = ActorEvent(actor, action);
  e.app_id = c.app_id;
  e.subject_type = store::AuditSubjectType::kOAuthClient;
  e.subject_id = c.client_id;
  e.details_json = boost::json::serialize(details);
  return e;
}

}  // namespace

Result<RegisteredClient> ClientService::Register(const store::App& app, ClientRegistration r,
                                                 const Actor& actor) {
  if (r.grant_types.empty()) r.grant_types = {"authorization_code", "refresh_token"};
  if (r.scopes.empty()) r.scopes = DefaultScopesFor(r.grant_types);
  RegisteredClient out;
  store::OAuthClient& c = out.client;
  c.client_id = crypto::Base64UrlEncode(crypto::RandomBytes(16));
  c.app_id = app.id;
  c.name = std::move(r.name);
  c.is_public = r.is_public;
  c.first_party = r.first_party;
  c.redirect_uris = std::move(r.redirect_uris);
  c.post_logout_redirect_uris = std::move(r.post_logout_redirect_uris);
  c.grant_types = std::move(r.grant_types);
  c.scopes = std::move(r.scopes);
  if (r.id_token_signed_response_alg) c.id_token_signed_response_alg = *r.id_token_signed_response_alg;
  c.resource_server = r.resource_server;
  c.require_pushed_authorization_requests = r.require_pushed_authorization_requests;
  c.token_exchange_audiences = std::move(r.token_exchange_audiences);
  c.dpop_bound_access_tokens = r.dpop_bound_access_tokens;
  c.backchannel_logout_uri = std::move(r.backchannel_logout_uri);
  c.backchannel_logout_session_required = r.backchannel_logout_session_required;
  c.jwks = std::move(r.jwks);
  c.require_signed_request_object = r.require_signed_request_object;
  c.pairwise_subject = r.pairwise_subject;
  c.registration_access_token_hash = std::move(r.registration_access_token_hash);
  c.created_at = clock_.NowMillis();
  TESSERA_RETURN_IF_ERROR(CheckClient(c, id_token_algs_));
  TESSERA_RETURN_IF_ERROR(CheckPairwise(app, nullptr, c));
  TESSERA_ASSIGN_OR_RETURN(auto existing, store_.ListClients(app.id));
  if (existing.size() >= kMaxClientsPerApp) {
    return FailedPreconditionError("at most 100 OAuth clients per app; revoke one first");
  }
  if (!c.is_public) {
    out.secret = crypto::NewSecretToken(kClientSecretPrefix);
    c.secret_hash = crypto::TokenHash(*out.secret);
  }
  TESSERA_RETURN_IF_ERROR(store_.CreateClient(c));
  Audit(audit_, ClientEvent(actor, store::AuditAction::kOAuthClientCreated, c,
                            {{"name", c.name}, {"public", c.is_public}}));
  return out;
}

Result<std::vector<store::OAuthClient>> ClientService::List(const store::App& app) {
  return store_.ListClients(app.id);
}

Result<store::OAuthClient> ClientService::Update(const store::App& app,
                                                 std::string_view client_id,
                                                 const ClientUpdate& u, const Actor& actor) {
  if (client_id.empty() || client_id.size() > 128) return NotFoundError("client");
  boost::json::array changed;
  TESSERA_ASSIGN_OR_RETURN(
      store::OAuthClient c, store_.UpdateClient(app.id, client_id, [&](store::OAuthClient& c) {
        const store::OAuthClient before = c;
        auto set = [&changed](auto& field, const auto& value, std::string_view name) {
          if (!value) return;
          if (field != *value) changed.emplace_back(name);
          field = *value;
        };
        set(c.name, u.name, "name");
        set(c.first_party, u.first_party, "first_party");
        set(c.redirect_uris, u.redirect_uris, "redirect_uris");
        set(c.post_logout_redirect_uris, u.post_logout_redirect_uris, "post_logout_redirect_uris");
        set(c.grant_types, u.grant_types, "grant_types");
        set(c.scopes, u.scopes, "scopes");
        set(c.id_token_signed_response_alg, u.id_token_signed_response_alg,
            "id_token_signed_response_alg");
        set(c.resource_server, u.resource_server, "resource_server");
        set(c.require_pushed_authorization_requests, u.require_pushed_authorization_requests,
            "require_pushed_authorization_requests");
        set(c.token_exchange_audiences, u.token_exchange_audiences, "token_exchange_audiences");
        set(c.dpop_bound_access_tokens, u.dpop_bound_access_tokens, "dpop_bound_access_tokens");
        set(c.backchannel_logout_uri, u.backchannel_logout_uri, "backchannel_logout_uri");
        set(c.backchannel_logout_session_required, u.backchannel_logout_session_required,
            "backchannel_logout_session_required");
        set(c.jwks, u.jwks, "jwks");
        set(c.require_signed_request_object, u.require_signed_request_object,
            "require_signed_request_object");
        set(c.pairwise_subject, u.pairwise_subject, "pairwise_subject");
        TESSERA_RETURN_IF_ERROR(CheckClient(c, id_token_algs_));
        return CheckPairwise(app, &before, c);
      }));
  Audit(audit_,
        ClientEvent(actor, store::AuditAction::kOAuthClientUpdated, c, {{"changed", changed}}));
  return c;
}

Result<std::string> ClientService::RotateSecret(const store::App& app, std::string_view client_id,
                                                const Actor& actor) {
  if (client_id.empty() || client_id.size() > 128) return NotFoundError("client");
  std::string secret = crypto::NewSecretToken(kClientSecretPrefix);
  TESSERA_ASSIGN_OR_RETURN(
      store::OAuthClient c, store_.UpdateClient(app.id, client_id, [&](store::OAuthClient& c) {
        if (c.is_public) return FailedPreconditionError("a public client has no secret");
        c.secret_hash = crypto::TokenHash(secret);
        return OkStatus();
      }));
  Audit(audit_, ClientEvent(actor, store::AuditAction::kOAuthClientSecretRotated, c));
  return secret;
}

Status ClientService::Revoke(const store::App& app, std::string_view client_id,
                             const Actor& actor) {
  if (client_id.empty() || client_id.size() > 128) return NotFoundError("client");
  TESSERA_ASSIGN_OR_RETURN(store::OAuthClient c, store_.GetClient(app.id, client_id));
  TESSERA_ASSIGN_OR_RETURN(int64_t grants, store_.RevokeClient(app.id, client_id, clock_.NowMillis()));
  Audit(audit_, ClientEvent(actor, store::AuditAction::kOAuthClientRevoked, c,
                            {{"grants_ended", grants}}));
  return OkStatus();
}

// An unknown client costs the same hash and comparison as a known one.
Result<store::OAuthClient> ClientService::Authenticate(const store::App& app,
                                                       std::string_view client_id,
                                                       std::string_view secret) {
  if (client_id.empty() || client_id.size() > 128 || secret.size() > 256) return InvalidClient();
  std::string presented = crypto::TokenHash(secret);
  auto client = store_.GetClient(app.id, client_id);
  if (!client.ok() && !client.status().IsNotFound()) return client.status();
  std::string expected = client.ok() && client->secret_hash ? *client->secret_hash
                                                            : std::string(64, '0');
  bool match = crypto::ConstantTimeEquals(presented, expected);
  if (!client.ok() || client->is_public || !client->secret_hash || !match) return InvalidClient();
  return client;
}

Result<store::OAuthClient> ClientService::Find(const store::App& app, std::string_view client_id) {
  if (client_id.empty() || client_id.size() > 128) return NotFoundError("client");
  return store_.GetClient(app.id, client_id);
}

Result<store::OAuthClient> ClientService::FindPublic(const store::App& app,
                                                     std::string_view client_id) {
  if (client_id.empty() || client_id.size() > 128) return InvalidClient();
  auto client = store_.GetClient(app.id, client_id);
  if (client.status().IsNotFound()) return InvalidClient();
  TESSERA_RETURN_IF_ERROR(client.status());
  if (!client->is_public) return InvalidClient();
  return client;
}

}  // namespace tessera::services
