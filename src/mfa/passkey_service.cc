#include "mfa/passkey_service.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "base/log.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "mfa/mfa_events.h"
#include "mfa/webauthn.h"
#include "tenancy/app_settings.h"

namespace tessera::services {
namespace json = boost::json;
namespace {

constexpr size_t kMaxCredentialJson = 64 * 1024;

std::string Member(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The browser's PublicKeyCredential as JSON (PublicKeyCredential.toJSON()).
struct CredentialJson {
  std::string id;  // base64url
  std::string client_data, attestation_object, authenticator_data, signature, user_handle;
};

Result<CredentialJson> ReadCredential(std::string_view text) {
  const auto bad = [](std::string why) { return InvalidArgumentError("passkey response: " + why); };
  if (text.empty() || text.size() > kMaxCredentialJson) return bad("missing or too long");
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return bad("not a JSON object");
  const json::object& o = v.as_object();
  if (Member(o, "type") != "public-key") return bad("type is not public-key");
  auto* r = o.if_contains("response");
  if (!r || !r->is_object()) return bad("no response");
  const json::object& resp = r->as_object();
  CredentialJson c;
  c.id = Member(o, "id");
  if (c.id.empty() || c.id.size() > 1400 || !crypto::Base64UrlDecode(c.id)) return bad("bad id");
  auto decode = [&](std::string_view member, std::string* out, bool required) -> Status {
    std::string text = Member(resp, member);
    if (text.empty()) return required ? bad(std::string(member) + " is missing") : OkStatus();
    auto bytes = crypto::Base64UrlDecode(text);
    if (!bytes) return bad(std::string(member) + " is not base64url");
    *out = std::move(*bytes);
    return OkStatus();
  };
  TESSERA_RETURN_IF_ERROR(decode("clientDataJSON", &c.client_data, true));
  TESSERA_RETURN_IF_ERROR(decode("attestationObject", &c.attestation_object, false));
  TESSERA_RETURN_IF_ERROR(decode("authenticatorData", &c.authenticator_data, false));
  TESSERA_RETURN_IF_ERROR(decode("signature", &c.signature, false));
  TESSERA_RETURN_IF_ERROR(decode("userHandle", &c.user_handle, false));
  return c;
}

std::string ChallengeIn(std::string_view client_data) {
  boost::system::error_code ec;
  json::value v = json::parse(client_data, ec);
  if (ec || !v.is_object()) return "";
  return Member(v.as_object(), "challenge");
}

json::array AlgorithmParams() {
  json::array out;
  for (int64_t alg : {kCoseEs256, kCoseEdDsa, kCoseRs256}) {
    out.push_back(json::object{{"type", "public-key"}, {"alg", alg}});
  }
  return out;
}

}  // namespace

PasskeySettings PasskeySettingsFor(std::string_view public_url) {
  PasskeySettings s;
  auto url = boost::urls::parse_absolute_uri(public_url);
  if (!url) return s;
  s.rp_id = std::string(url->host());
  std::string origin = std::string(url->scheme()) + "://" + std::string(url->host());
  if (url->has_port()) origin += ":" + std::string(url->port());
  s.origins = {origin};
  return s;
}

Result<std::string> PasskeyService::NewChallenge(const store::App& app, std::string_view user_id,
                                                 store::MfaChallengeKind kind,
                                                 std::string_view binding) {
  std::string challenge = crypto::Base64UrlEncode(crypto::RandomBytes(32));
  store::MfaChallenge c;
  c.hash = crypto::Sha256Hex(challenge);
  c.app_id = app.id;
  c.user_id = std::string(user_id);
  c.kind = kind;
  c.payload_json = json::serialize(json::object{{"binding", crypto::Sha256Hex(binding)}});
  c.created_at = clock_.NowMillis();
  c.expires_at = c.created_at + kPasskeyChallengeTtlMs;
  TESSERA_RETURN_IF_ERROR(store_.CreateMfaChallenge(c));
  return challenge;
}

Result<store::MfaChallenge> PasskeyService::TakeChallenge(const store::App& app,
                                                          std::string_view client_data,
                                                          store::MfaChallengeKind kind,
                                                          std::string_view binding) {
  const auto expired = [] {
    return UnauthenticatedError("this passkey request has expired: try again");
  };
  std::string challenge = ChallengeIn(client_data);
  if (challenge.empty() || challenge.size() > 100) return expired();
  auto c = store_.ConsumeMfaChallenge(app.id, crypto::Sha256Hex(challenge), kind,
                                      clock_.NowMillis());
  if (!c.ok()) return c.status().IsNotFound() ? expired() : c.status();
  boost::system::error_code ec;
  json::value payload = json::parse(c->payload_json, ec);
  std::string bound = !ec && payload.is_object() ? Member(payload.as_object(), "binding") : "";
  // Another browser's challenge (a copied page, a relayed ceremony) is no challenge here.
  if (binding.empty() || !crypto::ConstantTimeEquals(bound, crypto::Sha256Hex(binding))) {
    return expired();
  }
  return c;
}

Result<std::string> PasskeyService::RegistrationOptions(const store::App& app,
                                                        const store::User& user,
                                                        std::string_view binding) {
  if (!FactorService::MayEnrol(app, store::FactorKind::kWebAuthn)) {
    return PermissionDeniedError("this app does not offer passkeys");
  }
  TESSERA_ASSIGN_OR_RETURN(std::vector<store::Factor> factors, store_.ListFactors(app.id, user.id));
  json::array exclude;
  for (const auto& f : factors) {
    if (f.kind == store::FactorKind::kWebAuthn && f.confirmed_at) {
      exclude.push_back(json::object{{"type", "public-key"}, {"id", f.credential_id}});
    }
  }
  TESSERA_ASSIGN_OR_RETURN(std::string challenge,
                           NewChallenge(app, user.id, store::MfaChallengeKind::kPasskeyRegistration,
                                        binding));
  const std::string app_name = store::DisplayName(app.settings, app.name);
  std::string account = user.email.empty() ? user.username.value_or(user.id) : user.email;
  json::object options{
      {"rp", json::object{{"id", settings_.rp_id}, {"name", app_name}}},
      {"user", json::object{{"id", crypto::Base64UrlEncode(user.id)},
                            {"name", account + " · " + app_name},
                            {"displayName", account}}},
      {"challenge", challenge},
      {"pubKeyCredParams", AlgorithmParams()},
      {"timeout", kPasskeyChallengeTtlMs},
      {"attestation", "none"},
      {"authenticatorSelection", json::object{{"residentKey", "required"},
                                              {"requireResidentKey", true},
                                              {"userVerification", "preferred"}}},
      {"excludeCredentials", std::move(exclude)}};
  return json::serialize(options);
}

Result<store::Factor> PasskeyService::Register(const store::App& app, const store::User& user,
                                               std::string_view binding,
                                               std::string_view credential_json,
                                               std::string_view name) {
  std::string label = name.empty() ? "Passkey" : std::string(name);
  if (auto problem = FactorNameProblem(label)) return ValidationError({{"name", *problem}});
  TESSERA_ASSIGN_OR_RETURN(CredentialJson c, ReadCredential(credential_json));
  TESSERA_ASSIGN_OR_RETURN(
      store::MfaChallenge challenge,
      TakeChallenge(app, c.client_data, store::MfaChallengeKind::kPasskeyRegistration, binding));
  if (challenge.user_id != user.id) return UnauthenticatedError("this passkey request is not yours");
  WebAuthnExpectation expected{ChallengeIn(c.client_data), settings_.origins, settings_.rp_id,
                               false};
  auto verified = VerifyRegistration(c.client_data, c.attestation_object, expected);
  if (!verified.ok()) {
    Audit(audit_, MfaEvent(app, store::AuditAction::kMfaFactorEnrolled, user.id,
                           {{"kind", "webauthn"}, {"reason", verified.status().message()}},
                           nullptr, false));
    return verified.status();
  }
  if (verified->credential_id != c.id) return InvalidArgumentError("passkey response: id mismatch");
  UnixMillis now = clock_.NowMillis();
  store::Factor f;
  f.id = crypto::NewUuid();
  f.app_id = app.id;
  f.user_id = user.id;
  f.kind = store::FactorKind::kWebAuthn;
  f.name = label;
  f.credential_id = verified->credential_id;
  f.public_key = verified->public_jwk;
  f.counter = verified->sign_count;
  f.created_at = now;
  f.confirmed_at = now;
  Status created = store_.CreateFactor(f);
  if (created.IsAlreadyExists()) {
    return AlreadyExistsError("this passkey is registered already");
  }
  TESSERA_RETURN_IF_ERROR(created);
  Audit(audit_, MfaEvent(app, store::AuditAction::kMfaFactorEnrolled, user.id,
                         {{"kind", "webauthn"}, {"factor_id", f.id}}));
  MailSecurityNotice(mail_, app, user, "A passkey (\"" + label + "\") was added to your account.");
  return f;
}

Result<std::string> PasskeyService::AssertionOptions(const store::App& app,
                                                     const store::User* user,
                                                     std::string_view binding) {
  json::array allow;
  if (user) {
    TESSERA_ASSIGN_OR_RETURN(std::vector<store::Factor> factors,
                             store_.ListFactors(app.id, user->id));
    for (const auto& f : factors) {
      if (f.kind == store::FactorKind::kWebAuthn && f.confirmed_at) {
        allow.push_back(json::object{{"type", "public-key"}, {"id", f.credential_id}});
      }
    }
  }
  TESSERA_ASSIGN_OR_RETURN(std::string challenge,
                           NewChallenge(app, user ? user->id : "",
                                        store::MfaChallengeKind::kPasskeyAssertion, binding));
  json::object options{{"challenge", challenge},
                       {"rpId", settings_.rp_id},
                       {"timeout", kPasskeyChallengeTtlMs},
                       {"userVerification", "preferred"},
                       {"allowCredentials", std::move(allow)}};
  return json::serialize(options);
}

Result<PasskeyProof> PasskeyService::Authenticate(const store::App& app, std::string_view binding,
                                                  std::string_view credential_json,
                                                  const store::User* expected_user,
                                                  const ClientInfo& client) {
  const auto refuse = [&](std::string_view user_id, std::string reason) {
    Audit(audit_, MfaEvent(app, store::AuditAction::kMfaFailed, user_id,
                           {{"method", "passkey"}, {"reason", reason}}, nullptr, false));
    return UnauthenticatedError("that passkey could not sign you in here");
  };
  TESSERA_ASSIGN_OR_RETURN(CredentialJson c, ReadCredential(credential_json));
  TESSERA_ASSIGN_OR_RETURN(
      store::MfaChallenge challenge,
      TakeChallenge(app, c.client_data, store::MfaChallengeKind::kPasskeyAssertion, binding));
  // A credential is found in this app only: another app's passkey is no passkey here.
  auto factor = store_.FindFactorByCredentialId(app.id, c.id);
  if (!factor.ok()) {
    if (!factor.status().IsNotFound()) return factor.status();
    return refuse(expected_user ? expected_user->id : "", "unknown_credential");
  }
  if ((expected_user && factor->user_id != expected_user->id) ||
      (!challenge.user_id.empty() && factor->user_id != challenge.user_id)) {
    return refuse(expected_user ? expected_user->id : "", "another_users_credential");
  }
  if (!c.user_handle.empty() && c.user_handle != factor->user_id) {
    return refuse(factor->user_id, "user_handle_mismatch");
  }
  WebAuthnExpectation expected{ChallengeIn(c.client_data), settings_.origins, settings_.rp_id,
                               false};
  auto verified = VerifyAssertion(c.client_data, c.authenticator_data, c.signature,
                                  factor->public_key, factor->counter, expected);
  if (!verified.ok()) {
    std::string reason = verified.status().code() == StatusCode::kFailedPrecondition
                             ? "counter_regression"
                             : "invalid_assertion";
    return refuse(factor->user_id, reason);
  }
  Status advanced = store_.AdvanceFactorCounter(app.id, factor->id, verified->sign_count,
                                                verified->sign_count == 0, clock_.NowMillis());
  if (advanced.code() == StatusCode::kFailedPrecondition) {
    return refuse(factor->user_id, "counter_regression");  // a concurrent use got there first
  }
  TESSERA_RETURN_IF_ERROR(advanced);
  auto user = accounts_.GetUser(app, factor->user_id);
  if (!user.ok() || user->disabled) return refuse(factor->user_id, "account_unavailable");
  Audit(audit_, MfaEvent(app, store::AuditAction::kMfaVerified, user->id,
                         {{"method", "passkey"}, {"factor_id", factor->id}}));
  PasskeyProof proof;
  proof.user_verified = verified->user_verified;
  proof.amr = verified->backed_up ? "swk" : "hwk";
  if (verified->user_verified) proof.amr += " mfa";  // possession and a PIN or biometric
  proof.user = std::move(*user);
  proof.factor = std::move(*factor);
  (void)client;
  return proof;
}

}  // namespace tessera::services
