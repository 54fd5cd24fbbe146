// File: secret_reveals.h
// One-time reveals of a secret just made in the console (a new API key, a new or rotated
// client secret), for POST/redirect/GET: the form's POST makes the secret and seals it into a
// short-lived cookie on the redirect; the GET the redirect leads to opens it, shows it once
// and deletes the cookie. A reload then shows the list (no second key or client, no secret).
// The URL carries only a random reveal id, never the secret.
//
// The cookie holds the secret sealed (AES-256-GCM) under a key derived from the master key,
// which every node shares, so the GET may land on any node behind a load balancer. The seal
// binds the reveal id, its owner (console session, app, object) and its expiry: a cookie
// works only for the page and the console user it was made for, for kLifetime. Nothing is
// kept on the server; the secret exists only in the browser that just made it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "http/message.h"

namespace tessera::web {

class SecretReveals {
 public:
  static constexpr std::chrono::minutes kLifetime{10};

  SecretReveals(std::string_view master_key, const Clock& clock, bool secure_cookies);

  // Seals `secret` for `owner` into the reveal cookie of `redirect`; returns the reveal id
  // for the redirect's URL.
  std::string Put(http::Response& redirect, std::string_view owner, std::string_view secret);
  // The secret sealed under `id` for `owner` in the request's reveal cookie; nullopt when
  // there is none, or it is expired, forged, or for another id or owner.
  std::optional<std::string> Take(const http::Request& request, std::string_view id,
                                  std::string_view owner) const;
  // Deletes the reveal cookie: on the page that showed the secret.
  void Forget(http::Response& page) const;

 private:
  std::string CookieName() const;

  std::string key_;  // 32 bytes, derived from the master key
  const Clock& clock_;
  bool secure_;
};

}  // namespace tessera::web
