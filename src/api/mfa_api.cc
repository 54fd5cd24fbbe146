#include "api/mfa_api.h"

#include <boost/json.hpp>

#include <algorithm>
#include <mutex>

#include "api/api_support.h"
#include "crypto/random.h"
#include "api/views.h"
#include "http/problem.h"
#include "tenancy/app_settings.h"

namespace tessera::api {
namespace json = boost::json;
using http::beast_http::verb;
using http::Request;
using http::Response;

namespace {

Response Error(const Status& s) { return http::ProblemResponse(s); }

// A server built without a passkey service (tests of the API alone).
Status NoPasskeys() { return FailedPreconditionError("passkeys are not available"); }

// A personal API token is no sign-in: a passkey is added from a session.
Status NeedsSession() {
  return FailedPreconditionError("passkeys are added from a signed-in session, not with an API token");
}

// A body of just {mfa_token}: nullopt when read, else the 400/413/415 answer.
std::optional<Response> ReadMfaToken(Request& req, std::string& token) {
  return http::ReadJson(req, [&](http::JsonBody& b) {
    token = b.String("mfa_token", true).value_or("");
  }, kEndUserText);
}

json::array Strings(const std::vector<std::string>& list) {
  json::array out;
  for (const auto& s : list) out.emplace_back(s);
  return out;
}

json::object EnrolmentView(const services::TotpEnrolment& e) {
  return json::object{{"factor_id", e.factor.id},
                      {"secret", e.secret_base32},
                      {"otpauth_uri", e.otpauth_uri},
                      {"qr_svg", e.qr_svg}};
}

}  // namespace

json::object FactorView(const store::Factor& f) {
  json::object v{{"id", f.id},
                 {"kind", ToText(f.kind)},
                 {"name", f.name},
                 {"created_at", Rfc3339(f.created_at)}};
  v["last_used_at"] = f.last_used_at ? json::value(Rfc3339(*f.last_used_at)) : json::value(nullptr);
  return v;
}

void MfaApi::Mount(http::Router& r) {
  auto bind = [this](Response (MfaApi::*fn)(Request&)) {
    return [this, fn](Request& req) { return (this->*fn)(req); };
  };
  const std::string base = "/apps/{app}/api";
  r.Add(verb::post, base + "/login/mfa", bind(&MfaApi::CompleteLogin));
  r.Add(verb::post, base + "/login/mfa/totp", bind(&MfaApi::EnrolAtLogin));
  r.Add(verb::post, base + "/login/mfa/passkey", bind(&MfaApi::PasskeyAtLogin));
  r.Add(verb::post, base + "/login/passkey/options", bind(&MfaApi::PasskeySignInOptions));
  r.Add(verb::post, base + "/login/passkey", bind(&MfaApi::PasskeySignIn));
  r.Add(verb::post, base + "/me/mfa/passkeys/options", bind(&MfaApi::PasskeyRegistrationOptions));
  r.Add(verb::post, base + "/me/mfa/passkeys", bind(&MfaApi::RegisterPasskey));
  r.Add(verb::get, "/.well-known/webauthn", bind(&MfaApi::RelatedOrigins));
  r.Add(verb::get, base + "/me/mfa", bind(&MfaApi::Overview));
  r.Add(verb::post, base + "/me/mfa/totp", bind(&MfaApi::BeginTotp));
  r.Add(verb::post, base + "/me/mfa/totp/{id}/confirm", bind(&MfaApi::ConfirmTotp));
  r.Add(verb::patch, base + "/me/mfa/factors/{id}", bind(&MfaApi::RenameFactor));
  r.Add(verb::delete_, base + "/me/mfa/factors/{id}", bind(&MfaApi::RemoveFactor));
  r.Add(verb::post, base + "/me/mfa/recovery-codes", bind(&MfaApi::NewRecoveryCodes));
}

// {mfa_token, code} (authenticator app), {mfa_token, recovery_code} or {mfa_token, passkey}
// (the PublicKeyCredential answering login/mfa/passkey's options); after an enrolment the
// app required, {mfa_token, factor_id, code} or {mfa_token, passkey}. 200: the token
// response (with "recovery_codes" after an enrolment).
Response MfaApi::CompleteLogin(Request& req) {
  return InApp(apps_, req, [&](const store::App& app) {
    std::optional<std::string> token, code, recovery, factor_id;
    std::optional<json::object> passkey;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          token = b.String("mfa_token", true);
          code = b.String("code");
          recovery = b.String("recovery_code");
          factor_id = b.String("factor_id");
          passkey = b.Object("passkey");
        }, kEndUserText)) {
      return *bad;
    }
    if (!!code + !!recovery + !!passkey != 1) {
      return Error(ValidationError(
          {{"code", "give exactly one of code, recovery_code or passkey"}}));
    }
    if (factor_id && !code) {
      return Error(ValidationError({{"code", "is required with factor_id"}}));
    }
    const auto kind = store::MfaChallengeKind::kApiLogin;
    services::ClientInfo client = ClientOf(req);
    Result<services::CompletedSignIn> done = NotFoundError("");
    if (passkey) {
      // The pending step says which ceremony the options were for.
      auto pending = sign_in_.Pending(app, *token, kind);
      if (!pending.ok()) return Error(pending.status());
      const std::string credential = json::serialize(*passkey);
      done = pending->step == services::SecondStep::kEnrol
                 ? sign_in_.CompleteEnrolmentWithPasskey(app, *token, kind, credential)
                 : sign_in_.CompleteWithPasskey(app, *token, kind, credential, client);
    } else if (factor_id) {
      done = sign_in_.CompleteEnrolment(app, *token, kind, *factor_id, *code, client);
    } else {
      done = sign_in_.Complete(app, *token, kind, code ? "totp" : "recovery_code",
                               code ? *code : *recovery, client);
    }
    if (!done.ok()) return Error(done.status());
    auto grant = sign_in_.ApiTokens(app, *done, client);
    if (!grant.ok()) return Error(grant.status());
    json::object body = TokenGrantView(app, *grant);
    if (!done->recovery_codes.empty()) body["recovery_codes"] = Strings(done->recovery_codes);
    return http::JsonResponse(200, body);
  });
}

