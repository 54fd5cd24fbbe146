// File: record_rows.h
// The columns of the records more than one file of the store reads (users, API tokens) and
// how a row becomes a record: written once, for sql_store_users.cc, sql_store_tokens.cc and
// sql_store_imports.cc.
#pragma once

#include <vector>

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

// A new user's row: kUserInsert with UserInsertParams (its roles given apart, for the
// first-user rule), by CreateUser, CreateUserGrantingFirst and an import's InsertUser.
inline constexpr std::string_view kUserInsert =
    "INSERT INTO users (id, app_id, email, email_normalized, username, username_normalized,"
    " password_hash, email_verified, disabled, roles_json, profile_json, created_at, updated_at,"
    " last_login_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

inline std::vector<SqlValue> UserInsertParams(const User& u, const std::vector<std::string>& roles) {
  return {u.id, u.app_id, u.email, u.email_normalized, Opt(u.username), Opt(u.username_normalized),
          Opt(u.password_hash), int64_t{u.email_verified}, int64_t{u.disabled},
          StringListToJson(roles), u.profile_json, u.created_at, u.updated_at,
          Opt(u.last_login_at)};
}

// Every column of a user but id, app_id and created_at: kUserUpdate with UserUpdateParams.
inline constexpr std::string_view kUserUpdate =
    "UPDATE users SET email = $3, email_normalized = $4, username = $5, username_normalized = $6,"
    " password_hash = $7, email_verified = $8, disabled = $9, roles_json = $10,"
    " profile_json = $11, updated_at = $12, last_login_at = $13 WHERE app_id = $1 AND id = $2";

inline std::vector<SqlValue> UserUpdateParams(std::string_view app_id, const User& u) {
  return {std::string(app_id), u.id, u.email, u.email_normalized, Opt(u.username),
          Opt(u.username_normalized), Opt(u.password_hash), int64_t{u.email_verified},
          int64_t{u.disabled}, StringListToJson(u.roles), u.profile_json, u.updated_at,
          Opt(u.last_login_at)};
}

inline constexpr std::string_view kApiTokenSelect =
    "SELECT id, app_id, user_id, name, prefix, token_hash, created_at, expires_at, last_used_at,"
    " revoked_at FROM api_tokens ";

inline ApiToken ReadApiToken(const SqlRow& r) {
  return ApiToken{Text(r, 0), Text(r, 1),   Text(r, 2),   Text(r, 3),   Text(r, 4),
                  Text(r, 5), Int(r, 6),    OptInt(r, 7), OptInt(r, 8), OptInt(r, 9)};
}

inline constexpr std::string_view kApiTokenInsert =
    "INSERT INTO api_tokens (id, app_id, user_id, name, prefix, token_hash, created_at,"
    " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

inline std::vector<SqlValue> ApiTokenInsertParams(const ApiToken& t) {
  return {t.id, t.app_id, t.user_id, t.name, t.prefix, t.token_hash, t.created_at,
          Opt(t.expires_at)};
}

}  // namespace tessera::store::sql
