// File: browser_session_service.h
// Sign-in sessions of the hosted pages. The browser holds only a random 256-bit id in a
// cookie; the store keeps its SHA-256 with the session (kind "browser"), so a database leak
// yields no usable cookie. Every sign-in gets a fresh id (no session fixation). A session
// ends at logout, at revocation (account page, API, password change), after `idle_ttl_s`
// without use, or `absolute_ttl_s` after sign-in, whichever comes first.
#pragma once

#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "audit/audit_log.h"
#include "accounts/user_records.h"
#include "sessions/session_records.h"
#include "sessions/session_store.h"
#include "tenancy/tenancy_records.h"

namespace tessera::services {

struct BrowserSessionOptions {
  int64_t idle_ttl_s = 8 * 3600;
  int64_t absolute_ttl_s = 7 * 24 * 3600;
};

struct StartedBrowserSession {
  store::Session session;
  std::string cookie_value;  // "tbs_…": goes to the browser once, never stored
};

class BrowserSessionService {
 public:
  BrowserSessionService(store::SessionStore& store, const Clock& clock,
                        BrowserSessionOptions options, AuditLog* audit = nullptr)
      : store_(store), clock_(clock), options_(options), audit_(audit) {}

  // `amr`, `idp`: how the user signed in (Session::amr), carried into ID tokens.
  Result<StartedBrowserSession> Start(const store::App& app, const store::User& user,
                                      const ClientInfo& client, std::string_view amr = "",
                                      std::string_view idp = "");
  // The live session of a cookie value; kNotFound when it is unknown, ended or malformed.
  // Slides the idle timeout (writing at most once a minute per session).
  Result<store::Session> Resolve(const store::App& app, std::string_view cookie_value);
  // Ends the session (kLogout is audited as "session.logout", as the account API's logout).
  Status End(const store::App& app, const store::Session& session, store::RevokeReason reason);
  // A new sign-in in the same browser replaces `old` with `current`: the grants started from
  // the old one move to the new one when the same user signed in again (re-authentication,
  // prompt=login), so their clients are not logged out; another user's end with it.
  Status Replace(const store::App& app, const store::Session& old,
                 const store::Session& current);

  const BrowserSessionOptions& options() const { return options_; }

 private:
  store::SessionStore& store_;
  const Clock& clock_;
  BrowserSessionOptions options_;
  AuditLog* audit_;  // may be null
};

inline constexpr std::string_view kBrowserSessionPrefix = "tbs_";

}  // namespace tessera::services
