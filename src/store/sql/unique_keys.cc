#include "store/sql/unique_keys.h"

#include "store/store.h"

namespace tessera::store::sql {
namespace {

// PostgreSQL names a primary key <table>_pkey and a unique index as the migration does;
// SQLite lists the key's columns in order.
constexpr UniqueKeyName kUniqueKeys[] = {
    {"apps_pkey", "apps.id", UniqueKey(AppUniqueKey::kId), "id"},
    {"apps_slug_uq", "apps.slug", UniqueKey(AppUniqueKey::kSlug), "slug"},
    {"app_members_pkey", "app_members.app_id, app_members.user_id",
     UniqueKey(AppMemberUniqueKey::kMembership), "member"},
    {"app_api_keys_pkey", "app_api_keys.id", UniqueKey(AppApiKeyUniqueKey::kId), "id"},
    {"app_api_keys_key_hash_uq", "app_api_keys.key_hash", UniqueKey(AppApiKeyUniqueKey::kKeyHash),
     "key_hash"},
    {"app_invitations_pkey", "app_invitations.id", UniqueKey(AppInvitationUniqueKey::kId), "id"},
    {"app_invitations_address_uq", "app_invitations.app_id, app_invitations.email",
     UniqueKey(AppInvitationUniqueKey::kAddress), "email"},
    {"app_invitations_token_hash_uq", "app_invitations.token_hash",
     UniqueKey(AppInvitationUniqueKey::kTokenHash), "token_hash"},
    {"app_mail_domains_pkey", "app_mail_domains.app_id, app_mail_domains.domain",
     UniqueKey(MailDomainUniqueKey::kAppDomain), "domain"},
    {"users_pkey", "users.id", UniqueKey(UserUniqueKey::kId), "id"},
    {"users_email_uq", "users.app_id, users.email_normalized", UniqueKey(UserUniqueKey::kEmail),
     "email"},
    {"users_username_uq", "users.app_id, users.username_normalized",
     UniqueKey(UserUniqueKey::kUsername), "username"},
    {"sessions_pkey", "sessions.id", UniqueKey(SessionUniqueKey::kId), "id"},
    {"sessions_cookie_hash_uq", "sessions.cookie_hash", UniqueKey(SessionUniqueKey::kCookieHash),
     "cookie_hash"},
    {"refresh_tokens_pkey", "refresh_tokens.id", UniqueKey(SessionUniqueKey::kRefreshTokenId),
     "id"},
    {"refresh_tokens_hash_uq", "refresh_tokens.token_hash",
     UniqueKey(SessionUniqueKey::kRefreshTokenHash), "token_hash"},
    {"api_tokens_pkey", "api_tokens.id", UniqueKey(ApiTokenUniqueKey::kId), "id"},
    {"api_tokens_hash_uq", "api_tokens.token_hash", UniqueKey(ApiTokenUniqueKey::kTokenHash),
     "token_hash"},
    {"signing_keys_pkey", "signing_keys.kid", UniqueKey(SigningKeyUniqueKey::kKid), "kid"},
    {"revoked_access_tokens_pkey", "revoked_access_tokens.app_id, revoked_access_tokens.jti",
     UniqueKey(RevokedAccessTokenUniqueKey::kJti), "jti"},
    {"initial_access_tokens_pkey", "initial_access_tokens.id",
     UniqueKey(InitialAccessTokenUniqueKey::kId), "id"},
    {"initial_access_tokens_hash_uq", "initial_access_tokens.token_hash",
     UniqueKey(InitialAccessTokenUniqueKey::kTokenHash), "token_hash"},
    {"dpop_proofs_pkey", "dpop_proofs.app_id, dpop_proofs.proof_id",
     UniqueKey(DpopProofUniqueKey::kProofId), "proof_id"},
    {"oauth_clients_pkey", "oauth_clients.client_id", UniqueKey(ClientUniqueKey::kClientId),
     "client_id"},
    {"authorization_codes_pkey", "authorization_codes.code_hash",
     UniqueKey(AuthorizationCodeUniqueKey::kCodeHash), "code_hash"},
    {"pushed_authorization_requests_pkey", "pushed_authorization_requests.request_uri_hash",
     UniqueKey(PushedRequestUniqueKey::kRequestUriHash), "request_uri_hash"},
    {"device_authorizations_pkey", "device_authorizations.device_code_hash",
     UniqueKey(DeviceAuthorizationUniqueKey::kDeviceCodeHash), "device_code_hash"},
    {"device_authorizations_user_code_hash_uq", "device_authorizations.user_code_hash",
     UniqueKey(DeviceAuthorizationUniqueKey::kUserCodeHash), "user_code_hash"},
    {"mail_outbox_pkey", "mail_outbox.id", UniqueKey(MailUniqueKey::kId), "id"},
    {"http_deliveries_pkey", "http_deliveries.id", UniqueKey(DeliveryUniqueKey::kId), "id"},
    {"webhook_endpoints_pkey", "webhook_endpoints.id", UniqueKey(WebhookEndpointUniqueKey::kId),
     "id"},
    {"email_tokens_pkey", "email_tokens.token_hash", UniqueKey(EmailTokenUniqueKey::kTokenHash),
     "token_hash"},
    {"audit_events_pkey", "audit_events.id", UniqueKey(AuditEventUniqueKey::kId), "id"},
    {"identity_providers_pkey", "identity_providers.id", UniqueKey(IdentityProviderUniqueKey::kId),
     "id"},
    {"identity_providers_slug_uq", "identity_providers.app_id, identity_providers.slug",
     UniqueKey(IdentityProviderUniqueKey::kSlug), "slug"},
    {"linked_identities_pkey", "linked_identities.id", UniqueKey(LinkedIdentityUniqueKey::kId),
     "id"},
    {"linked_identities_provider_subject_uq",
     "linked_identities.provider_id, linked_identities.subject",
     UniqueKey(LinkedIdentityUniqueKey::kProviderSubject), "subject"},
    {"linked_identities_user_provider_uq",
     "linked_identities.user_id, linked_identities.provider_id",
     UniqueKey(LinkedIdentityUniqueKey::kUserProvider), "provider_id"},
    {"federation_tickets_pkey", "federation_tickets.hash",
     UniqueKey(FederationTicketUniqueKey::kHash), "hash"},
    {"mfa_factors_pkey", "mfa_factors.id", UniqueKey(FactorUniqueKey::kId), "id"},
    {"mfa_factors_credential_id_uq", "mfa_factors.credential_id",
     UniqueKey(FactorUniqueKey::kCredentialId), "credential_id"},
    {"mfa_recovery_codes_pkey", "mfa_recovery_codes.id", UniqueKey(RecoveryCodeUniqueKey::kId),
     "id"},
    {"mfa_recovery_codes_code_hash_uq", "mfa_recovery_codes.code_hash",
     UniqueKey(RecoveryCodeUniqueKey::kCodeHash), "code_hash"},
    {"mfa_challenges_pkey", "mfa_challenges.hash", UniqueKey(MfaChallengeUniqueKey::kHash), "hash"},
    {"user_import_keys_pkey", "user_import_keys.app_id, user_import_keys.source_key",
     UniqueKey(UserImportUniqueKey::kSourceKey), "source_key"},
};

}  // namespace

std::span<const UniqueKeyName> UniqueKeyNames() { return kUniqueKeys; }

Status UniqueViolation(std::string_view dialect, std::string_view name) {
  const bool postgres = dialect == "postgres";
  for (const UniqueKeyName& k : kUniqueKeys) {
    if ((postgres ? k.postgres : k.sqlite) == name) {
      return AlreadyExistsError(std::string(k.field)).WithUniqueKey(k.key);
    }
  }
  return InternalError("unique key without a typed key (store/sql/unique_keys.cc): " +
                       std::string(name));
}

}  // namespace tessera::store::sql
