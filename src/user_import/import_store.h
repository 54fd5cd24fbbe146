// File: import_store.h
// Persistence of imports from other systems (contracts: store/store.h). An import writes in
// batches, each one transaction; the rules (what an imported record changes on a user who
// already exists) are the domain's (user_import_service.h), so the store offers the steps.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/user_records.h"
#include "base/result.h"
#include "tokens/token_records.h"

namespace tessera::store {

// The unique keys of import records (Status::ClashedOn): a source key links one user per app.
enum class UserImportUniqueKey { kSourceKey };

// A user of the batch's app as an import's lookup finds them, with the source key an import
// linked them to (nullopt: none, a user who signed up here). Found by a source key, it is
// that key; else the user's (the least one, should an import have linked two).
struct LinkedUser {
  User user;
  std::optional<std::string> source_key;
};

// The reads and writes of one import batch, all inside its transaction, all of one app.
// Reads are set-based: a batch asks for everything its records may look up in a few queries.
// Writes may wait and go to the database together (one round trip for many on PostgreSQL):
// they are sent before the next read and when the batch's work returns, so reads always see
// them; a write's error may therefore come back from a later read, or from RunImportBatch.
class UserImportTransaction {
 public:
  virtual ~UserImportTransaction() = default;
  // The users an import linked to any of `source_keys` ("django:auth.user:42"): one per key
  // found, its `source_key` the key it was found by. Keys linked to nobody are left out.
  virtual Result<std::vector<LinkedUser>> UsersOfSourceKeys(
      std::span<const std::string> source_keys) = 0;
  // The users whose normalized email, or normalized username, is one of the given; each once.
  virtual Result<std::vector<LinkedUser>> UsersByEmails(
      std::span<const std::string> emails_normalized) = 0;
  virtual Result<std::vector<LinkedUser>> UsersByUsernames(
      std::span<const std::string> usernames_normalized) = 0;
  // The API tokens (of any app: a hash is unique across apps) with one of these hashes.
  virtual Result<std::vector<ApiToken>> ApiTokensByHashes(
      std::span<const std::string> token_hashes) = 0;
  virtual Status InsertUser(const User& user) = 0;
  // Writes every column of the user but id, app_id and created_at.
  virtual Status ReplaceUser(const User& user) = 0;
  virtual Status LinkSourceKey(std::string_view source_key, std::string_view user_id) = 0;
  virtual Status InsertApiToken(const ApiToken& token) = 0;
};

class UserImportStore {
 public:
  virtual ~UserImportStore() = default;
  // Runs `work` in one write transaction on app `app_id`'s records. Its writes are committed
  // when it returns OK (and all of them succeeded) and `commit` is true; rolled back
  // otherwise (a dry run sees its own writes, then leaves nothing). Returns what `work`
  // returned, or the error of a write it made; kAborted for a dry run that went well.
  virtual Status RunImportBatch(std::string_view app_id, bool commit,
                                const std::function<Status(UserImportTransaction&)>& work) = 0;
};

}  // namespace tessera::store