// {mfa_token} of a 403 "mfa-enrollment-required" → 201 {factor_id, secret, otpauth_uri, qr_svg}.
Response MfaApi::EnrolAtLogin(Request& req) {
  std::string token;
  if (auto bad = ReadMfaToken(req, token)) return *bad;
  return InApp(apps_, req, [&](const store::App& app) {
    auto enrolment = sign_in_.BeginEnrolment(app, token, store::MfaChallengeKind::kApiLogin,
                                             store::DisplayName(app.settings, app.name));
    if (!enrolment.ok()) return Error(enrolment.status());
    return http::JsonResponse(201, EnrolmentView(*enrolment));
  });
}

// {mfa_token} of a 403 → 200 {mode, publicKey}: "authenticate" (request options listing the
// user's passkeys) for mfa-required, "register" (creation options) for
// mfa-enrollment-required. The challenge is bound to the mfa_token; the answer goes to
// login/mfa as "passkey".
Response MfaApi::PasskeyAtLogin(Request& req) {
  std::string token;
  if (auto bad = ReadMfaToken(req, token)) return *bad;
  return InApp(apps_, req, [&](const store::App& app) {
    services::PasskeyService* passkeys = sign_in_.passkeys();
    if (!passkeys) return Error(NoPasskeys());
    auto pending = sign_in_.Pending(app, token, store::MfaChallengeKind::kApiLogin);
    if (!pending.ok()) return Error(pending.status());
    const bool enrol = pending->step == services::SecondStep::kEnrol;
    if (!enrol && std::ranges::find(pending->methods, "passkey") == pending->methods.end()) {
      return Error(FailedPreconditionError("this account has no passkey: use another method"));
    }
    auto options = enrol ? passkeys->RegistrationOptions(app, pending->user, token)
                         : passkeys->AssertionOptions(app, &pending->user, token);
    if (!options.ok()) return Error(options.status());
    return http::JsonResponse(200, json::object{{"mode", enrol ? "register" : "authenticate"},
                                                {"publicKey", json::parse(*options)}});
  });
}

// A passkey sign-in without a password: 200 {passkey_token, publicKey} — request options
// for discoverable credentials (none listed) bound to passkey_token, which login/passkey
// takes back with the answer.
Response MfaApi::PasskeySignInOptions(Request& req) {
  http::JsonBodyRules optional_body = kEndUserText;
  optional_body.allow_empty = true;
  if (auto bad = http::ReadJson(req, [](http::JsonBody&) {}, optional_body)) return *bad;
  return InApp(apps_, req, [&](const store::App& app) {
    services::PasskeyService* passkeys = sign_in_.passkeys();
    if (!passkeys || !services::FactorService::MayEnrol(app, store::FactorKind::kWebAuthn)) {
      return Error(PermissionDeniedError("this app does not offer passkeys"));
    }
    std::string binding = crypto::NewSecretToken(services::kPasskeyTokenPrefix);
    auto options = passkeys->AssertionOptions(app, nullptr, binding);
    if (!options.ok()) return Error(options.status());
    return http::JsonResponse(200, json::object{{"passkey_token", binding},
                                                {"expires_in", services::kPasskeyChallengeTtlMs / 1000},
                                                {"publicKey", json::parse(*options)}});
  });
}

