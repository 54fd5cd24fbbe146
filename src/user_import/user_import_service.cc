#include "user_import/user_import_service.h"

#include <algorithm>
#include <span>
#include <type_traits>
#include <unordered_map>
#include <boost/json.hpp>

#include "accounts/identity_rules.h"
#include "accounts/profile.h"
#include "crypto/digest.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"
#include "tokens/api_token_service.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

// The batch's counts are added to the summary only once its transaction committed (or the
// dry run ended): a failed batch counts nothing.
struct BatchCounts {
  ImportSummary summary;  // only the counters and lists; merged by AddTo
  ImportBatch unresolved;
  void AddTo(ImportSummary& s, ImportBatch& unresolved_out) {
    s.users_created += summary.users_created;
    s.users_updated += summary.users_updated;
    s.patches_applied += summary.patches_applied;
    s.tokens_imported += summary.tokens_imported;
    s.tokens_unchanged += summary.tokens_unchanged;
    s.tokens_expired += summary.tokens_expired;
    for (auto& [k, n] : summary.hash_kinds) s.hash_kinds[k] += n;
    for (auto& r : summary.skipped) s.Skip(r.line, r.record, r.reason);
    s.skipped_count += summary.skipped_count - static_cast<int64_t>(summary.skipped.size());
    for (auto& w : summary.warnings) s.Warn(w);
    s.warning_count += summary.warning_count - static_cast<int64_t>(summary.warnings.size());
    for (auto& p : unresolved.patches) unresolved_out.patches.push_back(std::move(p));
    for (auto& t : unresolved.tokens) unresolved_out.tokens.push_back(std::move(t));
  }
};

std::string Where(const std::string& source_key, int64_t line) {
  return "line " + std::to_string(line) + " (" + source_key + ")";
}

// Merges profile claims one by one: a claim Tessera refuses is dropped with a warning.
void MergeProfile(const json::object& claims, json::object& profile, const std::string& where,
                  ImportSummary& counts) {
  for (const auto& [name, value] : claims) {
    json::object one{{name, value}};
    std::vector<FieldError> errors;
    ApplyProfilePatch(one, profile, errors);
    if (!errors.empty()) {
      counts.Warn(where + ": profile " + errors[0].field + " dropped: " + errors[0].message);
    }
  }
}

void MergeRoles(const ImportedUser& in, std::vector<std::string>& roles) {
  std::erase_if(roles, [&](const std::string& r) {
    return std::find(in.managed_roles.begin(), in.managed_roles.end(), r) != in.managed_roles.end();
  });
  for (const std::string& r : in.roles) {
    if (std::find(roles.begin(), roles.end(), r) == roles.end()) roles.push_back(r);
  }
}

// The user's profile as an object ({} when the column is empty or not an object).
json::object ProfileOf(const store::User& u) {
  boost::system::error_code ec;
  json::value v = json::parse(u.profile_json, ec);
  return !ec && v.is_object() ? std::move(v.as_object()) : json::object();
}

// An address as a record gives it, checked and normalized once per record (the address rules
// are IDNA work): the chunk's lookup asks for it, the record's rules then use it.
struct Address {
  std::string email, normalized;
};

std::optional<Address> AddressOf(std::string_view input) {
  auto email = ValidEmail(input);
  if (!email) return std::nullopt;
  std::string normalized = NormalizeEmail(*email);
  return Address{std::move(*email), std::move(normalized)};
}

// What a batch's records look up — users by source key, email or username, a user's source
// key, tokens by hash — read from the store a chunk of records at a time in a few set-based
// queries (Load), and kept up to date by the batch's own writes, which all go through it: a
// later record of the batch sees what an earlier one wrote (a user and then their token, two
// records with one address, a username taken a few records before). A lookup that was not
// loaded asks the store for that one key. Built anew with each run of the batch's transaction.
class BatchView {
 public:
  struct Wanted {
    std::vector<std::string> source_keys, emails, usernames, token_hashes;  // normalized
  };

  explicit BatchView(store::UserImportTransaction& txn) : txn_(txn) {}

  // Asks the store, in one query per kind, for whatever of `wanted` the view does not know.
  Status Load(Wanted wanted);
  // Forgets everything (the store has all the writes, and answers later lookups): what a
  // view holds stays bounded by its chunks, whatever the size of the batch.
  void Clear();
  size_t size() const { return users_.size() + tokens_.size(); }

