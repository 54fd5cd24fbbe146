#include "oauth/device_authorization_service.h"

#include <boost/json.hpp>

#include "base/log.h"
#include "base/strings.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "oauth/authorize_checks.h"
#include "oauth/oidc_claims.h"

namespace tessera::services {
namespace {

// RFC 8628 §6.1: consonants only (no vowels, so no words; no look-alikes such as 0/O, 1/I).
constexpr std::string_view kUserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";
constexpr size_t kUserCodeLength = 8;
constexpr int kUserCodeDraws = 5;  // a clash with a stored code is a ~1e-6 event; five in a row never

std::string NewUserCode() {
  std::string code;
  for (size_t i = 0; i < kUserCodeLength; ++i) {
    code += kUserCodeAlphabet[crypto::RandomUniform(kUserCodeAlphabet.size())];
  }
  return code;
}

// The throttle's subject: the signed-in user, else the address (so anonymous guessers share
// no budget with each other, and none with anyone signed in).
std::string GuessSubject(std::string_view user_id, const ClientInfo& who) {
  return user_id.empty() ? "anonymous:" + who.ip : "user:" + std::string(user_id);
}

using Kind = store::DeviceAuthorizationStore::CodeKind;

}  // namespace

bool DeviceAuthorizationService::EnabledFor(const store::App& app) {
  return app.settings.device_flow;
}

std::optional<std::string> DeviceAuthorizationService::NormalizeUserCode(std::string_view typed) {
  if (typed.size() > 64) return std::nullopt;
  std::string code;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    char upper = c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
    if (kUserCodeAlphabet.find(upper) == std::string_view::npos) return std::nullopt;
    code += upper;
  }
  if (code.size() != kUserCodeLength) return std::nullopt;
  return code;
}

std::string DeviceAuthorizationService::FormatUserCode(std::string_view normalized) {
  std::string_view half1 = normalized.substr(0, kUserCodeLength / 2);
  std::string_view half2 = normalized.substr(std::min(normalized.size(), kUserCodeLength / 2));
  return StrCat({half1, "-", half2});
}

OAuthResult<StartedDeviceAuthorization> DeviceAuthorizationService::Start(
    const store::App& app, const store::OAuthClient& client, std::string_view scope,
    const ClientInfo& who) {
  if (!EnabledFor(app)) {
    return OAuthError(kUnauthorizedClient, "the device authorization grant is not enabled for this app");
  }
  if (!Contains(client.grant_types, kDeviceCodeGrantType)) {
    return OAuthError(kUnauthorizedClient, "this client may not use the device authorization grant");
  }
  AuthorizeRequest request = AuthorizeRequest::Parse({{"scope", std::string(scope)}});
  if (auto error = FirstFailedScopeCheck(request, client)) return std::move(*error);
  std::vector<std::string> scopes = RequestedScopes(request, client);
  std::string starter = "client:" + client.client_id;
  if (Status s = starts_.Check(app, starter, who.ip); !s.ok()) {
    if (s.code() != StatusCode::kRateLimited) return UnexpectedFailure(s);
    return OAuthError(kSlowDown, "too many device authorizations lately; " + TryAgainIn(s.retry_after_s()));
  }
  starts_.RecordFailure(app, starter, who.ip);  // every start counts
  int64_t now = clock_.NowMillis();
  StartedDeviceAuthorization out;
  out.device_code = crypto::NewSecretToken(kDeviceCodePrefix);
  out.expires_in = options_.ttl_s;
  out.interval = options_.interval_s;
  store::DeviceAuthorization record;
  record.device_code_hash = crypto::TokenHash(out.device_code);
  record.app_id = app.id;
  record.client_id = client.client_id;
  record.scope = JoinScopes(scopes);
  record.interval_s = options_.interval_s;
  record.created_at = now;
  record.expires_at = now + options_.ttl_s * 1000;
  auto user_code = CreateWithFreshUserCode(record);
  if (!user_code.ok()) return UnexpectedFailure(user_code.status());
  out.user_code = FormatUserCode(*user_code);
  return out;
}

Result<std::string> DeviceAuthorizationService::CreateWithFreshUserCode(
    store::DeviceAuthorization& record) {
  for (int draw = 0; draw < kUserCodeDraws; ++draw) {
    std::string code = NewUserCode();
    record.user_code_hash = crypto::TokenHash(code);
    Status s = store_.CreateDeviceAuthorization(record);
    if (s.ok()) return code;
    if (!s.ClashedOn(store::DeviceAuthorizationUniqueKey::kUserCodeHash)) return s;
  }
  return InternalError("no free user code after several draws");
}

