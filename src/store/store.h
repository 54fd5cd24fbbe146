// File: store.h
// The composed store. Each domain owns its narrow store interface and records
// (accounts/user_store.h, sessions/session_store.h, …); `Store` is what an engine (store/sql)
// implements: all of them at once. Services take the narrowest interfaces they need, never
// this one. All SQL lives behind these interfaces.
//
// Contracts (every implementation, checked by tests/store/store_conformance_test.cc):
// - Times are UTC milliseconds; what is written reads back equal.
// - Create* (and UpdateUser) return kAlreadyExists on a unique clash, with the typed key it
//   clashed on (Status::ClashedOn(UserUniqueKey::kEmail), … — each interface's header
//   declares its keys; the message names the field); Get* returns kNotFound when there is no
//   such record.
// - Every lookup of a per-app record takes the app id: a record of another app is kNotFound.
// - UpdateUser is atomic: `mutate` sees the current row inside the write transaction; its
//   changes are stored only when it returns OK. It must not touch id, app_id or created_at.
// - RotateRefreshToken consumes the old token atomically: of two concurrent rotations of
//   one token exactly one gets kRotated. RedeemAuthorizationCode likewise: of two concurrent
//   redemptions of one code exactly one gets kConsumed; ConsumeFederationTicket: of two
//   concurrent consumptions of one ticket exactly one gets it; ConsumeMfaChallenge,
//   UseRecoveryCode and AdvanceFactorCounter likewise.
// - A session is live while revoked_at is null and expires_at > now; a browser session also
//   needs last_used_at + idle_ttl > now.
// - Failures of the database itself are kUnavailable (retryable) or kInternal.
#pragma once

#include <cstdint>
#include <string_view>

#include "accounts/throttle_store.h"
#include "accounts/user_store.h"
#include "audit/audit_store.h"
#include "email_flows/email_token_store.h"
#include "federation/federation_store.h"
#include "mail/mail_store.h"
#include "mfa/mfa_store.h"
#include "oauth/oauth_store.h"
#include "outbound/delivery_store.h"
#include "sessions/session_store.h"
#include "tenancy/mail_domain_store.h"
#include "tenancy/tenancy_store.h"
#include "tokens/token_store.h"
#include "user_import/import_store.h"
#include "webhooks/webhook_store.h"
#include "base/result.h"

namespace tessera::store {

// What CollectGarbage deleted, per kind.
struct GcStats {
  int64_t refresh_tokens = 0;
  int64_t sessions = 0;
  int64_t api_tokens = 0;
  int64_t authorization_codes = 0;
  int64_t throttle_entries = 0;
  int64_t email_tokens = 0;
  int64_t sent_mail = 0;
  int64_t revoked_access_tokens = 0;
  int64_t federation_tickets = 0;
  int64_t mfa_challenges = 0;
  int64_t device_authorizations = 0;
  int64_t pushed_requests = 0;
  int64_t dpop_proofs = 0;
  int64_t finished_deliveries = 0;
};

class Store : public AppStore,
              public AppMemberStore,
              public AppApiKeyStore,
              public AppInvitationStore,
              public MailDomainStore,
              public UserStore,
              public SessionStore,
              public ApiTokenStore,
              public KeyStore,
              public RevokedAccessTokenStore,
              public DpopProofStore,
              public InitialAccessTokenStore,
              public ClientStore,
              public AuthorizationStore,
              public DeviceAuthorizationStore,
              public ThrottleStore,
              public MailStore,
              public DeliveryStore,
              public EmailTokenStore,
              public FederationStore,
              public MfaStore,
              public UserImportStore,
              public WebhookStore,
              public AuditStore {
 public:
  // Cheap round trip to the database (readiness probe).
  virtual Status Ping() = 0;
  // Hands a change notice (base/change_notices.h) to every node listening on this database:
  // PostgreSQL NOTIFY (store/sql/postgres_change_listener.h); nothing on SQLite, where one
  // process serves.
  virtual Status SendChangeNotice(std::string_view payload) = 0;
  // Deletes what expired before `now` (minus a grace period kept for reuse detection).
  virtual Result<GcStats> CollectGarbage(UnixMillis now) = 0;
  virtual std::string_view Backend() const = 0;  // "sqlite" | "postgres"
};

}  // namespace tessera::store
