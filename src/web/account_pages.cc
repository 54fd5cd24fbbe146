#include "web/account_pages.h"

#include "web/mfa_pages.h"

#include <algorithm>

#include <boost/json.hpp>

#include "base/time_zone.h"
#include "base/uri_rules.h"
#include "oauth/oidc_claims.h"
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
  if (done == "others") return "Your other sessions were signed out. This one stays signed in.";
  if (done == "app") return "The app's access was revoked.";
  if (done == "api-token") return "The API token was revoked.";
  if (done == "email") return "Check your new address: we sent it a link to confirm the change.";
  if (done == "verification") return "We sent you a verification link.";
  if (done == "linked") return "Linked. You can now sign in with it too.";
  if (done == "unlinked") return "Unlinked. It no longer signs you in here.";
  if (done == "unlink-last") {
    return "Not unlinked: it is your only way to sign in. Set a password first.";
  }
  if (done == "mfa-added") return "Two-step verification is on: you’ll enter a code when you sign in.";
  if (done == "mfa-removed") return "The second factor was removed.";
  if (done == "mfa-renamed") return "The second factor was renamed.";
  if (done == "mfa-codes") return "New recovery codes were made; the old ones no longer work.";
  if (done == "mfa-expired") return "That setup expired. Start again to add an authenticator app.";
  if (done == "mfa-bad-name") return "Not renamed: a name has 1 to 64 characters.";
  if (done == "mfa-none") return "Add a second factor first.";
  if (done == "passkey-added") return "Passkey added: you can sign in with it, and it counts as a second factor.";
  if (done == "welcome") {
    return "Welcome! Check your inbox: we sent you a link to confirm your email address.";
  }
  return "";
}

// "1 personal API token was revoked", "2 personal API tokens were revoked".
std::string Counted(int64_t n, std::string_view noun, std::string_view done) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? " was " : "s were ") +
         std::string(done);
}

// What a form that ends access did with the API tokens: "kept", or how many it revoked (the
// redirect carries it; anything else reads as nothing to say).
std::string ApiTokensNotice(std::string_view what) {
  if (what == "kept") return " Your personal API tokens were kept.";
  if (what.empty() || what.size() > 3 ||
      what.find_first_not_of("0123456789") != std::string_view::npos) {
    return "";
  }
  int64_t n = std::stoll(std::string(what));
  return n > 0 ? " " + Counted(n, "personal API token", "revoked") + "." : "";
}

// The forms that end access (password, sign out everywhere) offer "Also revoke my N personal
// API tokens", ticked. An unticked box sends nothing, so the form also says it offered the
// choice: a form that did not (a stale page, a script) never keeps the tokens by omission.
bool KeepsApiTokens(const http::FormParams& form) {
  return form.contains("api_tokens_offered") && !form.contains("revoke_api_tokens");
}

// What a form that ends access did with the API tokens, for ApiTokensNotice.
std::string ApiTokensOutcome(bool kept, int64_t revoked) {
  return kept ? "kept" : std::to_string(revoked);
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

// The profile form's label of an API field ("website" → "Website"); "" for none on the form.
std::string ProfileFieldLabel(std::string_view field) {
  static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
      {"name", "Full name"},  {"given_name", "Given name"},      {"family_name", "Family name"},
      {"username", "Username"}, {"nickname", "Nickname"},        {"website", "Website"},
      {"phone_number", "Phone number"}, {"locale", "Language"}, {"zoneinfo", "Time zone"}};
  for (const auto& [f, label] : kLabels) {
    if (f == field) return std::string(label);
  }
  return "";
}

// An API rule ("must be an http(s) URL") as a page says it.
std::string PageWording(std::string_view message) {
  if (message == "must be an http(s) URL") return "must be a web address, like https://example.com";
  return std::string(message);
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
  r.Add(bh::verb::post, base + "/tokens/{id}/revoke",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::RevokeApiToken)));
  r.Add(bh::verb::post, base + "/sign-out-others",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::SignOutOthers)));
  r.Add(bh::verb::post, base + "/sign-out-everywhere",
        gates.WithBrowserSession(back, Bind(this, &AccountPages::SignOutEverywhere)));
}

http::Response AccountPages::Done(const store::App& app, std::string_view what,
                                  std::string_view api_tokens) {
  std::string query = "?done=" + std::string(what);
  if (!api_tokens.empty()) query += "&api_tokens=" + std::string(api_tokens);
  return Redirect(kit_.urls.Absolute(kit_.urls.PagePath(app, "account") + query));
}

PageData AccountPages::SessionRows(const BrowserVisit& v, const std::string& zone,
                                   size_t* others) {
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
                           FormatInZone(s.last_used_at, zone));
    item.set("current", s.id == v.session.id);
    if (s.id != v.session.id) ++*others;
    item.set("revoke_action", kit_.urls.PagePath(v.app, "account/sessions/" + s.id + "/revoke"));
    rows.push_back(item);
  }
  return rows;
}