  Result<std::optional<store::User>> UserOfSourceKey(const std::string& source_key);
  Result<std::optional<store::User>> UserByEmail(const std::string& email_normalized);
  Result<std::optional<store::User>> UserByUsername(const std::string& username_normalized);
  // The source key an import linked a user of the view to; nullopt if none.
  Result<std::optional<std::string>> SourceKeyOfUser(const std::string& user_id) const;
  Result<std::optional<store::ApiToken>> ApiTokenByHash(const std::string& token_hash);

  Status InsertUser(const store::User& user);
  Status ReplaceUser(const store::User& user);
  Status LinkSourceKey(const std::string& source_key, const std::string& user_id);
  Status InsertApiToken(const store::ApiToken& token);

 private:
  struct Entry {
    store::User user;
    std::optional<std::string> source_key;
  };
  // A key (source key, email, username) → the id of the user who has it; nullopt: nobody.
  using Index = std::unordered_map<std::string, std::optional<std::string>>;

  // The user found by a key the view knows; it must know the key.
  std::optional<store::User> UserAt(const Index& index, const std::string& key) const {
    const std::optional<std::string>& id = index.at(key);
    if (!id) return std::nullopt;
    return users_.at(*id).user;
  }
  void Remember(store::LinkedUser found);
  // Load of one key of one kind (a lookup the chunk's Load did not foresee).
  Status LoadOne(std::vector<std::string> Wanted::*kind, const std::string& key) {
    Wanted w;
    (w.*kind).push_back(key);
    return Load(std::move(w));
  }

  store::UserImportTransaction& txn_;
  std::unordered_map<std::string, Entry> users_;  // by id
  Index by_source_key_, by_email_, by_username_;
  std::unordered_map<std::string, std::optional<store::ApiToken>> tokens_;  // by hash
};

Status BatchView::Load(Wanted w) {
  // The keys not known yet, each once.
  auto unknown = [](std::vector<std::string>& keys, const auto& known) {
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::erase_if(keys, [&](const std::string& k) { return known.contains(k); });
  };
  unknown(w.source_keys, by_source_key_);
  TESSERA_ASSIGN_OR_RETURN(auto by_key, txn_.UsersOfSourceKeys(w.source_keys));
  for (store::LinkedUser& f : by_key) {
    by_source_key_.try_emplace(f.source_key.value_or(""), f.user.id);
    Remember(std::move(f));
  }
  for (const std::string& k : w.source_keys) by_source_key_.try_emplace(k, std::nullopt);
  // Users found by key came with their email and username: those are known now.
  unknown(w.emails, by_email_);
  TESSERA_ASSIGN_OR_RETURN(auto by_email, txn_.UsersByEmails(w.emails));
  for (store::LinkedUser& f : by_email) Remember(std::move(f));
  for (const std::string& e : w.emails) by_email_.try_emplace(e, std::nullopt);
  unknown(w.usernames, by_username_);
  TESSERA_ASSIGN_OR_RETURN(auto by_username, txn_.UsersByUsernames(w.usernames));
  for (store::LinkedUser& f : by_username) Remember(std::move(f));
  for (const std::string& n : w.usernames) by_username_.try_emplace(n, std::nullopt);
  unknown(w.token_hashes, tokens_);
  TESSERA_ASSIGN_OR_RETURN(auto tokens, txn_.ApiTokensByHashes(w.token_hashes));
  for (store::ApiToken& t : tokens) {
    std::string hash = t.token_hash;
    tokens_.try_emplace(std::move(hash), std::move(t));
  }
  for (const std::string& h : w.token_hashes) tokens_.try_emplace(h, std::nullopt);
  return OkStatus();
}

// A user the store found. One the view holds already is kept as the view has them (the
// same: the store saw every write of the batch before it answered).
void BatchView::Remember(store::LinkedUser found) {
  const std::string id = found.user.id;
  auto [it, added] =
      users_.try_emplace(id, Entry{std::move(found.user), std::move(found.source_key)});
  if (!added) return;
  by_email_.try_emplace(it->second.user.email_normalized, id);
  if (it->second.user.username_normalized) {
    by_username_.try_emplace(*it->second.user.username_normalized, id);
  }
}

