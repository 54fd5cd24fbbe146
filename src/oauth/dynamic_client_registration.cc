#include "oauth/dynamic_client_registration.h"

#include <boost/json.hpp>

#include <algorithm>

#include "base/json_util.h"
#include "base/strings.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "oauth/oidc_claims.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr std::string_view kDefaultName = "Dynamically registered client";
constexpr std::string_view kAuthMethods[] = {"client_secret_basic", "client_secret_post", "none"};

OAuthError BadMetadata(std::string why) { return OAuthError(kInvalidClientMetadata, std::move(why)); }
OAuthError BadToken() {
  return OAuthError(kInvalidToken, "the token is missing, invalid, expired or revoked");
}

// U+0000 is no character of a name or URI, and PostgreSQL cannot store it.
bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// Typed readers of optional members: nullopt when absent (or null), an error naming the member
// when present with another type.
using Strings = std::vector<std::string>;

OAuthResult<std::optional<Strings>> StringArray(const json::object& m, std::string_view name) {
  auto it = m.find(name);
  if (it == m.end() || it->value().is_null()) return std::optional<Strings>();
  if (!it->value().is_array()) return BadMetadata(std::string(name) + " must be an array of strings");
  Strings out;
  for (const auto& v : it->value().as_array()) {
    if (!v.is_string() || HasNul(v.as_string())) {
      return BadMetadata(std::string(name) + " must be an array of strings");
    }
    out.emplace_back(v.as_string());
  }
  return std::optional<Strings>(std::move(out));
}

OAuthResult<std::optional<std::string>> String(const json::object& m, std::string_view name) {
  auto it = m.find(name);
  if (it == m.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string() || HasNul(it->value().as_string())) {
    return BadMetadata(std::string(name) + " must be a string");
  }
  return std::optional<std::string>(std::string(it->value().as_string()));
}

OAuthResult<bool> Bool(const json::object& m, std::string_view name) {
  auto it = m.find(name);
  if (it == m.end() || it->value().is_null()) return false;
  if (!it->value().is_bool()) return BadMetadata(std::string(name) + " must be true or false");
  return it->value().as_bool();
}

// `jwks` (OIDC Registration §2): the client's public keys, a JWK Set object, as its JSON text
// ("" when absent or null); what the keys must be ClientService judges.
OAuthResult<std::string> Jwks(const json::object& m) {
  auto it = m.find("jwks");
  if (it == m.end() || it->value().is_null()) return std::string();
  if (!it->value().is_object()) return BadMetadata("jwks must be a JWK Set object");
  return json::serialize(it->value().as_object());
}

// `subject_type` (OIDC Registration §2): "public" or "pairwise" (OIDC Core §8), as whether the
// client's `sub` is pairwise; absent or null, public. Whether the app allows pairwise ones
// ClientService judges.
OAuthResult<bool> PairwiseSubject(const json::object& m) {
  auto it = m.find("subject_type");
  if (it == m.end() || it->value().is_null()) return false;
  if (!it->value().is_string() ||
      (it->value().as_string() != "public" && it->value().as_string() != "pairwise")) {
    return BadMetadata("subject_type must be public or pairwise");
  }
  return it->value().as_string() == "pairwise";
}

// The error of the first of `results` that failed, in the order given.
template <typename... Results>
std::optional<OAuthError> FirstError(const Results&... results) {
  std::optional<OAuthError> first;
  ((first || results.ok() ? void() : void(first = results.error())), ...);
  return first;
}