// `back_to_app` (out): the origin of the most recently authorized client's first redirect
// URI — where the user came from — when it is https (or http on loopback); else unchanged.
PageData AccountPages::AuthorizedAppRows(const BrowserVisit& v, const std::string& zone,
                                         std::string* back_to_app) {
  PageData rows(PageData::type::list);
  auto authorized = authz_.ListAuthorizedApps(v.app, v.session.user_id);
  if (!authorized.ok()) return rows;
  UnixMillis newest = 0;
  for (const auto& a : *authorized) {
    PageData item;
    item.set("client_name", a.client.name);
    // The consent page's words for each scope (one source: DescribeScope).
    std::string scopes;
    for (const auto& s : a.consent.scopes) {
      scopes += (scopes.empty() ? "" : ", ") + services::DescribeScope(s).title;
    }
    item.set("scopes_text", scopes);
    if (a.consent.updated_at > newest && !a.client.redirect_uris.empty()) {
      if (auto origin = LogoOrigin(a.client.redirect_uris.front())) {
        newest = a.consent.updated_at;
        *back_to_app = *origin + "/";
      }
    }
    item.set("granted_text", "Allowed " + FormatInZone(a.consent.updated_at, zone));
    item.set("revoke_action",
             kit_.urls.PagePath(
                 v.app, "account/apps/" + http::FormEncode(a.client.client_id) + "/revoke"));
    rows.push_back(item);
  }
  return rows;
}

