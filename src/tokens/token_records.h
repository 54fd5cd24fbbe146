// File: token_records.h
// Personal API tokens and signing keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace tessera::store {

struct ApiToken {
  std::string id;
  std::string app_id;
  std::string user_id;
  std::string name;
  std::string prefix;  // the first characters of the token, shown in lists
  std::string token_hash;
  UnixMillis created_at = 0;
  std::optional<UnixMillis> expires_at;
  std::optional<UnixMillis> last_used_at;
  std::optional<UnixMillis> revoked_at;
};

struct SigningKeyRecord {
  std::string kid;
  std::string alg;
  std::string private_key_sealed;  // base64 of AES-256-GCM(master key, PEM), bound to kid
  std::string public_jwk_json;
  UnixMillis created_at = 0;
  // From when it signs; until then it is only published (staged rotation: key_service.h).
  // It signs while sign_from <= now < retired_at (no retired_at: until it is replaced).
  std::optional<UnixMillis> retired_at;
  UnixMillis sign_from = 0;
};

}  // namespace tessera::store
