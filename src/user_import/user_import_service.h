// File: user_import_service.h
// Applies what an import read (import_records.h) to an app, one batch per transaction, by
// the rules users moving from another system expect:
// - A record becomes one user, found again by its source key on a re-run (even when its
//   email changed) or, the first time, by its email (a user who had already signed up is
//   linked, not duplicated). An email that is another imported user's is a skipped record.
// - A password hash is kept as the source stored it and upgraded to argon2id at the user's
//   next sign-in (crypto/password_hash.h lists the kinds); a hash Tessera made since (the user
//   signed in or changed it) is never overwritten by a re-run.
// - Roles the import manages (the mapped ones) follow the source; others are kept. Profile
//   claims are merged; one that Tessera refuses is dropped with a warning, not the user.
// - API token keys (DRF's, or an app's own token model) are stored as SHA-256 hashes with
//   their expiry and accepted as `Token <key>` (and Bearer); expired ones are only counted.
#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "tenancy/tenancy_records.h"
#include "user_import/import_records.h"
#include "user_import/import_store.h"

namespace tessera::services {

struct ImportBatch {
  std::vector<ImportedUser> users;
  std::vector<ImportedUserPatch> patches;
  std::vector<ImportedToken> tokens;
  size_t size() const { return users.size() + patches.size() + tokens.size(); }
};

// The name imported DRF tokens get in the user's token list (others: "Imported from <model>").
inline constexpr std::string_view kImportedTokenName = "Django REST framework token";
inline constexpr std::string_view kDrfTokenModel = "authtoken.token";

class UserImportService {
 public:
  UserImportService(store::UserImportStore& store, const Clock& clock)
      : store_(store), clock_(clock) {}

  // Applies `batch` in one transaction (rolled back when `dry_run`). Patches and tokens whose
  // user is not known yet are appended to `unresolved` (their user may come later in the
  // input); everything else is counted in `summary`. An error is the database's: nothing of
  // the batch was written.
  Status Apply(const store::App& app, const ImportBatch& batch, bool dry_run,
               ImportSummary& summary, ImportBatch& unresolved);

 private:
  store::UserImportStore& store_;
  const Clock& clock_;
};

}  // namespace tessera::services