// The registration the metadata asks for (RFC 7591 §2), before ClientService's own checks.
OAuthResult<ClientRegistration> RegistrationOf(const json::object& m) {
  ClientRegistration r;
  auto redirect_uris = StringArray(m, "redirect_uris");
  auto post_logout = StringArray(m, "post_logout_redirect_uris");
  auto grants = StringArray(m, "grant_types");
  auto response_types = StringArray(m, "response_types");
  auto method = String(m, "token_endpoint_auth_method");
  auto name = String(m, "client_name");
  auto scope = String(m, "scope");
  auto alg = String(m, "id_token_signed_response_alg");
  auto par = Bool(m, "require_pushed_authorization_requests");
  auto dpop = Bool(m, "dpop_bound_access_tokens");
  auto backchannel_uri = String(m, "backchannel_logout_uri");  // OIDC Back-Channel Logout §2.2
  auto backchannel_sid = Bool(m, "backchannel_logout_session_required");
  auto jwks = Jwks(m);
  auto require_signed = Bool(m, "require_signed_request_object");  // RFC 9101 §10.5
  auto pairwise = PairwiseSubject(m);
  if (auto e = FirstError(redirect_uris, post_logout, grants, response_types, method, name, scope,
                          alg, par, dpop, backchannel_uri, backchannel_sid, jwks, require_signed,
                          pairwise)) {
    return *e;
  }
  // Keys only by value: ignored as unknown metadata, a jwks_uri would leave the client without
  // the keys it means to sign its requests with.
  if (auto uri = m.find("jwks_uri"); uri != m.end() && !uri->value().is_null()) {
    return BadMetadata("jwks_uri is not supported; send jwks");
  }
  std::string auth = method->value_or("client_secret_basic");
  if (std::find(std::begin(kAuthMethods), std::end(kAuthMethods), auth) == std::end(kAuthMethods)) {
    return BadMetadata("token_endpoint_auth_method must be client_secret_basic, client_secret_post "
                       "or none");
  }
  r.is_public = auth == "none";
  // §2: grant_types defaults to authorization_code, response_types to code, and the two must
  // agree: code exactly when authorization_code (no implicit or hybrid flows here).
  r.grant_types = grants->value_or(Strings{"authorization_code"});
  bool code_flow = Contains(r.grant_types, "authorization_code");
  Strings responses = response_types->value_or(code_flow ? Strings{"code"} : Strings{});
  for (const auto& t : responses) {
    if (t != "code") return BadMetadata("response_types: only \"code\" is supported");
  }
  if (code_flow != Contains(responses, "code")) {
    return BadMetadata("response_types must be [\"code\"] exactly when grant_types has "
                       "authorization_code");
  }
  r.name = name->value_or(std::string(kDefaultName));
  r.redirect_uris = redirect_uris->value_or(Strings{});
  r.post_logout_redirect_uris = post_logout->value_or(Strings{});
  if (*scope) r.scopes = SplitScopes(**scope);
  r.id_token_signed_response_alg = *alg;
  r.require_pushed_authorization_requests = *par;
  r.dpop_bound_access_tokens = *dpop;
  r.backchannel_logout_uri = backchannel_uri->value_or("");
  r.backchannel_logout_session_required = *backchannel_sid;
  r.jwks = std::move(*jwks);
  r.require_signed_request_object = *require_signed;
  r.pairwise_subject = *pairwise;
  return r;
}

// ClientService's refusals as RFC 7591 §3.2.2 errors.
OAuthError RefusalOf(const Status& s) {
  if (s.code() == StatusCode::kFailedPrecondition) return BadMetadata(s.message());
  if (s.code() != StatusCode::kInvalidArgument) return UnexpectedFailure(s);
  std::string why;
  bool redirect = false;
  for (const FieldError& f : s.field_errors()) {
    redirect = redirect || f.field == "redirect_uris" || f.field == "post_logout_redirect_uris";
    why += (why.empty() ? "" : "; ") + f.field + ": " + f.message;
  }
  if (why.empty()) why = s.message();
  return OAuthError(redirect ? kInvalidRedirectUri : kInvalidClientMetadata, why);
}

Actor RegistrationActor(std::string id) {
  Actor a;
  a.type = store::AuditActorType::kClient;  // the software registering (or managing) a client
  a.id = std::move(id);
  return a;
}

}  // namespace

json::object RegisteredClientMetadata(const store::OAuthClient& c) {
  auto array = [](const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
  };
  bool code_flow = Contains(c.grant_types, "authorization_code");
  json::object m{
      {"client_id", c.client_id},
      {"client_id_issued_at", c.created_at / 1000},
      {"client_name", c.name},
      {"redirect_uris", array(c.redirect_uris)},
      {"post_logout_redirect_uris", array(c.post_logout_redirect_uris)},
      {"grant_types", array(c.grant_types)},
      {"response_types", code_flow ? json::array{"code"} : json::array{}},
      // Both secret methods are always accepted; basic is the one named.
      {"token_endpoint_auth_method", c.is_public ? "none" : "client_secret_basic"},
      {"scope", JoinScopes(c.scopes)},
      {"id_token_signed_response_alg", c.id_token_signed_response_alg},
      {"require_pushed_authorization_requests", c.require_pushed_authorization_requests},
      {"dpop_bound_access_tokens", c.dpop_bound_access_tokens},
      {"backchannel_logout_session_required", c.backchannel_logout_session_required},
      {"require_signed_request_object", c.require_signed_request_object},
      {"subject_type", c.pairwise_subject ? "pairwise" : "public"}};
  // A member of the client's metadata only when it has one (§2.2: a URL, never "").
  if (!c.backchannel_logout_uri.empty()) m["backchannel_logout_uri"] = c.backchannel_logout_uri;
  // Likewise its keys, as the JWK Set object they are (ClientService stored them only after
  // parsing them as one).
  if (!c.jwks.empty()) {
    if (auto set = ParseJsonObject(c.jwks); set.ok()) m["jwks"] = std::move(*set);
  }
  if (!c.is_public) m["client_secret_expires_at"] = 0;  // never
  return m;
}