void BatchView::Clear() {
  users_.clear();
  by_source_key_.clear();
  by_email_.clear();
  by_username_.clear();
  tokens_.clear();
}

Result<std::optional<store::User>> BatchView::UserOfSourceKey(const std::string& source_key) {
  if (!by_source_key_.contains(source_key)) {
    TESSERA_RETURN_IF_ERROR(LoadOne(&Wanted::source_keys, source_key));
  }
  return UserAt(by_source_key_, source_key);
}

Result<std::optional<store::User>> BatchView::UserByEmail(const std::string& email_normalized) {
  if (!by_email_.contains(email_normalized)) {
    TESSERA_RETURN_IF_ERROR(LoadOne(&Wanted::emails, email_normalized));
  }
  return UserAt(by_email_, email_normalized);
}

Result<std::optional<store::User>> BatchView::UserByUsername(
    const std::string& username_normalized) {
  if (!by_username_.contains(username_normalized)) {
    TESSERA_RETURN_IF_ERROR(LoadOne(&Wanted::usernames, username_normalized));
  }
  return UserAt(by_username_, username_normalized);
}

Result<std::optional<std::string>> BatchView::SourceKeyOfUser(const std::string& user_id) const {
  auto it = users_.find(user_id);
  if (it == users_.end()) return InternalError("import: a user the batch did not look up");
  return it->second.source_key;
}

Result<std::optional<store::ApiToken>> BatchView::ApiTokenByHash(const std::string& token_hash) {
  if (!tokens_.contains(token_hash)) {
    TESSERA_RETURN_IF_ERROR(LoadOne(&Wanted::token_hashes, token_hash));
  }
  return tokens_.at(token_hash);
}

Status BatchView::InsertUser(const store::User& u) {
  TESSERA_RETURN_IF_ERROR(txn_.InsertUser(u));
  users_.insert_or_assign(u.id, Entry{u, std::nullopt});
  by_email_.insert_or_assign(u.email_normalized, u.id);
  if (u.username_normalized) by_username_.insert_or_assign(*u.username_normalized, u.id);
  return OkStatus();
}

Status BatchView::ReplaceUser(const store::User& u) {
  TESSERA_RETURN_IF_ERROR(txn_.ReplaceUser(u));
  auto it = users_.find(u.id);
  if (it == users_.end()) {  // not the view's: what it knew of the old email or username is stale
    Clear();
    return OkStatus();
  }
  const store::User& old = it->second.user;
  // The email and username the user leaves are nobody's now (each is one user's at most).
  if (old.email_normalized != u.email_normalized) {
    by_email_.insert_or_assign(old.email_normalized, std::nullopt);
  }
  if (old.username_normalized && old.username_normalized != u.username_normalized) {
    by_username_.insert_or_assign(*old.username_normalized, std::nullopt);
  }
  it->second.user = u;
  by_email_.insert_or_assign(u.email_normalized, u.id);
  if (u.username_normalized) by_username_.insert_or_assign(*u.username_normalized, u.id);
  return OkStatus();
}

Status BatchView::LinkSourceKey(const std::string& source_key, const std::string& user_id) {
  TESSERA_RETURN_IF_ERROR(txn_.LinkSourceKey(source_key, user_id));
  by_source_key_.insert_or_assign(source_key, user_id);
  if (auto it = users_.find(user_id); it != users_.end() && !it->second.source_key) {
    it->second.source_key = source_key;
  }
  return OkStatus();
}

Status BatchView::InsertApiToken(const store::ApiToken& t) {
  TESSERA_RETURN_IF_ERROR(txn_.InsertApiToken(t));
  tokens_.insert_or_assign(t.token_hash, t);
  return OkStatus();
}

class BatchWriter {
 public:
  BatchWriter(store::UserImportTransaction& txn, const store::App& app, UnixMillis now,
              BatchCounts& counts)
      : view_(txn), app_(app), now_(now), counts_(counts) {}

