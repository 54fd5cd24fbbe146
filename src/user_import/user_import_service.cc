#include "user_import/user_import_service.h"

#include <algorithm>
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

// A dry run's work ends with this, so the store rolls its writes back.
Status DryRunEnd() { return AbortedError("dry run"); }

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

class BatchWriter {
 public:
  BatchWriter(store::UserImportTransaction& txn, const store::App& app, UnixMillis now,
              BatchCounts& counts)
      : txn_(txn), app_(app), now_(now), counts_(counts) {}

  Status User(const ImportedUser& in);
  Status Patch(const ImportedUserPatch& in);
  Status Token(const ImportedToken& in);

 private:
  void Skip(const std::string& key, int64_t line, std::string reason) {
    counts_.summary.Skip(line, key, std::move(reason));
  }
  // The user `in` is, if any: by source key, else (not linked to another record) by email.
  Result<std::optional<store::User>> Find(const ImportedUser& in, const std::string& email_norm,
                                          bool& link, std::string& clash);

  store::UserImportTransaction& txn_;
  const store::App& app_;
  UnixMillis now_;
  BatchCounts& counts_;
};

Result<std::optional<store::User>> BatchWriter::Find(const ImportedUser& in,
                                                     const std::string& email_norm, bool& link,
                                                     std::string& clash) {
  TESSERA_ASSIGN_OR_RETURN(auto by_key, txn_.UserOfSourceKey(in.source_key));
  TESSERA_ASSIGN_OR_RETURN(auto by_email, txn_.UserByEmail(email_norm));
  if (by_key) {
    if (by_email && by_email->id != by_key->id) clash = "its email is another user's";
    return by_key;
  }
  link = true;
  if (!by_email) return std::optional<store::User>();
  TESSERA_ASSIGN_OR_RETURN(auto other, txn_.SourceKeyOfUser(by_email->id));
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

Status BatchWriter::User(const ImportedUser& in) {
  ImportSummary& c = counts_.summary;
  auto email = ValidEmail(in.email);
  if (!email) {
    Skip(in.source_key, in.line,
         in.email.empty() ? "no email address" : "email \"" + in.email + "\" is not an address");
    return OkStatus();
  }
  std::string email_norm = NormalizeEmail(*email);
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
  u.email = *email;
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
      TESSERA_ASSIGN_OR_RETURN(auto holder, txn_.UserByUsername(NormalizeUsername(name)));
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
    TESSERA_RETURN_IF_ERROR(txn_.ReplaceUser(u));
    c.users_updated++;
  } else {
    TESSERA_RETURN_IF_ERROR(txn_.InsertUser(u));
    c.users_created++;
  }
  if (link) TESSERA_RETURN_IF_ERROR(txn_.LinkSourceKey(in.source_key, u.id));
  return OkStatus();
}

Status BatchWriter::Patch(const ImportedUserPatch& in) {
  TESSERA_ASSIGN_OR_RETURN(auto found, txn_.UserOfSourceKey(in.user_source_key));
  if (!found) {
    counts_.unresolved.patches.push_back(in);
    return OkStatus();
  }
  store::User u = std::move(*found);
  const std::string record = in.what + " of " + in.user_source_key;
  if (in.email) {
    auto email = ValidEmail(*in.email);
    if (!email) {
      Skip(record, in.line, "email \"" + *in.email + "\" is not an address");
      return OkStatus();
    }
    std::string norm = NormalizeEmail(*email);
    if (norm != u.email_normalized) {
      TESSERA_ASSIGN_OR_RETURN(auto holder, txn_.UserByEmail(norm));
      if (holder) {
        Skip(record, in.line, "email \"" + *email + "\" is another user's");
        return OkStatus();
      }
      u.email = *email;
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
  TESSERA_RETURN_IF_ERROR(txn_.ReplaceUser(u));
  counts_.summary.patches_applied++;
  return OkStatus();
}

Status BatchWriter::Token(const ImportedToken& in) {
  const std::string record = "token of " + in.user_source_key;
  if (!IsDrfTokenKey(in.key)) {
    Skip(record, in.line, "its key is not Django REST framework's (40 hexadecimal characters)");
    return OkStatus();
  }
  TESSERA_ASSIGN_OR_RETURN(auto user, txn_.UserOfSourceKey(in.user_source_key));
  if (!user) {
    counts_.unresolved.tokens.push_back(in);
    return OkStatus();
  }
  std::string hash = crypto::TokenHash(in.key);
  TESSERA_ASSIGN_OR_RETURN(auto existing, txn_.ApiTokenByHash(hash));
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
  t.name = std::string(kImportedTokenName);
  t.prefix = in.key.substr(0, 8);
  t.token_hash = std::move(hash);
  t.created_at = in.created_at.value_or(now_);
  TESSERA_RETURN_IF_ERROR(txn_.InsertApiToken(t));
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
    BatchWriter w(txn, app, clock_.NowMillis(), counts);
    for (const ImportedUser& u : batch.users) TESSERA_RETURN_IF_ERROR(w.User(u));
    for (const ImportedUserPatch& p : batch.patches) TESSERA_RETURN_IF_ERROR(w.Patch(p));
    for (const ImportedToken& t : batch.tokens) TESSERA_RETURN_IF_ERROR(w.Token(t));
    return dry_run ? DryRunEnd() : OkStatus();
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