OAuthResult<DynamicRegistration> DynamicClientRegistration::Register(
    const store::App& app, std::string_view initial_access_token, const json::object& metadata) {
  if (!app.settings.dynamic_registration) {
    return OAuthError(kInvalidRequest, "dynamic client registration is not enabled for this app");
  }
  auto granted = initial_tokens_.Check(app, initial_access_token);
  if (!granted.ok()) {
    return granted.status().code() == StatusCode::kUnauthenticated ? BadToken()
                                                                    : UnexpectedFailure(granted.status());
  }
  OAuthResult<ClientRegistration> r = RegistrationOf(metadata);
  if (!r.ok()) return r.error();
  DynamicRegistration out;
  out.registration_access_token = crypto::NewSecretToken(kRegistrationAccessTokenPrefix);
  r->registration_access_token_hash = crypto::TokenHash(out.registration_access_token);
  auto created = clients_.Register(app, std::move(*r), RegistrationActor("registration:" + granted->id));
  if (!created.ok()) return RefusalOf(created.status());
  out.client = std::move(created->client);
  out.client_secret = std::move(created->secret);
  return out;
}

OAuthResult<store::OAuthClient> DynamicClientRegistration::Managed(
    const store::App& app, std::string_view client_id, std::string_view token) {
  if (!app.settings.dynamic_registration) {
    return OAuthError(kInvalidRequest, "dynamic client registration is not enabled for this app");
  }
  if (!crypto::IsSecretTokenShaped(token, kRegistrationAccessTokenPrefix)) return BadToken();
  auto client = store_.GetClient(app.id, client_id);
  if (client.status().IsNotFound()) return BadToken();  // unknown clients look like bad tokens
  if (!client.ok()) return UnexpectedFailure(client.status());
  if (client->registration_access_token_hash.empty() ||
      !crypto::ConstantTimeEquals(client->registration_access_token_hash, crypto::TokenHash(token))) {
    return BadToken();
  }
  return std::move(*client);
}

OAuthResult<DynamicRegistration> DynamicClientRegistration::Read(const store::App& app,
                                                                 std::string_view client_id,
                                                                 std::string_view token) {
  auto client = Managed(app, client_id, token);
  if (!client.ok()) return client.error();
  return DynamicRegistration{std::move(*client), std::nullopt, std::string(token)};
}

OAuthResult<DynamicRegistration> DynamicClientRegistration::Replace(const store::App& app,
                                                                    std::string_view client_id,
                                                                    std::string_view token,
                                                                    const json::object& metadata) {
  auto client = Managed(app, client_id, token);
  if (!client.ok()) return client.error();
  auto named = metadata.find("client_id");
  if (named == metadata.end() || !named->value().is_string() ||
      named->value().as_string() != client->client_id) {
    return BadMetadata("client_id must be the client's own");
  }
  // RFC 7592 §2.2: a client_secret sent must be the current one (it is never changed here).
  if (auto secret = metadata.find("client_secret"); secret != metadata.end()) {
    bool same = secret->value().is_string() && client->secret_hash &&
                crypto::ConstantTimeEquals(*client->secret_hash,
                                           crypto::TokenHash(secret->value().as_string()));
    if (!same) return BadMetadata("client_secret is not the client's");
  }
  OAuthResult<ClientRegistration> r = RegistrationOf(metadata);
  if (!r.ok()) return r.error();
  if (r->is_public != client->is_public) {
    return BadMetadata("token_endpoint_auth_method cannot change between none and a secret; "
                       "register a new client");
  }
  ClientUpdate u;
  u.name = std::move(r->name);
  u.redirect_uris = std::move(r->redirect_uris);
  u.post_logout_redirect_uris = std::move(r->post_logout_redirect_uris);
  u.grant_types = std::move(r->grant_types);
  u.scopes = r->scopes.empty() ? DefaultScopesFor(*u.grant_types) : std::move(r->scopes);
  u.id_token_signed_response_alg = r->id_token_signed_response_alg.value_or("RS256");
  u.require_pushed_authorization_requests = r->require_pushed_authorization_requests;
  u.dpop_bound_access_tokens = r->dpop_bound_access_tokens;
  // Left out of the replacing metadata: removed (RFC 7592 §2.2).
  u.backchannel_logout_uri = std::move(r->backchannel_logout_uri);
  u.backchannel_logout_session_required = r->backchannel_logout_session_required;
  u.jwks = std::move(r->jwks);
  u.require_signed_request_object = r->require_signed_request_object;
  u.pairwise_subject = r->pairwise_subject;  // left out: public
  auto updated = clients_.Update(app, client_id, u, RegistrationActor(client->client_id));
  if (!updated.ok()) return RefusalOf(updated.status());
  return DynamicRegistration{std::move(*updated), std::nullopt, std::string(token)};
}

OAuthResult<std::monostate> DynamicClientRegistration::Delete(const store::App& app,
                                                              std::string_view client_id,
                                                              std::string_view token) {
  auto client = Managed(app, client_id, token);
  if (!client.ok()) return client.error();
  Status revoked = clients_.Revoke(app, client_id, RegistrationActor(client->client_id));
  if (revoked.IsNotFound()) return BadToken();  // deleted meanwhile
  if (!revoked.ok()) return UnexpectedFailure(revoked);
  return std::monostate{};
}

}  // namespace tessera::services