  // The records of a batch, a chunk at a time: what the chunk's records look up is loaded,
  // then they are applied one by one in their order. `want` adds what a record looks up to
  // the chunk's and returns what the record's rules take of it (its address, its key's hash).
  Status Users(std::span<const ImportedUser> users) {
    return InChunks(
        users,
        [](const ImportedUser& in, BatchView::Wanted& w) {
          w.source_keys.push_back(in.source_key);
          auto address = AddressOf(in.email);
          if (address) w.emails.push_back(address->normalized);
          if (in.username && !in.username->empty() && !CheckUsername(*in.username)) {
            w.usernames.push_back(NormalizeUsername(*in.username));
          }
          return address;
        },
        [this](const ImportedUser& in, const std::optional<Address>& a) { return User(in, a); });
  }
  Status Patches(std::span<const ImportedUserPatch> patches) {
    return InChunks(
        patches,
        [](const ImportedUserPatch& in, BatchView::Wanted& w) {
          w.source_keys.push_back(in.user_source_key);
          auto address = in.email ? AddressOf(*in.email) : std::nullopt;
          if (address) w.emails.push_back(address->normalized);
          return address;
        },
        [this](const ImportedUserPatch& in, const std::optional<Address>& a) {
          return Patch(in, a);
        });
  }
  Status Tokens(std::span<const ImportedToken> tokens) {
    return InChunks(
        tokens,
        [this](const ImportedToken& in, BatchView::Wanted& w) {
          if (!IsImportedTokenKey(in.key) || Expired(in)) return std::string();  // not looked up
          w.source_keys.push_back(in.user_source_key);
          w.token_hashes.push_back(crypto::TokenHash(in.key));
          return w.token_hashes.back();
        },
        [this](const ImportedToken& in, const std::string& hash) { return Token(in, hash); });
  }

 private:
  // Records per chunk: the set-based lookups' size, and what the view holds at most (a
  // batch's unresolved records, applied at the end of the input, may be many more).
  static constexpr size_t kChunk = 500;

  template <typename Record, typename Want, typename Apply>
  Status InChunks(std::span<const Record> records, Want want, Apply apply) {
    using Taken = std::invoke_result_t<Want, const Record&, BatchView::Wanted&>;
    std::vector<Taken> taken;
    for (size_t first = 0; first < records.size(); first += kChunk) {
      auto chunk = records.subspan(first, std::min(kChunk, records.size() - first));
      if (view_.size() > 4 * kChunk) view_.Clear();
      BatchView::Wanted wanted;
      taken.clear();
      for (const Record& r : chunk) taken.push_back(want(r, wanted));
      TESSERA_RETURN_IF_ERROR(view_.Load(std::move(wanted)));
      for (size_t i = 0; i < chunk.size(); ++i) TESSERA_RETURN_IF_ERROR(apply(chunk[i], taken[i]));
    }
    return OkStatus();
  }

  // The rules for one record; `address` is AddressOf(in.email), `hash` the key's TokenHash.
  Status User(const ImportedUser& in, const std::optional<Address>& address);
  Status Patch(const ImportedUserPatch& in, const std::optional<Address>& address);
  Status Token(const ImportedToken& in, const std::string& hash);

  bool Expired(const ImportedToken& in) const { return in.expires_at && *in.expires_at <= now_; }
  void Skip(const std::string& key, int64_t line, std::string reason) {
    counts_.summary.Skip(line, key, std::move(reason));
  }
  // The user `in` is, if any: by source key, else (not linked to another record) by email.
  Result<std::optional<store::User>> Find(const ImportedUser& in, const std::string& email_norm,
                                          bool& link, std::string& clash);

  BatchView view_;
  const store::App& app_;
  UnixMillis now_;
  BatchCounts& counts_;
};

Result<std::optional<store::User>> BatchWriter::Find(const ImportedUser& in,
                                                     const std::string& email_norm, bool& link,
                                                     std::string& clash) {
  TESSERA_ASSIGN_OR_RETURN(auto by_key, view_.UserOfSourceKey(in.source_key));
  TESSERA_ASSIGN_OR_RETURN(auto by_email, view_.UserByEmail(email_norm));
  if (by_key) {
    if (by_email && by_email->id != by_key->id) clash = "its email is another user's";
    return by_key;
  }
  link = true;
  if (!by_email) return std::optional<store::User>();
  TESSERA_ASSIGN_OR_RETURN(auto other, view_.SourceKeyOfUser(by_email->id));
  if (other) {
    clash = "its email is the user imported from " + *other + "'s";
  } else if (!by_email->email_verified) {
    // Someone signed up here with this address and never proved it is theirs: linking would
    // hand them the imported person's roles and tokens. The operator decides (verify or
    // delete that account), then runs the import again.
    clash = "an account with this email signed up here before the import and has not "
            "verified the address: not linked (verify or delete that account, then re-run)";
  }
  return by_email;
}

