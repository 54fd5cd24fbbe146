#include "oauth/endpoints/device_pages.h"

#include "http/form.h"
#include "oauth/endpoints/scope_list.h"
#include "web/page_errors.h"

namespace tessera::oauth {
namespace {

namespace bh = http::beast_http;

}  // namespace

void DevicePages::Mount(http::Router& r) {
  r.Add(bh::verb::get, "/apps/{app}/device", [this](http::Request& q) { return Show(q); });
  r.Add(bh::verb::post, "/apps/{app}/device", [this](http::Request& q) { return Enter(q); });
  r.Add(bh::verb::post, "/apps/{app}/device/decision",
        [this](http::Request& q) { return Decide(q); });
}

http::Response DevicePages::CodeForm(const http::Request& req, const store::App& app,
                                     std::string_view typed, const std::string& error,
                                     unsigned status) {
  web::PageData d;
  d.set("title", web_.pages.TextsFor(req, &app)("device.title"));
  d.set("action", web_.urls.PagePath(app, "device"));
  d.set("user_code", std::string(typed.substr(0, 64)));
  if (!error.empty()) d.set("code_error", error);
  return web_.pages.Page(req, app, "device_code", std::move(d), status);
}

http::Response DevicePages::ToLogin(const store::App& app, std::string_view user_code) {
  std::string back = web_.urls.PagePath(app, "device") + "?user_code=" + http::FormEncode(user_code);
  std::string login = web_.urls.PagePath(app, "login") + "?return_to=" + http::FormEncode(back);
  return web::Redirect(web_.urls.Absolute(login));
}

http::Response DevicePages::Confirmation(const http::Request& req, const store::App& app,
                                         const services::PendingDeviceAuthorization& pending,
                                         const store::Session& session) {
  auto user = accounts_.GetUser(app, session.user_id);
  const std::string user_locale = user.ok() ? web::ProfileLocale(*user) : std::string();
  const i18n::Texts t = web_.pages.TextsFor(req, &app, user_locale);
  web::PageData d;
  if (!user_locale.empty()) d.set("user_locale", user_locale);
  d.set("title", t("device.title"));
  d.set("action", web_.urls.PagePath(app, "device/decision"));
  d.set("user_code", pending.user_code);
  d.set("client_name", pending.client.name);
  d.set("user_display", user.ok() ? user->email : std::string());
  SetScopeList(d, pending.scopes, t);
  // Another account: sign in again, and come back to this same code.
  std::string back = web_.urls.PagePath(app, "device") + "?user_code=" + http::FormEncode(pending.user_code);
  d.set("switch_account_url", web_.urls.PagePath(app, "login") + "?return_to=" +
                                  http::FormEncode(back));
  return web_.pages.Page(req, app, "device_confirm", std::move(d));
}

http::Response DevicePages::Lookup(const http::Request& req, const store::App& app,
                                   std::string_view typed) {
  auto session = web_.session_cookie.Current(app, req);
  auto pending = devices_.FindPending(app, typed, session ? session->user_id : std::string(),
                                      web::ClientOf(req));
  if (!pending.ok()) {
    web::PageFailure failure = web::PageFailureOf(pending.status(), web_.pages.TextsFor(req, &app));
    return web::WithRetryAfter(CodeForm(req, app, typed, failure.message, failure.status),
                               pending.status());
  }
  if (!session) return ToLogin(app, pending->user_code);
  return Confirmation(req, app, *pending, *session);
}

std::optional<store::App> DevicePages::OpenApp(const http::Request& req, http::Response* refusal) {
  auto app = web_.apps.Resolve(req.Param("app"));
  if (!app.ok()) {
    *refusal = web_.pages.UnknownApp(req);
    return std::nullopt;
  }
  if (!services::DeviceAuthorizationService::EnabledFor(*app)) {
    const i18n::Texts t = web_.pages.TextsFor(req, &*app);
    *refusal = web_.pages.ErrorPage(req, &*app, 404, t("device.not_enabled_heading"),
                                    t("device.not_enabled_message"));
    return std::nullopt;
  }
  return std::move(*app);
}

std::optional<http::FormParams> DevicePages::CheckedForm(const http::Request& req,
                                                         const store::App& app,
                                                         http::Response* refusal) {
  auto form = http::ReadFormBody(req);
  if (!form.ok()) {
    const i18n::Texts t = web_.pages.TextsFor(req, &app);
    *refusal = web_.pages.ErrorPage(req, &app, 400, t("device.bad_request_heading"),
                                    t("device.form_unreadable"));
    return std::nullopt;
  }
  if (!web_.csrf.Check(req, *form)) {
    *refusal = web_.pages.CsrfRejected(req, app);
    return std::nullopt;
  }
  return std::move(*form);
}

http::Response DevicePages::Show(http::Request& req) {
  http::Response refusal;
  auto app = OpenApp(req, &refusal);
  if (!app) return refusal;
  http::QueryParams query = web::PageQuery(req);
  auto code = query.find("user_code");
  if (code == query.end()) return CodeForm(req, *app, "", "", 200);
  return Lookup(req, *app, code->second);
}

http::Response DevicePages::Enter(http::Request& req) {
  http::Response refusal;
  auto app = OpenApp(req, &refusal);
  if (!app) return refusal;
  auto form = CheckedForm(req, *app, &refusal);
  if (!form) return refusal;
  return Lookup(req, *app, http::FormValue(*form, "user_code"));
}

http::Response DevicePages::Decide(http::Request& req) {
  http::Response refusal;
  auto app = OpenApp(req, &refusal);
  if (!app) return refusal;
  auto form = CheckedForm(req, *app, &refusal);
  if (!form) return refusal;
  std::string typed = http::FormValue(*form, "user_code");
  auto session = web_.session_cookie.Current(*app, req);
  if (!session) return ToLogin(*app, typed.substr(0, 64));
  bool allow = http::FormValue(*form, "decision") == "allow";
  services::ClientInfo who = web::ClientOf(req);
  Status s = allow ? devices_.Approve(*app, typed, *session, who)
                   : devices_.Deny(*app, typed, *session, who);
  const i18n::Texts t = web_.pages.TextsFor(req, &*app);
  if (s.IsNotFound()) {
    return web_.pages.Message(req, *app, 410, t("device.code_gone_heading"),
                              t("device.code_gone_message"),
                              /*success=*/false, web_.urls.PagePath(*app, "device"),
                              t("device.enter_another_code"));
  }
  if (!s.ok()) return web_.pages.Unavailable(req, &*app);
  if (!allow) {
    return web_.pages.Message(req, *app, 200, t("device.denied_heading"),
                              t("device.denied_message"), /*success=*/false);
  }
  return web_.pages.Message(req, *app, 200, t("device.connected_heading"),
                            t("device.connected_message"), /*success=*/true);
}

}  // namespace tessera::oauth
