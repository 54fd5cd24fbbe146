// File: user_records.h
// An app's end users, and pages of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace tessera::store {

struct User {
  std::string id;
  std::string app_id;
  std::string email;             // as the user typed it (trimmed)
  std::string email_normalized;  // lowercase; unique per app
  std::optional<std::string> username;
  std::optional<std::string> username_normalized;  // lowercase; unique per app
  std::optional<std::string> password_hash;        // argon2id, or an imported Django/bcrypt hash
  bool email_verified = false;
  bool disabled = false;
  // The app's own words, an open set (they go into tokens); the console app gives one a
  // meaning: DeveloperConsoleService's kOperatorRole.
  std::vector<std::string> roles;
  std::string profile_json = "{}";  // OIDC standard claims + "about" (services/profile.h)
  UnixMillis created_at = 0;
  UnixMillis updated_at = 0;
  std::optional<UnixMillis> last_login_at;
};

// A page of an app's users, newest first (created_at desc, id desc).
struct UserQuery {
  std::string app_id{};
  std::string search{};  // case-insensitive substring of email or username; "" = all
  std::optional<std::string> cursor{};  // id of the last user of the previous page
  int limit = 50;                     // clamped to 1..200
};

struct UserPage {
  std::vector<User> users;
  std::optional<std::string> next_cursor;  // set when there may be more
};

}  // namespace tessera::store
