// The developer console's people pages: an app's users (search, paging, one user with their
// sessions, disable/enable, sign out everywhere, reset link, delete with confirmation), its
// members (the developers who manage it), and its audit log.
#include <boost/json.hpp>

#include "http/form.h"
#include "web/console_common.h"
#include "web/console_pages.h"
#include "web/login_pages.h"

namespace tessera::web {
namespace {

using namespace console;

constexpr int kUsersPerPage = 25;
constexpr int kAuditPerPage = 50;

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
    if (value.is_string()) text = value.as_string();
    else if (value.is_bool()) text = value.as_bool() ? "yes" : "no";
    else if (value.is_number()) text = boost::json::serialize(value);
    else continue;
    if (text.empty()) continue;
    PageData row;
    row.set("key", std::string(k));
    row.set("value", text.substr(0, 300));
    rows.push_back(row);
  }
  return rows;
}

std::optional<std::string> Param(const std::optional<Form>& query, const std::string& name,
                                 size_t max) {
  if (!query) return std::nullopt;
  std::string v = Trim(http::FormValue(*query, name));
  if (v.empty()) return std::nullopt;
  if (v.size() > max) v.resize(max);
  return v;
}

}  // namespace

// ---- Users ---------------------------------------------------------------------------------

http::Response ConsolePages::Users(http::Request& req) {
  auto visit = EnterApp(req, nullptr);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  const store::App& app = a.app();
  auto query = QueryOf(req);
  std::string q = Param(query, "q", 200).value_or("");
  std::optional<std::string> cursor = Param(query, "cursor", 100);
  PageData d;
  AppBase(d, a, "Users", "users");
  SetNotice(d, query);
  d.set("heading", "Users");
  d.set("q", q);
  d.set("search_action", AppPath(app, "/users"));
  auto listed = users_.List(app, q, cursor, kUsersPerPage);
  if (!listed.ok() && listed.status().code() != StatusCode::kInvalidArgument) {
    return Unavailable(req, a.v);
  }
  const store::UserPage empty;  // a cursor that is no longer valid: an empty page
  const store::UserPage* page = listed.ok() ? &*listed : &empty;
  if (auto n = users_.Count(app); n.ok()) d.set("total", std::to_string(*n));
  PageData rows = List();
  for (const auto& u : page->users) {
    PageData row;
    row.set("email", u.email);
    row.set("username", u.username.value_or(""));
    row.set("url", AppPath(app, "/users/" + http::FormEncode(u.id)));
    row.set("disabled", u.disabled);
    row.set("verified", u.email_verified);
    row.set("created", FormatTime(u.created_at));
    row.set("last_login", FormatTime(u.last_login_at, "Never"));
    rows.push_back(row);
  }
  d.set("users", rows);
  d.set("searching", !q.empty());
  if (page->next_cursor) {
    d.set("next_url", AppPath(app, "/users") + QueryString({{"q", q}, {"cursor", *page->next_cursor}}));
  }
  if (cursor) d.set("first_url", AppPath(app, "/users") + QueryString({{"q", q}}));
  d.set("pager", page->next_cursor.has_value() || cursor.has_value());
  return Render(req, a.v, "console_users", std::move(d), 200);
}

http::Response ConsolePages::ShowUser(http::Request& req) {
  auto visit = EnterApp(req, nullptr);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  auto detail = users_.Get(a.app(), req.Param("id"));
  if (!detail.ok()) return detail.status().IsNotFound() ? NotFound(req, a.v) : Unavailable(req, a.v);
  PageData d;
  SetNotice(d, QueryOf(req));
  return RenderUser(req, a, *detail, std::move(d), 200);
}

http::Response ConsolePages::RenderUser(const http::Request& req, const AppVisitor& a,
                                        const services::UserDetail& detail, PageData d,
                                        unsigned status) {
  const store::App& app = a.app();
  const store::User& u = detail.user;
  AppBase(d, a, u.email, "users");
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
    row.set("device", s.kind == store::SessionKind::kOAuth ? "Client " + s.client_id
                                                           : DescribeAgent(s.user_agent));
    row.set("ip", s.ip.empty() ? std::string("—") : s.ip);
    row.set("created", FormatTime(s.created_at));
    row.set("last_used", FormatTime(s.last_used_at));
    sessions.push_back(row);
  }
  d.set("sessions", sessions);
  const std::string base = AppPath(app, "/users/" + http::FormEncode(u.id));
  d.set("users_url", AppPath(app, "/users"));
  d.set(u.disabled ? "enable_action" : "disable_action", base + (u.disabled ? "/enable" : "/disable"));
  d.set("sign_out_action", base + "/sign-out");
  d.set("reset_action", base + "/password-reset");
  d.set("delete_url", base + "/delete");
  return Render(req, a.v, "console_user", std::move(d), status);
}

