// File: django_fixture.h
// What the records of a Django fixture (`manage.py dumpdata`, JSON) become in an import:
// - the user model (`auth.user`, or a custom one such as `accounts.user`, whose USERNAME_FIELD
//   may be the email): users, with the password hash as Django stored it, is_active → not
//   disabled, is_staff/is_superuser → roles, first/last name → the name claims, date_joined
//   and last_login kept;
// - allauth's `account.emailaddress`: the primary address and whether it was verified;
// - DRF's `authtoken.token`, and an app's own token models named by the mapping (e.g. a blog's
//   `blog.authtoken` with 64-hex keys that expire): the token key (kept hashed), its expiry;
// - profile models named by the mapping (e.g. `api.customer`): fields → profile claims.
// Records of other models are counted as ignored. The mapping is a JSON file (see FromJson).
#pragma once

#include <functional>
#include <istream>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "user_import/import_records.h"
#include "user_import/import_run.h"
#include "user_import/json_record_reader.h"
#include "user_import/user_import_service.h"

namespace tessera::services {

struct DjangoImportMapping {
  std::string user_model = "auth.user";
  // Boolean field of the user model → the role it grants.
  std::map<std::string, std::string> roles = {{"is_staff", "staff"}, {"is_superuser", "admin"}};
  struct Profile {
    std::string user_field = "user";              // the foreign key to the user model
    std::map<std::string, std::string> fields;    // model field → claim ("phone" → "phone_number")
  };
  std::map<std::string, Profile> profiles;        // "api.customer" → …
  struct TokenModel {
    std::string user_field = "user";  // the foreign key to the user model
    std::string key_field = "pk";     // "pk": the record's primary key (DRF's is the key)
    std::string created_field = "created";
    std::string expires_field;        // "": the tokens do not expire
  };
  std::map<std::string, TokenModel> tokens = {{"authtoken.token", {}}};
  std::string media_url;  // prefixed to relative file paths (an ImageField) for URL claims

  // {"user_model": "accounts.user", "roles": {"is_staff": "staff", …},
  //  "profiles": {"api.customer": {"user": "user", "fields": {"phone": "phone_number", …}}},
  //  "tokens": {"blog.authtoken": {"user": "user", "key": "pk", "created": "created",
  //                                 "expires": "expires_at"}},
  //  "media_url": "https://example.com/media/"}; unknown members are refused. "tokens" adds
  //  to DRF's authtoken.token (which it may also redefine).
  static Result<DjangoImportMapping> FromJson(std::string_view text);
};

// Adds what `record` (one object of the fixture) becomes to `batch`; a record that cannot be
// used is a skip in `summary`, with its line and reason.
void AddDjangoRecord(const DjangoImportMapping& mapping, const JsonRecord& record,
                     ImportBatch& batch, ImportSummary& summary);

// Django's serialized datetimes ("2024-03-01T10:00:00.123Z", "+02:00", naive = UTC) and dates.
std::optional<UnixMillis> ParseDjangoDateTime(std::string_view text);

}  // namespace tessera::services

namespace tessera::services {

// Reads every record of the fixtures in `inputs`, one after another, and applies them in
// batches (import_run.h). The summary's `stopped` says why an input could not be read to its
// end; an error is the database's (batches before it stay).
Result<ImportSummary> ImportDjangoFixtures(UserImportService& service, const store::App& app,
                                           const DjangoImportMapping& mapping,
                                           const std::vector<std::istream*>& inputs,
                                           const ImportOptions& options);

}  // namespace tessera::services
