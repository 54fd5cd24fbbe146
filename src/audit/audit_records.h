// File: audit_records.h
// The append-only audit log's events and queries.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_actions.h"
#include "base/clock.h"
#include "base/enum_text.h"

namespace tessera::store {

// Who acted.
enum class AuditActorType {
  kSystem,     // the server itself (apps it creates at start)
  kUser,       // an end user, on their own account
  kAnonymous,  // nobody known yet (a failed sign-in)
  kClient,     // an OAuth client (id: its client_id)
  kDeveloper,  // a console user, on an app they are a member of
  kAdmin,      // an operator (console role admin), or the CLI (id "cli")
  kApiKey,     // an app's backend by its API key (id: the key's id)
};
inline constexpr EnumText<AuditActorType> kAuditActorTypeTexts[] = {
    {AuditActorType::kSystem, "system"},       {AuditActorType::kUser, "user"},
    {AuditActorType::kAnonymous, "anonymous"}, {AuditActorType::kClient, "client"},
    {AuditActorType::kDeveloper, "developer"}, {AuditActorType::kAdmin, "admin"},
    {AuditActorType::kApiKey, "api_key"},
};
constexpr std::span<const EnumText<AuditActorType>> TextsOf(AuditActorType) {
  return kAuditActorTypeTexts;
}

// What the action was done to (subject_id says which one).
enum class AuditSubjectType {
  kNone,  // no subject
  kUser,
  kSession,
  kApiToken,
  kOAuthClient,
  kApp,
  kAppApiKey,
  kDeveloper,  // a console user as an app's member
  kSigningKey,
  kIdentityProvider,  // an app's upstream sign-in provider
  kInitialAccessToken,  // an app's token for dynamic client registration (RFC 7591 §3)
  kWebhookEndpoint,     // an app's webhook endpoint
};
inline constexpr EnumText<AuditSubjectType> kAuditSubjectTypeTexts[] = {
    {AuditSubjectType::kNone, ""},
    {AuditSubjectType::kUser, "user"},
    {AuditSubjectType::kSession, "session"},
    {AuditSubjectType::kApiToken, "api_token"},
    {AuditSubjectType::kOAuthClient, "oauth_client"},
    {AuditSubjectType::kApp, "app"},
    {AuditSubjectType::kAppApiKey, "app_api_key"},
    {AuditSubjectType::kDeveloper, "developer"},
    {AuditSubjectType::kSigningKey, "signing_key"},
    {AuditSubjectType::kIdentityProvider, "identity_provider"},
    {AuditSubjectType::kInitialAccessToken, "initial_access_token"},
    {AuditSubjectType::kWebhookEndpoint, "webhook_endpoint"},
};
constexpr std::span<const EnumText<AuditSubjectType>> TextsOf(AuditSubjectType) {
  return kAuditSubjectTypeTexts;
}

enum class AuditOutcome { kSuccess, kFailure };
inline constexpr EnumText<AuditOutcome> kAuditOutcomeTexts[] = {
    {AuditOutcome::kSuccess, "success"}, {AuditOutcome::kFailure, "failure"}};
constexpr std::span<const EnumText<AuditOutcome>> TextsOf(AuditOutcome) {
  return kAuditOutcomeTexts;
}

// One entry of the append-only audit log: who (actor) did what (action) to whom (subject),
// from where, with what outcome. Never holds a secret (password, token, hash, code).
struct AuditEvent {
  std::string id{};                     // UUIDv7
  std::optional<std::string> app_id{};  // none for server-wide events
  UnixMillis at = 0;
  AuditAction action = AuditAction::kUserSignup;  // audit_actions.h
  AuditActorType actor_type = AuditActorType::kSystem;
  std::string actor_id{};
  AuditSubjectType subject_type = AuditSubjectType::kNone;
  std::string subject_id{};
  std::string ip{};
  std::string user_agent{};
  AuditOutcome outcome = AuditOutcome::kSuccess;
  std::string details_json = "{}";  // a small JSON object
};

// What ListAuditEvents returns: newest first (at, then id, descending). `cursor` is the id
// of the last event of the previous page (keyset paging).
struct AuditFilter {
  std::optional<std::string> app_id{};
  // An action's name (audit_actions.h), current or former: both find its rows. Text, as the
  // callers typed it: a name that is no action matches nothing.
  std::optional<std::string> action{};
  std::optional<std::string> actor_id{};
  std::optional<std::string> subject_id{};
  std::optional<UnixMillis> since{};  // at >= since
  std::optional<UnixMillis> until{};  // at < until
  std::optional<std::string> cursor{};
  int limit = 50;  // 1..200
};

}  // namespace tessera::store