Result<PendingDeviceAuthorization> DeviceAuthorizationService::FindPending(
    const store::App& app, std::string_view typed, std::string_view user_id,
    const ClientInfo& who) {
  std::string subject = GuessSubject(user_id, who);
  TESSERA_RETURN_IF_ERROR(code_guesses_.Check(app, subject, who.ip));
  auto wrong = [&]() {
    code_guesses_.RecordFailure(app, subject, who.ip);
    return NotFoundError("That code is not valid. Check the code on your device and try again.");
  };
  std::optional<std::string> code = NormalizeUserCode(typed);
  if (!code) return wrong();
  auto record = store_.GetDeviceAuthorization(app.id, Kind::kUserCode, crypto::TokenHash(*code));
  if (record.status().IsNotFound()) return wrong();
  TESSERA_RETURN_IF_ERROR(record.status());
  if (record->status != store::DeviceAuthorizationStatus::kPending ||
      record->expires_at <= clock_.NowMillis()) {
    return wrong();
  }
  auto client = clients_.Find(app, record->client_id);
  if (client.status().IsNotFound()) return wrong();  // revoked since
  TESSERA_RETURN_IF_ERROR(client.status());
  return PendingDeviceAuthorization{FormatUserCode(*code), std::move(*client),
                                    SplitScopes(record->scope)};
}

Status DeviceAuthorizationService::Approve(const store::App& app, std::string_view typed,
                                           const store::Session& browser, const ClientInfo& who) {
  return Decide(app, typed, browser, who, /*approve=*/true);
}

Status DeviceAuthorizationService::Deny(const store::App& app, std::string_view typed,
                                        const store::Session& browser, const ClientInfo& who) {
  return Decide(app, typed, browser, who, /*approve=*/false);
}

Status DeviceAuthorizationService::Decide(const store::App& app, std::string_view typed,
                                          const store::Session& browser, const ClientInfo& who,
                                          bool approve) {
  std::optional<std::string> code = NormalizeUserCode(typed);
  if (!code) return NotFoundError("That code is not valid.");
  int64_t now = clock_.NowMillis();
  auto decided = store_.UpdateDeviceAuthorization(
      app.id, Kind::kUserCode, crypto::TokenHash(*code), [&](store::DeviceAuthorization& d) {
        // Decided once: a second tab's answer, or one after expiry, changes nothing.
        if (d.status != store::DeviceAuthorizationStatus::kPending || d.expires_at <= now) {
          return NotFoundError("This code was already used or has expired.");
        }
        d.decided_at = now;
        d.user_id = browser.user_id;
        if (!approve) {
          d.status = store::DeviceAuthorizationStatus::kDenied;
          return OkStatus();
        }
        d.status = store::DeviceAuthorizationStatus::kApproved;
        d.session_id = crypto::NewUuid();
        d.browser_session_id = browser.id;
        d.auth_time = store::AuthTimeOf(browser);
        d.amr = browser.amr;
        d.idp = browser.idp;
        return OkStatus();
      });
  TESSERA_RETURN_IF_ERROR(decided.status());
  boost::json::array scopes;
  for (const auto& s : SplitScopes(decided->scope)) scopes.emplace_back(s);
  Audit(audit_, {.app_id = app.id,
                 .action = approve ? store::AuditAction::kOAuthDeviceApproved
                                   : store::AuditAction::kOAuthDeviceDenied,
                 .actor_type = store::AuditActorType::kUser,
                 .actor_id = browser.user_id,
                 .subject_type = store::AuditSubjectType::kOAuthClient,
                 .subject_id = decided->client_id,
                 .ip = who.ip,
                 .user_agent = who.user_agent,
                 .details_json = boost::json::serialize(boost::json::object{{"scopes", scopes}})});
  LogJson(spdlog::level::info, approve ? "device_authorization_approved" : "device_authorization_denied",
          {{"app", app.slug}, {"client_id", decided->client_id}, {"user_id", browser.user_id}});
  if (!approve) return OkStatus();
  // The account page lists the client among the authorized apps, and revoking it there ends
  // the device's grant as it ends any other.
  return consents_.RecordConsent(app, browser.user_id, decided->client_id,
                                 SplitScopes(decided->scope));
}

}  // namespace tessera::services
