#include "services/client_service.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "services/password_policy.h"

namespace tessera::services {
namespace {

constexpr std::string_view kGrants[] = {"authorization_code", "refresh_token",
                                        "client_credentials"};

bool Contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool IsLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "[::1]" || host == "localhost";
}

Status InvalidClient() { return UnauthenticatedError("client authentication failed"); }

}  // namespace

bool IsSupportedGrant(std::string_view grant) {
  return std::find(std::begin(kGrants), std::end(kGrants), grant) != std::end(kGrants);
}

bool IsValidScopeToken(std::string_view scope) {
  if (scope.empty() || scope.size() > 128) return false;
  return std::all_of(scope.begin(), scope.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u == 0x21 || (u >= 0x23 && u <= 0x5b) || (u >= 0x5d && u <= 0x7e);
  });
}

// Absolute, no fragment (RFC 6749 §3.1.2); https anywhere, http only on loopback
// (RFC 8252 §7.3), or a private-use scheme with a dot, e.g. com.example.app:/cb (§7.1).
bool IsValidRedirectUri(std::string_view uri) {
  if (uri.size() > 2048) return false;
  auto parsed = boost::urls::parse_absolute_uri(uri);
  if (!parsed || parsed->has_fragment()) return false;
  std::string scheme(parsed->scheme());
  if (scheme == "https") return !parsed->encoded_host().empty();
  if (scheme == "http") return IsLoopbackHost(parsed->encoded_host());
  return scheme.find('.') != std::string::npos;
}

Result<RegisteredClient> ClientService::Register(const store::App& app, ClientRegistration r) {
  if (r.grant_types.empty()) r.grant_types = {"authorization_code", "refresh_token"};
  // User-facing OIDC scopes by default only where a user signs in.
  if (r.scopes.empty() && Contains(r.grant_types, "authorization_code")) {
    r.scopes = {"openid", "profile", "email", "offline_access"};
  }
  std::vector<FieldError> errors;
  auto chars = Utf8Length(r.name);
  if (!chars || *chars < 1 || *chars > 200) errors.push_back({"name", "must be 1-200 characters"});
  for (const auto& g : r.grant_types) {
    if (!IsSupportedGrant(g)) errors.push_back({"grant_types", "unsupported grant: " + g});
  }
  if (r.is_public && Contains(r.grant_types, "client_credentials")) {
    errors.push_back({"grant_types", "a public client cannot use client_credentials"});
  }
  bool needs_redirect = Contains(r.grant_types, "authorization_code");
  if (needs_redirect && r.redirect_uris.empty()) {
    errors.push_back({"redirect_uris", "authorization_code needs at least one redirect URI"});
  }
  for (const auto& uri : r.redirect_uris) {
    if (!IsValidRedirectUri(uri)) {
      errors.push_back({"redirect_uris", "not an allowed redirect URI: " + uri});
    }
  }
  for (const auto& uri : r.post_logout_redirect_uris) {
    if (!IsValidRedirectUri(uri)) {
      errors.push_back({"post_logout_redirect_uris", "not an allowed redirect URI: " + uri});
    }
  }
  for (const auto& s : r.scopes) {
    if (!IsValidScopeToken(s)) errors.push_back({"scopes", "not a valid scope: " + s});
  }
  if (!errors.empty()) return ValidationError(std::move(errors));

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
  c.created_at = clock_.NowMillis();
  if (!r.is_public) {
    out.secret = crypto::NewSecretToken(kClientSecretPrefix);
    c.secret_hash = crypto::TokenHash(*out.secret);
  }
  TESSERA_RETURN_IF_ERROR(store_.CreateClient(c));
  // Registration is an operator action (the CLI).
  Audit(audit_, {.app_id = app.id,
                 .action = "oauth_client.created",
                 .actor_type = "admin",
                 .actor_id = "cli",
                 .subject_type = "oauth_client",
                 .subject_id = c.client_id,
                 .details_json = boost::json::serialize(boost::json::object{
                     {"name", c.name}, {"public", r.is_public}})});
  return out;
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