Status BatchWriter::User(const ImportedUser& in, const std::optional<Address>& address) {
  ImportSummary& c = counts_.summary;
  if (!address) {
    Skip(in.source_key, in.line,
         in.email.empty() ? "no email address" : "email \"" + in.email + "\" is not an address");
    return OkStatus();
  }
  const std::string& email = address->email;
  const std::string& email_norm = address->normalized;
  bool link = false;
  std::string clash;
  TESSERA_ASSIGN_OR_RETURN(auto existing, Find(in, email_norm, link, clash));
  if (!clash.empty()) {
    Skip(in.source_key, in.line, clash);
    return OkStatus();
  }
  const std::string where = Where(in.source_key, in.line);
  store::User u;
  if (existing) {
    u = *existing;
  } else {
    u.id = crypto::NewUuid();
    u.app_id = app_.id;
    u.created_at = in.created_at.value_or(now_);
  }
  bool same_email = existing && existing->email_normalized == email_norm;
  u.email = email;
  u.email_normalized = email_norm;
  u.email_verified = in.email_verified.value_or(false) || (same_email && existing->email_verified);
  if (in.disabled) u.disabled = *in.disabled;
  // The username: the source's when it is valid here and nobody else's, dropped with a
  // warning else; a source that does not say keeps the user's.
  if (in.username) {
    u.username.reset();
    u.username_normalized.reset();
  }
  if (in.username && !in.username->empty()) {
    const std::string& name = *in.username;
    if (auto problem = CheckUsername(name)) {
      c.Warn(where + ": username \"" + name + "\" is not a Tessera username (" + *problem +
             "): dropped; the user signs in with their email");
    } else {
      TESSERA_ASSIGN_OR_RETURN(auto holder, view_.UserByUsername(NormalizeUsername(name)));
      if (holder && holder->id != u.id) {
        c.Warn(where + ": username \"" + name + "\" is another user's: dropped");
      } else {
        u.username = name;
        u.username_normalized = NormalizeUsername(name);
      }
    }
  }
  // The password: the source's hash, unless Tessera made one since (a sign-in upgraded it,
  // or the user changed it here): then the source's is older.
  auto kind = crypto::KindOfPasswordHash(in.password_hash.value_or(""));
  if (in.password_hash || !existing) c.hash_kinds[std::string(crypto::PasswordHashKindName(kind))]++;
  bool tessera_hash = existing && existing->password_hash &&
                      crypto::KindOfPasswordHash(*existing->password_hash) ==
                          crypto::PasswordHashKind::kArgon2id;
  if (!tessera_hash && (in.password_hash || !existing)) {
    if (kind == crypto::PasswordHashKind::kUnusable) {
      u.password_hash.reset();
    } else {
      if (kind == crypto::PasswordHashKind::kUnsupported) {
        c.Warn(where + ": its password hash is of a kind Tessera cannot check: the user must "
               "reset their password");
      }
      u.password_hash = in.password_hash;
    }
  }
  MergeRoles(in, u.roles);
  json::object profile = ProfileOf(u);
  MergeProfile(in.profile, profile, where, c);
  u.profile_json = json::serialize(profile);
  if (in.last_login_at && (!u.last_login_at || *u.last_login_at < *in.last_login_at)) {
    u.last_login_at = in.last_login_at;
  }
  u.updated_at = now_;
  if (existing) {
    TESSERA_RETURN_IF_ERROR(view_.ReplaceUser(u));
    c.users_updated++;
  } else {
    TESSERA_RETURN_IF_ERROR(view_.InsertUser(u));
    c.users_created++;
  }
  if (link) TESSERA_RETURN_IF_ERROR(view_.LinkSourceKey(in.source_key, u.id));
  return OkStatus();
}

