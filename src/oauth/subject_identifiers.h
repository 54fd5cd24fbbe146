// File: subject_identifiers.h
// The `sub` a client knows a user by (OIDC Core §8). Public: the user's id, the same for
// every client. Pairwise (the client's pairwise_subject, §8.1): base64url(HMAC-SHA256(K,
// app id ‖ sector ‖ user id)) — the same for every client of one sector (the host of their
// redirect URIs), different across sectors, stable, and not computable without K, a key
// derived from the master key (so every node makes the same). One rule for every token and
// answer that names a user to a client: ID token, access token, userinfo, introspection,
// logout token; and for reading an id_token_hint back.
#pragma once

#include <string>
#include <string_view>

#include "oauth/oauth_records.h"

namespace tessera::services {

class SubjectIdentifiers {
 public:
  explicit SubjectIdentifiers(std::string key) : key_(std::move(key)) {}

  // The sub of `user_id` for `client`.
  std::string For(const store::OAuthClient& client, std::string_view user_id) const;

  // A client's sector (§8.1): the host of its redirect URIs (lower case); for a private-use
  // scheme (com.example.app:/cb) the scheme; with no redirect URI (a device-only client) its
  // client_id.
  static std::string SectorOf(const store::OAuthClient& client);
  // Whether all of a client's redirect URIs are of one sector (a pairwise client's must be:
  // Tessera takes no sector_identifier_uri).
  static bool HasOneSector(const store::OAuthClient& client);

 private:
  std::string key_;
};

}  // namespace tessera::services
