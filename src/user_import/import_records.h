// File: import_records.h
// What an import reads from its source, as the domain sees it, whatever the source's format
// (a Django fixture, the generic JSON or CSV): users, additions to users (an email address
// record, a profile row), and API token keys; and what the import reports.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace tessera::services {

// A user as the source has them.
struct ImportedUser {
  std::string source_key;  // unique in the source: "django:auth.user:42"
  int64_t line = 0;        // where the record starts in its file (for reports)
  std::string email;
  // nullopt: the source does not say, and a user who exists keeps theirs (a new one has none);
  // "" clears the username.
  std::optional<std::string> username;
  std::optional<std::string> password_hash;  // in the source's format; nullopt: as for username
  std::optional<bool> disabled;              // nullopt: as for username (new: enabled)
  std::optional<bool> email_verified;  // nullopt: the source does not say
  std::vector<std::string> roles;          // the roles the source grants…
  std::vector<std::string> managed_roles;  // …out of these (others the user has are kept)
  boost::json::object profile;             // OIDC claims and "about"
  std::optional<UnixMillis> created_at, last_login_at;
};

// A record that adds to a user of the import: an email address record (allauth), a profile row.
struct ImportedUserPatch {
  std::string user_source_key;
  int64_t line = 0;
  std::string what;  // the source's name for the record, e.g. "account.emailaddress"
  std::optional<std::string> email;    // makes this the user's address
  std::optional<bool> email_verified;  // applies when `email` is the user's address
  std::optional<std::string> verified_email;  // a verified address, counted only if it is theirs
  boost::json::object profile;
};

// An API token key of the source (DRF's authtoken, or an app's own token model), kept as a
// hash; one that has expired is not imported.
struct ImportedToken {
  std::string user_source_key;
  int64_t line = 0;
  std::string source;  // the source's name for it, e.g. "authtoken.token"
  std::string key;
  std::optional<UnixMillis> created_at, expires_at;
};

struct SkippedRecord {
  int64_t line = 0;
  std::string record;  // "auth.user pk 7"
  std::string reason;
};

struct ImportSummary {
  int64_t records = 0;  // read from the input
  int64_t users_created = 0, users_updated = 0;
  int64_t patches_applied = 0;
  int64_t tokens_imported = 0, tokens_unchanged = 0;
  int64_t tokens_expired = 0;  // not imported: they no longer open anything
  int64_t skipped_count = 0;
  std::vector<SkippedRecord> skipped;           // the first kMaxListedSkips of them
  std::map<std::string, int64_t> hash_kinds;    // "pbkdf2_sha256" → users
  std::map<std::string, int64_t> ignored_models;  // records of models no mapping names
  std::vector<std::string> warnings;            // the first kMaxListedSkips
  int64_t warning_count = 0;
  bool dry_run = false;
  std::optional<std::string> stopped;  // why the input could not be read to its end

  static constexpr size_t kMaxListedSkips = 1000;
  void Skip(int64_t line, std::string record, std::string reason);
  void Warn(std::string warning);
};

}  // namespace tessera::services
