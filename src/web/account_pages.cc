#include "web/account_pages.h"

#include <boost/json.hpp>

#include "web/display_text.h"
#include "web/page_errors.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;

constexpr const char* kProfileFields[] = {"name",    "given_name",   "family_name", "nickname",
                                          "website", "phone_number", "locale",      "zoneinfo"};

std::string Notice(std::string_view done) {
  if (done == "profile") return "Your profile was saved.";
  if (done == "password") return "Your password was changed. Your other sessions were signed out.";
  if (done == "session") return "The session was signed out.";
  if (done == "app") return "The app's access was revoked.";
  if (done == "email") return "Check your new address: we sent it a link to confirm the change.";
  if (done == "verification") return "We sent you a verification link.";
  return "";
}

// What went wrong with an email form (its errors come back through the redirect).
std::string EmailProblem(std::string_view done) {
  if (done == "email-password")
    return "Your email was not changed: the current password is incorrect.";
  if (done == "email-invalid") return "Your email was not changed: enter a valid, new address.";
  if (done == "email-limited") return "Too many emails requested. Try again later.";
  if (done == "email-password-limited") return "Too many wrong passwords. Try again later.";
  if (done == "email-failed") return "The email could not be sent. Please try again in a moment.";
  return "";
}

}  // namespace

void AccountPages::Mount(http::Router& r, const PageGates& gates) {
  const auto back = AfterSignIn::kAccountPage;
  const std::string base = "/apps/{app}/account";
  r.Add(bh::verb::get, base, gates.WithBrowserSession(back, Bind(this, &AccountPages::Show)));
  r.Add(bh::verb::post, base + "/profile",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::SaveProfile)));
  r.Add(bh::verb::post, base + "/password",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::ChangePassword)),
        http::Dispatch::kHashing);
  r.Add(bh::verb::post, base + "/sessions/{id}/revoke",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::RevokeSession)));
  r.Add(bh::verb::post, base + "/apps/{id}/revoke",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::RevokeApp)));
}

http::Response AccountPages::Done(const store::App& app, std::string_view what) {
  return Redirect(
      kit_.urls.Absolute(kit_.urls.PagePath(app, "account") + "?done=" + std::string(what)));
}

PageData AccountPages::SessionRows(const BrowserVisit& v) {
  PageData rows(PageData::type::list);
  auto list = sessions_.ListSessions(v.app, v.session.user_id);
  if (!list.ok()) return rows;
  for (const auto& s : *list) {
    PageData item;
    std::string what = s.kind == store::SessionKind::kOAuth ? s.user_agent + " (app access)"
                       : s.kind == store::SessionKind::kApi
                           ? "API sign-in · " + DescribeAgent(s.user_agent)
                           : DescribeAgent(s.user_agent);
    item.set("description", what);
    item.set("detail", (s.ip.empty() ? "" : "IP " + s.ip + " · ") + "last active " +
                           FormatTime(s.last_used_at));
    item.set("current", s.id == v.session.id);
    item.set("revoke_action", kit_.urls.PagePath(v.app, "account/sessions/" + s.id + "/revoke"));
    rows.push_back(item);
  }
  return rows;
}

PageData AccountPages::AuthorizedAppRows(const BrowserVisit& v) {
  PageData rows(PageData::type::list);
  auto authorized = authz_.ListAuthorizedApps(v.app, v.session.user_id);
  if (!authorized.ok()) return rows;
  for (const auto& a : *authorized) {
    PageData item;
    item.set("client_name", a.client.name);
    std::string scopes;
    for (const auto& s : a.consent.scopes) scopes += (scopes.empty() ? "" : ", ") + s;
    item.set("scopes_text", scopes);
    item.set("granted_text", "Allowed " + FormatTime(a.consent.updated_at));
    item.set("revoke_action",
             kit_.urls.PagePath(
                 v.app, "account/apps/" + http::FormEncode(a.client.client_id) + "/revoke"));
    rows.push_back(item);
  }
  return rows;
}

