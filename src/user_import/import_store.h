// File: import_store.h
// Persistence of imports from other systems (contracts: store/store.h). An import writes in
// batches, each one transaction; the rules (what an imported record changes on a user who
// already exists) are the domain's (user_import_service.h), so the store offers the steps.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "accounts/user_records.h"
#include "base/result.h"
#include "tokens/token_records.h"

namespace tessera::store {

// The unique keys of import records (Status::ClashedOn): a source key links one user per app.
enum class UserImportUniqueKey { kSourceKey };

// The reads and writes of one import batch, all inside its transaction, all of one app.
class UserImportTransaction {
 public:
  virtual ~UserImportTransaction() = default;
  // The user an import linked to `source_key` ("django:auth.user:42"); nullopt if none.
  virtual Result<std::optional<User>> UserOfSourceKey(std::string_view source_key) = 0;
  // The source key a user was linked to; nullopt if none (a user who signed up).
  virtual Result<std::optional<std::string>> SourceKeyOfUser(std::string_view user_id) = 0;
  virtual Result<std::optional<User>> UserByEmail(std::string_view email_normalized) = 0;
  virtual Result<std::optional<User>> UserByUsername(std::string_view username_normalized) = 0;
  virtual Status InsertUser(const User& user) = 0;
  // Writes every column of the user but id, app_id and created_at.
  virtual Status ReplaceUser(const User& user) = 0;
  virtual Status LinkSourceKey(std::string_view source_key, std::string_view user_id) = 0;
  virtual Result<std::optional<ApiToken>> ApiTokenByHash(std::string_view token_hash) = 0;
  virtual Status InsertApiToken(const ApiToken& token) = 0;
};

class UserImportStore {
 public:
  virtual ~UserImportStore() = default;
  // Runs `work` in one write transaction on app `app_id`'s records. Its writes are committed
  // when it returns OK and `commit` is true; rolled back otherwise (a dry run sees its own
  // writes, then leaves nothing). Returns what `work` returned.
  virtual Status RunImportBatch(std::string_view app_id, bool commit,
                                const std::function<Status(UserImportTransaction&)>& work) = 0;
};

}  // namespace tessera::store