// {passkey_token, passkey} → the token response; a passkey without user verification is
// a first factor: 403 mfa-required follows as after a password.
Response MfaApi::PasskeySignIn(Request& req) {
  return InApp(apps_, req, [&](const store::App& app) {
    std::string binding;
    std::optional<json::object> passkey;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          binding = b.String("passkey_token", true).value_or("");
          passkey = b.Object("passkey");
          if (!passkey && !b.Has("passkey")) b.Fail("passkey", "is required");
        }, kEndUserText)) {
      return *bad;
    }
    services::PasskeyService* passkeys = sign_in_.passkeys();
    // Options fetched before the app stopped offering passkeys no longer sign in alone.
    if (!passkeys || !services::FactorService::MayEnrol(app, store::FactorKind::kWebAuthn)) {
      return Error(PermissionDeniedError("this app does not offer passkeys"));
    }
    services::ClientInfo client = ClientOf(req);
    auto proof = passkeys->Authenticate(app, binding, json::serialize(*passkey), nullptr, client);
    if (!proof.ok()) return Error(proof.status());
    auto signed_in = sign_in_.ApiAfterPasskey(app, *proof, client);
    if (!signed_in.ok()) return Error(signed_in.status());
    return ApiSignInResponse(app, *signed_in);
  });
}

// → 200 {publicKey}: creation options for the signed-in user, bound to their session.
Response MfaApi::PasskeyRegistrationOptions(Request& req) {
  http::JsonBodyRules optional_body = kEndUserText;
  optional_body.allow_empty = true;
  if (auto bad = http::ReadJson(req, [](http::JsonBody&) {}, optional_body)) return *bad;
  return AsUser(apps_, authenticator_, req, [&](const store::App& app, services::Principal& p) {
    services::PasskeyService* passkeys = sign_in_.passkeys();
    if (!passkeys) return Error(NoPasskeys());
    if (p.session_id.empty()) return Error(NeedsSession());
    auto options = passkeys->RegistrationOptions(app, p.user, p.session_id);
    if (!options.ok()) return Error(options.status());
    return http::JsonResponse(200, json::object{{"publicKey", json::parse(*options)}});
  });
}

// {passkey, name?} → 201 {factor, recovery_codes?} (the codes with the first factor).
Response MfaApi::RegisterPasskey(Request& req) {
  std::optional<json::object> passkey;
  std::string name;
  if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
        passkey = b.Object("passkey");
        if (!passkey && !b.Has("passkey")) b.Fail("passkey", "is required");
        name = b.String("name").value_or("");
      }, kEndUserText)) {
    return *bad;
  }
  return AsUser(apps_, authenticator_, req, [&](const store::App& app, services::Principal& p) {
    services::PasskeyService* passkeys = sign_in_.passkeys();
    if (!passkeys) return Error(NoPasskeys());
    if (p.session_id.empty()) return Error(NeedsSession());
    auto factor = passkeys->Register(app, p.user, p.session_id, json::serialize(*passkey), name);
    if (!factor.ok()) return Error(factor.status());
    auto codes = factors_.EnsureRecoveryCodes(app, p.user.id);
    if (!codes.ok()) return Error(codes.status());
    json::object body{{"factor", FactorView(*factor)}};
    if (!codes->empty()) body["recovery_codes"] = Strings(*codes);
    return http::JsonResponse(201, body);
  });
}

// The origins of the apps' own front ends (AppSettings::passkey_origins) as the WebAuthn
// Related Origin Requests list: a browser on https://app.example.com may then use the
// server's host as RP ID. Android origins are not web origins and are left out. Rebuilt at
// most every 30 s: a public URL must not cost a scan of every app per request.
Response MfaApi::RelatedOrigins(Request&) {
  std::lock_guard lock(related_mu_);
  const auto now = std::chrono::steady_clock::now();
  if (related_body_.empty() || now - related_built_at_ > std::chrono::seconds(30)) {
    auto apps = apps_.ListAll();
    if (!apps.ok()) return Error(apps.status());
    json::array origins;
    for (const auto& app : *apps) {
      for (const auto& o : app.settings.passkey_origins) {
        if (o.starts_with("http") && std::ranges::find(origins, json::value(o)) == origins.end()) {
          origins.emplace_back(o);
        }
      }
    }
    related_body_ = json::serialize(json::object{{"origins", std::move(origins)}});
    related_built_at_ = now;
  }
  http::Response r = http::TextResponse(200, "application/json", related_body_);
  r.WithHeader("Cache-Control", "public, max-age=300");
  return r;
}

