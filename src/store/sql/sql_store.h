// File: sql_store.h
// The Store over a SqlDatabase (SQLite or PostgreSQL). One implementation for both engines:
// the SQL text is shared (sql_database.h explains how); each domain's statements sit in its
// own sql_store_<domain>.cc.
#pragma once

#include <memory>

#include "store/sql/sql_database.h"
#include "store/store.h"

namespace tessera::store::sql {

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<SqlDatabase> db) : db_(std::move(db)) {}

  // AppStore
  Status CreateApp(const App& app) override;
  Status CreateAppWithOwner(const App& app, const AppMember& owner) override;
  Result<App> GetAppBySlug(std::string_view slug) override;
  Result<std::vector<App>> ListApps() override;
  Result<App> GetAppById(std::string_view app_id) override;
  Status UpdateAppSettings(std::string_view app_id, const AppSettings& settings) override;
  Result<App> UpdateApp(std::string_view app_id,
                        const std::function<Status(App&)>& mutate) override;

  // AppMemberStore
  Status AddAppMember(const AppMember& member) override;
  Result<AppMember> GetAppMember(std::string_view app_id, std::string_view user_id) override;
  Result<std::vector<AppMember>> ListAppMembers(std::string_view app_id) override;
  Result<std::vector<AppMember>> ListMembershipsOfUser(std::string_view user_id) override;
  Status SetAppMemberRole(std::string_view app_id, std::string_view user_id,
                          MemberRole role) override;
  Status RemoveAppMember(std::string_view app_id, std::string_view user_id) override;

  // AppInvitationStore
  Status CreateAppInvitation(const AppInvitation& invitation, size_t max_live,
                             UnixMillis now) override;
  Result<AppInvitation> GetAppInvitation(std::string_view id) override;
  Result<AppInvitation> GetAppInvitationByTokenHash(std::string_view token_hash) override;
  Result<std::vector<AppInvitation>> ListAppInvitations(std::string_view app_id,
                                                        UnixMillis now) override;
  Result<std::vector<AppInvitation>> ListAppInvitationsForEmail(std::string_view email,
                                                                UnixMillis now) override;
  Status AcceptAppInvitation(std::string_view id, const AppMember& member,
                             UnixMillis now) override;
  Status DeleteAppInvitation(std::string_view app_id, std::string_view id) override;

  // AppApiKeyStore
  Status CreateAppApiKey(const AppApiKey& key) override;
  Result<AppApiKey> GetAppApiKeyByHash(std::string_view key_hash) override;
  Result<std::vector<AppApiKey>> ListAppApiKeys(std::string_view app_id) override;
  Status RevokeAppApiKey(std::string_view app_id, std::string_view key_id, UnixMillis now) override;
  Status TouchAppApiKey(std::string_view key_id, UnixMillis now) override;

  // UserStore
  Status CreateUser(const User& user) override;
  Result<bool> CreateUserGrantingFirst(const User& user, std::string_view role) override;
  Result<User> GetUser(std::string_view app_id, std::string_view user_id) override;
  Result<User> GetUserOfRefreshToken(std::string_view app_id,
                                     std::string_view token_hash) override;
  Result<User> GetUserOfLiveToken(std::string_view app_id, std::string_view session_id,
                                  std::string_view jti, UnixMillis now) override;
  Result<User> GetUserByEmail(std::string_view app_id, std::string_view email_normalized) override;
  Result<User> GetUserByUsername(std::string_view app_id,
                                 std::string_view username_normalized) override;
  Result<User> UpdateUser(std::string_view app_id, std::string_view user_id,
                          const std::function<Status(User&)>& mutate) override;
  Status RecordLogin(std::string_view app_id, std::string_view user_id, UnixMillis now,
                     const std::optional<std::string>& new_password_hash) override;
  Result<UserPage> ListUsers(const UserQuery& query) override;
  Result<int64_t> CountUsers(std::string_view app_id) override;
  Status DeleteUser(std::string_view app_id, std::string_view user_id) override;

  // SessionStore
  Status CreateSession(const Session& session, const std::optional<RefreshToken>& first) override;
  Status CreateBrowserSession(const Session& session, std::string_view cookie_hash) override;
  Result<Session> GetBrowserSession(std::string_view app_id, std::string_view cookie_hash,
                                    UnixMillis now, int64_t idle_ttl_ms) override;
  Status TouchSession(std::string_view session_id, UnixMillis now) override;
  Result<Session> GetSession(std::string_view app_id, std::string_view session_id) override;
  Result<std::vector<Session>> ListActiveSessions(std::string_view app_id,
                                                  std::string_view user_id,
                                                  UnixMillis now) override;
  Result<Rotation> RotateRefreshToken(std::string_view app_id, std::string_view client_id,
                                      std::string_view token_hash, RefreshToken next,
                                      UnixMillis now) override;
  Result<RefreshTokenInfo> GetRefreshToken(std::string_view app_id,
                                           std::string_view token_hash) override;
  Result<Session> FindSessionByRefreshToken(std::string_view app_id,
                                            std::string_view token_hash) override;
  Status RevokeSession(std::string_view app_id, std::string_view user_id,
                       std::string_view session_id, RevokeReason reason, UnixMillis now) override;
  Status RevokeSessionById(std::string_view app_id, std::string_view session_id,
                           RevokeReason reason, UnixMillis now) override;
  Result<int64_t> RevokeClientSessions(std::string_view app_id, std::string_view user_id,
                                       std::string_view client_id, RevokeReason reason,
                                       UnixMillis now) override;
  Result<int64_t> RevokeUserSessions(std::string_view app_id, std::string_view user_id,
                                     std::string_view keep_session_id, RevokeReason reason,
                                     UnixMillis now) override;
  Status AdoptChildSessions(std::string_view app_id, std::string_view from_parent_id,
                            std::string_view to_parent_id) override;

  // ApiTokenStore
  Status CreateApiToken(const ApiToken& token) override;
  Result<ApiToken> GetApiTokenByHash(std::string_view token_hash) override;
  Result<std::vector<ApiToken>> ListApiTokens(std::string_view app_id,
                                              std::string_view user_id) override;
  Status RevokeApiToken(std::string_view app_id, std::string_view user_id,
                        std::string_view token_id, UnixMillis now) override;
  Result<std::vector<std::string>> RevokeUserApiTokens(std::string_view app_id,
                                                       std::string_view user_id,
                                                       UnixMillis now) override;
  Status TouchApiToken(std::string_view token_id, UnixMillis now) override;

  // KeyStore
  Status InsertSigningKey(const SigningKeyRecord& key) override;
  Result<std::vector<SigningKeyRecord>> ListSigningKeys() override;
  Status RetireSigningKeysExcept(std::string_view keep_kid, UnixMillis now) override;
  Status ReplaceSigningKey(const SigningKeyRecord& next, std::string_view replaces_kid) override;

  // InitialAccessTokenStore
  Status CreateInitialAccessToken(const InitialAccessToken& token) override;
  Result<std::vector<InitialAccessToken>> ListInitialAccessTokens(std::string_view app_id) override;
  Status RevokeInitialAccessToken(std::string_view app_id, std::string_view id,
                                  UnixMillis now) override;
  Result<InitialAccessToken> FindInitialAccessToken(std::string_view app_id,
                                                    std::string_view token_hash) override;
  Status TouchInitialAccessToken(std::string_view id, UnixMillis now) override;
  // DpopProofStore
  Result<bool> RecordDpopProof(std::string_view app_id, std::string_view proof_id,
                               UnixMillis expires_at) override;
  // RevokedAccessTokenStore
  Status AddRevokedAccessToken(std::string_view app_id, std::string_view jti,
                               UnixMillis expires_at) override;
  Result<bool> IsAccessTokenRevoked(std::string_view app_id, std::string_view jti) override;

  // ClientStore
  Status CreateClient(const OAuthClient& client) override;
  Result<OAuthClient> GetClient(std::string_view app_id, std::string_view client_id) override;
  Result<std::vector<OAuthClient>> ListClients(std::string_view app_id) override;
  Result<OAuthClient> UpdateClient(std::string_view app_id, std::string_view client_id,
                                   const std::function<Status(OAuthClient&)>& mutate) override;
  Result<int64_t> RevokeClient(std::string_view app_id, std::string_view client_id,
                               UnixMillis now) override;

  // AuthorizationStore
  Status CreateAuthorizationCode(const AuthorizationCode& code) override;
  Result<CodeRedemption> RedeemAuthorizationCode(std::string_view app_id,
                                                 std::string_view code_hash,
                                                 UnixMillis now) override;
  Status CreatePushedRequest(const PushedAuthorizationRequest& request) override;
  Result<PushedAuthorizationRequest> GetPushedRequest(std::string_view app_id,
                                                      std::string_view request_uri_hash) override;
  Result<bool> UsePushedRequest(std::string_view app_id, std::string_view request_uri_hash,
                                UnixMillis now) override;
  Result<Consent> GetConsent(std::string_view app_id, std::string_view user_id,
                             std::string_view client_id) override;
  Status SaveConsent(const Consent& consent) override;
  Status AddConsentScopes(const Consent& consent) override;
  Result<std::vector<Consent>> ListConsents(std::string_view app_id,
                                            std::string_view user_id) override;
  Status DeleteConsent(std::string_view app_id, std::string_view user_id,
                       std::string_view client_id) override;

  // ThrottleStore
  Result<ThrottleState> GetThrottle(std::string_view key, UnixMillis now,
                                    int64_t window_ms) override;
  Result<ThrottleState> AddThrottleFailure(std::string_view key, UnixMillis now,
                                           int64_t window_ms) override;
  Status ClearThrottle(std::string_view key) override;

  // DeliveryStore
  Result<std::vector<Delivery>> LeaseDueDeliveries(UnixMillis now, int limit,
                                                   int64_t lease_ms) override;
  Status FinishAttempt(std::string_view delivery_id, const DeliveryAttempt& attempt,
                       UnixMillis now) override;
  Result<std::vector<Delivery>> ListDeliveries(std::string_view app_id,
                                               std::string_view client_id, int limit) override;
  Result<std::vector<Delivery>> ListEndpointDeliveries(std::string_view app_id,
                                                       std::string_view endpoint_id,
                                                       int limit) override;
  Result<Delivery> GetDelivery(std::string_view app_id, std::string_view id) override;
  Status QueueDelivery(const Delivery& delivery) override;
  Result<int64_t> CountPendingDeliveries() override;

  // WebhookStore
  Status CreateWebhookEndpoint(const WebhookEndpoint& endpoint) override;
  Status UpdateWebhookEndpoint(const WebhookEndpoint& endpoint) override;
  Result<WebhookEndpoint> GetWebhookEndpoint(std::string_view app_id,
                                             std::string_view id) override;
  Result<std::vector<WebhookEndpoint>> ListWebhookEndpoints(std::string_view app_id) override;
  Status DeleteWebhookEndpoint(std::string_view app_id, std::string_view id) override;

  // MailStore
  Status EnqueueMail(const OutgoingMail& mail) override;
  Result<std::vector<OutgoingMail>> LeaseDueMail(UnixMillis now, int limit,
                                                 int64_t lease_ms) override;
  Status MarkMailSent(std::string_view mail_id, UnixMillis now) override;
  Status MarkMailFailed(std::string_view mail_id, std::string_view error,
                        UnixMillis retry_at) override;
  Result<int64_t> CountUnsentMail() override;

  // MailDomainStore
  Status CreateMailDomain(const MailDomain& claim) override;
  Result<MailDomain> GetMailDomain(std::string_view app_id, std::string_view domain) override;
  Status MarkMailDomainVerified(std::string_view app_id, std::string_view domain,
                                UnixMillis now) override;

  // EmailTokenStore
  Status CreateEmailToken(const EmailToken& token) override;
  Result<EmailTokenRedemption> ConsumeEmailToken(std::string_view app_id,
                                                 std::string_view token_hash,
                                                 EmailTokenPurpose purpose, UnixMillis now,
                                                 int64_t max_attempts) override;
  Result<EmailToken> GetEmailToken(std::string_view app_id, std::string_view token_hash,
                                   EmailTokenPurpose purpose) override;
  Result<EmailToken> GetLiveEmailToken(std::string_view app_id, std::string_view email,
                                       EmailTokenPurpose purpose, UnixMillis now) override;
  Result<int64_t> AddEmailTokenAttempt(std::string_view token_hash) override;
  Result<int64_t> VoidUserEmailTokens(std::string_view app_id, std::string_view user_id,
                                      UnixMillis now) override;

  // FederationStore
  Status CreateIdentityProvider(const IdentityProvider& provider) override;
  Status UpdateIdentityProvider(const IdentityProvider& provider) override;
  Result<IdentityProvider> GetIdentityProvider(std::string_view app_id,
                                               std::string_view slug) override;
  Result<IdentityProvider> GetIdentityProviderById(std::string_view app_id,
                                                   std::string_view id) override;
  Result<std::vector<IdentityProvider>> ListIdentityProviders(std::string_view app_id) override;
  Status DeleteIdentityProvider(std::string_view app_id, std::string_view id) override;
  Status CreateLinkedIdentity(const LinkedIdentity& identity) override;
  Result<LinkedIdentity> FindLinkedIdentity(std::string_view app_id, std::string_view provider_id,
                                            std::string_view subject) override;
  Result<std::vector<LinkedIdentity>> ListLinkedIdentities(std::string_view app_id,
                                                           std::string_view user_id) override;
  Status TouchLinkedIdentity(std::string_view app_id, std::string_view id,
                             std::string_view email, std::string_view username,
                             UnixMillis now) override;
  Status DeleteLinkedIdentity(std::string_view app_id, std::string_view user_id,
                              std::string_view id) override;
  Status CreateFederationTicket(const FederationTicket& ticket) override;
  Result<FederationTicket> ConsumeFederationTicket(std::string_view app_id,
                                                   std::string_view hash,
                                                   FederationTicketKind kind,
                                                   UnixMillis now) override;
  Result<FederationTicket> GetLiveFederationTicket(std::string_view app_id,
                                                   std::string_view hash,
                                                   FederationTicketKind kind,
                                                   UnixMillis now) override;

  // MfaStore
  Status CreateFactor(const Factor& factor) override;
  Result<std::vector<Factor>> ListFactors(std::string_view app_id,
                                          std::string_view user_id) override;
  Result<Factor> GetFactor(std::string_view app_id, std::string_view user_id,
                           std::string_view id) override;
  Result<Factor> FindFactorByCredentialId(std::string_view app_id,
                                          std::string_view credential_id) override;
  Status ConfirmFactor(std::string_view app_id, std::string_view user_id, std::string_view id,
                       int64_t counter, UnixMillis now) override;
  Status AdvanceFactorCounter(std::string_view app_id, std::string_view id, int64_t counter,
                              bool allow_equal, UnixMillis now) override;
  Status RenameFactor(std::string_view app_id, std::string_view user_id, std::string_view id,
                      std::string_view name) override;
  Status DeleteFactor(std::string_view app_id, std::string_view user_id,
                      std::string_view id) override;
  Result<int64_t> DeleteAllFactors(std::string_view app_id, std::string_view user_id) override;
  Status ReplaceRecoveryCodes(std::string_view app_id, std::string_view user_id,
                              const std::vector<RecoveryCode>& codes) override;
  Status UseRecoveryCode(std::string_view app_id, std::string_view user_id,
                         std::string_view code_hash, UnixMillis now) override;
  Result<int64_t> CountRecoveryCodes(std::string_view app_id, std::string_view user_id) override;
  Status CreateMfaChallenge(const MfaChallenge& challenge) override;
  Result<MfaChallenge> GetLiveMfaChallenge(std::string_view app_id, std::string_view hash,
                                           MfaChallengeKind kind, UnixMillis now) override;
  Result<MfaChallenge> ConsumeMfaChallenge(std::string_view app_id, std::string_view hash,
                                           MfaChallengeKind kind, UnixMillis now) override;

  // DeviceAuthorizationStore
  Status CreateDeviceAuthorization(const DeviceAuthorization& authorization) override;
  Result<DeviceAuthorization> GetDeviceAuthorization(std::string_view app_id, CodeKind kind,
                                                     std::string_view code_hash) override;
  Result<DeviceAuthorization> UpdateDeviceAuthorization(
      std::string_view app_id, CodeKind kind, std::string_view code_hash,
      const std::function<Status(DeviceAuthorization&)>& mutate) override;

  // AuditStore
  using AuditStore::AppendAuditEvent;
  Result<bool> RollUpAuditDay(int64_t day, UnixMillis now) override;
  Result<std::optional<int64_t>> LastRolledUpAuditDay() override;
  Result<std::optional<int64_t>> FirstAuditEventDay() override;
  Result<std::vector<AuditDayCount>> ListAuditDayCounts(const std::optional<std::string>& app_id,
                                                        int64_t from_day, int64_t to_day) override;
  Result<std::vector<AuditDayCount>> CountAuditDay(const std::optional<std::string>& app_id,
                                                   int64_t day) override;
  Status AppendAuditEvent(const AuditEvent& event, std::span<const Delivery> deliveries) override;
  Result<std::vector<AuditEvent>> ListAuditEvents(const AuditFilter& filter) override;
  Result<int64_t> DeleteAuditEventsBefore(UnixMillis before) override;

  // Store
  // UserImportStore
  Status RunImportBatch(std::string_view app_id, bool commit,
                        const std::function<Status(UserImportTransaction&)>& work) override;

  Status Ping() override;
  Status SendChangeNotice(std::string_view payload) override;
  Result<GcStats> CollectGarbage(UnixMillis now) override;
  std::string_view Backend() const override { return db_->Dialect(); }

 private:
  // One statement: a read on a reader connection, or a write in its own transaction.
  Result<SqlRows> ReadRows(std::string_view sql, std::initializer_list<SqlValue> params);
  Result<int64_t> WriteOne(std::string_view sql, std::initializer_list<SqlValue> params);
  // A revocation and what follows from it, in one transaction (sql_store_sessions.cc).
  Result<int64_t> EndSessions(std::string_view app_id, RevokeReason reason, UnixMillis now,
                              std::string_view revoke, std::initializer_list<SqlValue> params);
  Status AfterSessionsEnded(SqlConnection& c, std::string_view app_id, const SqlRows& ended,
                            RevokeReason reason, UnixMillis now);
  Status QueueLogoutToken(SqlConnection& c, const std::string& app_id, const SqlRow& grant,
                          std::string_view ended_parent, UnixMillis now);
  // One outbox row as given, in the caller's transaction (sql_store_deliveries.cc).
  Status InsertDelivery(SqlConnection& c, const Delivery& delivery);

  std::unique_ptr<SqlDatabase> db_;
};

}  // namespace tessera::store::sql
