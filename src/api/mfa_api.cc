#include "api/mfa_api.h"

#include <boost/json.hpp>

#include "api/api_support.h"
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
  r.Add(verb::get, base + "/me/mfa", bind(&MfaApi::Overview));
  r.Add(verb::post, base + "/me/mfa/totp", bind(&MfaApi::BeginTotp));
  r.Add(verb::post, base + "/me/mfa/totp/{id}/confirm", bind(&MfaApi::ConfirmTotp));
  r.Add(verb::patch, base + "/me/mfa/factors/{id}", bind(&MfaApi::RenameFactor));
  r.Add(verb::delete_, base + "/me/mfa/factors/{id}", bind(&MfaApi::RemoveFactor));
  r.Add(verb::post, base + "/me/mfa/recovery-codes", bind(&MfaApi::NewRecoveryCodes));
}

// {mfa_token, code} (authenticator app) or {mfa_token, recovery_code}; after an enrolment
// the app required, {mfa_token, factor_id, code}. 200: the token response (with
// "recovery_codes" after an enrolment).
Response MfaApi::CompleteLogin(Request& req) {
  return InApp(apps_, req, [&](const store::App& app) {
    std::optional<std::string> token, code, recovery, factor_id;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          token = b.String("mfa_token", true);
          code = b.String("code");
          recovery = b.String("recovery_code");
          factor_id = b.String("factor_id");
        }, kEndUserText)) {
      return *bad;
    }
    if (!!code == !!recovery) {
      return Error(ValidationError({{"code", "give exactly one of code or recovery_code"}}));
    }
    if (factor_id && !code) {
      return Error(ValidationError({{"code", "is required with factor_id"}}));
    }
    const auto kind = store::MfaChallengeKind::kApiLogin;
    services::ClientInfo client = ClientOf(req);
    auto done = factor_id
                    ? sign_in_.CompleteEnrolment(app, *token, kind, *factor_id, *code, client)
                    : sign_in_.Complete(app, *token, kind, code ? "totp" : "recovery_code",
                                        code ? *code : *recovery, client);
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
  return InApp(apps_, req, [&](const store::App& app) {
    std::string token;
    if (auto bad = http::ReadJson(req, [&](http::JsonBody& b) {
          token = b.String("mfa_token", true).value_or("");
        }, kEndUserText)) {
      return *bad;
    }
    auto enrolment = sign_in_.BeginEnrolment(app, token, store::MfaChallengeKind::kApiLogin,
                                             store::DisplayName(app.settings, app.name));
    if (!enrolment.ok()) return Error(enrolment.status());
    return http::JsonResponse(201, EnrolmentView(*enrolment));
  });
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