http::Response ConsolePages::SetUserDisabled(http::Request& req, bool disabled) {
  Form form;
  auto visit = EnterApp(req, &form);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  auto user = users_.SetDisabled(a.app(), req.Param("id"), disabled, a.v.actor);
  if (!user.ok()) return user.status().IsNotFound() ? NotFound(req, a.v) : Unavailable(req, a.v);
  return Done(AppPath(a.app(), "/users/" + http::FormEncode(user->id)),
              disabled ? "user-disabled" : "user-enabled");
}

http::Response ConsolePages::SignOutUser(http::Request& req) {
  Form form;
  auto visit = EnterApp(req, &form);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  auto n = users_.SignOutEverywhere(a.app(), req.Param("id"), a.v.actor);
  if (!n.ok()) return n.status().IsNotFound() ? NotFound(req, a.v) : Unavailable(req, a.v);
  return Done(AppPath(a.app(), "/users/" + http::FormEncode(req.Param("id"))), "user-signed-out");
}

http::Response ConsolePages::SendUserPasswordReset(http::Request& req) {
  Form form;
  auto visit = EnterApp(req, &form);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  Status s = users_.SendPasswordReset(a.app(), req.Param("id"), a.v.actor);
  if (s.ok()) {
    return Done(AppPath(a.app(), "/users/" + http::FormEncode(req.Param("id"))), "reset-sent");
  }
  if (s.IsNotFound()) return NotFound(req, a.v);
  auto detail = users_.Get(a.app(), req.Param("id"));
  if (!detail.ok()) return Unavailable(req, a.v);
  PageData d;
  unsigned status = 503;
  switch (s.code()) {
    case StatusCode::kRateLimited:
      d.set("error", "Too many reset links were sent to this user lately. Try again later.");
      status = 429;
      break;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kPermissionDenied:
    case StatusCode::kInvalidArgument:
      d.set("error", "No reset link was sent: " + s.message() + ".");
      status = 409;
      break;
    default:
      d.set("error", "The reset link could not be sent just now. Please try again in a moment.");
  }
  http::Response r = RenderUser(req, a, *detail, std::move(d), status);
  if (status == 429 && s.retry_after_s() > 0) r.WithHeader("Retry-After", std::to_string(s.retry_after_s()));
  return r;
}

http::Response ConsolePages::ConfirmDeleteUser(http::Request& req) {
  auto visit = EnterApp(req, nullptr);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  auto detail = users_.Get(a.app(), req.Param("id"));
  if (!detail.ok()) return detail.status().IsNotFound() ? NotFound(req, a.v) : Unavailable(req, a.v);
  PageData d;
  AppBase(d, a, "Delete " + detail->user.email, "users");
  d.set("heading", "Delete this user?");
  d.set("email", detail->user.email);
  d.set("action", AppPath(a.app(), "/users/" + http::FormEncode(detail->user.id) + "/delete"));
  d.set("cancel_url", AppPath(a.app(), "/users/" + http::FormEncode(detail->user.id)));
  d.set("sessions_count", std::to_string(detail->sessions.size()));
  return Render(req, a.v, "console_user_delete", std::move(d), 200);
}

http::Response ConsolePages::DeleteUser(http::Request& req) {
  Form form;
  auto visit = EnterApp(req, &form);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  auto detail = users_.Get(a.app(), req.Param("id"));
  if (!detail.ok()) return detail.status().IsNotFound() ? NotFound(req, a.v) : Unavailable(req, a.v);
  if (Lowercase(Field(form, "confirm_email", 400)) != Lowercase(detail->user.email)) {
    PageData d;
    AppBase(d, a, "Delete " + detail->user.email, "users");
    d.set("heading", "Delete this user?");
    d.set("email", detail->user.email);
    d.set("action", AppPath(a.app(), "/users/" + http::FormEncode(detail->user.id) + "/delete"));
    d.set("cancel_url", AppPath(a.app(), "/users/" + http::FormEncode(detail->user.id)));
    d.set("sessions_count", std::to_string(detail->sessions.size()));
    d.set("confirm_email", Field(form, "confirm_email", 400));
    d.set("confirm_error", "Type the user’s email address exactly to confirm.");
    return Render(req, a.v, "console_user_delete", std::move(d), 400);
  }
  Status s = users_.Delete(a.app(), detail->user.id, a.v.actor);
  if (!s.ok() && !s.IsNotFound()) return Unavailable(req, a.v);
  return Done(AppPath(a.app(), "/users"), "user-deleted");
}

