#include "accounts/email_identity_doctor.h"

#include <map>

#include "accounts/identity_rules.h"

namespace tessera::services {
namespace {

struct Holder {
  std::string id;
  std::string email;
  std::string stored_key;
};

// Every user of the app by their current key (pages of 200; keys only, not whole records).
Result<std::map<std::string, std::vector<Holder>>> ByKey(store::UserStore& users,
                                                         const std::string& app_id,
                                                         int64_t& checked) {
  std::map<std::string, std::vector<Holder>> by_key;
  store::UserQuery q;
  q.app_id = app_id;
  q.limit = 200;
  for (;;) {
    TESSERA_ASSIGN_OR_RETURN(store::UserPage page, users.ListUsers(q));
    for (const auto& u : page.users) {
      by_key[NormalizeEmail(u.email_normalized)].push_back({u.id, u.email, u.email_normalized});
      ++checked;
    }
    if (!page.next_cursor || page.users.empty()) break;
    q.cursor = page.next_cursor;
  }
  return by_key;
}

}  // namespace

Result<EmailIdentityReport> EmailIdentityDoctor::Run(bool apply) {
  EmailIdentityReport report;
  TESSERA_ASSIGN_OR_RETURN(std::vector<store::App> apps, apps_.ListApps());
  for (const auto& app : apps) TESSERA_RETURN_IF_ERROR(RunApp(app, apply, report));
  return report;
}

Status EmailIdentityDoctor::RunApp(const store::App& app, bool apply, EmailIdentityReport& report) {
  TESSERA_ASSIGN_OR_RETURN(auto by_key, ByKey(users_, app.id, report.checked));
  for (auto& [key, holders] : by_key) {
    int64_t outdated = 0;
    for (const auto& h : holders) outdated += h.stored_key != key ? 1 : 0;
    if (outdated == 0) continue;  // one holder with the current key (two cannot: the unique index)
    report.outdated += outdated;
    if (holders.size() > 1) {
      EmailCollision c{app.slug, key, {}, {}};
      for (const auto& h : holders) {
        c.user_ids.push_back(h.id);
        c.emails.push_back(h.email);
      }
      report.collisions.push_back(std::move(c));
      continue;
    }
    if (!apply) continue;
    // The shown address follows its key, as everywhere (the account keeps one address).
    auto updated = users_.UpdateUser(app.id, holders[0].id, [&](store::User& u) {
      u.email = u.email_normalized = key;
      return OkStatus();
    });
    if (updated.status().ClashedOn(store::UserUniqueKey::kEmail)) {
      // Someone signed up with the key meanwhile: a collision after all.
      report.collisions.push_back({app.slug, key, {holders[0].id}, {holders[0].email}});
      continue;
    }
    TESSERA_RETURN_IF_ERROR(updated.status());
    ++report.normalized;
  }
  return OkStatus();
}

}  // namespace tessera::services