Status BatchWriter::Patch(const ImportedUserPatch& in, const std::optional<Address>& address) {
  TESSERA_ASSIGN_OR_RETURN(auto found, view_.UserOfSourceKey(in.user_source_key));
  if (!found) {
    counts_.unresolved.patches.push_back(in);
    return OkStatus();
  }
  store::User u = std::move(*found);
  const std::string record = in.what + " of " + in.user_source_key;
  if (in.email) {
    if (!address) {
      Skip(record, in.line, "email \"" + *in.email + "\" is not an address");
      return OkStatus();
    }
    const std::string& email = address->email;
    const std::string& norm = address->normalized;
    if (norm != u.email_normalized) {
      TESSERA_ASSIGN_OR_RETURN(auto holder, view_.UserByEmail(norm));
      if (holder) {
        Skip(record, in.line, "email \"" + email + "\" is another user's");
        return OkStatus();
      }
      u.email = email;
      u.email_normalized = norm;
      u.email_verified = false;
    }
    if (in.email_verified) u.email_verified = *in.email_verified;
  }
  if (in.verified_email && NormalizeEmail(*in.verified_email) == u.email_normalized) {
    u.email_verified = true;
  }
  json::object profile = ProfileOf(u);
  MergeProfile(in.profile, profile, Where(record, in.line), counts_.summary);
  u.profile_json = json::serialize(profile);
  u.updated_at = now_;
  TESSERA_RETURN_IF_ERROR(view_.ReplaceUser(u));
  counts_.summary.patches_applied++;
  return OkStatus();
}

Status BatchWriter::Token(const ImportedToken& in, const std::string& hash) {
  const std::string record = "token of " + in.user_source_key;
  if (!IsImportedTokenKey(in.key)) {
    Skip(record, in.line, "its key is not 32-128 characters of A-Z, a-z, 0-9, _ and -");
    return OkStatus();
  }
  if (Expired(in)) {
    counts_.summary.tokens_expired++;
    return OkStatus();
  }
  TESSERA_ASSIGN_OR_RETURN(auto user, view_.UserOfSourceKey(in.user_source_key));
  if (!user) {
    counts_.unresolved.tokens.push_back(in);
    return OkStatus();
  }
  TESSERA_ASSIGN_OR_RETURN(auto existing, view_.ApiTokenByHash(hash));
  if (existing) {
    if (existing->app_id == app_.id && existing->user_id == user->id) {
      counts_.summary.tokens_unchanged++;
    } else {
      Skip(record, in.line, "the same key is already another user's token");
    }
    return OkStatus();
  }
  store::ApiToken t;
  t.id = crypto::NewUuid();
  t.app_id = app_.id;
  t.user_id = user->id;
  t.name = in.source == kDrfTokenModel ? std::string(kImportedTokenName)
                                       : ("Imported from " + in.source).substr(0, 100);
  t.prefix = in.key.substr(0, 8);
  t.token_hash = hash;
  t.created_at = in.created_at.value_or(now_);
  t.expires_at = in.expires_at;
  TESSERA_RETURN_IF_ERROR(view_.InsertApiToken(t));
  counts_.summary.tokens_imported++;
  return OkStatus();
}

}  // namespace

Status UserImportService::Apply(const store::App& app, const ImportBatch& batch, bool dry_run,
                                ImportSummary& summary, ImportBatch& unresolved) {
  if (batch.size() == 0) return OkStatus();
  BatchCounts counts;
  Status s = store_.RunImportBatch(app.id, !dry_run, [&](store::UserImportTransaction& txn) -> Status {
    counts = BatchCounts{};  // a retried transaction starts its counts again
    BatchWriter w(txn, app, clock_.NowMillis(), counts);  // its view too starts again
    TESSERA_RETURN_IF_ERROR(w.Users(batch.users));
    TESSERA_RETURN_IF_ERROR(w.Patches(batch.patches));
    return w.Tokens(batch.tokens);  // a dry run's writes are then rolled back (!commit)
  });
  if (dry_run && s.code() == StatusCode::kAborted) s = OkStatus();
  if (!s.ok()) return s;
  counts.AddTo(summary, unresolved);
  return OkStatus();
}

void ImportSummary::Skip(int64_t line, std::string record, std::string reason) {
  skipped_count++;
  if (skipped.size() < kMaxListedSkips) skipped.push_back({line, std::move(record), std::move(reason)});
}

void ImportSummary::Warn(std::string warning) {
  warning_count++;
  if (warnings.size() < kMaxListedSkips) warnings.push_back(std::move(warning));
}

}  // namespace tessera::services