// ---- Members -------------------------------------------------------------------------------

http::Response ConsolePages::Members(http::Request& req) {
  auto visit = EnterApp(req, nullptr);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  PageData d;
  SetNotice(d, QueryOf(req));
  return RenderMembers(req, std::get<AppVisitor>(visit), std::move(d), 200);
}

http::Response ConsolePages::RenderMembers(const http::Request& req, const AppVisitor& a,
                                           PageData d, unsigned status) {
  const store::App& app = a.app();
  AppBase(d, a, "Members", "members");
  d.set("heading", "Members");
  auto members = console_.ListMembers(a.access);
  if (!members.ok()) return Unavailable(req, a.v);
  const bool manage = a.access.may_manage_members();
  PageData rows = List();
  for (const auto& m : *members) {
    PageData row;
    row.set("email", m.email.empty() ? "(account deleted)" : m.email);
    row.set("role", m.member.role == store::MemberRole::kOwner ? "Owner" : "Member");
    row.set("added", FormatTime(m.member.created_at));
    row.set("you", m.member.user_id == a.v.user.id);
    if (manage) {
      row.set("remove_action",
              AppPath(app, "/members/" + http::FormEncode(m.member.user_id) + "/remove"));
    }
    rows.push_back(row);
  }
  d.set("members", rows);
  d.set("may_manage", manage);
  if (manage) d.set("add_action", AppPath(app, "/members"));
  if (!d.get("member_email")) d.set("member_email", "");
  if (!d.get("role_owner")) d.set("role_owner", false);
  return Render(req, a.v, "console_members", std::move(d), status);
}

http::Response ConsolePages::AddMember(http::Request& req) {
  Form form;
  auto visit = EnterApp(req, &form);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  std::string email = Field(form, "email", 320);
  std::string role = http::FormValue(form, "role") == "owner" ? "owner" : "member";
  auto added = console_.AddMember(a.access, email, role, a.v.actor);
  if (added.ok()) return Done(AppPath(a.app(), "/members"), "member-added");
  const Status& s = added.status();
  PageData d;
  d.set("member_email", email);
  d.set("role_owner", role == "owner");
  unsigned status = 400;
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists: {
      auto others = SetFieldErrors(d, s, {"email", "role"});
      d.set("error", others.empty() ? "The member was not added: please check the highlighted fields."
                                    : "The member was not added: " + Join(others, "; ") + ".");
      status = s.IsAlreadyExists() ? 409 : 400;
      break;
    }
    case StatusCode::kPermissionDenied:
      d.set("error", "Only the app's owners can add members.");
      status = 403;
      break;
    case StatusCode::kFailedPrecondition:
      d.set("error", "The member was not added: " + s.message() + ".");
      status = 409;
      break;
    default:
      return Unavailable(req, a.v);
  }
  return RenderMembers(req, a, std::move(d), status);
}

http::Response ConsolePages::RemoveMember(http::Request& req) {
  Form form;
  auto visit = EnterApp(req, &form);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  const std::string& user_id = req.Param("user_id");
  Status s = console_.RemoveMember(a.access, user_id, a.v.actor);
  if (s.ok()) {
    // Someone who removed themselves can no longer open the app's pages.
    if (user_id == a.v.user.id && a.access.role != services::AccessRole::kOperator) {
      return Done(web_.ConsolePath(), "member-left");
    }
    return Done(AppPath(a.app(), "/members"), "member-removed");
  }
  PageData d;
  unsigned status;
  switch (s.code()) {
    case StatusCode::kNotFound:
      return Done(AppPath(a.app(), "/members"), "member-removed");
    case StatusCode::kPermissionDenied:
      d.set("error", "Only the app's owners can remove members.");
      status = 403;
      break;
    case StatusCode::kFailedPrecondition:
      d.set("error", "The member was not removed: " + s.message() + ".");
      status = 409;
      break;
    default:
      return Unavailable(req, a.v);
  }
  return RenderMembers(req, a, std::move(d), status);
}