// Name, prefix (never the secret), created, last used and expiry of each live token.
PageData AccountPages::ApiTokenRows(const BrowserVisit& v, const std::string& zone,
                                    size_t* count) {
  PageData rows(PageData::type::list);
  *count = 0;
  auto tokens = api_tokens_.List(v.app, v.session.user_id);
  if (!tokens.ok()) return rows;
  for (const auto& t : *tokens) {
    PageData item;
    item.set("name", t.name);
    item.set("prefix", t.prefix + "…");
    std::string detail = "Created " + FormatInZone(t.created_at, zone) + " · " +
                         (t.last_used_at ? "Last used " + FormatInZone(*t.last_used_at, zone)
                                         : std::string("Never used"));
    if (t.expires_at) detail += " · Expires " + FormatInZone(*t.expires_at, zone);
    item.set("detail", detail);
    item.set("revoke_action", kit_.urls.PagePath(v.app, "account/tokens/" + t.id + "/revoke"));
    rows.push_back(item);
    ++*count;
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
  // The console is an app too, and its account page is this one: lead back to the console.
  if (v.app.slug == services::kConsoleAppSlug) d.set("console_back_url", urls.ConsolePath());
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
  const std::string zone = ProfileTimeZone(user->profile_json);  // times in the person's zone
  SetSecondFactorSection(kit_, v, zone, d);
  size_t other_sessions = 0;
  PageData sessions = SessionRows(v, zone, &other_sessions);
  d.set("has_sessions", sessions.is_non_empty_list());
  if (other_sessions > 0) {
    d.set("sign_out_others_action", urls.PagePath(v.app, "account/sign-out-others"));
  }
  d.set("sessions", sessions);
  // A way back to the app: its own site (the first address its API magic links may return
  // to), else where its most recently authorized client lives.
  std::string back_to_app;
  PageData apps = AuthorizedAppRows(v, zone, &back_to_app);
  if (!v.app.settings.redirect_uris.empty()) {
    if (auto origin = LogoOrigin(v.app.settings.redirect_uris.front())) back_to_app = *origin + "/";
  }
  if (!back_to_app.empty()) d.set("back_to_app_url", back_to_app);
  d.set("has_apps", apps.is_non_empty_list());
  d.set("apps", apps);
  size_t token_count = 0;
  PageData tokens = ApiTokenRows(v, zone, &token_count);
  d.set("has_api_tokens", token_count > 0);
  d.set("api_tokens", tokens);
  // What the forms that end access will do, said before the click (issue 11, item 3).
  if (token_count > 0) {
    d.set("revoke_api_tokens_label", "Also revoke my " + std::to_string(token_count) +
                                         " personal API token" + (token_count == 1 ? "" : "s"));
  }
  d.set("sign_out_everywhere_action", urls.PagePath(v.app, "account/sign-out-everywhere"));
  d.set("has_password", user->password_hash.has_value());
  SetSignInMethods(v, zone, d);
  return kit_.pages.Page(req, v.app, "account", std::move(d), status);
}

void AccountPages::SetSignInMethods(const BrowserVisit& v, const std::string& zone, PageData& d) {
  if (!federation_) return;
  auto linked = federation_->LinkedIdentities(v.app, v.session.user_id);
  auto providers = federation_->EnabledProviders(v.app);
  if (!linked.ok() || !providers.ok()) return;
  PageData rows(PageData::type::list);
  for (const auto& l : *linked) {
    PageData row;
    row.set("provider_name", l.provider_name);
    std::string who = l.identity.username.empty() ? l.identity.email : l.identity.username;
    row.set("detail", (who.empty() ? "" : who + " · ") + "linked " +
                          FormatInZone(l.identity.created_at, zone));
    row.set("unlink_action",
            kit_.urls.PagePath(v.app, "account/identities/" + l.identity.id + "/unlink"));
    rows.push_back(row);
  }
  PageData to_link(PageData::type::list);
  for (const auto& p : *providers) {
    const bool already = std::any_of(linked->begin(), linked->end(), [&](const auto& l) {
      return l.identity.provider_id == p.id;
    });
    if (already) continue;
    PageData item;
    item.set("name", p.display_name);
    item.set("link_action", kit_.urls.PagePath(v.app, "account/identities/" + p.slug + "/link"));
    to_link.push_back(item);
  }
  d.set("has_identities", !linked->empty());
  d.set("identities", rows);
  d.set("link_providers", to_link);
  d.set("has_sign_in_methods", !linked->empty() || !providers->empty());
}

http::Response AccountPages::Show(http::Request& req, const BrowserVisit& v) {
  PageData d;
  http::QueryParams query = PageQuery(req);
  std::string done = http::FormValue(query, "done");
  if (std::string notice = Notice(done); !notice.empty()) {
    if (done == "password") notice += ApiTokensNotice(http::FormValue(query, "api_tokens"));
    d.set("notice", notice);
  }
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
  // Each error next to its field, in the page's words (not the API's "profile.website: …").
  bool any_field = false;
  for (const auto& e : s.field_errors()) {
    std::string_view field = e.field;
    if (field.rfind("profile.", 0) == 0) field.remove_prefix(8);
    const std::string label = ProfileFieldLabel(field);
    if (label.empty()) continue;
    d.set(std::string(field) + "_error", FieldSentence(label, PageWording(e.message)));
    any_field = true;
  }
  d.set("has_profile_errors", any_field);
  if (!any_field) d.set("error", "Your profile could not be saved. Please try again.");
  d.set("username", http::FormValue(form, "username"));
  for (const char* f : kProfileFields) d.set(f, http::FormValue(form, f));
  bool invalid = s.code() == StatusCode::kInvalidArgument || s.IsAlreadyExists();
  return Render(req, v, std::move(d), invalid ? 400 : 503);
}

http::Response AccountPages::ChangePassword(http::Request& req, const BrowserVisit& v,
                                            const Form& form) {
  const bool keep_api_tokens = KeepsApiTokens(form);
  auto changed = accounts_.ChangePassword(
      v.app, v.session.user_id, http::FormValue(form, "current_password"),
      http::FormValue(form, "new_password"), v.session.id, ClientOf(req), keep_api_tokens);
  if (changed.ok()) {
    return Done(v.app, "password", ApiTokensOutcome(keep_api_tokens, changed->api_tokens));
  }
  const Status& s = changed.status();
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

http::Response AccountPages::RevokeApiToken(http::Request& req, const BrowserVisit& v,
                                            const Form&) {
  Status s = api_tokens_.Revoke(v.app, v.session.user_id, req.Param("id"));
  if (!s.ok() && !s.IsNotFound()) return kit_.pages.Unavailable(req, &v.app);
  return Done(v.app, "api-token");
}

// Ends every other session (of every kind); this browser stays signed in, the API tokens stay.
http::Response AccountPages::SignOutOthers(http::Request& req, const BrowserVisit& v,
                                           const Form&) {
  auto ended = sessions_.LogoutOthers(v.app, v.session.user_id, v.session.id);
  if (!ended.ok()) return kit_.pages.Unavailable(req, &v.app);
  return Done(v.app, "others");
}

// Ends every session, this browser's included, so the answer is a page of its own (the
// account page would ask to sign in) saying what was done.
http::Response AccountPages::SignOutEverywhere(http::Request& req, const BrowserVisit& v,
                                               const Form& form) {
  const bool keep_api_tokens = KeepsApiTokens(form);
  auto ended = sessions_.LogoutAll(v.app, v.session.user_id, keep_api_tokens);
  if (!ended.ok()) return kit_.pages.Unavailable(req, &v.app);
  PageData d;
  d.set("title", "Signed out everywhere");
  d.set("message", "You’ve been signed out of " +
                       store::DisplayName(v.app.settings, v.app.name) + " everywhere: " +
                       Counted(ended->sessions, "session", "signed out") + "." +
                       ApiTokensNotice(ApiTokensOutcome(keep_api_tokens, ended->api_tokens)));
  d.set("login_url", kit_.urls.PagePath(v.app, "login"));
  http::Response r = kit_.pages.Page(req, v.app, "logged_out", std::move(d));
  kit_.session_cookie.Clear(r, v.app);
  return r;
}

}  // namespace tessera::web
