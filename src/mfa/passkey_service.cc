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

std::vector<std::string> PasskeyService::OriginsFor(const store::App& app) const {
  std::vector<std::string> origins = settings_.origins;
  origins.insert(origins.end(), app.settings.passkey_origins.begin(),
                 app.settings.passkey_origins.end());
  return origins;
}

PasskeyService::PasskeyService(store::MfaStore& store, AccountService& accounts,
                               const Clock& clock, std::string_view master_key,
                               PasskeySettings settings, std::optional<MailFlowContext> mail,
                               AuditLog* audit)
    : store_(store), accounts_(accounts), clock_(clock), settings_(std::move(settings)),
      mail_(std::move(mail)), audit_(audit),
      challenge_key_(crypto::HmacSha256(master_key, "tessera passkey sign-in challenge v1")) {}

namespace {
// A sign-in challenge's bytes: 16 random, the expiry (ms, 8 bytes big-endian), 16 of MAC.
constexpr size_t kNonceBytes = 16, kExpiryBytes = 8, kMacBytes = 16;
constexpr size_t kSignInChallengeBytes = kNonceBytes + kExpiryBytes + kMacBytes;
constexpr size_t kSignInChallengeChars = (kSignInChallengeBytes * 4 + 2) / 3;  // base64url
static_assert(kSignInChallengeChars == 54);  // a stored challenge (32 bytes) has 43

Status ExpiredChallenge() {
  return UnauthenticatedError("this passkey request has expired: try again");
}
}  // namespace

std::string PasskeyService::SignInChallengeMac(const store::App& app, std::string_view binding,
                                               std::string_view nonce_and_expiry) const {
  std::string data = app.id;
  data += '\0';
  data += crypto::Sha256Hex(binding);
  data += nonce_and_expiry;
  return crypto::HmacSha256(challenge_key_, data).substr(0, kMacBytes);
}

std::string PasskeyService::SignInChallenge(const store::App& app,
                                            std::string_view binding) const {
  std::string bytes = crypto::RandomBytes(kNonceBytes);
  const uint64_t expires = static_cast<uint64_t>(clock_.NowMillis() + kPasskeyChallengeTtlMs);
  for (int shift = 56; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(expires >> shift));
  bytes += SignInChallengeMac(app, binding, bytes);
  return crypto::Base64UrlEncode(bytes);
}

Result<store::MfaChallenge> PasskeyService::SpendSignInChallenge(const store::App& app,
                                                                 std::string_view challenge,
                                                                 std::string_view binding) {
  std::optional<std::string> bytes = crypto::Base64UrlDecode(challenge);
  if (!bytes || bytes->size() != kSignInChallengeBytes || binding.empty()) {
    return ExpiredChallenge();
  }
  std::string_view signed_part = std::string_view(*bytes).substr(0, kNonceBytes + kExpiryBytes);
  // Another browser's challenge (a copied page, a relayed ceremony) is no challenge here.
  if (!crypto::ConstantTimeEquals(std::string_view(*bytes).substr(kNonceBytes + kExpiryBytes),
                                  SignInChallengeMac(app, binding, signed_part))) {
    return ExpiredChallenge();
  }
  uint64_t expires = 0;
  for (size_t i = kNonceBytes; i < kNonceBytes + kExpiryBytes; ++i) {
    expires = (expires << 8) | static_cast<uint8_t>((*bytes)[i]);
  }
  const UnixMillis now = clock_.NowMillis();
  if (expires > static_cast<uint64_t>(now + kPasskeyChallengeTtlMs) ||
      static_cast<UnixMillis>(expires) <= now) {
    return ExpiredChallenge();
  }
  // Spent once: the row's unique hash refuses a replay until the challenge has expired anyway.
  store::MfaChallenge spent;
  spent.hash = crypto::Sha256Hex(challenge);
  spent.app_id = app.id;
  spent.kind = store::MfaChallengeKind::kPasskeyAssertion;
  spent.payload_json = R"({"spent":true})";
  spent.created_at = now;
  spent.expires_at = static_cast<UnixMillis>(expires);
  Status stored = store_.CreateMfaChallenge(spent);
  if (stored.code() == StatusCode::kAlreadyExists) return ExpiredChallenge();
  TESSERA_RETURN_IF_ERROR(stored);
  return spent;
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
  std::string challenge = ChallengeIn(client_data);
  if (challenge.empty() || challenge.size() > 100) return ExpiredChallenge();
  if (kind == store::MfaChallengeKind::kPasskeyAssertion &&
      challenge.size() == kSignInChallengeChars) {
    return SpendSignInChallenge(app, challenge, binding);
  }
  auto c = store_.ConsumeMfaChallenge(app.id, crypto::Sha256Hex(challenge), kind,
                                      clock_.NowMillis());
  if (!c.ok()) return c.status().IsNotFound() ? ExpiredChallenge() : c.status();
  boost::system::error_code ec;
  json::value payload = json::parse(c->payload_json, ec);
  std::string bound = !ec && payload.is_object() ? Member(payload.as_object(), "binding") : "";
  // Another browser's challenge (a copied page, a relayed ceremony) is no challenge here.
  if (binding.empty() || !crypto::ConstantTimeEquals(bound, crypto::Sha256Hex(binding))) {
    return ExpiredChallenge();
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
  WebAuthnExpectation expected{ChallengeIn(c.client_data), OriginsFor(app), settings_.rp_id,
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
  MailSecurityNotice(mail_, app, user, "mail.change_passkey_added", {{"label", label}});
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
  std::string challenge;
  if (user) {
    TESSERA_ASSIGN_OR_RETURN(challenge, NewChallenge(app, user->id,
                                                     store::MfaChallengeKind::kPasskeyAssertion,
                                                     binding));
  } else {
    challenge = SignInChallenge(app, binding);
  }
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
  WebAuthnExpectation expected{ChallengeIn(c.client_data), OriginsFor(app), settings_.rp_id,
                               false};
  auto verified = VerifyAssertion(c.client_data, c.authenticator_data, c.signature,
                                  factor->public_key, factor->counter, expected);
  // What the client can fix (its origin, the ceremony's type: 400 naming the check) and a
  // cloned authenticator (409) are told apart from a signature that proves nothing (401).
  const auto cloned = [&] {
    refuse(factor->user_id, "counter_regression");
    return FailedPreconditionError("this passkey's sign counter went back (a copied "
                                   "authenticator?): use another way to sign in");
  };
  if (!verified.ok()) {
    if (verified.status().code() == StatusCode::kFailedPrecondition) return cloned();
    Status refused = refuse(factor->user_id, "invalid_assertion");
    return verified.status().code() == StatusCode::kInvalidArgument ? verified.status() : refused;
  }
  Status advanced = store_.AdvanceFactorCounter(app.id, factor->id, verified->sign_count,
                                                verified->sign_count == 0, clock_.NowMillis());
  if (advanced.code() == StatusCode::kFailedPrecondition) {
    return cloned();  // a concurrent use got there first
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
