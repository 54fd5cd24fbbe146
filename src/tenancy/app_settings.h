// File: app_settings.h
// Per-app settings, a part of the app's record (tenancy_records.h), stored as its
// settings_json column: sign-in and signup methods, the password policy and token lifetimes,
// branding of the hosted pages, the mail sender, and where API-initiated magic links may send
// the user. The store parses the column once when it reads the app (so the app cache holds
// them parsed); unknown members are kept out, missing or mistyped ones take their defaults
// (0 or "" = the server's own setting). Their limits: tenancy/app_settings_validation.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::store {

// Second factors for the app's users (src/mfa): not offered, offered, or asked of everyone
// (a user without a factor enrols at their next sign-in). A factor a user already has is
// asked for under every policy: "off" stops new enrolments, it never weakens an account.
enum class MfaPolicy { kOff, kOptional, kRequired };
std::string_view MfaPolicyText(MfaPolicy p);
// nullopt for any other text.
std::optional<MfaPolicy> ParseMfaPolicy(std::string_view text);

struct AppSettings {
  bool allow_signup = true;             // signup page/API, and magic links for new addresses
  bool require_verified_email = false;  // password sign-in needs email_verified
  bool email_code_login = true;         // one-time codes by mail as a sign-in method
  bool magic_link_login = true;         // sign-in links by mail
  // The app's first account gets the role "admin" (kFirstUserRole), decided atomically: of
  // concurrent first sign-ups exactly one is first. Off by default; for apps that, like the
  // seeds' blog, make their first user the administrator.
  bool first_user_admin = false;
  int password_min_length = 0;          // 0 = the server's --password-min-length; else 8..128
  int64_t access_token_ttl_s = 0;       // 0 = the server's; else 60..86400
  int64_t refresh_token_ttl_s = 0;      // 0 = the server's; else 3600..31536000
  std::string mail_from;                // "" = the server's --mail-from
  std::string mail_sender_name;         // display name of the sender; "" = the app's name
  std::vector<std::string> redirect_uris;  // allowed targets of API magic links (exact)
  // Branding of the hosted pages.
  std::string display_name;  // "" = the app's name
  std::string logo_url;      // https (or http on loopback) image URL; "" = none
  std::string accent_color;  // "#rrggbb"; "" = the default
  // Second factors: the policy, and which kinds users may enrol (recovery codes come with
  // any of them).
  MfaPolicy mfa = MfaPolicy::kOptional;
  bool mfa_totp = true;      // authenticator apps
  bool mfa_passkeys = true;  // passkeys and security keys (WebAuthn)
  // Origins besides PUBLIC_URL's whose passkey ceremonies (through the JSON API) count for
  // this app: the app's own web front end ("https://app.example.com", allowed by the browser
  // through /.well-known/webauthn) or its Android app ("android:apk-key-hash:…"). Exact.
  std::vector<std::string> passkey_origins;
  // OAuth and OpenID Connect extensions, each off until the app turns it on (issue 19);
  // discovery lists only those that are on.
  bool device_flow = false;  // RFC 8628 device authorization grant (TVs, command-line tools)
  bool par = false;          // RFC 9126 pushed authorization requests
  bool token_exchange = false;  // RFC 8693 token exchange grant
  bool dpop = false;  // RFC 9449 DPoP: tokens bound to a key the client holds
  bool dpop_nonce = false;  // RFC 9449 §8/§9: DPoP proofs must carry a nonce the server gave
  // RFC 7591/7592: holders of an initial access token register clients at /oauth/register.
  bool dynamic_registration = false;
  // OIDC Back-Channel Logout 1.0: clients with a backchannel_logout_uri are told, by a signed
  // logout token, when a user's session with them ends.
  bool backchannel_logout = false;
  // RFC 9101 (JAR): authorization requests may come as a request object signed by the
  // client's registered keys (`request`), which then carries all their parameters.
  bool signed_request_objects = false;
  // OIDC Core §8.1: clients may be registered with pairwise subject identifiers (each sector
  // sees its own `sub` for a user). Off, no new client may ask for them; clients that have
  // them keep them (their users' identifiers must not change).
  bool pairwise_subjects = false;
  // Languages of the hosted pages and mails (src/i18n): the app's default, used when neither
  // the request (ui_locales, Accept-Language) nor the user names a supported one ("" =
  // English); and the app's own wording of any message, locale → key → ICU message (the same
  // type as i18n::MessageOverrides; each checked against the catalogue when set).
  std::string default_locale;
  using Messages = std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>>;
  Messages messages;

  friend bool operator==(const AppSettings&, const AppSettings&) = default;
};

inline constexpr std::string_view kFirstUserRole = "admin";

// The settings_json column: what ParseAppSettings reads, SerializeAppSettings writes.
AppSettings ParseAppSettings(std::string_view settings_json);
std::string SerializeAppSettings(const AppSettings& settings);

// The app's setting when it has one (> 0), else the server's.
inline int64_t AppOr(int64_t app_value, int64_t server_value) {
  return app_value > 0 ? app_value : server_value;
}
// The name the hosted pages and mail show for an app.
inline std::string DisplayName(const AppSettings& settings, std::string_view app_name) {
  return settings.display_name.empty() ? std::string(app_name) : settings.display_name;
}

}  // namespace tessera::store
