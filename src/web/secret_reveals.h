// File: secret_reveals.h
// One-time reveals of a secret just made in the console (a new API key, a new or rotated
// client secret), for POST/redirect/GET: the form's POST makes the secret and parks it here
// under a random reveal id; the redirect's GET takes it out and shows it, once. A reload then
// shows the list (no second key or client, no secret); the URL carries only the reveal id,
// never the secret, and the id works only for the console user it was made for.
//
// Kept in this process's memory for a few minutes (never written anywhere). Nodes behind a
// load balancer without sticky sessions may answer the GET elsewhere: the page then says the
// secret cannot be shown any more (rotate / make another), it never shows a wrong one.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::web {

class SecretReveals {
 public:
  static constexpr std::chrono::minutes kLifetime{10};
  static constexpr size_t kMaxHeld = 1000;

  // Parks `secret` for `owner` (who may see it: console user, app, object) and returns the
  // reveal id for the redirect's URL.
  std::string Put(std::string owner, std::string secret);
  // The secret parked under `id` for `owner`, removed; nullopt when unknown, expired, already
  // taken or parked for another owner.
  std::optional<std::string> Take(std::string_view id, std::string_view owner);

 private:
  struct Parked {
    std::string owner;
    std::string secret;
    std::chrono::steady_clock::time_point expires;
    uint64_t order = 0;  // when parked: the oldest makes room first
  };
  void DropExpired(std::chrono::steady_clock::time_point now);  // with mu_ held

  std::mutex mu_;
  uint64_t next_order_ = 0;
  std::map<std::string, Parked, std::less<>> parked_;
};

}  // namespace tessera::web
