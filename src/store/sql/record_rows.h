// File: record_rows.h
// The columns of the records more than one file of the store reads (users, API tokens) and
// how a row becomes a record: written once, for sql_store_users.cc, sql_store_tokens.cc and
// sql_store_imports.cc.
#pragma once

#include "store/sql/json_columns.h"
#include "store/sql/sql_database.h"
#include "store/store.h"

namespace tessera::store::sql {

inline constexpr std::string_view kUserSelect =
    "SELECT id, app_id, email, email_normalized, username, username_normalized, password_hash,"
    " email_verified, disabled, roles_json, profile_json, created_at, updated_at, last_login_at"
    " FROM users ";

inline User ReadUser(const SqlRow& r) {
  User u;
  u.id = Text(r, 0);
  u.app_id = Text(r, 1);
  u.email = Text(r, 2);
  u.email_normalized = Text(r, 3);
  u.username = OptText(r, 4);
  u.username_normalized = OptText(r, 5);
  u.password_hash = OptText(r, 6);
  u.email_verified = Int(r, 7) != 0;
  u.disabled = Int(r, 8) != 0;
  u.roles = StringListFromJson(Text(r, 9));
  u.profile_json = Text(r, 10);
  u.created_at = Int(r, 11);
  u.updated_at = Int(r, 12);
  u.last_login_at = OptInt(r, 13);
  return u;
}

inline constexpr std::string_view kApiTokenSelect =
    "SELECT id, app_id, user_id, name, prefix, token_hash, created_at, expires_at, last_used_at,"
    " revoked_at FROM api_tokens ";

inline ApiToken ReadApiToken(const SqlRow& r) {
  return ApiToken{Text(r, 0), Text(r, 1),   Text(r, 2),   Text(r, 3),   Text(r, 4),
                  Text(r, 5), Int(r, 6),    OptInt(r, 7), OptInt(r, 8), OptInt(r, 9)};
}

}  // namespace tessera::store::sql