http::Response AccountPages::Render(const http::Request& req, const BrowserVisit& v, PageData d,
                                    unsigned status) {
  auto user = accounts_.GetUser(v.app, v.session.user_id);
  if (!user.ok()) {
    return kit_.pages.ErrorPage(req, &v.app, user.status().IsNotFound() ? 404 : 503,
                                "Something went wrong", "Your account could not be loaded.");
  }
  const PageUrls& urls = kit_.urls;
  d.set("title", "Your account");
  d.set("user_display", user->email);
  d.set("email", user->email);
  d.set("email_verified", user->email_verified);
  d.set("profile_action", urls.PagePath(v.app, "account/profile"));
  d.set("password_action", urls.PagePath(v.app, "account/password"));
  d.set("logout_action", urls.PagePath(v.app, "logout"));
  d.set("email_action", urls.PagePath(v.app, "account/email"));
  if (!user->email_verified) d.set("verify_action", urls.PagePath(v.app, "account/verification"));
  d.set("password_min_length", std::to_string(accounts_.PolicyFor(v.app).min_length));
  if (!d.get("username")) d.set("username", user->username.value_or(""));
  boost::system::error_code ec;
  auto profile = boost::json::parse(user->profile_json, ec);
  for (const char* f : kProfileFields) {
    if (d.get(f)) continue;  // a re-shown form keeps what the user typed
    std::string value;
    if (!ec && profile.is_object()) {
      if (auto* p = profile.as_object().if_contains(f); p && p->is_string()) value = p->as_string();
    }
    d.set(f, value);
  }
  PageData sessions = SessionRows(v);
  d.set("has_sessions", sessions.is_non_empty_list());
  d.set("sessions", sessions);
  PageData apps = AuthorizedAppRows(v);
  d.set("has_apps", apps.is_non_empty_list());
  d.set("apps", apps);
  return kit_.pages.Page(req, v.app, "account", std::move(d), status);
}

http::Response AccountPages::Show(http::Request& req, const BrowserVisit& v) {
  PageData d;
  std::string done = http::FormValue(PageQuery(req), "done");
  if (std::string notice = Notice(done); !notice.empty()) d.set("notice", notice);
  if (std::string problem = EmailProblem(done); !problem.empty()) d.set("email_error", problem);
  return Render(req, v, std::move(d), 200);
}

http::Response AccountPages::SaveProfile(http::Request& req, const BrowserVisit& v,
                                         const Form& form) {
  services::ProfileUpdate update;
  if (form.contains("username")) {
    std::string u = http::FormValue(form, "username");
    update.username = u.empty() ? std::optional<std::string>() : std::optional(u);
  }
  boost::json::object patch;
  for (const char* f : kProfileFields) {
    if (!form.contains(f)) continue;
    std::string value = http::FormValue(form, f);
    if (value.empty())
      patch[f] = nullptr;
    else
      patch[f] = value;
  }
  update.profile_patch = std::move(patch);
  auto saved = accounts_.UpdateProfile(v.app, v.session.user_id, update);
  if (saved.ok()) return Done(v.app, "profile");
  const Status& s = saved.status();
  PageData d;
  PageData errors(PageData::type::list);
  for (const auto& e : s.field_errors()) {
    PageData item;
    item.set("message", e.field + ": " + e.message);
    errors.push_back(item);
  }
  d.set("profile_errors", errors);
  if (s.field_errors().empty()) d.set("error", "Your profile could not be saved.");
  d.set("username", http::FormValue(form, "username"));
  for (const char* f : kProfileFields) d.set(f, http::FormValue(form, f));
  bool invalid = s.code() == StatusCode::kInvalidArgument || s.IsAlreadyExists();
  return Render(req, v, std::move(d), invalid ? 400 : 503);
}

http::Response AccountPages::ChangePassword(http::Request& req, const BrowserVisit& v,
                                            const Form& form) {
  Status s =
      accounts_.ChangePassword(v.app, v.session.user_id, http::FormValue(form, "current_password"),
                               http::FormValue(form, "new_password"), v.session.id, ClientOf(req));
  if (s.ok()) return Done(v.app, "password");
  PageData d;
  std::string message = "Your password could not be changed. Please try again.";
  if (s.code() == StatusCode::kRateLimited) {
    message = s.message();  // too many wrong current passwords: when to try again
  } else if (!s.field_errors().empty()) {
    const auto& e = s.field_errors().front();
    message =
        (e.field == "current_password" ? "Current password " : "New password ") + e.message + ".";
  }
  d.set("password_error", message);
  unsigned status = s.code() == StatusCode::kInvalidArgument ? 400
                    : s.code() == StatusCode::kRateLimited   ? 429
                                                             : 503;
  return WithRetryAfter(Render(req, v, std::move(d), status), s);
}

http::Response AccountPages::RevokeSession(http::Request& req, const BrowserVisit& v, const Form&) {
  Status s = sessions_.RevokeSession(v.app, v.session.user_id, req.Param("id"), store::RevokeReason::kRevokedByUser);
  if (!s.ok() && !s.IsNotFound()) return kit_.pages.Unavailable(req, &v.app);
  return Done(v.app, "session");
}

http::Response AccountPages::RevokeApp(http::Request& req, const BrowserVisit& v, const Form&) {
  Status s = authz_.RevokeAuthorization(v.app, v.session.user_id, req.Param("id"));
  if (!s.ok() && !s.IsNotFound()) return kit_.pages.Unavailable(req, &v.app);
  return Done(v.app, "app");
}

}  // namespace tessera::web