UnixMillis MfaApi::AuthTimeOf(const store::App& app, const services::Principal& p) {
  if (p.session_id.empty()) return 0;
  auto sessions = sessions_.ListSessions(app, p.user.id);
  if (!sessions.ok()) return 0;
  for (const auto& s : *sessions) {
    if (s.id == p.session_id) return store::AuthTimeOf(s);
  }
  return 0;
}

// → {policy, totp_allowed, factors, recovery_codes_left}.
Response MfaApi::Overview(Request& req) {
  return AsUser(apps_, authenticator_, req, [&](const store::App& app, services::Principal& p) {
    auto factors = factors_.ListFactors(app, p.user.id);
    if (!factors.ok()) return Error(factors.status());
    auto left = factors_.RecoveryCodesLeft(app, p.user.id);
    if (!left.ok()) return Error(left.status());
    json::array list;
    for (const auto& f : *factors) list.push_back(FactorView(f));
    return http::JsonResponse(
        200, json::object{
                 {"policy", store::MfaPolicyText(app.settings.mfa)},
                 {"totp_allowed", services::FactorService::MayEnrol(app, store::FactorKind::kTotp)},
                 {"factors", std::move(list)},
                 {"recovery_codes_left", *left}});
  });
}

Response MfaApi::BeginTotp(Request& req) {
  http::JsonBodyRules optional_body = kEndUserText;
  optional_body.allow_empty = true;
  if (auto bad = http::ReadJson(req, [](http::JsonBody&) {}, optional_body)) return *bad;
  return AsUser(apps_, authenticator_, req, [&](const store::App& app, services::Principal& p) {
    auto enrolment =
        factors_.BeginTotp(app, p.user, store::DisplayName(app.settings, app.name));
    if (!enrolment.ok()) return Error(enrolment.status());
    return http::JsonResponse(201, EnrolmentView(*enrolment));
  });
}

// {code, name?} → 200 {factor, recovery_codes?}.
Response MfaApi::ConfirmTotp(Request& req) {
  std::string code, name;
  if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
        code = b.String("code", true).value_or("");
        name = b.String("name").value_or("");
      }, kEndUserText)) {
    return *bad;
  }
  return AsUser(apps_, authenticator_, req, [&](const store::App& app, services::Principal& p) {
    auto enrolled = factors_.ConfirmTotp(app, p.user, req.Param("id"), code, name);
    if (!enrolled.ok()) return Error(enrolled.status());
    json::object body{{"factor", FactorView(enrolled->factor)}};
    if (!enrolled->recovery_codes.empty()) {
      body["recovery_codes"] = Strings(enrolled->recovery_codes);
    }
    return http::JsonResponse(200, body);
  });
}

Response MfaApi::RenameFactor(Request& req) {
  std::string name;
  if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
        name = b.String("name", true).value_or("");
      }, kEndUserText)) {
    return *bad;
  }
  return AsUser(apps_, authenticator_, req, [&](const store::App& app, services::Principal& p) {
    Status s = factors_.Rename(app, p.user, req.Param("id"), name);
    return s.ok() ? http::NoContent() : Error(s);
  });
}

// 409 unless the session signed in within 15 minutes (sign in again, then retry).
Response MfaApi::RemoveFactor(Request& req) {
  return AsUser(apps_, authenticator_, req, [&](const store::App& app, services::Principal& p) {
    Status s = factors_.Remove(app, p.user, req.Param("id"), AuthTimeOf(app, p));
    return s.ok() ? http::NoContent() : Error(s);
  });
}

Response MfaApi::NewRecoveryCodes(Request& req) {
  http::JsonBodyRules optional_body = kEndUserText;
  optional_body.allow_empty = true;
  if (auto bad = http::ReadJson(req, [](http::JsonBody&) {}, optional_body)) return *bad;
  return AsUser(apps_, authenticator_, req, [&](const store::App& app, services::Principal& p) {
    auto codes = factors_.RegenerateRecoveryCodes(app, p.user, AuthTimeOf(app, p));
    if (!codes.ok()) return Error(codes.status());
    return http::JsonResponse(200, json::object{{"recovery_codes", Strings(*codes)}});
  });
}

}  // namespace tessera::api
