#include "api/views.h"

#include <boost/json.hpp>
#include <ctime>

#include "accounts/user_json.h"
#include "base/json_util.h"
#include "base/time_format.h"
#include "audit/audit_log.h"

namespace tessera::api {
namespace json = boost::json;

std::string Rfc3339(UnixMillis ms) { return FormatUtc(ms, kRfc3339Utc); }

json::value OptionalTime(const std::optional<UnixMillis>& ms) {
  return ms ? json::value(Rfc3339(*ms)) : json::value(nullptr);
}

json::object UserView(const store::User& u, const store::App& app) {
  json::object v = services::UserJson(u);
  v["app"] = app.slug;
  return v;
}

json::object SessionView(const store::Session& s, bool current) {
  json::object v{{"id", s.id},
                 {"kind", ToText(s.kind)},  // "api", "browser" or "oauth" (an app's grant)
                 {"created_at", Rfc3339(s.created_at)},
                 {"last_used_at", Rfc3339(s.last_used_at)},
                 {"expires_at", Rfc3339(s.expires_at)},
                 {"user_agent", s.user_agent},
                 {"ip", s.ip},
                 {"current", current}};
  if (!s.client_id.empty()) v["client_id"] = s.client_id;
  if (!s.scope.empty()) v["scope"] = s.scope;
  return v;
}

json::object ApiTokenView(const store::ApiToken& t) {
  return json::object{{"id", t.id},
                      {"name", t.name},
                      {"prefix", t.prefix},
                      {"created_at", Rfc3339(t.created_at)},
                      {"expires_at", OptionalTime(t.expires_at)},
                      {"last_used_at", OptionalTime(t.last_used_at)}};
}

json::object ManagedUserView(const store::User& u, const store::App& app) {
  return UserView(u, app);
}

json::object TokensView(const std::string& access_token, int64_t expires_in,
                        const std::string& refresh_token) {
  return json::object{{"access_token", access_token},
                      {"token_type", "Bearer"},
                      {"expires_in", expires_in},
                      {"refresh_token", refresh_token}};
}

json::object AppApiKeyView(const store::AppApiKey& k) {
  return json::object{{"id", k.id},
                      {"name", k.name},
                      {"prefix", k.prefix},
                      {"created_at", Rfc3339(k.created_at)},
                      {"last_used_at", OptionalTime(k.last_used_at)}};
}

json::object InitialAccessTokenView(const store::InitialAccessToken& t) {
  return json::object{{"id", t.id},
                      {"name", t.name},
                      {"prefix", t.prefix},
                      {"created_at", Rfc3339(t.created_at)},
                      {"expires_at", OptionalTime(t.expires_at)},
                      {"last_used_at", OptionalTime(t.last_used_at)},
                      {"created_by", t.created_by}};
}

namespace {
// An app's wording of the messages: {"<locale>": {"<key>": "text"}}.
json::object MessagesView(const store::AppSettings::Messages& messages) {
  json::object out;
  for (const auto& [locale, texts] : messages) {
    json::object m;
    for (const auto& [key, text] : texts) m[key] = text;
    out[locale] = std::move(m);
  }
  return out;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.emplace_back(s);
  return out;
}
}  // namespace

json::value ClientJwksView(const std::string& jwks) {
  if (jwks.empty()) return nullptr;
  // ClientService stored it only after parsing it as a JWK Set, so this does not fail.
  auto set = ParseJsonObject(jwks);
  return set.ok() ? json::value(std::move(*set)) : json::value(nullptr);
}

json::object OAuthClientView(const store::OAuthClient& c) {
  return json::object{{"client_id", c.client_id},
                      {"name", c.name},
                      {"is_public", c.is_public},
                      {"first_party", c.first_party},
                      {"redirect_uris", Strings(c.redirect_uris)},
                      {"post_logout_redirect_uris", Strings(c.post_logout_redirect_uris)},
                      {"grant_types", Strings(c.grant_types)},
                      {"scopes", Strings(c.scopes)},
                      {"id_token_signed_response_alg", c.id_token_signed_response_alg},
                      {"resource_server", c.resource_server},
                      {"require_pushed_authorization_requests",
                       c.require_pushed_authorization_requests},
                      {"token_exchange_audiences", Strings(c.token_exchange_audiences)},
                      {"dpop_bound_access_tokens", c.dpop_bound_access_tokens},
                      {"backchannel_logout_uri", c.backchannel_logout_uri},
                      {"backchannel_logout_session_required",
                       c.backchannel_logout_session_required},
                      {"jwks", ClientJwksView(c.jwks)},
                      {"require_signed_request_object", c.require_signed_request_object},
                      {"subject_type", c.pairwise_subject ? "pairwise" : "public"},
                      {"created_at", Rfc3339(c.created_at)}};
}

json::object AppSettingsView(const store::AppSettings& s) {
  return json::object{{"allow_signup", s.allow_signup},
                      {"require_verified_email", s.require_verified_email},
                      {"email_code_login", s.email_code_login},
                      {"magic_link_login", s.magic_link_login},
                      {"first_user_admin", s.first_user_admin},
                      {"password_min_length", s.password_min_length},
                      {"access_token_ttl_s", s.access_token_ttl_s},
                      {"refresh_token_ttl_s", s.refresh_token_ttl_s},
                      {"mail_from", s.mail_from},
                      {"mail_sender_name", s.mail_sender_name},
                      {"redirect_uris", Strings(s.redirect_uris)},
                      {"display_name", s.display_name},
                      {"logo_url", s.logo_url},
                      {"accent_color", s.accent_color},
                      {"mfa", store::MfaPolicyText(s.mfa)},
                      {"mfa_totp", s.mfa_totp},
                      {"mfa_passkeys", s.mfa_passkeys},
                      {"passkey_origins", Strings(s.passkey_origins)},
                      {"device_flow", s.device_flow},
                      {"par", s.par},
                      {"token_exchange", s.token_exchange},
                      {"dpop", s.dpop},
                      {"dpop_nonce", s.dpop_nonce},
                      {"dynamic_registration", s.dynamic_registration},
                      {"backchannel_logout", s.backchannel_logout},
                      {"signed_request_objects", s.signed_request_objects},
                      {"pairwise_subjects", s.pairwise_subjects},
                      {"default_locale", s.default_locale},
                      {"messages", MessagesView(s.messages)}};
}

json::object AppSummaryView(const store::App& app, const std::string& issuer) {
  return json::object{{"slug", app.slug},
                      {"name", app.name},
                      {"disabled", app.disabled},
                      {"issuer", issuer},
                      {"created_at", Rfc3339(app.created_at)}};
}

json::value AuditEventView(const store::AuditEvent& e) { return services::AuditEventObject(e); }

}  // namespace tessera::api