// ---- Audit log -----------------------------------------------------------------------------

http::Response ConsolePages::AppAudit(http::Request& req) {
  auto visit = EnterApp(req, nullptr);
  if (auto* r = std::get_if<http::Response>(&visit)) return std::move(*r);
  const AppVisitor& a = std::get<AppVisitor>(visit);
  PageData d;
  AppBase(d, a, "Audit log", "audit");
  d.set("heading", "Audit log");
  auto query = QueryOf(req);
  store::AuditFilter filter;
  filter.app_id = a.app().id;
  FillAudit(a.v, std::move(filter), d, AppPath(a.app(), "/audit"), query.value_or(Form{}), nullptr);
  return Render(req, a.v, "console_audit", std::move(d), 200);
}

void ConsolePages::FillAudit(const Visitor& v, store::AuditFilter filter, PageData& d,
                             const std::string& base_path, const Form& query,
                             const std::map<std::string, std::string>* app_slugs) {
  const std::optional<Form> q(query);
  std::string action = Param(q, "action", 100).value_or("");
  std::string actor = Param(q, "actor", 100).value_or("");
  std::string subject = Param(q, "subject", 100).value_or("");
  std::optional<std::string> cursor = Param(q, "cursor", 100);
  if (!action.empty()) filter.action = action;
  if (!actor.empty()) filter.actor_id = actor;
  if (!subject.empty()) filter.subject_id = subject;
  filter.cursor = cursor;
  filter.limit = kAuditPerPage + 1;
  d.set("filter_action", action);
  d.set("filter_actor", actor);
  d.set("filter_subject", subject);
  d.set("filter_url", base_path);
  d.set("filtering", !action.empty() || !actor.empty() || !subject.empty());
  d.set("with_app", app_slugs != nullptr);
  auto events = audit_.List(filter);
  if (!events.ok()) {
    d.set("events", List());
    d.set("error", "The audit log could not be read just now. Please try again in a moment.");
    return;
  }
  const bool more = static_cast<int>(events->size()) > kAuditPerPage;
  if (more) events->resize(kAuditPerPage);
  // Console users by id, for the actor column (a page has few distinct ones).
  std::map<std::string, std::string> emails;
  auto who = [&](const store::AuditEvent& e) -> std::string {
    if ((e.actor_type == store::AuditActorType::kDeveloper ||
         e.actor_type == store::AuditActorType::kAdmin) &&
        !e.actor_id.empty() && e.actor_id != "cli") {
      auto it = emails.find(e.actor_id);
      if (it == emails.end()) {
        auto u = accounts_.GetUser(v.console, e.actor_id);
        it = emails.emplace(e.actor_id, u.ok() ? u->email : "").first;
      }
      if (!it->second.empty()) return it->second;
    }
    return e.actor_id;
  };
  PageData rows = List();
  for (const auto& e : *events) {
    PageData row;
    row.set("time", FormatTime(e.at));
    row.set("action", std::string(ToText(e.action)));
    row.set("actor_type", std::string(ToText(e.actor_type)));
    row.set("actor", who(e));
    row.set("actor_id", e.actor_id);
    row.set("subject_type", std::string(ToText(e.subject_type)));
    row.set("subject_id", e.subject_id);
    row.set("ip", e.ip);
    row.set("failed", e.outcome != store::AuditOutcome::kSuccess);
    row.set("outcome", std::string(ToText(e.outcome)));
    if (e.details_json != "{}" && !e.details_json.empty()) row.set("details", e.details_json.substr(0, 300));
    if (app_slugs) {
      std::string slug;
      if (e.app_id) {
        auto it = app_slugs->find(*e.app_id);
        slug = it != app_slugs->end() ? it->second : *e.app_id;
      }
      row.set("app", slug.empty() ? std::string("—") : slug);
    }
    rows.push_back(row);
  }
  d.set("events", rows);
  std::string app_filter = http::FormValue(query, "app");
  if (more && !events->empty()) {
    d.set("older_url", base_path + QueryString({{"app", app_filter},
                                                {"action", action},
                                                {"actor", actor},
                                                {"subject", subject},
                                                {"cursor", events->back().id}}));
  }
  d.set("pager", (more && !events->empty()) || cursor.has_value());
  if (cursor) {
    d.set("newest_url", base_path + QueryString({{"app", app_filter},
                                                 {"action", action},
                                                 {"actor", actor},
                                                 {"subject", subject}}));
  }
}

}  // namespace tessera::web
