// File: uri_rules.h
// Rules for URLs that users and developers give us: redirect URIs (OAuth clients, an app's
// magic-link targets) and logo URLs. Written once here so every domain applies the same rule.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tessera {

// 127.0.0.1, [::1] or localhost: where http is acceptable (RFC 8252 §7.3, §8.3).
bool IsLoopbackHost(std::string_view host);

// Absolute, no fragment (RFC 6749 §3.1.2); https anywhere, http only on loopback
// (RFC 8252 §7.3), or a private-use scheme with a dot, e.g. com.example.app:/cb (§7.1).
bool IsValidRedirectUri(std::string_view uri);

// The origin of a logo URL the hosted pages may show (https, or http on loopback) as a CSP
// source, e.g. "https://cdn.example.com"; nullopt for anything else (userinfo, odd hosts or
// ports), so nothing odd ever reaches a header or a page.
std::optional<std::string> LogoOrigin(std::string_view url);

// What is wrong with a server's public base URL (--public-url), or nullopt when it is fine:
// http(s)://host[:port][/path], no query, fragment or userinfo; https, or http only on a
// loopback host unless `allow_insecure_http` (browsers would send passwords, cookies and
// codes in clear text: RFC 9700 §4.13, OAuth 2.0 §3.1 and §10.9).
std::optional<std::string> PublicUrlProblem(std::string_view url, bool allow_insecure_http);

// What is wrong with the URL of a receiver Tessera calls — a back-channel logout URI (OIDC
// Back-Channel Logout 1.0 §2.2), a webhook endpoint —, or nullopt
// when it is fine: absolute, no fragment or userinfo, a plain host; https, or http when
// `allow_http` (the spec lets an OP allow it for confidential clients) or on loopback.
// A query is allowed. Which addresses may be reached is the sender's rule
// (--outbound-allow-private-hosts), judged after DNS.
std::optional<std::string> ReceiverUrlProblem(std::string_view uri, bool allow_http);

inline bool IsValidLogoUrl(std::string_view url) { return LogoOrigin(url).has_value(); }

}  // namespace tessera
