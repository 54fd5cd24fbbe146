#include "web/console_user_pages.h"

#include <boost/json.hpp>

#include "web/console_common.h"
#include "web/page_errors.h"

namespace tessera::web {
namespace {

namespace bh = http::beast_http;
using namespace console;

constexpr int kUsersPerPage = 25;

std::string SessionKind(const store::Session& s) {
  if (s.kind == store::SessionKind::kBrowser) return "Browser";
  if (s.kind == store::SessionKind::kOAuth) return "App grant";
  return "API sign-in";
}

// The string members of a user's profile, for the user page.
PageData ProfileRows(const std::string& profile_json) {
  PageData rows = List();
  boost::system::error_code ec;
  auto v = boost::json::parse(profile_json, ec);
  if (ec || !v.is_object()) return rows;
  for (const auto& [k, value] : v.as_object()) {
    std::string text;
    if (value.is_string())
      text = value.as_string();
    else if (value.is_bool())
      text = value.as_bool() ? "yes" : "no";
    else if (value.is_number())
      text = boost::json::serialize(value);
    else
      continue;
    if (text.empty()) continue;
    PageData row;
    row.set("key", std::string(k));
    row.set("value", text.substr(0, 300));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

void ConsoleUserPages::Mount(http::Router& r, const ConsoleGates& gates) {
  using P = ConsoleUserPages;
  const std::string user = "/console/apps/{slug}/users/{id}";
  r.Add(bh::verb::get, "/console/apps/{slug}/users", gates.WithAppVisitor(Bind(this, &P::Users)));
  r.Add(bh::verb::get, user, gates.WithAppVisitor(Bind(this, &P::ShowUser)));
  r.Add(bh::verb::post, user + "/disable", gates.WithAppVisitor(Bind(this, &P::DisableUser)));
  r.Add(bh::verb::post, user + "/enable", gates.WithAppVisitor(Bind(this, &P::EnableUser)));
  r.Add(bh::verb::post, user + "/sign-out", gates.WithAppVisitor(Bind(this, &P::SignOutUser)));
  r.Add(bh::verb::post, user + "/mfa-reset", gates.WithAppVisitor(Bind(this, &P::ResetFactors)));
  r.Add(bh::verb::post, user + "/password-reset",
        gates.WithAppVisitor(Bind(this, &P::SendUserPasswordReset)));
  r.Add(bh::verb::get, user + "/delete", gates.WithAppVisitor(Bind(this, &P::ConfirmDeleteUser)));
  r.Add(bh::verb::post, user + "/delete", gates.WithAppVisitor(Bind(this, &P::DeleteUser)));
}

std::string ConsoleUserPages::UserPath(const AppVisitor& a, const std::string& user_id) const {
  return layout_.AppPath(a.app(), "/users/" + http::FormEncode(user_id));
}

http::Response ConsoleUserPages::Users(http::Request& req, const AppVisitor& a) {
  const store::App& app = a.app();
  const http::QueryParams query = PageQuery(req);
  std::string q = QueryText(query, "q", 200).value_or("");
  std::optional<std::string> cursor = QueryText(query, "cursor", 100);
  PageData d;
  layout_.AppBase(d, a, "Users", "users");
  SetNotice(d, query);
  d.set("heading", "Users");
  d.set("q", q);
  d.set("search_action", layout_.AppPath(app, "/users"));
  auto listed = users_.List(app, q, cursor, kUsersPerPage);
  if (!listed.ok() && listed.status().code() != StatusCode::kInvalidArgument) {
    return layout_.Unavailable(req, a.visitor);
  }
  const store::UserPage empty;  // a cursor that is no longer valid: an empty page
  const store::UserPage* page = listed.ok() ? &*listed : &empty;
  if (auto n = users_.Count(app); n.ok()) d.set("total", std::to_string(*n));
  PageData rows = List();
  for (const auto& u : page->users) {
    PageData row;
    row.set("email", u.email);
    row.set("username", u.username.value_or(""));
    row.set("url", UserPath(a, u.id));
    row.set("disabled", u.disabled);
    row.set("verified", u.email_verified);
    row.set("created", FormatTime(u.created_at));
    row.set("last_login", FormatTime(u.last_login_at, "Never"));
    rows.push_back(row);
  }
  d.set("users", rows);
  d.set("searching", !q.empty());
  const std::string users_path = layout_.AppPath(app, "/users");
  if (page->next_cursor) {
    d.set("next_url", users_path + QueryString({{"q", q}, {"cursor", *page->next_cursor}}));
  }
  if (cursor) d.set("first_url", users_path + QueryString({{"q", q}}));
  d.set("pager", page->next_cursor.has_value() || cursor.has_value());
  return layout_.Render(req, a.visitor, "console_users", std::move(d), 200);
}

http::Response ConsoleUserPages::ShowUser(http::Request& req, const AppVisitor& a) {
  auto detail = users_.Get(a.app(), req.Param("id"));
  if (!detail.ok()) return layout_.Failure(req, a.visitor, detail.status());
  PageData d;
  SetNotice(d, PageQuery(req));
  return RenderUser(req, a, *detail, std::move(d), 200);
}

http::Response ConsoleUserPages::RenderUser(const http::Request& req, const AppVisitor& a,
                                            const services::UserDetail& detail, PageData d,
                                            unsigned status) {
  const store::User& u = detail.user;
  layout_.AppBase(d, a, u.email, "users");
  d.set("heading", u.email);
  d.set("user_id", u.id);
  d.set("email", u.email);
  d.set("username", u.username.value_or(""));
  d.set("email_verified", u.email_verified);
  d.set("disabled", u.disabled);
  d.set("has_password", u.password_hash.has_value());
  d.set("roles", Join(u.roles, ", "));
  d.set("created", FormatTime(u.created_at));
  d.set("updated", FormatTime(u.updated_at));
  d.set("last_login", FormatTime(u.last_login_at, "Never"));
  d.set("profile", ProfileRows(u.profile_json));
  PageData sessions = List();
  for (const auto& s : detail.sessions) {
    PageData row;
    row.set("kind", SessionKind(s));
    row.set("device",
            s.kind == store::SessionKind::kOAuth ? "Client " + s.client_id : DescribeAgent(s.user_agent));
    row.set("ip", s.ip.empty() ? std::string("—") : s.ip);
    row.set("created", FormatTime(s.created_at));
    row.set("last_used", FormatTime(s.last_used_at));
    sessions.push_back(row);
  }
  d.set("sessions", sessions);
  PageData identities = List();
  if (federation_) {
    if (auto linked = federation_->LinkedIdentities(a.app(), u.id); linked.ok()) {
      for (const auto& l : *linked) {
        PageData row;
        row.set("provider", l.provider_name);
        row.set("username", l.identity.username.empty() ? std::string("—") : l.identity.username);
        row.set("email", l.identity.email.empty() ? std::string("—") : l.identity.email);
        row.set("subject", l.identity.subject);
        row.set("linked", FormatTime(l.identity.created_at));
        row.set("last_used", FormatTime(l.identity.last_used_at));
        identities.push_back(row);
      }
    }
  }
  d.set("identities", identities);
  const std::string base = UserPath(a, u.id);
  if (factors_) {
    auto factors = factors_->ListFactors(a.app(), u.id);
    auto left = factors_->RecoveryCodesLeft(a.app(), u.id);
    if (factors.ok() && left.ok()) {
      PageData rows = List();
      for (const auto& f : *factors) {
        PageData row;
        row.set("kind", f.kind == store::FactorKind::kTotp ? "Authenticator app" : "Passkey");
        row.set("name", f.name);
        row.set("added", FormatTime(f.created_at));
        row.set("last_used", f.last_used_at ? FormatTime(*f.last_used_at) : "Never");
        rows.push_back(row);
      }
      d.set("mfa_panel", true);
      d.set("factors", rows);
      d.set("has_factors", !factors->empty());
      d.set("recovery_codes_left", std::to_string(*left));
      if (!factors->empty()) d.set("mfa_reset_action", base + "/mfa-reset");
    }
  }
  d.set("users_url", layout_.AppPath(a.app(), "/users"));
  d.set(u.disabled ? "enable_action" : "disable_action",
        base + (u.disabled ? "/enable" : "/disable"));
  d.set("sign_out_action", base + "/sign-out");
  d.set("reset_action", base + "/password-reset");
  d.set("delete_url", base + "/delete");
  return layout_.Render(req, a.visitor, "console_user", std::move(d), status);
}

http::Response ConsoleUserPages::DisableUser(http::Request& req, const AppVisitor& a, const Form&) {
  return SetUserDisabled(req, a, true);
}

http::Response ConsoleUserPages::EnableUser(http::Request& req, const AppVisitor& a, const Form&) {
  return SetUserDisabled(req, a, false);
}

http::Response ConsoleUserPages::SetUserDisabled(http::Request& req, const AppVisitor& a,
                                                 bool disabled) {
  auto user = users_.SetDisabled(a.app(), req.Param("id"), disabled, a.visitor.actor);
  if (!user.ok()) return layout_.Failure(req, a.visitor, user.status());
  return layout_.Done(UserPath(a, user->id), disabled ? "user-disabled" : "user-enabled");
}

// A lost device: every factor and recovery code of the user goes (audited, mailed to them).
http::Response ConsoleUserPages::ResetFactors(http::Request& req, const AppVisitor& a, const Form&) {
  if (!factors_) return layout_.NotFound(req, a.visitor);
  auto detail = users_.Get(a.app(), req.Param("id"));
  if (!detail.ok()) return layout_.Failure(req, a.visitor, detail.status());
  auto removed = factors_->Reset(a.app(), detail->user, a.visitor.actor);
  if (!removed.ok()) return layout_.Failure(req, a.visitor, removed.status());
  return layout_.Done(UserPath(a, detail->user.id), "mfa-reset");
}

http::Response ConsoleUserPages::SignOutUser(http::Request& req, const AppVisitor& a, const Form&) {
  auto n = users_.SignOutEverywhere(a.app(), req.Param("id"), a.visitor.actor);
  if (!n.ok()) return layout_.Failure(req, a.visitor, n.status());
  return layout_.Done(UserPath(a, req.Param("id")), "user-signed-out");
}

http::Response ConsoleUserPages::SendUserPasswordReset(http::Request& req, const AppVisitor& a,
                                                       const Form&) {
  Status s = users_.SendPasswordReset(a.app(), req.Param("id"), a.visitor.actor);
  if (s.ok()) return layout_.Done(UserPath(a, req.Param("id")), "reset-sent");
  if (s.IsNotFound()) return layout_.NotFound(req, a.visitor);
  auto detail = users_.Get(a.app(), req.Param("id"));
  if (!detail.ok()) return layout_.Unavailable(req, a.visitor);
  const PageFailure failure = PageFailureOf(s, EnglishTexts());
  PageData d;
  unsigned status = failure.status;
  if (failure.unavailable()) {
    d.set("error", "The reset link could not be sent just now. Please try again in a moment.");
  } else if (s.code() == StatusCode::kRateLimited) {
    d.set("error", "Too many reset links were sent to this user lately. Try again later.");
  } else {
    // The account cannot get a link (disabled, say): a conflict with its state.
    d.set("error", "No reset link was sent: " + s.message() + ".");
    status = 409;
  }
  return WithRetryAfter(RenderUser(req, a, *detail, std::move(d), status), s);
}

http::Response ConsoleUserPages::RenderDelete(const http::Request& req, const AppVisitor& a,
                                              const services::UserDetail& detail,
                                              const std::optional<std::string>& typed) {
  PageData d;
  layout_.AppBase(d, a, "Delete " + detail.user.email, "users");
  d.set("heading", "Delete this user?");
  d.set("email", detail.user.email);
  d.set("action", UserPath(a, detail.user.id) + "/delete");
  d.set("cancel_url", UserPath(a, detail.user.id));
  d.set("sessions_count", std::to_string(detail.sessions.size()));
  if (typed) {
    d.set("confirm_email", *typed);
    d.set("confirm_error", "Type the user’s email address exactly to confirm.");
  }
  return layout_.Render(req, a.visitor, "console_user_delete", std::move(d), typed ? 400 : 200);
}

http::Response ConsoleUserPages::ConfirmDeleteUser(http::Request& req, const AppVisitor& a) {
  auto detail = users_.Get(a.app(), req.Param("id"));
  if (!detail.ok()) return layout_.Failure(req, a.visitor, detail.status());
  return RenderDelete(req, a, *detail, std::nullopt);
}

http::Response ConsoleUserPages::DeleteUser(http::Request& req, const AppVisitor& a,
                                            const Form& form) {
  auto detail = users_.Get(a.app(), req.Param("id"));
  if (!detail.ok()) return layout_.Failure(req, a.visitor, detail.status());
  std::string typed = Field(form, "confirm_email", 400);
  if (Lowercase(typed) != Lowercase(detail->user.email)) {
    return RenderDelete(req, a, *detail, typed);
  }
  Status s = users_.Delete(a.app(), detail->user.id, a.visitor.actor);
  if (!s.ok() && !s.IsNotFound()) return layout_.Unavailable(req, a.visitor);
  return layout_.Done(layout_.AppPath(a.app(), "/users"), "user-deleted");
}

}  // namespace tessera::web
