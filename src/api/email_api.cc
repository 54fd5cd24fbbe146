#include "api/email_api.h"

#include <boost/json.hpp>

#include "api/api_support.h"
#include "api/views.h"
#include "i18n/locale_negotiation.h"

namespace tessera::api {
namespace {

using http::beast_http::verb;
using http::Request;
using http::Response;

Response Accepted() {
  return http::JsonResponse(202, boost::json::object{
      {"status", "accepted"},
      {"detail", "If the address can receive it, a message is on its way."}});
}

Response Error(const Status& s) { return http::ProblemResponse(s); }

// String fields of a JSON body: {name, required}.
std::optional<Response> ReadStrings(const Request& req, std::map<std::string, std::string>& out,
                                    std::initializer_list<std::pair<const char*, bool>> fields) {
  return http::ReadJson(req, [&](http::JsonBody& b) {
    for (const auto& [name, required] : fields) {
      auto v = b.String(name, required);
      if (v) out[name] = *v;
    }
  }, kEndUserText);
}

}  // namespace

void EmailApi::Mount(http::Router& r) {
  auto bind = [this](Response (EmailApi::*fn)(Request&)) {
    return [this, fn](Request& req) { return (this->*fn)(req); };
  };
  const std::string base = "/apps/{app}/api";
  r.Add(verb::post, base + "/me/email/verification", bind(&EmailApi::SendVerification));
  r.Add(verb::post, base + "/email/verify", bind(&EmailApi::Verify));
  r.Add(verb::post, base + "/password/forgot", bind(&EmailApi::ForgotPassword));
  r.Add(verb::post, base + "/password/reset", bind(&EmailApi::ResetPassword), http::Dispatch::kHashing);
  r.Add(verb::post, base + "/magic-link", bind(&EmailApi::RequestMagicLink));
  r.Add(verb::post, base + "/magic-link/verify", bind(&EmailApi::VerifyMagicLink));
  r.Add(verb::post, base + "/email-code", bind(&EmailApi::RequestCode));
  r.Add(verb::post, base + "/email-code/verify", bind(&EmailApi::VerifyCode));
  r.Add(verb::post, base + "/me/email", bind(&EmailApi::ChangeEmail), http::Dispatch::kHashing);
  r.Add(verb::post, base + "/email/change/confirm", bind(&EmailApi::ConfirmEmailChange));
}

Response EmailApi::SendVerification(Request& req) {
  return AsUser(apps_, authenticator_, req, [&](const store::App& app, services::Principal& p) {
    if (p.user.email_verified) {
      return http::JsonResponse(200, boost::json::object{{"status", "already_verified"}});
    }
    Status s = verification_.SendVerification(app, p.user, ClientOf(req), i18n::PreferredLocale(req.Header(http::beast_http::field::accept_language)));
    return s.ok() ? Accepted() : Error(s);
  });
}

Response EmailApi::Verify(Request& req) {
  return InApp(apps_, req, [&](const store::App& app) {
    std::map<std::string, std::string> f;
    if (auto bad = ReadStrings(req, f, {{"token", true}})) return *bad;
    auto user = verification_.Verify(app, f["token"]);
    if (!user.ok()) return Error(user.status());
    return http::JsonResponse(200, UserView(*user, app));
  });
}

Response EmailApi::ForgotPassword(Request& req) {
  return InApp(apps_, req, [&](const store::App& app) {
    std::map<std::string, std::string> f;
    if (auto bad = ReadStrings(req, f, {{"email", true}})) return *bad;
    Status s = resets_.RequestReset(app, f["email"], ClientOf(req), i18n::PreferredLocale(req.Header(http::beast_http::field::accept_language)));
    return s.ok() ? Accepted() : Error(s);
  });
}

Response EmailApi::ResetPassword(Request& req) {
  return InApp(apps_, req, [&](const store::App& app) {
    std::map<std::string, std::string> f;
    if (auto bad = ReadStrings(req, f, {{"token", true}, {"new_password", true}})) return *bad;
    Status s = resets_.ResetPassword(app, f["token"], f["new_password"], i18n::PreferredLocale(req.Header(http::beast_http::field::accept_language)));
    return s.ok() ? http::NoContent() : Error(s);
  });
}

Response EmailApi::RequestMagicLink(Request& req) {
  return InApp(apps_, req, [&](const store::App& app) {
    std::map<std::string, std::string> f;
    if (auto bad = ReadStrings(req, f, {{"email", true}, {"redirect_uri", false}})) return *bad;
    Status s = passwordless_.RequestLink(app, f["email"], {f["redirect_uri"], ""}, ClientOf(req),
                                      i18n::PreferredLocale(req.Header(http::beast_http::field::accept_language)));
    return s.ok() ? Accepted() : Error(s);
  });
}

Response EmailApi::VerifyMagicLink(Request& req) {
  return InApp(apps_, req, [&](const store::App& app) {
    std::map<std::string, std::string> f;
    if (auto bad = ReadStrings(req, f, {{"token", true}})) return *bad;
    auto user = passwordless_.ConsumeLink(app, f["token"], ClientOf(req), i18n::PreferredLocale(req.Header(http::beast_http::field::accept_language)));
    if (!user.ok()) return Error(user.status());
    return SignInByMail(app, std::move(*user), ClientOf(req));
  });
}

Response EmailApi::RequestCode(Request& req) {
  return InApp(apps_, req, [&](const store::App& app) {
    std::map<std::string, std::string> f;
    if (auto bad = ReadStrings(req, f, {{"email", true}})) return *bad;
    Status s = passwordless_.RequestCode(app, f["email"], ClientOf(req), i18n::PreferredLocale(req.Header(http::beast_http::field::accept_language)));
    return s.ok() ? Accepted() : Error(s);
  });
}

Response EmailApi::VerifyCode(Request& req) {
  return InApp(apps_, req, [&](const store::App& app) {
    std::map<std::string, std::string> f;
    if (auto bad = ReadStrings(req, f, {{"email", true}, {"code", true}})) return *bad;
    auto user = passwordless_.ConsumeCode(app, f["email"], f["code"], ClientOf(req),
                                              i18n::PreferredLocale(req.Header(http::beast_http::field::accept_language)));
    if (!user.ok()) return Error(user.status());
    return SignInByMail(app, std::move(*user), ClientOf(req));
  });
}

Response EmailApi::SignInByMail(const store::App& app, store::User user,
                                const services::ClientInfo& client) {
  if (mfa_) {
    auto signed_in = mfa_->ApiAfterFirstFactor(app, std::move(user), client, "email",
                                               services::FirstFactor{"otp", "", ""});
    if (!signed_in.ok()) return Error(signed_in.status());
    return ApiSignInResponse(app, *signed_in);
  }
  auto grant = sessions_.SignInVerifiedUser(app, std::move(user), client);
  if (!grant.ok()) return Error(grant.status());
  return TokenGrantResponse(app, *grant);
}

Response EmailApi::ChangeEmail(Request& req) {
  return AsUser(apps_, authenticator_, req, [&](const store::App& app, services::Principal& p) {
    std::map<std::string, std::string> f;
    if (auto bad = ReadStrings(req, f, {{"new_email", true}, {"current_password", false}})) {
      return *bad;
    }
    Status s = verification_.RequestEmailChange(app, p.user.id, f["new_email"],
                                                f["current_password"], ClientOf(req),
                                                i18n::PreferredLocale(req.Header(http::beast_http::field::accept_language)));
    return s.ok() ? Accepted() : Error(s);
  });
}

Response EmailApi::ConfirmEmailChange(Request& req) {
  return InApp(apps_, req, [&](const store::App& app) {
    std::map<std::string, std::string> f;
    if (auto bad = ReadStrings(req, f, {{"token", true}})) return *bad;
    auto user = verification_.ConfirmEmailChange(app, f["token"], i18n::PreferredLocale(req.Header(http::beast_http::field::accept_language)));
    if (!user.ok()) return Error(user.status());
    return http::JsonResponse(200, UserView(*user, app));
  });
}

}  // namespace tessera::api
