// File: audit_table.h
// The audit log as a console page shows it, for people: who and what by name (emails, client
// key and sign-in provider names) linked to their console pages instead of raw ids, the details as a short
// sentence instead of JSON, times as "5 min ago" with the time beside in the viewer's own zone
// (their profile's `zoneinfo`: pages have no JavaScript to ask the browser; UTC, labelled, when
// they set none) and the exact UTC time on hover, and filters by action,
// actor, subject, outcome and time range (a GET form). 50 events a page, newest first, with an
// "Older" link. The app pages of the developer console and the operators' audit page (which
// adds an app column) share it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "accounts/account_service.h"
#include "audit/audit_log.h"
#include "base/clock.h"
#include "federation/identity_provider_service.h"
#include "http/query.h"
#include "oauth/client_service.h"
#include "tenancy/app_api_key_service.h"
#include "web/console_visitor.h"
#include "web/page_urls.h"
#include "web/page_writer.h"

namespace tessera::web {

class AuditTable {
 public:
  struct Services {
    services::AuditLog& audit;
    services::AccountService& accounts;  // users' and console users' emails
    services::ClientService& clients;     // client names
    services::AppApiKeyService& keys;     // key names
    services::IdentityProviderService& providers;  // sign-in provider names
    const PageUrls& urls;
    const Clock& clock;
  };
  explicit AuditTable(Services s) : s_(s) {}

  // Sets the filter fields, the rows and the pager links of `query`'s page into `d`, or an
  // error line when the log cannot be read. `apps` are the apps the events may belong to (the
  // one app of a console page, or all of them); `with_app` adds the app column.
  void Fill(const ConsoleVisitor& v, store::AuditFilter filter, PageData& d,
            const std::string& base_path, const http::QueryParams& query,
            const std::vector<store::App>& apps, bool with_app) const;

 private:
  Services s_;
};

// The details of an event (its small JSON object) as a sentence: {"changed":["name"]} →
// "Changed: name"; {"reason":"unknown_account"} → "Reason: unknown account". Exposed for tests.
std::string AuditDetailsText(const std::string& details_json);
// "just now", "5 min ago", "3 h ago", "2 days ago" (`now` and `at` in UTC milliseconds).
std::string AgoText(UnixMillis now, UnixMillis at);

}  // namespace tessera::web
