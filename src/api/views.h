// File: views.h
// JSON views of records for API answers. Views are explicit allow-lists of members, so a
// new column (a hash, say) never leaks by accident.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "base/clock.h"
#include "tenancy/app_settings.h"
#include "accounts/user_records.h"
#include "audit/audit_records.h"
#include "oauth/oauth_records.h"
#include "sessions/session_records.h"
#include "tenancy/tenancy_records.h"
#include "tokens/token_records.h"

namespace tessera::api {

std::string Rfc3339(UnixMillis ms);
boost::json::value OptionalTime(const std::optional<UnixMillis>& ms);

boost::json::object UserView(const store::User& user, const store::App& app);
boost::json::object SessionView(const store::Session& session, bool current);
boost::json::object ApiTokenView(const store::ApiToken& token);

// --- management views (server-to-server API, console and admin APIs) ---
// A user as the app's backend and the consoles see them: the UserView (disabled, roles and
// the times included), never a hash.
boost::json::object ManagedUserView(const store::User& user, const store::App& app);
// {access_token, token_type, expires_in, refresh_token}: tokens the backend got for a user.
boost::json::object TokensView(const std::string& access_token, int64_t expires_in,
                               const std::string& refresh_token);
// {id, name, prefix, created_at, last_used_at}: never the key or its hash.
boost::json::object AppApiKeyView(const store::AppApiKey& key);
// {id, name, prefix, created_at, expires_at, last_used_at, created_by}: an initial access token
// for dynamic client registration (RFC 7591 §3), never the token or its hash.
boost::json::object InitialAccessTokenView(const store::InitialAccessToken& token);
// Registration of an OAuth client, never its secret hash.
boost::json::object OAuthClientView(const store::OAuthClient& client);
// A client's stored `jwks` (JSON text) as the JWK Set object it is, or null when it has none.
boost::json::value ClientJwksView(const std::string& jwks);
// Every member of AppSettings, by its name in settings_json.
boost::json::object AppSettingsView(const store::AppSettings& settings);
// An app in the consoles' lists: {slug, name, disabled, issuer, created_at}.
boost::json::object AppSummaryView(const store::App& app, const std::string& issuer);
// One audit event (services::AuditEventJson: at in epoch milliseconds, details an object).
boost::json::value AuditEventView(const store::AuditEvent& event);

}  // namespace tessera::api
